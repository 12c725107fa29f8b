"""The card browser's data at 100,000 cards (core/study/card_browser.py, no Qt).

- browser_open_ms_100k: reading every card and the review log aggregate into columns (once, when
  the browser opens and after an action), median of 3.
- browser_sort_ms_100k: sort by due with nothing cached (the first click on the column), median of 5.
- browser_filter_ms_100k: a text filter plus a state chip over the sorted order, median of 5.
- browser_sort_added_ms_100k: sort by "Added / first studied" with nothing cached, median of 5.
- browser_sort_floor_ms_100k: the floor in the same run, Python's own sort of 100,000 random
  numbers by index (what a column sort cannot beat); browser_sort_vs_floor_ratio beside it, so a
  slower machine shows as such.
- browser_reschedule_ms_10k: "Reschedule now" on 10,000 selected cards (one transaction), median of 3
  (each run after the retention moved, so every card in review is written).
- reader_card_state_p95_ms_100k: the reader's card-state line for one page (core/study/card_state.py:
  one query, the line's HTML), p95 over 500 random cards.
"""

from __future__ import annotations

import random
import shutil
import time
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

from common import WORK, insert_progress, median

N = 100_000
WORDS = ("attention", "transformer", "retrieval", "agent", "diffusion", "scaling", "tokenizer", "quantization",
         "kv", "cache", "latency", "gradient", "reward", "policy", "evaluation", "safety", "embedding", "mixture")


def _library():
    rng = random.Random(3)
    topics = [SimpleNamespace(id=f"t{n}", title=f"Topic {n}") for n in range(40)]
    questions = [SimpleNamespace(id=f"bench-q{n:06d}", title=" ".join(rng.choice(WORDS) for _ in range(6)) + "?",
                                 topic_id=f"t{n % 40}", pack="builtin", level=("dev1", "dev2", "researcher")[n % 3])
                 for n in range(N)]
    return SimpleNamespace(topics=topics, questions=lambda: questions)


def _fill(conn, library) -> None:
    from genai_desktop.core.study.session import card_id_for, iso

    rng = random.Random(1)
    now = datetime.now(UTC)
    cards, reviews = [], []
    for n, q in enumerate(library.questions()):
        if n % 10 == 9:
            continue  # new
        state = rng.choice((1, 2, 2, 2, 2, 3))
        last = now - timedelta(days=rng.uniform(0, 90))
        stability = rng.uniform(0.5, 200)
        cards.append((q.id, card_id_for(q.id), state, None, stability, rng.uniform(1, 10),
                      iso(last + timedelta(days=stability)), iso(last), int(n % 97 == 0), None))
        for k in range(rng.randint(1, 5)):
            reviews.append((f"r{n}-{k}", q.id, rng.choice((1, 2, 3, 3, 4)),
                            iso(last - timedelta(days=k * 5)), 8000, '{"state":2}', "{}"))
    insert_progress(conn, cards, reviews)


def run() -> dict[str, float]:
    from genai_desktop.core.store import db
    from genai_desktop.core.study.card_browser import Browser
    from genai_desktop.core.study.session import StudySettings

    folder = WORK / "browser-100k"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    conn = db.open_progress(folder / "progress.sqlite").conn
    library = _library()
    _fill(conn, library)

    opens = []
    for _ in range(3):
        start = time.perf_counter()
        browser = Browser.load(conn, library, StudySettings())
        opens.append((time.perf_counter() - start) * 1000)
    sorts, filters, added_sorts = [], [], []
    for _ in range(5):
        browser._sorted.clear()
        start = time.perf_counter()
        browser.sort(4)  # due
        sorts.append((time.perf_counter() - start) * 1000)
        start = time.perf_counter()
        browser.set_filter("attention cache", ["review"])
        filters.append((time.perf_counter() - start) * 1000)
        assert browser.order, "the filter found nothing"
        browser.set_filter()
        browser._sorted.clear()
        start = time.perf_counter()
        browser.sort(12)  # added / first studied
        added_sorts.append((time.perf_counter() - start) * 1000)
    keys = [random.Random(n).random() for n in range(len(browser.ids))]
    floors = []
    for _ in range(5):
        start = time.perf_counter()
        sorted(range(len(keys)), key=keys.__getitem__)
        floors.append((time.perf_counter() - start) * 1000)
    reschedules = []
    selected = browser.ids[:10_000]
    for retention in (0.85, 0.95, 0.85):
        StudySettings(desired_retention=retention).save(conn)
        start = time.perf_counter()
        browser.reschedule(selected)
        reschedules.append((time.perf_counter() - start) * 1000)
    from genai_desktop.core.study.card_state import card_state, state_line

    settings, lines = StudySettings.load(conn), []
    for qid in random.Random(5).sample(browser.ids, 500):
        start = time.perf_counter()
        state_line(card_state(conn, qid, settings))
        lines.append((time.perf_counter() - start) * 1000)
    lines.sort()
    conn.close()
    shutil.rmtree(folder, ignore_errors=True)
    return {"browser_open_ms_100k": median(opens), "browser_sort_ms_100k": median(sorts),
            "browser_filter_ms_100k": median(filters),
            "browser_sort_floor_ms_100k": median(floors),
            "browser_sort_vs_floor_ratio": median(sorts) / median(floors),
            "browser_sort_added_ms_100k": median(added_sorts),
            "browser_reschedule_ms_10k": median(reschedules),
            "reader_card_state_p95_ms_100k": lines[int(len(lines) * 0.95)]}
