"""Content packs: the dataclasses of the library and the loader for the format in content/FORMAT.md.

A pack is a folder of topic files (questions), guide files and, for the built-in pack, a
roadmap. Loading never stops at the first fault: every problem is collected with its file and
line so ``genai-desktop check`` can list them all, and the app can still show the rest.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .text_clean import clean_text

# A topic or guide file larger than this is reported, never read (a 1 GB file took 68 s and
# 2.1 GB of memory). Twice the largest notes file the import accepts, so every pack it writes loads.
MAX_PAGE_BYTES = 64 * 1024 * 1024
MAX_SMALL_FILE_BYTES = 1024 * 1024  # roadmap.toml and pack.toml

LEVELS = ("dev1", "dev2", "researcher")
ROADMAP_LEVELS = ("all", "dev1", "dev2", "researcher")
LEVEL_NAMES = {
    "all": "All levels",
    "dev1": "Developer Level 1",
    "dev2": "Developer Level 2",
    "researcher": "Researcher",
}

_FRONT_MATTER = re.compile(r"\A\+\+\+[ \t]*\n(.*?)\n\+\+\+[ \t]*(?:\n|\Z)", re.S)
_META = re.compile(
    r"^<!--\s*id:\s*(?P<id>[^;]*?)\s*;\s*sources:\s*(?P<sources>[^;]*?)\s*;"
    r"\s*level:\s*(?P<level>[^;]*?)\s*(?:;\s*figure:\s*(?P<figure>[^;]*?)\s*)?-->\s*$"
)
_ID = re.compile(r"^[a-z0-9][a-z0-9.-]*$")
_SOURCE = re.compile(r"^\d{3}:\d+$")
_KEY_POINTS = re.compile(r"^\*\*Key points\.?\*\*:?\s*")
_FENCE = re.compile(r"^\s*(```|~~~)")


@dataclass(frozen=True)
class Problem:
    """A fault in a pack, with the file and line it was found at."""

    path: Path
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


@dataclass(frozen=True, slots=True)  # slots: 100,000 imported questions are 100,000 of these
class Question:
    """One interview question: its Key points block and full answer, and where it came from."""

    id: str
    title: str
    topic_id: str
    level: str
    sources: tuple[str, ...]
    key_points: str
    answer: str
    path: Path
    line: int
    pack: str = "builtin"
    figure: str = ""  # a figure of the answer shown on the flashcard back (``figure:`` in the metadata)

    def figure_markdown(self) -> str:
        """The answer's own markdown for its flashcard figure (alt text and caption included)."""
        if not self.figure:
            return ""
        match = re.search(r"!\[[^\]]*\]\(" + re.escape(self.figure) + r'(?:\s+"[^"]*")?\)', self.answer)
        return match.group(0) if match else ""

    @property
    def markdown(self) -> str:
        """The whole page body: key points then the full answer."""
        return f"{self.key_points}\n\n{self.answer}".strip()


@dataclass
class Topic:
    """A topic file: its intro and its questions, in order."""

    id: str
    title: str
    order: int
    intro: str
    path: Path
    pack: str = "builtin"
    questions: list[Question] = field(default_factory=list)


@dataclass(frozen=True)
class Guide:
    """A study guide page, and the roadmap milestones it serves."""

    id: str
    title: str
    order: int
    milestones: tuple[str, ...]
    body: str
    path: Path
    pack: str = "builtin"


@dataclass(frozen=True)
class Section:
    """A group of roadmap milestones."""

    id: str
    title: str
    order: int


@dataclass(frozen=True)
class Milestone:
    """A roadmap item to tick off, tied to guides and questions."""

    id: str
    section: str
    level: str
    title: str
    detail: str
    guides: tuple[str, ...]
    questions: tuple[str, ...]
    order: int


