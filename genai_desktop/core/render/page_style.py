"""The colours a page needs at conversion time, apart from the converter so that the theme
(loaded at start-up) does not pull the markdown pipeline in with it. A NamedTuple, like the
theme: on the way to the first paint a frozen dataclass costs ~1 ms to create, and importing
dataclasses ~2 ms more."""

from __future__ import annotations

from typing import NamedTuple


class PageStyle(NamedTuple):
    """The colours a page needs at conversion time (the rest is in the document stylesheet)."""

    text: str = "#1f2328"
    code_background: str = "#f4f5f7"
    code_border: str = "#dde1e7"
    box_background: str = "#eef4ff"
    box_border: str = "#4c7bd9"
    error_background: str = "#fdecec"
    error_text: str = "#8a1c1c"
    muted: str = "#667085"
    tip_background: str = "#eaf6ee"  # callouts: tip, success
    tip_border: str = "#2f9e57"
    warning_background: str = "#fff5e0"  # callouts: warning, question
    warning_border: str = "#c98a0b"
    pygments_style: str = "friendly"
    dark: bool = False


LIGHT = PageStyle()
DARK = PageStyle(text="#e6e6e6", code_background="#2a2c31", code_border="#3a3d44", box_background="#23314d",
                 box_border="#7aa2f7", error_background="#47232a", error_text="#ffb4b4",
                 muted="#9aa0aa", tip_background="#1f3a2a", tip_border="#6fcf8f",
                 warning_background="#3d3220", warning_border="#e5b45a", pygments_style="monokai", dark=True)

__all__ = ["DARK", "LIGHT", "PageStyle"]
