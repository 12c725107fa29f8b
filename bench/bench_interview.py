"""Interview practice with a progress database of 100,000 reviewed cards and a year of mocks.

- mock_start_ms_100k: Enter on the set-up screen until the first question has painted (choosing
  the questions, the readiness before the mock, the question screen), median of 7, for a topic
  mock and for "my weakest" (which reads every card of the library); the larger median.
- mock_confirm_ms_100k: Enter on the checklist until the next question has painted (the attempt
  and its review in one transaction), median of 7.
- readiness_ms_100k: interview readiness per topic and overall, median of 7.
"""

from __future__ import annotations

import json
import os
import shutil
import time
import uuid
from datetime import UTC, datetime, timedelta

from common import WORK, median

N = 100_000


def _fill(conn, library) -> None:
    """Every built-in question and 100k others reviewed; 300 past mock attempts."""
    from genai_desktop.core.store import db
    from genai_desktop.core.study.session import card_id_for, iso

    now = datetime.now(UTC)
    builtin = [q.id for q in library.questions()]
    rows = []
    for n, qid in enumerate(builtin + [f"bench-q{n:06d}" for n in range(N)]):
        last = now - timedelta(days=n % 40)
        rows.append((qid, card_id_for(qid), 2, None, 5.0 + n % 60, 5.0, iso(last + timedelta(days=30)), iso(last),
                     0, None))
    attempts = []
    for n in range(300):
        at = iso(now - timedelta(days=n % 60, minutes=n))
        attempts.append((uuid.uuid4().hex, builtin[n % len(builtin)], f"m{n // 5}", at, 100, 180, 4,
                         json.dumps(list(range(n % 5))[:4]), "", 3, None, at))
    with db.transaction(conn):  # one write, not one autocommit per row
        conn.executemany("INSERT INTO cards VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0)", rows)
        conn.executemany("INSERT INTO attempts (uid, question_id, mock_id, started_at, seconds_used, seconds_allowed, "
                         "points_total, points_ticked, outline, rating, review_uid, created_at) "
                         "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", attempts)


def run() -> dict[str, float]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    from genai_desktop.core.study import interview
    from genai_desktop.core.study.interview import MockSetup
    from genai_desktop.core.workspace import Workspace
    from genai_desktop.ui.app import build_window, make_application

    data = WORK / "interview-100k"
    shutil.rmtree(data, ignore_errors=True)
    workspace = Workspace(data)
    conn = workspace.progress.conn
    library = workspace.library
    _fill(conn, library)

    ready = []
    for _ in range(7):
        start = time.perf_counter()
        interview.readiness(conn, library)
        ready.append((time.perf_counter() - start) * 1000)

    app = make_application()
    window = build_window(workspace, "light")
    window.resize(1024, 640)
    window.show()
    window.refresh_counts()  # as after the first paint: the progress database is open
    app.processEvents()
    window.show_view("interview")
    view = window.interview
    app.processEvents()

    starts: dict[str, list[float]] = {}
    confirms = []
    for kind, value in (("topic", "transformers-attention"), ("weakest", "")):
        view.select_setup(MockSetup(kind, value, 5, 3))
        times = []
        for _ in range(7):
            view.new_mock()
            view.setup_page.setFocus()
            app.processEvents()
            start = time.perf_counter()
            QTest.keyClick(view.setup_page, Qt.Key.Key_Return)
            window.repaint()
            times.append((time.perf_counter() - start) * 1000)
            assert view.pages.currentWidget() is view.question_page
            if kind == "topic":
                QTest.keyClick(view.question_page, Qt.Key.Key_Space)
                QTest.keyClick(view.checklist_page, Qt.Key.Key_1)
                app.processEvents()
                start = time.perf_counter()
                QTest.keyClick(view.checklist_page, Qt.Key.Key_Return)
                window.repaint()
                confirms.append((time.perf_counter() - start) * 1000)
        starts[kind] = times
    view.new_mock()
    window.close()
    workspace.close()
    shutil.rmtree(data, ignore_errors=True)
    return {
        "mock_start_ms_100k": round(max(median(t) for t in starts.values()), 2),
        "mock_start_topic_ms_100k": round(median(starts["topic"]), 2),
        "mock_start_weakest_ms_100k": round(median(starts["weakest"]), 2),
        "mock_confirm_ms_100k": round(median(confirms), 2),
        "readiness_ms_100k": round(median(ready), 2),
    }
