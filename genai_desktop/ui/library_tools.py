"""Search, find-highlighting, bookmarks, notes and the card-state line, attached to the main
window's library view.

Built right after the first paint (main_window.py ``_install_library_tools``): they need the
progress database and the search index, which are kept off the start-up path.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QApplication, QToolButton

from ..core.content import notes
from ..core.search.query import corrections, matched_words
from . import theme as themes
from .card_state_line import CardStateLine
from .find_highlight import FindHighlighter
from .note_editor import NotePanel
from .outline import PageOutline
from .runner import run_in_background, wait_for_all
from .search_box import SearchController

log = logging.getLogger("genai_desktop")


def reader_width(reader) -> int:
    """The reader's visible width, already right inside its Resize event."""
    bar = reader.verticalScrollBar()
    return reader.maximumViewportSize().width() - (bar.width() if bar.isVisible() else 0)


class BookmarkStar(QToolButton):
    """The star in the reader's top-right corner, level with the breadcrumbs."""

    def __init__(self, reader) -> None:
        super().__init__(reader)
        self.setObjectName("BookmarkStar")
        self.setCheckable(True)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setFixedSize(34, 34)
        self.toggled.connect(self._update_look)
        reader.installEventFilter(self)
        self._update_look(False)

    def _update_look(self, on: bool) -> None:
        self.setText("★" if on else "☆")
        self.setToolTip("Remove the bookmark (Ctrl+D)" if on else "Bookmark this page (Ctrl+D)")

    def set_theme(self, theme: themes.Theme) -> None:
        self.setStyleSheet(
            f"QToolButton#BookmarkStar {{ border: none; border-radius: 17px; font-size: 21px;"
            f" color: {theme.muted}; background: transparent; }}"
            f"QToolButton#BookmarkStar:hover {{ background: {theme.hover}; color: {theme.text}; }}"
            f"QToolButton#BookmarkStar:checked {{ color: {'#f5c451' if theme.dark else '#e2a007'}; }}")

    def place(self) -> None:
        # From the reader's own size, not viewport().width(): this runs in the reader's Resize
        # event before the viewport follows, which left the star at the old width (off screen
        # after the window shrank).
        self.move(reader_width(self.parentWidget()) - self.width() - 14, 12)
        self.raise_()

    def eventFilter(self, watched, event) -> bool:  # noqa: N802
        if event.type() == QEvent.Type.Resize:
            self.place()
        return False


