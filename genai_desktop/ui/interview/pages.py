"""The Interview view's four screens as widgets: set-up, question, checklist and summary.

They hold no logic beyond layout; ui/interview/view.py drives them. Each page takes keyboard
focus itself, so its keys (QShortcuts bound to the page) work until a text box has the focus.
"""

from __future__ import annotations

import html

from fsrs import Rating
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ...core.study import interview
from ...core.study.session import RATING_NAMES, RATINGS, format_duration
from .. import theme as themes
from ..labels import styled_label
from ..reader import Reader
from .readiness import ReadinessPanel

RATING_KEYS = {Rating.Again: "A", Rating.Hard: "H", Rating.Good: "G", Rating.Easy: "E"}


label = styled_label  # the one way to make a styled label (ui/labels.py)


class Page(QWidget):
    def __init__(self) -> None:
        super().__init__()
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)

    def key(self, sequence: str, slot) -> QShortcut:
        shortcut = QShortcut(QKeySequence(sequence), self)
        shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        shortcut.activated.connect(slot)
        return shortcut


class SetupPage(Page):
    def __init__(self, theme: themes.Theme) -> None:
        super().__init__()
        outer = QHBoxLayout(self)
        outer.setContentsMargins(36, 24, 36, 20)
        column = QVBoxLayout()
        column.setSpacing(10)
        column.addWidget(label("Interview practice", "PageTitle"))
        column.addWidget(label("Timed questions answered aloud, then ticked against their key points. "
                               "Each answer is rated and scheduled like a flashcard.", "Muted"))
        panel = QFrame(objectName="Panel")
        form = QFormLayout(panel)
        form.setContentsMargins(18, 16, 18, 16)
        form.setVerticalSpacing(10)
        form.setHorizontalSpacing(16)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        self.kind = QComboBox()
        for kind in interview.SCOPE_KINDS:
            self.kind.addItem(interview.SCOPE_NAMES[kind], kind)
        self.value = QComboBox()
        self.value.setMinimumContentsLength(18)
        self.value.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        for combo in (self.kind, self.value):
            combo.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.count = QSpinBox(minimum=interview.MIN_QUESTIONS, maximum=interview.MAX_QUESTIONS, value=5)
        self.minutes = QSpinBox(minimum=interview.MIN_MINUTES, maximum=interview.MAX_MINUTES, value=3,
                                suffix=" min")
        self.thinking = QSpinBox(minimum=0, maximum=interview.MAX_THINKING_SECONDS, singleStep=15, suffix=" s")
        self.thinking.setSpecialValueText("none")
        self.thinking.setToolTip("Time to think before the answer clock starts (Space skips it)")
        self.value_label = QLabel("Which")
        form.addRow("Questions from", self.kind)
        form.addRow(self.value_label, self.value)
        form.addRow("Questions", self.count)
        form.addRow("Time per answer", self.minutes)
        form.addRow("Thinking time", self.thinking)
        column.addWidget(panel)
        self.message = label("", "Muted")
        column.addWidget(self.message)
        buttons = QHBoxLayout()
        self.again_button = QPushButton("Again   Ctrl+R")
        self.again_button.setToolTip("Repeat the last mock's questions")
        self.start_button = QPushButton("Start mock   Enter", objectName="Primary")
        buttons.addWidget(self.again_button)
        buttons.addStretch(1)
        buttons.addWidget(self.start_button)
        column.addLayout(buttons)
        column.addWidget(label("Enter start · Ctrl+R repeat the last set · Tab and ↑ ↓ change the set-up", "Muted"))
        column.addStretch(1)

        side = QFrame(objectName="Panel")
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(18, 14, 18, 14)
        side_layout.addWidget(label("Readiness", "PanelTitle"))
        self.readiness = ReadinessPanel(theme)
        side_layout.addWidget(self.readiness)
        side_layout.addStretch(1)
        outer.addLayout(column, 3)
        outer.addSpacing(24)
        outer.addWidget(side, 2)


