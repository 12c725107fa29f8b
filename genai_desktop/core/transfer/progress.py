"""Portable progress: one file to carry a user's work to another installation, and the merge.

The file is a zip holding ``manifest.json`` (format, version, counts, the packs and their file
times), ``progress.json`` (the rows of the progress tables) and ``packs/<id>/…`` (the user's
imported packs, verbatim). JSON rather than a SQLite file: it does not depend on this app's
schema version, a person can read it, and nothing in it can run.

Importing merges; it never replaces:
- reviews are unioned by their ``uid`` (a review made on either machine is never lost or doubled),
  and so are mock interview answers (``attempts``);
- personal notes and roadmap items: the newer ``updated_at`` wins;
- bookmarks are unioned (removing one leaves no trace to compare against);
- card states are recomputed by replaying FSRS over the merged review log of every card that
  gained reviews, and each review's before/after state is rewritten to match, so the log tells
  one consistent story; fuzz is off in the replay so the result is reproducible. Suspension is
  kept if either side suspended the card; the later bury day wins.
- packs: one missing here is added; when both have it, the copy with the newer files wins.
- study settings (limits, desired retention, day start): the ones saved later win; settings
  saved before they carried a time count as oldest, and a tie keeps this computer's. The
  replay above uses the desired retention that results.

A backup of the progress database is taken before anything changes; the merge is one
transaction; packs are swapped in by renaming a complete folder. Bad input raises
``TransferError`` with a message for the user, before anything is touched.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
import tempfile
import zipfile
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from ... import __version__
from ..changes import Changes
from ..clock import Clock, iso, system_clock
from ..content.library import MAX_PAGE_BYTES
from ..content.text_clean import clean_text
from ..digest import sha1
from ..errors import UserError
from ..packs.folders import PACK_ID, pack_dirs
from ..store.db import transaction

if TYPE_CHECKING:
    from ..study.session import StudySettings

FORMAT = "genai-study-desk-progress"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DATA = "progress.json"
PACKS = "packs"
SETTINGS_KEY = "study"
# Limits, checked on the zip's declared sizes before anything is inflated and on the JSON's
# shape before it is parsed. A real file is a few MB: ten years of daily study are ~40,000
# reviews, ~20 MB of JSON; the limits are over ten times that, and keep the memory an import
# needs under ~600 MB whatever the file. Export checks the same limits, so it never writes a
# file that import refuses.
MAX_UNPACKED_BYTES = 1 << 30  # the whole archive
MAX_MEMBERS = 20_000  # files in the archive
MAX_MANIFEST_BYTES = 16 << 20
MAX_DATA_BYTES = 128 << 20
MAX_PACK_FILE_BYTES = MAX_PAGE_BYTES  # the largest topic file a pack may hold (core/content/library.py)
MAX_ROWS = 500_000  # all tables together
MAX_JSON_DEPTH = 16  # the format nests 6 deep
MAX_ID_CHARS = 500
MAX_STATE_CHARS = 10_000  # a card's JSON is ~250 characters
MAX_TEXT_CHARS = 10_000_000  # one note
MAX_DURATION_MS = 30 * 24 * 3600 * 1000
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)  # no review, note or bookmark is older
FUTURE_SLACK = timedelta(days=1)  # clocks of two computers may disagree; a date later than this is refused
LATEST_FILE_TIME = 32_503_680_000  # 3000-01-01 in seconds: pack file times past it are refused

# Each table, its key and the columns the merge needs. Other columns (a later schema may add
# some) travel along and are written where the receiving table has them.
TABLES = {
    "reviews": ("uid", ("uid", "question_id", "rating", "reviewed_at", "duration_ms", "state_before",
                        "state_after")),
    "cards": ("question_id", ("question_id", "suspended", "buried_day")),
    "notes": ("question_id", ("question_id", "body", "updated_at")),
    "bookmarks": ("question_id", ("question_id", "created_at")),
    "milestones": ("milestone_id", ("milestone_id", "state", "updated_at")),
    # Mock interview answers (core/study/interview.py), unioned by uid like reviews. A file from before
    # them has no such table (read as empty); an older app reading a newer file ignores it.
    "attempts": ("uid", ("uid", "question_id", "mock_id", "started_at", "seconds_used", "seconds_allowed",
                         "points_total", "points_ticked", "outline", "rating", "review_uid", "created_at")),
}
# Row ids are per database (uid is the identity); a card's version counts this database's writes.
_LOCAL_ONLY_COLUMNS = {"reviews": {"id"}, "cards": {"version"}, "attempts": {"id"}}
MAX_ANSWER_SECONDS = 24 * 3600  # one mock answer (the app allows 10 minutes)
MAX_POINTS = 100  # key points of one question (the library has 3 to 6)
# Of the settings table only the study settings travel. Its other keys belong to this database:
# "roadmap.undo_reset" undoes a reset made here, against this database's rows; carried to another
# computer it would "undo" into progress that is not there.


class TransferError(UserError, ValueError):
    """A progress file that cannot be written or read; the message is written for the user."""


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


# ---------------------------------------------------------------- export

@dataclass(frozen=True)
class ExportSummary:
    path: Path
    counts: dict[str, int]
    packs: tuple[str, ...]
    settings: bool = False  # the study settings are in the file
    skipped: tuple[str, ...] = ()  # pack files left out: links out of their pack, or too large

    def message(self) -> str:
        c = self.counts
        parts = [_plural(c.get("reviews", 0), "review"), _plural(c.get("attempts", 0), "mock answer"),
                 _plural(c.get("notes", 0), "note"),
                 _plural(c.get("milestones", 0), "roadmap item"), _plural(c.get("bookmarks", 0), "bookmark"),
                 _plural(len(self.packs), "imported pack")]
        if self.settings:
            parts.append("your study settings")
        text = f"Saved {', '.join(parts[:-1])} and {parts[-1]} to {self.path.name}."
        if self.skipped:
            shown = ", ".join(self.skipped[:5]) + (", …" if len(self.skipped) > 5 else "")
            text += (f" {_plural(len(self.skipped), 'pack file')} left out (links out of their pack or larger than "
                     f"{MAX_PACK_FILE_BYTES >> 20} MB): {shown}.")
        return text


def _table_columns(conn: sqlite3.Connection, table: str) -> list[str]:
    return [row[1] for row in conn.execute(f"PRAGMA table_info({table})")]


def _pack_files(pack_dir: Path, skipped: list[str] | None = None) -> dict[str, float]:
    """Relative POSIX path -> mtime of every file in a pack folder.

    A link is followed only when it stays inside the pack; a linked folder is never entered; a
    file over MAX_PACK_FILE_BYTES is not taken. Each one left out is added to ``skipped`` as
    "<pack>/<path>" (a picture linked to /etc/passwd, a 1 GB sparse file)."""
    base = pack_dir.resolve()
    files: dict[str, float] = {}
    for folder, dirnames, filenames in os.walk(pack_dir, followlinks=False):
        here = Path(folder)
        for name in sorted(dirnames):
            if (here / name).is_symlink():
                dirnames.remove(name)
                if skipped is not None:
                    skipped.append(f"{pack_dir.name}/{(here / name).relative_to(pack_dir).as_posix()}")
        for name in filenames:
            path = here / name
            try:
                inside = path.resolve().is_relative_to(base)
                info = path.stat() if inside else None
            except OSError:  # a broken link
                inside, info = False, None
            if info is not None and path.is_file() and info.st_size <= MAX_PACK_FILE_BYTES:
                files[path.relative_to(pack_dir).as_posix()] = info.st_mtime
            elif skipped is not None:
                skipped.append(f"{pack_dir.name}/{path.relative_to(pack_dir).as_posix()}")
    return dict(sorted(files.items()))


def _pack_digest(pack_dir: Path, files: dict[str, float]) -> str:
    digest = sha1()
    for name in sorted(files):
        digest.update(name.encode() + b"\0")
        with (pack_dir / name).open("rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):  # noqa: B023 - used at once
                digest.update(chunk)
        digest.update(b"\0")
    return digest.hexdigest()


def export_progress(conn: sqlite3.Connection, packs_root: Path | None, out: Path,
                    clock: Clock = system_clock) -> ExportSummary:
    """Write everything the user made to ``out``; the file appears only once complete."""
    tables: dict[str, dict] = {}
    conn.execute("BEGIN")  # one read transaction: a consistent snapshot even while the app writes
    try:
        for table in TABLES:
            columns = [c for c in _table_columns(conn, table) if c not in _LOCAL_ONLY_COLUMNS.get(table, ())]
            if not columns:
                raise TransferError(f"The progress database has no {table} table; nothing was exported.")
            order = {"reviews": "reviewed_at, uid", "attempts": "created_at, uid"}.get(table, TABLES[table][0])
            rows = conn.execute(f"SELECT {', '.join(columns)} FROM {table} ORDER BY {order}").fetchall()
            tables[table] = {"columns": columns, "rows": [list(row) for row in rows]}
        settings = _local_settings(conn)
    finally:
        conn.execute("COMMIT")
    total_rows = sum(len(data["rows"]) for data in tables.values())
    if total_rows > MAX_ROWS:
        raise TransferError(f"Your progress holds more than {MAX_ROWS:,} rows ({total_rows:,}), more than a progress "
                            "file can carry; nothing was exported.")
    packs = []
    skipped: list[str] = []
    for pack_dir in pack_dirs(packs_root):
        files = _pack_files(pack_dir, skipped)
        packs.append({"id": pack_dir.name, "files": files, "modified": max(files.values(), default=0.0),
                      "sha1": _pack_digest(pack_dir, files)})
    counts = {table: len(data["rows"]) for table, data in tables.items()}
    manifest = {"format": FORMAT, "version": FORMAT_VERSION, "app_version": __version__,
                "exported_at": iso(clock()), "counts": counts, "packs": packs}
    # Settings sit beside "tables", which is all an older app reads: it ignores them.
    data = json.dumps({"tables": tables, "settings": {SETTINGS_KEY: settings.to_dict()} if settings else {}},
                      separators=(",", ":")).encode("utf-8")
    manifest_text = json.dumps(manifest, indent=1).encode("utf-8")
    members = 2 + sum(len(pack["files"]) for pack in packs)
    if len(data) > MAX_DATA_BYTES or len(manifest_text) > MAX_MANIFEST_BYTES or members > MAX_MEMBERS:
        raise TransferError("Your progress is larger than a progress file can carry; nothing was exported.")
    part = out.with_name(out.name + ".part")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(part, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(MANIFEST, manifest_text)
            archive.writestr(DATA, data)
            for pack in packs:
                for name in pack["files"]:
                    archive.write(packs_root / pack["id"] / name, f"{PACKS}/{pack['id']}/{name}")
        try:  # the import's own checks: a file it would refuse is never handed to the user
            read_progress_file(part, clock)
        except TransferError as exc:
            raise TransferError(f"The export was not saved: the file would not import ({exc})") from exc
        part.replace(out)
    except OSError as exc:
        raise TransferError(f"Could not write {out}: {exc.strerror or exc}") from exc
    finally:
        if part.is_file():
            part.unlink()
    return ExportSummary(out, counts, tuple(p["id"] for p in packs), settings is not None, tuple(skipped))


def _local_settings(conn: sqlite3.Connection) -> StudySettings | None:
    """This database's study settings, or None when the user never saved any (the defaults are
    not a choice to carry over) or the stored value cannot be read."""
    from ..study.session import StudySettings

    if conn.execute("SELECT 1 FROM settings WHERE key = ?", (SETTINGS_KEY,)).fetchone() is None:
        return None
    try:
        return StudySettings.load(conn).validated()
    except (ValueError, TypeError):
        return None


# ---------------------------------------------------------------- reading a file

@dataclass
class ProgressFile:
    path: Path
    manifest: dict
    tables: dict[str, list[dict]]  # table -> rows as {column: value}
    packs: list[dict]
    settings: StudySettings | None = None  # checked; None when the file has none or they were unusable
    settings_problem: str = ""  # why the file's settings are unusable, for the user


def read_progress_file(path: Path, clock: Clock = system_clock) -> ProgressFile:
    """Open and check a progress file completely before anything is merged.

    Sizes are checked on the zip's directory before anything is inflated, the JSON's shape
    (how many arrays and objects, how deeply nested) before it is parsed, and then every value;
    "now" for the dates is ``clock()``."""
    try:
        archive = zipfile.ZipFile(path)
    except FileNotFoundError as exc:
        raise TransferError(f"{path} does not exist.") from exc
    except (zipfile.BadZipFile, OSError) as exc:
        raise TransferError(f"{path.name} is not a progress file from GenAI Study Desk (it is not a zip "
                            "archive).") from exc
    with archive:
        infos = archive.infolist()
        if len(infos) > MAX_MEMBERS:
            raise TransferError(f"{path.name} holds more than {MAX_MEMBERS:,} files; it is not a progress file.")
        if sum(info.file_size for info in infos) > MAX_UNPACKED_BYTES:
            raise TransferError(f"{path.name} unpacks to more than 1 GB; it is not a progress file.")
        members = {info.filename: info for info in infos}
        if MANIFEST not in members or DATA not in members:
            raise TransferError(f"{path.name} is not a progress file from GenAI Study Desk "
                                f"(it has no {MANIFEST}).")
        try:
            manifest = _load_json(_read_member(archive, members[MANIFEST], MAX_MANIFEST_BYTES, path.name), MANIFEST,
                                  path.name)
            data = _load_json(_read_member(archive, members[DATA], MAX_DATA_BYTES, path.name), DATA, path.name)
        except (ValueError, zipfile.BadZipFile, OSError) as exc:
            if isinstance(exc, TransferError):
                raise
            raise TransferError(f"{path.name} is damaged: {exc}") from exc
        if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
            raise TransferError(f"{path.name} is not a progress file from GenAI Study Desk.")
        version = manifest.get("version")
        if type(version) is not int or version < 1:
            raise TransferError(f"{path.name} is malformed: its format version {version!r} is not a whole number "
                                "from 1 up. Nothing was changed.")
        if version > FORMAT_VERSION:
            raise TransferError(f"{path.name} was written by a newer version of the app (format {version}); "
                                "update this app to import it. Nothing was changed.")
        now = clock()
        tables = _check_tables(data, path.name, now)
        packs = _check_packs(manifest.get("packs", []), members, path.name)
        settings, problem = _check_settings(data, now)
        return ProgressFile(path, manifest, tables, packs, settings, problem)


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int, name: str) -> bytes:
    """A member's bytes, refused by its declared size before inflating and never read past ``limit``."""
    if info.file_size > limit:
        raise TransferError(f"{name} is not a progress file: {info.filename} unpacks to "
                            f"{info.file_size / 1024 / 1024:.1f} MB; the limit is {limit >> 20} MB.")
    with archive.open(info) as handle:
        raw = handle.read(limit + 1)
    if len(raw) > limit:
        raise TransferError(f"{name} is damaged: {info.filename} is larger than its zip entry says.")
    return raw


