"""Backups of the progress database: daily, before migrations and restores; listing, checking, restoring.

Every copy is made with SQLite's online backup API (``db.backup``), never a file copy of a live
database, and lands under its final name only once complete, so a crash mid-backup leaves at
most a ``.part`` file that the next run removes. File names carry the UTC time and the reason:
``progress-20250131-081500-daily.sqlite``. The newest ``KEEP`` backups are kept.

A damaged database is never deleted or silently replaced: recovery moves it (with its WAL and
shared-memory files) into ``backups/damaged/`` and only then copies a good backup into place.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from ..clock import Clock, system_clock
from ..errors import UserError
from . import db

KEEP = 14
PREFIX = "progress-"
SUFFIX = ".sqlite"
DAMAGED_FOLDER = "damaged"
_NAME = re.compile(r"^progress-(\d{8}-\d{6})(?:-(\d+))?-(?P<reason>[a-z0-9-]+)\.sqlite$")
_STAMP = "%Y%m%d-%H%M%S"



class BackupError(UserError, RuntimeError):
    """A backup that cannot be made or used; the message is written for the user."""


@dataclass(frozen=True)
class Backup:
    path: Path
    created: datetime  # UTC
    reason: str  # daily, before-v2, before-restore, manual …
    size: int

    @property
    def label(self) -> str:
        """What the reason means to a user."""
        if self.reason == "daily":
            return "Daily backup"
        if self.reason == "before-restore":
            return "Before a restore"
        if self.reason.startswith("before-v"):
            return f"Before the upgrade to schema {self.reason.removeprefix('before-v')}"
        return self.reason.replace("-", " ").capitalize()


@dataclass(frozen=True)
class Health:
    """What the start-up check found. ``kind``: ok, missing, corrupt, locked or unreadable."""

    kind: str
    detail: str = ""

    @property
    def ok(self) -> bool:
        return self.kind in ("ok", "missing")


# ---------------------------------------------------------------- listing

def parse_name(path: Path) -> tuple[datetime, int, str] | None:
    """(UTC time, counter within that second, reason) from a backup's file name."""
    match = _NAME.match(path.name)
    if not match:
        return None
    created = datetime.strptime(match.group(1), _STAMP).replace(tzinfo=UTC)
    return created, int(match.group(2) or 1), match.group("reason")


def list_backups(folder: Path) -> list[Backup]:
    """Every backup in ``folder``, newest first. Unknown files are ignored, never touched."""
    found: list[tuple[int, Backup]] = []
    try:
        entries = list(folder.iterdir())
    except OSError:
        return []
    for path in entries:
        parsed = parse_name(path)
        if parsed is None or not path.is_file():
            continue
        try:
            size = path.stat().st_size
        except OSError:
            continue
        created, counter, reason = parsed
        found.append((counter, Backup(path, created, reason, size)))
    found.sort(key=lambda item: (item[1].created, item[0]), reverse=True)
    return [item[1] for item in found]


def backup_path(folder: Path, reason: str, clock: Clock = system_clock) -> Path:
    """A new, unused file name; a counter separates two backups made within one second."""
    stamp = clock().astimezone(UTC).strftime(_STAMP)
    candidate = folder / f"{PREFIX}{stamp}-{reason}{SUFFIX}"
    counter = 1
    while candidate.exists():
        counter += 1
        candidate = folder / f"{PREFIX}{stamp}-{counter}-{reason}{SUFFIX}"
    return candidate


# ---------------------------------------------------------------- making and pruning

def make_backup(conn: sqlite3.Connection, folder: Path, reason: str, clock: Clock = system_clock,
                keep: int = KEEP) -> Backup:
    """Back up an open database now, then prune the oldest beyond ``keep``."""
    try:
        path = db.backup(conn, backup_path(folder, reason, clock))
    except (OSError, sqlite3.Error) as exc:
        raise BackupError(f"Could not write a backup to {folder}: {exc}") from exc
    prune(folder, keep, spare=path)
    created = parse_name(path)[0]
    return Backup(path, created, reason, path.stat().st_size)


