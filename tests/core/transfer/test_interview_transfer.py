"""Mock interview answers travel in the progress file: unioned by uid across two data folders,
every value checked, and a file from an older app (no attempts table) still imports."""

from __future__ import annotations

import json
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from genai_desktop.core.store import db
from genai_desktop.core.study import interview
from genai_desktop.core.study.interview import Mock, MockSetup
from genai_desktop.core.study.session import inconsistent_cards
from genai_desktop.core.transfer.progress import TransferError, export_progress, import_progress
from tests.core.conftest import FakeClock
from tests.core.study.test_interview import library  # noqa: F401 - the built-in library, loaded once
from tests.core.transfer.test_progress_validation import NOW, progress_json, review, write

ATTEMPT_COLUMNS = ["uid", "question_id", "mock_id", "started_at", "seconds_used", "seconds_allowed", "points_total",
                   "points_ticked", "outline", "rating", "review_uid", "created_at"]


def attempt(**changes) -> list:
    row = {"uid": "a1", "question_id": "q01", "mock_id": "m1", "started_at": "2026-02-20T09:58:00.000+00:00",
           "seconds_used": 95, "seconds_allowed": 180, "points_total": 4, "points_ticked": "[0, 2]",
           "outline": "QKV", "rating": 2, "review_uid": "u1", "created_at": "2026-02-20T10:00:00.000+00:00"}
    row.update(changes)
    return [row[c] for c in ATTEMPT_COLUMNS]


def with_attempts(rows: list) -> dict:
    data = progress_json()
    data["tables"]["attempts"] = {"columns": ATTEMPT_COLUMNS, "rows": rows}
    return data


@pytest.fixture
def folders(tmp_path: Path):
    start = datetime(2026, 3, 10, 12).astimezone().astimezone(UTC)
    made = []
    for name, offset in (("a", 0), ("b", 3)):
        conn = db.open_progress(tmp_path / name / "progress.sqlite").conn
        made.append((conn, FakeClock(start + timedelta(hours=offset))))
    yield made
    for conn, _clock in made:
        conn.close()


def run_mock(conn, library, clock, topic: str, ticks: list[set[int]]) -> Mock:  # noqa: F811
    mock = Mock.start(conn, library, MockSetup("topic", topic, len(ticks)), clock=clock)
    for n, ticked in enumerate(ticks):
        answer = mock.answers[n]
        answer.started_at = clock()
        clock.advance(seconds=100)
        answer.seconds_used, answer.ticked = 100, ticked
        mock.confirm(conn, n, clock=clock)
    return mock


def snapshot(conn) -> list[tuple]:
    return conn.execute(f"SELECT {', '.join(ATTEMPT_COLUMNS)} FROM attempts ORDER BY uid").fetchall()


def test_attempts_merge_across_two_data_folders(folders, library, tmp_path) -> None:  # noqa: F811
    (a, a_clock), (b, b_clock) = folders
    run_mock(a, library, a_clock, "transformers-attention", [{0}, {0, 1, 2}])
    run_mock(b, library, b_clock, "gans", [{1}])
    run_mock(b, library, b_clock, "transformers-attention", [set()])
    a_rows, b_rows = snapshot(a), snapshot(b)
    assert len(a_rows) == 2 and len(b_rows) == 2

    from_a = tmp_path / "a.zip"
    assert export_progress(a, None, from_a).counts["attempts"] == 2
    summary = import_progress(b, None, from_a)
    assert summary.attempts_added == 2 and "2 mock answers added" in summary.lines()
    merged = snapshot(b)
    assert sorted(merged) == sorted(a_rows + b_rows)
    # Every attempt still points at its review, which travelled with it.
    assert b.execute("SELECT count(*) FROM attempts a JOIN reviews r ON r.uid = a.review_uid").fetchone() == (4,)
    assert inconsistent_cards(b) == []

    again = import_progress(b, None, from_a)  # the same file twice: nothing doubles
    assert again.attempts_added == 0 and again.attempts_known == 2 and snapshot(b) == merged

    from_b = tmp_path / "b.zip"
    export_progress(b, None, from_b)
    import_progress(a, None, from_b)
    assert snapshot(a) == merged  # both folders now hold the same practice
    history = interview.mock_history(a)
    assert len(history) == 3 and history == interview.mock_history(b)


