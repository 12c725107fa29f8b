import re

from fsrs import Rating
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from genai_desktop.ui import runner


def _counted(qtbot) -> None:
    """The deck list and the badges are counted on the runner: wait for the last count to land."""
    qtbot.waitUntil(lambda: not runner.busy(ignoring=("search-index",)), timeout=5000)


def _reviews(window):
    return window.workspace.progress.conn.execute(
        "SELECT question_id, rating FROM reviews ORDER BY id").fetchall()


def test_a_full_review_session_with_keys(make_window, qtbot) -> None:
    window = make_window()
    window.show_view("flashcards")
    view = window.flashcards
    assert view.scope_list.count() >= 3  # all, levels, topics
    qtbot.keyClick(view, Qt.Key.Key_Return)  # start with "All questions"
    assert view.pages.currentWidget() is view.review_page
    assert view.question.text() == "What does scaled dot-product attention compute?"
    assert view.show_button.isEnabled() and not view.ratings_offered()
    assert not view.rating_buttons[Rating.Good].isEnabled()  # under the Show answer row: not clickable

    qtbot.keyClick(view, Qt.Key.Key_Space)  # show the answer
    assert view.revealed and "Each query scores every key" in view.answer_view.toPlainText()
    assert view.rating_buttons[Rating.Good].text().startswith("Good · ")
    assert view.ratings_offered() and view.rating_buttons[Rating.Good].isEnabled() and not view.show_button.isEnabled()
    qtbot.keyClick(view, Qt.Key.Key_F)
    assert "The formula:" in view.answer_view.toPlainText()

    qtbot.keyClick(view, Qt.Key.Key_3)  # Good
    assert _reviews(window) == [("attention-basics", 3)]
    assert view.question.text() == "Why use several attention heads?"
    qtbot.keyClick(view, Qt.Key.Key_1)  # not revealed yet: ignored
    assert len(_reviews(window)) == 1
    qtbot.keyClick(view, Qt.Key.Key_Space)
    qtbot.keyClick(view, Qt.Key.Key_1)  # Again
    assert _reviews(window)[-1] == ("multi-head", 1)

    qtbot.keyClick(view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # undo
    assert _reviews(window) == [("attention-basics", 3)]
    assert view.question.text() == "Why use several attention heads?"
    assert window.flashcards_tab.text().startswith("Flashcards")

    qtbot.keyClick(view, Qt.Key.Key_B)  # bury: gone until tomorrow
    buried = window.workspace.progress.conn.execute(
        "SELECT buried_day FROM cards WHERE question_id = 'multi-head'").fetchone()
    assert buried and buried[0]
    assert view.question.text() == "What objective does a GAN optimise?"
    qtbot.keyClick(view, Qt.Key.Key_Space)
    qtbot.keyClick(view, Qt.Key.Key_4)
    # attention-basics is in learning and due within the learn-ahead window: it comes back
    assert view.question.text() == "What does scaled dot-product attention compute?"
    qtbot.keyClick(view, Qt.Key.Key_Space)
    qtbot.keyClick(view, Qt.Key.Key_4)
    assert view.pages.currentWidget() is view.done_page
    assert "Session complete" in view.done_title.text()
    assert "Next card due" in view.done_text.text()
    assert re.match(r"3 cards in \d+ s  ·  again rate 0%", view.done_text.text())  # not "0m 02s"
    qtbot.keyClick(view, Qt.Key.Key_Escape)
    assert view.pages.currentWidget() is view.deck_page


def test_the_study_now_button_starts_the_selected_deck_as_enter_does(make_window, qtbot) -> None:
    window = make_window()
    window.show_view("flashcards")
    view = window.flashcards
    qtbot.mouseClick(view.start_button, Qt.MouseButton.LeftButton)  # clicked(checked=False): not a scope
    assert view.pages.currentWidget() is view.review_page
    assert view.question.text() == "What does scaled dot-product attention compute?"
    qtbot.keyClick(view, Qt.Key.Key_Space)
    assert view.revealed


def test_scope_a_topic_and_nothing_due_screen(make_window, qtbot) -> None:
    window = make_window()
    window.show_view("flashcards")
    view = window.flashcards
    labels = [view.scope_list.item(i).text() for i in range(view.scope_list.count())]
    view.scope_list.setCurrentRow(labels.index("GANs"))
    view.start()
    assert view.question.text() == "What objective does a GAN optimise?"
    view.reveal()
    view.rate(Rating.Easy)
    assert view.pages.currentWidget() is view.done_page
    view.leave()
    view.scope_list.setCurrentRow(labels.index("GANs"))
    view.start()
    assert view.done_title.text() == "All done for today"
    assert "Next card due" in view.done_text.text()


def test_status_bar_and_tree_show_due_counts(make_window, qtbot) -> None:
    window = make_window()
    window.show_view("flashcards")
    window.flashcards.start()
    window.flashcards.reveal()
    window.flashcards.rate(Rating.Again)  # asks for the counts again, as every answer does
    _counted(qtbot)
    assert window.status_due.text().startswith("1 due")
    topic = window.sidebar._items["topic:attention"]
    assert topic.data(Qt.ItemDataRole.UserRole + 3) == 1


def test_card_caption_has_no_dangling_separator_for_imported_notes(make_window, data_dir, tmp_path) -> None:
    from genai_desktop.core.packs.notes_import import plan_text
    from genai_desktop.core.packs.user_packs import write_pack
    from genai_desktop.core.study.session import Scope
    from genai_desktop.paths import DataPaths

    paths = DataPaths(data_dir)
    paths.ensure()
    write_pack(paths.packs, plan_text("# My notes\n\n## What is a token?\n\nA piece of text the model reads.\n",
                                      "my-notes.md"))
    window = make_window()
    window.show_view("flashcards")
    view = window.flashcards
    imported = [q for q in window.workspace.library.questions() if not q.level]
    assert imported, "the imported question has no level"
    view.start(Scope("pack", imported[0].pack, "My notes"))
    caption = view.caption.text()
    assert caption and not caption.rstrip().endswith("·") and "  ·  " not in caption


def _start_all(window):
    window.show_view("flashcards")
    view = window.flashcards
    view.start()
    return view


def test_the_progress_bar_is_not_full_while_cards_remain(make_window) -> None:
    window = make_window()
    view = _start_all(window)
    for _ in range(3):  # Again on each new card: all three are now learning cards, due again today
        view.reveal()
        view.rate(Rating.Again)
    assert view.session.current is not None
    assert view.progress.value() < view.progress.maximum()
    while view.session.current is not None:
        view.reveal()
        view.rate(Rating.Easy)
    assert view.progress.value() == view.progress.maximum()


def test_bury_suspend_and_undo_say_what_they_did_and_the_undo_key(make_window, qtbot) -> None:
    window = make_window()
    view = _start_all(window)
    qtbot.keyClick(view, Qt.Key.Key_B)
    assert "Buried until tomorrow" in view.notice.text() and "Ctrl+Z" in view.notice.text()
    qtbot.keyClick(view, Qt.Key.Key_S)
    assert "Suspended" in view.notice.text() and "Ctrl+Z" in view.notice.text()
    qtbot.keyClick(view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert "Undone" in view.notice.text() and "unsuspended" in view.notice.text()
    qtbot.keyClick(view, Qt.Key.Key_Space)
    qtbot.keyClick(view, Qt.Key.Key_3)
    assert view.notice.text() == ""  # a rating is its own feedback: the notice goes


class FakeMs:
    def __init__(self) -> None:
        self.now = 1_000

    def __call__(self) -> int:
        return self.now


def test_time_on_card_stops_while_the_answer_is_read_in_the_library(make_window) -> None:
    window = make_window()
    window.show_view("flashcards")
    view = window.flashcards
    clock = FakeMs()
    view.card_timer.clock = clock
    view.start()
    clock.now += 5_000
    view.reveal()
    window.show_view("library")  # "open it in the library": the flashcards view is hidden
    clock.now += 120_000
    window.show_view("flashcards")
    clock.now += 2_000
    assert view.card_timer.elapsed() == 7_000
    view.rate(Rating.Good)
    assert window.workspace.progress.conn.execute("SELECT duration_ms FROM reviews").fetchone() == (7_000,)


def test_study_more_new_cards_of_a_scope_after_the_daily_limit(make_window, qtbot) -> None:
    window = make_window()
    window.show_view("flashcards")
    view = window.flashcards
    view.new_limit.setValue(1)  # saved at once
    view.start()
    view.reveal()
    view.rate(Rating.Easy)
    assert view.pages.currentWidget() is view.done_page
    assert view.more_button.isVisible() and "2 more new cards" in view.more_button.text()
    view.more_button.click()
    assert view.pages.currentWidget() is view.review_page
    assert view.session.counts()[0] == 2
    while view.session.current is not None:
        view.reveal()
        view.rate(Rating.Easy)
    assert not view.more_button.isVisible()  # nothing new left in the scope


def test_changing_a_limit_refreshes_the_deck_list(make_window, qtbot) -> None:
    window = make_window()
    window.show_view("flashcards")
    view = window.flashcards
    qtbot.waitUntil(lambda: "3 new" in view.scope_list.item(0).toolTip())
    view.new_limit.setValue(1)
    qtbot.waitUntil(lambda: "1 new" in view.scope_list.item(0).toolTip())


def test_study_this_milestone_delivers_its_new_cards_past_the_daily_limit(make_window) -> None:
    from genai_desktop.core.study.roadmap import milestone_scope

    window = make_window()
    window.show_view("flashcards")
    view = window.flashcards
    view.new_limit.setValue(0)
    milestone = window.workspace.library.milestone("rm.test.dev1.reading")
    window.study_scope(milestone_scope(milestone))
    assert view.pages.currentWidget() is view.review_page
    assert view.session.counts() == (2, 0, 0)


def test_the_leech_setting_is_saved_from_the_deck_page(make_window) -> None:
    from genai_desktop.core.study.session import leech_auto_suspend

    window = make_window()
    window.show_view("flashcards")
    view = window.flashcards
    assert not view.leech_box.isChecked()
    view.leech_box.setChecked(True)
    assert leech_auto_suspend(window.workspace.progress.conn)
    view.refresh_deck()
    assert view.leech_box.isChecked()


def _custom_dialog(window, view):
    from genai_desktop.ui.custom_study import CustomStudyDialog

    ids = view.scope.question_ids(window.workspace.library)
    return CustomStudyDialog(window.workspace.progress.conn, view.scope, ids, 2, window.theme, view)


def test_custom_study_counts_each_choice_and_refuses_an_empty_one(make_window, qtbot) -> None:
    window = make_window()
    view = _start_all(window)
    view.reveal()
    view.rate(Rating.Again)  # attention-basics forgotten today
    view.reveal()
    view.rate(Rating.Easy)  # multi-head: in review, due in some days
    view.leave()
    dialog = _custom_dialog(window, view)
    qtbot.addWidget(dialog)
    assert dialog.kind() == "new" and dialog.ok.isEnabled() and dialog.ok.text() == "Add"
    assert dialog.counts["forgotten"].text() == "1 card"
    dialog.numbers["ahead"].setValue(365)
    assert dialog.kind() == "ahead" and not dialog.ok.isEnabled()  # until counted
    qtbot.waitUntil(dialog.ok.isEnabled)
    assert dialog.counts["ahead"].text() == "2 cards" and dialog.ok.text() == "Study"
    assert set(dialog.cards()) == {"attention-basics", "multi-head"} and dialog.number() == 365
    dialog.numbers["ahead"].setValue(1)
    qtbot.waitUntil(lambda: dialog.counts["ahead"].text() == "1 card")  # the learning card only
    window.workspace.progress.conn.execute("UPDATE cards SET suspended = 1 WHERE question_id = 'attention-basics'")
    dialog.options["forgotten"].setChecked(True)
    dialog.numbers["forgotten"].setValue(2)
    qtbot.waitUntil(lambda: dialog.counts["forgotten"].text() == "no cards")
    assert not dialog.ok.isEnabled()


def test_study_ahead_runs_a_session_and_returns_to_its_deck(make_window, qtbot) -> None:
    window = make_window()
    view = _start_all(window)
    for _ in range(3):
        view.reveal()
        view.rate(Rating.Easy)  # all three in review, due in days
    view.leave()
    _counted(qtbot)
    labels = [view.scope_list.item(i).text() for i in range(view.scope_list.count())]
    view.scope_list.setCurrentRow(labels.index("Attention"))
    assert "done for today" in view.scope_list.currentItem().toolTip()
    view.run_custom_study(view.scope, "ahead", 30, ["multi-head", "attention-basics"])
    assert view.pages.currentWidget() is view.review_page
    assert view.question.text() == "Why use several attention heads?"  # in the order given (soonest due)
    assert "Attention · due in the next 30 days" in view.queue_label.text()
    view.reveal()
    view.rate(Rating.Good)
    view.reveal()
    view.rate(Rating.Good)
    assert view.pages.currentWidget() is view.done_page
    assert len(_reviews(window)) == 5
    view.leave()
    assert view.scope_list.currentItem().text() == "Attention"


def test_more_new_cards_from_custom_study_show_in_the_deck_list_at_once(make_window, qtbot) -> None:
    window = make_window()
    window.show_view("flashcards")
    view = window.flashcards
    view.new_limit.setValue(0)
    view.refresh_deck()
    _counted(qtbot)
    labels = [view.scope_list.item(i).text() for i in range(view.scope_list.count())]
    view.scope_list.setCurrentRow(labels.index("Attention"))
    assert "done for today" in view.scope_list.currentItem().toolTip()
    view.run_custom_study(view.scope, "new", 1, [])
    _counted(qtbot)
    assert view.scope_list.currentItem().text() == "Attention"
    assert "1 new" in view.scope_list.currentItem().toolTip()
    assert "done for today" in view.scope_list.item(0).toolTip()  # All questions keeps today's limit


def test_the_custom_study_button_reviews_forgotten_cards(make_window, monkeypatch) -> None:
    from genai_desktop.ui.custom_study import CustomStudyDialog

    window = make_window()
    view = _start_all(window)
    view.reveal()
    view.rate(Rating.Again)  # attention-basics forgotten
    view.leave()

    def choose_forgotten(dialog) -> int:
        dialog.options["forgotten"].setChecked(True)
        return CustomStudyDialog.DialogCode.Accepted
    monkeypatch.setattr(CustomStudyDialog, "exec", choose_forgotten)
    view.custom_button.click()
    assert view.pages.currentWidget() is view.review_page
    assert list(view.session.scope_ids) == ["attention-basics"]
    assert "forgotten in the last 1 day" in view.queue_label.text()


def test_time_on_card_pauses_through_the_answers_open_in_library_link(make_window) -> None:
    from PySide6.QtCore import QUrl

    window = make_window()
    window.show_view("flashcards")
    view = window.flashcards
    clock = FakeMs()
    view.card_timer.clock = clock
    view.start()
    view.reveal()
    clock.now += 3_000
    view.answer_view._on_link(QUrl(f"q:{view.session.current}"))  # the link under the key points
    assert window.views.currentWidget() is window.splitter and window.reader.current_page == "q:attention-basics"
    clock.now += 300_000  # reading the full answer
    window.show_view("flashcards")
    clock.now += 1_000
    assert view.card_timer.elapsed() == 4_000


def test_stepping_a_scheduling_box_saves_and_recounts_once_it_pauses(make_window, qtbot, monkeypatch) -> None:
    from genai_desktop.core.study.session import StudySettings

    window = make_window()
    window.show_view("flashcards")
    view = window.flashcards
    saves, decks = [], []
    real_save, real_deck = StudySettings.save, view.refresh_deck
    monkeypatch.setattr(StudySettings, "save",
                        lambda self, conn, now=None: (saves.append(1), real_save(self, conn, now)))
    monkeypatch.setattr(view, "refresh_deck", lambda: (decks.append(1), real_deck()))
    start = view.review_limit.value()
    for _ in range(5):  # five clicks on the arrow
        view.review_limit.stepUp()
    assert saves == [] and decks == []  # nothing yet: the user is still stepping
    qtbot.waitUntil(lambda: bool(saves), timeout=3000)
    QTest.qWait(50)
    assert len(saves) == 1 and len(decks) == 1
    assert StudySettings.load(window.workspace.progress.conn).reviews_per_day == start + 5

    view.review_limit.stepUp()  # the view left inside the pause: saved, but its deck not counted unseen
    window.show_view("library")
    assert StudySettings.load(window.workspace.progress.conn).reviews_per_day == start + 6
    assert len(saves) == 2 and len(decks) == 1
    window.show_view("flashcards")
    assert len(decks) == 2  # counted when shown again

    view.new_limit.stepUp()  # a change inside its pause is saved before a session starts from it
    view.start()
    assert StudySettings.load(window.workspace.progress.conn).new_per_day == view.new_limit.value()


def test_the_deck_list_keeps_its_counts_on_screen_until_the_new_ones_arrive(make_window, qtbot) -> None:
    """Counted on the runner: a deck listed again shows what it showed (no blank, no jump), a
    deck new to the list shows no count until its own arrives (never a false "done for today")."""
    from genai_desktop.core.content import notes
    from genai_desktop.ui.flashcards import COUNTS_ROLE

    window = make_window()
    window.show_view("flashcards")
    view = window.flashcards
    _counted(qtbot)
    before = view.scope_list.item(0).data(COUNTS_ROLE)
    assert before == (0, 3) and view.scope_list.item(0).text() == "All questions"
    notes.set_bookmark(window.workspace.progress.conn, notes.key_for("q:attention-basics"), True)  # a new deck
    with qtbot.waitSignal(view.deck_counted, timeout=5000):
        view.refresh_deck()
        labels = [view.scope_list.item(i).text() for i in range(view.scope_list.count())]
        bookmarked = view.scope_list.item(labels.index("★ Bookmarked questions"))
        assert view.scope_list.item(0).data(COUNTS_ROLE) == before  # still on screen while counting
        assert bookmarked.data(COUNTS_ROLE) is None
    _counted(qtbot)
    assert bookmarked.data(COUNTS_ROLE) == (0, 1) and "1 new" in bookmarked.toolTip()
