"""Whole reader pages (question, guide, topic) as HTML, built from the library and markdown."""

from __future__ import annotations

import html
from dataclasses import dataclass, field

from ..content.library import LEVEL_NAMES, Library
from .formulas import DeferredFormulas, Formula, FormulaCache, estimate_size
from .markdown_html import PAGE_BUDGET_SPENT, MarkdownRenderer, inline_formula_keys
from .page_style import PageStyle


class PageNotFound(KeyError):
    pass


def _crumbs(*parts: str) -> str:
    return '<p class="crumbs">' + " &nbsp;›&nbsp; ".join(html.escape(p) for p in parts if p) + "</p>"


def page_heading(library: Library, page_id: str) -> str:
    """The breadcrumbs and title a page starts with (no markdown converted: microseconds); the
    reader shows them while the rest of the page is converted. Raises PageNotFound."""
    kind, _, ident = page_id.partition(":")
    if kind == "q" and (q := library.question(ident)):
        topic = library.topic(q.topic_id)
        return "\n".join([_crumbs(topic.title if topic else "", LEVEL_NAMES.get(q.level, q.level)),
                          f"<h1>{html.escape(q.title)}</h1>"])
    if kind == "guide" and (g := library.guide(ident)):
        return "\n".join([_crumbs("Study guide"), f"<h1>{html.escape(g.title)}</h1>"])
    if kind == "topic" and (t := library.topic(ident)):
        count = f"{len(t.questions)} question{'s' if len(t.questions) != 1 else ''}"
        return "\n".join([_crumbs("Topic", count), f"<h1>{html.escape(t.title)}</h1>"])
    raise PageNotFound(page_id)


def render_page(library: Library, page_id: str, renderer: MarkdownRenderer) -> str:
    """The HTML body of a page (``page_heading`` and what follows it); raises PageNotFound."""
    parts = [page_heading(library, page_id)]
    kind, _, ident = page_id.partition(":")
    if kind == "q" and (q := library.question(ident)):
        if q.key_points:
            parts.append(renderer.key_points_box(q.key_points))
        parts.append(renderer.to_html(q.answer))
    elif kind == "guide" and (g := library.guide(ident)):
        parts.append(renderer.to_html(g.body))
    elif kind == "topic" and (t := library.topic(ident)):
        items = "".join(f'<li><a href="q:{q.id}">{html.escape(q.title)}</a></li>' for q in t.questions)
        parts += [renderer.to_html(t.intro) if t.intro else "", f"<ol>{items}</ol>"]
    return "\n".join(parts)


@dataclass(frozen=True)
class ConvertedPage:
    """A page converted for the reader, with what the reader needs to know about its formulas
    without searching the HTML again on the UI thread."""

    page_id: str
    html: str
    # Formulas not rendered yet (they show as placeholders), by key, top of the page first.
    pending: dict[str, tuple[Formula, str]]
    inline: frozenset[str]  # keys of the formulas that stand in a line of text
    # The placeholders' estimated sizes (estimate_size) by key, worked out here rather than on
    # the UI thread while the page is laid out.
    sizes: dict[str, tuple[float, float]] = field(default_factory=dict)

    @property
    def complete(self) -> bool:
        """Final: no formula still to come (one may yet be refused and become an error box) and
        the page's formula budget not spent. Only a complete page is worth keeping."""
        return not self.pending and PAGE_BUDGET_SPENT[:27] not in self.html


def convert_page(library: Library, page_id: str, formulas: FormulaCache, style: PageStyle) -> ConvertedPage:
    """``page_id`` converted without rendering a single formula (those not cached yet are
    listed in ``pending``), on whichever thread calls it: the renderer and its formula source
    are this call's own. Raises PageNotFound."""
    deferred = DeferredFormulas(formulas)
    renderer = MarkdownRenderer(deferred, style, wiki_links=lambda target: wiki_link_target(library, target))
    body = render_page(library, page_id, renderer)
    pending = deferred.take_pending()
    if len(pending) > 1:  # in page order: the top of the page is rendered first
        pending = dict(sorted(pending.items(), key=lambda item: body.find(f"formula:{item[0]}")))
    inline = frozenset(inline_formula_keys(body)) if "formula:" in body else frozenset()
    sizes = {key: estimate_size(formula) for key, (formula, _color) in pending.items()}
    return ConvertedPage(page_id, body, pending, inline, sizes)


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
