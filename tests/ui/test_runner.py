"""The one background runner: work off the UI thread, its own SQLite connection, progress,
cancelling, and results or user messages delivered on the UI thread; bugs are logged, not shown."""

from __future__ import annotations

import logging
import sqlite3
import threading
from pathlib import Path

import pytest

from genai_desktop.core.errors import UserError
from genai_desktop.core.store import db
from genai_desktop.ui.runner import UNEXPECTED, Cancelled, Job, run_in_background, wait_for_all


def test_work_runs_off_the_ui_thread_and_its_result_arrives_on_it(qtbot) -> None:
    seen: dict[str, object] = {}

    def work(progress):
        seen["worker"] = threading.get_ident()
        progress(1, 2)
        return 42

    def done(result):
        seen["result"], seen["delivered_on"] = result, threading.get_ident()

    reports = []
    job = run_in_background(work, done=done, progress=lambda d, t: reports.append((d, t)))
    qtbot.waitUntil(lambda: "result" in seen, timeout=5000)
    assert seen["result"] == 42 and reports == [(1, 2)]
    assert seen["worker"] != threading.get_ident() and seen["delivered_on"] == threading.get_ident()
    del job


def test_a_user_error_is_the_message_and_a_bug_is_logged_not_shown(qtbot, caplog) -> None:
    messages: list[str] = []

    def user_error(_progress):
        raise UserError("That file is not a progress file.")

    def bug(_progress):
        raise ValueError("a programming error, not for the user")

    def disk_full(_progress):
        import errno

        raise OSError(errno.ENOSPC, "No space left on device")

    for work in (user_error, bug, disk_full):
        job = Job(work)
        job.failed.connect(messages.append)
        with qtbot.waitSignal(job.finished, timeout=5000), caplog.at_level(logging.ERROR):
            job.start()
    assert messages[0] == "That file is not a progress file."
    assert messages[1] == UNEXPECTED.format(error="ValueError") and "programming error" not in messages[1]
    assert any(r.exc_info and r.exc_info[0] is ValueError for r in caplog.records)
    assert messages[2].startswith("The disk is full")


def test_cancel_stops_at_the_next_progress_report_and_reports_nothing(qtbot) -> None:
    started, steps, outcomes = threading.Event(), [], []

    def work(progress):
        started.set()
        for step in range(1000):
            progress(step, 1000)
            steps.append(step)
            threading.Event().wait(0.005)
        return "finished"

    job = Job(work)
    job.succeeded.connect(outcomes.append)
    job.failed.connect(outcomes.append)
    with qtbot.waitSignal(job.finished, timeout=10_000):
        job.start()
        started.wait(5)
        job.cancel()
    assert outcomes == [] and len(steps) < 1000
    with pytest.raises(Cancelled):
        job._progress(0, 1)


def test_database_work_gets_its_own_connection_on_its_own_thread(qtbot, tmp_path: Path) -> None:
    path = tmp_path / "progress.sqlite"
    ui_conn = db.connect(path)
    ui_conn.execute("CREATE TABLE t (x)")
    results: list[object] = []

    def work(conn, _progress):
        conn.execute("INSERT INTO t VALUES (1)")
        try:
            ui_conn.execute("SELECT 1")  # the window's connection must not be usable here
        except sqlite3.ProgrammingError:
            shared = False
        else:
            shared = True
        return conn, shared

    job = Job(work, db_path=path)
    job.succeeded.connect(results.append)
    with qtbot.waitSignal(job.finished, timeout=5000):
        job.start()
    [(worker_conn, shared)] = results
    assert shared is False
    assert ui_conn.execute("SELECT count(*) FROM t").fetchone()[0] == 1  # committed, visible here
    with pytest.raises(sqlite3.ProgrammingError):
        worker_conn.execute("SELECT 1")  # closed when the work ended
    ui_conn.close()


def test_wait_for_all_lets_running_work_finish(qtbot) -> None:
    release, finished = threading.Event(), []

    def work(_progress):
        release.wait(5)
        finished.append(True)

    job = Job(work)
    job.start()
    threading.Timer(0.2, release.set).start()
    wait_for_all(5000)
    assert finished == [True] and job.isFinished()


def test_a_dialog_deleted_while_its_work_runs_does_not_take_the_thread_with_it(qtbot) -> None:
    """A QThread deleted while running aborts the process: the Job is not its owner's child."""
    import shiboken6
    from PySide6.QtWidgets import QDialog

    release = threading.Event()
    dialog = QDialog()
    job = Job(lambda _progress: release.wait(5), dialog)
    job.start()
    shiboken6.delete(dialog)  # what closing the main window does to its dialogs
    release.set()
    assert job.wait(5000) and job.owner is dialog


def test_work_begins_once_the_pass_that_started_it_is_over_unless_someone_waits_for_it(qtbot,
                                                                                        monkeypatch) -> None:
    import time

    from genai_desktop.ui import runner

    # The bound on the wait, made long: a loaded machine's sleep below must not outlast it.
    monkeypatch.setattr(runner, "GO_AFTER_S", 10.0)
    started = threading.Event()
    job = run_in_background(lambda _progress: started.set(), name="after-the-pass")
    time.sleep(0.03)  # the rest of the pass that started it (a paint, say): the interpreter is free
    assert not started.is_set()
    qtbot.waitUntil(started.is_set, timeout=5000)

    waited = threading.Event()
    job = Job(lambda _progress: waited.set())
    job.start()
    assert job.wait(5000) and waited.is_set()  # waited for: begun at once, not after the pass
