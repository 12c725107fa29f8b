"""The roadmap view: a checklist of milestones per level, tied to what the flashcards say you know.

Left, the checklist: sections with progress bars and one row per milestone, whose state is a
glyph that differs in shape as well as colour (ring, half-filled, ticked, struck through) so
colour-blind users can tell them apart. Right, the selected milestone: its paragraph, state
buttons, mastery from the flashcards, links into the library, "Study this milestone" and a
personal note saved as you type. Keys follow roadmap.sh: D done, L in progress, S skip, R reset.

The view only calls core.roadmap; it never writes SQL. Nothing is ticked on the user's behalf:
when every linked card is mastered the view suggests marking the milestone done, no more.
"""

from __future__ import annotations

import html
from pathlib import Path

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QFont, QGuiApplication, QKeySequence, QPainter, QPainterPath, QPen, QShortcut
from PySide6.QtWidgets import (
    QAbstractButton,
    QButtonGroup,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSplitter,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ...core.content import LEVEL_NAMES, Milestone
from ...core.roadmap import (
    DONE,
    IN_PROGRESS,
    LEVEL_FILTER_NAMES,
    LEVEL_FILTERS,
    LEVEL_SHORT_NAMES,
    PENDING,
    SKIPPED,
    STATE_LABELS,
    STATES,
    Mastery,
    Record,
    Roadmap,
    Tally,
    format_done_date,
    milestone_scope,
    next_state,
    retired_title,
)
from ...core.stats import MASTERY, MASTERY_STABILITY
from ...core.workspace import Workspace
from .. import theme as themes

KIND_ROLE = Qt.ItemDataRole.UserRole + 1
ID_ROLE = Qt.ItemDataRole.UserRole + 2
SECTION, MILESTONE, RETIRED = "section", "milestone", "retired"
STATE_KEYS = {DONE: "D", IN_PROGRESS: "L", SKIPPED: "S", PENDING: "R"}
NOTE_SAVE_DELAY_MS = 600
GLYPH = 18  # the state circle's diameter
GLYPH_LEFT = 14


def state_color(theme: themes.Theme, state: str) -> str:
    """Done green, in progress blue, skipped and pending grey: the glyph's shape carries the rest."""
    return {DONE: theme.good, IN_PROGRESS: theme.easy, SKIPPED: theme.muted}.get(state, theme.muted)


def _mix(color: str, background: str, amount: float) -> QColor:
    a, b = QColor(color), QColor(background)
    return QColor(round(b.red() + (a.red() - b.red()) * amount), round(b.green() + (a.green() - b.green()) * amount),
                  round(b.blue() + (a.blue() - b.blue()) * amount))


def _font(base: QFont, px: int, weight: QFont.Weight = QFont.Weight.Normal) -> QFont:
    font = QFont(base)
    font.setPixelSize(px)
    font.setWeight(weight)
    return font


def paint_state_glyph(p: QPainter, rect: QRectF, state: str, theme: themes.Theme, *, retired: bool = False) -> None:
    """Pending a ring, in progress a half-filled ring, done a filled disc with a tick, skipped a
    ring with a slash: four shapes, so the state never depends on colour alone."""
    color = QColor(theme.muted if retired else state_color(theme, state))
    p.save()
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    inner = rect.adjusted(1, 1, -1, -1)
    if state == DONE:
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(color)
        p.drawEllipse(inner)
        tick = QPainterPath(QPointF(inner.left() + inner.width() * 0.27, inner.center().y()))
        tick.lineTo(inner.left() + inner.width() * 0.44, inner.top() + inner.height() * 0.68)
        tick.lineTo(inner.left() + inner.width() * 0.74, inner.top() + inner.height() * 0.32)
        p.setPen(QPen(QColor(theme.surface), 2.0, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap,
                      Qt.PenJoinStyle.RoundJoin))
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.drawPath(tick)
    else:
        p.setPen(QPen(color, 1.6))
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.drawEllipse(inner)
        if state == IN_PROGRESS:
            half = QPainterPath()
            core = inner.adjusted(3, 3, -3, -3)
            half.moveTo(core.center())
            half.arcTo(core, 90, 180)  # the left half: "started"
            half.closeSubpath()
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(color)
            p.drawPath(half)
        elif state == SKIPPED:
            p.drawLine(QPointF(inner.left() + 3.5, inner.bottom() - 3.5),
                       QPointF(inner.right() - 3.5, inner.top() + 3.5))
    p.restore()


def paint_bar(p: QPainter, rect: QRectF, tally: Tally, theme: themes.Theme) -> None:
    """A progress track: done in full colour, skipped in a paler shade of it, the rest empty."""
    p.save()
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    radius = rect.height() / 2
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QColor(theme.badge))
    p.drawRoundedRect(rect, radius, radius)
    if tally.total and tally.complete:
        clip = QPainterPath()
        clip.addRoundedRect(rect, radius, radius)
        p.setClipPath(clip)
        done_width = rect.width() * tally.done / tally.total
        skipped_width = rect.width() * tally.skipped / tally.total
        p.setBrush(QColor(theme.good))
        p.drawRect(QRectF(rect.left(), rect.top(), done_width, rect.height()))
        p.setBrush(_mix(theme.good, theme.badge, 0.45))
        p.drawRect(QRectF(rect.left() + done_width, rect.top(), skipped_width, rect.height()))
    p.restore()


