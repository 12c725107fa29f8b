"""The review charts of core/study/stats against a plain reading of a seeded random review log.

stats.compute counts through indexes (time ranges per local hour, a stored "in review before"
flag, the lapses by card); the reference below reads every review row in Python, one by one, by
the definitions: a review is in the range when its stored text is at or after the range's first
day start (as the range has always been), its hour is the local hour of its moment, the card was
in review when state_before says state 2. The log mixes what makes those differ: times on the
hour and on day starts, daylight-saving changes, zones a quarter or half an hour off UTC, times a
progress file from elsewhere wrote with another offset or precision, ratings out of range, card
states written by the app and by other programs.
"""

from __future__ import annotations

import json
import random
import zlib
from datetime import UTC, datetime, timedelta, timezone
from types import SimpleNamespace

import pytest

from genai_desktop.core.clock import day_start, iso
from genai_desktop.core.study.session import LEECH_LAPSES
from genai_desktop.core.study.stats import _local_hours, _quarter_iso, _quarter_text, compute

from ..conftest import FakeClock

NOW = datetime(2026, 3, 29, 12, 7, tzinfo=UTC)  # Europe's spring change is this morning
QUESTIONS = [f"q{n}" for n in range(12)]


def _library() -> SimpleNamespace:
    return SimpleNamespace(questions=lambda: [SimpleNamespace(id=q) for q in QUESTIONS[:10]],
                           topics=[SimpleNamespace(title="All", questions=[SimpleNamespace(id=q) for q in QUESTIONS])])


def _moment(rng: random.Random) -> datetime:
    """Mostly random moments of the last 400 days; some exactly on (or a millisecond off) a local
    hour, so the bounds between hours and days are crossed both ways."""
    moment = NOW - timedelta(days=rng.uniform(0, 400), hours=rng.uniform(-30, 0))
    if rng.random() < 0.3:
        local = moment.astimezone().replace(minute=0, second=0, microsecond=0)
        moment = local.astimezone(UTC) + timedelta(milliseconds=rng.choice((-1, 0, 0, 1)))
    return moment


def _text(moment: datetime, rng: random.Random) -> str:
    """As clock.iso writes it, or as a progress file from elsewhere might (another offset, seconds)."""
    kind = rng.random()
    if kind < 0.9:
        return iso(moment)
    if kind < 0.95:
        return moment.astimezone(timezone(timedelta(hours=2))).isoformat()
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def _state_before(rng: random.Random) -> str | None:
    state = rng.choice((1, 2, 2, 2, 3))
    kind = rng.random()
    if kind < 0.15:
        return None
    last_review = iso(NOW - timedelta(days=rng.choice((3, 30))))  # young or mature
    if kind < 0.85:
        return (f'{{"state":{state},"step":null,"stability":4.0,"difficulty":5.0,"due":"{iso(NOW)}",'
                f'"last_review":"{last_review}"}}')
    return json.dumps({"due": iso(NOW), "last_review": last_review, "state": state})  # another program's way


def _fill(conn, seed: int) -> None:
    rng = random.Random(seed)
    rows = []
    for n in range(1500):
        rows.append((f"r{n}", rng.choice(QUESTIONS), rng.choice((1, 1, 2, 3, 3, 4, 0, 5)), _text(_moment(rng), rng), 0,
                     _state_before(rng), "{}"))
    for n in range(LEECH_LAPSES + 1):  # one certain leech (more come by chance)
        rows.append((f"lapse{n}", "q1", 1, iso(NOW - timedelta(days=n)), 0, _state_before(random.Random(1)), "{}"))
    conn.executemany("INSERT INTO reviews (uid, question_id, rating, reviewed_at, duration_ms, state_before, "
                     "state_after) VALUES (?, ?, ?, ?, ?, ?, ?)", rows)


def _in_review(state_before: str | None) -> bool:
    if state_before is None:
        return False
    return json.loads(state_before).get("state") == 2


