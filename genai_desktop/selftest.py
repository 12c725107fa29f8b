"""`genai-desktop --self-test`: prove that this installation works, end to end, in seconds.

Built for the frozen executables, where a missing data file, Qt plugin or lazily imported
module only shows when a user reaches it: the self-test reaches all of them. It opens the real
main window offscreen on a scratch data folder (the user's own data is never touched), renders
a page with formulas and code, runs a search, answers a flashcard and reads the answer back from
disk, opens every view, and exits 0, or 1 naming each check that failed and why.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

# A hung check (a modal dialog, a deadlock) must not hang CI: fail loudly instead.
TIMEOUT_S = 180.0


class CheckFailed(Exception):
    """A check's clear, one-line reason for failing."""


@dataclass
class Context:
    data_dir: Path
    workspace: object = None
    window: object = None
    page_id: str = ""
    qt_errors: list[str] = field(default_factory=list)


# ------------------------------------------------------------------ the checks

def check_bundle(ctx: Context) -> str:
    from .core.workspace import Workspace
    from .paths import bundle_root, resources_dir

    missing = [name for name in ("content/FORMAT.md", "LICENSE", "THIRD_PARTY_LICENSES")
               if not (bundle_root() / name).is_file()]
    missing += [f"resources/{p}" for p in ("icons/app.svg", "icons/app-32.png") if not (resources_dir() / p).is_file()]
    if missing:
        raise CheckFailed(f"missing from {bundle_root()}: {', '.join(missing)}")
    ctx.workspace = Workspace(ctx.data_dir)
    library = ctx.workspace.library
    questions = sum(1 for _ in library.questions())
    if not questions:
        raise CheckFailed(f"the built-in library at {ctx.workspace.content_root} has no questions")
    if library.problems:
        raise CheckFailed(f"the built-in library has {len(library.problems)} problems, first: {library.problems[0]}")
    return f"{len(library.topics)} topics, {questions} questions, {len(library.guides)} guides"


def check_window(ctx: Context) -> str:
    from PySide6.QtWidgets import QApplication

    from .ui.app import build_window, make_application, set_app_icon

    app = make_application()
    set_app_icon(app)
    if app.windowIcon().isNull():
        raise CheckFailed("the application has no window icon")
    ctx.window = window = build_window(ctx.workspace, "light")
    window.resize(1100, 720)
    window.show()
    settle(400)  # first paint, then the deferred work it schedules (due counts, warm-up)
    platform = QApplication.platformName()
    if not window.isVisible():
        raise CheckFailed(f"the main window did not show (platform {platform})")
    if window.sidebar.model.rowCount() == 0:
        raise CheckFailed("the library tree is empty")
    image = window.grab().toImage()
    colours = {image.pixel(x, y) for x in range(0, image.width(), 7) for y in range(0, image.height(), 7)}
    if len(colours) < 8:
        raise CheckFailed(f"the window painted {len(colours)} colours: it looks blank")
    return f"{platform}, {image.width()}x{image.height()}, {len(colours)} colours sampled"


def check_page(ctx: Context) -> str:
    from PySide6.QtCore import QUrl
    from PySide6.QtGui import QTextDocument

    from .core.render.markdown_html import formulas_in

    library = ctx.workspace.library
    question = next((q for q in library.questions() if "```" in q.markdown and formulas_in(q.markdown)), None)
    if question is None:
        raise CheckFailed("no question in the library has both a formula and a code block")
    ctx.page_id = f"q:{question.id}"
    reader = ctx.window.reader
    if not reader.show_page(ctx.page_id):
        raise CheckFailed(f"the reader could not show {ctx.page_id}")
    settle(50)
    deadline = time.monotonic() + 60
    while reader.formulas_pending() and time.monotonic() < deadline:  # rendered on a worker thread
        settle(50)
    html = reader.body_html
    if 'class="error"' in html:
        raise CheckFailed(f"{ctx.page_id} rendered with an error box (formula or code)")
    keys = [part.split('"', 1)[0] for part in html.split('src="formula:')[1:]]
    if not keys:
        raise CheckFailed(f"{ctx.page_id} has formulas but no formula images")
    for key in keys:
        image = reader.document().resource(QTextDocument.ResourceType.ImageResource, QUrl(f"formula:{key}"))
        if image is None or image.isNull() or ctx.workspace.formulas.svg(key) is None:
            raise CheckFailed(f"formula {key} of {ctx.page_id} produced no image")
    if "<span style=" not in html:
        raise CheckFailed(f"the code on {ctx.page_id} is not highlighted")
    return f"{ctx.page_id}: {len(keys)} formulas, highlighted code"


