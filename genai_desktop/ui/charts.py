"""Small QPainter charts for the statistics view: flat colours from the theme, labelled axes.

QPainter keeps the bundle lean (no plotting library) and draws crisply at any pixel ratio.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPainterPath, QPen, QPixmap
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from . import theme as themes


def _draw_y_grid(p: QPainter, chart: Chart, plot: QRectF, ticks: list[int], labels: list[str]) -> None:
    """The horizontal grid lines of a chart's y ticks, each labelled at the left."""
    t = chart.theme
    top = ticks[-1] or 1
    p.setFont(_font(chart, 10))
    for tick, label in zip(ticks, labels, strict=True):
        y = plot.bottom() - plot.height() * tick / top
        p.setPen(QPen(QColor(t.border), 1))
        p.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
        p.setPen(QColor(t.muted))
        p.drawText(QRectF(0, y - 8, 34, 16), Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, label)


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
    """A year of reviews as a contribution graph: one column a week, Monday on top. The weeks
    always fill the width; cells stay square up to MAX_STEP and then only widen, so a very wide
    window does not make a very tall chart. The height follows the width (heightForWidth)."""

    LEFT, TOP = 34, 18  # room for the weekday and month labels
    SHADES = 24  # steps of colour from one review to the peak
    MIN_STEP, MAX_STEP = 9.0, 26.0  # a cell and its gap, in pixels (the rows' step at most MAX_STEP)
    GAP_SHARE = 0.2

    def __init__(self, theme: themes.Theme, parent=None) -> None:
        super().__init__(theme, parent)
        self.counts: dict[date, int] = {}
        self.peak = 1
        self.today = date.today()
        self._picture = QPixmap()
        self._picture_key: tuple | None = None  # what the picture was drawn for (paintEvent)
        self._version = 0  # moves with the data and the theme
        policy = QSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)
        self.setMinimumSize(self.LEFT + int(53 * self.MIN_STEP), self.heightForWidth(0))

    def set_theme(self, theme: themes.Theme) -> None:
        self._version += 1
        super().set_theme(theme)

    def set_data(self, counts: dict[date, int], today: date) -> None:
        self.counts, self.today = counts, today
        self.peak = max(counts.values(), default=1)  # once, not once a cell
        self._version += 1
        self.updateGeometry()  # the number of week columns may change with today
        self.update()

    def _weeks(self) -> int:
        return (self.today - self._start()).days // 7 + 1

    def _step(self, width: int | None = None) -> float:
        """The columns' step: the width shared by the weeks."""
        width = self.width() if width is None else width
        return max(self.MIN_STEP, (width - self.LEFT) / self._weeks())

    def _row_step(self, width: int | None = None) -> float:
        return min(self.MAX_STEP, self._step(width))

    def hasHeightForWidth(self) -> bool:  # noqa: N802
        return True

    def heightForWidth(self, width: int) -> int:  # noqa: N802
        return int(self.TOP + 7 * self._row_step(width) + 4)

    def sizeHint(self) -> QSize:  # noqa: N802
        width = self.LEFT + int(self._weeks() * 15)
        return QSize(width, self.heightForWidth(width))

    def resizeEvent(self, event) -> None:  # noqa: N802
        super().resizeEvent(event)
        # A layout that ignores heightForWidth (a plain box in a dialog) still gets the right height.
        wanted = self.heightForWidth(self.width())
        if self.minimumHeight() != wanted:
            self.setMinimumHeight(wanted)

    def _start(self) -> date:
        start = self.today - timedelta(days=364)
        return start - timedelta(days=start.weekday())

    def _cell(self, day: date) -> QRectF:
        return self._cell_at((day - self._start()).days, self._step(), self._row_step())

    def _cell_at(self, offset: int, step: float, row_step: float) -> QRectF:
        """The cell ``offset`` days after the first shown, for the columns' and rows' steps."""
        week, weekday = divmod(offset, 7)
        gap = row_step * self.GAP_SHARE  # the same gap both ways
        return QRectF(self.LEFT + week * step, self.TOP + weekday * row_step, step - gap, row_step - gap)

    def _shade(self, count: int) -> int:
        """A count's shade, 0 (none) to SHADES (the peak): a colour made once a shade, not once
        a distinct count (200 of them in a busy year, most of a repaint's time)."""
        return 0 if not count else max(1, round(self.SHADES * min(1.0, count / max(1, self.peak))))

    def _color(self, shade: int) -> QColor:
        t = self.theme
        if not shade:
            return QColor(t.badge)
        return themes.mix(t.good, t.surface, 0.35 + 0.65 * shade / self.SHADES)

    def paintEvent(self, _event) -> None:  # noqa: N802
        # Drawn once into a picture for its data, theme and size: the view's scrolling and the
        # tooltips repaint the chart, and 365 antialiased rounded cells cost ~15 ms a time.
        key = (self.width(), self.height(), self.devicePixelRatioF(), self._version)
        if self._picture_key != key:
            self._picture = QPixmap(self.size() * self.devicePixelRatioF())
            self._picture.setDevicePixelRatio(self.devicePixelRatioF())
            self._picture.fill(Qt.GlobalColor.transparent)
            self._draw(QPainter(self._picture))
            self._picture_key = key
        p = QPainter(self)
        p.drawPixmap(0, 0, self._picture)
        p.end()

    def _draw(self, p: QPainter) -> None:
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        t = self.theme
        p.setFont(_font(self, 10))
        p.setPen(QColor(t.muted))
        radius = max(2.0, self._row_step() * 0.18)
        for row, name in ((0, "Mon"), (2, "Wed"), (4, "Fri")):
            rect = self._cell(self._start() + timedelta(days=row))
            p.drawText(QRectF(0, rect.top(), self.LEFT - 4, rect.height()), Qt.AlignmentFlag.AlignVCenter, name)
        # The geometry once a paint and a colour once a shade: worked out again for each of the
        # 365 cells, they made most of the Stats view's repaint (30 of 36 ms, then 6.6 of a
        # redraw's 6.9 with a colour per distinct count; 2 ms now).
        start, step, row_step = self._start(), self._step(), self._row_step()
        days = [start + timedelta(days=offset) for offset in range((self.today - start).days + 1)]
        rects = [self._cell_at(offset, step, row_step) for offset in range(len(days))]
        for day, rect in zip(days, rects, strict=True):
            if day.day <= 7 and day.weekday() == 0:  # a month's first Monday heads its first column
                p.drawText(QRectF(rect.left(), 0, 40, 14), Qt.AlignmentFlag.AlignLeft, day.strftime("%b"))
        colors = [self._color(shade) for shade in range(self.SHADES + 1)]
        get, shade = self.counts.get, self._shade
        p.setPen(Qt.PenStyle.NoPen)
        for day, rect in zip(days, rects, strict=True):
            p.setBrush(colors[shade(get(day, 0))])
            p.drawRoundedRect(rect, radius, radius)
        today = self._cell_at((self.today - start).days, step, row_step)
        p.setPen(QPen(QColor(t.accent), 1.4))
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.drawRoundedRect(today.adjusted(-1, -1, 1, 1), radius + 0.5, radius + 0.5)
        p.end()

    def day_at(self, x: float, y: float) -> date | None:
        week, weekday = int((x - self.LEFT) // self._step()), int((y - self.TOP) // self._row_step())
        if x < self.LEFT or y < self.TOP or not 0 <= weekday < 7:
            return None
        day = self._start() + timedelta(days=week * 7 + weekday)
        return day if day <= self.today and self._cell(day).contains(QPointF(x, y)) else None

    def mouseMoveEvent(self, event) -> None:  # noqa: N802
        day = self.day_at(event.position().x(), event.position().y())
        if day is None:
            QToolTip.hideText()
            return
        n = self.counts.get(day, 0)
        QToolTip.showText(event.globalPosition().toPoint(),
                          f"{day.strftime('%a %d %b %Y')}: {n:,} review{'s' if n != 1 else ''}", self)


class BarChart(Chart):
    """Vertical bars with a labelled y axis and x labels that never overlap; optionally a line of
    percentages over them on a right-hand 0–100 % axis (correct answers by hour, say)."""

    def __init__(self, theme: themes.Theme, color_key: str = "accent", parent=None, *, ceiling: int = 0,
                 unit: str = "", min_slots: int = 0) -> None:
        super().__init__(theme, parent)
        self.values: list[int] = []
        self.labels: list[str] = []
        self.tooltips: list[str] = []  # whole tooltip lines, when a bar needs more than its value
        self.line: list[float | None] = []  # percentages, one per bar; None leaves a gap
        self.line_key = "easy"
        self.color_key = color_key
        self.ceiling = ceiling  # a fixed top of the y axis (100 for percentages); 0: from the data
        self.unit = unit  # after each y label and tooltip value ("%")
        self.min_slots = min_slots  # a few values keep bars of a sensible width, from the left
        self.setMinimumHeight(170)

    def set_data(self, values: list[int], labels: list[str], *, tooltips: list[str] | None = None,
                 line: list[float | None] | None = None) -> None:
        self.values, self.labels = values, labels
        self.tooltips = tooltips or []
        self.line = line or []
        self.update()

    def ticks(self) -> list[int]:
        return nice_ticks(self.ceiling or max(self.values or [0]))

    def _plot(self) -> QRectF:
        right = 40 if self.line else 12  # room for the percentage axis
        return QRectF(40, 10, max(10, self.width() - 40 - right), self.height() - 38)

    def _slot(self, plot: QRectF) -> float:
        return plot.width() / max(1, len(self.values), self.min_slots)

    def paintEvent(self, _event) -> None:  # noqa: N802
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        t = self.theme
        plot = self._plot()
        ticks = self.ticks()
        top = ticks[-1]
        _draw_y_grid(p, self, plot, ticks, [f"{tick:,}{self.unit}" for tick in ticks])
        slot = self._slot(plot)
        color = QColor(getattr(t, self.color_key))
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(color)
        for i, value in enumerate(self.values):
            height = plot.height() * value / top
            p.drawRoundedRect(QRectF(plot.left() + i * slot + slot * 0.15, plot.bottom() - height, slot * 0.7,
                                     height), 2, 2)
        if self.line:
            self._paint_line(p, plot, slot)
        p.setPen(QColor(t.muted))
        centres = [plot.left() + i * slot + slot / 2 for i in range(len(self.labels))]
        for i in _spaced_labels(p, centres, self.labels):
            p.drawText(QRectF(centres[i] - 40, plot.bottom() + 6, 80, 16), Qt.AlignmentFlag.AlignHCenter,
                       self.labels[i])
        if not any(self.values):
            p.setFont(_font(self, 13))
            p.drawText(plot, Qt.AlignmentFlag.AlignCenter, "Nothing yet")
        p.end()

    def _paint_line(self, p: QPainter, plot: QRectF, slot: float) -> None:
        t = self.theme
        color = QColor(getattr(t, self.line_key))
        p.setPen(QColor(t.muted))
        for percent in (0, 50, 100):
            y = plot.bottom() - plot.height() * percent / 100
            p.drawText(QRectF(plot.right() + 6, y - 8, 36, 16), Qt.AlignmentFlag.AlignVCenter, f"{percent}%")
        path, drawing = QPainterPath(), False
        points = []
        for i, percent in enumerate(self.line):
            if percent is None:
                drawing = False
                continue
            point = QPointF(plot.left() + i * slot + slot / 2, plot.bottom() - plot.height() * percent / 100)
            points.append(point)
            if drawing:
                path.lineTo(point)
            else:
                path.moveTo(point)
            drawing = True
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.setPen(QPen(color, 2))
        p.drawPath(path)
        p.setPen(QPen(QColor(t.surface), 1.5))
        p.setBrush(color)
        for point in points:
            p.drawEllipse(point, 3, 3)

    def mouseMoveEvent(self, event) -> None:  # noqa: N802
        plot = self._plot()
        if not self.values or not plot.contains(event.position()):
            QToolTip.hideText()
            return
        i = int((event.position().x() - plot.left()) / self._slot(plot))
        i = min(max(i, 0), len(self.values) - 1)
        QToolTip.showText(event.globalPosition().toPoint(), self.tooltip_text(i), self)

    def tooltip_text(self, index: int) -> str:
        if index < len(self.tooltips) and self.tooltips[index]:
            return self.tooltips[index]
        label = self.labels[index] if index < len(self.labels) and self.labels[index] else f"#{index + 1}"
        return f"{label}: {self.values[index]:,}{self.unit}"


def nice_ticks(peak: float, most: int = 5) -> list[int]:
    """Y-axis ticks from 0 to at least ``peak``: whole numbers, an even 1/2/2.5/5 × 10ⁿ step,
    at most ``most`` of them, so no two ticks ever read the same (a peak of 2 gives 0, 1, 2)."""
    peak = max(1, peak)
    for power in range(0, 16):
        for mantissa in (1, 2, 2.5, 5):
            step = mantissa * 10 ** power
            if step != int(step):
                continue  # 2.5 below 25: ticks would not be whole numbers
            top = -(-peak // step) * step
            if top / step + 1 <= most:
                step, top = int(step), int(top)
                return list(range(0, top + step, step))
    return [0, int(peak)]


def _spaced_labels(painter: QPainter, centres: Sequence[float], labels: Sequence[str], gap: float = 8) -> list[int]:
    """Indexes of the labels to draw: each one that would overlap the last drawn is left out."""
    shown: list[int] = []
    right = float("-inf")
    metrics = painter.fontMetrics()
    for i, (x, label) in enumerate(zip(centres, labels, strict=False)):
        if not label:
            continue
        width = metrics.horizontalAdvance(label)
        if x - width / 2 >= right + gap:
            shown.append(i)
            right = x + width / 2
    return shown


class StackedBar(Chart):
    """One horizontal bar split by card state, with a legend below that wraps to the width."""

    LEGEND_TOP = 33
    LEGEND_ROW = 20

    def __init__(self, theme: themes.Theme, parent=None, *, percent: bool = False) -> None:
        super().__init__(theme, parent)
        self.parts: list[tuple[str, int, str]] = []
        self.percent = percent  # the legend gives each part's share, too
        self.setMinimumHeight(58)  # the bar (4-22) and one legend row (33-53), no empty band under it

    def set_data(self, parts: list[tuple[str, int, str]]) -> None:
        self.parts = parts  # (label, count, theme colour key)
        self._fit_height()
        self.update()

    def resizeEvent(self, event) -> None:  # noqa: N802
        super().resizeEvent(event)
        self._fit_height()

    def _fit_height(self) -> None:
        rows = 1 + max((y for _x, y, _text, _key in self._legend(self.width())), default=0)
        self.setMinimumHeight(self.LEGEND_TOP + rows * self.LEGEND_ROW + 5)

    def _legend(self, width: int) -> list[tuple[float, int, str, str]]:
        """(x, row, text, colour key) of each legend entry: an entry that would pass the right
        edge starts the next row, so a narrow panel never cuts one off."""
        metrics = QFontMetrics(_font(self, 12))
        shown_total = sum(count for _, count, _ in self.parts)
        placed, x, row = [], 0.0, 0
        for label, count, key in self.parts:
            text = f"{label} {count:,}"
            if self.percent and shown_total:
                text += f" · {count / shown_total:.0%}"
            advance = 16 + metrics.horizontalAdvance(text)
            if x > 0 and x + advance > width:
                x, row = 0.0, row + 1
            placed.append((x, row, text, key))
            x += advance + 22
        return placed

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
        for x, row, text, key in self._legend(self.width()):
            top = self.LEGEND_TOP + row * self.LEGEND_ROW
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(QColor(getattr(t, key)))
            p.drawRoundedRect(QRectF(x, top + 5, 11, 11), 2, 2)
            p.setPen(QColor(t.text))
            p.drawText(QRectF(x + 16, top, self.width() - x - 16, 20), Qt.AlignmentFlag.AlignVCenter, text)
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


class LineChart(Chart):
    """One quantity over time (a card's stability, difficulty or recall): a titled, labelled line
    on a shared time span, so charts stacked one above the other line up. Points after ``now``
    are a projection (dashed); markers are labelled vertical lines (the next due date)."""

    def __init__(self, theme: themes.Theme, title: str, color_key: str = "accent", parent=None, *,
                 unit: str = "", ceiling: float = 0, steps: bool = False, percent: bool = False) -> None:
        super().__init__(theme, parent)
        self.title = title
        self.color_key = color_key
        self.unit = unit  # after the current value ("d" for days)
        self.ceiling = ceiling  # a fixed top of the y axis (10 for difficulty); 0: from the data
        self.steps = steps  # the value holds until the next point (stability changes only at a review)
        self.percent = percent  # values are 0–1, shown as percentages on a 0–100 axis
        self.points: list[tuple[datetime, float]] = []
        self.span: tuple[datetime, datetime] | None = None
        self.now: datetime | None = None
        self.markers: list[tuple[datetime, str]] = []
        self.setMinimumHeight(112)

    def set_data(self, points: list[tuple[datetime, float]], span: tuple[datetime, datetime], *,
                 now: datetime | None = None, markers: list[tuple[datetime, str]] | None = None) -> None:
        self.points, self.span, self.now, self.markers = points, span, now, markers or []
        self.update()

    def ticks(self) -> list[int]:
        if self.percent:
            return [0, 50, 100]
        return nice_ticks(self.ceiling or max((v for _, v in self.points), default=0), most=3)

    def _plot(self) -> QRectF:
        return QRectF(40, 24, max(10, self.width() - 52), self.height() - 24 - 22)

    def _x(self, plot: QRectF, moment: datetime) -> float:
        start, end = self.span
        total = max(1.0, (end - start).total_seconds())
        return plot.left() + plot.width() * (moment - start).total_seconds() / total

    def _value_text(self, value: float) -> str:
        return f"{value:.0%}" if self.percent else f"{value:,.1f}{self.unit}"

    def paintEvent(self, _event) -> None:  # noqa: N802
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        t = self.theme
        plot = self._plot()
        color = QColor(getattr(t, self.color_key))
        p.setFont(_font(self, 12, bold=True))
        p.setPen(QColor(t.text))
        p.drawText(QRectF(0, 0, plot.right(), 18), Qt.AlignmentFlag.AlignVCenter, self.title)
        current = self._value_at(self.now) if self.now and self.points else None
        if current is not None:
            p.setPen(color)
            p.drawText(QRectF(0, 0, plot.right(), 18), Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                       f"now {self._value_text(current)}")
        ticks = self.ticks()
        top = ticks[-1] or 1
        _draw_y_grid(p, self, plot, ticks, [f"{tick}%" if self.percent else f"{tick:,}" for tick in ticks])
        if not self.points or self.span is None:
            p.setFont(_font(self, 12))
            p.drawText(plot, Qt.AlignmentFlag.AlignCenter, "No reviews yet")
            p.end()
            return
        self._paint_dates(p, plot)
        scale = 100 if self.percent else 1
        for moment, _label in self.markers:
            x = self._x(plot, moment)
            p.setPen(QPen(QColor(t.muted), 1, Qt.PenStyle.DashLine))
            p.drawLine(QPointF(x, plot.top()), QPointF(x, plot.bottom()))
        past, future = QPainterPath(), QPainterPath()
        previous: QPointF | None = None
        for moment, value in self._drawn_points():
            point = QPointF(self._x(plot, moment), plot.bottom() - plot.height() * min(value * scale, top) / top)
            path = future if self.now and moment > self.now else past
            if previous is None:
                path.moveTo(point)
            else:
                if path.elementCount() == 0:
                    path.moveTo(previous)
                if self.steps:
                    path.lineTo(QPointF(point.x(), previous.y()))
                path.lineTo(point)
            previous = point
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.setPen(QPen(color, 2))
        p.drawPath(past)
        p.setPen(QPen(color, 2, Qt.PenStyle.DashLine))
        p.drawPath(future)
        for moment, label in self.markers:  # over the series, in the half of the plot the line is not in
            x = self._x(plot, moment)
            width = p.fontMetrics().horizontalAdvance(label) + 8
            value = self._value_at(moment)
            high = value is not None and value * scale > top / 2
            box = QRectF(x - width - 2, plot.bottom() - 18 if high else plot.top() + 2, width, 16)
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(QColor(t.surface))
            p.drawRoundedRect(box, 3, 3)
            p.setPen(QColor(t.muted))
            p.drawText(box, Qt.AlignmentFlag.AlignCenter, label)
        p.end()

    def _drawn_points(self) -> list[tuple[datetime, float]]:
        """A value that holds until the next point (steps) is drawn on to now and the last marker
        (the next due date): it stays what it is until then."""
        if not self.steps or not self.points:
            return self.points
        last_at, last_value = self.points[-1]
        horizon = max([last_at, *([self.now] if self.now else []), *(at for at, _label in self.markers)])
        return self.points + [(horizon, last_value)] if horizon > last_at else self.points

    def _paint_dates(self, p: QPainter, plot: QRectF) -> None:
        start, end = self.span
        moments = [start + (end - start) * n / 4 for n in range(5)]
        labels = [m.astimezone().strftime("%d %b %Y" if (end - start).days > 300 else "%d %b") for m in moments]
        centres = [self._x(plot, m) for m in moments]
        p.setPen(QColor(self.theme.muted))
        for i in _spaced_labels(p, centres, labels):
            rect = QRectF(centres[i] - 45, plot.bottom() + 4, 90, 16)
            rect.moveLeft(min(max(rect.left(), 0), self.width() - rect.width()))  # the end labels stay inside
            p.drawText(rect, Qt.AlignmentFlag.AlignHCenter, labels[i])

    def _value_at(self, moment: datetime) -> float | None:
        before = [value for at, value in self.points if at <= moment]
        return before[-1] if before else None

    def mouseMoveEvent(self, event) -> None:  # noqa: N802
        plot = self._plot()
        if not self.points or self.span is None or not plot.contains(event.position()):
            QToolTip.hideText()
            return
        start, end = self.span
        moment = start + (end - start) * ((event.position().x() - plot.left()) / plot.width())
        value = self._value_at(moment)
        if value is not None:
            QToolTip.showText(event.globalPosition().toPoint(),
                              f"{moment.astimezone():%d %b %Y}: {self._value_text(value)}", self)
