"""Flashcard study: the daily queue, FSRS scheduling, the review log and undo.

Every question is a card. A card with no row in ``cards`` (or a row in state 0) is *new*:
fsrs has no New state, so "never reviewed" is derived. Times are UTC in the database; the
study day is local time shifted by the configured day start (04:00 by default), as in Anki.

An answer is one short transaction (review log row + card row) committed before the next
card is offered, so an acknowledged answer survives the app being killed.
"""

from __future__ import annotations

import bisect
import json
import math
import sqlite3
import uuid
from collections.abc import Iterable, Sequence
from copy import copy
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from fsrs import Card, Rating, Scheduler, State
from fsrs.scheduler import DEFAULT_PARAMETERS, FUZZ_RANGES, LOWER_BOUNDS_PARAMETERS, UPPER_BOUNDS_PARAMETERS

from ..clock import Clock, day_start, iso, parse_time, study_day, system_clock
from ..content.library import Library
from ..digest import sha1
from ..store.db import fault_point, transaction

LEECH_LAPSES = 8  # Again on a card in review this many times makes it a leech (Anki's default)
NEW = 0  # our own marker for a card row that was never reviewed (buried or suspended new cards)
LEARN_AHEAD = timedelta(minutes=20)
RATINGS = (Rating.Again, Rating.Hard, Rating.Good, Rating.Easy)
RATING_NAMES = {Rating.Again: "Again", Rating.Hard: "Hard", Rating.Good: "Good", Rating.Easy: "Easy"}


def card_id_for(question_id: str) -> int:
    """A stable integer id for fsrs, the same on every installation."""
    return int.from_bytes(sha1(question_id.encode()).digest()[:6], "big")


def format_interval(delta: timedelta) -> str:
    seconds = max(0, delta.total_seconds())
    if seconds < 3600:
        return f"{max(1, round(seconds / 60))}m"
    if seconds < 86400:
        return f"{round(seconds / 3600)}h"
    days = seconds / 86400
    if days < 30:
        return f"{round(days)}d"
    if days < 365:
        return f"{days / 30:.1f}mo".replace(".0mo", "mo")
    return f"{days / 365:.1f}y".replace(".0y", "y")


def format_duration(seconds: float) -> str:
    """Time spent, as people say it: '2 s', '1 min 05 s', '1 h 03 min' (seconds drop after an hour)."""
    total = max(0, round(seconds))
    if total < 60:
        return f"{total} s"
    if total < 3600:
        minutes, secs = divmod(total, 60)
        return f"{minutes} min {secs:02d} s"
    hours, minutes = divmod(round(total / 60), 60)
    return f"{hours} h {minutes:02d} min"


# ---------------------------------------------------------------- the scheduler

class StudyScheduler(Scheduler):
    """py-fsrs counting days the way FSRS-6 and Anki do: the one owner of the day-counting rule.

    py-fsrs counts elapsed days in whole 24-hour periods (``(now - last_review).days``), so a
    card reviewed earlier in the clock day than last time is a day short, and a 1-day card
    reviewed the next morning takes the same-day (short-term) formula. FSRS-6's weights were
    fitted on days counted at day boundaries: here elapsed days are study days
    (``study_day``, with the configured day start) between the last review and this one.
    Once a card is in review, Hard < Good < Easy stay at least one day apart (as in Anki), and
    fuzz is drawn once per card state (seeded by card id and last review), so the four
    previews agree with each other and with the answer. The stored card keeps its real
    ``last_review``; only what py-fsrs sees is normalised."""

    def __init__(self, *, day_start_hour: int = 4, desired_retention: float = 0.9,
                 enable_fuzzing: bool = True, parameters: Sequence[float] = DEFAULT_PARAMETERS) -> None:
        super().__init__(parameters=parameters, desired_retention=desired_retention, enable_fuzzing=False)
        self.day_start_hour = day_start_hour
        self.fuzz = enable_fuzzing
        self._elapsed: int | None = None  # set while py-fsrs reviews a normalised card

    def elapsed_days(self, last_review: datetime, moment: datetime) -> int:
        """Study-day boundaries crossed between two moments (0 on the same study day)."""
        return max(0, (study_day(moment, self.day_start_hour) - study_day(last_review, self.day_start_hour)).days)

    def get_card_retrievability(self, card: Card, current_datetime: datetime | None = None) -> float:
        if card.last_review is None or card.stability is None:
            return 0
        moment = current_datetime or system_clock()
        elapsed = self._elapsed if self._elapsed is not None else self.elapsed_days(card.last_review, moment)
        return (1 + self._FACTOR * elapsed / card.stability) ** self._DECAY

    def review_card(self, card: Card, rating: Rating, review_datetime: datetime | None = None,
                    review_duration: int | None = None):
        moment = review_datetime or system_clock()
        counted = copy(card)
        if card.last_review is not None:
            # py-fsrs takes (moment - last_review).days: present exactly the study days elapsed.
            self._elapsed = self.elapsed_days(card.last_review, moment)
            counted.last_review = moment - timedelta(days=self._elapsed)
        try:
            after, log = super().review_card(counted, rating, moment, review_duration)
            if after.state != State.Review:
                return after, log
            if card.state == State.Review:
                days = {r: self._next_interval(stability=super(StudyScheduler, self).review_card(
                    counted, r, moment)[0].stability) for r in (Rating.Hard, Rating.Good, Rating.Easy)}
            else:
                days = {rating: (after.due - moment).days}
        finally:
            self._elapsed = None
        factor = self._fuzz_factor(card)
        hard = self._fuzzed(days.get(Rating.Hard, 1), factor, 1)
        good = self._fuzzed(days.get(Rating.Good, 1), factor, hard + 1 if card.state == State.Review else 1)
        easy = self._fuzzed(days.get(Rating.Easy, 1), factor, good + 1 if card.state == State.Review else 1)
        interval = {Rating.Hard: hard, Rating.Good: good, Rating.Easy: easy}[rating]
        after.due = moment + timedelta(days=min(interval, self.maximum_interval))
        return after, log

    def _fuzz_factor(self, card: Card) -> float | None:
        if not self.fuzz:
            return None
        seed = f"{card.card_id}:{iso(card.last_review) if card.last_review else ''}".encode()
        return int.from_bytes(sha1(seed).digest()[:4], "big") / 2**32

    def _fuzzed(self, days: int, factor: float | None, minimum: int) -> int:
        """py-fsrs's fuzz ranges with one factor per card state, never below ``minimum``."""
        if factor is not None and days >= 2.5:
            delta = 1.0 + sum(r["factor"] * max(min(float(days), r["end"]) - r["start"], 0.0) for r in FUZZ_RANGES)
            low, high = max(2, round(days - delta)), min(round(days + delta), self.maximum_interval)
            low = min(low, high)
            days = round(factor * (high - low + 1) + low)
        return min(max(days, minimum), self.maximum_interval)

    def review_interval(self, stability: float, fuzz_from: Card) -> int:
        """Days from a review to the next for a card in review with this stability, as an answer
        gives them now (desired retention, fuzz drawn from ``fuzz_from``: the card state that
        answer started from). The card browser's "Reschedule" asks again after settings change."""
        return self._fuzzed(self._next_interval(stability=stability), self._fuzz_factor(fuzz_from), 1)