def check_highlighting(ctx: Context) -> str:
    """Every language the library's code blocks name has a real lexer (pygments loads them by
    name at run time, and highlight_code quietly falls back to plain text when one is missing)."""
    import re

    from pygments.lexers import get_lexer_by_name
    from pygments.styles import get_style_by_name
    from pygments.util import ClassNotFound

    from .core.render.markdown_html import DARK, LIGHT

    languages = set()
    for question in ctx.workspace.library.questions():
        languages.update(re.findall(r"^[ \t]*(?:```|~~~)[ \t]*([\w+#.-]+)", question.markdown, re.M))
    languages |= {"python", "bash", "json", "yaml", "sql", "javascript", "c++"}
    missing = []
    for language in sorted(languages):
        try:
            get_lexer_by_name(language.lower())
        except ClassNotFound:
            missing.append(language)
    for style in (LIGHT.pygments_style, DARK.pygments_style):
        try:
            get_style_by_name(style)
        except ClassNotFound:
            missing.append(f"style {style}")
    if missing:
        raise CheckFailed(f"pygments cannot load: {', '.join(missing)}")
    return f"{len(languages)} languages, 2 styles"


def check_search(ctx: Context) -> str:
    question = ctx.workspace.library.question(ctx.page_id.split(":", 1)[1])
    words = sorted((w.strip("?,.:;()'\"") for w in question.title.split()), key=len, reverse=True)
    query = words[0]
    search = getattr(ctx.workspace, "search", None)
    if callable(search):
        found = _page_ids(search(query))
        how = "Workspace.search"
    else:
        found = _fts_page_ids(ctx.workspace.index.conn, query)
        how = "the FTS index"
    if ctx.page_id not in found:
        raise CheckFailed(f"searching {how} for {query!r} did not find {ctx.page_id} ({len(found)} results)")
    return f"{query!r} -> {len(found)} results via {how}"


def _page_ids(results) -> list[str]:
    ids = []
    for result in results or []:
        if isinstance(result, str):
            ids.append(result)
        elif isinstance(result, dict):
            ids.append(result.get("page_id", ""))
        else:
            ids.append(getattr(result, "page_id", ""))
    return ids


