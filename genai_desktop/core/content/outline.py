"""The library's table of contents: topics with their question titles, guides and pack titles.

It is what the sidebar and the status bar draw, and it is cached apart from the full library
(core/content/cache.py): a start reads a few kilobytes and paints, and the answers (and the
content module's dataclasses) load after the first paint. Plain slotted classes, not
dataclasses: this module is on the way to the first paint, where each dataclass costs ~0.5 ms.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .library import Library


class Entry:
    """A page in the outline: a question or a guide, or a topic with its questions."""

    __slots__ = ("id", "title", "pack", "questions")

    def __init__(self, id: str, title: str, pack: str = "builtin",  # noqa: A002 - the field every page has
                 questions: list[Entry] | None = None) -> None:
        self.id = id
        self.title = title
        self.pack = pack
        # A question's entry has none: one shared empty tuple, not 100,000 empty lists (5.6 MB).
        self.questions: list[Entry] | tuple[()] = questions or ()

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Entry) and self.plain() == other.plain()

    def __repr__(self) -> str:
        return f"Entry({self.id!r}, {self.title!r}, {self.pack!r}, {len(self.questions)} questions)"

    def plain(self) -> tuple:
        return self.id, self.title, self.pack, [q.plain() for q in self.questions]

    @classmethod
    def from_plain(cls, data: tuple) -> Entry:
        ident, title, pack, questions = data
        return cls(ident, title, pack, [cls.from_plain(q) for q in questions])


class Outline:
    """Topics and guides in library order, pack titles, and every page id the library holds.

    ``page_ids`` names the pages other than questions (topics, guides, milestones); a question's
    page is looked up by the id its entry holds: 100,000 "q:…" strings of their own cost 12 MB."""

    __slots__ = ("topics", "guides", "pack_titles", "page_ids", "question_ids")

    def __init__(self, topics: list[Entry], guides: list[Entry], pack_titles: dict[str, str],
                 page_ids: set[str]) -> None:
        self.topics = topics
        self.guides = guides
        self.pack_titles = pack_titles
        self.page_ids = page_ids
        self.question_ids = {q.id for t in topics for q in t.questions}

    @classmethod
    def of(cls, library: Library) -> Outline:
        topics = [Entry(t.id, t.title, t.pack, [Entry(q.id, q.title, q.pack) for q in t.questions])
                  for t in library.topics]
        guides = [Entry(g.id, g.title, g.pack) for g in library.guides]
        pages = ({f"topic:{t.id}" for t in topics} | {f"guide:{g.id}" for g in guides}
                 | {f"milestone:{m.id}" for m in library.milestones})
        return cls(topics, guides, dict(library.pack_titles), pages)

    def has_page(self, page_id: str) -> bool:
        kind, _, ident = page_id.partition(":")
        return ident in self.question_ids if kind == "q" else page_id in self.page_ids

    def question_count(self) -> int:
        return sum(len(t.questions) for t in self.topics)

    def plain(self) -> tuple:
        """Tuples, lists, dicts and strings only: what ``marshal`` stores."""
        return ([t.plain() for t in self.topics], [g.plain() for g in self.guides], self.pack_titles,
                sorted(self.page_ids))

    @classmethod
    def from_plain(cls, data: tuple) -> Outline:
        topics, guides, pack_titles, page_ids = data
        return cls([Entry.from_plain(t) for t in topics], [Entry.from_plain(g) for g in guides],
                   dict(pack_titles), set(page_ids))
