"""Keeping memory freed by large jobs from staying resident (glibc, Linux).

glibc's allocator gives each thread that allocates a heap of its own (up to eight per core),
and keeps what is freed in each for reuse by that heap only. Each job of the window runs on a
thread of its own, so a large import, its library reload and the search index rebuild each
left their high-water mark in a different heap: at the end of the 100,000-question tour
(bench/bench_freeze.py) 186 MB sat free in those heaps. ``share_one_heap`` has every thread
use the main heap (Python's lock lets one thread run Python at a time anyway) and
``release_free_memory`` hands its free pages back to the system after such a job. Other
systems' allocators return memory on their own or offer neither call: there both do nothing.
"""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Iterator, Sequence
from typing import Any

_M_ARENA_MAX = -8  # mallopt's parameter number (malloc.h)
_shared = False


def _libc() -> Any | None:
    """The process's own C library if it is glibc, else None."""
    if not sys.platform.startswith("linux"):
        return None
    import ctypes  # not on the way to the first paint: the first job or trim loads it

    libc = ctypes.CDLL(None)
    return libc if hasattr(libc, "malloc_trim") and hasattr(libc, "mallopt") else None  # musl has neither


def share_one_heap() -> None:
    """Make threads started from now on allocate from the main heap (glibc M_ARENA_MAX = 1).
    Called before the first worker thread starts; once is enough."""
    global _shared
    if not _shared:
        _shared = True
        libc = _libc()
        if libc is not None:
            libc.mallopt(_M_ARENA_MAX, 1)


def release_free_memory() -> None:
    """Return the allocator's free pages to the system (glibc ``malloc_trim``, ~10 ms after a
    100k reload). It walks the heaps without the GIL (ctypes lets go of it), so a worker
    calling it stalls no window."""
    libc = _libc()
    if libc is not None:
        libc.malloc_trim(0)


def release_in_steps(items: list, step: int = 1000) -> None:
    """Empty ``items`` ``step`` at a time from the end. A list of 100,000 objects dropped whole
    is freed in one C call that keeps the interpreter for tens of milliseconds (the window's
    thread waits that long for its next event); in steps, other threads run in between."""
    while items:
        del items[-step:]


def id_set(ids: Sequence[str] = ()) -> dict[str, None]:
    """A large set of ids, as the keys of a dict: the cyclic collector stops tracking a dict that
    holds only strings, where it walks every entry of a set at each full collection (3.5 ms for
    100,000 ids, on whichever thread collects: the window's too) and at each young one while the
    set is young. Kept large collections of ids are tuples for the same reason (a list of
    100,000: ~1 ms a collection). Filled with ``add_in_steps``."""
    members: dict[str, None] = {}
    add_in_steps(members, ids)
    return members


def in_steps(items: Sequence, step: int = 4096) -> Iterator[Sequence]:
    """``items`` ``step`` at a time, for C calls that would hold the interpreter for
    milliseconds over the whole: hashing 50,000-100,000 freshly read ids into a set or a Counter
    kept it 10-15 ms (the window's thread waits that out); in steps, other threads run between."""
    for start in range(0, len(items), step):
        yield items[start:start + step]


def add_in_steps(members: dict[str, None], items: Sequence[str]) -> None:
    """Add ``items`` to an ``id_set`` (``in_steps``)."""
    for part in in_steps(items):
        members.update(dict.fromkeys(part))


def count_in_steps(counts: Counter, items: Sequence) -> None:
    """``counts.update(items)`` (``in_steps``)."""
    for part in in_steps(items):
        counts.update(part)
