"""The Interview view: set up a mock, answer each question against the clock, tick the key
points covered, confirm the rating, see the summary and readiness (core/study/interview.py does the work).

Keys: Enter starts and confirms; Space ends an answer (Ctrl+Enter while typing); T types an
outline and Esc leaves the box; 1–6 tick points; A/H/G/E change the rating; F the full answer;
P practises the missed points; Ctrl+S exports the report; Esc stops a mock or starts a new one.

The countdown is a QTimer tick that reads an injectable clock, so tests move time by hand.
"""

from __future__ import annotations

import html
import json
import random
from pathlib import Path

from fsrs import Rating
from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QFileDialog, QMessageBox, QStackedWidget, QVBoxLayout, QWidget

from ...core.changes import Changes
from ...core.content.library import LEVEL_NAMES, LEVELS
from ...core.study import interview
from ...core.study.interview import Mock, MockSetup
from ...core.study.session import RATING_NAMES, Clock, Scope, StudySettings, format_duration, system_clock
from ...core.workspace import Workspace
from .. import theme as themes
from .pages import (
    RATING_KEYS,
    ChecklistPage,
    PointRow,
    QuestionPage,
    SetupPage,
    SummaryPage,
    label,
    stylesheet,
    summary_rows_html,
)

LAST_MOCK_KEY = "interview.last"  # the settings row that "Again" repeats (this database only)
TICK_MS = 250


def _clock_text(seconds: float) -> str:
    whole = max(0, int(seconds + 0.999))  # 2:59.4 left shows 3:00, and 0:00 only at the end
    return f"{whole // 60}:{whole % 60:02d}"


