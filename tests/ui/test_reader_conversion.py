"""A page not shown before is converted on the runner: the UI thread shows its title at once and
only sets the page's HTML when it arrives (ui/reader.py ``show_page``, issue #19)."""

from __future__ import annotations

import threading

import pytest

import genai_desktop.core.render.pages as pages_module
from genai_desktop.core.errors import UserError
from genai_desktop.ui import theme as themes
from genai_desktop.ui.reader import Reader

LONG = "guide:long"  # written by the fixture: several screens, with code
QUESTION = "q:multi-head"
LONG_GUIDE = """+++
id = "long"
title = "A long guide"
order = 2
+++

""" + "\n\n".join(f"## Part {n}\n\nSome words about part {n}, enough to fill a line or two of the page."
                  f"\n\n```python\nx = {n}\n```" for n in range(30)) + "\n"


@pytest.fixture
def reader(make_reader) -> Reader:
    return make_reader(700, 400, guides={"02-long.md": LONG_GUIDE})


@pytest.fixture
def conversions(monkeypatch) -> list[tuple[str, int]]:
    """(page, thread) of every page conversion."""
    seen: list[tuple[str, int]] = []
    real = pages_module.convert_page

    def recording(library, page_id, formulas, style):
        seen.append((page_id, threading.get_ident()))
        return real(library, page_id, formulas, style)

    monkeypatch.setattr(pages_module, "convert_page", recording)
    return seen


def test_a_new_page_shows_its_title_at_once_and_its_body_once_converted_off_the_ui_thread(
        reader: Reader, qtbot, conversions, page_shown) -> None:
    title = reader.workspace.library.question("multi-head").title
    announced: list[str] = []
    reader.page_changed.connect(announced.append)
    assert reader.show_page(QUESTION)
    assert reader.current_page == QUESTION and reader.converting() and reader.formulas_pending()
    assert title in reader.toPlainText() and "Multi-head" not in reader.toPlainText().replace(title, "")
    assert announced == [QUESTION]  # the sidebar, the star and the notes follow at once
    page_shown(reader)
    assert [page for page, _ in conversions] == [QUESTION]
    assert conversions[0][1] != threading.get_ident()
    assert len(reader.toPlainText()) > len(title) + 200 and reader.body_html.startswith('<p class="crumbs">')
    assert announced == [QUESTION, QUESTION]  # set again: the outline and highlights follow


def test_a_page_seen_before_is_set_at_once(reader: Reader, conversions, page_shown) -> None:
    reader.show_page(LONG)
    page_shown(reader)
    body = reader.toPlainText()
    reader.show_page(QUESTION)
    page_shown(reader)
    reader.go_back()
    assert not reader.converting() and reader.toPlainText() == body
    assert [page for page, _ in conversions] == [LONG, QUESTION]


def test_a_page_left_before_it_arrives_is_not_shown_but_kept(reader: Reader, qtbot, conversions, page_shown,
                                                            monkeypatch) -> None:
    recording = pages_module.convert_page

    def slow_for_the_guide(library, page_id, formulas, style):
        if page_id == LONG:  # arrives after the page shown next
            threading.Event().wait(0.5)
        return recording(library, page_id, formulas, style)

    monkeypatch.setattr(pages_module, "convert_page", slow_for_the_guide)
    reader.show_page(LONG)
    reader.show_page(QUESTION)  # before the guide arrived
    page_shown(reader)
    qtbot.waitUntil(lambda: len(conversions) == 2, timeout=10_000)
    from genai_desktop.ui import runner

    qtbot.waitUntil(lambda: not runner.busy(), timeout=30_000)
    assert reader.current_page == QUESTION
    assert "A long guide" not in reader.toPlainText()
    reader.go_back()  # converted meanwhile: no second conversion
    assert reader.current_page == LONG and not reader.converting()
    assert sorted(page for page, _ in conversions) == sorted([LONG, QUESTION])  # on two workers


