"""Helpers shared by the benchmarks: timing, percentiles, the results file."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
RESULTS = BENCH / "results.json"
WORK = BENCH / ".work"


def compile_app() -> None:
    """Bytecode for every module of the app, as an installed app has it: this machine sets
    PYTHONDONTWRITEBYTECODE, so without this a module changed since its last compile is compiled
    from source at each import, inside whatever a bench times (a first view open, a start)."""
    import compileall

    compileall.compile_dir(REPO / "genai_desktop", quiet=1)


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = max(0, min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1))))
    return ordered[rank]


def median(values: list[float]) -> float:
    return statistics.median(values)


def time_to_first_paint(argv: list[str], env: dict[str, str] | None = None) -> float:
    """Milliseconds from spawning ``argv`` to the FIRST_PAINT line it prints."""
    full_env = dict(os.environ, QT_QPA_PLATFORM="offscreen", GENAI_DESKTOP_REPORT_PAINT="1", **(env or {}))
    start = time.time()
    out = subprocess.run(argv, env=full_env, capture_output=True, text=True, timeout=120, cwd=REPO)
    for line in out.stdout.splitlines():
        if line.startswith("FIRST_PAINT "):
            return (float(line.split()[1]) - start) * 1000
    raise RuntimeError(f"{argv} printed no FIRST_PAINT line:\n{out.stdout}\n{out.stderr}")


def python() -> str:
    return sys.executable


def save(results: dict[str, float]) -> dict[str, float]:
    merged = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    merged.update({k: round(v, 3) if isinstance(v, float) else v for k, v in results.items()})
    RESULTS.write_text(json.dumps(merged, indent=2, sort_keys=True) + "\n")
    return merged


def insert_progress(conn, cards: list[tuple], reviews: list[tuple]) -> None:
    """Generated cards (the cards table's ten columns, in core/study/session.py's order) and
    review log rows (uid, question id, rating, reviewed at, duration, state before and after),
    in one write rather than one autocommit per row."""
    from genai_desktop.core.store import db
    from genai_desktop.core.study.session import _CARD_COLUMNS

    with db.transaction(conn):
        conn.executemany(f"INSERT INTO cards ({_CARD_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", cards)
        conn.executemany("INSERT INTO reviews (uid, question_id, rating, reviewed_at, duration_ms, state_before, "
                         "state_after) VALUES (?, ?, ?, ?, ?, ?, ?)", reviews)


def time_arrival(reader) -> list[float]:
    """The UI-thread time of each page set in ``reader`` when its conversion arrives from the
    runner (with its first frame), appended as it happens (bench_formulas, bench_startup)."""
    spent: list[float] = []
    show = reader._show_converted  # noqa: SLF001

    def timed(*arrived) -> None:  # the page, where to scroll, the document built on the runner
        start = time.perf_counter()
        show(*arrived)
        reader.viewport().repaint()
        spent.append((time.perf_counter() - start) * 1000)

    reader._show_converted = timed  # noqa: SLF001
    return spent
