"""Giving memory freed by a large job back to the system.

glibc's allocator keeps what Python and SQLite free in its heaps (one per thread that
allocated, each job running on a thread of its own) for reuse, so resident memory stays at the
high-water mark of the largest job: after a 100,000-question import, its library reload and
the search index rebuild, 186 MB sat free in those heaps and 80 MB of it went back to the
system with ``malloc_trim`` (measured, bench/bench_freeze.py). Other systems' allocators
return memory on their own, or offer no such call: there this does nothing.
"""

from __future__ import annotations

import sys


def release_free_memory() -> None:
    """Return the allocator's free pages to the system (glibc ``malloc_trim``). It walks the
    heaps without the GIL (ctypes lets go of it), so a worker calling it stalls no window."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes

    try:
        trim = ctypes.CDLL(None).malloc_trim  # the process's own C library
    except (OSError, AttributeError):  # not glibc (musl has no malloc_trim)
        return
    trim(0)
