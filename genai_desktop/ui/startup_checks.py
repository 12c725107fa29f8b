"""What happens around the main window: one instance per data folder, a usable folder, a healthy database.

Each check either passes silently or explains itself in a dialog; none of them deletes
anything. The folder and the single-instance lock are checked before the window is built.
The database check (and any migration) runs right after the first paint, on the runner, and
before anything reads the database (due counts, backups, the views): the window shows sooner,
keeps painting while a large database is checked, and sqlite3 stays off the way to the first paint.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QApplication

from ..core.store.data_folder import FolderProblem, check_content, check_data_folder
from ..paths import APP_NAME, DataPaths
from . import theme as themes
from .settings import Settings
from .single_instance import SingleInstance

if TYPE_CHECKING:
    from ..core.store.backups import Health


def apply_saved_theme(paths: DataPaths, choice: str | None) -> themes.Theme:
    """Dialogs shown before the window get the theme the window will have."""
    saved = Settings(paths.settings_file).get_str("theme", choice or "system") if paths.root.is_dir() else "system"
    theme = themes.resolve(choice or saved or "system")
    themes.apply(QApplication.instance(), theme)
    return theme


def show_problem(problem: FolderProblem, parent=None) -> None:
    from PySide6.QtWidgets import QMessageBox

    box = QMessageBox(QMessageBox.Icon.Warning if problem.fatal else QMessageBox.Icon.Information,
                      APP_NAME, problem.title, parent=parent)
    box.setInformativeText(problem.message)
    box.exec()


def claim_instance(data_dir: Path) -> SingleInstance | None:
    """This process's claim on the data folder, or None when another app already runs on it."""
    instance = SingleInstance(data_dir)
    if instance.claim():
        return instance
    if not instance.notify_running():
        from PySide6.QtWidgets import QMessageBox

        pid = instance.holder_pid()
        QMessageBox.information(
            None, APP_NAME,
            f"{APP_NAME} is already running with this data folder"
            + (f" (process {pid})" if pid else "")
            + ". Switch to its window; opening the same progress twice is not allowed, so nothing is lost.")
    return None


def resolve_database(paths: DataPaths, health: Health, theme: themes.Theme, parent=None) -> bool:
    """Deal with what the database check found (not ok): True when the user chose a way on
    (Retry once another program lets go, a restored backup, a fresh start), to be checked again."""
    from PySide6.QtWidgets import QMessageBox

    from ..core.store import backups

    if health.kind == "locked":
        box = QMessageBox(QMessageBox.Icon.Warning, APP_NAME, "The progress database is in use by another program",
                          parent=parent)
        box.setInformativeText(
            f"Another program holds {paths.progress_db} (a database browser, a backup or sync tool). "
            "Nothing has been changed. Close that program and choose Retry.")
        retry = box.addButton(QMessageBox.StandardButton.Retry)
        box.addButton("Quit", QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(retry)
        box.exec()
        return box.clickedButton() is retry
    # An unreadable file is met with the backups too, when there are any to offer.
    if health.kind == "corrupt" or (health.kind == "unreadable" and backups.list_backups(paths.backups)):
        from .backups_dialog import style_dialog
        from .recovery_dialog import QUIT, RecoveryDialog

        dialog = RecoveryDialog(paths.progress_db, paths.backups, health.detail, parent)
        style_dialog(dialog, theme)
        dialog.exec()
        return dialog.outcome != QUIT
    box = QMessageBox(QMessageBox.Icon.Warning, APP_NAME, "The progress database cannot be opened", parent=parent)
    box.setInformativeText(f"{paths.progress_db}\n\n{health.detail}\n\nNothing has been changed or deleted.")
    box.exec()
    return False


def _what_the_wait_is(done: int, _total: int) -> str:
    if done == 1:  # backups.prepare_database announces a migration
        return ("Updating your progress database for this version of the app…\n\n"
                "A backup is made first. This happens once; with a long review history it can "
                "take a minute.")
    return "Checking your progress database…"


class Startup:
    """The checks around building the main window, in the order ``run_gui`` calls them."""

    def __init__(self, data_dir: Path, theme_choice: str | None) -> None:
        self.paths = DataPaths(data_dir)
        self.theme_choice = theme_choice
        self.instance: SingleInstance | None = None
        self.exit_code = 0

    def claim(self) -> bool:
        """A usable folder and no other app on it."""
        problem = check_data_folder(self.paths.root)
        if problem is not None:
            apply_saved_theme(self.paths, self.theme_choice)
            show_problem(problem)
            self.exit_code = 1
            return False
        self.instance = claim_instance(self.paths.root)
        if self.instance is None:
            self.exit_code = 0  # the running window was raised (or the user was told): not an error
            return False
        return True

    def database_ready(self, window=None) -> bool:
        """Check the progress database (``PRAGMA quick_check``, a write lock), bring its schema
        up to date, and deal with what is found, in dialogs over ``window`` if given; True when
        the app may open it. The check and the migration run on the runner (seconds at a
        million reviews) while the window keeps painting."""
        health = self._prepare(window)
        while not health.ok:
            theme = window.theme if window is not None else apply_saved_theme(self.paths, self.theme_choice)
            if not resolve_database(self.paths, health, theme, window):
                self.exit_code = 1
                return False
            health = self._prepare(window)  # after Retry, or on the restored backup (maybe of an older schema)
        return True

    def _prepare(self, window) -> Health:
        from .runner import JobFailed, run_and_wait

        paths = self.paths

        def prepare(progress) -> Health:
            # Imported here, on the runner: the first paint leaves sqlite3 and dataclasses out
            # (test_startup_path.py), and importing them on the UI thread just after it was
            # its longest stall while a large database opened (~57 ms).
            from ..core.store import backups

            return backups.prepare_database(paths.progress_db, paths.backups, progress)

        try:
            health = run_and_wait(prepare, name="open-progress", says=_what_the_wait_is, parent=window)
        except JobFailed as exc:  # the disk (full, read-only) while backing up or migrating
            from ..core.store.backups import Health

            return Health("unreadable", str(exc))
        if health is None:  # the app is closing (the runner cancelled the wait)
            from ..core.store.backups import Health

            return Health("unreadable", "The app is closing.")
        return health

    def attach(self, window, content_root: Path, on_backup_error) -> None:
        """Before the window shows: its first paint checks the database, and only a usable
        database lets the rest (due counts, a daily backup, listening for a second launch) run."""
        from .single_instance import bring_to_front

        def database_gate() -> bool:
            try:
                ready = self.database_ready(window)
            except Exception:
                # Not a half-started window with empty menus: quit once the error hook has
                # logged and explained it.
                QApplication.exit(1)
                raise
            if not ready:
                QApplication.exit(self.exit_code)
            return ready

        window.first_paint.gate = database_gate
        if self.instance is not None:
            self.instance.activated.connect(lambda: bring_to_front(window))
            window.first_paint.callbacks.append(self.instance.listen)

        def daily_backup() -> None:
            from ..core.store import backups
            from .runner import run_in_background

            # A large database can take longer than a frame to copy.
            run_in_background(lambda _progress: backups.daily_backup(self.paths.progress_db,
                                                                              self.paths.backups),
                              failed=on_backup_error, name="daily-backup")

        window.first_paint.callbacks.append(daily_backup)
        problem = check_content(content_root)
        if problem is not None:
            window.first_paint.callbacks.append(lambda: show_problem(problem, window))

    def release(self) -> None:
        if self.instance is not None:
            self.instance.release()
            self.instance = None
