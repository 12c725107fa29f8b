"""The backups dialog, the recovery dialog, the start-up checks and one instance per data folder."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox, QProgressDialog

from genai_desktop.core.store import backups, db
from genai_desktop.paths import DataPaths
from genai_desktop.ui import theme as themes
from genai_desktop.ui.backups_dialog import BackupsDialog
from genai_desktop.ui.recovery_dialog import QUIT, RESTORED, STARTED_FRESH, RecoveryDialog, summarise
from genai_desktop.ui.single_instance import SingleInstance
from genai_desktop.ui.startup_checks import Startup


def add_note(conn: sqlite3.Connection, body: str) -> None:
    with conn:
        conn.execute("INSERT OR REPLACE INTO notes VALUES ('q', ?, '2025-01-01')", (body,))


def note(conn: sqlite3.Connection) -> str | None:
    row = conn.execute("SELECT body FROM notes WHERE question_id = 'q'").fetchone()
    return row[0] if row else None


def corrupt(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    raw = bytearray(path.read_bytes())
    for offset in range(4096, len(raw), 4096):
        raw[offset:offset + 64] = b"\xff" * 64
    path.write_bytes(bytes(raw))


def test_settings_backups_lists_and_restores_after_a_safety_backup(make_window, qtbot, monkeypatch) -> None:
    window = make_window()
    menu_titles = [a.text().replace("&", "") for a in window.menuBar().actions()]
    assert "Settings" in menu_titles
    conn = window.workspace.progress.conn
    folder = window.workspace.paths.backups
    add_note(conn, "old")
    old = backups.make_backup(conn, folder, "daily", lambda: datetime(2025, 1, 1, 8, tzinfo=UTC))
    add_note(conn, "new")

    dialog = BackupsDialog(window.workspace, window.theme, window)
    qtbot.addWidget(dialog)
    assert dialog.table.topLevelItemCount() == 1
    assert dialog.table.topLevelItem(0).text(1) == "Daily backup"
    assert dialog.selected() == old.path

    # Cancelling the confirmation changes nothing.
    monkeypatch.setattr(QMessageBox, "exec", lambda self: None)
    dialog.restore_selected()
    assert note(conn) == "new" and not dialog.busy()

    def confirm(box) -> None:
        box.clickedButton = lambda: next(b for b in box.buttons() if b.text() == "Restore")
    monkeypatch.setattr(QMessageBox, "exec", confirm)
    with qtbot.waitSignal(dialog.restored, timeout=5000):
        dialog.restore_selected()
    qtbot.waitUntil(lambda: not dialog.busy())
    assert note(conn) == "old"
    kinds = [dialog.table.topLevelItem(i).text(1) for i in range(dialog.table.topLevelItemCount())]
    assert "Before a restore" in kinds
    safety = next(b for b in backups.list_backups(folder) if b.reason == "before-restore")
    copy = sqlite3.connect(safety.path)
    assert note(copy) == "new"
    copy.close()
    assert "Restored" in dialog.status.text()


def test_back_up_now_adds_a_row(make_window, qtbot) -> None:
    window = make_window()
    window.workspace.progress  # noqa: B018 - open the database
    dialog = BackupsDialog(window.workspace, window.theme, window)
    qtbot.addWidget(dialog)
    assert dialog.table.topLevelItemCount() == 0 and "No backups yet" in dialog.status.text()
    dialog.backup_now()
    qtbot.waitUntil(lambda: dialog.table.topLevelItemCount() == 1, timeout=5000)
    assert dialog.table.topLevelItem(0).text(1) == "Manual"


def damaged_folder(tmp_path: Path) -> DataPaths:
    paths = DataPaths(tmp_path / "data")
    paths.root.mkdir()
    conn = db.connect(paths.progress_db)
    db.migrate(conn)
    for n in range(300):
        add_note(conn, f"note {n} " + "x" * 200)
    clock = datetime(2025, 1, 1, tzinfo=UTC)
    backups.make_backup(conn, paths.backups, "daily", lambda: clock)
    backups.make_backup(conn, paths.backups, "daily", lambda: clock + timedelta(days=1))
    conn.close()
    newest = backups.list_backups(paths.backups)[0]
    newest.path.write_bytes(b"broken" * 500)  # the newest backup is bad too: the older one is offered
    corrupt(paths.progress_db)
    return paths


def test_recovery_offers_the_newest_good_backup_and_restores_it(qtbot, tmp_path: Path) -> None:
    paths = damaged_folder(tmp_path)
    health = backups.check_database(paths.progress_db)
    assert health.kind == "corrupt"
    dialog = RecoveryDialog(paths.progress_db, paths.backups, health.detail)
    qtbot.addWidget(dialog)
    assert dialog.backup_list.count() == 1
    assert dialog.selected_backup() == backups.list_backups(paths.backups)[1].path
    dialog.restore()
    assert dialog.outcome == RESTORED
    assert dialog.damaged_copy is not None and dialog.damaged_copy.exists()
    assert backups.check_database(paths.progress_db).kind == "ok"


def test_recovery_never_resets_silently(qtbot, tmp_path: Path, monkeypatch) -> None:
    paths = damaged_folder(tmp_path)
    for backup in backups.list_backups(paths.backups):
        backup.path.unlink()
    damaged = paths.progress_db.read_bytes()
    dialog = RecoveryDialog(paths.progress_db, paths.backups, "malformed")
    qtbot.addWidget(dialog)
    assert dialog.backup_list.isHidden() and dialog.fresh_button.isDefault()
    dialog.setStyleSheet(themes.chrome_stylesheet(themes.LIGHT_THEME))
    dialog.show()
    fresh = dialog.fresh_button  # the only way on: styled as the main action and wide enough for its bold label
    assert fresh.objectName() == "Primary" and fresh.font().bold()
    assert fresh.width() >= fresh.fontMetrics().horizontalAdvance(fresh.text())
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Cancel)
    dialog.start_fresh()
    assert dialog.outcome == QUIT and paths.progress_db.read_bytes() == damaged
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    dialog.start_fresh()
    assert dialog.outcome == STARTED_FRESH and not paths.progress_db.exists()
    assert dialog.damaged_copy.read_bytes() == damaged


def test_summary_of_sqlite_reports() -> None:
    report = "*** in database main ***\nPage 16: btreeInitPage() returns error code 11\nPage 17: x"
    assert summarise(report) == "Page 16: btreeInitPage() returns error code 11 (and 1 more problem)"
    assert summarise("") == "the file is damaged"


def test_startup_quits_on_a_damaged_database_when_the_user_says_quit(qtbot, tmp_path: Path, monkeypatch) -> None:
    paths = damaged_folder(tmp_path)
    shown = []
    monkeypatch.setattr(RecoveryDialog, "exec", lambda self: shown.append(self) or 0)
    startup = Startup(paths.root, "light")
    assert startup.claim()
    assert not startup.database_ready() and startup.exit_code == 1
    assert len(shown) == 1 and shown[0].outcome == QUIT
    startup.release()
    themes.apply(QApplication.instance(), themes.LIGHT_THEME)


def test_startup_offers_the_backups_when_the_database_was_emptied(qtbot, tmp_path: Path, monkeypatch) -> None:
    paths = damaged_folder(tmp_path)  # has a good backup
    paths.progress_db.write_bytes(b"")
    shown = []
    monkeypatch.setattr(RecoveryDialog, "exec", lambda self: shown.append(self) or 0)
    startup = Startup(paths.root, "light")
    assert startup.claim()
    assert not startup.database_ready() and len(shown) == 1
    assert paths.progress_db.stat().st_size == 0  # nothing was opened as empty progress
    startup.release()
    themes.apply(QApplication.instance(), themes.LIGHT_THEME)


def test_startup_explains_a_locked_database(qtbot, tmp_path: Path, monkeypatch) -> None:
    paths = DataPaths(tmp_path / "data")
    paths.root.mkdir()
    conn = db.connect(paths.progress_db)
    db.migrate(conn)
    conn.execute("BEGIN IMMEDIATE")  # another program holds the write lock
    texts = []
    monkeypatch.setattr(QMessageBox, "exec", lambda self: texts.append(self.text()))
    startup = Startup(paths.root, "light")
    assert startup.claim()
    assert not startup.database_ready()
    assert texts == ["The progress database is in use by another program"]
    conn.execute("ROLLBACK")
    conn.close()
    startup.release()


def test_one_instance_per_data_folder_and_the_second_raises_the_first(qtbot, tmp_path: Path) -> None:
    first = SingleInstance(tmp_path)
    assert first.claim()
    assert first.listen()
    second = SingleInstance(tmp_path)
    assert not second.claim()
    with qtbot.waitSignal(first.activated, timeout=5000):
        # notify_running blocks; the first instance answers from the same event loop once it returns
        assert second.notify_running(timeout_s=2)
    other_folder = SingleInstance(tmp_path / "other")
    (tmp_path / "other").mkdir()
    assert other_folder.claim()  # a different data folder may run side by side
    other_folder.release()
    first.release()
    assert second.claim()
    second.release()


def test_a_lock_left_by_a_killed_app_is_taken_over(tmp_path: Path) -> None:
    holder = subprocess.Popen([sys.executable, "-c", (
        "import sys, time; from genai_desktop.ui.single_instance import SingleInstance; "
        f"i = SingleInstance(__import__('pathlib').Path({str(tmp_path)!r})); print(i.claim(), flush=True); "
        "time.sleep(60)")], stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "True"
    second = SingleInstance(tmp_path)
    assert not second.claim() and second.holder_pid() == holder.pid  # named in the "already running" message
    holder.send_signal(signal.SIGKILL)  # the lock file stays behind, naming a dead process
    holder.wait()
    holder.stdout.close()
    assert (tmp_path / "app.lock").exists()
    instance = SingleInstance(tmp_path)
    assert instance.claim()
    instance.release()


def open_window_with_startup(qtbot, data_root: Path, starter_pack: Path, monkeypatch):
    """run_gui's order: claim the folder, build the window, attach the checks, show it."""
    from genai_desktop.core.workspace import Workspace
    from genai_desktop.ui.app import build_window

    exits = []
    monkeypatch.setattr(QApplication, "exit", lambda code=0: exits.append(code))
    startup = Startup(data_root, "light")
    assert startup.claim()
    workspace = Workspace(data_root, content_root=starter_pack)
    window = build_window(workspace, "light")
    qtbot.addWidget(window)
    startup.attach(window, starter_pack, lambda exc: None)
    window.show()
    qtbot.waitUntil(lambda: window.first_paint.fired, timeout=3000)
    return startup, workspace, window, exits


