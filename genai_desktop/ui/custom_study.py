"""Custom study for one deck, as in Anki: more new cards today, study ahead, or forgotten cards.

The dialog only asks; ``FlashcardsView.run_custom_study`` does it. Each choice shows how many
cards it would give, counted again (after a short pause) as its number changes, and the button
stays off while the choice gives none: the user never starts an empty session.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QGridLayout,
    QLabel,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ..core.study.session import CUSTOM_DAYS, Scope, StudySettings, due_ahead, forgotten_recently, system_clock
from . import theme as themes
from .backups_dialog import dialog_stylesheet
from .dialog_buttons import button_row

NEW, AHEAD, FORGOTTEN = "new", "ahead", "forgotten"
MAX_EXTRA_NEW = 9999  # the daily limit's own maximum


class CustomStudyDialog(QDialog):
    def __init__(self, conn: sqlite3.Connection, scope: Scope, scope_ids: Sequence[str], new_left: int,
                 theme: themes.Theme, parent: QWidget | None = None, *, clock=None) -> None:
        super().__init__(parent)
        self.conn = conn
        self.scope_ids = scope_ids
        self.new_left = new_left
        self.clock = clock or system_clock
        self.settings = StudySettings.load(conn)
        self.setWindowTitle("Custom study")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 14)
        layout.setSpacing(10)
        layout.addWidget(QLabel(f"Custom study · {scope.label}", objectName="DialogTitle", wordWrap=True))

        grid = QGridLayout()
        grid.setHorizontalSpacing(8)
        grid.setVerticalSpacing(10)
        self.group = QButtonGroup(self)
        self.options: dict[str, QRadioButton] = {}
        self.numbers: dict[str, QSpinBox] = {}
        self.counts: dict[str, QLabel] = {}
        low, high = CUSTOM_DAYS
        for row, (kind, before, after, value, maximum) in enumerate((
                (NEW, "Add", "new cards to today's limit", 10, MAX_EXTRA_NEW),
                (AHEAD, "Study ahead: cards due in the next", "days", 7, high),
                (FORGOTTEN, "Review forgotten cards: rated Again in the last", "days", 1, high))):
            option = QRadioButton(before)
            number = QSpinBox(minimum=low, maximum=maximum, value=value)
            count = QLabel("", objectName="Muted")
            self.group.addButton(option)
            grid.addWidget(option, row, 0)
            grid.addWidget(number, row, 1)
            grid.addWidget(QLabel(after), row, 2)
            grid.addWidget(count, row, 3)
            number.valueChanged.connect(lambda _value, k=kind: self._number_changed(k))
            option.toggled.connect(self._update_button)
            self.options[kind], self.numbers[kind], self.counts[kind] = option, number, count
        grid.setColumnStretch(3, 1)
        layout.addLayout(grid)

        self.ok = QPushButton("Study")
        self.ok.setDefault(True)
        self.ok.clicked.connect(self.accept)
        cancel = QPushButton("Cancel")
        cancel.setAutoDefault(False)
        cancel.clicked.connect(self.reject)
        layout.addLayout(button_row(cancel, self.ok))

        # Counting a large library's cards is a query: once the typing pauses, not per keystroke.
        self._recount = QTimer(self, singleShot=True, interval=150, timeout=self._count)
        self._pending: set[str] = set()
        self.found: dict[str, list[str]] = {}  # the cards studying ahead and forgotten cards give
        self._count_now({NEW, AHEAD, FORGOTTEN})
        first = next((k for k in (NEW, AHEAD, FORGOTTEN) if self._available(k)), NEW)
        self.options[first].setChecked(True)
        self.setStyleSheet(dialog_stylesheet(theme))

    # ------------------------------------------------------------ counts
    def _number_changed(self, kind: str) -> None:
        self.options[kind].setChecked(True)
        self._pending.add(kind)
        self.ok.setEnabled(False)  # until counted
        self._recount.start()

    def _count(self) -> None:
        pending, self._pending = self._pending, set()
        self._count_now(pending)

    def _count_now(self, kinds: set[str]) -> None:
        if NEW in kinds:
            self.counts[NEW].setText(f"{self.new_left} left" if self.new_left else "no new cards left")
        for kind, find in ((AHEAD, due_ahead), (FORGOTTEN, forgotten_recently)):
            if kind in kinds:
                self.found[kind] = find(self.conn, self.scope_ids, self.numbers[kind].value(), self.settings,
                                        self.clock)
                n = len(self.found[kind])
                self.counts[kind].setText(f"{n} card{'s' if n != 1 else ''}" if n else "no cards")
        self._update_button()

    def _available(self, kind: str) -> bool:
        return bool(self.new_left if kind == NEW else self.found.get(kind))

    def _update_button(self, *_args) -> None:
        kind = self.kind()
        self.ok.setText("Add" if kind == NEW else "Study")
        self.ok.setEnabled(not self._pending and self._available(kind))

    # ------------------------------------------------------------ the choice
    def kind(self) -> str:
        return next((k for k, option in self.options.items() if option.isChecked()), NEW)

    def number(self) -> int:
        """The chosen number: new cards to add, or days."""
        return self.numbers[self.kind()].value()

    def cards(self) -> list[str]:
        """The cards the chosen way of studying ahead or over forgotten cards gives (as counted)."""
        return list(self.found.get(self.kind(), [])) if self.kind() != NEW else []