@dataclass
class Library:
    """Everything one or more packs provide, with lookups by id."""

    topics: list[Topic] = field(default_factory=list)
    guides: list[Guide] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)
    milestones: list[Milestone] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    pack_titles: dict[str, str] = field(default_factory=dict)  # user pack id -> its title (pack.toml)
    # Abbreviations and synonyms for search (glossary.toml, core/search/glossary.py): normalised forms.
    glossary: tuple[tuple[str, ...], ...] = ()

    def __post_init__(self) -> None:
        self._reindex()

    def _reindex(self) -> None:
        self._questions = {q.id: q for t in self.topics for q in t.questions}
        self._topics = {t.id: t for t in self.topics}
        self._guides = {g.id: g for g in self.guides}
        self._milestones = {m.id: m for m in self.milestones}

    def release(self) -> None:
        """Let go of the questions in steps (memory.release_in_steps): dropped whole, 100,000
        of them are freed in one C call that keeps the interpreter, and so the window, ~30 ms."""
        from ..memory import release_in_steps

        self._questions.clear()  # references only: the questions go with their topics' lists
        for topic in self.topics:
            release_in_steps(topic.questions)
        self.topics.clear()
        self._reindex()

    def merge(self, other: Library) -> None:
        """Add another pack (an imported one) after this one's content."""
        self.topics.extend(other.topics)
        self.guides.extend(other.guides)
        self.problems.extend(other.problems)
        self.pack_titles.update(other.pack_titles)
        self.glossary = self.glossary + other.glossary
        self._reindex()

    def questions(self) -> Iterator[Question]:
        for topic in self.topics:
            yield from topic.questions

    def question(self, question_id: str) -> Question | None:
        return self._questions.get(question_id)

    def topic(self, topic_id: str) -> Topic | None:
        return self._topics.get(topic_id)

    def guide(self, guide_id: str) -> Guide | None:
        return self._guides.get(guide_id)

    def milestone(self, milestone_id: str) -> Milestone | None:
        return self._milestones.get(milestone_id)

    def has_page(self, page_id: str) -> bool:
        kind, _, ident = page_id.partition(":")
        lookup = {"q": self.question, "guide": self.guide, "topic": self.topic,
                  "milestone": self.milestone}.get(kind)
        return bool(lookup and lookup(ident))


def split_front_matter(text: str, path: Path, problems: list[Problem]) -> tuple[dict, str, int]:
    """Return (front matter, body, line number where the body starts)."""
    import tomllib  # only when parsing: a start with a warm library cache never needs it

    match = _FRONT_MATTER.match(text)
    if not match:
        problems.append(Problem(path, 1, "missing +++ TOML front matter"))
        return {}, text, 1
    try:
        meta = tomllib.loads(match.group(1))
    except tomllib.TOMLDecodeError as exc:
        problems.append(Problem(path, 1, f"front matter is not valid TOML: {exc}"))
        meta = {}
    return meta, text[match.end():], match.group(0).count("\n") + 1


def _heading_lines(lines: list[str]) -> list[int]:
    """Indexes of ``## `` lines outside code fences."""
    found, fence = [], None
    for index, line in enumerate(lines):
        marker = _FENCE.match(line)
        if marker:
            fence = None if fence == marker.group(1) else (fence or marker.group(1))
            continue
        if fence is None and line.startswith("## "):
            found.append(index)
    return found


def _parse_question(lines: list[str], start: int, end: int, first_line: int, path: Path,
                    topic_id: str, pack: str, problems: list[Problem]) -> Question | None:
    title = lines[start][3:].strip()
    line_no = first_line + start
    meta_line = lines[start + 1].strip() if start + 1 < end else ""
    meta = _META.match(meta_line)
    if not meta:
        problems.append(Problem(path, line_no + 1,
                                "expected '<!-- id: ...; sources: ...; level: ... -->' after the heading"))
        return None
    qid, level = meta.group("id"), meta.group("level")
    if not _ID.match(qid):
        problems.append(Problem(path, line_no + 1, f"id {qid!r} must be lower-case letters, digits, '-'"))
        return None
    if level not in LEVELS and not (pack != "builtin" and not level):  # imported notes have no level
        problems.append(Problem(path, line_no + 1, f"level {level!r} is not one of {', '.join(LEVELS)}"))
    sources = tuple(s.strip() for s in meta.group("sources").split(",") if s.strip())
    for source in sources:
        if not _SOURCE.match(source):
            problems.append(Problem(path, line_no + 1, f"source {source!r} is not SEED:LINE (e.g. 001:595)"))

    cursor = start + 2
    while cursor < end and not lines[cursor].strip():
        cursor += 1
    key_points = ""
    if cursor < end and _KEY_POINTS.match(lines[cursor]):
        block_end = cursor
        while block_end < end and lines[block_end].strip():
            block_end += 1
        key_points = _KEY_POINTS.sub("", "\n".join(lines[cursor:block_end]), count=1).strip()
        cursor = block_end
    else:
        problems.append(Problem(path, first_line + cursor, "a '**Key points.**' paragraph must open the answer"))
    answer = "\n".join(lines[cursor:end]).strip()
    if not title:
        problems.append(Problem(path, line_no, "question heading has no title"))
    figure = (meta.group("figure") or "").strip()
    if figure and f"]({figure}" not in answer:
        problems.append(Problem(path, line_no + 1, f"figure {figure!r} is not a figure of this answer"))
        figure = ""
    return Question(qid, title, topic_id, level, sources, key_points, answer, path, line_no, pack, figure)


