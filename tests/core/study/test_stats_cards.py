"""The card figures and true retention of core/study/stats against a plain reading, card by card.

stats.compute counts the cards in SQL (states, the interval, stability and recall distributions,
the forecast, mastery) and groups the last month's reviews by card and study day in SQL; the
reference below reads every row in Python by the definitions, with the one clock's study_day for
every day: the recall of a card in review is FSRS's curve after the study days elapsed since its
last review, a forecast day is the study day its card falls due (overdue cards today), true
retention takes a card's first review of each study day (the earliest time text, as the range has
always been read) and splits young and mature at the interval the card had before the answer.
The data mixes what makes those differ: moments on and a millisecond off day starts, daylight-
saving changes, zones a quarter or half an hour off UTC, day starts at midnight, 04:00 and 23:00,
stabilities and intervals right on the histograms' edges, lapses and relearning, several reviews
of a card on one day, review and card times another program wrote with another offset.
"""

from __future__ import annotations

import json
import random
import zlib
from collections import Counter
from datetime import UTC, date, datetime, timedelta, timezone
from types import SimpleNamespace

import pytest

from genai_desktop.core.clock import day_start, iso, study_day
from genai_desktop.core.study.session import card_id_for
from genai_desktop.core.study.stats import (
    DAY_EDGES,
    MASTERY,
    MASTERY_STABILITY,
    MATURE_DAYS,
    _scheduler,
    compute,
)

from ..conftest import FakeClock

NOW = datetime(2026, 3, 29, 12, 7, tzinfo=UTC)  # Europe's spring change is this morning
CARDS = 1000
QUESTIONS = [f"q{n:03d}" for n in range(CARDS + 40)]  # the last 40 never studied


def _library() -> SimpleNamespace:
    """Ten topics; a few cards are not in the library any more (removed questions)."""
    in_library = QUESTIONS[10:]
    topics = [SimpleNamespace(title=f"T{t}", questions=[SimpleNamespace(id=q) for q in in_library[t::10]])
              for t in range(10)]
    return SimpleNamespace(questions=lambda: [SimpleNamespace(id=q) for q in in_library], topics=topics)


def _moment(rng: random.Random, hour: int, days_back: float) -> datetime:
    """A random moment up to ``days_back`` days back (or ahead, when negative); a third of them
    exactly on, or a millisecond either side of, a study day's start."""
    moment = NOW - timedelta(days=rng.uniform(min(0, days_back), max(0, days_back)))
    if rng.random() < 0.35:
        moment = day_start(study_day(moment, hour), hour) + timedelta(milliseconds=rng.choice((-1, 0, 0, 1)))
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


def _stability(rng: random.Random) -> float | None:
    kind = rng.random()
    if kind < 0.05:
        return None
    if kind < 0.1:
        return 0.0
    if kind < 0.4:
        return float(rng.choice((0.5, *DAY_EDGES, MASTERY_STABILITY, 400)))  # on an edge, or below the first
    return rng.uniform(0.1, 500)


def _card_text(moment: datetime, rng: random.Random) -> str:
    """A card's time as clock.iso writes it, or now and then as a progress file from elsewhere
    might (another offset): such text need not sort as time."""
    return iso(moment) if rng.random() < 0.9 else moment.astimezone(timezone(timedelta(hours=2))).isoformat()