_JSON_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"')
_JSON_BRACKET = re.compile(rb"[\[\]{}]")


def _load_json(raw: bytes, member: str, name: str) -> object:
    """Parse ``raw`` once its shape is known to be bounded: at most MAX_ROWS arrays and objects
    (every row is one) and MAX_JSON_DEPTH levels. Strings are blanked first, so brackets inside
    them do not count; nothing is built until both limits hold."""
    skeleton = _JSON_STRING.sub(b"", raw)
    containers = skeleton.count(b"[") + skeleton.count(b"{")
    if containers > MAX_ROWS + 100:
        raise TransferError(f"{name} is damaged or not a progress file: its {member} holds more than "
                            f"{MAX_ROWS:,} rows.")
    depth = 0
    for bracket in _JSON_BRACKET.findall(skeleton):
        depth += 1 if bracket in (b"[", b"{") else -1
        if depth > MAX_JSON_DEPTH:
            raise TransferError(f"{name} is damaged: its {member} is nested too deeply "
                                f"(more than {MAX_JSON_DEPTH} levels).")
    del skeleton
    try:
        return json.loads(raw)
    except RecursionError as exc:  # unreachable after the depth check; never a traceback
        raise TransferError(f"{name} is damaged: its {member} is nested too deeply.") from exc


