"""Pages kept laid out (ui/reader.py ``_leave_document``): a whole page visited again is swapped in
as the document it was, instead of its HTML being parsed and laid out again; a page that is not
whole, or was laid out in another look or with another header, is set afresh."""

from __future__ import annotations

import pytest

from genai_desktop.ui import reader as reader_module
from genai_desktop.ui import theme as themes
from genai_desktop.ui.reader import Reader

LONG = "guide:long"
QUESTION = "q:multi-head"
FORMULAS = "q:gan-objective"
LONG_GUIDE = """+++
id = "long"
title = "A long guide"
order = 2
+++

""" + "\n\n".join(f"## Part {n}\n\nSome words about part {n}, enough to fill a line or two of the page."
                  for n in range(40)) + "\n"


@pytest.fixture
def reader(make_reader) -> Reader:
    return make_reader(700, 400, guides={"02-long.md": LONG_GUIDE})


def _visit(reader: Reader, page: str, page_shown, qtbot=None) -> None:
    """Show ``page`` and wait (given ``qtbot``) until it is whole: converted, formulas drawn in."""
    reader.show_page(page)
    page_shown(reader)
    if qtbot is not None:
        qtbot.waitUntil(reader._page_complete, timeout=15_000)  # noqa: SLF001 - laid out with them too


def test_back_swaps_in_the_page_as_it_was_laid_out_at_its_place(reader: Reader, qtbot, page_shown,
                                                                 monkeypatch) -> None:
    _visit(reader, LONG, page_shown)
    bar = reader.verticalScrollBar()
    qtbot.waitUntil(lambda: bar.maximum() > 300, timeout=5000)
    bar.setValue(250)
    laid_out = reader.document()
    text = reader.toPlainText()
    _visit(reader, QUESTION, page_shown, qtbot)
    assert reader.document() is not laid_out and "Part 3" not in reader.toPlainText()
    parsed: list[str] = []
    monkeypatch.setattr(Reader, "_set_html_laid_out_once", lambda self, html: parsed.append(html))
    reader.go_back()
    assert reader.document() is laid_out and reader.toPlainText() == text
    assert parsed == []  # not parsed again
    assert reader.current_page == LONG and bar.value() == 250
    reader.go_forward()  # the question was whole too: kept in its turn
    assert reader.current_page == QUESTION and parsed == []


def test_a_kept_page_is_not_shown_in_another_look_or_with_another_header(reader: Reader, qtbot, page_shown) -> None:
    _visit(reader, LONG, page_shown)
    _visit(reader, QUESTION, page_shown, qtbot)
    kept = reader._kept[LONG].document  # noqa: SLF001
    reader.resize(900, 400)  # laid out for another width: its lines and figures no longer fit
    reader.go_back()
    page_shown(reader)
    assert reader.document() is not kept and reader.current_page == LONG
    _visit(reader, QUESTION, page_shown, qtbot)
    reader.set_zoom(1.2)  # another font size: every kept page is let go
    assert not reader._kept  # noqa: SLF001
    _visit(reader, QUESTION, page_shown, qtbot)
    reader.page_header = lambda page: f"<p>studied {page}</p>"  # the card-state line changed meanwhile
    reader.go_back()
    page_shown(reader)
    assert f"studied {LONG}" in reader.toPlainText()


def test_a_page_not_whole_yet_is_not_kept(reader: Reader, qtbot, page_shown, monkeypatch) -> None:
    _visit(reader, LONG, page_shown)
    reader.show_page(QUESTION)  # converted on the runner: only its title shows
    assert reader.converting()
    reader.show_page(LONG)
    assert QUESTION not in reader._kept  # noqa: SLF001
    from genai_desktop.ui.formula_loader import FormulaLoader

    monkeypatch.setattr(FormulaLoader, "request", lambda self, pending: None)  # they never arrive
    _visit(reader, FORMULAS, page_shown)
    assert reader.formulas_pending()
    _visit(reader, LONG, page_shown)
    assert FORMULAS not in reader._kept  # noqa: SLF001 - its placeholders would be kept with it


def test_only_a_few_pages_are_kept_and_the_rest_are_let_go(reader: Reader, qtbot, page_shown,
                                                          monkeypatch) -> None:
    monkeypatch.setattr(reader_module, "KEPT_DOCUMENTS", 1)
    _visit(reader, LONG, page_shown)
    first = reader.document()
    destroyed: list[bool] = []
    first.destroyed.connect(lambda: destroyed.append(True))
    _visit(reader, QUESTION, page_shown, qtbot)
    _visit(reader, LONG, page_shown)  # swapped in: the question's document is kept instead
    assert reader.document() is first and list(reader._kept) == [QUESTION]  # noqa: SLF001
    _visit(reader, FORMULAS, page_shown)  # LONG kept, the question's document let go
    assert list(reader._kept) == [LONG]  # noqa: SLF001
    reader.set_theme(themes.DARK_THEME)  # every kept page is of the old theme
    assert not reader._kept  # noqa: SLF001
    qtbot.waitUntil(lambda: bool(destroyed), timeout=2000)


def test_a_note_shown_in_the_reader_keeps_the_page_before_it_for_back(reader: Reader, page_shown) -> None:
    _visit(reader, LONG, page_shown)
    page = reader.document()
    reader.show_html("<p>My note</p>")
    assert reader.toPlainText() == "My note" and reader.document() is not page
    reader.show_page(LONG, record=False)
    assert reader.document() is page and "Part 3" in reader.toPlainText()


def test_a_kept_page_opened_anew_starts_at_its_top(reader: Reader, qtbot, page_shown) -> None:
    _visit(reader, LONG, page_shown)
    bar = reader.verticalScrollBar()
    qtbot.waitUntil(lambda: bar.maximum() > 300, timeout=5000)
    bar.setValue(250)
    kept = reader.document()
    _visit(reader, QUESTION, page_shown, qtbot)
    reader.show_page(LONG)  # its row clicked: a new visit, not Back
    assert reader.document() is kept and bar.value() == 0
