"""Highlighting words in a page (the matches of a search) and stepping through them with F3.

QTextBrowser has no find bar of its own; extra selections paint the matches without touching
the document, so the page's HTML, its links and the text selection stay as they were.
"""

from __future__ import annotations

from typing import NamedTuple

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QColor, QTextCharFormat, QTextCursor, QTextDocument
from PySide6.QtWidgets import QTextEdit

from . import theme as themes


class MatchColors(NamedTuple):
    match: str  # every match: a soft marker-pen background
    current: str  # the one F3 moved to
    current_text: str


def match_colors(theme: themes.Theme) -> MatchColors:
    if theme.dark:
        return MatchColors("#5a4a1c", "#e0a526", "#15161a")
    return MatchColors("#fdeaa3", "#f2b01e", "#1f2328")


def _is_label(text: str) -> bool:
    """A label the app sets in small capitals over a box (KEY POINTS): short and all upper case."""
    text = text.strip()
    return bool(text) and len(text) <= 30 and text.isupper()


class FindHighlighter(QObject):
    """Finds words in a QTextEdit's document, paints them and moves between them."""

    changed = Signal(int, int)  # current position (1-based, 0 when none), number of matches

    def __init__(self, view: QTextEdit, theme: themes.Theme) -> None:
        super().__init__(view)
        self.view = view
        self.theme = theme
        self.terms: list[str] = []
        self.page: str | None = None  # the page the terms belong to
        self.matches: list[QTextCursor] = []
        self.current = -1

    def set_theme(self, theme: themes.Theme) -> None:
        self.theme = theme
        self._paint()

    def highlight(self, terms: list[str], page: str | None = None) -> int:
        """Paint every whole-word, any-case occurrence of ``terms``; returns how many."""
        self.terms = [t for t in terms if t.strip()]
        self.page = page
        return self.reapply()

    def reapply(self) -> int:
        """Find the terms again (the page was re-rendered, e.g. after a zoom or theme change)."""
        document = self.view.document()
        found: dict[int, QTextCursor] = {}
        for term in self.terms:  # longest first from core.search.matched_words: phrases win
            cursor = QTextCursor(document)
            while True:
                cursor = document.find(term, cursor, QTextDocument.FindFlag.FindWholeWords)
                if cursor.isNull():
                    break
                start = cursor.selectionStart()
                if _is_label(cursor.block().text()):
                    continue  # the app's own words ("KEY POINTS"), not the page's
                if not any(s <= start < c.selectionEnd() for s, c in found.items()):
                    found[start] = QTextCursor(cursor)
        self.matches = [found[s] for s in sorted(found)]
        self.current = -1
        self._paint()
        return len(self.matches)

    def clear(self) -> None:
        self.terms, self.page, self.matches, self.current = [], None, [], -1
        self._paint()

    def step(self, forward: bool = True) -> bool:
        """Move to the next (or previous) match, wrapping around; False if there are none."""
        if not self.matches:
            return False
        if self.current < 0:
            self.current = self._first_visible() if forward else len(self.matches) - 1
        else:
            self.current = (self.current + (1 if forward else -1)) % len(self.matches)
        cursor = QTextCursor(self.matches[self.current])
        cursor.clearSelection()  # the painted match shows it; a selection would hide the colour
        self.view.setTextCursor(cursor)
        self.view.ensureCursorVisible()
        self._paint()
        return True

    def _first_visible(self) -> int:
        """F3 starts from the first match on screen, not from the top of a scrolled page."""
        for n, cursor in enumerate(self.matches):
            if self.view.cursorRect(cursor).top() >= 0:  # viewport coordinates: on screen or below
                return n
        return 0

    def _paint(self) -> None:
        colors = match_colors(self.theme)
        selections = []
        for n, cursor in enumerate(self.matches):
            selection = QTextEdit.ExtraSelection()
            selection.cursor = cursor
            fmt = QTextCharFormat()
            if n == self.current:
                fmt.setBackground(QColor(colors.current))
                fmt.setForeground(QColor(colors.current_text))
            else:
                fmt.setBackground(QColor(colors.match))
            selection.format = fmt
            selections.append(selection)
        self.view.setExtraSelections(selections)
        self.changed.emit(self.current + 1, len(self.matches))
