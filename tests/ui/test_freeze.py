"""Never freeze (issue #18): the essential steps of bench/bench_freeze.py's tour at 3,000
imported questions, with the UI thread's event loop watched by a heartbeat (ui/stall_meter.py).

The bound is generous (a shared, slow machine must pass); the old code stalled for seconds
here: the library reload built the sidebar's title collisions from every pair of a topic's
questions, the filter relaid the tree out row by row, and every spin-box step re-counted every deck.
"""

from __future__ import annotations

import random
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from fsrs import Rating
from PySide6.QtTest import QTest

from genai_desktop.core.changes import Changes
from genai_desktop.core.packs.notes_import import plan_file
from genai_desktop.core.packs.user_packs import write_pack
from genai_desktop.core.store import db
from genai_desktop.core.study.session import _CARD_COLUMNS, StudySettings, card_id_for, iso
from genai_desktop.ui import runner
from genai_desktop.ui.stall_meter import StallMeter, run_events_for

QUESTIONS = 3000
PER_TOPIC = 250  # an exported chat: long categories of numbered questions that start alike
# Generous: CI machines are slow and shared, and a job computing in Python still costs the UI
# thread a little (see ui/runner.py SWITCH_INTERVAL_S); 567 ms was seen once under a full test
# run on two busy cores. The old code stalled here for 6.3 s on the reload; make bench measures
# the real figure (ui_max_block_ms_100k).
STALL_BOUND_MS = 1500.0
WORDS = "attention token embedding decoder encoder gradient loss sampling diffusion latent prior".split()


def _notes(path: Path) -> Path:
    rng = random.Random(2)
    parts = []
    for n in range(QUESTIONS):
        if n % PER_TOPIC == 0:
            parts.append(f"# Category {n // PER_TOPIC + 1}\n")
        words = " ".join(rng.choice(WORDS) for _ in range(8))
        parts.append(f"## {n % PER_TOPIC + 1}. **Why does {words} matter ({n})?**\n\nBecause {words}.\n")
    path.write_text("\n".join(parts), encoding="utf-8")
    return path


def _study(conn, ids: list[str]) -> None:
    """Half the questions studied, a third of those due today."""
    now = datetime.now(UTC)
    rows = [(qid, card_id_for(qid), 2, None, 10.0, 5.0, iso(now + timedelta(days=(n % 3) * 5 - 1)),
             iso(now - timedelta(days=9)), 0, None) for n, qid in enumerate(ids[::2])]
    with db.transaction(conn):
        conn.executemany(f"INSERT INTO cards ({_CARD_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)


def _quiet() -> None:
    deadline = time.monotonic() + 30
    while runner.busy() and time.monotonic() < deadline:
        run_events_for(10)
    run_events_for(30)


def test_a_tour_at_thousands_of_questions_never_stalls_the_ui(make_window, qtbot, tmp_path) -> None:
    window = make_window()
    workspace = window.workspace
    meter = StallMeter(parent=window)
    meter.start()
    stalls: dict[str, float] = {}

    def step(name: str, action) -> None:
        meter.take()
        action()
        _quiet()
        stalls[name] = meter.take()

    write_pack(workspace.paths.packs, plan_file(_notes(tmp_path / "notes.md")))  # the import dialog's job
    before = workspace.library
    step("reload", lambda: window.apply_changes(Changes(library=True)))
    packs_before = {q.pack for q in before.questions()}
    imported = [q.id for q in workspace.library.questions() if q.pack not in packs_before]
    assert len(imported) == QUESTIONS
    assert f"{QUESTIONS + sum(1 for _ in before.questions())} questions" in window.status_library.text()

    _study(workspace.progress.conn, imported)
    step("progress", lambda: window.apply_changes(Changes(cards=True)))
    step("flashcards", lambda: window.show_view("flashcards"))
    view = window.flashcards
    assert "due" in view.scope_list.item(0).toolTip()  # "All questions: N due · M new"

    def spin() -> None:
        for _ in range(5):  # five clicks on the arrow, a breath apart
            view.new_limit.stepUp()
            run_events_for(20)
        qtbot.waitUntil(lambda: StudySettings.load(workspace.progress.conn).new_per_day == limit + 5,
                        timeout=3000)  # saved once the stepping paused

    limit = view.new_limit.value()
    step("new-card limit", spin)

    step("library", lambda: window.show_view("library"))
    def filter_tree() -> None:
        QTest.keyClicks(window.sidebar.filter, "diffusion", delay=10)
        qtbot.waitUntil(lambda: not window.sidebar.filter_pending())  # filtered once typing paused

    step("filter", filter_tree)
    step("clear filter", window.sidebar.filter.clear)
    step("flashcards again", lambda: window.show_view("flashcards"))

    def answer() -> None:
        view.start()
        for _ in range(10):  # a breath between the keys, as a user presses them
            view.reveal()
            run_events_for(5)
            view.rate(Rating.Good)
            run_events_for(5)

    step("answer", answer)
    meter.stop()
    worst = max(stalls, key=stalls.get)
    assert stalls[worst] <= STALL_BOUND_MS, f"{worst} stalled the UI for {stalls[worst]:.0f} ms: {stalls}"


def test_a_second_start_loads_the_library_off_the_ui_thread(make_window, qtbot, monkeypatch) -> None:
    """A start paints from the cached outline; the library (a second at 100,000 questions) then
    loads on the runner, and neither the due counts nor anything else loads it on the UI thread."""
    import threading

    from genai_desktop.core.workspace import Workspace

    first = make_window()
    qtbot.waitUntil(lambda: first.tools_ready() and not first.reader.converting()
                    and not first.reader.formulas_pending(), timeout=10000)
    first.close()  # its caches (outline, library, the page it showed) stay in the data folder
    loaded_on: list[threading.Thread] = []
    real_load = Workspace._load_library

    def load(self, fingerprint=None):
        loaded_on.append(threading.current_thread())
        return real_load(self, fingerprint)

    monkeypatch.setattr(Workspace, "_load_library", load)
    second = make_window()
    qtbot.waitUntil(lambda: second.tools_ready() and second.status_due.text() != "", timeout=10000)
    assert loaded_on and threading.main_thread() not in loaded_on
