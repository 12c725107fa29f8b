"""The card browser's data: every card as one row, sorted and filtered in memory, and its actions.

``Browser.load`` reads the library's questions, the ``cards`` table and one aggregate over the
review log into columns (one Python list per column, indexed by the question's place in the
library). ``prepare`` then builds every column's order once (a permutation of the card indices,
and its inverse, the rank): at 100k cards one sort costs about as much as Python's bare sort of
100k numbers, more than a click may take, so the window loads and prepares on the runner and a
click on a header only picks a prepared order (descending is the same order read backwards). A
filter narrows the cards criterion by criterion in library order (C-level passes, each over
what the previous one kept) and then puts the few survivors in the current order by their rank,
or walks the order once when most cards survive. The Qt model (ui/card_browser.py) only maps a
visible row to ``order[row]``: no per-row work on scroll.

Changes on a worker thread go to a ``fork``: a copy that shares what the change cannot touch and
owns copies of what it can, so the window keeps reading the original until the fork is handed
back and swapped in.

Actions (suspend / unsuspend, bury / unbury, forget, set due date, reschedule) are each one transaction
through ``db.transaction`` writing card rows through ``study.write_card``; each returns an
``Undo`` that puts every touched row back as it was (also in one transaction). Forget keeps the
review log: the card is new again, and its next review starts a new history.
"""

from __future__ import annotations

import copy
import heapq
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from itertools import compress, repeat
from operator import contains, not_

from fsrs import Card, State

from ..content.library import Library
from ..store.db import transaction
from .session import (
    _CARD_COLUMNS,
    LEECH_LAPSES,
    NEW,
    RATING_NAMES,
    Clock,
    StudyScheduler,
    StudySettings,
    card_id_for,
    day_start,
    iso,
    parse_time,
    study_day,
    system_clock,
    write_card,
)

STATES = ("new", "learning", "review", "relearning", "suspended", "buried")

COLUMNS = ("Question", "Topic", "Level", "State", "Due", "Interval", "Stability", "Difficulty", "Recall",
           "Reviews", "Lapses", "Last rating", "Added / first studied")
# Sort keys per column: the name of the list in Browser that holds the key.
_SORT_KEYS = ("title_key", "topic", "level", "state", "due", "interval", "stability", "difficulty",
              "recall", "reviews", "lapses", "last_rating", "first")
# Which cached sort orders survive what: the library's text never changes under the browser, and
# the review-log columns change only when a review is added (the browser's actions add none).
_TEXT_COLUMNS = frozenset({0, 1, 2})
_REVIEW_COLUMNS = frozenset({9, 10, 11, 12})
# The lists a card's row fills (``_read_cards`` writes them in place): a fork owns copies of these.
_CARD_LISTS = ("state", "due", "last", "interval", "stability", "difficulty")
# A column with at most this many distinct keys is ordered by grouping (one pass, no comparisons
# between cards) instead of sorting: state, level, topic, counts of reviews and lapses.
_FEW_KEYS = 256
# Cards per sorted run: one sorted() call holds the interpreter throughout (100k keys: 50-300 ms,
# the window frozen meanwhile), so the runner sorts runs this long and merges them in bytecode,
# which lets the UI thread in every millisecond.
_SORT_RUN = 4096
# A filter keeping fewer than one card in this many sorts its survivors by rank; more walk the order.
_SORT_SURVIVORS_BELOW = 8
_MISSING = -1.0  # numbers a card does not have yet (a new card's stability) sort first
_BROWSER_CARD_COLUMNS = "question_id, state, stability, difficulty, due, last_review, suspended, buried_day"
_NEVER = float("inf")  # a new card's due time: after every due card
_NOT_STUDIED = "~"  # a never-studied card's first review: after every ISO time
_LEVELS = {"dev1": "Dev L1", "dev2": "Dev L2", "researcher": "Researcher"}  # short: a table column
_STATE_NAMES = {State.Learning: "learning", State.Review: "review", State.Relearning: "relearning"}


@dataclass
class Undo:
    """The rows an action changed, as they were (None: there was no row)."""

    label: str
    rows: list[tuple[str, tuple | None]]