def _check_settings(data: dict, now: datetime) -> tuple[StudySettings | None, str]:
    """The file's study settings, strictly checked. Unusable settings do not refuse the file:
    its reviews and notes are still good, and a newer app may allow values this one does not.
    They are reported and left out instead, so nothing unchecked reaches the database."""
    from ..study.session import StudySettings

    raw = data.get("settings")
    if not isinstance(raw, dict) or SETTINGS_KEY not in raw:  # a file from before settings travelled
        return None, ""
    try:
        settings = StudySettings.from_dict(raw[SETTINGS_KEY])
    except (ValueError, TypeError) as exc:
        return None, str(exc)
    problem = _time_problem("saved_at", settings.saved_at, now) if settings.saved_at else None
    if problem:  # settings "saved" in 9999 would win every later transfer
        return None, f"they have {problem}"
    return settings, ""


def _check_tables(data: object, name: str, now: datetime) -> dict[str, list[dict]]:
    if not isinstance(data, dict) or not isinstance(data.get("tables"), dict):
        raise TransferError(f"{name} is damaged: its progress data has no tables.")
    tables: dict[str, list[dict]] = {}
    for table, (_key, required) in TABLES.items():
        raw = data["tables"].get(table, {"columns": list(required), "rows": []})
        if not isinstance(raw, dict):
            raise TransferError(f"{name} is damaged: the {table} table is unreadable.")
        columns, rows = raw.get("columns"), raw.get("rows")
        if (not isinstance(columns, list) or not isinstance(rows, list)
                or not all(isinstance(c, str) and len(c) <= 64 for c in columns) or len(set(columns)) != len(columns)
                or not set(required) <= set(columns)):
            raise TransferError(f"{name} is damaged: the {table} table lacks columns {', '.join(required)}.")
        checked = []
        for number, row in enumerate(rows, 1):
            if not isinstance(row, list) or len(row) != len(columns):
                raise TransferError(f"{name} is damaged: row {number} of {table} has the wrong shape.")
            record = dict(zip(columns, row, strict=True))
            problem = _row_problem(table, record, now)
            if problem:
                raise TransferError(f"{name} is damaged: row {number} of {table} {problem}. Nothing was changed.")
            checked.append(record)
        tables[table] = checked
    return tables


