"""The learning roadmap's checklist: milestone states, notes, progress, mastery and export.

The milestones themselves come from the content (``Library.milestones``); what the user did with
them lives in the progress database's ``milestones`` table, keyed by milestone id. A row whose id
is no longer in the content is *retired*: it keeps its state and note and is listed as such, but
never counts towards progress, because the total it was part of no longer exists.

"Complete" means done or skipped (both take a milestone off the to-do list); "done" alone is
reported beside it, so skipping never passes for knowing.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from ..clock import Clock, iso, system_clock
from ..content.library import LEVEL_NAMES, ROADMAP_LEVELS, Library, Milestone, Section
from ..errors import UserError
from ..store.atomic_write import write_text_atomic
from ..store.db import transaction

PENDING, IN_PROGRESS, DONE, SKIPPED = "pending", "in_progress", "done", "skipped"
STATES = (PENDING, IN_PROGRESS, DONE, SKIPPED)
STATE_LABELS = {PENDING: "Pending", IN_PROGRESS: "In progress", DONE: "Done", SKIPPED: "Skipped"}
COMPLETE_STATES = frozenset({DONE, SKIPPED})

# The level selector: None is the whole roadmap, then the content's levels in order.
LEVEL_FILTERS: tuple[str | None, ...] = (None, *ROADMAP_LEVELS)
# "Shared track", not "All levels": beside "All" (the whole roadmap) users read that as the same thing.
LEVEL_FILTER_NAMES = {None: "All", "all": "Shared track", "dev1": "Developer Level 1",
                      "dev2": "Developer Level 2", "researcher": "Researcher"}
LEVEL_SHORT_NAMES = {"all": "Shared", "dev1": "Dev 1", "dev2": "Dev 2", "researcher": "Researcher"}

# The snapshot that lets "reset all" be undone lives in the settings table, written in the same
# transaction as the reset: a crash between reset and undo therefore loses nothing.
_UNDO_KEY = "roadmap.undo_reset"


class ExportError(UserError):
    """The exported checklist could not be written; the message says where and why."""


def parse_time(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


@dataclass(frozen=True)
class Record:
    """What the user did with one milestone (a row of the ``milestones`` table)."""

    milestone_id: str
    state: str = PENDING
    done_at: datetime | None = None
    note: str = ""
    updated_at: datetime | None = None


@dataclass(frozen=True)
class Tally:
    """Progress over a set of milestones."""

    done: int = 0
    skipped: int = 0
    in_progress: int = 0
    total: int = 0

    @property
    def complete(self) -> int:
        return self.done + self.skipped

    @property
    def percent(self) -> int:
        # Floor, so 35/36 never reads as 100 %.
        return self.complete * 100 // self.total if self.total else 0


@dataclass(frozen=True)
class Mastery:
    """Linked cards at or above 90 % recall probability, over the linked cards that exist."""

    mastered: int
    total: int

    @property
    def all_mastered(self) -> bool:
        return self.total > 0 and self.mastered == self.total


def next_state(current: str, pressed: str) -> str:
    """The state after pressing a state's key or button: pressing the current one undoes it
    (D on a done milestone makes it pending again), like a checkbox."""
    if pressed not in STATES:
        raise ValueError(f"unknown milestone state {pressed!r}")
    return PENDING if pressed == current else pressed


class Roadmap:
    """The roadmap of one library read against one progress database."""

    def __init__(self, conn: sqlite3.Connection, library: Library, clock: Clock = system_clock) -> None:
        self.conn = conn
        self.library = library
        self.clock = clock

    # ------------------------------------------------------------ reading
    def records(self) -> dict[str, Record]:
        """Every stored row, retired milestones included."""
        return {row[0]: Record(row[0], row[1] if row[1] in STATES else PENDING, parse_time(row[2]), row[3] or "",
                               parse_time(row[4]))
                for row in self.conn.execute(
                    "SELECT milestone_id, state, done_at, note, updated_at FROM milestones")}

    def record(self, milestone_id: str) -> Record:
        row = self.conn.execute("SELECT milestone_id, state, done_at, note, updated_at FROM milestones "
                                "WHERE milestone_id = ?", (milestone_id,)).fetchone()
        if row is None:
            return Record(milestone_id)
        return Record(row[0], row[1] if row[1] in STATES else PENDING, parse_time(row[2]), row[3] or "",
                      parse_time(row[4]))

    def milestones(self, level: str | None = None) -> list[Milestone]:
        """The content's milestones in roadmap order (section order, then file order)."""
        order = {s.id: s.order for s in self.library.sections}
        chosen = [m for m in self.library.milestones if level is None or m.level == level]
        return sorted(chosen, key=lambda m: (order.get(m.section, len(order) + 1), m.order))

    def sections(self, level: str | None = None) -> list[tuple[Section, list[Milestone]]]:
        """Sections in order with their milestones at ``level``; empty sections are left out."""
        chosen = self.milestones(level)
        grouped = [(s, [m for m in chosen if m.section == s.id]) for s in self.library.sections]
        known = {s.id for s in self.library.sections}
        orphans = [m for m in chosen if m.section not in known]
        if orphans:  # a content fault (reported by `check`); still show them rather than hide them
            grouped.append((Section("", "Other", len(grouped) + 1), orphans))
        return [(s, ms) for s, ms in grouped if ms]

    def retired(self) -> list[Record]:
        """Rows for milestones the content no longer has, oldest first; their history is kept."""
        current = {m.id for m in self.library.milestones}
        return sorted((r for r in self.records().values() if r.milestone_id not in current),
                      key=lambda r: r.milestone_id)

    def tally(self, milestones: Iterable[Milestone], records: dict[str, Record] | None = None) -> Tally:
        records = self.records() if records is None else records
        counts = {DONE: 0, SKIPPED: 0, IN_PROGRESS: 0}
        total = 0
        for milestone in milestones:
            total += 1
            state = records[milestone.id].state if milestone.id in records else PENDING
            if state in counts:
                counts[state] += 1
        return Tally(counts[DONE], counts[SKIPPED], counts[IN_PROGRESS], total)

    def level_tallies(self, records: dict[str, Record] | None = None) -> dict[str | None, Tally]:
        """One tally per level filter, None (everything) first. ``records``: states already read."""
        records = self.records() if records is None else records
        return {level: self.tally(self.milestones(level), records) for level in LEVEL_FILTERS}

    def section_tallies(self, level: str | None = None,
                        records: dict[str, Record] | None = None) -> list[tuple[Section, Tally]]:
        records = self.records() if records is None else records
        return [(section, self.tally(items, records)) for section, items in self.sections(level)]

    def overall(self) -> Tally:
        return self.tally(self.library.milestones)

    def in_progress(self) -> list[Milestone]:
        """The milestones being worked on, in roadmap order (offered as flashcard decks)."""
        records = self.records()
        return [m for m in self.milestones() if m.id in records and records[m.id].state == IN_PROGRESS]

    def mastery(self, milestone_ids: Iterable[str] | None = None, *, desired_retention: float | None = None,
                clock: Clock | None = None) -> dict[str, Mastery]:
        """Mastery per milestone, from one pass over the card states."""
        from .session import StudySettings
        from .stats import mastered_ids  # fsrs: only loaded when mastery is first shown

        wanted = set(milestone_ids) if milestone_ids is not None else None
        linked = {m.id: [q for q in m.questions if self.library.question(q) is not None]
                  for m in self.library.milestones if wanted is None or m.id in wanted}
        settings = StudySettings.load(self.conn)
        retention = desired_retention or settings.desired_retention
        every = sorted({q for ids in linked.values() for q in ids})
        mastered = mastered_ids(self.conn, every, desired_retention=retention, clock=clock or self.clock,
                                day_start_hour=settings.day_start_hour, parameters=settings.fsrs_parameters)
        return {mid: Mastery(sum(1 for q in ids if q in mastered), len(ids)) for mid, ids in linked.items()}

    # ------------------------------------------------------------ writing
    def set_state(self, milestone_id: str, state: str) -> Record:
        """Change a milestone's state; done records when. Setting the current state keeps its date."""
        if state not in STATES:
            raise ValueError(f"unknown milestone state {state!r}; use one of {', '.join(STATES)}")
        if self.library.milestone(milestone_id) is None:
            raise ValueError(f"{milestone_id!r} is not in the roadmap (retired milestones are read-only)")
        current = self.record(milestone_id)
        if current.state == state:
            return current
        now = iso(self.clock())
        done_at = now if state == DONE else None
        with transaction(self.conn):
            self.conn.execute(
                "INSERT INTO milestones (milestone_id, state, done_at, note, updated_at) VALUES (?, ?, ?, '', ?) "
                "ON CONFLICT(milestone_id) DO UPDATE SET state = excluded.state, done_at = excluded.done_at, "
                "updated_at = excluded.updated_at",
                (milestone_id, state, done_at, now))
            # A later change makes the reset's snapshot stale: restoring it would overwrite this one.
            self.conn.execute("DELETE FROM settings WHERE key = ?", (_UNDO_KEY,))
        return self.record(milestone_id)

    def set_note(self, milestone_id: str, text: str) -> None:
        """Save a personal note (an empty text clears it; the state is untouched)."""
        if self.library.milestone(milestone_id) is None and milestone_id not in self.records():
            raise ValueError(f"{milestone_id!r} is not in the roadmap")
        now = iso(self.clock())
        with transaction(self.conn):
            self.conn.execute(
                "INSERT INTO milestones (milestone_id, state, done_at, note, updated_at) "
                "VALUES (?, 'pending', NULL, ?, ?) "
                "ON CONFLICT(milestone_id) DO UPDATE SET note = excluded.note, updated_at = excluded.updated_at",
                (milestone_id, text, now))

    def resettable(self, records: dict[str, Record] | None = None) -> int:
        """How many milestones ``reset_all`` would change: the same rule, read from ``records``
        (the states already read) so asking costs no query."""
        records = self.records() if records is None else records
        current = {m.id for m in self.library.milestones}
        return sum(1 for r in records.values()
                   if (r.state != PENDING or r.done_at is not None) and r.milestone_id in current)

    def reset_all(self) -> int:
        """Every milestone of the roadmap back to pending. Returns how many changed; undoable.

        Notes are kept, and so are retired milestones: they are history, not progress.
        ``resettable`` counts by the same rule: keep the two in step."""
        current = {m.id for m in self.library.milestones}
        rows = [row for row in self.conn.execute("SELECT milestone_id, state, done_at, updated_at FROM milestones "
                                                 "WHERE state != ? OR done_at IS NOT NULL", (PENDING,))
                if row[0] in current]
        if not rows:
            return 0
        now = iso(self.clock())
        with transaction(self.conn):
            self.conn.execute("INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)",
                              (_UNDO_KEY, json.dumps({"reset_at": now, "rows": rows})))
            self.conn.executemany("UPDATE milestones SET state = ?, done_at = NULL, updated_at = ? "
                                  "WHERE milestone_id = ?", [(PENDING, now, row[0]) for row in rows])
        return len(rows)

    def can_undo_reset(self) -> bool:
        return self.conn.execute("SELECT 1 FROM settings WHERE key = ?", (_UNDO_KEY,)).fetchone() is not None

    def undo_reset(self) -> int:
        """Put back the states and dates the last reset cleared. Returns how many were restored."""
        row = self.conn.execute("SELECT value FROM settings WHERE key = ?", (_UNDO_KEY,)).fetchone()
        if row is None:
            return 0
        try:
            saved = json.loads(row[0])["rows"]
        except (ValueError, KeyError, TypeError):
            saved = []  # a damaged snapshot: nothing to restore, and the reset already happened
        now = iso(self.clock())
        with transaction(self.conn):
            # updated_at is now, not the old value: undoing is the user's latest decision, which
            # matters to anything that merges progress by "newer wins".
            self.conn.executemany("UPDATE milestones SET state = ?, done_at = ?, updated_at = ? "
                                  "WHERE milestone_id = ?",
                                  [(state, done_at, now, mid) for mid, state, done_at, _updated in saved])
            self.conn.execute("DELETE FROM settings WHERE key = ?", (_UNDO_KEY,))
        return len(saved)

    # ------------------------------------------------------------ export
    def export_markdown(self) -> str:
        """The checklist as GitHub-flavoured markdown: levels, sections, ticks, dates and notes."""
        records = self.records()
        overall = self.tally(self.library.milestones, records)
        stamp = self.clock().astimezone().strftime("%Y-%m-%d")
        lines = ["# Generative AI roadmap: my progress", "",
                 f"Exported {stamp} · {overall.complete} of {overall.total} milestones complete "
                 f"({overall.done} done, {overall.skipped} skipped, {overall.in_progress} in progress).", ""]
        for level in ROADMAP_LEVELS:
            level_milestones = self.milestones(level)
            if not level_milestones:
                continue
            tally = self.tally(level_milestones, records)
            lines += [f"## {LEVEL_NAMES.get(level, level)} ({tally.complete}/{tally.total})", ""]
            for section, items in self.sections(level):
                lines += [f"### {section.title}", ""]
                for milestone in items:
                    lines += _checklist_item(milestone.title, records.get(milestone.id, Record(milestone.id)))
                lines.append("")
        retired = self.retired()
        if retired:
            lines += ["## Retired milestones", "",
                      "No longer in the roadmap; kept because they have your history.", ""]
            for record in retired:
                lines += _checklist_item(f"{retired_title(record.milestone_id)} ({record.milestone_id})", record)
            lines.append("")
        return "\n".join(lines).rstrip() + "\n"

    def export_file(self, path: Path) -> Path:
        """Write ``export_markdown`` to ``path`` (".md" added when the name has no suffix), all or
        nothing. Returns the path written; raises ExportError with a message for the user."""
        if not path.suffix:
            path = path.with_suffix(".md")
        try:
            write_text_atomic(path, self.export_markdown())
        except OSError as exc:
            raise ExportError(f"The checklist could not be written to {path}:\n{exc}") from exc
        return path