def prune(folder: Path, keep: int = KEEP, spare: Path | None = None) -> list[Path]:
    """Delete backups beyond the newest ``keep`` and leftovers of interrupted backups."""
    removed: list[Path] = []
    for leftover in folder.glob(f"{PREFIX}*{SUFFIX}.part"):
        leftover.unlink(missing_ok=True)
        removed.append(leftover)
    for old in list_backups(folder)[keep:]:
        if old.path != spare:
            old.path.unlink(missing_ok=True)
            removed.append(old.path)
    return removed


def local_day(moment: datetime):
    return moment.astimezone().date()


def needs_daily_backup(folder: Path, clock: Clock = system_clock) -> bool:
    """True when no daily backup was made yet on today's local calendar day."""
    today = local_day(clock())
    return not any(b.reason == "daily" and local_day(b.created) == today for b in list_backups(folder))


def daily_backup(db_path: Path, folder: Path, clock: Clock = system_clock, keep: int = KEEP) -> Backup | None:
    """On the first start of a day, back up the database through its own read connection.

    Safe to run in a worker thread while the app uses the database: the backup API copies one
    consistent snapshot (WAL lets it read while the app writes).
    """
    if not db_path.exists() or not needs_daily_backup(folder, clock):
        return None
    conn = db.connect(db_path, read_only=True)
    try:
        return make_backup(conn, folder, "daily", clock, keep)
    finally:
        conn.close()


# ---------------------------------------------------------------- checking

def check_database(path: Path, timeout: float = 1.0, backups_dir: Path | None = None) -> Health:
    """A quick check at start: can the file be opened, read and written, and is it intact?

    ``PRAGMA quick_check`` reads every page but skips the index cross-checks of
    ``integrity_check`` (about 20 ms for a year of heavy use). A write lock is taken and
    released so that a database held by another program is reported now, not at the first answer.
    SQLite opens a zero-length file as an empty database: when ``backups_dir`` holds backups,
    that is lost progress (a sync tool or a full disk truncated it), not a first start.
    """
    if not path.exists():
        return Health("missing")
    if backups_dir is not None and _is_empty(path) and list_backups(backups_dir):
        return Health("corrupt", "the progress database is empty (0 bytes) although backups exist")
    try:
        conn = sqlite3.connect(f"file:{path}", uri=True, timeout=timeout, isolation_level=None)
    except sqlite3.Error as exc:
        return Health("unreadable", str(exc))
    try:
        rows = [row[0] for row in conn.execute("PRAGMA quick_check(5)")]
        if rows != ["ok"]:
            return Health("corrupt", "; ".join(str(r) for r in rows))
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("ROLLBACK")
        return Health("ok")
    except sqlite3.OperationalError as exc:
        message = str(exc)
        if "locked" in message or "busy" in message:
            return Health("locked", message)
        if "malformed" in message or "not a database" in message:
            return Health("corrupt", message)
        return Health("unreadable", message)
    except sqlite3.DatabaseError as exc:  # "file is not a database", "database disk image is malformed"
        return Health("corrupt", str(exc))
    finally:
        conn.close()


def prepare_database(path: Path, backups_dir: Path,
                     progress: Callable[[int, int], None] | None = None) -> Health:
    """The start-up check, then the schema brought up to date (a backup made first): the work
    that must end before anything reads the database. Seconds at a million reviews (the check
    reads every page; a migration may rebuild a table), so the UI runs it on a worker.
    ``progress(1, 2)`` announces a migration, for the UI to say why it takes a while."""
    health = check_database(path, backups_dir=backups_dir)
    if not health.ok:
        return health
    conn = db.connect(path)
    try:
        if 0 < db.schema_version(conn) < db.SCHEMA_VERSION and progress is not None:
            progress(1, 2)
        db.migrate(conn, backups_dir)
    except db.DatabaseError as exc:  # written by a newer app: said as it is
        return Health("unreadable", str(exc))
    except sqlite3.OperationalError as exc:
        return Health("locked" if "locked" in str(exc) or "busy" in str(exc) else "unreadable", str(exc))
    except sqlite3.DatabaseError as exc:
        return Health("corrupt", str(exc))
    finally:
        conn.close()
    return Health("ok")


