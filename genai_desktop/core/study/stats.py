"""Study statistics, computed from the review log and card states (the numbers behind the charts).

Definitions follow Anki's where Anki users would compare them:
- true retention counts only the first review of a card on a study day, of cards that were
  in the Review state; Again is a fail, Hard/Good/Easy a pass; young and mature are split at
  a 21-day interval (the interval the card had when it was reviewed).
- mastery of a card is durable recall: a card in review whose FSRS stability is at least 21 days
  (90 % recall three weeks after its last review) and whose recall probability is at least 90 %
  now. One review never masters a card (a first Easy gives 8 days); an overdue card is not
  mastered until it is reviewed again.
"""

from __future__ import annotations

import json
import sqlite3
from bisect import bisect_right
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from fsrs import Card, State
from fsrs.scheduler import DEFAULT_PARAMETERS

from ..content.library import Library
from ..store.db import ISO_UTC_GLOB
from .session import (
    LEECH_LAPSES,
    NEW,
    Clock,
    StudyScheduler,
    card_from_row,
    day_start,
    iso,
    study_day,
    system_clock,
)

MATURE_DAYS = 21
MASTERY = 0.90
MASTERY_STABILITY = 21.0


def is_mastered(scheduler: StudyScheduler, card, now: datetime) -> bool:
    """Durable recall (see the module docstring)."""
    return (card is not None and card.state == State.Review and (card.stability or 0) >= MASTERY_STABILITY
            and scheduler.get_card_retrievability(card, now) >= MASTERY)


@dataclass
class Retention:
    young_pass: int = 0
    young_total: int = 0
    mature_pass: int = 0
    mature_total: int = 0

    @staticmethod
    def _rate(passed: int, total: int) -> float | None:
        return passed / total if total else None

    @property
    def young(self) -> float | None:
        return self._rate(self.young_pass, self.young_total)

    @property
    def mature(self) -> float | None:
        return self._rate(self.mature_pass, self.mature_total)

    @property
    def overall(self) -> float | None:
        return self._rate(self.young_pass + self.mature_pass, self.young_total + self.mature_total)


RANGES: dict[str, int | None] = {"month": 30, "year": 365, "all": None}  # the review charts' time range

# Bucket edges in days for the interval and stability histograms: [0, 1), [1, 2), ... [365, ∞).
DAY_EDGES = (1, 2, 3, 7, 14, 21, 30, 60, 90, 180, 365)
DAY_LABELS = ("<1d", "1d", "2d", "3–6d", "1–2w", "2–3w", "3w–1m", "1–2m", "2–3m", "3–6m", "6m–1y", "1y+")
RECALL_LABELS = tuple(f"{n}–{n + 10}%" for n in range(0, 100, 10))

def _quarter(column: str) -> str:
    """SQL: the quarter hour since 1970 (UTC) a stored time falls in. The tiny nudge keeps a moment
    stored exactly on a quarter in that quarter (julianday is a double: ~40 µs of rounding, far
    below the millisecond the times are stored in)."""
    return f"CAST((julianday({column}) - 2440587.5) * 96 + 1e-7 AS INTEGER)"


