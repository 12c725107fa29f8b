"""A figure shown large: fits the window at first, zooms with the wheel or +/-, pans by dragging
or with the arrow keys, 0 fits again, Esc closes. SVG figures are drawn as vectors at every
zoom, so they stay sharp; pictures are scaled smoothly."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QByteArray, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QImage, QKeyEvent, QPainter
from PySide6.QtSvg import QSvgRenderer
from PySide6.QtWidgets import QDialog, QLabel, QVBoxLayout, QWidget

from . import theme as themes

MIN_SCALE, MAX_SCALE = 0.2, 8.0
STEP = 1.25


class FigureCanvas(QWidget):
    """Paints one figure at ``scale`` with its top-left corner at ``offset`` (widget pixels)."""

    def __init__(self, renderer: QSvgRenderer | None, image: QImage | None, background: str, parent=None) -> None:
        super().__init__(parent)
        self.renderer, self.image = renderer, image
        self.background = QColor(background)
        self.scale = 1.0
        self.offset = QPointF(0, 0)
        self._drag: QPointF | None = None
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setCursor(Qt.CursorShape.OpenHandCursor)

    def natural_size(self) -> tuple[float, float]:
        if self.renderer is not None:
            size = self.renderer.defaultSize()
            return float(size.width()), float(size.height())
        return float(self.image.width()), float(self.image.height())

    def fit(self) -> None:
        width, height = self.natural_size()
        margin = 24
        self.scale = max(MIN_SCALE, min((self.width() - margin) / width, (self.height() - margin) / height, MAX_SCALE))
        self.offset = QPointF((self.width() - width * self.scale) / 2, (self.height() - height * self.scale) / 2)
        self.update()

    def zoom_by(self, factor: float, around: QPointF | None = None) -> None:
        around = around if around is not None else QPointF(self.width() / 2, self.height() / 2)
        new_scale = min(MAX_SCALE, max(MIN_SCALE, self.scale * factor))
        factor = new_scale / self.scale
        # Keep the point under the cursor (or the centre) where it is.
        self.offset = around - (around - self.offset) * factor
        self.scale = new_scale
        self.update()

    def pan_by(self, dx: float, dy: float) -> None:
        self.offset += QPointF(dx, dy)
        self.update()

    def paintEvent(self, _event) -> None:  # noqa: N802 (Qt name)
        painter = QPainter(self)
        painter.fillRect(self.rect(), self.background)
        painter.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.SmoothPixmapTransform)
        width, height = self.natural_size()
        target = QRectF(self.offset.x(), self.offset.y(), width * self.scale, height * self.scale)
        if self.renderer is not None:
            self.renderer.render(painter, target)
        else:
            painter.drawImage(target, self.image)
        painter.end()

    def wheelEvent(self, event) -> None:  # noqa: N802 (Qt name)
        steps = event.angleDelta().y() / 120
        if steps:
            self.zoom_by(STEP ** steps, event.position())

    def mousePressEvent(self, event) -> None:  # noqa: N802 (Qt name)
        self._drag = event.position()
        self.setCursor(Qt.CursorShape.ClosedHandCursor)

    def mouseMoveEvent(self, event) -> None:  # noqa: N802 (Qt name)
        if self._drag is not None:
            delta = event.position() - self._drag
            self._drag = event.position()
            self.pan_by(delta.x(), delta.y())

    def mouseReleaseEvent(self, _event) -> None:  # noqa: N802 (Qt name)
        self._drag = None
        self.setCursor(Qt.CursorShape.OpenHandCursor)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt name)
        key = event.key()
        step = 60
        actions = {
            Qt.Key.Key_Plus: lambda: self.zoom_by(STEP), Qt.Key.Key_Equal: lambda: self.zoom_by(STEP),
            Qt.Key.Key_Minus: lambda: self.zoom_by(1 / STEP), Qt.Key.Key_0: self.fit,
            Qt.Key.Key_Left: lambda: self.pan_by(step, 0), Qt.Key.Key_Right: lambda: self.pan_by(-step, 0),
            Qt.Key.Key_Up: lambda: self.pan_by(0, step), Qt.Key.Key_Down: lambda: self.pan_by(0, -step),
        }
        if key in actions:
            actions[key]()
        else:
            super().keyPressEvent(event)

    def resizeEvent(self, _event) -> None:  # noqa: N802 (Qt name)
        self.fit()


class FigureViewer(QDialog):
    def __init__(self, canvas_factory, theme: themes.Theme, parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Figure")
        self.setModal(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        self.canvas: FigureCanvas = canvas_factory(theme.surface, self)
        layout.addWidget(self.canvas, 1)
        hint = QLabel("Wheel or + / − to zoom · drag or arrow keys to pan · 0 to fit · Esc to close", self)
        hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        hint.setStyleSheet(f"color: {theme.muted}; background: {theme.surface}; padding: 6px;")
        layout.addWidget(hint)
        parent_size = parent.window().size() if parent is not None else None
        if parent_size is not None:
            self.resize(int(parent_size.width() * 0.9), int(parent_size.height() * 0.9))
        else:
            self.resize(900, 600)
        self.canvas.setFocus()

    @classmethod
    def for_svg(cls, svg: str, theme: themes.Theme, parent=None) -> FigureViewer:
        renderer = QSvgRenderer(QByteArray(svg.encode("utf-8")))
        return cls(lambda background, owner: FigureCanvas(renderer, None, background, owner), theme, parent)

    @classmethod
    def for_picture(cls, path: Path, theme: themes.Theme, parent=None) -> FigureViewer:
        image = QImage(str(path))
        return cls(lambda background, owner: FigureCanvas(None, image, background, owner), theme, parent)
