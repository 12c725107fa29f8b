"""Settings → Scheduling: optimise, suggest a retention, reset, and the workload simulator, driven as a user would."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt

from genai_desktop.core.study.fsrs_fit import MIN_REVIEWS
from genai_desktop.core.study.session import StudySettings
from genai_desktop.ui.scheduling_dialog import SchedulingDialog
from tests.fsrs_synthetic import simulate_learner, write_reviews

WORKER_TIMEOUT_MS = 20000  # a worker process starts, imports fsrs-rs and computes


def settings_menu_texts(window) -> list[str]:
    menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&Settings")
    return [action.text().replace("&", "") for action in menu.actions() if action.text()]


def open_dialog(window, qtbot) -> SchedulingDialog:
    assert "Scheduling…" in settings_menu_texts(window)
    dialog = window.show_scheduling()
    assert isinstance(dialog, SchedulingDialog) and dialog.isVisible()
    qtbot.waitUntil(lambda: dialog.simulation is None and bool(dialog.chart.values), timeout=WORKER_TIMEOUT_MS)
    return dialog


def wait_for_result(qtbot, dialog: SchedulingDialog) -> str:
    qtbot.waitUntil(lambda: dialog.job is None and dialog.result.isVisible(), timeout=WORKER_TIMEOUT_MS)
    return dialog.result.text()


def test_optimising_with_too_few_reviews_says_so_and_keeps_the_defaults(make_window, qtbot) -> None:
    window = make_window()
    dialog = open_dialog(window, qtbot)
    assert "default weights" in dialog.weights_label.text() and not dialog.reset_button.isEnabled()
    qtbot.mouseClick(dialog.optimise_button, Qt.MouseButton.LeftButton)
    assert dialog.work_row.isVisibleTo(dialog) and not dialog.optimise_button.isEnabled()
    text = wait_for_result(qtbot, dialog)
    assert f"at least {MIN_REVIEWS} reviews" in text and "there are 0 on 0 cards" in text
    assert StudySettings.load(window.workspace.progress.conn).parameters == ()
    assert dialog.optimise_button.isEnabled() and not dialog.work_row.isVisibleTo(dialog)


def test_optimise_adopts_better_weights_and_reset_goes_back(make_window, qtbot) -> None:
    window = make_window()
    conn = window.workspace.progress.conn
    write_reviews(conn, simulate_learner(cards=600, days=200, new_per_day=8, seed=5, max_reviews=3000),
                  first_day=date(2025, 2, 3))
    StudySettings(desired_retention=0.88).save(conn)
    dialog = open_dialog(window, qtbot)
    changed = []
    dialog.settings_changed.connect(lambda: changed.append(1))
    qtbot.mouseClick(dialog.optimise_button, Qt.MouseButton.LeftButton)
    text = wait_for_result(qtbot, dialog)
    result = dialog.last_result
    assert result is not None and result.better
    assert "Adopted" in text and "Log loss" in text and f"{result.after.log_loss:.4f}" in text
    assert f"{result.before.log_loss:.4f}" in text
    stored = StudySettings.load(conn)
    assert stored.parameters == result.fitted and stored.desired_retention == 0.88 and changed
    assert "fitted to your reviews" in dialog.weights_label.text() and dialog.reset_button.isEnabled()

    qtbot.mouseClick(dialog.reset_button, Qt.MouseButton.LeftButton)
    assert StudySettings.load(conn).parameters == () and StudySettings.load(conn).desired_retention == 0.88
    assert "default weights" in dialog.weights_label.text() and not dialog.reset_button.isEnabled()


def test_suggest_retention_shows_the_workload_and_applies_it(make_window, qtbot) -> None:
    window = make_window()
    conn = window.workspace.progress.conn
    StudySettings(desired_retention=0.97).save(conn)  # the suggestion will differ from this
    flashcards = window.flashcards
    dialog = open_dialog(window, qtbot)
    qtbot.mouseClick(dialog.suggest_button, Qt.MouseButton.LeftButton)
    text = wait_for_result(qtbot, dialog)
    suggestion = dialog.suggestion
    assert suggestion is not None and f"Suggested retention: {suggestion.retention:.2f}" in text
    assert "reviews and" in text and "minutes a day" in text
    assert dialog.apply_button.isVisible()
    qtbot.mouseClick(dialog.apply_button, Qt.MouseButton.LeftButton)
    assert StudySettings.load(conn).desired_retention == suggestion.retention
    assert flashcards.retention.value() == suggestion.retention  # the Flashcards panel follows
    assert dialog.sim_retention.value() == suggestion.retention


def test_the_simulator_redraws_for_a_year_and_for_more_new_cards(make_window, qtbot) -> None:
    window = make_window()
    dialog = open_dialog(window, qtbot)
    assert len(dialog.chart.values) == 30 and "Reviews each day" in dialog.sim_caption.text()
    qtbot.mouseClick(dialog.year_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(dialog.chart.values) == 53, timeout=WORKER_TIMEOUT_MS)  # 365 days as weeks
    assert "the mean of each week" in dialog.sim_caption.text()
    dialog.sim_new.setValue(2)
    qtbot.waitUntil(lambda: "starting 2 new cards" in dialog.sim_caption.text(), timeout=WORKER_TIMEOUT_MS)


def test_the_flashcards_panel_opens_it_and_its_settings_keep_the_weights(make_window, qtbot) -> None:
    window = make_window()
    conn = window.workspace.progress.conn
    fitted = tuple(StudySettings().fsrs_parameters[:20]) + (0.3,)
    StudySettings(parameters=fitted).save(conn)
    window.show_view("flashcards")
    flashcards = window.flashcards
    flashcards.retention.setValue(0.86)  # saved once the stepping pauses
    qtbot.waitUntil(lambda: StudySettings.load(conn).desired_retention == 0.86, timeout=3000)
    stored = StudySettings.load(conn)
    assert stored.desired_retention == 0.86 and stored.parameters == fitted
    qtbot.mouseClick(flashcards.scheduling_button, Qt.MouseButton.LeftButton)
    dialog = window.findChild(SchedulingDialog)
    assert dialog is not None and dialog.isVisible()
    dialog.reject()


def test_cancel_ends_the_fit_and_changes_nothing(make_window, qtbot) -> None:
    window = make_window()
    conn = window.workspace.progress.conn
    write_reviews(conn, simulate_learner(cards=600, days=200, new_per_day=8, seed=5, max_reviews=3000),
                  first_day=date(2025, 2, 3))
    dialog = open_dialog(window, qtbot)
    qtbot.mouseClick(dialog.optimise_button, Qt.MouseButton.LeftButton)
    job = dialog.job
    qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)  # while the worker process starts
    assert dialog.work_label.text() == "Cancelling…" and not dialog.cancel_button.isEnabled()
    qtbot.waitUntil(lambda: dialog.job is None, timeout=WORKER_TIMEOUT_MS)
    assert job.isFinished() and not dialog.result.isVisible() and dialog.last_result is None
    assert StudySettings.load(conn).parameters == () and dialog.optimise_button.isEnabled()


def assert_nothing_overlaps(dialog: SchedulingDialog) -> None:
    """The dialog's rows, top to bottom, each below the last, and every wrapped label as tall as
    its text needs at its width."""
    from PySide6.QtWidgets import QLabel

    rows = []
    layout = dialog.layout()
    for i in range(layout.count()):
        item = layout.itemAt(i)
        widget = item.widget()
        if widget is not None and widget.isVisibleTo(dialog):
            rows.append(widget)
            if isinstance(widget, QLabel) and widget.wordWrap() and widget.text():
                assert widget.height() >= widget.heightForWidth(widget.width()), widget.text()
    for upper, lower in zip(rows, rows[1:], strict=False):
        assert upper.geometry().bottom() < lower.geometry().top(), (type(upper).__name__, type(lower).__name__)


def test_the_caption_and_a_long_result_never_cover_the_chart(make_window, qtbot) -> None:
    window = make_window()
    dialog = open_dialog(window, qtbot)
    qtbot.waitUntil(lambda: "Reviews each day" in dialog.sim_caption.text(), timeout=WORKER_TIMEOUT_MS)
    assert_nothing_overlaps(dialog)
    height = dialog.height()
    dialog._show_result("A result long enough to wrap over several lines of the dialog. " * 4)  # noqa: SLF001
    assert dialog.height() > height
    assert_nothing_overlaps(dialog)
    dialog.sim_new.setValue(3)  # a new caption arrives
    qtbot.waitUntil(lambda: "starting 3 new cards" in dialog.sim_caption.text(), timeout=WORKER_TIMEOUT_MS)
    assert_nothing_overlaps(dialog)
