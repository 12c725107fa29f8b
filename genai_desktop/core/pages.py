"""Whole reader pages (question, guide, topic) as HTML, built from the library and markdown."""

from __future__ import annotations

import html

from .content import LEVEL_NAMES, Library
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


def largest_question(library: Library) -> str | None:
    """The id of the question with the most text (the benchmark's worst case)."""
    best = max(library.questions(), key=lambda q: len(q.markdown), default=None)
    return f"q:{best.id}" if best else None
