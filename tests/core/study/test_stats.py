import json
from datetime import UTC, date, datetime, timedelta

import pytest
from fsrs import Rating

from genai_desktop.core.content.library import load_pack
from genai_desktop.core.store import db
from genai_desktop.core.study.session import StudySession, StudySettings
from genai_desktop.core.study.stats import compute, mastered_ids

from ..conftest import FakeClock


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


# ---------------------------------------------------------------- the review charts over a range

def _review(conn, qid: str, rating: int, at: datetime, state_before: int | None, *,
            written_by_app: bool = True) -> None:
    """A review row as the app writes it (card_to_json: the state first), or as another program might
    (keys in another order, spaces): both must be read the same."""
    if state_before is None:
        before = None
    elif written_by_app:
        before = (f'{{"state":{state_before},"step":null,"stability":5.0,"difficulty":5.0,'
                  f'"due":"{at.astimezone(UTC).isoformat()}","last_review":null}}')
    else:
        before = json.dumps({"due": at.astimezone(UTC).isoformat(), "state": state_before})
    conn.execute("INSERT INTO reviews (uid, question_id, rating, reviewed_at, duration_ms, state_before, "
                 "state_after) VALUES (?, ?, ?, ?, 0, ?, '{}')",
                 (f"{qid}-{at.isoformat()}-{rating}", qid, rating,
                  at.astimezone(UTC).isoformat(timespec="milliseconds"), before))


def _local(y: int, m: int, d: int, h: int, minute: int = 0) -> datetime:
    return datetime(y, m, d, h, minute).astimezone()


@pytest.fixture
def history(setup):
    """Reviews at known local times around 'now' (10 March 2026, 12:00 local)."""
    conn, library, clock = setup
    _review(conn, "attention-basics", 1, _local(2026, 3, 10, 10, 5), 2)  # today 10h: a lapse in review
    _review(conn, "attention-basics", 3, _local(2026, 3, 10, 11, 30), 3, written_by_app=False)  # relearning
    _review(conn, "gan-objective", 3, _local(2026, 3, 10, 11, 45), None)  # a new card's first answer
    _review(conn, "gan-objective", 4, _local(2026, 3, 2, 21, 0), 2, written_by_app=False)  # 8 days ago, review
    _review(conn, "gan-objective", 2, _local(2026, 1, 20, 9, 15), 1)  # 49 days ago: outside the month
    _review(conn, "attention-basics", 1, _local(2025, 2, 1, 9, 40), 2)  # over a year ago: only in "all"
    return conn, library, clock


def test_answer_buttons_split_learning_and_review_over_the_range(history) -> None:
    conn, library, clock = history
    month = compute(conn, library, clock=clock, range_days=30)
    # Good: the new card and the relearning one; Easy: the review written by another program, read
    # by parsing its JSON (it does not start with the state).
    assert month.answer_buttons == {"learning": [0, 0, 2, 0], "review": [1, 0, 0, 1]}
    year = compute(conn, library, clock=clock, range_days=365)
    assert year.answer_buttons == {"learning": [0, 1, 2, 0], "review": [1, 0, 0, 1]}
    every = compute(conn, library, clock=clock, range_days=None)
    assert every.answer_buttons == {"learning": [0, 1, 2, 0], "review": [2, 0, 0, 1]}


def test_hourly_breakdown_counts_reviews_and_correct_answers_by_local_hour(history) -> None:
    conn, library, clock = history
    month = compute(conn, library, clock=clock, range_days=30)
    assert {h: n for h, n in enumerate(month.hourly_reviews) if n} == {10: 1, 11: 2, 21: 1}
    assert {h: n for h, n in enumerate(month.hourly_correct) if n} == {11: 2, 21: 1}
    every = compute(conn, library, clock=clock, range_days=None)
    assert {h: n for h, n in enumerate(every.hourly_reviews) if n} == {9: 2, 10: 1, 11: 2, 21: 1}
    assert every.hourly_correct[9] == 1  # the Hard at 09:15; the Again at 09:40 is not correct


