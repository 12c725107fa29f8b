"""File menu flows that move cards and progress in and out: Export to Anki, Export/Import progress
and Import Anki text.

Each runs its work on a worker thread (the window never freezes) and reports in one small
dialog with three pages: a form (Anki export only), a working page with a progress bar, and a
result page saying what happened. Errors the user can act on (a bad file, an empty selection)
are shown in words on the dialog; nothing half-done is ever left behind (see the core modules).

Imported lazily from the File menu: nothing here is on the start-up path.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QStandardPaths, Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from ..core.changes import Changes
from ..core.content.library import LEVEL_NAMES, LEVELS
from ..core.study.session import Scope
from ..core.transfer.anki_export import ExportResult, export_apkg
from ..core.transfer.progress import MergeSummary, export_progress, import_progress
from . import theme as themes
from .dialog_buttons import button_row
from .runner import Job, Progress

log = logging.getLogger(__name__)
LAST_DIR_KEY = "transfer/last_dir"
def dialog_stylesheet(t: themes.Theme) -> str:
    return f"""
    QLabel#TransferTitle {{ font-size: 19px; font-weight: 600; color: {t.text}; }}
    QLabel#TransferIntro, QLabel#Muted {{ color: {t.muted}; }}
    QLabel#Section {{ font-weight: 600; color: {t.text}; }}
    QLabel#Error {{ color: {t.again}; }}
    QLabel#ResultLine {{ color: {t.text}; font-size: 14px; }}
    QLabel#TransferIntro {{ font-size: 13px; }}
    QRadioButton {{ spacing: 9px; padding: 3px 0; }}
    QRadioButton:disabled {{ color: {t.muted}; }}
    QRadioButton::indicator {{ width: 14px; height: 14px; border-radius: 8px; border: 1px solid {t.muted};
                               background: {t.surface}; }}
    QRadioButton::indicator:hover {{ border-color: {t.accent}; }}
    QRadioButton::indicator:disabled {{ border-color: {t.border}; }}
    QRadioButton::indicator:checked {{ border-color: {t.accent}; background: qradialgradient(cx:0.5, cy:0.5,
        radius:0.5, fx:0.5, fy:0.5, stop:0 {t.accent}, stop:0.45 {t.accent}, stop:0.55 {t.surface},
        stop:1 {t.surface}); }}
    QProgressBar {{ background: {t.hover}; border: none; border-radius: 4px; height: 8px; }}
    QProgressBar::chunk {{ background: {t.accent}; border-radius: 4px; }}
    """


def default_folder(window) -> Path:
    remembered = window.settings.get_str(LAST_DIR_KEY)
    if remembered and Path(remembered).is_dir():
        return Path(remembered)
    documents = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    return Path(documents) if documents and Path(documents).is_dir() else Path.home()


def ask_file_to_open(window, title: str, file_filter: str) -> Path | None:
    """A file chosen in the last folder used; that folder is remembered for next time."""
    name, _ = QFileDialog.getOpenFileName(window, title, str(default_folder(window)), file_filter)
    if not name:
        return None
    source = Path(name)
    window.settings.set(LAST_DIR_KEY, str(source.parent))
    return source


def with_suffix(name: str, suffix: str) -> Path:
    path = Path(name)
    return path if path.suffix.lower() == suffix else path.with_name(path.name + suffix)


class TransferDialog(QDialog):
    """The working and result pages shared by every flow; subclasses may add a form page first."""

    def __init__(self, window, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent or window)
        self.window_ = window
        self.job: Job | None = None
        self.result_path: Path | None = None
        self.setWindowTitle(title)
        self.setMinimumWidth(560)
        self.setStyleSheet(dialog_stylesheet(window.theme))
        self.pages = QStackedWidget()
        outer = QVBoxLayout(self)
        outer.setContentsMargins(28, 24, 28, 22)
        outer.addWidget(self.pages)

        # working page
        self.working_page = QWidget()
        working = QVBoxLayout(self.working_page)
        working.setContentsMargins(0, 0, 0, 0)
        working.setSpacing(12)
        self.working_title = QLabel(title, objectName="TransferTitle")
        self.working_label = QLabel("Working…", objectName="Muted", wordWrap=True)
        self.bar = QProgressBar(textVisible=False)
        self.bar.setFixedHeight(8)
        self.cancel_job_button = QPushButton("Cancel")
        self.cancel_job_button.clicked.connect(self._cancel_job)
        working.addWidget(self.working_title)
        working.addWidget(self.working_label)
        working.addWidget(self.bar)
        working.addStretch(1)
        working.addSpacing(14)
        working.addLayout(self._buttons(self.cancel_job_button))
        self.pages.addWidget(self.working_page)

        # result page
        self.result_page = QWidget()
        result = QVBoxLayout(self.result_page)
        result.setContentsMargins(0, 0, 0, 0)
        result.setSpacing(8)
        heading = QHBoxLayout()
        heading.setSpacing(10)
        self.result_mark = QLabel("✓")
        self.result_title = QLabel("", objectName="TransferTitle")
        heading.addWidget(self.result_mark)
        heading.addWidget(self.result_title, 1)
        result.addLayout(heading)
        self.result_text = QLabel("", objectName="ResultLine", wordWrap=True)
        self.result_text.setTextFormat(Qt.TextFormat.RichText)
        self.result_text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.result_hint = QLabel("", objectName="Muted", wordWrap=True)
        result.addWidget(self.result_text)
        result.addWidget(self.result_hint)
        result.addStretch(1)
        result.addSpacing(14)
        self.show_folder_button = QPushButton("Show in folder")
        self.show_folder_button.clicked.connect(self._show_folder)
        self.done_button = QPushButton("Done", objectName="Primary")
        self.done_button.setDefault(True)
        self.done_button.clicked.connect(self.accept)
        result.addLayout(self._buttons(self.show_folder_button, self.done_button))
        self.pages.addWidget(self.result_page)

    @staticmethod
    def _buttons(*buttons: QPushButton) -> QHBoxLayout:
        return button_row(*buttons)

    # ------------------------------------------------------------ running a job
    def run_job(self, message: str, work: Callable[..., object], *, cancellable: bool = True,
                db_path: Path | None = None) -> None:
        """``work(progress)`` on a runner Job, or ``work(conn, progress)`` with ``db_path``."""
        self.working_label.setText(message)
        self.bar.setRange(0, 0)  # busy until the first progress report
        self.cancel_job_button.setEnabled(cancellable)
        self.cancel_job_button.setVisible(cancellable)
        self.show_page(self.working_page)
        self.job = Job(work, self, db_path=db_path, name=type(self).__name__)
        self.job.progressed.connect(self._on_progress)
        self.job.succeeded.connect(self.on_success)
        self.job.failed.connect(self.on_failure)
        self.job.finished.connect(self._on_job_finished)
        self.job.start()

    def _on_progress(self, done: int, total: int) -> None:
        self.bar.setRange(0, max(1, total))
        self.bar.setValue(done)

    def _on_job_finished(self) -> None:
        if self.job is not None and self.job.cancel_requested and self.pages.currentWidget() is self.working_page:
            QDialog.reject(self)  # cancelled: the thread has ended and left nothing behind

    def _cancel_job(self) -> None:
        if self.job is not None:
            self.job.cancel_requested = True
            self.cancel_job_button.setEnabled(False)
            self.working_label.setText("Cancelling…")

    def on_success(self, result: object) -> None:  # overridden
        self.show_result("Done", "")

    def on_failure(self, message: str) -> None:
        self.show_result("That did not work", message, ok=False)

    def show_result(self, title: str, text: str, hint: str = "", *, ok: bool = True, rich: bool = False) -> None:
        """``text`` is plain unless ``rich``: file names and messages never turn into markup."""
        theme = self.window_.theme
        self.result_mark.setText("✓" if ok else "!")
        colour = theme.good if ok else theme.again
        self.result_mark.setStyleSheet(f"font-size: 22px; font-weight: 700; color: {colour};")
        self.result_title.setText(title)
        self.result_text.setText(text if rich else html.escape(text))
        self.result_hint.setText(hint)
        self.result_hint.setVisible(bool(hint))
        self.show_folder_button.setVisible(ok and self.result_path is not None)
        self.show_page(self.result_page)
        self.done_button.setFocus()

    def show_page(self, page: QWidget) -> None:
        """Switch pages and fit the dialog to the one shown (a stack is as tall as its tallest page)."""
        for index in range(self.pages.count()):
            other = self.pages.widget(index)
            policy = QSizePolicy.Policy.Preferred if other is page else QSizePolicy.Policy.Ignored
            other.setSizePolicy(policy, policy)
        self.pages.setCurrentWidget(page)
        if not self.isVisible():
            self.adjustSize()
            return
        # Keep the width the user sees and let the page's wrapped labels decide the height: the
        # stack answers for its tallest page, and adjustSize would guess a narrower width.
        self.layout().activate()
        margins = self.layout().contentsMargins()
        height = page.layout().totalHeightForWidth(self.pages.width())
        if height > 0:
            self.resize(self.width(), height + margins.top() + margins.bottom())

    def _show_folder(self) -> None:
        if self.result_path is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.result_path.parent)))

    # ------------------------------------------------------------ closing
    def reject(self) -> None:
        if self.job is not None and self.job.isRunning():
            self._cancel_job()  # the job ends at its next progress report, then closes us
            return
        super().reject()

    def done(self, code: int) -> None:  # noqa: D401 - Qt override
        if self.job is not None:
            self.job.wait()
        super().done(code)


# ---------------------------------------------------------------- Export to Anki

class AnkiExportDialog(TransferDialog):
    """Choose what to export and where; then export and say how many cards went out."""

    def __init__(self, window, parent: QWidget | None = None) -> None:
        super().__init__(window, "Export to Anki", parent)
        self.library = window.workspace.library
        self.bookmarks = window.bookmarked_ids()
        self.form_page = QWidget()
        form = QVBoxLayout(self.form_page)
        form.setContentsMargins(0, 0, 0, 0)
        form.setSpacing(10)
        form.addWidget(QLabel("Export to Anki", objectName="TransferTitle"))
        form.addWidget(QLabel("Makes an Anki package (.apkg) for Anki, AnkiDroid or AnkiMobile. Formulas are "
                              "typeset by Anki, code keeps its colours, and exporting again later updates the "
                              "same cards instead of adding copies.", objectName="TransferIntro", wordWrap=True))
        form.addSpacing(6)
        form.addWidget(QLabel("What to export", objectName="Section"))

        grid = QGridLayout()
        grid.setHorizontalSpacing(14)
        grid.setVerticalSpacing(6)
        grid.setColumnStretch(1, 1)
        self.choice = QButtonGroup(self)
        self.combos: dict[str, QComboBox] = {}
        self.radios: dict[str, QRadioButton] = {}
        # Imported packs by their titles (the sidebar's names), never their folder ids.
        titles = self.library.pack_titles
        pack_ids = {q.pack for q in self.library.questions() if q.pack != "builtin"}
        packs = sorted(((titles.get(p, p), p) for p in pack_ids), key=lambda item: item[0].lower())
        rows = [("all", "Every question", []),
                ("topic", "One topic", [(t.title, t.id) for t in self.library.topics if t.questions]),
                ("level", "One level", [(LEVEL_NAMES[level], level) for level in LEVELS]),
                ("bookmarks", "Bookmarked questions", []),
                ("pack", "One of my packs", packs)]
        for row, (kind, label, items) in enumerate(rows):
            if kind == "pack" and not items:
                continue
            radio = QRadioButton(label)
            self.radios[kind] = radio
            self.choice.addButton(radio)
            grid.addWidget(radio, row, 0)
            if items:
                combo = QComboBox()  # Fusion's own look: a styled combo loses its arrow
                combo.setMinimumWidth(240)
                for text, value in items:
                    combo.addItem(text, value)
                combo.currentIndexChanged.connect(self._update_count)
                self.combos[kind] = combo
                grid.addWidget(combo, row, 1)
            radio.toggled.connect(self._update_count)
        if not self.bookmarks:
            self.radios["bookmarks"].setEnabled(False)
            self.radios["bookmarks"].setToolTip("Bookmark questions in the library to export them on their own.")
        form.addLayout(grid)

        form.addSpacing(6)
        form.addWidget(QLabel("Save to", objectName="Section"))
        target_row = QHBoxLayout()
        target_row.setSpacing(8)
        self.target = QLineEdit(str(default_folder(window) / "GenAI Study Desk.apkg"))
        self.target.textChanged.connect(lambda: self.error.setVisible(False))
        self.choose_button = QPushButton("Choose…")
        self.choose_button.clicked.connect(self.choose_target)
        target_row.addWidget(self.target, 1)
        target_row.addWidget(self.choose_button)
        form.addLayout(target_row)

        self.count = QLabel("", objectName="Muted")
        self.error = QLabel("", objectName="Error", wordWrap=True)
        self.error.setVisible(False)
        form.addWidget(self.count)
        form.addWidget(self.error)
        form.addStretch(1)
        cancel = QPushButton("Cancel")
        cancel.clicked.connect(self.reject)
        self.export_button = QPushButton("Export", objectName="Primary")
        self.export_button.setDefault(True)
        self.export_button.clicked.connect(self.start_export)
        form.addLayout(self._buttons(cancel, self.export_button))
        self.pages.insertWidget(0, self.form_page)
        self.show_page(self.form_page)
        self.radios["all"].setChecked(True)  # signals now reach a finished form
        self._update_count()

    def scope(self) -> Scope:
        kind = next((k for k, radio in self.radios.items() if radio.isChecked()), "all")
        combo = self.combos.get(kind)
        if combo is None:
            return Scope() if kind == "all" else Scope(kind, "", "Bookmarks")
        return Scope(kind, combo.currentData(), combo.currentText())

    def question_ids(self) -> list[str]:
        return self.scope().question_ids(self.library, self.bookmarks)

    def _update_count(self) -> None:
        for kind, combo in self.combos.items():
            combo.setEnabled(self.radios[kind].isChecked())
        n = len(self.question_ids())
        self.count.setText(f"{n} card{'s' if n != 1 else ''} will be exported." if n else
                           "Nothing to export in this selection.")
        self.export_button.setEnabled(n > 0)

    def choose_target(self) -> None:
        name, _ = QFileDialog.getSaveFileName(self, "Export to Anki", self.target.text(),
                                              "Anki package (*.apkg);;All files (*)")
        if name:
            self.target.setText(str(with_suffix(name, ".apkg")))

    def start_export(self) -> None:
        text = self.target.text().strip()
        if not text:
            self._error("Choose where to save the package.")
            return
        out = with_suffix(str(Path(text).expanduser()), ".apkg")
        if out.is_dir() or not out.parent.is_dir():
            self._error(f"{out.parent} is not a folder you can save into.")
            return
        self.result_path = out
        self.window_.settings.set(LAST_DIR_KEY, str(out.parent))
        ids, library, bookmarks = self.question_ids(), self.library, list(self.bookmarks)
        from .figure_raster import svg_to_png

        self.run_job(f"Writing {len(ids)} cards to {out.name}…",
                     lambda progress: export_apkg(library, ids, out, bookmarks=bookmarks, progress=progress,
                                                  rasterise=svg_to_png))

    def _error(self, message: str) -> None:
        self.error.setText(message)
        self.error.setVisible(True)

    def on_success(self, result: ExportResult) -> None:
        self.show_result("Exported to Anki", result.message(),
                         "In Anki choose File → Import… and pick the file; on a phone, open it with AnkiDroid "
                         "or AnkiMobile. Your Anki review history is kept when you import an update.")

    def on_failure(self, message: str) -> None:
        self.show_page(self.form_page)
        self._error(message)


def export_to_anki(window) -> AnkiExportDialog:
    dialog = AnkiExportDialog(window)
    dialog.open()
    return dialog


# ---------------------------------------------------------------- progress between computers

def export_progress_flow(window) -> TransferDialog | None:
    from datetime import date

    start = default_folder(window) / f"genai-study-desk-progress-{date.today().isoformat()}.zip"
    name, _ = QFileDialog.getSaveFileName(window, "Export progress", str(start), "Progress file (*.zip)")
    if not name:
        return None
    out = with_suffix(name, ".zip")
    window.settings.set(LAST_DIR_KEY, str(out.parent))
    dialog = TransferDialog(window, "Export progress")
    dialog.result_path = out
    paths = window.workspace.paths
    window.workspace.progress  # noqa: B018 - opens and migrates the database before a second connection

    def work(conn, _progress: Progress):
        return export_progress(conn, paths.packs, out)

    dialog.on_success = lambda summary: dialog.show_result(
        "Progress exported", summary.message(),
        "Copy the file to your other computer and choose File → Import progress… there. Importing merges: "
        "nothing on either computer is lost.")
    dialog.open()
    dialog.run_job(f"Saving your progress to {out.name}…", work, cancellable=False, db_path=paths.progress_db)
    return dialog


def import_progress_flow(window) -> TransferDialog | None:
    source = ask_file_to_open(window, "Import progress", "Progress file (*.zip);;All files (*)")
    if source is None:
        return None
    dialog = TransferDialog(window, "Import progress")
    paths = window.workspace.paths
    window.workspace.progress  # noqa: B018 - opens and migrates the database before a second connection

    def work(conn, _progress: Progress) -> MergeSummary:
        return import_progress(conn, paths.packs, source, backups_dir=paths.backups)

    def succeeded(summary: MergeSummary) -> None:
        def merged() -> None:  # once the window shows it (a library change loads on the runner)
            if not isValid(dialog):
                return
            lines = "".join(f"<br>•&nbsp;&nbsp;{html.escape(line)}" for line in summary.lines())
            hint = f"A backup of your progress was saved first: {summary.backup.name}" if summary.backup else ""
            dialog.show_result("Progress merged", f"From <b>{html.escape(source.name)}</b>:{lines}", hint, rich=True)

        dialog.working_label.setText("Loading what arrived…")
        window.apply_changes(summary.changes, then=merged)

    dialog.on_success = succeeded
    dialog.open()
    dialog.run_job(f"Merging {source.name} into your progress…", work, cancellable=False,
                   db_path=paths.progress_db)
    return dialog


# ---------------------------------------------------------------- Anki text -> a pack

def import_anki_text_flow(window) -> TransferDialog | None:
    source = ask_file_to_open(window, "Import Anki text",
                              "Anki notes in plain text (*.txt *.tsv *.csv);;All files (*)")
    if source is None:
        return None
    from ..core.transfer.anki_text_import import import_anki_text

    dialog = TransferDialog(window, "Import Anki text")
    packs = window.workspace.paths.packs

    def succeeded(outcome) -> None:
        _folder, plan = outcome

        def imported() -> None:  # once the library, loaded on the runner, has the pack
            if not isValid(dialog):
                return
            topics = len(plan.topics)
            text = (f"{plan.question_count} card{'s' if plan.question_count != 1 else ''} from {source.name} are "
                    f"now the pack “{plan.title}” in {topics} topic{'s' if topics != 1 else ''}. They are in the "
                    "library and can be studied as a flashcard deck.")
            notes = " ".join(plan.warnings)
            dialog.show_result("Anki notes imported", text,
                               (notes + " " if notes else "") + "Importing the same file again updates this pack.")

        dialog.working_label.setText("Loading the library…")
        window.apply_changes(Changes(library=True), then=imported)

    dialog.on_success = succeeded
    dialog.open()
    dialog.run_job(f"Reading {source.name}…", lambda _progress: import_anki_text(source, packs), cancellable=False)
    return dialog

