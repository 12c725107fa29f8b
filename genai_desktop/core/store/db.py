"""The user's progress database: opening, pragmas, schema migrations and backups.

This file is precious (months of reviews), unlike the content index, which is a cache. So:
WAL journaling (a committed answer survives the process being killed), foreign keys on,
migrations keyed by ``PRAGMA user_version`` and each one preceded by a backup made with
SQLite's online backup API (never a file copy of a live database).
"""

from __future__ import annotations

import itertools
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from ..clock import system_clock
from ..errors import UserError

MigrationStep = Callable[[sqlite3.Connection], None]


def run_script(conn: sqlite3.Connection, script: str) -> None:
    """Run statements one by one: ``executescript`` would commit the migration's transaction."""
    statement = ""
    for line in script.splitlines(keepends=True):
        statement += line
        if sqlite3.complete_statement(statement):
            conn.execute(statement)
            statement = ""
    if statement.strip():
        raise ValueError(f"incomplete SQL statement: {statement.strip()[:60]}")


def _v1(conn: sqlite3.Connection) -> None:
    run_script(
        conn,
        """
        CREATE TABLE cards (
            question_id TEXT PRIMARY KEY,
            card_id     INTEGER NOT NULL UNIQUE,
            state       INTEGER NOT NULL,
            step        INTEGER,
            stability   REAL,
            difficulty  REAL,
            due         TEXT NOT NULL,
            last_review TEXT,
            suspended   INTEGER NOT NULL DEFAULT 0,
            buried_day  TEXT
        );
        CREATE INDEX cards_state_due ON cards(state, due);
        CREATE TABLE reviews (
            id           INTEGER PRIMARY KEY,
            uid          TEXT NOT NULL UNIQUE,
            question_id  TEXT NOT NULL,
            rating       INTEGER NOT NULL,
            reviewed_at  TEXT NOT NULL,
            duration_ms  INTEGER NOT NULL,
            state_before TEXT,
            state_after  TEXT NOT NULL
        );
        CREATE INDEX reviews_question ON reviews(question_id, reviewed_at);
        CREATE INDEX reviews_time ON reviews(reviewed_at);
        CREATE TABLE notes (
            question_id TEXT PRIMARY KEY,
            body        TEXT NOT NULL,
            updated_at  TEXT NOT NULL
        );
        CREATE TABLE bookmarks (
            question_id TEXT PRIMARY KEY,
            created_at  TEXT NOT NULL
        );
        CREATE TABLE milestones (
            milestone_id TEXT PRIMARY KEY,
            state        TEXT NOT NULL DEFAULT 'pending',
            done_at      TEXT,
            note         TEXT NOT NULL DEFAULT '',
            updated_at   TEXT NOT NULL
        );
        CREATE TABLE settings (
            key   TEXT PRIMARY KEY,
            value TEXT NOT NULL
        );
        """
    )


def _v2(conn: sqlite3.Connection) -> None:
    # Every write to a card row adds 1, so an answer can tell that the row it previewed was
    # changed underneath it (another process, a progress import) and recompute instead of
    # overwriting that change with a stale outcome.
    conn.execute("ALTER TABLE cards ADD COLUMN version INTEGER NOT NULL DEFAULT 0")


def _v3(conn: sqlite3.Connection) -> None:
    # Interview practice (core/study/interview.py): one row per answered mock question. The rating was
    # recorded as the review ``review_uid`` in the same transaction; ``uid`` is the identity a
    # progress transfer merges by, as for reviews.
    run_script(
        conn,
        """
        CREATE TABLE attempts (
            id             INTEGER PRIMARY KEY,
            uid            TEXT NOT NULL UNIQUE,
            question_id    TEXT NOT NULL,
            mock_id        TEXT NOT NULL,
            started_at     TEXT NOT NULL,
            seconds_used   INTEGER NOT NULL,
            seconds_allowed INTEGER NOT NULL,
            points_total   INTEGER NOT NULL,
            points_ticked  TEXT NOT NULL,
            outline        TEXT NOT NULL DEFAULT '',
            rating         INTEGER NOT NULL,
            review_uid     TEXT,
            created_at     TEXT NOT NULL
        );
        CREATE INDEX attempts_question ON attempts(question_id, created_at);
        CREATE INDEX attempts_time ON attempts(created_at);
        CREATE INDEX attempts_mock ON attempts(mock_id);
        """
    )


