"""What a user is told when something goes wrong: one base class for messages written for them,
and the wording of storage failures (a full disk, a read-only folder, a locked or damaged
database), so the GUI and every command-line verb say the same thing."""

from __future__ import annotations

import errno


class UserError(Exception):
    """A problem the user can act on; its message is written for them and shown as it is.

    Anything else that escapes is a bug: it is logged with its traceback and reported as an
    unexpected error, never shown as if it were the user's mistake."""


_LOCKED = ("database is locked", "database table is locked", "busy")
_READ_ONLY = ("readonly", "read-only", "read only")
_FULL = ("disk is full", "database or disk is full")


def storage_message(exc: BaseException) -> str | None:
    """A one-line explanation of a storage failure (sqlite3 or OS), or None if it is not one."""
    import sqlite3

    if isinstance(exc, sqlite3.Error):
        text = str(exc).lower()
        if any(word in text for word in _LOCKED):
            return ("the progress database is in use by another program (is the app open?); "
                    "close it and try again")
        if any(word in text for word in _READ_ONLY):
            return "the data folder is read-only: choose a folder you can write to (--data-dir)"
        if any(word in text for word in _FULL):
            return "the disk is full: free some space and try again (nothing was changed)"
        if isinstance(exc, sqlite3.DatabaseError) and not isinstance(exc, sqlite3.OperationalError):
            return (f"the progress database is damaged ({exc}); start the app to restore a backup, "
                    "or use another --data-dir")
        return f"the progress database cannot be used: {exc}"
    if isinstance(exc, OSError):
        where = f" ({exc.filename})" if exc.filename else ""
        if exc.errno == errno.ENOSPC:
            return f"the disk is full{where}: free some space and try again"
        if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
            return f"permission denied{where}: choose a folder you can write to"
        return f"{exc.strerror or exc}{where}"
    return None
