"""Settings → Backups…: the progress database's backups, with date, kind, reviews and size.

Restore replaces the current progress with a backup after backing up the current state, so a
restore can itself be undone from this same list. The copy runs off the UI thread (a year of
reviews is tens of megabytes) and writes through the app's open connection, so every view
keeps working; they are refreshed when it is done.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QFont
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ..core.changes import Changes
from ..core.store import backups
from ..core.workspace import Workspace
from ..paths import APP_NAME
from . import theme as themes
from .runner import Job, run_in_background


def dialog_stylesheet(t: themes.Theme) -> str:
    """Shared by the backups and recovery dialogs: a titled panel with a calm list."""
    return f"""
    QLabel#DialogTitle {{ font-size: 19px; font-weight: 600; color: {t.text}; }}
    QLabel#Section {{ font-weight: 600; color: {t.text}; }}
    QLabel#Muted {{ color: {t.muted}; }}
    QLabel#Status {{ color: {t.good}; }}
    QListWidget, QTreeWidget {{ background: {t.surface}; border: 1px solid {t.border}; border-radius: 8px;
                                padding: 4px; outline: 0; font-size: 14px; }}
    QListWidget::item {{ padding: 7px 10px; border-radius: 6px; color: {t.text}; }}
    QTreeWidget::item {{ padding: 6px 4px; color: {t.text}; }}
    QListWidget::item:hover, QTreeWidget::item:hover {{ background: {t.hover}; }}
    QListWidget::item:selected, QTreeWidget::item:selected {{ background: {t.selection}; color: {t.text}; }}
    QHeaderView::section {{ background: {t.surface}; color: {t.muted}; border: none;
                            border-bottom: 1px solid {t.border}; padding: 6px 4px; font-weight: 600; }}
    """


def style_dialog(dialog: QDialog, theme: themes.Theme) -> None:
    dialog.setStyleSheet(dialog_stylesheet(theme))
    for label in dialog.findChildren(QLabel, "DialogTitle"):
        font = QFont(label.font())
        font.setPixelSize(19)
        font.setWeight(QFont.Weight.DemiBold)
        label.setFont(font)


COLUMNS = ("Date", "Kind", "Reviews", "Size")


class BackupsDialog(QDialog):
    restored = Signal()

    def __init__(self, workspace: Workspace, theme: themes.Theme, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self.folder = workspace.paths.backups
        self.setWindowTitle("Backups")
        self.setMinimumSize(640, 440)
        self._job: Job | None = None

        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 18)
        layout.setSpacing(10)
        layout.addWidget(QLabel("Backups", objectName="DialogTitle"))
        layout.addWidget(QLabel(
            "Your progress is backed up on the first start of each day, before every upgrade and before a "
            f"restore. The newest {backups.KEEP} are kept.", objectName="Muted", wordWrap=True))

        self.table = QTreeWidget(objectName="BackupTable")
        self.table.setColumnCount(len(COLUMNS))
        self.table.setHeaderLabels(COLUMNS)
        numbers = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        for column in (2, 3):
            self.table.headerItem().setTextAlignment(column, numbers)
        self.table.setRootIsDecorated(False)
        self.table.setUniformRowHeights(True)
        self.table.setAlternatingRowColors(False)
        header = self.table.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in (1, 2, 3):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.table.itemDoubleClicked.connect(lambda *_: self.restore_selected())
        layout.addWidget(self.table, 1)

        self.status = QLabel("", objectName="Muted", wordWrap=True)
        layout.addWidget(self.status)

        row = QHBoxLayout()
        row.setSpacing(8)
        self.open_button = QPushButton("Open folder")
        self.open_button.clicked.connect(self.open_folder)
        self.backup_button = QPushButton("Back up now")
        self.backup_button.clicked.connect(self.backup_now)
        self.restore_button = QPushButton("Restore…")
        self.restore_button.clicked.connect(self.restore_selected)
        self.close_button = QPushButton("Close")
        self.close_button.clicked.connect(self.accept)
        for button in (self.open_button, self.backup_button, self.restore_button):
            button.setAutoDefault(False)  # Enter closes: replacing progress is never the default
        self.close_button.setDefault(True)
        row.addWidget(self.open_button)
        row.addWidget(self.backup_button)
        row.addStretch(1)
        row.addWidget(self.restore_button)
        row.addWidget(self.close_button)
        layout.addLayout(row)
        style_dialog(self, theme)
        self.reload()

    # ------------------------------------------------------------ list
    def reload(self) -> None:
        numbers = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        self.table.clear()
        listed = backups.list_backups(self.folder)
        for backup in listed:
            reviews = backups.count_reviews(backup.path)
            item = QTreeWidgetItem([backups.format_when(backup.created), backup.label,
                                    f"{reviews:,}" if reviews is not None else "unreadable",
                                    backups.format_size(backup.size)])
            item.setData(0, Qt.ItemDataRole.UserRole, str(backup.path))
            item.setToolTip(0, backup.path.name)
            for column in (2, 3):
                item.setTextAlignment(column, numbers)
            self.table.addTopLevelItem(item)
        if listed:
            self.table.setCurrentItem(self.table.topLevelItem(0))
        elif not self.status.text():
            self.status.setText("No backups yet: the first one is made at the next start, or now with "
                                "“Back up now”.")
        self._update_buttons()

    def selected(self) -> Path | None:
        item = self.table.currentItem()
        return Path(item.data(0, Qt.ItemDataRole.UserRole)) if item is not None else None

    def _update_buttons(self, busy: bool = False) -> None:
        self.restore_button.setEnabled(not busy and self.selected() is not None)
        self.backup_button.setEnabled(not busy)
        self.close_button.setEnabled(not busy)

    # ------------------------------------------------------------ actions
    def open_folder(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.folder)))

    def backup_now(self) -> None:
        self._run("Backing up…", lambda conn, _progress: backups.make_backup(conn, self.folder, "manual"),
                  lambda made: f"Backed up to {made.path.name}.")

    def restore_selected(self) -> None:
        chosen = self.selected()
        if chosen is None:
            return
        created = backups.parse_name(chosen)
        when = backups.format_when(created[0]) if created else chosen.name
        box = QMessageBox(QMessageBox.Icon.Question, "Restore backup",
                          f"Replace your current progress with the backup from {when}?", parent=self)
        box.setInformativeText("Your current progress is backed up first, so you can come back to it from this "
                               "list (“Before a restore”).")
        restore = box.addButton("Restore", QMessageBox.ButtonRole.AcceptRole)
        cancel = box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(cancel)  # the safe choice
        box.exec()
        if box.clickedButton() is not restore:
            return
        self._run("Restoring…", lambda conn, _progress: backups.restore_into(chosen, conn, self.folder),
                  lambda _safety: f"Restored the backup from {when}. Your previous progress is saved as "
                                  "“Before a restore”.", restored=True)

    def _run(self, busy_text: str, work: Callable[..., object], done_text: Callable[[object], str],
             restored: bool = False) -> None:
        """``work(conn, progress)`` on the runner, on its own connection to the progress database."""
        self.status.setObjectName("Muted")
        self.status.setText(busy_text)
        self._update_buttons(busy=True)
        self.setCursor(Qt.CursorShape.BusyCursor)

        def succeeded(result: object) -> None:
            self._finished()
            self.status.setText(done_text(result))
            if restored:
                self.restored.emit()

        def failed(message: str) -> None:
            self._finished()
            self.status.setText(message)
            QMessageBox.warning(self, APP_NAME, message)

        self.workspace.progress  # noqa: B018 - opens and migrates the database before a second connection
        self._job = run_in_background(work, done=succeeded, failed=failed,
                                      db_path=self.workspace.paths.progress_db, name="backups")

    def _finished(self) -> None:
        self.unsetCursor()
        self._job = None
        self.reload()

    def busy(self) -> bool:
        return self._job is not None

    def reject(self) -> None:
        if not self.busy():  # Esc must not close the dialog halfway through a restore
            super().reject()


def show_backups(window: QMainWindow) -> None:
    """Settings → Backups…: restoring reloads what the main window shows."""
    dialog = BackupsDialog(window.workspace, window.theme, window)
    # The whole database was replaced: everything shown was read from the old one.
    dialog.restored.connect(lambda: window.apply_changes(Changes(cards=True, reviews=True, notes=True, roadmap=True,
                                                                  settings=True, sessions_void=True)))
    dialog.exec()
