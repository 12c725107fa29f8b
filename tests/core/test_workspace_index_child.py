"""The window's index rebuilds run in a child process (core/workspace.py ``index_child``, through
core/worker.py): the child brings the index file up to the library and the workspace then copies
the user's notes in; a child that fails leaves the rebuild to the workspace's own thread; closing
the workspace ends a child still at work and builds nothing in its place."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from genai_desktop.core import workspace as workspace_module
from genai_desktop.core.search.index import ContentIndex
from genai_desktop.core.store import db
from genai_desktop.core.worker import WorkerDied
from genai_desktop.core.workspace import Workspace

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


def slow_child(_data_root: Path, _content_root: Path, progress=None) -> None:
    """A stand-in child that would take a minute (module level: the child process imports it)."""
    time.sleep(60)


def _rebuild_forbidden_here(monkeypatch) -> None:
    def refuse(*_args, **_kwargs):
        raise AssertionError("the index was rebuilt in the test's process")

    monkeypatch.setattr(ContentIndex, "rebuild", refuse)


def _window_workspace(data_dir: Path, starter_pack: Path) -> Workspace:
    """A workspace as the window has it: its index rebuilds run in a child."""
    workspace = Workspace(data_dir, content_root=starter_pack)
    workspace.build_index_elsewhere = True
    return workspace


def _add_pack(workspace: Workspace) -> None:
    """A second pack in the data folder (as an import writes one), adopted by the workspace."""
    topics = workspace.paths.packs / "mine" / "topics"
    topics.mkdir(parents=True)
    (topics / "01-extra.md").write_text(EXTRA_TOPIC, encoding="utf-8")
    workspace.adopt(workspace.load_fresh())


def _refresh_on_a_worker(workspace: Workspace) -> None:
    conn = db.connect(workspace.paths.progress_db)
    try:
        workspace.refresh_index(conn)
    finally:
        conn.close()


def test_the_child_builds_the_index_the_workspace_searches(data_dir: Path, starter_pack: Path, monkeypatch) -> None:
    workspace = _window_workspace(data_dir, starter_pack)
    workspace.progress  # noqa: B018 - the database the notes come from
    workspace.save_note("attention-basics", "my own mnemonic: zebra keys")
    _rebuild_forbidden_here(monkeypatch)
    assert workspace.search("attention") and workspace.index.fingerprint() == workspace.fingerprint
    assert [hit.page_id for hit in workspace.search("zebra")] == ["q:attention-basics"]  # notes copied in after
    assert not workspace.search("quokka")

    _add_pack(workspace)
    _refresh_on_a_worker(workspace)
    assert workspace.index.fingerprint() == workspace.fingerprint
    # What the first search after a rebuild needs was worked out by the rebuild's thread.
    assert workspace.index.library_memo["pages"] == workspace.index.page_count()
    assert "glossary" in workspace.index.library_memo
    assert [hit.page_id for hit in workspace.search("quokka")] == ["q:quokka-gate"]  # the new pack's page
    assert [hit.page_id for hit in workspace.search("zebra")] == ["q:attention-basics"]
    workspace.close()


def test_a_child_that_fails_leaves_the_rebuild_to_this_process(data_dir: Path, starter_pack: Path,
                                                                monkeypatch) -> None:
    def died(*_args, **_kwargs):
        raise WorkerDied("the worker process ended without an answer (exit code -9)")

    monkeypatch.setattr("genai_desktop.core.worker.call_in_process", died)
    workspace = _window_workspace(data_dir, starter_pack)
    assert workspace.search("attention")
    assert workspace.index.fingerprint() == workspace.fingerprint
    workspace.close()


def test_closing_the_workspace_ends_the_child_and_builds_nothing_in_its_place(data_dir: Path, starter_pack: Path,
                                                                              monkeypatch) -> None:
    monkeypatch.setattr(workspace_module, "index_child", slow_child)
    workspace = _window_workspace(data_dir, starter_pack)
    _rebuild_forbidden_here(monkeypatch)
    failed: list[BaseException] = []

    def warm() -> None:
        try:
            workspace.warm_index()
        except BaseException as exc:  # noqa: BLE001 - the test reads it below
            failed.append(exc)

    worker = threading.Thread(target=warm)
    worker.start()
    time.sleep(1.0)  # the child started and is at work
    started = time.monotonic()
    workspace.close()
    worker.join(10)
    assert not worker.is_alive() and time.monotonic() - started < 5  # not the child's minute
    assert not failed