def _parse_time(value: object) -> datetime | None:
    """An aware datetime from an ISO time string, or None."""
    if not isinstance(value, str) or len(value) > 64:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def _is_time(value: object) -> bool:
    return _parse_time(value) is not None


def _time_problem(column: str, value: object, now: datetime) -> str | None:
    """Why ``value`` is not a usable time: unreadable, before 2000 or after now plus a day."""
    moment = _parse_time(value)
    if moment is None:
        shown = value if isinstance(value, int | float | bool) or value is None else repr(value)[:80]
        detail = "not a time with a time zone" if isinstance(value, str) else "not a time"
        return f"has {column} {shown}, which is {detail}"
    if moment < EARLIEST:
        return f"has {column} {value}, which is before 2000"
    if moment > now + FUTURE_SLACK:
        return f"has {column} {value}, which is in the future (after {iso(now + FUTURE_SLACK)})"
    return None


def _text_problem(column: str, value: object, limit: int, *, optional: bool = False) -> str | None:
    if value is None and optional:
        return None
    if not isinstance(value, str):
        return f"has a {column} that is not text ({type(value).__name__})"
    if len(value) > limit:
        return f"has a {column} that is too long ({len(value):,} characters)"
    return None


def _id_problem(column: str, value: object) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return f"has no {column}"
    if len(value) > MAX_ID_CHARS:
        return f"has a {column} that is too long ({len(value):,} characters)"
    if clean_text(value) != value or "\n" in value or "\t" in value:
        return f"has a {column} with control or direction characters"
    return None


def _whole(column: str, value: object, low: int, high: int) -> str | None:
    if type(value) is not int:
        return f"has {column} {value!r}, which is not a whole number"
    if not low <= value <= high:
        return f"has {column} {value}, which is out of range ({low} to {high})"
    return None