KEY_POINTS_BULLETS = (3, 6)
KEY_POINTS_MAX_WORDS = 90  # "about 80": a formula's tokens count as words here


def checklist_problem(key_points: str) -> str | None:
    """Why built-in Key points are not a checklist (3–6 short bullets, one idea each), or None.

    They are the flashcard back, the Anki field and what a practice answer is ticked against,
    so a paragraph, one bullet or a dozen will not do. Imported notes are exempt: their key
    points are whatever the notes said first."""
    lines = [line for line in key_points.splitlines() if line.strip()]
    bullets = [line for line in lines if line.startswith("- ")]
    low, high = KEY_POINTS_BULLETS
    if len(bullets) != len([line for line in lines if not line.startswith("  ")]):
        return "Key points must be a bullet list only ('- ' lines right under the '**Key points.**' line)"
    if not low <= len(bullets) <= high:
        return f"Key points need {low} to {high} bullets, not {len(bullets)}"
    words = len(key_points.split())
    if words > KEY_POINTS_MAX_WORDS:
        return f"Key points have {words} words; keep them to about 80 (at most {KEY_POINTS_MAX_WORDS})"
    return None


def load_topic(path: Path, problems: list[Problem], pack: str = "builtin") -> Topic | None:
    text = _read(path, problems)
    if text is None:
        return None
    meta, body, body_line = split_front_matter(text, path, problems)
    topic_id = str(meta.get("id") or path.stem)
    # TOML escapes ("\u202e") make characters the file's text did not show: cleaned again.
    topic = Topic(topic_id, clean_text(str(meta.get("title") or topic_id)), int(meta.get("order") or 0), "", path,
                  pack)
    if "id" not in meta or "title" not in meta:
        problems.append(Problem(path, 1, "front matter needs id and title"))
    lines = body.splitlines()
    heads = _heading_lines(lines)
    topic.intro = "\n".join(lines[: heads[0] if heads else len(lines)]).strip()
    for n, start in enumerate(heads):
        end = heads[n + 1] if n + 1 < len(heads) else len(lines)
        question = _parse_question(lines, start, end, body_line, path, topic_id, pack, problems)
        if question:
            topic.questions.append(question)
    return topic


def load_guide(path: Path, problems: list[Problem], pack: str = "builtin") -> Guide | None:
    text = _read(path, problems)
    if text is None:
        return None
    meta, body, _ = split_front_matter(text, path, problems)
    if "id" not in meta or "title" not in meta:
        problems.append(Problem(path, 1, "front matter needs id and title"))
    return Guide(str(meta.get("id") or path.stem), clean_text(str(meta.get("title") or path.stem)),
                 int(meta.get("order") or 0), tuple(meta.get("milestones") or ()), body.strip(), path, pack)


def load_roadmap(path: Path, problems: list[Problem]) -> tuple[list[Section], list[Milestone]]:
    import tomllib

    if not path.exists():
        return [], []
    text = _read(path, problems, MAX_SMALL_FILE_BYTES)
    if text is None:
        return [], []
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        problems.append(Problem(path, 1, f"roadmap is not valid TOML: {exc}"))
        return [], []
    sections = [Section(str(s["id"]), clean_text(str(s["title"])), int(s.get("order", n)))
                for n, s in enumerate(data.get("section", []), 1)]
    known_sections = {s.id for s in sections}
    milestones = []
    for n, item in enumerate(data.get("milestone", []), 1):
        try:
            milestone = Milestone(str(item["id"]), str(item["section"]), str(item["level"]),
                                  clean_text(str(item["title"])), clean_text(str(item.get("detail", ""))),
                                  tuple(item.get("guides", ())), tuple(item.get("questions", ())), n)
        except KeyError as exc:
            problems.append(Problem(path, 1, f"milestone #{n} lacks {exc.args[0]}"))
            continue
        if milestone.section not in known_sections:
            problems.append(Problem(path, 1, f"{milestone.id}: unknown section {milestone.section!r}"))
        if milestone.level not in ROADMAP_LEVELS:
            problems.append(Problem(path, 1, f"{milestone.id}: unknown level {milestone.level!r}"))
        milestones.append(milestone)
    return sorted(sections, key=lambda s: s.order), milestones


