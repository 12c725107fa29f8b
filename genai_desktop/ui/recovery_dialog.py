"""The dialog shown when the start-up check finds the progress database damaged.

Never a crash and never a silent reset: it says what was found, offers the newest backup that
passes its own check (others can be picked), and keeps the damaged file in
``backups/damaged/``. Starting over with empty progress is offered only as an explicit,
confirmed choice, and quitting leaves everything exactly as it was.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ..core.store import backups
from ..paths import APP_NAME

RESTORED, STARTED_FRESH, QUIT = "restored", "fresh", "quit"


def backup_item_text(backup: backups.Backup) -> str:
    reviews = backups.count_reviews(backup.path)
    counted = f"{reviews:,} review{'s' if reviews != 1 else ''}" if reviews is not None else "unreadable"
    return f"{backups.format_when(backup.created)}  ·  {backup.label}\n{counted}  ·  {backups.format_size(backup.size)}"


def summarise(detail: str) -> str:
    """One readable line from SQLite's report (the full text is in the tooltip and the log)."""
    lines = [line.strip() for line in detail.splitlines() if line.strip() and not line.startswith("***")]
    if not lines:
        return "the file is damaged"
    first = lines[0] if len(lines[0]) <= 90 else lines[0][:87] + "…"
    more = len(lines) - 1
    return first + (f" (and {more} more problem{'s' if more != 1 else ''})" if more else "")


class RecoveryDialog(QDialog):
    def __init__(self, db_path: Path, backup_dir: Path, detail: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db_path = db_path
        self.backup_dir = backup_dir
        self.outcome = QUIT
        self.damaged_copy: Path | None = None
        self.setWindowTitle(f"{APP_NAME}: progress database damaged")
        self.setObjectName("RecoveryDialog")
        self.setMinimumWidth(560)
        self.good = [b for b in backups.list_backups(backup_dir) if backups.check_backup(b.path) is None]

        layout = QVBoxLayout(self)
        layout.setContentsMargins(28, 24, 28, 22)
        layout.setSpacing(10)
        title = QLabel("Your progress database is damaged", objectName="DialogTitle")
        layout.addWidget(title)
        intro = QLabel(
            f"The start-up check found damage in <b>{db_path.name}</b>, so the app has not opened it. "
            "Nothing has been changed or deleted.", wordWrap=True)
        intro.setTextFormat(Qt.TextFormat.RichText)
        layout.addWidget(intro)
        found = QLabel(f"What SQLite reported: {summarise(detail)}", objectName="Muted", wordWrap=True)
        found.setToolTip(detail)
        layout.addWidget(found)
        layout.addSpacing(6)

        self.backup_list = QListWidget(objectName="BackupList")
        if self.good:
            layout.addWidget(QLabel("Restore from a backup (the newest good one is selected):", objectName="Section"))
            for backup in self.good:
                item = QListWidgetItem(backup_item_text(backup))
                item.setData(Qt.ItemDataRole.UserRole, str(backup.path))
                self.backup_list.addItem(item)
            self.backup_list.setCurrentRow(0)
            self.backup_list.setFixedHeight(min(4, len(self.good)) * 52 + 8)
            self.backup_list.itemDoubleClicked.connect(lambda _item: self.restore())
            layout.addWidget(self.backup_list)
        else:
            self.backup_list.hide()
            none = QLabel("No usable backup was found in the backups folder.", wordWrap=True)
            layout.addWidget(none)
        note = QLabel(f"The damaged file is kept in {backup_dir / backups.DAMAGED_FOLDER}, never deleted.",
                      objectName="Muted", wordWrap=True)
        layout.addWidget(note)
        layout.addSpacing(10)

        buttons = QHBoxLayout()
        buttons.setSpacing(8)
        self.quit_button = QPushButton("Quit")
        self.quit_button.setToolTip("Leave everything as it is and close the app")
        self.quit_button.clicked.connect(self.reject)
        self.fresh_button = QPushButton("Start with empty progress…")
        self.fresh_button.clicked.connect(self.start_fresh)
        self.quit_button.setAutoDefault(False)
        self.fresh_button.setAutoDefault(False)
        buttons.addWidget(self.quit_button)
        buttons.addStretch(1)
        buttons.addWidget(self.fresh_button)
        if self.good:
            self.restore_button = QPushButton("Restore selected backup", objectName="Primary")
            self.restore_button.setDefault(True)
            self.restore_button.clicked.connect(self.restore)
            buttons.addWidget(self.restore_button)
        else:  # the only way on: it looks like the main action (and is sized for its bold label)
            self.fresh_button.setObjectName("Primary")
            self.fresh_button.setDefault(True)
        layout.addLayout(buttons)

    def selected_backup(self) -> Path | None:
        item = self.backup_list.currentItem()
        return Path(item.data(Qt.ItemDataRole.UserRole)) if item is not None else None

    def restore(self) -> None:
        chosen = self.selected_backup()
        if chosen is None:
            return
        try:
            self.damaged_copy = backups.recover_from(chosen, self.db_path, self.backup_dir)
        except (backups.BackupError, OSError) as exc:
            QMessageBox.warning(self, APP_NAME, f"The backup could not be restored.\n\n{exc}")
            return
        self.outcome = RESTORED
        self.accept()

    def start_fresh(self) -> None:
        answer = QMessageBox.question(
            self, APP_NAME,
            "Start with empty progress?\n\nYour reviews, notes and roadmap ticks will start from zero. The damaged "
            f"file is kept in {self.backup_dir / backups.DAMAGED_FOLDER} in case it can be rescued later.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Cancel)
        if answer != QMessageBox.StandardButton.Yes:
            return
        try:
            self.damaged_copy = backups.start_fresh(self.db_path, self.backup_dir)
        except OSError as exc:
            QMessageBox.warning(self, APP_NAME, f"The damaged file could not be moved aside.\n\n{exc}")
            return
        self.outcome = STARTED_FRESH
        self.accept()