def tally_text(tally: Tally) -> str:
    """'7/9 · 5 done': complete over total, then done alone, so skipping never reads as knowing."""
    if tally.skipped:
        return f"{tally.complete}/{tally.total} · {tally.done} done"
    return f"{tally.complete}/{tally.total}"


def _heading(text: str) -> QLabel:
    label = QLabel(text, objectName="DetailHeading")
    label.setIndent(0)  # a styled label otherwise indents its text by half an "x"
    return label


def confirm(parent: QWidget, title: str, text: str, action: str) -> bool:
    """A yes/no question whose yes button names the action (tests replace this function)."""
    box = QMessageBox(QMessageBox.Icon.Warning, title, text, QMessageBox.StandardButton.NoButton, parent)
    yes = box.addButton(action, QMessageBox.ButtonRole.DestructiveRole)
    box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(QMessageBox.StandardButton.Cancel)
    box.exec()
    return box.clickedButton() is yes


# ---------------------------------------------------------------- level selector

class LevelTab(QAbstractButton):
    """One level in the selector: its name, 'complete/total' and a thin progress bar."""

    def __init__(self, level: str | None, theme: themes.Theme, parent=None) -> None:
        super().__init__(parent)
        self.level = level
        self.theme = theme
        self.tally = Tally()
        self.setCheckable(True)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setText(LEVEL_FILTER_NAMES[level])
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setAttribute(Qt.WidgetAttribute.WA_Hover)

    def set_tally(self, tally: Tally) -> None:
        self.tally = tally
        self.setToolTip(f"{self._long_name()}: {tally.complete} of {tally.total} complete, {tally.done} done, "
                        f"{tally.skipped} skipped, {tally.in_progress} in progress")
        self.update()

    def _long_name(self) -> str:
        if self.level is None:
            return "The whole roadmap"
        if self.level == "all":
            return "Shared track: prerequisites, ethics and industry, habits — for every level"
        return LEVEL_NAMES.get(self.level, self.level)

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(120, 54)

    def minimumSizeHint(self) -> QSize:  # noqa: N802
        return QSize(96, 54)

    def paintEvent(self, _event) -> None:  # noqa: N802
        t = self.theme
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        box = QRectF(self.rect()).adjusted(1, 1, -1, -1)
        if self.isChecked():
            p.setPen(QPen(QColor(t.accent), 1.2))
            p.setBrush(QColor(t.selection))
        elif self.underMouse():
            p.setPen(QPen(QColor(t.border), 1))
            p.setBrush(QColor(t.hover))
        else:
            p.setPen(QPen(QColor(t.border), 1))
            p.setBrush(QColor(t.surface))
        p.drawRoundedRect(box, 9, 9)
        # The name gets the whole first line (it must not elide at the minimum window width);
        # the count sits after the bar on the second.
        inner = box.adjusted(11, 7, -11, -8)
        p.setFont(_font(self.font(), 13, QFont.Weight.DemiBold if self.isChecked() else QFont.Weight.Medium))
        p.setPen(QColor(t.text))
        name = p.fontMetrics().elidedText(self.text(), Qt.TextElideMode.ElideRight, int(inner.width()))
        p.drawText(QRectF(inner.left(), inner.top(), inner.width(), 20), Qt.AlignmentFlag.AlignVCenter, name)
        count = f"{self.tally.complete}/{self.tally.total}"
        p.setFont(_font(self.font(), 11))
        count_width = p.fontMetrics().horizontalAdvance(count)
        p.setPen(QColor(t.muted))
        line = QRectF(inner.left(), inner.bottom() - 14, inner.width(), 14)
        p.drawText(QRectF(line.right() - count_width, line.top(), count_width, line.height()),
                   Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight, count)
        paint_bar(p, QRectF(line.left(), line.center().y() - 2.5, line.width() - count_width - 8, 5), self.tally, t)
        p.end()


# ---------------------------------------------------------------- the checklist

