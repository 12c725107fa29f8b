"""Today's counts for many decks at once: the Flashcards deck list and the window's due badge.

``StudySession.open(...).counts()`` gives one scope's (new, learning, review) by building its
queue: a deck list of twenty-odd scopes built twenty-odd sessions, each reading the card table
again (seconds at 100,000 questions). Here the card table is read once, into the cards due today
and the cards that can no longer be new, and every scope is counted from those with the same
rules and daily limits as the session (tests/core/study/test_deck_counts.py holds the two to the
same numbers).

The scopes overlap (all, levels, topics, milestones, packs): a question is counted once, in its
class (the questions held by exactly the same scopes), and each scope adds up its classes
(``ScopeIndex``). The classes are few, the index is built once per library, and a count costs a
hash lookup per card read, not a set intersection per scope over its every question.

That read and those lookups are still most of a count at 100,000 cards (~150 ms), and what they
give changes only when a card row is written or the study day ends. A ``DeckTally`` keeps it
between counts: the deck list hands back the cards written since (``deck_tally``), and only those
are read again; learning cards, few and due as the clock moves, are read at each count.
"""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from collections.abc import Collection, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Generic, TypeVar

from fsrs import State

from ..clock import Clock, day_start, iso, study_day, system_clock
from ..memory import id_set
from .session import NEW, StudySettings, done_today, learning_horizon

Key = TypeVar("Key", bound=Hashable)

def _ids_where(condition: str) -> str:
    """SQL: the ids of the cards meeting ``condition``, as one JSON array: one string crosses into
    Python rather than a row a card."""
    return f"json_group_array(question_id) FILTER (WHERE {condition})"


READ_CHUNK = 10_000  # card rows a tally reads at a time (DeckTally): a few ms of the interpreter each

# Not suspended, not buried today: what a session shows (core/study/session.py _DUE_QUERY).
_SHOWN_TODAY = "suspended = 0 AND (buried_day IS NULL OR buried_day != :today)"


@dataclass(frozen=True)
class DeckCounts:
    """Cards left today in one scope, as its study session would queue them."""

    new: int
    learning: int
    review: int

    @property
    def due(self) -> int:
        return self.learning + self.review


class ScopeIndex(Generic[Key]):
    """Which scopes hold each question, by class: the questions held by exactly the same scopes
    share a class. Immutable once built, so a worker thread may read one the UI thread keeps."""

    def __init__(self, scopes: Mapping[Key, Sequence[str]]) -> None:
        self.keys = list(scopes)
        # Partition refinement, scope by scope: a question's class moves, on each scope holding
        # it, to the class "its class, and this scope" (a step memoised for all the questions
        # making it). Questions in the same scopes take the same steps and end in the same class;
        # only the one dict of classes is kept, never a list of scopes per question. Scopes are
        # numbered by position: a tuple of ints hashes in C, a dataclass key (ui's Scope) in Python.
        class_of: dict[str, int] = {}
        self._scopes_of_class: list[tuple[int, ...]] = [()]  # class 0: in no scope yet
        steps: dict[tuple[int, int], int] = {}
        for position, ids in enumerate(scopes.values()):
            for qid in ids:
                step = (class_of.get(qid, 0), position)
                moved = steps.get(step)
                if moved is None:
                    moved = steps[step] = len(self._scopes_of_class)
                    self._scopes_of_class.append((*self._scopes_of_class[step[0]], position))
                class_of[qid] = moved
        self._class_of = class_of
        self.sizes = {key: len(ids) for key, ids in scopes.items()}

    def __contains__(self, key: object) -> bool:
        return key in self.sizes

    def class_of(self, question_id: str) -> int | None:
        """The class of a question (None: in no scope of this index)."""
        return self._class_of.get(question_id)

    def classes(self, ids: Iterable[str]) -> Counter[int | None]:
        """How many of ``ids`` (distinct) fall in each class (None: in no scope)."""
        return Counter(map(self._class_of.get, ids))  # in C: a hash lookup a card

    def totals(self, by_class: Mapping[int | None, int]) -> dict[Key, int]:
        """Each scope's sum over its classes of ``by_class`` (cards in no scope left out)."""
        counts = [0] * len(self.keys)
        for number, n in by_class.items():
            if number is not None:
                for position in self._scopes_of_class[number]:
                    counts[position] += n
        return dict(zip(self.keys, counts, strict=True))

    def count(self, ids: Iterable[str]) -> dict[Key, int]:
        """How many of ``ids`` (distinct) each scope holds."""
        return self.totals(self.classes(ids))