# Whether a review's card was in the Review state before the answer, read from state_before (the
# rule of core/study/session.lapses, in bulk). card_to_json writes the state first, one digit and a
# comma ('{"state":2,...'): that digit is read without parsing the JSON; a state written any other
# way (a progress file from elsewhere, spaces after the colon) is parsed. Text that is not JSON is
# "not in review", never an error: the value is computed as each row is written. Frozen: migration
# 4 stores it as the column reviews.in_review_before, so a change needs a migration of its own.
IN_REVIEW_BEFORE = ("(CASE WHEN substr(state_before, 1, 9) = '{\"state\":' AND substr(state_before, 11, 1) = ',' "
                    "THEN substr(state_before, 10, 1) = '2' "
                    "WHEN json_valid(state_before) THEN coalesce(json_extract(state_before, '$.state'), -1) = 2 "
                    "ELSE 0 END)")

# A time stored exactly as clock.iso writes it (UTC, milliseconds): such text sorts as time sorts.
# Progress files from elsewhere may give other offsets or precisions; those rows are few, and the
# statistics find them through an index of their own (reviews_odd_time).
ISO_UTC_GLOB = "[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9].[0-9][0-9][0-9]+00:00"


def _v4(conn: sqlite3.Connection) -> None:
    # The statistics at a million reviews (core/study/stats.py) read indexes, not the wide review
    # rows (their JSON card states are most of the file). Whether the card was in review before the
    # answer becomes a stored generated column, which SQLite keeps right on every insert, whoever
    # writes it; SQLite cannot add a stored column to a table, so the table is rebuilt with its ids.
    run_script(
        conn,
        f"""
        CREATE TABLE reviews_v4 (
            id           INTEGER PRIMARY KEY,
            uid          TEXT NOT NULL UNIQUE,
            question_id  TEXT NOT NULL,
            rating       INTEGER NOT NULL,
            reviewed_at  TEXT NOT NULL,
            duration_ms  INTEGER NOT NULL,
            state_before TEXT,
            state_after  TEXT NOT NULL,
            in_review_before INTEGER GENERATED ALWAYS AS ({IN_REVIEW_BEFORE}) STORED
        );
        INSERT INTO reviews_v4 (id, uid, question_id, rating, reviewed_at, duration_ms, state_before, state_after)
            SELECT id, uid, question_id, rating, reviewed_at, duration_ms, state_before, state_after
            FROM reviews ORDER BY id;
        DROP TABLE reviews;
        ALTER TABLE reviews_v4 RENAME TO reviews;
        CREATE INDEX reviews_question ON reviews(question_id, reviewed_at);
        -- Time ranges with what the charts count of each answer: covering for the review charts.
        CREATE INDEX reviews_time ON reviews(reviewed_at, rating, in_review_before);
        -- Lapses (Again on a card in review), by card: the leeches without reading other answers.
        CREATE INDEX reviews_lapses ON reviews(question_id, rating, in_review_before)
            WHERE rating = 1 AND in_review_before = 1;
        -- Times not written by clock.iso (see ISO_UTC_GLOB): usually none.
        CREATE INDEX reviews_odd_time ON reviews(reviewed_at, rating)
            WHERE reviewed_at NOT GLOB '{ISO_UTC_GLOB}';
        """,
    )


# A card's due time as the quarter hour since 1970 (UTC) it falls in, and the interval it was
# scheduled with, in days: the expressions of migration 5's card indexes. Frozen like
# IN_REVIEW_BEFORE: SQLite uses an index on an expression only for that same expression, so
# core/study/stats.py queries with these strings (a test holds the quarter to stats._quarter).
CARD_DUE_QUARTER = "CAST((julianday(due) - 2440587.5) * 96 + 1e-7 AS INTEGER)"
CARD_INTERVAL = "julianday(due) - julianday(last_review)"


