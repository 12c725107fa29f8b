"""Flashcard core at 100,000 cards with review history, side by side with the Anki library.

- queue_build_ms_100k: open a session (the daily queue) over all 100k cards, median of 5.
- answer_p95_ms_100k: record a rating, commit, and have the next card ready (with its four
  button previews), p95 over 300 answers.
- anki_answer_p95_ms_100k: Anki's answerCard + getCard on a collection with the same 100k notes.
- answer_ui_p95_ms: key press to the next card painted, on the built-in library.
"""

from __future__ import annotations

import os
import random
import shutil
import time
from datetime import UTC, datetime, timedelta

from common import WORK, insert_progress, median, percentile

N = 100_000
ANSWERS = 300


def _build_progress_db(path) -> list[str]:
    from fsrs import Card, Rating, Scheduler, State

    from genai_desktop.core.store import db
    from genai_desktop.core.study.session import card_id_for, card_to_json, iso

    conn = db.open_progress(path).conn
    rng = random.Random(1)
    scheduler = Scheduler(enable_fuzzing=False)
    now = datetime.now(UTC)
    ids = [f"bench-q{n:06d}" for n in range(N)]
    cards, reviews = [], []
    for n, qid in enumerate(ids):
        if n % 10 == 9:
            continue  # 10 % never reviewed: new cards
        card = Card(card_id=card_id_for(qid), due=now - timedelta(days=120))
        moment = now - timedelta(days=rng.randint(30, 120))
        extra = rng.randint(0, 4)  # reviews after graduating
        while moment < now:
            before = card
            card, _log = scheduler.review_card(card, rng.choice([Rating.Hard, Rating.Good, Rating.Good,
                                                                 Rating.Easy]), moment)
            reviews.append((f"r{len(reviews)}", qid, 3, iso(moment), 8000, card_to_json(before) if before.last_review
                            else None, card_to_json(card)))
            if card.state == State.Review:
                if extra == 0:
                    break
                extra -= 1
            moment = card.due + timedelta(hours=rng.randint(0, 48))
        cards.append((qid, card.card_id, int(card.state), card.step, card.stability, card.difficulty,
                      iso(card.due), iso(card.last_review), 0, None))
    insert_progress(conn, cards, reviews)
    conn.close()
    return ids


def ours(ids, path) -> dict[str, float]:
    from fsrs import Rating

    from genai_desktop.core.store import db
    from genai_desktop.core.study.session import StudySession, StudySettings

    conn = db.open_progress(path).conn
    builds = []
    for _ in range(5):  # a user opening a session: default limits (20 new, 200 reviews)
        start = time.perf_counter()
        session = StudySession.open(conn, ids, StudySettings(), whole_library=True)
        session.previews()
        builds.append((time.perf_counter() - start) * 1000)
    # enough cards due to time ANSWERS answers
    session = StudySession.open(conn, ids, StudySettings(reviews_per_day=9999), whole_library=True)
    rng = random.Random(2)
    times = []
    for _ in range(ANSWERS):
        if session.current is None:
            break
        rating = rng.choice([Rating.Again, Rating.Good, Rating.Good, Rating.Easy])
        start = time.perf_counter()
        session.answer(rating, 5000)
        session.previews()  # the next card's buttons are ready
        times.append((time.perf_counter() - start) * 1000)
    conn.close()
    return {"queue_build_ms_100k": median(builds), "answer_p95_ms_100k": percentile(times, 95),
            "answers_timed_100k": float(len(times))}


def anki(folder) -> dict[str, float]:
    try:
        from anki.collection import AddNoteRequest, Collection
    except ImportError:
        print("  anki not installed (pip install anki): anki_answer_p95_ms_100k skipped")
        return {}
    col = Collection(str(folder / "anki.anki2"))
    model = col.models.by_name("Basic")
    deck_id = col.decks.id("Bench")
    requests = []
    for n in range(N):
        note = col.new_note(model)
        note["Front"] = f"bench question {n} attention transformer"
        note["Back"] = f"answer {n}"
        requests.append(AddNoteRequest(note=note, deck_id=deck_id))
    col.add_notes(requests)
    card_ids = list(col.find_cards("deck:Bench"))
    review = card_ids[: int(N * 0.9)]
    col.sched.set_due_date(review, "0-30")  # review history: graduated cards, some due today
    col.decks.select(deck_id)
    conf = col.decks.config_dict_for_deck_id(deck_id)
    conf["rev"]["perDay"] = 9999
    col.decks.save(conf)
    rng = random.Random(2)
    times = []
    card = col.sched.getCard()
    for _ in range(ANSWERS):
        if card is None:
            break
        ease = rng.choice([1, 3, 3, 4])
        start = time.perf_counter()
        col.sched.answerCard(card, ease)
        card = col.sched.getCard()
        times.append((time.perf_counter() - start) * 1000)
    col.close()
    return {"anki_answer_p95_ms_100k": percentile(times, 95)}


def ui_answer() -> float:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from fsrs import Rating

    from genai_desktop.core.workspace import Workspace
    from genai_desktop.ui.app import build_window, make_application

    data = WORK / "ui-answer-data"
    shutil.rmtree(data, ignore_errors=True)
    app = make_application()
    workspace = Workspace(data)
    window = build_window(workspace, "light")
    window.resize(1280, 800)
    window.show()
    window.show_view("flashcards")
    window.flashcards.start()
    view = window.flashcards
    times = []
    while view.session.current is not None and len(times) < 40:
        view.reveal()
        app.processEvents()
        start = time.perf_counter()
        view.rate(Rating.Good)
        window.repaint()  # the next card painted
        times.append((time.perf_counter() - start) * 1000)
    window.close()
    workspace.close()
    return percentile(times, 95)


def run() -> dict[str, float]:
    folder = WORK / "study-100k"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    path = folder / "progress.sqlite"
    ids = _build_progress_db(path)
    results = ours(ids, path)
    results.update(anki(folder))
    results["answer_ui_p95_ms"] = ui_answer()
    return results