# ---------------------------------------------------------------- settings

def check_parameters(values: object) -> tuple[float, ...]:
    """FSRS-6 weights as the scheduler takes them: 21 finite numbers inside py-fsrs's bounds.
    Raises ValueError with a readable message otherwise."""
    if not isinstance(values, (list, tuple)) or len(values) != len(DEFAULT_PARAMETERS):
        raise ValueError(f"the FSRS parameters are not a list of {len(DEFAULT_PARAMETERS)} numbers")
    for index, (value, low, high) in enumerate(zip(values, LOWER_BOUNDS_PARAMETERS, UPPER_BOUNDS_PARAMETERS,
                                                   strict=True)):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise ValueError(f"FSRS parameter w{index} is {value!r}, not a number")
        if not low <= value <= high:
            raise ValueError(f"FSRS parameter w{index} is {value}, outside {low} to {high}")
    return tuple(float(v) for v in values)


@dataclass
class StudySettings:
    desired_retention: float = 0.90
    new_per_day: int = 20
    reviews_per_day: int = 200
    day_start_hour: int = 4
    # FSRS weights fitted to this user's reviews (core/study/fsrs_fit.py); empty: FSRS-6's defaults.
    # Kept only when they predicted the user's reviews better than the ones they replaced.
    parameters: tuple[float, ...] = ()
    # When the user last chose these settings (ISO UTC; "" when unknown: saved before the stamp
    # existed, or never saved). Not a setting: a progress import compares it to keep the newer
    # settings, so it takes no part in equality either.
    saved_at: str = field(default="", compare=False)

    LIMITS = {"desired_retention": (0.80, 0.97), "new_per_day": (0, 9999),
              "reviews_per_day": (0, 99999), "day_start_hour": (0, 23)}

    def validated(self) -> StudySettings:
        for name, (low, high) in self.LIMITS.items():
            value = getattr(self, name)
            if not low <= value <= high:
                raise ValueError(f"{name.replace('_', ' ')} must be between {low} and {high}")
        if self.parameters:
            self.parameters = check_parameters(self.parameters)
        return self

    @property
    def fsrs_parameters(self) -> tuple[float, ...]:
        """The weights the scheduler uses: the fitted ones, else FSRS-6's defaults."""
        return self.parameters or tuple(DEFAULT_PARAMETERS)

    def scheduler(self, *, enable_fuzzing: bool = True) -> StudyScheduler:
        """The scheduler these settings describe (day start, retention, weights)."""
        return StudyScheduler(day_start_hour=self.day_start_hour, desired_retention=self.desired_retention,
                              enable_fuzzing=enable_fuzzing, parameters=self.fsrs_parameters)

    @classmethod
    def load(cls, conn: sqlite3.Connection) -> StudySettings:
        row = conn.execute("SELECT value FROM settings WHERE key = 'study'").fetchone()
        settings = cls()
        if row:
            data = json.loads(row[0])
            for name in cls.LIMITS:
                if name in data:
                    setattr(settings, name, type(getattr(settings, name))(data[name]))
            try:  # weights this database wrote; unreadable ones fall back to the defaults
                settings.parameters = check_parameters(data["parameters"]) if data.get("parameters") else ()
            except ValueError:
                settings.parameters = ()
            settings.saved_at = _stamp_or_empty(data.get("saved_at"))
        return settings

    @classmethod
    def from_dict(cls, data: object) -> StudySettings:
        """Settings from JSON that did not come from this database (a progress file), checked
        strictly: a wrong type or an out-of-range value raises ValueError with a readable
        message rather than being coerced. Missing settings take their defaults, as in load()."""
        if not isinstance(data, dict):
            raise ValueError("the study settings are not a JSON object")
        settings = cls()
        for name in cls.LIMITS:
            if name not in data:
                continue
            value, wanted = data[name], type(getattr(settings, name))
            # bool is an int in Python, and an int is a fine retention (1 would fail the range check).
            allowed = (int, float) if wanted is float else (int,)
            if isinstance(value, bool) or not isinstance(value, allowed):
                raise ValueError(f"{name.replace('_', ' ')} is {value!r}, not a number")
            setattr(settings, name, wanted(value))
        if data.get("parameters"):  # absent in files from before the weights travelled: the defaults
            settings.parameters = check_parameters(data["parameters"])
        settings.saved_at = _stamp_or_empty(data.get("saved_at"))
        return settings.validated()

    def to_dict(self) -> dict:
        data: dict = {name: getattr(self, name) for name in self.LIMITS}
        if self.parameters:
            data["parameters"] = list(self.parameters)
        if self.saved_at:
            data["saved_at"] = self.saved_at
        return data

    def save(self, conn: sqlite3.Connection, now: datetime | None = None) -> None:
        """Store the settings the user just chose, stamped with the time of choosing."""
        self.validated()
        self.saved_at = iso(now or system_clock())
        self.store(conn)

    def store(self, conn: sqlite3.Connection) -> None:
        """Write the settings as they are, stamp included, inside the caller's transaction
        (a progress import keeps the file's stamp, so the two computers agree afterwards)."""
        conn.execute("INSERT OR REPLACE INTO settings VALUES ('study', ?)", (json.dumps(self.validated().to_dict()),))


