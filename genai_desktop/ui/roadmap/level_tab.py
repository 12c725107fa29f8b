"""One level in the roadmap's level selector: its name, 'complete/total' and a thin progress bar."""

from __future__ import annotations

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPen
from PySide6.QtWidgets import QAbstractButton, QSizePolicy

from ...core.content.library import LEVEL_NAMES
from ...core.study.roadmap import LEVEL_FILTER_NAMES, Tally
from .. import theme as themes
from .painting import paint_bar, pixel_font


class LevelTab(QAbstractButton):
    """A checkable button painted as a card; ``level`` None is the whole roadmap."""

    def __init__(self, level: str | None, theme: themes.Theme, parent=None) -> None:
        super().__init__(parent)
        self.level = level
        self.theme = theme
        self.tally = Tally()
        self.setCheckable(True)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setText(LEVEL_FILTER_NAMES[level])
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setAttribute(Qt.WidgetAttribute.WA_Hover)

    def set_tally(self, tally: Tally) -> None:
        self.tally = tally
        self.setToolTip(f"{self._long_name()}: {tally.complete} of {tally.total} complete, {tally.done} done, "
                        f"{tally.skipped} skipped, {tally.in_progress} in progress")
        self.update()

    def set_theme(self, theme: themes.Theme) -> None:
        self.theme = theme
        self.update()

    def _long_name(self) -> str:
        if self.level is None:
            return "The whole roadmap"
        if self.level == "all":
            return "Shared track: prerequisites, ethics and industry, habits — for every level"
        return LEVEL_NAMES.get(self.level, self.level)

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(120, 54)

    def minimumSizeHint(self) -> QSize:  # noqa: N802
        return QSize(96, 54)

    def paintEvent(self, _event) -> None:  # noqa: N802
        t = self.theme
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        box = QRectF(self.rect()).adjusted(1, 1, -1, -1)
        if self.isChecked():
            p.setPen(QPen(QColor(t.accent), 1.2))
            p.setBrush(QColor(t.selection))
        elif self.underMouse():
            p.setPen(QPen(QColor(t.border), 1))
            p.setBrush(QColor(t.hover))
        else:
            p.setPen(QPen(QColor(t.border), 1))
            p.setBrush(QColor(t.surface))
        p.drawRoundedRect(box, 9, 9)
        # The name gets the whole first line (it must not elide at the minimum window width);
        # the count sits after the bar on the second.
        inner = box.adjusted(11, 7, -11, -8)
        p.setFont(pixel_font(self.font(), 13, QFont.Weight.DemiBold if self.isChecked() else QFont.Weight.Medium))
        p.setPen(QColor(t.text))
        name = p.fontMetrics().elidedText(self.text(), Qt.TextElideMode.ElideRight, int(inner.width()))
        p.drawText(QRectF(inner.left(), inner.top(), inner.width(), 20), Qt.AlignmentFlag.AlignVCenter, name)
        count = f"{self.tally.complete}/{self.tally.total}"
        p.setFont(pixel_font(self.font(), 11))
        count_width = p.fontMetrics().horizontalAdvance(count)
        p.setPen(QColor(t.muted))
        line = QRectF(inner.left(), inner.bottom() - 14, inner.width(), 14)
        p.drawText(QRectF(line.right() - count_width, line.top(), count_width, line.height()),
                   Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight, count)
        paint_bar(p, QRectF(line.left(), line.center().y() - 2.5, line.width() - count_width - 8, 5), self.tally, t)
        p.end()
