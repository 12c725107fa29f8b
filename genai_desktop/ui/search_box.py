"""Search as you type: the top bar's search field and the result list that drops from it.

The field keeps the keyboard focus the whole time (Up/Down move through the results, Enter
opens one, Esc closes the list and gives the focus back to the reader). The list is a child
overlay of the main window rather than a popup window: a Qt.Popup would grab the keyboard
from the field at every keystroke.
"""

from __future__ import annotations

import html
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QPoint, QRect, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QAbstractTextDocumentLayout, QColor, QPainter, QPainterPath, QTextDocument
from PySide6.QtWidgets import (
    QFrame,
    QGraphicsDropShadowEffect,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from ..core.errors import UserError
from ..core.search.query import MARKED_AT_ONCE, SearchHit, marked_spans, parse_query
from . import theme as themes
from .find_highlight import match_colors

HIT_ROLE = Qt.ItemDataRole.UserRole + 1
ROW_HEIGHT = 78
POPUP_WIDTH = 600
DEBOUNCE_MS = 25  # coalesces a burst of typed letters; a search itself takes a few ms
_OWN_KEYS = (Qt.Key.Key_Escape, Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Up, Qt.Key.Key_Down)
SHOWN_QUERY_CHARS = 60  # a pasted paragraph is cut in the "Nothing matches" line


def marked_html(text: str, style: str) -> str:
    """Escaped HTML of a marked string, each match wrapped in a span with ``style``."""
    return "".join(f'<span style="{style}">{html.escape(piece)}</span>' if hit else html.escape(piece)
                   for piece, hit in marked_spans(text))


def no_results_html(query: str) -> str:
    """What was searched, and the one tip (of what core/search/query.py understands) that fits it."""
    parsed = parse_query(query)
    if parsed.is_empty:  # only -exclusions, or only punctuation: nothing to look for yet
        if parsed.excluded:
            return "Add a word to look for: <b>-word</b> only leaves pages out."
        return "Type a word to look for: signs and punctuation alone match nothing."
    shown = " ".join(query.split())
    if len(shown) > SHOWN_QUERY_CHARS:
        shown = shown[:SHOWN_QUERY_CHARS].rstrip() + "…"
    if parsed.excluded:
        tip = "Drop a <b>-word</b> to let the pages that hold it back in."
    elif parsed.phrases:
        tip = "A <b>\"phrase\"</b> matches word for word: without the quotes its words may be anywhere."
    elif len(parsed.words) > 1:
        tip = "Every word must match: try fewer words, or just the start of one (<i>discrim</i>)."
    else:
        tip = "The start of a word is enough (<i>discrim</i>): check the spelling, or try a related word."
    return f"Nothing matches <b>{html.escape(shown)}</b>.<br>{tip}"


def corrected_html(fixed: list[tuple[str, str]]) -> str:
    return "Showing results for " + ", ".join(
        f"<b>{html.escape(meant)}</b> (you typed <i>{html.escape(typed)}</i>)" for typed, meant in fixed)


def hit_html(hit: SearchHit, theme: themes.Theme) -> str:
    mark = f"color: {theme.accent}; font-weight: 700;"
    snippet_mark = f"color: {theme.text}; font-weight: 700; background-color: {match_colors(theme).match};"
    caption = hit.caption
    return (f'<div style="font-size: 14px; font-weight: 600; color: {theme.text};">{marked_html(hit.title, mark)}</div>'
            f'<div style="font-size: 12px; color: {theme.muted}; margin-top: 1px;">{html.escape(caption)}</div>'
            f'<div style="font-size: 13px; color: {theme.muted}; margin-top: 3px;">'
            f'{marked_html(hit.snippet, snippet_mark)}</div>')


class HitDelegate(QStyledItemDelegate):
    """Paints a result as rich text: title, topic caption and a two-line snippet."""

    def __init__(self, theme: themes.Theme, parent=None) -> None:
        super().__init__(parent)
        self.theme = theme
        self._documents: dict[int, QTextDocument] = {}

    def clear(self) -> None:
        self._documents.clear()

    def sizeHint(self, option, index) -> QSize:  # noqa: N802
        # A title that wraps makes a taller row; the width is the list's, minus the card insets.
        hit = index.data(HIT_ROLE)
        width = self.parent().viewport().width() if self.parent() else option.rect.width()
        if hit is None or width <= 60:
            return QSize(width, ROW_HEIGHT)
        document = self._document(index.row(), hit, width - 36)
        return QSize(width, max(ROW_HEIGHT - 20, int(document.size().height()) + 16))

    def _document(self, row: int, hit: SearchHit, width: int) -> QTextDocument:
        document = self._documents.get(row)
        if document is None:
            document = QTextDocument()
            document.setDocumentMargin(0)
            document.setHtml(hit_html(hit, self.theme))
            self._documents[row] = document
        if document.textWidth() != width:  # setting it, even unchanged, lays the document out again
            document.setTextWidth(width)
        return document

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index) -> None:
        hit: SearchHit | None = index.data(HIT_ROLE)
        if hit is None:
            return
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        card = option.rect.adjusted(6, 2, -6, -2)
        if option.state & QStyle.StateFlag.State_Selected:
            path = QPainterPath()
            path.addRoundedRect(card, 7, 7)
            painter.fillPath(path, QColor(self.theme.selection))
        elif option.state & QStyle.StateFlag.State_MouseOver:
            path = QPainterPath()
            path.addRoundedRect(card, 7, 7)
            painter.fillPath(path, QColor(self.theme.hover))
        inner = card.adjusted(12, 8, -12, -6)
        document = self._document(index.row(), hit, inner.width())
        painter.translate(inner.topLeft())
        painter.setClipRect(QRect(0, 0, inner.width(), inner.height()))
        context = QAbstractTextDocumentLayout.PaintContext()
        document.documentLayout().draw(painter, context)
        painter.restore()


