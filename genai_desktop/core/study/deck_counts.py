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
# The cards due before a moment in some states, not hidden today (core/study/session.py _DUE_QUERY,
# unsorted), as one JSON array: one string crosses into Python rather than a row per card.
_DUE_IDS = ("SELECT json_group_array(question_id) FROM cards WHERE due < ? AND state {} AND suspended = 0 "
            "AND (buried_day IS NULL OR buried_day != ?)")


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
        held_by: dict[str, list[Key]] = {}
        for key, ids in scopes.items():
            for qid in ids:
                if qid in held_by:
                    held_by[qid].append(key)
                else:
                    held_by[qid] = [key]
        classes: dict[tuple[Key, ...], int] = {}
        self._class_of = {qid: classes.setdefault(tuple(keys), len(classes)) for qid, keys in held_by.items()}
        self._scopes_of_class = list(classes)  # in class number order (dicts keep insertion order)
        self.sizes = {key: len(ids) for key, ids in scopes.items()}

    def __contains__(self, key: object) -> bool:
        return key in self.sizes

    def count(self, ids: Iterable[str]) -> Counter[Key]:
        """How many of ``ids`` (distinct) each scope holds."""
        by_class = Counter(map(self._class_of.get, ids))  # in C: a hash lookup a card
        by_class.pop(None, None)  # cards of no scope (not in the library)
        counts: Counter[Key] = Counter()
        for number, n in by_class.items():
            for key in self._scopes_of_class[number]:
                counts[key] += n
        return counts


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
    # One pass over the due index for what is due today, and one over the cards that are not
    # new any more or are hidden today: everything else a scope holds is a new card.
    # Two ranges of the (state, due) index, as the session reads them, unsorted: only counted.
    review = json.loads(conn.execute(_DUE_IDS.format(f"= {State.Review}"), (day_end, today_iso)).fetchone()[0])
    learning = json.loads(conn.execute(_DUE_IDS.format(f"IN ({State.Learning}, {State.Relearning})"),
                                       (learning_until, today_iso)).fetchone()[0])
    not_new = json.loads(conn.execute(
        "SELECT json_group_array(question_id) FROM cards WHERE state != ? OR suspended = 1 OR buried_day = ?",
        (NEW, today_iso)).fetchone()[0])

    indexes = [index] if index is not None else []
    rest = {key: ids for key, ids in scopes.items() if index is None or key not in index}
    if rest:
        indexes.append(ScopeIndex(rest))
    review_n, learning_n, not_new_n = Counter(), Counter(), Counter()
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