def _v5(conn: sqlite3.Connection) -> None:
    # The statistics (core/study/stats.py) as index range counts rather than passes over rows.
    # Cards: the forecast by due quarter hour, the interval and stability distributions between
    # their bounds; recall (which changes with the time, so is computed per card) from a covering
    # index of plain columns by last review, a study day's cards at a time (SQLite 3.40 reads an
    # expression's value from its index for a WHERE, not for a result column). Reviews: the answer
    # buttons and the hourly Again counts by rating, then time; the lapses per card, for the
    # leeches. No row of the user's changes: at 100,000 cards and 1,000,000 reviews this takes a
    # few seconds (behind the start's migration dialog).
    run_script(
        conn,
        f"""
        -- On +suspended (the same value), as reviews_rating below: only the statistics, which ask
        -- for +suspended, use these; the study queues keep cards_state_due.
        CREATE INDEX cards_stats_due ON cards(+suspended, {CARD_DUE_QUARTER}, state);
        CREATE INDEX cards_stats_interval ON cards(+suspended, state, {CARD_INTERVAL});
        CREATE INDEX cards_stats_stability ON cards(+suspended, state, stability);
        CREATE INDEX cards_stats_recall ON cards(+suspended, state, last_review, stability, question_id);
        -- Last reviews not written by clock.iso (see ISO_UTC_GLOB): usually none.
        CREATE INDEX cards_odd_last_review ON cards(last_review) WHERE last_review NOT GLOB '{ISO_UTC_GLOB}';
        -- On +rating (the same value): only a query asking for +rating uses it, so one card's Agains
        -- (core/study/card_state.py: rating = 1 of one question) keep using reviews_question.
        CREATE INDEX reviews_rating ON reviews(+rating, reviewed_at, in_review_before);
        -- Lapses (Again on a card in review) per card, kept by triggers as reviews are written: the
        -- leeches without grouping every lapse in the log.
        CREATE TABLE card_lapses (
            question_id TEXT PRIMARY KEY,
            lapses      INTEGER NOT NULL
        ) WITHOUT ROWID;
        INSERT INTO card_lapses (question_id, lapses)
            SELECT question_id, count(*) FROM reviews INDEXED BY reviews_lapses
            WHERE rating = 1 AND in_review_before = 1 GROUP BY question_id;
        CREATE INDEX card_lapses_count ON card_lapses(lapses);
        CREATE TRIGGER reviews_lapse_added AFTER INSERT ON reviews
            WHEN NEW.rating = 1 AND NEW.in_review_before = 1
        BEGIN
            INSERT INTO card_lapses (question_id, lapses) VALUES (NEW.question_id, 1)
                ON CONFLICT (question_id) DO UPDATE SET lapses = lapses + 1;
        END;
        CREATE TRIGGER reviews_lapse_removed AFTER DELETE ON reviews
            WHEN OLD.rating = 1 AND OLD.in_review_before = 1
        BEGIN
            UPDATE card_lapses SET lapses = lapses - 1 WHERE question_id = OLD.question_id;
        END;
        CREATE TRIGGER reviews_lapse_changed AFTER UPDATE OF question_id, rating, state_before ON reviews
            WHEN (OLD.rating = 1 AND OLD.in_review_before = 1) OR (NEW.rating = 1 AND NEW.in_review_before = 1)
        BEGIN
            UPDATE card_lapses SET lapses = lapses - 1
                WHERE question_id = OLD.question_id AND OLD.rating = 1 AND OLD.in_review_before = 1;
            INSERT INTO card_lapses (question_id, lapses)
                SELECT NEW.question_id, 1 WHERE NEW.rating = 1 AND NEW.in_review_before = 1
                ON CONFLICT (question_id) DO UPDATE SET lapses = lapses + 1;
        END;
        """,
    )


# Append only: a released step is never edited, so every old database can be brought forward.
MIGRATIONS: list[MigrationStep] = [_v1, _v2, _v3, _v4, _v5]
SCHEMA_VERSION = len(MIGRATIONS)


class DatabaseError(UserError, RuntimeError):
    """A progress database that cannot be used; the message is written for the user."""


# Tests only: called at the points where a kill would split a write (between its statements and
# right before COMMIT), so the crash test can prove a write lands whole or not at all.
FAULT_HOOK: Callable[[str], None] | None = None
_savepoints = itertools.count(1)


def fault_point(where: str) -> None:
    if FAULT_HOOK is not None:
        FAULT_HOOK(where)


@contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """One atomic write: ``BEGIN IMMEDIATE`` … ``COMMIT``, ``ROLLBACK`` on any error.

    Connections are opened in autocommit mode (``isolation_level=None``), where ``with conn:``
    begins nothing, so every multi-statement write goes through here. IMMEDIATE takes the write
    lock up front: what the block reads cannot change before it commits. Inside an open
    transaction it nests as a savepoint."""
    if conn.in_transaction:
        name = f"nested_{next(_savepoints)}"
        conn.execute(f"SAVEPOINT {name}")
        try:
            yield conn
        except BaseException:
            conn.execute(f"ROLLBACK TO {name}")
            conn.execute(f"RELEASE {name}")
            raise
        conn.execute(f"RELEASE {name}")
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
        fault_point("commit")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def connect(path: Path, *, read_only: bool = False) -> sqlite3.Connection:
    """A connection for the calling thread only (SQLite's default check): work on another
    thread opens its own (ui/runner.py ``Job(db_path=...)``); WAL lets them read and write
    beside each other."""
    uri = f"file:{path}?mode=ro" if read_only else f"file:{path}"
    conn = sqlite3.connect(uri, uri=True, timeout=2.0, isolation_level=None)
    conn.execute("PRAGMA foreign_keys = ON")
    if not read_only:
        conn.execute("PRAGMA journal_mode = WAL")
        # NORMAL in WAL mode: a commit survives a killed process; a power cut may lose the
        # last few commits but never corrupts the file.
        conn.execute("PRAGMA synchronous = NORMAL")
    return conn


def schema_version(conn: sqlite3.Connection) -> int:
    return conn.execute("PRAGMA user_version").fetchone()[0]


def backup(conn: sqlite3.Connection, dest: Path) -> Path:
    """Copy a live database to ``dest`` with SQLite's online backup API."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_suffix(dest.suffix + ".part")
    tmp.unlink(missing_ok=True)
    target = sqlite3.connect(tmp)
    try:
        conn.backup(target)
    except BaseException:
        target.close()
        tmp.unlink(missing_ok=True)  # a half-written copy is no backup (and may fill the disk)
        raise
    target.close()
    tmp.replace(dest)
    return dest


def migrate(conn: sqlite3.Connection, backup_dir: Path | None = None) -> int:
    """Bring the schema to SCHEMA_VERSION; returns the version the file had before."""
    found = schema_version(conn)
    if found > SCHEMA_VERSION:
        raise DatabaseError(
            f"This progress database was written by a newer version of the app (schema {found}, "
            f"this app knows {SCHEMA_VERSION}). Update the app; your data has not been touched."
        )
    if found < SCHEMA_VERSION and found > 0 and backup_dir is not None:
        stamp = system_clock().strftime("%Y%m%d-%H%M%S")
        backup(conn, backup_dir / f"progress-{stamp}-before-v{SCHEMA_VERSION}.sqlite")
    for version in range(found, SCHEMA_VERSION):
        with transaction(conn):
            MIGRATIONS[version](conn)
            conn.execute(f"PRAGMA user_version = {version + 1}")
    return found


class ProgressDatabase:
    """The open progress database: its connection (the UI thread's; a worker opens its own on
    the same path) and the path it came from.

    A plain object: the sqlite-utils wrapper it replaced was only ever asked for ``.conn``, and
    importing it cost 13 MB of resident memory and 75-600 ms on the start-up path (measured)."""

    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        self.conn = conn
        self.path = path

    def table_names(self) -> list[str]:
        return [name for (name,) in self.conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]


def open_progress(path: Path, backup_dir: Path | None = None) -> ProgressDatabase:
    """Open (creating if needed) and migrate the progress database."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        conn = connect(path)
        migrate(conn, backup_dir)
    except sqlite3.DatabaseError as exc:
        raise DatabaseError(f"The progress database {path} cannot be opened: {exc}") from exc
    return ProgressDatabase(conn, path)


def change_mark(conn: sqlite3.Connection) -> tuple[int, int]:
    """Where the database stands, as ``conn`` sees it: two marks compare equal only if nothing was
    written in between. ``PRAGMA data_version`` moves when another connection commits (a worker's,
    another process); ``total_changes`` counts the rows ``conn`` wrote itself."""
    return conn.execute("PRAGMA data_version").fetchone()[0], conn.total_changes