class QuestionPage(Page):
    def __init__(self) -> None:
        super().__init__()
        outer = QVBoxLayout(self)
        outer.setContentsMargins(28, 14, 28, 12)
        outer.setSpacing(8)
        header = QHBoxLayout()
        self.position = label("", wrap=False)
        self.clock = label("", "Countdown", wrap=False)
        self.warning = label("", "Warning", wrap=False)
        header.addWidget(self.position)
        header.addStretch(1)
        header.addWidget(self.warning)
        header.addSpacing(14)
        header.addWidget(self.clock)
        outer.addLayout(header)
        card = QFrame(objectName="Card")
        inner = QVBoxLayout(card)
        inner.setContentsMargins(32, 22, 32, 18)
        inner.setSpacing(10)
        self.caption = label("", "Muted")
        self.question = label("", "BigQuestion")
        self.question.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        self.outline = QPlainTextEdit(objectName="Outline")
        self.outline.setPlaceholderText("Answer aloud, or type an outline here (T). It is kept with the attempt.")
        self.outline.setTabChangesFocus(True)
        inner.addWidget(self.caption)
        inner.addWidget(self.question)
        inner.addSpacing(4)
        inner.addWidget(self.outline, 1)
        outer.addWidget(card, 1)
        row = QHBoxLayout()
        self.hint = label("", "Muted")
        self.end_button = QPushButton("End answer   Space", objectName="Primary")
        self.end_button.setMinimumHeight(40)
        row.addWidget(self.hint, 1)
        row.addWidget(self.end_button)
        outer.addLayout(row)


class PointRow(QFrame):
    """One key point: its key, a tick box and the text; a click toggles it."""

    toggled = Signal()

    def __init__(self, number: int, html_text: str) -> None:
        super().__init__(objectName="PointRow")
        self.checked = False
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 6, 10, 6)
        layout.setSpacing(10)
        self.key = label(str(number) if number <= interview.MAX_POINTS_KEYED else "", "PointKey", wrap=False)
        self.key.setFixedWidth(22)
        self.key.setAlignment(Qt.AlignmentFlag.AlignCenter)
        # A visible empty box while unticked: "tick the points" needs something to tick.
        self.box = label("", "PointBox", wrap=False)
        self.box.setFixedSize(20, 20)
        self.box.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.text = label(html_text, "PointText")
        self.text.setTextFormat(Qt.TextFormat.RichText)
        layout.addWidget(self.key, 0, Qt.AlignmentFlag.AlignTop)
        layout.addWidget(self.box, 0, Qt.AlignmentFlag.AlignTop)
        layout.addWidget(self.text, 1)
        self.set_checked(False)

    def set_checked(self, checked: bool) -> None:
        self.checked = checked
        self.box.setText("✔" if checked else "")
        self.setProperty("checked", checked)
        for widget in (self, self.box):
            widget.style().unpolish(widget)
            widget.style().polish(widget)

    def mousePressEvent(self, event) -> None:  # noqa: N802
        self.toggled.emit()
        event.accept()


class ChecklistPage(Page):
    def __init__(self, workspace, theme: themes.Theme) -> None:
        super().__init__()
        outer = QVBoxLayout(self)
        outer.setContentsMargins(28, 14, 28, 12)
        outer.setSpacing(8)
        self.position = label("", wrap=False)
        outer.addWidget(self.position)
        card = QFrame(objectName="Card")
        inner = QVBoxLayout(card)
        inner.setContentsMargins(26, 16, 26, 14)
        inner.setSpacing(6)
        self.question = label("", "CheckQuestion")
        self.question.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        inner.addWidget(self.question)
        inner.addWidget(label("Tick the points your answer covered.", "Muted"))
        self.points_box = QVBoxLayout()
        self.points_box.setSpacing(2)
        inner.addLayout(self.points_box)
        self.answer_view = Reader(workspace, theme)
        self.answer_view.navigates = False
        self.answer_view.fixed_side_margin = 0
        self.answer_view.setMinimumHeight(120)
        self.answer_view.hide()
        inner.addWidget(self.answer_view, 100)  # shown, the answer takes the room; hidden, the stretch does
        inner.addStretch(1)
        outer.addWidget(card, 1)
        rating_row = QHBoxLayout()
        rating_row.setSpacing(8)
        self.coverage = label("", "Coverage", wrap=False)
        rating_row.addWidget(self.coverage)
        rating_row.addStretch(1)
        self.rating_buttons: dict[Rating, QPushButton] = {}
        for rating in RATINGS:
            button = QPushButton(f"{rating.name}  {RATING_KEYS[rating]}", objectName=f"Rate{rating.name}")
            button.setCheckable(True)
            button.setMinimumHeight(36)
            self.rating_buttons[rating] = button
            rating_row.addWidget(button)
        self.confirm_button = QPushButton("Confirm   Enter", objectName="Primary")
        self.confirm_button.setMinimumHeight(36)
        rating_row.addSpacing(8)
        rating_row.addWidget(self.confirm_button)
        outer.addLayout(rating_row)
        self.hint = label("1–6 tick a point · A H G E change the rating · F full answer (↑ ↓ PgUp PgDn scroll it) · "
                          "Enter confirm · Esc stop the mock", "Muted")
        outer.addWidget(self.hint)
        self.rows: list[PointRow] = []


