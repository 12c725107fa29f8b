"""A converted page's formula placeholders are drawn on the runner and handed to the document
as resources (ui/reader.py ``_set_placeholders``): its layout never asks the reader for them."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from PySide6.QtCore import QUrl
from PySide6.QtGui import QTextDocument

import genai_desktop.core.render.formulas as formulas_module
from genai_desktop.core.workspace import Workspace
from genai_desktop.ui import theme as themes
from genai_desktop.ui.reader import Reader

IMAGE = QTextDocument.ResourceType.ImageResource
LONG = "guide:long"  # written by the fixture: inline formulas, code, a list, a table
LONG_GUIDE = """+++
id = "long"
title = "A long guide"
order = 2
+++

""" + "\n\n".join(f"## Part {n}\n\nSome *words* about part {n}, with $x_{n}^2$ in a line of text and a "
                  f"[link](q:multi-head).\n\n```python\nx = {n}\n```\n\n- one\n- two\n\n"
                  f"| a | b |\n|---|---|\n| {n} | y |" for n in range(12)) + "\n"


@pytest.fixture
def reader(qtbot, data_dir: Path, starter_pack: Path):
    (starter_pack / "guides" / "02-long.md").write_text(LONG_GUIDE, encoding="utf-8")
    workspace = Workspace(data_dir, content_root=starter_pack)
    view = Reader(workspace, themes.LIGHT_THEME)
    qtbot.addWidget(view)
    view.resize(1400, 500)  # wide enough for side margins above their minimum
    view.show()
    yield view
    view.stop()
    workspace.close()


@pytest.fixture
def held(monkeypatch):
    """No formula is rendered until the test sets the event."""
    release = threading.Event()
    real = formulas_module.render_svg
    monkeypatch.setattr(formulas_module, "render_svg", lambda *args: release.wait(30) and real(*args))
    yield release
    release.set()


def _resource(reader: Reader, key: str):
    return reader.document().resource(IMAGE, QUrl(f"formula:{key}"))


def test_the_placeholders_are_drawn_on_the_runner_not_asked_for_by_the_layout(reader: Reader, page_shown,
                                                                              held, monkeypatch) -> None:
    asked: list[str] = []
    draw = reader._formula_image  # noqa: SLF001
    monkeypatch.setattr(reader, "_formula_image", lambda key: asked.append(key) or draw(key))
    reader.show_page(LONG)
    page_shown(reader)
    reader.viewport().repaint()  # laid out and drawn where it is shown
    keys = sorted(reader._awaited)  # noqa: SLF001
    assert keys and asked == []  # every placeholder found among the document's resources
    for key in keys:  # as the reader would draw it itself: the same size, padding and colour
        size = reader.formula_source.placeholder_size(key)
        assert _resource(reader, key) == reader._formula_placeholder(*size, inline=key in reader._inline)  # noqa: SLF001


def test_the_placeholders_of_a_page_left_behind_do_not_stay(reader: Reader, page_shown, held) -> None:
    reader.show_page(LONG)
    page_shown(reader)
    left = sorted(reader._awaited)  # noqa: SLF001
    boxes = {key: _resource(reader, key).cacheKey() for key in left}
    reader.show_page("q:multi-head")  # none of those formulas
    page_shown(reader)
    for key in left:  # no longer the box: were one rendered elsewhere, it would show
        image = _resource(reader, key)
        assert image is None or image.cacheKey() != boxes[key]


def test_a_converted_page_has_the_margins_of_the_same_page_set_at_once(reader: Reader, page_shown) -> None:
    reader.show_page(LONG)  # converted while the title shows, the scroll bar held meanwhile
    page_shown(reader)
    converted = reader.document().rootFrame().frameFormat().leftMargin()
    reader.setHtml(reader.body_html, same_page=True)
    assert converted > 100 and reader.document().rootFrame().frameFormat().leftMargin() == converted
