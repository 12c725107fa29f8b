"""Issue 22, "Find your way": the filter never moves the page, the sidebar follows the reader,
the reader's comforts. The search-quality half lives in tests/core/search/test_search_quality.py."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt, QUrl

from genai_desktop.paths import content_dir
from genai_desktop.ui.sidebar import PAGE_ROLE

ATTENTION = "q:what-is-significance-of-attention-mechanisms-in"  # "What is the attention mechanism…"


@pytest.fixture
def builtin_window(make_window):
    """The real window on the built-in library (241 questions): where the issue was seen."""
    return lambda: make_window(content_root=content_dir())


def _current_row(window) -> str | None:
    return window.sidebar.tree.currentIndex().data(PAGE_ROLE)


# ------------------------------------------------------------------ the filter
def test_typing_in_the_filter_never_changes_the_page_or_the_history(make_window, qtbot) -> None:
    window = make_window()
    window.reader.show_page("q:attention-basics")
    window.reader.show_page("q:multi-head")
    history = (list(window.reader._history), window.reader._cursor)
    window.sidebar.filter.setFocus()
    for text in ("g", "ga", "gan", "x", "", "dot", "", "obj", "reading", "", "heads", "head", "hea"):
        window.sidebar.filter.setText(text)
        assert window.reader.current_page == "q:multi-head", text
    qtbot.keyClicks(window.sidebar.filter, "zzz")  # filters everything away, current row included
    assert window.reader.current_page == "q:multi-head"
    assert (list(window.reader._history), window.reader._cursor) == history


def test_the_issue_s_filter_jumps_are_gone(builtin_window, qtbot) -> None:
    window = builtin_window()
    window.reader.show_page(ATTENTION)
    window.sidebar.filter.setFocus()
    for text in ("f", "fi", "", "math", "ma", ""):
        window.sidebar.filter.setText(text)
        assert window.reader.current_page == ATTENTION, text
    assert window.reader._history[-1] == ATTENTION and not window.reader.can_go_forward()
    assert _current_row(window) == ATTENTION  # cleared: the open page's row is current again
    assert _row_on_screen(window, ATTENTION)
    window.sidebar.tree.scrollToBottom()
    window.sidebar.filter.setText("fine")  # the matches are shown from the first, which Enter opens
    first = window.sidebar.first_match()
    assert first is not None and _row_on_screen(window, first)


def test_enter_in_the_filter_opens_the_first_match(make_window, qtbot) -> None:
    window = make_window()
    window.reader.show_page("q:attention-basics")
    window.sidebar.filter.setFocus()
    qtbot.keyClicks(window.sidebar.filter, "objective")
    assert window.reader.current_page == "q:attention-basics"
    qtbot.keyClick(window.sidebar.filter, Qt.Key.Key_Return)
    assert window.reader.current_page == "q:gan-objective"  # the question, not its topic row
    assert _current_row(window) == "q:gan-objective"


def test_escape_in_the_filter_clears_it_and_returns_to_the_reader(make_window, qtbot) -> None:
    window = make_window()
    window.reader.show_page("q:multi-head")
    window.sidebar.filter.setFocus()
    qtbot.waitUntil(window.sidebar.filter.hasFocus)
    qtbot.keyClicks(window.sidebar.filter, "gan")
    qtbot.keyClick(window.sidebar.filter, Qt.Key.Key_Escape)
    assert window.sidebar.filter.text() == ""
    qtbot.waitUntil(window.reader.hasFocus)
    assert window.reader.current_page == "q:multi-head"
    assert _current_row(window) == "q:multi-head"  # the tree shows the open page again


def test_escape_elsewhere_leaves_the_filter_alone(make_window, qtbot) -> None:
    window = make_window()
    window.sidebar.filter.setText("gan")
    window.reader.setFocus()
    qtbot.waitUntil(window.reader.hasFocus)
    qtbot.keyClick(window.reader, Qt.Key.Key_Escape)
    assert window.sidebar.filter.text() == "gan"


# ------------------------------------------------------------------ highlighting in the reader
def test_the_reader_never_paints_the_app_s_own_labels(qtbot) -> None:
    from PySide6.QtWidgets import QTextBrowser

    from genai_desktop.ui import theme as themes
    from genai_desktop.ui.find_highlight import FindHighlighter

    view = QTextBrowser()
    qtbot.addWidget(view)
    view.setHtml('<p class="boxtitle"><b>KEY POINTS</b></p><p>The key matrix and the key idea.</p>'
                 '<p class="boxtitle"><b>MY NOTE</b></p>')
    highlighter = FindHighlighter(view, themes.resolve("light"))
    assert highlighter.highlight(["key", "note"]) == 2


# ------------------------------------------------------------------ the sidebar follows the reader
def _row_on_screen(window, page_id: str) -> bool:
    sidebar = window.sidebar
    index = sidebar.proxy.mapFromSource(sidebar._items[page_id].index())
    rect = sidebar.tree.visualRect(index)
    return rect.isValid() and sidebar.tree.viewport().rect().contains(rect.center())


def test_the_tree_follows_back_forward_links_and_flashcards(make_window, qtbot) -> None:
    window = make_window()
    window.reader.show_page("q:attention-basics")
    window.reader.show_page("guide:reading")
    window.reader.anchorClicked.emit(QUrl("q:gan-objective"))  # a link in the page
    assert _current_row(window) == "q:gan-objective" and _row_on_screen(window, "q:gan-objective")
    qtbot.keyClick(window, Qt.Key.Key_Left, Qt.KeyboardModifier.AltModifier)
    assert _current_row(window) == "guide:reading"
    qtbot.keyClick(window, Qt.Key.Key_Left, Qt.KeyboardModifier.AltModifier)
    assert _current_row(window) == "q:attention-basics" and _row_on_screen(window, "q:attention-basics")
    qtbot.keyClick(window, Qt.Key.Key_Right, Qt.KeyboardModifier.AltModifier)
    assert _current_row(window) == "guide:reading"
    window.show_view("flashcards")
    window.flashcards.answer_view.internal_link.emit("q:multi-head")  # "open in library"
    assert window.views.currentWidget() is window.splitter
    assert _current_row(window) == "q:multi-head" and _row_on_screen(window, "q:multi-head")


def test_a_search_result_selects_its_row(make_window, qtbot) -> None:
    window = make_window()
    qtbot.waitUntil(window.tools_ready, timeout=5000)
    window.reader.show_page("guide:reading")
    window.library_tools.open_result("q:gan-objective", "discriminator")
    assert _current_row(window) == "q:gan-objective" and _row_on_screen(window, "q:gan-objective")


def test_restart_reveals_the_last_page_deep_in_the_library(builtin_window, qtbot) -> None:
    window = builtin_window()
    last = f"q:{window.workspace.library.topics[-1].questions[-1].id}"
    window.reader.show_page(last)
    window.close()
    window = builtin_window()
    assert window.reader.current_page == last
    qtbot.waitUntil(lambda: _current_row(window) == last and _row_on_screen(window, last), timeout=3000)


def test_bookmarks_and_my_notes_are_one_click_away(builtin_window, qtbot) -> None:
    window = builtin_window()
    sidebar = window.sidebar
    for topic in window.workspace.library.topics[:8]:  # a long tree: BOOKMARKS far below
        sidebar.expand(f"topic:{topic.id}")
    header = sidebar.group_index("BOOKMARKS")
    assert not sidebar.tree.viewport().rect().contains(sidebar.tree.visualRect(header).center())
    qtbot.mouseClick(sidebar.jump_buttons["BOOKMARKS"], Qt.MouseButton.LeftButton)
    rect = sidebar.tree.visualRect(header)  # at the top, or as high as the tree's end lets it
    assert sidebar.tree.viewport().rect().contains(rect.center())
    assert sidebar.tree.verticalScrollBar().value() == sidebar.tree.verticalScrollBar().maximum() or rect.top() <= 2
    assert not sidebar.jump_buttons["MY NOTES"].isVisible()  # no imported notes yet
    qtbot.mouseClick(sidebar.jump_buttons["LIBRARY"], Qt.MouseButton.LeftButton)
    assert sidebar.tree.verticalScrollBar().value() == 0


def test_a_question_row_s_tooltip_is_its_full_title(builtin_window) -> None:
    window = builtin_window()
    for question in list(window.workspace.library.questions())[:20]:
        assert window.sidebar._items[f"q:{question.id}"].toolTip() == question.title


def test_rows_whose_cut_titles_would_collide_show_where_they_differ(builtin_window) -> None:
    from PySide6.QtWidgets import QStyleOptionViewItem

    window = builtin_window()
    window.splitter.setSizes([260, 760])
    sidebar = window.sidebar
    pair = ["How do RNNs, LSTMs and Transformers compare in computational efficiency and scalability?",
            "How do RNNs, LSTMs and Transformers compare in sequence generation capability?"]
    shown = []
    for title in pair:
        item = next(i for p, i in sidebar._items.items() if p.startswith("q:") and i.text() == title)
        index = sidebar.proxy.mapFromSource(item.index())
        sidebar.tree.expand(index.parent())
        option = QStyleOptionViewItem()
        option.initFrom(sidebar.tree)
        option.rect = sidebar.tree.visualRect(index)
        sidebar.delegate.initStyleOption(option, index)
        width = option.rect.width() - 12
        shown.append(option.fontMetrics.elidedText(option.text, Qt.TextElideMode.ElideRight, width))
        assert item.toolTip() == title
    assert shown[0] != shown[1]
    assert "computational" in shown[0] and "sequence" in shown[1]


# ------------------------------------------------------------------ reader comforts
LONG_GUIDE = "guide:genai-with-llms"


def _bar(window):
    return window.reader.verticalScrollBar()


def test_back_and_forward_restore_the_scroll_position(builtin_window, qtbot, page_shown) -> None:
    window = builtin_window()
    window.reader.show_page(LONG_GUIDE)
    qtbot.waitUntil(lambda: _bar(window).maximum() > 2000)
    _bar(window).setValue(1500)
    window.reader.show_page("q:inf-kv-cache-memory")
    page_shown(window.reader)
    _bar(window).setValue(300)
    assert _bar(window).value() == 300
    qtbot.keyClick(window, Qt.Key.Key_Left, Qt.KeyboardModifier.AltModifier)
    assert window.reader.current_page == LONG_GUIDE
    qtbot.waitUntil(lambda: _bar(window).value() == 1500)
    qtbot.keyClick(window, Qt.Key.Key_Right, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: _bar(window).value() == 300)
    window.reader.show_page("guide:nosql")  # a new page starts at the top
    assert _bar(window).value() == 0


def test_a_restart_restores_the_scroll_position(builtin_window, qtbot) -> None:
    window = builtin_window()
    window.reader.show_page(LONG_GUIDE)
    qtbot.waitUntil(lambda: _bar(window).maximum() > 2000)
    _bar(window).setValue(1800)
    window.close()
    window = builtin_window()
    assert window.reader.current_page == LONG_GUIDE
    qtbot.waitUntil(lambda: _bar(window).value() == 1800, timeout=3000)


def test_the_outline_lists_the_headings_jumps_and_follows_the_scroll(builtin_window, qtbot, page_shown) -> None:
    window = builtin_window()
    qtbot.waitUntil(window.tools_ready, timeout=5000)
    outline = window.library_tools.outline
    window.reader.show_page(LONG_GUIDE)
    assert outline.headings()[0][1] == window.workspace.library.guide("genai-with-llms").title  # the title at once
    page_shown(window.reader)
    headings = outline.headings()
    assert len(headings) >= 5 and outline.button.isVisible()
    assert headings[0][1] == window.workspace.library.guide("genai-with-llms").title  # the page title first
    third = headings[3]
    outline.jump(3)
    qtbot.waitUntil(lambda: abs(_bar(window).value() - (outline.heading_top(3) - 8)) <= 2
                    or _bar(window).value() == _bar(window).maximum())
    assert outline.current() == 3 or _bar(window).value() == _bar(window).maximum()
    _bar(window).setValue(0)
    qtbot.waitUntil(lambda: outline.current() == 0)
    assert third[1] in [action.text().strip() for action in outline.menu.actions()]
    window.reader.show_page("topic:gans")  # a short page without sub-headings: no outline
    page_shown(window.reader)
    assert not outline.button.isVisible()


def test_the_zoom_level_shows_briefly(make_window, qtbot) -> None:
    window = make_window()
    qtbot.waitUntil(window.tools_ready, timeout=5000)
    qtbot.keyClick(window, Qt.Key.Key_Equal, Qt.KeyboardModifier.ControlModifier)
    badge = window.reader.zoom_badge
    assert badge.isVisible() and badge.text() == "110%"
    qtbot.keyClick(window, Qt.Key.Key_0, Qt.KeyboardModifier.ControlModifier)
    assert badge.isVisible() and badge.text() == "100%"
    qtbot.waitUntil(lambda: not badge.isVisible(), timeout=4000)


def test_tabs_keep_their_positions_when_badges_appear(make_window, qtbot) -> None:
    from fsrs import Rating

    from genai_desktop.core.study.session import StudySession

    window = make_window()
    qtbot.waitUntil(lambda: "new today" in window.status_due.text(), timeout=3000)
    assert window.flashcards_tab.text() == "Flashcards" and window.roadmap_tab.text() == "Roadmap"
    tabs = [button for _view, button in window._views_by_name.values()]
    _run_layouts()
    plain = [tab.geometry() for tab in tabs]
    StudySession.open(window.workspace.progress.conn, ["attention-basics"]).answer(Rating.Again)
    window.refresh_counts()  # counted on the runner
    qtbot.waitUntil(lambda: window.flashcards_tab.text() == "Flashcards  1", timeout=3000)
    window._set_tab_label(window.roadmap_tab, "Roadmap  100%")
    _run_layouts()
    assert [tab.geometry() for tab in tabs] == plain
    assert all(tab.width() >= tab.sizeHint().width() for tab in tabs)  # nothing cut off


def _run_layouts() -> None:
    from PySide6.QtCore import QCoreApplication, QEvent

    QCoreApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)


# ------------------------------------------------------------------ the tour of the issue
def test_the_tour_open_filter_clear_search_with_a_typo_open_back_restart(builtin_window, qtbot) -> None:
    window = builtin_window()
    qtbot.waitUntil(window.tools_ready, timeout=5000)
    sidebar, reader = window.sidebar, window.reader
    # open a page from the tree, and read down it
    index = sidebar.proxy.mapFromSource(sidebar._items[LONG_GUIDE].index())
    sidebar.tree.setCurrentIndex(index)
    assert reader.current_page == LONG_GUIDE
    qtbot.waitUntil(lambda: _bar(window).maximum() > 2000)
    _bar(window).setValue(1200)
    # filter: the page stays, the history too
    history = list(reader._history)
    qtbot.keyClick(window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(sidebar.filter.hasFocus)
    qtbot.keyClicks(sidebar.filter, "fi")
    assert reader.current_page == LONG_GUIDE and reader._history == history
    # clear: back in the reader, its row selected and on screen, the scroll untouched
    qtbot.keyClick(sidebar.filter, Qt.Key.Key_Escape)
    qtbot.waitUntil(reader.hasFocus)
    assert _current_row(window) == LONG_GUIDE and _row_on_screen(window, LONG_GUIDE)
    assert _bar(window).value() == 1200
    # search with a typo and open the first result
    qtbot.keyClick(window, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(window.search_field.hasFocus)
    qtbot.keyClicks(window.search_field, "mode colapse")
    popup = window.library_tools.search.popup
    qtbot.waitUntil(lambda: popup.isVisible() and bool(popup.hits()))
    assert popup.hits()[0].page_id == "q:gan-mode-collapse-and-dropping"
    qtbot.keyClick(window.search_field, Qt.Key.Key_Return)
    assert reader.current_page == "q:gan-mode-collapse-and-dropping"
    assert _current_row(window) == reader.current_page and _row_on_screen(window, reader.current_page)
    assert window.library_tools.highlighter.matches  # "mode", "collapse" painted in the page
    # Back: the guide, where it was scrolled to, its row selected
    qtbot.keyClick(window, Qt.Key.Key_Left, Qt.KeyboardModifier.AltModifier)
    assert reader.current_page == LONG_GUIDE
    qtbot.waitUntil(lambda: _bar(window).value() == 1200)
    assert _current_row(window) == LONG_GUIDE and _row_on_screen(window, LONG_GUIDE)
    # restart: the same page, row and scroll
    window.close()
    window = builtin_window()
    assert window.reader.current_page == LONG_GUIDE
    qtbot.waitUntil(lambda: _bar(window).value() == 1200, timeout=3000)
    assert _current_row(window) == LONG_GUIDE and _row_on_screen(window, LONG_GUIDE)


def test_the_search_box_says_which_word_a_typo_was_read_as(builtin_window, qtbot) -> None:
    window = builtin_window()
    qtbot.waitUntil(window.tools_ready, timeout=5000)
    window.library_tools.focus_search()
    qtbot.keyClicks(window.search_field, "tranformer")
    popup = window.library_tools.search.popup
    qtbot.waitUntil(lambda: popup.isVisible() and bool(popup.hits()))
    assert popup.message.isVisible() and "transformer" in popup.message.text()
    window.search_field.clear()
    qtbot.keyClicks(window.search_field, "transformer")
    qtbot.waitUntil(lambda: not popup.message.isVisible())


def test_the_star_and_the_outline_stay_in_the_corner_when_the_window_shrinks(builtin_window, qtbot,
                                                                             page_shown) -> None:
    window = builtin_window()
    qtbot.waitUntil(window.tools_ready, timeout=5000)
    tools = window.library_tools
    window.reader.show_page(LONG_GUIDE)
    page_shown(window.reader)
    window.resize(1000, 600)
    qtbot.waitUntil(lambda: window.reader.viewport().width() < 700)
    viewport = window.reader.viewport().width()
    assert viewport - 60 <= tools.star.geometry().right() <= viewport
    assert tools.outline.button.geometry().right() < tools.star.geometry().left()
    # …and the page's lines keep out from under them, at the top of the page and scrolled down.
    right_margin = window.reader.document().rootFrame().frameFormat().rightMargin()
    assert viewport - right_margin <= tools.outline.button.geometry().left()


def test_my_notes_gets_its_jump_once_a_pack_is_imported_and_its_pages_are_followed(make_window, qtbot,
                                                                                    tmp_path) -> None:
    from tests.ui.test_import_dialog import notes_file, wait_for

    window = make_window()
    sidebar = window.sidebar
    assert not sidebar.jump_buttons["MY NOTES"].isVisible()
    dialog = window.import_notes(notes_file(tmp_path))
    wait_for(qtbot, dialog, dialog.preview_page)
    dialog.import_button.click()
    wait_for(qtbot, dialog, dialog.result_page)
    dialog.accept()
    assert sidebar.jump_buttons["MY NOTES"].isVisible()
    qtbot.mouseClick(sidebar.jump_buttons["MY NOTES"], Qt.MouseButton.LeftButton)
    assert sidebar.tree.viewport().rect().contains(sidebar.tree.visualRect(sidebar.group_index("MY NOTES")).center())
    question = next(q for q in window.workspace.library.questions() if q.pack != "builtin")
    window.reader.show_page(f"q:{question.id}")  # every ancestor of a pack's page opens
    assert _current_row(window) == f"q:{question.id}" and _row_on_screen(window, f"q:{question.id}")


def test_removing_the_bookmark_of_the_row_in_use_never_opens_a_neighbour(make_window, qtbot) -> None:
    window = make_window()
    qtbot.waitUntil(window.tools_ready, timeout=5000)
    tools, sidebar = window.library_tools, window.sidebar
    for page in ("q:attention-basics", "q:gan-objective", "q:multi-head"):
        window.reader.show_page(page)
        tools.toggle_bookmark()
    model = sidebar.model
    header = sidebar.group_index("BOOKMARKS")
    row = next(r for r in range(header.row() + 1, model.rowCount())
               if model.item(r).data(PAGE_ROLE) == "q:gan-objective")
    sidebar.tree.setCurrentIndex(sidebar.proxy.mapFromSource(model.index(row, 0)))  # opened from BOOKMARKS
    assert window.reader.current_page == "q:gan-objective"
    history = list(window.reader._history)
    tools.toggle_bookmark()  # its row goes away under the selection
    assert window.reader.current_page == "q:gan-objective" and window.reader._history == history
    assert _current_row(window) == "q:gan-objective"