class SummaryPage(Page):
    def __init__(self, theme: themes.Theme) -> None:
        super().__init__()
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        body = QWidget(objectName="SummaryBody")
        layout = QVBoxLayout(body)
        layout.setContentsMargins(36, 22, 36, 20)
        layout.setSpacing(10)
        self.title = label("Mock complete", "PageTitle")
        layout.addWidget(self.title)
        top = QHBoxLayout()
        top.setSpacing(16)
        total_panel = QFrame(objectName="Panel")
        total_layout = QVBoxLayout(total_panel)
        total_layout.setContentsMargins(18, 12, 18, 12)
        self.total = label("—", "BigNumber", wrap=False)
        self.total_caption = label("", "Muted")
        total_layout.addWidget(self.total)
        total_layout.addWidget(self.total_caption)
        ready_panel = QFrame(objectName="Panel")
        ready_layout = QVBoxLayout(ready_panel)
        ready_layout.setContentsMargins(18, 12, 18, 12)
        self.readiness = label("—", "BigNumber", wrap=False)
        self.readiness_caption = label("", "Muted")
        ready_layout.addWidget(self.readiness)
        ready_layout.addWidget(self.readiness_caption)
        top.addWidget(total_panel, 1)
        top.addWidget(ready_panel, 1)
        layout.addLayout(top)
        self.rows = label("", "SummaryRows")
        self.rows.setTextFormat(Qt.TextFormat.RichText)
        self.rows.setOpenExternalLinks(False)
        self.rows.setTextInteractionFlags(Qt.TextInteractionFlag.LinksAccessibleByMouse
                                          | Qt.TextInteractionFlag.LinksAccessibleByKeyboard)
        rows_panel = QFrame(objectName="Panel")
        rows_layout = QVBoxLayout(rows_panel)
        rows_layout.setContentsMargins(18, 12, 18, 12)
        rows_layout.addWidget(self.rows)
        layout.addWidget(rows_panel)
        layout.addStretch(1)
        scroll.setWidget(body)
        outer.addWidget(scroll, 1)
        self.hint = label("1–9 open that question's answer · P practise the missed points · Ctrl+S export · "
                          "Ctrl+R the same questions again · Esc new mock", "Muted")
        self.hint.setContentsMargins(36, 6, 36, 0)
        outer.addWidget(self.hint)
        buttons = QHBoxLayout()
        buttons.setContentsMargins(36, 6, 36, 14)
        self.new_button = QPushButton("New mock   Esc")
        self.export_button = QPushButton("Export report…   Ctrl+S")
        self.practise_button = QPushButton("Practise the missed points   P", objectName="Primary")
        buttons.addWidget(self.new_button)
        buttons.addWidget(self.export_button)
        buttons.addStretch(1)
        buttons.addWidget(self.practise_button)
        outer.addLayout(buttons)


