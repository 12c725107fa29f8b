"""One change notification: the window and each view read again only what a change touched."""

from __future__ import annotations

from genai_desktop.core.changes import Changes


def test_each_view_takes_what_a_change_means_for_it(make_window, qtbot, monkeypatch) -> None:
    window = make_window()
    window.show_view("flashcards")
    flashcards = window.flashcards
    reloads, decks = [], []
    monkeypatch.setattr(window.workspace, "reload_library", lambda: reloads.append(1))
    monkeypatch.setattr(flashcards, "refresh_deck", lambda: decks.append(1))

    window.apply_changes(Changes(notes=True))  # a note: no library reload, no deck list
    assert reloads == [] and decks == []
    window.apply_changes(Changes(cards=True))  # a card suspended in the browser: the deck list follows
    assert reloads == [] and decks == [1]

    monkeypatch.undo()
    flashcards.start()
    assert flashcards.session is not None
    window.apply_changes(Changes(cards=True))  # a session keeps its queue…
    assert flashcards.session is not None
    window.apply_changes(Changes(reviews=True, sessions_void=True))  # …until its rows are replaced
    assert flashcards.session is None and flashcards.pages.currentWidget() is flashcards.deck_page


def test_a_library_change_loads_the_library_on_the_runner_once(make_window, qtbot, monkeypatch) -> None:
    window = make_window()
    window.show_view("flashcards")
    loads, seen, done = [], [], []
    real = window.workspace.load_fresh
    monkeypatch.setattr(window.workspace, "load_fresh", lambda: (loads.append(1), real())[1])
    monkeypatch.setattr(window.flashcards, "on_changes", seen.append)
    before = window.workspace.library

    window.apply_changes(Changes(library=True) | Changes(notes=True), then=lambda: done.append("import"))
    window.apply_changes(Changes(library=True), then=lambda: done.append("remove"))  # while the first loads
    assert window.workspace.library is before and seen == []  # the views keep the library they show
    qtbot.waitUntil(lambda: len(done) == 2, timeout=5000)
    assert done == ["import", "remove"]
    assert window.workspace.library is not before
    assert seen == [Changes(library=True, notes=True)]  # once, with both changes, after the swap
    assert loads in ([1], [1, 1])  # the second load runs only if the first had not finished