def test_a_damaged_database_is_met_after_the_first_paint_and_never_read(qtbot, tmp_path: Path, starter_pack: Path,
                                                                       monkeypatch) -> None:
    paths = damaged_folder(tmp_path)
    damaged = paths.progress_db.read_bytes()
    shown = []
    monkeypatch.setattr(RecoveryDialog, "exec", lambda self: shown.append(self.parent()) or 0)
    startup, workspace, window, exits = open_window_with_startup(qtbot, paths.root, starter_pack, monkeypatch)
    assert shown == [window]  # the recovery dialog opens over the window, once
    # The gate said no, so fire() scheduled none of the callbacks (due counts, backup, menus).
    assert exits == [1] and window.first_paint.fired and not window.first_paint.passed
    assert workspace._progress is None  # no due counts, backup or view opened the damaged file
    assert not window.show_view("flashcards") and workspace._progress is None
    assert paths.progress_db.read_bytes() == damaged
    window.close()
    startup.release()


def test_a_healthy_database_passes_the_gate_and_the_due_counts_follow(qtbot, tmp_path: Path, starter_pack: Path,
                                                                      monkeypatch) -> None:
    paths = DataPaths(tmp_path / "data")
    paths.root.mkdir()
    startup, workspace, window, exits = open_window_with_startup(qtbot, paths.root, starter_pack, monkeypatch)
    assert window.first_paint.passed and exits == []
    qtbot.waitUntil(lambda: workspace._progress is not None, timeout=2000)
    qtbot.waitUntil(lambda: "due" in window.status_due.text(), timeout=2000)
    assert window.show_view("flashcards")
    window.close()
    workspace.close()
    startup.release()


