"""Exporting the roadmap from the view: the save dialog and its messages, and the clipboard.
What is written, and how safely, is core's (Roadmap.export_markdown and export_file)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from ...core.errors import UserError
from ...core.study.roadmap import Roadmap

DEFAULT_NAME = "roadmap-progress.md"


def save_markdown_file(parent: QWidget, roadmap: Roadmap) -> Path | None:
    """Ask where, then write the checklist there. Returns the path written, or None when the
    user cancelled or the file could not be written (then a message has said why)."""
    name, _ = QFileDialog.getSaveFileName(parent, "Export the roadmap", str(Path.home() / DEFAULT_NAME),
                                          "Markdown (*.md);;All files (*)")
    if not name:
        return None
    try:
        return roadmap.export_file(Path(name))
    except UserError as exc:
        QMessageBox.warning(parent, "Export failed", str(exc))
        return None


def copy_markdown(roadmap: Roadmap) -> None:
    QGuiApplication.clipboard().setText(roadmap.export_markdown())