def _row_problem(table: str, row: dict, now: datetime) -> str | None:
    """Why a row cannot be merged, or None. Every value of the columns the merge uses is checked
    for type and range; text in other columns must be plain values. Text is cleaned here
    (core/content/text_clean.py), so nothing with control or direction characters reaches the database."""
    key = TABLES[table][0]
    problem = _id_problem(key, row[key])
    if problem:
        return problem
    if table == "reviews":
        checks = [_id_problem("question_id", row["question_id"])]
        if type(row["rating"]) is not int or row["rating"] not in (1, 2, 3, 4):
            checks.append(f"has rating {row['rating']!r} (1-4 expected)")
        checks += [_time_problem("reviewed_at", row["reviewed_at"], now),
                   _whole("duration_ms", row["duration_ms"], 0, MAX_DURATION_MS),
                   _text_problem("state_before", row["state_before"], MAX_STATE_CHARS, optional=True),
                   _text_problem("state_after", row["state_after"], MAX_STATE_CHARS, optional=True)]
    elif table == "cards":
        checks = []
        if row["suspended"] not in (None, True, False, 0, 1) or isinstance(row["suspended"], float):
            checks.append(f"has suspended {row['suspended']!r} (0 or 1 expected)")
        checks.append(_day_problem(row["buried_day"], now))
    elif table == "notes":
        checks = [_text_problem("body", row["body"], MAX_TEXT_CHARS),
                  _time_problem("updated_at", row["updated_at"], now)]
    elif table == "bookmarks":
        checks = [None if row["created_at"] is None else _time_problem("created_at", row["created_at"], now)]
    elif table == "attempts":
        checks = _attempt_problems(row, now)
    else:  # milestones
        from ..study.roadmap import STATES

        checks = [None if row["state"] in STATES and isinstance(row["state"], str)
                  else f"has state {row['state']!r} (one of {', '.join(STATES)} expected)",
                  _time_problem("updated_at", row["updated_at"], now)]
        if "done_at" in row:
            checks.append(None if row["done_at"] is None else _time_problem("done_at", row["done_at"], now))
        if "note" in row:
            checks.append(_text_problem("note", row["note"], MAX_TEXT_CHARS, optional=True))
    for column, value in row.items():  # columns a later schema may add travel along: plain values only
        if isinstance(value, str):
            if len(value) > MAX_TEXT_CHARS:
                checks.append(f"has a {column} that is too long")
            row[column] = clean_text(value)
        elif value is not None and not isinstance(value, bool | int | float):
            checks.append(f"has a {column} that is not a plain value")
    return next((problem for problem in checks if problem), None)


def _attempt_problems(row: dict, now: datetime) -> list[str | None]:
    checks = [_id_problem("question_id", row["question_id"]), _id_problem("mock_id", row["mock_id"]),
              None if row["review_uid"] is None else _id_problem("review_uid", row["review_uid"]),
              _time_problem("started_at", row["started_at"], now), _time_problem("created_at", row["created_at"], now),
              _whole("seconds_used", row["seconds_used"], 0, MAX_ANSWER_SECONDS),
              _whole("seconds_allowed", row["seconds_allowed"], 0, MAX_ANSWER_SECONDS),
              _whole("points_total", row["points_total"], 0, MAX_POINTS),
              _text_problem("outline", row["outline"], MAX_TEXT_CHARS)]
    if type(row["rating"]) is not int or row["rating"] not in (1, 2, 3, 4):
        checks.append(f"has rating {row['rating']!r} (1-4 expected)")
    ticked = None
    if isinstance(row["points_ticked"], str) and len(row["points_ticked"]) <= 1000:
        try:
            ticked = json.loads(row["points_ticked"])
        except ValueError:
            ticked = None
    total = row["points_total"] if type(row["points_total"]) is int else 0
    if not (isinstance(ticked, list) and all(type(i) is int and 0 <= i < total for i in ticked)
            and len(set(ticked)) == len(ticked)):
        checks.append(f"has points_ticked {str(row['points_ticked'])[:80]!r} (a JSON list of distinct point numbers "
                      f"from 0 to points_total - 1 expected)")
    return checks


def _merge_attempts(conn: sqlite3.Connection, rows: list[dict], summary: MergeSummary) -> None:
    """Mock answers unioned by uid: one here already (the same or, reported, a different one) is kept."""
    local_columns = set(_table_columns(conn, "attempts")) - _LOCAL_ONLY_COLUMNS["attempts"]
    seen: set[str] = set()
    for row in rows:
        if row["uid"] in seen:
            continue
        seen.add(row["uid"])
        here = conn.execute("SELECT question_id, mock_id, created_at, points_ticked FROM attempts WHERE uid = ?",
                            (row["uid"],)).fetchone()
        if here is not None:
            same = here == (row["question_id"], row["mock_id"], row["created_at"], row["points_ticked"])
            if same:
                summary.attempts_known += 1
            else:
                summary.attempts_conflicting += 1
            continue
        values = {column: value for column, value in row.items() if column in local_columns}
        columns = list(values)
        summary.attempts_added += conn.execute(
            f"INSERT OR IGNORE INTO attempts ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
            [values[c] for c in columns]).rowcount


def _day_problem(value: object, now: datetime) -> str | None:
    if value is None:
        return None
    try:
        day = date.fromisoformat(value) if isinstance(value, str) and len(value) == 10 else None
    except ValueError:
        day = None
    if day is None or not EARLIEST.date() <= day <= (now + FUTURE_SLACK).date():
        return f"has buried_day {value!r} (a day from 2000 to tomorrow expected)"
    return None


