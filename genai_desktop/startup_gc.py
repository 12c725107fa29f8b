"""The cyclic garbage collector waits while the app starts, and while a large library loads.

Nothing allocated on the way to the first paint (PySide's types, the widgets, the library's
outline) is garbage, yet the collector would walk it a dozen times: ~5 ms of every start.
``pause()`` runs before PySide is imported and ``resume()`` after the first frame, where
``gc.freeze()`` also moves everything start-up built out of later collections' way.
Reference counting frees memory as usual meanwhile; only cycles wait.

``building()`` does the same around work that builds a large, long-lived structure on a
worker (the library after an import of 100,000 questions): each full collection walks every
object while holding the GIL, so the window stalled with it (five of 44-112 ms during one
reload at 30,000 questions, measured); afterwards ``gc.freeze()`` keeps what was built out of
later full collections. The library's objects hold no cycles, so a replaced library is still
freed by reference counting.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_paused = False  # pause() turned the collector off until resume()
_building = 0  # building() blocks running now, on any thread
_ours = False  # building() turned the collector off (it was on)
_lock = threading.Lock()


def pause() -> None:
    global _paused
    if gc.isenabled():
        gc.disable()
        _paused = True


def resume() -> None:
    """Turn the collector back on if ``pause()`` turned it off; safe to call more than once."""
    global _paused, _ours
    with _lock:
        if _paused:
            _paused = False
            gc.freeze()
            if _building:
                _ours = True  # the last building() block turns it on when it ends
            else:
                gc.enable()


@contextmanager
def building() -> Iterator[None]:
    """The collector waits while the block runs (on any thread; blocks may overlap), then what
    it built is frozen and the collector is on again, unless start-up or someone else has it off."""
    global _building, _ours
    with _lock:
        _building += 1
        if _building == 1 and gc.isenabled():
            gc.disable()
            _ours = True
    try:
        yield
    finally:
        with _lock:
            _building -= 1
            if _building == 0 and _ours:
                _ours = False
                gc.freeze()
                if not _paused:
                    gc.enable()
