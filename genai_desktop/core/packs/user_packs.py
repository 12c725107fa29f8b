"""User packs: imported notes kept in the data folder in the content format (content/FORMAT.md).

    write_pack(packs_root, plan) -> Path        write or update a pack, atomically
    list_packs(packs_root) -> list[PackInfo]    what is installed, newest first
    remove_pack(packs_root, pack_id)            delete one (review history stays in the database)
    pack_id_for(source_name) -> str             the pack a file imports into

A pack is written into a staging folder next to ``packs/``, loaded back with the same loader
the app uses, and only then renamed into place, so a crash, a full disk or a bug never leaves a
half-written pack behind. Question ids come from the pack id and the question's title (plus a
counter when a title repeats), so importing the same file again keeps the ids of every question
that is still there, and with them the reviews, notes and bookmarks keyed by those ids.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tomllib
import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from ..clock import system_clock
from ..content.library import MAX_SMALL_FILE_BYTES, load_pack
from ..content.text_clean import clean_text
from ..digest import sha1
from ..errors import UserError
from .folders import PACK_ID, is_pack_dir
from .notes_import.model import Entry, ImportPlan
from .notes_import.text import slugify

FORMAT_VERSION = 1
MANIFEST = "pack.toml"
RESERVED_IDS = {"builtin"}
KEY_POINT_WORDS = 80
NO_ANSWER = "*No answer in your notes yet.*"
_BLOCK_START = re.compile(r"^\s*(?:#|[-*+]\s|\d{1,9}[.)]\s|\||>|```|~~~|\$\$|\\\[|<|!\[)")
_LIST_ITEM = re.compile(r"^(?:[-*+]|\d{1,9}[.)])\s+(?P<text>.+)$")
_BLOCK = re.compile(r"(?:[ \t]*\S[^\n]*(?:\n|$))+")  # lines up to a blank line
_LINK_ONLY = re.compile(r"^\s*(?:[-*+]\s+)?(?:<?https?://\S+?>?|\[[^\]]*\]\(\s*https?://[^)\s]+\s*\))\s*$")


class PackError(UserError, RuntimeError):
    """A pack could not be written or removed; the message is meant for the user."""


@dataclass(frozen=True)
class PackInfo:
    id: str
    title: str
    path: Path
    source: str
    source_name: str
    imported_at: str
    questions: int
    topics: int
    guides: int


def pack_id_for(source_name: str) -> str:
    """The pack a file imports into: its name, so importing it again updates that pack."""
    stem = source_name.rsplit(".", 1)[0] if "." in source_name else source_name
    pack_id = slugify(stem, 40) or "notes"
    return f"{pack_id}-notes" if pack_id in RESERVED_IDS else pack_id


def _staging(packs_root: Path) -> Path:
    # A sibling of packs/ (same file system, so rename is atomic) that the loader never reads.
    return packs_root.parent / ".packs-staging"


def list_packs(packs_root: Path) -> list[PackInfo]:
    found = []
    if packs_root.is_dir():
        for folder in packs_root.iterdir():
            if is_pack_dir(folder):
                info = read_pack_info(folder)
                if info:
                    found.append(info)
    return sorted(found, key=lambda p: p.imported_at, reverse=True)


def read_pack_info(folder: Path) -> PackInfo | None:
    """The pack's pack.toml, or None when it is missing, unreadable, larger than content.py
    allows or a link out of the pack. Text is cleaned (core/content/text_clean.py); a count that is not
    a number reads as 0."""
    manifest = folder / MANIFEST
    try:
        if not manifest.resolve().is_relative_to(folder.resolve()) or manifest.stat().st_size > MAX_SMALL_FILE_BYTES:
            return None
        meta = tomllib.loads(manifest.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return None

    def text(key: str, default: str = "") -> str:
        return clean_text(str(meta.get(key) or default))

    def count(key: str) -> int:
        value = meta.get(key, 0)
        return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else 0

    return PackInfo(folder.name, text("title", folder.name), folder, text("source"), text("source_name"),
                    text("imported_at"), count("questions"), count("topics"), count("guides"))


def write_pack(packs_root: Path, plan: ImportPlan, pack_id: str | None = None,
               now: datetime | None = None) -> Path:
    """Write ``plan`` as the pack ``pack_id`` (default: from the file name), replacing an older
    import of the same file. Returns the pack folder. Raises PackError; nothing is left half-done."""
    pack_id = pack_id or pack_id_for(plan.source_name)
    if not PACK_ID.match(pack_id) or pack_id in RESERVED_IDS:
        raise PackError(f"{pack_id!r} cannot be used as a pack name")
    packs_root.mkdir(parents=True, exist_ok=True)
    staging = _staging(packs_root)
    staging.mkdir(parents=True, exist_ok=True)
    work = staging / f"{pack_id}.{uuid.uuid4().hex[:8]}.new"
    target = packs_root / pack_id
    try:
        _write_files(work, pack_id, plan, now or system_clock())
        written = load_pack(work, pack=pack_id)
        problems = written.problems
        written.release()  # only loaded to be checked: freed in steps (Library.release)
        if problems:
            raise PackError(f"The pack would not load ({len(problems)} problems), first: {problems[0].message}")
    except OSError as exc:
        shutil.rmtree(work, ignore_errors=True)
        raise PackError(f"Could not write the pack: {exc.strerror or exc}") from exc
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    old = staging / f"{pack_id}.{uuid.uuid4().hex[:8]}.old"
    try:
        if target.exists():
            target.rename(old)
        try:
            work.rename(target)
        except OSError:
            if old.exists():
                old.rename(target)  # put the previous import back
            raise
    except OSError as exc:
        shutil.rmtree(work, ignore_errors=True)
        raise PackError(f"Could not install the pack: {exc.strerror or exc}") from exc
    shutil.rmtree(old, ignore_errors=True)
    return target


def remove_pack(packs_root: Path, pack_id: str) -> None:
    """Delete a pack folder. Reviews and notes stay in the progress database, so importing the
    same file again brings them back."""
    target = packs_root / pack_id
    if not PACK_ID.match(pack_id) or not target.is_dir():
        raise PackError(f"There is no pack called {pack_id!r}")
    staging = _staging(packs_root)
    staging.mkdir(parents=True, exist_ok=True)
    doomed = staging / f"{pack_id}.{uuid.uuid4().hex[:8]}.removed"
    try:
        target.rename(doomed)  # one step: the pack is either all there or gone
    except OSError as exc:
        raise PackError(f"Could not remove the pack: {exc.strerror or exc}") from exc
    shutil.rmtree(doomed, ignore_errors=True)


# ---------------------------------------------------------------- writing

def _toml(value: str) -> str:
    # JSON strings are valid TOML basic strings once control characters are gone.
    return json.dumps("".join(ch for ch in value if ch >= " " and ch != "\x7f"), ensure_ascii=False)


def _unique(base: str, used: set[str]) -> str:
    candidate, n = base, 2
    while candidate in used:
        candidate, n = f"{base}-{n}", n + 1
    used.add(candidate)
    return candidate


def _title_slug(title: str) -> str:
    slug = slugify(title, 60)
    if not title.isascii():
        # Titles in other scripts lose most letters to the slug: a hash keeps them apart.
        digest = sha1(title.encode("utf-8")).hexdigest()[:8]
        slug = f"{slug}-{digest}" if slug else digest
    return slug or "untitled"


def question_ids(pack_id: str, entries: list[Entry]) -> list[str]:
    """Stable ids: the same titles in the same order always give the same ids."""
    used: set[str] = set()
    return [_unique(f"{pack_id}.{_title_slug(entry.title)}", used) for entry in entries]


def _write_files(folder: Path, pack_id: str, plan: ImportPlan, now: datetime) -> None:
    (folder / "topics").mkdir(parents=True)
    (folder / "guides").mkdir()
    ids = iter(question_ids(pack_id, plan.entries()))
    used_topics: set[str] = set()
    for order, topic in enumerate(plan.topics, 1):
        topic_id = _unique(f"{pack_id}.{slugify(topic.title, 40) or 'topic'}", used_topics)
        parts = [f"+++\nid = {_toml(topic_id)}\ntitle = {_toml(topic.title)}\norder = {order}\n+++\n"]
        if topic.intro:
            parts.append(topic.intro + "\n")
        for entry in topic.entries:
            key_points, answer = key_points_and_answer(entry.body)
            title = " ".join(entry.title.split()) or "Untitled question"
            parts.append(f"## {title}\n<!-- id: {next(ids)}; sources: ; level:  -->\n\n"
                         f"**Key points.** {key_points}\n\n{answer}\n".rstrip() + "\n")
        _write_text(folder / "topics" / f"{order:03d}-{slugify(topic.title, 40) or 'topic'}.md", "\n".join(parts))
    used_guides: set[str] = set()
    for order, guide in enumerate(plan.guides, 1):
        guide_id = _unique(f"{pack_id}.{slugify(guide.title, 40) or 'guide'}", used_guides)
        text = (f"+++\nid = {_toml(guide_id)}\ntitle = {_toml(guide.title)}\norder = {order}\nmilestones = []\n+++\n\n"
                f"{guide.body}\n")
        _write_text(folder / "guides" / f"{order:03d}-{slugify(guide.title, 40) or 'guide'}.md", text)
    for relative, source in plan.images.items():
        destination = folder / os.path.normpath(relative)
        if destination.resolve().is_relative_to(folder.resolve()):
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, destination)
    manifest = {
        "id": pack_id, "title": plan.title, "source": str(plan.source or ""), "source_name": plan.source_name,
        "source_sha1": plan.source_sha1, "layout": plan.kind, "imported_at": now.isoformat(timespec="seconds"),
    }
    lines = [f"{key} = {_toml(value)}" for key, value in manifest.items()]
    lines += [f"format = {FORMAT_VERSION}", f"questions = {plan.question_count}",
              f"topics = {len(plan.topics)}", f"guides = {len(plan.guides)}"]
    _write_text(folder / MANIFEST, "\n".join(lines) + "\n")


def _write_text(path: Path, text: str) -> None:
    with open(path, "w", encoding="utf-8", newline="\n") as handle:
        handle.write(text)


# ---------------------------------------------------------------- key points

def key_points_and_answer(body: str) -> tuple[str, str]:
    """The flashcard's back (the format's ``**Key points.**``) and the rest of the answer.

    The first real paragraph of the answer moves into the key points when it is short (a
    paragraph, or a flat list, of at most KEY_POINT_WORDS words); otherwise there are none.
    Moved, never copied: the key points are shown above the answer, so a copy reads twice.
    "Real" skips what only opens an answer: headings and paragraphs that are nothing but
    links (a bare URL is a reference, not the point). Those stay in the answer where they were.
    """
    body = body.strip()
    if not body:
        return NO_ANSWER, ""
    for block in _BLOCK.finditer(body):
        lines = block.group(0).rstrip("\n").split("\n")
        if all(_LINK_ONLY.match(line) for line in lines) or (len(lines) == 1 and lines[0].startswith("#")):
            continue  # opens the answer, says nothing: look at the next one
        if len(block.group(0).split()) > KEY_POINT_WORDS:
            break
        answer = re.sub(r"\n{3,}", "\n\n", (body[:block.start()] + body[block.end():]).strip())
        if not any(_BLOCK_START.match(line) for line in lines):
            return " ".join(line.strip() for line in lines), answer
        if all(_LIST_ITEM.match(line) for line in lines):
            return "\n" + "\n".join(lines), answer  # a short flat list: it is the key points
        break  # a table, code, a formula, a nested list: not a summary
    return "", body

