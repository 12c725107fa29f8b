"""SVG figures drawn to PNG bytes with Qt, for the Anki export (core cannot import Qt, so the
export is handed this function). Light palette on a white ground: a card in Anki's night mode
then shows the figure as a white plate instead of dark ink on a dark page."""

from __future__ import annotations

import os
import sys
from pathlib import Path

ANKI_WIDTH_PX = 720  # the card's text column (44em at 18px is ~790px); drawn at 2x for sharp screens
SCALE = 2


def svg_to_png(path: Path) -> bytes:
    """PNG bytes of the figure at ``path``, ``SCALE`` times its size (at most the card's width)."""
    if sys.modules.get("PySide6.QtGui") is None or _no_app():
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # the command line has no window
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRectF
    from PySide6.QtGui import QColor, QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    if QGuiApplication.instance() is None:
        _keep.append(QGuiApplication(sys.argv[:1]))  # text in a QPainter needs one
    renderer = QSvgRenderer(QByteArray(path.read_bytes()))
    natural = renderer.defaultSize()
    if not renderer.isValid() or natural.width() <= 0 or natural.height() <= 0:
        raise ValueError(f"{path.name} is not an SVG Qt can draw")
    width = min(natural.width(), ANKI_WIDTH_PX) * SCALE
    height = round(natural.height() * width / natural.width())
    image = QImage(width, height, QImage.Format.Format_RGB32)
    image.fill(QColor("#ffffff"))
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter, QRectF(0, 0, width, height))
    painter.end()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    buffer.close()
    return bytes(data)


_keep: list = []


def _no_app() -> bool:
    from PySide6.QtGui import QGuiApplication

    return QGuiApplication.instance() is None