@dataclass(frozen=True)
class _Day:
    """What a card's place in a tally depends on besides its row: the study day."""

    today: str  # the study day, ISO date
    day_end: str  # when it ends (ISO UTC): a review card due before is due today

    @classmethod
    def of(cls, settings: StudySettings, now: datetime) -> _Day:
        today = study_day(now, settings.day_start_hour)
        return cls(today.isoformat(), iso(day_start(today + timedelta(days=1), settings.day_start_hour)))

    @property
    def params(self) -> dict[str, str]:
        return {"day_end": self.day_end, "today": self.today}


# Due for review today, and no longer new (not new any more, or hidden today): the rules of the
# session's queues (core/study/session.py), written once for the whole read and the re-reads.
_DUE_REVIEW = f"state = {State.Review} AND due < :day_end AND {_SHOWN_TODAY}"
_DUE_LEARNING = f"state IN ({State.Learning}, {State.Relearning}) AND due < :learning_until AND {_SHOWN_TODAY}"
_NOT_NEW_NOW = f"state != {NEW} OR suspended = 1 OR buried_day = :today"


class DeckTally:
    """For one study day and one ScopeIndex: the cards due for review today and the cards that
    can no longer be new, as sets and counted by class. These are what cost a pass over the card
    table and a hash lookup a card (most of a deck list's count at 100,000 cards); they change only
    when a card row is written or the study day ends, so the deck list keeps its tally between two
    counts and ``reread`` brings it up to date from the cards written since (a session's few), not
    from the whole table. Learning cards are not kept: few, and due as the clock moves
    (``learning_horizon``), they are read at each count from the (state, due) index.

    Mutable: one thread at a time (the deck list hands it to its one count on the runner and takes
    it back with the result)."""

    def __init__(self, conn: sqlite3.Connection, index: ScopeIndex, settings: StudySettings, now: datetime) -> None:
        self.index = index
        self.day = _Day.of(settings, now)
        # One pass over the card table: the session reads the due cards from the (state, due)
        # index; here they are only counted, and one scan of the table costs less than the
        # index's lookups of each row when many are due. The pass goes READ_CHUNK rows at a
        # time: parsing 100,000 ids and counting them by class are single C calls that hold the
        # interpreter, and the window's thread waited out each whole one (40-130 ms stalls after
        # every answer at 100,000 cards); between two chunks SQLite lets go of it.
        review: list[str] = []
        not_new: list[str] = []
        self.review_by_class: Counter[int | None] = Counter()
        self.not_new_by_class: Counter[int | None] = Counter()
        after = -1
        while True:
            last, review_ids, not_new_ids = conn.execute(
                f"SELECT max(rowid), {_ids_where(_DUE_REVIEW)}, {_ids_where(_NOT_NEW_NOW)} FROM "
                "(SELECT rowid, * FROM cards WHERE rowid > :after ORDER BY rowid LIMIT :chunk)",
                {**self.day.params, "after": after, "chunk": READ_CHUNK}).fetchone()
            if last is None:
                break
            after = last
            for ids, found, by_class in ((review_ids, review, self.review_by_class),
                                         (not_new_ids, not_new, self.not_new_by_class)):
                chunk = json.loads(ids)
                found += chunk
                by_class.update(index.classes(chunk))
        # As id sets once a card is looked up (a reread, a scope outside the index): a count that
        # needs none (the first, a read anew after a write nobody noted) does not build them.
        # Tuples and id sets (core/memory.py) are nothing the cyclic collector walks.
        self._read: tuple[tuple[str, ...], tuple[str, ...]] | None = (tuple(review), tuple(not_new))
        self._sets: tuple[dict[str, None], dict[str, None]] = ({}, {})

    @property
    def review(self) -> Collection[str]:
        """The cards due for review today."""
        return self._as_sets()[0]

    @property
    def not_new(self) -> Collection[str]:
        """The cards that can no longer be new today."""
        return self._as_sets()[1]

    def _as_sets(self) -> tuple[dict[str, None], dict[str, None]]:
        if self._read is not None:
            # In steps (id_set): a set of 100,000 ids made at once kept the interpreter ~10 ms,
            # and the window with it (the runner reads again after every answer).
            self._sets = (id_set(self._read[0]), id_set(self._read[1]))
            self._read = None
        return self._sets

    def fits(self, index: ScopeIndex, settings: StudySettings, now: datetime) -> bool:
        """Whether this tally counts for ``index`` on the study day of ``now``."""
        return self.index is index and self.day == _Day.of(settings, now)

    def reread(self, conn: sqlite3.Connection, question_ids: Iterable[str]) -> None:
        """Read again the rows of ``question_ids`` (written, inserted or deleted since the tally
        was read): each card moves in or out of the two sets, its class's counts with it. A card
        unchanged stays where it is, so reading one again is harmless."""
        ids = sorted(set(question_ids))
        if not ids:
            return
        now_in = {qid: (bool(review), bool(not_new)) for qid, review, not_new in conn.execute(
            f"SELECT question_id, {_DUE_REVIEW}, {_NOT_NEW_NOW} FROM cards "
            "WHERE question_id IN (SELECT value FROM json_each(:ids))",
            {**self.day.params, "ids": json.dumps(ids)})}
        review_set, not_new_set = self._as_sets()
        for qid in ids:
            review, not_new = now_in.get(qid, (False, False))  # no row: a new card
            self._move(qid, review, review_set, self.review_by_class)
            self._move(qid, not_new, not_new_set, self.not_new_by_class)

    def _move(self, qid: str, inside: bool, members: dict[str, None], by_class: Counter[int | None]) -> None:
        if inside == (qid in members):
            return
        if inside:
            members[qid] = None
            by_class[self.index.class_of(qid)] += 1
        else:
            del members[qid]
            by_class[self.index.class_of(qid)] -= 1


