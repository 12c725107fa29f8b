"""Interview readiness as a panel: the overall score, the weakest topics with a button to
practise the weakest, mock scores over time and (in the Stats view) every topic's readiness.
Shown by the Interview view and the Stats view."""

from __future__ import annotations

import html

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from ...core.study import interview
from .. import theme as themes
from ..charts import BarChart, ProgressList


class ReadinessPanel(QWidget):
    """``practise_requested(topic_id)``: the user wants a mock on that (weakest) topic."""

    practise_requested = Signal(str)

    def __init__(self, theme: themes.Theme, *, with_topics: bool = False, parent=None) -> None:
        super().__init__(parent)
        self.theme = theme
        self.weakest_id = ""
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        row = QHBoxLayout()
        row.setSpacing(12)
        self.overall = QLabel("—", objectName="BigNumber")
        self.caption = QLabel("interview readiness", objectName="Muted")
        row.addWidget(self.overall)
        row.addWidget(self.caption, 1)
        layout.addLayout(row)
        self.weakest = QLabel(objectName="Weakest", wordWrap=True)
        layout.addWidget(self.weakest)
        self.practise_button = QPushButton("Practise the weakest topic")
        self.practise_button.clicked.connect(lambda: self.weakest_id and self.practise_requested.emit(self.weakest_id))
        button_row = QHBoxLayout()
        button_row.addWidget(self.practise_button)
        button_row.addStretch(1)
        layout.addLayout(button_row)
        self.chart_title = QLabel("Mock scores: key points covered", objectName="Muted")
        layout.addSpacing(4)
        layout.addWidget(self.chart_title)
        self.chart = BarChart(theme, "accent", ceiling=100, unit="%", min_slots=12)
        self.chart.setMinimumHeight(120)
        layout.addWidget(self.chart)
        # Stats lists every topic; the Interview view the topics practised lately, best first.
        self.all_topics = with_topics
        self.topics_title = QLabel("" if with_topics else "Topics you practised", objectName="Muted")
        self.topics = ProgressList(theme, percent=True, label_share=0.42 if with_topics else 0.58)
        layout.addSpacing(6)
        if not with_topics:
            layout.addWidget(self.topics_title)
        layout.addWidget(self.topics)

    def set_data(self, readiness: interview.Readiness, history: list[interview.MockScore]) -> None:
        self.overall.setText(f"{readiness.overall:.0%}")
        weakest = readiness.weakest(3)
        self.weakest_id = weakest[0].topic_id if weakest else ""
        names = ", ".join(f"{html.escape(t.title)} <span style='color:{self.theme.muted}'>{t.score:.0%}</span>"
                          for t in weakest)
        started = bool(history) or readiness.overall > 0
        if not started:
            self.weakest.setText(f"Run a mock to see where you stand: readiness blends your recent mock coverage "
                                 f"({interview.MOCK_WEIGHT:.0%}) with your flashcards' recall "
                                 f"({interview.RECALL_WEIGHT:.0%}), per topic.")
        else:
            self.weakest.setText(f"Weakest: {names}" if names else "No topics yet")
        self.practise_button.setVisible(started and bool(weakest))
        if weakest:
            title = weakest[0].title
            shown = title if len(title) <= 34 else title[:33] + "…"
            self.practise_button.setText(f"Practise {shown.replace('&', '&&')}")  # "&" alone is a mnemonic
            self.practise_button.setToolTip(f"Start a mock interview on {title}")
        labels, shown = [], ""
        for m in history:  # a day is named at its first mock only
            day = m.when.astimezone().strftime("%d %b")
            labels.append(day if day != shown else "")
            shown = day
        self.chart.set_data([round(100 * m.coverage) for m in history], labels)
        rows = readiness.topics if self.all_topics else sorted(
            (t for t in readiness.topics if t.practised), key=lambda t: -t.score)[:5]
        self.topics.set_data([(t.title, round(100 * t.score), 100) for t in rows])
        self.topics.setVisible(bool(rows))
        self.topics_title.setVisible(bool(rows) and not self.all_topics)

    def set_theme(self, theme: themes.Theme) -> None:
        self.theme = theme
        self.chart.set_theme(theme)
        self.topics.set_theme(theme)
