"""How long the UI thread went without running its event loop: a heartbeat timer that records
the gaps between its beats. Anything on the UI thread that takes longer than a frame (a query,
a parse, a widget filled row by row) shows up as a gap, wherever it came from.

The bench's scripted tour (bench/bench_freeze.py) and the "never freeze" test use it; it costs a
wake-up every few milliseconds, so the app itself does not run one.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QEventLoop, QObject, Qt, QTimer


class StallMeter(QObject):
    """``start()``, do things, then ``take()`` the longest gap (ms) since the last ``take``."""

    def __init__(self, interval_ms: int = 5, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.interval_ms = interval_ms
        self._timer = QTimer(self, interval=interval_ms)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.timeout.connect(self._beat)
        self._last_beat = 0.0
        self._longest_ms = 0.0

    def start(self) -> None:
        self._last_beat = time.perf_counter()
        self._longest_ms = 0.0
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    def _beat(self) -> None:
        now = time.perf_counter()
        self._longest_ms = max(self._longest_ms, (now - self._last_beat) * 1000)
        self._last_beat = now

    def take(self) -> float:
        """The longest gap between beats since the last call (or ``start``), including the one
        still open now: work the caller ran just before asking counts too."""
        now = time.perf_counter()
        longest = max(self._longest_ms, (now - self._last_beat) * 1000)
        self._longest_ms = 0.0
        self._last_beat = now
        return longest


def run_events_for(ms: int) -> None:
    """Run the event loop for ``ms`` as the app's own loop runs it, giving the interpreter to
    the runner's threads while it waits. (QTest.qWait keeps the interpreter while it sleeps:
    under it a job in Python crawls, ten times slower or worse, and a tour measures nothing real.)"""
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()
