"""One way to make a label the theme styles by its object name (PageTitle, Muted, …)."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel


def styled_label(text: str = "", name: str = "", wrap: bool = True) -> QLabel:
    """A label styled by its object name in the theme's stylesheet, wrapping unless told not to."""
    widget = QLabel(text)
    if name:
        widget.setObjectName(name)
    widget.setWordWrap(wrap)
    return widget
