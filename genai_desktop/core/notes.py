"""The user's own notes on questions, and bookmarks: both live in the progress database.

They are keyed by question id, never by file or position, so they survive content updates: a
question that disappears from the library keeps its note and bookmark, and both come back with
it. The search index holds a copy of each note (core/library.py ``sync_notes``) so notes are
found like answers; Workspace.save_note keeps the two in step.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime

from .db import iso, utc_now

MAX_NOTE_CHARS = 200_000  # a book chapter; a bigger paste is refused with a message, never cut


class NoteTooLong(ValueError):
    def __init__(self, length: int) -> None:
        super().__init__(f"This note is {length:,} characters long; notes can hold up to {MAX_NOTE_CHARS:,}. "
                         "Nothing was saved: shorten it and it will be saved again.")


def note(conn: sqlite3.Connection, question_id: str) -> str:
    row = conn.execute("SELECT body FROM notes WHERE question_id = ?", (question_id,)).fetchone()
    return row[0] if row else ""


def save_note(conn: sqlite3.Connection, question_id: str, body: str, now: datetime | None = None) -> str | None:
    """Store the note (an empty or blank one deletes it); returns its time stamp, None if deleted."""
    if len(body) > MAX_NOTE_CHARS:
        raise NoteTooLong(len(body))
    if not body.strip():
        conn.execute("DELETE FROM notes WHERE question_id = ?", (question_id,))
        return None
    stamp = iso(now or utc_now())
    conn.execute("INSERT INTO notes VALUES (?, ?, ?) ON CONFLICT(question_id) DO UPDATE SET "
                 "body = excluded.body, updated_at = excluded.updated_at", (question_id, body, stamp))
    return stamp


def all_notes(conn: sqlite3.Connection) -> dict[str, tuple[str, str]]:
    """{question_id: (body, updated_at)} for every note."""
    return {qid: (body, stamp) for qid, body, stamp in conn.execute("SELECT question_id, body, updated_at FROM notes")}


def is_bookmarked(conn: sqlite3.Connection, question_id: str) -> bool:
    return conn.execute("SELECT 1 FROM bookmarks WHERE question_id = ?", (question_id,)).fetchone() is not None


def set_bookmark(conn: sqlite3.Connection, question_id: str, on: bool, now: datetime | None = None) -> None:
    if on:
        conn.execute("INSERT OR IGNORE INTO bookmarks VALUES (?, ?)", (question_id, iso(now or utc_now())))
    else:
        conn.execute("DELETE FROM bookmarks WHERE question_id = ?", (question_id,))


def toggle_bookmark(conn: sqlite3.Connection, question_id: str, now: datetime | None = None) -> bool:
    """Flip the bookmark; returns whether the question is bookmarked now."""
    on = not is_bookmarked(conn, question_id)
    set_bookmark(conn, question_id, on, now)
    return on


def bookmarks(conn: sqlite3.Connection) -> list[str]:
    """Bookmarked question ids, the most recent first."""
    return [qid for (qid,) in conn.execute("SELECT question_id FROM bookmarks ORDER BY created_at DESC, question_id")]