def test_hours_follow_a_zone_whose_offset_is_not_whole_hours(conn, clock, monkeypatch) -> None:
    import time

    monkeypatch.setenv("TZ", "Asia/Kathmandu")  # UTC+05:45: local hours begin at quarter past UTC hours
    time.tzset()
    try:
        library = load_pack_for_tests()
        _review(conn, "attention-basics", 3, datetime(2026, 3, 10, 4, 10, tzinfo=UTC), None)  # 09:55 local
        _review(conn, "attention-basics", 3, datetime(2026, 3, 10, 4, 20, tzinfo=UTC), None)  # 10:05 local
        # A review a progress file gave with its own offset (not UTC): 11:20 in Kathmandu.
        conn.execute("INSERT INTO reviews (uid, question_id, rating, reviewed_at, duration_ms, state_before, "
                     "state_after) VALUES ('offset', 'gan-objective', 1, '2026-03-10T07:35:00+02:00', 0, NULL, '{}')")
        stats = compute(conn, library, clock=clock, range_days=30)
        assert {h: n for h, n in enumerate(stats.hourly_reviews) if n} == {9: 1, 10: 1, 11: 1}
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()


def load_pack_for_tests():
    from types import SimpleNamespace

    return SimpleNamespace(questions=lambda: [], topics=[])


def test_reviews_per_period_are_days_weeks_or_months_by_range(history) -> None:
    conn, library, clock = history
    month = compute(conn, library, clock=clock, range_days=30)
    period, bars = month.reviews_per_period()
    assert period == "day" and len(bars) == 30
    assert bars[-1] == (date(2026, 3, 10), 3) and bars[-9] == (date(2026, 3, 2), 1)
    assert sum(n for _d, n in bars) == 4
    year = compute(conn, library, clock=clock, range_days=365)
    period, bars = year.reviews_per_period()
    assert period == "week" and all(start.weekday() == 0 for start, _n in bars)
    assert dict(bars)[date(2026, 3, 9)] == 3 and dict(bars)[date(2026, 1, 19)] == 1
    assert sum(n for _d, n in bars) == 5
    every = compute(conn, library, clock=clock, range_days=None)
    period, bars = every.reviews_per_period()
    assert period == "month" and bars[0] == (date(2025, 2, 1), 1) and bars[-1] == (date(2026, 3, 1), 4)
    assert len(bars) == 14 and sum(n for _d, n in bars) == 6
    assert every.streak_days == 1 and every.total_reviews == 6


# ---------------------------------------------------------------- the cards now

def _card(conn, qid: str, *, state: int = 2, stability: float, last_review: datetime, due: datetime,
          suspended: int = 0) -> None:
    from genai_desktop.core.study.session import card_id_for, iso

    conn.execute("INSERT INTO cards (question_id, card_id, state, step, stability, difficulty, due, last_review, "
                 "suspended, buried_day) VALUES (?, ?, ?, NULL, ?, 5.0, ?, ?, ?, NULL)",
                 (qid, card_id_for(qid), state, stability, iso(due), iso(last_review), suspended))


def test_interval_stability_and_recall_distributions_follow_the_scheduler(setup) -> None:
    from fsrs import Card, State

    from genai_desktop.core.study.session import StudyScheduler
    from genai_desktop.core.study.stats import DAY_LABELS, RECALL_LABELS

    conn, library, clock = setup
    now = clock()
    last = now - timedelta(days=30)
    _card(conn, "attention-basics", stability=45.0, last_review=last, due=last + timedelta(days=25, hours=3))
    _card(conn, "gan-objective", stability=2.5, last_review=now - timedelta(days=1), due=now + timedelta(days=1))
    stats = compute(conn, library, clock=clock)
    assert dict(zip(DAY_LABELS, stats.intervals, strict=True)) == {
        **dict.fromkeys(DAY_LABELS, 0), "2d": 1, "3w–1m": 1}
    assert dict(zip(DAY_LABELS, stats.stabilities, strict=True)) == {
        **dict.fromkeys(DAY_LABELS, 0), "2d": 1, "1–2m": 1}
    scheduler = StudyScheduler()
    expected = [scheduler.get_card_retrievability(Card(state=State.Review, stability=s, last_review=at), now)
                for s, at in ((45.0, last), (2.5, now - timedelta(days=1)))]
    assert sum(stats.recalls) == 2
    for recall in expected:
        assert stats.recalls[int(recall * 10)] >= 1, (recall, dict(zip(RECALL_LABELS, stats.recalls, strict=True)))
    assert stats.mean_recall == pytest.approx(sum(expected) / 2)
    assert (stats.state_counts["mature"], stats.state_counts["young"]) == (1, 1)


