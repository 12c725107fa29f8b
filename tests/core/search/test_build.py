"""The window's index rebuilds run in a child process (core/search/build.py): the child brings the
index file up to the library, the workspace then copies the user's notes in; a child that
cannot run leaves the rebuild to the workspace's own thread; closing the workspace stops it."""

from __future__ import annotations

import sys
import threading
import time
from pathlib import Path

import pytest

from genai_desktop.core.search import build
from genai_desktop.core.search.index import ContentIndex
from genai_desktop.core.store import db
from genai_desktop.core.workspace import Workspace


def _rebuild_forbidden_here(monkeypatch) -> None:
    def refuse(*_args, **_kwargs):
        raise AssertionError("the index was rebuilt in the test's process")

    monkeypatch.setattr(ContentIndex, "rebuild", refuse)


EXTRA_TOPIC = """+++
id = "extra"
title = "Extra"
order = 3
+++

## What does a quokka gate do?
<!-- id: quokka-gate; sources: 001:1; level: dev1 -->

**Key points.**
- It lets a token through when the quokka says so.

A made-up question for the index's tests.
"""


def _add_pack(workspace: Workspace) -> None:
    """A second pack in the data folder (as an import writes one), adopted by the workspace."""
    topics = workspace.paths.packs / "mine" / "topics"
    topics.mkdir(parents=True)
    (topics / "01-extra.md").write_text(EXTRA_TOPIC, encoding="utf-8")
    workspace.adopt(workspace.load_fresh())


def _window_workspace(data_dir: Path, starter_pack: Path, monkeypatch, child_code: str | None = None) -> Workspace:
    """A workspace as the window has it (rebuilds in a child); ``child_code``: a stand-in child."""
    if child_code is not None:
        monkeypatch.setattr(build, "child_command", lambda *_: [sys.executable, "-c", child_code])
    workspace = Workspace(data_dir, content_root=starter_pack)
    workspace.build_index_elsewhere = True
    return workspace


def _refresh_on_a_worker(workspace: Workspace) -> None:
    conn = db.connect(workspace.paths.progress_db)
    try:
        workspace.refresh_index(conn)
    finally:
        conn.close()


def test_the_child_builds_the_index_the_workspace_searches(data_dir: Path, starter_pack: Path, monkeypatch) -> None:
    workspace = _window_workspace(data_dir, starter_pack, monkeypatch)
    workspace.progress  # noqa: B018 - the database the notes come from
    workspace.save_note("attention-basics", "my own mnemonic: zebra keys")
    _rebuild_forbidden_here(monkeypatch)
    assert workspace.search("attention") and workspace.index.fingerprint() == workspace.fingerprint
    assert [hit.page_id for hit in workspace.search("zebra")] == ["q:attention-basics"]  # notes copied in after
    assert not workspace.search("quokka")

    _add_pack(workspace)
    _refresh_on_a_worker(workspace)
    assert workspace.index.fingerprint() == workspace.fingerprint
    assert [hit.page_id for hit in workspace.search("quokka")] == ["q:quokka-gate"]  # the new pack's page
    assert [hit.page_id for hit in workspace.search("zebra")] == ["q:attention-basics"]
    workspace.close()


def test_a_child_that_fails_leaves_the_rebuild_to_this_process(data_dir: Path, starter_pack: Path,
                                                                monkeypatch) -> None:
    workspace = _window_workspace(data_dir, starter_pack, monkeypatch, "import sys; sys.exit(3)")
    assert workspace.search("attention")
    assert workspace.index.fingerprint() == workspace.fingerprint
    workspace.close()


def test_closing_the_workspace_stops_the_child_and_builds_nothing_in_its_place(data_dir: Path, starter_pack: Path,
                                                                               monkeypatch) -> None:
    workspace = _window_workspace(data_dir, starter_pack, monkeypatch, "import time; time.sleep(60)")
    _rebuild_forbidden_here(monkeypatch)
    worker = threading.Thread(target=workspace.warm_index)
    worker.start()
    deadline = time.monotonic() + 10
    while workspace._index_child is None and time.monotonic() < deadline:
        time.sleep(0.01)
    started = time.monotonic()
    workspace.close()
    worker.join(10)
    assert not worker.is_alive() and time.monotonic() - started < 5  # not the child's minute


@pytest.mark.parametrize("frozen", [False, True])
def test_the_child_is_this_program_again(frozen: bool, monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setattr(sys, "frozen", frozen, raising=False)
    command = build.child_command(tmp_path / "data", tmp_path / "content")
    assert command[0] == sys.executable
    assert command[1:3] == (["build-index", "--data-dir"] if frozen else ["-m", "genai_desktop"])
    assert command[-4:] == ["--data-dir", str(tmp_path / "data"), "--content-root", str(tmp_path / "content")]
