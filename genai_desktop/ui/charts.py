"""Small QPainter charts for the statistics view: flat colours from the theme, labelled axes.

QPainter keeps the bundle lean (no plotting library) and draws crisply at any pixel ratio.
"""

from __future__ import annotations

from datetime import date, timedelta

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPen
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from . import theme as themes


def _font(widget: QWidget, px: int, bold: bool = False) -> QFont:
    font = QFont(widget.font())
    font.setPixelSize(px)
    font.setBold(bold)
    return font


class Chart(QWidget):
    def __init__(self, theme: themes.Theme, parent=None) -> None:
        super().__init__(parent)
        self.theme = theme
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setMouseTracking(True)

    def set_theme(self, theme: themes.Theme) -> None:
        self.theme = theme
        self.update()


class Heatmap(Chart):
    """A year of reviews as a contribution graph: one column a week, Monday on top."""

    CELL, GAP = 12, 3

    def __init__(self, theme: themes.Theme, parent=None) -> None:
        super().__init__(theme, parent)
        self.counts: dict[date, int] = {}
        self.today = date.today()
        self.setMinimumHeight(7 * (self.CELL + self.GAP) + 34)

    def set_data(self, counts: dict[date, int], today: date) -> None:
        self.counts, self.today = counts, today
        self.update()

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(53 * (self.CELL + self.GAP) + 40, 7 * (self.CELL + self.GAP) + 34)

    def _start(self) -> date:
        start = self.today - timedelta(days=364)
        return start - timedelta(days=start.weekday())

    def _cell(self, day: date) -> QRectF:
        offset = (day - self._start()).days
        week, weekday = divmod(offset, 7)
        step = self.CELL + self.GAP
        return QRectF(34 + week * step, 18 + weekday * step, self.CELL, self.CELL)

    def _color(self, count: int) -> QColor:
        t = self.theme
        if not count:
            return QColor(t.badge)
        peak = max(self.counts.values() or [1])
        level = 0.35 + 0.65 * min(1.0, count / max(1, peak))
        return themes.mix(t.good, t.surface, level)

    def paintEvent(self, _event) -> None:  # noqa: N802
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        t = self.theme
        p.setFont(_font(self, 10))
        p.setPen(QColor(t.muted))
        for row, name in ((0, "Mon"), (2, "Wed"), (4, "Fri")):
            rect = self._cell(self._start() + timedelta(days=row))
            p.drawText(QRectF(0, rect.top() - 2, 30, self.CELL + 4), Qt.AlignmentFlag.AlignVCenter, name)
        day = self._start()
        last_month = None
        while day <= self.today:
            rect = self._cell(day)
            if day.month != last_month and day.weekday() == 0:
                p.setPen(QColor(t.muted))
                p.drawText(QRectF(rect.left(), 0, 40, 14), Qt.AlignmentFlag.AlignLeft, day.strftime("%b"))
                last_month = day.month
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(self._color(self.counts.get(day, 0)))
            p.drawRoundedRect(rect, 2.5, 2.5)
            if day == self.today:
                p.setPen(QPen(QColor(t.accent), 1.4))
                p.setBrush(Qt.BrushStyle.NoBrush)
                p.drawRoundedRect(rect.adjusted(-1, -1, 1, 1), 3, 3)
            day += timedelta(days=1)
        p.end()

    def mouseMoveEvent(self, event) -> None:  # noqa: N802
        day = self._start()
        while day <= self.today:
            if self._cell(day).contains(event.position()):
                n = self.counts.get(day, 0)
                QToolTip.showText(event.globalPosition().toPoint(),
                                  f"{day.strftime('%a %d %b %Y')}: {n} review{'s' if n != 1 else ''}", self)
                return
            day += timedelta(days=1)
        QToolTip.hideText()


class BarChart(Chart):
    """Vertical bars with a labelled y axis and a few x labels."""

    def __init__(self, theme: themes.Theme, color_key: str = "accent", parent=None, *, ceiling: int = 0,
                 unit: str = "", min_slots: int = 0) -> None:
        super().__init__(theme, parent)
        self.values: list[int] = []
        self.labels: list[str] = []
        self.color_key = color_key
        self.ceiling = ceiling  # a fixed top of the y axis (100 for percentages); 0: from the data
        self.unit = unit  # after each y label and tooltip value ("%")
        self.min_slots = min_slots  # a few values keep bars of a sensible width, from the left
        self.setMinimumHeight(170)

    def set_data(self, values: list[int], labels: list[str]) -> None:
        self.values, self.labels = values, labels
        self.update()

    def _plot(self) -> QRectF:
        return QRectF(40, 10, max(10, self.width() - 52), self.height() - 38)

    def paintEvent(self, _event) -> None:  # noqa: N802
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        t = self.theme
        plot = self._plot()
        peak = max(self.values or [0])
        top = self.ceiling or max(1, _nice_ceiling(peak))
        p.setFont(_font(self, 10))
        for fraction in (0, 0.5, 1):
            y = plot.bottom() - plot.height() * fraction
            p.setPen(QPen(QColor(t.border), 1))
            p.drawLine(int(plot.left()), int(y), int(plot.right()), int(y))
            p.setPen(QColor(t.muted))
            p.drawText(QRectF(0, y - 8, 34, 16), Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                       f"{round(top * fraction)}{self.unit}")
        n = max(1, len(self.values), self.min_slots)
        slot = plot.width() / n
        color = QColor(getattr(t, self.color_key))
        for i, value in enumerate(self.values):
            height = plot.height() * value / top
            bar = QRectF(plot.left() + i * slot + slot * 0.15, plot.bottom() - height, slot * 0.7, height)
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(color)
            p.drawRoundedRect(bar, 2, 2)
        p.setPen(QColor(t.muted))
        for i, label in enumerate(self.labels):
            if label:
                x = plot.left() + i * slot + slot / 2
                p.drawText(QRectF(x - 40, plot.bottom() + 6, 80, 16), Qt.AlignmentFlag.AlignHCenter, label)
        if not any(self.values):
            p.setFont(_font(self, 13))
            p.drawText(plot, Qt.AlignmentFlag.AlignCenter, "Nothing yet")
        p.end()

    def mouseMoveEvent(self, event) -> None:  # noqa: N802
        plot = self._plot()
        if not self.values or not plot.contains(event.position()):
            QToolTip.hideText()
            return
        i = int((event.position().x() - plot.left()) / (plot.width() / max(len(self.values), self.min_slots)))
        i = min(max(i, 0), len(self.values) - 1)
        QToolTip.showText(event.globalPosition().toPoint(), f"{self.tooltip_label(i)}: {self.values[i]}{self.unit}",
                          self)

    def tooltip_label(self, index: int) -> str:
        return self.labels[index] or f"#{index + 1}"


