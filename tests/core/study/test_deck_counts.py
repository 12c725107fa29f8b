"""Deck counts from one read of the card table agree with the study session each would open."""

from __future__ import annotations

import random
from datetime import timedelta

from fsrs import Rating, State

from genai_desktop.core.store import db
from genai_desktop.core.study.deck_counts import DeckCounts, deck_counts
from genai_desktop.core.study.session import (
    _CARD_COLUMNS,
    NEW,
    StudySession,
    StudySettings,
    card_id_for,
    iso,
    study_day,
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


def test_overlapping_scopes_counted_by_class_match_their_sessions(conn, clock) -> None:
    """The deck list's shape: scopes that overlap every way (a partition like the topics, another
    across it like the levels, random subsets like milestones, a scope of one question, one of
    questions without cards), some counted from an index kept from an earlier count and the rest
    indexed on the spot (the bookmarks)."""
    from genai_desktop.core.study.deck_counts import ScopeIndex

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
