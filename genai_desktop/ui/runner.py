"""The one way the UI runs work that can take longer than a frame, in the spirit of Anki's
``QueryOp``/``CollectionOp``: a core function runs on a worker thread, on its own SQLite
connection when it needs the database, reports progress, can be cancelled where the work
allows, and delivers its result (or a message for the user) back on the UI thread.

- ``Job(work)`` runs ``work(progress)``; ``Job(work, db_path=...)`` runs ``work(conn, progress)``
  with a connection opened on the worker thread and closed when the work ends. SQLite
  connections never cross threads (the app opens them with the default ``check_same_thread``).
- ``progress(done, total)`` reports to the UI and raises ``Cancelled`` once ``cancel()`` was
  called, so cancellable work stops at its next report and leaves nothing half-done.
- A ``UserError`` (core/errors.py) is a message written for the user: ``failed`` carries it;
  so does a storage failure (a full disk, a locked or unreadable database), in the words of
  core/errors.py ``storage_message``. Anything else is a bug: it is logged with its traceback and the user sees a short
  "unexpected" message instead of a traceback.

``run_in_background`` wires the signals for the common case; dialogs that show a progress bar
connect to a ``Job``'s signals themselves (and, owning it, wait for it before they close).
"""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QThread, QTimer, Signal

if TYPE_CHECKING:
    from PySide6.QtWidgets import QWidget

from ..core.errors import UserError
from ..core.memory import share_one_heap

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]
GO_AFTER_S = 0.05  # a job's work waits at most this long for the UI thread's pass to end (Job.start)
UNEXPECTED = ("Something unexpected went wrong ({error}). The details are in the log "
              "(Help → Show log); nothing was changed.")


_running: set[Job] = set()  # started and not finished: waited for before the app's databases close
# Started and not yet fully ended. A Job's ``finished`` reaches the UI thread while its thread
# may still be ending; were the last reference dropped then, the garbage collector (holding the
# interpreter) could destroy the QThread, whose destructor waits for that thread, which needs
# the interpreter to end: both wait for ever (seen in CI). Kept here until ``isFinished()``.
_kept: set[Job] = set()


class Cancelled(Exception):
    """Raised from a progress callback once the user pressed Cancel."""


class Job(QThread):
    """Runs ``work`` off the UI thread; see the module's docstring."""

    progressed = Signal(int, int)
    succeeded = Signal(object)
    failed = Signal(str)

    def __init__(self, work: Callable[..., Any], owner: QObject | None = None, *,
                 db_path: Path | None = None, name: str = "") -> None:
        # No Qt parent: a dialog or window deleted while its work runs would delete a running
        # QThread, and Qt aborts the process. The runner keeps the Job until it finishes;
        # ``owner`` (the dialog that started it) only names who is waiting for it.
        super().__init__(None)
        self.owner = owner
        self.work = work
        self.db_path = db_path
        self.cancel_requested = False
        self._go = threading.Event()  # set once the UI thread's pass that started the job is done
        self.setObjectName(name or getattr(work, "__name__", "job"))
        self.finished.connect(self._ended)

    def _ended(self) -> None:
        _running.discard(self)
        if self.isFinished():
            _kept.discard(self)
        else:  # its thread is still ending: let go once it has
            QTimer.singleShot(5, self._ended)

    def start(self, *args: Any) -> None:
        _running.add(self)
        _kept.add(self)
        _share_the_interpreter()
        share_one_heap()  # before the thread exists: its allocations go to the main heap
        super().start(*args)
        # The work begins once the UI thread is through the pass that started it, the paint
        # that pass asked for included (a timer fires after the posted events). Begun at once,
        # it took the interpreter between each of the paint's calls into Python (a delegate per
        # row): leaving a study session painted the deck list in 5-22 ms instead of 5.
        QTimer.singleShot(1, self._go.set)

    def wait(self, *args: Any) -> bool:
        """QThread.wait; the work begins at once (the UI thread is waiting for it, not painting)."""
        self._go.set()
        return super().wait(*args)

    def cancel(self) -> None:
        self.cancel_requested = True

    def _progress(self, done: int, total: int) -> None:
        if self.cancel_requested:
            raise Cancelled
        self.progressed.emit(done, total)

    def run(self) -> None:
        self._go.wait(GO_AFTER_S)  # a UI thread blocked longer (waiting for this job, say) does not hold it up
        try:
            result = self._call()
        except Cancelled:
            pass  # whoever cancelled closes or resets its view when the thread finishes
        except UserError as exc:  # written for the user (ExportError, TransferError, BackupError…)
            self.failed.emit(str(exc))
        except Exception as exc:
            from ..core.errors import storage_message

            storage = storage_message(exc)
            if storage is not None:  # the disk or the database file, not the code: said in words
                log.warning("background job %s: %s", self.objectName(), exc)
                self.failed.emit(storage[:1].upper() + storage[1:])
            else:  # a bug: never a traceback in the user's face; the log has it
                log.exception("background job %s failed", self.objectName())
                self.failed.emit(UNEXPECTED.format(error=type(exc).__name__))
        else:
            self.succeeded.emit(result)

    def _call(self) -> Any:
        if self.db_path is None:
            return self.work(self._progress)
        from ..core.store import db

        conn = db.connect(self.db_path)  # this thread's own; WAL lets the window keep reading
        try:
            return self.work(conn, self._progress)
        finally:
            conn.close()


# How long a thread may keep the interpreter while another waits for it. Python's 5 ms default
# is made for throughput: with a job computing in Python, the UI thread waited up to 5 ms at each
# of the many calls a repaint makes into Python (item delegates, event filters), a third of a
# second per frame while a search index was rebuilt. At 1 ms the job runs a few percent slower.
SWITCH_INTERVAL_S = 0.001