class _ChecklistDelegate(QStyledItemDelegate):
    """Paints section headers (title, bar, counts) and milestone rows (glyph, title, caption, chip)."""

    SECTION_HEIGHT, ROW_HEIGHT = 50, 54

    def __init__(self, view: RoadmapView) -> None:
        super().__init__(view)
        self.view = view

    def sizeHint(self, option, index) -> QSize:  # noqa: N802
        height = self.SECTION_HEIGHT if index.data(KIND_ROLE) == SECTION else self.ROW_HEIGHT
        return QSize(option.rect.width(), height)

    def paint(self, p: QPainter, option: QStyleOptionViewItem, index) -> None:
        t = self.view.theme
        kind, ident = index.data(KIND_ROLE), index.data(ID_ROLE)
        rect = QRectF(option.rect)
        p.save()
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        if kind == SECTION:
            self._paint_section(p, rect, ident, index.data(Qt.ItemDataRole.DisplayRole), t)
        else:
            self._paint_row(p, rect, option, kind, ident, t)
        p.restore()

    def _paint_section(self, p: QPainter, rect: QRectF, section_id: str, title: str, t: themes.Theme) -> None:
        tally = self.view.section_tally(section_id)
        body = rect.adjusted(GLYPH_LEFT, 16, -14, -6)
        p.setFont(_font(self.view.font(), 12))
        if section_id == RETIRED:  # history, not progress: a count, no bar
            p.setPen(QColor(t.muted))
            p.drawText(body, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight, str(tally.total))
            p.setFont(_font(self.view.font(), 12, QFont.Weight.Bold))
            p.drawText(body, Qt.AlignmentFlag.AlignVCenter, p.fontMetrics().elidedText(
                title.upper(), Qt.TextElideMode.ElideRight, int(body.width() - 40)))
            return
        count = tally_text(tally)
        count_width = p.fontMetrics().horizontalAdvance(count)
        p.setPen(QColor(t.muted))
        p.drawText(QRectF(body.right() - count_width, body.top(), count_width, body.height()),
                   Qt.AlignmentFlag.AlignVCenter, count)
        bar_right = body.right() - count_width - 10
        p.setFont(_font(self.view.font(), 12, QFont.Weight.Bold))
        title = title.upper()
        # The bar gives way to the title in a narrow window, down to a short stub.
        free = bar_right - body.left() - p.fontMetrics().horizontalAdvance(title) - 14
        bar_width = min(120.0, max(32.0, free))
        paint_bar(p, QRectF(bar_right - bar_width, body.center().y() - 3, bar_width, 6), tally, t)
        p.setPen(QColor(t.muted))
        room = int(bar_right - bar_width - 12 - body.left())
        text = p.fontMetrics().elidedText(title, Qt.TextElideMode.ElideRight, room)
        p.drawText(QRectF(body.left(), body.top(), room, body.height()), Qt.AlignmentFlag.AlignVCenter, text)

    def _paint_row(self, p: QPainter, rect: QRectF, option, kind: str, ident: str, t: themes.Theme) -> None:
        view = self.view
        record = view.records.get(ident, Record(ident))
        card = rect.adjusted(4, 2, -4, -2)
        if option.state & QStyle.StateFlag.State_Selected:
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(QColor(t.selection))
            p.drawRoundedRect(card, 8, 8)
        elif option.state & QStyle.StateFlag.State_MouseOver:
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(QColor(t.hover))
            p.drawRoundedRect(card, 8, 8)
        glyph = view.glyph_rect(rect)
        paint_state_glyph(p, glyph, record.state, t, retired=kind == RETIRED)

        left = glyph.right() + 12
        right = card.right() - 10
        chip_text = "Retired" if kind == RETIRED else STATE_LABELS[record.state]
        chip_color = t.muted if kind == RETIRED or record.state == PENDING else state_color(t, record.state)
        p.setFont(_font(view.font(), 11, QFont.Weight.DemiBold))
        chip_width = p.fontMetrics().horizontalAdvance(chip_text) + 18
        chip = QRectF(right - chip_width, card.center().y() - 11, chip_width, 22)
        # In a narrow list the title needs the room more: the glyph's shape still tells the state.
        if card.width() - chip_width >= 250:
            if record.state == PENDING and kind != RETIRED:
                p.setPen(QPen(QColor(t.border), 1))
                p.setBrush(Qt.BrushStyle.NoBrush)
            else:
                p.setPen(Qt.PenStyle.NoPen)
                p.setBrush(_mix(chip_color, t.surface, 0.16 if t.dark else 0.12))
            p.drawRoundedRect(chip, 11, 11)
            p.setPen(QColor(chip_color))
            p.drawText(chip, Qt.AlignmentFlag.AlignCenter, chip_text)
        else:
            chip = QRectF(right, card.top(), 0, 0)

        text_room = int(chip.left() - 12 - left)
        milestone = view.workspace.library.milestone(ident)
        title = milestone.title if milestone else retired_title(ident)
        title_font = _font(view.font(), 14, QFont.Weight.Medium)
        title_font.setStrikeOut(record.state == SKIPPED)
        p.setFont(title_font)
        p.setPen(QColor(t.muted if record.state == SKIPPED or kind == RETIRED else t.text))
        p.drawText(QRectF(left, card.top() + 7, text_room, 20), Qt.AlignmentFlag.AlignVCenter,
                   p.fontMetrics().elidedText(title, Qt.TextElideMode.ElideRight, text_room))
        p.setFont(_font(view.font(), 12))
        p.setPen(QColor(t.muted))
        p.drawText(QRectF(left, card.top() + 28, text_room, 18), Qt.AlignmentFlag.AlignVCenter,
                   p.fontMetrics().elidedText(view.row_caption(ident, record, milestone), Qt.TextElideMode.ElideRight,
                                              text_room))


