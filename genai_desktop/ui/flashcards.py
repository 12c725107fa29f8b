"""The flashcards view: choose what to study, review cards, see the session summary.

Keys follow Anki: Space/Enter shows the answer, 1–4 rate, Ctrl+Z undoes, and Escape leaves.
F toggles the full answer, B buries the card until tomorrow, S suspends it. Custom study (ui/custom_study.py)
adds new cards to a deck today, studies ahead, or reviews the cards forgotten lately.
"""

from __future__ import annotations

import html
import sqlite3
import time
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import datetime

from fsrs import Rating
from PySide6.QtCore import QElapsedTimer, QRect, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QKeySequence, QPainter, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QDoubleSpinBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QStackedLayout,
    QStackedWidget,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from ..core.changes import Changes
from ..core.content.library import LEVEL_NAMES
from ..core.store.db import change_mark, transaction
from ..core.study.deck_counts import DeckTally, ScopeIndex, deck_counts, deck_tally
from ..core.study.roadmap import Roadmap, milestone_scope
from ..core.study.session import (
    LEECH_LAPSES,
    RATINGS,
    Scope,
    StudySession,
    StudySettings,
    add_custom_new,
    custom_new_today,
    format_duration,
    leech_auto_suspend,
    set_leech_auto_suspend,
)
from ..core.workspace import Workspace
from . import theme as themes
from .labels import styled_label
from .reader import Reader
from .runner import Recount
from .session_progress import SessionProgress

SCOPE_ROLE = Qt.ItemDataRole.UserRole + 1
COUNTS_ROLE = Qt.ItemDataRole.UserRole + 2
SETTINGS_PAUSE_MS = 400  # a scheduling box saves this long after its last step


class _ScopeDelegate(QStyledItemDelegate):
    """One row per scope: its name, then right-aligned 'due' and 'new' counts."""

    def __init__(self, view: FlashcardsView) -> None:
        super().__init__(view)
        self.view = view

    def sizeHint(self, option, index) -> QSize:  # noqa: N802
        return QSize(option.rect.width(), 40)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index) -> None:
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.text = ""
        opt.widget.style().drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, opt.widget)
        t = self.view.theme
        counted = index.data(COUNTS_ROLE)  # None: a deck listed a moment ago, its counts not in yet
        due, new = counted or (0, 0)
        rect = opt.rect.adjusted(14, 0, -14, 0)
        painter.save()
        right = rect.right()
        metrics = painter.fontMetrics()
        counts = [(f"{new} new", t.easy)] if new else []
        counts += [(f"{due} due", t.good)] if due else []
        for text, color in counts or ([("done for today", t.muted)] if counted else []):
            width = metrics.horizontalAdvance(text)
            painter.setPen(QColor(color))
            painter.drawText(QRect(right - width, rect.top(), width, rect.height()), Qt.AlignmentFlag.AlignVCenter,
                             text)
            right -= width + 18
        painter.setPen(QColor(t.text))
        label = metrics.elidedText(index.data(Qt.ItemDataRole.DisplayRole), Qt.TextElideMode.ElideRight,
                                   max(40, right - rect.left()))
        painter.drawText(rect, Qt.AlignmentFlag.AlignVCenter, label)
        painter.restore()


MORE_NEW = 10  # custom study adds this many new cards at a time


def _scope_key(scope: Scope) -> str:
    return f"{scope.kind}:{scope.value}"


