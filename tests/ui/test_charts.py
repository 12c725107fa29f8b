"""The QPainter charts: axes a user can read, a heatmap that fills its panel, lines over time."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from PySide6.QtGui import QColor, QImage

from genai_desktop.ui import theme as themes
from genai_desktop.ui.charts import BarChart, Heatmap, LineChart, StackedBar, nice_ticks


@pytest.mark.parametrize(("peak", "ticks"), [(0, [0, 1]), (1, [0, 1]), (2, [0, 1, 2]), (3, [0, 1, 2, 3]),
                                             (7, [0, 2, 4, 6, 8]), (100, [0, 25, 50, 75, 100]),
                                             (1234, [0, 500, 1000, 1500])])
def test_nice_ticks_examples(peak, ticks) -> None:
    assert nice_ticks(peak) == ticks


def test_nice_ticks_never_repeat_a_label_and_cover_the_peak() -> None:
    for peak in range(0, 20_001):
        ticks = nice_ticks(peak)
        labels = [f"{t:,}" for t in ticks]
        assert len(set(labels)) == len(labels) and 2 <= len(ticks) <= 5, (peak, ticks)
        assert all(isinstance(t, int) for t in ticks) and ticks[0] == 0 and ticks[-1] >= peak
        steps = {b - a for a, b in zip(ticks, ticks[1:], strict=False)}
        assert len(steps) == 1, (peak, ticks)  # evenly spaced
    assert nice_ticks(10, most=3) == [0, 5, 10]


def _inked_columns(image: QImage, background: QColor) -> list[int]:
    return [x for x in range(image.width()) if any(image.pixelColor(x, y) != background
                                                   for y in range(0, image.height(), 2))]


@pytest.mark.parametrize("width", [700, 1100, 1500])
def test_the_heatmap_fills_its_width_and_grows_in_height_with_it(qtbot, width) -> None:
    theme = themes.LIGHT_THEME
    heatmap = Heatmap(theme)
    qtbot.addWidget(heatmap)
    today = date(2026, 3, 10)
    heatmap.set_data({today: 3, today - timedelta(days=100): 1}, today)
    heatmap.resize(width, heatmap.heightForWidth(width))
    step = heatmap._step()
    assert heatmap._cell(today).right() >= width - step  # the last week reaches the right edge
    assert heatmap._cell(today).right() <= width
    image = heatmap.grab().toImage().scaled(heatmap.size())
    assert max(_inked_columns(image, QColor(theme.surface))) >= width - step - 1
    assert heatmap.heightForWidth(1500) > heatmap.heightForWidth(700)
    assert heatmap.day_at(heatmap._cell(today).center().x(), heatmap._cell(today).center().y()) == today


def test_bar_labels_that_would_overlap_are_left_out(qtbot) -> None:
    chart = BarChart(themes.LIGHT_THEME)
    qtbot.addWidget(chart)
    chart.resize(240, 170)
    labels = [f"{n:02d} Mar" for n in range(30)]
    chart.set_data(list(range(30)), labels)
    from PySide6.QtGui import QPainter

    from genai_desktop.ui.charts import _spaced_labels

    image = QImage(10, 10, QImage.Format.Format_ARGB32)
    painter = QPainter(image)
    painter.setFont(chart.font())
    slot = chart._slot(chart._plot())
    centres = [chart._plot().left() + i * slot + slot / 2 for i in range(30)]
    shown = _spaced_labels(painter, centres, labels)
    widths = [painter.fontMetrics().horizontalAdvance(label) for label in labels]
    painter.end()
    assert 1 < len(shown) < 30
    for a, b in zip(shown, shown[1:], strict=False):
        assert centres[b] - widths[b] / 2 >= centres[a] + widths[a] / 2  # no two drawn labels touch


def test_the_percentage_line_has_its_own_axis_and_tooltips(qtbot) -> None:
    chart = BarChart(themes.DARK_THEME)
    qtbot.addWidget(chart)
    chart.set_data([4, 0, 2], ["9h", "10h", "11h"], tooltips=["09:00: 4 reviews, 75 % correct", "", ""],
                   line=[75.0, None, 100.0])
    assert chart.tooltip_text(0) == "09:00: 4 reviews, 75 % correct"
    assert chart.tooltip_text(2) == "11h: 2"
    assert chart.ticks() == [0, 1, 2, 3, 4]
    chart.resize(400, 170)
    assert chart._plot().right() <= 400 - 36  # room for the 0–100 % labels on the right
    chart.grab()  # paints with a gap in the line


@pytest.mark.parametrize("theme", [themes.LIGHT_THEME, themes.DARK_THEME])
def test_a_line_chart_draws_its_series_in_its_colour_and_dashes_the_projection(qtbot, theme) -> None:
    chart = LineChart(theme, "Recall probability", "good", percent=True)
    qtbot.addWidget(chart)
    start = datetime(2026, 3, 1, tzinfo=UTC)
    now, due = start + timedelta(days=5), start + timedelta(days=10)
    points = [(start + timedelta(days=n), 1 - 0.01 * n) for n in range(11)]
    chart.set_data(points, (start, due + timedelta(days=1)), now=now, markers=[(due, "due")])
    chart.resize(500, 120)
    assert chart.ticks() == [0, 50, 100]
    assert chart._value_at(now) == pytest.approx(0.95)
    image = chart.grab().toImage().scaled(chart.size())
    colour = QColor(theme.good)
    line_pixels = [(x, y) for x in range(image.width()) for y in range(image.height())
                   if _close(image.pixelColor(x, y), colour)]
    assert line_pixels, "the line is not drawn in its colour"
    xs = sorted({x for x, _y in line_pixels})
    plot = chart._plot()
    assert xs[0] <= chart._x(plot, start) + 3 and xs[-1] >= chart._x(plot, points[-1][0]) - 3
    now_x = chart._x(plot, now)
    # Solid up to now, dashed after: columns with no line pixel appear only in the projection.
    past = [x for x in range(int(plot.left()) + 2, int(now_x) - 2) if x not in xs]
    future = [x for x in range(int(now_x) + 4, int(chart._x(plot, points[-1][0])) - 2) if x not in xs]
    assert not past and future


def _close(a: QColor, b: QColor) -> bool:
    return abs(a.red() - b.red()) + abs(a.green() - b.green()) + abs(a.blue() - b.blue()) < 30


def test_a_stacked_bar_s_legend_wraps_instead_of_running_off_the_panel(qtbot) -> None:
    chart = StackedBar(themes.LIGHT_THEME, percent=True)
    qtbot.addWidget(chart)
    chart.set_data([("Again", 557, "again"), ("Hard", 3, "hard"), ("Good", 11, "good"), ("Easy", 1, "easy")])
    chart.resize(420, chart.minimumHeight())
    chart.show()
    qtbot.waitUntil(lambda: chart.width() == 420)
    entries = chart._legend(420)
    metrics = chart.fontMetrics()
    assert all(x + 16 + metrics.horizontalAdvance(text) <= 420 + 2 for x, _row, text, _key in entries)
    assert max(row for _x, row, _t, _k in entries) >= 1  # the last entries moved to a second row
    assert chart.minimumHeight() >= StackedBar.LEGEND_TOP + 2 * StackedBar.LEGEND_ROW
    chart.resize(1000, chart.minimumHeight())
    qtbot.waitUntil(lambda: chart.minimumHeight() == 58)
    assert {row for _x, row, _t, _k in chart._legend(1000)} == {0}  # room for all on one row


def test_the_heatmap_is_drawn_again_only_when_its_data_theme_or_size_change(qtbot, monkeypatch) -> None:
    heatmap = Heatmap(themes.LIGHT_THEME)
    qtbot.addWidget(heatmap)
    heatmap.resize(700, heatmap.heightForWidth(700))
    today = date(2026, 3, 10)
    heatmap.set_data({today: 3}, today)
    drawn = []
    real_draw = Heatmap._draw
    monkeypatch.setattr(Heatmap, "_draw", lambda self, p: (drawn.append(1), real_draw(self, p)))

    def picture() -> QImage:
        return heatmap.grab().toImage()

    first = picture()
    assert picture() == first and len(drawn) == 1  # a repaint reuses the picture
    heatmap.set_data({today: 3, today - timedelta(days=1): 5}, today)
    assert picture() != first and len(drawn) == 2  # new data: drawn again
    heatmap.set_theme(themes.DARK_THEME)
    dark = picture()
    assert dark != first and len(drawn) == 3
    heatmap.resize(900, heatmap.heightForWidth(900))
    assert picture().size() != dark.size() and len(drawn) == 4


def test_the_heatmap_shades_a_day_by_its_share_of_the_busiest(qtbot) -> None:
    heatmap = Heatmap(themes.LIGHT_THEME)
    qtbot.addWidget(heatmap)
    heatmap.resize(900, heatmap.heightForWidth(900))
    today = date(2026, 3, 10)
    busy, light, idle = today - timedelta(days=1), today - timedelta(days=2), today - timedelta(days=3)
    heatmap.set_data({busy: 200, light: 10}, today)
    image = heatmap.grab().toImage()

    def colour(day: date) -> QColor:
        return image.pixelColor(heatmap._cell(day).center().toPoint())

    theme = themes.LIGHT_THEME
    assert _close(colour(busy), themes.mix(theme.good, theme.surface, 1.0))  # the peak: the full colour
    assert _close(colour(idle), QColor(theme.badge))  # no review: the empty cell's colour
    # A day of a twentieth of the peak: the palest shade but one, lighter than the peak's.
    assert _close(colour(light), themes.mix(theme.good, theme.surface, 0.35 + 0.65 / Heatmap.SHADES))
    assert colour(light) != colour(busy)
