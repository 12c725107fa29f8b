"""The statistics view as drawn: what a user reads off it must line up and stand out."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QWidget


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
