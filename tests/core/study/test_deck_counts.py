"""Deck counts from one read of the card table agree with the study session each would open."""

from __future__ import annotations

import json
import random
from datetime import datetime, timedelta

import pytest
from fsrs import Rating, State

from genai_desktop.core.clock import day_start
from genai_desktop.core.store import db
from genai_desktop.core.study.deck_counts import DeckCounts, DeckTally, ScopeIndex, deck_counts, deck_tally
from genai_desktop.core.study.session import (
    _CARD_COLUMNS,
    NEW,
    StudySession,
    StudySettings,
    card_id_for,
    iso,
    study_day,
    write_card,
)


def _cards(conn, clock, ids: list[str], seed: int) -> None:
    """Every kind of card: new, learning and review (due, overdue, later), relearning, new rows
    buried or suspended, due cards buried today or suspended."""
    rng = random.Random(seed)
    today = study_day(clock(), 4).isoformat()
    rows = []
    for qid in ids:
        kind = rng.choice(("none", "none", "learning", "review", "review", "relearning", "new-row"))
        if kind == "none":
            continue
        state = {"learning": State.Learning, "review": State.Review, "relearning": State.Relearning}.get(kind, NEW)
        due = clock() + timedelta(hours=rng.uniform(-72, 72))
        suspended = int(rng.random() < 0.1)
        buried = today if rng.random() < 0.1 else None
        rows.append((qid, card_id_for(qid), int(state), 0 if state in (State.Learning, State.Relearning) else None,
                     3.0, 5.0, iso(due), iso(clock() - timedelta(days=2)) if state else None, suspended, buried))
    with db.transaction(conn):
        conn.executemany(f"INSERT INTO cards ({_CARD_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)


def _session_counts(conn, ids, settings, clock, extra=0) -> DeckCounts:
    return DeckCounts(*StudySession.open(conn, ids, settings, clock, extra_new=extra).counts())


def test_every_scope_counts_what_its_session_would_queue(conn, clock) -> None:
    ids = [f"q{n:03d}" for n in range(300)]
    _cards(conn, clock, ids, seed=4)
    scopes = {"all": ids, "evens": ids[::2], "first": ids[:40], "none": [], "one": ids[7:8]}
    for settings in (StudySettings(), StudySettings(new_per_day=5, reviews_per_day=12),
                     StudySettings(new_per_day=0, reviews_per_day=0), StudySettings(day_start_hour=13)):
        counts = deck_counts(conn, scopes, settings, clock, extra_new={"first": 3})
        for key, scope_ids in scopes.items():
            expected = _session_counts(conn, scope_ids, settings, clock, extra=3 if key == "first" else 0)
            assert counts[key] == expected, (key, settings)
    assert counts["all"].new and counts["all"].learning and counts["all"].review  # every kind was compared
    capped = deck_counts(conn, scopes, StudySettings(new_per_day=0, reviews_per_day=0, day_start_hour=13), clock)["all"]
    assert capped.new == capped.review == 0 and capped.learning == counts["all"].learning  # learning has no limit


def test_what_was_answered_today_uses_up_the_limits(conn, clock) -> None:
    ids = [f"q{n:03d}" for n in range(60)]
    _cards(conn, clock, ids, seed=9)
    settings = StudySettings(new_per_day=10, reviews_per_day=15)
    before = deck_counts(conn, {"all": ids}, settings, clock)["all"]
    session = StudySession.open(conn, ids, settings, clock)
    for _ in range(4):
        session.answer(Rating.Good)
    after = deck_counts(conn, {"all": ids}, settings, clock)["all"]
    assert after == _session_counts(conn, ids, settings, clock)
    assert after != before


@pytest.mark.parametrize("chunk", [10_000, 7])  # the card table in one read, or in many small ones
def test_overlapping_scopes_counted_by_class_match_their_sessions(conn, clock, chunk, monkeypatch) -> None:
    """The deck list's shape: scopes that overlap every way (a partition like the topics, another
    across it like the levels, random subsets like milestones, a scope of one question, one of
    questions without cards), some counted from an index kept from an earlier count and the rest
    indexed on the spot (the bookmarks)."""
    from genai_desktop.core.study import deck_counts as module
    from genai_desktop.core.study.deck_counts import ScopeIndex

    monkeypatch.setattr(module, "READ_CHUNK", chunk)
    rng = random.Random(21)
    ids = [f"q{n:03d}" for n in range(400)]
    _cards(conn, clock, ids, seed=21)
    scopes: dict[str, list[str]] = {"all": ids}
    for topic in range(6):
        scopes[f"topic{topic}"] = ids[topic * 70:(topic + 1) * 70]
    for level in range(3):
        scopes[f"level{level}"] = [q for n, q in enumerate(ids) if n % 3 == level]
    for milestone in range(4):
        chosen = set(rng.sample(ids, rng.randint(5, 120)))
        scopes[f"milestone{milestone}"] = [q for q in ids if q in chosen]
    scopes["one"] = [ids[123]]
    scopes["no cards"] = ["gone-1", "gone-2"]
    bookmarks = [q for q in ids if rng.random() < 0.1]
    kept = ScopeIndex(scopes)
    scopes["bookmarks"] = bookmarks
    for settings in (StudySettings(), StudySettings(new_per_day=7, reviews_per_day=30)):
        extra = {"topic2": 4, "bookmarks": 2}
        counts = deck_counts(conn, scopes, settings, clock, extra_new=extra, index=kept)
        assert counts == deck_counts(conn, scopes, settings, clock, extra_new=extra)  # with or without a kept index
        for key, scope_ids in scopes.items():
            assert counts[key] == _session_counts(conn, scope_ids, settings, clock, extra=extra.get(key, 0)), \
                (key, settings)
    # Every count was compared somewhere below its limit and at it.
    assert any(0 < c.new < StudySettings().new_per_day for c in counts.values())
    assert any(c.review and c.learning for key, c in counts.items() if key != "all")


def _deck_list(conn, clock, n: int, seed: int) -> tuple[list[str], dict[str, list[str]], ScopeIndex]:
    """Scopes shaped like the deck list's (all, a partition, a cut across it, random subsets, one
    of cards never studied) over ``n`` questions with cards of every kind, the ScopeIndex kept for
    them, and a bookmarks scope left out of the index (counted card by card)."""
    rng = random.Random(seed)
    ids = [f"q{k:03d}" for k in range(n)]
    studied = ids[: n * 3 // 4]
    _cards(conn, clock, studied, seed=seed)
    scopes: dict[str, list[str]] = {"all": ids, "never studied": ids[len(studied):]}
    for topic in range(5):
        scopes[f"topic{topic}"] = ids[topic * n // 5:(topic + 1) * n // 5]
    for level in range(3):
        scopes[f"level{level}"] = ids[level::3]
    for milestone in range(3):
        chosen = set(rng.sample(ids, rng.randint(5, n // 3)))
        scopes[f"milestone{milestone}"] = [q for q in ids if q in chosen]
    index = ScopeIndex(scopes)
    scopes["bookmarks"] = [q for q in ids if rng.random() < 0.15]
    return ids, scopes, index


def _assert_as_sessions(conn, scopes, settings, clock, counts) -> None:
    for key, scope_ids in scopes.items():
        assert counts[key] == _session_counts(conn, scope_ids, settings, clock), key


def test_a_kept_tally_follows_answers_burying_suspending_and_undo(conn, clock) -> None:
    """The deck list's way: a tally read once, then brought up to date from the cards each action
    wrote; after every action the counts are those of a session per scope, and of a fresh read."""
    _ids, scopes, index = _deck_list(conn, clock, 240, seed=5)
    settings = StudySettings(new_per_day=12, reviews_per_day=40)
    tally = deck_tally(conn, index, settings, clock)
    rereads = []
    real_reread = DeckTally.reread
    DeckTally.reread = lambda self, c, ids: (rereads.append(set(ids)), real_reread(self, c, ids))[1]
    try:
        for scope in ("all", "never studied"):  # reviews and learning first; then cards without a row
            session = StudySession.open(conn, scopes[scope], settings, clock)
            actions = ["answer", "answer", "bury", "answer", "suspend", "undo", "answer", "undo", "undo"]
            for step, action in enumerate(actions):
                qid = session.current
                if action == "answer":
                    session.answer(Rating(1 + step % 4))
                elif action == "undo":
                    qid = session.undo()
                else:
                    getattr(session, action)()
                clock.advance(minutes=3)  # learning steps come due as the clock moves
                kept = deck_tally(conn, index, settings, clock, kept=tally, changed={qid})
                assert kept is tally  # brought up to date, not read again
                # The limits hide a stale tally in the larger scopes; none hides it with these.
                for limits in (settings, StudySettings(new_per_day=999, reviews_per_day=9999)):
                    counts = deck_counts(conn, scopes, limits, clock, index=index, tally=tally)
                    assert counts == deck_counts(conn, scopes, limits, clock), (scope, action)
                    _assert_as_sessions(conn, scopes, limits, clock, counts)
        # Undoing a first answer deleted a card row: the tally took the card back as new.
        assert conn.execute("SELECT count(*) FROM cards WHERE question_id IN (SELECT value FROM json_each(?))",
                            (json.dumps(scopes["never studied"]),)).fetchone()[0] < len(actions)
    finally:
        DeckTally.reread = real_reread
    assert len(rereads) == 18 and all(len(ids) == 1 for ids in rereads)
    assert counts["all"].review and counts["all"].learning and counts["all"].new


def test_a_kept_tally_is_read_anew_when_the_study_day_or_its_start_changes(conn, clock) -> None:
    _ids, scopes, index = _deck_list(conn, clock, 200, seed=8)
    settings = StudySettings()
    tally = deck_tally(conn, index, settings, clock)
    assert deck_tally(conn, index, settings, clock, kept=tally, changed=set()) is tally
    assert deck_tally(conn, index, settings, clock, kept=tally, changed=None) is not tally  # writes not known
    assert deck_tally(conn, ScopeIndex(scopes), settings, clock, kept=tally, changed=set()) is not tally
    later = StudySettings(day_start_hour=13)  # noon: still yesterday's study day
    assert not tally.fits(index, later, clock())
    clock.advance(days=1)  # cards due tomorrow are due now; buried cards are back
    assert not tally.fits(index, settings, clock())
    fresh = deck_tally(conn, index, settings, clock, kept=tally, changed=set())
    assert fresh is not tally
    counts = deck_counts(conn, scopes, settings, clock, index=index, tally=fresh)
    _assert_as_sessions(conn, scopes, settings, clock, counts)
    # Given yesterday's tally, a count reads today's itself.
    assert deck_counts(conn, scopes, settings, clock, index=index, tally=tally) == counts
    yesterday = clock() - timedelta(days=1)
    assert counts != deck_counts(conn, scopes, settings, lambda: yesterday, index=index)
    assert counts["all"].review and counts["all"].learning


def test_learning_cards_due_just_after_the_day_ends_count_in_its_last_minutes(conn, clock) -> None:
    """Learning cards are read at each count: in the last 20 minutes of a study day the learn-ahead
    window reaches into the next, and a tally kept from noon still counts them."""
    ids, scopes, index = _deck_list(conn, clock, 120, seed=2)
    settings = StudySettings()
    day_end = datetime.fromisoformat(iso(day_start(study_day(clock(), 4) + timedelta(days=1), 4)))
    with db.transaction(conn):
        write_card(conn, (ids[0], card_id_for(ids[0]), int(State.Learning), 0, 3.0, 5.0,
                          iso(day_end + timedelta(minutes=10)), iso(clock()), 0, None))
    tally = deck_tally(conn, index, settings, clock)
    noon = deck_counts(conn, scopes, settings, clock, index=index, tally=tally)
    clock.now = day_end - timedelta(minutes=5)  # learning ahead until 15 minutes into the next day
    assert deck_tally(conn, index, settings, clock, kept=tally, changed=set()) is tally  # the same study day
    late = deck_counts(conn, scopes, settings, clock, index=index, tally=tally)
    _assert_as_sessions(conn, scopes, settings, clock, late)
    assert late["topic0"].learning == noon["topic0"].learning + 1