def test_back_to_a_page_converted_again_returns_to_where_it_was_read(reader: Reader, qtbot, page_shown) -> None:
    reader.show_page(LONG)
    page_shown(reader)
    bar = reader.verticalScrollBar()
    qtbot.waitUntil(lambda: bar.maximum() > 300, timeout=5000)
    bar.setValue(250)
    reader.show_page(QUESTION)
    page_shown(reader)
    reader._page_html.clear()  # noqa: SLF001 - as if it had dropped out of the page cache
    reader.go_back()
    assert reader.converting()
    page_shown(reader)
    qtbot.waitUntil(lambda: bar.value() == 250, timeout=5000)


def test_a_theme_change_keeps_the_page_on_screen_until_it_is_converted_again(reader: Reader, qtbot,
                                                                            page_shown) -> None:
    reader.show_page(LONG)
    page_shown(reader)
    bar = reader.verticalScrollBar()
    qtbot.waitUntil(lambda: bar.maximum() > 300, timeout=5000)
    bar.setValue(200)
    text = reader.toPlainText()
    reader.set_theme(themes.DARK_THEME)
    assert reader.converting() and reader.toPlainText() == text  # not a blank page meanwhile
    page_shown(reader)
    assert themes.DARK_THEME.page.code_background in reader.body_html  # the dark theme's code boxes
    assert themes.LIGHT_THEME.page.code_background not in reader.body_html
    qtbot.waitUntil(lambda: bar.value() == 200, timeout=5000)
    assert reader.toPlainText() == text


def test_a_conversion_that_fails_says_so_in_the_page(reader: Reader, monkeypatch, page_shown) -> None:
    def refuse(library, page_id, formulas, style):
        raise UserError("the disk said no")

    monkeypatch.setattr(pages_module, "convert_page", refuse)
    assert reader.show_page(QUESTION)
    page_shown(reader)
    text = reader.toPlainText()
    assert "This page could not be shown: the disk said no" in text
    assert reader.workspace.library.question("multi-head").title in text


def test_a_stopped_reader_shows_nothing_that_arrives_later(reader: Reader, qtbot) -> None:
    from genai_desktop.ui import runner

    reader.show_page(LONG)  # no formulas: final as soon as it is converted
    title_only = reader.toPlainText()
    reader.stop()
    qtbot.waitUntil(lambda: not runner.busy(), timeout=30_000)
    assert reader.toPlainText() == title_only
    body = reader.final_body()  # the window closing: converted here for the next start
    assert body is not None and len(body) > len(reader.body_html) + 200


def test_a_search_result_on_a_page_still_converting_goes_to_its_first_match_once_it_arrives(
        make_window, qtbot, page_shown) -> None:
    window = make_window()
    qtbot.waitUntil(window.tools_ready, timeout=5000)
    highlighter = window.library_tools.highlighter
    window.library_tools.open_result("q:gan-objective", "discriminator")
    assert window.reader.converting()  # only the title yet: no match in it
    page_shown(window.reader)
    assert highlighter.page == "q:gan-objective" and highlighter.matches
    assert highlighter.current >= 0  # stepped to, as when the page was there already
    match = highlighter.matches[highlighter.current]
    assert "discriminator" in match.selectedText().lower()
    assert window.reader.textCursor().position() == match.selectionEnd()  # the cursor put on it


def test_a_reloaded_library_leaves_a_page_it_did_not_change_as_it_is(reader: Reader, qtbot, page_shown,
                                                                    monkeypatch) -> None:
    reader.show_page(LONG)
    page_shown(reader)
    reader.scroll_to(300)
    set_again: list[str] = []
    real = Reader._set_document
    monkeypatch.setattr(Reader, "_set_document", lambda self, text, *a, **kw: (set_again.append(text),
                                                                                real(self, text, *a, **kw)))
    reader.workspace.reload_library()  # an import of other notes: this page's text is the same
    reader.refresh(content_only=True)
    assert reader.converting()  # converted again from the new library, on the runner
    page_shown(reader)
    assert set_again == [] and reader.scroll_position() == 300  # the same HTML: nothing laid out again

    guide = reader.workspace.content_root / "guides" / "02-long.md"
    guide.write_text(LONG_GUIDE.replace("Some words about part 3,", "Other words about part 3,"), encoding="utf-8")
    reader.workspace.reload_library()  # this page changed: shown anew, at the same place
    reader.refresh(content_only=True)
    page_shown(reader)
    assert len(set_again) == 1 and "Other words about part 3" in reader.toPlainText()
