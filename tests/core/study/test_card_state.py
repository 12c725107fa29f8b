"""The reader's card-state line: one indexed query, what the card is doing, and its actions."""

import json

from fsrs import Rating

from genai_desktop.core.study.card_state import card_state, state_line, unhide
from genai_desktop.core.study.session import StudySession, StudySettings

SETTINGS = StudySettings()


def line(conn, clock, qid="q1") -> str:
    return state_line(card_state(conn, qid, SETTINGS, clock))


def test_the_line_says_new_due_today_due_in_days_and_offers_study(conn, clock) -> None:
    assert line(conn, clock) == '<p class="cardstate">New &nbsp;·&nbsp; <a href="card:study">Study now</a></p>'
    session = StudySession.for_question(conn, "q1", SETTINGS, clock)
    session.answer(Rating.Again)  # learning: due again in minutes
    assert line(conn, clock).startswith('<p class="cardstate">Due today &nbsp;·&nbsp; <a href="card:study">')
    StudySession.for_question(conn, "q2", SETTINGS, clock).answer(Rating.Easy)  # review: due in days
    state = card_state(conn, "q2", SETTINGS, clock)
    assert state.kind == "due" and state.due_in_days >= 2
    assert f"Due in {state.due_in_days} days" in state_line(state)
    clock.advance(days=state.due_in_days - 1)
    assert "Due tomorrow" in line(conn, clock, "q2")
    clock.advance(days=30)
    assert "Due today" in line(conn, clock, "q2")  # overdue is due today


def test_suspended_and_buried_cards_offer_to_undo_it(conn, clock) -> None:
    StudySession.for_question(conn, "q1", SETTINGS, clock).suspend()
    assert 'Suspended &nbsp;·&nbsp; <a href="card:unsuspend">Unsuspend</a>' in line(conn, clock)
    assert unhide(conn, "q1", "unsuspend") and not unhide(conn, "q1", "unsuspend")
    assert "New" in line(conn, clock)
    StudySession.for_question(conn, "q1", SETTINGS, clock).bury()
    assert '<a href="card:unbury">Unbury</a>' in line(conn, clock)
    clock.advance(days=1)
    assert "New" in line(conn, clock)  # a burial lasts the study day
    assert unhide(conn, "q1", "unbury")
    assert conn.execute("SELECT buried_day, version FROM cards").fetchone() == (None, 4)  # every write counted


def test_a_leech_says_how_often_it_lapsed_and_offers_a_note(conn, clock) -> None:
    for n in range(8):
        conn.execute("INSERT INTO reviews (uid, question_id, rating, reviewed_at, duration_ms, state_before, "
                     "state_after) VALUES (?, 'q1', 1, ?, 1000, ?, '{}')",
                     (f"u{n}", f"2026-01-0{n + 1}T10:00:00.000+00:00", json.dumps({"state": 2})))
    assert "Leech \N{EM DASH} lapsed 8 times &nbsp;·&nbsp; <a href=\"card:note\">add a note</a>" in line(conn, clock)
    assert "Leech" not in line(conn, clock, "q2")


def test_the_state_is_one_query_through_indexes(conn) -> None:
    from genai_desktop.core.study.card_state import _STATE_QUERY

    plan = " | ".join(row[-1] for row in conn.execute("EXPLAIN QUERY PLAN " + _STATE_QUERY, ("q1",)))
    assert "SCAN c" not in plan and "SCAN r" not in plan, plan
    assert "reviews_question" in plan, plan
