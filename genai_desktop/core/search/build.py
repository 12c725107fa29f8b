"""The search index rebuilt in a process of its own.

A rebuild is Python work all the way (every page reduced to plain text, every word's stem and
trigrams): about half a second for the built-in library, about a minute at 100,000 imported
questions. On a worker thread it shares the window's interpreter lock: every paint handler,
delegate and timer the window runs in Python then waits for the lock, and the window stalls for
hundreds of milliseconds at a time for as long as the rebuild lasts (bench_freeze: the start and
every view opened while the index was being built). A child process has its own interpreter:
the window's thread only waits for it to exit.

The child is this program again (``genai-desktop build-index``): it loads the library from the
same folders (its cache, written when the window loaded it, makes that quick), rebuilds the
index file in one transaction, copies the user's notes in and exits. Searches in the window
meanwhile read the index as it was (SQLite's WAL). If the child cannot run or fails, the
caller rebuilds on its own thread as before: slower for the window, never a missing index.
"""

from __future__ import annotations

import logging
import subprocess
import sys
import threading
from pathlib import Path

log = logging.getLogger(__name__)

VERB = "build-index"
# Long enough for the largest library measured (100,000 questions: about a minute on a slow
# machine); a child that hangs past it is stopped and the caller rebuilds in-process.
TIMEOUT_S = 15 * 60


def child_command(data_root: Path, content_root: Path) -> list[str]:
    """How to start the builder: the frozen executable takes the verb itself; from source it is
    ``python -m genai_desktop``."""
    program = [sys.executable] if getattr(sys, "frozen", False) else [sys.executable, "-m", "genai_desktop"]
    return [*program, VERB, "--data-dir", str(data_root), "--content-root", str(content_root)]


class ChildBuild:
    """One run of the builder; ``stop()`` (another thread: the workspace closing) ends it."""

    def __init__(self, data_root: Path, content_root: Path) -> None:
        self.command = child_command(data_root, content_root)
        self._lock = threading.Lock()
        self._process: subprocess.Popen | None = None
        self._stopped = False

    def run(self) -> bool:
        """Build and wait; True if the child finished its work."""
        with self._lock:
            if self._stopped:
                return False
            try:
                self._process = subprocess.Popen(
                    self.command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                    stderr=subprocess.PIPE, text=True, errors="replace",
                    creationflags=getattr(subprocess, "CREATE_NO_WINDOW", 0))  # no console flash on Windows
            except OSError as exc:
                log.warning("search index: the builder could not start (%s); building here", exc)
                return False
        try:
            _, errors = self._process.communicate(timeout=TIMEOUT_S)
        except subprocess.TimeoutExpired:
            self._process.kill()
            _, errors = self._process.communicate()
            log.warning("search index: the builder ran past %d s and was stopped; building here", TIMEOUT_S)
            return False
        if self._process.returncode != 0 and not self._stopped:
            log.warning("search index: the builder failed (exit %s); building here\n%s",
                        self._process.returncode, (errors or "").strip()[-2000:])
        return self._process.returncode == 0

    def stop(self) -> None:
        with self._lock:
            self._stopped = True
            if self._process is not None and self._process.poll() is None:
                self._process.kill()
