import json
from datetime import UTC, datetime, timedelta

import pytest
from fsrs import Rating

from genai_desktop.core import db
from genai_desktop.core.content import load_pack
from genai_desktop.core.stats import compute, mastered_ids
from genai_desktop.core.study import StudySession, StudySettings

from .conftest import FakeClock


@pytest.fixture
def setup(tmp_path, starter_pack):
    conn = db.open_progress(tmp_path / "p.sqlite").conn
    local_noon = datetime(2026, 3, 10, 12).astimezone()  # a fixed day: no test depends on today
    return conn, load_pack(starter_pack), FakeClock(local_noon.astimezone(UTC))


def test_counts_heatmap_streak_and_states(setup) -> None:
    conn, library, clock = setup
    ids = [q.id for q in library.questions()]
    for qid in ids:  # one new card on each of three days in a row
        session = StudySession.open(conn, [qid], StudySettings(), clock)
        session.answer(Rating.Easy)
        clock.advance(days=1)
    stats = compute(conn, library, clock=clock)
    assert stats.total_reviews == sum(stats.reviews_by_day.values()) == 3
    assert len(stats.reviews_by_day) == 3
    assert stats.streak_days == 3  # today not studied yet does not break it
    assert stats.state_counts["new"] == 0
    assert sum(stats.state_counts.values()) == 3
    assert sum(stats.forecast) == 3
    assert [row[0] for row in stats.mastery_by_topic] == ["Attention", "GANs"]


def test_a_suspended_card_never_studied_counts_as_suspended_not_new(setup) -> None:
    conn, library, clock = setup
    ids = [q.id for q in library.questions()]
    StudySession.open(conn, ids, StudySettings(), clock).suspend()  # the first new card
    counts = compute(conn, library, clock=clock).state_counts
    assert (counts["suspended"], counts["new"]) == (1, len(ids) - 1)
    assert sum(counts.values()) == len(ids)


def test_true_retention_uses_first_review_of_the_day_and_splits_young_and_mature(setup) -> None:
    conn, library, clock = setup

    def review(qid, rating, interval_days, at):
        before = {"state": 2, "step": None, "stability": 10.0, "difficulty": 5.0,
                  "due": (at + timedelta(days=1)).isoformat(),
                  "last_review": (at + timedelta(days=1) - timedelta(days=interval_days)).isoformat()}
        conn.execute("INSERT INTO reviews (uid, question_id, rating, reviewed_at, duration_ms, state_before, "
                     "state_after) VALUES (?, ?, ?, ?, 0, ?, '{}')",
                     (f"{qid}{rating}{at}", qid, rating, at.isoformat(), json.dumps(before)))

    now = clock()
    review("a", 3, 5, now - timedelta(hours=2))
    review("a", 1, 5, now - timedelta(hours=1))  # second review that day: ignored
    review("b", 1, 30, now - timedelta(hours=2))
    review("c", 4, 40, now - timedelta(hours=2))
    stats = compute(conn, library, clock=clock)
    r = stats.retention
    assert (r.young_pass, r.young_total) == (1, 1)
    assert (r.mature_pass, r.mature_total) == (1, 2)
    assert r.overall == pytest.approx(2 / 3)


def master(conn, qid, clock) -> None:
    """Two Easy answers, the second once the first is due (8 days, fuzzed up to 10): stability well past three weeks."""
    StudySession.open(conn, [qid], StudySettings(), clock).answer(Rating.Easy)
    clock.advance(days=12)
    StudySession.open(conn, [qid], StudySettings(), clock).answer(Rating.Easy)


def test_one_review_is_not_mastery(setup) -> None:
    conn, library, clock = setup
    StudySession.open(conn, ["attention-basics"], StudySettings(), clock).answer(Rating.Easy)
    assert mastered_ids(conn, ["attention-basics"], clock=clock) == set()
    assert dict((t, m) for t, m, _n in compute(conn, library, clock=clock).mastery_by_topic)["Attention"] == 0


def test_mastery_is_durable_recall_stability_of_three_weeks_and_recall_now(setup) -> None:
    conn, library, clock = setup
    master(conn, "attention-basics", clock)
    assert mastered_ids(conn, ["attention-basics"], clock=clock) == {"attention-basics"}
    assert dict((t, m) for t, m, _n in compute(conn, library, clock=clock).mastery_by_topic)["Attention"] == 1
    clock.advance(days=400)
    assert mastered_ids(conn, ["attention-basics"], clock=clock) == set()
