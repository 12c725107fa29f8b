"""Issue 22, "Find your way": the filter never moves the page, the sidebar follows the reader,
the reader's comforts. The search-quality half lives in tests/core/test_search_quality.py."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from genai_desktop.core.workspace import Workspace
from genai_desktop.paths import content_dir
from genai_desktop.ui.sidebar import PAGE_ROLE

ATTENTION = "q:what-is-significance-of-attention-mechanisms-in"  # "What is the attention mechanism…"


@pytest.fixture
def builtin_window(qtbot, data_dir):
    """The real window on the built-in library (241 questions): where the issue was seen."""
    from genai_desktop.ui.app import build_window, make_application

    made = []

    def factory():
        make_application()
        workspace = Workspace(data_dir, content_root=content_dir())
        window = build_window(workspace, "light")
        qtbot.addWidget(window)
        window.show()
        qtbot.waitExposed(window)
        window.activateWindow()
        qtbot.waitUntil(lambda: bool(window.theme_actions) and window.shortcuts_ready, timeout=3000)
        made.append((window, workspace))
        return window

    yield factory
    for window, workspace in made:
        window.close()
        workspace.close()


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
