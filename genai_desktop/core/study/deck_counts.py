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
"""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Generic, TypeVar

from fsrs import State

from ..clock import Clock, day_start, iso, study_day, system_clock
from .session import NEW, StudySettings, done_today, learning_horizon

Key = TypeVar("Key", bound=Hashable)

def _ids_where(condition: str) -> str:
    """SQL: the ids of the cards meeting ``condition``, as one JSON array: one string crosses into
    Python rather than a row a card."""
    return f"json_group_array(question_id) FILTER (WHERE {condition})"


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

    def count(self, ids: Iterable[str]) -> dict[Key, int]:
        """How many of ``ids`` (distinct) each scope holds."""
        by_class = Counter(map(self._class_of.get, ids))  # in C: a hash lookup a card
        by_class.pop(None, None)  # cards of no scope (not in the library)
        counts = [0] * len(self.keys)
        for number, n in by_class.items():
            for position in self._scopes_of_class[number]:
                counts[position] += n
        return dict(zip(self.keys, counts, strict=True))


def deck_counts(conn: sqlite3.Connection, scopes: Mapping[Key, Sequence[str]], settings: StudySettings,
                clock: Clock = system_clock, extra_new: Mapping[Key, int] | None = None,
                index: ScopeIndex[Key] | None = None) -> dict[Key, DeckCounts]:
    """Each scope's counts (its question ids in library order, distinct). ``extra_new``: new
    cards a scope was given today over the daily limit (core/study/session.py
    ``custom_new_today``). ``index``: a ScopeIndex kept for some of the scopes (those that only
    change with the library); the others are indexed here."""
    now = clock()
    hour = settings.day_start_hour
    today = study_day(now, hour)
    today_iso = today.isoformat()
    new_done, reviews_done = done_today(conn, today, hour)
    new_left = max(0, settings.new_per_day - new_done)
    reviews_left = max(0, settings.reviews_per_day - reviews_done)
    day_end = iso(day_start(today + timedelta(days=1), hour))
    learning_until = iso(learning_horizon(now, hour))
    # One pass over the card table for what is due today and what can no longer be new (not new
    # any more, or hidden today): everything else a scope holds is a new card. The session reads
    # the due cards from the (state, due) index; here they are only counted, and one scan of the
    # table costs less than the index's lookups of each row when many are due.
    due_review = f"state = {State.Review} AND due < :day_end AND {_SHOWN_TODAY}"
    due_learning = f"state IN ({State.Learning}, {State.Relearning}) AND due < :learning_until AND {_SHOWN_TODAY}"
    not_new_now = f"state != {NEW} OR suspended = 1 OR buried_day = :today"
    review, learning, not_new = (json.loads(ids) for ids in conn.execute(
        f"SELECT {_ids_where(due_review)}, {_ids_where(due_learning)}, {_ids_where(not_new_now)} "
        "FROM cards NOT INDEXED",
        {"day_end": day_end, "learning_until": learning_until, "today": today_iso}).fetchone())

    indexes = [index] if index is not None else []
    rest = {key: ids for key, ids in scopes.items() if index is None or key not in index}
    if rest:
        indexes.append(ScopeIndex(rest))
    review_n: dict[Key, int] = {}
    learning_n: dict[Key, int] = {}
    not_new_n: dict[Key, int] = {}
    for part in indexes:
        review_n.update(part.count(review))
        learning_n.update(part.count(learning))
        not_new_n.update(part.count(not_new))

    counts: dict[Key, DeckCounts] = {}
    for key, ids in scopes.items():
        # A session takes its new cards in order as far as today's limit: as many as the limit, or
        # as the scope has.
        wanted_new = new_left + max(0, (extra_new or {}).get(key, 0))
        new_n = min(wanted_new, len(ids) - not_new_n[key])
        counts[key] = DeckCounts(new_n, learning_n[key], min(review_n[key], reviews_left))
    return counts
