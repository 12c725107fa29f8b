"""The cyclic garbage collector waits while the app starts.

Nothing allocated on the way to the first paint (PySide's types, the widgets, the library's
outline) is garbage, yet the collector would walk it a dozen times: ~5 ms of every start.
``pause()`` runs before PySide is imported and ``resume()`` after the first frame, where
``gc.freeze()`` also moves everything start-up built out of later collections' way.
Reference counting frees memory as usual meanwhile; only cycles wait.
"""

from __future__ import annotations

import gc

_paused = False


def pause() -> None:
    global _paused
    if gc.isenabled():
        gc.disable()
        _paused = True


def resume() -> None:
    """Turn the collector back on if ``pause()`` turned it off; safe to call more than once."""
    global _paused
    if _paused:
        _paused = False
        gc.freeze()
        gc.enable()
