"""The card browser's data at 100,000 cards (core/study/card_browser.py, no Qt).

- browser_open_ms_100k: what the runner does when the browser opens: reading every card and the
  review log aggregate into columns and preparing every column's order and rank (``prepare``),
  median of 3; browser_prepare_ms_100k is the preparing alone. Off the UI thread.
- browser_sort_ms_100k: a click on the Due header (from another column's order), with the orders
  prepared as the window prepares them at load, median of 5.
- browser_filter_ms_100k: a text filter plus a state chip over the sorted order, median of 5;
  browser_filter_broad_ms_100k: one letter typed (nearly every card survives), median of 5.
- browser_sort_added_ms_100k: a click on "Added / first studied", median of 5.
- browser_sort_floor_ms_100k: the floor in the same run, Python's own sort of 100,000 random
  numbers by index (what sorting on a click could not beat); browser_sort_vs_floor_ratio beside it,
  so a slower machine shows as such.
- browser_reschedule_ms_10k: "Reschedule now" on 10,000 selected cards (one transaction), median of 3
  (each run after the retention moved, so every card in review is written); browser_action_job_ms_10k:
  the whole job the window runs for it on the runner (fork, action, prepare), median of 3.
- browser_open_ui_block_ms_100k: the window itself (ui/card_browser.py) opened at 100k cards: the
  longest UI-thread stall (ui/stall_meter.py) from the click until its rows are shown;
  browser_action_ui_block_ms_10k: the same for "Reschedule now" on 10,000 selected rows.
  browser_click_sort_ui_ms_100k: a click on the Due header of that window (the model, the view and
  the header included), nothing selected, median of 5.
  browser_ui_block_floor_ms: the floor in the same run, the longest UI-thread gap while a runner job
  only counts in Python for 1.5 s (the machine's scheduling and the interpreter's sharing, no work
  on the UI thread at all).
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

    opens, prepares = [], []
    for _ in range(3):
        start = time.perf_counter()
        browser = Browser.load(conn, library, StudySettings())
        loaded = time.perf_counter()
        browser.prepare()
        opens.append((time.perf_counter() - start) * 1000)
        prepares.append((time.perf_counter() - loaded) * 1000)
    sorts, filters, broad_filters, added_sorts = [], [], [], []
    for _ in range(5):
        browser.sort(0)  # another column first: the click on Due is a change of order
        start = time.perf_counter()
        browser.sort(4)  # due
        sorts.append((time.perf_counter() - start) * 1000)
        start = time.perf_counter()
        browser.set_filter("attention cache", ["review"])
        filters.append((time.perf_counter() - start) * 1000)
        assert browser.order, "the filter found nothing"
        browser.set_filter()
        start = time.perf_counter()
        browser.set_filter("a")
        broad_filters.append((time.perf_counter() - start) * 1000)
        assert len(browser.order) > N // 2, "one letter should keep most cards"
        browser.set_filter()
        start = time.perf_counter()
        browser.sort(12)  # added / first studied
        added_sorts.append((time.perf_counter() - start) * 1000)
    keys = [random.Random(n).random() for n in range(len(browser.ids))]
    floors = []
    for _ in range(5):
        start = time.perf_counter()
        sorted(range(len(keys)), key=keys.__getitem__)
        floors.append((time.perf_counter() - start) * 1000)
    reschedules, jobs = [], []
    selected = browser.ids[:10_000]
    for retention in (0.85, 0.95, 0.85):
        StudySettings(desired_retention=retention).save(conn)
        start = time.perf_counter()
        browser.reschedule(selected)
        reschedules.append((time.perf_counter() - start) * 1000)
    for retention in (0.95, 0.85, 0.95):
        StudySettings(desired_retention=retention).save(conn)
        start = time.perf_counter()
        browser.fork(conn).reschedule(selected)
        browser.prepare()
        jobs.append((time.perf_counter() - start) * 1000)
    from genai_desktop.core.study.card_state import card_state, state_line

    settings, lines = StudySettings.load(conn), []
    for qid in random.Random(5).sample(browser.ids, 500):
        start = time.perf_counter()
        state_line(card_state(conn, qid, settings))
        lines.append((time.perf_counter() - start) * 1000)
    lines.sort()
    open_block, action_block, block_floor, clicks = _window_stalls(conn, library, folder / "progress.sqlite", selected)
    conn.close()
    shutil.rmtree(folder, ignore_errors=True)
    return {"browser_open_ms_100k": median(opens), "browser_prepare_ms_100k": median(prepares),
            "browser_sort_ms_100k": median(sorts),
            "browser_filter_ms_100k": median(filters), "browser_filter_broad_ms_100k": median(broad_filters),
            "browser_action_job_ms_10k": median(jobs),
            "browser_open_ui_block_ms_100k": open_block, "browser_action_ui_block_ms_10k": action_block,
            "browser_ui_block_floor_ms": block_floor, "browser_click_sort_ui_ms_100k": clicks,
            "browser_sort_floor_ms_100k": median(floors),
            "browser_sort_vs_floor_ratio": median(sorts) / median(floors),
            "browser_sort_added_ms_100k": median(added_sorts),
            "browser_reschedule_ms_10k": median(reschedules),
            "reader_card_state_p95_ms_100k": lines[int(len(lines) * 0.95)]}


def _window_stalls(conn, library, db_path, selected: list[str]) -> tuple[float, float, float, float]:
    """The longest UI-thread stall while the real window opens at 100k cards (until its rows are
    shown), and while "Reschedule now" runs on ``selected`` (until the result is shown)."""
    import os

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QItemSelection, QItemSelectionModel, Qt

    from genai_desktop.core.study.session import StudySettings
    from genai_desktop.ui import runner, theme
    from genai_desktop.ui.app import make_application
    from genai_desktop.ui.card_browser import CardBrowserWindow
    from genai_desktop.ui.stall_meter import StallMeter, run_events_for

    def until(done, limit_s: float = 120) -> None:
        deadline = time.perf_counter() + limit_s
        while not done():
            assert time.perf_counter() < deadline, "the card browser did not finish"
            run_events_for(20)

    app = make_application()
    workspace = SimpleNamespace(progress=SimpleNamespace(conn=conn), library=library,
                                paths=SimpleNamespace(progress_db=db_path))
    meter = StallMeter()
    meter.start()
    run_events_for(50)
    meter.take()
    window = CardBrowserWindow(workspace, theme.LIGHT_THEME)  # type: ignore[arg-type]
    window.show()
    until(lambda: window.loaded and not window.working)
    run_events_for(50)  # the first paint of the rows
    open_block = meter.take()
    clicks = []
    for _ in range(5):
        window.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        start = time.perf_counter()
        window.table.sortByColumn(4, Qt.SortOrder.AscendingOrder)
        clicks.append((time.perf_counter() - start) * 1000)

    StudySettings(desired_retention=0.9).save(conn)  # every card in review moves
    window.browser.sort(0)  # library order by title: select the 10k cards wherever they are
    window.model.reloaded()
    rows = window.browser.rows_of(selected)
    selection = QItemSelection()
    for row in rows:
        selection.select(window.model.index(row, 0), window.model.index(row, 0))
    window.table.selectionModel().select(selection, QItemSelectionModel.SelectionFlag.ClearAndSelect
                                         | QItemSelectionModel.SelectionFlag.Rows)
    run_events_for(50)
    meter.take()
    window.buttons["reschedule"].click()
    until(lambda: not window.working)
    run_events_for(50)
    action_block = meter.take()
    assert window.status.text().startswith("Rescheduled"), window.status.text()

    def count_for_a_while(_progress) -> int:
        end, n = time.perf_counter() + 1.5, 0
        while time.perf_counter() < end:
            n += 1
        return n

    meter.take()
    runner.run_in_background(count_for_a_while, name="floor")
    until(lambda: not runner.busy())
    block_floor = meter.take()
    meter.stop()
    window.close()
    window.deleteLater()
    run_events_for(50)
    app.processEvents()
    return open_block, action_block, block_floor, median(clicks)