def _stamp_or_empty(value: object) -> str:
    """A timezone-aware ISO time as given, else "" (an unreadable stamp counts as no stamp).
    Converting to UTC also refuses times at the edge of the calendar, which cannot be compared."""
    try:
        moment = datetime.fromisoformat(value) if isinstance(value, str) else None
        if moment is not None and moment.tzinfo is not None and moment.astimezone(UTC):
            return value
    except (ValueError, OverflowError):
        pass
    return ""


# ---------------------------------------------------------------- scopes

@dataclass(frozen=True)
class Scope:
    """Which questions a session draws from: all, topic, level, milestone, bookmarks, pack or questions."""

    kind: str = "all"
    value: str = ""
    label: str = "All questions"

    def question_ids(self, library: Library, bookmarks: Iterable[str] = ()) -> list[str]:
        if self.kind == "all":
            return [q.id for q in library.questions()]
        if self.kind == "topic":
            topic = library.topic(self.value)
            return [q.id for q in topic.questions] if topic else []
        if self.kind == "pack":
            return [q.id for q in library.questions() if q.pack == self.value]
        if self.kind == "level":
            # The questions' own level: a milestone of one level may link questions of another
            # (a Researcher milestone reading a Developer Level 1 question).
            return [q.id for q in library.questions() if q.level == self.value]
        # The rest pick from the library in its order (a topic's list is its own: no pass over
        # every question, which the deck list would pay once per topic).
        if self.kind == "milestone":
            milestone = library.milestone(self.value)
            wanted = set(milestone.questions) if milestone else set()
        elif self.kind == "bookmarks":
            wanted = set(bookmarks)
        elif self.kind == "questions":  # a list of ids, comma-separated (a mock's missed questions)
            wanted = set(self.value.split(","))
        else:
            raise ValueError(f"unknown scope {self.kind!r}")
        return [q.id for q in library.questions() if q.id in wanted] if wanted else []


# ---------------------------------------------------------------- storage

_CARD_COLUMNS = "question_id, card_id, state, step, stability, difficulty, due, last_review, suspended, buried_day"
# Read with the row so an answer can tell whether the card changed since its preview.
_CARD_COLUMNS_VERSIONED = _CARD_COLUMNS + ", version"


def write_card(conn: sqlite3.Connection, row: tuple) -> None:
    """Insert or overwrite a card row (the ``_CARD_COLUMNS`` values), adding 1 to its version.

    The one way a card's scheduling is written: an upsert, not INSERT OR REPLACE, which would
    delete the row and start its version over."""
    conn.execute(
        f"INSERT INTO cards ({_CARD_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT(question_id) DO UPDATE SET card_id = excluded.card_id, state = excluded.state, "
        "step = excluded.step, stability = excluded.stability, difficulty = excluded.difficulty, "
        "due = excluded.due, last_review = excluded.last_review, suspended = excluded.suspended, "
        "buried_day = excluded.buried_day, version = cards.version + 1", row)


def card_to_json(card: Card | None) -> str | None:
    """The card state kept in the review log (before and after each answer)."""
    if card is None:
        return None
    last = f'"{iso(card.last_review)}"' if card.last_review else "null"
    return (f'{{"state":{int(card.state)},"step":{_json_num(card.step)},"stability":{_json_num(card.stability)},'
            f'"difficulty":{_json_num(card.difficulty)},"due":"{iso(card.due)}","last_review":{last}}}')


def _json_num(value) -> str:
    return "null" if value is None else repr(value)


