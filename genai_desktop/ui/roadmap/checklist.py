"""The roadmap's checklist: section headers and one row per milestone in a list; a click on a
row's circle ticks it. How rows look is the delegate's job (delegate.py)."""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtWidgets import QListWidget, QListWidgetItem

from .painting import glyph_rect

KIND_ROLE = Qt.ItemDataRole.UserRole + 1  # SECTION, MILESTONE or RETIRED
ID_ROLE = Qt.ItemDataRole.UserRole + 2  # a section's or a milestone's id
SECTION, MILESTONE, RETIRED = "section", "milestone", "retired"


class Checklist(QListWidget):
    """Headers are not selectable; milestone and retired rows are, and carry their id."""

    glyph_clicked = Signal(str)  # a milestone's id

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("Checklist")
        self.setMouseTracking(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollMode(QListWidget.ScrollMode.ScrollPerPixel)
        self.setUniformItemSizes(False)

    def add_section(self, section_id: str, title: str) -> None:
        header = QListWidgetItem(title)
        header.setData(KIND_ROLE, SECTION)
        header.setData(ID_ROLE, section_id)
        header.setFlags(Qt.ItemFlag.NoItemFlags)
        self.addItem(header)

    def add_milestone(self, milestone_id: str, kind: str, title: str) -> None:
        """``kind`` MILESTONE, or RETIRED for one the content no longer has."""
        item = QListWidgetItem(title)
        item.setData(KIND_ROLE, kind)
        item.setData(ID_ROLE, milestone_id)
        item.setToolTip(f"{title}\nClick the circle to tick it · D done · L in progress · S skip · R reset")
        self.addItem(item)

    def item_for(self, milestone_id: str | None) -> QListWidgetItem | None:
        """The row of ``milestone_id`` (never a section header of the same id)."""
        if milestone_id is None:
            return None
        for i in range(self.count()):
            item = self.item(i)
            if item.data(ID_ROLE) == milestone_id and item.data(KIND_ROLE) != SECTION:
                return item
        return None

    def first_selectable(self) -> QListWidgetItem | None:
        return next((self.item(i) for i in range(self.count())
                     if self.item(i).flags() & Qt.ItemFlag.ItemIsSelectable), None)

    def select_item(self, item: QListWidgetItem) -> None:
        self.setCurrentItem(item)
        self.scrollToItem(item)

    def mousePressEvent(self, event) -> None:  # noqa: N802
        item = self.itemAt(event.position().toPoint())
        if (item is not None and item.data(KIND_ROLE) == MILESTONE and event.button() == Qt.MouseButton.LeftButton
                and glyph_rect(QRectF(self.visualItemRect(item))).adjusted(-6, -8, 6, 8)
                .contains(event.position())):
            self.setCurrentItem(item)
            self.glyph_clicked.emit(item.data(ID_ROLE))
            return
        super().mousePressEvent(event)
