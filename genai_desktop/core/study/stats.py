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
import math
import sqlite3
from bisect import bisect_right
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from itertools import pairwise
from operator import attrgetter

from fsrs import Card, State
from fsrs.scheduler import DEFAULT_PARAMETERS

from ..content.library import Library
from ..memory import add_in_steps, count_in_steps, id_set
from ..store.db import CARD_DUE_QUARTER, CARD_INTERVAL, ISO_UTC_GLOB
from .deck_counts import READ_CHUNK
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
_FAR_PAST = -(2 ** 62)  # a quarter hour before any time SQLite reads

def _quarter(column: str) -> str:
    """SQL: the quarter hour since 1970 (UTC) a stored time falls in. The tiny nudge keeps a moment
    stored exactly on a quarter in that quarter (julianday is a double: ~40 µs of rounding, far
    below the millisecond the times are stored in)."""
    return _quarter_of_julian_day(f"julianday({column})")


def _quarter_of_julian_day(julian_day: str) -> str:
    """``_quarter`` of a julian day already read (a time's text is parsed once)."""
    return f"CAST(({julian_day} - 2440587.5) * 96 + 1e-7 AS INTEGER)"


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

    Reviews are counted in SQL on indexes (migration 4): days and hours by index range counts
    between their boundaries, answer buttons in one pass of reviews_time, leeches from
    reviews_lapses; true retention groups the last 30 days' reviews by card and study day in SQL.
    The cards (100,000 rows at the bench's size) are one pass of SQL whose small integers Python
    tallies (_cards): the largest share of the default range's time. Study days in SQL follow
    study_day through _StudyDays.sql; tests/core/study/test_stats_cards.py holds every figure to
    a plain card-by-card reading."""
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
    days = _StudyDays(day_start_hour, today)
    _true_retention(conn, stats, days, today - timedelta(days=retention_days - 1))
    _cards(conn, library, stats, days, _scheduler(day_start_hour, desired_retention, parameters))
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
    or ``everything``. The buttons are index range counts in reviews_rating (rating, time, in
    review before): each rating's reviews in the range, and of those the ones in review."""
    where, args = ("", ()) if everything else ("AND reviewed_at >= ?", (iso(since),))
    count = f"SELECT count(*) FROM reviews INDEXED BY reviews_rating WHERE +rating = ? {where}"
    learning, review = [], []
    for rating in (1, 2, 3, 4):
        (answered, in_review), = conn.execute(f"SELECT ({count}), ({count} AND in_review_before)",
                                              (rating, *args, rating, *args))
        learning.append(answered - in_review)
        review.append(in_review)
    stats.answer_buttons = {"learning": learning, "review": review}
    _count_hours(conn, stats, since, now, everything=everything)


def _count_hours(conn: sqlite3.Connection, stats: Stats, since: datetime, now: datetime, *,
                 everything: bool) -> None:
    """Reviews (answered 1-4) and correct answers (2-4) by local hour of the day, from ``since``
    (``everything``: and the reviews before it too, by their text: the first day of "all" comes
    from the earliest text).

    Per local hour of the range, index range counts between its UTC bounds (clock.iso text sorts
    as time sorts): the reviews (reviews_time) and the Again answers (reviews_rating), walking the
    indexes once, where grouping a million rows by hour in SQL sorted them all. The few answers
    outside 1-4 are taken one by one and taken off their hour. The reviews outside the bounds
    (before the first day of "all", after tomorrow), and those whose time is not clock.iso's UTC
    text (reviews_odd_time: their text need not sort as time), are taken one by one and placed by
    their moment."""
    end = _quarter_of(now) + 2 * 96  # the day after tomorrow, whatever the day start
    hours = _local_hours(_quarter_of(since), end)
    first, last = iso(since), _quarter_iso(end)
    # The hours' bounds go in as quarter numbers, [first, end) of each (the first hour's first is
    # ``since`` itself), and SQLite writes their clock.iso text: formatting them in Python (26,000
    # hours for three years) cost more than counting.
    quarters = [q for q, _hour in hours[1:]] + [end]
    pairs = [[None, quarters[0]], *pairwise(quarters)]
    between = "reviewed_at >= b.low AND reviewed_at < b.high"
    low, high = (_quarter_text(f"json_extract(h.value, '$[{n}]')") for n in (0, 1))
    tallies = conn.execute(
        f"SELECT (SELECT count(*) FROM reviews INDEXED BY reviews_time WHERE {between}), "
        f"(SELECT count(*) FROM reviews INDEXED BY reviews_rating WHERE +rating = 1 AND {between}) "
        f"FROM (SELECT coalesce({low}, :first) AS low, {high} AS high "
        "FROM json_each(:hours) AS h ORDER BY h.key LIMIT -1) AS b",
        {"first": first, "hours": json.dumps(pairs)}).fetchall()
    for (_q, hour), (answered, again) in zip(hours, tallies, strict=True):
        stats.hourly_reviews[hour] += answered
        stats.hourly_correct[hour] += answered - again

    def add(hour: int, rating: int, sign: int) -> None:
        if 1 <= rating <= 4:
            stats.hourly_reviews[hour] += sign
            stats.hourly_correct[hour] += sign * (rating > 1)

    def hour_of(quarter: int) -> int:
        return datetime.fromtimestamp(quarter * 900, UTC).astimezone().hour

    bounds: list[str] = []  # the hours' first bounds as text, for the few rows placed by their text

    def text_hour(text: str) -> int:
        if not bounds:
            bounds.extend([first, *map(_quarter_iso, quarters[:-1])])
        return hours[bisect_right(bounds, text) - 1][1]

    # Answers outside 1-4, counted in their text's hour above as answered and correct, are taken
    # off; one between 1 and 2 (not a whole number) was answered but not correct, as Again.
    for where, answered in (("+rating < 1", 1), ("+rating > 4", 1), ("+rating > 1 AND +rating < 2", 0)):
        for (text,) in conn.execute(f"SELECT reviewed_at FROM reviews INDEXED BY reviews_rating WHERE {where} "
                                    "AND reviewed_at >= ? AND reviewed_at < ?", (first, last)):
            stats.hourly_reviews[text_hour(text)] -= answered
            stats.hourly_correct[text_hour(text)] -= 1
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
        add(text_hour(text), rating, -1)
        if quarter is not None:
            add(hour_of(quarter), rating, 1)


def _quarter_of(moment: datetime) -> int:
    """The quarter hour since 1970 (UTC) a moment falls in (``_quarter`` in Python)."""
    return int(moment.timestamp()) // 900


def _quarter_iso(quarter: int) -> str:
    return iso(datetime.fromtimestamp(quarter * 900, UTC))


def _quarter_text(quarter: str) -> str:
    """SQL: ``_quarter_iso`` of the quarter hour number ``quarter`` (an SQL expression), as clock.iso
    writes it (NULL gives NULL)."""
    return f"(strftime('%Y-%m-%dT%H:%M:%f', ({quarter}) * 900, 'unixepoch') || '+00:00')"


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
            if not hours:
                hours.append((quarter, (quarter + offset) // 4 % 24))
            # The day's hours begin on the quarters q with (q + offset) % 4 == 0 after the last one.
            start = hours[-1][0] + 1
            for q in range(start + (-(start + offset)) % 4, day_end, 4):
                hours.append((q, (q + offset) // 4 % 24))
        else:
            for q in range(quarter, day_end):
                hour = datetime.fromtimestamp(q * 900, UTC).astimezone().hour
                if not hours or hours[-1][1] != hour:
                    hours.append((q, hour))
        quarter = day_end
    return hours


def _true_retention(conn: sqlite3.Connection, stats: Stats, days: _StudyDays, since: date) -> None:
    """Each card's first review of each study day from ``since`` (the earliest time text: a bare
    column beside min() comes from that row), passed or failed, split at the interval the card had
    when it was in review before the answer. Grouped in SQL: only four sums come to Python.

    A review's study day is read as recall reads a card's (_recalls): clock.iso text between one
    day's start and the next is that day's, so the range's reviews come from the time index a day
    at a time with no time parsed. Those after today, and times another program wrote
    (reviews_odd_time: their text need not sort as time), are converted one by one (_StudyDays.sql)."""
    hour = days.day_start_hour
    starts = [iso(day_start(since + timedelta(days=n), hour)) for n in range((stats.today - since).days + 2)]
    odd = conn.execute(f"SELECT count(*) FROM reviews INDEXED BY reviews_odd_time WHERE reviewed_at NOT GLOB "
                       f"'{ISO_UTC_GLOB}' AND reviewed_at >= ?", (starts[0],)).fetchone()[0]
    interval = ("CASE WHEN in_review_before THEN julianday(json_extract(state_before, '$.due')) "
                "- julianday(json_extract(state_before, '$.last_review')) END")
    # Range n holds study day n of the range; the last one is today (day 0).
    by_day = (f"SELECT question_id, reviewed_at, rating, {interval} AS interval, b.key - {len(starts) - 2} AS day "
              "FROM json_each(:days) AS b CROSS JOIN reviews AS r INDEXED BY reviews_time "
              "ON r.reviewed_at >= json_extract(b.value, '$[0]') AND r.reviewed_at < json_extract(b.value, '$[1]')"
              + (f" AND r.reviewed_at GLOB '{ISO_UTC_GLOB}'" if odd else ""))
    # After today's end by their text, and odd times in the range: each review's quarter hour is
    # computed once, in a subquery (LIMIT -1: see _cards).
    converted = (f"SELECT question_id, reviewed_at, rating, {interval} AS interval, {_quarter('reviewed_at')} "
                 "AS quarter FROM reviews INDEXED BY reviews_time WHERE reviewed_at >= :tomorrow")
    if odd:
        converted += (f" UNION ALL SELECT question_id, reviewed_at, rating, {interval}, {_quarter('reviewed_at')} "
                      f"FROM reviews INDEXED BY reviews_odd_time WHERE reviewed_at NOT GLOB '{ISO_UTC_GLOB}' "
                      "AND reviewed_at >= :first AND reviewed_at < :tomorrow")
    reviews = (f"{by_day} UNION ALL SELECT question_id, reviewed_at, rating, interval, {days.sql(conn, 'quarter')} "
               f"FROM ({converted} LIMIT -1)")
    first_reviews = f"SELECT min(reviewed_at), rating, interval FROM ({reviews}) GROUP BY question_id, day"
    # int(interval) >= 21 is interval >= 21: int() only truncates toward zero.
    counts = conn.execute(
        f"SELECT sum(interval < {MATURE_DAYS} AND rating > 1), sum(interval < {MATURE_DAYS}), "
        f"sum(interval >= {MATURE_DAYS} AND rating > 1), sum(interval >= {MATURE_DAYS}) FROM ({first_reviews})",
        {"days": json.dumps(list(pairwise(starts))), "first": starts[0], "tomorrow": starts[-1]}).fetchone()
    retention = stats.retention
    retention.young_pass, retention.young_total, retention.mature_pass, retention.mature_total = (
        n or 0 for n in counts)


class _StudyDays:
    """Study days (study_day) counted from today, of quarter hours since 1970 (``_quarter``).

    Arithmetic, not a time-zone conversion per card: a quarter hour's study day is its local time
    less the day start, in whole days, and the zone's offset only changes a few times a year. In
    Python (``from_today``) the offset is looked up once per UTC day, and on a day it changes
    (daylight saving) each quarter is converted by study_day itself. In SQL (``sql``) the offsets
    of a window of days around today are found once, as spans of quarters, and a review or card in
    the window costs a comparison per span; one outside it (years old) is converted by study_day,
    through a function registered on the connection."""

    PAST_DAYS, FUTURE_DAYS = 3 * 366, 40  # the window SQL converts by arithmetic

    def __init__(self, day_start_hour: int, today: date) -> None:
        self.day_start_hour = day_start_hour
        self.shift = day_start_hour * 3600
        self.today = today
        self.today_number = (today - date(1970, 1, 1)).days
        self.offsets: dict[int, int | None] = {}  # UTC day since 1970 -> the zone's offset, in seconds
        self._window: tuple[int, int, list[tuple[int, int]]] | None = None  # _spans, once

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

    def _from_today_or_none(self, quarter: int | None) -> int | None:
        """``from_today`` for SQL: None for no time or one the platform cannot convert."""
        if quarter is None:
            return None
        try:
            return self.from_today(quarter)
        except (OverflowError, OSError, ValueError):
            return None

    def _spans(self) -> tuple[int, int, list[tuple[int, int]]]:
        """The window's first and end quarter, and its spans: (first quarter, offset in quarters),
        a span for each offset the zone has in the window, found by looking it up at each UTC
        midnight and quarter by quarter on a day it changes."""
        first_day = self.today_number - self.PAST_DAYS
        end_day = self.today_number + self.FUTURE_DAYS

        def offset(quarter: int) -> int:
            seconds = datetime.fromtimestamp(quarter * 900, UTC).astimezone().utcoffset().total_seconds()
            return int(seconds) // 900  # zones are whole quarter hours off UTC

        spans = [(first_day * 96, offset(first_day * 96))]
        for utc_day in range(first_day, end_day):
            if offset((utc_day + 1) * 96) != spans[-1][1]:
                for quarter in range(utc_day * 96 + 1, (utc_day + 1) * 96 + 1):
                    if offset(quarter) != spans[-1][1]:
                        spans.append((quarter, offset(quarter)))
        return first_day * 96, end_day * 96, spans

    def forecast_ranges(self, days: int) -> list[tuple[int | None, int, int]]:
        """The quarter hours of the next ``days`` study days as ranges (first quarter or None for
        all before, end quarter, day from today): ``max(0, sql(..., before="0"))`` read backwards,
        so a day's cards are index range counts. A quarter before the window, or due before today,
        is day 0; one past the window is beyond the range (as ``after`` says in _cards)."""
        if self._window is None:
            self._window = self._spans()
        first, end, spans = self._window
        ranges: list[tuple[int | None, int, int]] = [(None, first, 0)]
        ends = [start for start, _offset in spans[1:]] + [end]
        for (start, offset), span_end in zip(spans, ends, strict=True):
            # In the span, day(q) = (q + offset - day_start) // 96 - today: day d from quarter q_d.
            def q(day: int, offset: int = offset) -> int:
                return (self.today_number + day) * 96 - offset + self.day_start_hour * 4
            for day in range(days):
                low = start if day == 0 else max(start, q(day))
                high = min(span_end, q(day + 1))
                if low < high:
                    ranges.append((low, high, day))
        return ranges

    def sql(self, conn: sqlite3.Connection, quarter: str, *, before: str | None = None,
            after: str | None = None) -> str:
        """SQL: the study day, counted from today, of the quarter hour ``quarter`` (an SQL
        expression, e.g. ``_quarter(column)``; NULL gives NULL). ``before``/``after``: what a
        quarter before/after the window gives instead of study_day's answer (for a caller that
        only needs to know it is beyond its range). Registers the fallback on ``conn``."""
        conn.create_function("genai_days_from_today", 1, self._from_today_or_none, deterministic=True)
        if self._window is None:
            self._window = self._spans()
        first, end, spans = self._window
        fallback = f"genai_days_from_today({quarter})"
        cases = [f"WHEN {quarter} < {first} THEN {before or fallback}"]
        ends = [start for start, _offset in spans[1:]] + [end]
        for (_start, offset), span_end in zip(spans, ends, strict=True):
            # Integer division floors here: in the window the dividend is positive (after 1970).
            cases.append(f"WHEN {quarter} < {span_end} THEN "
                         f"({quarter} + {offset - self.day_start_hour * 4}) / 96 - {self.today_number}")
        return "CASE " + " ".join(cases) + f" ELSE {after or fallback} END"


def _scheduler(day_start_hour: int, desired_retention: float, parameters: Sequence[float]) -> StudyScheduler:
    """The flashcards' scheduler: recall decays with the user's fitted weights (FSRS-6's w20)
    when they have some, so Stats, mastery and the card's chart agree with the reviews."""
    return StudyScheduler(day_start_hour=day_start_hour, desired_retention=desired_retention,
                          parameters=tuple(parameters) or DEFAULT_PARAMETERS)


def _with_pow(conn: sqlite3.Connection) -> None:
    """SQLite's pow() is in builds with its math functions (3.35+); where it is missing, Python's
    (the same C pow as ``**`` on the positive bases recall takes) stands in, slower but the same."""
    try:
        conn.execute("SELECT pow(2, 0.5)")
    except sqlite3.OperationalError:
        conn.create_function("pow", 2, math.pow, deterministic=True)


def _day_bucket(days: int | float) -> int:
    """bisect_right(DAY_EDGES, days): the DAY_LABELS bucket of a number of days."""
    return bisect_right(DAY_EDGES, days)


def _range_counts(conn: sqlite3.Connection, count: str, bounds: Sequence[tuple[int, int]]) -> list[int]:
    """The SQL ``count`` (a count(*) from ``:low`` to before ``:high``) for each pair of ``bounds``,
    in one statement: each an index range count, no row read (as _count_days does for days)."""
    count = count.replace(":low", "json_extract(b.value, '$[0]')").replace(":high", "json_extract(b.value, '$[1]')")
    return [n for (n,) in conn.execute(f"SELECT ({count}) FROM json_each(?) AS b ORDER BY b.key",
                                       (json.dumps(bounds),))]


def _day_buckets(conn: sqlite3.Connection, value: str, index: str, total: int, *, rated_only: bool) -> list[int]:
    """The ``total`` review cards (not suspended, in Review) by DAY_LABELS bucket of ``value``'s
    whole days, capped at 365, by index range counts in ``index`` (whose last column is ``value``).
    The edges are whole days, so a value's truncated days reach an edge exactly when the value
    does; below 1 (negative too) truncates into bucket 0. NULL is 0 days, or with ``rated_only``
    left out, as is exactly 0."""
    review = (f"SELECT count(*) FROM cards INDEXED BY {index} WHERE +suspended = 0 AND state = {State.Review} "
              f"AND {value}")
    null, zero, below_one = (conn.execute(review + condition).fetchone()[0]
                             for condition in (" IS NULL", " = 0", f" < {DAY_EDGES[0]}"))
    between = _range_counts(conn, f"{review} >= :low AND {value} < :high", list(pairwise(DAY_EDGES)))
    if rated_only:
        total, first = total - null - zero, below_one - zero
    else:
        first = below_one + null
    buckets = [first, *between]
    return [*buckets, total - sum(buckets)]


def _recalls(conn: sqlite3.Connection, today: date, days: _StudyDays,
             scheduler: StudyScheduler) -> tuple[Counter[int], float, dict[str, None]]:
    """Recall now of the review cards with a stability, as StudyScheduler.get_card_retrievability:
    the study days since the last review (none without one), the same operations in the same order
    (so the same doubles); the weights go in as parameters, never as decimal text. Returns the
    cards per tenth of recall, the sum of recall and the cards mastered.

    The cards come from cards_stats_recall (by last review) a study day at a time: the last reviews
    of a day lie between its start's text and the next day's (clock.iso text sorts as time sorts),
    so a card's study days are the day's, no time parsed. Last reviews another program wrote
    (cards_odd_last_review: their text need not sort as time), or none, are read card by card."""
    review = f"+suspended = 0 AND state = {State.Review}"
    args = {"factor": scheduler._FACTOR, "decay": scheduler._DECAY, "mastery": MASTERY,
            "mastery_stability": MASTERY_STABILITY}
    tenths: Counter[int] = Counter()
    total, mastered = 0.0, id_set()

    def tally(cards: str, **more) -> None:  # cards: (question_id, stability, recall)
        nonlocal total
        # The tenths as text, counted by Counter on its split (one-character strings are shared
        # objects): a JSON array of them took twice as long to build and to read, ten sums in
        # SQL longer still. Counted a slice at a time: all 78,000 in one call held the
        # interpreter (and the window's thread) ~8 ms.
        row = conn.execute(
            "SELECT group_concat(min(9, CAST(recall * 10 AS INTEGER)), ','), "
            "sum(recall), json_group_array(question_id) FILTER (WHERE stability >= :mastery_stability "
            f"AND recall >= :mastery) FROM ({cards} LIMIT -1)", {**args, **more}).fetchone()
        if row[0] is not None:  # NULL: no recall (group_concat leaves NULLs out)
            text_tenths: Counter[str] = Counter()
            count_in_steps(text_tenths, row[0].split(","))
            tenths.update({int(tenth): n for tenth, n in text_tenths.items()})
        total += row[1] or 0.0
        add_in_steps(mastered, json.loads(row[2]))  # 50,000 ids at once: ~15 ms holding the interpreter

    odd = conn.execute(f"SELECT count(*) FROM cards INDEXED BY cards_odd_last_review WHERE last_review NOT GLOB "
                       f"'{ISO_UTC_GLOB}' AND {review}").fetchone()[0]
    first = conn.execute(f"SELECT last_review FROM cards INDEXED BY cards_stats_recall WHERE {review} "
                         f"AND last_review GLOB '{ISO_UTC_GLOB}' ORDER BY last_review LIMIT 1").fetchone()
    if first:
        oldest = min(study_day(datetime.fromisoformat(first[0]), days.day_start_hour), today)
        # Range n holds the last reviews n study days back: [its day's start, the next day's).
        starts = [iso(day_start(today - timedelta(days=n), days.day_start_hour))
                  for n in range((today - oldest).days + 1)]
        bounds = [(starts[0], "~"), *zip(starts[1:], starts, strict=False)]  # "~" sorts after any time
        tally("SELECT c.question_id, c.stability, pow(1 + :factor * b.key / c.stability, :decay) AS recall "
              "FROM json_each(:bounds) AS b CROSS JOIN cards AS c INDEXED BY cards_stats_recall "
              f"ON +c.suspended = 0 AND c.state = {State.Review} AND c.last_review >= json_extract(b.value, '$[0]') "
              "AND c.last_review < json_extract(b.value, '$[1]') AND c.stability"
              + (f" AND c.last_review GLOB '{ISO_UTC_GLOB}'" if odd else ""), bounds=json.dumps(bounds))
    recall = (f"pow(1 + :factor * max(0, coalesce(-({days.sql(conn, 'quarter')}), 0)) / stability, :decay) "
              "AS recall FROM (SELECT question_id, stability, "
              f"{_quarter_of_julian_day('julianday(last_review)')} AS quarter FROM cards INDEXED BY")
    tally(f"SELECT question_id, stability, {recall} cards_stats_recall WHERE {review} AND last_review IS NULL "
          "AND stability LIMIT -1)")
    if odd:
        tally(f"SELECT question_id, stability, {recall} cards_odd_last_review WHERE last_review NOT GLOB "
              f"'{ISO_UTC_GLOB}' AND {review} AND stability LIMIT -1)")
    return tenths, total, mastered


def _cards(conn: sqlite3.Connection, library: Library, stats: Stats, days: _StudyDays,
           scheduler: StudyScheduler) -> None:
    """States, forecast, mastery, the interval/stability/recall distributions and leeches.

    Read from migration 5's card indexes, no card row: the states by (suspended, state); the
    interval and stability distributions and the forecast as index range counts between their
    bucket edges and between the quarter hours each study day starts at (forecast_ranges). Recall,
    which changes with the time, is computed per review card from a covering index; its tenths
    come to Python as text tallied by Counter (SQLite's GROUP BY would sort them). A
    subquery with LIMIT -1 is not merged into its query (SQLite's flattening rules), so what it
    computes is computed once per card rather than wherever the outer query names it."""
    _with_pow(conn)
    counts: Counter[str] = Counter()
    total_review = 0
    for suspended, state, n in conn.execute("SELECT +suspended, state, count(*) FROM cards INDEXED BY "
                                            "cards_stats_stability GROUP BY +suspended, state"):
        if suspended and (state != NEW or suspended == 1):  # a suspended card never studied is known too
            counts["suspended"] += n
        elif suspended or state == NEW:
            continue
        elif state == State.Review:
            total_review = n
        else:
            counts["learning" if state == State.Learning else "relearning"] += n
    intervals = _day_buckets(conn, CARD_INTERVAL, "cards_stats_interval", total_review, rated_only=False)
    counts["young"] = sum(intervals[:_day_bucket(MATURE_DAYS)])
    counts["mature"] = sum(intervals[_day_bucket(MATURE_DAYS):])
    stabilities = _day_buckets(conn, "stability", "cards_stats_stability", total_review, rated_only=True)
    # The forecast: a card not suspended, not new, by the study day it falls due (overdue: today).
    forecast = [0] * 30
    ranges = days.forecast_ranges(len(forecast))
    due = _range_counts(conn, f"SELECT count(*) FROM cards INDEXED BY cards_stats_due WHERE +suspended = 0 AND "
                              f"{CARD_DUE_QUARTER} >= :low AND {CARD_DUE_QUARTER} < :high AND state != {NEW}",
                        [(_FAR_PAST if low is None else low, high) for low, high, _day in ranges])
    for (_low, _high, day), n in zip(ranges, due, strict=True):
        forecast[day] += n

    recall_tenths, recall_sum, mastered = _recalls(conn, stats.today, days, scheduler)
    ids_of = attrgetter("id")
    in_library = set(map(ids_of, library.questions()))
    # The cards known (studied, or suspended before they were), READ_CHUNK rows at a time: a
    # JSON array of all 100,000 ids parsed and taken from the library's set in two calls held the
    # interpreter (and the window) ~55 ms; read row by row, the count took 80 ms more.
    known_in_library, after = 0, -1
    while True:
        last, ids = conn.execute(
            "SELECT max(rowid), json_group_array(question_id) FROM (SELECT rowid, question_id FROM cards "
            "WHERE rowid > ? AND (state != ? OR suspended = 1) ORDER BY rowid LIMIT ?)",
            (after, NEW, READ_CHUNK)).fetchone()
        if last is None:
            break
        after = last
        known_in_library += sum(map(in_library.__contains__, json.loads(ids)))
    recalls_by_tenth = [0] * len(RECALL_LABELS)
    for tenth, n in recall_tenths.items():
        recalls_by_tenth[tenth] += n

    counts["new"] = len(in_library) - known_in_library
    stats.forecast = forecast
    stats.state_counts = {k: counts.get(k, 0) for k in
                          ("new", "learning", "relearning", "young", "mature", "suspended")}
    stats.mastery_by_topic = [(t.title, sum(map(mastered.__contains__, map(ids_of, t.questions))), len(t.questions))
                              for t in library.topics if t.questions]
    stats.intervals, stats.stabilities, stats.recalls = intervals, stabilities, recalls_by_tenth
    rated_cards = recall_tenths.total()
    stats.mean_recall = recall_sum / rated_cards if rated_cards else None
    # The lapses per card, kept as reviews are written (card_lapses, migration 5).
    leeches = [qid for (qid,) in conn.execute("SELECT question_id FROM card_lapses INDEXED BY card_lapses_count "
                                              "WHERE lapses >= ?", (LEECH_LAPSES,)) if qid in in_library]
    stats.leeches = len(leeches)
    stats.leeches_suspended = conn.execute(
        "SELECT count(*) FROM cards WHERE question_id IN (SELECT value FROM json_each(?)) AND suspended "
        "AND (state != ? OR suspended = 1)", (json.dumps(leeches), NEW)).fetchone()[0]


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
