"""ui/session_progress.py: the study session's bar, drawn with the frame it belongs to."""

from __future__ import annotations

from PySide6.QtGui import QColor

from genai_desktop.ui.session_progress import SessionProgress


def test_the_value_stays_in_its_range_and_the_bar_fills_its_share(qtbot) -> None:
    bar = SessionProgress()
    qtbot.addWidget(bar)
    bar.set_colors("#000000", "#ff0000")
    bar.resize(200, 3)
    bar.setRange(0, 4)
    bar.setValue(1)
    assert (bar.value(), bar.maximum(), bar.fraction()) == (1, 4, 0.25)
    image = bar.grab().toImage()
    assert image.pixelColor(10, 1) == QColor("#ff0000")  # the first quarter filled
    assert image.pixelColor(150, 1) == QColor("#000000")  # the rest is track
    assert bar.accessibleDescription() == "1 of 4"
    bar.setValue(9)
    assert bar.value() == 4 and bar.fraction() == 1.0
    bar.setRange(0, 2)  # a range that shrinks takes the value with it
    assert bar.value() == 2