def _check_packs(packs: object, members: dict[str, zipfile.ZipInfo], name: str) -> list[dict]:
    if not isinstance(packs, list):
        raise TransferError(f"{name} is damaged: its pack list is unreadable.")
    def is_mtime(value: object) -> bool:
        # File times only order two copies of a pack; a copied or unpacked file may carry a time
        # ahead of this clock, so only what os.utime cannot take is refused.
        return isinstance(value, int | float) and not isinstance(value, bool) and 0 <= value <= LATEST_FILE_TIME

    for pack in packs:
        if not isinstance(pack, dict) or not isinstance(pack.get("id"), str) or not PACK_ID.match(pack["id"]) \
                or not isinstance(pack.get("files"), dict) or not isinstance(pack.get("sha1", ""), str | None):
            raise TransferError(f"{name} is damaged: a pack entry is unreadable.")
        if not is_mtime(pack.get("modified") or 0) or not all(is_mtime(t) for t in pack["files"].values()):
            raise TransferError(f"{name} is damaged: a pack entry of {pack['id']} has an unreadable file time.")
        for member in pack["files"]:
            relative = PurePosixPath(member)
            if relative.is_absolute() or ".." in relative.parts or "\\" in member or len(member) > 1000:
                raise TransferError(f"{name} holds an unsafe file name {member!r}; nothing was imported.")
            info = members.get(f"{PACKS}/{pack['id']}/{member}")
            if info is None:
                raise TransferError(f"{name} is damaged: {member} of pack {pack['id']} is missing.")
            if info.file_size > MAX_PACK_FILE_BYTES:
                raise TransferError(f"{name} is damaged: {member} of pack {pack['id']} is larger than "
                                    f"{MAX_PACK_FILE_BYTES >> 20} MB.")
    return packs


# ---------------------------------------------------------------- merging

@dataclass
class MergeSummary:
    source: Path
    exported_at: str = ""
    reviews_added: int = 0
    reviews_known: int = 0
    reviews_conflicting: int = 0  # same uid as a review here (or earlier in the file), different content
    cards_recomputed: int = 0
    attempts_added: int = 0  # mock interview answers
    attempts_known: int = 0
    attempts_conflicting: int = 0
    notes: dict[str, int] = field(default_factory=lambda: {"added": 0, "updated": 0, "kept": 0})
    milestones: dict[str, int] = field(default_factory=lambda: {"added": 0, "updated": 0, "kept": 0})
    bookmarks_added: int = 0
    packs_added: list[str] = field(default_factory=list)
    packs_updated: list[str] = field(default_factory=list)
    packs_kept: list[str] = field(default_factory=list)
    settings_taken: bool = False  # the file's study settings replaced different ones here
    settings_saved_at: str = ""  # when the taken settings were chosen ("" when unknown)
    settings_problem: str = ""  # why the file's settings were left out
    backup: Path | None = None

    @property
    def packs_changed(self) -> bool:
        return bool(self.packs_added or self.packs_updated)

    @property
    def changes(self) -> Changes:
        """A merge writes reviews, cards, notes, bookmarks, milestones and maybe settings and
        packs underneath whatever is open: sessions built before it end."""
        return Changes(library=self.packs_changed, cards=True, reviews=True, notes=True, roadmap=True,
                       settings=self.settings_taken, sessions_void=True)

    def lines(self) -> list[str]:
        """What was merged, one line per kind, in words a user reads."""
        out = [f"{_plural(self.reviews_added, 'review')} added" if self.reviews_added else "no new reviews"]
        if self.reviews_known:
            out[0] += f" ({self.reviews_known} were already here)"
        if self.reviews_conflicting:
            out[0] += ("; 1 review in the file differs from the one here with the same id (this computer's was kept)"
                       if self.reviews_conflicting == 1 else
                       f"; {self.reviews_conflicting} reviews in the file differ from the ones here with the same "
                       "ids (this computer's were kept)")
        if self.cards_recomputed:
            out[0] += f"; {_plural(self.cards_recomputed, 'card')} rescheduled from the merged history"
        if self.attempts_added or self.attempts_conflicting:
            text = f"{_plural(self.attempts_added, 'mock answer')} added"
            if self.attempts_conflicting:
                text += (f"; {_plural(self.attempts_conflicting, 'mock answer')} in the file differ from the ones here "
                         "with the same ids (this computer's were kept)")
            out.append(text)
        for label, tally in (("note", self.notes), ("roadmap item", self.milestones)):
            changed = tally["added"] + tally["updated"]
            text = f"{_plural(changed, label)} taken from the file" if changed else f"no {label} changes"
            if tally["kept"]:
                text += f" ({tally['kept']} newer here, kept)"
            out.append(text)
        out.append(f"{_plural(self.bookmarks_added, 'bookmark')} added" if self.bookmarks_added
                   else "no new bookmarks")
        for verb, packs in (("added", self.packs_added), ("updated", self.packs_updated),
                            ("kept (newer here)", self.packs_kept)):
            if packs:
                out.append(f"{_plural(len(packs), 'pack')} {verb}: {', '.join(packs)}")
        if self.settings_taken:
            when = datetime.fromisoformat(self.settings_saved_at).astimezone() if self.settings_saved_at else None
            out.append("Study settings: taken from the file" + (f" (saved {when:%Y-%m-%d %H:%M})" if when else ""))
        elif self.settings_problem:
            out.append(f"Study settings in the file were not used: {self.settings_problem}")
        return out