@pytest.mark.parametrize("error", [OSError("disk I/O error"), ValueError("a bug in the check")])
def test_a_failing_database_check_is_explained_and_quits_rather_than_half_starting(
        qtbot, tmp_path: Path, starter_pack: Path, monkeypatch, error: Exception) -> None:
    paths = DataPaths(tmp_path / "data")
    paths.root.mkdir()

    def broken_check(path, timeout=1.0, backups_dir=None):
        raise error

    monkeypatch.setattr(backups, "check_database", broken_check)
    told = []
    monkeypatch.setattr(QMessageBox, "exec", lambda box: told.append((box.text(), box.informativeText())))
    startup, workspace, window, exits = open_window_with_startup(qtbot, paths.root, starter_pack, monkeypatch)
    # The check runs on the runner: what failed there is said in a dialog (a bug only as
    # "unexpected", its traceback in the log), and the window does not go on half-started.
    assert exits == [1] and not window.first_paint.passed
    assert [text for text, _detail in told] == ["The progress database cannot be opened"]
    expected = "Disk I/O error" if isinstance(error, OSError) else "Something unexpected went wrong (ValueError)"
    assert expected in told[0][1]
    window.close()
    startup.release()


def test_an_old_schema_is_brought_up_to_date_on_the_runner_behind_a_dialog(qtbot, tmp_path: Path,
                                                                          monkeypatch) -> None:
    paths = DataPaths(tmp_path / "data")
    paths.root.mkdir()
    conn = db.connect(paths.progress_db)
    with db.transaction(conn):
        db.MIGRATIONS[0](conn)
        conn.execute("PRAGMA user_version = 1")
    conn.close()
    seen: dict[str, object] = {}
    real = db.MIGRATIONS[-1]

    def slow_last_step(step_conn) -> None:
        seen["thread"] = threading.current_thread()
        seen["release"].wait(10)  # held until the dialog has been seen from the UI thread
        real(step_conn)

    monkeypatch.setattr(db, "MIGRATIONS", [*db.MIGRATIONS[:-1], slow_last_step])
    seen["release"] = threading.Event()

    def look_at_the_dialog() -> None:
        dialogs = [w for w in QApplication.topLevelWidgets() if isinstance(w, QProgressDialog) and w.isVisible()]
        seen["label"] = dialogs[0].labelText() if dialogs else None
        seen["release"].set()

    QTimer.singleShot(600, look_at_the_dialog)  # the dialog shows after 400 ms
    startup = Startup(paths.root, "light")
    assert startup.claim()
    assert startup.database_ready() and startup.exit_code == 0
    assert seen["thread"] is not threading.main_thread()
    assert str(seen["label"]).startswith("Updating your progress database")
    check = db.connect(paths.progress_db)
    assert db.schema_version(check) == db.SCHEMA_VERSION
    check.close()
    assert any("before-v" in path.name for path in paths.backups.iterdir())  # the backup came first
    startup.release()