@dataclass
class Stats:
    today: date
    reviews_by_day: dict[date, int] = field(default_factory=dict)  # the past year at least; the range if longer
    forecast: list[int] = field(default_factory=list)  # due per day, today + 29 days
    retention: Retention = field(default_factory=Retention)
    state_counts: dict[str, int] = field(default_factory=dict)
    mastery_by_topic: list[tuple[str, int, int]] = field(default_factory=list)  # (title, mastered, total)
    streak_days: int = 0
    total_reviews: int = 0
    # The review charts, over the chosen range (RANGES):
    range_days: int | None = 30
    first_day: date | None = None  # of the range: its first day, or the first review's for "all"
    answer_buttons: dict[str, list[int]] = field(default_factory=dict)  # learning/review: Again..Easy counts
    hourly_reviews: list[int] = field(default_factory=lambda: [0] * 24)  # by local hour of the day
    hourly_correct: list[int] = field(default_factory=lambda: [0] * 24)  # of those, not Again
    # The cards now (review cards for the distributions):
    intervals: list[int] = field(default_factory=list)  # per DAY_LABELS bucket
    stabilities: list[int] = field(default_factory=list)  # per DAY_LABELS bucket
    recalls: list[int] = field(default_factory=list)  # per RECALL_LABELS bucket
    mean_recall: float | None = None
    leeches: int = 0  # cards with LEECH_LAPSES lapses or more
    leeches_suspended: int = 0

    def reviews_per_period(self) -> tuple[str, list[tuple[date, int]]]:
        """The range's reviews as bars: per day for a month, per week for a year, per month for all
        (weeks start on Monday; a period is named by its first day)."""
        if self.range_days is not None and self.range_days <= 31:
            days = [self.today - timedelta(days=self.range_days - 1 - i) for i in range(self.range_days)]
            return "day", [(d, self.reviews_by_day.get(d, 0)) for d in days]
        first = self.first_day or self.today
        if self.range_days is not None:
            monday = first - timedelta(days=first.weekday())
            weeks = (self.today - monday).days // 7 + 1
            starts = [monday + timedelta(weeks=n) for n in range(weeks)]
            key = lambda d: d - timedelta(days=d.weekday())  # noqa: E731 - the week a day falls in
            period = "week"
        else:
            starts, month = [], first.replace(day=1)
            while month <= self.today:
                starts.append(month)
                month = (month + timedelta(days=32)).replace(day=1)
            key = lambda d: d.replace(day=1)  # noqa: E731 - the month a day falls in
            period = "month"
        totals = Counter()
        for day, n in self.reviews_by_day.items():
            if day >= first:
                totals[key(day)] += n
        return period, [(start, totals.get(start, 0)) for start in starts]


def compute(conn: sqlite3.Connection, library: Library, *, day_start_hour: int = 4,
            desired_retention: float = 0.9, clock: Clock = system_clock, retention_days: int = 30,
            range_days: int | None = 30, parameters: Sequence[float] = ()) -> Stats:
    """Everything the statistics view shows; ``range_days`` (None: all) bounds the review charts.

    Reviews are counted in SQL on indexes (migration 4), never by reading the wide review rows:
    days and hours by index range counts between their boundaries, answer buttons in one pass of
    reviews_time, leeches from reviews_lapses; only true retention (the last 30 days) comes to
    Python review by review. The cards (100,000 rows at the bench's size) are still read one by
    one in Python: the largest share of the default range's time."""
    now = clock()
    today = study_day(now, day_start_hour)
    stats = Stats(today, range_days=range_days)
    stats.total_reviews = conn.execute("SELECT count(*) FROM reviews").fetchone()[0]
    if range_days is None:
        first = conn.execute("SELECT min(reviewed_at) FROM reviews").fetchone()[0]
        stats.first_day = study_day(datetime.fromisoformat(first), day_start_hour) if first else today
    else:
        stats.first_day = today - timedelta(days=range_days - 1)
    heatmap_start = today - timedelta(days=371)  # the heatmap's 53 weeks, from a Monday
    _count_days(conn, stats, min(heatmap_start, stats.first_day), day_start_hour)
    _count_range(conn, stats, day_start(stats.first_day, day_start_hour), now, everything=range_days is None)
    _true_retention(conn, stats, today - timedelta(days=retention_days - 1), day_start_hour)
    _cards(conn, library, stats, now, _scheduler(day_start_hour, desired_retention, parameters))
    return stats


