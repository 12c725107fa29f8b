"""What a user is told when something goes wrong: one base class for messages written for them,
and the wording of storage failures (a full disk, a read-only folder, a locked or damaged
database), so the GUI and every command-line verb say the same thing."""

from __future__ import annotations

import errno


class UserError(Exception):
    """A problem the user can act on; its message is written for them and shown as it is.

    Anything else that escapes is a bug: it is logged with its traceback and reported as an
    unexpected error, never shown as if it were the user's mistake."""


def storage_kind(exc: BaseException) -> str | None:
    """What kind of storage failure ``exc`` is: "full", "read-only", "locked", "damaged",
    "permission" or "other"; None when it is no storage failure (sqlite3 or OS) at all. The one
    rule every message about a failed read or save is worded from."""
    import sqlite3  # only when something went wrong: it stays off the start-up path

    if not isinstance(exc, (sqlite3.Error, OSError)):
        return None
    text = str(exc).lower()
    code = getattr(exc, "errno", None)
    if "disk is full" in text or code == errno.ENOSPC:
        return "full"
    if "readonly" in text or "read-only" in text or code == errno.EROFS:
        return "read-only"
    if "locked" in text or "busy" in text:
        return "locked"
    if "malformed" in text or "not a database" in text or (
            isinstance(exc, sqlite3.DatabaseError) and not isinstance(exc, sqlite3.OperationalError)):
        return "damaged"
    if code in (errno.EACCES, errno.EPERM):
        return "permission"
    return "other"


def storage_message(exc: BaseException) -> str | None:
    """A one-line explanation of a storage failure for the command line, or None if it is not one."""
    kind = storage_kind(exc)
    if kind is None:
        return None
    where = f" ({exc.filename})" if isinstance(exc, OSError) and exc.filename else ""
    return {
        "full": f"the disk is full{where}: free some space and try again (nothing was changed)",
        "read-only": f"the data folder is read-only{where}: choose a folder you can write to (--data-dir)",
        "locked": ("the progress database is in use by another program (is the app open?); "
                   "close it and try again"),
        "damaged": (f"the progress database is damaged ({exc}); start the app to restore a backup, "
                    "or use another --data-dir"),
        "permission": f"permission denied{where}: choose a folder you can write to (--data-dir)",
    }.get(kind, f"{getattr(exc, 'strerror', None) or exc}{where}")
