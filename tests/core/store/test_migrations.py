"""Every schema version's fixture database migrates to the current version with its data intact."""

from __future__ import annotations

import re
import shutil
import sqlite3
from pathlib import Path

import pytest

from genai_desktop.core.store import backups, db
from genai_desktop.core.study.session import StudySession, StudySettings

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "migrations"
VERSIONS = sorted(int(m.group(1)) for p in FIXTURES.glob("v*.sqlite") if (m := re.fullmatch(r"v(\d+)\.sqlite", p.name)))


def snapshot(conn: sqlite3.Connection) -> dict[str, tuple[list[str], list[tuple]]]:
    """Every user table: its columns and its rows, sorted."""
    tables = [name for (name,) in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
    result = {}
    for table in tables:
        # table_xinfo: generated columns too (reviews.in_review_before), which table_info leaves out
        columns = [row[1] for row in conn.execute(f"PRAGMA table_xinfo({table})")]
        rows = sorted(conn.execute(f"SELECT {', '.join(columns)} FROM {table}").fetchall(), key=repr)
        result[table] = (columns, rows)
    return result


def test_every_schema_version_has_a_fixture() -> None:
    missing = [v for v in range(1, db.SCHEMA_VERSION + 1) if v not in VERSIONS]
    assert not missing, (f"no fixture for schema version(s) {missing}: add a filler to "
                         "tests/fixtures/migrations/make_fixtures.py and run it")


@pytest.mark.parametrize("version", VERSIONS)
def test_fixture_migrates_to_the_current_schema_with_its_data_intact(version: int, tmp_path: Path) -> None:
    source = FIXTURES / f"v{version}.sqlite"
    path = tmp_path / "progress.sqlite"
    shutil.copy(source, path)
    original = sqlite3.connect(source)
    assert db.schema_version(original) == version
    before = snapshot(original)
    original.close()
    assert any(rows for _cols, rows in before.values()), "a fixture must hold data to prove it survives"

    progress = db.open_progress(path, tmp_path / "backups")
    conn = progress.conn
    assert db.schema_version(conn) == db.SCHEMA_VERSION
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    after = snapshot(conn)
    for table, (columns, rows) in before.items():
        assert table in after, f"migration dropped table {table}"
        kept = sorted(conn.execute(f"SELECT {', '.join(columns)} FROM {table}").fetchall(), key=repr)
        assert kept == rows, f"rows of {table} changed during migration from v{version}"

    # The migrated database is usable by the study core.
    ids = [qid for (qid,) in conn.execute("SELECT question_id FROM cards")]
    session = StudySession.open(conn, ids, StudySettings.load(conn))
    assert session.counts() is not None
    conn.close()

    made = backups.list_backups(tmp_path / "backups")
    if version < db.SCHEMA_VERSION:
        assert [b.reason for b in made] == [f"before-v{db.SCHEMA_VERSION}"]
        copy = sqlite3.connect(made[0].path)
        assert snapshot(copy) == before  # the backup is the database as it was
        copy.close()
    else:
        assert made == []


def test_a_database_from_a_newer_app_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "progress.sqlite"
    shutil.copy(FIXTURES / f"v{VERSIONS[-1]}.sqlite", path)
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {db.SCHEMA_VERSION + 1}")
    before = snapshot(conn)
    conn.close()
    with pytest.raises(db.DatabaseError, match="newer version"):
        db.open_progress(path, tmp_path / "backups")
    conn = sqlite3.connect(path)
    assert snapshot(conn) == before and db.schema_version(conn) == db.SCHEMA_VERSION + 1
    conn.close()


def test_a_failing_migration_rolls_back_and_leaves_the_data(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "progress.sqlite"
    shutil.copy(FIXTURES / "v1.sqlite", path)

    def broken(conn: sqlite3.Connection) -> None:
        conn.execute("CREATE TABLE half_done (x)")
        raise RuntimeError("simulated bug in a migration")

    monkeypatch.setattr(db, "MIGRATIONS", [*db.MIGRATIONS, broken])
    monkeypatch.setattr(db, "SCHEMA_VERSION", len(db.MIGRATIONS))
    conn = db.connect(path)
    with pytest.raises(RuntimeError, match="simulated"):
        db.migrate(conn, tmp_path / "backups")
    assert db.schema_version(conn) == db.SCHEMA_VERSION - 1
    assert conn.execute("SELECT count(*) FROM sqlite_master WHERE name = 'half_done'").fetchone()[0] == 0
    assert conn.execute("SELECT count(*) FROM reviews").fetchone()[0] == 3
    conn.close()
    assert [b.reason for b in backups.list_backups(tmp_path / "backups")] == [f"before-v{db.SCHEMA_VERSION}"]


def test_v4_stores_whether_each_review_found_its_card_in_review(tmp_path: Path) -> None:
    """Migration 4 rebuilds reviews with in_review_before (generated from state_before) and the
    statistics' indexes; every review keeps its id, and rows written later get the flag too."""
    path = tmp_path / "progress.sqlite"
    shutil.copy(FIXTURES / "v3.sqlite", path)
    conn = db.open_progress(path, tmp_path / "backups").conn
    flags = dict(conn.execute("SELECT uid, in_review_before FROM reviews"))
    assert flags == {"r1": 0, "r2": 1, "r3": 0}  # r2's card was in review (state 2); r1, r3 were new
    assert [uid for (uid,) in conn.execute("SELECT uid FROM reviews ORDER BY id")] == ["r1", "r2", "r3"]
    indexes = {name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index' "
                                                "AND tbl_name = 'reviews' AND sql IS NOT NULL")}
    assert indexes == {"reviews_question", "reviews_time", "reviews_lapses", "reviews_odd_time",
                       "reviews_rating"}  # the last added by migration 5
    written = {"app": '{"state":2,"step":null}', "other": '{"step": null, "state": 2}',
               "learning": '{"state":1,"step":0}', "broken": "{not json"}
    for uid, before in written.items():
        conn.execute("INSERT INTO reviews (uid, question_id, rating, reviewed_at, duration_ms, state_before, "
                     "state_after) VALUES (?, 'gan-basics', 1, '2025-02-01T08:00:00.000+00:00', 0, ?, '{}')",
                     (uid, before))
    flags = dict(conn.execute("SELECT uid, in_review_before FROM reviews"))
    assert {uid: flags[uid] for uid in written} == {"app": 1, "other": 1, "learning": 0, "broken": 0}
    conn.close()


def test_v5_indexes_the_statistics_and_keeps_every_row(tmp_path: Path) -> None:
    """Migration 5 adds the statistics' indexes to a v4 database (no row changes: the fixture test
    holds every row), and the statistics' queries are answered from them: a card's due quarter hour
    and interval are read from their index entries whatever the text's offset, so a range count
    between bounds counts what the expression gives for each card."""
    from genai_desktop.core.study.stats import _quarter

    assert _quarter("due") == db.CARD_DUE_QUARTER  # stats queries with the indexed expression itself
    path = tmp_path / "progress.sqlite"
    shutil.copy(FIXTURES / "v4.sqlite", path)
    conn = db.open_progress(path, tmp_path / "backups").conn
    names = {name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert {"cards_stats_due", "cards_stats_interval", "cards_stats_stability", "cards_stats_recall",
            "cards_odd_last_review", "reviews_rating"} <= names
    assert conn.execute("SELECT count(*) FROM reviews").fetchone()[0] == 4
    conn.execute("INSERT INTO cards (question_id, card_id, state, stability, due, last_review) VALUES "
                 "('elsewhere', 555, 2, 3.0, '2025-02-01T01:00:00+02:00', '2025-01-25T23:00:00+00:00')")

    def plan(sql: str) -> str:
        return " ".join(row[3] for row in conn.execute(f"EXPLAIN QUERY PLAN {sql}", [0] * sql.count("?")))

    due = (f"SELECT count(*) FROM cards WHERE +suspended = 0 AND {db.CARD_DUE_QUARTER} >= ? "
           f"AND {db.CARD_DUE_QUARTER} < ?")
    assert "USING INDEX cards_stats_due (<expr>=? AND <expr>>? AND <expr><?)" in plan(due)
    interval = f"SELECT count(*) FROM cards WHERE +suspended = 0 AND state = 2 AND {db.CARD_INTERVAL} >= ?"
    assert "USING INDEX cards_stats_interval (<expr>=? AND state=? AND <expr>>?)" in plan(interval)
    by_last_review = ("USING INDEX cards_stats_recall "
                      "(<expr>=? AND state=? AND last_review>? AND last_review<?)")
    assert by_last_review in plan(
        "SELECT question_id, stability FROM cards WHERE +suspended = 0 AND state = 2 AND last_review >= ? "
        "AND last_review < ?")
    # The study queues (core/study/session.py: suspended = 0, a state, due before) keep their index.
    assert "USING INDEX cards_state_due (state=? AND due<?)" in plan(
        "SELECT question_id FROM cards WHERE state IN (1, 2, 3) AND due < ? AND suspended = 0 ORDER BY due")
    assert "USING INDEX cards_odd_last_review" in plan(  # the card just written with another offset
        f"SELECT question_id FROM cards WHERE last_review NOT GLOB '{db.ISO_UTC_GLOB}'")
    # (in_review_before is read from the index entry; SQLite 3.40 does not call it covering, as the
    # stored column is generated, but it only seeks the row for a column the index lacks)
    assert "USING INDEX reviews_rating (<expr>=? AND reviewed_at>?)" in plan(
        "SELECT count(*) FROM reviews WHERE +rating = 1 AND reviewed_at >= ? AND in_review_before")
    # One card's Agains (core/study/card_state.py) stay on reviews_question, not every Again in the log.
    assert "USING INDEX reviews_question (question_id=?)" in plan(
        "SELECT count(*) FROM reviews WHERE question_id = ? AND rating = 1")
    # 2025-01-31T23:00Z is quarter 1,940,828 (2025-01-31 is day 20,119 since 1970).
    quarter = 20119 * 96 + 23 * 4
    assert conn.execute(due, (quarter, quarter + 1)).fetchone()[0] == 1
    assert conn.execute(due, (quarter - 1, quarter)).fetchone()[0] == 0
    assert conn.execute(interval, (6.0,)).fetchone()[0] >= 1  # 2025-01-25T23:00 to 2025-01-31T23:00: six days
    assert conn.execute(interval.replace(">=", ">"), (6.0,)).fetchone()[0] == conn.execute(
        interval, (6.0,)).fetchone()[0] - 1
    conn.close()


def test_v5_keeps_each_card_s_lapses_as_reviews_are_written(tmp_path: Path) -> None:
    """card_lapses starts as the lapses (Again on a card in review) already in the log, then follows
    every write of a review: added, changed to or from a lapse, deleted."""
    path = tmp_path / "progress.sqlite"
    shutil.copy(FIXTURES / "v4.sqlite", path)
    conn = db.open_progress(path, tmp_path / "backups").conn

    def lapses() -> dict[str, int]:
        kept = dict(conn.execute("SELECT question_id, lapses FROM card_lapses WHERE lapses > 0"))
        counted = dict(conn.execute("SELECT question_id, count(*) FROM reviews WHERE rating = 1 "
                                    "AND in_review_before = 1 GROUP BY question_id"))
        assert kept == counted
        return kept

    assert lapses() == {"gan-basics": 1}  # r4: Again, its card in review (another program's JSON)
    in_review, learning = '{"state":2,"step":null}', '{"state":1,"step":0}'
    insert = ("INSERT INTO reviews (uid, question_id, rating, reviewed_at, duration_ms, state_before, state_after) "
              "VALUES (?, ?, ?, '2025-02-12T08:00:00.000+00:00', 0, ?, '{}')")
    with db.transaction(conn):
        conn.execute(insert, ("n1", "gan-basics", 1, in_review))
        conn.execute(insert, ("n2", "vae-elbo", 1, in_review))
        conn.execute(insert, ("n3", "vae-elbo", 1, learning))  # Again while learning: no lapse
        conn.execute(insert, ("n4", "vae-elbo", 3, in_review))  # Good: no lapse
    assert lapses() == {"gan-basics": 2, "vae-elbo": 1}
    conn.execute("UPDATE reviews SET rating = 3 WHERE uid = 'n1'")
    conn.execute("UPDATE reviews SET rating = 1 WHERE uid = 'n4'")
    conn.execute("UPDATE reviews SET state_before = ? WHERE uid = 'n3'", (in_review,))
    assert lapses() == {"gan-basics": 1, "vae-elbo": 3}
    conn.execute("UPDATE reviews SET question_id = 'gan-basics' WHERE uid = 'n2'")
    conn.execute("DELETE FROM reviews WHERE uid = 'n4'")
    assert lapses() == {"gan-basics": 2, "vae-elbo": 1}
    conn.execute("INSERT OR IGNORE INTO reviews (uid, question_id, rating, reviewed_at, duration_ms, state_before, "
                 "state_after) VALUES ('n2', 'gan-basics', 1, '2025-02-13', 0, ?, '{}')", (in_review,))  # ignored
    assert lapses() == {"gan-basics": 2, "vae-elbo": 1}
    conn.close()