def _count_days(conn: sqlite3.Connection, stats: Stats, first: date, day_start_hour: int) -> None:
    """Reviews per study day from ``first`` to today, and the streak."""
    days = [first + timedelta(days=n) for n in range((stats.today - first).days + 1)]
    bounds = [iso(day_start(d, day_start_hour)) for d in (*days, stats.today + timedelta(days=1))]
    # One index range count per day (reviews_time): no function runs on a review row, so a year
    # of a million reviews costs about one walk of the index.
    counts = conn.execute(
        "SELECT (SELECT count(*) FROM reviews WHERE reviewed_at >= json_extract(b.value, '$[0]') "
        "AND reviewed_at < json_extract(b.value, '$[1]')) FROM json_each(?) AS b ORDER BY b.key",
        (json.dumps([[bounds[i], bounds[i + 1]] for i in range(len(days))]),)).fetchall()
    stats.reviews_by_day = {day: n for day, (n,) in zip(days, counts, strict=True) if n}
    streak, day = 0, stats.today
    if not stats.reviews_by_day.get(day):
        day -= timedelta(days=1)  # today not studied yet does not break the streak
    while stats.reviews_by_day.get(day):
        streak += 1
        day -= timedelta(days=1)
    stats.streak_days = streak


def _count_range(conn: sqlite3.Connection, stats: Stats, since: datetime, now: datetime, *,
                 everything: bool) -> None:
    """Answer buttons (learning vs review) and the hourly breakdown over the range: from ``since``,
    or ``everything``. Both read the reviews_time index (time, rating, in review before), no row."""
    where, args = ("", ()) if everything else ("WHERE reviewed_at >= ?", (iso(since),))
    rating_counts = ", ".join(f"sum(rating = {r} AND NOT in_review_before), sum(rating = {r} AND in_review_before)"
                              for r in (1, 2, 3, 4))
    counts = conn.execute(f"SELECT {rating_counts} FROM reviews INDEXED BY reviews_time {where}", args).fetchone()
    stats.answer_buttons = {"learning": [n or 0 for n in counts[0::2]], "review": [n or 0 for n in counts[1::2]]}
    _count_hours(conn, stats, since, now, everything=everything)


# A review's share of an hour's count: reviews answered 1-4 in the low 32 bits, of those correct
# (not Again) in the high bits; one walk of the index yields both (an hour holds far below 2**32).
_HOUR_TALLY = "sum((rating BETWEEN 1 AND 4) + (rating BETWEEN 2 AND 4) * 4294967296)"


def _count_hours(conn: sqlite3.Connection, stats: Stats, since: datetime, now: datetime, *,
                 everything: bool) -> None:
    """Reviews and correct answers by local hour of the day, from ``since`` (``everything``: and
    the reviews before it too, by their text: the first day of "all" comes from the earliest text).

    Per local hour of the range, one index range count between its UTC bounds (clock.iso text sorts
    as time sorts): a year is ~9,000 counts walking the index once, where grouping a million rows
    by hour in SQL sorted them all. The reviews outside the bounds (before the first day of "all",
    after tomorrow), and those whose time is not clock.iso's UTC text (reviews_odd_time: their text
    need not sort as time), are taken one by one and placed by their moment, as before."""
    end = _quarter_of(now) + 2 * 96  # the day after tomorrow, whatever the day start
    hours = _local_hours(_quarter_of(since), end)
    bounds = [iso(since), *(_quarter_iso(q) for q, _hour in hours[1:]), _quarter_iso(end)]
    first, last = bounds[0], bounds[-1]
    tallies = conn.execute(
        f"SELECT (SELECT {_HOUR_TALLY} FROM reviews INDEXED BY reviews_time "
        "WHERE reviewed_at >= json_extract(b.value, '$[0]') AND reviewed_at < json_extract(b.value, '$[1]')) "
        "FROM json_each(?) AS b ORDER BY b.key",
        (json.dumps([[bounds[i], bounds[i + 1]] for i in range(len(hours))]),)).fetchall()
    for (_q, hour), (tally,) in zip(hours, tallies, strict=True):
        if tally:
            stats.hourly_reviews[hour] += tally & 0xFFFFFFFF
            stats.hourly_correct[hour] += tally >> 32

    def add(hour: int, rating: int, sign: int) -> None:
        if 1 <= rating <= 4:
            stats.hourly_reviews[hour] += sign
            stats.hourly_correct[hour] += sign * (rating > 1)

    def hour_of(quarter: int) -> int:
        return datetime.fromtimestamp(quarter * 900, UTC).astimezone().hour

    select = f"SELECT reviewed_at, rating, {_quarter('reviewed_at')} FROM reviews"
    # Reviews outside the bounds: placed by their moment (a time SQLite cannot read has no hour).
    outside = [(last,)] + ([(first,)] if everything else [])
    for where, args in zip(("reviewed_at >= ?", "reviewed_at < ?"), outside, strict=False):
        for _text, rating, quarter in conn.execute(f"{select} INDEXED BY reviews_time WHERE {where}", args):
            if quarter is not None:
                add(hour_of(quarter), rating, 1)
    # Odd times inside the bounds were counted in the hour their text sorts into: moved to their own.
    for text, rating, quarter in conn.execute(
            f"{select} INDEXED BY reviews_odd_time WHERE reviewed_at NOT GLOB '{ISO_UTC_GLOB}' "
            "AND reviewed_at >= ? AND reviewed_at < ?", (first, last)):
        add(hours[bisect_right(bounds, text) - 1][1], rating, -1)
        if quarter is not None:
            add(hour_of(quarter), rating, 1)


