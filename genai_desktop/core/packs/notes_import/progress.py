"""Progress reporting and cancellation for long imports, without any Qt dependency."""

from __future__ import annotations

import threading
from collections.abc import Callable

from .model import ImportCancelled


class Progress:
    """Parsers call ``step(done, total)`` as they go; it reports at most ~100 times per file
    and raises ImportCancelled once ``cancel()`` was called (from any thread)."""

    def __init__(self, report: Callable[[int, int], None] | None = None) -> None:
        self._report = report
        self._cancelled = threading.Event()
        self._last = -1

    def cancel(self) -> None:
        self._cancelled.set()

    def step(self, done: int, total: int) -> None:
        if self._cancelled.is_set():
            raise ImportCancelled()
        if self._report and total:
            percent = min(100, done * 100 // total)
            if percent != self._last:
                self._last = percent
                self._report(done, total)