def import_progress(conn: sqlite3.Connection, packs_root: Path | None, path: Path, *,
                    backups_dir: Path | None = None, desired_retention: float | None = None,
                    clock: Clock = system_clock) -> MergeSummary:
    """Merge a progress file into this installation (see the module docstring for the rules)."""
    incoming = read_progress_file(path, clock)
    summary = MergeSummary(path, str(incoming.manifest.get("exported_at", "")))
    if backups_dir is not None:
        from ..store.backups import make_backup

        summary.backup = make_backup(conn, backups_dir, "before-import").path
    if packs_root is not None and incoming.packs:
        _merge_packs(incoming, packs_root, summary)
    summary.settings_problem = incoming.settings_problem
    with transaction(conn):
        retention = _merge_settings(conn, incoming.settings, summary)
        if desired_retention is None:
            desired_retention = retention
        gained = _merge_reviews(conn, incoming.tables["reviews"], summary)
        _merge_attempts(conn, incoming.tables.get("attempts", []), summary)
        _merge_newer(conn, "notes", incoming.tables["notes"], summary.notes)
        _merge_newer(conn, "milestones", incoming.tables["milestones"], summary.milestones)
        now = clock()
        summary.bookmarks_added = _merge_bookmarks(conn, incoming.tables["bookmarks"], now)
        _merge_card_flags(conn, incoming.tables["cards"], now)
        summary.cards_recomputed = recompute_cards(conn, gained, desired_retention)
    return summary


def _settings_age(settings: StudySettings | None) -> tuple[int, datetime]:
    """Orders settings by when they were chosen: never saved < saved without a time < saved at a time."""
    oldest = datetime.min.replace(tzinfo=UTC)
    if settings is None:
        return 0, oldest
    return 1, datetime.fromisoformat(settings.saved_at) if settings.saved_at else oldest


def _merge_settings(conn: sqlite3.Connection, theirs: StudySettings | None, summary: MergeSummary) -> float:
    """Keep the newer study settings (a tie keeps ours); returns the desired retention that results."""
    from ..study.session import StudySettings

    ours = _local_settings(conn)
    if theirs is None or _settings_age(theirs) <= _settings_age(ours):
        return (ours or StudySettings()).desired_retention
    theirs.store(conn)  # with its own time, so a transfer back finds the two equal
    if theirs != (ours or StudySettings()):
        summary.settings_taken = True
        summary.settings_saved_at = theirs.saved_at
    return theirs.desired_retention


def _review_identity(question_id: str, rating: int, reviewed_at: str, duration_ms: int) -> tuple:
    """What makes two reviews with one uid the same review. Their card states are not part of
    it: a merge replays them, so the two computers' copies legitimately differ."""
    return question_id, rating, datetime.fromisoformat(reviewed_at), duration_ms


def _merge_reviews(conn: sqlite3.Connection, rows: list[dict], summary: MergeSummary) -> set[str]:
    gained: set[str] = set()
    seen: dict[str, tuple] = {}
    for row in rows:
        identity = _review_identity(row["question_id"], row["rating"], row["reviewed_at"], row["duration_ms"])
        if row["uid"] in seen:  # twice in the file: once is enough; a different second one is reported
            summary.reviews_conflicting += seen[row["uid"]] != identity
            continue
        seen[row["uid"]] = identity
        here = conn.execute("SELECT question_id, rating, reviewed_at, duration_ms FROM reviews WHERE uid = ?",
                            (row["uid"],)).fetchone()
        if here is not None:
            try:
                same = _review_identity(*here) == identity
            except (TypeError, ValueError):  # a damaged row here
                same = False
            if same:
                summary.reviews_known += 1
            else:
                summary.reviews_conflicting += 1
            continue
        cursor = conn.execute(
            "INSERT OR IGNORE INTO reviews (uid, question_id, rating, reviewed_at, duration_ms, state_before, "
            "state_after) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (row["uid"], row["question_id"], row["rating"], row["reviewed_at"], row["duration_ms"],
             row["state_before"], row["state_after"] or "{}"))
        if cursor.rowcount:
            summary.reviews_added += 1
            gained.add(row["question_id"])
    return gained


def _merge_newer(conn: sqlite3.Connection, table: str, rows: list[dict], tally: dict[str, int]) -> None:
    """Insert rows this database lacks; replace a row when the file's ``updated_at`` is later."""
    key = TABLES[table][0]
    local_columns = set(_table_columns(conn, table))
    for row in rows:
        values = {column: value for column, value in row.items() if column in local_columns}
        found = conn.execute(f"SELECT updated_at FROM {table} WHERE {key} = ?", (row[key],)).fetchone()
        if found is not None:
            here, there = datetime.fromisoformat(found[0]), datetime.fromisoformat(row["updated_at"])
            if here > there:
                tally["kept"] += 1
            if here >= there:  # equal: the same edit, already here
                continue
        columns = list(values)
        conn.execute(f"INSERT OR REPLACE INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
                     [values[c] for c in columns])
        tally["updated" if found is not None else "added"] += 1


def _merge_bookmarks(conn: sqlite3.Connection, rows: list[dict], now: datetime) -> int:
    added = 0
    for row in rows:
        created = row["created_at"] if _is_time(row["created_at"]) else iso(now)
        added += conn.execute("INSERT OR IGNORE INTO bookmarks (question_id, created_at) VALUES (?, ?)",
                              (row["question_id"], created)).rowcount
    return added