def deck_tally(conn: sqlite3.Connection, index: ScopeIndex, settings: StudySettings, clock: Clock = system_clock,
               kept: DeckTally | None = None, changed: Iterable[str] | None = None) -> DeckTally:
    """A tally for now: ``kept`` brought up to date when it is for ``index`` and today's study
    day and ``changed`` holds every card written since it was read (None: not known); otherwise
    one read anew."""
    now = clock()
    if kept is not None and changed is not None and kept.fits(index, settings, now):
        kept.reread(conn, changed)
        return kept
    return DeckTally(conn, index, settings, now)


def _learning_due(conn: sqlite3.Connection, tally: DeckTally, now: datetime, hour: int) -> list[str]:
    """The learning cards due today, from the (state, due) index: few, and due as the clock moves."""
    (learning_json,) = conn.execute(
        f"SELECT json_group_array(question_id) FROM cards WHERE {_DUE_LEARNING}",
        {**tally.day.params, "learning_until": iso(learning_horizon(now, hour))}).fetchone()
    return json.loads(learning_json)


def deck_counts(conn: sqlite3.Connection, scopes: Mapping[Key, Sequence[str]], settings: StudySettings,
                clock: Clock = system_clock, extra_new: Mapping[Key, int] | None = None,
                index: ScopeIndex[Key] | None = None, tally: DeckTally | None = None) -> dict[Key, DeckCounts]:
    """Each scope's counts (its question ids in library order, distinct). ``extra_new``: new
    cards a scope was given today over the daily limit (core/study/session.py
    ``custom_new_today``). ``index``: a ScopeIndex kept for some of the scopes (those that only
    change with the library); the others (the bookmarks) are counted card by card. ``tally``: a
    DeckTally kept up to date (``deck_tally``) for that index; read here when missing or for
    another index or day."""
    now = clock()
    hour = settings.day_start_hour
    if index is None:
        index = tally.index if tally is not None else ScopeIndex(scopes)
    if tally is None or not tally.fits(index, settings, now):
        tally = DeckTally(conn, index, settings, now)
    new_done, reviews_done = done_today(conn, study_day(now, hour), hour)
    new_left = max(0, settings.new_per_day - new_done)
    reviews_left = max(0, settings.reviews_per_day - reviews_done)
    learning = _learning_due(conn, tally, now, hour)

    review_n = index.totals(tally.review_by_class)
    not_new_n = index.totals(tally.not_new_by_class)
    learning_n = index.count(learning)
    rest = [key for key in scopes if key not in index]
    if rest:
        learning_set = set(learning)
        review_set, not_new_set = tally.review, tally.not_new
        for key in rest:
            ids = scopes[key]
            review_n[key] = sum(1 for qid in ids if qid in review_set)
            not_new_n[key] = sum(1 for qid in ids if qid in not_new_set)
            learning_n[key] = sum(1 for qid in ids if qid in learning_set)

    counts: dict[Key, DeckCounts] = {}
    for key, ids in scopes.items():
        # A session takes its new cards in order as far as today's limit: as many as the limit, or
        # as the scope has.
        wanted_new = new_left + max(0, (extra_new or {}).get(key, 0))
        new_n = min(wanted_new, len(ids) - not_new_n[key])
        counts[key] = DeckCounts(new_n, learning_n[key], min(review_n[key], reviews_left))
    return counts


def due_by_scope(conn: sqlite3.Connection, index: ScopeIndex[Key], settings: StudySettings,
                 clock: Clock = system_clock, tally: DeckTally | None = None) -> dict[Key, int]:
    """Cards due by the end of today in each scope of ``index``, learning and review, before any
    daily limit (the library tree's due counts). ``tally``: one already read for ``index`` (the
    window's badge counts the library's decks from the same read)."""
    now = clock()
    if tally is None or not tally.fits(index, settings, now):
        tally = DeckTally(conn, index, settings, now)
    review = index.totals(tally.review_by_class)
    learning = index.count(_learning_due(conn, tally, now, settings.day_start_hour))
    return {key: review[key] + learning[key] for key in index.keys}
