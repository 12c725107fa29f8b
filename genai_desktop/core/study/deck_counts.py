"""Today's counts for many decks at once: the Flashcards deck list and the window's due badge.

``StudySession.open(...).counts()`` gives one scope's (new, learning, review) by building its
queue: a deck list of twenty-odd scopes built twenty-odd sessions, each reading the card table
again (seconds at 100,000 questions). Here the card table is read once, into the cards due today
and the cards that can no longer be new, and every scope is counted against those sets, with
the same rules and daily limits as the session (tests/core/study/test_deck_counts.py holds the two to
the same numbers).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import TypeVar

from fsrs import State

from ..clock import Clock, day_start, iso, study_day, system_clock
from .session import NEW, StudySettings, done_today, learning_horizon

Key = TypeVar("Key", bound=Hashable)
# The cards due before a moment in some states, not hidden today (core/study/session.py _DUE_QUERY, unsorted).
_DUE_IDS = ("SELECT question_id FROM cards WHERE due < ? AND state {} AND suspended = 0 "
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


def deck_counts(conn: sqlite3.Connection, scopes: Mapping[Key, Sequence[str]], settings: StudySettings,
                clock: Clock = system_clock, extra_new: Mapping[Key, int] | None = None) -> dict[Key, DeckCounts]:
    """Each scope's counts (its question ids in library order). ``extra_new``: new cards a scope
    was given today over the daily limit (core/study/session.py ``custom_new_today``)."""
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
    review = {qid for (qid,) in conn.execute(_DUE_IDS.format(f"= {State.Review}"), (day_end, today_iso))}
    learning = {qid for (qid,) in conn.execute(_DUE_IDS.format(f"IN ({State.Learning}, {State.Relearning})"),
                                               (learning_until, today_iso))}
    not_new = {qid for (qid,) in conn.execute(
        "SELECT question_id FROM cards WHERE state != ? OR suspended = 1 OR buried_day = ?", (NEW, today_iso))}

    counts: dict[Key, DeckCounts] = {}
    for key, ids in scopes.items():
        # The due cards a scope holds: set intersections, run in C (a scope's ids are distinct).
        review_n = len(review.intersection(ids)) if review else 0
        learning_n = len(learning.intersection(ids)) if learning else 0
        # Its new cards in order, as far as today's limit: a scope rarely needs more than its first few.
        wanted_new = new_left + max(0, (extra_new or {}).get(key, 0))
        new_n = 0
        if wanted_new:
            for qid in ids:
                if qid not in not_new:
                    new_n += 1
                    if new_n >= wanted_new:
                        break
        counts[key] = DeckCounts(new_n, learning_n, min(review_n, reviews_left))
    return counts
