"""SIGKILL the review loop at random moments; no acknowledged answer may be lost.

``make test`` runs a short version (``CRASH_ROUNDS``, default 20); ``make crashtest`` runs 200.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from genai_desktop.core.store import db

from . import harness

ROUNDS = int(os.environ.get("CRASH_ROUNDS", "20"))


def test_no_acknowledged_answer_is_lost_across_random_kills(tmp_path: Path) -> None:
    data = tmp_path / "data"
    report = harness.run(ROUNDS, data, seed=int(os.environ.get("CRASH_SEED", "8")))
    print(f"\n{report}")
    assert report.rounds == ROUNDS
    assert report.acknowledged > ROUNDS, "the loop barely answered: the kills did not test anything"
    assert report.failures == []
    assert report.lost == 0
    assert report.resurrected == 0
    assert report.inconsistent == 0
    assert report.attempts > 0, "no mock interview attempt was recorded: the kills did not test them"
    assert report.torn_attempts == 0
    assert report.fault_kills > 0, "no kill landed inside a write"
    # And the real app starts on what the kills left behind.
    shot = subprocess.run([sys.executable, "-m", "genai_desktop", "--data-dir", str(data), "screenshot",
                           str(tmp_path / "after.png"), "--view", "flashcards"],
                          capture_output=True, text=True, timeout=120, cwd=harness.REPO,
                          env=dict(os.environ, QT_QPA_PLATFORM="offscreen"))
    assert shot.returncode == 0, shot.stderr[-2000:]


def _database_with(tmp_path: Path, uids: list[str]) -> Path:
    data = tmp_path / "data"
    data.mkdir()
    conn = db.connect(data / "progress.sqlite")
    db.migrate(conn)
    with db.transaction(conn):
        conn.executemany("INSERT INTO reviews (uid, question_id, rating, reviewed_at, duration_ms, state_after) "
                         "VALUES (?, 'q', 3, '2025-01-01', 0, '{}')", [(u,) for u in uids])
    conn.close()
    return data


def test_the_checker_counts_a_missing_answer_as_lost(tmp_path: Path) -> None:
    data = _database_with(tmp_path, ["a", "b"])
    lost, resurrected, problems = harness.verify(data, {"a", "b", "c"}, {"b"}, ["q"])
    assert (lost, resurrected, problems) == (1, 1, [])


def test_the_checker_reports_a_damaged_database(tmp_path: Path) -> None:
    data = _database_with(tmp_path, [f"u{n}" for n in range(2000)])
    path = data / "progress.sqlite"
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    raw = bytearray(path.read_bytes())
    for offset in range(8192, len(raw), 4096):
        raw[offset:offset + 32] = b"\x00" * 32
    path.write_bytes(bytes(raw))
    _lost, _back, problems = harness.verify(data, set(), set(), ["q"])
    assert problems, "a damaged database must not pass"


def test_the_checker_reports_a_card_that_disagrees_with_its_log(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    from fsrs import Rating

    from genai_desktop.core.study.session import StudySession, StudySettings

    data = tmp_path / "data"
    data.mkdir()
    conn = db.connect(data / "progress.sqlite")
    db.migrate(conn)
    session = StudySession.open(conn, ["q"], StudySettings(), lambda: datetime(2026, 1, 5, 12, tzinfo=UTC))
    session.answer(Rating.Good)
    assert harness.inconsistencies(data) == []
    conn.execute("UPDATE cards SET difficulty = 9.5 WHERE question_id = 'q'")  # a torn or stale write
    conn.close()
    assert harness.inconsistencies(data) == ["q: the card row is not the outcome of its last review"]


def test_the_checker_finds_an_attempt_torn_from_its_review(tmp_path: Path) -> None:
    data = _database_with(tmp_path, ["r1"])
    conn = db.connect(data / "progress.sqlite")
    with db.transaction(conn):
        conn.execute("INSERT INTO reviews (uid, question_id, rating, reviewed_at, duration_ms, state_after) "
                     "VALUES ('r2', 'q', 3, '2025-01-01', 5000, '{}')")  # a mock answer's review, whole seconds
        conn.execute("INSERT INTO attempts (uid, question_id, mock_id, started_at, seconds_used, seconds_allowed, "
                     "points_total, points_ticked, rating, review_uid, created_at) VALUES "
                     "('a1', 'q', 'm', '2025-01-01', 5, 180, 3, '[0]', 3, 'gone', '2025-01-01')")
    conn.close()
    assert sorted(harness.torn_attempts(data)) == ["attempt a1 has no review gone",
                                                   "review r2 of a mock answer has no attempt"]


def test_a_database_killed_before_its_first_migration_is_no_finding(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    sqlite3.connect(data / "progress.sqlite").close()  # the file exists; no table was committed yet
    assert harness.inconsistencies(data) == []
    lost, resurrected, problems = harness.verify(data, set(), set(), ["q"])
    assert (lost, resurrected, problems) == (0, 0, [])
