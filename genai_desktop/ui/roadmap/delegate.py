"""How the checklist's rows look: section headers (title, bar, counts) and milestone rows
(state glyph, title, caption, state chip). It reads the view's current states, tallies and
mastery, and draws from them; it never changes anything."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPen
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from ...core.study.roadmap import PENDING, SKIPPED, STATE_LABELS, Record, retired_title, row_caption, tally_text
from .. import theme as themes
from .checklist import ID_ROLE, KIND_ROLE, RETIRED, SECTION
from .painting import GLYPH_LEFT, glyph_rect, paint_bar, paint_state_glyph, pixel_font, state_color

if TYPE_CHECKING:
    from .view import RoadmapView


class ChecklistDelegate(QStyledItemDelegate):
    SECTION_HEIGHT, ROW_HEIGHT = 50, 54

    def __init__(self, view: RoadmapView) -> None:
        super().__init__(view)
        self.view = view

    def sizeHint(self, option, index) -> QSize:  # noqa: N802
        height = self.SECTION_HEIGHT if index.data(KIND_ROLE) == SECTION else self.ROW_HEIGHT
        return QSize(option.rect.width(), height)

    def paint(self, p: QPainter, option: QStyleOptionViewItem, index) -> None:
        t = self.view.theme
        kind, ident = index.data(KIND_ROLE), index.data(ID_ROLE)
        rect = QRectF(option.rect)
        p.save()
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        if kind == SECTION:
            self._paint_section(p, rect, ident, index.data(Qt.ItemDataRole.DisplayRole), t)
        else:
            self._paint_row(p, rect, option, kind, ident, t)
        p.restore()

    def _paint_section(self, p: QPainter, rect: QRectF, section_id: str, title: str, t: themes.Theme) -> None:
        tally = self.view.section_tally(section_id)
        body = rect.adjusted(GLYPH_LEFT, 16, -14, -6)
        p.setFont(pixel_font(self.view.font(), 12))
        if section_id == RETIRED:  # history, not progress: a count, no bar
            p.setPen(QColor(t.muted))
            p.drawText(body, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight, str(tally.total))
            p.setFont(pixel_font(self.view.font(), 12, QFont.Weight.Bold))
            p.drawText(body, Qt.AlignmentFlag.AlignVCenter, p.fontMetrics().elidedText(
                title.upper(), Qt.TextElideMode.ElideRight, int(body.width() - 40)))
            return
        count = tally_text(tally)
        count_width = p.fontMetrics().horizontalAdvance(count)
        p.setPen(QColor(t.muted))
        p.drawText(QRectF(body.right() - count_width, body.top(), count_width, body.height()),
                   Qt.AlignmentFlag.AlignVCenter, count)
        bar_right = body.right() - count_width - 10
        p.setFont(pixel_font(self.view.font(), 12, QFont.Weight.Bold))
        title = title.upper()
        # The bar gives way to the title in a narrow window, down to a short stub.
        free = bar_right - body.left() - p.fontMetrics().horizontalAdvance(title) - 14
        bar_width = min(120.0, max(32.0, free))
        paint_bar(p, QRectF(bar_right - bar_width, body.center().y() - 3, bar_width, 6), tally, t)
        p.setPen(QColor(t.muted))
        room = int(bar_right - bar_width - 12 - body.left())
        text = p.fontMetrics().elidedText(title, Qt.TextElideMode.ElideRight, room)
        p.drawText(QRectF(body.left(), body.top(), room, body.height()), Qt.AlignmentFlag.AlignVCenter, text)

    def _paint_row(self, p: QPainter, rect: QRectF, option, kind: str, ident: str, t: themes.Theme) -> None:
        view = self.view
        record = view.records.get(ident, Record(ident))
        card = rect.adjusted(4, 2, -4, -2)
        if option.state & QStyle.StateFlag.State_Selected:
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(QColor(t.selection))
            p.drawRoundedRect(card, 8, 8)
        elif option.state & QStyle.StateFlag.State_MouseOver:
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(QColor(t.hover))
            p.drawRoundedRect(card, 8, 8)
        glyph = glyph_rect(rect)
        paint_state_glyph(p, glyph, record.state, t, retired=kind == RETIRED)

        left = glyph.right() + 12
        right = card.right() - 10
        chip_text = "Retired" if kind == RETIRED else STATE_LABELS[record.state]
        chip_color = t.muted if kind == RETIRED or record.state == PENDING else state_color(t, record.state)
        p.setFont(pixel_font(view.font(), 11, QFont.Weight.DemiBold))
        chip_width = p.fontMetrics().horizontalAdvance(chip_text) + 18
        chip = QRectF(right - chip_width, card.center().y() - 11, chip_width, 22)
        # In a narrow list the title needs the room more: the glyph's shape still tells the state.
        if card.width() - chip_width >= 250:
            if record.state == PENDING and kind != RETIRED:
                p.setPen(QPen(QColor(t.border), 1))
                p.setBrush(Qt.BrushStyle.NoBrush)
            else:
                p.setPen(Qt.PenStyle.NoPen)
                p.setBrush(themes.mix(chip_color, t.surface, 0.16 if t.dark else 0.12))
            p.drawRoundedRect(chip, 11, 11)
            p.setPen(QColor(chip_color))
            p.drawText(chip, Qt.AlignmentFlag.AlignCenter, chip_text)
        else:
            chip = QRectF(right, card.top(), 0, 0)

        text_room = int(chip.left() - 12 - left)
        milestone = view.workspace.library.milestone(ident)
        title = milestone.title if milestone else retired_title(ident)
        title_font = pixel_font(view.font(), 14, QFont.Weight.Medium)
        title_font.setStrikeOut(record.state == SKIPPED)
        p.setFont(title_font)
        p.setPen(QColor(t.muted if record.state == SKIPPED or kind == RETIRED else t.text))
        p.drawText(QRectF(left, card.top() + 7, text_room, 20), Qt.AlignmentFlag.AlignVCenter,
                   p.fontMetrics().elidedText(title, Qt.TextElideMode.ElideRight, text_room))
        caption = row_caption(record, milestone, view.mastery.get(ident), with_level=view.level is None)
        p.setFont(pixel_font(view.font(), 12))
        p.setPen(QColor(t.muted))
        p.drawText(QRectF(left, card.top() + 28, text_room, 18), Qt.AlignmentFlag.AlignVCenter,
                   p.fontMetrics().elidedText(caption, Qt.TextElideMode.ElideRight, text_room))