def test_leeches_are_cards_with_eight_lapses_in_the_library(setup) -> None:
    conn, library, clock = setup
    now = clock()
    _card(conn, "attention-basics", stability=1.0, last_review=now, due=now + timedelta(days=1), suspended=1)
    for n in range(8):  # eight lapses: a leech (suspended)
        _review(conn, "attention-basics", 1, now - timedelta(days=n + 1), 2)
    for n in range(7):  # seven lapses and an Again while learning: not yet
        _review(conn, "gan-objective", 1, now - timedelta(days=n + 1), 2)
    _review(conn, "gan-objective", 1, now - timedelta(days=9), 1)
    for n in range(9):  # a card no longer in the library does not count
        _review(conn, "gone-card", 1, now - timedelta(days=n + 1), 2)
    stats = compute(conn, library, clock=clock)
    assert (stats.leeches, stats.leeches_suspended) == (1, 1)
    _review(conn, "gan-objective", 1, now - timedelta(hours=1), 2)  # the eighth
    assert compute(conn, library, clock=clock).leeches == 2


def test_mastery_in_bulk_agrees_with_mastered_ids(setup) -> None:
    conn, library, clock = setup
    ids = [q.id for q in library.questions()]
    master(conn, ids[0], clock)
    StudySession.open(conn, [ids[1]], StudySettings(), clock).answer(Rating.Good)
    for days in (0, 5, 30, 90):
        clock.advance(days=days)
        bulk = {title: m for title, m, _n in compute(conn, library, clock=clock).mastery_by_topic}
        single = mastered_ids(conn, ids, clock=clock)
        assert sum(bulk.values()) == len(single)


def test_recall_curve_starts_at_one_decays_by_study_day_and_resets_at_a_review(clock) -> None:
    from genai_desktop.core.study.session import day_start, study_day
    from genai_desktop.core.study.stats import recall_curve

    first = clock()
    second = day_start(study_day(first, 4) + timedelta(days=10), 4) + timedelta(hours=8)
    until = second + timedelta(days=3)
    points = recall_curve([(first, 10.0), (second, 30.0)], until)
    assert points[0] == (first, 1.0)
    decay = [value for at, value in points if first < at < second]
    assert len(decay) == 10  # one value a study day, at the day's start
    assert all(a > b for a, b in zip(decay, decay[1:], strict=False))
    assert decay[-1] == pytest.approx(0.9, abs=1e-6)  # after S study days, recall is 90 % (FSRS)
    at_second = [value for at, value in points if at == second]
    assert at_second == [pytest.approx(0.9, abs=1e-6), 1.0]  # the line drops to the review, then resets
    after = [(at, value) for at, value in points if at > second]
    assert after[-1][0] == until
    assert 0.9 < after[-1][1] < 1.0
    assert recall_curve([(first, None)], until) == []  # no stability: no curve


@pytest.mark.parametrize("zone", ["UTC", "Europe/Berlin", "America/New_York", "Australia/Lord_Howe",
                                  "Asia/Kathmandu", "America/St_Johns"])
def test_study_days_in_bulk_match_study_day_across_daylight_saving(zone, monkeypatch) -> None:
    """_StudyDays counts by arithmetic on each UTC day's offset: it must agree with study_day for
    every quarter hour, on the days the clocks change too (Lord Howe moves by half an hour)."""
    import time

    from genai_desktop.core.study.session import study_day
    from genai_desktop.core.study.stats import _StudyDays

    monkeypatch.setenv("TZ", zone)
    time.tzset()
    try:
        today = date(2026, 3, 10)
        for hour in (0, 4, 23):
            days = _StudyDays(hour, today)
            start = int(datetime(2025, 9, 20, tzinfo=UTC).timestamp()) // 900
            for quarter in range(start, start + 96 * 230):  # through autumn and spring changes
                expected = (study_day(datetime.fromtimestamp(quarter * 900, UTC), hour) - today).days
                assert days.from_today(quarter) == expected, (zone, hour, quarter)
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()


def test_recall_decays_with_the_user_s_fitted_weights() -> None:
    """FSRS-6's last weight shapes the forgetting curve: fitted weights change the recall shown."""
    from fsrs.scheduler import DEFAULT_PARAMETERS

    from genai_desktop.core.study.stats import recall_curve

    start = datetime(2026, 3, 1, 12, tzinfo=UTC)
    fitted = (*DEFAULT_PARAMETERS[:20], 0.6)
    default_curve = recall_curve([(start, 5.0)], start + timedelta(days=20))
    fitted_curve = recall_curve([(start, 5.0)], start + timedelta(days=20), parameters=fitted)
    assert default_curve[0][1] == fitted_curve[0][1] == 1.0
    assert abs(default_curve[-1][1] - fitted_curve[-1][1]) > 0.02
