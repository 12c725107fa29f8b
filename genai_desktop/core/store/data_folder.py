"""Is the data folder usable? Clear, user-facing messages for the ways it can fail.

Checked at start, before anything is written: a read-only folder, a full disk and a missing
built-in library each get a message that says what happened, that nothing was lost, and
what to do. ``describe_storage_error`` turns the same failures met later (an answer that
cannot be saved) into the same kind of message.
"""

from __future__ import annotations

import errno
import os
import shutil
from pathlib import Path
from typing import NamedTuple

MIN_FREE_BYTES = 20 * 1024 * 1024  # room for a day's backup and the write-ahead log


class FolderProblem(NamedTuple):
    """Why the data folder cannot be used, worded for the user (checked at every start, hence
    a NamedTuple rather than a dataclass: see core/render/page_style.py)."""

    kind: str  # read-only, full, unusable, no-content
    title: str
    message: str
    fatal: bool = True  # False: the app can still start (with a warning)


def read_only(root: Path, detail: str = "") -> FolderProblem:
    why = f"\n\n({detail})" if detail else ""
    return FolderProblem(
        "read-only", "The data folder is read-only",
        f"GenAI Study Desk cannot write to its data folder:\n{root}\n\n"
        "Your reviews, notes and roadmap are untouched. Make the folder writable (or start the app "
        "with --data-dir pointing to a writable folder) and open the app again." + why)


def disk_full(root: Path, free: int | None = None) -> FolderProblem:
    room = f" Only {free / 1024 / 1024:.1f} MB are free." if free is not None else ""
    return FolderProblem(
        "full", "The disk is full",
        f"The disk that holds your data folder is full.{room}\n{root}\n\n"
        "Nothing has been lost: everything saved so far is safe. Free some space and open the app again.")


def check_data_folder(root: Path, min_free: int = MIN_FREE_BYTES) -> FolderProblem | None:
    """None when the app can create, write and delete files in ``root`` and has room to work."""
    try:
        root.mkdir(parents=True, exist_ok=True)
    except PermissionError as exc:
        return read_only(root, str(exc))
    except OSError as exc:
        return _from_os_error(root, exc)
    probe = root / f".write-test-{os.getpid()}"  # uuid would cost ~8 ms of imports at start
    try:
        with open(probe, "wb") as handle:  # no fsync: it can cost tens of ms, and free space is checked below
            handle.write(b"x" * 4096)
    except OSError as exc:
        return _from_os_error(root, exc)
    finally:
        try:
            probe.unlink(missing_ok=True)
        except OSError:
            pass
    try:
        free = shutil.disk_usage(root).free
    except OSError:
        return None
    if free < min_free:
        return disk_full(root, free)
    return None


def _from_os_error(root: Path, exc: OSError) -> FolderProblem:
    if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return read_only(root, exc.strerror or str(exc))
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return disk_full(root)
    return FolderProblem("unusable", "The data folder cannot be used",
                         f"GenAI Study Desk cannot use its data folder:\n{root}\n\n{exc}\n\n"
                         "Your data has not been changed.")


def check_content(content_root: Path) -> FolderProblem | None:
    """The built-in library ships with the app; without it there is nothing to study."""
    if (content_root / "topics").is_dir():
        return None
    return FolderProblem(
        "no-content", "The built-in library is missing",
        f"The app's built-in library was not found at:\n{content_root}\n\n"
        "The installation looks incomplete: reinstall GenAI Study Desk. Your progress is kept in your "
        "data folder and is safe; imported notes still open.", fatal=False)


def describe_storage_error(exc: BaseException) -> str | None:
    """A calm sentence for a failed save, or None when ``exc`` is not a storage problem."""
    from ..errors import storage_kind

    return {
        "full": ("The disk is full, so the last change could not be saved. Everything saved before it is "
                 "safe. Free some space and try again."),
        "read-only": ("The data folder has become read-only, so the last change could not be saved. Everything "
                      "saved before it is safe."),
        "damaged": ("The progress database reports damage. Close the app: at the next start it is checked and "
                    "can be restored from a backup. Nothing is deleted."),
        "locked": ("Another program is holding the progress database, so the last change could not be "
                   "saved. Close the other program (a database browser or a sync tool) and try again."),
    }.get(storage_kind(exc) or "")
