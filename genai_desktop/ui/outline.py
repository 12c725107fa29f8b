"""The page's outline: its headings in a menu under a button in the reader's corner (beside
the bookmark star). Choosing one scrolls to it; the menu and the button's tooltip follow the
scroll, marking the section being read. Short pages (fewer than MIN_SECTIONS sub-headings)
have no outline."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QActionGroup, QTextBlock
from PySide6.QtWidgets import QMenu, QToolButton

from . import theme as themes

MIN_SECTIONS = 2  # sub-headings under the title before an outline is worth a button
MENU_CHARS = 56  # longer headings are cut: a guide's title ran the menu off a 1024 px screen
LOOK_AHEAD_PX = 24  # a heading this close under the top edge already counts as being read


class PageOutline(QObject):
    def __init__(self, reader, theme: themes.Theme) -> None:
        super().__init__(reader)
        self.reader = reader
        self.button = QToolButton(reader, objectName="OutlineButton", text="☰")
        self.button.setCursor(Qt.CursorShape.PointingHandCursor)
        self.button.setFixedSize(34, 34)
        self.button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.menu = QMenu(self.button)
        self.button.setMenu(self.menu)
        self._group = QActionGroup(self)
        self._blocks: list[QTextBlock] = []
        self._headings: list[tuple[int, str]] = []
        self._shown = -1
        self.set_theme(theme)
        reader.verticalScrollBar().valueChanged.connect(self._follow)
        reader.page_changed.connect(lambda _page: self.refresh())
        reader.installEventFilter(self)
        self.refresh()

    def set_theme(self, theme: themes.Theme) -> None:
        self.button.setStyleSheet(
            f"QToolButton#OutlineButton {{ border: none; border-radius: 17px; font-size: 18px;"
            f" color: {theme.muted}; background: transparent; }}"
            f"QToolButton#OutlineButton:hover {{ background: {theme.hover}; color: {theme.text}; }}"
            "QToolButton#OutlineButton::menu-indicator { image: none; width: 0px; }")

    # ------------------------------------------------------------ headings
    def refresh(self) -> None:
        """Read the headings of the page now shown and rebuild the menu."""
        self._blocks, self._headings = [], []
        block = self.reader.document().begin()
        while block.isValid():
            level = block.blockFormat().headingLevel()
            text = block.text().strip()
            if level and text:
                self._blocks.append(block)
                self._headings.append((level, text))
            block = block.next()
        self.menu.clear()
        for action in self._group.actions():
            self._group.removeAction(action)
        for n, (level, text) in enumerate(self._headings):
            shown = text if len(text) <= MENU_CHARS else text[:MENU_CHARS - 1].rstrip() + "…"
            action = self.menu.addAction("    " * max(0, level - 2) + shown)
            action.setCheckable(True)
            action.triggered.connect(lambda _checked=False, n=n: self.jump(n))
            self._group.addAction(action)
        self.button.setVisible(len(self._headings) > MIN_SECTIONS)
        self._shown = -1
        self._follow()
        self.place()

    def headings(self) -> list[tuple[int, str]]:
        """(level, text) of every heading, the page title (level 1) first."""
        return list(self._headings)

    def heading_top(self, n: int) -> int:
        """Where heading ``n`` starts, in the scroll bar's units."""
        layout = self.reader.document().documentLayout()
        return int(layout.blockBoundingRect(self._blocks[n]).top())

    def jump(self, n: int) -> None:
        if 0 <= n < len(self._blocks):
            self.reader.verticalScrollBar().setValue(max(0, self.heading_top(n) - 8))

    def current(self) -> int:
        """The heading of the section at the top of the view (0, the title, before the first)."""
        top = self.reader.verticalScrollBar().value() + LOOK_AHEAD_PX
        found = 0
        for n in range(len(self._blocks)):
            if self.heading_top(n) <= top:
                found = n
            else:
                break
        return found

    def _follow(self, *_value) -> None:
        if not self._headings or not self.button.isVisible():
            return
        n = self.current()
        if n != self._shown:
            self._shown = n
            self._group.actions()[n].setChecked(True)
            self.button.setToolTip(f"On this page: {self._headings[n][1]}")

    # ------------------------------------------------------------ placement
    def place(self) -> None:
        """Left of the bookmark star in the reader's top-right corner."""
        width = self.reader.maximumViewportSize().width()
        bar = self.reader.verticalScrollBar()
        if bar.isVisible():
            width -= bar.width()
        self.button.move(width - 34 - 14 - 38, 12)
        self.button.raise_()

    def eventFilter(self, watched, event) -> bool:  # noqa: N802
        if event.type() == QEvent.Type.Resize:
            self.place()
        return False
