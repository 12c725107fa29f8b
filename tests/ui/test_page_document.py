"""A converted page is read into its QTextDocument on the runner (ui/page_document.py): it looks
exactly as the same page set on the UI thread, and the UI thread only swaps it in."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from PySide6.QtCore import QUrl
from PySide6.QtGui import QImage, QPainter, QTextDocument

import genai_desktop.core.render.formulas as formulas_module
import genai_desktop.ui.page_document as page_document
from genai_desktop.core.workspace import Workspace
from genai_desktop.ui import theme as themes
from genai_desktop.ui.reader import Reader
from genai_desktop.ui.stall_meter import run_events_for

LONG = "guide:long"  # written by the fixture: headings, code boxes, a formula, a list, a table
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
    view.resize(700, 400)
    view.show()
    yield view
    view.stop()
    workspace.close()


@pytest.fixture
def built_on(monkeypatch) -> list[int]:
    """The thread of every document built for a converted page."""
    threads: list[int] = []
    real = page_document.build_document

    def recording(*args):
        threads.append(threading.get_ident())
        return real(*args)

    monkeypatch.setattr(page_document, "build_document", recording)
    return threads


def _drawn(reader: Reader) -> QImage:
    """The whole document, laid out to its end and drawn (not only the part on screen)."""
    document = reader.document()
    size = document.documentLayout().documentSize()
    image = QImage(int(size.width()), int(size.height()), QImage.Format.Format_ARGB32)
    image.fill(0xFFFFFFFF)
    painter = QPainter(image)
    document.drawContents(painter)
    painter.end()
    return image


def _formulas_in(reader: Reader, qtbot) -> None:
    """Every formula drawn (placeholders would differ between two showings)."""
    qtbot.waitUntil(lambda: not reader.formulas_pending(), timeout=30_000)
    qtbot.waitUntil(lambda: not reader._formula_relayout.isActive(), timeout=5000)  # noqa: SLF001


def test_a_page_read_on_the_runner_is_drawn_exactly_as_when_set_on_the_ui_thread(
        reader: Reader, qtbot, page_shown, built_on) -> None:
    # At a zoom and in a theme of their own, so the page's font, stylesheet and margins all
    # differ from a new document's defaults: each has to be carried over to the runner.
    reader.resize(1400, 500)  # wide enough for side margins above their minimum
    reader.set_theme(themes.DARK_THEME)
    reader.set_zoom(1.35)
    reader.show_page(LONG)
    page_shown(reader)
    _formulas_in(reader, qtbot)
    assert built_on and threading.get_ident() not in built_on
    document = reader.document()
    assert document.parent() is reader and document.thread() is reader.thread()
    # The same page read on this thread, into the document a reader starts with.
    twin = Reader(reader.workspace, themes.DARK_THEME)
    qtbot.addWidget(twin)
    twin.resize(reader.size())
    twin.show()
    twin.set_zoom(1.35)
    twin.setHtml(reader.body_html)
    _formulas_in(twin, qtbot)
    assert twin.document().rootFrame().frameFormat().leftMargin() > 100  # margins grown with the window
    assert _drawn(reader) == _drawn(twin)


def test_the_document_shown_before_is_deleted_once_the_new_one_is_in(reader: Reader, page_shown) -> None:
    reader.show_page("q:multi-head")
    page_shown(reader)
    before = reader.document()
    deleted: list[bool] = []
    before.destroyed.connect(lambda *_: deleted.append(True))
    reader.show_page(LONG)
    page_shown(reader)
    assert reader.document() is not before
    run_events_for(50)  # deleted by the event loop, after page_changed moved the outline on
    assert deleted == [True]


def test_a_page_whose_card_state_line_changed_while_it_was_converted_shows_the_new_line(
        reader: Reader, page_shown, monkeypatch) -> None:
    release = threading.Event()
    real = page_document.build_document

    def held(*args):  # the document is built with the line of when it was asked for
        release.wait(10)
        return real(*args)

    monkeypatch.setattr(page_document, "build_document", held)
    line = ["Card: new"]
    reader.page_header = lambda _page: f'<p class="cardstate">{line[0]}</p>'
    reader.show_page(LONG)
    line[0] = "Card: due tomorrow"  # studied while the page was on its way
    reader.refresh_header()
    release.set()
    page_shown(reader)
    text = reader.toPlainText()
    assert "Card: due tomorrow" in text and "Card: new" not in text and "Part 11" in text


def test_the_placeholders_are_drawn_on_the_runner_into_the_document(reader: Reader, page_shown,
                                                                    monkeypatch) -> None:
    held = threading.Event()  # no formula arrives while the placeholders are looked at
    real = formulas_module.render_svg
    monkeypatch.setattr(formulas_module, "render_svg", lambda *args: held.wait(30) and real(*args))
    asked: list[str] = []
    draw = reader._formula_image  # noqa: SLF001
    monkeypatch.setattr(reader, "_formula_image", lambda key: asked.append(key) or draw(key))
    try:
        reader.show_page(LONG)
        page_shown(reader)
        reader.viewport().repaint()  # laid out and drawn where it is shown
        keys = sorted(reader._awaited)  # noqa: SLF001
        assert keys and asked == []  # the layout found every placeholder without asking the reader
        for key in keys:
            in_document = reader.document().resource(QTextDocument.ResourceType.ImageResource, QUrl(f"formula:{key}"))
            size = reader.formula_source.placeholder_size(key)
            assert in_document == reader._formula_placeholder(*size, inline=key in reader._inline)  # noqa: SLF001
    finally:
        held.set()
