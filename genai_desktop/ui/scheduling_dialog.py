"""Settings → Scheduling: FSRS fitted to the user's reviews, a suggested retention, the workload ahead.

Every computation is fsrs-rs, which holds the GIL while it runs, so each one runs in a worker
process (core/worker.py) waited on by the app's background thread (transfer_dialogs.Job): the
window keeps painting and Cancel ends the computation at once. Only the small writes that
follow (adopting weights, applying a retention) happen here, on the UI thread, each one
transaction.

Imported lazily from the Settings menu and the Flashcards view: nothing here is on the start-up path.
"""

from __future__ import annotations

import html
from collections.abc import Callable

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDoubleSpinBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ..core.changes import Changes
from ..core.store.db import transaction
from ..core.study import fsrs_fit
from ..core.study.session import NEW, StudySettings
from ..core.worker import WorkerCancelled, call_in_process
from . import theme as themes
from .charts import BarChart
from .dialog_buttons import button_row
from .runner import Cancelled, Job, Progress
from .transfer_dialogs import dialog_stylesheet

STEP_TEXT = {0: "Reading your reviews…", 1: "Fitting the 21 FSRS weights to your reviews…",
             2: "Scoring the weights in use…", 3: "Scoring the fitted weights…"}
SIMULATION_DELAY_MS = 350  # the simulator waits for typing to pause before it runs


def _in_worker(function: Callable, *args, job_of: Callable[[], Job | None]) -> Callable[[Progress], object]:
    """A Job's work: ``function(*args)`` in a worker process, ended when the job is cancelled."""
    def work(progress: Progress) -> object:
        job = job_of()
        try:
            return call_in_process(function, *args, progress=progress,
                                   cancelled=lambda: job is not None and job.cancel_requested)
        except WorkerCancelled:
            raise Cancelled from None
    return work


def weekly(values: list[float]) -> list[float]:
    """Daily values as the mean of each week (a year of days is too many bars to read)."""
    return [sum(values[i:i + 7]) / len(values[i:i + 7]) for i in range(0, len(values), 7)]


