"""The roadmap view: a checklist of milestones per level, tied to what the flashcards say you know.

Top, the level selector (level_tab.py). Left, the checklist (checklist.py, painted by
delegate.py): sections with progress bars and one row per milestone, whose state is a glyph that
differs in shape as well as colour (ring, half-filled, ticked, struck through) so colour-blind
users can tell them apart. Right, the selected milestone (detail.py). Keys follow roadmap.sh:
D done, L in progress, S skip, R reset. Export (export.py) and reset with undo (reset.py) sit in
the header. This module puts those together and keeps them in step.

The view only calls core.roadmap; it never writes SQL. Nothing is ticked on the user's behalf:
when every linked card is mastered the view suggests marking the milestone done, no more.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QButtonGroup,
    QHBoxLayout,
    QLabel,
    QListWidgetItem,
    QMenu,
    QSplitter,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ...core.changes import Changes
from ...core.study.roadmap import (
    DONE,
    LEVEL_FILTERS,
    Mastery,
    Record,
    Roadmap,
    Tally,
    milestone_scope,
    next_state,
    retired_title,
    summary_text,
)
from ...core.workspace import Workspace
from .. import theme as themes
from .checklist import ID_ROLE, MILESTONE, RETIRED, Checklist
from .delegate import ChecklistDelegate
from .detail import STATE_KEYS, DetailPane
from .export import copy_markdown, save_markdown_file
from .level_tab import LevelTab
from .reset import ResetBanner, ask_to_reset
from .style import stylesheet


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
        # The view's own style sheet before its first child: set after, it restyled every widget
        # again (the Stats view's 48 ms of a first open); each widget added now is styled once.
        self.apply_theme()
        self.level = level if level in LEVEL_FILTERS else None
        # What the checklist and the detail pane are drawn from, re-read by refresh().
        self.records: dict[str, Record] = {}
        self.mastery: dict[str, Mastery] = {}
        self._section_tallies: dict[str, Tally] = {}
        self.current_id: str | None = None
        self._sized = False

        outer = QVBoxLayout(self)
        outer.setContentsMargins(24, 18, 24, 14)
        outer.setSpacing(12)
        outer.addLayout(self._build_header())
        outer.addLayout(self._build_levels())
        self.banner = ResetBanner()
        self.banner.undo_button.clicked.connect(self.undo_reset)
        outer.addWidget(self.banner)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setHandleWidth(14)
        self.checklist = Checklist()
        self.checklist.setItemDelegate(ChecklistDelegate(self))
        self.checklist.currentItemChanged.connect(self._on_current_changed)
        self.checklist.glyph_clicked.connect(lambda mid: self.press_state(DONE, mid))
        self.checklist.setMinimumWidth(250)
        self.detail = DetailPane(lambda: self.roadmap, theme)
        self.detail.state_chosen.connect(self.choose_state)
        self.detail.study_clicked.connect(self.study)
        self.detail.link_activated.connect(self._on_link)
        self.detail.note_saved.connect(self._on_note_saved)
        self.splitter.addWidget(self.checklist)
        self.splitter.addWidget(self.detail)
        self.splitter.setStretchFactor(0, 11)
        self.splitter.setStretchFactor(1, 9)
        outer.addWidget(self.splitter, 1)
        self.empty = QLabel("This library has no roadmap.", objectName="Muted", alignment=Qt.AlignmentFlag.AlignCenter)
        self.empty.hide()
        outer.addWidget(self.empty, 1)
        self._shortcuts()
        # Filled when shown: on_shown re-reads everything each time, and reading it here as well
        # made a first opening read it twice.

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
        checklist = self.checklist
        checklist.blockSignals(True)
        checklist.clear()
        self._section_tallies = {}
        for section, milestones in roadmap.sections(self.level):
            self._section_tallies[section.id] = roadmap.tally(milestones, self.records)
            checklist.add_section(section.id, section.title)
            for milestone in milestones:
                checklist.add_milestone(milestone.id, MILESTONE, milestone.title)
        retired = roadmap.retired() if self.level is None else []
        if retired:
            self._section_tallies[RETIRED] = Tally(total=len(retired))
            checklist.add_section(RETIRED, "Retired · kept for their history")
            for record in retired:
                checklist.add_milestone(record.milestone_id, RETIRED, retired_title(record.milestone_id))
        target = checklist.item_for(keep) or checklist.first_selectable()
        if target is not None:
            checklist.select_item(target)
        checklist.blockSignals(False)
        # Once, whether or not the current row moved: a signal let through as well showed the
        # detail twice (7 ms a time on the UI thread).
        self._on_current_changed(target)

    def _update_totals(self, roadmap: Roadmap) -> None:
        tallies = roadmap.level_tallies(self.records)
        for level, tab in self.level_tabs.items():
            tab.set_tally(tallies[level])
        self.summary.setText(summary_text(tallies[None]))
        self.reset_button.setEnabled(roadmap.resettable(self.records) > 0)

    def section_tally(self, section_id: str) -> Tally:
        return self._section_tallies.get(section_id, Tally())

    # ------------------------------------------------------------ selection and detail
    def set_level(self, level: str | None) -> None:
        if level not in LEVEL_FILTERS:
            return
        self.level = level
        self.level_tabs[level].setChecked(True)
        self._rebuild_list(self.roadmap)
        self.level_changed.emit(level)

    def select(self, milestone_id: str) -> bool:
        item = self.checklist.item_for(milestone_id)
        if item is None and self.level is not None:
            self.set_level(None)
            item = self.checklist.item_for(milestone_id)
        if item is not None:
            self.checklist.select_item(item)
        return item is not None

    def _on_current_changed(self, item: QListWidgetItem | None, _previous=None) -> None:
        self.save_note()
        self.current_id = item.data(ID_ROLE) if item is not None else None
        self._show_detail()

    def _show_detail(self) -> None:
        ident = self.current_id
        self.detail.setVisible(ident is not None)
        if ident is None:
            return
        library = self.workspace.library
        self.detail.show_milestone(ident, library.milestone(ident), self.records.get(ident, Record(ident)),
                                   self.mastery.get(ident, Mastery(0, 0)), library)

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
        self._section_tallies.update(
            (section.id, tally) for section, tally in roadmap.section_tallies(self.level, self.records))
        self._update_totals(roadmap)
        self.checklist.viewport().update()
        if milestone_id == self.current_id:
            self.save_note()
            self._show_detail()
        self.progress_changed.emit()

    # ------------------------------------------------------------ notes
    def save_note(self) -> None:
        """Write the note being typed now rather than after the pause (before anything re-reads)."""
        self.detail.save_note()

    def _on_note_saved(self, record: Record) -> None:
        self.records[record.milestone_id] = record
        self.checklist.viewport().update()  # the row's caption says "note"

    # ------------------------------------------------------------ study, export, reset
    def study(self) -> None:
        milestone = self.workspace.library.milestone(self.current_id or "")
        if milestone is not None and self.mastery.get(milestone.id, Mastery(0, 0)).total:
            self.save_note()
            self.study_requested.emit(milestone_scope(milestone))

    def export_to_file(self) -> Path | None:
        self.save_note()  # the note being typed belongs in the export
        path = save_markdown_file(self, self.roadmap)
        if path is not None:
            self.message.emit(f"Roadmap exported to {path}")
        return path

    def copy_to_clipboard(self) -> None:
        self.save_note()
        copy_markdown(self.roadmap)
        self.message.emit("Roadmap copied to the clipboard as Markdown")

    def reset_all(self) -> None:
        changed = self.roadmap.resettable(self.records)
        if not changed:
            self.message.emit("Nothing to reset: every milestone is pending.")
            return
        if not ask_to_reset(self, changed):
            return
        self.save_note()
        count = self.roadmap.reset_all()
        self.refresh()
        self.banner.show_reset(count)
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

    def on_changes(self, changes: Changes) -> None:
        if (changes.roadmap or changes.progress) and self.isVisible():
            self.refresh()

    def showEvent(self, event) -> None:  # noqa: N802
        super().showEvent(event)
        self.detail.fit_width()
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
            tab.set_theme(theme)
        self.detail.set_theme(theme)
        self.apply_theme()
        self.save_note()  # the pane is filled again from what is stored: store what is typed first
        self._show_detail()
        self.checklist.viewport().update()

    def apply_theme(self) -> None:
        self.setStyleSheet(stylesheet(self.theme))
