"""The reader's card-state line: shown under a question's breadcrumbs, kept out of the cached page,
and its links unsuspend, unbury, study the card now, or open the note."""

from __future__ import annotations

from PySide6.QtCore import QUrl

from genai_desktop.core.study.session import StudySession, StudySettings


def ready(qtbot, window):
    qtbot.waitUntil(window.tools_ready, timeout=5000)
    return window.library_tools.card_line


def first_lines(reader) -> list[str]:
    return reader.toPlainText().splitlines()[:2]


def test_a_suspended_card_is_unsuspended_from_its_page(make_window, qtbot) -> None:
    window = make_window()
    ready(qtbot, window)
    conn = window.workspace.progress.conn
    window.reader.show_page("q:gan-objective")
    assert first_lines(window.reader)[1] == "New  ·  Study now"
    assert "cardstate" not in window.reader.body_html  # the cached page has no line in it
    StudySession.for_question(conn, "gan-objective", StudySettings()).suspend()
    window.refresh_counts()  # what a session's change calls
    assert first_lines(window.reader)[1] == "Suspended  ·  Unsuspend"
    window.reader._on_link(QUrl("card:unsuspend"))
    assert conn.execute("SELECT suspended FROM cards WHERE question_id = 'gan-objective'").fetchone() == (0,)
    assert first_lines(window.reader)[1] == "New  ·  Study now"
    assert "Unsuspended" in window.statusBar().currentMessage()
    window.reader.show_page("guide:reading")  # a guide is no card
    assert "Study now" not in window.reader.toPlainText()


def test_study_now_opens_a_session_on_that_card(make_window, qtbot) -> None:
    window = make_window()
    ready(qtbot, window)
    window.reader.show_page("q:gan-objective")
    window.reader._on_link(QUrl("card:study"))
    view = window.flashcards
    assert window.views.currentWidget() is view and view.pages.currentWidget() is view.review_page
    assert view.session.current == "gan-objective" and sum(view.session.counts()) == 1
    view.reveal()
    view.rate(3)
    window.show_view("library")
    assert first_lines(window.reader)[1] == "Due today  ·  Study now"  # in learning, back in minutes


def test_bury_then_unbury_and_the_leech_note_link(make_window, qtbot, monkeypatch) -> None:
    window = make_window()
    line = ready(qtbot, window)
    window.reader.show_page("q:multi-head")
    StudySession.for_question(window.workspace.progress.conn, "multi-head", StudySettings()).bury()
    line.refresh()
    assert first_lines(window.reader)[1] == "Buried until tomorrow  ·  Unbury"
    window.reader._on_link(QUrl("card:unbury"))
    assert first_lines(window.reader)[1] == "New  ·  Study now"
    window.reader._on_link(QUrl("card:note"))
    assert window.library_tools.notes.editing


def test_an_unchanged_line_sets_no_page_again(make_window, qtbot, monkeypatch) -> None:
    window = make_window()
    line = ready(qtbot, window)
    window.reader.show_page("q:multi-head")
    window.reader.scroll_to(40)
    calls = []
    real = type(window.reader).setHtml
    monkeypatch.setattr(type(window.reader), "setHtml",
                        lambda reader, text, **kw: (calls.append(1), real(reader, text, **kw)))
    line.refresh()
    assert calls == []
    StudySession.for_question(window.workspace.progress.conn, "multi-head", StudySettings()).suspend()
    line.refresh()
    assert calls == [1] and first_lines(window.reader)[1].startswith("Suspended")