class SchedulingDialog(QDialog):
    """Optimise, suggest a retention, reset the weights, and see the workload ahead."""

    settings_changed = Signal()  # weights adopted or reset, or a retention applied

    def __init__(self, workspace, theme: themes.Theme, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self.theme = theme
        self.conn = workspace.progress.conn  # opens and migrates the database before a worker reads it
        self.path = str(workspace.paths.progress_db)
        self.job: Job | None = None  # optimise or suggest: one at a time, with the progress bar
        self.simulation: Job | None = None  # the workload chart's, in the background of the rest
        self.simulation_again = False  # inputs changed while one ran: run again when it ends
        self.last_result: fsrs_fit.FitResult | None = None
        self.suggestion: fsrs_fit.RetentionSuggestion | None = None
        self.setWindowTitle("Scheduling")
        self.setMinimumWidth(620)
        self.setStyleSheet(dialog_stylesheet(theme))

        layout = QVBoxLayout(self)
        layout.setContentsMargins(28, 24, 28, 22)
        layout.setSpacing(10)
        layout.addWidget(QLabel("Scheduling", objectName="TransferTitle"))
        layout.addWidget(QLabel(
            "FSRS predicts when you would forget each card. Its 21 weights start as averages over many "
            "people; fitted to your own reviews they predict yours better. New weights are kept only if they "
            "predict your reviews better than the ones in use.", objectName="TransferIntro", wordWrap=True))
        self.weights_label = QLabel("", objectName="Section", wordWrap=True)
        layout.addWidget(self.weights_label)

        self.optimise_button = QPushButton("Optimise from my reviews", objectName="Primary")
        self.optimise_button.setToolTip(f"Fit the weights to your reviews (needs {fsrs_fit.MIN_REVIEWS}+ reviews)")
        self.optimise_button.clicked.connect(self.optimise)
        self.suggest_button = QPushButton("Suggest retention")
        self.suggest_button.setToolTip("The retention that costs you least time per card remembered")
        self.suggest_button.clicked.connect(self.suggest)
        self.reset_button = QPushButton("Reset to defaults")
        self.reset_button.setToolTip("Go back to FSRS-6's default weights")
        self.reset_button.clicked.connect(self.reset)
        actions = QHBoxLayout()
        actions.setSpacing(8)
        for button in (self.optimise_button, self.suggest_button, self.reset_button):
            actions.addWidget(button)
        actions.addStretch(1)
        layout.addLayout(actions)

        self.work_row = QWidget()
        work = QHBoxLayout(self.work_row)
        work.setContentsMargins(0, 0, 0, 0)
        self.work_label = QLabel("", objectName="Muted")
        self.bar = QProgressBar(textVisible=False)
        self.bar.setFixedHeight(8)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(self.cancel)
        work.addWidget(self.work_label)
        work.addWidget(self.bar, 1)
        work.addWidget(self.cancel_button)
        self.work_row.hide()
        layout.addWidget(self.work_row)

        self.result = QLabel("", objectName="ResultLine", wordWrap=True)
        self.result.hide()
        layout.addWidget(self.result)
        self.apply_button = QPushButton("Use this retention")
        self.apply_button.clicked.connect(self.apply_suggestion)
        self.apply_button.hide()
        layout.addLayout(button_row(leading=[self.apply_button]))

        line = QFrame(frameShape=QFrame.Shape.HLine)
        line.setStyleSheet(f"color: {theme.border};")
        layout.addSpacing(6)
        layout.addWidget(line)
        layout.addWidget(QLabel("Workload ahead", objectName="Section"))
        inputs = QHBoxLayout()
        inputs.setSpacing(8)
        settings = StudySettings.load(self.conn)
        self.sim_new = QSpinBox(minimum=0, maximum=500, value=min(500, settings.new_per_day), suffix=" new a day")
        low, high = StudySettings.LIMITS["desired_retention"]
        self.sim_retention = QDoubleSpinBox(decimals=2, minimum=low, maximum=high, singleStep=0.01,
                                            value=settings.desired_retention, prefix="retention ")
        self.days_group = QButtonGroup(self)
        # Chips, as the Stats view's time ranges: the chosen span shows as chosen.
        self.month_button = QPushButton("30 days", checkable=True, checked=True, objectName="RangeChip")
        self.year_button = QPushButton("365 days", checkable=True, objectName="RangeChip")
        for days, button in ((30, self.month_button), (365, self.year_button)):
            self.days_group.addButton(button, days)
        for widget in (self.sim_new, self.sim_retention, self.month_button, self.year_button):
            inputs.addWidget(widget)
        inputs.addStretch(1)
        layout.addLayout(inputs)
        self.chart = BarChart(theme, "good")
        layout.addWidget(self.chart)
        self.sim_caption = QLabel("", objectName="Muted", wordWrap=True)
        # Room for the three lines the caption takes at the narrowest width, kept from the start:
        # the dialog does not grow (and nothing moves) when the first simulation arrives.
        self.sim_caption.ensurePolished()
        self.sim_caption.setMinimumHeight(3 * self.sim_caption.fontMetrics().lineSpacing())
        layout.addWidget(self.sim_caption)
        self.close_button = QPushButton("Close")
        self.close_button.clicked.connect(self.reject)
        layout.addSpacing(8)
        layout.addLayout(button_row(self.close_button))

        self.sim_timer = QTimer(self, singleShot=True, interval=SIMULATION_DELAY_MS, timeout=self.simulate)
        self.sim_new.valueChanged.connect(self.sim_timer.start)
        self.sim_retention.valueChanged.connect(self.sim_timer.start)
        self.days_group.idToggled.connect(lambda _id, on: on and self.sim_timer.start())
        self._show_weights()
        self.simulate()

    # ------------------------------------------------------------ what is in use
    def _show_weights(self) -> None:
        settings = StudySettings.load(self.conn)
        if settings.parameters:
            self.weights_label.setText(f"In use: weights fitted to your reviews · desired retention "
                                       f"{settings.desired_retention:.2f}")
        else:
            self.weights_label.setText(f"In use: FSRS-6's default weights · desired retention "
                                       f"{settings.desired_retention:.2f}")
        self.reset_button.setEnabled(bool(settings.parameters) and self.job is None)

    def _deck_size(self) -> int:
        """Cards in the library not studied yet: what the simulator has to start."""
        studied = {qid for (qid,) in self.conn.execute("SELECT question_id FROM cards WHERE state != ?", (NEW,))}
        return sum(1 for q in self.workspace.library.questions() if q.id not in studied)

    # ------------------------------------------------------------ optimise and suggest
    def _start(self, message: str, work: Callable[[Progress], object], done: Callable[[object], None]) -> None:
        self.result.hide()
        self.apply_button.hide()
        self.work_label.setText(message)
        self.bar.setRange(0, 0)  # busy until the first progress report
        self.cancel_button.setEnabled(True)
        self.work_row.show()
        self._fit_height()
        for button in (self.optimise_button, self.suggest_button, self.reset_button):
            button.setEnabled(False)
        self.job = Job(work, self)
        self.job.progressed.connect(self._on_progress)
        self.job.succeeded.connect(done)
        self.job.failed.connect(lambda message: self._show_result(html.escape(message), ok=False))
        self.job.finished.connect(self._on_finished)
        self.job.start()

    def _on_progress(self, done: int, total: int) -> None:
        self.bar.setRange(0, max(1, total))
        self.bar.setValue(done)
        if done in STEP_TEXT and total == fsrs_fit.OPTIMISE_STEPS:
            self.work_label.setText(STEP_TEXT[done])

    def _on_finished(self) -> None:
        self.work_row.hide()
        self.job = None
        self.optimise_button.setEnabled(True)
        self.suggest_button.setEnabled(True)
        self._show_weights()

    def cancel(self) -> None:
        if self.job is not None:
            self.job.cancel_requested = True
            self.cancel_button.setEnabled(False)
            self.work_label.setText("Cancelling…")

    def optimise(self) -> None:
        self._start(STEP_TEXT[0], _in_worker(fsrs_fit.optimise_file, self.path, job_of=lambda: self.job),
                    self._on_optimised)

    def _on_optimised(self, result: fsrs_fit.FitResult) -> None:
        self.last_result = result
        adopted = fsrs_fit.adopt(self.conn, result)
        rows = "".join(
            f"<tr><td>{name}&nbsp;&nbsp;</td><td align='right'>{e.log_loss:.4f}&nbsp;&nbsp;</td>"
            f"<td align='right'>{100 * e.rmse_bins:.2f} %</td></tr>"
            for name, e in (("Weights in use", result.before), ("Fitted weights", result.after)))
        table = (f"<table cellspacing='0'><tr><td></td><td>Log loss&nbsp;&nbsp;</td><td>RMSE (bins)</td></tr>"
                 f"{rows}</table>")
        if adopted:
            verdict = "<b>Adopted:</b> the fitted weights predict your reviews better and are now in use."
        elif result.better:
            verdict = ("<b>Kept the weights in use:</b> they were changed while the fit ran; optimise again to "
                       "compare with them.")
        else:
            verdict = "<b>Kept the weights in use:</b> the fitted ones do not predict your reviews better."
        self._show_result(f"Fitted to {result.reviews:,} reviews of {result.cards:,} cards (lower is better).<br>"
                          f"{table}{verdict}")
        if adopted:
            self.settings_changed.emit()
            self.simulate()

    def suggest(self) -> None:
        new_per_day = max(1, StudySettings.load(self.conn).new_per_day)
        self._start("Simulating a year at different retentions…",
                    _in_worker(fsrs_fit.suggest_file, self.path, new_per_day, self._deck_size(),
                               job_of=lambda: self.job), self._on_suggested)

    def _on_suggested(self, suggestion: fsrs_fit.RetentionSuggestion) -> None:
        self.suggestion = suggestion
        work = suggestion.workload
        note = ""
        if abs(suggestion.optimum - suggestion.retention) > 0.005:
            note = (f" (the optimum, {suggestion.optimum:.2f}, is outside the {fsrs_fit.RETENTION_RANGE[0]:.2f}–"
                    f"{fsrs_fit.RETENTION_RANGE[1]:.2f} the settings allow)")
        self._show_result(
            f"<b>Suggested retention: {suggestion.retention:.2f}</b>{note}. With {work.new_per_day} new cards a "
            f"day that is about {work.mean_reviews:.0f} reviews and {work.mean_minutes:.0f} minutes a day over "
            "the next year.")
        current = StudySettings.load(self.conn).desired_retention
        self.apply_button.setText(f"Use {suggestion.retention:.2f} (now {current:.2f})")
        self.apply_button.setVisible(abs(current - suggestion.retention) > 1e-9)

    def apply_suggestion(self) -> None:
        if self.suggestion is None:
            return
        with transaction(self.conn):
            settings = StudySettings.load(self.conn)
            settings.desired_retention = self.suggestion.retention
            settings.save(self.conn)
        self.apply_button.hide()
        self.sim_retention.setValue(self.suggestion.retention)
        self._show_weights()
        self.settings_changed.emit()

    def reset(self) -> None:
        fsrs_fit.reset_parameters(self.conn)
        self._show_result("Back to FSRS-6's default weights.")
        self._show_weights()
        self.settings_changed.emit()
        self.simulate()

    def _show_result(self, text: str, *, ok: bool = True) -> None:
        self.result.setStyleSheet("" if ok else f"color: {self.theme.again};")
        self.result.setText(text)
        self.result.show()
        self._fit_height()

    def _fit_height(self) -> None:
        """Grow (never shrink) to fit what has just appeared. A window's minimum size ignores a
        wrapped label's height for its width, so the layout would squeeze a long result, or
        the caption, over the chart instead."""
        needed = self.layout().totalHeightForWidth(self.width())
        if needed > self.height():
            self.resize(self.width(), needed)

    # ------------------------------------------------------------ the workload simulator
    def days(self) -> int:
        return self.days_group.checkedId()

    def simulate(self) -> None:
        """Run the simulator for the inputs shown; while one runs, run again when it ends."""
        if self.simulation is not None:
            self.simulation_again = True
            return
        self.simulation_again = False
        self.sim_caption.setText("Simulating…")
        work = _in_worker(fsrs_fit.workload_file, self.path, round(self.sim_retention.value(), 2),
                          self.sim_new.value(), self.days(), self._deck_size(), job_of=lambda: self.simulation)
        self.simulation = Job(work, self)
        self.simulation.succeeded.connect(self._on_simulated)
        self.simulation.failed.connect(self._on_simulation_failed)
        self.simulation.finished.connect(self._on_simulation_finished)
        self.simulation.start()

    def _on_simulation_failed(self, message: str) -> None:
        self.sim_caption.setText(message)
        self._fit_height()

    def _on_simulation_finished(self) -> None:
        self.simulation = None
        if self.simulation_again:
            self.simulate()

    def _on_simulated(self, work: fsrs_fit.Workload) -> None:
        if self.simulation_again:
            return  # the inputs changed meanwhile: the next run draws the chart
        if len(work.reviews) > 31:
            values = [round(v) for v in weekly([float(n) for n in work.reviews])]
            labels = [f"wk {i + 1}" if i % 8 == 0 else "" for i in range(len(values))]
            what = "Reviews a day, the mean of each week"
        else:
            values = list(work.reviews)
            labels = ["today" if i == 0 else (f"+{i}d" if i % 7 == 0 else "") for i in range(len(values))]
            what = "Reviews each day"
        self.chart.set_data(values, labels)
        studied_note = "Only cards not studied yet are simulated; cards you know add their own reviews."
        self.sim_caption.setText(
            f"{what}, starting {work.new_per_day} new cards a day at retention {work.retention:.2f}: "
            f"about {work.mean_reviews:.0f} reviews and {work.mean_minutes:.0f} minutes a day on average. "
            f"{studied_note}")
        self._fit_height()

    # ------------------------------------------------------------ closing
    def reject(self) -> None:
        for job in (self.job, self.simulation):
            if job is not None:
                job.cancel_requested = True
        for job in (self.job, self.simulation):
            if job is not None:
                job.wait()  # its worker process is ended within one poll (core/worker.py)
        super().reject()


def show_scheduling(window) -> SchedulingDialog:
    """Open the dialog for the main window; the Flashcards view follows what it changes."""
    dialog = SchedulingDialog(window.workspace, window.theme, window)
    dialog.settings_changed.connect(lambda: window.apply_changes(Changes(settings=True)))
    dialog.finished.connect(dialog.deleteLater)
    dialog.open()
    return dialog