def retired_title(milestone_id: str) -> str:
    """A readable name for a milestone the content no longer has (its title went with it):
    'rm.fundamentals.dev1.neural-networks' -> 'Neural networks'."""
    slug = milestone_id.rsplit(".", 1)[-1].replace("-", " ").replace("_", " ").strip()
    return slug[:1].upper() + slug[1:] if slug else milestone_id


def milestone_scope(milestone: Milestone):
    """The flashcard scope of a milestone's linked questions, named the same everywhere."""
    from .session import Scope  # fsrs: loaded when studying, not when the roadmap is read

    return Scope("milestone", milestone.id, f"Roadmap · {milestone.title}")


def _checklist_item(title: str, record: Record) -> list[str]:
    tick = "x" if record.state in COMPLETE_STATES else " "
    suffix = ""
    if record.state == DONE:
        suffix = f" — done {_local_date(record.done_at)}" if record.done_at else " — done"
    elif record.state == SKIPPED:
        suffix = " — skipped"
    elif record.state == IN_PROGRESS:
        suffix = " — in progress"
    item = [f"- [{tick}] {_escape_inline(title)}{suffix}"]
    # The note is indented under its item so it stays part of the list item when rendered.
    item += [f"  > {line}".rstrip() for line in record.note.strip().splitlines()]
    return item