def _fill_cards(conn, rng: random.Random, hour: int) -> None:
    rows = []
    for qid in QUESTIONS[:CARDS]:
        state = rng.choice((0, 1, 2, 2, 2, 2, 3))
        # Mostly the last 400 days; some years back, beyond the window stats converts by arithmetic.
        last = None if state == 0 or rng.random() < 0.03 else _moment(rng, hour, rng.choice((400, 400, 400, 2500)))
        if last is None:
            due = _moment(rng, hour, -10)
        elif rng.random() < 0.4:
            due = last + timedelta(days=rng.choice((*DAY_EDGES, MATURE_DAYS - 1, rng.randint(0, 400))))
        elif rng.random() < 0.6:  # in the forecast's month, on a day start or within the day
            start = day_start(study_day(NOW, hour) + timedelta(days=rng.randint(0, 31)), hour)
            within = rng.choice((timedelta(milliseconds=rng.choice((-1, 0, 1))), timedelta(hours=rng.uniform(0, 24))))
            due = start + within
            due = due.replace(microsecond=due.microsecond // 1000 * 1000)
        else:
            due = _moment(rng, hour, rng.uniform(-60, 60))
        suspended = int(rng.random() < 0.08)
        rows.append((qid, card_id_for(qid), state, None, _stability(rng), 5.0, _card_text(due, rng),
                     _card_text(last, rng) if last else None, suspended, None))
    conn.executemany("INSERT INTO cards (question_id, card_id, state, step, stability, difficulty, due, "
                     "last_review, suspended, buried_day) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)


def _state_before(rng: random.Random, at: datetime) -> str | None:
    """The card before an answer: new, learning, in review (young or mature, or on the edge),
    relearning; as the app writes it or as another program might."""
    state = rng.choice((1, 2, 2, 2, 3))
    if rng.random() < 0.1:
        return None
    last = at - timedelta(days=rng.uniform(0, 60))
    due = last + timedelta(days=rng.choice((1, 3, MATURE_DAYS - 1, MATURE_DAYS, 45)))
    if rng.random() < 0.8:
        return (f'{{"state":{state},"step":null,"stability":4.0,"difficulty":5.0,"due":"{iso(due)}",'
                f'"last_review":"{iso(last)}"}}')
    return json.dumps({"due": iso(due), "last_review": iso(last), "state": state})


def _fill_reviews(conn, rng: random.Random, hour: int) -> None:
    rows, taken = [], set()
    for n in range(1200):
        qid = rng.choice(QUESTIONS[:60])  # few cards: several reviews of one card on one day
        at = _moment(rng, hour, 40)
        if (qid, at) in taken:  # one card answered twice in one millisecond: which came first is moot
            continue
        taken.add((qid, at))
        text = iso(at) if rng.random() < 0.9 else at.astimezone(timezone(timedelta(hours=2))).isoformat()
        rows.append((f"r{n}", qid, rng.choice((1, 1, 2, 3, 3, 4)), text, 0, _state_before(rng, at), "{}"))
    conn.executemany("INSERT INTO reviews (uid, question_id, rating, reviewed_at, duration_ms, state_before, "
                     "state_after) VALUES (?, ?, ?, ?, ?, ?, ?)", rows)


def _bucket(value: float) -> int:
    return sum(1 for edge in DAY_EDGES if edge <= value)


def _reference_cards(conn, library, hour: int) -> dict:
    scheduler = _scheduler(hour, 0.9, ())
    today = study_day(NOW, hour)
    counts: Counter[str] = Counter()
    forecast = [0] * 30
    intervals, stabilities, recalls = [0] * 12, [0] * 12, [0] * 10
    recall_sum, mastered, suspended_ids, known = 0.0, set(), set(), set()
    for qid, state, suspended, stability, due, last in conn.execute(
            "SELECT question_id, state, suspended, stability, due, last_review FROM cards"):
        if state == 0 and not suspended:
            continue
        known.add(qid)
        if suspended:
            counts["suspended"] += 1
            suspended_ids.add(qid)
            continue
        due_at = datetime.fromisoformat(due)
        last_at = datetime.fromisoformat(last) if last else None
        if state == 2:
            interval = int((due_at - last_at).total_seconds() / 86400) if last_at else 0
            counts["mature" if interval >= MATURE_DAYS else "young"] += 1
            intervals[_bucket(interval)] += 1
            if stability:
                stabilities[_bucket(stability)] += 1
                elapsed = max(0, (today - study_day(last_at, hour)).days) if last_at else 0
                recall = (1 + scheduler._FACTOR * elapsed / stability) ** scheduler._DECAY
                recalls[min(9, int(recall * 10))] += 1
                recall_sum += recall
                if stability >= MASTERY_STABILITY and recall >= MASTERY:
                    mastered.add(qid)
        else:
            counts["learning" if state == 1 else "relearning"] += 1
        offset = (study_day(due_at, hour) - today).days
        if offset < 30:
            forecast[max(0, offset)] += 1
    in_library = {q.id for q in library.questions()}
    counts["new"] = len(in_library - known)
    return {
        "state_counts": {k: counts[k] for k in ("new", "learning", "relearning", "young", "mature", "suspended")},
        "forecast": forecast, "intervals": intervals, "stabilities": stabilities, "recalls": recalls,
        "mastery_by_topic": [(t.title, sum(q.id in mastered for q in t.questions), len(t.questions))
                             for t in library.topics],
        "mean_recall": recall_sum / sum(recalls) if sum(recalls) else None,
    }


def _reference_retention(conn, hour: int, days: int = 30) -> tuple[int, int, int, int]:
    """(young pass, young total, mature pass, mature total) of the last ``days`` study days."""
    since = iso(day_start(study_day(NOW, hour) - timedelta(days=days - 1), hour))
    seen: set[tuple[str, date]] = set()
    young_pass = young_total = mature_pass = mature_total = 0
    rows = conn.execute("SELECT question_id, reviewed_at, rating, state_before FROM reviews").fetchall()
    for qid, text, rating, before in sorted(rows, key=lambda row: row[1]):
        if text < since:
            continue
        day = study_day(datetime.fromisoformat(text), hour)
        if (qid, day) in seen:
            continue
        seen.add((qid, day))
        card = json.loads(before) if before else {}
        if card.get("state") != 2:
            continue
        interval = int((datetime.fromisoformat(card["due"]) - datetime.fromisoformat(card["last_review"]))
                       .total_seconds() / 86400)
        if interval >= MATURE_DAYS:
            mature_total += 1
            mature_pass += rating > 1
        else:
            young_total += 1
            young_pass += rating > 1
    return young_pass, young_total, mature_pass, mature_total


@pytest.mark.parametrize("zone", ["UTC", "Europe/Berlin", "America/St_Johns", "Asia/Kathmandu",
                                  "Australia/Lord_Howe"], indirect=True)
@pytest.mark.parametrize("day_start_hour", [0, 4, 23])
def test_card_figures_and_true_retention_match_a_plain_reading(conn, zone, day_start_hour) -> None:
    rng = random.Random(zlib.crc32(f"{zone} {day_start_hour}".encode()))
    _fill_cards(conn, rng, day_start_hour)
    _fill_reviews(conn, rng, day_start_hour)
    library = _library()
    stats = compute(conn, library, clock=FakeClock(NOW), day_start_hour=day_start_hour)
    expected = _reference_cards(conn, library, day_start_hour)
    mean_recall = expected.pop("mean_recall")
    assert {key: getattr(stats, key) for key in expected} == expected, (zone, day_start_hour)
    assert stats.mean_recall == pytest.approx(mean_recall, rel=1e-12)
    retention = stats.retention
    assert (retention.young_pass, retention.young_total, retention.mature_pass, retention.mature_total) \
        == _reference_retention(conn, day_start_hour), (zone, day_start_hour)
    # The data reaches every bucket the comparison is meant to guard.
    assert all(stats.forecast), stats.forecast
    assert all(stats.intervals), stats.intervals
    assert all(stats.stabilities), stats.stabilities
    assert sum(1 for n in stats.recalls if n) >= 5
    assert all(stats.state_counts.values())
    assert retention.young_total and retention.mature_total


@pytest.mark.parametrize("zone", ["UTC", "Europe/Berlin", "Asia/Kathmandu"], indirect=True)
def test_true_retention_counts_reviews_dated_after_today_by_their_own_day(conn, zone) -> None:
    """Reviews whose time is after today's end (another device's clock, an imported log) are
    placed in their own study day, as are times with another offset: true retention reads the
    range's days from the time index a day at a time and converts these one by one."""
    rng = random.Random(zlib.crc32(zone.encode()))
    _fill_reviews(conn, rng, 4)
    rows, taken = [], {(qid, datetime.fromisoformat(text)) for qid, text in
                       conn.execute("SELECT question_id, reviewed_at FROM reviews")}
    for n in range(300):
        qid, at = rng.choice(QUESTIONS[:60]), _moment(rng, 4, -3)  # up to three days ahead
        if (qid, at) in taken:  # one card answered twice in one millisecond: which came first is moot
            continue
        taken.add((qid, at))
        text = iso(at) if n % 3 else at.astimezone(timezone(timedelta(hours=-5))).isoformat()
        rows.append((f"ahead{n}", qid, rng.choice((1, 2, 3)), text, 0, _state_before(rng, at), "{}"))
    conn.executemany("INSERT INTO reviews (uid, question_id, rating, reviewed_at, duration_ms, state_before, "
                     "state_after) VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
    retention = compute(conn, _library(), clock=FakeClock(NOW), day_start_hour=4).retention
    assert (retention.young_pass, retention.young_total, retention.mature_pass, retention.mature_total) \
        == _reference_retention(conn, 4), zone
