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


def test_a_library_change_reloads_the_library_once(make_window, monkeypatch) -> None:
    window = make_window()
    reloads = []
    real = window.workspace.reload_library
    monkeypatch.setattr(window.workspace, "reload_library", lambda: (reloads.append(1), real()))
    window.apply_changes(Changes(library=True) | Changes(notes=True))
    assert reloads == [1]
