"""Whole reader pages (question, guide, topic) as HTML, built from the library and markdown."""

from __future__ import annotations

import html

from ..content.library import LEVEL_NAMES, Library
from .markdown_html import MarkdownRenderer


class PageNotFound(KeyError):
    pass


def _crumbs(*parts: str) -> str:
    return '<p class="crumbs">' + " &nbsp;›&nbsp; ".join(html.escape(p) for p in parts if p) + "</p>"


def render_page(library: Library, page_id: str, renderer: MarkdownRenderer) -> str:
    """The HTML body of a page; raises PageNotFound for an unknown id."""
    kind, _, ident = page_id.partition(":")
    if kind == "q" and (q := library.question(ident)):
        topic = library.topic(q.topic_id)
        parts = [_crumbs(topic.title if topic else "", LEVEL_NAMES.get(q.level, q.level)),
                 f"<h1>{html.escape(q.title)}</h1>"]
        if q.key_points:
            parts.append(renderer.key_points_box(q.key_points))
        parts.append(renderer.to_html(q.answer))
        return "\n".join(parts)
    if kind == "guide" and (g := library.guide(ident)):
        return "\n".join([_crumbs("Study guide"), f"<h1>{html.escape(g.title)}</h1>", renderer.to_html(g.body)])
    if kind == "topic" and (t := library.topic(ident)):
        items = "".join(f'<li><a href="q:{q.id}">{html.escape(q.title)}</a></li>' for q in t.questions)
        intro = renderer.to_html(t.intro) if t.intro else ""
        count = f"{len(t.questions)} question{'s' if len(t.questions) != 1 else ''}"
        return "\n".join([_crumbs("Topic", count), f"<h1>{html.escape(t.title)}</h1>", intro,
                          f"<ol>{items}</ol>"])
    raise PageNotFound(page_id)


def wiki_link_target(library: Library, target: str) -> str | None:
    """The page a ``[[target]]`` names: a question or guide id, else a title (case and spacing
    ignored); None when nothing matches. The title index is built once per library."""
    size = (len(library.guides), len(library.topics), sum(len(t.questions) for t in library.topics))
    index = _TITLE_INDEX.get(id(library))
    if index is None or index[0] is not library or index[2] != size:  # new, or merged into since
        titles: dict[str, str] = {}
        for guide in library.guides:
            titles.setdefault(_title_key(guide.title), f"guide:{guide.id}")
        for question in library.questions():
            titles.setdefault(_title_key(question.title), f"q:{question.id}")
        _TITLE_INDEX.clear()  # one library at a time: the one the reader shows
        index = _TITLE_INDEX[id(library)] = (library, titles, size)
    if library.question(target):
        return f"q:{target}"
    if library.guide(target):
        return f"guide:{target}"
    return index[1].get(_title_key(target))


_TITLE_INDEX: dict[int, tuple[Library, dict[str, str], tuple[int, int, int]]] = {}


def _title_key(title: str) -> str:
    return " ".join(title.casefold().split())


def largest_question(library: Library) -> str | None:
    """The id of the question with the most text (the benchmark's worst case)."""
    best = max(library.questions(), key=lambda q: len(q.markdown), default=None)
    return f"q:{best.id}" if best else None
