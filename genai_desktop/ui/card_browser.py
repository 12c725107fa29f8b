"""The card browser (Ctrl+B, or "Browse cards" in the Flashcards view): every card in one table.

The table reads core/study/card_browser.Browser through a model that maps a visible row to the
browser's ordered list; sorting and filtering happen in the core. The window opens at once and
its rows arrive from the runner ("Loading cards…" meanwhile): reading 100k cards and preparing
every column's order takes seconds, and a click on a header then only picks a prepared order.
Actions apply to the selected rows, each one transaction, on the runner too: a fork of the
browser (core ``Browser.fork``) is changed there and swapped in when done, and the window says
what changed with a ``Changes``. Ctrl+Z takes back the last one. ``i`` or a double-click shows
the card's review history.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QEvent,
    QItemSelection,
    QItemSelectionModel,
    QModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QFont, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ..core.changes import Changes
from ..core.study.card_browser import COLUMNS, Browser, Undo
from ..core.study.session import StudySettings, format_duration, format_interval
from ..core.study.stats import recall_curve
from ..core.workspace import Workspace
from . import theme as themes
from .backups_dialog import dialog_stylesheet
from .charts import LineChart
from .dialog_buttons import button_row
from .runner import run_in_background

SHORT = ("Question", "Topic", "Level", "State", "Due", "Ivl", "Stab.", "Diff.", "Recall", "Revs", "Lapses",
         "Last", "Added")
WIDTHS = (None, 118, 84, 84, 96, 50, 56, 50, 56, 48, 54, 54, 92)
CHIPS = ("new", "learning", "review", "relearning", "suspended", "buried", "leech")
_NUMERIC = {5, 6, 7, 8, 9, 10}


class CardModel(QAbstractTableModel):
    def __init__(self, browser: Browser, parent=None) -> None:
        super().__init__(parent)
        self.browser = browser

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self.browser.order)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(COLUMNS)

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.DisplayRole:
            return self.browser.cell(index.row(), index.column())
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() in _NUMERIC:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole and index.column() == 0:
            return self.browser.cell(index.row(), 0)
        return None

    def headerData(self, section: int, orientation, role: int = Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return SHORT[section]
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.ToolTipRole:
            return COLUMNS[section]
        return None

    about_to_sort = Signal()
    resorted = Signal()

    def sort(self, column: int, order=Qt.SortOrder.AscendingOrder) -> None:
        # A reset, not a layout change: on layoutChanged the views walk every row through
        # index() and rowCount() (in Python here), a second or more at 100k rows per click.
        # The window keeps the selection across it by card (about_to_sort / resorted).
        self.about_to_sort.emit()
        self.beginResetModel()
        self.browser.sort(column, order == Qt.SortOrder.DescendingOrder)
        self.endResetModel()
        self.resorted.emit()

    def refilter(self, text: str, chips) -> None:
        self.beginResetModel()
        self.browser.set_filter(text, chips)
        self.endResetModel()

    def reloaded(self) -> None:
        self.beginResetModel()
        self.endResetModel()

    def swap(self, browser: Browser) -> None:
        """Show another browser (one read or changed on the runner)."""
        self.beginResetModel()
        self.browser = browser
        self.endResetModel()


class _Table(QTableView):
    """``i`` opens card info: an item view would take the letter for its keyboard search."""

    info = Signal()

    def keyPressEvent(self, event) -> None:  # noqa: N802
        if event.key() == Qt.Key.Key_I and not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier:
            self.info.emit()
            return
        super().keyPressEvent(event)


class CardBrowserWindow(QDialog):
    """Not modal: the library and the flashcards stay usable beside it."""

    changed = Signal(object)  # Changes: an action changed card states; due counts and decks refresh

    def __init__(self, workspace: Workspace, theme: themes.Theme, parent: QWidget | None = None,
                 clock=None) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self.theme = theme
        self.setWindowTitle("Browse cards")
        self.resize(1000, 600)
        self._clock_kwargs = {"clock": clock} if clock else {}
        conn = workspace.progress.conn
        # Empty until the rows arrive; a sort or filter chosen meanwhile carries over to them.
        self.browser = Browser(conn, StudySettings.load(conn), **self._clock_kwargs)
        self.model = CardModel(self.browser, self)
        self.undo_stack: list[Undo] = []
        self.stale = False  # cards changed elsewhere (a study session): re-read on activation
        self.loaded = False
        self.working = False  # a read or an action on the runner: one at a time

        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 14)
        layout.setSpacing(8)
        top = QHBoxLayout()
        top.addWidget(QLabel("Cards", objectName="DialogTitle"))
        self.filter = QLineEdit(placeholderText='Filter: words, "a phrase", -word', clearButtonEnabled=True)
        self.filter.textChanged.connect(self._refilter)
        top.addWidget(self.filter, 1)
        layout.addLayout(top)

        chips = QHBoxLayout()
        chips.setSpacing(6)
        self.chips: dict[str, QPushButton] = {}
        for name in CHIPS:
            chip = QPushButton(name.capitalize(), objectName="Chip", checkable=True)
            chip.setAutoDefault(False)
            chip.toggled.connect(self._refilter)
            self.chips[name] = chip
            chips.addWidget(chip)
        chips.addStretch(1)
        self.count = QLabel("", objectName="Muted")
        chips.addWidget(self.count)
        layout.addLayout(chips)

        self.table = _Table()
        self.table.info.connect(self.show_info)
        self.table.setModel(self.model)
        self.table.setSortingEnabled(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(26)
        self.table.setWordWrap(False)
        self.table.setShowGrid(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)  # the question takes what is left
        header.setMinimumSectionSize(40)
        for column, width in enumerate(WIDTHS):
            if width:
                header.resizeSection(column, width)
        header.setSortIndicator(4, Qt.SortOrder.AscendingOrder)
        self.table.doubleClicked.connect(lambda _index: self.show_info())
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)
        # A sort moves rows: the selection follows its cards, not the row numbers.
        self._sorting_selection: list[str] = []
        self.model.about_to_sort.connect(self._before_sort)
        self.model.resorted.connect(self._after_sort)
        layout.addWidget(self.table, 1)

        actions = QHBoxLayout()
        actions.setSpacing(6)
        self.buttons: dict[str, QPushButton] = {}
        for key, text, slot in (("suspend", "Suspend", lambda: self._run(Browser.suspend)),
                                ("unsuspend", "Unsuspend", lambda: self._run(Browser.suspend, on=False)),
                                ("bury", "Bury", lambda: self._run(Browser.bury)),
                                ("unbury", "Unbury", lambda: self._run(Browser.bury, on=False)),
                                ("forget", "Forget", lambda: self._run(Browser.forget)),
                                ("due", "Set due date…", self.set_due),
                                ("reschedule", "Reschedule now", lambda: self._run(Browser.reschedule)),
                                ("info", "Card info   i", self.show_info)):
            button = QPushButton(text)
            button.setAutoDefault(False)
            button.clicked.connect(slot)
            self.buttons[key] = button
            actions.addWidget(button)
        self.buttons["forget"].setToolTip("Make the cards new again; their review history is kept")
        self.buttons["reschedule"].setToolTip("Due again from each card's memory and today's desired retention "
                                              "(after changing the retention); cards in learning stay")
        actions.addStretch(1)
        self.status = QLabel("", objectName="Status")
        actions.addWidget(self.status)
        layout.addLayout(actions)

        for keys, slot in (("Ctrl+Z", self.undo), ("Ctrl+F", self.filter.setFocus)):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
            shortcut.activated.connect(slot)
        self.apply_theme()
        self._update_count()
        self._update_buttons()
        # The cards load once the window has drawn itself (paintEvent). Drawing the empty table
        # asks the Python model for every header cell, and while the runner works each of those
        # calls waits up to a switch interval for the interpreter: at 100k cards a first frame
        # drawn during the load held the window 70-90 ms.
        self._load_started = False
        self.count.setText("Loading cards…")

    def paintEvent(self, event) -> None:  # noqa: N802
        super().paintEvent(event)
        if not self._load_started:
            self._load_started = True
            QTimer.singleShot(0, self._load)  # after the rest of this frame (the table) is drawn

    def changeEvent(self, event) -> None:  # noqa: N802
        if event.type() == QEvent.Type.ActivationChange and self.isActiveWindow() and self.stale:
            self.refresh()
        super().changeEvent(event)

    # ------------------------------------------------------------ the runner
    def _in_background(self, work: Callable[[Any], tuple[Browser, Any]],
                       done: Callable[[Browser, Any], None], failed: Callable[[str], None], name: str) -> None:
        """``work(conn)`` on the runner with that thread's own connection; it returns the browser
        to show and what ``done`` needs beside it. ``done`` runs on the UI thread."""
        self.working = True
        self._update_buttons()

        def finish(result: tuple[Browser, Any]) -> None:
            self.working = False
            done(*result)
            self._update_buttons()
            if self.stale and self.isActiveWindow():  # answers elsewhere while this ran
                self.refresh()

        def fail(message: str) -> None:
            self.working = False
            failed(message)
            self._update_buttons()

        run_in_background(lambda conn, _progress: work(conn), done=finish, failed=fail,
                          db_path=self.workspace.paths.progress_db, name=name)

    def _load(self) -> None:
        library, settings_kwargs = self.workspace.library, self._clock_kwargs
        self.count.setText("Loading cards…")

        def work(conn) -> tuple[Browser, None]:
            browser = Browser.load(conn, library, **settings_kwargs)
            return browser.prepare(), None

        def done(browser: Browser, _none: None) -> None:
            self.loaded = True
            self._adopt(browser)

        self._in_background(work, done, self.count.setText, "card-browser-load")

    def refresh(self) -> None:
        """Read the cards again on the runner, keeping the sort, the filter and the selection."""
        if self.working or not self.loaded:
            return  # whatever runs now ends by refreshing if the cards are still stale
        self.stale = False  # an answer given while this runs marks it stale again
        shown = self.browser

        def work(conn) -> tuple[Browser, None]:
            twin = shown.fork(conn)
            twin.settings = StudySettings.load(conn)  # the day start may have moved
            twin.reload()
            return twin.prepare(), None

        self._in_background(work, lambda browser, _none: self._adopt(browser), self.status.setText,
                            "card-browser-refresh")

    def _adopt(self, browser: Browser, select: list[str] | None = None) -> None:
        """Show a browser made on the runner, with the sort and filter the window has now (they
        may have changed while it was made) and ``select`` selected (None: what is selected now)."""
        browser.conn = self.workspace.progress.conn  # the runner's connection closed with its job
        shown = self.browser
        view = (shown.sort_column, shown.descending, shown.text, shown.chips)
        if (browser.sort_column, browser.descending, browser.text, browser.chips) != view:
            browser.sort_column, browser.descending, browser.text, browser.chips = view
            browser.apply()
        if select is None and browser.ids is shown.ids and browser.order == shown.order:
            # The same cards on the same rows (an action that moved none, sorted by title say):
            # new cell values, and the selection stays as it is. Reselecting thousands of
            # scattered rows costs Qt a second at 10k.
            self.browser = self.model.browser = browser
            if browser.order:
                self.model.dataChanged.emit(self.model.index(0, 0),
                                            self.model.index(len(browser.order) - 1, len(COLUMNS) - 1))
        else:
            if select is None:
                select = self.selected_ids()
            self.browser = browser
            self.model.swap(browser)
            self._reselect(select)
        self._update_count()

    # ------------------------------------------------------------ filter and selection
    def _refilter(self, *_args) -> None:
        wanted = [name for name, chip in self.chips.items() if chip.isChecked()]
        selected = self.selected_ids()
        self.model.refilter(self.filter.text(), wanted)
        if selected:
            self._reselect(selected, scroll=False)  # the cards still shown stay selected
        self._update_count()
        self._update_buttons()

    def _before_sort(self, *_args) -> None:
        self._sorting_selection = self.selected_ids()

    def _after_sort(self, *_args) -> None:
        if self._sorting_selection:
            self._reselect(self._sorting_selection, scroll=False)
            self._sorting_selection = []

    def _update_count(self) -> None:
        if not self.loaded:
            return  # "Loading cards…" (or why not) stays until the rows arrive
        shown, total = len(self.browser.order), len(self.browser.ids)
        self.count.setText(f"{shown:,} of {total:,} cards" if shown != total else f"{total:,} cards")

    def _selected_rows(self) -> list[int]:
        """From the selection's ranges, not one index per row and column: Ctrl+A at 100k is cheap."""
        rows: set[int] = set()
        for selected in self.table.selectionModel().selection():
            rows.update(range(selected.top(), selected.bottom() + 1))
        return sorted(rows)

    def selected_ids(self) -> list[str]:
        return [self.browser.question_id(row) for row in self._selected_rows()]

    def _update_buttons(self, *_args) -> None:
        selection = self.table.selectionModel().selection()
        some = not selection.isEmpty() and not self.working
        one = len(selection) <= 2 and len(self._selected_rows()) == 1
        for key, button in self.buttons.items():
            button.setEnabled(some if key != "info" else one)

    # ------------------------------------------------------------ actions
    def _run(self, action: Callable[..., Undo], **options) -> None:
        """``action`` (a ``Browser`` method) on the selected cards, on the runner."""
        ids = self.selected_ids()
        if not ids or self.working:
            return
        self._change(lambda twin: action(twin, ids, **options))

    def set_due(self) -> None:
        ids = self.selected_ids()
        if not ids or self.working:
            return
        days, ok = QInputDialog.getInt(self, "Set due date", "Due in how many days (0 = today)?", 0, 0, 36500)
        if ok:
            self._change(lambda twin: twin.set_due(ids, days))

    def _change(self, change: Callable[[Browser], Undo]) -> None:
        shown = self.browser
        self.status.setText("Working…")

        def work(conn) -> tuple[Browser, Undo]:
            twin = shown.fork(conn)
            undo = change(twin)  # one transaction on the runner's connection
            return twin.prepare(), undo

        self._in_background(work, lambda browser, undo: self._after(browser, undo), self.status.setText,
                            "card-browser-action")

    def _after(self, browser: Browser, undo: Undo) -> None:
        self._adopt(browser)  # the cards acted on stay selected, wherever they moved
        if undo.rows:
            self.undo_stack.append(undo)
            self.status.setText(f"{undo.label}  ·  Ctrl+Z undo")
        else:
            self.status.setText(undo.label)
        self._changed()

    def undo(self) -> None:
        if self.working:
            self.status.setText("Still working on the last change…")
            return
        if not self.undo_stack:
            self.status.setText("Nothing to undo")
            return
        undo = self.undo_stack.pop()
        shown = self.browser

        def work(conn) -> tuple[Browser, None]:
            twin = shown.fork(conn)
            twin.undo(undo)
            return twin.prepare(), None

        def done(browser: Browser, _none: None) -> None:
            self._adopt(browser, [qid for qid, _row in undo.rows])
            self.status.setText(f"Undone · {undo.label}")
            self._changed()

        def failed(message: str) -> None:
            self.undo_stack.append(undo)  # nothing was written: it can be tried again
            self.status.setText(message)

        self._in_background(work, done, failed, "card-browser-undo")

    def _changed(self) -> None:
        self.changed.emit(Changes(cards=True))
        self.stale = False  # this window made the change and shows it already

    def _reselect(self, ids: list[str], scroll: bool = True) -> None:
        """Select the rows showing these cards: one selection of runs of rows, not a call per row."""
        rows = self.browser.rows_of(ids)
        selection = QItemSelection()
        last_column = self.model.columnCount() - 1
        index = self.model.createIndex  # the rows exist: no rowCount() call into Python per index
        start = 0
        for n in range(1, len(rows) + 1):
            if n == len(rows) or rows[n] != rows[n - 1] + 1:  # a run of consecutive rows ends
                selection.select(index(rows[start], 0), index(rows[n - 1], last_column))
                start = n
        # Clear, then select: ClearAndSelect compares the old ranges with the new ones pairwise,
        # seconds for a few thousand scattered rows; either step alone is linear.
        model = self.table.selectionModel()
        model.clearSelection()
        model.select(selection, QItemSelectionModel.SelectionFlag.Select)
        if rows and scroll:
            self.table.scrollTo(self.model.index(rows[0], 0))
        self._update_buttons()

    def show_info(self) -> None:
        ids = self.selected_ids()
        if len(ids) != 1:
            return
        CardInfoDialog(self.browser, ids[0], self.workspace, self.theme, self).exec()

    def apply_theme(self) -> None:
        t = self.theme
        self.setStyleSheet(dialog_stylesheet(t) + f"""
            QTableView {{ background: {t.surface}; color: {t.text}; border: 1px solid {t.border};
                          border-radius: 8px; selection-background-color: {t.selection};
                          selection-color: {t.text}; alternate-background-color: {t.hover}; }}
            QPushButton#Chip {{ border: 1px solid {t.border}; border-radius: 11px; padding: 3px 10px;
                                color: {t.muted}; background: transparent; }}
            QPushButton#Chip:checked {{ background: {t.selection}; color: {t.text}; border-color: {t.accent}; }}
        """)
        _title_fonts(self)


