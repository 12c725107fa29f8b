"""One open data folder: the loaded library, the progress database, the index and caches.

The GUI and every command-line verb build one of these, so they always agree on what the
library holds and where the user's data lives.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from ..paths import DataPaths, content_dir
from .content import cache as library_cache
from .content.fingerprint import fingerprint
from .content.outline import Outline
from .errors import UserError
from .memory import release_free_memory
from .packs.folders import pack_dirs

if TYPE_CHECKING:
    import sqlite3

    from .content.library import Library
    from .render.formulas import FormulaCache
    from .search.index import ContentIndex
    from .search.query import SearchHit
    from .store.db import ProgressDatabase


def load_library(content_root: Path, packs_root: Path | None) -> Library:
    """The built-in pack followed by every imported pack in the data folder."""
    from .content.library import load_pack

    library = load_pack(content_root)
    for pack_dir in pack_dirs(packs_root):
        library.merge(load_pack(pack_dir, pack=pack_dir.name))
    return library


def library_fingerprint(content_root: Path, packs_root: Path | None) -> str:
    parts = [fingerprint(content_root)]
    parts += [f"{p.name}={fingerprint(p)}" for p in pack_dirs(packs_root)]
    return "|".join(parts)


def index_child(data_root: Path, content_root: Path, progress=None) -> None:
    """The window's index rebuilds, in a process of their own (core/worker.py): a rebuild is a
    long run of Python (a minute at 100,000 questions, half a second for the built-in library)
    that on a thread would hold the interpreter against the window's every paint and timer. The
    child loads the library from the same folders (from its cache, which the window's load wrote)
    and rebuilds the index file in one transaction; searches meanwhile read it as it was."""
    Workspace(data_root, content_root).build_index_file()


class IndexUpdating(UserError):
    """A search asked for while the index is being rebuilt."""


class LoadedLibrary(NamedTuple):
    """A library read from the folders, not yet the workspace's (``Workspace.load_fresh``).
    (A NamedTuple, not a dataclass: this module is on the way to the first paint, which does
    without the dataclasses module; tests/ui/test_startup_path.py.)"""

    fingerprint: str
    library: Library
    outline: Outline


class Workspace:
    def __init__(self, data_root: Path, content_root: Path | None = None) -> None:
        self.paths = DataPaths(data_root)
        self.paths.ensure()
        self.content_root = content_root or content_dir()
        self.fingerprint = library_fingerprint(self.content_root, self.paths.packs)
        self._library: Library | None = None
        self._library_lock = threading.Lock()  # the search index may ask for it from its thread
        self._outline: Outline | None = None
        self._formulas: FormulaCache | None = None
        self._progress: ProgressDatabase | None = None
        self._index: ContentIndex | None = None
        self._index_lock = threading.Lock()
        self._index_rebuilding = threading.Event()  # set while refresh_index brings it up to date
        # The window sets this: its rebuilds run in a child process (``index_child``), off the
        # interpreter its UI thread runs on. The command line and tests rebuild in-process.
        self.build_index_elsewhere = False
        self._closing = False

    @property
    def library(self) -> Library:
        """Every question with its answer, every guide and milestone: loaded on first use."""
        with self._library_lock:
            if self._library is None:
                self._library = self._load_library()
        return self._library

    @property
    def outline(self) -> Outline:
        """The table of contents. A start paints from its small cache without loading the library."""
        if self._outline is None:
            outline = None if self._library is not None else library_cache.load_outline(
                self.paths.outline_cache, self.fingerprint)
            if outline is None:
                outline = Outline.of(self.library)
                library_cache.save_outline(self.paths.outline_cache, self.fingerprint, outline)
            self._outline = outline
        return self._outline

    @property
    def formulas(self) -> FormulaCache:
        """The rendered-formula cache: only pages with formulas need it."""
        if self._formulas is None:
            from .render.formulas import FormulaCache

            self._formulas = FormulaCache(self.paths.formula_cache)
        return self._formulas

    @property
    def progress(self) -> ProgressDatabase:
        if self._progress is None:
            from .store import db

            self._progress = db.open_progress(self.paths.progress_db, self.paths.backups)
        return self._progress

    @property
    def index(self) -> ContentIndex:
        """The search index, opened (or rebuilt) on first use; see ``warm_index``. Once open it
        is handed out without the lock: a rebuild on a worker (``refresh_index``) holds the
        lock for seconds, and a search typed meanwhile reads the index as it was."""
        index = self._index
        return index if index is not None else self._open_index(None)

    def warm_index(self) -> None:
        """Open or rebuild the search index (~150 ms; seconds after a large import) on a worker
        thread, with that thread's own connections, so the first search finds it ready. A
        search typed meanwhile waits for this one index (the lock) instead of building a second."""
        from .store import db

        conn = db.connect(self.paths.progress_db)
        try:
            index = self._open_index(conn)
        finally:
            conn.close()
        index.close_thread_connection()

    def _open_index(self, progress_conn: sqlite3.Connection | None) -> ContentIndex:
        with self._index_lock:
            if self._index is None:
                from .search.index import ContentIndex

                index = ContentIndex(self.paths.index_db)
                self._update_index(index)
                if self._closing:
                    return index  # left as it was: the next start brings it up to date
                self._sync_notes(index, progress_conn or self.progress.conn)
                self._index = index
        return self._index

    def _update_index(self, index: ContentIndex) -> bool:
        """Rebuild ``index`` if it was built from another library; True if it was rebuilt."""
        if self.build_index_elsewhere and not self._closing and index.fingerprint() != self.fingerprint:
            from .worker import WorkerCancelled, call_in_process

            try:
                call_in_process(index_child, self.paths.root, self.content_root, cancelled=lambda: self._closing)
            except WorkerCancelled:
                return False  # the window is closing: the next start rebuilds
            except Exception as exc:  # noqa: BLE001 - rebuilt here instead, where a real fault shows again
                import logging

                logging.getLogger(__name__).warning("search index: the child process failed (%s); "
                                                    "rebuilding on this thread", exc)
            else:
                if index.fingerprint() == self.fingerprint:
                    index.forget_cached()  # searches meanwhile may have kept the old pages' rows
                    return True
            # The child failed, or the folders changed under it: rebuild here (slower for the window).
        return index.ensure(self.library, self.fingerprint)

    def build_index_file(self) -> None:
        """Bring the index file up to this library, on this thread, without the user's notes
        (``index_child``; the window then copies the notes in)."""
        from .search.index import ContentIndex

        index = ContentIndex(self.paths.index_db)
        try:
            index.ensure(self.library, self.fingerprint)
        finally:
            index.close()

    def _sync_notes(self, index: ContentIndex, progress_conn: sqlite3.Connection) -> None:
        """Copy the user's notes into the index (after a rebuild, or if written elsewhere)."""
        from .content import notes

        index.sync_notes({notes.page_for(key): note for key, note in notes.all_notes(progress_conn).items()})

    def search(self, query: str, limit: int = 50) -> list[SearchHit]:
        """Pages matching what the user typed, best first (see core/search/query.py). While the index
        is rebuilt on a worker (``refresh_index``) it says so at once: a search writes to the
        index (the stems it learns) and would wait for the rebuild, a minute at 100,000 pages."""
        if self._index_rebuilding.is_set():
            raise IndexUpdating("The search index is being updated for the changed library. "
                                "Search again in a moment.")
        from .search.query import search

        return search(self.index, query, limit)

    def save_note(self, key: str, body: str) -> None:
        """Save the user's note on a question or guide (a key from notes.key_for) and make it
        searchable at once."""
        from .content import notes

        stamp = notes.save_note(self.progress.conn, key, body)
        if self._index is not None:
            self._index.set_note(notes.page_for(key), body if stamp else "", stamp)

    def _load_library(self, fingerprint: str | None = None) -> Library:
        fingerprint = fingerprint or self.fingerprint
        library = library_cache.load(self.paths.library_cache, fingerprint)
        if library is None:
            library = load_library(self.content_root, self.paths.packs)
            library_cache.save(self.paths.library_cache, fingerprint, library)
        return library

    def load_fresh(self) -> LoadedLibrary:
        """The library as the folders hold it now, with its outline, built without touching
        this workspace: a worker thread runs it (seconds after a large import) while the window
        keeps the library it shows; ``adopt`` then swaps it in at once."""
        fingerprint = library_fingerprint(self.content_root, self.paths.packs)
        library = self._load_library(fingerprint)
        outline = Outline.of(library)
        library_cache.save_outline(self.paths.outline_cache, fingerprint, outline)
        return LoadedLibrary(fingerprint, library, outline)

    def adopt(self, loaded: LoadedLibrary) -> None:
        """Make ``loaded`` (from ``load_fresh``) the library; the search index follows with
        ``refresh_index``."""
        with self._library_lock:
            self.fingerprint = loaded.fingerprint
            self._library = loaded.library
        self._outline = loaded.outline

    def refresh_index(self, progress_conn: sqlite3.Connection | None = None) -> None:
        """Bring an open search index up to the adopted library (a rebuild after an import takes
        seconds: the window runs it on a worker, with that thread's ``progress_conn``). Searches
        meanwhile read the index as it was: the rebuild is one transaction.

        It is the last step of a library reload: the library replaced, the reload's parse and
        the rebuild's pages are all garbage by its end, and their memory goes back to the system."""
        with self._index_lock:
            index = self._index
            # None: opened (and built) on first use, from the library then adopted.
            if index is not None:
                self._index_rebuilding.set()
                try:
                    if self._update_index(index):
                        from .search.query import warm_up

                        # A rebuilt index starts without the user's notes.
                        self._sync_notes(index, progress_conn or self.progress.conn)
                        warm_up(index)  # here, before searches may run again
                finally:
                    self._index_rebuilding.clear()
                    if progress_conn is not None:
                        index.close_thread_connection()  # a worker's connection goes with it
        release_free_memory()

    def reload_library(self) -> None:
        """Load the library again now, on this thread (the command line, tests)."""
        self.adopt(self.load_fresh())
        self.refresh_index()

    def close(self) -> None:
        self._closing = True  # a child building the index is ended (``cancelled``) and nothing built in its place
        if self._progress is not None:
            self._progress.conn.close()
            self._progress = None
        if self._index is not None:
            self._index.close()
            self._index = None
