"""The roadmap view on the starter pack: 'Read papers' (dev1: attention-basics, multi-head; guide
reading) and 'Train a GAN' (dev2: gan-objective), both in the section Basics."""

from datetime import UTC, datetime, timedelta

import pytest
from fsrs import Rating
from PySide6.QtCore import QPoint, QRectF, Qt
from PySide6.QtWidgets import QApplication

from genai_desktop.core.study.roadmap import DONE, IN_PROGRESS, PENDING, SKIPPED, Roadmap, tally_text
from genai_desktop.core.study.session import StudySession, StudySettings
from genai_desktop.ui.roadmap import export
from genai_desktop.ui.roadmap import view as roadmap_view
from genai_desktop.ui.roadmap.checklist import ID_ROLE
from genai_desktop.ui.roadmap.painting import glyph_rect

READ, GAN = "rm.test.dev1.reading", "rm.test.dev2.gans"


@pytest.fixture
def roadmap_window(make_window, qtbot):
    window = make_window()
    qtbot.keyClick(window, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
    # A button's shortcut clicks it through animateClick, a moment later.
    qtbot.waitUntil(lambda: window.views.currentWidget() is window.view("roadmap"), timeout=2000)
    view = window.view("roadmap")
    return window, view


def _db(window) -> dict[str, tuple]:
    return {row[0]: row[1:] for row in window.workspace.progress.conn.execute(
        "SELECT milestone_id, state, done_at, note FROM milestones")}


def _key(qtbot, view, key) -> None:
    view.checklist.setFocus()
    qtbot.keyClick(view.checklist, key)


def test_the_tab_sits_between_flashcards_and_stats(make_window) -> None:
    window = make_window()
    assert window.view_names() == ["library", "flashcards", "roadmap", "stats", "interview"]
    assert window.roadmap_tab.toolTip() == "Roadmap (Ctrl+3)"


def test_keys_tick_and_the_bars_match_the_database(roadmap_window, qtbot) -> None:
    window, view = roadmap_window
    assert view.current_id == READ  # the first milestone is selected
    _key(qtbot, view, Qt.Key.Key_D)
    state, done_at, _note = _db(window)[READ]
    assert state == DONE and abs((datetime.fromisoformat(done_at) - datetime.now(UTC)).total_seconds()) < 60
    assert view.detail.state_buttons[DONE].isChecked() and view.detail.done_label.text().startswith("Done on ")

    view.select(GAN)
    _key(qtbot, view, Qt.Key.Key_S)
    assert _db(window)[GAN][0] == SKIPPED

    rows = window.workspace.progress.conn.execute(
        "SELECT sum(state = 'done'), sum(state IN ('done', 'skipped')) FROM milestones").fetchone()
    everything = view.level_tabs[None].tally
    assert (everything.done, everything.complete, everything.total) == (*rows, 2) == (1, 2, 2)
    assert (view.level_tabs["dev1"].tally.complete, view.level_tabs["dev1"].tally.total) == (1, 1)
    assert (view.level_tabs["dev2"].tally.done, view.level_tabs["dev2"].tally.skipped) == (0, 1)
    assert view.section_tally("basics").complete == 2
    assert tally_text(view.section_tally("basics")) == "2/2 · 1 done"
    assert view.summary.text() == "2 of 2 complete · 1 done · 1 skipped · 0 in progress"  # the parts add up
    assert window.status_roadmap.text() == "roadmap 100%"
    assert window.roadmap_tab.text() == "Roadmap  100%"

    _key(qtbot, view, Qt.Key.Key_L)
    assert _db(window)[GAN][:2] == (IN_PROGRESS, None)
    _key(qtbot, view, Qt.Key.Key_L)  # pressing the current state again undoes it
    assert _db(window)[GAN][0] == PENDING
    view.select(READ)
    _key(qtbot, view, Qt.Key.Key_R)
    assert _db(window)[READ][:2] == (PENDING, None)
    assert window.status_roadmap.text() == "roadmap 0%"


def test_clicking_the_circle_ticks_and_unticks(roadmap_window, qtbot) -> None:
    window, view = roadmap_window
    item = view.checklist.item_for(GAN)
    rect = view.checklist.visualItemRect(item)
    glyph = glyph_rect(QRectF(rect)).center().toPoint()
    qtbot.mouseClick(view.checklist.viewport(), Qt.MouseButton.LeftButton, pos=glyph)
    assert _db(window)[GAN][0] == DONE and view.current_id == GAN
    qtbot.mouseClick(view.checklist.viewport(), Qt.MouseButton.LeftButton, pos=glyph)
    assert _db(window)[GAN][0] == PENDING
    # A click on the title only selects.
    qtbot.mouseClick(view.checklist.viewport(), Qt.MouseButton.LeftButton,
                     pos=QPoint(rect.center().x(), rect.center().y()))
    assert _db(window)[GAN][0] == PENDING


def test_level_selector_filters_and_is_remembered(roadmap_window, qtbot) -> None:
    window, view = roadmap_window
    qtbot.mouseClick(view.level_tabs["dev2"], Qt.MouseButton.LeftButton)
    ids = [view.checklist.item(i).data(ID_ROLE) for i in range(view.checklist.count())]
    assert ids == ["basics", GAN]
    assert view.current_id == GAN
    assert window.settings.get_str("roadmap/level") == "dev2"
    assert window.status_roadmap.text() == "roadmap 0% (Dev 2: 0/1)"


def test_the_note_is_saved_as_you_type_and_letters_do_not_tick(roadmap_window, qtbot) -> None:
    window, view = roadmap_window
    view.detail.note.setFocus()
    qtbot.keyClicks(view.detail.note, "dslr done")
    assert _db(window).get(READ) is None or _db(window)[READ][0] == PENDING
    qtbot.waitUntil(lambda: READ in _db(window) and _db(window)[READ][2] == "dslr done", timeout=3000)
    assert view.detail.note_status.text() == "Saved"
    # Switching milestones right after typing saves at once (no debounce wait).
    qtbot.keyClicks(view.detail.note, "!")
    view.select(GAN)
    assert _db(window)[READ][2] == "dslr done!"
    view.select(READ)
    assert view.detail.note.toPlainText() == "dslr done!"


def test_reset_asks_first_then_undo_restores(roadmap_window, qtbot, monkeypatch) -> None:
    window, view = roadmap_window
    view.set_state(READ, DONE)
    view.set_state(GAN, IN_PROGRESS)
    before = _db(window)
    monkeypatch.setattr(roadmap_view, "ask_to_reset", lambda *args: False)
    view.reset_button.click()
    assert _db(window) == before  # cancelled: nothing lost

    monkeypatch.setattr(roadmap_view, "ask_to_reset", lambda *args: True)
    view.reset_button.click()
    assert {row[0] for row in _db(window).values()} == {PENDING}
    assert view.banner.isVisible() and "2 milestones back to pending" in view.banner.text.text()
    assert view.level_tabs[None].tally.complete == 0

    view.checklist.setFocus()
    qtbot.keyClick(view.checklist, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    after = _db(window)
    assert {k: v[:2] for k, v in after.items()} == {k: v[:2] for k, v in before.items()}  # states and dates
    assert not view.banner.isVisible()
    assert view.level_tabs[None].tally.done == 1
    assert window.status_roadmap.text() == "roadmap 50%"


def test_the_undo_button_in_the_banner(roadmap_window, monkeypatch) -> None:
    window, view = roadmap_window
    view.set_state(GAN, SKIPPED)
    monkeypatch.setattr(roadmap_view, "ask_to_reset", lambda *args: True)
    view.reset_all()
    view.banner.undo_button.click()
    assert _db(window)[GAN][0] == SKIPPED


def test_export_to_a_file_and_to_the_clipboard(roadmap_window, tmp_path, monkeypatch) -> None:
    window, view = roadmap_window
    view.set_state(READ, DONE)
    view.detail.note.setPlainText("Read the transformer paper twice.")
    target = tmp_path / "out" / "my-roadmap"
    target.parent.mkdir()
    monkeypatch.setattr(export.QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    written = view.export_to_file()
    assert written == target.with_suffix(".md")
    text = written.read_text(encoding="utf-8")
    assert text == Roadmap(window.workspace.progress.conn, window.workspace.library).export_markdown()
    assert "- [x] Read papers — done " in text and "  > Read the transformer paper twice." in text
    assert "- [ ] Train a GAN\n" in text
    view.copy_to_clipboard()
    assert QApplication.clipboard().text() == text


def test_an_unwritable_export_target_says_so(roadmap_window, tmp_path, monkeypatch) -> None:
    _window, view = roadmap_window
    warnings = []
    monkeypatch.setattr(export.QFileDialog, "getSaveFileName",
                        lambda *a, **k: (str(tmp_path / "missing-folder" / "x.md"), ""))
    monkeypatch.setattr(export.QMessageBox, "warning", lambda *args: warnings.append(args[2]))
    assert view.export_to_file() is None
    assert warnings and "could not be written" in warnings[0]


def test_links_open_in_the_reader(roadmap_window, qtbot) -> None:
    window, view = roadmap_window
    assert "guide:reading" in view.detail.guides_links.text() and "q:multi-head" in view.detail.questions_links.text()
    view.detail.guides_links.linkActivated.emit("guide:reading")
    assert window.views.currentWidget() is window.splitter
    assert window.reader.current_page == "guide:reading"
    window.show_view("roadmap")
    view.detail.questions_links.linkActivated.emit("q:multi-head")
    assert window.reader.current_page == "q:multi-head"


def test_study_this_milestone_starts_a_session_on_its_questions(roadmap_window, qtbot) -> None:
    window, view = roadmap_window
    assert view.detail.study_button.text() == "Study this milestone  ·  2 cards"
    qtbot.mouseClick(view.detail.study_button, Qt.MouseButton.LeftButton)
    cards = window.flashcards
    assert window.views.currentWidget() is cards and cards.pages.currentWidget() is cards.review_page
    assert cards.scope.kind == "milestone" and cards.scope.value == READ
    assert sorted(cards.session.scope_ids) == ["attention-basics", "multi-head"]
    assert "Roadmap · Read papers" in cards.queue_label.text()


def test_milestones_in_progress_are_flashcard_decks(roadmap_window) -> None:
    window, view = roadmap_window
    view.set_state(GAN, IN_PROGRESS)
    window.show_view("flashcards")
    labels = [window.flashcards.scope_list.item(i).text() for i in range(window.flashcards.scope_list.count())]
    assert "Roadmap · Train a GAN" in labels and "Roadmap · Read papers" not in labels


def test_mastering_every_linked_card_suggests_done_but_never_ticks(roadmap_window, qtbot) -> None:
    window, view = roadmap_window
    view.select(GAN)
    assert not view.detail.suggestion.isVisible()
    conn = window.workspace.progress.conn
    start = datetime.now(UTC) - timedelta(days=20)  # two Easy answers, the second 8 days ago
    StudySession.open(conn, ["gan-objective"], StudySettings(), lambda: start).answer(Rating.Easy)
    later = start + timedelta(days=12)
    StudySession.open(conn, ["gan-objective"], StudySettings(), lambda: later).answer(Rating.Easy)
    window.show_view("library")
    window.show_view("roadmap")  # mastery is re-read when the view is shown
    assert view.current_id == GAN
    assert view.detail.suggestion.isVisible() and "mastered its linked card" in view.detail.suggestion_text.text()
    assert "1 of 1" in view.detail.mastery_label.text()
    assert GAN not in _db(window)
    qtbot.mouseClick(view.detail.mark_done_button, Qt.MouseButton.LeftButton)
    assert _db(window)[GAN][0] == DONE and not view.detail.suggestion.isVisible()


def test_a_retired_milestone_is_listed_with_its_history_and_cannot_change(make_window, qtbot, monkeypatch) -> None:
    window = make_window()
    window.workspace.progress.conn.execute(
        "INSERT INTO milestones VALUES ('rm.gone', 'done', '2024-03-01T10:00:00+00:00', 'old note', "
        "'2024-03-01T10:00:00+00:00')")
    window.show_view("roadmap")
    view = window.view("roadmap")
    assert view.select("rm.gone")
    assert view.detail.caption.text() == "Retired  ·  rm.gone" and view.detail.title.text() == "Gone"
    assert view.detail.note.toPlainText() == "old note"
    assert not view.detail.state_buttons[PENDING].isEnabled() and not view.detail.state_buttons[PENDING].isVisible()
    _key(qtbot, view, Qt.Key.Key_R)
    assert _db(window)["rm.gone"][0] == DONE
    assert view.level_tabs[None].tally.total == 2  # retired milestones are not counted
    # The status bar is filled after the first paint, and the retired 'done' does not count.
    qtbot.waitUntil(lambda: window.status_roadmap.text() == "roadmap 0%", timeout=3000)
    monkeypatch.setattr(roadmap_view, "ask_to_reset", lambda *args: True)
    view.set_state(READ, DONE)
    view.reset_all()
    assert _db(window)["rm.gone"][0] == DONE  # a reset leaves history alone
    assert not view.reset_button.isEnabled()


def test_dark_theme_switch_repaints_without_errors(roadmap_window) -> None:
    window, view = roadmap_window
    window.set_theme("dark")
    assert view.theme.dark and view.level_tabs[None].theme.dark
    image = view.grab()
    assert not image.isNull()


def test_a_theme_switch_while_typing_keeps_the_note(roadmap_window, qtbot) -> None:
    window, view = roadmap_window
    view.detail.note.setFocus()
    qtbot.keyClicks(view.detail.note, "half a thought")  # still inside the typing pause
    window.set_theme("dark")
    assert view.detail.note.toPlainText() == "half a thought"
    assert _db(window)[READ][2] == "half a thought"
