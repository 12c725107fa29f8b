"""Starting the GUI: the QApplication, theme, error handling and the main window."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QTimer, QtMsgType, qInstallMessageHandler
from PySide6.QtWidgets import QApplication

from .. import startup_gc
from ..core.workspace import Workspace
from ..paths import APP_NAME, ORG_NAME, resources_dir
from . import theme as themes


def _log():
    """The app's logger. logging and traceback cost ~8 ms to import, so they load only when
    something is worth writing down, never on the way to the first paint."""
    import logging

    return logging.getLogger("genai_desktop")


# How long a runner thread in Python may keep the interpreter while the UI thread waits for it
# (CPython's default is 5 ms). Every event the UI thread handles in Python waits for the
# interpreter; with the search index being built at a first start, the window went 300 ms
# without an event at 5 ms and 140 ms at 1 ms (bench_freeze's start step). The runner's work
# gets a little slower; the window stays responsive.
UI_SWITCH_INTERVAL_S = 0.001


def make_application(argv: list[str] | None = None) -> QApplication:
    sys.setswitchinterval(UI_SWITCH_INTERVAL_S)
    app = QApplication.instance()
    if app is None:
        # Fusion chosen on the command line stays in C++: QApplication.setStyle() would hand
        # the style to Python and build QStyle's enums first (~6 ms of start-up).
        app = QApplication([*(argv or sys.argv[:1]), "-style", "Fusion"])
        app.setProperty(themes.FUSION_SET, True)
    app.setApplicationName(APP_NAME)
    app.setOrganizationName(ORG_NAME)
    app.setApplicationDisplayName(APP_NAME)
    app.setDesktopFileName("genai-study-desk")
    return app


def set_app_icon(app: QApplication) -> None:
    """Called after the first paint: the window manager picks the icon up whenever it is set.
    PNGs rendered from app.svg by packaging/make_icons.py need no SVG icon engine, and the
    platform picks the size it needs (16 px title bar ... 256 px)."""
    from PySide6.QtGui import QIcon

    icon = QIcon()
    for png in sorted((resources_dir() / "icons").glob("app-*.png")):
        icon.addFile(str(png))
    if not icon.isNull():
        app.setWindowIcon(icon)


def setup_logging(log_dir: Path) -> Path:
    from .. import logs  # logging.handlers costs ~10 ms: imported after the first paint

    return logs.setup(log_dir)


def install_error_hook(log_dir: Path) -> None:
    """Log every uncaught exception and show a calm dialog instead of dying silently."""
    log_path = log_dir / "genai-desktop.log"

    def hook(kind, value, tb) -> None:
        setup_logging(log_dir)
        import traceback

        _log().error("Uncaught exception:\n%s", "".join(traceback.format_exception(kind, value, tb)))
        if QApplication.instance() is not None:
            from ..core.store.data_folder import describe_storage_error

            # A full disk, a read-only folder or a locked database is not a bug: say what happened.
            what = (describe_storage_error(value)
                    or "The app hit an unexpected problem. Your reviews and notes are saved.")
            from PySide6.QtWidgets import QMessageBox

            box = QMessageBox(QMessageBox.Icon.Warning, "Something went wrong",
                              f"{what}\n\nDetails were written to the log:\n{log_path}")
            box.setDetailedText(f"{kind.__name__}: {value}")
            box.exec()

    def qt_messages(mode, _context, message) -> None:
        import logging

        level = {QtMsgType.QtWarningMsg: logging.WARNING, QtMsgType.QtCriticalMsg: logging.ERROR,
                 QtMsgType.QtFatalMsg: logging.CRITICAL}.get(mode, logging.DEBUG)
        _log().log(level, "Qt: %s", message)

    sys.excepthook = hook
    qInstallMessageHandler(qt_messages)


def build_window(workspace: Workspace, theme_choice: str = "system"):
    from .main_window import MainWindow

    # A rebuild of the search index is a long run of Python: in a child process it leaves this
    # interpreter to the window (core/search/build.py).
    workspace.build_index_elsewhere = True
    return MainWindow(workspace, theme_choice)  # applies its theme to the application


def run_gui(data_dir: Path, theme_choice: str | None = None) -> int:
    from .startup_checks import Startup

    app = make_application()
    install_error_hook(data_dir / "logs")
    # One app per data folder, a writable folder, a healthy database: each explained if not
    # (the database right after the first paint, before anything reads it).
    startup = Startup(data_dir, theme_choice)
    if not startup.claim():
        return startup.exit_code
    try:
        workspace = Workspace(data_dir)
    except OSError as exc:  # the folder cannot be created or read; the database opens later
        _log().error("Cannot open data folder %s: %s", data_dir, exc)
        from PySide6.QtWidgets import QMessageBox

        QMessageBox.critical(None, APP_NAME, f"{APP_NAME} cannot open its data folder.\n\n{exc}")
        startup.release()
        return 1
    window = build_window(workspace, theme_choice or "system")
    if theme_choice:
        window.set_theme(theme_choice)
    app.aboutToQuit.connect(window.save_state)
    startup.attach(window, workspace.content_root, lambda message: _log().warning("Daily backup failed: %s", message))
    window.show()
    # The collector normally resumes after the first frame; a window that is never painted
    # (started hidden) must not keep it off.
    QTimer.singleShot(10_000, startup_gc.resume)
    window.first_paint.callbacks += [lambda: setup_logging(data_dir / "logs"), lambda: set_app_icon(app)]
    code = app.exec()
    workspace.close()
    startup.release()
    return code