class _Checklist(QListWidget):
    """The list of sections and milestones; a click on a row's circle ticks it."""

    glyph_clicked = Signal(str)

    def __init__(self, view: RoadmapView) -> None:
        super().__init__()
        self.view = view
        self.setObjectName("Checklist")
        self.setMouseTracking(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollMode(QListWidget.ScrollMode.ScrollPerPixel)
        self.setUniformItemSizes(False)

    def mousePressEvent(self, event) -> None:  # noqa: N802
        item = self.itemAt(event.position().toPoint())
        if (item is not None and item.data(KIND_ROLE) == MILESTONE and event.button() == Qt.MouseButton.LeftButton
                and self.view.glyph_rect(QRectF(self.visualItemRect(item))).adjusted(-6, -8, 6, 8)
                .contains(event.position())):
            self.setCurrentItem(item)
            self.glyph_clicked.emit(item.data(ID_ROLE))
            return
        super().mousePressEvent(event)


# ---------------------------------------------------------------- the view

class RoadmapView(QWidget):
    """Registered as a top-level view by the main window."""

    open_page = Signal(str)  # "guide:ID" or "q:ID": show it in the library
    study_requested = Signal(object)  # a core.study.Scope
    progress_changed = Signal()
    message = Signal(str)  # a short confirmation for the status bar
    level_changed = Signal(object)  # str | None

    def __init__(self, workspace: Workspace, theme: themes.Theme, level: str | None = None, parent=None) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self.theme = theme
        self.level = level if level in LEVEL_FILTERS else None
        self.records: dict[str, Record] = {}
        self.mastery: dict[str, Mastery] = {}
        self._section_tallies: dict[str, Tally] = {}
        self.current_id: str | None = None
        self._sized = False
        self._note_owner: str | None = None
        self._note_timer = QTimer(self, singleShot=True, interval=NOTE_SAVE_DELAY_MS, timeout=self.save_note)

        outer = QVBoxLayout(self)
        outer.setContentsMargins(24, 18, 24, 14)
        outer.setSpacing(12)
        outer.addLayout(self._build_header())
        outer.addLayout(self._build_levels())
        outer.addWidget(self._build_banner())
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setHandleWidth(14)
        self.checklist = _Checklist(self)
        self.checklist.setItemDelegate(_ChecklistDelegate(self))
        self.checklist.currentItemChanged.connect(self._on_current_changed)
        self.checklist.glyph_clicked.connect(lambda mid: self.press_state(DONE, mid))
        self.checklist.setMinimumWidth(250)
        self.splitter.addWidget(self.checklist)
        self.splitter.addWidget(self._build_detail())
        self.splitter.setStretchFactor(0, 11)
        self.splitter.setStretchFactor(1, 9)
        outer.addWidget(self.splitter, 1)
        self.empty = QLabel("This library has no roadmap.", objectName="Muted", alignment=Qt.AlignmentFlag.AlignCenter)
        self.empty.hide()
        outer.addWidget(self.empty, 1)
        self._shortcuts()
        self.apply_theme()
        self.refresh()

    @property
    def roadmap(self) -> Roadmap:
        # Built per use: the library can be reloaded (imports) and the connection reopened.
        return Roadmap(self.workspace.progress.conn, self.workspace.library)

    # ------------------------------------------------------------ building
    def _build_header(self) -> QHBoxLayout:
        row = QHBoxLayout()
        row.setSpacing(10)
        title = QLabel("Roadmap", objectName="PageTitle")
        self.summary = QLabel("", objectName="Muted")
        self.export_button = QToolButton(objectName="HeaderButton", text="Export  ▾")
        self.export_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.export_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self.export_button)
        self.save_action = menu.addAction("Save as Markdown…", self.export_to_file)
        self.copy_action = menu.addAction("Copy as Markdown", self.copy_to_clipboard)
        self.export_button.setMenu(menu)
        self.export_button.setToolTip("Export the checklist (levels, sections, ticks, dates, notes) as Markdown")
        self.reset_button = QToolButton(objectName="HeaderButton", text="Reset…")
        self.reset_button.setToolTip("Set every milestone back to pending (notes are kept; can be undone)")
        self.reset_button.clicked.connect(self.reset_all)
        row.addWidget(title)
        row.addSpacing(6)
        row.addWidget(self.summary, 0, Qt.AlignmentFlag.AlignBottom)
        row.addStretch(1)
        row.addWidget(self.export_button)
        row.addWidget(self.reset_button)
        return row

    def _build_levels(self) -> QHBoxLayout:
        row = QHBoxLayout()
        row.setSpacing(8)
        self.level_group = QButtonGroup(self)
        self.level_tabs: dict[str | None, LevelTab] = {}
        for level in LEVEL_FILTERS:
            tab = LevelTab(level, self.theme)
            tab.clicked.connect(lambda _=False, lv=level: self.set_level(lv))
            self.level_group.addButton(tab)
            self.level_tabs[level] = tab
            row.addWidget(tab)
        self.level_tabs[self.level].setChecked(True)
        return row

    def _build_banner(self) -> QFrame:
        self.banner = QFrame(objectName="Banner")
        row = QHBoxLayout(self.banner)
        row.setContentsMargins(14, 6, 8, 6)
        self.banner_text = QLabel("", wordWrap=True)
        self.undo_button = QPushButton("Undo   Ctrl+Z", objectName="BannerButton")
        self.undo_button.clicked.connect(self.undo_reset)
        close = QToolButton(objectName="BannerClose", text="✕")
        close.setToolTip("Dismiss")
        close.clicked.connect(self.banner.hide)
        row.addWidget(self.banner_text, 1)
        row.addWidget(self.undo_button)
        row.addWidget(close)
        self.banner.hide()
        return self.banner

    def _build_detail(self) -> QScrollArea:
        scroll = QScrollArea(objectName="DetailScroll")
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        panel = QFrame(objectName="Detail")
        layout = QVBoxLayout(panel)
        layout.setContentsMargins(18, 16, 18, 18)
        layout.setSpacing(10)

        self.detail_caption = QLabel("", objectName="Muted", wordWrap=True)
        self.detail_title = QLabel("", objectName="DetailTitle", wordWrap=True)
        layout.addWidget(self.detail_caption)
        layout.addWidget(self.detail_title)

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
            button.clicked.connect(lambda _=False, s=state: self.choose_state(s))
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
        self.mark_done_button.clicked.connect(lambda: self.choose_state(DONE))
        suggestion_row.addWidget(self.suggestion_text, 1)
        suggestion_row.addWidget(self.mark_done_button)
        layout.addWidget(self.suggestion)

        self.detail_text = QLabel("", objectName="DetailText", wordWrap=True)
        self.detail_text.setTextFormat(Qt.TextFormat.RichText)
        self.detail_text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.detail_text)

        layout.addWidget(_heading("Flashcards"))
        self.mastery_label = QLabel("", wordWrap=True)
        self.mastery_bar = _MiniBar(self)
        self.study_button = QPushButton("Study this milestone", objectName="Primary")
        self.study_button.setToolTip("Start a flashcard session with this milestone's questions")
        self.study_button.clicked.connect(self.study)
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
        scroll.setWidget(panel)
        self.detail_scroll = scroll
        return scroll

    def _links_label(self) -> QLabel:
        label = QLabel("", wordWrap=True, objectName="Links")
        label.setTextFormat(Qt.TextFormat.RichText)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.LinksAccessibleByMouse
                                      | Qt.TextInteractionFlag.LinksAccessibleByKeyboard)
        label.linkActivated.connect(self._on_link)
        return label

    def _shortcuts(self) -> None:
        def key(sequence: str, slot) -> None:
            # Text fields (the note) take plain letters first: typing "d" in a note never ticks.
            shortcut = QShortcut(QKeySequence(sequence), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(slot)

        for state, letter in STATE_KEYS.items():
            key(letter, lambda s=state: self.choose_state(s))
        key("Ctrl+Z", self.undo_reset)

    # ------------------------------------------------------------ data
    def refresh(self) -> None:
        """Re-read states, tallies and mastery and rebuild the checklist, keeping the selection."""
        self.save_note()
        roadmap = self.roadmap
        self.records = roadmap.records()
        has_roadmap = bool(self.workspace.library.milestones) or bool(roadmap.retired())
        self.splitter.setVisible(has_roadmap)
        self.empty.setVisible(not has_roadmap)
        self.mastery = roadmap.mastery() if has_roadmap else {}
        self._rebuild_list(roadmap)
        self._update_totals(roadmap)

    def _rebuild_list(self, roadmap: Roadmap) -> None:
        keep = self.current_id
        self.checklist.blockSignals(True)
        self.checklist.clear()
        self._section_tallies = {}
        for section, milestones in roadmap.sections(self.level):
            self._section_tallies[section.id] = roadmap.tally(milestones, self.records)
            header = QListWidgetItem(section.title)
            header.setData(KIND_ROLE, SECTION)
            header.setData(ID_ROLE, section.id)
            header.setFlags(Qt.ItemFlag.NoItemFlags)
            self.checklist.addItem(header)
            for milestone in milestones:
                self.checklist.addItem(self._row(milestone.id, MILESTONE, milestone.title))
        retired = roadmap.retired() if self.level is None else []
        if retired:
            self._section_tallies[RETIRED] = Tally(total=len(retired))
            header = QListWidgetItem("Retired · kept for their history")
            header.setData(KIND_ROLE, SECTION)
            header.setData(ID_ROLE, RETIRED)
            header.setFlags(Qt.ItemFlag.NoItemFlags)
            self.checklist.addItem(header)
            for record in retired:
                self.checklist.addItem(self._row(record.milestone_id, RETIRED, retired_title(record.milestone_id)))
        self.checklist.blockSignals(False)
        target = self._item_for(keep) or next((self.checklist.item(i) for i in range(self.checklist.count())
                                               if self.checklist.item(i).flags() & Qt.ItemFlag.ItemIsSelectable),
                                              None)
        if target is not None:
            self.checklist.setCurrentItem(target)
            self.checklist.scrollToItem(target)
        self._on_current_changed(target)

    def _row(self, ident: str, kind: str, title: str) -> QListWidgetItem:
        item = QListWidgetItem(title)
        item.setData(KIND_ROLE, kind)
        item.setData(ID_ROLE, ident)
        item.setToolTip(f"{title}\nClick the circle to tick it · D done · L in progress · S skip · R reset")
        return item

    def _item_for(self, milestone_id: str | None) -> QListWidgetItem | None:
        if milestone_id is None:
            return None
        for i in range(self.checklist.count()):
            item = self.checklist.item(i)
            if item.data(ID_ROLE) == milestone_id and item.data(KIND_ROLE) != SECTION:
                return item
        return None

    def _update_totals(self, roadmap: Roadmap) -> None:
        tallies = {level: roadmap.tally(roadmap.milestones(level), self.records) for level in LEVEL_FILTERS}
        for level, tab in self.level_tabs.items():
            tab.set_tally(tallies[level])
        overall = tallies[None]
        # "Complete" counts skipped milestones too: name them, so the parts add up to the whole.
        parts = [f"{overall.complete} of {overall.total} complete", f"{overall.done} done"]
        if overall.skipped:
            parts.append(f"{overall.skipped} skipped")
        parts.append(f"{overall.in_progress} in progress")
        self.summary.setText(" · ".join(parts))
        self.reset_button.setEnabled(self._resettable() > 0)

    def _resettable(self) -> int:
        """Milestones a reset would change (retired ones are history and are left alone)."""
        library = self.workspace.library
        return sum(1 for r in self.records.values()
                   if (r.state != PENDING or r.done_at) and library.milestone(r.milestone_id) is not None)

    def section_tally(self, section_id: str) -> Tally:
        return self._section_tallies.get(section_id, Tally())

    def row_caption(self, ident: str, record: Record, milestone: Milestone | None) -> str:
        if milestone is None:
            state = STATE_LABELS[record.state].lower()
            return f"No longer in the roadmap · was {state}" + (" · has a note" if record.note.strip() else "")
        parts = []
        if self.level is None:
            parts.append(LEVEL_SHORT_NAMES.get(milestone.level, milestone.level))
        mastery = self.mastery.get(ident)
        if mastery and mastery.total:
            parts.append(f"{mastery.mastered}/{mastery.total} cards mastered")
        elif not milestone.questions:
            parts.append("no linked cards")
        if record.state == DONE and record.done_at:
            parts.append(f"done {format_done_date(record.done_at)}")
        if record.note.strip():
            parts.append("note")
        return "  ·  ".join(parts)

    def glyph_rect(self, row: QRectF) -> QRectF:
        return QRectF(row.left() + GLYPH_LEFT, row.center().y() - GLYPH / 2, GLYPH, GLYPH)

    # ------------------------------------------------------------ selection and detail
    def set_level(self, level: str | None) -> None:
        if level not in LEVEL_FILTERS:
            return
        self.level = level
        self.level_tabs[level].setChecked(True)
        roadmap = self.roadmap
        self._rebuild_list(roadmap)
        self.level_changed.emit(level)

    def select(self, milestone_id: str) -> bool:
        item = self._item_for(milestone_id)
        if item is None and self.level is not None:
            self.set_level(None)
            item = self._item_for(milestone_id)
        if item is not None:
            self.checklist.setCurrentItem(item)
            self.checklist.scrollToItem(item)
        return item is not None

    def _on_current_changed(self, item: QListWidgetItem | None, _previous=None) -> None:
        self.save_note()
        self.current_id = item.data(ID_ROLE) if item is not None else None
        self._show_detail()

    def _show_detail(self) -> None:
        ident = self.current_id
        self.detail_scroll.setVisible(ident is not None)
        if ident is None:
            return
        library = self.workspace.library
        milestone = library.milestone(ident)
        record = self.records.get(ident, Record(ident))
        retired = milestone is None
        t = self.theme
        if retired:
            self.detail_caption.setText(f"Retired  ·  {ident}")
            self.detail_title.setText(retired_title(ident))
            body = ("A content update removed this milestone. Its state and your note are kept here so "
                    "nothing you recorded is lost; it no longer counts towards progress.")
        else:
            section = next((s.title for s in library.sections if s.id == milestone.section), "")
            self.detail_caption.setText(f"{LEVEL_FILTER_NAMES.get(milestone.level, milestone.level)}  ·  {section}")
            self.detail_title.setText(milestone.title)
            body = milestone.detail or "No description."
        self.detail_text.setText(f'<p style="line-height:145%">{html.escape(body)}</p>')
        for state, button in self.state_buttons.items():
            button.setChecked(record.state == state)
            button.setEnabled(not retired)
            button.setVisible(not retired)  # its state is shown as text below instead
        self.keys_hint.setVisible(not retired)
        if record.state == DONE and record.done_at:
            self.done_label.setText(f"Done on {record.done_at.astimezone().strftime('%A %d %B %Y').replace(' 0', ' ')}")
        elif retired:
            self.done_label.setText(f"Was {STATE_LABELS[record.state].lower()} when it was retired.")
        else:
            self.done_label.setText("")
        self.done_label.setVisible(bool(self.done_label.text()))

        mastery = self.mastery.get(ident, Mastery(0, 0))
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

        self.note.blockSignals(True)
        self.note.setPlainText(record.note)
        self.note.blockSignals(False)
        self._note_owner = ident
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

    def _on_link(self, page_id: str) -> None:
        if self.workspace.library.has_page(page_id):
            self.open_page.emit(page_id)

    # ------------------------------------------------------------ changing states
    def choose_state(self, state: str) -> None:
        """A state button or key: pressing the current state again makes the milestone pending."""
        if self.current_id is not None:
            self.press_state(state, self.current_id)

    def press_state(self, state: str, milestone_id: str) -> None:
        if self.workspace.library.milestone(milestone_id) is None:
            self.message.emit("Retired milestones keep their history and cannot be changed.")
            return
        current = self.records.get(milestone_id, Record(milestone_id)).state
        self.set_state(milestone_id, next_state(current, state))

    def set_state(self, milestone_id: str, state: str) -> None:
        roadmap = self.roadmap
        roadmap.set_state(milestone_id, state)
        self.records = roadmap.records()
        self.banner.hide()  # the reset's undo is gone once something changes
        for section, milestones in roadmap.sections(self.level):
            self._section_tallies[section.id] = roadmap.tally(milestones, self.records)
        self._update_totals(roadmap)
        self.checklist.viewport().update()
        if milestone_id == self.current_id:
            self.save_note()
            self._show_detail()
        self.progress_changed.emit()

    # ------------------------------------------------------------ notes
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
        if text == self.records.get(owner, Record(owner)).note:
            if self.note_status.text() == "Editing…":
                self.note_status.setText("Saved")
            return
        try:
            self.roadmap.set_note(owner, text)
        except Exception as exc:  # noqa: BLE001 - a failed save must be visible and keep the text
            self.note_status.setText(f"Not saved: {exc}")
            return
        self.records[owner] = self.roadmap.record(owner)
        self.note_status.setText("Saved")
        self.checklist.viewport().update()

    # ------------------------------------------------------------ study, export, reset
    def study(self) -> None:
        milestone = self.workspace.library.milestone(self.current_id or "")
        if milestone is not None and self.mastery.get(milestone.id, Mastery(0, 0)).total:
            self.save_note()
            self.study_requested.emit(milestone_scope(milestone))

    def markdown(self) -> str:
        self.save_note()
        return self.roadmap.export_markdown()

    def export_to_file(self) -> Path | None:
        start = str(Path.home() / "roadmap-progress.md")
        name, _ = QFileDialog.getSaveFileName(self, "Export the roadmap", start, "Markdown (*.md);;All files (*)")
        if not name:
            return None
        path = Path(name)
        if not path.suffix:
            path = path.with_suffix(".md")
        text = self.markdown()
        tmp = path.with_name(path.name + ".part")
        try:
            tmp.write_text(text, encoding="utf-8")
            tmp.replace(path)
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            QMessageBox.warning(self, "Export failed", f"The checklist could not be written to {path}:\n{exc}")
            return None
        self.message.emit(f"Roadmap exported to {path}")
        return path

    def copy_to_clipboard(self) -> None:
        QGuiApplication.clipboard().setText(self.markdown())
        self.message.emit("Roadmap copied to the clipboard as Markdown")

    def reset_all(self) -> None:
        changed = self._resettable()
        if not changed:
            self.message.emit("Nothing to reset: every milestone is pending.")
            return
        if not confirm(self, "Reset roadmap progress",
                       f"Set all {changed} started, done or skipped milestones back to pending?\n\n"
                       "Your notes are kept, and you can undo this.", "Reset progress"):
            return
        self.save_note()
        count = self.roadmap.reset_all()
        self.refresh()
        self.banner_text.setText(f"Progress reset: {count} milestone{'s' if count != 1 else ''} back to pending. "
                                 "Your notes are kept.")
        self.undo_button.show()
        self.banner.show()
        # The banner takes room from the list: keep the selected row in sight once laid out.
        QTimer.singleShot(0, lambda: self.checklist.currentItem() and self.checklist.scrollToItem(
            self.checklist.currentItem()))
        self.progress_changed.emit()

    def undo_reset(self) -> None:
        roadmap = self.roadmap
        if not roadmap.can_undo_reset():
            return
        count = roadmap.undo_reset()
        self.banner.hide()
        self.refresh()
        self.message.emit(f"Reset undone: {count} milestone{'s' if count != 1 else ''} restored")
        self.progress_changed.emit()

    # ------------------------------------------------------------ main window hooks
    def on_shown(self) -> None:
        # Cards may have been studied since: mastery and suggestions are re-read every time.
        self.refresh()
        self.checklist.setFocus()

    def _fit_detail_width(self) -> None:
        """Never narrower than the pane's widest row (the state buttons): it would clip, not wrap.
        Measured after styling, since the stylesheet sets the buttons' padding and font."""
        scroll = self.detail_scroll
        panel = scroll.widget()
        panel.ensurePolished()
        for button in self.state_buttons.values():
            button.ensurePolished()
        scroll.setMinimumWidth(panel.minimumSizeHint().width() + scroll.verticalScrollBar().sizeHint().width() + 4)

    def showEvent(self, event) -> None:  # noqa: N802
        super().showEvent(event)
        self._fit_detail_width()
        if not self._sized:
            # Half and half: long milestone titles need the room as much as the detail does.
            self._sized = True
            width = self.splitter.width()
            self.splitter.setSizes([width // 2, width - width // 2])

    def hideEvent(self, event) -> None:  # noqa: N802
        self.save_note()
        super().hideEvent(event)

    def set_theme(self, theme: themes.Theme) -> None:
        self.theme = theme
        for tab in self.level_tabs.values():
            tab.theme = theme
            tab.update()
        self.mastery_bar.update()
        self.apply_theme()
        self._show_detail()
        self.checklist.viewport().update()

    def apply_theme(self) -> None:
        t = self.theme
        state_css = "".join(
            f"QToolButton#State_{s}:checked {{ background: {_mix(state_color(t, s), t.surface, 0.18).name()}; "
            f"color: {state_color(t, s) if s != PENDING else t.text}; border: 1px solid {state_color(t, s)}; }}"
            for s in STATES)
        self.setStyleSheet(f"""
            QLabel#PageTitle {{ font-size: 24px; font-weight: 600; }}
            QLabel#DetailTitle {{ font-size: 20px; font-weight: 600; }}
            QLabel#DetailText {{ font-size: 14px; }}
            QLabel#DetailHeading {{ font-size: 12px; font-weight: 700; color: {t.muted}; padding-top: 8px; }}
            QLabel#Hint {{ font-size: 12px; color: {t.muted}; }}
            QLabel#Links {{ font-size: 14px; }}
            QListWidget#Checklist {{ background: {t.surface}; border: 1px solid {t.border}; border-radius: 12px;
                                     padding: 4px 6px; outline: 0; }}
            QScrollArea#DetailScroll, QFrame#Detail {{ background: {t.surface}; }}
            QScrollArea#DetailScroll {{ border: 1px solid {t.border}; border-radius: 12px; }}
            QFrame#Detail QLabel {{ background: transparent; }}
            QToolButton[stateButton="true"] {{ background: {t.surface}; border: 1px solid {t.border};
                                                 padding: 4px 9px; font-size: 13px; border-radius: 13px; }}
            QToolButton[stateButton="true"]:hover {{ background: {t.hover}; }}
            QToolButton[stateButton="true"]:disabled {{ color: {t.muted}; }}
            {state_css}
            QToolButton#HeaderButton {{ background: {t.surface}; border: 1px solid {t.border}; border-radius: 7px;
                                       padding: 6px 14px; font-size: 13px; }}
            QToolButton#HeaderButton:hover {{ background: {t.hover}; }}
            QToolButton#HeaderButton:disabled {{ color: {t.muted}; }}
            QToolButton#HeaderButton::menu-indicator {{ image: none; width: 0; }}
            QFrame#Banner {{ background: {t.selection}; border: 1px solid {t.accent}; border-radius: 9px; }}
            QFrame#Banner QLabel {{ background: transparent; font-size: 13px; }}
            QPushButton#BannerButton {{ padding: 4px 12px; font-size: 13px; font-weight: 600; }}
            QToolButton#BannerClose {{ border: none; color: {t.muted}; padding: 2px 6px; }}
            QFrame#Suggestion {{ background: {_mix(t.good, t.surface, 0.12).name()}; border: 1px solid {t.good};
                                 border-radius: 9px; }}
            QFrame#Suggestion QLabel {{ background: transparent; font-size: 13px; }}
            QPushButton#SuggestButton {{ color: {t.good}; border: 1px solid {t.good}; padding: 4px 12px;
                                         font-weight: 600; font-size: 13px; }}
            QPlainTextEdit#Note {{ background: {t.window}; border: 1px solid {t.border}; border-radius: 8px;
                                   padding: 6px; font-size: 14px; }}
            QPlainTextEdit#Note:focus {{ border: 1px solid {t.accent}; }}
            QSplitter::handle {{ background: transparent; }}
        """)


class _MiniBar(QWidget):
    """The mastery bar in the detail pane: mastered cards over linked cards."""

    def __init__(self, view: RoadmapView) -> None:
        super().__init__(view)
        self.view = view
        self.mastered = self.total = 0
        self.setFixedHeight(8)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def set_values(self, mastered: int, total: int) -> None:
        self.mastered, self.total = mastered, total
        self.update()

    def paintEvent(self, _event) -> None:  # noqa: N802
        p = QPainter(self)
        paint_bar(p, QRectF(self.rect()).adjusted(0, 1, 0, -1), Tally(done=self.mastered, total=self.total),
                  self.view.theme)
        p.end()
