from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from genai_desktop.core.store import backups, db


class Clock:
    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now


def open_db(path: Path, backup_dir: Path) -> sqlite3.Connection:
    conn = db.connect(path)
    db.migrate(conn, backup_dir)
    return conn


def add_note(conn: sqlite3.Connection, qid: str, body: str) -> None:
    with conn:
        conn.execute("INSERT OR REPLACE INTO notes VALUES (?, ?, '2025-01-01')", (qid, body))


def notes(conn: sqlite3.Connection) -> dict[str, str]:
    return dict(conn.execute("SELECT question_id, body FROM notes"))


@pytest.fixture
def paths(tmp_path: Path) -> tuple[Path, Path]:
    return tmp_path / "progress.sqlite", tmp_path / "backups"


def test_daily_backup_once_per_local_day(paths) -> None:
    db_path, folder = paths
    conn = open_db(db_path, folder)
    add_note(conn, "a", "first")
    clock = Clock(datetime(2025, 3, 1, 12, tzinfo=UTC))
    made = backups.daily_backup(db_path, folder, clock)
    assert made is not None and made.reason == "daily"
    assert backups.daily_backup(db_path, folder, clock) is None  # second start the same day
    clock.now += timedelta(days=1)
    assert backups.daily_backup(db_path, folder, clock) is not None
    assert len(backups.list_backups(folder)) == 2
    conn.close()


def test_backup_is_a_consistent_copy_taken_while_the_app_writes(paths) -> None:
    db_path, folder = paths
    conn = open_db(db_path, folder)
    add_note(conn, "a", "kept")
    made = backups.daily_backup(db_path, folder)
    add_note(conn, "b", "after the backup")
    copy = sqlite3.connect(made.path)
    assert notes(copy) == {"a": "kept"}
    assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    copy.close()
    conn.close()


def test_keeps_the_newest_fourteen_and_removes_interrupted_leftovers(paths) -> None:
    db_path, folder = paths
    conn = open_db(db_path, folder)
    clock = Clock(datetime(2025, 1, 1, 9, tzinfo=UTC))
    for _ in range(20):
        backups.make_backup(conn, folder, "daily", clock)
        clock.now += timedelta(days=1)
    (folder / "progress-20990101-000000-daily.sqlite.part").write_bytes(b"half a backup")
    (folder / "my-own-file.txt").write_text("never touched")
    backups.make_backup(conn, folder, "manual", clock)
    kept = backups.list_backups(folder)
    assert len(kept) == backups.KEEP
    assert kept[0].reason == "manual"
    assert kept[-1].created == datetime(2025, 1, 8, 9, tzinfo=UTC)
    assert not list(folder.glob("*.part"))
    assert (folder / "my-own-file.txt").exists()
    conn.close()


def test_two_backups_in_one_second_get_distinct_names(paths) -> None:
    db_path, folder = paths
    conn = open_db(db_path, folder)
    clock = Clock(datetime(2025, 1, 1, tzinfo=UTC))
    first = backups.make_backup(conn, folder, "manual", clock)
    second = backups.make_backup(conn, folder, "manual", clock)
    assert first.path != second.path
    assert [b.path for b in backups.list_backups(folder)] == [second.path, first.path]
    conn.close()


def test_restore_backs_up_the_current_state_first_and_keeps_the_connection_usable(paths) -> None:
    db_path, folder = paths
    conn = open_db(db_path, folder)
    add_note(conn, "a", "old")
    old = backups.make_backup(conn, folder, "manual")
    add_note(conn, "a", "new")
    add_note(conn, "b", "new too")
    safety = backups.restore_into(old.path, conn, folder)
    assert notes(conn) == {"a": "old"}
    add_note(conn, "c", "written after the restore")  # the same connection still works
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    copy = sqlite3.connect(safety.path)
    assert notes(copy) == {"a": "new", "b": "new too"}
    copy.close()
    conn.close()
    reopened = sqlite3.connect(db_path)
    assert notes(reopened) == {"a": "old", "c": "written after the restore"}
    reopened.close()


def test_restore_refuses_a_damaged_backup_and_changes_nothing(paths) -> None:
    db_path, folder = paths
    conn = open_db(db_path, folder)
    add_note(conn, "a", "precious")
    bad = folder / "progress-20250101-000000-daily.sqlite"
    folder.mkdir(exist_ok=True)
    bad.write_bytes(b"not a database at all" * 100)
    with pytest.raises(backups.BackupError, match="cannot be restored"):
        backups.restore_into(bad, conn, folder)
    assert notes(conn) == {"a": "precious"}
    conn.close()


