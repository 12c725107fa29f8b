"""The selected milestone, right of the checklist: its paragraph, state buttons, mastery from
the flashcards, links into the library, "Study this milestone", and a personal note saved as
you type (after a short pause, and at once when the selection moves or the view hides)."""

from __future__ import annotations

import html
from collections.abc import Callable

from PySide6.QtCore import QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ...core.content.library import Library, Milestone
from ...core.study.roadmap import (
    DONE,
    IN_PROGRESS,
    LEVEL_FILTER_NAMES,
    PENDING,
    SKIPPED,
    STATE_LABELS,
    Mastery,
    Record,
    Roadmap,
    Tally,
    format_done_day,
    retired_title,
)
from ...core.study.stats import MASTERY, MASTERY_STABILITY
from .. import theme as themes
from .painting import paint_bar

STATE_KEYS = {DONE: "D", IN_PROGRESS: "L", SKIPPED: "S", PENDING: "R"}  # as on roadmap.sh
NOTE_SAVE_DELAY_MS = 600


class MasteryBar(QWidget):
    """Mastered cards over linked cards, as a thin bar."""

    def __init__(self, theme: themes.Theme, parent=None) -> None:
        super().__init__(parent)
        self.theme = theme
        self.mastered = self.total = 0
        self.setFixedHeight(8)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def set_values(self, mastered: int, total: int) -> None:
        self.mastered, self.total = mastered, total
        self.update()

    def paintEvent(self, _event) -> None:  # noqa: N802
        p = QPainter(self)
        paint_bar(p, QRectF(self.rect()).adjusted(0, 1, 0, -1), Tally(done=self.mastered, total=self.total),
                  self.theme)
        p.end()


def _heading(text: str) -> QLabel:
    label = QLabel(text, objectName="DetailHeading")
    label.setIndent(0)  # a styled label otherwise indents its text by half an "x"
    return label