def summary_rows_html(mock: interview.Mock, library, t: themes.Theme) -> str:
    """The summary's rows: each answered question, its time, coverage and rating, the points
    missed and a link to the answer (keys 1-9 open it too)."""
    blocks = []
    for n, answer in enumerate(mock.done(), 1):
        question = library.question(answer.question_id)
        title = html.escape(question.title if question else answer.question_id)
        link = f"q:{html.escape(answer.question_id)}"
        line = (f"<p style='margin:0 0 2px 0'><b>{n}. {title}</b></p>"
                f"<p style='margin:0 0 4px 0; color:{t.muted}'>{format_duration(answer.seconds_used)} of "
                f"{mock.setup.minutes} min · {len(answer.ticked)}/{len(answer.points)} points "
                f"({answer.coverage:.0%}) · {RATING_NAMES[answer.rating]}</p>")
        missed = answer.missed()
        if missed:
            items = "".join(f"<li>{interview.point_html(p)}</li>" for p in missed)
            line += (f"<p style='margin:0; color:{t.again}'>Missed:</p><ul style='margin:0'>{items}</ul>"
                     f"<p style='margin:0 0 10px 0'><a href='{link}' style='color:{t.accent}'>Read the answer"
                     "</a></p>")
        else:
            line += (f"<p style='margin:0 0 10px 0; color:{t.good}'>Every key point covered. "
                     f"<a href='{link}' style='color:{t.accent}'>Read the answer</a></p>")
        blocks.append(line)
    return "".join(blocks) or "No question was answered."


def stylesheet(t: themes.Theme) -> str:
    """The Interview view's own styles, in the theme's colours (as the Flashcards view does)."""
    rating_css = "".join(
        f"QPushButton#Rate{r.name} {{ color: {c}; border: 1px solid {c}; font-weight: 600; padding: 6px 12px; }}"
        f"QPushButton#Rate{r.name}:hover {{ background: {t.hover}; }}"
        f"QPushButton#Rate{r.name}:checked {{ background: {c}; color: {t.surface}; }}"
        for r, c in ((Rating.Again, t.again), (Rating.Hard, t.hard), (Rating.Good, t.good),
                     (Rating.Easy, t.easy)))
    return f"""
        QLabel#PageTitle {{ font-size: 24px; font-weight: 600; }}
        QLabel#PanelTitle {{ font-size: 15px; font-weight: 600; }}
        QLabel#BigNumber {{ font-size: 28px; font-weight: 600; color: {t.text}; }}
        QLabel#BigQuestion {{ font-size: 26px; font-weight: 600; }}
        QLabel#CheckQuestion {{ font-size: 18px; font-weight: 600; }}
        QLabel#Countdown {{ font-size: 26px; font-weight: 600; color: {t.text};
                            font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; }}
        QLabel#Countdown[warn="true"] {{ color: {t.hard}; }}
        QLabel#Warning {{ color: {t.hard}; font-size: 14px; }}
        QLabel#Coverage {{ font-size: 14px; }}
        QLabel#Weakest {{ font-size: 13px; }}
        QFrame#Card, QFrame#Panel {{ background: {t.surface}; border: 1px solid {t.border};
                                      border-radius: 12px; }}
        QFrame#Card QLabel, QFrame#Panel QLabel {{ border: none; background: transparent; }}
        QWidget#SummaryBody {{ background: {t.window}; }}
        QPlainTextEdit#Outline {{ background: {t.window}; border: 1px solid {t.border}; border-radius: 8px;
                                  padding: 6px; font-size: 14px; }}
        QPlainTextEdit#Outline:focus {{ border: 1px solid {t.accent}; }}
        QFrame#PointRow {{ border: none; border-radius: 7px; background: transparent; }}
        QFrame#PointRow:hover {{ background: {t.hover}; }}
        QFrame#PointRow[checked="true"] {{ background: {t.selection}; }}
        QFrame#Card QLabel#PointKey {{ color: {t.muted}; font-weight: 600; border: 1px solid {t.border};
                           border-radius: 5px; padding: 1px 0; }}
        QFrame#Card QLabel#PointBox {{ color: {t.surface}; font-weight: 700; font-size: 13px;
                                       border: 2px solid {t.muted}; border-radius: 5px; }}
        QFrame#Card QFrame#PointRow[checked="true"] QLabel#PointBox {{ background: {t.good};
                                                                       border-color: {t.good}; }}
        QLabel#PointText {{ font-size: 14px; color: {t.text}; }}
        QLabel#SummaryRows {{ font-size: 14px; color: {t.text}; }}
        {rating_css}
    """
