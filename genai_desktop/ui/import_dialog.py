"""File → Import notes…: choose Markdown or text files, see what each will become, import it.

The file is read and parsed on a worker thread (a progress bar with Cancel for long files);
the preview then shows the topics and question counts, the pages, the roadmap, the questions
that have no answer yet, the formulas that will not render and anything that was repaired or
left out. The pack's name can be changed there, questions without an answer can be left out,
and questions already in the library (or asked twice in the file) can be skipped. Several files
chosen at once are previewed and imported one after the other, so a question the first one
brought is offered as a duplicate in the next. Nothing is written until Import is pressed, and
core/packs/user_packs.py writes the pack atomically. Removing a pack (the sidebar's context menu) also lives here.

Imported lazily from the File menu and the sidebar: nothing here is on the start-up path.
"""

from __future__ import annotations

import html
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from .. import startup_gc
from ..core.changes import Changes
from ..core.packs.notes_import import Duplicate, ImportPlan, NotesError, Progress, find_duplicates, plan_file
from ..core.packs.user_packs import PackError, pack_id_for, read_pack_info, remove_pack, write_pack
from .transfer_dialogs import LAST_DIR_KEY, TransferDialog, default_folder

NOTES_FILTER = "Notes (*.md *.markdown *.txt);;All files (*)"
MAX_LISTED = 6  # unanswered questions named in the preview before "and N more"