def card_from_row(row: tuple) -> Card | None:
    """A cards row to an fsrs Card; None for a never-reviewed card."""
    _qid, card_id, state, step, stability, difficulty, due, last_review = row[:8]
    if state == NEW:
        return None
    return Card(card_id=card_id, state=State(state), step=step, stability=stability, difficulty=difficulty,
                due=parse_time(due), last_review=parse_time(last_review))


# Ties on ``due`` go by question id, the order the in-memory queues keep (bisect on
# (due, id)): an undo that writes a row back then finds the queue as it was.
_DUE_QUERY = ("SELECT due, question_id FROM cards WHERE due < ? AND state {} AND suspended = 0 "
              "AND (buried_day IS NULL OR buried_day != ?) ORDER BY due, question_id")


class _Everything:
    def __contains__(self, _item: object) -> bool:
        return True


@dataclass
class _Undo:
    question_id: str
    previous_row: tuple | None
    review_uid: str | None
    removed: tuple[str, int, object] | None  # (queue name, position, entry) the card left
    inserted: tuple[str, str] | None  # the learning entry the answer added
    answered: int
    again: int
    seconds: float
    kind: str = "answer"  # or "bury", "suspend"


@dataclass
class SessionSummary:
    answered: int = 0
    again: int = 0
    seconds: float = 0.0

    @property
    def again_rate(self) -> float:
        return self.again / self.answered if self.answered else 0.0


@dataclass
class Preview:
    rating: Rating
    card: Card
    interval: timedelta

    @property
    def label(self) -> str:
        return f"{RATING_NAMES[self.rating]} · {format_interval(self.interval)}"


