"""The statistics view: a year heatmap, the reviews of a chosen time range (per period, answer
buttons, hour of day), forecast, card distributions (interval, stability, recall now), states,
leeches, mastery, and interview readiness with the mock scores over time.

The numbers come from core/study/stats.compute, run off the UI thread on a read-only connection of its
own (at a million reviews it takes longer than a frame); the view shows the last result until the
new one arrives, and a result that a newer request overtook is dropped.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from ..core.changes import Changes
from ..core.clock import system_clock
from ..core.store import db
from ..core.study import interview
from ..core.study import stats as core_stats
from ..core.study.session import LEECH_LAPSES, StudySettings
from ..core.workspace import Workspace
from . import theme as themes
from .charts import BarChart, Heatmap, ProgressList, StackedBar
from .interview.readiness import ReadinessPanel
from .runner import run_in_background

RANGE_NAMES = {"month": "1 month", "year": "1 year", "all": "All"}
_PERIOD_TITLES = {"day": "Reviews per day, last 30 days", "week": "Reviews per week, last year",
                  "month": "Reviews per month, all time"}
RECOMPUTE_AFTER_S = 600  # a view shown again unchanged keeps its figures this long at most (on_shown)
_BUTTONS = (("Again", "again"), ("Hard", "hard"), ("Good", "good"), ("Easy", "easy"))
def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.0%}"


class _Panel(QFrame):
    def __init__(self, title: str, body: QWidget, note: str = "") -> None:
        super().__init__(objectName="Panel")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(18, 14, 18, 14)
        layout.setSpacing(8)
        self.heading = QLabel(title, objectName="PanelTitle")
        layout.addWidget(self.heading)
        self.note = QLabel(note, objectName="Muted", wordWrap=True)
        layout.addWidget(self.note)
        self.note.setHidden(not note)  # once in the layout: a label without a parent would show as a window
        layout.addWidget(body)

    def set_note(self, text: str) -> None:
        self.note.setText(text)
        self.note.setVisible(bool(text))


class _Figure(QFrame):
    def __init__(self, caption: str) -> None:
        super().__init__(objectName="Panel")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(18, 14, 18, 14)
        self.value = QLabel("—", objectName="BigNumber")
        layout.addWidget(self.value)
        self.caption = QLabel(caption, objectName="Muted")
        layout.addWidget(self.caption)


class _ButtonsChart(QWidget):
    """Answer buttons: one bar for cards in learning, one for cards in review, each with its
    share of Again / Hard / Good / Easy."""

    def __init__(self, theme: themes.Theme) -> None:
        super().__init__()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        self.bars: dict[str, StackedBar] = {}
        self.captions: dict[str, QLabel] = {}
        for kind in ("learning", "review"):
            caption = QLabel(objectName="ChartCaption")
            bar = StackedBar(theme, percent=True)
            layout.addWidget(caption)
            layout.addWidget(bar)
            self.captions[kind], self.bars[kind] = caption, bar
        layout.addStretch(1)

    def set_data(self, buttons: dict[str, list[int]]) -> None:
        for kind, title in (("learning", "New and learning cards"), ("review", "Review cards")):
            counts = buttons.get(kind, [0, 0, 0, 0])
            total = sum(counts)
            correct = f" · {(total - counts[0]) / total:.0%} correct" if total else ""
            self.captions[kind].setText(f"{title} — {total:,} answer{'s' if total != 1 else ''}{correct}")
            self.bars[kind].set_data([(name, n, key) for (name, key), n in zip(_BUTTONS, counts, strict=True)])

    def set_theme(self, theme: themes.Theme) -> None:
        for bar in self.bars.values():
            bar.set_theme(theme)


class StatsView(QScrollArea):
    practise_requested = Signal(str)  # a topic id: start a mock interview on it
    computed = Signal()  # new numbers are on screen

    def __init__(self, workspace: Workspace, theme: themes.Theme, parent=None) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self.theme = theme
        # The view's own style sheet before its first child: set after, it restyled every widget
        # again (the Stats view's 48 ms of a first open); each widget added now is styled once.
        self.apply_theme()
        self.range_key = "month"
        self.data: core_stats.Stats | None = None
        self._generation = 0  # of the latest request: an older result arriving late is dropped
        self._shown_for: tuple | None = None  # the state (_state) the figures were last asked for
        self._count: Callable[..., object] | None = None  # asked for while hidden: started when shown
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        page = QWidget(objectName="StatsPage")
        layout = QVBoxLayout(page)
        layout.setContentsMargins(40, 28, 40, 32)
        layout.setSpacing(16)

        header = QHBoxLayout()
        header.addWidget(QLabel("Statistics", objectName="PageTitle"))
        header.addStretch(1)
        self.status = QLabel("", objectName="Muted")
        header.addWidget(self.status)
        header.addSpacing(12)
        self.range_group = QButtonGroup(self)
        self.range_buttons: dict[str, QPushButton] = {}
        for key, name in RANGE_NAMES.items():
            button = QPushButton(name, objectName="RangeChip", checkable=True, checked=key == self.range_key)
            button.setToolTip("The time range of the review charts: reviews, answer buttons, hours of the day")
            button.clicked.connect(lambda _checked=False, key=key: self.set_range(key))
            self.range_group.addButton(button)
            self.range_buttons[key] = button
            header.addWidget(button)
        layout.addLayout(header)

        figures = QHBoxLayout()
        figures.setSpacing(16)
        self.today_figure = _Figure("reviews today")
        self.streak_figure = _Figure("day streak")
        self.retention_figure = _Figure("true retention, last 30 days")
        self.total_figure = _Figure("reviews in all")
        self.leech_figure = _Figure("leeches")
        self.leech_figure.setToolTip(f"Cards forgotten in review {LEECH_LAPSES} times or more. The card browser "
                                     "(Ctrl+B) lists them under the Leech filter.")
        for figure in (self.today_figure, self.streak_figure, self.retention_figure, self.total_figure,
                       self.leech_figure):
            figures.addWidget(figure)
        layout.addLayout(figures)

        self.heatmap = Heatmap(theme)
        layout.addWidget(_Panel("Reviews over the past year", self.heatmap))

        grid = QGridLayout()
        grid.setSpacing(16)
        grid.setColumnStretch(0, 1)
        grid.setColumnStretch(1, 1)
        self.per_period = BarChart(theme, "accent")
        self.forecast = BarChart(theme, "easy")
        self.buttons = _ButtonsChart(theme)
        self.hourly = BarChart(theme, "accent")
        self.hourly.line_key = "good"
        self.intervals = BarChart(theme, "accent")
        self.stabilities = BarChart(theme, "easy")
        self.recalls = BarChart(theme, "good")
        self.per_period_panel = _Panel(_PERIOD_TITLES["day"], self.per_period)
        self.buttons_panel = _Panel("Answer buttons", self.buttons)
        self.hourly_panel = _Panel("Hours of the day", self.hourly,
                                   "Bars: reviews started in each hour. Line: the share answered correctly "
                                   "(not Again).")
        self.recall_panel = _Panel("Recall probability now", self.recalls)
        grid.addWidget(self.per_period_panel, 0, 0)
        grid.addWidget(_Panel("Due in the next 30 days", self.forecast), 0, 1)
        grid.addWidget(self.buttons_panel, 1, 0)
        grid.addWidget(self.hourly_panel, 1, 1)
        grid.addWidget(_Panel("Card intervals", self.intervals,
                              "Cards in review by the interval they were last given."), 2, 0)
        grid.addWidget(_Panel("Card stability", self.stabilities,
                              "Cards in review by FSRS stability: the days until recall falls to 90 %."), 2, 1)
        grid.addWidget(self.recall_panel, 3, 0)

        self.states = StackedBar(theme)
        self.retention_label = QLabel(objectName="RetentionTable", wordWrap=True)
        self.leech_label = QLabel(objectName="RetentionTable", wordWrap=True)
        states_body = QWidget()
        states_layout = QVBoxLayout(states_body)
        states_layout.setContentsMargins(0, 0, 0, 0)
        # The gap comes from the layout: stylesheet padding would give the label a frame, and Qt
        # indents a framed label's text by half an "x", out of line with the legend above.
        states_layout.setSpacing(6)
        states_layout.addWidget(self.states)
        states_layout.addWidget(self.retention_label)
        states_layout.addWidget(self.leech_label)
        states_layout.addStretch(1)
        grid.addWidget(_Panel("Cards", states_body,
                              "Young cards have an interval under 21 days; mature ones 21 days or more. "
                              "True retention counts the first review of a card each day: Again is a fail."), 3, 1)
        layout.addLayout(grid)

        self.mastery = ProgressList(theme)
        layout.addWidget(_Panel("Mastery by topic", self.mastery,
                                "A card is mastered when its FSRS stability is 21 days or more and its recall "
                                "probability is 90 % or more today."))
        self.readiness = ReadinessPanel(theme, with_topics=True)
        self.readiness.practise_requested.connect(self.practise_requested)
        layout.addWidget(_Panel("Interview readiness", self.readiness,
                                f"Per topic: {interview.MOCK_WEIGHT:.0%} the coverage of its questions at their "
                                f"latest mock in the last {interview.RECENT_DAYS} days, {interview.RECALL_WEIGHT:.0%} "
                                "the mean recall probability of its cards (a card never studied counts 0)."))
        layout.addStretch(1)
        self.setWidget(page)

    def on_shown(self) -> None:
        # Computed again only if something it shows may have moved since: at a million reviews
        # a computation is a second of the runner's time, and a view shown again unchanged
        # (switching tabs) needs none.
        if self._shown_for != self._state():
            self.refresh()

    def _state(self) -> tuple:
        """What the figures depend on: the library, the database's writes, the range, and the
        time (ten minutes: recall probabilities and due dates move with the clock)."""
        return (self.workspace.fingerprint, db.change_mark(self.workspace.progress.conn), self.range_key,
                int(system_clock().timestamp() // RECOMPUTE_AFTER_S))

    def on_changes(self, changes: Changes) -> None:
        if changes.progress and self.isVisible():  # hidden: counted again when shown
            self.refresh()

    def set_range(self, key: str) -> None:
        """Show the review charts over another time range ("month", "year", "all")."""
        if key not in RANGE_NAMES:
            raise ValueError(f"unknown range {key!r}")
        self.range_key = key
        self.range_buttons[key].setChecked(True)
        self.refresh()

    # ------------------------------------------------------------ loading
    def refresh(self) -> None:
        """Compute the numbers off the UI thread; the interview readiness (a few ms) is read here."""
        conn = self.workspace.progress.conn
        self._shown_for = self._state()
        settings = StudySettings.load(conn)
        self.readiness.set_data(interview.readiness(conn, self.workspace.library,
                                                    desired_retention=settings.desired_retention),
                                interview.mock_history(conn, 30))
        self._generation += 1
        generation = self._generation
        path, library = self.workspace.paths.progress_db, self.workspace.library
        range_days = core_stats.RANGES[self.range_key]

        def work(_progress) -> tuple[int, core_stats.Stats]:
            # A connection of its own: SQLite connections are not for two threads at once, and a
            # read-only one sees one consistent snapshot (WAL) while answers go on being written.
            reader = db.connect(path, read_only=True)
            try:
                return generation, core_stats.compute(
                    reader, library, day_start_hour=settings.day_start_hour,
                    desired_retention=settings.desired_retention, range_days=range_days,
                    parameters=settings.fsrs_parameters)
            finally:
                reader.close()

        self.status.setText("Counting…" if self.data is None else "Updating…")
        self._count = work
        if self.isVisible():
            self._start_count()
        # else filled before it shows (MainWindow.open_view): counted once it is on screen. The
        # runner lets a job begin after the pass that started it, first paint included; started
        # a pass before the view showed, the count took the interpreter from that paint
        # (the tour's first Stats open: 27 ms of painting, 5 without the count beside it).

    def _start_count(self) -> None:
        work, self._count = self._count, None
        if work is not None:
            # Bound methods of the view: delivered on the UI thread (queued), and dropped if the view is gone.
            run_in_background(work, done=self._computed, failed=self._failed, name="stats")

    def showEvent(self, event) -> None:  # noqa: N802
        super().showEvent(event)
        self._start_count()

    def _failed(self, message: str) -> None:
        self.status.setText(f"The statistics could not be read: {message}")

    def _computed(self, result: tuple[int, core_stats.Stats]) -> None:
        generation, data = result
        if generation != self._generation:
            return  # a newer request (another range, say) is on its way
        self.status.setText("")
        self.data = data
        self._show(data)
        self.computed.emit()

    def _show(self, data: core_stats.Stats) -> None:
        today = data.today
        self.today_figure.value.setText(f"{data.reviews_by_day.get(today, 0):,}")
        self.streak_figure.value.setText(f"{data.streak_days:,}")
        self.retention_figure.value.setText(_percent(data.retention.overall))
        self.total_figure.value.setText(f"{data.total_reviews:,}")
        self.leech_figure.value.setText(f"{data.leeches:,}")
        self.heatmap.set_data({d: n for d, n in data.reviews_by_day.items() if d > today - timedelta(days=372)},
                              today)
        self._show_periods(data)
        self.forecast.set_data(data.forecast, ["today" if i == 0 else (f"+{i}d" if i % 7 == 0 else "")
                                               for i in range(30)])
        self.buttons.set_data(data.answer_buttons)
        self.buttons_panel.heading.setText(f"Answer buttons, {self._range_phrase()}")
        self._show_hours(data)
        self.intervals.set_data(data.intervals, list(core_stats.DAY_LABELS),
                                tooltips=_count_tips(core_stats.DAY_LABELS, data.intervals, "card"))
        self.stabilities.set_data(data.stabilities, list(core_stats.DAY_LABELS),
                                  tooltips=_count_tips(core_stats.DAY_LABELS, data.stabilities, "card"))
        self.recalls.set_data(data.recalls, list(core_stats.RECALL_LABELS),
                              tooltips=_count_tips(core_stats.RECALL_LABELS, data.recalls, "card"))
        self.recall_panel.set_note(
            "Cards in review by the chance of recalling them today (FSRS)"
            + (f"; {data.mean_recall:.0%} on average." if data.mean_recall is not None else "."))
        c = data.state_counts
        self.states.set_data([("New", c["new"], "new_card"), ("Learning", c["learning"] + c["relearning"], "again"),
                              ("Young", c["young"], "good"), ("Mature", c["mature"], "easy"),
                              ("Suspended", c["suspended"], "hard")])
        r = data.retention
        self.retention_label.setText(
            f"True retention — young {_percent(r.young)} ({r.young_pass}/{r.young_total}) · "
            f"mature {_percent(r.mature)} ({r.mature_pass}/{r.mature_total}) · "
            f"overall {_percent(r.overall)}")
        self.leech_label.setText(
            f"Leeches — {data.leeches:,} card{'s' if data.leeches != 1 else ''} forgotten {LEECH_LAPSES}+ times"
            f" ({data.leeches_suspended:,} suspended); the card browser's Leech filter lists them."
            if data.leeches else f"Leeches — none (a card forgotten {LEECH_LAPSES} times in review becomes one).")
        self.mastery.set_data(data.mastery_by_topic)

    def _range_phrase(self) -> str:
        return {"month": "last 30 days", "year": "last year", "all": "all time"}[self.range_key]

    def _show_periods(self, data: core_stats.Stats) -> None:
        period, bars = data.reviews_per_period()
        self.per_period_panel.heading.setText(_PERIOD_TITLES[period])
        formats = {"day": "%d %b", "week": "%d %b", "month": "%b %Y"}
        labels = [start.strftime(formats[period]) for start, _n in bars]
        names = {"day": "", "week": "week of ", "month": ""}
        tips = [f"{names[period]}{start.strftime('%a %d %b %Y' if period != 'month' else '%B %Y')}: "
                f"{n:,} review{'s' if n != 1 else ''}" for start, n in bars]
        self.per_period.set_data([n for _start, n in bars], labels, tooltips=tips)

    def _show_hours(self, data: core_stats.Stats) -> None:
        reviews, correct = data.hourly_reviews, data.hourly_correct
        share = [100 * c / n if n else None for n, c in zip(reviews, correct, strict=True)]
        tips = [f"{h:02d}:00–{h:02d}:59: {n:,} review{'s' if n != 1 else ''}"
                + (f", {s:.0f} % correct" if s is not None else "")
                for h, (n, s) in enumerate(zip(reviews, share, strict=True))]
        self.hourly.set_data(reviews, [f"{h}h" if h % 3 == 0 else "" for h in range(24)], tooltips=tips, line=share)
        self.hourly_panel.heading.setText(f"Hours of the day, {self._range_phrase()}")

    # ------------------------------------------------------------ theme
    def set_theme(self, theme: themes.Theme) -> None:
        self.theme = theme
        for chart in (self.heatmap, self.per_period, self.forecast, self.buttons, self.hourly, self.intervals,
                      self.stabilities, self.recalls, self.states, self.mastery, self.readiness):
            chart.set_theme(theme)
        self.apply_theme()

    def apply_theme(self) -> None:
        t = self.theme
        self.setStyleSheet(f"""
            QWidget#StatsPage {{ background: {t.window}; }}
            QLabel#PageTitle {{ font-size: 24px; font-weight: 600; }}
            QLabel#PanelTitle {{ font-size: 15px; font-weight: 600; }}
            QLabel#BigNumber {{ font-size: 28px; font-weight: 600; color: {t.text}; }}
            QLabel#RetentionTable, QLabel#Weakest, QLabel#ChartCaption {{ color: {t.text}; font-size: 13px; }}
            QFrame#Panel {{ background: {t.surface}; border: 1px solid {t.border}; border-radius: 12px; }}
            QFrame#Panel QLabel {{ border: none; background: transparent; }}
        """)


def _count_tips(labels: tuple[str, ...], counts: list[int], noun: str) -> list[str]:
    return [f"{label}: {n:,} {noun}{'s' if n != 1 else ''}" for label, n in zip(labels, counts, strict=True)]