class NotesImportDialog(TransferDialog):
    """Working page (reading) → preview page (Import / Cancel) → working page (writing) → result."""

    def __init__(self, window, source: Path, queued: int = 0) -> None:
        """``queued``: how many more files wait after this one (said in the title bar)."""
        super().__init__(window, "Import notes" if not queued else f"Import notes ({queued} more after this)")
        self.source = source
        self.plan: ImportPlan | None = None
        self.duplicates: list[Duplicate] = []
        self.pack_folder: Path | None = None
        self.setMinimumWidth(640)
        self._build_preview()

    def _build_preview(self) -> None:
        self.preview_page = QWidget()
        column = QVBoxLayout(self.preview_page)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(8)
        self.preview_title = QLabel("", objectName="TransferTitle", wordWrap=True)
        self.preview_summary = QLabel("", objectName="Muted", wordWrap=True)
        self.name_edit = QLineEdit()
        self.name_edit.setPlaceholderText("The pack's name in the library")
        self.name_edit.setMaxLength(120)
        name_row = QHBoxLayout()
        name_row.addWidget(QLabel("Name"))
        name_row.addWidget(self.name_edit, 1)
        self.unanswered_box = QCheckBox()
        self.unanswered_box.setChecked(True)
        self.duplicates_box = QCheckBox()
        self.duplicates_box.setChecked(True)
        self.contents = QTreeWidget()
        self.contents.setHeaderHidden(True)
        self.contents.setColumnCount(2)
        self.contents.setRootIsDecorated(True)
        self.contents.setMinimumHeight(240)
        self.contents.setUniformRowHeights(True)
        header = self.contents.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, header.ResizeMode.Stretch)
        header.setSectionResizeMode(1, header.ResizeMode.ResizeToContents)
        self.checks_title = QLabel("Before you import", objectName="Section")
        self.checks = QLabel("", objectName="ResultLine", wordWrap=True)
        self.checks.setTextFormat(Qt.TextFormat.RichText)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(self.reject)
        self.import_button = QPushButton("Import", objectName="Primary")
        self.import_button.setDefault(True)
        self.import_button.clicked.connect(self.start_import)
        column.addWidget(self.preview_title)
        column.addWidget(self.preview_summary)
        column.addLayout(name_row)
        for widget in (self.contents, self.unanswered_box, self.duplicates_box, self.checks_title, self.checks):
            column.addWidget(widget)
        column.setStretchFactor(self.contents, 1)
        column.addSpacing(10)
        column.addLayout(self._buttons(self.cancel_button, self.import_button))
        self.pages.addWidget(self.preview_page)

    # ------------------------------------------------------------ reading
    def start_reading(self) -> None:
        source = self.source

        def read(report) -> ImportPlan:
            with startup_gc.building():  # a 100,000-question file: no full collections stalling the window
                return plan_file(source, Progress(report))

        self.run_job(f"Reading {source.name}…", read)

    def on_success(self, result: object) -> None:
        if isinstance(result, ImportPlan):
            self.show_preview(result)
        else:
            self.finish_import(result)

    def on_failure(self, message: str) -> None:
        self.show_result("These notes cannot be imported", message,
                         "Nothing was changed. The importer reads Markdown or plain-text files with questions "
                         "as headings (## Question), numbered lines (1. Question:) or Q1/A pairs.", ok=False)

    def show_preview(self, plan: ImportPlan) -> None:
        self.plan = plan
        existing = read_pack_info(self.window_.workspace.paths.packs / pack_id_for(plan.source_name))
        answered = plan.question_count - len(plan.unanswered())
        self.preview_title.setText(f"Import “{plan.title}”")
        # The title comes from the notes' own heading when they have one: say which file this is.
        self.preview_title.setToolTip(f"From {plan.source_name}")
        parts = [f"From {plan.source_name}", f"{plan.question_count} question{'s' if plan.question_count != 1 else ''} "
                 f"({answered} answered) in {len(plan.topics)} topic{'s' if len(plan.topics) != 1 else ''}"]
        if plan.guides:
            parts.append(f"{len(plan.guides)} page{'s' if len(plan.guides) != 1 else ''}")
        summary = " · ".join(parts) + f".  Read as {_LAYOUTS.get(plan.kind, plan.kind)}."
        if plan.roadmap:  # say where it goes: the Roadmap view shows only the built-in roadmap
            summary += (f"\nIts roadmap ({sum(s.milestone_count for s in plan.roadmap)} milestones) is kept as the "
                        f"page “{plan.roadmap_page}”; the Roadmap view shows the built-in roadmap only.")
        if existing:
            summary += (f"\nYou imported this file before ({existing.imported_at[:10]}): importing again updates "
                        "that pack in place and keeps your reviews and notes.")
        self.preview_summary.setText(summary)
        self.name_edit.setText(existing.title if existing else plan.title)
        unanswered = len(plan.unanswered())
        self.unanswered_box.setText(f"Make cards of the {_plural(unanswered, 'question')} without an answer yet")
        self.unanswered_box.setVisible(bool(unanswered))
        library = self.window_.workspace.library
        replaced = pack_id_for(plan.source_name)  # its own questions are updated, not duplicated
        self.duplicates = find_duplicates(plan, ((q.title, library.pack_titles.get(q.pack, "the built-in library"))
                                                 for q in library.questions() if q.pack != replaced))
        self.duplicates_box.setText(f"Skip {_plural(len(self.duplicates), 'question')} already in your library")
        self.duplicates_box.setToolTip("\n".join(f"{d.entry.title} (in {d.where})"
                                                  for d in self.duplicates[:MAX_LISTED * 3]))
        self.duplicates_box.setVisible(bool(self.duplicates))
        self._fill_contents(plan)
        self.checks.setText(_checks_html(plan, self.window_.theme))
        self.import_button.setText("Update pack" if existing else "Import")
        self.show_page(self.preview_page)
        self.resize(max(self.width(), 680), max(self.height(), 560))
        self.import_button.setFocus()

    def _fill_contents(self, plan: ImportPlan) -> None:
        self.contents.clear()
        muted = self.palette().color(self.palette().ColorRole.PlaceholderText)
        for topic in plan.topics:
            item = QTreeWidgetItem([topic.title, str(len(topic.entries))])
            for entry in topic.entries:
                child = QTreeWidgetItem([entry.title, "" if entry.answered else "no answer yet"])
                child.setToolTip(0, f"line {entry.line}: {entry.title}")
                if not entry.answered:
                    child.setForeground(1, muted)
                item.addChild(child)
            self.contents.addTopLevelItem(item)
        if plan.guides:
            pages = QTreeWidgetItem(["Pages", str(len(plan.guides))])
            for guide in plan.guides:
                child = QTreeWidgetItem([guide.title, ""])
                child.setToolTip(0, f"line {guide.line}: {guide.title}")
                pages.addChild(child)
            self.contents.addTopLevelItem(pages)
        if plan.roadmap:
            roadmap = QTreeWidgetItem([f"Roadmap sections (on the page “{plan.roadmap_page}”)",
                                       str(len(plan.roadmap))])
            for section in plan.roadmap:
                levels = ", ".join(f"{label} {len(items)}" for label, items in section.levels.items())
                child = QTreeWidgetItem([section.title, str(section.milestone_count)])
                child.setToolTip(0, levels)
                roadmap.addChild(child)
            self.contents.addTopLevelItem(roadmap)
        if self.contents.topLevelItemCount() <= 3:
            self.contents.expandAll()  # a handful of groups: show what is inside them straight away

    # ------------------------------------------------------------ writing
    def chosen_plan(self) -> ImportPlan | None:
        """The plan as the preview's choices leave it: renamed, without what the user skips."""
        if self.plan is None:
            return None
        skip = [d.entry for d in self.duplicates] if self.duplicates_box.isChecked() else []
        plan = self.plan.selected(skip=skip, unanswered=self.unanswered_box.isChecked())
        plan.title = " ".join(self.name_edit.text().split()) or self.plan.title
        return plan

    def start_import(self) -> None:
        plan = self.chosen_plan()
        if plan is None:
            return
        if not plan.question_count and not plan.guides:
            self.checks.setText("•&nbsp;&nbsp;<b>Nothing is left to import</b> with these choices.")
            return
        self.plan = plan  # the result page describes what was written
        packs_root = self.window_.workspace.paths.packs

        def work(_report) -> Path:
            try:
                with startup_gc.building():  # writing checks the pack by loading it: 100,000 questions again
                    return write_pack(packs_root, plan)
            except PackError as exc:
                raise NotesError(str(exc)) from exc

        self.run_job(f"Writing {plan.question_count} questions…", work, cancellable=False)

    def finish_import(self, folder: Path) -> None:
        plan = self.plan
        self.pack_folder = folder
        window = self.window_

        def imported_in_library() -> None:  # the library, loaded on the runner, has the pack now
            first = next((q for q in window.workspace.library.questions() if q.pack == folder.name), None)
            if first is not None:
                window.show_view("library")
                window.reader.show_page(f"q:{first.id}")
            if not isValid(self):
                return  # the dialog was closed while the library loaded
            imported = f"{_plural(plan.question_count, 'question')} in {_plural(len(plan.topics), 'topic')}"
            if plan.guides:  # most notes have no pages: "and 0 pages" reads like something went missing
                imported += f" and {_plural(len(plan.guides), 'page')}"
            verb = "is" if plan.question_count == 1 and not plan.guides else "are"
            self.show_result("Notes imported",
                             f"{imported} {verb} in your library under MY NOTES, searchable and ready as flashcards.",
                             "Flashcards → choose the pack as the deck. Right-click the pack in the library to "
                             "remove it.")

        self.working_label.setText("Loading the library…")
        window.apply_changes(Changes(library=True), then=imported_in_library)


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


