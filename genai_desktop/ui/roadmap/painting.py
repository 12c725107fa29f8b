"""What the roadmap's custom widgets paint alike: a milestone's state glyph, progress bars and
state colours, and the pixel-sized fonts they draw with."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPainterPath, QPen

from ...core.study.roadmap import DONE, IN_PROGRESS, SKIPPED, Tally
from .. import theme as themes


def state_color(theme: themes.Theme, state: str) -> str:
    """Done green, in progress blue, skipped and pending grey: the glyph's shape carries the rest."""
    return {DONE: theme.good, IN_PROGRESS: theme.easy, SKIPPED: theme.muted}.get(state, theme.muted)


def pixel_font(base: QFont, px: int, weight: QFont.Weight = QFont.Weight.Normal) -> QFont:
    """``base`` at ``px`` pixels: painted text keeps its size whatever the screen's DPI."""
    font = QFont(base)
    font.setPixelSize(px)
    font.setWeight(weight)
    return font


def paint_state_glyph(p: QPainter, rect: QRectF, state: str, theme: themes.Theme, *, retired: bool = False) -> None:
    """Pending a ring, in progress a half-filled ring, done a filled disc with a tick, skipped a
    ring with a slash: four shapes, so the state never depends on colour alone."""
    color = QColor(theme.muted if retired else state_color(theme, state))
    p.save()
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    inner = rect.adjusted(1, 1, -1, -1)
    if state == DONE:
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(color)
        p.drawEllipse(inner)
        tick = QPainterPath(QPointF(inner.left() + inner.width() * 0.27, inner.center().y()))
        tick.lineTo(inner.left() + inner.width() * 0.44, inner.top() + inner.height() * 0.68)
        tick.lineTo(inner.left() + inner.width() * 0.74, inner.top() + inner.height() * 0.32)
        p.setPen(QPen(QColor(theme.surface), 2.0, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap,
                      Qt.PenJoinStyle.RoundJoin))
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.drawPath(tick)
    else:
        p.setPen(QPen(color, 1.6))
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.drawEllipse(inner)
        if state == IN_PROGRESS:
            half = QPainterPath()
            core = inner.adjusted(3, 3, -3, -3)
            half.moveTo(core.center())
            half.arcTo(core, 90, 180)  # the left half: "started"
            half.closeSubpath()
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(color)
            p.drawPath(half)
        elif state == SKIPPED:
            p.drawLine(QPointF(inner.left() + 3.5, inner.bottom() - 3.5),
                       QPointF(inner.right() - 3.5, inner.top() + 3.5))
    p.restore()


def paint_bar(p: QPainter, rect: QRectF, tally: Tally, theme: themes.Theme) -> None:
    """A progress track: done in full colour, skipped in a paler shade of it, the rest empty."""
    p.save()
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    radius = rect.height() / 2
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QColor(theme.badge))
    p.drawRoundedRect(rect, radius, radius)
    if tally.total and tally.complete:
        clip = QPainterPath()
        clip.addRoundedRect(rect, radius, radius)
        p.setClipPath(clip)
        done_width = rect.width() * tally.done / tally.total
        skipped_width = rect.width() * tally.skipped / tally.total
        p.setBrush(QColor(theme.good))
        p.drawRect(QRectF(rect.left(), rect.top(), done_width, rect.height()))
        p.setBrush(themes.mix(theme.good, theme.badge, 0.45))
        p.drawRect(QRectF(rect.left() + done_width, rect.top(), skipped_width, rect.height()))
    p.restore()


GLYPH = 18  # the state circle's diameter
GLYPH_LEFT = 14  # from a checklist row's left edge


def glyph_rect(row: QRectF) -> QRectF:
    """Where a checklist row's state circle sits: painted there by the delegate, and clicked
    there to tick the milestone."""
    return QRectF(row.left() + GLYPH_LEFT, row.center().y() - GLYPH / 2, GLYPH, GLYPH)
