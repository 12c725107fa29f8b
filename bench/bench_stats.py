"""The statistics at a million reviews (core/study/stats.compute, no Qt; the view runs it off the UI thread).

100,000 cards, 1,000,000 reviews spread over three years and stored in time order (as answers are
appended), ratings and card states before each answer as the app writes them (a sixth of them
written as another program might, to keep the JSON-parsing fallback honest).

- stats_compute_ms_1m: everything the Stats view shows with the default range (one month), median of 3.
- stats_compute_year_ms_1m / stats_compute_all_ms_1m: the same with the year and all-time ranges.
"""

from __future__ import annotations

import random
import shutil
import time
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

from common import WORK, insert_progress, median

CARDS, REVIEWS, DAYS = 100_000, 1_000_000, 3 * 365


def _library():
    questions = [SimpleNamespace(id=f"bench-q{n:06d}") for n in range(CARDS)]
    topics = [SimpleNamespace(title=f"Topic {t}", questions=questions[t::40]) for t in range(40)]
    return SimpleNamespace(questions=lambda: questions, topics=topics)


def _fill(conn, library) -> None:
    from genai_desktop.core.study.session import card_id_for, iso

    rng = random.Random(5)
    now = datetime.now(UTC)
    cards, reviews = [], []
    per_card = REVIEWS // CARDS
    for n, q in enumerate(library.questions()):
        last = now - timedelta(days=rng.uniform(0, 90))
        stability = rng.uniform(0.5, 200)
        cards.append((q.id, card_id_for(q.id), rng.choice((1, 2, 2, 2, 2, 3)), None, stability, rng.uniform(1, 10),
                      iso(last + timedelta(days=stability)), iso(last), int(n % 97 == 0), None))
        for k in range(per_card):
            at = now - timedelta(days=rng.uniform(0, DAYS), minutes=rng.uniform(0, 600))
            state = rng.choice((1, 2, 2, 2, 3))
            due, last_review = iso(at), iso(at - timedelta(days=rng.randint(1, 60)))
            if k == 0:
                before = None
            elif k % 6:
                before = (f'{{"state":{state},"step":null,"stability":{stability!r},"difficulty":5.0,'
                          f'"due":"{due}","last_review":"{last_review}"}}')
            else:
                before = f'{{"due": "{due}", "last_review": "{last_review}", "state": {state}}}'
            reviews.append((f"r{n}-{k}", q.id, rng.choice((1, 2, 3, 3, 3, 4)), iso(at), 8000, before, "{}"))
    reviews.sort(key=lambda row: row[3])  # in time order, as answers are appended
    insert_progress(conn, cards, reviews)


def run() -> dict[str, float]:
    from genai_desktop.core.store import db
    from genai_desktop.core.study.stats import compute

    folder = WORK / "stats-1m"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    path = folder / "progress.sqlite"
    conn = db.open_progress(path).conn
    library = _library()
    _fill(conn, library)
    conn.close()
    reader = db.connect(path, read_only=True)  # as the view reads it
    results = {}
    for key, range_days in (("stats_compute_ms_1m", 30), ("stats_compute_year_ms_1m", 365),
                            ("stats_compute_all_ms_1m", None)):
        times = []
        for _ in range(3):
            start = time.perf_counter()
            stats = compute(reader, library, range_days=range_days)
            times.append((time.perf_counter() - start) * 1000)
        assert sum(sum(counts) for counts in stats.answer_buttons.values()) > 0, "nothing counted"
        results[key] = median(times)
    reader.close()
    shutil.rmtree(folder, ignore_errors=True)
    return results