def test_a_locked_database_opens_after_retry_once_the_other_program_lets_go(qtbot, tmp_path: Path,
                                                                             monkeypatch) -> None:
    paths = DataPaths(tmp_path / "data")
    paths.root.mkdir()
    holder = db.connect(paths.progress_db)
    db.migrate(holder)
    holder.execute("BEGIN IMMEDIATE")
    asked = []

    def retry_after_release(box: QMessageBox) -> int:
        asked.append(box.text())
        if holder.in_transaction:
            holder.execute("ROLLBACK")  # the other program closes while the dialog is up
        retry = next(b for b in box.buttons() if box.standardButton(b) == QMessageBox.StandardButton.Retry)
        monkeypatch.setattr(box, "clickedButton", lambda: retry)
        return 0

    monkeypatch.setattr(QMessageBox, "exec", retry_after_release)
    startup = Startup(paths.root, "light")
    assert startup.claim()
    assert startup.database_ready() and startup.exit_code == 0
    assert asked == ["The progress database is in use by another program"]
    holder.close()
    startup.release()


def test_the_error_hook_logs_the_traceback_and_names_the_log(qtbot, tmp_path: Path, monkeypatch) -> None:
    import logging

    from genai_desktop.ui import app

    root = logging.getLogger()
    monkeypatch.setattr(root, "handlers", [])  # this test's log file, whatever ran before it
    shown = []
    monkeypatch.setattr(QMessageBox, "exec", lambda self: shown.append((self.text(), self.detailedText())))
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # restored after the test
    app.install_error_hook(tmp_path / "logs")
    try:
        raise ZeroDivisionError("a bug in a view")
    except ZeroDivisionError:
        sys.excepthook(*sys.exc_info())
    try:
        raise sqlite3.OperationalError("database or disk is full")
    except sqlite3.OperationalError:
        sys.excepthook(*sys.exc_info())
    for handler in root.handlers:
        handler.close()
    log = (tmp_path / "logs" / "genai-desktop.log").read_text(encoding="utf-8")
    assert "Traceback" in log and "a bug in a view" in log and "disk is full" in log
    (bug_text, bug_detail), (full_text, _) = shown
    assert "unexpected problem" in bug_text and str(tmp_path / "logs" / "genai-desktop.log") in bug_text
    assert bug_detail == "ZeroDivisionError: a bug in a view"
    assert full_text.startswith("The disk is full")


def test_backups_default_button_is_the_safe_one(make_window, qtbot, monkeypatch) -> None:
    window = make_window()
    backups.make_backup(window.workspace.progress.conn, window.workspace.paths.backups, "daily",
                        lambda: datetime(2025, 1, 1, 8, tzinfo=UTC))
    dialog = BackupsDialog(window.workspace, window.theme, window)
    qtbot.addWidget(dialog)
    assert dialog.close_button.isDefault()
    assert not dialog.restore_button.isDefault() and not dialog.restore_button.autoDefault()
    defaults = []
    monkeypatch.setattr(QMessageBox, "exec", lambda box: defaults.append(box.defaultButton().text()))
    dialog.restore_selected()
    assert defaults == ["Cancel"] or defaults == ["&Cancel"]