def _quarter_of(moment: datetime) -> int:
    """The quarter hour since 1970 (UTC) a moment falls in (``_quarter`` in Python)."""
    return int(moment.timestamp()) // 900


def _quarter_iso(quarter: int) -> str:
    return iso(datetime.fromtimestamp(quarter * 900, UTC))


def _local_hours(start: int, end: int) -> list[tuple[int, int]]:
    """The local hours from quarter ``start`` to ``end``: (their first quarter, the hour of the day).
    Zone offsets are whole quarter hours, so an hour begins on a quarter; the offset is looked up
    twice per UTC day, and quarter by quarter on a day it changes (daylight saving)."""
    hours: list[tuple[int, int]] = []
    quarter = start
    while quarter < end:
        day_end = min(end, (quarter // 96 + 1) * 96)
        first, last = (datetime.fromtimestamp(q * 900, UTC).astimezone().utcoffset() for q in (quarter, day_end - 1))
        if first == last:
            offset = int(first.total_seconds()) // 900  # in quarters
            for q in range(quarter, day_end):
                if not hours or (q + offset) % 4 == 0:
                    hours.append((q, (q + offset) // 4 % 24))
        else:
            for q in range(quarter, day_end):
                hour = datetime.fromtimestamp(q * 900, UTC).astimezone().hour
                if not hours or hours[-1][1] != hour:
                    hours.append((q, hour))
        quarter = day_end
    return hours


def _true_retention(conn: sqlite3.Connection, stats: Stats, since: date, day_start_hour: int) -> None:
    days = _StudyDays(day_start_hour, stats.today)
    seen_today: set[tuple[str, int]] = set()
    # The card before the answer is read by SQLite, the interval only for cards in review.
    for qid, reviewed_at, rating, interval in conn.execute(
            f"SELECT question_id, {_quarter('reviewed_at')}, rating, CASE WHEN in_review_before THEN "
            "julianday(json_extract(state_before, '$.due')) - julianday(json_extract(state_before, '$.last_review')) "
            "END FROM reviews WHERE reviewed_at >= ? ORDER BY reviewed_at", (iso(day_start(since, day_start_hour)),)):
        day = days.from_today(reviewed_at)
        if (qid, day) in seen_today:
            continue
        seen_today.add((qid, day))
        if interval is None:  # not in review before the answer (or never reviewed in it)
            continue
        passed = rating > 1
        if int(interval) >= MATURE_DAYS:
            stats.retention.mature_total += 1
            stats.retention.mature_pass += passed
        else:
            stats.retention.young_total += 1
            stats.retention.young_pass += passed


class _StudyDays:
    """Study days (study_day) counted from today, of quarter hours since 1970 (``_quarter``).

    Arithmetic, not a time-zone conversion per card: the zone's offset is looked up once per UTC
    day, and a quarter hour's study day is its local time less the day start, in whole days. On
    a day whose offset changes (daylight saving) each quarter is converted by study_day itself."""

    def __init__(self, day_start_hour: int, today: date) -> None:
        self.day_start_hour = day_start_hour
        self.shift = day_start_hour * 3600
        self.today = today
        self.today_number = (today - date(1970, 1, 1)).days
        self.offsets: dict[int, int | None] = {}  # UTC day since 1970 -> the zone's offset, in seconds

    def _offset(self, utc_day: int) -> int | None:
        first, last = (datetime.fromtimestamp(utc_day * 86400 + s, UTC).astimezone().utcoffset() for s in (0, 86399))
        return int(first.total_seconds()) if first == last else None

    def from_today(self, quarter: int) -> int:
        utc_day = quarter // 96
        if utc_day in self.offsets:
            offset = self.offsets[utc_day]
        else:
            offset = self.offsets[utc_day] = self._offset(utc_day)
        if offset is None:
            moment = datetime.fromtimestamp(quarter * 900, UTC)
            return (study_day(moment, self.day_start_hour) - self.today).days
        return (quarter * 900 + offset - self.shift) // 86400 - self.today_number


def _scheduler(day_start_hour: int, desired_retention: float, parameters: Sequence[float]) -> StudyScheduler:
    """The flashcards' scheduler: recall decays with the user's fitted weights (FSRS-6's w20)
    when they have some, so Stats, mastery and the card's chart agree with the reviews."""
    return StudyScheduler(day_start_hour=day_start_hour, desired_retention=desired_retention,
                          parameters=tuple(parameters) or DEFAULT_PARAMETERS)


def _cards(conn: sqlite3.Connection, library: Library, stats: Stats, now: datetime,
           scheduler: StudyScheduler) -> None:
    """States, forecast, mastery, the interval/stability/recall distributions and leeches."""
    day_start_hour = scheduler.day_start_hour
    days = _StudyDays(day_start_hour, stats.today)
    # Recall follows StudyScheduler.get_card_retrievability, without building an fsrs Card per row.
    factor, decay = scheduler._FACTOR, scheduler._DECAY
    forecast = [0] * 30
    counts: Counter[str] = Counter()
    intervals, stabilities, recalls = [0] * len(DAY_LABELS), [0] * len(DAY_LABELS), [0] * len(RECALL_LABELS)
    recall_sum = 0.0
    mastered: set[str] = set()
    suspended_ids: set[str] = set()
    known: set[str] = set()
    for qid, state, suspended, stability, interval, last_review, due in conn.execute(
            f"SELECT question_id, state, suspended, stability, julianday(due) - julianday(last_review), "
            f"{_quarter('last_review')}, {_quarter('due')} FROM cards WHERE state != ? OR suspended = 1", (NEW,)):
        known.add(qid)
        if suspended:  # before the NEW check: suspending a card never studied keeps it in state NEW
            counts["suspended"] += 1
            suspended_ids.add(qid)
            continue
        if state == State.Review:
            interval = int(interval or 0)
            counts["mature" if interval >= MATURE_DAYS else "young"] += 1
            intervals[bisect_right(DAY_EDGES, interval)] += 1
            if stability:
                stabilities[bisect_right(DAY_EDGES, stability)] += 1
                elapsed = -days.from_today(last_review) if last_review is not None else 0
                recall = (1 + factor * max(0, elapsed) / stability) ** decay
                recalls[min(9, int(recall * 10))] += 1
                recall_sum += recall
                if stability >= MASTERY_STABILITY and recall >= MASTERY:  # is_mastered, in bulk
                    mastered.add(qid)
        else:
            counts["learning" if state == State.Learning else "relearning"] += 1
        due_offset = days.from_today(due)
        if due_offset < 30:
            forecast[max(0, due_offset)] += 1
    in_library = {q.id for q in library.questions()}
    counts["new"] = len(in_library - known)
    stats.forecast = forecast
    stats.state_counts = {k: counts.get(k, 0) for k in
                          ("new", "learning", "relearning", "young", "mature", "suspended")}
    stats.mastery_by_topic = [(t.title, sum(1 for q in t.questions if q.id in mastered), len(t.questions))
                              for t in library.topics if t.questions]
    stats.intervals, stats.stabilities, stats.recalls = intervals, stabilities, recalls
    rated = sum(recalls)
    stats.mean_recall = recall_sum / rated if rated else None
    # The lapses alone, grouped by card in their index's order (reviews_lapses): no review row read.
    leeches = [qid for (qid,) in conn.execute(
        "SELECT question_id FROM reviews INDEXED BY reviews_lapses WHERE rating = 1 AND in_review_before = 1 "
        "GROUP BY question_id HAVING count(*) >= ?", (LEECH_LAPSES,)) if qid in in_library]
    stats.leeches = len(leeches)
    stats.leeches_suspended = sum(1 for qid in leeches if qid in suspended_ids)


def mastered_ids(conn: sqlite3.Connection, question_ids: list[str], *, desired_retention: float = 0.9,
                 clock: Clock = system_clock, day_start_hour: int = 4, parameters: Sequence[float] = ()) -> set[str]:
    """The questions mastered now: durable recall (see the module docstring)."""
    if not question_ids:
        return set()
    scheduler = _scheduler(day_start_hour, desired_retention, parameters)
    now = clock()
    found = set()
    # The ids go in as one JSON array and are looked up by primary key: the roadmap asks about a
    # few hundred questions, and scanning 100k card rows for them took over 100 ms.
    for row in conn.execute("SELECT question_id, card_id, state, step, stability, difficulty, due, last_review "
                            "FROM cards WHERE question_id IN (SELECT value FROM json_each(?)) "
                            "AND state != ? AND suspended = 0", (json.dumps(sorted(set(question_ids))), NEW)):
        card = card_from_row(row)
        if is_mastered(scheduler, card, now):
            found.add(row[0])
    return found


def recall_curve(reviews: list[tuple[datetime, float | None]], until: datetime, *, day_start_hour: int = 4,
                 desired_retention: float = 0.9, parameters: Sequence[float] = ()) -> list[tuple[datetime, float]]:
    """A card's recall probability over time, from its reviews (moment, stability after it),
    oldest first, to ``until``: 1 at each review, then the value of each study day as the
    scheduler counts it (StudyScheduler.get_card_retrievability), sampled at the day's start.
    Before the first review with a stability there is no curve."""
    scheduler = _scheduler(day_start_hour, desired_retention, parameters)
    points: list[tuple[datetime, float]] = []
    usable = [(at, stability) for at, stability in reviews if stability]
    for n, (at, stability) in enumerate(usable):
        end = usable[n + 1][0] if n + 1 < len(usable) else until
        card = Card(state=State.Review, stability=stability, last_review=at)
        points.append((at, 1.0))
        day = study_day(at, day_start_hour) + timedelta(days=1)
        while (moment := day_start(day, day_start_hour)) < end:
            points.append((moment, scheduler.get_card_retrievability(card, moment)))
            day += timedelta(days=1)
        if end > at:  # the value just before the next review (or at ``until``): the line drops, then jumps
            points.append((end, scheduler.get_card_retrievability(card, end)))
    return points
