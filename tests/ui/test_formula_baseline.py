"""Inline formulas sit on the baseline of the text around them and keep line heights even
(ui/formula_baseline.py), measured on the page as Qt lays it out and paints it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from PySide6.QtCore import QSize, QUrl
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QTextDocument

from genai_desktop.core.render.formulas import Formula
from genai_desktop.core.workspace import Workspace
from genai_desktop.ui import theme as themes
from genai_desktop.ui.formula_baseline import TextLine, padding
from genai_desktop.ui.reader import Reader

# Each begins with "x", which sits on the formula's baseline: its lowest ink row is the baseline.
FORMULAS = ["x", "x_i^2", r"x\frac{a}{b}", r"x\sqrt{d_k}", r"x\sum_{i=1}^{n} y_i", "xW^{Q}"]


@pytest.fixture
def reader(qtbot, data_dir: Path, starter_pack: Path):
    workspace = Workspace(data_dir, content_root=starter_pack)
    view = Reader(workspace, themes.LIGHT_THEME)
    qtbot.addWidget(view)
    view.resize(900, 700)
    view.show()
    yield view
    workspace.close()


@dataclass
class Line:
    height: float
    text_bottom: int  # the lowest ink row of the text "xx" before the formula (its baseline)
    formula_bottom: int | None  # the lowest ink row of the formula's first "x"


def _lowest_ink(page: QImage, left: float, right: float, top: float, bottom: float) -> int:
    rows = [y for y in range(max(0, int(top)), min(page.height(), int(bottom) + 1))
            for x in range(int(left), int(right)) if page.pixelColor(x, y).lightness() < 128]
    assert rows, "no ink where the text should be"
    return max(rows)


def first_lines(reader: Reader, paragraphs: list[str]) -> list[Line]:
    """Show the paragraphs (their formulas rendered already) and measure each first line."""
    color = reader.theme.page.text
    for paragraph in paragraphs:
        for latex in paragraph.split("$")[1::2]:
            reader.workspace.formulas.get(Formula(latex, False), color)
    reader.show_html(reader.renderer.to_html("\n\n".join(paragraphs)))
    document = reader.document()
    size = document.size()
    page = QImage(QSize(int(size.width()), int(size.height())), QImage.Format.Format_ARGB32_Premultiplied)
    page.fill(QColor("white"))
    painter = QPainter(page)
    document.drawContents(painter)
    painter.end()
    lines = []
    block = document.begin()
    while block.isValid():
        box = document.documentLayout().blockBoundingRect(block)
        line = block.layout().lineAt(0)
        left, top, bottom = box.left() + line.x(), box.top() + line.y(), box.top() + line.y() + line.height()
        text_bottom = _lowest_ink(page, left + line.cursorToX(0)[0], left + line.cursorToX(2)[0], top, bottom)
        image = block.text().find("\ufffc")
        formula_bottom = None
        if image >= 0:
            start = left + line.cursorToX(image)[0]
            formula_bottom = _lowest_ink(page, start + 1, start + 0.45 * reader.font_px, top, bottom)
        lines.append(Line(line.height(), text_bottom, formula_bottom))
        block = block.next()
    return lines


@pytest.mark.parametrize("zoom", [1.0, 1.5])
def test_inline_formulas_sit_on_the_text_baseline(reader: Reader, zoom: float) -> None:
    reader.set_zoom(zoom)
    for latex, line in zip(FORMULAS, first_lines(reader, [f"xx ${latex}$ xx" for latex in FORMULAS]), strict=True):
        assert abs(line.formula_bottom - line.text_bottom) <= 1, (latex, line)


def test_a_formula_that_fits_in_a_line_of_text_leaves_its_height_alone(reader: Reader) -> None:
    plain, *lines = first_lines(reader, ["xx plain text", "xx $x$ xx", "xx $d_k$ xx", "xx $x_i^2$ xx"])
    x, d_k, scripts = (line.height for line in lines)
    assert x == plain.height and d_k <= plain.height + 2
    assert scripts <= plain.height + 4  # taller than the text: the line grows by about its excess only


def test_the_padding_centres_each_formula_on_the_text_line() -> None:
    line = TextLine(ascent=15.0, descent=4.0)
    for above, below in [(9.0, 1.0), (16.0, 5.0), (14.0, 8.0), (30.0, 20.0), (2.0, 12.0)]:
        top, bottom = padding(above, below, line)
        assert top >= 0 and bottom >= 0
        padded_above, padded_below = above + top, below + bottom
        assert padded_above - padded_below == pytest.approx(line.ascent - line.descent)
        assert padded_above >= line.ascent and padded_below >= line.descent
        assert min(top, bottom) == 0 or padded_above == pytest.approx(line.ascent)  # no taller than needed


@pytest.mark.parametrize("height", [10, 19, 30, 44])
def test_qt_draws_a_top_aligned_image_from_the_line_top_and_grows_the_line_evenly(qtbot, height: int) -> None:
    """What ui/formula_baseline.py relies on (Qt 6's QTextLine::layout and draw, measured)."""
    document = QTextDocument()
    font = QFont()
    font.setPixelSize(16)
    document.setDefaultFont(font)
    document.setDocumentMargin(0)
    image = QImage(QSize(10, height), QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(QColor("red"))
    document.addResource(QTextDocument.ResourceType.ImageResource, QUrl("test:image"), image)
    document.setHtml('<p style="margin:0">xx</p>'
                     '<p style="margin:0">xx <img src="test:image" style="vertical-align: top"> xx</p>')
    document.size()
    text, with_image = document.begin().layout().lineAt(0), document.lastBlock().layout().lineAt(0)
    grown = max(0.0, height - text.ascent() - text.descent()) / 2
    assert with_image.ascent() == pytest.approx(text.ascent() + grown, abs=0.05)
    assert with_image.descent() == pytest.approx(text.descent() + grown, abs=0.05)
    page = QImage(QSize(200, 120), QImage.Format.Format_ARGB32_Premultiplied)
    page.fill(QColor("white"))
    painter = QPainter(page)
    document.drawContents(painter)
    painter.end()
    red = [y for y in range(page.height()) for x in range(page.width())
           if page.pixelColor(x, y).red() > 200 and page.pixelColor(x, y).green() < 60]
    line_top = document.documentLayout().blockBoundingRect(document.lastBlock()).top() + with_image.y()
    assert red and abs(red[0] - line_top) <= 1
