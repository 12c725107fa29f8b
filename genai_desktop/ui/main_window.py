"""The main window: view tabs on top, the library (sidebar + reader), menus and the status bar."""

from __future__ import annotations

import importlib
import os
import sys
import time
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QApplication,
    QButtonGroup,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMainWindow,
    QSplitter,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from .. import __version__, startup_gc
from ..core.workspace import Workspace
from ..paths import APP_NAME
from . import theme as themes
from .reader import Reader
from .settings import Settings
from .sidebar import Sidebar

if TYPE_CHECKING:
    from PySide6.QtGui import QAction
    from PySide6.QtWidgets import QMenu

    from ..core.changes import Changes  # a dataclass: kept off the first frame's imports
    from ..core.workspace import LoadedLibrary
    from .sidebar import PackRows

DEFAULT_SIZE = (1280, 800)


def first_size(available: tuple[int, int]) -> tuple[int, int]:
    """The window's size at a first start: the default, or less on a screen whose free area is
    smaller (a 1366×768 laptop's, less its panels), with a margin so the window fits whole,
    title bar too."""
    return (min(DEFAULT_SIZE[0], int(available[0] * 0.95)), min(DEFAULT_SIZE[1], int(available[1] * 0.9)))
MAX_TAB_COUNT = 999  # a larger due count shows as "999+" on the tab (the status bar has the number)
# open_view's steps are timers of 1 ms, not 0: a zero timer is a posted event, and Qt delivers
# the events posted while it delivers others in the same batch, so the steps, and the paint the
# last one posts, ran back to back with no input or other timer between them (the Roadmap's
# build, show and paint made one stall of 50 ms where the longest step is 19).
STEP_MS = 1
ALL_CARDS = ""  # the counts' key for the whole library beside its topics' (no topic id is empty)


class _FirstPaint(QObject):
    """Runs callbacks once the reader has painted for the first time, so that nothing that
    can wait (the progress database, logging, warming the markdown pipeline) delays it.
    ``gate``, if set, runs first and may stop them: the database check (ui/startup_checks.py).
    With GENAI_DESKTOP_REPORT_PAINT set it prints the moment (``make bench``) and quits."""

    def __init__(self, reader: Reader, parent: QObject) -> None:
        super().__init__(parent)
        self.callbacks: list[Callable[[], None]] = []
        # Run on the runner before the callbacks (with the core imports): the library, which
        # the callbacks read and a large one takes a second to load (MainWindow sets it).
        self.preload: Callable[[], object] | None = None
        self.gate: Callable[[], bool] | None = None
        self.report = bool(os.environ.get("GENAI_DESKTOP_REPORT_PAINT"))
        self.fired = False
        self.passed = False
        reader.first_painted.connect(self._on_painted)

    def _on_painted(self) -> None:
        # Out of the paint event (the gate may open a dialog), once the whole frame is drawn.
        QTimer.singleShot(0, self._first_frame_done)

    def _first_frame_done(self) -> None:
        startup_gc.resume()
        if self.report:
            self._report_and_quit()
        else:
            self.fire()

    @staticmethod
    def _report_and_quit() -> None:
        print(f"FIRST_PAINT {time.time():.6f}", flush=True)
        QApplication.quit()

    def fire(self) -> bool:
        """Pass the gate and run the callbacks (once); True when the database may be used.
        Also called when another view is shown before the reader ever painted: that view
        reads the database, and the due counts and status bar would otherwise stay empty."""
        if not self.fired:
            self.fired = True
            self.passed = self.gate is None or self.gate()
            if self.passed:
                from .runner import run_in_background

                # The callbacks import much of the core (search, study, sqlite3, json): on the
                # runner first, where it does not hold up the window's first moments (~70 ms of
                # imports on the UI thread right after the first paint), then they run.
                preload = self.preload

                def prepare(progress) -> None:
                    _import_core(progress)
                    if preload is not None:
                        preload()

                run_in_background(prepare, done=lambda _none: self._run_callbacks(),
                                  failed=lambda _message: self._run_callbacks(), name="import-core")
        return self.passed

    def _run_callbacks(self) -> None:
        for n, callback in enumerate(self.callbacks):
            QTimer.singleShot(10 * n, callback)


# Core modules (no Qt) the first-paint callbacks and the first clicks need. Only the core:
# PySide's own types are built lazily, and building them from two threads at once is not safe.
CORE_MODULES = ("json", "sqlite3", "genai_desktop.core.changes", "genai_desktop.core.search.query",
                "genai_desktop.core.study.session", "genai_desktop.core.study.card_state",
                "genai_desktop.core.study.deck_counts", "genai_desktop.core.study.roadmap",
                "genai_desktop.core.content.notes", "genai_desktop.core.render.markdown_html",
                "genai_desktop.core.study.stats", "genai_desktop.core.study.interview")


def _import_core(_progress) -> None:
    import importlib

    for name in CORE_MODULES:
        importlib.import_module(name)
    # The shared markdown parser (markdown-it imported, its rules compiled: ~90 ms), here rather
    # than inside the first answer shown or page converted on the UI thread.
    from ..core.render.markdown_html import warm_up

    warm_up()


