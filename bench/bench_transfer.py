"""Anki export and progress transfer timings.

- anki_export_builtin_s: the whole built-in library (133 questions) to an .apkg, best of 3.
- progress_export_100k_s: a progress file from a database of 100,000 reviews over 5,000 cards.
- progress_import_100k_s: merging that file into an installation that studied the same cards
  (half of each card's history on each side): 50,000 reviews added, 5,000 cards replayed.
"""

from __future__ import annotations

import random
import shutil
import time
from datetime import UTC, datetime, timedelta

from common import WORK

CARDS = 5_000
PER_CARD = 20


def _histories(seed: int = 11) -> list[tuple]:
    """(uid, question id, rating, time) rows: 20 reviews a card, spread over a year."""
    from genai_desktop.core.study.session import iso

    rng = random.Random(seed)
    start = datetime.now(UTC) - timedelta(days=365)
    rows = []
    for card in range(CARDS):
        moment = start + timedelta(minutes=card)
        for n in range(PER_CARD):
            moment += timedelta(days=rng.randint(1, 15), minutes=rng.randint(0, 600))
            rows.append((f"bench-{card}-{n}", f"bench-q{card:05d}", rng.choices([1, 2, 3, 4], [12, 10, 65, 13])[0],
                         iso(moment)))
    return rows


def _database(path, rows):
    from genai_desktop.core.store import db
    from genai_desktop.core.transfer.progress import recompute_cards

    database = db.open_progress(path)
    conn = database.conn
    conn.execute("BEGIN")
    conn.executemany("INSERT INTO reviews (uid, question_id, rating, reviewed_at, duration_ms, state_before, "
                     "state_after) VALUES (?, ?, ?, ?, 5000, NULL, '{}')", rows)
    recompute_cards(conn, {row[1] for row in rows}, 0.9)  # consistent card states, as the app would have
    conn.execute("COMMIT")
    return conn


def run() -> dict[str, float]:
    from genai_desktop.core.content.library import load_pack
    from genai_desktop.core.transfer.anki_export import export_apkg
    from genai_desktop.core.transfer.progress import export_progress, import_progress
    from genai_desktop.paths import content_dir

    work = WORK / "transfer"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    library = load_pack(content_dir())
    ids = [q.id for q in library.questions()]
    timings = []
    for _ in range(3):
        start = time.perf_counter()
        export_apkg(library, ids, work / "all.apkg")
        timings.append(time.perf_counter() - start)

    rows = _histories()
    first_half = [row for row in rows if int(row[0].rsplit("-", 1)[1]) % 2 == 0]
    second_half = [row for row in rows if int(row[0].rsplit("-", 1)[1]) % 2 == 1]
    laptop = _database(work / "laptop.sqlite", first_half)
    desktop = _database(work / "desktop.sqlite", second_half)
    # the laptop's file carries its half; measure exporting the full log as well
    full = _database(work / "full.sqlite", rows)
    start = time.perf_counter()
    export_progress(full, None, work / "full.zip")
    export_s = time.perf_counter() - start
    export_progress(laptop, None, work / "laptop.zip")
    start = time.perf_counter()
    summary = import_progress(desktop, None, work / "laptop.zip", desired_retention=0.9)
    import_s = time.perf_counter() - start
    assert summary.reviews_added == len(first_half) and summary.cards_recomputed == CARDS
    for conn in (laptop, desktop, full):
        conn.close()
    shutil.rmtree(work, ignore_errors=True)
    return {"anki_export_builtin_s": min(timings), "progress_export_100k_s": export_s,
            "progress_import_100k_s": import_s}
