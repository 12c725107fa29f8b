"""Resetting the roadmap from the view: the question asked first, and the banner that offers
the undo afterwards. The reset and its undo themselves are core's (Roadmap.reset_all, undo_reset)."""

from __future__ import annotations

from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QMessageBox, QPushButton, QToolButton, QWidget


def ask_to_reset(parent: QWidget, changed: int) -> bool:
    """Whether to set ``changed`` milestones back to pending; the yes button names the action,
    and Cancel is the default (tests replace this function)."""
    box = QMessageBox(QMessageBox.Icon.Warning, "Reset roadmap progress",
                      f"Set all {changed} started, done or skipped milestones back to pending?\n\n"
                      "Your notes are kept, and you can undo this.", QMessageBox.StandardButton.NoButton, parent)
    yes = box.addButton("Reset progress", QMessageBox.ButtonRole.DestructiveRole)
    box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(QMessageBox.StandardButton.Cancel)
    box.exec()
    return box.clickedButton() is yes


class ResetBanner(QFrame):
    """'Progress reset: N milestones back to pending.' with Undo and a close button; hidden
    until a reset, and hidden again once anything else changes (the undo is gone then)."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent, objectName="Banner")
        row = QHBoxLayout(self)
        row.setContentsMargins(14, 6, 8, 6)
        self.text = QLabel("", wordWrap=True)
        self.undo_button = QPushButton("Undo   Ctrl+Z", objectName="BannerButton")
        close = QToolButton(objectName="BannerClose", text="✕")
        close.setToolTip("Dismiss")
        close.clicked.connect(self.hide)
        row.addWidget(self.text, 1)
        row.addWidget(self.undo_button)
        row.addWidget(close)
        self.hide()

    def show_reset(self, count: int) -> None:
        self.text.setText(f"Progress reset: {count} milestone{'s' if count != 1 else ''} back to pending. "
                          "Your notes are kept.")
        self.show()
