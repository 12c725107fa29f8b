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
    if page and not window.reader.show_page(page):
        print(f"screenshot: no page {page!r}", file=sys.stderr)
        return 1
    if not window.show_view(view):
        print(f"screenshot: no view {view!r} (views: {', '.join(window.view_names())})", file=sys.stderr)
        return 1
    window.show()
    settle(400)
    out.parent.mkdir(parents=True, exist_ok=True)
    ok = window.grab().save(str(out))
    window.close()
    workspace.close()
    if not ok:
        print(f"screenshot: could not write {out}", file=sys.stderr)
        return 1
    print(out)
    return 0
