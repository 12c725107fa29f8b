"""One question's flashcard state, for the reader's quiet line under the breadcrumbs.

``card_state`` is one indexed query (the card row by its key, the lapses through the review
log's question index), so a page change pays well under a millisecond for it. ``state_line``
turns it into the line's HTML, whose ``card:`` links the reader reports and the UI acts on
(ui/card_state_line.py): study the card now, unsuspend, unbury, or add a note to a leech.
"""

from __future__ import annotations

import html
import sqlite3
from dataclasses import dataclass

from fsrs import State

from ..store.db import transaction
from .session import LEECH_LAPSES, NEW, Clock, StudySettings, parse_time, study_day, system_clock

# The link targets in the line; the reader passes them on as "card:<action>".
STUDY, UNSUSPEND, UNBURY, NOTE = "study", "unsuspend", "unbury", "note"

_STATE_QUERY = (
    "SELECT c.state, c.due, c.suspended, c.buried_day, "
    "(SELECT count(*) FROM reviews r WHERE r.question_id = q.id AND r.rating = 1 "
    f" AND json_extract(r.state_before, '$.state') = {int(State.Review)}) "
    "FROM (SELECT ? AS id) q LEFT JOIN cards c ON c.question_id = q.id")


@dataclass(frozen=True)
class CardState:
    kind: str  # "new", "due" (learning or review), "suspended" or "buried"
    due_in_days: int | None = None  # study days from today to the due day (0: today or overdue)
    lapses: int = 0

    @property
    def leech(self) -> bool:
        return self.lapses >= LEECH_LAPSES


def card_state(conn: sqlite3.Connection, question_id: str, settings: StudySettings,
               clock: Clock = system_clock) -> CardState:
    state, due, suspended, buried_day, lapses = conn.execute(_STATE_QUERY, (question_id,)).fetchone()
    today = study_day(clock(), settings.day_start_hour)
    if suspended:
        return CardState("suspended", lapses=lapses)
    if buried_day == today.isoformat():
        return CardState("buried", lapses=lapses)
    if state is None or state == NEW or due is None:
        return CardState("new", lapses=lapses)
    days = (study_day(parse_time(due), settings.day_start_hour) - today).days
    return CardState("due", max(0, days), lapses)


def state_line(state: CardState) -> str:
    """The line's HTML: what the card is, then what can be done about it."""
    def link(action: str, text: str) -> str:
        return f'<a href="card:{action}">{html.escape(text)}</a>'

    if state.kind == "suspended":
        parts = ["Suspended", link(UNSUSPEND, "Unsuspend")]
    elif state.kind == "buried":
        parts = ["Buried until tomorrow", link(UNBURY, "Unbury")]
    elif state.kind == "new":
        parts = ["New", link(STUDY, "Study now")]
    else:
        days = state.due_in_days or 0
        when = "Due today" if days == 0 else "Due tomorrow" if days == 1 else f"Due in {days} days"
        parts = [when, link(STUDY, "Study now")]
    if state.leech:
        # The whole answer is this page already: what helps a leech here is rewording it in a note.
        parts += [f"Leech \N{EM DASH} lapsed {state.lapses} times", link(NOTE, "add a note")]
    return '<p class="cardstate">' + " &nbsp;·&nbsp; ".join(parts) + "</p>"


def unhide(conn: sqlite3.Connection, question_id: str, what: str) -> bool:
    """Unsuspend (``what`` = UNSUSPEND) or unbury (UNBURY) one card; True when it changed."""
    column, value = {UNSUSPEND: ("suspended", 0), UNBURY: ("buried_day", None)}[what]
    with transaction(conn):
        changed = conn.execute(f"UPDATE cards SET {column} = ?, version = version + 1 "
                               f"WHERE question_id = ? AND {column} IS NOT ?", (value, question_id, value)).rowcount
    return changed > 0
