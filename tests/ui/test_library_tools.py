"""The library tools are put in place a part at a time after the first paint (ui/library_tools.py):
no single event-loop pass builds them all, and anything that needs a part early gets it at once."""

from __future__ import annotations

from genai_desktop.ui.library_tools import LibraryTools


def test_the_tools_are_built_over_several_passes_or_at_once_when_needed(make_window, qtbot) -> None:
    window = make_window()
    qtbot.waitUntil(window.tools_ready, timeout=5000)
    later = LibraryTools(window)  # as install() makes them
    assert not later.built() and later._star is None and later._notes is None  # noqa: SLF001
    assert later.search is not None  # the search box works from the start
    qtbot.waitUntil(later.built, timeout=5000)
    assert later._card_line is not None and later.actions["bookmark"] is not None  # noqa: SLF001

    early = LibraryTools(window)
    assert early.notes is not None  # needed before its turn: every part built now
    assert early.built() and early._card_line is not None  # noqa: SLF001


def test_parts_still_due_when_the_window_closes_are_not_built(make_window, qtbot) -> None:
    window = make_window()
    qtbot.waitUntil(window.tools_ready, timeout=5000)
    tools = LibraryTools(window)
    window.close()
    qtbot.wait(50)
    assert tools._notes is None  # noqa: SLF001 - its databases may be closing
