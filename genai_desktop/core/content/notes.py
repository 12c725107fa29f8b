"""The user's own notes on questions and study guides, and bookmarks: both live in the progress database.

They are keyed by content id, never by file or position, so they survive content updates: a
page that disappears from the library keeps its note and bookmark, and both come back with it.
The search index holds a copy of each note (core/search/index.py ``sync_notes``) so notes are found
like answers; Workspace.save_note keeps the two in step.

The tables were made for questions (their key column is ``question_id``). Guides share them
without a schema change: a question's key stays its bare id, so every existing database and
progress file keeps its meaning, and a guide's key is its page id "guide:<id>". Question ids
never hold a colon (core/content/library.py checks them), so no question key starts with "guide:" and
the two kinds cannot collide. ``key_for`` and ``page_for`` are the only places that know this rule.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime
from typing import TYPE_CHECKING

from ..clock import iso, system_clock
from ..errors import UserError

if TYPE_CHECKING:
    from .library import Library

MAX_NOTE_CHARS = 200_000  # a book chapter; a bigger paste is refused with a message, never cut


_QUESTION_PAGE = "q:"
_GUIDE_PAGE = "guide:"


def key_for(page_id: str) -> str | None:
    """The key a page's note and bookmark are stored under; None for pages that carry neither
    (topic overviews, the start page)."""
    if page_id.startswith(_QUESTION_PAGE) and len(page_id) > len(_QUESTION_PAGE):
        return page_id[len(_QUESTION_PAGE):]
    if page_id.startswith(_GUIDE_PAGE) and len(page_id) > len(_GUIDE_PAGE):
        return page_id
    return None


def page_for(key: str) -> str:
    """The reader's page id for a stored key (the inverse of ``key_for``)."""
    return key if key.startswith(_GUIDE_PAGE) else f"{_QUESTION_PAGE}{key}"


def is_question_key(key: str) -> bool:
    return not key.startswith(_GUIDE_PAGE)


class NoteTooLong(UserError, ValueError):
    def __init__(self, length: int) -> None:
        super().__init__(f"This note is {length:,} characters long; notes can hold up to {MAX_NOTE_CHARS:,}. "
                         "Nothing was saved: shorten it and it will be saved again.")


def note(conn: sqlite3.Connection, key: str) -> str:
    row = conn.execute("SELECT body FROM notes WHERE question_id = ?", (key,)).fetchone()
    return row[0] if row else ""


def save_note(conn: sqlite3.Connection, key: str, body: str, now: datetime | None = None) -> str | None:
    """Store the note (an empty or blank one deletes it); returns its time stamp, None if deleted."""
    if len(body) > MAX_NOTE_CHARS:
        raise NoteTooLong(len(body))
    if not body.strip():
        conn.execute("DELETE FROM notes WHERE question_id = ?", (key,))
        return None
    stamp = iso(now or system_clock())
    conn.execute("INSERT INTO notes VALUES (?, ?, ?) ON CONFLICT(question_id) DO UPDATE SET "
                 "body = excluded.body, updated_at = excluded.updated_at", (key, body, stamp))
    return stamp


def all_notes(conn: sqlite3.Connection) -> dict[str, tuple[str, str]]:
    """{key: (body, updated_at)} for every note, on questions and guides alike."""
    return {key: (body, stamp) for key, body, stamp in conn.execute("SELECT question_id, body, updated_at FROM notes")}


def is_bookmarked(conn: sqlite3.Connection, key: str) -> bool:
    return conn.execute("SELECT 1 FROM bookmarks WHERE question_id = ?", (key,)).fetchone() is not None


def set_bookmark(conn: sqlite3.Connection, key: str, on: bool, now: datetime | None = None) -> None:
    if on:
        conn.execute("INSERT OR IGNORE INTO bookmarks VALUES (?, ?)", (key, iso(now or system_clock())))
    else:
        conn.execute("DELETE FROM bookmarks WHERE question_id = ?", (key,))


def toggle_bookmark(conn: sqlite3.Connection, key: str, now: datetime | None = None) -> bool:
    """Flip the bookmark; returns whether the page is bookmarked now."""
    on = not is_bookmarked(conn, key)
    set_bookmark(conn, key, on, now)
    return on


def bookmarks(conn: sqlite3.Connection) -> list[str]:
    """Every bookmark's key (questions and guides), the most recent first."""
    return [key for (key,) in conn.execute("SELECT question_id FROM bookmarks ORDER BY created_at DESC, question_id")]


def bookmarked_questions(conn: sqlite3.Connection) -> list[str]:
    """Bookmarked question ids only, the most recent first: what the flashcards' Bookmarks scope
    and the Anki export draw from (a guide is no card)."""
    return [key for key in bookmarks(conn) if is_question_key(key)]


def bookmarked_pages(conn: sqlite3.Connection, library: Library) -> list[tuple[str, str]]:
    """(page id, title) of each bookmarked question and guide, newest first: the sidebar's
    BOOKMARKS group. A bookmark whose page left the library stays stored (it comes back with
    the page) but is not listed."""
    entries = []
    for key in bookmarks(conn):
        if is_question_key(key):
            page = library.question(key)
        else:
            page = library.guide(key[len(_GUIDE_PAGE):])
        if page is not None:
            entries.append((page_for(key), page.title))
    return entries