def _share_the_interpreter() -> None:
    if sys.getswitchinterval() > SWITCH_INTERVAL_S:
        sys.setswitchinterval(SWITCH_INTERVAL_S)


def busy(ignoring: tuple[str, ...] = ()) -> bool:
    """Whether any job is still running (or its ``finished`` not yet delivered), other than
    those named in ``ignoring``: a scripted tour waits for the quiet before its next step."""
    return any(job.objectName() not in ignoring for job in _running)


def wait_for_all(timeout_ms: int = 30_000) -> None:
    """The app is closing: cancel what can be cancelled (at its next progress report) and let
    the rest finish (a backup, an index build) before the workspace closes its databases."""
    for job in list(_running):
        job.cancel()
    for job in list(_running):
        job.wait(timeout_ms)


def run_in_background(work: Callable[..., Any], *,
                      done: Callable[[Any], None] | None = None,
                      failed: Callable[[str], None] | None = None,
                      progress: Progress | None = None,
                      db_path: Path | None = None, name: str = "") -> Job:
    """Start ``work`` on a Job; the callbacks run on the UI thread. The runner keeps the Job
    until it finishes and then lets Qt delete it."""
    job = Job(work, None, db_path=db_path, name=name)
    if done is not None:
        job.succeeded.connect(done)
    if failed is not None:
        job.failed.connect(failed)
    if progress is not None:
        job.progressed.connect(progress)
    job.finished.connect(job.deleteLater)
    job.start()
    return job


def run_and_wait(work: Callable[[Progress], Any], *, name: str, says: Callable[[int, int], str],
                 parent: QWidget | None = None, dialog_after_ms: int = 400) -> Any:
    """Run ``work(progress)`` on a Job and return its result once it has ended, for the rare work
    nothing may go on without (the progress database's check and migration at start, which the
    views would otherwise open on the UI thread). The wait is a local event loop: the window keeps
    painting and the runner's other jobs keep reporting, while the user's input waits (Qt delivers
    it afterwards). Past ``dialog_after_ms`` a modal dialog says what is happening, in the words
    ``says(done, total)`` gives for the latest progress report (``(0, 0)`` before any).
    A failure (a ``UserError`` or the disk) raises ``JobFailed`` with the message for the user."""
    from PySide6.QtCore import QEventLoop, Qt
    from PySide6.QtWidgets import QLabel, QProgressDialog

    outcome: dict[str, Any] = {}
    loop = QEventLoop()
    job = Job(work, name=name)
    job.succeeded.connect(lambda result: outcome.setdefault("result", result))
    job.failed.connect(lambda message: outcome.setdefault("error", message))
    job.finished.connect(loop.quit)
    job.finished.connect(job.deleteLater)
    dialog = QProgressDialog(says(0, 0), "", 0, 0, parent)  # 0..0: a busy bar, no percentage to invent
    dialog.setCancelButton(None)  # the work cannot stop half-way (a migration is one transaction)
    dialog.setWindowModality(Qt.WindowModality.ApplicationModal)
    dialog.setMinimumDuration(0)
    dialog.setWindowTitle(parent.window().windowTitle() if parent is not None else "")
    dialog.reset()  # QProgressDialog shows itself on its own timer otherwise
    label = QLabel(says(0, 0), wordWrap=True)  # a few lines at a readable width, not one long one
    label.setFixedWidth(420)
    dialog.setLabel(label)

    def report(done: int, total: int) -> None:
        dialog.setLabelText(says(done, total))
        dialog.adjustSize()  # a longer message takes more lines

    job.progressed.connect(report)
    QTimer.singleShot(dialog_after_ms, dialog, lambda: dialog.show() if job.isRunning() else None)
    job.start()
    try:
        loop.exec(QEventLoop.ProcessEventsFlag.ExcludeUserInputEvents)
    finally:
        dialog.close()
        dialog.deleteLater()
    if "error" in outcome:
        raise JobFailed(outcome["error"])
    return outcome.get("result")


class JobFailed(UserError):
    """``run_and_wait``'s work failed; the message is the one written for the user."""


class Recount(QObject):
    """Work whose newest result is all that matters (a due badge, a deck list's counts), run on
    the runner one at a time: a request while a run is under way runs once more after it, with
    whatever inputs ``work`` reads then, so a burst of answers costs two runs, not one per answer.
    What is on screen stays until a result arrives (no flicker); ``done`` gets every result, in
    order, each newer than the last. ``db_path`` as for ``Job``."""

    def __init__(self, make_work: Callable[[], Callable[..., Any]], done: Callable[[Any], None], *,
                 failed: Callable[[str], None] | None = None, db_path: Path | None = None, name: str = "",
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        # ``make_work`` runs on the UI thread at each start: it reads what the work needs from
        # UI-side objects (the library, the settings boxes) so the work itself touches none.
        self.make_work = make_work
        self.done = done
        self.failed = failed
        self.db_path = db_path
        self.name = name
        self.running = False
        self.again = False

    def request(self) -> None:
        if self.running:
            self.again = True
            return
        self.running, self.again = True, False
        job = Job(self.make_work(), None, db_path=self.db_path, name=self.name)
        # Connected before it starts: a count of a small library can be done before a later connect.
        job.succeeded.connect(self._succeeded)
        job.failed.connect(self._failed)
        job.finished.connect(self._finished)
        job.finished.connect(job.deleteLater)
        job.start()

    def _succeeded(self, result: Any) -> None:
        self.done(result)

    def _failed(self, message: str) -> None:
        if self.failed is not None:
            self.failed(message)

    def _finished(self) -> None:
        self.running = False
        if self.again:
            self.request()
