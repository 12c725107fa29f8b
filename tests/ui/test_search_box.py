"""Typing in the search box: results as you type, keyboard navigation, opening with highlights."""

from __future__ import annotations

from PySide6.QtCore import Qt

from genai_desktop.core.search.query import MARK_START
from genai_desktop.ui.find_highlight import match_colors
from genai_desktop.ui.search_box import no_results_html


def ready(qtbot, window):
    qtbot.waitUntil(window.tools_ready, timeout=5000)
    return window.library_tools


def test_ctrl_k_focuses_the_box_and_typing_shows_ranked_results(qtbot, make_window) -> None:
    window = make_window()
    tools = ready(qtbot, window)
    qtbot.keyClick(window, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    assert window.search_field.hasFocus() and tools.search.popup.isVisible()
    assert "phrase" in tools.search.popup.message.text()  # tips before anything is typed
    qtbot.keyClicks(window.search_field, "head")
    qtbot.waitUntil(lambda: tools.search.popup.list.count() > 0)
    hits = tools.search.popup.hits()
    assert hits[0].page_id == "q:multi-head" and hits[0].title_match
    assert hits[0].topic == "Attention"
    # half-typed word, stemming: "discriminat" finds "discriminator"
    window.search_field.clear()
    qtbot.keyClicks(window.search_field, "discriminat")
    qtbot.waitUntil(lambda: tools.search.popup.hits() and tools.search.popup.hits()[0].page_id == "q:gan-objective")
    assert MARK_START in tools.search.popup.hits()[0].snippet + tools.search.popup.hits()[0].title


def test_nothing_found_and_fts_syntax_are_calm(qtbot, make_window) -> None:
    window = make_window()
    tools = ready(qtbot, window)
    tools.focus_search()
    qtbot.keyClicks(window.search_field, 'NEAR( "* zebra')
    qtbot.waitUntil(lambda: "Nothing matches" in tools.search.popup.message.text())
    assert tools.search.popup.list.count() == 0 and tools.search.popup.message.isVisible()


def test_arrows_enter_open_the_page_with_highlights_and_f3_steps(qtbot, make_window, page_shown) -> None:
    window = make_window()
    tools = ready(qtbot, window)
    tools.focus_search()
    qtbot.keyClicks(window.search_field, "attention")
    qtbot.waitUntil(lambda: tools.search.popup.list.count() >= 2)
    second = tools.search.popup.hits()[1].page_id
    qtbot.keyClick(window.search_field, Qt.Key.Key_Down)
    assert tools.search.popup.current_page() == second
    qtbot.keyClick(window.search_field, Qt.Key.Key_Up)
    qtbot.keyClick(window.search_field, Qt.Key.Key_Down)
    qtbot.keyClick(window.search_field, Qt.Key.Key_Return)
    assert window.reader.current_page == second and not tools.search.popup.isVisible()
    page_shown(window.reader)  # converted on the runner: the matches are in the page once it arrives
    highlighter = tools.highlighter
    total = len(highlighter.matches)
    assert total >= 2 and highlighter.current == 0
    selections = window.reader.extraSelections()
    assert len(selections) == total
    assert all(s.cursor.selectedText().lower().startswith("attention") for s in selections)
    colors = match_colors(window.theme)
    assert selections[0].format.background().color().name() == colors.current
    assert selections[1].format.background().color().name() == colors.match
    qtbot.keyClick(window, Qt.Key.Key_F3)
    assert highlighter.current == 1
    qtbot.keyClick(window, Qt.Key.Key_F3, Qt.KeyboardModifier.ShiftModifier)
    qtbot.keyClick(window, Qt.Key.Key_F3, Qt.KeyboardModifier.ShiftModifier)
    assert highlighter.current == total - 1  # wraps around
    assert "Match" in window.statusBar().currentMessage()
    # a re-render (zoom) keeps the highlights; another page clears them
    window.reader.zoom_in()
    assert len(window.reader.extraSelections()) == total
    window.reader.show_page("guide:reading")
    assert window.reader.extraSelections() == [] and highlighter.matches == []


def test_escape_closes_and_gives_the_reader_the_focus(qtbot, make_window) -> None:
    window = make_window()
    tools = ready(qtbot, window)
    tools.focus_search()
    qtbot.keyClicks(window.search_field, "gan")
    qtbot.keyClick(window.search_field, Qt.Key.Key_Escape)
    assert not tools.search.popup.isVisible()
    qtbot.waitUntil(window.reader.hasFocus)


def test_ctrl_f_outside_the_reader_searches(qtbot, make_window) -> None:
    window = make_window()
    tools = ready(qtbot, window)
    window.sidebar.filter.setFocus()
    qtbot.waitUntil(window.sidebar.filter.hasFocus)
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert window.search_field.hasFocus() and tools.search.popup.isVisible()


def test_results_paint_in_both_themes(qtbot, make_window) -> None:
    window = make_window("dark")
    tools = ready(qtbot, window)
    tools.focus_search()
    qtbot.keyClicks(window.search_field, "attention")
    qtbot.waitUntil(lambda: tools.search.popup.list.count() > 0)
    image = tools.search.popup.grab().toImage()
    assert not image.isNull() and image.width() >= 400
    window.set_theme("light")
    assert tools.search.popup.delegate.theme.name == "light"


def test_tips_and_nothing_found_are_shown_whole_without_an_empty_list(qtbot, make_window) -> None:
    window = make_window()
    window.resize(1000, 700)
    tools = ready(qtbot, window)
    popup = tools.search.popup
    for typed in ("", "zzqqxx"):
        window.search_field.clear()
        tools.focus_search()
        qtbot.keyClicks(window.search_field, typed)
        tools.search.run()
        qtbot.waitUntil(popup.message.isVisible)
        assert not popup.list.isVisible()  # no blank band under the words
        # every wrapped line fits: the label got the height it needs at its actual width
        assert popup.message.height() >= popup.message.heightForWidth(popup.message.width())


def test_the_key_hint_shows_only_when_there_is_a_result_to_pick(qtbot, make_window) -> None:
    window = make_window()
    tools = ready(qtbot, window)
    popup = tools.search.popup
    tools.focus_search()
    assert popup.isVisible() and popup.footer.isHidden()  # tips, nothing to pick yet
    qtbot.keyClicks(window.search_field, "attention")
    qtbot.waitUntil(lambda: popup.list.count() > 0)
    assert popup.footer.isVisible()
    window.search_field.clear()
    qtbot.keyClicks(window.search_field, "zebra quokka")
    qtbot.waitUntil(lambda: "Nothing matches" in popup.message.text())
    assert popup.footer.isHidden() and popup.message.isVisible()
    assert "zebra quokka" in popup.message.text() and "fewer words" in popup.message.text()
    # the popup is no taller than its message: no room kept for the hidden footer
    assert popup.height() <= popup.message.heightForWidth(popup.width()) + 16


def test_nothing_found_says_what_was_searched_and_a_tip_that_fits() -> None:
    assert "<b>zebra</b>" in no_results_html("zebra") and "start of a word" in no_results_html("zebra")
    assert "fewer words" in no_results_html("zebra  quokka")
    assert "word for word" in no_results_html('"zebra stripes"')
    assert "-word" in no_results_html("zebra -attention")
    assert "Add a word" in no_results_html("-attention")  # exclusions alone search nothing
    assert "punctuation" in no_results_html("*** ::")
    shown = no_results_html("<script> " * 30)
    assert "<script>" not in shown and "&lt;script&gt;" in shown and "…" in shown


def test_result_rows_follow_one_another_without_gaps(qtbot, make_window) -> None:
    """Rows are as tall as their wrapped text: results that arrive while the list is still
    narrow (the popup is placed after them) are laid out again at its real width, leaving no
    tall gap under a row (seen at 1024 px: 300 px between the first two results)."""
    window = make_window()
    tools = ready(qtbot, window)
    popup = tools.search.popup
    hits = window.workspace.search("attention")
    assert len(hits) >= 3
    popup.resize(140, 400)  # narrow when the results arrive
    popup.show()
    popup.show_hits(hits, "attention")
    qtbot.wait(50)
    popup.resize(600, 400)  # then placed under the field at its width
    qtbot.waitUntil(lambda: popup.list.viewport().width() > 500)
    qtbot.wait(400)  # the list lays its items out again a moment after a resize
    listing = popup.list
    rects = [listing.visualItemRect(listing.item(i)) for i in range(3)]
    assert all(rects[i + 1].top() == rects[i].bottom() + 1 for i in range(2)), [r.getRect() for r in rects]
    assert all(r.height() <= 160 for r in rects), [r.getRect() for r in rects]


def test_results_below_the_fold_are_marked_after_the_keystroke_not_during_it(qtbot) -> None:
    """The popup lays its rows out a batch at a time: a keystroke builds the first rows' text
    (core/search/query.py marks the rest only when read), the event loop the others after."""
    from PySide6.QtWidgets import QLineEdit, QWidget

    from genai_desktop.core.search.query import MARK_END, SearchHit
    from genai_desktop.ui import theme as themes
    from genai_desktop.ui.search_box import SearchPopup
    from genai_desktop.ui.stall_meter import run_events_for

    window = QWidget()
    window.resize(900, 800)
    qtbot.addWidget(window)
    field = QLineEdit(window)
    popup = SearchPopup(themes.resolve("light"), window)
    window.show()
    read: list[int] = []

    def hit(n: int) -> SearchHit:
        def marking() -> tuple[str, str, bool]:
            read.append(n)
            return f"Title {MARK_START}{n}{MARK_END}", f"A snippet of result {n}", False
        return SearchHit(f"q:{n}", "question", "Topic", False, -1.0, marking=marking)

    popup.show_hits([hit(n) for n in range(50)], "x")
    popup.show()
    popup.place_under(field)
    assert 0 < len(set(read)) < 30  # the rows a window shows, and a batch more at most
    run_events_for(300)
    assert sorted(set(read)) == list(range(50))  # all laid out, after the keystroke
    assert popup.hits()[49].plain_title == "Title 49"


def test_a_result_row_is_laid_out_once_while_its_width_stays(qtbot) -> None:
    """The list asks each row's size and paints it more than once per keystroke; setting the
    text width again, even unchanged, laid the row's document out again each time."""
    from PySide6.QtWidgets import QListWidget, QListWidgetItem

    from genai_desktop.core.search.query import SearchHit
    from genai_desktop.ui import theme as themes
    from genai_desktop.ui.search_box import HIT_ROLE, HitDelegate

    view = QListWidget()
    qtbot.addWidget(view)
    delegate = HitDelegate(themes.resolve("light"), view)
    hit = SearchHit("q:a", "question", "Topic", False, -1.0,
                    marking=lambda: ("A title that is long enough to wrap", "A snippet", False))
    item = QListWidgetItem()
    item.setData(HIT_ROLE, hit)
    view.addItem(item)
    document = delegate._document(0, hit, 300)  # noqa: SLF001
    document.size()  # laid out once, as the first sizeHint does
    relaid: list[object] = []
    document.documentLayout().documentSizeChanged.connect(lambda *args: relaid.append(args))
    document.documentLayout().update.connect(lambda *args: relaid.append(args))
    for _ in range(3):
        assert delegate._document(0, hit, 300) is document  # noqa: SLF001
        document.size()
    assert relaid == []
    delegate._document(0, hit, 200)  # noqa: SLF001
    document.size()
    assert relaid  # a new width still lays it out again