class SearchPopup(QFrame):
    """The result list under the search field, with a one-line footer of keys while there are
    results to pick; tips or what to try instead when there are none."""

    chosen = Signal(str)  # page id

    def __init__(self, theme: themes.Theme, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("SearchPopup")
        self.list = QListWidget()
        self.list.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the field keeps the keyboard
        self.list.setMouseTracking(True)
        self.list.setUniformItemSizes(False)
        # Rows are as tall as their text wrapped to the list's width: lay them out again when
        # the width changes (the popup is sized after its results arrive), or a row laid out
        # at the first, narrow width leaves a tall gap under it. A top-to-bottom list relays
        # out on a width change only when it wraps its items' text (QListView::resizeEvent).
        self.list.setResizeMode(QListWidget.ResizeMode.Adjust)
        self.list.setWordWrap(True)
        self.list.setVerticalScrollMode(QListWidget.ScrollMode.ScrollPerPixel)
        # Rows laid out a batch at a time, later ones in the event loop's next passes: a result's
        # snippet is cut when first read (core/search/query.py MARKED_AT_ONCE), so the rows below
        # the fold cost the keystroke nothing, and a next keystroke replaces them unbuilt.
        self.list.setLayoutMode(QListWidget.LayoutMode.Batched)
        self.list.setBatchSize(MARKED_AT_ONCE)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.delegate = HitDelegate(theme, self.list)
        self.list.setItemDelegate(self.delegate)
        self.list.itemClicked.connect(lambda item: self.chosen.emit(item.data(HIT_ROLE).page_id))
        self.message = QLabel(objectName="SearchMessage", wordWrap=True)
        self.message.setTextFormat(Qt.TextFormat.RichText)
        self.footer = QLabel("↑ ↓ to move  ·  Enter to open  ·  Esc to close", objectName="SearchFooter")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 6, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.message)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.footer)
        shadow = QGraphicsDropShadowEffect(self)
        shadow.setBlurRadius(28)
        shadow.setOffset(0, 6)
        shadow.setColor(QColor(0, 0, 0, 90))
        self.setGraphicsEffect(shadow)
        self.set_theme(theme)
        self.hide()

    def set_theme(self, theme: themes.Theme) -> None:
        self.theme = theme
        self.delegate.theme = theme
        self.delegate.clear()
        self.setStyleSheet(
            f"QFrame#SearchPopup {{ background: {theme.surface}; border: 1px solid {theme.border};"
            f" border-radius: 10px; }}"
            f"QListWidget {{ background: transparent; border: none; outline: 0; }}"
            f"QListWidget::item {{ background: transparent; }}"
            f"QLabel#SearchFooter {{ color: {theme.muted}; font-size: 12px; padding: 7px 14px;"
            f" border-top: 1px solid {theme.border}; }}"
            f"QLabel#SearchMessage {{ color: {theme.muted}; font-size: 13px; padding: 10px 16px; }}")
        self.list.viewport().update()

    def show_hits(self, hits: list[SearchHit], query: str, fixed: list[tuple[str, str]] | None = None) -> None:
        self.list.clear()
        self.delegate.clear()
        for hit in hits:
            item = QListWidgetItem()
            item.setData(HIT_ROLE, hit)
            self.list.addItem(item)
        self.list.setVisible(bool(hits))  # an empty list would take the message's room
        self.footer.setVisible(bool(hits))  # keys to pick a result, only when there is one
        if hits:
            self.list.setCurrentRow(0)
            # A typo the search corrected says so: "tranformer" found pages saying "transformer".
            self.message.setText(corrected_html(fixed) if fixed else "")
            self.message.setVisible(bool(fixed))
        else:
            self.message.setText(no_results_html(query) if query.strip() else "")
            self.message.setVisible(bool(query.strip()))

    def show_tips(self) -> None:
        self.list.clear()
        self.list.setVisible(False)
        self.footer.setVisible(False)
        self.message.setText("Type to search questions, answers, guides and your notes.<br>"
                             "<b>words</b> all must match, the start is enough: <i>discrim</i><br>"
                             "<b>\"a phrase\"</b> exactly these words · <b>-word</b> leave out pages with it")
        self.message.setVisible(True)

    def show_message(self, text: str) -> None:
        """A word instead of results (the index is being rebuilt): plain text, never markup."""
        self.list.clear()
        self.list.setVisible(False)
        self.footer.setVisible(False)
        self.message.setText(html.escape(text))
        self.message.setVisible(True)

    def move_selection(self, step: int) -> None:
        count = self.list.count()
        if count:
            row = self.list.currentRow()
            self.list.setCurrentRow(max(0, min(count - 1, row + step)))

    def current_page(self) -> str | None:
        item = self.list.currentItem()
        return item.data(HIT_ROLE).page_id if item is not None else None

    def hits(self) -> list[SearchHit]:
        return [self.list.item(n).data(HIT_ROLE) for n in range(self.list.count())]

    def place_under(self, field: QWidget) -> None:
        """Right-aligned under the field, as tall as the results need (at most 70 % of the window)."""
        window = self.parentWidget()
        width = min(max(POPUP_WIDTH, field.width()), window.width() - 24)
        bottom_right = field.mapTo(window, QPoint(field.width(), field.height() + 6))
        rows = self.list.count()
        # A word-wrapped label's sizeHint() is for some other width: ask for the height at this one.
        message = self.message.heightForWidth(width) if self.message.isVisible() else 0
        content = (sum(self.list.sizeHintForRow(n) for n in range(min(rows, 12))) + 8 if rows else 0) + message
        footer = self.footer.sizeHint().height() if not self.footer.isHidden() else 0
        height = min(content + footer + 8, int(window.height() * 0.7))
        self.setGeometry(max(12, bottom_right.x() - width), bottom_right.y(), width, height)
        self.raise_()


