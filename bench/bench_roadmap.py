"""Roadmap timings on the built-in roadmap, with a progress database of 100,000 reviewed cards.

- roadmap_status_ms: what the status bar reads after the first paint (overall + one level), median.
- roadmap_mastery_ms_100k: mastery of all 36 milestones from the card states, median of 5.
  Runs on the UI thread each time the view is shown, so it must stay well under 100 ms.
- roadmap_view_open_ms_100k: building the view and showing it the first time (offscreen), with
  the progress database already open as it is once the window has painted.
- roadmap_tick_ui_p95_ms: pressing D on a milestone until the whole window has repainted.
"""

from __future__ import annotations

import os
import shutil
import time
from datetime import UTC, datetime, timedelta

from common import WORK, median, percentile

N = 100_000


def _fill_cards(conn, library) -> None:
    """Every built-in question reviewed recently (so mastery has work), plus 100k other cards."""
    from genai_desktop.core.store import db
    from genai_desktop.core.study.session import _CARD_COLUMNS, card_id_for, iso

    now = datetime.now(UTC)
    rows = []
    builtin = [q.id for q in library.questions()]
    for n, qid in enumerate(builtin + [f"bench-q{n:06d}" for n in range(N)]):
        last = now - timedelta(days=n % 40)
        rows.append((qid, card_id_for(qid), 2, None, 5.0 + n % 60, 5.0, iso(last + timedelta(days=30)), iso(last),
                     0, None))
    with db.transaction(conn):  # one write, not one autocommit per row
        conn.executemany(f"INSERT INTO cards ({_CARD_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)


def run() -> dict[str, float]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from genai_desktop.core.study.roadmap import DONE, IN_PROGRESS, Roadmap
    from genai_desktop.core.workspace import Workspace
    from genai_desktop.ui.app import build_window, make_application

    data = WORK / "roadmap-100k"
    shutil.rmtree(data, ignore_errors=True)
    workspace = Workspace(data)
    conn = workspace.progress.conn
    library = workspace.library
    _fill_cards(conn, library)
    roadmap = Roadmap(conn, library)
    for n, milestone in enumerate(library.milestones):
        if n % 3 == 0:
            roadmap.set_state(milestone.id, DONE if n % 2 else IN_PROGRESS)

    status = []
    for _ in range(30):
        start = time.perf_counter()
        Roadmap(conn, library).overall()
        roadmap.tally(roadmap.milestones("dev1"))
        status.append((time.perf_counter() - start) * 1000)
    mastery = []
    for _ in range(5):
        start = time.perf_counter()
        result = roadmap.mastery()
        mastery.append((time.perf_counter() - start) * 1000)
    assert sum(m.mastered for m in result.values()) > 0

    app = make_application()
    window = build_window(workspace, "light")
    window.resize(1280, 800)
    window.show()
    window.refresh_counts()  # as after the first paint: the progress database is open
    app.processEvents()
    start = time.perf_counter()
    window.show_view("roadmap")
    window.repaint()
    open_ms = (time.perf_counter() - start) * 1000
    view = window.view("roadmap")
    ticks = []
    for milestone in library.milestones[:30]:
        view.select(milestone.id)
        app.processEvents()
        start = time.perf_counter()
        view.choose_state(DONE)
        window.repaint()
        ticks.append((time.perf_counter() - start) * 1000)
    window.close()
    workspace.close()
    return {"roadmap_status_ms": median(status), "roadmap_mastery_ms_100k": median(mastery),
            "roadmap_view_open_ms_100k": open_ms, "roadmap_tick_ui_p95_ms": percentile(ticks, 95)}
