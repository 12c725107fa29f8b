"""The reader's card-state line: a question page says what its flashcard is doing, quietly,
under the breadcrumbs ("Due in 3 days · Study now", "Suspended · Unsuspend"), and its links act.

Installed with the library tools after the first paint (it reads the progress database). The
line is not part of the page's cached HTML: the reader asks ``header_for`` each time it shows a
page (one indexed query, core/study/card_state.py) and ``refresh`` when cards changed elsewhere.
"""

from __future__ import annotations

import logging
import sqlite3

from PySide6.QtCore import QObject

from ..core.changes import Changes
from ..core.study.card_state import NOTE, STUDY, UNBURY, UNSUSPEND, card_state, state_line, unhide
from ..core.study.session import Scope, StudySettings
from .note_editor import NotePanel

log = logging.getLogger("genai_desktop")


class CardStateLine(QObject):
    def __init__(self, window, notes: NotePanel) -> None:
        super().__init__(window)
        self.window = window
        self.reader = window.reader
        self.notes = notes
        self.conn = window.workspace.progress.conn
        # Read once, and again on refresh (the Scheduling panel's changes pass through it): the
        # line then costs a page change one query.
        self.settings = StudySettings.load(self.conn)
        self.reader.page_header = self.header_for
        self.reader.card_action.connect(self.act)
        self.reader.refresh_header()  # the page shown at start-up came before the database

    def question_id(self, page_id: str | None) -> str | None:
        kind, _, ident = (page_id or "").partition(":")
        return ident if kind == "q" and self.window.workspace.library.question(ident) else None

    def header_for(self, page_id: str) -> str:
        qid = self.question_id(page_id)
        if qid is None:
            return ""
        try:
            return state_line(card_state(self.conn, qid, self.settings))
        except sqlite3.Error:  # the page matters more than its line: show it without
            log.warning("Could not read the card state of %s", qid, exc_info=True)
            return ""

    def refresh(self) -> None:
        """Cards or settings changed (an answer, the card browser, the Scheduling panel)."""
        self.settings = StudySettings.load(self.conn)
        self.reader.refresh_header()

    def act(self, action: str) -> None:
        qid = self.question_id(self.reader.current_page)
        if qid is None:
            return
        if action == STUDY:
            title = self.window.workspace.library.question(qid).title
            self.window.study_scope(Scope("questions", qid, title), ahead=True)  # this card, due or not
        elif action in (UNSUSPEND, UNBURY):
            try:
                unhide(self.conn, qid, action)
            except sqlite3.Error as error:
                log.warning("Could not %s %s", action, qid, exc_info=True)
                self.window.statusBar().showMessage(f"Could not {action} the card: {error}", 6000)
                return
            done = "Unsuspended" if action == UNSUSPEND else "Unburied"
            self.window.statusBar().showMessage(f"{done}: the card is back in the flashcards", 4000)
            self.window.apply_changes(Changes(cards=True))  # counts, decks, the card browser, and this line
        elif action == NOTE:
            self.notes.start_editing()