def load_pack(root: Path, pack: str = "builtin") -> Library:
    """Load one pack folder. Problems are collected on ``library.problems``; nothing raises."""
    problems: list[Problem] = []
    if not root.is_dir():
        problems.append(Problem(root, 0, "content folder not found"))
        return Library(problems=problems)
    topics = [t for p in _pack_files(root, "topics", problems) if (t := load_topic(p, problems, pack))]
    guides = [g for p in _pack_files(root, "guides", problems) if (g := load_guide(p, problems, pack))]
    roadmap = root / "roadmap.toml"
    sections, milestones = load_roadmap(roadmap, problems) if _inside(root, roadmap, problems) else ([], [])
    library = Library(sorted(topics, key=lambda t: (t.order, t.id)),
                      sorted(guides, key=lambda g: (g.order, g.id)), sections, milestones, problems)
    _check_unique_ids(library, problems)
    glossary = root / "glossary.toml"
    if glossary.exists() and _inside(root, glossary, problems):
        from ..search.glossary import load_glossary

        library.glossary = load_glossary(glossary, problems)
    if pack != "builtin":
        manifest = root / "pack.toml"
        library.pack_titles[pack] = (_inside(root, manifest, problems) and _pack_title(manifest)) or pack
    return library


def _pack_files(root: Path, folder: str, problems: list[Problem]) -> list[Path]:
    """The ``*.md`` files of a pack's folder; one that a link takes out of the pack is reported
    and left out (a pack from elsewhere must not make the app read the rest of the disk)."""
    return [path for path in sorted((root / folder).glob("*.md")) if _inside(root, path, problems)]


def _inside(root: Path, path: Path, problems: list[Problem]) -> bool:
    if path.resolve().is_relative_to(root.resolve()):
        return True
    problems.append(Problem(path, 1, "is a link to a file outside the pack; it was not read"))
    return False


def _pack_title(manifest: Path) -> str:
    """A user pack's title from its pack.toml (written by core/packs/user_packs.py)."""
    import tomllib

    text = _read(manifest, [], MAX_SMALL_FILE_BYTES) if manifest.is_file() else None
    try:
        return clean_text(str(tomllib.loads(text).get("title", ""))) if text else ""
    except tomllib.TOMLDecodeError:
        return ""


def _check_unique_ids(library: Library, problems: list[Problem]) -> None:
    seen: dict[str, Question] = {}
    for question in library.questions():
        if question.id in seen:
            first = seen[question.id]
            problems.append(Problem(question.path, question.line,
                                    f"duplicate question id {question.id!r} (first at {first.path.name}:{first.line})"))
        seen.setdefault(question.id, question)
    for kind, items in (("topic", library.topics), ("guide", library.guides)):
        ids = [item.id for item in items]
        for dup in sorted({i for i in ids if ids.count(i) > 1}):
            problems.append(Problem(next(x.path for x in items if x.id == dup), 1, f"duplicate {kind} id {dup!r}"))


def _read(path: Path, problems: list[Problem], limit: int = MAX_PAGE_BYTES) -> str | None:
    """The file's text with the app's cleaning rule applied, or None with a problem: a file
    over ``limit`` bytes is not read at all."""
    try:
        size = path.stat().st_size
        if size > limit:
            problems.append(Problem(path, 1, f"file is too large ({size / 1024 / 1024:.1f} MB; the limit is "
                                             f"{limit // 1024 // 1024} MB); it was not read"))
            return None
        return clean_text(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        problems.append(Problem(path, 1, f"cannot read: {exc}"))
        return None
