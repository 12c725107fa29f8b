"""Figures in the reader: sized to the column, crisp at every zoom, in the page's colours, and
opened larger in a viewer that zooms, pans and closes with Esc."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QPointF, Qt, QUrl
from PySide6.QtWidgets import QApplication

from genai_desktop.core.workspace import Workspace
from genai_desktop.ui import theme as themes
from genai_desktop.ui.figure_viewer import FigureViewer
from genai_desktop.ui.reader import Reader

IMAGE = 2  # QTextDocument.ImageResource
# 300 x 100, a blue-filled box with an ink outline, a paper background and a caption-worthy title.
SVG = ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 300 100" width="300" height="100">'
       '<title>A box</title><rect x="0" y="0" width="300" height="100" fill="#ffffff"/>'
       '<rect x="20" y="20" width="260" height="60" fill="#dbeafe" stroke="#1f2937" stroke-width="2"/></svg>')


@pytest.fixture
def reader(qtbot, data_dir: Path, starter_pack: Path):
    (starter_pack / "figures").mkdir()
    (starter_pack / "figures" / "box.svg").write_text(SVG, encoding="utf-8")
    topic = starter_pack / "topics" / "01-attention.md"
    topic.write_text(topic.read_text(encoding="utf-8").replace(
        "The formula:", '![A box](figures/box.svg "A box drawn for the test")\n\nThe formula:', 1), encoding="utf-8")
    workspace = Workspace(data_dir, content_root=starter_pack)
    view = Reader(workspace, themes.LIGHT_THEME)
    view.resize(900, 600)
    qtbot.addWidget(view)
    view.show()
    assert view.show_page("q:attention-basics")
    qtbot.waitUntil(lambda: not view.converting(), timeout=15_000)
    yield view
    workspace.close()


def _figure(view: Reader):
    return view.loadResource(IMAGE, QUrl("image:figures/box.svg?alt=A%20box"))


def test_a_figure_is_drawn_at_its_size_and_twice_as_large_at_200_percent(reader: Reader) -> None:
    assert "Figure 1." in reader.toPlainText() and "A box drawn for the test" in reader.toPlainText()
    image = _figure(reader)
    ratio = image.devicePixelRatio()
    assert round(image.width() / ratio) == 300 and round(image.height() / ratio) == 100
    reader.set_zoom(2.0)
    large = _figure(reader)
    assert round(large.width() / large.devicePixelRatio()) == min(600, reader._column_width())
    assert large.width() > image.width()  # rasterised again, not scaled up: crisp


def test_a_figure_never_overflows_the_text_column(reader: Reader) -> None:
    reader.resize(420, 600)
    reader.set_zoom(2.0)
    image = _figure(reader)
    assert image.width() / image.devicePixelRatio() <= reader._column_width()


def test_the_dark_theme_redraws_the_figure_in_its_palette(reader: Reader) -> None:
    light = _figure(reader)
    assert light.pixelColor(150, 50).name() == "#dbeafe"
    reader.set_theme(themes.DARK_THEME)
    dark = _figure(reader)
    assert dark.pixelColor(150, 50).name() == "#1e3a5f"
    assert dark.pixelColor(5, 5).name() == "#232428"  # paper is the dark page, not a white patch


def test_a_figure_that_breaks_the_rules_is_not_drawn(reader: Reader, starter_pack: Path) -> None:
    (starter_pack / "figures" / "box.svg").write_text(SVG.replace("#dbeafe", "#000001"), encoding="utf-8")
    reader._images.clear()
    image = _figure(reader)
    assert image.width() == 420 * image.devicePixelRatio()  # the labelled placeholder box


def test_clicking_the_figure_opens_the_viewer_which_zooms_pans_and_closes_on_escape(reader: Reader, qtbot,
                                                                                      monkeypatch) -> None:
    opened: list[FigureViewer] = []
    monkeypatch.setattr(FigureViewer, "open", lambda self: opened.append(self) or self.show())
    reader.anchorClicked.emit(QUrl("figure:figures/box.svg"))
    assert len(opened) == 1
    viewer = opened[0]
    qtbot.waitExposed(viewer)
    canvas = viewer.canvas
    fitted = canvas.scale
    qtbot.keyClick(canvas, Qt.Key.Key_Plus)
    assert canvas.scale == pytest.approx(fitted * 1.25)
    before = QPointF(canvas.offset)
    qtbot.keyClick(canvas, Qt.Key.Key_Left)
    assert canvas.offset.x() == before.x() + 60
    qtbot.keyClick(canvas, Qt.Key.Key_0)
    assert canvas.scale == pytest.approx(fitted)
    qtbot.keyClick(canvas, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not viewer.isVisible(), timeout=2000)


def test_a_figure_outside_the_pack_is_never_opened(reader: Reader, monkeypatch) -> None:
    opened = []
    monkeypatch.setattr(FigureViewer, "open", lambda self: opened.append(self))
    reader.anchorClicked.emit(QUrl("figure:../../etc/passwd"))
    reader.anchorClicked.emit(QUrl("figure:figures/missing.svg"))
    assert opened == []
    QApplication.processEvents()


def test_a_narrower_window_draws_the_figures_again_to_fit(reader: Reader, qtbot) -> None:
    reader.set_zoom(2.0)
    assert round(_figure(reader).width() / _figure(reader).devicePixelRatio()) == 600
    reader.resize(420, 600)
    qtbot.waitUntil(lambda: reader._figure_column == reader._column_width(), timeout=3000)
    image = _figure(reader)
    assert image.width() / image.devicePixelRatio() <= reader._column_width() < 600