def _fts_page_ids(conn: sqlite3.Connection, query: str) -> list[str]:
    """Query the index's full-text table directly, whatever it is called in this index version."""
    tables = [name for (name,) in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE '%USING fts5%' ORDER BY name")]
    if not tables:
        raise CheckFailed("the content index has no full-text table")
    table = tables[0]
    phrase = '"' + query.replace('"', '""') + '"'
    rows = conn.execute(f"SELECT p.page_id FROM {table} JOIN pages p ON p.rowid = {table}.rowid "
                        f"WHERE {table} MATCH ? LIMIT 50", (phrase,))
    return [page_id for (page_id,) in rows]


def check_flashcard(ctx: Context) -> str:
    from fsrs import Rating

    window = ctx.window
    if not window.show_view("flashcards"):
        raise CheckFailed("there is no flashcards view")
    view = window.flashcards
    view.start()
    settle(50)
    session = view.session
    question_id = session.current if session else None
    if not question_id:
        raise CheckFailed("a fresh data folder offered no card to study")
    view.reveal()
    view.rate(Rating.Good)
    settle(50)
    # Read the answer back through a separate connection: it must be committed to disk.
    with sqlite3.connect(ctx.workspace.paths.progress_db) as conn:
        reviews = conn.execute("SELECT count(*) FROM reviews WHERE question_id = ?", (question_id,)).fetchone()[0]
        card = conn.execute("SELECT state FROM cards WHERE question_id = ?", (question_id,)).fetchone()
    if reviews != 1 or card is None:
        raise CheckFailed(f"answering {question_id} saved {reviews} reviews and {'a' if card else 'no'} card row")
    return f"answered {question_id} Good; saved to {ctx.workspace.paths.progress_db.name}"


def check_views(ctx: Context) -> str:
    names = ctx.window.view_names()
    for name in names:
        if not ctx.window.show_view(name):
            raise CheckFailed(f"the {name} view did not open")
        settle(30)
    ctx.window.show_view("library")
    return ", ".join(names)


CHECKS: list[tuple[str, Callable[[Context], str]]] = [
    ("bundled files and library", check_bundle),
    ("main window", check_window),
    ("page with formulas and code", check_page),
    ("code highlighting", check_highlighting),
    ("search", check_search),
    ("flashcard answer saved", check_flashcard),
    ("every view opens", check_views),
]


# ------------------------------------------------------------------ running

def settle(ms: int) -> None:
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def run_self_test(write: Callable[[str], None] | None = None) -> int:
    """Run the checks in order. Each builds on the ones before it, so the first failure skips the rest."""
    write = write or _print
    os.environ["QT_QPA_PLATFORM"] = "offscreen"  # never flash a window on the user's screen
    started = time.perf_counter()
    scratch = Path(tempfile.mkdtemp(prefix="genai-desktop-selftest-"))
    ctx = Context(scratch / "data")
    current = ["start-up"]
    watchdog = threading.Timer(TIMEOUT_S, _timed_out, args=(current, write))
    watchdog.daemon = True
    watchdog.start()
    previous_hook = sys.excepthook
    # An exception inside a Qt slot does not reach the check that caused it: catch it here.
    sys.excepthook = lambda kind, value, tb: ctx.qt_errors.append(f"{kind.__name__}: {value}")
    failures: list[str] = []
    try:
        write(f"self-test: scratch data folder {ctx.data_dir}")
        for name, check in CHECKS:
            current[0] = name
            if failures:
                write(f"  skip  {name}")
                continue
            t0 = time.perf_counter()
            try:
                detail = check(ctx)
                if ctx.qt_errors:
                    raise CheckFailed(f"error raised inside Qt: {ctx.qt_errors[0]}")
            except CheckFailed as exc:
                failures.append(f"{name}: {exc}")
                write(f"  FAIL  {name}: {exc}")
                continue
            except Exception as exc:  # anything else is a failure to report, with where it came from
                where = traceback.extract_tb(exc.__traceback__)[-1]
                reason = f"{type(exc).__name__}: {exc} ({Path(where.filename).name}:{where.lineno})"
                failures.append(f"{name}: {reason}")
                write(f"  FAIL  {name}: {reason}")
                continue
            write(f"  ok    {name} ({(time.perf_counter() - t0) * 1000:.0f} ms): {detail}")
    finally:
        current[0] = "clean-up"
        _close(ctx)
        sys.excepthook = previous_hook
        watchdog.cancel()
        shutil.rmtree(scratch, ignore_errors=True)
    seconds = time.perf_counter() - started
    if failures:
        write(f"self-test FAILED ({len(failures)} of {len(CHECKS)} checks): " + "; ".join(failures))
        return 1
    write(f"self-test passed: {len(CHECKS)} checks in {seconds:.1f} s")
    return 0


def _close(ctx: Context) -> None:
    if ctx.window is not None:
        ctx.window.close()
        ctx.window.deleteLater()
        settle(0)
    if ctx.workspace is not None:
        ctx.workspace.close()


def _timed_out(current: list[str], write: Callable[[str], None]) -> None:
    write(f"self-test FAILED: timed out after {TIMEOUT_S:.0f} s during {current[0]}")
    os._exit(1)


def _print(line: str) -> None:
    # A windowed build on Windows has no console: sys.stdout is None there.
    if sys.stdout is not None:
        print(line, flush=True)