@dataclass
class Browser:
    conn: sqlite3.Connection
    settings: StudySettings
    clock: Clock = system_clock
    ids: list[str] = field(default_factory=list)
    title: list[str] = field(default_factory=list)
    title_key: list[str] = field(default_factory=list)
    haystack: list[str] = field(default_factory=list)
    topic: list[str] = field(default_factory=list)
    level: list[str] = field(default_factory=list)
    state: list[str] = field(default_factory=list)
    due: list[float] = field(default_factory=list)  # POSIX seconds, _NEVER for new cards
    last: list[float] = field(default_factory=list)
    interval: list[float] = field(default_factory=list)
    stability: list[float] = field(default_factory=list)
    difficulty: list[float] = field(default_factory=list)
    _recall: list[float] | None = None
    reviews: list[int] = field(default_factory=list)
    lapses: list[int] = field(default_factory=list)
    last_rating: list[int] = field(default_factory=list)
    # The first review's time as stored (ISO UTC, which sorts as it reads; parsed only for the rows
    # shown), or _NOT_STUDIED.
    first: list[str] = field(default_factory=list)
    _sorted: dict[int, list[int]] = field(default_factory=dict)
    _ranks: dict[int, list[int]] = field(default_factory=dict)  # per column: card index -> place in _sorted
    _place: dict[str, int] = field(default_factory=dict)  # question id -> card index
    sort_column: int = 4
    descending: bool = False
    text: str = ""
    chips: frozenset[str] = frozenset()
    order: list[int] = field(default_factory=list)

    # ------------------------------------------------------------ loading
    @classmethod
    def load(cls, conn: sqlite3.Connection, library: Library, settings: StudySettings | None = None,
             clock: Clock = system_clock) -> Browser:
        browser = cls(conn, settings or StudySettings.load(conn), clock)
        questions = list(library.questions())
        topics = {t.id: t.title for t in library.topics}
        browser.ids = [q.id for q in questions]
        browser.title = [q.title for q in questions]
        browser.title_key = [t.casefold() for t in browser.title]
        browser.topic = [topics.get(q.topic_id, q.pack) for q in questions]
        browser.level = [_LEVELS.get(q.level, q.level or "") for q in questions]
        browser.haystack = [f"{t} {p} {lv}".casefold() for t, p, lv in
                            zip(browser.title_key, browser.topic, browser.level, strict=True)]
        browser.reload()
        return browser

    def fork(self, conn: sqlite3.Connection) -> Browser:
        """A copy to change on another thread through ``conn`` (that thread's connection): an
        action, an undo or a re-read changes the fork while the window keeps reading this one.
        The fork shares the library's columns and the order lists (never edited, only replaced)
        and owns copies of the card columns, which ``_read_cards`` writes in place."""
        twin = copy.copy(self)
        twin.conn = conn
        for name in _CARD_LISTS:
            setattr(twin, name, getattr(self, name).copy())
        twin._sorted, twin._ranks = dict(self._sorted), dict(self._ranks)
        return twin

    def prepare(self) -> Browser:
        """Build what a click would otherwise compute: the recall column and every column's
        order and rank. Seconds at 100k cards: the window runs it on the runner."""
        for column in range(len(COLUMNS)):
            self._rank_of(column)
        return self

    def reload(self) -> None:
        """Read the card columns again (after another window's answers)."""
        n = len(self.ids)
        self.state = ["new"] * n
        self.due, self.last = [_NEVER] * n, [_NEVER] * n
        self.interval, self.stability, self.difficulty = [_MISSING] * n, [_MISSING] * n, [_MISSING] * n
        self._place = {qid: i for i, qid in enumerate(self.ids)}
        self._read_cards(self.conn.execute(f"SELECT {_BROWSER_CARD_COLUMNS} FROM cards"))
        place = self._place
        reviews, lapses, last_rating, first = [0] * n, [0] * n, [0] * n, [_NOT_STUDIED] * n
        # The last rating rides on the latest time (a rating is one digit; times compare as text,
        # as everywhere in the review log): two aggregates, and no bare column whose row SQLite picks.
        for qid, count, lapsed, latest, earliest in self.conn.execute(
                "SELECT question_id, count(*), sum(CASE WHEN rating = 1 THEN "
                "coalesce(json_extract(state_before, '$.state'), 0) = 2 ELSE 0 END), max(reviewed_at || rating), "
                "min(reviewed_at) FROM reviews GROUP BY question_id"):
            i = place.get(qid)
            if i is not None:
                reviews[i], lapses[i], last_rating[i], first[i] = count, lapsed or 0, int(latest[-1]), earliest
        self.reviews, self.lapses, self.last_rating, self.first = reviews, lapses, last_rating, first
        self._keep_orders(_TEXT_COLUMNS)
        self._cards_changed()

    def _read_cards(self, rows) -> None:
        today = study_day(self.clock(), self.settings.day_start_hour).isoformat()
        place, state, due, last = self._place, self.state, self.due, self.last
        interval, stability, difficulty = self.interval, self.stability, self.difficulty
        parse = datetime.fromisoformat
        for qid, kind, stab, diff, due_at, last_at, suspended, buried in rows:
            i = place.get(qid)
            if i is None:
                continue  # a card whose question left the library
            state[i], due[i], last[i] = "new", _NEVER, _NEVER
            interval[i] = stability[i] = difficulty[i] = _MISSING
            if kind != NEW:
                state[i] = _STATE_NAMES.get(kind, "review")
                if due_at:
                    due[i] = parse(due_at).timestamp()
                if last_at:
                    last[i] = parse(last_at).timestamp()
                    if kind == State.Review and due_at:
                        interval[i] = (due[i] - last[i]) / 86400
                stability[i] = stab if stab is not None else _MISSING
                difficulty[i] = diff if diff is not None else _MISSING
            if suspended:
                state[i] = "suspended"
            elif buried == today:
                state[i] = "buried"

    def reload_cards(self, qids: Iterable[str]) -> None:
        """Read only these cards' rows again: the browser's own actions touch no review, so the
        review columns stand, and 100k cards are not read for a few changed ones."""
        wanted = [q for q in dict.fromkeys(qids) if q in self._place]
        for offset in range(0, len(wanted), 500):
            chunk = wanted[offset:offset + 500]
            found = set()
            for row in self.conn.execute(f"SELECT {_BROWSER_CARD_COLUMNS} FROM cards WHERE question_id IN "
                                         f"({','.join('?' * len(chunk))})", chunk):
                found.add(row[0])
                self._read_cards([row])
            self._read_cards([(q, NEW, None, None, None, None, 0, None) for q in chunk if q not in found])
        self._cards_changed()

    def _cards_changed(self) -> None:
        self._recall = None  # computed when first sorted by: study days per card are not free
        self._keep_orders(_TEXT_COLUMNS | _REVIEW_COLUMNS)
        self.apply()

    def _keep_orders(self, columns: frozenset[int]) -> None:
        """Forget the orders (and ranks) of every column but these: their keys changed. New dicts,
        not edits: a fork shares the order lists, never the dicts that hold them."""
        self._sorted = {c: order for c, order in self._sorted.items() if c in columns}
        self._ranks = {c: rank for c, rank in self._ranks.items() if c in columns}

    def recall_of(self, i: int) -> float:
        """Recall probability now (FSRS-6, study days elapsed), or _MISSING for a card never studied."""
        if self._recall is not None:
            return self._recall[i]
        return self._recall_at(i, self.clock(), self._scheduler())

    def _scheduler(self) -> StudyScheduler:
        """The flashcards' scheduler with the current settings (what an answer now would use)."""
        return self.settings.scheduler()

    def _recall_at(self, i: int, now: datetime, scheduler: StudyScheduler) -> float:
        if self.last[i] == _NEVER or self.stability[i] <= 0:
            return _MISSING
        last = datetime.fromtimestamp(self.last[i], UTC)
        elapsed = scheduler.elapsed_days(last, now)
        return (1 + scheduler._FACTOR * elapsed / self.stability[i]) ** scheduler._DECAY

    @property
    def recall(self) -> list[float]:
        if self._recall is None:
            self._recall = self._recall_now()
        return self._recall

    def _recall_now(self) -> list[float]:
        """``_recall_at`` for every card, with one study-day computation per quarter hour of
        last reviews instead of two per card (seconds at 100k cards). Exact: every UTC offset
        in use is a whole number of quarter hours, so a study day starts on a quarter-hour
        boundary (in UTC seconds, a multiple of 900) and each quarter hour lies in one study day."""
        now, scheduler = self.clock(), self._scheduler()
        factor, decay = scheduler._FACTOR, scheduler._DECAY
        elapsed_since: dict[int, int] = {}  # quarter hour (UTC seconds // 900) -> study days since
        recall = []
        for last, stability in zip(self.last, self.stability, strict=True):
            if last == _NEVER or stability <= 0:
                recall.append(_MISSING)
                continue
            quarter = int(last // 900)
            elapsed = elapsed_since.get(quarter)
            if elapsed is None:
                start = datetime.fromtimestamp(quarter * 900, UTC)
                elapsed = elapsed_since[quarter] = scheduler.elapsed_days(start, now)
            recall.append((1 + factor * elapsed / stability) ** decay)
        return recall

    # ------------------------------------------------------------ sort and filter
    def sort(self, column: int, descending: bool = False) -> None:
        self.sort_column, self.descending = column, descending
        self.apply()

    def set_filter(self, text: str = "", chips: Iterable[str] = ()) -> None:
        self.text, self.chips = text, frozenset(chips)
        self.apply()

    def _sorted_by(self, column: int) -> list[int]:
        order = self._sorted.get(column)
        if order is None:
            order = self._sorted[column] = stable_order(getattr(self, _SORT_KEYS[column]))
        return order

    def _rank_of(self, column: int) -> list[int]:
        """Each card's place in the column's order (the inverse permutation)."""
        rank = self._ranks.get(column)
        if rank is None:
            order = self._sorted_by(column)
            rank = [0] * len(order)
            for place, i in enumerate(order):
                rank[i] = place
            self._ranks[column] = rank
        return rank

    def apply(self) -> None:
        order = self._sorted_by(self.sort_column)
        survivors = self._matching()
        if survivors is None:
            shown = order
        elif len(survivors) * _SORT_SURVIVORS_BELOW < len(order):
            survivors.sort(key=self._rank_of(self.sort_column).__getitem__)  # ranks differ: no ties
            shown = survivors
        else:
            kept = [False] * len(order)
            for i in survivors:
                kept[i] = True
            shown = list(compress(order, map(kept.__getitem__, order)))
        # Descending is the ascending order read backwards, ties included (as a reversed sort).
        self.order = shown[::-1] if self.descending else shown

    def _matching(self) -> list[int] | None:
        """The cards the filter keeps, in library order (None: no filter). Each criterion is one
        C-level pass over the cards the previous ones kept: the cheap and selective state chips
        first, then words, longest (rarest) first."""
        wanted, unwanted = parse_query(self.text)
        states = self.chips - {"leech"}
        tests: list[tuple[list, Callable[[Iterator], Iterator[bool]]]] = []
        if states:
            tests.append((self.state, lambda values: map(states.__contains__, values)))
        if "leech" in self.chips:
            tests.append((self.lapses, lambda values: map(LEECH_LAPSES.__le__, values)))
        for word in sorted(wanted, key=len, reverse=True):
            tests.append((self.haystack, lambda values, word=word: map(contains, values, repeat(word))))
        for word in unwanted:
            tests.append((self.haystack, lambda values, word=word: map(not_, map(contains, values, repeat(word)))))
        kept: list[int] | None = None
        for values, test in tests:
            if kept is None:
                kept = list(compress(range(len(values)), test(iter(values))))
            else:
                kept = list(compress(kept, test(map(values.__getitem__, kept))))
        return kept

    # ------------------------------------------------------------ one row, as shown
    def cell(self, row: int, column: int) -> str:
        i = self.order[row]
        if column == 0:
            return self.title[i]
        if column == 1:
            return self.topic[i]
        if column == 2:
            return self.level[i]
        if column == 3:
            return self.state[i] + (" · leech" if self.lapses[i] >= LEECH_LAPSES else "")
        if column == 4:
            due = self.due[i]
            return datetime.fromtimestamp(due).strftime("%d %b %H:%M") if due != _NEVER else ""
        if column == 5:
            return _days(self.interval[i])
        if column == 6:
            return _days(self.stability[i])
        if column == 7:
            return f"{self.difficulty[i]:.1f}" if self.difficulty[i] != _MISSING else ""
        if column == 8:
            recall = self.recall_of(i)
            return f"{recall:.0%}" if recall != _MISSING else ""
        if column == 9:
            return str(self.reviews[i])
        if column == 10:
            return str(self.lapses[i])
        if column == 11:
            return RATING_NAMES.get(self.last_rating[i], "") if self.last_rating[i] else ""
        first = self.first[i]
        return datetime.fromisoformat(first).astimezone().strftime("%d %b %Y") if first != _NOT_STUDIED else ""

    def question_id(self, row: int) -> str:
        return self.ids[self.order[row]]

    def rows_of(self, qids: Iterable[str]) -> list[int]:
        """The rows showing these cards, in the order shown (cards the filter hides have none):
        one C-level pass, for keeping a selection of thousands across a sort or a reload."""
        places = {self._place[q] for q in qids if q in self._place}
        if not places:
            return []
        return list(compress(range(len(self.order)), map(places.__contains__, self.order)))

    def is_leech(self, row: int) -> bool:
        return self.lapses[self.order[row]] >= LEECH_LAPSES

    # ------------------------------------------------------------ actions
    def suspend(self, qids: Iterable[str], on: bool = True) -> Undo:
        return self._change(qids, "Suspended" if on else "Unsuspended", lambda row: {"suspended": int(on)})

    def bury(self, qids: Iterable[str], on: bool = True) -> Undo:
        today = study_day(self.clock(), self.settings.day_start_hour).isoformat()
        return self._change(qids, "Buried" if on else "Unburied", lambda row: {"buried_day": today if on else None})

    def forget(self, qids: Iterable[str]) -> Undo:
        """New again; the review log stays (statistics keep the work done)."""
        now = iso(self.clock())
        return self._change(qids, "Forgotten", lambda row: {
            "state": NEW, "step": None, "stability": None, "difficulty": None, "due": now, "last_review": None})

    def set_due(self, qids: Iterable[str], days_from_today: int) -> Undo:
        """Due at the start of the study day ``days_from_today`` from today (0: today). New cards keep
        waiting in the new queue: a due date needs a memory state to schedule."""
        hour = self.settings.day_start_hour
        day: date = study_day(self.clock(), hour) + timedelta(days=max(0, days_from_today))
        when = iso(day_start(day, hour))
        return self._change(qids, "Due date set", lambda row: None if row is None or row[2] == NEW else {"due": when})

    def reschedule(self, qids: Iterable[str]) -> Undo:
        """Due again at the last review plus the interval an answer would give now: the card's
        stability under the current desired retention, fuzzed as its last answer was (so with
        unchanged settings a card stays where its answer put it). After the retention changed,
        this moves existing cards instead of waiting for their next review to. Only cards in
        review move: new cards have no memory state, and learning steps are minutes, not retention.
        The settings are read as saved now: the Scheduling panel may have changed them since the
        browser opened."""
        wanted = list(dict.fromkeys(qids))
        self.settings = StudySettings.load(self.conn)
        scheduler = self._scheduler()
        started_from = self._last_review_before(wanted)

        def change(row: tuple | None) -> dict | None:
            if row is None or row[2] != State.Review or not row[4] or not row[7]:
                return None
            last = parse_time(row[7])
            fuzz_from = Card(card_id=row[1], last_review=parse_time(started_from.get(row[0])))
            return {"due": iso(last + timedelta(days=scheduler.review_interval(row[4], fuzz_from)))}
        return self._change(wanted, "Rescheduled", change)

    def _last_review_before(self, qids: list[str]) -> dict[str, str | None]:
        """Per card, the last review's starting ``last_review`` (the seed its answer's fuzz came
        from), in batches like ``reload_cards``. A bare column beside the one max() is taken from
        the latest review."""
        found: dict[str, str | None] = {}
        for offset in range(0, len(qids), 500):
            chunk = qids[offset:offset + 500]
            for qid, before, _at in self.conn.execute(
                    "SELECT question_id, json_extract(state_before, '$.last_review'), max(reviewed_at) FROM reviews "
                    f"WHERE question_id IN ({','.join('?' * len(chunk))}) GROUP BY question_id", chunk):
                found[qid] = before
        return found

    def undo(self, undo: Undo) -> None:
        with transaction(self.conn):
            for qid, previous in undo.rows:
                if previous is None:
                    self.conn.execute("DELETE FROM cards WHERE question_id = ?", (qid,))
                else:
                    write_card(self.conn, previous)
        self.reload_cards(qid for qid, _row in undo.rows)

    def _change(self, qids: Iterable[str], label: str, change) -> Undo:
        names = _CARD_COLUMNS.replace(" ", "").split(",")
        changed: list[tuple[str, tuple | None]] = []
        now = iso(self.clock())
        with transaction(self.conn):
            for qid in dict.fromkeys(qids):
                row = self.conn.execute(f"SELECT {_CARD_COLUMNS} FROM cards WHERE question_id = ?", (qid,)).fetchone()
                values = change(row)
                if values is None:
                    continue
                base = dict(zip(names, row, strict=True)) if row else {
                    "question_id": qid, "card_id": card_id_for(qid), "state": NEW, "step": None, "stability": None,
                    "difficulty": None, "due": now, "last_review": None, "suspended": 0, "buried_day": None}
                new = {**base, **values}
                if row is not None and new == base:
                    continue
                write_card(self.conn, tuple(new[name] for name in names))
                changed.append((qid, row))
        self.reload_cards(qid for qid, _row in changed)
        return Undo(f"{label}: {len(changed)} card{'s' if len(changed) != 1 else ''}", changed)

    # ------------------------------------------------------------ card info
    def history(self, qid: str) -> list[dict]:
        """The card's review log, oldest first: when, rating, interval given, time taken, S, D."""
        import json

        rows = []
        for at, rating, ms, after in self.conn.execute(
                "SELECT reviewed_at, rating, duration_ms, state_after FROM reviews WHERE question_id = ? "
                "ORDER BY reviewed_at, id", (qid,)):
            state = json.loads(after) if after else {}
            when = parse_time(at)
            due = parse_time(state.get("due"))
            rows.append({"at": when, "rating": RATING_NAMES.get(rating, str(rating)),
                         "interval": (due - when) if due and when else None, "seconds": ms / 1000,
                         "stability": state.get("stability"), "difficulty": state.get("difficulty")})
        return rows


def stable_order(keys: list) -> list[int]:
    """The card indices ordered by ``keys``, ties in library order: exactly
    ``sorted(range(len(keys)), key=keys.__getitem__)``. A column of few distinct keys is grouped
    instead (one pass, then the distinct keys sorted): no comparisons between 100k cards."""
    distinct = set(keys)
    if len(distinct) > _FEW_KEYS:
        n, key = len(keys), keys.__getitem__
        runs = [sorted(range(start, min(start + _SORT_RUN, n)), key=key) for start in range(0, n, _SORT_RUN)]
        # heapq.merge is stable: on equal keys the earlier run, so library order, goes first.
        return runs[0] if len(runs) == 1 else list(heapq.merge(*runs, key=key))
    groups: dict = {key: [] for key in sorted(distinct)}
    for i, key in enumerate(keys):
        groups[key].append(i)
    order: list[int] = []
    for members in groups.values():
        order.extend(members)
    return order


def parse_query(text: str) -> tuple[list[str], list[str]]:
    """The search box's language: every word must match, ``"a phrase"`` as written, ``-word`` excludes."""
    wanted: list[str] = []
    unwanted: list[str] = []
    parts = text.casefold().split('"')
    for n, part in enumerate(parts):
        if n % 2:  # inside quotes
            if part.strip():
                wanted.append(part.strip())
            continue
        for word in part.split():
            if word.startswith("-") and len(word) > 1:
                unwanted.append(word[1:])
            elif word != "-":
                wanted.append(word)
    return wanted, unwanted


def _days(value: float) -> str:
    if value == _MISSING:
        return ""
    if value < 1:
        return f"{value * 24:.0f}h" if value * 24 >= 1 else f"{max(1, round(value * 1440))}m"
    if value < 100:
        return f"{value:.1f}d" if value < 10 else f"{value:.0f}d"
    return f"{value / 30:.1f}mo" if value < 365 else f"{value / 365:.1f}y"
