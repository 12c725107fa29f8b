"""Run one function in a child process, for native code that holds the GIL.

fsrs-rs computes without releasing the GIL: on a thread it would still stop the window from
painting for as long as it runs. A child process keeps the app's interpreter free, and
cancelling can end it mid-computation. The child is started with "spawn" (no forked Qt state;
the packaged app calls ``multiprocessing.freeze_support()`` first, see packaging/entry.py), runs
``function(*args, progress=...)`` and sends back its progress, its result or its exception.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any

POLL_SECONDS = 0.05  # how often a waiting caller asks ``cancelled()``


class WorkerCancelled(Exception):
    """``cancelled()`` said stop; the child process was ended."""


class WorkerDied(RuntimeError):
    """The child process ended without an answer (killed, or crashed in native code)."""


BACKGROUND_NICENESS = 10  # added to the child's: the window's own thread comes first for the CPU


def _child(pipe: Connection, function: Callable[..., Any], args: tuple) -> None:
    # Lower priority: on a two-core laptop a minute of index rebuild (or a fit) otherwise takes
    # a core the window's thread and the runner share, and the window's next frame waits for it.
    if hasattr(os, "nice"):  # not on Windows
        try:
            os.nice(BACKGROUND_NICENESS)
        except OSError:
            pass

    def progress(done: int, total: int) -> None:
        pipe.send(("progress", (done, total)))

    try:
        result = function(*args, progress=progress)
    except BaseException as exc:  # noqa: BLE001 - every failure goes back to the caller
        try:
            pickle.loads(pickle.dumps(exc))  # one the caller could not rebuild would end its wait in a TypeError
        except Exception:  # noqa: BLE001 - it still reports, in words
            exc = RuntimeError(f"{type(exc).__name__}: {exc}")
        pipe.send(("error", exc))
    else:
        pipe.send(("result", result))
    finally:
        pipe.close()


def call_in_process(function: Callable[..., Any], *args: Any,
                    progress: Callable[[int, int], None] | None = None,
                    cancelled: Callable[[], bool] | None = None) -> Any:
    """``function(*args, progress=...)`` in a child process; returns its result or raises its
    exception. ``function`` and its arguments must pickle (a module-level function, plain data)."""
    context = multiprocessing.get_context("spawn")
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(target=_child, args=(sender, function, args), daemon=True,
                              name=f"worker-{getattr(function, '__name__', 'call')}")
    process.start()
    sender.close()  # the child holds the only sending end: its exit ends the pipe
    try:
        while True:
            if cancelled is not None and cancelled():
                raise WorkerCancelled
            if not receiver.poll(POLL_SECONDS):
                continue
            try:
                kind, payload = receiver.recv()
            except EOFError:
                raise WorkerDied(f"the worker process ended without an answer (exit code {process.exitcode})") \
                    from None
            if kind == "progress":
                if progress is not None:
                    progress(*payload)
            elif kind == "error":
                raise payload
            else:
                return payload
    finally:
        receiver.close()
        if process.is_alive():
            process.terminate()
        process.join(5)