def corrupt(path: Path) -> None:
    """Overwrite the middle of the file: the header stays valid, the b-tree pages do not."""
    data = bytearray(path.read_bytes())
    for offset in range(4096, len(data), 4096):
        data[offset:offset + 64] = b"\xff" * 64
    path.write_bytes(bytes(data))


def make_checkpointed(db_path: Path, folder: Path) -> None:
    conn = open_db(db_path, folder)
    for n in range(300):
        add_note(conn, f"q{n}", "x" * 200)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()


def test_check_database_tells_ok_missing_corrupt_and_locked_apart(paths) -> None:
    db_path, folder = paths
    assert backups.check_database(db_path).kind == "missing"
    make_checkpointed(db_path, folder)
    assert backups.check_database(db_path).kind == "ok"

    holder = sqlite3.connect(db_path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another program holds the write lock
    assert backups.check_database(db_path, timeout=0.05).kind == "locked"
    holder.execute("ROLLBACK")
    holder.close()

    corrupt(db_path)
    health = backups.check_database(db_path)
    assert health.kind == "corrupt" and not health.ok
    db_path.write_bytes(b"garbage" * 1000)
    assert backups.check_database(db_path).kind == "corrupt"


def test_recovery_sets_the_damaged_file_aside_and_restores_the_newest_good_backup(paths) -> None:
    db_path, folder = paths
    make_checkpointed(db_path, folder)
    conn = db.connect(db_path)
    good = backups.make_backup(conn, folder, "daily", Clock(datetime(2025, 1, 1, tzinfo=UTC)))
    conn.close()
    newer_but_bad = folder / "progress-20250102-000000-daily.sqlite"
    newer_but_bad.write_bytes(b"broken" * 100)
    corrupt(db_path)
    damaged_bytes = db_path.read_bytes()

    chosen = backups.newest_good_backup(folder)
    assert chosen is not None and chosen.path == good.path
    damaged = backups.recover_from(chosen.path, db_path, folder)
    assert damaged.read_bytes() == damaged_bytes  # kept, never deleted
    assert damaged.parent == folder / backups.DAMAGED_FOLDER
    assert backups.check_database(db_path).kind == "ok"
    reopened = db.connect(db_path)
    assert len(notes(reopened)) == 300
    reopened.close()
    # The damaged copy is not offered as a backup to restore.
    assert all(b.reason != "damaged" for b in backups.list_backups(folder))


def test_start_fresh_keeps_the_damaged_file(paths) -> None:
    db_path, folder = paths
    db_path.write_bytes(b"garbage" * 1000)
    kept = backups.start_fresh(db_path, folder)
    assert not db_path.exists() and kept.read_bytes() == b"garbage" * 1000


def test_backup_labels() -> None:
    def label(reason: str) -> str:
        return backups.Backup(Path("x"), datetime(2025, 1, 1, tzinfo=UTC), reason, 0).label

    assert label("daily") == "Daily backup"
    assert label("before-v2") == "Before the upgrade to schema 2"
    assert label("before-restore") == "Before a restore"


def test_descriptions(paths) -> None:
    db_path, folder = paths
    conn = open_db(db_path, folder)
    with conn:
        conn.execute("INSERT INTO reviews (uid, question_id, rating, reviewed_at, duration_ms, state_after) "
                     "VALUES ('u', 'q', 3, '2025-01-01', 0, '{}')")
    made = backups.make_backup(conn, folder, "manual")
    conn.close()
    assert backups.count_reviews(made.path) == 1
    (folder / "junk.sqlite").write_bytes(b"junk" * 100)
    assert backups.count_reviews(folder / "junk.sqlite") is None
    assert backups.format_size(2048) == "2 KB" and backups.format_size(3 * 1024 * 1024) == "3.0 MB"
    assert "2025" in backups.format_when(datetime(2025, 6, 1, 12, tzinfo=UTC))


def test_an_empty_database_with_backups_is_damaged_and_without_is_a_first_start(paths) -> None:
    path, backup_dir = paths
    path.write_bytes(b"")
    assert backups.check_database(path, backups_dir=backup_dir).kind == "ok"  # no backups: a new file
    conn = open_db(path.with_name("older.sqlite"), backup_dir)
    backups.make_backup(conn, backup_dir, "daily")
    conn.close()
    health = backups.check_database(path, backups_dir=backup_dir)
    assert health.kind == "corrupt" and "empty" in health.detail
