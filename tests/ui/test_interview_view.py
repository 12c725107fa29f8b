"""The Interview view driven like a user: keys only, an injected clock moved by hand (no sleeps)."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fsrs import Rating
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QFileDialog

from genai_desktop.core.study import interview
from genai_desktop.core.study.interview import MockSetup
from genai_desktop.core.workspace import Workspace
from tests.core.conftest import FakeClock


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime.now(UTC).replace(microsecond=0))


@pytest.fixture
def builtin_window(qtbot, data_dir: Path):
    """The real window on the built-in library (the "Transformers" topic has 17 questions)."""
    from genai_desktop.ui.app import build_window, make_application

    make_application()
    workspace = Workspace(data_dir)
    window = build_window(workspace, "light")
    qtbot.addWidget(window)
    window.resize(1024, 640)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=2000)
    qtbot.waitUntil(lambda: bool(window.theme_actions) and window.shortcuts_ready, timeout=3000)
    yield window
    window.close()
    workspace.close()


def press(qtbot, key, modifier=Qt.KeyboardModifier.NoModifier) -> None:
    """A key press where the user's focus is, as the keyboard would deliver it."""
    qtbot.keyClick(QApplication.focusWidget(), key, modifier)


def press_view(qtbot, window, key, name: str) -> None:
    """Ctrl+digit: a view not built yet opens over the next passes of the event loop (open_view)."""
    press(qtbot, key, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: window.views.currentWidget() is window.view(name), timeout=3000)


def open_interview(window, qtbot, clock):
    press_view(qtbot, window, Qt.Key.Key_5, "interview")
    view = window.interview
    assert window.views.currentWidget() is view
    view.clock = clock
    view.rng = random.Random(4)
    return view


def start_mock(make_window, qtbot, clock, setup: MockSetup, question_ids: list[str] | None = None):
    """A window with a mock of ``setup`` started on its first question: (window, Interview view)."""
    window = make_window()
    view = open_interview(window, qtbot, clock)
    view.select_setup(setup)
    view.start(question_ids=question_ids)
    return window, view


def tick(view, clock, **advance) -> None:
    clock.advance(**advance)
    view.tick.timeout.emit()  # what the QTimer does every 250 ms


def test_the_tab_and_its_shortcut(make_window, qtbot) -> None:
    window = make_window()
    assert window.view_names() == ["library", "flashcards", "roadmap", "stats", "interview"]
    press_view(qtbot, window, Qt.Key.Key_5, "interview")
    view = window.interview
    assert window.views.currentWidget() is view and view.pages.currentWidget() is view.setup_page
    assert view.pages.count() == 1  # the mock's pages wait until a mock needs them
    assert view.setup_page.kind.currentData() == "topic"
    assert view.setup_page.count.value() == 5 and view.setup_page.minutes.value() == 3
    assert view.setup_page.thinking.value() == 0 and view.setup_page.thinking.text() == "none"
    assert not view.setup_page.again_button.isEnabled()


def test_setup_scopes_and_an_empty_scope_says_so(make_window, qtbot, clock) -> None:
    window = make_window()
    view = open_interview(window, qtbot, clock)
    s = view.setup_page
    s.kind.setCurrentIndex(s.kind.findData("bookmarks"))
    assert not s.value.isVisible()
    press(qtbot, Qt.Key.Key_Return)
    assert view.pages.currentWidget() is s
    assert "no questions" in s.message.text()
    s.kind.setCurrentIndex(s.kind.findData("level"))
    assert s.value.isVisible() and s.value.count() == 3
    view.select_setup(MockSetup("topic", "gans", 4, 2))
    assert view.current_setup() == MockSetup("topic", "gans", 4, 2, 0)


def test_the_countdown_warns_at_30_seconds_and_ends_the_answer_at_zero(make_window, qtbot, clock) -> None:
    window = make_window()
    view = open_interview(window, qtbot, clock)
    view.select_setup(MockSetup("topic", "attention", 1, 1))
    view.setup_page.setFocus()
    press(qtbot, Qt.Key.Key_Return)
    q = view.question_page
    assert view.pages.currentWidget() is q and view.tick.isActive()
    assert q.clock.text() == "1:00" and q.warning.text() == ""
    tick(view, clock, seconds=29)
    assert q.clock.text() == "0:31" and q.warning.text() == ""
    tick(view, clock, seconds=1)
    assert q.clock.text() == "0:30" and "30 seconds left" in q.warning.text()
    assert q.clock.property("warn") is True
    tick(view, clock, seconds=31)  # out of time: the answer ends by itself
    assert view.pages.currentWidget() is view.checklist_page
    assert not view.tick.isActive()
    assert view.mock.answers[0].seconds_used == 60  # never more than the time allowed


