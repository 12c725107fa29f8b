"""The statistics view: a year heatmap, reviews per day, forecast, retention, states, mastery,
and interview readiness with the mock scores over time."""

from __future__ import annotations

from datetime import timedelta

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QGridLayout, QHBoxLayout, QLabel, QScrollArea, QVBoxLayout, QWidget

from ..core import interview
from ..core import stats as core_stats
from ..core.changes import Changes
from ..core.study import StudySettings
from ..core.workspace import Workspace
from . import theme as themes
from .charts import BarChart, Heatmap, ProgressList, StackedBar
from .interview.readiness import ReadinessPanel


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.0%}"


class _Panel(QFrame):
    def __init__(self, title: str, body: QWidget, note: str = "") -> None:
        super().__init__(objectName="Panel")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(18, 14, 18, 14)
        layout.setSpacing(8)
        heading = QLabel(title, objectName="PanelTitle")
        layout.addWidget(heading)
        if note:
            layout.addWidget(QLabel(note, objectName="Muted", wordWrap=True))
        layout.addWidget(body)


class _Figure(QFrame):
    def __init__(self, caption: str) -> None:
        super().__init__(objectName="Panel")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(18, 14, 18, 14)
        self.value = QLabel("—", objectName="BigNumber")
        layout.addWidget(self.value)
        layout.addWidget(QLabel(caption, objectName="Muted"))


class StatsView(QScrollArea):
    practise_requested = Signal(str)  # a topic id: start a mock interview on it

    def __init__(self, workspace: Workspace, theme: themes.Theme, parent=None) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self.theme = theme
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        page = QWidget(objectName="StatsPage")
        layout = QVBoxLayout(page)
        layout.setContentsMargins(40, 28, 40, 32)
        layout.setSpacing(16)
        layout.addWidget(QLabel("Statistics", objectName="PageTitle"))

        figures = QHBoxLayout()
        figures.setSpacing(16)
        self.today_figure = _Figure("reviews today")
        self.streak_figure = _Figure("day streak")
        self.retention_figure = _Figure("true retention, last 30 days")
        self.total_figure = _Figure("reviews in all")
        for figure in (self.today_figure, self.streak_figure, self.retention_figure, self.total_figure):
            figures.addWidget(figure)
        layout.addLayout(figures)

        self.heatmap = Heatmap(theme)
        layout.addWidget(_Panel("Reviews over the past year", self.heatmap))

        grid = QGridLayout()
        grid.setSpacing(16)
        self.per_day = BarChart(theme, "accent")
        self.forecast = BarChart(theme, "easy")
        grid.addWidget(_Panel("Reviews per day, last 30 days", self.per_day), 0, 0)
        grid.addWidget(_Panel("Due in the next 30 days", self.forecast), 0, 1)
        layout.addLayout(grid)

        self.states = StackedBar(theme)
        self.retention_label = QLabel(objectName="RetentionTable", wordWrap=True)
        states_body = QWidget()
        states_layout = QVBoxLayout(states_body)
        states_layout.setContentsMargins(0, 0, 0, 0)
        # The gap comes from the layout: stylesheet padding would give the label a frame, and Qt
        # indents a framed label's text by half an "x", out of line with the legend above.
        states_layout.setSpacing(6)
        states_layout.addWidget(self.states)
        states_layout.addWidget(self.retention_label)
        layout.addWidget(_Panel("Cards", states_body,
                                "Young cards have an interval under 21 days; mature ones 21 days or more. "
                                "True retention counts the first review of a card each day: Again is a fail."))

        self.mastery = ProgressList(theme)
        layout.addWidget(_Panel("Mastery by topic", self.mastery,
                                "A card is mastered when its recall probability is 90 % or more today."))
        self.readiness = ReadinessPanel(theme, with_topics=True)
        self.readiness.practise_requested.connect(self.practise_requested)
        layout.addWidget(_Panel("Interview readiness", self.readiness,
                                f"Per topic: {interview.MOCK_WEIGHT:.0%} the coverage of its questions at their "
                                f"latest mock in the last {interview.RECENT_DAYS} days, {interview.RECALL_WEIGHT:.0%} "
                                "the mean recall probability of its cards (a card never studied counts 0)."))
        layout.addStretch(1)
        self.setWidget(page)
        self.apply_theme()

    def on_shown(self) -> None:
        self.refresh()

    def on_changes(self, changes: Changes) -> None:
        if changes.progress and self.isVisible():  # hidden: counted again when shown
            self.refresh()

    def refresh(self) -> None:
        conn = self.workspace.progress.conn
        settings = StudySettings.load(conn)
        data = core_stats.compute(conn, self.workspace.library, day_start_hour=settings.day_start_hour,
                                  desired_retention=settings.desired_retention)
        today = data.today
        self.today_figure.value.setText(str(data.reviews_by_day.get(today, 0)))
        self.streak_figure.value.setText(str(data.streak_days))
        self.retention_figure.value.setText(_percent(data.retention.overall))
        self.total_figure.value.setText(f"{data.total_reviews:,}")
        self.heatmap.set_data(data.reviews_by_day, today)
        days = [today - timedelta(days=29 - i) for i in range(30)]
        self.per_day.set_data([data.reviews_by_day.get(d, 0) for d in days],
                              [d.strftime("%d %b") if i % 7 == 1 else "" for i, d in enumerate(days)])
        self.forecast.set_data(data.forecast, ["today" if i == 0 else (f"+{i}d" if i % 7 == 0 else "")
                                               for i in range(30)])
        c = data.state_counts
        self.states.set_data([("New", c["new"], "new_card"), ("Learning", c["learning"] + c["relearning"], "again"),
                              ("Young", c["young"], "good"), ("Mature", c["mature"], "easy"),
                              ("Suspended", c["suspended"], "hard")])
        r = data.retention
        self.retention_label.setText(
            f"True retention — young {_percent(r.young)} ({r.young_pass}/{r.young_total}) · "
            f"mature {_percent(r.mature)} ({r.mature_pass}/{r.mature_total}) · "
            f"overall {_percent(r.overall)}")
        self.mastery.set_data(data.mastery_by_topic)
        self.readiness.set_data(interview.readiness(conn, self.workspace.library,
                                                    desired_retention=settings.desired_retention),
                                interview.mock_history(conn, 30))

    def set_theme(self, theme: themes.Theme) -> None:
        self.theme = theme
        for chart in (self.heatmap, self.per_day, self.forecast, self.states, self.mastery, self.readiness):
            chart.set_theme(theme)
        self.apply_theme()

    def apply_theme(self) -> None:
        t = self.theme
        self.setStyleSheet(f"""
            QWidget#StatsPage {{ background: {t.window}; }}
            QLabel#PageTitle {{ font-size: 24px; font-weight: 600; }}
            QLabel#PanelTitle {{ font-size: 15px; font-weight: 600; }}
            QLabel#BigNumber {{ font-size: 28px; font-weight: 600; color: {t.text}; }}
            QLabel#RetentionTable, QLabel#Weakest {{ color: {t.text}; font-size: 13px; }}
            QFrame#Panel {{ background: {t.surface}; border: 1px solid {t.border}; border-radius: 12px; }}
            QFrame#Panel QLabel {{ border: none; background: transparent; }}
        """)
