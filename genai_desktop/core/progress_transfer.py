"""Portable progress: one file to carry a user's work to another installation, and the merge.

The file is a zip holding ``manifest.json`` (format, version, counts, the packs and their file
times), ``progress.json`` (the rows of the progress tables) and ``packs/<id>/…`` (the user's
imported packs, verbatim). JSON rather than a SQLite file: it does not depend on this app's
schema version, a person can read it, and nothing in it can run.

Importing merges; it never replaces:
- reviews are unioned by their ``uid`` (a review made on either machine is never lost or doubled);
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

import hashlib
import json
import os
import re
import shutil
import sqlite3
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from .. import __version__
from .db import transaction
from .errors import UserError

if TYPE_CHECKING:
    from .study import StudySettings

FORMAT = "genai-study-desk-progress"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DATA = "progress.json"
PACKS = "packs"
SETTINGS_KEY = "study"
MAX_UNPACKED_BYTES = 1 << 30  # refuse zip bombs: a real file is a few MB
_PACK_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")

# Each table, its key and the columns the merge needs. Other columns (a later schema may add
# some) travel along and are written where the receiving table has them.
TABLES = {
    "reviews": ("uid", ("uid", "question_id", "rating", "reviewed_at", "duration_ms", "state_before",
                        "state_after")),
    "cards": ("question_id", ("question_id", "suspended", "buried_day")),
    "notes": ("question_id", ("question_id", "body", "updated_at")),
    "bookmarks": ("question_id", ("question_id", "created_at")),
    "milestones": ("milestone_id", ("milestone_id", "state", "updated_at")),
}
# Row ids are per database (uid is the identity); a card's version counts this database's writes.
_LOCAL_ONLY_COLUMNS = {"reviews": {"id"}, "cards": {"version"}}
# Of the settings table only the study settings travel. Its other keys belong to this database:
# "roadmap.undo_reset" undoes a reset made here, against this database's rows; carried to another
# computer it would "undo" into progress that is not there.

Clock = Callable[[], datetime]


class TransferError(UserError, ValueError):
    """A progress file that cannot be written or read; the message is written for the user."""


def _now() -> datetime:
    return datetime.now(UTC)


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds")


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


# ---------------------------------------------------------------- export

@dataclass(frozen=True)
class ExportSummary:
    path: Path
    counts: dict[str, int]
    packs: tuple[str, ...]
    settings: bool = False  # the study settings are in the file

    def message(self) -> str:
        c = self.counts
        parts = [_plural(c.get("reviews", 0), "review"), _plural(c.get("notes", 0), "note"),
                 _plural(c.get("milestones", 0), "roadmap item"), _plural(c.get("bookmarks", 0), "bookmark"),
                 _plural(len(self.packs), "imported pack")]
        if self.settings:
            parts.append("your study settings")
        return f"Saved {', '.join(parts[:-1])} and {parts[-1]} to {self.path.name}."


def _table_columns(conn: sqlite3.Connection, table: str) -> list[str]:
    return [row[1] for row in conn.execute(f"PRAGMA table_info({table})")]


def _pack_files(pack_dir: Path) -> dict[str, float]:
    """Relative POSIX path -> mtime of every file in a pack folder."""
    return {path.relative_to(pack_dir).as_posix(): path.stat().st_mtime
            for path in sorted(pack_dir.rglob("*")) if path.is_file()}


def _pack_digest(pack_dir: Path, files: dict[str, float]) -> str:
    digest = hashlib.sha1()
    for name in sorted(files):
        digest.update(name.encode() + b"\0" + (pack_dir / name).read_bytes() + b"\0")
    return digest.hexdigest()


def list_pack_dirs(packs_root: Path | None) -> list[Path]:
    """The installed packs: visible folders with a valid id (temporary folders start with '.')."""
    if not packs_root or not packs_root.is_dir():
        return []
    return sorted(p for p in packs_root.iterdir() if p.is_dir() and _PACK_ID.match(p.name))


def export_progress(conn: sqlite3.Connection, packs_root: Path | None, out: Path,
                    clock: Clock = _now) -> ExportSummary:
    """Write everything the user made to ``out``; the file appears only once complete."""
    tables: dict[str, dict] = {}
    conn.execute("BEGIN")  # one read transaction: a consistent snapshot even while the app writes
    try:
        for table in TABLES:
            columns = [c for c in _table_columns(conn, table) if c not in _LOCAL_ONLY_COLUMNS.get(table, ())]
            if not columns:
                raise TransferError(f"The progress database has no {table} table; nothing was exported.")
            order = "reviewed_at, uid" if table == "reviews" else TABLES[table][0]
            rows = conn.execute(f"SELECT {', '.join(columns)} FROM {table} ORDER BY {order}").fetchall()
            tables[table] = {"columns": columns, "rows": [list(row) for row in rows]}
        settings = _local_settings(conn)
    finally:
        conn.execute("COMMIT")
    packs = []
    for pack_dir in list_pack_dirs(packs_root):
        files = _pack_files(pack_dir)
        packs.append({"id": pack_dir.name, "files": files, "modified": max(files.values(), default=0.0),
                      "sha1": _pack_digest(pack_dir, files)})
    counts = {table: len(data["rows"]) for table, data in tables.items()}
    manifest = {"format": FORMAT, "version": FORMAT_VERSION, "app_version": __version__,
                "exported_at": _iso(clock()), "counts": counts, "packs": packs}
    part = out.with_name(out.name + ".part")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(part, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(MANIFEST, json.dumps(manifest, indent=1))
            # Settings sit beside "tables", which is all an older app reads: it ignores them.
            data = {"tables": tables, "settings": {SETTINGS_KEY: settings.to_dict()} if settings else {}}
            archive.writestr(DATA, json.dumps(data, separators=(",", ":")))
            for pack in packs:
                for name in pack["files"]:
                    archive.write(packs_root / pack["id"] / name, f"{PACKS}/{pack['id']}/{name}")
        part.replace(out)
    except OSError as exc:
        raise TransferError(f"Could not write {out}: {exc.strerror or exc}") from exc
    finally:
        if part.is_file():
            part.unlink()
    return ExportSummary(out, counts, tuple(p["id"] for p in packs), settings is not None)


def _local_settings(conn: sqlite3.Connection) -> StudySettings | None:
    """This database's study settings, or None when the user never saved any (the defaults are
    not a choice to carry over) or the stored value cannot be read."""
    from .study import StudySettings

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


def read_progress_file(path: Path) -> ProgressFile:
    """Open and check a progress file completely before anything is merged."""
    try:
        archive = zipfile.ZipFile(path)
    except FileNotFoundError as exc:
        raise TransferError(f"{path} does not exist.") from exc
    except (zipfile.BadZipFile, OSError) as exc:
        raise TransferError(f"{path.name} is not a progress file from GenAI Study Desk (it is not a zip "
                            "archive).") from exc
    with archive:
        infos = archive.infolist()
        if sum(info.file_size for info in infos) > MAX_UNPACKED_BYTES:
            raise TransferError(f"{path.name} unpacks to more than 1 GB; it is not a progress file.")
        names = {info.filename for info in infos}
        if MANIFEST not in names or DATA not in names:
            raise TransferError(f"{path.name} is not a progress file from GenAI Study Desk "
                                f"(it has no {MANIFEST}).")
        try:
            manifest = json.loads(archive.read(MANIFEST))
            data = json.loads(archive.read(DATA))
        except (ValueError, zipfile.BadZipFile, OSError) as exc:
            raise TransferError(f"{path.name} is damaged: {exc}") from exc
        if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
            raise TransferError(f"{path.name} is not a progress file from GenAI Study Desk.")
        version = manifest.get("version")
        if not isinstance(version, int) or version > FORMAT_VERSION:
            raise TransferError(f"{path.name} was written by a newer version of the app (format {version}); "
                                "update this app to import it. Nothing was changed.")
        tables = _check_tables(data, path.name)
        packs = _check_packs(manifest.get("packs", []), names, path.name)
        settings, problem = _check_settings(data)
        return ProgressFile(path, manifest, tables, packs, settings, problem)


def _check_settings(data: dict) -> tuple[StudySettings | None, str]:
    """The file's study settings, strictly checked. Unusable settings do not refuse the file:
    its reviews and notes are still good, and a newer app may allow values this one does not.
    They are reported and left out instead, so nothing unchecked reaches the database."""
    from .study import StudySettings

    raw = data.get("settings")
    if not isinstance(raw, dict) or SETTINGS_KEY not in raw:  # a file from before settings travelled
        return None, ""
    try:
        return StudySettings.from_dict(raw[SETTINGS_KEY]), ""
    except ValueError as exc:
        return None, str(exc)


def _check_tables(data: object, name: str) -> dict[str, list[dict]]:
    if not isinstance(data, dict) or not isinstance(data.get("tables"), dict):
        raise TransferError(f"{name} is damaged: its progress data has no tables.")
    tables: dict[str, list[dict]] = {}
    for table, (_key, required) in TABLES.items():
        raw = data["tables"].get(table, {"columns": list(required), "rows": []})
        if not isinstance(raw, dict):
            raise TransferError(f"{name} is damaged: the {table} table is unreadable.")
        columns, rows = raw.get("columns"), raw.get("rows")
        if not isinstance(columns, list) or not isinstance(rows, list) or not set(required) <= set(columns):
            raise TransferError(f"{name} is damaged: the {table} table lacks columns {', '.join(required)}.")
        checked = []
        for number, row in enumerate(rows, 1):
            if not isinstance(row, list) or len(row) != len(columns):
                raise TransferError(f"{name} is damaged: row {number} of {table} has the wrong shape.")
            record = dict(zip(columns, row, strict=True))
            problem = _row_problem(table, record)
            if problem:
                raise TransferError(f"{name} is damaged: row {number} of {table} {problem}.")
            checked.append(record)
        tables[table] = checked
    return tables


def _is_time(value: object) -> bool:
    try:
        return isinstance(value, str) and datetime.fromisoformat(value).tzinfo is not None
    except ValueError:
        return False


def _row_problem(table: str, row: dict) -> str | None:
    key = TABLES[table][0]
    if not isinstance(row[key], str) or not row[key]:
        return f"has no {key}"
    if table == "reviews":
        if row["rating"] not in (1, 2, 3, 4):
            return f"has rating {row['rating']!r} (1-4 expected)"
        if not _is_time(row["reviewed_at"]):
            return f"has an unreadable time {row['reviewed_at']!r}"
        if not isinstance(row["question_id"], str) or not isinstance(row["duration_ms"], int):
            return "has a malformed question id or duration"
    elif table in ("notes", "milestones") and not _is_time(row["updated_at"]):
        return f"has an unreadable time {row['updated_at']!r}"
    elif table == "notes" and not isinstance(row["body"], str):
        return "has no text"
    return None


def _check_packs(packs: object, names: set[str], name: str) -> list[dict]:
    if not isinstance(packs, list):
        raise TransferError(f"{name} is damaged: its pack list is unreadable.")
    for pack in packs:
        if not isinstance(pack, dict) or not _PACK_ID.match(str(pack.get("id", ""))) \
                or not isinstance(pack.get("files"), dict):
            raise TransferError(f"{name} is damaged: a pack entry is unreadable.")
        for member in pack["files"]:
            relative = PurePosixPath(member)
            if relative.is_absolute() or ".." in relative.parts or "\\" in member:
                raise TransferError(f"{name} holds an unsafe file name {member!r}; nothing was imported.")
            if f"{PACKS}/{pack['id']}/{member}" not in names:
                raise TransferError(f"{name} is damaged: {member} of pack {pack['id']} is missing.")
    return packs


# ---------------------------------------------------------------- merging

@dataclass
class MergeSummary:
    source: Path
    exported_at: str = ""
    reviews_added: int = 0
    reviews_known: int = 0
    cards_recomputed: int = 0
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

    def lines(self) -> list[str]:
        """What was merged, one line per kind, in words a user reads."""
        out = [f"{_plural(self.reviews_added, 'review')} added" if self.reviews_added else "no new reviews"]
        if self.reviews_known:
            out[0] += f" ({self.reviews_known} were already here)"
        if self.cards_recomputed:
            out[0] += f"; {_plural(self.cards_recomputed, 'card')} rescheduled from the merged history"
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
                    backups_dir: Path | None = None, desired_retention: float | None = None) -> MergeSummary:
    """Merge a progress file into this installation (see the module docstring for the rules)."""
    incoming = read_progress_file(path)
    summary = MergeSummary(path, str(incoming.manifest.get("exported_at", "")))
    if backups_dir is not None:
        from .backups import make_backup

        summary.backup = make_backup(conn, backups_dir, "before-import").path
    if packs_root is not None and incoming.packs:
        _merge_packs(incoming, packs_root, summary)
    summary.settings_problem = incoming.settings_problem
    with transaction(conn):
        retention = _merge_settings(conn, incoming.settings, summary)
        if desired_retention is None:
            desired_retention = retention
        gained = _merge_reviews(conn, incoming.tables["reviews"], summary)
        _merge_newer(conn, "notes", incoming.tables["notes"], summary.notes)
        _merge_newer(conn, "milestones", incoming.tables["milestones"], summary.milestones)
        summary.bookmarks_added = _merge_bookmarks(conn, incoming.tables["bookmarks"])
        _merge_card_flags(conn, incoming.tables["cards"])
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
    from .study import StudySettings

    ours = _local_settings(conn)
    if theirs is None or _settings_age(theirs) <= _settings_age(ours):
        return (ours or StudySettings()).desired_retention
    theirs.store(conn)  # with its own time, so a transfer back finds the two equal
    if theirs != (ours or StudySettings()):
        summary.settings_taken = True
        summary.settings_saved_at = theirs.saved_at
    return theirs.desired_retention


def _merge_reviews(conn: sqlite3.Connection, rows: list[dict], summary: MergeSummary) -> set[str]:
    gained: set[str] = set()
    for row in rows:
        cursor = conn.execute(
            "INSERT OR IGNORE INTO reviews (uid, question_id, rating, reviewed_at, duration_ms, state_before, "
            "state_after) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (row["uid"], row["question_id"], row["rating"], row["reviewed_at"], row["duration_ms"],
             row["state_before"], row["state_after"] or "{}"))
        if cursor.rowcount:
            summary.reviews_added += 1
            gained.add(row["question_id"])
        else:
            summary.reviews_known += 1
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


def _merge_bookmarks(conn: sqlite3.Connection, rows: list[dict]) -> int:
    added = 0
    for row in rows:
        created = row["created_at"] if _is_time(row["created_at"]) else _iso(_now())
        added += conn.execute("INSERT OR IGNORE INTO bookmarks (question_id, created_at) VALUES (?, ?)",
                              (row["question_id"], created)).rowcount
    return added


def _merge_card_flags(conn: sqlite3.Connection, rows: list[dict]) -> None:
    """Suspension and burying are not in the review log: keep a suspension from either side and
    the later bury day. A card the file has but this database lacks starts as a new card row."""
    from .study import NEW, card_id_for

    for row in rows:
        suspended = 1 if row["suspended"] else 0
        buried = row["buried_day"] if isinstance(row["buried_day"], str) else None
        found = conn.execute("SELECT suspended, buried_day FROM cards WHERE question_id = ?",
                             (row["question_id"],)).fetchone()
        if found is None:
            if suspended or buried:
                conn.execute("INSERT OR IGNORE INTO cards (question_id, card_id, state, due, suspended, buried_day) "
                             "VALUES (?, ?, ?, ?, ?, ?)",
                             (row["question_id"], card_id_for(row["question_id"]), NEW, _iso(_now()), suspended,
                              buried))
            continue
        merged_buried = max((d for d in (found[1], buried) if d), default=None)
        conn.execute("UPDATE cards SET suspended = ?, buried_day = ?, version = version + 1 WHERE question_id = ?",
                     (max(found[0], suspended), merged_buried, row["question_id"]))


def replay(card_id: int, log: list[tuple[int, datetime]], desired_retention: float):
    """FSRS replayed over one card's reviews (rating, UTC time) in time order, without fuzz.

    Returns the card after each review: ``[(before, after), ...]`` (``before`` is None for the
    first review of a card never seen before)."""
    from fsrs import Card, Rating, Scheduler

    scheduler = Scheduler(desired_retention=desired_retention, enable_fuzzing=False)
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
    from .study import card_id_for, card_to_json, iso, write_card

    for qid in sorted(question_ids):
        rows = conn.execute("SELECT uid, rating, reviewed_at FROM reviews WHERE question_id = ? "
                            "ORDER BY reviewed_at, uid", (qid,)).fetchall()
        if not rows:
            continue
        found = conn.execute("SELECT card_id, suspended, buried_day FROM cards WHERE question_id = ?",
                             (qid,)).fetchone()
        card_id, suspended, buried = found if found else (card_id_for(qid), 0, None)
        states = replay(card_id, [(rating, datetime.fromisoformat(at)) for _uid, rating, at in rows],
                        desired_retention)
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
    except OSError as exc:
        if old is not None and not target.exists():
            old.rename(target)
        raise TransferError(f"Could not install the pack {pack['id']}: {exc.strerror or exc}") from exc
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        if old is not None and old.exists():
            shutil.rmtree(old, ignore_errors=True)
