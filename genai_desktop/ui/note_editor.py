"""The user's own note under a question's answer or a study guide: rendered like the page, edited in place.

The panel sits under the reader in the same text column. It shows the note rendered with
the reader's own markdown pipeline (formulas, code, links); a click, the Edit button or
Ctrl+E turns it into a plain-text editor, and whatever is typed is saved after a short pause
(and at once when leaving the page or the editor). Esc or Ctrl+Enter goes back to reading.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from ..core.workspace import Workspace
from . import theme as themes
from .reader import Reader

SAVE_DELAY_MS = 600
EMPTY_HINT = "Add a note of your own: a mnemonic, an example, a link. Markdown and $math$ work (Ctrl+E)."


class _NoteView(Reader):
    """The rendered note: a Reader (same CSS, formulas, safe links) sized to its content."""

    clicked = Signal()

    def __init__(self, workspace: Workspace, theme: themes.Theme) -> None:
        super().__init__(workspace, theme)
        self.fixed_side_margin = 0  # the panel's layout lines the text up with the answer
        self.navigates = False  # links are reported (internal_link) and opened in the main reader
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.viewport().setCursor(Qt.CursorShape.PointingHandCursor)
        self.setToolTip("Click to edit your note")

    def content_height(self) -> int:
        self.document().setTextWidth(self.viewport().width())
        return int(self.document().size().height()) + 2

    def mouseReleaseEvent(self, event) -> None:  # noqa: N802
        super().mouseReleaseEvent(event)
        if not self.anchorAt(event.position().toPoint()) and not self.textCursor().hasSelection():
            self.clicked.emit()


class NotePanel(QWidget):
    """Shows, edits and saves the note of the question or guide in the reader."""

    saved = Signal(str)  # the note's key (core/content/notes.py key_for)
    link_clicked = Signal(str)

    def __init__(self, workspace: Workspace, theme: themes.Theme, reader: Reader, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("NotePanel")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.workspace = workspace
        self.theme = theme
        self.reader = reader  # the answer above: the note shares its text column and zoom
        self.key: str | None = None  # core/content/notes.py key_for: a question id or "guide:<id>"
        self._loaded_body = ""
        self.title = QLabel("MY NOTE", objectName="NoteTitle")
        self.status = QLabel(objectName="NoteStatus")
        self.edit_button = QPushButton("Edit", objectName="NoteButton")
        self.edit_button.setCursor(Qt.CursorShape.PointingHandCursor)
        self.edit_button.setToolTip("Edit your note (Ctrl+E); Esc or Ctrl+Enter when done")
        self.edit_button.clicked.connect(self.toggle_editing)
        self.hint = QLabel(EMPTY_HINT, objectName="NoteHint", wordWrap=True)
        self.hint.setIndent(0)  # flush with the MY NOTE heading above it
        self.hint.setCursor(Qt.CursorShape.PointingHandCursor)
        self.hint.installEventFilter(self)
        self.view = _NoteView(workspace, theme)
        self.view.clicked.connect(self.start_editing)
        self.view.internal_link.connect(self.link_clicked)
        # Formulas render on a worker thread: the note is first laid out with placeholders of
        # their estimated size, so the box takes the note's real height when they arrive.
        self.view.formulas_arrived.connect(self._fit)
        self.editor = QPlainTextEdit(objectName="NoteEditor")
        self.editor.setPlaceholderText("Write in markdown: **bold**, - lists, `code`, $x^2$, [a link](q:question-id)")
        self.editor.setTabChangesFocus(True)
        self.editor.textChanged.connect(self._on_typed)
        self.editor.installEventFilter(self)
        self._save_timer = QTimer(self, singleShot=True, interval=SAVE_DELAY_MS)
        self._save_timer.timeout.connect(self.save)
        reader.installEventFilter(self)  # its margins change with its size: follow them

        header = QHBoxLayout()
        header.setContentsMargins(0, 0, 0, 0)
        header.addWidget(self.title)
        header.addSpacing(10)
        header.addWidget(self.status)
        header.addStretch(1)
        header.addWidget(self.edit_button)
        self.column = QVBoxLayout(self)
        self.column.setSpacing(6)
        self.column.addLayout(header)
        self.column.addWidget(self.hint)
        self.column.addWidget(self.view)
        self.column.addWidget(self.editor)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        self.set_theme(theme)
        self.show_note(None)

    # ------------------------------------------------------------ state
    @property
    def editing(self) -> bool:
        return self.editor.isVisible()

    def show_note(self, key: str | None) -> None:
        """Show the note stored under ``key`` (None: a page without notes, the panel hides)."""
        self.save()
        self.key = key
        self.setVisible(key is not None)
        if key is None:
            return
        from ..core.content import notes

        self._loaded_body = notes.note(self.workspace.progress.conn, key)
        self.editor.blockSignals(True)
        self.editor.setPlainText(self._loaded_body)
        self.editor.blockSignals(False)
        self.status.setText("")
        self._show_mode(editing=False)

    def body(self) -> str:
        return self.editor.toPlainText()

    def start_editing(self) -> None:
        if self.key is None:
            return
        self._show_mode(editing=True)
        self.editor.setFocus(Qt.FocusReason.OtherFocusReason)
        self.editor.moveCursor(self.editor.textCursor().MoveOperation.End)

    def stop_editing(self) -> None:
        self.save()
        self._show_mode(editing=False)

    def toggle_editing(self) -> None:
        self.stop_editing() if self.editing else self.start_editing()

    def save(self) -> bool:
        """Write the note if it changed; False (and a message) if it could not be saved."""
        self._save_timer.stop()
        if self.key is None or self.body() == self._loaded_body:
            return True
        from ..core.content.notes import NoteTooLong

        try:
            self.workspace.save_note(self.key, self.body())
        except NoteTooLong as exc:
            self.status.setText(str(exc).split(";")[0] + " — not saved")
            self.status.setToolTip(str(exc))
            return False
        self._loaded_body = self.body()
        self.status.setText("Saved")
        self.status.setToolTip("")
        self.saved.emit(self.key)
        return True

    def _on_typed(self) -> None:
        self.status.setText("Editing…")
        self._save_timer.start()
        self._fit()

    def _show_mode(self, editing: bool) -> None:
        has_note = bool(self.body().strip())
        self.editor.setVisible(editing)
        self.view.setVisible(not editing and has_note)
        self.hint.setVisible(not editing and not has_note)
        self.edit_button.setText("Done" if editing else ("Edit" if has_note else "Add note"))
        if not editing and has_note:
            self.view.show_html(self.view.renderer.to_html(self.body()))
        self._fit()

    # ------------------------------------------------------------ look
    def set_theme(self, theme: themes.Theme) -> None:
        self.theme = theme
        self.view.set_theme(theme)
        t = theme
        self.setStyleSheet(
            f"QWidget#NotePanel {{ background: {t.surface}; border-top: 1px solid {t.border}; }}"
            f"QLabel#NoteTitle {{ color: {t.muted}; font-size: 11px; font-weight: 700; letter-spacing: 1px; }}"
            f"QLabel#NoteStatus {{ color: {t.muted}; font-size: 12px; }}"
            f"QLabel#NoteHint {{ color: {t.muted}; font-size: 14px; padding: 2px 0 4px 0; }}"
            f"QPushButton#NoteButton {{ border: none; background: transparent; color: {t.accent};"
            f" font-size: 13px; font-weight: 600; padding: 2px 6px; }}"
            f"QPushButton#NoteButton:hover {{ background: {t.hover}; border-radius: 5px; }}"
            f"QPlainTextEdit#NoteEditor {{ background: {t.window}; color: {t.text}; border: 1px solid {t.accent};"
            f" border-radius: 7px; padding: 6px 8px; }}")
        if self.key is not None and not self.editing:
            self._show_mode(editing=False)

    def set_zoom(self, zoom: float) -> None:
        self.view.set_zoom(zoom)
        font = QFont(self.editor.font())
        font.setPixelSize(round(self.reader.font_px * 0.9))
        self.editor.setFont(font)
        self._fit()

    def resizeEvent(self, event) -> None:  # noqa: N802
        super().resizeEvent(event)
        self._align()

    def _align(self) -> None:
        # Exactly the text column of the answer above (reader.py keeps ~75 characters a line
        # with side margins on its root frame; its scroll bar makes it narrower than this panel).
        side = int(self.reader.document().rootFrame().frameFormat().leftMargin())
        text_width = self.reader.viewport().width() - 2 * side
        self.column.setContentsMargins(side, 10, max(side, self.width() - side - text_width), 12)

    def _fit(self) -> None:
        """As tall as the note, within a third of the window: the answer stays the main thing."""
        limit = max(120, int((self.window().height() or 800) * 0.33))
        if self.view.isVisible():
            self.view.setFixedHeight(min(self.view.content_height(), limit))
        if self.editor.isVisible():
            lines = self.editor.document().blockCount() + 2
            line = self.editor.fontMetrics().lineSpacing()
            self.editor.setFixedHeight(max(5 * line, min(lines * line + 16, limit)))
        self._align()

    # ------------------------------------------------------------ keys
    def eventFilter(self, watched, event) -> bool:  # noqa: N802
        if watched is self.reader:
            if event.type() == QEvent.Type.Resize:
                QTimer.singleShot(0, self._align)  # after the reader has set its new margins
            return False
        if watched is self.hint and event.type() == QEvent.Type.MouseButtonRelease:
            self.start_editing()
            return True
        if watched is self.editor:
            if event.type() == QEvent.Type.ShortcutOverride and event.key() == Qt.Key.Key_Escape:
                event.accept()  # Esc leaves the editor, whatever window shortcut also uses it
                return True
            if event.type() == QEvent.Type.KeyPress:
                ctrl_enter = (event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
                              and event.modifiers() & Qt.KeyboardModifier.ControlModifier)
                if event.key() == Qt.Key.Key_Escape or ctrl_enter:
                    self.stop_editing()
                    return True
            elif event.type() == QEvent.Type.FocusOut:
                self.save()
        return False
