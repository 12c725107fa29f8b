"""The card browser window: Ctrl+B and the Flashcards button open it; a suspended card is found and
unsuspended; actions act on the selection, say so, and Ctrl+Z takes them back."""

from __future__ import annotations

from fsrs import Rating
from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtWidgets import QDialog, QInputDialog

from genai_desktop.core.study.session import StudySession, StudySettings


def _open(window, qtbot):
    qtbot.keyClick(window, Qt.Key.Key_B, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: getattr(window, "card_browser", None) is not None and window.card_browser.isVisible())
    _idle(window.card_browser, qtbot)
    window.card_browser.activateWindow()
    qtbot.waitUntil(window.card_browser.isActiveWindow)  # window shortcuts need the active window
    return window.card_browser


def _idle(browser, qtbot) -> None:
    """The rows have arrived and no read or action is running on the runner."""
    qtbot.waitUntil(lambda: browser.loaded and not browser.working, timeout=10_000)


def _select(browser, qids) -> None:
    selection = browser.table.selectionModel()
    selection.clearSelection()
    for row in range(browser.model.rowCount()):
        if browser.browser.question_id(row) in qids:
            selection.select(browser.model.index(row, 0),
                             QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows)


def _states(browser) -> dict[str, str]:
    return {browser.browser.question_id(r): browser.model.index(r, 3).data() for r in range(browser.model.rowCount())}


