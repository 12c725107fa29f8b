import sqlite3
from pathlib import Path

import pytest

from genai_desktop.core.store import db


def test_new_database_is_migrated_with_wal_and_foreign_keys(tmp_path: Path) -> None:
    database = db.open_progress(tmp_path / "p.sqlite", tmp_path / "backups")
    conn = database.conn
    assert db.schema_version(conn) == db.SCHEMA_VERSION
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert {"cards", "reviews", "notes", "bookmarks", "milestones", "settings"} <= set(database.table_names())


def test_newer_schema_is_refused_without_touching_it(tmp_path: Path) -> None:
    path = tmp_path / "p.sqlite"
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {db.SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(db.DatabaseError, match="newer version"):
        db.open_progress(path)


def test_backup_uses_the_backup_api_and_is_a_valid_database(tmp_path: Path) -> None:
    database = db.open_progress(tmp_path / "p.sqlite")
    database.conn.execute("INSERT INTO settings VALUES ('k', 'v')")
    copy = db.backup(database.conn, tmp_path / "b" / "copy.sqlite")
    check = sqlite3.connect(copy)
    assert check.execute("SELECT value FROM settings").fetchone() == ("v",)
    assert check.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_garbage_file_gives_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "p.sqlite"
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(db.DatabaseError, match="cannot be opened"):
        db.open_progress(path)