def _is_empty(path: Path) -> bool:
    try:
        wal = Path(f"{path}-wal")
        return path.stat().st_size == 0 and (not wal.exists() or wal.stat().st_size == 0)
    except OSError:
        return False


def check_backup(path: Path) -> str | None:
    """None when a backup file is a readable, intact database; otherwise why not."""
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        return str(exc)
    try:
        rows = [row[0] for row in conn.execute("PRAGMA quick_check(5)")]
        if rows != ["ok"]:
            return "; ".join(str(r) for r in rows)
        if db.schema_version(conn) > db.SCHEMA_VERSION:
            return "written by a newer version of the app"
        return None
    except sqlite3.Error as exc:
        return str(exc)
    finally:
        conn.close()


def newest_good_backup(folder: Path) -> Backup | None:
    for candidate in list_backups(folder):
        if check_backup(candidate.path) is None:
            return candidate
    return None


# ---------------------------------------------------------------- restoring

def restore_into(backup: Path, conn: sqlite3.Connection, folder: Path, clock: Clock = system_clock,
                 keep: int = KEEP) -> Backup:
    """Replace an open, healthy database's content with ``backup``; returns the safety backup.

    The current state is backed up first, so a restore can itself be undone. The open
    connection stays valid (the backup API writes through it), so nothing needs reopening.
    """
    problem = check_backup(backup)
    if problem:
        raise BackupError(f"{backup.name} cannot be restored: {problem}")
    safety = make_backup(conn, folder, "before-restore", clock, keep=keep + 1)
    source = sqlite3.connect(f"file:{backup}?mode=ro", uri=True)
    try:
        source.backup(conn)
    except sqlite3.Error as exc:
        raise BackupError(f"Restoring {backup.name} failed; your data is as it was ({exc}).") from exc
    finally:
        source.close()
    db.migrate(conn, folder)  # the backup may predate a schema change
    prune(folder, keep, spare=safety.path)
    return safety


def set_aside_damaged(db_path: Path, folder: Path, clock: Clock = system_clock) -> Path:
    """Move a damaged database (and its -wal/-shm) out of the way, keeping it for later rescue."""
    damaged_dir = folder / DAMAGED_FOLDER
    damaged_dir.mkdir(parents=True, exist_ok=True)
    target = backup_path(damaged_dir, "damaged", clock)
    for extra in ("-wal", "-shm"):
        companion = db_path.with_name(db_path.name + extra)
        if companion.exists():
            companion.replace(target.with_name(target.name + extra))
    db_path.replace(target)
    return target


def recover_from(backup: Path, db_path: Path, folder: Path, clock: Clock = system_clock) -> Path:
    """Put a good backup in place of a damaged database; returns where the damaged file went."""
    problem = check_backup(backup)
    if problem:
        raise BackupError(f"{backup.name} cannot be restored: {problem}")
    damaged = set_aside_damaged(db_path, folder, clock) if db_path.exists() else db_path
    source = sqlite3.connect(f"file:{backup}?mode=ro", uri=True)
    target = sqlite3.connect(db_path)
    try:
        source.backup(target)
    finally:
        target.close()
        source.close()
    return damaged


def start_fresh(db_path: Path, folder: Path, clock: Clock = system_clock) -> Path:
    """The user chose to start over: the damaged file is kept, never deleted."""
    return set_aside_damaged(db_path, folder, clock)


# ---------------------------------------------------------------- describing

def count_reviews(path: Path) -> int | None:
    """How many answers a backup holds (shown next to each backup); None when unreadable."""
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error:
        return None
    try:
        return conn.execute("SELECT count(*) FROM reviews").fetchone()[0]
    except sqlite3.Error:
        return None
    finally:
        conn.close()


def format_size(size: int) -> str:
    if size < 1024 * 1024:
        return f"{max(1, round(size / 1024))} KB"
    return f"{size / 1024 / 1024:.1f} MB"


def format_when(moment: datetime) -> str:
    """Local time, as a user reads it: ``Sat 21 Nov 2026, 08:15``."""
    return moment.astimezone().strftime("%a %d %b %Y, %H:%M")
