"""The statistics view as drawn: what a user reads off it must line up and stand out."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QWidget

from genai_desktop.ui import runner, stats_view


def _luminance(color: QColor) -> float:
    def channel(value: float) -> float:
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(color.redF()) + 0.7152 * channel(color.greenF()) + 0.0722 * channel(color.blueF())


def _contrast(a: QColor, b: QColor) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def _first_inked_column(image: QImage, background: QColor, top: int, bottom: int) -> int:
    """The leftmost column with a pixel that is not the background, between rows top and bottom."""
    for x in range(image.width()):
        for y in range(max(0, top), min(image.height(), bottom)):
            if _contrast(image.pixelColor(x, y), background) > 1.3:
                return x
    raise AssertionError("nothing drawn")


def _stats(make_window, qtbot, theme: str):
    window = make_window(theme)
    window.set_theme(theme)
    window.show_view("stats")
    view = window.stats
    qtbot.waitUntil(lambda: view.data is not None, timeout=5000)  # computed off the UI thread
    return window, view


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_the_new_segment_of_the_card_bar_stands_out_from_the_panel(make_window, qtbot, theme) -> None:
    window, view = _stats(make_window, qtbot, theme)
    counts = dict((label, count) for label, count, _key in view.states.parts)
    assert counts["New"] == 3  # the starter pack, never studied: the bar is all "New"
    image = view.states.grab().toImage()
    ratio = image.devicePixelRatio()
    segment = image.pixelColor(int(view.states.width() * 0.5 * ratio), int(13 * ratio))
    # WCAG 1.4.11: parts of a graphic a user must see need 3:1 against what is next to them.
    assert _contrast(segment, QColor(window.theme.surface)) >= 3


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_the_true_retention_line_lines_up_with_the_bar_and_legend(make_window, qtbot, theme) -> None:
    window, view = _stats(make_window, qtbot, theme)
    body: QWidget = view.retention_label.parentWidget()
    qtbot.waitUntil(lambda: view.retention_label.height() > 0 and view.states.width() > 100, timeout=2000)
    image = body.grab().toImage().scaled(body.size())  # one pixel a logical pixel, whatever the screen
    surface = QColor(window.theme.surface)
    label = view.retention_label.geometry()
    legend_top = view.states.y() + 36  # the legend's swatches and labels, under the bar
    legend = _first_inked_column(image, surface, legend_top, legend_top + 16)
    text = _first_inked_column(image, surface, label.top(), label.bottom())
    assert legend == 0
    assert abs(text - legend) <= 1  # a glyph's side bearing, no more


def _seed_reviews(conn, now: datetime) -> None:
    """Reviews today, 3 months ago and 2 years ago, and a leech (eight lapses)."""
    from genai_desktop.core.clock import day_start, study_day

    # An hour ago, unless that was before today's study day began (it starts at 04:00): then
    # just after the start, so "today" holds it whatever the time the test runs at.
    today_began = day_start(study_day(now, 4), 4)
    rows = [("attention-basics", 3, max(now - timedelta(hours=1), today_began + timedelta(seconds=1)), None),
            ("attention-basics", 1, now - timedelta(days=90), 2),
            ("gan-objective", 4, now - timedelta(days=730), 2)]
    rows += [("gan-objective", 1, now - timedelta(days=100 + n), 2) for n in range(8)]
    for n, (qid, rating, at, state) in enumerate(rows):
        before = None if state is None else f'{{"state":{state},"due":"{at.isoformat()}","last_review":null}}'
        conn.execute("INSERT INTO reviews (uid, question_id, rating, reviewed_at, duration_ms, state_before, "
                     "state_after) VALUES (?, ?, ?, ?, 0, ?, '{}')",
                     (f"seed-{n}", qid, rating, at.astimezone(UTC).isoformat(timespec="milliseconds"), before))


def test_the_range_buttons_recount_the_review_charts(make_window, qtbot) -> None:
    window = make_window("light")
    _seed_reviews(window.workspace.progress.conn, datetime.now(UTC))
    window.show_view("stats")
    view = window.stats
    qtbot.waitUntil(lambda: view.data is not None, timeout=5000)
    assert view.range_buttons["month"].isChecked()
    assert view.data.answer_buttons == {"learning": [0, 0, 1, 0], "review": [0, 0, 0, 0]}
    assert view.per_period_panel.heading.text() == "Reviews per day, last 30 days"
    assert len(view.per_period.values) == 30 and view.per_period.values[-1] == 1
    assert view.leech_figure.value.text() == "1"
    assert "1 card forgotten 8+ times (0 suspended)" in view.leech_label.text()
    assert view.buttons.captions["learning"].text() == "New and learning cards — 1 answer · 100% correct"

    with qtbot.waitSignal(view.computed, timeout=5000):
        view.range_buttons["year"].click()
    assert view.data.range_days == 365
    assert view.data.answer_buttons["review"] == [9, 0, 0, 0]
    assert view.per_period_panel.heading.text() == "Reviews per week, last year"
    assert sum(view.per_period.values) == 10
    assert view.hourly_panel.heading.text() == "Hours of the day, last year"

    with qtbot.waitSignal(view.computed, timeout=5000):
        view.range_buttons["all"].click()
    assert view.data.answer_buttons["review"] == [9, 0, 0, 1]
    assert view.per_period_panel.heading.text() == "Reviews per month, all time"
    assert sum(view.per_period.values) == 11 and len(view.per_period.values) >= 24
    assert sum(view.hourly.values) == 11
    for chart in (view.per_period, view.hourly, view.forecast, view.intervals, view.recalls):
        labels = [f"{tick:,}" for tick in chart.ticks()]
        assert len(labels) == len(set(labels))  # no axis repeats a label


def test_the_view_shown_again_unchanged_keeps_its_figures_and_counts_again_after_a_write(make_window, qtbot,
                                                                                         monkeypatch) -> None:
    from genai_desktop.core.study import stats as core_stats

    window = make_window("light")
    window.show_view("stats")
    view = window.stats
    qtbot.waitUntil(lambda: view.data is not None, timeout=5000)
    computed = []
    compute = core_stats.compute
    monkeypatch.setattr(core_stats, "compute", lambda *a, **k: (computed.append(1), compute(*a, **k))[1])
    asked = view._generation
    window.show_view("library")
    window.show_view("stats")  # nothing written meanwhile: no second computation
    assert view._generation == asked and view.status.text() == "" and view.data.total_reviews == 0
    window.show_view("library")
    _seed_reviews(window.workspace.progress.conn, datetime.now(UTC))  # written while the view was hidden
    with qtbot.waitSignal(view.computed, timeout=5000):
        window.show_view("stats")
    assert computed and view.data.total_reviews == 11
    monkeypatch.setattr(stats_view, "RECOMPUTE_AFTER_S", 1e-6)  # the clock moved on: due dates and recall with it
    window.show_view("library")
    with qtbot.waitSignal(view.computed, timeout=5000):
        window.show_view("stats")
    assert len(computed) == 2


def test_a_late_result_for_an_older_range_is_dropped(make_window, qtbot, monkeypatch) -> None:
    import time

    from genai_desktop.core.study import stats as core_stats

    window = make_window("light")
    window.show_view("stats")
    view = window.stats
    qtbot.waitUntil(lambda: view.data is not None, timeout=5000)
    compute = core_stats.compute

    def slow_year(*args, **kwargs):
        if kwargs.get("range_days") == 365:
            time.sleep(0.6)  # the year's numbers arrive after the newer request's
        return compute(*args, **kwargs)

    monkeypatch.setattr(core_stats, "compute", slow_year)
    view.set_range("year")
    view.set_range("all")
    qtbot.waitUntil(lambda: view.data.range_days is None, timeout=5000)
    qtbot.waitUntil(lambda: not runner._running, timeout=5000)  # the year's job has ended, too
    assert view.data.range_days is None and view.range_buttons["all"].isChecked()


def test_the_heatmap_fills_its_panel(make_window, qtbot) -> None:
    window, view = _stats(make_window, qtbot, "light")
    panel = view.heatmap.parentWidget()
    qtbot.waitUntil(lambda: view.heatmap.width() > 500, timeout=2000)
    last = view.heatmap._cell(view.data.today)
    margin = panel.width() - view.heatmap.geometry().right()
    assert view.heatmap.width() - last.right() < view.heatmap._step()  # no empty weeks' worth of room
    assert margin <= 20  # the panel's own padding, no more
    assert view.heatmap.height() == view.heatmap.heightForWidth(view.heatmap.width())


def test_an_unreadable_database_says_so_and_keeps_the_last_numbers(make_window, qtbot, monkeypatch) -> None:
    import sqlite3

    window, view = _stats(make_window, qtbot, "light")
    shown = view.data

    def unreadable(*_args, **_kwargs):
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(stats_view.db, "connect", unreadable)
    view.set_range("year")
    qtbot.waitUntil(lambda: "could not be read" in view.status.text(), timeout=5000)
    assert "disk i/o error" in view.status.text().lower()
    assert view.data is shown and view.total_figure.value.text() == "0"  # the last numbers stay


def test_opened_by_its_tab_the_view_counts_once_it_is_on_screen(make_window, qtbot, monkeypatch) -> None:
    from PySide6.QtCore import Qt

    from genai_desktop.ui import stats_view

    started_visible: list[bool] = []
    real = stats_view.run_in_background

    def recording(work, **kwargs):
        started_visible.append(window.views.currentWidget().isVisible()
                               and type(window.views.currentWidget()).__name__ == "StatsView")
        return real(work, **kwargs)

    monkeypatch.setattr(stats_view, "run_in_background", recording)
    window = make_window()
    qtbot.mouseClick(window.tab("stats"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: type(window.views.currentWidget()).__name__ == "StatsView", timeout=3000)
    view = window.views.currentWidget()
    qtbot.waitUntil(lambda: view.data is not None, timeout=5000)
    # Filled while hidden (open_view), counted only once shown: not beside its first paint's
    # calls into Python, and once.
    assert started_visible == [True]
