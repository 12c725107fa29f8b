"""Help → About: the version, the licences the app is shipped under, and the user's data folder."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices, QFont, QFontDatabase, QIcon
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QLayout,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from .. import __version__
from ..paths import APP_NAME, bundle_root, resources_dir
from .dialog_buttons import button_row

LICENCES_HTML = """
<p style="margin-bottom:4px"><b>Licences</b></p>
<table cellspacing="0" cellpadding="2">
<tr><td>App code</td><td>&nbsp;&nbsp;MIT (the LICENSE file)</td></tr>
<tr><td>Built-in library text&nbsp;</td><td>&nbsp;&nbsp;CC BY 4.0 (content/LICENSE.md)</td></tr>
<tr><td>Qt and PySide6</td><td>&nbsp;&nbsp;LGPLv3, used as separate, replaceable libraries</td></tr>
</table>
<p>Every other component and its licence text is listed in THIRD_PARTY_LICENSES.</p>
"""


def third_party_licences_file() -> Path:
    return bundle_root() / "THIRD_PARTY_LICENSES"


def close_button(dialog: QDialog) -> QPushButton:
    """The default button of an information-only dialog: Enter and Esc both close it."""
    button = QPushButton("Close")
    button.setDefault(True)
    button.clicked.connect(dialog.reject)
    return button


class LicencesDialog(QDialog):
    """THIRD_PARTY_LICENSES inside the app: no browser, no network, works in every build."""

    def __init__(self, path: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Third-party licences")
        self.resize(760, 620)
        self.text = QPlainTextEdit(readOnly=True)
        self.text.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.text.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        try:
            self.text.setPlainText(path.read_text(encoding="utf-8"))
        except OSError as exc:
            self.text.setPlainText(f"The licences file could not be read:\n{path}\n\n{exc}\n\n"
                                   "In a source checkout, `python packaging/make_licenses.py` writes it.")
        self.close_button = close_button(self)
        layout = QVBoxLayout(self)
        layout.addWidget(self.text, 1)
        layout.addLayout(button_row(self.close_button))


class AboutDialog(QDialog):
    def __init__(self, data_folder: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.data_folder = data_folder
        self.setWindowTitle(f"About {APP_NAME}")

        icon = QLabel()
        icon.setPixmap(QIcon(str(resources_dir() / "icons" / "app-128.png")).pixmap(72, 72))
        icon.setAlignment(Qt.AlignmentFlag.AlignTop)
        title = QLabel(APP_NAME)
        font = QFont(title.font())
        font.setPointSizeF(font.pointSizeF() * 1.5)
        font.setBold(True)
        title.setFont(font)
        self.version = QLabel(f"Version {__version__}")
        blurb = QLabel("Offline study for Generative-AI interviews: a library, a reader and FSRS flashcards. "
                       "Nothing you do here leaves this computer.")
        blurb.setWordWrap(True)
        blurb.setFixedWidth(400)
        heading = QVBoxLayout()
        heading.setSpacing(2)
        heading.addWidget(title)
        heading.addWidget(self.version)
        heading.addSpacing(6)
        heading.addWidget(blurb)
        top = QHBoxLayout()
        top.setSpacing(16)
        top.addWidget(icon)
        top.addLayout(heading, 1)

        self.licences = QLabel(LICENCES_HTML)
        self.licences.setWordWrap(True)
        self.licences_button = QPushButton("Third-party licences…")
        self.licences_button.clicked.connect(self.show_licences)

        folder_label = QLabel("<b>Your data folder</b> (progress, notes, settings, backups)")
        self.folder = QLineEdit(str(data_folder), readOnly=True)
        self.folder.setCursorPosition(0)
        open_folder = QPushButton("Open")
        open_folder.setToolTip("Show the data folder in your file manager")
        open_folder.clicked.connect(lambda: QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.data_folder))))
        folder_row = QHBoxLayout()
        folder_row.addWidget(self.folder, 1)
        folder_row.addWidget(open_folder)

        self.close_button = close_button(self)
        self.licences_button.setAutoDefault(False)  # Enter closes the dialog, as the Close button says

        layout = QVBoxLayout(self)
        layout.setContentsMargins(22, 20, 22, 16)
        layout.setSpacing(10)
        layout.addLayout(top)
        layout.addSpacing(4)
        layout.addWidget(self.licences)
        layout.addWidget(folder_label)
        layout.addLayout(folder_row)
        layout.addSpacing(6)
        layout.addLayout(button_row(self.close_button, leading=[self.licences_button]))
        # Exactly as tall as its content: wrapped labels otherwise leave uneven gaps.
        layout.setSizeConstraint(QLayout.SizeConstraint.SetFixedSize)

    def show_licences(self) -> LicencesDialog:
        dialog = LicencesDialog(third_party_licences_file(), self)
        dialog.show()
        return dialog
