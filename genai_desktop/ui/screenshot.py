"""Render the real main window offscreen to a PNG (for docs, reviews and quick checks)."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QEventLoop, QTimer

from ..core.workspace import Workspace
from .app import build_window, make_application


def settle(ms: int) -> None:
    """Let layouts, lazy loads and the tree's expand animation finish before grabbing."""
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def take_screenshot(data_dir: Path, out: Path, *, page: str | None, view: str, theme: str,
                    size: tuple[int, int]) -> int:
    make_application()
    workspace = Workspace(data_dir)
    window = build_window(workspace, theme)
    window.set_theme(theme)
    window.resize(*size)
    problem = None
    if page and not window.reader.show_page(page):
        problem = f"screenshot: no page {page!r}"
    elif not window.show_view(view):
        problem = f"screenshot: no view {view!r} (views: {', '.join(window.view_names())})"
    if problem:
        print(problem, file=sys.stderr)
        _close(window, workspace)
        return 1
    window.show()
    settle(400)
    for _ in range(300):  # the library tools (star, note, card line) come a part at a time,
        if window.tools_ready() and not window.reader.formulas_pending():  # formulas from a worker
            break
        settle(50)
    settle(100)  # the page laid out again with the formulas that arrived
    out.parent.mkdir(parents=True, exist_ok=True)
    ok = window.grab().save(str(out))
    _close(window, workspace)
    if not ok:
        print(f"screenshot: could not write {out}", file=sys.stderr)
        return 1
    print(out)
    return 0


def _close(window, workspace) -> None:
    """Close as the app does: the runner's jobs (the start page's conversion, the search index)
    end before the databases close and the process exits (a thread still running aborts it)."""
    from .runner import wait_for_all

    window.close()
    wait_for_all()
    workspace.close()
