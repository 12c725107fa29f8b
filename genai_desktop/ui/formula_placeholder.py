"""The faint box a formula shows as while it is rendered, and an inline formula's padding.

Drawn by the reader on the UI thread (``Reader._formula_image``) and, for a page converted on
the runner, on the worker thread next to the conversion: the reader puts those among its
document's resources (``Reader._set_placeholders``), where the layout finds them instead of
asking ``loadResource`` for each, a call into Python from the layout (56 calls on the heaviest
built-in page, each waiting for the interpreter whenever the formula worker held it). QImage
and QPainter on a QImage may be used on any thread; everything else here is arithmetic.
"""

from __future__ import annotations

import math
from typing import NamedTuple

from PySide6.QtCore import QRectF, QSize
from PySide6.QtGui import QColor, QImage, QPainter

from .formula_baseline import TextLine, padding


class PlaceholderLook(NamedTuple):
    """What a placeholder's size and colour depend on, read on the UI thread."""

    scale: float  # the formula renderer's units to the page's logical pixels
    dpr: float  # the screen's device pixel ratio
    colour: str  # the theme's hover colour: faint on its page
    text_line: TextLine  # the body text's metrics, which inline formulas align to


def inline_padding(above: float, below: float, look: PlaceholderLook) -> tuple[float, float]:
    """(top, bottom) padding of an inline formula drawn ``above`` and ``below`` its baseline,
    in whole device pixels (the image's height is), keeping the baseline where the exact
    padding puts it: the rounding is shared out evenly above and below."""
    top, bottom = padding(above, below, look.text_line)
    height = above + below + top + bottom
    spare = (math.ceil(height * look.dpr - 1e-6) / look.dpr - height) / 2
    return top + spare, bottom + spare


def draw_placeholder(width: float, height: float, *, inline: bool, look: PlaceholderLook) -> QImage:
    """A faint box of about a formula's estimated ``width`` x ``height`` (renderer units). An
    inline one is padded like the formula will be, as if a fifth of it hung below the baseline,
    so its line barely moves when the formula comes."""
    width, box = width * look.scale, height * look.scale
    top = bottom = 0.0
    if inline:
        top, bottom = inline_padding(box * 0.8, box * 0.2, look)
    height = box + top + bottom
    image = QImage(QSize(max(1, round(width * look.dpr)), max(1, round(height * look.dpr))),
                   QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(QColor(0, 0, 0, 0))
    image.setDevicePixelRatio(look.dpr)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(QColor(0, 0, 0, 0))
    painter.setBrush(QColor(look.colour))
    painter.drawRoundedRect(QRectF(1, top + box * 0.15, width - 2, box * 0.7), 4, 4)
    painter.end()
    return image


# PySide builds its types lazily, and two threads building one at once lose attributes ("type
# object 'Qt' has no attribute 'ShortcutContext'") or crash: QImage.fill and QPainter.setPen
# build the whole Qt namespace on their first call. So the first placeholders of a process are
# drawn on the UI thread, and only then may the runner draw them (drawn_on_ui_thread_before).
_types_built = False


def drawn_on_ui_thread_before() -> bool:
    """Placeholders were drawn on the UI thread already: every type drawing needs exists."""
    return _types_built


def draw_placeholders(boxes: dict[str, tuple[float, float, bool]], look: PlaceholderLook, *,
                      on_ui_thread: bool = False) -> dict[str, QImage]:
    """A placeholder for each key of ``boxes`` ((width, height, inline) each); formulas of the
    same estimated size share one image (about half of a page's are alike). Off the UI thread
    only once ``drawn_on_ui_thread_before()``."""
    global _types_built
    drawn: dict[tuple[float, float, bool], QImage] = {}
    images = {}
    for key, box in boxes.items():
        if box not in drawn:
            drawn[box] = draw_placeholder(box[0], box[1], inline=box[2], look=look)
        images[key] = drawn[box]
    if on_ui_thread and images:
        _types_built = True
    return images