_LAYOUTS = {"headings": "questions under headings", "numbered": "numbered questions",
            "faq": "Q&A pairs", "roadmap": "a roadmap with study guides"}


def _checks_html(plan: ImportPlan, theme) -> str:
    lines: list[str] = []
    unanswered = plan.unanswered()
    if unanswered:
        names = ", ".join(f"“{html.escape(e.title)}”" for _t, e in unanswered[:MAX_LISTED])
        more = f" and {len(unanswered) - MAX_LISTED} more" if len(unanswered) > MAX_LISTED else ""
        lines.append(f"<b>{len(unanswered)} question{'s have' if len(unanswered) != 1 else ' has'} no answer "
                     f"yet</b>: {names}{more}. They are imported as cards marked “no answer yet”.")
    if plan.formula_problems:
        items = "".join(f"<br>&nbsp;&nbsp;• {html.escape(p.page)}: <code>{html.escape(p.latex[:70])}</code> "
                        f"({html.escape(p.error)})" for p in plan.formula_problems[:MAX_LISTED])
        lines.append(f"<span style='color:{theme.again}'><b>{len(plan.formula_problems)} formula"
                     f"{'s' if len(plan.formula_problems) != 1 else ''} will not render</b></span>; "
                     f"they show as source:{items}")
    elif plan.formula_count == 1:
        lines.append("The formula renders.")
    elif plan.formula_count:
        lines.append(f"All {plan.formula_count} formulas render.")
    lines += [html.escape(w) for w in plan.warnings]
    if not lines:
        lines.append("Everything in this file was recognised.")
    return "<br>".join(f"•&nbsp;&nbsp;{line}" if not line.startswith("•") else line for line in lines)


def import_notes_flow(window, path: Path | list[Path] | None = None) -> NotesImportDialog | None:
    """File → Import notes…; ``path`` (one file or several) skips the file chooser (tests, drag
    and drop). Several files get one preview each, in turn: the next opens when one closes."""
    if path is None:
        names, _ = QFileDialog.getOpenFileNames(window, "Import notes", str(default_folder(window)), NOTES_FILTER)
        if not names:
            return None
        path = [Path(name) for name in names]
        window.settings.set(LAST_DIR_KEY, str(path[0].parent))
    paths = path if isinstance(path, list) else [path]
    if not paths:
        return None
    dialog = NotesImportDialog(window, paths[0], queued=len(paths) - 1)
    if len(paths) > 1:
        dialog.finished.connect(lambda _result: import_notes_flow(window, paths[1:]))
    dialog.open()
    dialog.start_reading()
    return dialog


def remove_pack_flow(window, pack_id: str) -> bool:
    """The sidebar's "Remove pack…": confirm, remove, reload. Returns True when removed."""
    title = window.workspace.library.pack_titles.get(pack_id, pack_id)
    answer = QMessageBox.question(
        window, "Remove pack",
        f"Remove “{title}” from your library?\n\nIts pages and cards disappear from the library. Your reviews "
        "and notes stay in your progress, so importing the same file again brings them back.",
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Cancel)
    if answer != QMessageBox.StandardButton.Yes:
        return False
    try:
        remove_pack(window.workspace.paths.packs, pack_id)
    except PackError as exc:
        QMessageBox.warning(window, "Remove pack", str(exc))
        return False

    def leave_removed_page() -> None:  # once the library (loaded on the runner) is without the pack
        if window.reader.current_page and not window.workspace.library.has_page(window.reader.current_page):
            first = next(window.workspace.library.questions(), None)
            if first is not None:
                window.reader.show_page(f"q:{first.id}")
        window.statusBar().showMessage(f"Removed the pack “{title}”", 5000)

    window.apply_changes(Changes(library=True), then=leave_removed_page)
    return True
