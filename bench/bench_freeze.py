"""Never freeze: the longest UI-thread stall during a scripted tour of a real main window, at
100,000 imported questions and 100,000 reviews (offscreen).

A heartbeat timer (ui/stall_meter.py, every 5 ms) records the longest gap in the UI thread's
event loop during each step; work the runner does on its threads does not count, work on the
UI thread does, whoever started it. Each step waits for the runner's jobs to finish, so what a
job hands back to the UI thread counts for the step that started it. Views are opened as a
user opens them, by clicking their tab.

- ui_max_block_ms_100k: the longest stall of the whole tour (each step's maximum is printed), from
  the window's first showing on: building the window before it is on screen freezes nothing a
  user can see; it is start-up time (bench_startup's startup_vs_floor_ratio), printed and kept
  as ui_start_before_paint_ms.
- ui_block_floor_ms / ui_block_vs_floor_ratio: the floor, measured in the same run: the longest
  gap the heartbeat sees in an idle event loop (a bare widget shown, nothing to do) for two
  seconds: what this machine's load and timer jitter alone cost. The ratio reads the tour's
  worst step against it.
- deck_list_ms_100k: the Flashcards deck list, from asking for it to every scope's counts shown
  (counted on the runner), median of 5.
- rss_after_start_mb / floor_rss_mb / rss_vs_floor_ratio: resident memory once the window has
  started (after its first-paint work) against a bare window's (bench/floor_window.py).
- rss_100k_mb: resident memory after the tour.

The notes file is generated once under bench/.work (bench_import.generate); FREEZE_N runs the
tour at another size (the metric names keep saying 100k: for quick local looks only).
"""

from __future__ import annotations

import importlib
import json
import os
import random
import shutil
import subprocess
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from common import BENCH, REPO, WORK, compile_app, median, python

N = int(os.environ.get("FREEZE_N", "100000"))
REVIEWS = N


def resident_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS:")) / 1024


def floor_rss_mb() -> float:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    out = subprocess.run([python(), str(BENCH / "floor_window.py")], env=env, capture_output=True, text=True,
                         timeout=120, cwd=REPO)
    for line in out.stdout.splitlines():
        if line.startswith("RSS_KB "):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"floor_window.py printed no RSS_KB line:\n{out.stdout}\n{out.stderr}")


def notes_file() -> Path:
    from bench_import import generate

    path = WORK / "freeze" / f"notes-{N}.md"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        generate(path, N)
    return path


