"""The deck list counts from a tally kept between counts (core/study/deck_counts.py DeckTally):
after the view's own session it reads again only the cards the session wrote; after a write it
did not see (the interview answers on the same connection, another connection commits) it reads
every card. Either way every deck shows what its study session would queue."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
from fsrs import Rating, State

from genai_desktop.core.store import db
from genai_desktop.core.study import deck_counts
from genai_desktop.core.study.session import (
    Scope,
    StudySession,
    StudySettings,
    card_id_for,
    custom_new_today,
    iso,
    write_card,
)
from genai_desktop.paths import content_dir
from genai_desktop.ui import runner
from genai_desktop.ui.flashcards import COUNTS_ROLE, SCOPE_ROLE, _scope_key


@pytest.fixture
def reads(monkeypatch) -> list[int]:
    """One entry per read of the whole card table for the deck list (a DeckTally made anew for
    its decks; the window's due badge counts "all" with a tally of its own each time)."""
    made: list[int] = []
    real = deck_counts.DeckTally.__init__

    def counting(self, conn, index, *args, **kwargs) -> None:
        if any(isinstance(key, Scope) for key in index.keys):
            made.append(1)
        real(self, conn, index, *args, **kwargs)

    monkeypatch.setattr(deck_counts.DeckTally, "__init__", counting)
    return made


def _deck_view(make_window, qtbot):
    """The Flashcards deck list on the built-in library, some cards in review and learning due
    today and limits no deck reaches (a stale count is not hidden behind a limit)."""
    window = make_window(content_root=content_dir())
    conn = window.workspace.progress.conn
    ids = [q.id for q in window.workspace.library.questions()]
    rng = random.Random(7)
    now = datetime.now(UTC)
    with db.transaction(conn):
        StudySettings(new_per_day=999, reviews_per_day=9999).store(conn)
        for qid in rng.sample(ids, 90):
            state = rng.choice((State.Review, State.Review, State.Learning))
            write_card(conn, (qid, card_id_for(qid), int(state), 0 if state == State.Learning else None, 3.0, 5.0,
                              iso(now + timedelta(hours=rng.uniform(-30, 30))), iso(now - timedelta(days=3)), 0, None))
    window.show_view("flashcards")
    _counted(qtbot)
    return window, window.flashcards


def _counted(qtbot) -> None:
    qtbot.waitUntil(lambda: not runner.busy(ignoring=("search-index",)), timeout=10000)


def _recount(view, qtbot) -> None:
    with qtbot.waitSignal(view.deck_counted, timeout=10000):
        view.refresh_deck()
    _counted(qtbot)


def _reviews(view) -> int:
    return view.conn.execute("SELECT count(*) FROM reviews").fetchone()[0]


def _as_sessions(view) -> None:
    """Every deck shows (due, new) as a study session of it would queue them."""
    conn, library = view.conn, view.workspace.library
    settings = StudySettings.load(conn)
    for row in range(view.scope_list.count()):
        item = view.scope_list.item(row)
        scope = item.data(SCOPE_ROLE)
        session = StudySession.open(conn, scope.question_ids(library, view.bookmarks()), settings,
                                    extra_new=custom_new_today(conn, _scope_key(scope), settings))
        new, learning, review = session.counts()
        assert item.data(COUNTS_ROLE) == (learning + review, new), scope.label


def test_after_a_session_the_deck_list_reads_only_the_cards_it_wrote(make_window, qtbot, reads) -> None:
    window, view = _deck_view(make_window, qtbot)
    assert len(reads) == 1
    _as_sessions(view)
    topic = next(row for row in range(view.scope_list.count())
                 if view.scope_list.item(row).data(SCOPE_ROLE).kind == "topic")
    answered = [_reviews(view)]
    for scope_row in (0, topic):  # the whole library (reviews first), then one topic (new cards)
        view.scope_list.setCurrentRow(scope_row)
        view.start()
        for action in ("answer", "answer", "bury", "answer", "suspend", "undo", "answer", "answer", "undo"):
            if action == "answer":
                view.reveal()
                view.rate(random.Random(len(action)).choice((Rating.Again, Rating.Good, Rating.Easy)))
            else:
                getattr(view, action)()
        view.leave()
        _counted(qtbot)
        _as_sessions(view)
        answered.append(_reviews(view))
    # A setting saved from the deck page writes no card: still no read of every card.
    view.new_limit.setValue(view.new_limit.value() - 900)
    view.flush_settings()
    _counted(qtbot)
    _as_sessions(view)
    assert len(reads) == 1
    assert answered[0] < answered[1] < answered[2]  # each session wrote cards


def test_a_card_written_on_the_same_connection_unannounced_is_counted(make_window, qtbot, reads) -> None:
    """The interview answers a mock's questions on the window's connection and tells the deck list
    nothing: the connection's count of changes does."""
    _window, view = _deck_view(make_window, qtbot)
    topic_ids = next(view.scope_list.item(row).data(SCOPE_ROLE) for row in range(view.scope_list.count())
                     if view.scope_list.item(row).data(SCOPE_ROLE).kind == "topic").question_ids(
        view.workspace.library)
    new_one = next(qid for qid in topic_ids if view.conn.execute(
        "SELECT 1 FROM cards WHERE question_id = ?", (qid,)).fetchone() is None)
    StudySession.for_question(view.conn, new_one).answer(Rating.Again)
    _recount(view, qtbot)
    _as_sessions(view)
    assert len(reads) == 2


def test_a_card_written_by_another_connection_is_counted(make_window, qtbot, reads) -> None:
    """The runner's jobs and other processes write on connections of their own: the window's
    connection sees their commits in its data_version."""
    window, view = _deck_view(make_window, qtbot)
    other = db.connect(window.workspace.paths.progress_db)
    try:
        with db.transaction(other):
            other.execute("UPDATE cards SET suspended = 1 WHERE question_id IN "
                          "(SELECT question_id FROM cards WHERE state = ? LIMIT 5)", (int(State.Review),))
    finally:
        other.close()
    _recount(view, qtbot)
    _as_sessions(view)
    assert len(reads) == 2


def test_the_window_badge_keeps_its_tally_across_a_session(make_window, qtbot, monkeypatch) -> None:
    """The due badge recounts after every answer: from its kept tally and the cards the session
    wrote, not a read of every card each time, and it says what a fresh count says."""
    from genai_desktop.ui.main_window import ALL_CARDS

    badge_reads: list[int] = []
    real = deck_counts.DeckTally.__init__

    def counting(self, conn, index, *args, **kwargs) -> None:
        if ALL_CARDS in index.keys:
            badge_reads.append(1)
        real(self, conn, index, *args, **kwargs)

    monkeypatch.setattr(deck_counts.DeckTally, "__init__", counting)
    window, view = _deck_view(make_window, qtbot)
    window.refresh_counts()  # the Flashcards view exists now: from here its writes are told
    _counted(qtbot)
    read_before = len(badge_reads)
    view.scope_list.setCurrentRow(0)
    view.start()
    for rating in (Rating.Again, Rating.Good, Rating.Easy, Rating.Good, Rating.Again):
        view.reveal()
        view.rate(rating)
        _counted(qtbot)
    view.bury()
    _counted(qtbot)
    view.leave()
    _counted(qtbot)
    assert len(badge_reads) == read_before  # no read of every card since the session began
    due, new = view.scope_list.item(0).data(COUNTS_ROLE)  # "All questions", counted by the deck list
    assert window.status_due.text() == f"{due} due · {new} new today"