class LibraryTools(QObject):
    def __init__(self, window) -> None:
        super().__init__(window)
        self.window = window
        self.workspace = window.workspace
        self.reader = window.reader
        self.conn = self.workspace.progress.conn
        self._warm_index()

        self.highlighter = FindHighlighter(self.reader, window.theme)
        # A search result opened on a page still being converted (only its title shows yet):
        # the first match is gone to once the page arrives (_on_page_changed).
        self._first_match_owed = False
        self.highlighter.changed.connect(self._on_matches)
        self.search = SearchController(window.search_field, self.workspace.search, window.theme, window,
                                       lambda query: corrections(self.workspace.index, query))
        self.search.opened.connect(self.open_result)
        self.search.left.connect(lambda: self.reader.setFocus(Qt.FocusReason.OtherFocusReason))

        # The rest is built over the next passes of the event loop, a part at a time: built in
        # one go it held the window for 80-160 ms just after the first paint (the heaviest
        # part is the card-state line, which sets the page shown again). Whatever needs a part
        # before its turn (``notes``, ``star``…) has every part built at once (_built).
        self._star: BookmarkStar | None = None
        self._outline: PageOutline | None = None
        self._notes: NotePanel | None = None
        self._card_line: CardStateLine | None = None
        self._actions: dict[str, QAction] = {}
        self._parts = [self._build_page_tools, self._build_menu, self._build_card_line]
        # A timer of our own, not QTimer.singleShot: it goes with the window if that closes first.
        self._next_part = QTimer(self, singleShot=True, interval=0, timeout=self._build_next)
        self._next_part.start()

    def _build_next(self) -> None:
        if not self.window.isVisible():  # closed meanwhile (its databases may be closed too)
            return
        if self._parts:
            self._parts.pop(0)()
        if self._parts:
            self._next_part.start()

    def _built(self) -> None:
        while self._parts:
            self._parts.pop(0)()

    def built(self) -> bool:
        """Every part is in place (the menu and its shortcuts, the star, the note, the card line)."""
        return not self._parts

    def _build_page_tools(self) -> None:
        window = self.window
        self._star = BookmarkStar(self.reader)
        self._star.set_theme(window.theme)
        self._star.clicked.connect(self.toggle_bookmark)
        self._star.place()
        self._outline = PageOutline(self.reader, window.theme)
        self._notes = NotePanel(self.workspace, window.theme, self.reader)
        self._notes.link_clicked.connect(self._open_link)
        self._notes.set_zoom(self.reader.zoom)
        window.reader_pane.layout().addWidget(self._notes)

    def _build_card_line(self) -> None:
        self._card_line = CardStateLine(self.window, self._notes)

    def _build_menu(self) -> None:
        self._build_actions()
        self.reader.page_changed.connect(self._on_page_changed)
        self.refresh_bookmarks()
        self._on_page_changed(self.reader.current_page or "")

    @property
    def star(self) -> BookmarkStar:
        self._built()
        return self._star

    @property
    def outline(self) -> PageOutline:
        self._built()
        return self._outline

    @property
    def notes(self) -> NotePanel:
        self._built()
        return self._notes

    @property
    def card_line(self) -> CardStateLine:
        self._built()
        return self._card_line

    @property
    def actions(self) -> dict[str, QAction]:
        self._built()
        return self._actions

    def _warm_index(self) -> None:
        """Open (or rebuild, ~150 ms) the search index on the runner: the first search is then
        instant, and nothing blocks the window. A search typed sooner waits for it. A failure
        is logged; the first search builds the index again and reports it."""
        workspace = self.workspace
        run_in_background(lambda _progress: workspace.warm_index(), name="search-index")

    def _build_actions(self) -> None:
        window = self.window
        menu = window.menuBar().addMenu("&Search")
        help_menu = next((a for a in window.menuBar().actions() if a.text() == "&Help"), None)
        if help_menu is not None:
            window.menuBar().insertMenu(help_menu, menu)
        for key, text, shortcuts, slot in (
                ("search", "&Search the library", ["Ctrl+K"], self.focus_search),
                ("find", "Search (outside the reader)", ["Ctrl+F"], self.find),
                ("next", "&Next match", ["F3"], lambda: self.highlighter.step(True)),
                ("previous", "&Previous match", ["Shift+F3"], lambda: self.highlighter.step(False)),
                ("clear", "&Clear highlights", [], self.highlighter.clear),
                ("bookmark", "&Bookmark this page", ["Ctrl+D"], self.toggle_bookmark),
                ("note", "&Edit my note", ["Ctrl+E"], self._notes.toggle_editing)):
            action = QAction(text, window)
            action.setShortcuts([QKeySequence(k) for k in shortcuts])
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            action.triggered.connect(slot)
            window.addAction(action)
            if key != "find":  # Ctrl+F works from anywhere; the menu shows Ctrl+K
                menu.addAction(action)
            if key == "clear":
                menu.addSeparator()
            self._actions[key] = action
        window.search_field.setToolTip("Search questions, answers, guides and your notes (Ctrl+K)")

    # ------------------------------------------------------------ search
    def focus_search(self) -> None:
        self.window.show_view("library")
        self.search.focus()

    def find(self) -> None:
        """Ctrl+F: in the reader it steps to the next highlighted match; elsewhere it searches."""
        if self.reader.hasFocus() and self.highlighter.matches:
            self.highlighter.step(True)
        else:
            self.focus_search()

    def open_result(self, page_id: str, query: str) -> None:
        self.window.show_view("library")
        if page_id != self.reader.current_page:
            self.reader.show_page(page_id)
        words = matched_words(self.workspace.index, query, page_id)
        self.highlighter.highlight(words, page_id)
        self._first_match_owed = self.reader.converting()
        if not self._first_match_owed:
            self.highlighter.step(True)
        self.reader.setFocus(Qt.FocusReason.OtherFocusReason)

    def _on_matches(self, current: int, total: int) -> None:
        if total:
            where = f"{current} of {total}" if current else f"{total}"
            self.window.statusBar().showMessage(f"Match {where} · F3 next · Shift+F3 previous", 6000)

    # ------------------------------------------------------------ pages
    def _on_page_changed(self, page_id: str) -> None:
        if self.highlighter.page == page_id:
            self.highlighter.reapply()  # the same page re-rendered (zoom, theme) or arrived whole
            if self._first_match_owed and not self.reader.converting():
                self._first_match_owed = False
                self.highlighter.step(True)
        elif self.highlighter.page is not None:
            self._first_match_owed = False
            self.highlighter.clear()
        key = notes.key_for(page_id)  # questions and guides carry a star and a note; topics do not
        self.star.setVisible(key is not None)
        self.actions["bookmark"].setEnabled(key is not None)
        self.actions["note"].setEnabled(key is not None)
        if key:
            self.star.setChecked(notes.is_bookmarked(self.conn, key))
        if key != self.notes.key:
            self.notes.show_note(key)

    def _open_link(self, page_id: str) -> None:
        if not self.reader.show_page(page_id):
            self.window.statusBar().showMessage(f"No page called {page_id} in this library", 4000)

    # ------------------------------------------------------------ bookmarks
    def toggle_bookmark(self) -> None:
        key = notes.key_for(self.reader.current_page or "")
        if key is None:
            return
        on = notes.toggle_bookmark(self.conn, key)
        self.star.setChecked(on)
        self.refresh_bookmarks()
        self.window.statusBar().showMessage("Bookmarked" if on else "Bookmark removed", 2500)

    def refresh_bookmarks(self) -> None:
        self.window.sidebar.set_bookmarks(notes.bookmarked_pages(self.conn, self.workspace.library))

    def on_data_changed(self) -> None:
        """The BOOKMARKS group and the star, after a pack removal, a progress import or a
        restored backup changed the bookmarks underneath the window."""
        self.refresh_bookmarks()
        key = notes.key_for(self.reader.current_page or "")
        if key:
            self.star.setChecked(notes.is_bookmarked(self.conn, key))

    # ------------------------------------------------------------ look
    def set_theme(self, theme: themes.Theme) -> None:
        self.highlighter.set_theme(theme)
        self.search.set_theme(theme)
        self.star.set_theme(theme)
        self.outline.set_theme(theme)
        self.notes.set_theme(theme)

    def set_zoom(self, zoom: float) -> None:
        self.notes.set_zoom(zoom)

    def flush(self) -> None:
        """The window is closing: save a note still inside its typing pause, and let a running
        index build finish before the workspace (and its databases) can be closed under it."""
        if self._notes is not None:  # not built yet: no note typed
            self._notes.save()
        wait_for_all()


def install(window) -> LibraryTools:
    tools = LibraryTools(window)
    app = QApplication.instance()
    if app is not None:
        app.aboutToQuit.connect(tools.flush)
    return tools