def fill_reviews(conn, question_ids: list[str]) -> None:
    """Four in five imported questions studied (one or two reviews each, REVIEWS in all), due
    spread around today: the deck list, the badge and the Stats view all have work."""
    from genai_desktop.core.store import db
    from genai_desktop.core.study.session import _CARD_COLUMNS, card_id_for, iso

    rng = random.Random(3)
    now = datetime.now(UTC)
    studied = question_ids[: len(question_ids) * 4 // 5]
    cards, reviews = [], []
    for n, qid in enumerate(studied):
        last = now - timedelta(days=rng.uniform(0, 60))
        state = 1 if n % 50 == 0 else 2
        cards.append((qid, card_id_for(qid), state, 0 if state == 1 else None, rng.uniform(0.5, 90),
                      rng.uniform(1, 10), iso(now + timedelta(days=rng.uniform(-20, 40))), iso(last), 0, None))
    for n in range(REVIEWS):
        qid = studied[n % len(studied)]
        at = now - timedelta(days=rng.uniform(0, 365))
        reviews.append((f"freeze-{n}", qid, rng.choice((1, 3, 3, 3, 4)), iso(at), 6000, None, "{}"))
    reviews.sort(key=lambda row: row[3])
    with db.transaction(conn):
        conn.executemany(f"INSERT OR REPLACE INTO cards ({_CARD_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                         cards)
        conn.executemany("INSERT INTO reviews (uid, question_id, rating, reviewed_at, duration_ms, state_before, "
                         "state_after) VALUES (?, ?, ?, ?, ?, ?, ?)", reviews)


class Tour:
    """Runs steps on the window, each followed by the quiet (no job running), and keeps each
    step's longest stall."""

    def __init__(self, meter) -> None:
        self.meter = meter
        self.stalls: dict[str, float] = {}

    def settle(self, timeout_s: float = 120.0) -> None:
        from genai_desktop.ui import runner
        from genai_desktop.ui.stall_meter import run_events_for

        deadline = time.monotonic() + timeout_s
        run_events_for(30)
        # Not for the search index: rebuilt after the import (a minute at 100k), it runs on
        # while the tour goes on, as it does while a user goes on.
        while runner.busy(ignoring=("search-index",)) and time.monotonic() < deadline:
            run_events_for(10)
        run_events_for(30)  # what the last job handed back, and the repaint after it

    def step(self, name: str, action: Callable[[], object]) -> None:
        self.meter.take()
        started = time.perf_counter()
        action()
        self.settle()
        stall = self.meter.take()
        while name in self.stalls:  # a step taken again (opening a view twice) keeps its own line
            name += "'"
        self.stalls[name] = stall
        print(f"  {name:<28} {stall:8.1f} ms stall   ({time.perf_counter() - started:6.2f} s, {resident_mb():5.0f} MB)",
              flush=True)


def run() -> dict[str, float]:
    """The tour in a process of its own: memory left behind by the suites run before it (a 100k
    notes file parsed, a million reviews generated) must not count as the window's."""
    compile_app()
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    child = subprocess.Popen([python(), str(BENCH / "bench_freeze.py"), "--json"], env=env, cwd=REPO,
                             stdout=subprocess.PIPE, text=True)
    result = None
    for line in child.stdout:
        if line.startswith("RESULT "):
            result = json.loads(line[len("RESULT "):])
        else:
            print(line, end="", flush=True)
    if child.wait() != 0 or result is None:
        raise RuntimeError(f"the freeze tour failed (exit {child.returncode})")
    return result


def tour() -> dict[str, float]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    importlib.import_module("genai_desktop.ui")  # first, as in the app: before PySide6 (see source_lines.py)
    from fsrs import Rating
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QWidget

    from genai_desktop import startup_gc
    from genai_desktop.core.changes import Changes
    from genai_desktop.core.packs.notes_import import plan_file
    from genai_desktop.core.packs.user_packs import write_pack
    from genai_desktop.core.workspace import Workspace
    from genai_desktop.ui import runner
    from genai_desktop.ui.app import build_window, make_application
    from genai_desktop.ui.runner import run_in_background
    from genai_desktop.ui.stall_meter import StallMeter, run_events_for

    floor = floor_rss_mb()
    source = notes_file()
    data = WORK / "freeze" / "data"
    shutil.rmtree(data, ignore_errors=True)
    app = make_application()
    meter = StallMeter()
    meter.start()
    tour = Tour(meter)
    workspace = Workspace(data)
    window = None

    before_paint: list[float] = []

    def start() -> None:
        nonlocal window
        window = build_window(workspace, "light")
        window.resize(1280, 800)
        window.show()
        QTest.qWaitForWindowExposed(window)
        # Until now there was no window on screen to freeze: building it is start-up time, which
        # bench_startup measures against a bare window's (startup_vs_floor_ratio). The step
        # counts from here: the first paint and whatever follows it.
        before_paint.append(meter.take())

    idle = QWidget()  # the floor: an event loop with a bare widget and nothing to do
    idle.show()
    QTest.qWaitForWindowExposed(idle)
    meter.take()
    run_events_for(2000)
    floor_block = meter.take()
    idle.close()
    print(f"  {'idle (floor)':<28} {floor_block:8.1f} ms stall", flush=True)
    tour.step("start", start)
    print(f"  {'(start, before the window shows)':<28} {before_paint[0]:8.1f} ms, not counted", flush=True)
    run_events_for(300)  # the first-paint callbacks (menus, counts, search tools)
    tour.step("start (after paint)", lambda: None)
    rss_start = resident_mb()
    def click_tab(name: str) -> None:  # as a user opens a view: its tab clicked (MainWindow.open_view)
        QTest.mouseClick(window.tab(name), Qt.MouseButton.LeftButton)

    for name in window.view_names()[1:] + ["library"]:
        tour.step(f"open {name}", lambda name=name: click_tab(name))

    def import_notes() -> None:
        packs = workspace.paths.packs

        def work(_progress):  # the dialog's work, on the runner as the dialog runs it; then the library reloads
            with startup_gc.building():
                plan = plan_file(source)
            with startup_gc.building():
                return write_pack(packs, plan)

        run_in_background(work, done=lambda _folder: window.apply_changes(Changes(library=True)), name="import")

    tour.step("import notes + reload", import_notes)
    imported = [q.id for q in workspace.library.questions() if q.pack != "builtin"]
    assert len(imported) == N, f"{len(imported)} questions imported, {N} expected"
    fill_reviews(workspace.progress.conn, imported)  # not a step: stands in for months of study
    tour.step("progress changed", lambda: window.apply_changes(Changes(cards=True, reviews=True)))

    tour.step("open stats", lambda: click_tab("stats"))
    tour.step("open flashcards", lambda: click_tab("flashcards"))
    flashcards = window.flashcards
    for name in ("retention", "new_limit", "review_limit", "day_start"):
        box = getattr(flashcards, name)

        def change(box=box) -> None:
            for _ in range(3):  # three clicks on the arrow, as a user steps to a value
                box.stepUp()
                run_events_for(60)
        tour.step(f"scheduling {name}", change)
    tour.step("open library", lambda: click_tab("library"))
    tour.step("type a search", lambda: QTest.keyClicks(window.search_field, "attention decoder", delay=40))
    tour.step("clear the search", lambda: window.search_field.clear())
    def filter_tree() -> None:
        QTest.keyClicks(window.sidebar.filter, "gradient", delay=40)
        while window.sidebar.filter_pending():  # the filter runs once typing pauses: its work is this step's
            run_events_for(10)

    tour.step("filter the tree", filter_tree)
    tour.step("clear the filter", lambda: window.sidebar.filter.clear())
    tour.step("open flashcards", lambda: click_tab("flashcards"))

    def answer() -> None:
        flashcards.start()
        run_events_for(5)  # the session's first card painted before the first key press, as for a user
        rng = random.Random(1)
        for _ in range(20):
            if flashcards.session is None or flashcards.session.current is None:
                break
            flashcards.reveal()
            run_events_for(5)
            flashcards.rate(rng.choice((Rating.Again, Rating.Good, Rating.Good, Rating.Easy)))
            run_events_for(5)

    tour.step("answer 20 cards", answer)
    tour.step("leave the session", flashcards.leave)
    tour.step("open roadmap", lambda: click_tab("roadmap"))
    meter.stop()
    tour.settle(timeout_s=0)
    while runner.busy():  # the index, before the window and its databases close
        run_events_for(100)

    deck = []
    window.show_view("flashcards")
    shown: list[float] = []  # the deck list is counted on the runner: timed until it shows the counts
    flashcards.deck_counted.connect(lambda: shown.append(time.perf_counter()))
    while runner.busy():
        run_events_for(10)
    for _ in range(5):
        settle_counts = len(shown)
        started = time.perf_counter()
        flashcards.refresh_deck()
        while len(shown) == settle_counts:
            run_events_for(1)
        deck.append((shown[-1] - started) * 1000)
    rss_end = resident_mb()
    worst = max(tour.stalls, key=tour.stalls.get)
    print(f"  worst step: {worst} ({tour.stalls[worst]:.1f} ms)")
    window.close()
    workspace.close()
    app.processEvents()
    return {
        "ui_max_block_ms_100k": round(tour.stalls[worst], 1),
        "ui_block_floor_ms": round(floor_block, 1),
        "ui_start_before_paint_ms": round(before_paint[0], 1),
        "ui_block_vs_floor_ratio": round(tour.stalls[worst] / max(floor_block, 1.0), 1),
        "deck_list_ms_100k": round(median(deck), 1),
        "rss_after_start_mb": round(rss_start, 1),
        "floor_rss_mb": round(floor, 1),
        "rss_vs_floor_ratio": round(rss_start / floor, 2),
        "rss_100k_mb": round(rss_end, 1),
    }


if __name__ == "__main__":
    import sys

    # The checkout this file is in, not whichever one the virtualenv was installed from (a
    # worktree's editable install points elsewhere): Python puts only bench/ on a script's path.
    sys.path.insert(1, str(REPO))
    if "--json" in sys.argv:
        print("RESULT " + json.dumps(tour()), flush=True)
    else:
        print(tour())