def test_a_different_attempt_with_a_known_uid_is_reported_and_ours_kept(folders, tmp_path) -> None:
    (conn, _clock), _ = folders
    with db.transaction(conn):
        conn.execute(f"INSERT INTO attempts ({', '.join(ATTEMPT_COLUMNS)}) VALUES ({', '.join('?' * 12)})",
                     attempt())
    changed = attempt(points_ticked="[1]")
    summary = import_progress(conn, None, write(tmp_path / "f.zip", with_attempts([changed])),
                              clock=lambda: NOW)
    assert summary.attempts_conflicting == 1
    assert any("differ from the ones here" in line for line in summary.lines())
    assert snapshot(conn) == [tuple(attempt())]


def test_a_file_without_attempts_imports(folders, tmp_path) -> None:
    (conn, _clock), _ = folders
    summary = import_progress(conn, None, write(tmp_path / "old.zip", progress_json(reviews=[review()])),
                              clock=lambda: NOW)
    assert summary.reviews_added == 1 and summary.attempts_added == 0


def test_an_older_app_reads_a_file_with_attempts(folders, library, tmp_path, monkeypatch) -> None:  # noqa: F811
    """An older app knows no attempts table: it reads the rest and leaves that one alone."""
    from genai_desktop.core.transfer import progress as progress_transfer

    (conn, clock), (other, _) = folders
    run_mock(conn, library, clock, "gans", [{0}])
    out = tmp_path / "new.zip"
    export_progress(conn, None, out)
    with zipfile.ZipFile(out) as archive:
        assert json.loads(archive.read("progress.json"))["tables"]["attempts"]["rows"]
    old_tables = {k: v for k, v in progress_transfer.TABLES.items() if k != "attempts"}
    monkeypatch.setattr(progress_transfer, "TABLES", old_tables)
    summary = import_progress(other, None, out, clock=clock)
    assert summary.reviews_added == 1 and snapshot(other) == []


@pytest.mark.parametrize(("row", "words"), [
    (attempt(rating=7), r"row 1 of attempts has rating 7"),
    (attempt(points_ticked="[0, 9]"), r"row 1 of attempts has points_ticked '\[0, 9\]'"),
    (attempt(points_ticked="[1, 1]"), r"has points_ticked"),
    (attempt(points_ticked="zero"), r"has points_ticked"),
    (attempt(points_ticked=[0]), r"has points_ticked"),
    (attempt(points_total=-1), r"has points_total -1, which is out of range"),
    (attempt(seconds_used=1.5), r"has seconds_used 1.5, which is not a whole number"),
    (attempt(seconds_used=10 ** 9), r"has seconds_used 1000000000, which is out of range"),
    (attempt(created_at="2099-01-01T00:00:00+00:00"), r"has created_at .* in the future"),
    (attempt(started_at="1999-12-31T23:00:00+00:00"), r"has started_at .* before 2000"),
    (attempt(question_id=""), r"has no question_id"),
    (attempt(mock_id=None), r"has no mock_id"),
    (attempt(outline=5), r"has a outline that is not text"),
])
def test_every_attempt_value_is_checked(folders, tmp_path, row: list, words: str) -> None:
    (conn, _clock), _ = folders
    with pytest.raises(TransferError, match=words):
        import_progress(conn, None, write(tmp_path / "bad.zip", with_attempts([row])), clock=lambda: NOW)
    assert snapshot(conn) == [] and conn.execute("SELECT count(*) FROM reviews").fetchone() == (0,)
