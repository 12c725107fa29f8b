"""The app stylesheet: states a user must be able to tell apart."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QPushButton

from genai_desktop.ui import theme as themes


@pytest.mark.parametrize("theme", [themes.LIGHT_THEME, themes.DARK_THEME], ids=["light", "dark"])
def test_a_disabled_primary_button_does_not_look_clickable(qtbot, theme) -> None:
    """The accent fill says "press me": a disabled Restore… or Import must lose it."""
    button = QPushButton("Restore…", objectName="Primary")
    button.setStyleSheet(themes.chrome_stylesheet(theme))
    qtbot.addWidget(button)
    button.resize(160, 40)

    def fill() -> QColor:
        return button.grab().toImage().pixelColor(12, 20)  # inside the rounded border, left of the text

    assert fill() == QColor(theme.accent)
    button.setEnabled(False)
    assert fill() != QColor(theme.accent)
