"""Formulas rendered on a worker thread and handed to the reader one by one as they arrive.

The same pattern as the Backups dialog's job (a Python thread that reports through a queued Qt
signal), kept running: pages ask for formulas over and over, and ziamath renders one at a time
anyway (core/render/formulas.py holds its lock). The thread is a daemon because a render cannot be
interrupted safely from outside; quitting mid-render simply ends it, and nothing it does is
ever half-written (the disk cache writes each SVG to a temporary file, then renames it).
"""

from __future__ import annotations

import logging
import threading

import shiboken6
from PySide6.QtCore import QObject, Signal

from ..core.render.formulas import Formula, FormulaCache

log = logging.getLogger(__name__)
IDLE_CHECK_S = 30.0  # how often an idle worker looks whether its reader still exists


class FormulaLoader(QObject):
    """Renders requested formulas into ``cache``, the newest request first; ``arrived(key)``
    is emitted on the UI thread once the cache answers ``key`` (an SVG or an error)."""

    arrived = Signal(str)

    def __init__(self, cache: FormulaCache, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.cache = cache
        self._queue: list[tuple[str, Formula, str]] = []
        self._wake = threading.Condition()
        self._thread: threading.Thread | None = None
        self._closed = False

    def request(self, formulas: dict[str, tuple[Formula, str]]) -> None:
        """Render these (key -> (formula, colour)) next. The queue is replaced, not extended:
        what the page shown now needs comes first, and a page left behind stops costing time
        (its formulas are asked for again if it is shown again)."""
        with self._wake:
            self._queue = [(key, formula, color) for key, (formula, color) in formulas.items()]
            self._wake.notify()
        if self._thread is None and formulas:
            self._thread = threading.Thread(target=self._run, name="formula-loader", daemon=True)
            self._thread.start()

    def idle(self) -> bool:
        """Nothing is queued (a render may still be finishing)."""
        with self._wake:
            return not self._queue

    def close(self) -> None:
        """Stop after the formula being rendered now; nothing more is reported."""
        with self._wake:
            self._closed = True
            self._queue = []
            self._wake.notify()

    def _run(self) -> None:
        while True:
            with self._wake:
                while not self._queue and not self._closed:
                    if not self._wake.wait(IDLE_CHECK_S) and not shiboken6.isValid(self):
                        return  # the reader was deleted with this object: nothing will ask again
                if self._closed:
                    return
                key, formula, color = self._queue.pop(0)
            try:
                self.cache.get(formula, color)  # a refusal is cached too: it is an answer
            except Exception:  # a bug in the renderer: logged, and refused so it is not tried again
                log.exception("rendering a formula failed")
                self.cache.refuse(formula, color, "the renderer failed (the details are in the log)")
            try:
                self.arrived.emit(key)
            except RuntimeError:  # the reader (and this object with it) is gone: nobody to tell
                return
