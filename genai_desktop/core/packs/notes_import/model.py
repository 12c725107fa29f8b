"""What an import will create, before anything is written: the plan shown in the preview.

The parsers fill these plain dataclasses; ``core/packs/user_packs.py`` turns a plan into a pack folder and
the preview dialog and ``genai-desktop import`` describe it. Nothing here touches the disk.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

from ...errors import UserError


class NotesError(UserError, ValueError):
    """A file that cannot be imported; the message is written for the user."""


class ImportCancelled(Exception):
    """The user pressed Cancel while a long file was being read."""


@dataclass
class Entry:
    """One question and the user's answer (markdown; empty when the notes have none yet)."""

    title: str
    body: str
    line: int  # 1-based line of the title in the source file

    @property
    def answered(self) -> bool:
        return bool(self.body.strip())


@dataclass
class TopicPlan:
    title: str
    line: int
    intro: str = ""
    entries: list[Entry] = field(default_factory=list)


@dataclass
class GuidePlan:
    """A long-form page: a roadmap, a study guide section or a note that is not a question."""

    title: str
    body: str
    line: int


@dataclass
class Milestone:
    title: str
    detail: str


@dataclass
class RoadmapSection:
    title: str
    line: int
    # level label as written ("Developer Level 1", "For All Levels") -> its milestones
    levels: dict[str, list[Milestone]] = field(default_factory=dict)

    @property
    def milestone_count(self) -> int:
        return sum(len(items) for items in self.levels.values())


@dataclass(frozen=True)
class FormulaProblem:
    page: str
    latex: str
    error: str


@dataclass
class ImportPlan:
    """Everything one notes file will become, plus what the user should know before importing."""

    title: str
    source_name: str
    kind: str  # "headings", "numbered", "faq" or "roadmap": which layout was recognised
    topics: list[TopicPlan] = field(default_factory=list)
    guides: list[GuidePlan] = field(default_factory=list)
    roadmap: list[RoadmapSection] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    formula_count: int = 0
    formula_problems: list[FormulaProblem] = field(default_factory=list)
    # relative image path as written in the notes -> the file found next to the notes
    images: dict[str, Path] = field(default_factory=dict)
    source: Path | None = None
    source_sha1: str = ""
    encoding: str = "utf-8"

    def selected(self, *, skip: Iterable[Entry] = (), unanswered: bool = True) -> ImportPlan:
        """A copy without the entries of ``skip`` (duplicates the user chose to leave out) and,
        when ``unanswered`` is False, without the questions that have no answer yet. A topic
        left with no question and no introduction is left out too."""
        dropped = {id(entry) for entry in skip}
        topics = []
        for topic in self.topics:
            entries = [e for e in topic.entries if id(e) not in dropped and (unanswered or e.answered)]
            if entries or topic.intro:
                topics.append(replace(topic, entries=entries))
        return replace(self, topics=topics)

    @property
    def roadmap_page(self) -> str | None:
        """The title of the page the roadmap is kept on (the roadmap parser puts it first).
        Imported roadmaps are pages: the Roadmap view shows the built-in roadmap only."""
        return self.guides[0].title if self.roadmap and self.guides else None

    def entries(self) -> list[Entry]:
        return [entry for topic in self.topics for entry in topic.entries]

    @property
    def question_count(self) -> int:
        return sum(len(topic.entries) for topic in self.topics)

    def unanswered(self) -> list[tuple[str, Entry]]:
        """(topic title, entry) for every question that has no answer in the notes."""
        return [(topic.title, entry) for topic in self.topics for entry in topic.entries if not entry.answered]

    def lines(self) -> list[str]:
        """The preview as plain lines (``genai-desktop import`` prints them)."""
        answered = self.question_count - len(self.unanswered())
        out = [f"{self.source_name}: {self.question_count} question{'s' if self.question_count != 1 else ''} "
               f"({answered} answered) in {len(self.topics)} topic{'s' if len(self.topics) != 1 else ''}, "
               f"{len(self.guides)} page{'s' if len(self.guides) != 1 else ''}"]
        out += [f"  topic  {t.title} ({len(t.entries)})" for t in self.topics]
        out += [f"  page   {g.title}" for g in self.guides]
        if self.roadmap:
            milestones = sum(s.milestone_count for s in self.roadmap)
            out.append(f"  roadmap: {len(self.roadmap)} sections, {milestones} milestones, kept as the page "
                       f"{self.roadmap_page!r} (the Roadmap view shows the built-in roadmap only)")
        if self.unanswered():
            out.append(f"  no answer yet: {len(self.unanswered())} question(s), e.g. {self.unanswered()[0][1].title}")
        out.append(f"  formulas: {self.formula_count}, {len(self.formula_problems)} will not render")
        out += [f"    {p.page}: {p.latex[:60]} ({p.error})" for p in self.formula_problems]
        out += [f"  note: {w}" for w in self.warnings]
        return out

    def summary(self) -> dict:
        """A machine-readable description (``genai-desktop import --json`` prints it)."""
        return {
            "title": self.title,
            "source": self.source_name,
            "layout": self.kind,
            "encoding": self.encoding,
            "questions": self.question_count,
            "answered": self.question_count - len(self.unanswered()),
            "topics": [{"title": t.title, "questions": len(t.entries), "line": t.line} for t in self.topics],
            "guides": [{"title": g.title, "line": g.line} for g in self.guides],
            "roadmap": [{"title": s.title, "milestones": {k: len(v) for k, v in s.levels.items()}}
                        for s in self.roadmap],
            "unanswered": [{"topic": topic, "title": e.title, "line": e.line} for topic, e in self.unanswered()],
            "formulas": self.formula_count,
            "formula_problems": [{"page": p.page, "latex": p.latex, "error": p.error}
                                 for p in self.formula_problems],
            "images": sorted(self.images),
            "warnings": list(self.warnings),
        }