class MainWindow(QMainWindow):
    # The menu bar's menus, made right after the first paint (_fill_menus).
    file_menu: QMenu
    view_menu: QMenu
    settings_menu: QMenu
    help_menu: QMenu

    def __init__(self, workspace: Workspace, theme_choice: str = "system") -> None:
        super().__init__()
        self.workspace = workspace
        # A library load on the runner: the changes and callbacks waiting for it (apply_changes).
        self._library_reload: tuple[Changes, list[Callable[[], None]]] | None = None
        self._reload_again = False
        self._counts = None  # the due counts' Recount (ui/runner.py), made with the first count
        self._due_by_topic: dict[str, int] | None = None  # what the tree shows, to skip an unchanged pass
        # For the counts: the library, which of its topics hold each question (a ScopeIndex, built
        # on the runner with the first count of a library) and every question id.
        self._count_decks: tuple | None = None
        # The badge's tally of the cards (core/study/deck_counts.py DeckTally), kept between counts
        # and read again only for the cards the Flashcards view wrote since (every answer recounts:
        # a read of every card was 200 ms of the runner's time at 100,000 cards). None while a
        # count has it; its mark says where the database stood when it was read.
        self._count_tally = None
        self._count_mark = None
        self._count_written = None  # the WrittenCards the Flashcards view tells of its writes
        self.settings = Settings(workspace.paths.settings_file)
        self.theme_choice = self.settings.get_str("theme", theme_choice) or theme_choice
        self.theme = themes.resolve(self.theme_choice, self.settings.get_bool("system_dark"))
        # Style the application before any child exists: applied afterwards, the stylesheet
        # would re-polish every widget already built (~10 ms of start-up).
        themes.apply(QApplication.instance(), self.theme)
        self.setWindowTitle(APP_NAME)
        self.setMinimumSize(760, 480)

        self.sidebar = Sidebar(self.theme)
        self.reader = Reader(workspace, self.theme)
        self.splitter = QSplitter()  # side by side
        self.splitter.addWidget(self.sidebar)
        # The reader with the user's note under it (ui/note_editor.py, added after the first paint).
        self.reader_pane = QWidget()
        pane = QVBoxLayout(self.reader_pane)
        pane.setContentsMargins(0, 0, 0, 0)
        pane.setSpacing(0)
        pane.addWidget(self.reader, 1)
        self.splitter.addWidget(self.reader_pane)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setHandleWidth(1)
        self.splitter.setChildrenCollapsible(False)
        self.sidebar.setMinimumWidth(220)

        self.views = QStackedWidget()
        self.views.addWidget(self.splitter)
        self._view_buttons = QButtonGroup(self)
        self._view_buttons.setExclusive(True)
        top = self._build_top_bar()

        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(top)
        layout.addWidget(self.views, 1)
        self.setCentralWidget(central)

        # Views other than the library are built the first time they are shown: their
        # modules (fsrs, charts) stay off the start-up path.
        self.flashcards_tab = self.add_view_tab("flashcards", "Flashcards", self._make_flashcards, "Ctrl+2")
        self.roadmap_tab = self.add_view_tab("roadmap", "Roadmap", self._make_roadmap, "Ctrl+3")
        self.add_view_tab("stats", "Stats", self._make_stats, "Ctrl+4")
        self.add_view_tab("interview", "Interview", self._make_interview, "Ctrl+5")
        # Room for the widest badge from the start: a count or a percentage appearing later
        # never pushes the tabs to its right sideways.
        self._reserve_tab_width(self.flashcards_tab, f"Flashcards  {MAX_TAB_COUNT}+")
        self._reserve_tab_width(self.roadmap_tab, "Roadmap  100%")

        self.status_library = QLabel()
        self.status_due = QLabel()
        self.status_roadmap = QLabel()
        # What is due and the roadmap stay visible (permanent, on the right); passing messages
        # ("Reset undone …") take the left, over the library counts, for a few seconds.
        self.statusBar().addWidget(self.status_library)
        self.statusBar().addPermanentWidget(self.status_due)
        self.statusBar().addPermanentWidget(self.status_roadmap)
        self.statusBar().setSizeGripEnabled(False)

        # The menu titles are in the first frame, as the bar's own actions; their menus and
        # items come right after it (_fill_menus): four QMenus built and styled on the way to
        # the first paint were ~2 ms of it (the bar draws a title alike with or without one).
        bar = self.menuBar()
        self._menu_titles = [bar.addAction(title) for title in ("&File", "&View", "&Settings", "&Help")]
        self.theme_actions: dict[str, QAction] = {}
        self.sidebar.page_selected.connect(self.open_page)
        self.sidebar.remove_pack_requested.connect(self.remove_pack)
        self.sidebar.filter_left.connect(self._focus_reader)
        self.reader.page_changed.connect(self._on_page_changed)
        self.reader.history_changed.connect(self._update_nav)
        self.reader.internal_link.connect(self._on_internal_link)

        self.sidebar.populate(workspace.outline)
        self._update_status()
        self._restore()
        self.first_paint = _FirstPaint(self.reader, self)
        self.first_paint.preload = self._load_library_once
        self.first_paint.callbacks.append(self._fill_menus)
        self.first_paint.callbacks.append(self._add_shortcuts)
        # Due counts need the progress database: read it right after the first paint.
        self.first_paint.callbacks.append(self.refresh_counts)
        self.first_paint.callbacks.append(self.refresh_roadmap_status)
        self.library_tools = None  # search, highlights, bookmarks, notes: after the first paint
        self._opening: str | None = None  # the view open_view is building, to show once built
        self.view_warm_up = None  # the views' modules imported ahead (ui/warm_up.py), after the first paint
        self.first_paint.callbacks.append(self._import_library_tools)  # a pass of its own: ~25 ms
        self.first_paint.callbacks.append(self._install_library_tools)
        self.first_paint.callbacks.append(self._warm_up_views)
        self.first_paint.callbacks.append(self._follow_system_theme)
        # Clear buttons show only over typed text, so the first frame never has one; the
        # style's icon for them costs ~2 ms to load.
        self.first_paint.callbacks.append(self._enable_clear_buttons)

    # ------------------------------------------------------------ building
    def _build_top_bar(self) -> QWidget:
        bar = QWidget(objectName="TopBar")
        row = QHBoxLayout(bar)
        row.setContentsMargins(10, 6, 10, 6)
        row.setSpacing(4)
        self.back_button = QToolButton(objectName="NavButton", text="←")
        self.forward_button = QToolButton(objectName="NavButton", text="→")
        self.back_button.setToolTip("Back (Alt+Left)")
        self.forward_button.setToolTip("Forward (Alt+Right)")
        self.back_button.clicked.connect(self.reader.go_back)
        self.forward_button.clicked.connect(self.reader.go_forward)
        row.addWidget(self.back_button)
        row.addWidget(self.forward_button)
        row.addSpacing(10)
        self._views_by_name: dict[str, tuple[QWidget, QToolButton]] = {}
        self._view_keys: dict[str, str] = {}
        self.shortcuts_ready = False
        self.add_view_tab("library", "Library", self.splitter, "Ctrl+1")
        self._tab_row = row
        row.addStretch(1)
        # Search as you type (ui/search_box.py, wired up after the first paint).
        self.search_field = QLineEdit(objectName="SearchField", placeholderText="Search…   Ctrl+K")
        # 280 px when there is room; at the 760 px minimum window (five tabs) it gives way instead of being cut off.
        self.search_field.setMinimumWidth(120)
        self.search_field.setMaximumWidth(280)
        row.addWidget(self.search_field, 8)  # the room goes to the field first, up to its 280 px
        return bar

    def add_view_tab(self, name: str, label: str, view: QWidget | Callable[[], QWidget],
                     shortcut: str) -> QToolButton:
        """Register a top-level view: a widget, or a factory called when it is first shown."""
        button = QToolButton(objectName="ViewTab", text=label, checkable=True)
        button.setToolTip(f"{label} ({shortcut})")
        self._view_keys[name] = shortcut
        if self.shortcuts_ready:
            self._bind_view_key(name, shortcut)  # otherwise right after the first paint (_add_shortcuts)
        button.clicked.connect(lambda: self.open_view(name))
        self._view_buttons.addButton(button)
        self._views_by_name[name] = (view, button)
        layout = getattr(self, "_tab_row", None)
        if layout is None:
            self.back_button.parentWidget().layout().addWidget(button)
        else:
            stretch = max(i for i in range(layout.count()) if layout.itemAt(i).spacerItem())
            layout.insertWidget(stretch, button)  # tabs stay left of the stretch and the search field
        if isinstance(view, QWidget) and self.views.currentWidget() is view:
            button.setChecked(True)
        return button

    def tab(self, name: str) -> QToolButton:
        """The tab that opens the view called ``name``."""
        return self._views_by_name[name][1]

    def view(self, name: str) -> QWidget:
        """The view called ``name``, built on first use. The factories build each view inside
        the stack it goes in: built parentless and added after, every widget of it was
        restyled for its new parent (the Roadmap's 40 ms of a 170 ms first open)."""
        view, button = self._views_by_name[name]
        if not isinstance(view, QWidget):
            view = view()
            self._views_by_name[name] = (view, button)
        if self.views.indexOf(view) < 0:
            self.views.addWidget(view)
        return view

    def created_views(self) -> list[QWidget]:
        return [v for v, _ in self._views_by_name.values() if isinstance(v, QWidget)]

    @property
    def flashcards(self):
        return self.view("flashcards")

    @property
    def stats(self):
        return self.view("stats")

    def _make_flashcards(self) -> QWidget:
        from .flashcards import FlashcardsView

        view = FlashcardsView(self.workspace, self.theme, bookmarks=self.bookmarked_ids, parent=self.views)
        from .flashcards import WrittenCards

        self._count_written = WrittenCards()  # the badge's tally learns of the view's writes
        view.written_elsewhere.append(self._count_written)
        view.counts_changed.connect(self.refresh_counts)
        view.browse_requested.connect(self.show_card_browser)
        view.scheduling_requested.connect(self.show_scheduling)
        view.answer_view.internal_link.connect(self._open_from_card)
        return view

    def _make_roadmap(self) -> QWidget:
        from .roadmap.view import RoadmapView

        level = self.settings.get_str("roadmap/level") or None
        view = RoadmapView(self.workspace, self.theme, level=level, parent=self.views)
        view.open_page.connect(self._open_from_card)
        view.study_requested.connect(self.study_scope)
        view.progress_changed.connect(self.refresh_roadmap_status)
        view.level_changed.connect(self._on_roadmap_level)
        view.message.connect(lambda text: self.statusBar().showMessage(text, 6000))
        return view

    def _make_stats(self) -> QWidget:
        from .stats_view import StatsView

        view = StatsView(self.workspace, self.theme, parent=self.views)
        view.practise_requested.connect(self.practise_topic)
        return view

    def _make_interview(self) -> QWidget:
        from .interview import InterviewView

        view = InterviewView(self.workspace, self.theme, bookmarks=self.bookmarked_ids, parent=self.views)
        view.open_page.connect(self._open_from_card)
        view.study_requested.connect(lambda scope: self.study_scope(scope, ahead=True))
        view.counts_changed.connect(self.refresh_counts)
        return view

    @property
    def interview(self):
        return self.view("interview")

    def practise_topic(self, topic_id: str) -> None:
        """A mock interview on one topic (the weakest, from the Stats view's readiness)."""
        if self.show_view("interview"):
            self.interview.practise_topic(topic_id)

    def _action(self, text: str, slot: Callable, keys: tuple[str, ...] = (), **options) -> QAction:
        from PySide6.QtGui import QAction, QKeySequence

        action = QAction(text, self, **options)
        # setShortcuts(), not the shortcut= keyword or setShortcut(): those overloads make PySide
        # build all of Qt's enums on the way to the first paint (~13 ms, see theme.resolve).
        action.setShortcuts([QKeySequence(k) for k in keys])
        action.triggered.connect(lambda _checked=False: slot())
        return action

    def _add_shortcuts(self) -> None:
        """Ctrl+1… for the views, Escape in the filter box. QShortcuts, not button.setShortcut():
        that overload makes PySide build all of Qt's enums (~13 ms, see theme.resolve)."""
        for name, keys in self._view_keys.items():
            self._bind_view_key(name, keys)
        self.sidebar.add_shortcuts()
        self.shortcuts_ready = True

    def _bind_view_key(self, name: str, keys: str) -> None:
        from PySide6.QtGui import QKeySequence, QShortcut

        QShortcut(QKeySequence(keys), self, activated=lambda: self.open_view(name))

    def _fill_menus(self) -> None:
        from PySide6.QtGui import QActionGroup
        from PySide6.QtWidgets import QMenu

        menus = []
        for title in self._menu_titles:
            menu = QMenu(title.text(), self)
            title.setMenu(menu)  # the platform's menu bar (macOS, a global one) takes it from here
            menus.append(menu)
        self.file_menu, self.view_menu, self.settings_menu, self.help_menu = menus
        file_menu = self.file_menu
        # Their dialogs live in ui/transfer_dialogs.py, imported on first use (off the start-up path).
        self.transfer_actions: dict[str, QAction] = {}
        for text, flow in (("Export to &Anki…", "export_to_anki"), ("&Export progress…", "export_progress_flow"),
                           ("&Import progress…", "import_progress_flow"),
                           ("Import Anki &text…", "import_anki_text_flow")):
            self.transfer_actions[flow] = self._action(text, lambda name=flow: self.run_transfer(name))
            file_menu.addAction(self.transfer_actions[flow])
        file_menu.addSeparator()
        self.import_notes_action = self._action("Import &notes…", self.import_notes, ("Ctrl+I",))
        self.import_notes_action.setToolTip("Bring in your own Markdown or text interview notes as a pack (Ctrl+I)")
        file_menu.addAction(self.import_notes_action)
        file_menu.addSeparator()
        file_menu.addAction(self._action("&Quit", self.close, ("Ctrl+Q",)))

        view = self.view_menu
        self.back_action = self._action("&Back", self.reader.go_back, ("Alt+Left",))
        self.forward_action = self._action("&Forward", self.reader.go_forward, ("Alt+Right",))
        view.addActions([self.back_action, self.forward_action])
        view.addSeparator()
        for text, keys, zoom in (("Zoom &in", ("Ctrl+=", "Ctrl++"), self.reader.zoom_in),
                                 ("Zoom &out", ("Ctrl+-",), self.reader.zoom_out),
                                 ("&Actual size", ("Ctrl+0",), lambda: self.reader.set_zoom(1.0))):
            view.addAction(self._action(text, lambda zoom=zoom: (zoom(), self._save_zoom()), keys))
        view.addSeparator()
        self.filter_action = self._action("&Filter the library", self._focus_filter, ("Ctrl+L",))
        view.addAction(self.filter_action)
        self.browse_action = self._action("&Browse cards…", self.show_card_browser, ("Ctrl+B",))
        self.browse_action.setToolTip("Every card: find, suspend, bury, forget, set due dates (Ctrl+B)")
        view.addAction(self.browse_action)
        theme_menu = view.addMenu("&Theme")
        group = QActionGroup(self)
        for key, label in (("system", "Follow &system"), ("light", "&Light"), ("dark", "&Dark")):
            action = self._action(label, lambda k=key: self.set_theme(k), checkable=True)
            action.setChecked(key == self.theme_choice)
            group.addAction(action)
            theme_menu.addAction(action)
            self.theme_actions[key] = action

        settings_menu = self.settings_menu
        scheduling = self._action("&Scheduling…", self.show_scheduling)
        scheduling.setToolTip("Fit FSRS to your reviews, find a retention, see the workload ahead")
        settings_menu.addAction(scheduling)
        backups = self._action("&Backups…", self.show_backups)
        backups.setToolTip("See, make and restore backups of your progress")
        settings_menu.addAction(backups)

        help_menu = self.help_menu
        help_menu.addAction(self._action("Open &data folder", lambda: self._open_folder(self.workspace.paths.root)))
        help_menu.addAction(self._action("Show &log", lambda: self._open_folder(self.workspace.paths.logs)))
        help_menu.addSeparator()
        help_menu.addAction(self._action(f"&About {APP_NAME}", self.show_about))

    def _focus_reader(self) -> None:
        self.reader.setFocus()

    def _focus_filter(self) -> None:
        self.sidebar.filter.setFocus()
        self.sidebar.filter.selectAll()

    @staticmethod
    def _open_folder(path) -> None:
        from PySide6.QtCore import QUrl
        from PySide6.QtGui import QDesktopServices

        QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))

    # ------------------------------------------------------------ behaviour
    def view_names(self) -> list[str]:
        return list(self._views_by_name)

    def show_view(self, name: str, *, filled: bool = False) -> bool:
        """``filled``: the view's ``on_shown`` already ran while it was hidden (open_view)."""
        if name not in self._views_by_name:
            return False
        self._opening = None  # a view opening in steps (open_view) is not shown over this one
        # The other views read the database: it must have passed its check (the first paint's gate).
        if name != "library" and not self.first_paint.fire():
            return False
        widget = self.view(name)
        button = self._views_by_name[name][1]
        self.views.setCurrentWidget(widget)
        button.setChecked(True)
        if widget is not self.splitter and not filled:  # the library view follows the reader instead
            widget.on_shown()
        return True

    def open_view(self, name: str) -> None:
        """A tab clicked or its shortcut pressed. A view not built yet is opened in steps, each
        its own pass of the event loop: the tab shows as chosen at once; then its modules the
        warm-up has not imported yet (ui/warm_up.py), one a pass; the view is built in the next
        pass, filled (its ``on_shown``, still hidden) in the one after, laid out in the next, then
        shown and painted.
        Done in one go, importing, building, filling, showing and painting a view froze the
        window for their sum (the Roadmap's 4, 18, 13 and 28 ms, more under load); in steps the
        longest step is the freeze. Should another tab be chosen before it is built, the view
        is built all the same and the other one shown."""
        view, button = self._views_by_name[name]
        if isinstance(view, QWidget) or (name != "library" and not self.first_paint.fire()):
            self.show_view(name)
            return
        button.setChecked(True)
        self._opening = name
        from .warm_up import MODULES_OF_VIEW

        def fill() -> None:
            if self._opening == name and name != "library":  # still the tab last chosen
                self.view(name).on_shown()

        def lay_out() -> None:
            if self._opening == name and name != "library":
                from PySide6.QtCore import QPoint
                from PySide6.QtGui import QPixmap, QRegion

                # Styled, laid out and its text wrapped at the size it will show at, still hidden:
                # showing it then mostly paints. A render of one pixel makes Qt deliver every
                # widget's pending resize (word-wrapped labels lay their text out there) and
                # polish it; left to the show, that was 10 of the Roadmap's 12 ms to show it.
                view = self.view(name)
                view.setGeometry(self.views.contentsRect())
                view.render(QPixmap(1, 1), QPoint(), QRegion(0, 0, 1, 1))

        def show() -> None:
            if self._opening == name:
                self._opening = None
                self.show_view(name, filled=name != "library")

        steps: list[Callable[[], object]] = [
            *(partial(importlib.import_module, module) for module in MODULES_OF_VIEW.get(name, ())
              if module not in sys.modules),
            partial(self.view, name), fill, lay_out, show]

        def next_step() -> None:
            steps.pop(0)()
            if steps:
                QTimer.singleShot(STEP_MS, self, next_step)

        QTimer.singleShot(STEP_MS, self, next_step)  # with the window as context: dropped if it goes first

    def open_page(self, page_id: str) -> None:
        if page_id != self.reader.current_page:
            self.reader.show_page(page_id)

    def _on_page_changed(self, page_id: str) -> None:
        self.sidebar.select(page_id)
        self.settings.set("last_page", page_id)

    def run_transfer(self, flow: str):
        """Export to Anki, export or import progress, import Anki text: see ui/transfer_dialogs.py."""
        from . import transfer_dialogs

        return getattr(transfer_dialogs, flow)(self)

    def import_notes(self, path=None):
        """File → Import notes… (ui/import_dialog.py, imported on first use)."""
        from .import_dialog import import_notes_flow

        return import_notes_flow(self, path)

    def remove_pack(self, pack_id: str) -> bool:
        from .import_dialog import remove_pack_flow

        return remove_pack_flow(self, pack_id)

    def bookmarked_ids(self) -> list[str]:
        """Bookmarked questions (not guides): the flashcards' and the Anki export's Bookmarks scope."""
        from ..core.content import notes

        return notes.bookmarked_questions(self.workspace.progress.conn)

    def refresh_counts(self) -> None:
        """The due badge, the status bar's counts and the tree's due counts, counted on the runner
        (a second at 100,000 questions); what is shown stays until the new counts arrive."""
        if self._counts is None:
            from .runner import Recount

            _ = self.workspace.progress  # opened (created, migrated) here once: the runner finds it ready
            self._counts = Recount(self._count_work, self._show_counts, db_path=self.workspace.paths.progress_db,
                                   name="due-counts", parent=self)
        self._counts.request()
        if getattr(self, "card_browser", None) is not None:
            self.card_browser.stale = True  # re-read when next activated (a reload is not free at 100k)
        if self.library_tools is not None:
            self.library_tools.card_line.refresh()  # the reader's card-state line: one card, read here

    def _load_library_once(self) -> None:
        """On the runner after the first paint: the library, before anything on the UI thread
        reads it (a start paints from the outline alone; 100,000 questions take a second)."""
        with startup_gc.building():  # no full collections holding the interpreter meanwhile
            decks = _deck_scopes(self.workspace.library)
        # Set from the runner: the first-paint callbacks, which start the first count, run only
        # after this (_FirstPaint.fire), so no count reads it meanwhile.
        if self._count_decks is None:
            self._count_decks = decks

    def _count_work(self) -> Callable:
        workspace, kept = self.workspace, self._count_decks
        tally, self._count_tally = self._count_tally, None
        written = self._count_written
        mark = written.mark(workspace.progress.conn) if written is not None else None
        # The cards written since the kept tally was read (None: not known, so every card is read).
        changed = written.since(self._count_mark, mark) if written is not None else None

        def work(conn, _progress) -> tuple:
            from ..core.clock import system_clock
            from ..core.study.deck_counts import deck_counts, deck_tally, due_by_scope
            from ..core.study.session import StudySettings

            # Read here, on the runner: before the first paint's preload has it, reading it on the
            # UI thread loaded it there. The one shown now; a reload swaps in another, never edits it.
            library = workspace.library
            decks = kept if kept is not None and kept[0] is library else _deck_scopes(library)
            settings = StudySettings.load(conn)
            _, index, every = decks
            # One tally of the cards for both counts: the kept one brought up to date, or read anew.
            counted = deck_tally(conn, index, settings, system_clock, kept=tally, changed=changed)
            # Counted, not queued: a whole-library session would sort every due card for a number.
            today = deck_counts(conn, {ALL_CARDS: every}, settings, index=index, tally=counted)[ALL_CARDS]
            due = due_by_scope(conn, index, settings, tally=counted)
            by_topic = {key: n for key, n in due.items() if n and key != ALL_CARDS}
            return by_topic, today.due, today.new, decks, counted, mark
        return work

    def _show_counts(self, counted: tuple) -> None:
        by_topic, due, new, decks, tally, mark = counted
        if decks[0] is self.workspace.library:
            self._count_decks = decks
            self._count_tally, self._count_mark = tally, mark
        if by_topic != self._due_by_topic:  # a pass over every row of the tree: only when a count moved
            self._due_by_topic = by_topic
            self.sidebar.set_due_counts(by_topic)
        shown = f"{MAX_TAB_COUNT}+" if due > MAX_TAB_COUNT else str(due)
        self._set_tab_label(self.flashcards_tab, f"Flashcards  {shown}" if due else "Flashcards")
        self.status_due.setText(f"{due} due · {new} new today")

    @staticmethod
    def _reserve_tab_width(tab: QToolButton, widest: str) -> None:
        label = tab.text()
        tab.setText(widest)
        tab.setMinimumWidth(tab.sizeHint().width())
        tab.setText(label)

    @staticmethod
    def _set_tab_label(tab: QToolButton, label: str) -> None:
        """Tabs only grow: a count that shrinks or goes away while studying keeps its tab as
        wide, so the tabs to its right do not shift back and forth with every answer."""
        tab.setText(label)
        tab.setMinimumWidth(max(tab.minimumWidth(), tab.sizeHint().width()))

    def refresh_roadmap_status(self) -> None:
        """'roadmap 34% (Dev 1: 7/9)' in the status bar and the percentage on the tab."""
        from ..core.study.roadmap import LEVEL_SHORT_NAMES, Roadmap

        roadmap = Roadmap(self.workspace.progress.conn, self.workspace.library)
        overall = roadmap.overall()
        if not overall.total:
            self.status_roadmap.setText("")
            return
        text = f"roadmap {overall.percent}%"
        level = self.settings.get_str("roadmap/level") or None
        if level is not None:
            tally = roadmap.tally(roadmap.milestones(level))
            if tally.total:
                text += f" ({LEVEL_SHORT_NAMES.get(level, level)}: {tally.complete}/{tally.total})"
        self.status_roadmap.setText(text)
        self.status_roadmap.setToolTip(f"{overall.complete} of {overall.total} milestones complete "
                                       f"({overall.done} done, {overall.skipped} skipped)")
        self._set_tab_label(self.roadmap_tab, f"Roadmap  {overall.percent}%" if overall.complete else "Roadmap")

    def _on_roadmap_level(self, level: str | None) -> None:
        self.settings.set("roadmap/level", level or "")
        self.refresh_roadmap_status()

    def study_scope(self, scope, ahead: bool = False) -> None:
        """Start a flashcard session on ``scope`` (a core.study.Scope), e.g. a roadmap milestone;
        ``ahead`` offers every card of it, due or not (a mock's missed questions)."""
        if self.show_view("flashcards"):
            self.flashcards.start(scope, ahead=ahead, every_new=scope.kind == "milestone")

    def apply_changes(self, changes: Changes, then: Callable[[], None] | None = None) -> None:
        """A mutation (an import, a merge, a restored backup, the card browser, the scheduling
        dialog) reports what it changed: the window reads again what it shows of that, then
        every view does the same for itself (``on_changes``). ``then`` runs once they have (or,
        should the library fail to load, once the status bar has said why).

        A library change loads the library on the runner (seconds after a large import): the
        window keeps showing the library it has until the new one is swapped in, and the change
        reaches the views only then, so no view ever reads a library half loaded."""
        if changes.library:
            self._reload_library(changes, then)
            return
        self._apply(changes)
        if then is not None:
            then()

    def _reload_library(self, changes: Changes, then: Callable[[], None] | None) -> None:
        if self._library_reload is not None:  # one load at a time; it runs again when this one ends
            pending, callbacks = self._library_reload
            self._library_reload = (pending | changes, callbacks + ([then] if then else []))
            self._reload_again = True
            return
        self._library_reload = (changes, [then] if then else [])
        self._reload_again = False
        self.statusBar().showMessage("Loading the library…")
        from .runner import run_in_background

        run_in_background(self._load_library_work, done=self._library_loaded, failed=self._library_failed,
                          name="library-reload")

    def _load_library_work(self, _progress) -> tuple[LoadedLibrary, PackRows, tuple]:
        """On the runner: the library, and the sidebar's rows for the imported packs (a
        100,000-question pack is seconds of rows to make; adding them made is not)."""
        with startup_gc.building():  # no full collections holding the GIL while 100k questions load
            loaded = self.workspace.load_fresh()
            return loaded, self.sidebar.build_pack_rows(loaded.outline), _deck_scopes(loaded.library)

    def _library_loaded(self, result: tuple[LoadedLibrary, PackRows, tuple]) -> None:
        loaded, pack_rows, decks = result
        from .runner import run_in_background

        if self._reload_again:  # the packs changed again while this load ran: load them again
            self._reload_again = False
            run_in_background(self._load_library_work, done=self._library_loaded, failed=self._library_failed,
                              name="library-reload")
            return
        changes, callbacks = self._library_reload
        self._library_reload = None
        self.statusBar().clearMessage()
        self.workspace.adopt(loaded)
        # The index catches up on the runner; a search typed meanwhile finds what it held.
        workspace = self.workspace
        run_in_background(lambda conn, _progress: workspace.refresh_index(conn), db_path=workspace.paths.progress_db,
                          failed=lambda message: self.statusBar().showMessage(message, 8000), name="search-index")
        self.sidebar.populate(loaded.outline, packs_built=pack_rows)
        self._count_decks, self._count_tally = decks, None  # made with the library, on the runner
        self._due_by_topic = None  # new rows: the next count fills them in whatever it says
        self._update_status()
        self._apply(changes)
        for callback in callbacks:
            callback()

    def _library_failed(self, message: str) -> None:
        """The library could not be read again: the window keeps the one it has, says why, and
        lets whoever waits go on (a dialog never hangs on "Loading the library…")."""
        _changes, callbacks = self._library_reload
        self._library_reload = None
        self._reload_again = False
        self.statusBar().showMessage(message, 10000)
        for callback in callbacks:
            callback()

    def _apply(self, changes: Changes) -> None:
        if changes.progress:
            self.refresh_counts()
        if changes.progress or changes.roadmap:
            self.refresh_roadmap_status()
        if self.library_tools is not None and (changes.notes or changes.library):
            self.library_tools.on_data_changed()
        if self.reader.current_page:
            if changes.library or changes.notes:
                self.reader.refresh(content_only=True)
            elif changes.cards or changes.reviews or changes.sessions_void:
                self.reader.refresh_header()  # the card-state line under the title
        for view in self.created_views():
            if view is not self.splitter:
                view.on_changes(changes)

    def _open_from_card(self, page_id: str) -> None:
        """A link in a flashcard's answer or the roadmap opens the page in the library view."""
        if page_id.startswith(("q:", "guide:", "topic:")) and self.workspace.library.has_page(page_id):
            self.show_view("library")
            self.reader.show_page(page_id)

    def _on_internal_link(self, page_id: str) -> None:
        self.statusBar().showMessage(f"No page called {page_id} in this library", 4000)

    def _update_nav(self) -> None:
        self.back_button.setEnabled(self.reader.can_go_back())
        self.forward_button.setEnabled(self.reader.can_go_forward())

    def _update_status(self) -> None:
        outline = self.workspace.outline
        self.status_library.setText(f"{len(outline.topics)} topics · {outline.question_count()} questions · "
                                    f"{len(outline.guides)} guides")

    def set_theme(self, choice: str) -> None:
        self.theme_choice = choice
        self.theme = themes.resolve(choice)
        themes.apply(QApplication.instance(), self.theme)
        self.sidebar.set_theme(self.theme)
        self.reader.set_theme(self.theme)
        if self.library_tools is not None:
            self.library_tools.set_theme(self.theme)
        for view in self.created_views():
            if view is not self.splitter:
                view.set_theme(self.theme)
        if getattr(self, "card_browser", None) is not None:
            self.card_browser.theme = self.theme
            self.card_browser.apply_theme()
        self.settings.set("theme", choice)
        if choice in self.theme_actions:
            self.theme_actions[choice].setChecked(True)

    def _follow_system_theme(self) -> None:
        """Check the remembered system scheme start-up used, and follow later switches."""
        QGuiApplication.styleHints().colorSchemeChanged.connect(self._on_system_scheme)
        self._on_system_scheme()

    def _on_system_scheme(self, *_scheme) -> None:
        dark = themes.system_prefers_dark()
        self.settings.set("system_dark", dark)
        if self.theme_choice == "system" and self.theme.dark != dark:
            self.set_theme("system")

    def _save_zoom(self) -> None:
        self.reader.flash_zoom()
        self.settings.set("zoom", self.reader.zoom)
        if self.library_tools is not None:
            self.library_tools.set_zoom(self.reader.zoom)  # the note under the answer follows

    def _enable_clear_buttons(self) -> None:
        self.sidebar.filter.setClearButtonEnabled(True)
        self.search_field.setClearButtonEnabled(True)

    def tools_ready(self) -> bool:
        """The library tools (search, star, notes, card line) are all in place, a few event-loop
        passes after the first paint."""
        return self.library_tools is not None and self.library_tools.built()

    @staticmethod
    def _import_library_tools() -> None:
        from . import library_tools  # noqa: F401 - imported for _install_library_tools

    def _install_library_tools(self) -> None:
        from .library_tools import install

        self.library_tools = install(self)

    def _warm_up_views(self) -> None:
        from .warm_up import ViewWarmUp

        self.view_warm_up = ViewWarmUp(self)
        self.view_warm_up.start()

    def show_card_browser(self) -> None:
        """Ctrl+B: one browser window, brought to the front when already open."""
        if not self.first_paint.fire():
            return
        from .card_browser import CardBrowserWindow

        browser = getattr(self, "card_browser", None)
        if browser is None:
            browser = self.card_browser = CardBrowserWindow(self.workspace, self.theme, self)
            browser.changed.connect(self.apply_changes)  # the Changes its action made
            browser.finished.connect(lambda _result: setattr(self, "card_browser", None))
        browser.show()
        browser.raise_()
        browser.activateWindow()

    def show_scheduling(self):
        from .scheduling_dialog import show_scheduling

        return show_scheduling(self)

    def show_backups(self) -> None:
        from .backups_dialog import show_backups

        show_backups(self)

    def show_about(self):
        from .about_dialog import AboutDialog

        dialog = AboutDialog(self.workspace.paths.root, self)
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()
        return dialog

    # ------------------------------------------------------------ persistence
    def _restore(self) -> None:
        geometry = self.settings.get_bytes("window/geometry")
        if geometry is None or not self.restoreGeometry(geometry):
            self.resize(*first_size(self.screen().availableGeometry().size().toTuple()))
        splitter = self.settings.get_bytes("window/splitter")
        if splitter is None or not self.splitter.restoreState(splitter):
            self.splitter.setSizes([330, self.width() - 330])
        zoom = self.settings.get_float("zoom", 1.0)
        if zoom != 1.0:
            self.reader.set_zoom(zoom)
        last = self.settings.get_str("last_page")
        if last and self.reader.show_page(last, prerendered=self._cached_start_page(last)):
            self.reader.scroll_to(max(0, int(self.settings.get_float("last_scroll", 0))))  # once laid out
        else:
            first = next(self.workspace.library.questions(), None)
            if first:
                self.reader.show_page(f"q:{first.id}")
        self._update_nav()

    def _start_page_key(self, page_id: str) -> str:
        return f"{page_id}|{self.theme.name}|{self.reader.zoom}|{self.workspace.fingerprint}|{__version__}"

    def _cached_start_page(self, page_id: str) -> str | None:
        """The last page's HTML saved at exit, so start-up skips markdown and pygments."""
        path = self.workspace.paths.start_page_cache
        try:
            key, _, body = path.read_text(encoding="utf-8").partition("\n")
        except (OSError, UnicodeDecodeError):
            return None
        return body if key == self._start_page_key(page_id) and self.workspace.outline.has_page(page_id) else None

    def _save_start_page(self) -> None:
        page = self.reader.current_page
        body = self.reader.final_body()
        if not page or not body:
            return  # a formula still on its way would show as "not rendered" at the next start
        try:
            path = self.workspace.paths.start_page_cache
            tmp = path.with_suffix(".tmp")
            tmp.write_text(f"{self._start_page_key(page)}\n{body}", encoding="utf-8")
            tmp.replace(path)
        except OSError:
            pass  # only costs start-up speed

    def save_state(self) -> None:
        if self.library_tools is not None:
            self.library_tools.flush()  # a note still inside its typing pause
        self.settings.set("window/geometry", self.saveGeometry())
        self.settings.set("window/splitter", self.splitter.saveState())
        self.settings.set("zoom", self.reader.zoom)
        self.settings.set("system_dark", themes.system_prefers_dark())  # for the next start
        if self.reader.current_page:
            self.settings.set("last_page", self.reader.current_page)
            self.settings.set("last_scroll", self.reader.scroll_position())
        self.settings.sync()
        self._save_start_page()

    def closeEvent(self, event) -> None:  # noqa: N802
        self.save_state()
        self.reader.stop()  # a page or formulas arriving later would find the databases closed
        super().closeEvent(event)


def _deck_scopes(library) -> tuple:
    """Which scopes (the whole library, each topic) hold each question, for the due counts: the
    library, its ScopeIndex and every question id. Made where the library is loaded, on the
    runner: made by the first count instead, its Python loops over 100,000 questions competed
    for the interpreter with the window repainting the reloaded tree (60 and 111 ms stalls)."""
    from ..core.study.deck_counts import ScopeIndex

    # Tuples: nothing the cyclic collector walks at each collection (core/memory.py id_set).
    every = tuple([q.id for q in library.questions()])
    scopes = {ALL_CARDS: every, **{topic.id: tuple([q.id for q in topic.questions]) for topic in library.topics}}
    return library, ScopeIndex(scopes), every
