"""The thin bar over a study session: answers so far out of answers so far plus cards left.

A QProgressBar repaints itself on the spot whenever its value moves (QProgressBar::setValue
calls repaint()), outside the frame it is part of: ~1.6 ms of every answer at 100,000 questions.
This bar asks for a paint like any widget and is drawn with the rest of the frame.
"""

from __future__ import annotations

from PySide6.QtCore import QRectF
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import QSizePolicy, QWidget

HEIGHT_PX = 3


class SessionProgress(QWidget):
    """``setRange``/``setValue``/``value``/``maximum`` as QProgressBar's, with two colours."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFixedHeight(HEIGHT_PX)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self._minimum, self._maximum, self._value = 0, 1, 0
        self._track, self._fill = QColor("#dddddd"), QColor("#3366cc")

    def set_colors(self, track: str, fill: str) -> None:
        self._track, self._fill = QColor(track), QColor(fill)
        self.update()

    def setRange(self, minimum: int, maximum: int) -> None:  # noqa: N802 (QProgressBar's name)
        self._minimum, self._maximum = minimum, max(minimum, maximum)
        self.setValue(self._value)

    def setValue(self, value: int) -> None:  # noqa: N802
        value = min(max(value, self._minimum), self._maximum)
        if value != self._value:
            self._value = value
            self.update()
        total = self._maximum - self._minimum
        self.setAccessibleDescription(f"{self._value - self._minimum} of {total}")

    def value(self) -> int:
        return self._value

    def maximum(self) -> int:
        return self._maximum

    def fraction(self) -> float:
        span = self._maximum - self._minimum
        return (self._value - self._minimum) / span if span else 0.0

    def paintEvent(self, _event) -> None:  # noqa: N802
        painter = QPainter(self)
        painter.fillRect(self.rect(), self._track)
        painter.fillRect(QRectF(0, 0, self.width() * self.fraction(), self.height()), self._fill)
        painter.end()