@dataclass
class StudySession:
    """One review session over a scope. Build it with ``StudySession.open``."""

    conn: sqlite3.Connection
    scope_ids: Sequence[str]  # a tuple: nothing the cyclic collector walks (core/memory.py id_set)
    settings: StudySettings
    clock: Clock = system_clock
    learning: list[tuple[str, str]] = field(default_factory=list)  # (due iso, question id), sorted
    reviews: list[str] = field(default_factory=list)
    new: list[str] = field(default_factory=list)
    summary: SessionSummary = field(default_factory=SessionSummary)
    _undo: list[_Undo] = field(default_factory=list)
    _current: str | None = None
    _previews: dict[Rating, Preview] = field(default_factory=dict)
    _preview_row: tuple | None = None  # the card row (with its version) the previews came from
    whole_library: bool = False
    # Practise ahead: every card of the scope is offered today, due or not (a mock's missed
    # questions); FSRS schedules an early review from the time elapsed, as Anki's filtered decks do.
    ahead: bool = False
    extra_new: int = 0  # custom study: new cards added to today's limit for this scope
    suspend_leeches: bool = False  # a lapse that makes a card a leech also suspends it
    last_leech: str | None = None  # the card the last answer suspended as a leech

    def __post_init__(self) -> None:
        self.scheduler = self.settings.scheduler()

    # ------------------------------------------------------------ building the queue
    @classmethod
    def open(cls, conn: sqlite3.Connection, scope_ids: list[str], settings: StudySettings | None = None,
             clock: Clock = system_clock, *, whole_library: bool = False, ahead: bool = False,
             extra_new: int = 0) -> StudySession:
        """``whole_library``: the scope is every question, so due cards need no scope check.
        ``ahead``: offer every card of the scope now, due or not (see the field).
        ``extra_new``: new cards over today's limit for this scope (``custom_new_today``)."""
        session = cls(conn, tuple(scope_ids), settings or StudySettings.load(conn), clock)
        session.whole_library = whole_library
        session.ahead = ahead
        session.extra_new = max(0, extra_new)
        session.suspend_leeches = leech_auto_suspend(conn)
        session.rebuild()
        return session

    @classmethod
    def for_question(cls, conn: sqlite3.Connection, question_id: str, settings: StudySettings | None = None,
                     clock: Clock = system_clock) -> StudySession:
        """A session of one card, current whether it is due or not: a mock interview answer is
        recorded through ``answer`` like any flashcard (same review row, same card write)."""
        session = cls(conn, [question_id], settings or StudySettings.load(conn), clock)
        session._current = question_id
        return session

    def rebuild(self) -> None:
        now = self.clock()
        hour = self.settings.day_start_hour
        today = study_day(now, hour)
        today_iso = today.isoformat()
        new_done, reviews_done = self._done_today(today)
        learning_until = iso(learning_horizon(now, hour))
        in_scope = self._in_scope()
        self.learning = [row for row in self.conn.execute(_DUE_QUERY.format(f"IN ({State.Learning}, "
                                                                            f"{State.Relearning})"),
                                                          (learning_until, today_iso)) if row[1] in in_scope]
        self.reviews = self._first_due_reviews(max(0, self.settings.reviews_per_day - reviews_done), today)
        self.new = self._first_new(max(0, self.settings.new_per_day + self.extra_new - new_done), today_iso)
        if self.ahead:
            self._queue_ahead(today_iso)
        self._current = None
        self._pick()

    def _queue_ahead(self, today_iso: str) -> None:
        """Every card of the scope that is not already queued or hidden, as a review now."""
        queued = {qid for _due, qid in self.learning} | set(self.reviews) | set(self.new)
        hidden = {qid for (qid,) in self.conn.execute(
            "SELECT question_id FROM cards WHERE question_id IN (SELECT value FROM json_each(?)) "
            "AND (suspended = 1 OR buried_day = ?)", (json.dumps(self.scope_ids), today_iso))}
        self.reviews += [qid for qid in self.scope_ids if qid not in queued and qid not in hidden]

    def _in_scope(self) -> set[str] | _Everything:
        # Due cards come from the due index; only they are checked against the scope.
        return _Everything() if self.whole_library else set(self.scope_ids)

    def _first_due_reviews(self, wanted: int, today: date) -> list[str]:
        """Review cards due today, most overdue first; the cursor stops at ``wanted``."""
        found: list[str] = []
        if not wanted:
            return found
        day_end = iso(day_start(today + timedelta(days=1), self.settings.day_start_hour))
        in_scope = self._in_scope()
        for _due, qid in self.conn.execute(_DUE_QUERY.format(f"= {State.Review}"), (day_end, today.isoformat())):
            if qid in in_scope:
                found.append(qid)
                if len(found) >= wanted:
                    break
        return found

    def _first_new(self, wanted: int, today_iso: str, batch: int = 500) -> list[str]:
        """The first never-reviewed, not hidden cards in library order, looked up in batches so
        a large, mostly reviewed library never loads every card row."""
        found: list[str] = []
        for offset in range(0, len(self.scope_ids) if wanted else 0, batch):
            chunk = self.scope_ids[offset:offset + batch]
            marks = ",".join("?" * len(chunk))
            taken = {qid for (qid,) in self.conn.execute(
                f"SELECT question_id FROM cards WHERE question_id IN ({marks}) AND (state != ? OR suspended = 1 "
                "OR buried_day = ?)", (*chunk, NEW, today_iso))}
            for qid in chunk:
                if qid not in taken:
                    found.append(qid)
                    if len(found) >= wanted:
                        return found
        return found

    def _done_today(self, today: date) -> tuple[int, int]:
        return done_today(self.conn, today, self.settings.day_start_hour)

    # ------------------------------------------------------------ the current card
    def _pick(self) -> None:
        now_iso = iso(self.clock())
        ahead_iso = iso(self.clock() + LEARN_AHEAD)
        if self.learning and self.learning[0][0] <= now_iso:
            self._current = self.learning[0][1]
        elif self.reviews:
            self._current = self.reviews[0]
        elif self.new:
            self._current = self.new[0]
        elif self.learning and self.learning[0][0] <= ahead_iso:
            self._current = self.learning[0][1]
        else:
            self._current = None
        self._previews = {}

    @property
    def current(self) -> str | None:
        return self._current

    def counts(self) -> tuple[int, int, int]:
        """Cards left today: (new, learning, review)."""
        return len(self.new), len(self.learning), len(self.reviews)

    def _row(self, qid: str) -> tuple | None:
        """The card row with its version as the last value (``_CARD_COLUMNS`` then ``version``)."""
        return self.conn.execute(f"SELECT {_CARD_COLUMNS_VERSIONED} FROM cards WHERE question_id = ?",
                                 (qid,)).fetchone()

    def _card(self, qid: str, row: tuple | None) -> Card | None:
        return card_from_row(row) if row else None

    def previews(self) -> dict[Rating, Preview]:
        """What each rating would do to the current card (the buttons' intervals).

        The outcome shown is the outcome applied: answering reuses these results, so fuzzing
        can never make a button lie.
        """
        if self._current is None:
            return {}
        if not self._previews:
            self._compute_previews(self._row(self._current))
        return self._previews

    def _compute_previews(self, row: tuple | None) -> None:
        now = self.clock()
        card = self._card(self._current, row) or Card(card_id=card_id_for(self._current), due=now)
        self._previews = {}
        for rating in RATINGS:
            after, _log = self.scheduler.review_card(card, rating, now)
            self._previews[rating] = Preview(rating, after, after.due - now)
        self._preview_row = row

    # ------------------------------------------------------------ answering
    def answer(self, rating: Rating | int, duration_ms: int = 0) -> str:
        """Record an answer for the current card; returns the review's uid once it is committed."""
        qid = self._current
        if qid is None:
            raise RuntimeError("no card to answer")
        rating = Rating(int(rating))
        self.previews()
        uid = uuid.uuid4().hex
        # One transaction, committed before the next card is shown. The row is read again under
        # the write lock: if another process or an import changed it since the preview, the
        # outcome is computed afresh from what is there now, never written over it.
        with transaction(self.conn):
            row = self._row(qid)
            if row != self._preview_row:
                self._compute_previews(row)
            now = self.clock()
            before = self._card(qid, row)
            after = self._previews[rating].card
            suspended, buried = (row[8], row[9]) if row else (0, None)
            self.conn.execute(
                "INSERT INTO reviews (uid, question_id, rating, reviewed_at, duration_ms, state_before, state_after)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (uid, qid, int(rating), iso(now), int(duration_ms), card_to_json(before), card_to_json(after)))
            fault_point("answer")
            leech = (self.suspend_leeches and rating == Rating.Again and before is not None
                     and before.state == State.Review and not suspended and lapses(self.conn, qid) >= LEECH_LAPSES)
            if leech:
                suspended = 1
            write_card(self.conn, (qid, after.card_id, int(after.state), after.step, after.stability,
                                   after.difficulty, iso(after.due), iso(after.last_review), suspended, buried))
        self.last_leech = qid if leech else None
        undo = _Undo(qid, row, uid, self._remove_from_queues(qid), None, self.summary.answered,
                     self.summary.again, self.summary.seconds)
        self.summary.answered += 1
        self.summary.again += rating == Rating.Again
        self.summary.seconds += duration_ms / 1000
        if after.state in (State.Learning, State.Relearning) and not leech:
            if after.due < learning_horizon(now, self.settings.day_start_hour):
                undo.inserted = (iso(after.due), qid)
                bisect.insort(self.learning, undo.inserted)
        self._undo.append(undo)
        self._pick()
        return uid

    def _remove_from_queues(self, qid: str) -> tuple[str, int, object] | None:
        """Take the card out of whichever queue holds it; returns where it was, for undo."""
        for position, entry in enumerate(self.learning[:1] + self.learning[1:8]):
            if entry[1] == qid:  # the answered card is almost always at the front
                del self.learning[position]
                return ("learning", position, entry)
        for name in ("reviews", "new"):
            queue = getattr(self, name)
            if queue and queue[0] == qid:
                queue.pop(0)
                return (name, 0, qid)
        for name in ("learning", "reviews", "new"):
            queue = getattr(self, name)
            for position, entry in enumerate(queue):
                if (entry[1] if name == "learning" else entry) == qid:
                    del queue[position]
                    return (name, position, entry)
        return None

    # ------------------------------------------------------------ bury, suspend, undo
    def bury(self) -> None:
        """Hide the current card until tomorrow's study day."""
        self._set_flag("buried_day", study_day(self.clock(), self.settings.day_start_hour).isoformat())

    def suspend(self) -> None:
        """Hide the current card until it is unsuspended."""
        self._set_flag("suspended", 1)

    def _set_flag(self, column: str, value) -> None:
        qid = self._current
        if qid is None:
            return
        with transaction(self.conn):
            row = self._row(qid)
            if row is None:
                self.conn.execute(
                    f"INSERT INTO cards ({_CARD_COLUMNS}) VALUES (?, ?, ?, NULL, NULL, NULL, ?, NULL, 0, NULL)",
                    (qid, card_id_for(qid), NEW, iso(self.clock())))
                fault_point("hide")
            self.conn.execute(f"UPDATE cards SET {column} = ?, version = version + 1 WHERE question_id = ?",
                              (value, qid))
        removed = self._remove_from_queues(qid)
        self._undo.append(_Undo(qid, row, None, removed, None, self.summary.answered,
                                self.summary.again, self.summary.seconds,
                                "suspend" if column == "suspended" else "bury"))
        if removed is not None and removed[0] in ("new", "reviews"):
            # A hidden card is not studied: it leaves room for the next new or review card today.
            self._refill(removed[0])
        self._pick()

    def _refill(self, queue: str) -> None:
        """The new or review queue as a freshly opened session would build it now (same order, limit)."""
        today = study_day(self.clock(), self.settings.day_start_hour)
        new_done, reviews_done = self._done_today(today)
        if queue == "new":
            self.new = self._first_new(max(0, self.settings.new_per_day + self.extra_new - new_done),
                                       today.isoformat())
        else:
            self.reviews = self._first_due_reviews(max(0, self.settings.reviews_per_day - reviews_done), today)

    def can_undo(self) -> bool:
        return bool(self._undo)

    def undo_kind(self) -> str:
        """What undo would take back: "answer", "bury" or "suspend" ("" when nothing)."""
        return self._undo[-1].kind if self._undo else ""

    def undo(self) -> str | None:
        """Take back the last answer (or bury/suspend): the card row is restored exactly."""
        if not self._undo:
            return None
        entry = self._undo.pop()
        with transaction(self.conn):
            if entry.review_uid:
                self.conn.execute("DELETE FROM reviews WHERE uid = ?", (entry.review_uid,))
                fault_point("undo")
            if entry.previous_row is None:
                self.conn.execute("DELETE FROM cards WHERE question_id = ?", (entry.question_id,))
            else:
                write_card(self.conn, entry.previous_row[:10])  # the old scheduling, a new version
        if entry.inserted is not None:
            position = bisect.bisect_left(self.learning, entry.inserted)
            if position < len(self.learning) and self.learning[position] == entry.inserted:
                del self.learning[position]
        if entry.removed is not None:
            name, position, item = entry.removed
            if name in ("new", "reviews") and entry.review_uid is None:
                self._refill(name)  # the unhidden card is back in its place; the card that filled in leaves
            else:
                getattr(self, name).insert(position, item)
        self.summary = SessionSummary(entry.answered, entry.again, entry.seconds)
        self._current = entry.question_id
        self._previews = {}
        return entry.question_id

    # ------------------------------------------------------------ when is the next card
    def next_due(self) -> datetime | None:
        """When the next card in this scope becomes due (for the "nothing due" screen)."""
        if self.learning:
            return parse_time(self.learning[0][0])
        in_scope = set(self.scope_ids)
        now_iso = iso(self.clock())
        for qid, due in self.conn.execute(
                "SELECT question_id, due FROM cards WHERE state != ? AND suspended = 0 AND due > ? ORDER BY due",
                (NEW, now_iso)):
            if qid in in_scope:
                return parse_time(due)
        return None

    def new_left_in_scope(self) -> int:
        """Never-reviewed cards in the scope that could be studied today (not suspended or buried),
        beyond today's limit."""
        today = study_day(self.clock(), self.settings.day_start_hour).isoformat()
        known = {qid for (qid,) in self.conn.execute(
            "SELECT question_id FROM cards WHERE state != ? OR suspended = 1 OR buried_day = ?", (NEW, today))}
        return sum(1 for qid in self.scope_ids if qid not in known)


def done_today(conn: sqlite3.Connection, today: date, day_start_hour: int) -> tuple[int, int]:
    """(new cards, review cards) answered so far on the study day ``today``: what is left of the
    daily limits. A card counts once, by its state before its first answer today."""
    start = iso(day_start(today, day_start_hour))
    new_done = reviews_done = 0
    seen: set[str] = set()
    for qid, before_state in conn.execute(
            "SELECT question_id, json_extract(state_before, '$.state') FROM reviews WHERE reviewed_at >= ? "
            "ORDER BY reviewed_at", (start,)):
        if qid in seen:
            continue
        seen.add(qid)
        if before_state is None:
            new_done += 1
        elif before_state == State.Review:
            reviews_done += 1
    return new_done, reviews_done


# ---------------------------------------------------------------- leeches

_LEECH_KEY = "leeches"  # {"suspend": bool}; this computer's


def lapses(conn: sqlite3.Connection, qid: str) -> int:
    """Times the card was forgotten in review (Again on a card in the Review state)."""
    return conn.execute("SELECT count(*) FROM reviews WHERE question_id = ? AND rating = 1 AND "
                        "json_extract(state_before, '$.state') = ?", (qid, int(State.Review))).fetchone()[0]


def leech_auto_suspend(conn: sqlite3.Connection) -> bool:
    row = conn.execute("SELECT value FROM settings WHERE key = ?", (_LEECH_KEY,)).fetchone()
    try:
        return bool(json.loads(row[0]).get("suspend")) if row else False
    except (ValueError, AttributeError):
        return False


def set_leech_auto_suspend(conn: sqlite3.Connection, on: bool) -> None:
    with transaction(conn):
        conn.execute("INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)",
                     (_LEECH_KEY, json.dumps({"suspend": bool(on)})))


# ---------------------------------------------------------------- custom study

_CUSTOM_KEY = "custom_study"  # {"day": study day, "extra": {scope key: new cards added}}; this computer's


def _custom(conn: sqlite3.Connection, today: str) -> dict[str, int]:
    row = conn.execute("SELECT value FROM settings WHERE key = ?", (_CUSTOM_KEY,)).fetchone()
    try:
        data = json.loads(row[0]) if row else {}
        extra = data.get("extra", {}) if data.get("day") == today else {}
        return {str(k): int(v) for k, v in extra.items() if int(v) > 0}
    except (ValueError, TypeError, AttributeError):
        return {}


def custom_new_today(conn: sqlite3.Connection, scope_key: str, settings: StudySettings,
                     clock: Clock = system_clock) -> int:
    """New cards added today to one scope's limit ("+N new cards today", Anki's custom study).
    The daily limit is shared, so a scope's extra cards are studied after the limit is used up."""
    today = study_day(clock(), settings.day_start_hour).isoformat()
    return _custom(conn, today).get(scope_key, 0)


def add_custom_new(conn: sqlite3.Connection, scope_key: str, count: int, settings: StudySettings,
                   clock: Clock = system_clock) -> int:
    """Raise today's new-card limit for one scope by ``count``; returns the scope's extra today.
    Tomorrow it is gone."""
    today = study_day(clock(), settings.day_start_hour).isoformat()
    with transaction(conn):
        extra = _custom(conn, today)
        extra[scope_key] = extra.get(scope_key, 0) + max(0, count)
        conn.execute("INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)",
                     (_CUSTOM_KEY, json.dumps({"day": today, "extra": extra})))
    return extra[scope_key]


CUSTOM_DAYS = (1, 365)  # the range "due in the next N days" and "Again in the last N days" accept


def _custom_days(days: int) -> int:
    low, high = CUSTOM_DAYS
    if not low <= days <= high:
        raise ValueError(f"the number of days must be between {low} and {high}")
    return days


def due_ahead(conn: sqlite3.Connection, scope_ids: Iterable[str], days: int, settings: StudySettings,
              clock: Clock = system_clock) -> list[str]:
    """Custom study "Study ahead": the scope's studied cards due by the end of the study day
    ``days`` from today (overdue and today's included), soonest first; none suspended or buried.
    Studied early, FSRS schedules them from the days that really elapsed."""
    hour = settings.day_start_hour
    today = study_day(clock(), hour)
    until = iso(day_start(today + timedelta(days=_custom_days(days) + 1), hour))
    wanted = set(scope_ids)
    # The (state, due) index: one range per studied state, merged by the ORDER BY.
    return [qid for (qid,) in conn.execute(
        "SELECT question_id FROM cards WHERE state IN (?, ?, ?) AND due < ? AND suspended = 0 "
        "AND (buried_day IS NULL OR buried_day != ?) ORDER BY due, question_id",
        (State.Learning, State.Review, State.Relearning, until, today.isoformat())) if qid in wanted]


def forgotten_recently(conn: sqlite3.Connection, scope_ids: Iterable[str], days: int, settings: StudySettings,
                       clock: Clock = system_clock) -> list[str]:
    """Custom study "Review forgotten cards": the scope's cards rated Again in the last ``days``
    study days (today is the first), in scope order; none suspended or buried."""
    hour = settings.day_start_hour
    today = study_day(clock(), hour)
    since = iso(day_start(today - timedelta(days=_custom_days(days) - 1), hour))
    forgotten = {qid for (qid,) in conn.execute(
        "SELECT DISTINCT question_id FROM reviews WHERE reviewed_at >= ? AND rating = ?", (since, int(Rating.Again)))}
    if forgotten:
        forgotten -= {qid for (qid,) in conn.execute(
            "SELECT question_id FROM cards WHERE question_id IN (SELECT value FROM json_each(?)) "
            "AND (suspended = 1 OR buried_day = ?)", (json.dumps(sorted(forgotten)), today.isoformat()))}
    return [qid for qid in dict.fromkeys(scope_ids) if qid in forgotten]


# ---------------------------------------------------------------- queries used by the UI

def learning_horizon(now: datetime, day_start_hour: int) -> datetime:
    """Learning cards due before this belong to today: the end of the study day, or the
    learn-ahead window when that reaches further, so a 10-minute step taken just before the day
    starts over is not dropped until tomorrow (Anki keeps it too)."""
    return max(day_start(study_day(now, day_start_hour) + timedelta(days=1), day_start_hour), now + LEARN_AHEAD)


# ---------------------------------------------------------------- consistency

_SCHEDULING_KEYS = ("state", "step", "stability", "difficulty", "due", "last_review")
_MEMORY_KEYS = ("state", "step", "stability", "difficulty")


def inconsistent_cards(conn: sqlite3.Connection, scheduler: Scheduler | None = None) -> list[str]:
    """Cards whose stored state is not what replaying their review log gives, one line each.

    Replaying a card's log applies each review in turn: every review must start from the state
    the previous one left (the first from no state), FSRS applied to that state with the review's
    rating and time must give the state it recorded (due dates are fuzzed, so memory only:
    state, step, stability, difficulty), and the card row must hold the last outcome. A write torn
    between its statements, or an answer computed from a stale row, breaks one of these links.

    The card browser's actions are allowed for: "forget" leaves a new card (state 0) after its
    reviews, and its next review starts from no state; "set due date" moves only ``due``, so the
    row is compared with the last outcome on everything but ``due`` (written in the same
    statement as the rest, a torn write cannot change it alone)."""
    scheduler = scheduler or StudySettings.load(conn).scheduler()
    problems: list[str] = []
    previous: dict[str, str | None] = {}
    for qid, uid, rating, at, before, after in conn.execute(
            "SELECT question_id, uid, rating, reviewed_at, state_before, state_after FROM reviews "
            "ORDER BY question_id, reviewed_at, id"):
        try:
            if before is not None and _scheduling(before) != _scheduling(previous.get(qid)):
                problems.append(f"{qid}: review {uid} starts from a state the previous review did not leave")
            elif not _same_memory(_replayed(scheduler, qid, before, rating, at), _scheduling(after)):
                problems.append(f"{qid}: review {uid} recorded an outcome FSRS does not give for its start")
        except (ValueError, TypeError, KeyError, AttributeError):
            problems.append(f"{qid}: review {uid} holds a state that cannot be read")
        previous[qid] = after
    rows = {row[0]: row for row in conn.execute(f"SELECT {_CARD_COLUMNS} FROM cards")}
    for qid, last in previous.items():
        row = rows.get(qid)
        if row is not None and row[2] == NEW:
            continue  # forgotten in the card browser: new again, its log kept
        stored = None if row is None else dict(zip(_SCHEDULING_KEYS, row[2:8], strict=True))
        try:
            outcome = _scheduling(last)
            matches = stored is not None and outcome is not None and all(
                stored[key] == outcome[key] for key in _SCHEDULING_KEYS if key != "due")
        except (ValueError, TypeError):
            matches = False
        if not matches:
            problems.append(f"{qid}: the card row is not the outcome of its last review")
    for qid, row in rows.items():
        if qid not in previous and row[2] != NEW:
            problems.append(f"{qid}: the card has a review state but no review")
    return problems


def _scheduling(state_json: str | None) -> dict | None:
    if state_json is None:
        return None
    data = json.loads(state_json)
    return {key: data.get(key) for key in _SCHEDULING_KEYS}


def _replayed(scheduler: Scheduler, qid: str, before: str | None, rating: int, at: str) -> dict:
    moment = parse_time(at)
    start = _scheduling(before)
    card = (Card(card_id=card_id_for(qid), state=State(start["state"]), step=start["step"],
                 stability=start["stability"], difficulty=start["difficulty"], due=parse_time(start["due"]),
                 last_review=parse_time(start["last_review"]))
            if start else Card(card_id=card_id_for(qid), due=moment))
    after, _log = scheduler.review_card(card, Rating(rating), moment)
    return {"state": int(after.state), "step": after.step, "stability": after.stability,
            "difficulty": after.difficulty}


def _same_memory(replayed: dict, recorded: dict | None) -> bool:
    if recorded is None:
        return False
    for key in _MEMORY_KEYS:
        a, b = replayed[key], recorded[key]
        if isinstance(a, float) and isinstance(b, float):
            if abs(a - b) > 1e-9 * max(1.0, abs(a)):
                return False
        elif a != b:
            return False
    return True
