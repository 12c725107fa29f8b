"""Formulas rendered on the runner (ui/runner.py) and handed to the reader in batches.

One Job at a time works through the queue of the page shown now: ziamath renders one formula at
a time anyway (core/render/formulas.py holds its lock), and a page left behind stops costing
time because its queue is replaced. Each rendered key is reported through the Job's progress
signal; the UI side collects every key rendered since the last report it handled, so formulas
that finish while the UI thread is busy arrive together as one batch instead of one signal
each. Closing cancels the Job at its next report (a render in progress finishes first: a
render cannot be interrupted safely from outside, and the disk cache writes each SVG to a
temporary file, then renames it, so nothing is ever half-written).
"""

from __future__ import annotations

import logging
import threading

from PySide6.QtCore import QObject, Signal

from ..core.render.formulas import Formula, FormulaCache
from .runner import run_in_background

log = logging.getLogger(__name__)


class FormulaLoader(QObject):
    """Renders requested formulas into ``cache``, the newest request first; ``arrived(keys)``
    is emitted on the UI thread with the keys the cache now answers (an SVG or an error)."""

    arrived = Signal(list)

    def __init__(self, cache: FormulaCache, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.cache = cache
        # Shared with the Job's worker thread, always under _lock.
        self._lock = threading.Lock()
        self._queue: list[tuple[str, Formula, str]] = []
        self._rendered: list[str] = []  # keys rendered and not yet reported to the UI
        self._working = False  # a Job is working through the queue (it stops when it is empty)
        self._closed = False

    def request(self, formulas: dict[str, tuple[Formula, str]]) -> None:
        """Render these (key -> (formula, colour)) next. The queue is replaced, not extended:
        what the page shown now needs comes first, and a page left behind stops costing time
        (its formulas are asked for again if it is shown again)."""
        with self._lock:
            if self._closed:
                return
            self._queue = [(key, formula, color) for key, (formula, color) in formulas.items()]
            start = bool(self._queue) and not self._working
            if start:
                self._working = True
        if start:  # on the UI thread, as the runner wants
            run_in_background(self._render_queue, done=self._report, progress=self._report, name="formula-loader")

    def idle(self) -> bool:
        """Nothing is queued (a render may still be finishing)."""
        with self._lock:
            return not self._queue

    def close(self) -> None:
        """Stop after the formula being rendered now; nothing more is reported."""
        with self._lock:  # the Job sees it before its next formula and ends
            self._closed = True
            self._queue = []

    def _render_queue(self, progress) -> None:
        """On the worker: render until the queue is empty, reporting after each formula (the
        report is also where a cancelled Job stops)."""
        done = 0
        while True:
            with self._lock:
                if not self._queue or self._closed:
                    self._working = False  # decided under the lock: a request now starts a new Job
                    return
                key, formula, color = self._queue.pop(0)
            try:
                self.cache.get(formula, color)  # a refusal is cached too: it is an answer
            except Exception:  # a bug in the renderer: logged, and refused so it is not tried again
                log.exception("rendering a formula failed")
                self.cache.refuse(formula, color, "the renderer failed (the details are in the log)")
            with self._lock:
                self._rendered.append(key)
                left = len(self._queue)
            done += 1
            try:
                progress(done, done + left)
            except BaseException:  # cancelled (the app is closing): no Job works any more
                with self._lock:
                    self._working = False
                raise

    def _report(self, *_progress: object) -> None:
        """On the UI thread: every key rendered since the last report, as one batch (reports
        queued behind this one then find nothing left and cost nothing)."""
        with self._lock:
            batch, self._rendered = self._rendered, []
            closed = self._closed
        if batch and not closed:
            self.arrived.emit(batch)