def _title_fonts(dialog: QDialog) -> None:
    for label in dialog.findChildren(QLabel, "DialogTitle"):
        font = QFont(label.font())
        font.setPixelSize(19)
        font.setWeight(QFont.Weight.DemiBold)
        label.setFont(font)


class CardInfoDialog(QDialog):
    """One card: its numbers, charts of stability, difficulty and recall over its reviews (with the
    next due date), and the review log."""

    def __init__(self, browser: Browser, qid: str, workspace: Workspace, theme: themes.Theme, parent=None) -> None:
        super().__init__(parent)
        question = workspace.library.question(qid)
        self.setWindowTitle("Card info")
        self.resize(680, 720)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 14)
        title = QLabel(question.title if question else qid, objectName="DialogTitle", wordWrap=True)
        layout.addWidget(title)
        place = browser.ids.index(qid)
        row = browser.order.index(place) if place in browser.order else None
        if row is not None:
            # A fact never breaks inside itself ("Lapses:⏎0"): lines wrap between facts only.
            facts = [f"{name}: {browser.cell(row, c)}".replace(" ", "\u00a0") for c, name in enumerate(COLUMNS)
                     if c >= 3 and browser.cell(row, c)]
            layout.addWidget(QLabel("   ·   ".join(facts), objectName="Muted", wordWrap=True))
        history = browser.history(qid)
        due = browser.due[place]
        self.charts = self._charts(history, None if due == float("inf") else datetime.fromtimestamp(due, UTC),
                                   browser, theme)
        for chart in self.charts:
            layout.addWidget(chart)
        self.table = QTableWidget(len(history), 6)
        self.table.setHorizontalHeaderLabels(["Date", "Rating", "Interval", "Time", "Stability", "Difficulty"])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        for n, review in enumerate(history):
            cells = (review["at"].astimezone().strftime("%Y-%m-%d %H:%M"), review["rating"],
                     format_interval(review["interval"]) if review["interval"] is not None else "",
                     format_duration(review["seconds"]),
                     f"{review['stability']:.2f}" if review["stability"] is not None else "",
                     f"{review['difficulty']:.2f}" if review["difficulty"] is not None else "")
            for c, text in enumerate(cells):
                self.table.setItem(n, c, QTableWidgetItem(text))
        self.table.setWordWrap(False)
        self.table.setShowGrid(False)
        self.table.verticalHeader().setDefaultSectionSize(26)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)  # a date on one line
        if not history:
            layout.addWidget(QLabel("Never reviewed.", objectName="Muted"))
        layout.addWidget(self.table, 1)
        close = QPushButton("Close")
        close.setDefault(True)
        close.clicked.connect(self.accept)
        layout.addLayout(button_row(close))
        self.setStyleSheet(dialog_stylesheet(theme) + f"""
            QTableWidget {{ background: {theme.surface}; color: {theme.text}; border: 1px solid {theme.border};
                            border-radius: 8px; }}""")
        _title_fonts(self)

    @staticmethod
    def _charts(history: list[dict], due: datetime | None, browser: Browser,
                theme: themes.Theme) -> list[LineChart]:
        """Stability, difficulty and recall on one time span, from the first review to the next due
        date (or now, if later); none for a card never reviewed."""
        reviews = [r for r in history if r["at"] is not None]
        if not reviews:
            return []
        now = browser.clock()
        start = reviews[0]["at"]
        end = max(now, due or now, reviews[-1]["at"])
        end += (end - start) * 0.03 + timedelta(hours=1)  # the last point and the due line clear the edge
        markers = [(due, "due")] if due else []
        settings = browser.settings
        recall = recall_curve([(r["at"], r["stability"]) for r in reviews], max(due or now, now),
                              day_start_hour=settings.day_start_hour, desired_retention=settings.desired_retention,
                              parameters=settings.fsrs_parameters)
        charts = [LineChart(theme, "Stability", "easy", unit=" d", steps=True),
                  LineChart(theme, "Difficulty (1–10)", "hard", ceiling=10, steps=True),
                  LineChart(theme, "Recall probability", "good", percent=True)]
        series = ([(r["at"], r["stability"]) for r in reviews if r["stability"] is not None],
                  [(r["at"], r["difficulty"]) for r in reviews if r["difficulty"] is not None],
                  recall)
        for chart, points in zip(charts, series, strict=True):
            chart.set_data(points, (start, end), now=now, markers=markers)
        return charts