def _merge_card_flags(conn: sqlite3.Connection, rows: list[dict], now: datetime) -> None:
    """Suspension and burying are not in the review log: keep a suspension from either side and
    the later bury day. A card the file has but this database lacks starts as a new card row."""
    from ..study.session import NEW, card_id_for

    for row in rows:
        suspended = 1 if row["suspended"] else 0
        buried = row["buried_day"] if isinstance(row["buried_day"], str) else None
        found = conn.execute("SELECT suspended, buried_day FROM cards WHERE question_id = ?",
                             (row["question_id"],)).fetchone()
        if found is None:
            if suspended or buried:
                conn.execute("INSERT OR IGNORE INTO cards (question_id, card_id, state, due, suspended, buried_day) "
                             "VALUES (?, ?, ?, ?, ?, ?)",
                             (row["question_id"], card_id_for(row["question_id"]), NEW, iso(now), suspended,
                              buried))
            continue
        merged_buried = max((d for d in (found[1], buried) if d), default=None)
        conn.execute("UPDATE cards SET suspended = ?, buried_day = ?, version = version + 1 WHERE question_id = ?",
                     (max(found[0], suspended), merged_buried, row["question_id"]))


def replay(card_id: int, log: list[tuple[int, datetime]], desired_retention: float, day_start_hour: int = 4,
           parameters: tuple[float, ...] = ()):
    """FSRS replayed over one card's reviews (rating, UTC time) in time order, without fuzz,
    counting days as the flashcards do (``study.StudyScheduler``, the one owner of that rule).

    Returns the card after each review: ``[(before, after), ...]`` (``before`` is None for the
    first review of a card never seen before)."""
    from fsrs import Card, Rating

    from ..study.session import StudyScheduler

    scheduler = StudyScheduler(day_start_hour=day_start_hour, desired_retention=desired_retention,
                               enable_fuzzing=False, **({"parameters": parameters} if parameters else {}))
    states = []
    card = None
    for rating, moment in log:
        before = card
        current = card or Card(card_id=card_id, due=moment)
        card, _log = scheduler.review_card(current, Rating(rating), moment)
        states.append((before, card))
    return states


def recompute_cards(conn: sqlite3.Connection, question_ids: set[str], desired_retention: float) -> int:
    """Rebuild the card state of each question from its whole review log (inside the caller's
    transaction), rewriting each review's before/after state to match."""
    from ..study.session import StudySettings, card_id_for, card_to_json, iso, write_card

    merged = StudySettings.load(conn)  # the merged settings: the days they count, the weights they use
    for qid in sorted(question_ids):
        rows = conn.execute("SELECT uid, rating, reviewed_at FROM reviews WHERE question_id = ? "
                            "ORDER BY reviewed_at, uid", (qid,)).fetchall()
        if not rows:
            continue
        found = conn.execute("SELECT card_id, suspended, buried_day FROM cards WHERE question_id = ?",
                             (qid,)).fetchone()
        card_id, suspended, buried = found if found else (card_id_for(qid), 0, None)
        states = replay(card_id, [(rating, datetime.fromisoformat(at)) for _uid, rating, at in rows],
                        desired_retention, merged.day_start_hour, merged.parameters)
        for (uid, _rating, _at), (before, after) in zip(rows, states, strict=True):
            conn.execute("UPDATE reviews SET state_before = ?, state_after = ? WHERE uid = ?",
                         (card_to_json(before), card_to_json(after), uid))
        card = states[-1][1]
        write_card(conn, (qid, card_id, int(card.state), card.step, card.stability, card.difficulty, iso(card.due),
                          iso(card.last_review), suspended, buried))
    return len(question_ids)


# ---------------------------------------------------------------- packs

def _merge_packs(incoming: ProgressFile, packs_root: Path, summary: MergeSummary) -> None:
    packs_root.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(incoming.path) as archive:
        for pack in incoming.packs:
            target = packs_root / pack["id"]
            if target.is_dir():
                local_files = _pack_files(target)
                if _pack_digest(target, local_files) == pack.get("sha1"):
                    continue  # the same pack on both sides
                if max(local_files.values(), default=0.0) >= float(pack.get("modified") or 0):
                    summary.packs_kept.append(pack["id"])
                    continue
            existed = target.is_dir()
            _install_pack(archive, pack, packs_root)
            (summary.packs_updated if existed else summary.packs_added).append(pack["id"])


def _install_pack(archive: zipfile.ZipFile, pack: dict, packs_root: Path) -> None:
    """Unpack into a hidden folder beside the packs, then swap it in with renames: the library
    never sees a half-written pack, and a failure leaves the old one in place."""
    staging = Path(tempfile.mkdtemp(prefix=f".incoming-{pack['id']}-", dir=packs_root))
    target = packs_root / pack["id"]
    old = None
    try:
        for name, mtime in pack["files"].items():
            dest = staging / name
            dest.parent.mkdir(parents=True, exist_ok=True)
            with archive.open(f"{PACKS}/{pack['id']}/{name}") as source, dest.open("wb") as sink:
                shutil.copyfileobj(source, sink)
            # The file times decide which copy is newer on the next transfer: keep them.
            os.utime(dest, (float(mtime), float(mtime)))
        if target.exists():
            old = packs_root / f".replaced-{pack['id']}-{os.getpid()}"
            target.rename(old)
        staging.rename(target)
    except (OSError, zipfile.BadZipFile) as exc:
        if old is not None and not target.exists():
            old.rename(target)
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
        raise TransferError(f"Could not install the pack {pack['id']}: {reason}") from exc
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        if old is not None and old.exists():
            shutil.rmtree(old, ignore_errors=True)
