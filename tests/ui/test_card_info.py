"""Card info (the card browser's ``i``): charts of stability, difficulty and recall over the card's
reviews, with the next due date, readable in both themes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fsrs import Rating
from PySide6.QtGui import QColor

from genai_desktop.core.study.card_browser import Browser
from genai_desktop.core.study.session import StudySession, StudySettings
from genai_desktop.core.workspace import Workspace
from genai_desktop.ui import theme as themes
from genai_desktop.ui.card_browser import CardInfoDialog


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def workspace(data_dir, starter_pack):
    made = Workspace(data_dir, content_root=starter_pack)
    yield made
    made.close()


def _review_with_a_lapse(workspace: Workspace, clock: Clock) -> None:
    """Good, Good three days later, Again nine days after that, Good (relearnt) a quarter hour on."""
    conn = workspace.progress.conn
    for rating, wait in ((Rating.Good, timedelta(0)), (Rating.Good, timedelta(days=3)),
                         (Rating.Again, timedelta(days=9)), (Rating.Good, timedelta(minutes=15))):
        clock.now += wait
        StudySession.for_question(conn, "attention-basics", StudySettings(), clock).answer(rating)
    clock.now += timedelta(hours=2)


def _luminance(color: QColor) -> float:
    def channel(value: float) -> float:
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(color.redF()) + 0.7152 * channel(color.greenF()) + 0.0722 * channel(color.blueF())


@pytest.mark.parametrize("theme", [themes.LIGHT_THEME, themes.DARK_THEME])
def test_card_info_charts_stability_difficulty_and_recall_up_to_the_due_date(qtbot, workspace, theme) -> None:
    clock = Clock(datetime(2026, 3, 1, 12).astimezone().astimezone(UTC))
    _review_with_a_lapse(workspace, clock)
    browser = Browser.load(workspace.progress.conn, workspace.library, clock=clock)
    dialog = CardInfoDialog(browser, "attention-basics", workspace, theme)
    qtbot.addWidget(dialog)
    history = browser.history("attention-basics")
    stability, difficulty, recall = dialog.charts
    assert [value for _at, value in stability.points] == [r["stability"] for r in history]
    assert [value for _at, value in difficulty.points] == [r["difficulty"] for r in history]
    assert difficulty.ticks() == [0, 5, 10] and recall.ticks() == [0, 50, 100]
    due = datetime.fromtimestamp(browser.due[browser.ids.index("attention-basics")], UTC)
    for chart in dialog.charts:
        assert chart.markers == [(due, "due")] and chart.now == clock.now
        assert chart.span[0] == history[0]["at"] and chart.span[1] > max(due, clock.now)
    # Recall: 1 at each review, lower between them, projected (after now) to the due date.
    for review in history:
        assert [value for at, value in recall.points if at == review["at"]][-1] == 1.0
    assert min(value for _at, value in recall.points) < 1.0
    assert recall.points[-1][0] == max(due, clock.now) and recall.points[-1][0] > clock.now
    # The lapse shows: stability falls at the Again.
    assert stability.points[2][1] < stability.points[1][1]
    dialog.show()
    qtbot.waitExposed(dialog)
    surface = _luminance(QColor(theme.surface))
    for chart in dialog.charts:
        assert chart.height() >= chart.minimumHeight() and chart.width() > 300
        colour = _luminance(QColor(getattr(theme, chart.color_key)))
        high, low = max(colour, surface), min(colour, surface)
        assert (high + 0.05) / (low + 0.05) >= 3  # WCAG 1.4.11: a line a user must read, against the panel


def test_a_card_never_reviewed_has_no_charts(qtbot, workspace) -> None:
    browser = Browser.load(workspace.progress.conn, workspace.library)
    dialog = CardInfoDialog(browser, "gan-objective", workspace, themes.LIGHT_THEME)
    qtbot.addWidget(dialog)
    assert dialog.charts == [] and dialog.table.rowCount() == 0