class SearchController(QObject):
    """Connects the search field, the popup and a search function; emits what the user opens."""

    opened = Signal(str, str)  # page id, the query it was found with
    left = Signal()  # Esc: the caller gives the focus back to the reader

    def __init__(self, field: QLineEdit, search: Callable[[str], list[SearchHit]], theme: themes.Theme,
                 window: QWidget, corrections: Callable[[str], list[tuple[str, str]]] | None = None) -> None:
        super().__init__(field)
        self.field = field
        self.search = search
        self.corrections = corrections
        self.popup = SearchPopup(theme, window)
        self.popup.chosen.connect(self._open)
        self._timer = QTimer(self, singleShot=True, interval=DEBOUNCE_MS)
        self._timer.timeout.connect(self.run)
        field.textEdited.connect(lambda _text: self._timer.start())
        field.installEventFilter(self)
        window.installEventFilter(self)
        self.window = window

    def set_theme(self, theme: themes.Theme) -> None:
        self.popup.set_theme(theme)

    def focus(self) -> None:
        self.field.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.field.selectAll()
        self.run()

    def run(self) -> None:
        self._timer.stop()
        query = self.field.text()
        if not query.strip():
            self.popup.show_tips()
        else:
            try:
                hits = self.search(query)
            except UserError as exc:  # the index is not ready (rebuilding after an import)
                self.popup.show_message(str(exc))
            else:
                fixed = self.corrections(query) if self.corrections and hits else None
                self.popup.show_hits(hits, query, fixed)
        self.popup.show()
        self.popup.place_under(self.field)

    def close_popup(self) -> None:
        self._timer.stop()
        self.popup.hide()

    def _open(self, page_id: str) -> None:
        query = self.field.text()
        self.close_popup()
        self.opened.emit(page_id, query)

    def eventFilter(self, watched, event) -> bool:  # noqa: N802
        if watched is self.window:
            if event.type() == QEvent.Type.Resize and self.popup.isVisible():
                self.popup.place_under(self.field)
            return False
        kind = event.type()
        if kind == QEvent.Type.ShortcutOverride and event.key() in _OWN_KEYS:
            event.accept()  # ours, even where a window shortcut (Esc in a view) uses the same key
            return True
        if kind == QEvent.Type.KeyPress:
            key = event.key()
            if key == Qt.Key.Key_Down:
                self._ensure_shown()
                self.popup.move_selection(1)
                return True
            if key == Qt.Key.Key_Up:
                self.popup.move_selection(-1)
                return True
            if key in (Qt.Key.Key_PageDown, Qt.Key.Key_PageUp):
                self.popup.move_selection(6 if key == Qt.Key.Key_PageDown else -6)
                return True
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                if self._timer.isActive():
                    self.run()  # Enter right after typing opens the best hit for the full text
                page = self.popup.current_page()
                if page:
                    self._open(page)
                return True
            if key == Qt.Key.Key_Escape:
                self.close_popup()
                self.field.clearFocus()
                self.left.emit()
                return True
        elif kind == QEvent.Type.FocusOut and not self.popup.underMouse():
            self.close_popup()
        elif kind == QEvent.Type.MouseButtonPress and not self.popup.isVisible():
            QTimer.singleShot(0, self.run)
        return False

    def _ensure_shown(self) -> None:
        if not self.popup.isVisible():
            self.run()