def _reference(conn, since: datetime | None) -> dict:
    buttons = {"learning": [0] * 4, "review": [0] * 4}
    hours, correct = [0] * 24, [0] * 24
    lapses: dict[str, int] = {}
    for qid, rating, text, before in conn.execute("SELECT question_id, rating, reviewed_at, state_before FROM reviews"):
        in_review = _in_review(before)
        if rating == 1 and in_review:
            lapses[qid] = lapses.get(qid, 0) + 1
        if since is not None and text < iso(since) or not 1 <= rating <= 4:
            continue
        buttons["review" if in_review else "learning"][rating - 1] += 1
        hour = datetime.fromisoformat(text).astimezone().hour
        hours[hour] += 1
        correct[hour] += rating > 1
    leeches = sum(1 for qid, n in lapses.items() if n >= LEECH_LAPSES and qid in QUESTIONS[:10])
    return {"answer_buttons": buttons, "hourly_reviews": hours, "hourly_correct": correct, "leeches": leeches}


@pytest.mark.parametrize("zone", ["UTC", "Europe/Berlin", "America/St_Johns", "Asia/Kathmandu",
                                  "Australia/Lord_Howe"], indirect=True)
@pytest.mark.parametrize("day_start_hour", [0, 4, 23])
def test_review_charts_match_a_plain_reading_of_the_log(conn, zone, day_start_hour) -> None:
    _fill(conn, seed=zlib.crc32(f"{zone} {day_start_hour}".encode()))
    library = _library()
    for range_days in (30, 365, None):
        stats = compute(conn, library, clock=FakeClock(NOW), day_start_hour=day_start_hour, range_days=range_days)
        since = None if range_days is None else day_start(stats.first_day, day_start_hour)
        found = {key: getattr(stats, key) for key in ("answer_buttons", "hourly_reviews", "hourly_correct",
                                                       "leeches")}
        assert found == _reference(conn, since), (zone, day_start_hour, range_days)
        assert stats.leeches >= 1


def test_a_state_before_that_is_not_json_is_stored_and_counts_as_not_in_review(conn) -> None:
    """The flag is computed as the row is written: a broken state must not make the write fail."""
    conn.execute("INSERT INTO reviews (uid, question_id, rating, reviewed_at, duration_ms, state_before, "
                 "state_after) VALUES ('x', 'q1', 1, ?, 0, '{not json', '{}')", (iso(NOW),))
    stats = compute(conn, _library(), clock=FakeClock(NOW))
    assert stats.answer_buttons == {"learning": [1, 0, 0, 0], "review": [0, 0, 0, 0]}


def test_hour_bounds_written_by_sqlite_are_clock_iso_text(conn) -> None:
    """The hourly chart's bounds are written by SQLite from quarter numbers (_quarter_text): the
    same text clock.iso writes, or the range counts between them would move reviews across hours."""
    quarters = [0, 1, 95, 96, *random.Random(7).sample(range(96 * 365 * 50, 96 * 365 * 60), 500)]
    written = [text for (text,) in conn.execute(
        f"SELECT {_quarter_text('value')} FROM json_each(?) ORDER BY key", (json.dumps(quarters),))]
    assert written == [_quarter_iso(q) for q in quarters]


@pytest.mark.parametrize("zone", ["UTC", "Europe/Berlin", "America/St_Johns", "Asia/Kathmandu",
                                  "Australia/Lord_Howe"], indirect=True)
def test_local_hours_start_where_the_local_hour_changes(zone) -> None:
    """_local_hours steps from hour to hour within a day of one offset: the same hours as looking
    at every quarter hour, across the zone's changes of a year."""
    start = int(datetime(2026, 1, 1, 0, 10, tzinfo=UTC).timestamp()) // 900 + 1
    end = start + 96 * 366
    plain: list[tuple[int, int]] = []
    for q in range(start, end):
        hour = datetime.fromtimestamp(q * 900, UTC).astimezone().hour
        if not plain or plain[-1][1] != hour:
            plain.append((q, hour))
    assert _local_hours(start, end) == plain