def test_ctrl_b_finds_a_suspended_card_and_unsuspends_it(make_window, qtbot) -> None:
    window = make_window()
    conn = window.workspace.progress.conn
    StudySession.open(conn, ["gan-objective"], StudySettings()).suspend()
    browser = _open(window, qtbot)
    assert browser.model.rowCount() == 3 and browser.model.columnCount() == 13
    browser.chips["suspended"].click()
    assert browser.model.rowCount() == 1 and browser.model.index(0, 0).data() == "What objective does a GAN optimise?"
    assert browser.count.text() == "1 of 3 cards"
    browser.table.selectRow(0)
    browser.buttons["unsuspend"].click()
    _idle(browser, qtbot)
    assert "Unsuspended: 1 card" in browser.status.text() and "Ctrl+Z" in browser.status.text()
    assert browser.model.rowCount() == 0
    assert conn.execute("SELECT suspended FROM cards WHERE question_id = 'gan-objective'").fetchone() == (0,)
    qtbot.keyClick(browser.table, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    _idle(browser, qtbot)
    assert conn.execute("SELECT suspended FROM cards WHERE question_id = 'gan-objective'").fetchone() == (1,)
    assert "Undone" in browser.status.text()


def test_multi_select_actions_filter_sort_and_the_flashcards_button(make_window, qtbot, monkeypatch) -> None:
    window = make_window()
    window.show_view("flashcards")
    window.flashcards.browse_button.click()
    browser = window.card_browser
    assert browser.isVisible()
    _idle(browser, qtbot)
    conn = window.workspace.progress.conn
    StudySession.open(conn, ["multi-head"], StudySettings()).answer(Rating.Easy)
    browser.browser.reload()
    browser.model.reloaded()
    browser.filter.setText("attention")
    assert browser.model.rowCount() == 2
    browser.filter.setText("")
    _select(browser, {"attention-basics", "gan-objective"})
    browser.buttons["bury"].click()
    _idle(browser, qtbot)
    assert set(_states(browser).values()) == {"buried", "review"}
    browser.buttons["forget"].setEnabled(True)
    _select(browser, {"multi-head"})
    monkeypatch.setattr(QInputDialog, "getInt", lambda *a, **k: (5, True))
    browser.set_due()
    _idle(browser, qtbot)
    assert "Due date set: 1 card" in browser.status.text()
    browser.buttons["forget"].click()
    _idle(browser, qtbot)
    assert _states(browser)["multi-head"] == "new"
    assert conn.execute("SELECT count(*) FROM reviews").fetchone() == (1,)  # the log is kept
    browser.undo()  # forget undone: in review again
    _idle(browser, qtbot)
    assert _states(browser)["multi-head"] == "review"
    browser.table.sortByColumn(9, Qt.SortOrder.DescendingOrder)  # reviews
    assert browser.browser.question_id(0) == "multi-head"
    # card info
    _select(browser, {"multi-head"})
    shown = []
    monkeypatch.setattr(QDialog, "exec", lambda dialog: shown.append(dialog.table.rowCount()))
    qtbot.keyClick(browser.table, Qt.Key.Key_I)
    assert shown == [1]
    # the deck list and due counts follow at once
    assert window.flashcards.scope_list.count() >= 3


def test_answers_elsewhere_show_when_the_browser_is_next_activated(make_window, qtbot) -> None:
    window = make_window()
    browser = _open(window, qtbot)
    _select(browser, {"gan-objective"})
    browser.buttons["suspend"].click()
    _idle(browser, qtbot)
    assert not browser.stale  # its own change: no second read
    window.show_view("flashcards")
    window.flashcards.start()
    window.flashcards.reveal()
    window.flashcards.rate(Rating.Good)
    assert browser.stale
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    browser.activateWindow()
    qtbot.waitUntil(lambda: not browser.stale)
    _idle(browser, qtbot)
    assert _states(browser)["attention-basics"] == "learning"


def test_reschedule_now_follows_a_retention_changed_while_the_browser_is_open(make_window, qtbot) -> None:
    window = make_window()
    conn = window.workspace.progress.conn
    StudySession.open(conn, ["multi-head"], StudySettings()).answer(Rating.Easy)
    browser = _open(window, qtbot)
    added = browser.model.headerData(12, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole)
    assert added == "Added / first studied"
    assert {browser.browser.question_id(r): browser.model.index(r, 12).data() for r in range(3)}["gan-objective"] == ""
    due = conn.execute("SELECT due FROM cards WHERE question_id = 'multi-head'").fetchone()[0]
    window.show_view("flashcards")
    window.flashcards.retention.setValue(0.95)  # saved once the stepping pauses
    qtbot.waitUntil(lambda: StudySettings.load(conn).desired_retention == 0.95, timeout=3000)
    _select(browser, {"multi-head", "gan-objective"})
    browser.buttons["reschedule"].click()
    _idle(browser, qtbot)
    assert "Rescheduled: 1 card" in browser.status.text() and "Ctrl+Z" in browser.status.text()
    assert conn.execute("SELECT due FROM cards WHERE question_id = 'multi-head'").fetchone()[0] < due
    qtbot.keyClick(browser.table, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    _idle(browser, qtbot)
    assert conn.execute("SELECT due FROM cards WHERE question_id = 'multi-head'").fetchone()[0] == due
    assert "Undone · Rescheduled" in browser.status.text()


def test_the_window_opens_before_its_rows_and_keeps_a_sort_and_filter_chosen_meanwhile(make_window, qtbot) -> None:
    window = make_window()
    window.show_card_browser()
    browser = window.card_browser
    assert not browser.loaded and browser.model.rowCount() == 0  # the rows come from the runner
    assert browser.count.text() == "Loading cards…"
    browser.table.sortByColumn(0, Qt.SortOrder.DescendingOrder)
    browser.filter.setText("attention")
    _idle(browser, qtbot)
    assert [browser.model.index(r, 0).data() for r in range(browser.model.rowCount())] == [
        "Why use several attention heads?", "What does scaled dot-product attention compute?"]
    assert browser.count.text() == "2 of 3 cards"


def test_the_selection_follows_its_cards_through_a_sort_and_a_filter(make_window, qtbot) -> None:
    window = make_window()
    browser = _open(window, qtbot)
    browser.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
    _select(browser, {"attention-basics"})
    assert browser.table.selectionModel().isRowSelected(0)  # first by title
    browser.table.sortByColumn(0, Qt.SortOrder.DescendingOrder)
    assert browser.selected_ids() == ["attention-basics"] and browser.table.selectionModel().isRowSelected(2)
    browser.table.sortByColumn(2, Qt.SortOrder.AscendingOrder)
    assert browser.selected_ids() == ["attention-basics"]
    browser.filter.setText("scaled")
    assert browser.selected_ids() == ["attention-basics"]
    browser.filter.setText("gan")  # hides it: nothing selected, nothing to act on
    assert browser.selected_ids() == [] and not browser.buttons["suspend"].isEnabled()


def test_an_action_runs_on_the_runner_and_a_failure_says_why_and_changes_nothing(make_window, qtbot,
                                                                                  monkeypatch) -> None:
    import sqlite3

    from genai_desktop.core.study import card_browser

    window = make_window()
    browser = _open(window, qtbot)
    _select(browser, {"gan-objective", "multi-head"})
    browser.buttons["suspend"].click()
    assert browser.working and not browser.buttons["suspend"].isEnabled()  # one change at a time
    _idle(browser, qtbot)
    assert set(_states(browser).values()) == {"suspended", "new"}
    assert browser.selected_ids() and browser.buttons["unsuspend"].isEnabled()

    def locked(_conn, _row):
        raise sqlite3.OperationalError("database is locked")
    monkeypatch.setattr(card_browser, "write_card", locked)
    browser.buttons["unsuspend"].click()
    _idle(browser, qtbot)
    assert "in use by another program" in browser.status.text()
    assert set(_states(browser).values()) == {"suspended", "new"}
    conn = window.workspace.progress.conn
    assert conn.execute("SELECT count(*) FROM cards WHERE suspended = 1").fetchone() == (2,)
    monkeypatch.setattr(card_browser.Browser, "undo", lambda _self, _undo: locked(None, None))
    browser.undo()  # the undo fails too: it stays on the stack to be tried again
    _idle(browser, qtbot)
    assert len(browser.undo_stack) == 1 and "in use by another program" in browser.status.text()
    monkeypatch.undo()
    browser.undo()
    _idle(browser, qtbot)
    assert conn.execute("SELECT count(*) FROM cards WHERE suspended = 1").fetchone() == (0,)


def test_the_cards_load_once_the_window_has_drawn_itself(make_window, qtbot) -> None:
    """Drawing the empty table while the runner reads 100k cards waited on the interpreter for
    every header cell (70-90 ms stalls); the read starts after the first frame instead."""
    from genai_desktop.ui.card_browser import CardBrowserWindow
    from genai_desktop.ui.stall_meter import run_events_for

    window = make_window()
    browser = CardBrowserWindow(window.workspace, window.theme, window)
    qtbot.addWidget(browser)
    run_events_for(100)
    assert not browser.working and not browser.loaded  # not drawn yet: nothing read
    assert browser.count.text() == "Loading cards…"
    browser.show()
    _idle(browser, qtbot)
    assert browser.model.rowCount() == 3