def _escape_inline(text: str) -> str:
    return text.replace("\n", " ").strip()


def _local_date(moment: datetime) -> str:
    return moment.astimezone().strftime("%Y-%m-%d")


def format_done_date(moment: datetime | None, today: datetime | None = None) -> str:
    """'done today', 'done 3 May', 'done 3 May 2023' for the detail pane and the rows."""
    if moment is None:
        return ""
    local = moment.astimezone()
    now = (today or system_clock()).astimezone()
    if local.date() == now.date():
        return "today"
    if local.year == now.year:
        return f"{local.day} {local.strftime('%b')}"
    return f"{local.day} {local.strftime('%b %Y')}"


def format_done_day(moment: datetime) -> str:
    """'Saturday 3 May 2025', in local time: the full date the detail pane gives a done milestone."""
    local = moment.astimezone()
    return f"{local.strftime('%A')} {local.day} {local.strftime('%B %Y')}"


def tally_text(tally: Tally) -> str:
    """'7/9 · 5 done': complete over total, then done alone, so skipping never reads as knowing."""
    if tally.skipped:
        return f"{tally.complete}/{tally.total} · {tally.done} done"
    return f"{tally.complete}/{tally.total}"


def summary_text(tally: Tally) -> str:
    """'7 of 9 complete · 5 done · 2 skipped · 1 in progress'. "Complete" counts skipped
    milestones too: they are named, so the parts add up to the whole."""
    parts = [f"{tally.complete} of {tally.total} complete", f"{tally.done} done"]
    if tally.skipped:
        parts.append(f"{tally.skipped} skipped")
    parts.append(f"{tally.in_progress} in progress")
    return " · ".join(parts)


def row_caption(record: Record, milestone: Milestone | None, mastery: Mastery | None, *,
                with_level: bool, today: datetime | None = None) -> str:
    """The line under a milestone's title in the checklist: its level (when every level is
    listed), mastery of its cards, when it was done and whether it has a note. A retired
    milestone (``milestone`` None) says what it was instead."""
    if milestone is None:
        state = STATE_LABELS[record.state].lower()
        return f"No longer in the roadmap · was {state}" + (" · has a note" if record.note.strip() else "")
    parts = []
    if with_level:
        parts.append(LEVEL_SHORT_NAMES.get(milestone.level, milestone.level))
    if mastery and mastery.total:
        parts.append(f"{mastery.mastered}/{mastery.total} cards mastered")
    elif not milestone.questions:
        parts.append("no linked cards")
    if record.state == DONE and record.done_at:
        parts.append(f"done {format_done_date(record.done_at, today)}")
    if record.note.strip():
        parts.append("note")
    return "  ·  ".join(parts)