class CardTimer:
    """Time on the current card, paused while the flashcards view is hidden (the user reading the
    answer in the library is not answering). ``clock`` gives milliseconds; tests inject one."""

    def __init__(self, clock=None) -> None:
        self.clock = clock or (lambda: time.monotonic_ns() // 1_000_000)
        self._since: int | None = None
        self._banked = 0
        self._valid = False

    def start(self) -> None:
        self._banked, self._since, self._valid = 0, self.clock(), True

    def pause(self) -> None:
        if self._since is not None:
            self._banked += self.clock() - self._since
            self._since = None

    def resume(self) -> None:
        if self._valid and self._since is None:
            self._since = self.clock()

    def elapsed(self) -> int:
        return self._banked + (self.clock() - self._since if self._since is not None else 0)

    def isValid(self) -> bool:  # noqa: N802 (QElapsedTimer's name, which it replaces)
        return self._valid


class WrittenCards:
    """Which cards were written to the progress database since a mark, when that is known: the
    deck list's kept tally (core/study/deck_counts.py DeckTally) reads again only those.

    Whether anything at all was written is told by the connection, not by whoever wrote: its
    ``total_changes`` counts the rows this connection wrote, and ``PRAGMA data_version`` moves
    when any other connection commits (the runner's, another process). The view notes each of its
    own writes as it makes it (a session's answer, bury, suspend or undo: one card; a setting:
    none). A write nobody noted (the interview, the card browser, a merge, a restored backup)
    leaves the cards written unknown, and the next count reads every card."""

    Mark = tuple[sqlite3.Connection, int, int]

    def __init__(self) -> None:
        self._notes: list[tuple[int, int, tuple[str, ...]]] = []  # total_changes before, after; cards

    @staticmethod
    def mark(conn: sqlite3.Connection) -> WrittenCards.Mark:
        return conn, *change_mark(conn)

    def note(self, conn: sqlite3.Connection, before: int, cards: Iterable[str]) -> None:
        """``conn`` wrote ``cards`` (and nothing else of a card) since its total_changes was ``before``."""
        self._notes.append((before, conn.total_changes, tuple(cards)))

    def since(self, mark: WrittenCards.Mark | None, now: WrittenCards.Mark) -> set[str] | None:
        """The cards written between ``mark`` and ``now`` (None: not known); the notes are used up."""
        notes, self._notes = self._notes, []
        if mark is None or mark[0] is not now[0] or mark[1] != now[1]:
            return None  # another connection, or another connection wrote
        changes, cards = mark[2], set()
        for before, after, written in notes:
            if before != changes:
                return None  # something this connection wrote between two noted writes
            changes = after
            cards.update(written)
        return cards if changes == now[2] else None


class FlashcardsView(QWidget):
    """Registered as a top-level view by the main window."""

    counts_changed = Signal()
    deck_counted = Signal()  # the deck list shows counts just counted (ui/runner.py Recount)
    browse_requested = Signal()
    scheduling_requested = Signal()  # Settings → Scheduling: fit FSRS, suggest a retention
    open_page = Signal(str)

    def __init__(self, workspace: Workspace, theme: themes.Theme, bookmarks=lambda: [], parent=None) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self.theme = theme
        self.bookmarks = bookmarks
        # The view's own style sheet before its first child: set after, it restyled every widget
        # again (the Stats view's 48 ms of a first open); each widget added now is styled once.
        self.apply_theme()
        self.session: StudySession | None = None
        self._scope_ids_of: object | None = None  # the library the kept scope ids are of
        self._scope_ids_kept: dict[Scope, Sequence[str]] = {}
        # Which of those decks hold each question (core/study/deck_counts.py), kept beside them:
        # built on the runner with the first count of a library, and again when the decks change.
        self._deck_index: ScopeIndex[Scope] | None = None
        # What those decks' cards were at the last count (core/study/deck_counts.py DeckTally), as
        # of a mark of the database; None while a count has it on the runner, or none is kept.
        self._tally: DeckTally | None = None
        self._tally_mark: WrittenCards.Mark | None = None
        self._written = WrittenCards()  # the cards this view wrote since
        # Others that keep a tally of the same cards (the window's due badge) hear of each write too.
        self.written_elsewhere: list[WrittenCards] = []
        self._recount: Recount | None = None  # the deck list's counts, on the runner
        self.scope = Scope()
        self.custom_from: Scope | None = None  # the deck a custom study session was made from
        self.revealed = False
        self.full_answer = False
        self.card_timer = CardTimer()
        self.session_timer = QElapsedTimer()
        self.tick = QTimer(self, interval=1000, timeout=self._update_clock)
        # The scheduling boxes save once the stepping pauses: each save re-counts every deck and
        # the window's badge, which a user clicking an arrow five times needs once, not five times.
        self.settings_pause = QTimer(self, singleShot=True, interval=SETTINGS_PAUSE_MS, timeout=self._save_settings)

        self.pages = QStackedWidget()
        self.deck_page = self._build_deck_page()
        self.review_page = self._build_review_page()
        self.done_page = self._build_done_page()
        for page in (self.deck_page, self.review_page, self.done_page):
            self.pages.addWidget(page)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.pages)
        self._shortcuts()

    # ------------------------------------------------------------ deck page
    def _build_deck_page(self) -> QWidget:
        page = QWidget()
        outer = QHBoxLayout(page)
        outer.setContentsMargins(40, 28, 40, 28)
        column = QVBoxLayout()
        column.setSpacing(12)
        title = styled_label("Flashcards", "PageTitle")
        self.deck_summary = styled_label("", "Muted")
        self.scope_list = QListWidget(objectName="ScopeList")
        self.scope_list.setItemDelegate(_ScopeDelegate(self))
        self.scope_list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scope_list.itemActivated.connect(lambda _item: self.start())
        self.scope_list.currentItemChanged.connect(self._on_scope_changed)
        self.start_button = QPushButton("Study now", objectName="Primary")
        self.start_button.setToolTip("Start a session with the selected cards (Enter)")
        # Not connect(self.start): clicked passes its checked flag, which start() took for a scope.
        self.start_button.clicked.connect(lambda: self.start())
        self.browse_button = QPushButton("Browse cards   Ctrl+B")
        self.browse_button.setToolTip("Every card: find a suspended card, bury, forget, set due dates")
        self.browse_button.clicked.connect(self.browse_requested.emit)
        self.custom_button = QPushButton("Custom study…")
        self.custom_button.setToolTip("For the selected deck: more new cards today, study ahead, "
                                      "or review forgotten cards")
        self.custom_button.clicked.connect(self.custom_study)
        column.addWidget(title)
        column.addWidget(self.deck_summary)
        column.addWidget(self.scope_list, 1)
        row = QHBoxLayout()
        row.addWidget(self.browse_button)
        row.addStretch(1)
        row.addWidget(self.custom_button)
        row.addWidget(self.start_button)
        column.addLayout(row)

        settings_box = QFrame(objectName="Panel")
        form = QFormLayout(settings_box)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.FieldsStayAtSizeHint)
        form.setContentsMargins(18, 16, 18, 16)
        form.setVerticalSpacing(10)
        form.addRow(styled_label("Scheduling", "PanelTitle"))
        self.retention = QDoubleSpinBox(decimals=2, minimum=0.80, maximum=0.97, singleStep=0.01)
        self.retention.setToolTip("The recall probability FSRS aims for at each review. "
                                  "Higher means more reviews.")
        self.new_limit = QSpinBox(minimum=0, maximum=9999)
        self.review_limit = QSpinBox(minimum=0, maximum=99999)
        self.day_start = QSpinBox(minimum=0, maximum=23, suffix=":00")
        form.addRow("Desired retention", self.retention)
        form.addRow("New cards a day", self.new_limit)
        form.addRow("Reviews a day", self.review_limit)
        form.addRow("Next day starts at", self.day_start)
        for box in (self.retention, self.new_limit, self.review_limit, self.day_start):
            box.valueChanged.connect(lambda _value: self.settings_pause.start())
        self.leech_box = QCheckBox(f"Suspend leeches ({LEECH_LAPSES} lapses)")
        self.leech_box.setToolTip(f"A card forgotten {LEECH_LAPSES} times in review is a leech: suspend it then, "
                                  "to rework it (Ctrl+B lists leeches)")
        self.leech_box.toggled.connect(self._set_leech_auto_suspend)
        form.addRow(self.leech_box)
        self.scheduling_button = QPushButton("Optimise FSRS…")
        self.scheduling_button.setToolTip("Fit the scheduler to your own reviews, find a retention, "
                                          "see the workload ahead (Settings → Scheduling)")
        self.scheduling_button.clicked.connect(self.scheduling_requested.emit)
        form.addRow(self.scheduling_button)
        side = QVBoxLayout()
        side.addSpacing(64)
        side.addWidget(settings_box)
        side.addStretch(1)
        outer.addLayout(column, 3)
        outer.addSpacing(28)
        outer.addLayout(side, 2)
        return page

    def _scopes(self) -> list[Scope]:
        library = self.workspace.library
        scopes = [Scope("all", "", "All questions")]
        if list(self.bookmarks()):
            scopes.append(Scope("bookmarks", "", "★ Bookmarked questions"))
        for level in ("dev1", "dev2", "researcher"):
            scopes.append(Scope("level", level, f"Level · {LEVEL_NAMES[level]}"))
        # The roadmap milestones being worked on are decks too (all 36 would bury the topics).
        scopes += [milestone_scope(m) for m in Roadmap(self.conn, library).in_progress() if m.questions]
        scopes += [Scope("topic", t.id, t.title) for t in library.topics if t.pack == "builtin"]
        packs = sorted({t.pack for t in library.topics if t.pack != "builtin"})
        scopes += [Scope("pack", p, f"My notes · {library.pack_titles.get(p, p)}") for p in packs]
        return scopes

    def _scope_ids(self, scope: Scope) -> Sequence[str]:
        """A deck's questions: those the deck list keeps for it while the library is the same
        (the whole library's 100,000 listed again was 5 ms of starting a session), else listed now."""
        kept = self._scope_ids_kept.get(scope) if self._scope_ids_of is self.workspace.library else None
        return kept if kept is not None else scope.question_ids(self.workspace.library, self.bookmarks())

    def _scope_ids_work(self, scopes: list[Scope]):
        """A function for the runner giving each deck's questions, and those newly listed for the
        view to keep. Those that only the library decides (all, a level, a topic, a pack, a
        milestone) are kept until the library is replaced: at 100,000 questions each is a pass
        over all of them, and the deck list is shown again after every session."""
        library = self.workspace.library
        if self._scope_ids_of is not library:
            self._scope_ids_of, self._scope_ids_kept, self._deck_index = library, {}, None
        kept = dict(self._scope_ids_kept)  # the worker reads its own copy; only the UI thread adds
        bookmarks = list(self.bookmarks())

        def ids_of() -> tuple[dict[Scope, Sequence[str]], dict[Scope, Sequence[str]]]:
            ids: dict[Scope, Sequence[str]] = {}
            listed: dict[Scope, Sequence[str]] = {}
            for scope in scopes:
                if scope.kind == "bookmarks":  # changes with a star, not with the library
                    ids[scope] = scope.question_ids(library, bookmarks)
                elif scope in kept:
                    ids[scope] = kept[scope]
                else:
                    # Kept as a tuple: nothing the cyclic collector walks (core/memory.py id_set).
                    ids[scope] = listed[scope] = tuple(scope.question_ids(library))
            return ids, listed
        return library, ids_of

    def refresh_deck(self) -> None:
        """The settings boxes and the list of decks at once; every deck's counts from the runner
        (core/study/deck_counts.py: ~150 ms at 100,000 questions when every card is read, a few
        ms when only the cards written since the last count are), each deck showing the counts
        it had until they arrive."""
        self.flush_settings()  # the boxes are about to show what is stored
        settings = StudySettings.load(self.conn)
        for box, value in ((self.retention, settings.desired_retention), (self.new_limit, settings.new_per_day),
                           (self.review_limit, settings.reviews_per_day), (self.day_start, settings.day_start_hour)):
            box.blockSignals(True)
            box.setValue(value)
            box.blockSignals(False)
        self.leech_box.blockSignals(True)
        self.leech_box.setChecked(leech_auto_suspend(self.conn))
        self.leech_box.blockSignals(False)
        scopes = self._scopes()
        if scopes != self._listed_scopes():
            self._list_scopes(scopes)
        if self._recount is None:
            self._recount = Recount(self._count_work, self._show_deck_counts,
                                    failed=lambda message: self.deck_summary.setText(
                                        f"The cards could not be counted: {message}"),
                                    db_path=self.workspace.paths.progress_db, name="deck-counts", parent=self)
        self._recount.request()

    def _listed_scopes(self) -> list[Scope]:
        return [self.scope_list.item(row).data(SCOPE_ROLE) for row in range(self.scope_list.count())]

    def _list_scopes(self, scopes: list[Scope]) -> None:
        """The decks in their order, each keeping the counts it showed (new decks show none yet)."""
        shown = {item.data(SCOPE_ROLE): (item.data(COUNTS_ROLE), item.toolTip())
                 for item in map(self.scope_list.item, range(self.scope_list.count()))}
        selected = self.scope
        self.scope_list.blockSignals(True)  # the selection is put back below, not lost on the way
        self.scope_list.clear()
        for scope in scopes:
            item = QListWidgetItem(scope.label)
            item.setData(SCOPE_ROLE, scope)
            if scope in shown:  # read before the clear, which deletes the old items
                counts, tip = shown[scope]
                item.setData(COUNTS_ROLE, counts)
                item.setToolTip(tip)
            self.scope_list.addItem(item)
            if scope == selected:
                self.scope_list.setCurrentItem(item)
        self.scope_list.blockSignals(False)
        if self.scope_list.currentItem() is None:
            self.scope_list.setCurrentRow(0)
        else:
            self.scope = self.scope_list.currentItem().data(SCOPE_ROLE)

    def _count_work(self):
        scopes = self._listed_scopes()
        library, ids_of = self._scope_ids_work(scopes)  # forgets the kept index if the library changed
        indexed = {scope for scope in scopes if scope.kind != "bookmarks"}  # the bookmarks change with a star
        kept = self._deck_index
        index = kept if kept is not None and set(kept.sizes) == indexed else None
        # The kept tally goes to the count, with the cards written since it was counted (None:
        # not known, so every card is read), and comes back with the result.
        mark = WrittenCards.mark(self.conn)
        tally, self._tally = self._tally, None
        changed = self._written.since(self._tally_mark, mark)

        def work(conn, _progress) -> tuple:
            settings = StudySettings.load(conn)
            ids, listed = ids_of()
            deck_index = index or ScopeIndex({scope: ids[scope] for scope in scopes if scope in indexed})
            # Every deck counted from one read of the cards (core/study/deck_counts.py), not a
            # session each; after the first, from the cards written since.
            kept = deck_tally(conn, deck_index, settings, kept=tally, changed=changed)
            counted = deck_counts(conn, ids, settings,
                                  extra_new={scope: custom_new_today(conn, _scope_key(scope), settings)
                                             for scope in scopes}, index=deck_index, tally=kept)
            return library, scopes, counted, listed, deck_index, kept, mark
        return work

    def _show_deck_counts(self, result: tuple) -> None:
        library, scopes, counted, listed, deck_index, tally, mark = result
        if library is self._scope_ids_of:
            self._scope_ids_kept.update(listed)
            self._deck_index = deck_index
            self._tally, self._tally_mark = tally, mark
        if scopes != self._listed_scopes():
            return  # the list changed meanwhile: its own count is on its way
        total_due = total_new = 0
        for row, scope in enumerate(scopes):
            deck = counted[scope]
            if scope.kind == "all":
                total_due, total_new = deck.due, deck.new
            parts = [f"{deck.due} due" if deck.due else "", f"{deck.new} new" if deck.new else ""]
            counts = " · ".join(p for p in parts if p) or "done for today"
            item = self.scope_list.item(row)
            item.setData(COUNTS_ROLE, (deck.due, deck.new))
            item.setToolTip(f"{scope.label}: {counts}")
        self.deck_summary.setText(f"{total_due} due and {total_new} new today across the library. "
                                  "Pick what to study, then press Enter.")
        self.deck_counted.emit()

    def _refresh_deck_if_shown(self) -> None:
        # Not for a view being left (its pending settings saved by hideEvent): on_shown counts
        # again when it is back, and a count now competed with the next view's first paint.
        if self.pages.currentWidget() is self.deck_page and self.isVisible():
            self.refresh_deck()

    def _on_scope_changed(self, item: QListWidgetItem | None, _previous=None) -> None:
        if item is not None:
            self.scope = item.data(SCOPE_ROLE)

    def flush_settings(self) -> None:
        """Save a change still inside its pause now: a session about to start, or the view
        being left, goes by what the boxes show."""
        if self.settings_pause.isActive():
            self.settings_pause.stop()
            self._save_settings()

    def _note_write(self, before: int, cards: Iterable[str] = ()) -> None:
        """This view wrote ``cards`` (and no other card) since the connection's total_changes
        was ``before``: the deck list's next count reads those again, not every card."""
        for written in (self._written, *self.written_elsewhere):
            written.note(self.conn, before, cards)

    def _set_leech_auto_suspend(self, on: bool) -> None:
        before = self.conn.total_changes
        set_leech_auto_suspend(self.conn, on)
        self._note_write(before)

    def _save_settings(self) -> None:
        before = self.conn.total_changes
        with transaction(self.conn):  # read and written together: settings chosen elsewhere (the weights) stay
            settings = StudySettings.load(self.conn)
            replace(settings, desired_retention=round(self.retention.value(), 2), new_per_day=self.new_limit.value(),
                    reviews_per_day=self.review_limit.value(), day_start_hour=self.day_start.value()).save(self.conn)
        self._note_write(before)  # settings only: no card
        self.counts_changed.emit()
        self._refresh_deck_if_shown()  # the deck counts follow the new limits

    # ------------------------------------------------------------ review page
    def _build_review_page(self) -> QWidget:
        page = QWidget()
        outer = QVBoxLayout(page)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)
        self.progress = SessionProgress()
        self.progress.set_colors(self.theme.border, self.theme.accent)
        outer.addWidget(self.progress)

        header = QHBoxLayout()
        header.setContentsMargins(28, 12, 28, 4)
        self.queue_label = styled_label("", wrap=False)
        self.clock_label = styled_label("", "Muted", wrap=False)
        self.clock_label.setToolTip("Time on this card")
        # What bury, suspend and undo just did, quietly, with the key that takes it back.
        self.notice = styled_label("", "Notice", wrap=False)
        self.notice_timer = QTimer(self, singleShot=True, interval=6000, timeout=lambda: self.notice.setText(""))
        header.addWidget(self.queue_label)
        header.addStretch(1)
        header.addWidget(self.notice)
        header.addStretch(1)
        header.addWidget(self.clock_label)
        outer.addLayout(header)

        self.card_frame = QFrame(objectName="Card")
        card = QVBoxLayout(self.card_frame)
        card.setContentsMargins(36, 28, 36, 20)
        card.setSpacing(10)
        self.caption = styled_label("", "Muted")
        self.question = styled_label("", "CardQuestion")
        self.question.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.answer_view = Reader(self.workspace, self.theme)
        self.answer_view.setMinimumHeight(120)
        self.answer_view.navigates = False
        self.answer_view.fixed_side_margin = 0
        for label in (self.caption, self.question):  # keep to their text; the answer takes the room
            label.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        card.addWidget(self.caption)
        card.addWidget(self.question)
        card.addWidget(self.answer_view, 100)
        card.addStretch(1)  # before the answer is shown, the question stays at the top

        middle = QHBoxLayout()
        middle.setContentsMargins(28, 8, 28, 8)
        middle.addStretch(1)
        middle.addWidget(self.card_frame, 12)
        middle.addStretch(1)
        outer.addLayout(middle, 1)

        self.show_button = QPushButton("Show answer   Space", objectName="Primary")
        self.show_button.setMinimumHeight(44)
        self.show_button.clicked.connect(self.reveal)
        # The four rating buttons in one row shown and hidden whole: each widget shown in a
        # visible window lays the whole window out again before it returns (Qt activates every
        # parent's layout), ~6 ms a time; revealing an answer showed five.
        self.rating_row = QWidget(objectName="ButtonRow")
        ratings = QHBoxLayout(self.rating_row)
        ratings.setContentsMargins(0, 0, 0, 0)
        ratings.setSpacing(10)
        self.rating_buttons: dict[Rating, QPushButton] = {}
        for n, rating in enumerate(RATINGS, 1):
            button = QPushButton(objectName=f"Rate{rating.name}")
            button.setMinimumHeight(44)
            button.setToolTip(f"{rating.name} ({n})")
            button.clicked.connect(lambda _=False, r=rating: self.rate(r))
            self.rating_buttons[rating] = button
            ratings.addWidget(button, 3)
        buttons = QHBoxLayout()
        buttons.setContentsMargins(28, 6, 28, 6)
        buttons.setSpacing(10)
        # One over the other, in a stack of fixed width: both stay shown (StackAll) and the
        # current one is raised, opaque, with the other disabled under it. Hiding one and showing
        # the other laid the window out again, 2-4 ms at each reveal and each answer.
        self.button_stack = QStackedWidget()
        self.button_stack.layout().setStackingMode(QStackedLayout.StackingMode.StackAll)
        show_page = QWidget(objectName="ButtonRow")  # the button a little narrower than the four ratings, centred
        show_row = QHBoxLayout(show_page)
        show_row.setContentsMargins(0, 0, 0, 0)
        show_row.addStretch(1)
        show_row.addWidget(self.show_button, 12)
        show_row.addStretch(1)
        for row in (show_page, self.rating_row):
            row.setAttribute(Qt.WidgetAttribute.WA_StyledBackground)  # its stylesheet background hides the other
            self.button_stack.addWidget(row)
        self._offer_ratings(False)
        buttons.addStretch(1)
        buttons.addWidget(self.button_stack, 12)
        buttons.addStretch(1)
        outer.addLayout(buttons)

        footer = QHBoxLayout()
        footer.setContentsMargins(28, 2, 28, 14)
        self.hint = styled_label("", "Muted", wrap=False)
        footer.addStretch(1)
        footer.addWidget(self.hint)
        footer.addStretch(1)
        outer.addLayout(footer)
        return page

    # ------------------------------------------------------------ done page
    def _build_done_page(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(40, 40, 40, 40)
        layout.addStretch(1)
        self.done_title = styled_label("", "PageTitle")
        self.done_title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.done_text = styled_label("", "DoneText")
        self.done_text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        back = QPushButton("Back to decks   Esc")
        back.clicked.connect(self.leave)
        # Custom study: the daily limit is used but this scope still has new cards.
        self.more_button = QPushButton("", objectName="Primary")
        self.more_button.clicked.connect(self.study_more_new)
        self.more_button.hide()
        self.done_custom_button = QPushButton("Custom study…")
        self.done_custom_button.clicked.connect(self.custom_study)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.more_button)
        row.addWidget(self.done_custom_button)
        row.addWidget(back)
        row.addStretch(1)
        layout.addWidget(self.done_title)
        layout.addSpacing(8)
        layout.addWidget(self.done_text)
        layout.addSpacing(20)
        layout.addLayout(row)
        layout.addStretch(2)
        return page

    # ------------------------------------------------------------ keys
    def _shortcuts(self) -> None:
        def key(sequence: str, slot) -> None:
            shortcut = QShortcut(QKeySequence(sequence), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(slot)

        for sequence in ("Space", "Return", "Enter"):
            key(sequence, self._primary)
        for n, rating in enumerate(RATINGS, 1):
            key(str(n), lambda r=rating: self.rate(r))
        key("Ctrl+Z", self.undo)
        key("Escape", self.leave)
        key("F", self.toggle_full_answer)
        key("B", self.bury)
        key("S", self.suspend)

    def _primary(self) -> None:
        current = self.pages.currentWidget()
        if current is self.deck_page:
            self.start()
        elif current is self.review_page and not self.revealed:
            self.reveal()
        elif current is self.done_page:
            self.leave()

    # ------------------------------------------------------------ session flow
    @property
    def conn(self):
        return self.workspace.progress.conn

    def on_shown(self) -> None:
        if self.pages.currentWidget() is self.deck_page:
            self.refresh_deck()
        self.setFocus()

    def on_changes(self, changes: Changes) -> None:
        """A session keeps its queue unless the rows it came from were replaced; the deck list
        shows a change at once while it is on screen (otherwise when it is shown)."""
        if changes.sessions_void and self.session is not None:
            self.leave()
        elif changes.progress and self.session is None and self.isVisible():
            self.refresh_deck()

    def start(self, scope: Scope | None = None, *, ahead: bool = False, every_new: bool = False,
              ids: list[str] | None = None) -> None:
        """``ahead``: every card of the scope now, due or not (practising a mock's missed questions).
        ``every_new``: the scope's new cards are all studied today, past the daily limit (a
        roadmap milestone's "Study this milestone" delivers the cards it announces).
        ``ids``: the scope's cards in the order to study them (custom study: soonest due first)."""
        if scope is not None:
            self.scope = scope
            self.custom_from = None  # a session asked for elsewhere (the roadmap) is no custom one
        self.flush_settings()
        if ids is None:
            ids = self._scope_ids(self.scope)
        settings = StudySettings.load(self.conn)
        key = _scope_key(self.scope)
        self.session = StudySession.open(self.conn, ids, settings, whole_library=self.scope.kind == "all",
                                         ahead=ahead, extra_new=custom_new_today(self.conn, key, settings))
        missing = self.session.new_left_in_scope() - len(self.session.new) if every_new else 0
        if missing > 0:
            add_custom_new(self.conn, key, missing, settings)
            self.session = StudySession.open(self.conn, ids, settings, ahead=ahead,
                                             extra_new=custom_new_today(self.conn, key, settings))
        self._say("")
        self.session_timer.start()
        self.pages.setCurrentWidget(self.review_page)
        self.tick.start()
        self._show_card()
        self.setFocus()

    def _show_card(self) -> None:
        session = self.session
        if session is None or session.current is None:
            self._finish()
            return
        question = self.workspace.library.question(session.current)
        if question is None:  # content removed since the review was scheduled
            session.bury()
            self._show_card()
            return
        topic = self.workspace.library.topic(question.topic_id)
        self.revealed = False
        self.full_answer = False
        # Imported packs have no level: no dangling separator then.
        parts = [topic.title if topic else "", LEVEL_NAMES.get(question.level, question.level or "")]
        self.caption.setText("  ·  ".join(part for part in parts if part))
        self.question.setText(question.title)
        self.answer_view.show_html("")  # shown empty: hiding and showing it laid the window out again
        self._offer_ratings(False)
        self._update_queue_label()
        self._update_progress()
        self.hint.setText("Space show answer  ·  B bury  ·  S suspend  ·  Ctrl+Z undo  ·  Esc leave")
        self.card_timer.start()
        self._update_clock()

    def reveal(self) -> None:
        if self.session is None or self.session.current is None or self.revealed:
            return
        self.revealed = True
        self._render_answer()
        for rating, preview in self.session.previews().items():
            self.rating_buttons[rating].setText(f"{preview.label}   {RATINGS.index(rating) + 1}")
        self._offer_ratings(True)
        self.hint.setText("1 Again  ·  2 Hard  ·  3 Good  ·  4 Easy  ·  F full answer  ·  Ctrl+Z undo")

    def _offer_ratings(self, offered: bool) -> None:
        """The four ratings on top, or the Show answer button; the one under it is disabled."""
        show_page = self.button_stack.widget(0)
        self.button_stack.setCurrentWidget(self.rating_row if offered else show_page)
        self.rating_row.setEnabled(offered)
        show_page.setEnabled(not offered)

    def ratings_offered(self) -> bool:
        return self.button_stack.currentWidget() is self.rating_row

    def _render_answer(self) -> None:
        question = self.workspace.library.question(self.session.current)
        renderer = self.answer_view.renderer
        body = renderer.key_points_box(question.key_points or "*No key points for this question.*")
        if figure := question.figure_markdown():
            body += renderer.to_html(figure)  # where the key idea is visual, the figure says it
        if self.full_answer:
            body += renderer.to_html(question.answer)
        else:
            body += (f'<p style="color:{self.theme.muted}">Press <b>F</b> for the full answer, or '
                     f'<a href="q:{html.escape(question.id)}">open it in the library</a>.</p>')
        self.answer_view.show_html(body, f"q:{question.id}")

    def toggle_full_answer(self) -> None:
        if self.revealed:
            self.full_answer = not self.full_answer
            self._render_answer()

    def rate(self, rating: Rating) -> None:
        if self.session is None or not self.revealed or self.session.current is None:
            return
        before, qid = self.conn.total_changes, self.session.current
        self.session.answer(rating, self.card_timer.elapsed())
        self._note_write(before, (qid,))
        leech = self.session.last_leech
        self._say(f"Leech: forgotten {LEECH_LAPSES} times, suspended  ·  Ctrl+Z undo" if leech else "")
        self.counts_changed.emit()
        self._show_card()

    def undo(self) -> None:
        if self.session is not None and self.session.can_undo():
            kind = self.session.undo_kind()
            before = self.conn.total_changes
            qid = self.session.undo()
            self._note_write(before, (qid,) if qid else ())
            self._say({"bury": "Undone · card unburied", "suspend": "Undone · card unsuspended"}.get(
                kind, "Undone · answer taken back"))
            self.pages.setCurrentWidget(self.review_page)
            self.tick.start()
            self.counts_changed.emit()
            self._show_card()

    def bury(self) -> None:
        if self.session and self.pages.currentWidget() is self.review_page:
            before, qid = self.conn.total_changes, self.session.current
            self.session.bury()
            self._note_write(before, (qid,) if qid else ())
            self._say("Buried until tomorrow  ·  Ctrl+Z undo")
            self.counts_changed.emit()
            self._show_card()

    def suspend(self) -> None:
        if self.session and self.pages.currentWidget() is self.review_page:
            before, qid = self.conn.total_changes, self.session.current
            self.session.suspend()
            self._note_write(before, (qid,) if qid else ())
            self._say("Suspended  ·  Ctrl+Z undo")
            self.counts_changed.emit()
            self._show_card()

    def _say(self, text: str) -> None:
        self.notice.setText(text)
        if text:
            self.notice_timer.start()

    def _update_progress(self) -> None:
        """Answers so far out of answers so far plus cards left (learning cards included): full
        only when nothing is left today."""
        answered = self.session.summary.answered
        left = sum(self.session.counts())
        self.progress.setRange(0, max(1, answered + left))
        self.progress.setValue(answered if left else max(1, answered + left))

    def hideEvent(self, event) -> None:  # noqa: N802
        self.flush_settings()
        self.card_timer.pause()
        super().hideEvent(event)

    def showEvent(self, event) -> None:  # noqa: N802
        if self.pages.currentWidget() is self.review_page:
            self.card_timer.resume()
        super().showEvent(event)

    def leave(self) -> None:
        self.tick.stop()
        self.session = None
        if self.custom_from is not None:  # back on the deck the custom session was made from
            self.scope, self.custom_from = self.custom_from, None
        self.pages.setCurrentWidget(self.deck_page)
        self.refresh_deck()
        self.setFocus()

    def _finish(self) -> None:
        self.tick.stop()
        self.progress.setRange(0, 1)
        self.progress.setValue(1)
        session = self.session
        summary = session.summary if session else None
        if summary and summary.answered:
            self.done_title.setText("Session complete")
            lines = [f"{summary.answered} card{'s' if summary.answered != 1 else ''} in "
                     f"{format_duration(summary.seconds)}  ·  again rate {summary.again_rate:.0%}"]
        else:
            self.done_title.setText("All done for today")
            lines = []
        self.more_button.hide()
        if session is not None:
            lines.append(self._next_due_text(session))
            left = session.new_left_in_scope()
            if left:
                more = min(MORE_NEW, left)
                self.more_button.setText(f"Study {more} more new card{'s' if more != 1 else ''}")
                self.more_button.setToolTip(f"Add {more} to today's new-card limit for {self.scope.label}")
                self.more_button.show()
        self.done_text.setText("\n".join(lines))
        self.pages.setCurrentWidget(self.done_page)

    def study_more_new(self) -> None:
        """Custom study: raise today's new-card limit for this scope and carry on studying."""
        if self.session is None:
            return
        left = self.session.new_left_in_scope()
        add_custom_new(self.conn, _scope_key(self.scope), min(MORE_NEW, left), StudySettings.load(self.conn))
        self.start()

    def custom_study(self) -> None:
        """Custom study for the selected deck (the deck a finished session studied): ask how."""
        from .custom_study import CustomStudyDialog

        self.flush_settings()
        scope = self.custom_from or self.scope
        ids = self._scope_ids(scope)
        settings = StudySettings.load(self.conn)
        session = StudySession.open(self.conn, ids, settings, whole_library=scope.kind == "all",
                                    extra_new=custom_new_today(self.conn, _scope_key(scope), settings))
        left = max(0, session.new_left_in_scope() - len(session.new))  # beyond what today already offers
        dialog = CustomStudyDialog(self.conn, scope, ids, left, self.theme, self)
        if dialog.exec() == CustomStudyDialog.DialogCode.Accepted:
            self.run_custom_study(scope, dialog.kind(), dialog.number(), dialog.cards())

    def run_custom_study(self, scope: Scope, kind: str, number: int, cards: list[str]) -> None:
        """``kind`` "new": raise today's new-card limit of ``scope`` by ``number``; the deck list shows
        it at once. "ahead" / "forgotten": study ``cards`` now, whether due or not."""
        if kind == "new":
            add_custom_new(self.conn, _scope_key(scope), number, StudySettings.load(self.conn))
            self.counts_changed.emit()
            self.scope = scope
            if self.pages.currentWidget() is self.deck_page:
                self.refresh_deck()
            else:
                self.leave()  # from the done page: back to the deck list, which shows the new cards
            return
        if not cards:
            return
        days = f"{number} day{'s' if number != 1 else ''}"
        what = f"due in the next {days}" if kind == "ahead" else f"forgotten in the last {days}"
        self.start(Scope("questions", ",".join(cards), f"{scope.label} · {what}"), ahead=True, ids=cards)
        self.custom_from = scope

    def _next_due_text(self, session: StudySession) -> str:
        due = session.next_due()
        new_left = session.new_left_in_scope()
        parts = []
        if due is not None:
            local = due.astimezone()
            today = datetime.now().astimezone().date()
            day = "today" if local.date() == today else (
                "tomorrow" if (local.date() - today).days == 1 else local.strftime("%a %d %b"))
            parts.append(f"Next card due {day} at {local.strftime('%H:%M')}.")
        else:
            parts.append("No reviews are scheduled in this selection yet.")
        if new_left:
            parts.append(f"{new_left} new card{'s' if new_left != 1 else ''} left in {self.scope.label}.")
        return " ".join(parts)

    def _update_queue_label(self) -> None:
        new, learning, review = self.session.counts()
        t = self.theme
        self.queue_label.setText(
            f'<span style="color:{t.easy}">{new} new</span> &nbsp;·&nbsp; '
            f'<span style="color:{t.again}">{learning} learning</span> &nbsp;·&nbsp; '
            f'<span style="color:{t.good}">{review} review</span> &nbsp;&nbsp; '
            f'<span style="color:{t.muted}">{html.escape(self.scope.label)}</span>')

    def _update_clock(self) -> None:
        if self.card_timer.isValid():
            self.clock_label.setText(f"Time on card  {format_duration(self.card_timer.elapsed() // 1000)}")

    # ------------------------------------------------------------ look
    def set_theme(self, theme: themes.Theme) -> None:
        self.theme = theme
        self.answer_view.set_theme(theme)
        self.progress.set_colors(theme.border, theme.accent)
        self.apply_theme()
        if self.session is not None and self.pages.currentWidget() is self.review_page:
            self._update_queue_label()
            if self.revealed:
                self._render_answer()

    def apply_theme(self) -> None:
        t = self.theme
        rating_css = "".join(
            f"QPushButton#Rate{r.name} {{ color: {c}; border: 1px solid {c}; font-weight: 600; }}"
            f"QPushButton#Rate{r.name}:hover {{ background: {t.hover}; }}"
            for r, c in ((Rating.Again, t.again), (Rating.Hard, t.hard), (Rating.Good, t.good),
                         (Rating.Easy, t.easy)))
        self.setStyleSheet(f"""
            QLabel#PageTitle {{ font-size: 24px; font-weight: 600; }}
            QLabel#PanelTitle {{ font-size: 15px; font-weight: 600; }}
            QLabel#CardQuestion {{ font-size: 23px; font-weight: 600; }}
            QLabel#DoneText {{ font-size: 15px; color: {t.muted}; }}
            QLabel#Notice {{ color: {t.accent}; }}
            QFrame#Card, QFrame#Panel {{ background: {t.surface}; border: 1px solid {t.border};
                                          border-radius: 12px; }}
            QFrame#Card QLabel, QFrame#Panel QLabel {{ border: none; }}
            QListWidget#ScopeList {{ background: {t.surface}; border: 1px solid {t.border}; border-radius: 10px;
                                     padding: 6px; font-size: 14px; outline: 0; }}
            QListWidget#ScopeList::item {{ padding: 8px 10px; border-radius: 7px; }}
            QListWidget#ScopeList::item:selected {{ background: {t.selection}; color: {t.text}; }}
            QListWidget#ScopeList::item:hover {{ background: {t.hover}; }}
            QWidget#ButtonRow {{ background: {t.window}; }}
            {rating_css}
        """)