class DetailPane(QScrollArea):
    """Shows one milestone (``show_milestone``); what the user asks for goes out as signals, except
    the note, which the pane writes itself through ``roadmap``."""

    state_chosen = Signal(str)  # a state button or "Mark done"
    study_clicked = Signal()
    link_activated = Signal(str)  # "guide:ID" or "q:ID"
    note_saved = Signal(object)  # the milestone's Record, as stored with the new note

    def __init__(self, roadmap: Callable[[], Roadmap], theme: themes.Theme, parent=None) -> None:
        super().__init__(parent, objectName="DetailScroll")
        self._roadmap = roadmap
        self.theme = theme
        self._note_owner: str | None = None
        self._stored_note = ""
        self._note_timer = QTimer(self, singleShot=True, interval=NOTE_SAVE_DELAY_MS, timeout=self.save_note)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setWidget(self._build())

    def _build(self) -> QFrame:
        panel = QFrame(objectName="Detail")
        layout = QVBoxLayout(panel)
        layout.setContentsMargins(18, 16, 18, 18)
        layout.setSpacing(10)

        self.caption = QLabel("", objectName="Muted", wordWrap=True)
        self.title = QLabel("", objectName="DetailTitle", wordWrap=True)
        layout.addWidget(self.caption)
        layout.addWidget(self.title)

        states = QHBoxLayout()
        states.setSpacing(5)
        # Tool buttons, not push buttons: the style gives push buttons an 80 px minimum, and four
        # of those would not fit the pane at the smallest window size.
        self.state_buttons: dict[str, QToolButton] = {}
        for state in (PENDING, IN_PROGRESS, DONE, SKIPPED):
            button = QToolButton(objectName=f"State_{state}", text=STATE_LABELS[state])
            button.setProperty("stateButton", True)
            button.setCheckable(True)
            button.setToolTip(f"{STATE_LABELS[state]} ({STATE_KEYS[state]})")
            button.setCursor(Qt.CursorShape.PointingHandCursor)
            button.clicked.connect(lambda _=False, s=state: self.state_chosen.emit(s))
            self.state_buttons[state] = button
            states.addWidget(button)
        states.addStretch(1)
        layout.addLayout(states)
        self.keys_hint = QLabel("D done  ·  L in progress  ·  S skip  ·  R back to pending", objectName="Hint",
                                wordWrap=True)
        layout.addWidget(self.keys_hint)
        self.done_label = QLabel("", objectName="Muted")
        layout.addWidget(self.done_label)

        self.suggestion = QFrame(objectName="Suggestion")
        suggestion_row = QHBoxLayout(self.suggestion)
        suggestion_row.setContentsMargins(12, 8, 8, 8)
        self.suggestion_text = QLabel("", wordWrap=True)
        self.mark_done_button = QPushButton("Mark done", objectName="SuggestButton")
        self.mark_done_button.clicked.connect(lambda: self.state_chosen.emit(DONE))
        suggestion_row.addWidget(self.suggestion_text, 1)
        suggestion_row.addWidget(self.mark_done_button)
        layout.addWidget(self.suggestion)

        self.text = QLabel("", objectName="DetailText", wordWrap=True)
        self.text.setTextFormat(Qt.TextFormat.RichText)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.text)

        layout.addWidget(_heading("Flashcards"))
        self.mastery_label = QLabel("", wordWrap=True)
        self.mastery_bar = MasteryBar(self.theme)
        self.study_button = QPushButton("Study this milestone", objectName="Primary")
        self.study_button.setToolTip("Start a flashcard session with this milestone's questions")
        self.study_button.clicked.connect(self.study_clicked)
        layout.addWidget(self.mastery_label)
        layout.addWidget(self.mastery_bar)
        study_row = QHBoxLayout()
        study_row.addWidget(self.study_button)
        study_row.addStretch(1)
        layout.addLayout(study_row)

        self.guides_heading = _heading("Study guides")
        self.guides_links = self._links_label()
        self.questions_heading = _heading("Questions")
        self.questions_links = self._links_label()
        for widget in (self.guides_heading, self.guides_links, self.questions_heading, self.questions_links):
            layout.addWidget(widget)

        layout.addWidget(_heading("My note"))
        self.note = QPlainTextEdit(objectName="Note")
        self.note.setPlaceholderText("What you built, what to revisit, links… Saved as you type.")
        self.note.setMinimumHeight(96)
        self.note.setTabChangesFocus(True)
        self.note.textChanged.connect(self._on_note_edited)
        self.note_status = QLabel("", objectName="Muted")
        layout.addWidget(self.note)
        layout.addWidget(self.note_status)
        layout.addStretch(1)
        return panel

    def _links_label(self) -> QLabel:
        label = QLabel("", wordWrap=True, objectName="Links")
        label.setTextFormat(Qt.TextFormat.RichText)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.LinksAccessibleByMouse
                                      | Qt.TextInteractionFlag.LinksAccessibleByKeyboard)
        label.linkActivated.connect(self.link_activated)
        return label

    # ------------------------------------------------------------ showing a milestone
    def show_milestone(self, ident: str, milestone: Milestone | None, record: Record, mastery: Mastery,
                       library: Library) -> None:
        """Fill the pane; ``milestone`` None is a retired one, shown read-only with its history.
        A note still being typed for the previous milestone must have been saved first."""
        retired = milestone is None
        t = self.theme
        if milestone is None:
            self.caption.setText(f"Retired  ·  {ident}")
            self.title.setText(retired_title(ident))
            body = ("A content update removed this milestone. Its state and your note are kept here so "
                    "nothing you recorded is lost; it no longer counts towards progress.")
        else:
            section = next((s.title for s in library.sections if s.id == milestone.section), "")
            self.caption.setText(f"{LEVEL_FILTER_NAMES.get(milestone.level, milestone.level)}  ·  {section}")
            self.title.setText(milestone.title)
            body = milestone.detail or "No description."
        self.text.setText(f'<p style="line-height:145%">{html.escape(body)}</p>')
        for state, button in self.state_buttons.items():
            button.setChecked(record.state == state)
            button.setEnabled(not retired)
            button.setVisible(not retired)  # its state is shown as text below instead
        self.keys_hint.setVisible(not retired)
        if record.state == DONE and record.done_at:
            self.done_label.setText(f"Done on {format_done_day(record.done_at)}")
        elif retired:
            self.done_label.setText(f"Was {STATE_LABELS[record.state].lower()} when it was retired.")
        else:
            self.done_label.setText("")
        self.done_label.setVisible(bool(self.done_label.text()))

        self.mastery_bar.set_values(mastery.mastered, mastery.total)
        self.mastery_bar.setVisible(mastery.total > 0)
        if mastery.total:
            self.mastery_label.setText(f"<b>{mastery.mastered} of {mastery.total}</b> linked cards mastered "
                                       f'<span style="color:{t.muted}">(stable {MASTERY_STABILITY:g}+ days, '
                                       f'recall ≥ {MASTERY:.0%} now)</span>')
        else:
            self.mastery_label.setText(f'<span style="color:{t.muted}">No flashcards are linked to this '
                                       "milestone.</span>")
        self.study_button.setVisible(not retired)
        self.study_button.setEnabled(mastery.total > 0)
        self.study_button.setText(f"Study this milestone  ·  {mastery.total} card{'s' if mastery.total != 1 else ''}"
                                  if mastery.total else "Study this milestone")
        # Nothing is ticked on the user's behalf: mastering every card only suggests it.
        suggest = not retired and mastery.all_mastered and record.state != DONE
        self.suggestion.setVisible(suggest)
        if suggest:
            self.suggestion_text.setText(f"You have mastered all {mastery.total} linked card"
                                         f"{'s' if mastery.total != 1 else ''}. Mark this milestone done?"
                                         if mastery.total > 1 else
                                         "You have mastered its linked card. Mark this milestone done?")

        guides = [g for g in (library.guide(gid) for gid in (milestone.guides if milestone else ())) if g]
        questions = [q for q in (library.question(qid) for qid in (milestone.questions if milestone else ())) if q]
        self._set_links(self.guides_heading, self.guides_links, "Study guides",
                        [(f"guide:{g.id}", g.title) for g in guides])
        self._set_links(self.questions_heading, self.questions_links, "Questions",
                        [(f"q:{q.id}", q.title) for q in questions])

        self._note_timer.stop()
        self.note.blockSignals(True)
        self.note.setPlainText(record.note)
        self.note.blockSignals(False)
        self._note_owner = ident
        self._stored_note = record.note
        self.note_status.setText("")

    def _set_links(self, heading: QLabel, label: QLabel, title: str, links: list[tuple[str, str]]) -> None:
        heading.setText(f"{title}  ({len(links)})" if links else title)
        heading.setVisible(bool(links))
        label.setVisible(bool(links))
        t = self.theme
        # A table, so a long title wraps under itself rather than under the arrow.
        rows = "".join(
            f'<tr><td style="color:{t.muted}; padding:0 8px 6px 0">→</td><td style="padding-bottom:6px">'
            f'<a style="color:{t.accent}; text-decoration:none" href="{html.escape(page)}">{html.escape(text)}</a>'
            "</td></tr>" for page, text in links)
        label.setText(f'<table cellspacing="0" cellpadding="0">{rows}</table>')

    # ------------------------------------------------------------ the note
    def _on_note_edited(self) -> None:
        self.note_status.setText("Editing…")
        self._note_timer.start()

    def save_note(self) -> None:
        """Write the note being edited, if it changed (called by the debounce timer and on leaving)."""
        self._note_timer.stop()
        owner = self._note_owner
        if owner is None:
            return
        text = self.note.toPlainText()
        if text == self._stored_note:
            if self.note_status.text() == "Editing…":
                self.note_status.setText("Saved")
            return
        roadmap = self._roadmap()
        try:
            roadmap.set_note(owner, text)
        except Exception as exc:  # noqa: BLE001 - a failed save must be visible and keep the text
            self.note_status.setText(f"Not saved: {exc}")
            return
        self._stored_note = text
        self.note_status.setText("Saved")
        self.note_saved.emit(roadmap.record(owner))

    # ------------------------------------------------------------ look
    def set_theme(self, theme: themes.Theme) -> None:
        """The links and the mastery line carry theme colours: the owner shows the milestone again."""
        self.theme = theme
        self.mastery_bar.theme = theme
        self.mastery_bar.update()

    def fit_width(self) -> None:
        """Never narrower than the pane's widest row (the state buttons): it would clip, not wrap.
        Measured after styling, since the stylesheet sets the buttons' padding and font."""
        panel = self.widget()
        panel.ensurePolished()
        for button in self.state_buttons.values():
            button.ensurePolished()
        self.setMinimumWidth(panel.minimumSizeHint().width() + self.verticalScrollBar().sizeHint().width() + 4)
