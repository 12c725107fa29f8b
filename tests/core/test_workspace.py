"""Workspace: the library loaded off to the side and swapped in; the index rebuilt behind searches."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from genai_desktop.core.search.index import ContentIndex
from genai_desktop.core.store import db
from genai_desktop.core.workspace import IndexUpdating, Workspace


def test_a_fresh_library_is_built_aside_and_adopted_whole(data_dir: Path, starter_pack: Path) -> None:
    workspace = Workspace(data_dir, content_root=starter_pack)
    shown = workspace.library
    loaded = workspace.load_fresh()
    assert workspace.library is shown  # loading touched nothing the window reads
    workspace.adopt(loaded)
    assert workspace.library is loaded.library and workspace.outline is loaded.outline
    assert workspace.fingerprint == loaded.fingerprint
    workspace.close()


def test_a_search_during_an_index_rebuild_says_so_at_once(data_dir: Path, starter_pack: Path, monkeypatch) -> None:
    workspace = Workspace(data_dir, content_root=starter_pack)
    assert workspace.search("attention")  # the index is open
    entered, release = threading.Event(), threading.Event()
    real_ensure = ContentIndex.ensure

    def slow_ensure(index, library, fingerprint) -> bool:
        entered.set()
        release.wait(10)
        return real_ensure(index, library, "changed")  # a new fingerprint: rebuilt

    monkeypatch.setattr(ContentIndex, "ensure", slow_ensure)

    def rebuild_on_a_worker() -> None:
        conn = db.connect(workspace.paths.progress_db)
        try:
            workspace.refresh_index(conn)
        finally:
            conn.close()

    worker = threading.Thread(target=rebuild_on_a_worker)
    worker.start()
    assert entered.wait(10)
    started = time.perf_counter()
    with pytest.raises(IndexUpdating, match="being updated"):
        workspace.search("attention")
    assert time.perf_counter() - started < 0.5  # said at once, not after the rebuild
    release.set()
    worker.join(10)
    assert workspace.search("attention")  # rebuilt, and searched again
    workspace.close()