def test_thinking_time_comes_before_the_answer_clock(make_window, qtbot, clock) -> None:
    window, view = start_mock(make_window, qtbot, clock, MockSetup("topic", "attention", 1, 2, 15))
    q = view.question_page
    assert "thinking time" in q.clock.text() and q.clock.text().endswith("0:15")
    tick(view, clock, seconds=16)  # thinking over: the answer clock starts
    assert q.clock.text() == "2:00" and view.phase == "answering"
    tick(view, clock, seconds=20)
    press(qtbot, Qt.Key.Key_Space)
    assert view.mock.answers[0].seconds_used == 20


def test_space_types_in_the_outline_and_ctrl_enter_ends_from_it(make_window, qtbot, clock) -> None:
    window, view = start_mock(make_window, qtbot, clock, MockSetup("topic", "attention", 1, 3))
    q = view.question_page
    press(qtbot, Qt.Key.Key_T)
    assert q.outline.hasFocus()
    qtbot.keyClicks(q.outline, "QK softmax V")
    assert view.pages.currentWidget() is q  # the spaces went into the text
    press(qtbot, Qt.Key.Key_Escape)  # leaves the box, not the mock
    assert not q.outline.hasFocus() and view.pages.currentWidget() is q
    press(qtbot, Qt.Key.Key_T)
    tick(view, clock, seconds=42)
    press(qtbot, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert view.pages.currentWidget() is view.checklist_page
    assert view.mock.answers[0].outline == "QK softmax V"
    assert view.mock.answers[0].seconds_used == 42


def test_checklist_keys_toggle_points_and_the_rating_follows(make_window, qtbot, clock) -> None:
    window, view = start_mock(make_window, qtbot, clock, MockSetup("topic", "attention", 1, 3),
                              question_ids=["attention-basics"])
    press(qtbot, Qt.Key.Key_Space)
    c = view.checklist_page
    assert [row.checked for row in c.rows] == [False, False, False]
    assert c.rating_buttons[Rating.Again].isChecked()
    press(qtbot, Qt.Key.Key_2)
    assert [row.checked for row in c.rows] == [False, True, False]
    assert c.rating_buttons[Rating.Again].isChecked()  # 1 of 3 is under 50 %
    press(qtbot, Qt.Key.Key_1)
    assert c.rating_buttons[Rating.Hard].isChecked() and "2 of 3 points" in c.coverage.text()
    press(qtbot, Qt.Key.Key_3)
    assert c.rating_buttons[Rating.Easy].isChecked()
    press(qtbot, Qt.Key.Key_3)
    press(qtbot, Qt.Key.Key_6)  # no sixth point: nothing happens
    assert [row.checked for row in c.rows] == [True, True, False]
    press(qtbot, Qt.Key.Key_F)
    assert c.answer_view.isVisible() and "The formula:" in c.answer_view.toPlainText()
    press(qtbot, Qt.Key.Key_G)  # the user overrides Hard with Good
    assert c.rating_buttons[Rating.Good].isChecked() and "chose it over Hard" in c.coverage.text()
    press(qtbot, Qt.Key.Key_Return)
    conn = window.workspace.progress.conn
    assert conn.execute("SELECT question_id, rating FROM reviews").fetchall() == [("attention-basics", 3)]
    assert conn.execute("SELECT points_ticked, rating FROM attempts").fetchall() == [("[0, 1]", 3)]
    assert view.pages.currentWidget() is view.summary_page


def test_again_repeats_the_last_set(make_window, qtbot, clock) -> None:
    window, view = start_mock(make_window, qtbot, clock, MockSetup("topic", "attention", 2, 3))
    first = view.mock.question_ids
    press(qtbot, Qt.Key.Key_Escape)  # stop before answering anything: back to the set-up
    assert view.pages.currentWidget() is view.setup_page and view.setup_page.again_button.isEnabled()
    view.rng = random.Random(99)
    press(qtbot, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    assert view.pages.currentWidget() is view.question_page and view.mock.question_ids == first


def test_a_five_question_mock_on_transformers_with_the_keyboard_only(builtin_window, qtbot, clock,
                                                                     tmp_path, monkeypatch) -> None:
    window = builtin_window
    view = open_interview(window, qtbot, clock)
    conn = window.workspace.progress.conn
    before = interview.readiness(conn, window.workspace.library, clock=clock)
    ready_text = view.setup_page.readiness.overall.text()

    # Set-up: Tab to "Which", type the topic's name (the kind is already Topic), Enter.
    press(qtbot, Qt.Key.Key_Tab)
    press(qtbot, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is view.setup_page.value
    qtbot.keyClicks(view.setup_page.value, "Transformers")
    assert view.setup_page.value.currentData() == "transformers-attention"
    press(qtbot, Qt.Key.Key_Return)
    assert view.pages.currentWidget() is view.question_page
    ids = view.mock.question_ids
    assert len(ids) == 5 and view.mock.label == "Transformers & Attention"

    for n in range(5):
        assert view.question_page.position.text().startswith(f"Question {n + 1} of 5")
        assert view.question_page.question.text() == window.workspace.library.question(ids[n]).title
        if n == 4:
            tick(view, clock, seconds=181)  # the last one runs out of time
        else:
            tick(view, clock, seconds=60 + 20 * n)
            press(qtbot, Qt.Key.Key_Space)
        assert view.pages.currentWidget() is view.checklist_page
        for key in (Qt.Key.Key_1, Qt.Key.Key_2, Qt.Key.Key_3)[: 3 - n % 3]:
            press(qtbot, key)
        press(qtbot, Qt.Key.Key_Return)
        clock.advance(seconds=5)

    assert view.pages.currentWidget() is view.summary_page
    summary = view.summary_page
    ticked, total = view.mock.totals()
    assert summary.total.text() == f"{ticked / total:.0%}"
    assert "Missed:" in summary.rows.text() and "q:" in summary.rows.text()
    assert summary.practise_button.isEnabled()

    # Five reviews and five attempts, one of each per question, written together.
    assert sorted(q for (q,) in conn.execute("SELECT question_id FROM reviews")) == sorted(ids)
    assert conn.execute("SELECT count(*) FROM attempts a JOIN reviews r ON r.uid = a.review_uid").fetchone() == (5,)
    after = interview.readiness(conn, window.workspace.library, clock=clock)
    assert after.overall > before.overall
    assert summary.readiness.text() == f"{after.overall:.0%}"
    topic = next(t for t in after.topics if t.topic_id == "transformers-attention")
    assert f"Transformers &amp; Attention 0% → <b>{topic.score:.0%}</b>" in summary.readiness_caption.text()
    assert topic.score > 0.2
    assert view.setup_page.readiness.overall.text() != ready_text

    # Export the report (the save dialog answered by the test).
    out = tmp_path / "mock.md"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(out), "Markdown (*.md)"))
    press(qtbot, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    report = out.read_text(encoding="utf-8")
    assert report.startswith("# Mock interview: Transformers & Attention")
    assert report.count("\n## ") == 5

    # Stats shows the reviews and the readiness with this mock on its chart.
    press_view(qtbot, window, Qt.Key.Key_4, "stats")
    stats = window.stats
    qtbot.waitUntil(lambda: stats.total_figure.value.text() == "5", timeout=5000)  # counted off the UI thread
    assert stats.readiness.overall.text() == f"{after.overall:.0%}"
    assert stats.readiness.chart.values == [round(100 * ticked / total)]

    # Back in the Interview view, 2 opens the second question's answer in the library.
    press_view(qtbot, window, Qt.Key.Key_5, "interview")
    assert view.pages.currentWidget() is summary
    press(qtbot, Qt.Key.Key_2)
    assert window.views.currentWidget() is window.splitter and window.reader.current_page == f"q:{ids[1]}"

    # P practises the missed points as flashcards, due or not.
    press_view(qtbot, window, Qt.Key.Key_5, "interview")
    assert view.pages.currentWidget() is summary
    missed = view.mock.missed_question_ids()
    press(qtbot, Qt.Key.Key_P)
    flashcards = window.flashcards
    assert window.views.currentWidget() is flashcards
    assert flashcards.pages.currentWidget() is flashcards.review_page
    new, learning, review = flashcards.session.counts()
    assert new + learning + review == len(missed)
    assert flashcards.session.current in missed


def test_the_weakest_topic_button_starts_a_mock_on_it(make_window, qtbot, clock) -> None:
    window = make_window()
    press_view(qtbot, window, Qt.Key.Key_4, "stats")
    stats = window.stats
    assert stats.readiness.practise_button.isHidden()  # nothing practised yet: nothing to name
    view = window.interview
    view.select_setup(MockSetup("topic", "gans", 1, 3))
    view.clock = clock
    view.start()
    press(qtbot, Qt.Key.Key_Space)
    press(qtbot, Qt.Key.Key_1)
    press(qtbot, Qt.Key.Key_Return)
    press_view(qtbot, window, Qt.Key.Key_4, "stats")
    assert stats.readiness.weakest_id == "attention"
    assert stats.readiness.practise_button.text() == "Practise Attention"
    stats.readiness.practise_button.click()
    view = window.interview
    assert window.views.currentWidget() is view
    assert view.pages.currentWidget() is view.question_page
    assert view.mock.setup.kind == "topic" and view.mock.setup.value == "attention"


def test_a_mock_survives_a_theme_switch(make_window, qtbot, clock) -> None:
    window, view = start_mock(make_window, qtbot, clock, MockSetup("topic", "attention", 1, 3))
    press(qtbot, Qt.Key.Key_Space)
    window.set_theme("dark")
    assert view.pages.currentWidget() is view.checklist_page
    assert view.theme.name == "dark"
    assert (datetime.now(UTC) - timedelta(days=1)) < clock.now


def test_the_full_answer_scrolls_with_the_keyboard(make_window, qtbot, clock) -> None:
    window, view = start_mock(make_window, qtbot, clock, MockSetup("topic", "attention", 1, 3),
                              question_ids=["attention-basics"])
    press(qtbot, Qt.Key.Key_Space)
    answer = view.checklist_page.answer_view
    press(qtbot, Qt.Key.Key_F)
    answer.setFixedHeight(60)  # short enough to scroll whatever the fonts
    qtbot.waitUntil(lambda: answer.verticalScrollBar().maximum() > 0, timeout=2000)
    press(qtbot, Qt.Key.Key_PageDown)
    assert answer.verticalScrollBar().value() > 0
    press(qtbot, Qt.Key.Key_F)
    assert not answer.isVisible()


def test_esc_on_the_checklist_stops_the_mock_and_keeps_what_was_confirmed(make_window, qtbot, clock) -> None:
    window, view = start_mock(make_window, qtbot, clock, MockSetup("topic", "attention", 2, 3))
    conn = window.workspace.progress.conn
    press(qtbot, Qt.Key.Key_Space)
    press(qtbot, Qt.Key.Key_1)
    press(qtbot, Qt.Key.Key_Return)  # the first answer confirmed
    press(qtbot, Qt.Key.Key_Space)
    assert view.pages.currentWidget() is view.checklist_page
    press(qtbot, Qt.Key.Key_Escape)  # the second one is checked but not confirmed
    assert view.pages.currentWidget() is view.summary_page
    assert len(view.mock.done()) == 1
    assert [qid for (qid,) in conn.execute("SELECT question_id FROM reviews")] == [view.mock.question_ids[0]]
    press(qtbot, Qt.Key.Key_Escape)  # and from the summary, a new mock
    assert view.pages.currentWidget() is view.setup_page


def test_esc_on_the_first_checklist_goes_back_to_the_setup_and_writes_nothing(make_window, qtbot, clock) -> None:
    window, view = start_mock(make_window, qtbot, clock, MockSetup("topic", "attention", 1, 3))
    press(qtbot, Qt.Key.Key_Space)
    assert view.pages.currentWidget() is view.checklist_page
    press(qtbot, Qt.Key.Key_Escape)
    assert view.pages.currentWidget() is view.setup_page and view.mock is None
    assert window.workspace.progress.conn.execute("SELECT COUNT(*) FROM reviews").fetchone() == (0,)


def test_each_point_shows_a_box_to_tick_and_a_ticked_one_is_filled(make_window, qtbot, clock) -> None:
    window, view = start_mock(make_window, qtbot, clock, MockSetup("topic", "attention", 1, 3),
                              question_ids=["attention-basics"])
    press(qtbot, Qt.Key.Key_Space)
    row = view.checklist_page.rows[0]
    qtbot.waitUntil(lambda: row.box.isVisible() and row.box.width() > 0)

    def pixels():
        image = row.box.grab().toImage()
        middle = image.height() // 2
        return image.pixelColor(1, middle), image.pixelColor(image.width() // 2, 2)

    edge, inside = pixels()
    assert edge != inside  # an empty box has an outline: the user sees what there is to tick
    press(qtbot, Qt.Key.Key_1)
    edge_ticked, inside_ticked = pixels()
    assert inside_ticked != inside and row.box.text() == "✔"