def _nice_ceiling(value: int) -> int:
    if value <= 5:
        return max(value, 1)
    for step in (2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000):
        if value <= step * 4:
            return -(-value // step) * step
    return value


class StackedBar(Chart):
    """One horizontal bar split by card state, with a legend below."""

    def __init__(self, theme: themes.Theme, parent=None) -> None:
        super().__init__(theme, parent)
        self.parts: list[tuple[str, int, str]] = []
        self.setMinimumHeight(58)  # the bar (4-22) and the legend (33-53), no empty band under it

    def set_data(self, parts: list[tuple[str, int, str]]) -> None:
        self.parts = parts  # (label, count, theme colour key)
        self.update()

    def paintEvent(self, _event) -> None:  # noqa: N802
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        t = self.theme
        total = sum(count for _, count, _ in self.parts) or 1
        bar = QRectF(0, 4, self.width() - 1, 18)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QColor(t.badge))
        p.drawRoundedRect(bar, 6, 6)
        x = bar.left()
        for _label, count, key in self.parts:
            width = bar.width() * count / total
            if width > 0:
                p.setBrush(QColor(getattr(t, key)))
                p.drawRect(QRectF(x, bar.top(), width, bar.height()))
                x += width
        p.setFont(_font(self, 12))
        x = 0.0
        for label, count, key in self.parts:
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(QColor(getattr(t, key)))
            p.drawRoundedRect(QRectF(x, 38, 11, 11), 2, 2)
            p.setPen(QColor(t.text))
            text = f"{label} {count}"
            p.drawText(QRectF(x + 16, 33, 200, 20), Qt.AlignmentFlag.AlignVCenter, text)
            x += 16 + p.fontMetrics().horizontalAdvance(text) + 22
        p.end()


class ProgressList(Chart):
    """Rows of 'label  ▇▇▇▇░░  done/total' (mastery per topic, roadmap sections)."""

    ROW = 26

    def __init__(self, theme: themes.Theme, parent=None, *, percent: bool = False, label_share: float = 0.42) -> None:
        super().__init__(theme, parent)
        self.rows: list[tuple[str, int, int]] = []
        self.percent = percent  # the right-hand figure as "45 %" rather than "done/total"
        self.label_share = label_share  # of the width, for the labels (up to 320 px)

    def set_data(self, rows: list[tuple[str, int, int]]) -> None:
        self.rows = rows
        self.setMinimumHeight(max(1, len(rows)) * self.ROW + 4)
        self.updateGeometry()
        self.update()

    def paintEvent(self, _event) -> None:  # noqa: N802
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        t = self.theme
        p.setFont(_font(self, 13))
        label_width = min(320, self.width() * self.label_share)
        bar_left = label_width + 12
        bar_width = max(40, self.width() - bar_left - (56 if self.percent else 80))
        for i, (label, done, total) in enumerate(self.rows):
            y = i * self.ROW
            p.setPen(QColor(t.text))
            text = p.fontMetrics().elidedText(label, Qt.TextElideMode.ElideRight, int(label_width))
            p.drawText(QRectF(0, y, label_width, self.ROW), Qt.AlignmentFlag.AlignVCenter, text)
            track = QRectF(bar_left, y + self.ROW / 2 - 4, bar_width, 8)
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(QColor(t.badge))
            p.drawRoundedRect(track, 4, 4)
            if total and done:
                p.setBrush(QColor(t.good))
                p.drawRoundedRect(QRectF(track.left(), track.top(), track.width() * done / total, 8), 4, 4)
            p.setPen(QColor(t.muted))
            p.drawText(QRectF(track.right() + 10, y, 70, self.ROW), Qt.AlignmentFlag.AlignVCenter,
                       f"{round(100 * done / total)} %" if self.percent and total else f"{done}/{total}")
        p.end()
