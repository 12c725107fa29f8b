"""The views' code imported ahead of the first click, one module at a time while the window idles.

A view is built the first time it is opened, and its module is imported then: the view's own
code, its widgets' classes and the PySide types they use, whose enums Python builds on first use
(a module of charts: 40 ms on this machine, most of it enums). Imported after the start, one
module per pass of the event loop once the window has been idle a moment, that cost is paid where
nobody waits for it; opening the view then only builds its widgets.

Only modules: nothing here builds a widget or reads the database, and the core modules the views
import are already loaded by then (on the runner, main_window.CORE_MODULES).
"""

from __future__ import annotations

import importlib

from PySide6.QtCore import QObject, QTimer

# Each view's modules, heaviest first; the views in the order a user tends to open them. Each
# module's own imports come with it. MainWindow.open_view imports those still missing, one per
# pass, when a view is opened before the warm-up reached it.
MODULES_OF_VIEW = {
    "flashcards": ("genai_desktop.ui.flashcards",),
    "stats": ("genai_desktop.ui.charts", "genai_desktop.ui.stats_view"),
    "roadmap": ("genai_desktop.ui.roadmap.view",),
    "interview": ("genai_desktop.ui.interview",),
}
VIEW_MODULES = tuple(module for modules in MODULES_OF_VIEW.values() for module in modules)
IDLE_MS = 250  # between two imports: the window's own work after a start or a click comes first


class ViewWarmUp(QObject):
    """Imports VIEW_MODULES one by one; stops early if the window goes away."""

    def __init__(self, window, modules: tuple[str, ...] = VIEW_MODULES) -> None:
        super().__init__(window)
        self._window = window
        self._left = list(modules)
        self._timer = QTimer(self, singleShot=True, interval=IDLE_MS, timeout=self._next)

    def start(self) -> None:
        self._timer.start()

    def done(self) -> bool:
        return not self._left

    def _next(self) -> None:
        if not self._left or not self._window.isVisible():
            self._left.clear()
            return
        importlib.import_module(self._left.pop(0))
        if self._left:
            self._timer.start()