class InterviewView(QWidget):
    open_page = Signal(str)
    study_requested = Signal(object)  # a core.study.Scope to practise ahead in the Flashcards view
    counts_changed = Signal()

    def __init__(self, workspace: Workspace, theme: themes.Theme, bookmarks=lambda: [],
                 clock: Clock = system_clock, rng: random.Random | None = None, parent=None) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self.theme = theme
        # The view's own style sheet before its first child: set after, it restyled every widget
        # again (the Stats view's 48 ms of a first open); each widget added now is styled once.
        self.apply_theme()
        self.bookmarks = bookmarks
        self.clock = clock
        self.rng = rng or random.Random()
        self.mock: Mock | None = None
        self.index = 0
        self.phase = ""  # "thinking" or "answering" on the question page
        self.phase_started = None
        self.rating: Rating | None = None  # the rating chosen on the checklist (None: the proposed one)
        self.full_answer = False
        self.readiness_before: interview.Readiness | None = None  # at the start of the mock
        self.tick = QTimer(self, interval=TICK_MS, timeout=self._tick)

        self.pages = QStackedWidget()
        self.setup_page = SetupPage(theme)
        self.pages.addWidget(self.setup_page)
        # The mock's pages are built when a mock first needs them (_page): built with the view,
        # they tripled its first opening, and most openings only show the set-up.
        self._built: dict[str, QWidget] = {}
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.pages)
        self._wire()

    @property
    def conn(self):
        return self.workspace.progress.conn

    # ------------------------------------------------------------ wiring and keys
    @property
    def question_page(self) -> QuestionPage:
        return self._page("question")

    @property
    def checklist_page(self) -> ChecklistPage:
        return self._page("checklist")

    @property
    def summary_page(self) -> SummaryPage:
        return self._page("summary")

    def _page(self, name: str):
        page = self._built.get(name)
        if page is None:
            make, wire = {"question": (QuestionPage, self._wire_question),
                          "checklist": (lambda: ChecklistPage(self.workspace, self.theme), self._wire_checklist),
                          "summary": (lambda: SummaryPage(self.theme), self._wire_summary)}[name]
            page = self._built[name] = make()
            wire(page)
            self.pages.addWidget(page)
        return page

    def _showing(self, name: str) -> bool:
        """The mock page ``name`` is the one shown (never built just to say no)."""
        page = self._built.get(name)
        return page is not None and self.pages.currentWidget() is page

    def _wire(self) -> None:
        s = self.setup_page
        s.kind.currentIndexChanged.connect(self._fill_values)
        s.start_button.clicked.connect(lambda: self.start())
        s.again_button.clicked.connect(self.again)
        s.readiness.practise_requested.connect(self.practise_topic)
        for key in ("Return", "Enter"):
            s.key(key, lambda: self.start())
        s.key("Ctrl+R", self.again)

    def _wire_question(self, q: QuestionPage) -> None:
        q.end_button.clicked.connect(self.end_answer)
        q.key("Space", self._space)
        for key in ("Ctrl+Return", "Ctrl+Enter"):
            q.key(key, self.end_answer)
        q.key("T", self._focus_outline)
        q.key("Escape", self._escape_question)

    def _wire_checklist(self, c: ChecklistPage) -> None:
        for n in range(1, interview.MAX_POINTS_KEYED + 1):
            c.key(str(n), lambda n=n: self.toggle_point(n - 1))
        for rating, key in RATING_KEYS.items():
            c.key(key, lambda r=rating: self.choose_rating(r))
            c.rating_buttons[rating].clicked.connect(lambda _=False, r=rating: self.choose_rating(r))
        for key in ("Return", "Enter"):
            c.key(key, self.confirm)
        c.confirm_button.clicked.connect(self.confirm)
        c.key("F", self.toggle_full_answer)
        # As on the question: the answers confirmed so far are kept and summed up, this one is not.
        c.key("Escape", self.stop_mock)
        for key, action in (("Down", "SliderSingleStepAdd"), ("Up", "SliderSingleStepSub"),
                            ("PgDown", "SliderPageStepAdd"), ("PgUp", "SliderPageStepSub")):
            c.key(key, lambda a=action: self._scroll_answer(a))
        c.answer_view.internal_link.connect(self.open_page)

    def _wire_summary(self, m: SummaryPage) -> None:
        m.key("P", self.practise_missed)
        for n in range(1, 10):
            m.key(str(n), lambda n=n: self.open_answer(n - 1))
        m.key("Ctrl+S", lambda: self.export_report())
        m.key("Escape", self.new_mock)
        m.key("Ctrl+R", self.again)
        m.practise_button.clicked.connect(self.practise_missed)
        m.export_button.clicked.connect(lambda: self.export_report())
        m.new_button.clicked.connect(self.new_mock)
        m.rows.linkActivated.connect(self.open_page)

    def on_shown(self) -> None:
        if self.pages.currentWidget() is self.setup_page:
            self.refresh_setup()
        self.pages.currentWidget().setFocus()

    # ------------------------------------------------------------ set-up
    def refresh_setup(self) -> None:
        s = self.setup_page
        chosen = s.value.currentData()
        self._fill_values()  # the library may have changed (an import) since the last visit
        if chosen is not None and s.value.findData(chosen) >= 0:
            s.value.setCurrentIndex(s.value.findData(chosen))
        s.again_button.setEnabled(self._last_mock() is not None)
        self._refresh_readiness()

    def _refresh_readiness(self) -> interview.Readiness:
        settings = StudySettings.load(self.conn)
        ready = interview.readiness(self.conn, self.workspace.library, clock=self.clock,
                                    desired_retention=settings.desired_retention)
        self.setup_page.readiness.set_data(ready, interview.mock_history(self.conn, 20))
        return ready

    def _fill_values(self) -> None:
        s = self.setup_page
        kind = s.kind.currentData()
        library = self.workspace.library
        s.value.blockSignals(True)
        s.value.clear()
        if kind == "topic":
            for topic in library.topics:
                if topic.questions:
                    s.value.addItem(topic.title, topic.id)
        elif kind == "level":
            for level in LEVELS:
                s.value.addItem(LEVEL_NAMES[level], level)
        elif kind == "milestone":
            for milestone in library.milestones:
                if milestone.questions:
                    s.value.addItem(milestone.title, milestone.id)
        s.value.blockSignals(False)
        has_values = s.value.count() > 0
        s.value.setVisible(has_values)
        s.value_label.setVisible(has_values)
        s.message.setText("")

    def current_setup(self) -> MockSetup:
        s = self.setup_page
        return MockSetup(s.kind.currentData(), s.value.currentData() or "", s.count.value(), s.minutes.value(),
                         s.thinking.value())

    def select_setup(self, setup: MockSetup) -> None:
        """Show ``setup`` in the set-up form (tests and "practise this topic")."""
        s = self.setup_page
        s.kind.setCurrentIndex(max(0, s.kind.findData(setup.kind)))
        self._fill_values()
        if setup.value:
            s.value.setCurrentIndex(max(0, s.value.findData(setup.value)))
        s.count.setValue(setup.count)
        s.minutes.setValue(setup.minutes)
        s.thinking.setValue(setup.thinking_seconds)

    def _last_mock(self) -> tuple[MockSetup, list[str]] | None:
        row = self.conn.execute("SELECT value FROM settings WHERE key = ?", (LAST_MOCK_KEY,)).fetchone()
        try:
            data = json.loads(row[0]) if row else None
            setup = MockSetup.from_dict(data.get("setup")) if isinstance(data, dict) else None
            ids = [q for q in data.get("questions", []) if isinstance(q, str)] if setup else []
        except (ValueError, AttributeError):
            return None
        return (setup, ids) if setup and ids else None

    def start(self, setup: MockSetup | None = None, question_ids: list[str] | None = None) -> bool:
        setup = setup or self.current_setup()
        library = self.workspace.library
        mock = Mock.start(self.conn, library, setup, bookmarks=self.bookmarks(), rng=self.rng, clock=self.clock,
                          question_ids=question_ids)
        if not mock.answers:
            self.setup_page.message.setText(f"{setup.label(library)} has no questions to ask yet.")
            self.pages.setCurrentWidget(self.setup_page)
            return False
        self.conn.execute("INSERT OR REPLACE INTO settings VALUES (?, ?)",
                          (LAST_MOCK_KEY, json.dumps({"setup": setup.to_dict(), "questions": mock.question_ids})))
        self.readiness_before = interview.readiness(self.conn, library, clock=self.clock)
        self.mock = mock
        self.index = 0
        self._show_question()
        return True

    def again(self) -> None:
        last = self._last_mock()
        if last is not None and (self.pages.currentWidget() is self.setup_page or self._showing("summary")):
            self.select_setup(last[0])
            self.start(last[0], last[1])

    def practise_topic(self, topic_id: str) -> None:
        """A mock on one topic (the weakest, from the readiness panel) with the current timings."""
        current = self.current_setup()
        setup = MockSetup("topic", topic_id, current.count, current.minutes, current.thinking_seconds)
        self.select_setup(setup)
        self.start(setup)

    # ------------------------------------------------------------ a question
    def _show_question(self) -> None:
        answer = self.mock.answers[self.index]
        question = self.workspace.library.question(answer.question_id)
        topic = self.workspace.library.topic(question.topic_id)
        q = self.question_page
        q.position.setText(f"Question {self.index + 1} of {len(self.mock.answers)}  ·  "
                           f"{html.escape(self.mock.label)}")
        parts = [topic.title if topic else "", LEVEL_NAMES.get(question.level, question.level or "")]
        q.caption.setText("  ·  ".join(p for p in parts if p))
        q.question.setText(question.title)
        q.outline.setPlainText("")
        q.warning.setText("")
        self.phase = "thinking" if self.mock.setup.thinking_seconds else "answering"
        self.phase_started = self.clock()
        if self.phase == "answering":
            answer.started_at = self.phase_started
        self.pages.setCurrentWidget(q)
        q.setFocus()
        self._update_question_hint()
        self._tick()
        self.tick.start()

    def _update_question_hint(self) -> None:
        q = self.question_page
        if self.phase == "thinking":
            q.end_button.setText("Start answering   Space")
            q.hint.setText("Thinking time: the answer clock starts after it  ·  Space start now  ·  Esc stop the mock")
        else:
            q.end_button.setText("End answer   Space")
            q.hint.setText("Space end the answer  ·  T type an outline, Esc leaves it, Ctrl+Enter ends from it  ·  "
                           "Esc stop the mock")

    def remaining(self) -> float:
        limit = self.mock.setup.thinking_seconds if self.phase == "thinking" else self.mock.setup.minutes * 60
        return limit - (self.clock() - self.phase_started).total_seconds()

    def _tick(self) -> None:
        if self.mock is None or not self._showing("question"):
            self.tick.stop()
            return
        left = self.remaining()
        q = self.question_page
        if self.phase == "thinking":
            q.clock.setText(f"<span style='font-family: sans-serif; font-size: 14px; font-weight: 400; "
                            f"color: {self.theme.muted}'>thinking time&nbsp;&nbsp;</span>{_clock_text(left)}")
            if left <= 0:
                self._begin_answer()
            return
        warn = left <= interview.WARNING_SECONDS
        if q.clock.property("warn") != warn:
            q.clock.setProperty("warn", warn)
            q.clock.style().unpolish(q.clock)
            q.clock.style().polish(q.clock)
        q.warning.setText("Under 30 seconds left: time to wrap up." if warn and left > 0 else "")
        q.clock.setText(_clock_text(left))
        if left <= 0:
            self.end_answer()

    def _begin_answer(self) -> None:
        self.phase = "answering"
        self.phase_started = self.clock()
        self.mock.answers[self.index].started_at = self.phase_started
        self._update_question_hint()
        self._tick()

    def _space(self) -> None:
        if self.question_page.outline.hasFocus():
            return
        if self.phase == "thinking":
            self._begin_answer()
        else:
            self.end_answer()

    def _focus_outline(self) -> None:
        if not self.question_page.outline.hasFocus():
            self.question_page.outline.setFocus()

    def _escape_question(self) -> None:
        if self.question_page.outline.hasFocus():
            self.question_page.setFocus()
        else:
            self.stop_mock()

    def end_answer(self) -> None:
        if self.mock is None or not self._showing("question"):
            return
        if self.phase == "thinking":
            self._begin_answer()
            return
        self.tick.stop()
        answer = self.mock.answers[self.index]
        used = (self.clock() - answer.started_at).total_seconds()
        answer.seconds_used = max(0.0, min(used, self.mock.setup.minutes * 60))
        answer.outline = self.question_page.outline.toPlainText()
        self._show_checklist()

    def stop_mock(self) -> None:
        """Esc during a mock: the answers confirmed so far are kept and summed up."""
        self.tick.stop()
        if self.mock is not None and self.mock.done():
            self._show_summary()
        else:
            self.new_mock()

    # ------------------------------------------------------------ the checklist
    def _show_checklist(self) -> None:
        answer = self.mock.answers[self.index]
        question = self.workspace.library.question(answer.question_id)
        c = self.checklist_page
        c.position.setText(f"Question {self.index + 1} of {len(self.mock.answers)}  ·  answered in "
                           f"{format_duration(answer.seconds_used)}")
        c.question.setText(question.title)
        for row in c.rows:
            row.setParent(None)
            row.deleteLater()
        c.rows = []
        for n, point in enumerate(answer.points, 1):
            row = PointRow(n, interview.point_html(point))
            row.toggled.connect(lambda i=n - 1: self.toggle_point(i))
            c.points_box.addWidget(row)
            c.rows.append(row)
        self.rating = None
        self.full_answer = False
        c.answer_view.hide()
        c.answer_view.show_html("")
        self._update_checklist()
        self.pages.setCurrentWidget(c)
        c.setFocus()

    def toggle_point(self, index: int) -> None:
        if self.mock is None or not self._showing("checklist"):
            return
        answer = self.mock.answers[self.index]
        if not 0 <= index < len(answer.points):
            return
        answer.ticked ^= {index}
        self._update_checklist()

    def choose_rating(self, rating: Rating) -> None:
        if self._showing("checklist"):
            self.rating = rating
            self._update_checklist()

    def chosen_rating(self) -> Rating:
        return self.rating or self.mock.answers[self.index].proposed

    def _update_checklist(self) -> None:
        answer = self.mock.answers[self.index]
        c = self.checklist_page
        for i, row in enumerate(c.rows):
            row.set_checked(i in answer.ticked)
        chosen = self.chosen_rating()
        for rating, button in c.rating_buttons.items():
            button.setChecked(rating == chosen)
        proposed = RATING_NAMES[answer.proposed]
        how = "proposed" if self.rating is None or self.rating == answer.proposed else f"you chose it over {proposed}"
        c.coverage.setText(f"{len(answer.ticked)} of {len(answer.points)} points · {answer.coverage:.0%}  →  "
                           f"<b>{RATING_NAMES[chosen]}</b> <span style='color:{self.theme.muted}'>({how})</span>")

    def toggle_full_answer(self) -> None:
        if not self._showing("checklist"):
            return
        c = self.checklist_page
        self.full_answer = not self.full_answer
        if self.full_answer:
            question = self.workspace.library.question(self.mock.answers[self.index].question_id)
            c.answer_view.show_html(c.answer_view.renderer.to_html(question.answer), f"q:{question.id}")
        c.answer_view.setVisible(self.full_answer)

    def _scroll_answer(self, action: str) -> None:
        from PySide6.QtWidgets import QAbstractSlider

        view = self.checklist_page.answer_view
        if view.isVisible():
            view.verticalScrollBar().triggerAction(getattr(QAbstractSlider.SliderAction, action))

    def confirm(self) -> None:
        if self.mock is None or not self._showing("checklist"):
            return
        self.mock.confirm(self.conn, self.index, self.chosen_rating(), clock=self.clock)
        # The due counts (tab, status bar) are refreshed once the mock ends: at 100k cards that
        # takes ~50 ms, which would sit between every answer and the next question.
        self.index += 1
        if self.index < len(self.mock.answers):
            self._show_question()
        else:
            self._show_summary()

    # ------------------------------------------------------------ the summary
    def _show_summary(self) -> None:
        mock = self.mock
        self.counts_changed.emit()
        m = self.summary_page
        t = self.theme
        ticked, total = mock.totals()
        m.title.setText(f"Mock complete: {html.escape(mock.label)}")
        m.total.setText(f"{ticked / total:.0%}" if total else "—")
        m.total_caption.setText(f"total coverage: {ticked} of {total} key points over {len(mock.done())} "
                                f"question{'s' if len(mock.done()) != 1 else ''}")
        ready = self._refresh_readiness()
        earlier = self.readiness_before or ready
        after, before = ready.overall, earlier.overall
        library = self.workspace.library
        touched = {q.topic_id for a in mock.done() if (q := library.question(a.question_id)) is not None}
        was = {t.topic_id: t.score for t in earlier.topics}
        topic_lines = [f"{html.escape(t.title)} {was.get(t.topic_id, 0):.0%} → <b>{t.score:.0%}</b>"
                       for t in ready.topics if t.topic_id in touched][:3]
        m.readiness.setText(f"{after:.0%}")
        delta = round(100 * after) - round(100 * before)
        change = f"was {before:.0%}, {'+' if delta > 0 else ''}{delta} points" if delta else "unchanged"
        m.readiness_caption.setText(f"interview readiness overall ({change})"
                                    + ("<br>" + " · ".join(topic_lines) if topic_lines else ""))
        m.rows.setText(summary_rows_html(mock, self.workspace.library, t))
        m.practise_button.setEnabled(bool(mock.missed_question_ids()))
        self.pages.setCurrentWidget(m)
        m.setFocus()

    def open_answer(self, index: int) -> None:
        """Summary key 1-9: that question's page in the library."""
        if self.mock is not None and self._showing("summary"):
            done = self.mock.done()
            if 0 <= index < len(done):
                self.open_page.emit(f"q:{done[index].question_id}")

    def practise_missed(self) -> None:
        if self.mock is None or not self._showing("summary"):
            return
        ids = self.mock.missed_question_ids()
        if ids:
            self.study_requested.emit(Scope("questions", ",".join(ids), "Missed in your mock"))

    def report(self) -> str:
        return interview.report_markdown(self.mock, self.workspace.library)

    def export_report(self, path: str | None = None) -> Path | None:
        if self.mock is None or not self.mock.done():
            return None
        if path is None:
            stamp = self.mock.started_at.astimezone().strftime("%Y-%m-%d-%H%M")
            path, _ = QFileDialog.getSaveFileName(self, "Export mock report", str(Path.home() / f"mock-{stamp}.md"),
                                                  "Markdown (*.md)")
            if not path:
                return None
        target = Path(path)
        try:
            target.write_text(self.report(), encoding="utf-8")
        except OSError as exc:
            QMessageBox.warning(self, "Export mock report", f"Could not write {target}: {exc.strerror or exc}")
            return None
        self.summary_page.total_caption.setToolTip(f"Report saved to {target}")
        return target

    def new_mock(self) -> None:
        self.tick.stop()
        self.mock = None
        self.pages.setCurrentWidget(self.setup_page)
        self.refresh_setup()
        self.setup_page.setFocus()

    def leave(self) -> None:
        """The data changed underneath (an import, a restore): a running mock ends."""
        self.new_mock()

    def on_changes(self, changes: Changes) -> None:
        if changes.sessions_void:
            self.leave()
        elif changes.progress and self.isVisible():
            self.on_shown()

    # ------------------------------------------------------------ look
    def set_theme(self, theme: themes.Theme) -> None:
        self.theme = theme
        self.setup_page.readiness.set_theme(theme)
        if "checklist" in self._built:
            self.checklist_page.answer_view.set_theme(theme)
        self.apply_theme()
        if self.mock is not None and self._showing("checklist"):
            self._update_checklist()
        elif self.mock is not None and self._showing("summary"):
            self._show_summary()

    def apply_theme(self) -> None:
        self.setStyleSheet(stylesheet(self.theme))


__all__ = ["InterviewView", "label"]
