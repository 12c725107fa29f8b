"""Markdown to the HTML subset QTextBrowser renders well: the one renderer of page text.

The reader, the note editor's preview, flashcards, the interview view and the Anki export all
convert markdown here. Parsing is strict CommonMark 0.31.2 plus GFM tables, strikethrough,
task lists, autolinks and footnotes, and the app's math, callouts and wiki-links (see
core/render/markdown_rules.py). Lenient list habits of imported notes are repaired when they are
imported (core/packs/notes_import/lists.py), never here.

Rendering replaces what QTextBrowser cannot show well:
- code is highlighted with pygments (inline styles: the document stylesheet cannot reach
  pygments classes reliably) in a tinted, bordered box with its language and a Copy link;
- formulas become images (``formula:KEY``, served by the reader from the FormulaCache), or an
  error box that shows the LaTeX source; in MathJax mode (Anki) they stay LaTeX;
- pictures are served by the reader (``image:``); remote ones become links; a titled picture
  alone in its paragraph is a numbered figure;
- task items show ☐ / ☑, callouts are tinted boxes, wiki-links link to the page they name.

QTextBrowser ignores padding and borders on blocks, so boxes are one-cell tables.
"""

from __future__ import annotations

import html
import re
import threading
import time
from collections.abc import Callable
from functools import lru_cache
from urllib.parse import quote, unquote

from .formulas import Formula, FormulaCache
from .page_style import DARK, LIGHT, PageStyle  # noqa: F401 - DARK re-exported for callers

# QTextBrowser's layout time doubles with every level of nested tables (24 levels of raw HTML
# hung the reader; 8 take ~15 ms, 14 almost a second). The page's own boxes nest at most two
# deep inside the key-points box's two, so raw HTML is cut to this many levels.
MAX_TABLE_DEPTH = 6
# Each formula is bounded (core/render/formulas.py), but a page of many costly ones adds up: once a
# page has spent this long on formulas, the rest show an error box until it is shown again
# (rendered ones are cached, so each showing gets further).
PAGE_FORMULA_SECONDS = 10
PAGE_BUDGET_SPENT = (f"not rendered yet: this page's formulas took too long (over {PAGE_FORMULA_SECONDS} s); "
                     "open the page again to render more")
INLINE_FORMULA_STYLE = "vertical-align: top"  # marks a formula in a line of text (inline_formula_keys)
_INLINE_FORMULA = re.compile(r'<img src="formula:([0-9a-f]+)"[^>]*style="' + INLINE_FORMULA_STYLE + '"')
COPY_SCHEME = "copy"  # <a href="copy:TEXT">: the reader puts TEXT (percent-encoded) on the clipboard
_TABLE_PART = re.compile(r"<(/?)(table|thead|tbody|tfoot|tr|td|th|caption)\b[^>]*>", re.I)
_TEXT_ALIGN = re.compile(r"text-align:(left|right|center)")
# Callout kinds (Obsidian's names and aliases) to the four tints a page has.
_CALLOUT_TINTS = {
    "note": "note", "info": "note", "abstract": "note", "summary": "note", "tldr": "note", "todo": "note",
    "quote": "note", "cite": "note", "example": "note",
    "tip": "tip", "hint": "tip", "important": "tip", "success": "tip", "check": "tip", "done": "tip",
    "question": "warning", "help": "warning", "faq": "warning", "warning": "warning", "caution": "warning",
    "attention": "warning",
    "danger": "danger", "error": "danger", "failure": "danger", "fail": "danger", "missing": "danger",
    "bug": "danger",
}

WikiLinks = Callable[[str], "str | None"]  # a [[target]] to the page id it names, or None


# ---------------------------------------------------------------- code

# Pygments loads its lexers, formatters and styles lazily through module-level hooks that are not
# thread-safe: two threads highlighting at once for the first time (a page converted on the
# runner while another warms the pipeline) failed with "cannot import name 'HtmlFormatter' from
# 'pygments.formatters'" (tests/core/render/test_markdown_threads.py). Highlighting is short.
_PYGMENTS = threading.Lock()


@lru_cache(maxsize=512)
def highlight_code(code: str, language: str, style_name: str) -> str:
    """Pygments HTML with inline styles (the text exactly as written: no newline is added or
    dropped at either end)."""
    with _PYGMENTS:
        from pygments import highlight
        from pygments.formatters import HtmlFormatter
        from pygments.lexers import TextLexer, get_lexer_by_name
        from pygments.util import ClassNotFound

        try:
            lexer = get_lexer_by_name(language, stripnl=False) if language else TextLexer(stripnl=False)
        except ClassNotFound:
            lexer = TextLexer(stripnl=False)
        formatter = HtmlFormatter(noclasses=True, nowrap=True, style=style_name)
        out = highlight(code, lexer, formatter)
    # pygments ends every text with a newline; the block's own last newline is not a line.
    return out[:-1] if out.endswith("\n") else out


class MarkdownRenderer:
    """Converts page markdown to HTML; formulas go through a FormulaCache.

    ``wiki_links`` resolves ``[[target]]`` to a page id (the reader's library); without it, or
    when it answers None, the link's text shows as plain text. ``copy_links``: code blocks carry
    a Copy link (the reader handles it; an Anki card could not)."""

    def __init__(self, formulas: FormulaCache, style: PageStyle = LIGHT, *, mathjax: bool = False,
                 wiki_links: WikiLinks | None = None, copy_links: bool = True) -> None:
        """``mathjax``: write formulas as ``\\( \\)`` / ``\\[ \\]`` source (for Anki cards, where
        MathJax typesets them) instead of rendering them to images."""
        self.formulas = formulas
        self.style = style
        self.mathjax = mathjax
        self.wiki_links = wiki_links
        self.copy_links = copy_links
        self.clock = time.monotonic  # for the page's formula budget; tests give a fake one
        self._deadline: float | None = None

    def to_html(self, text: str) -> str:
        self._deadline = self.clock() + PAGE_FORMULA_SECONDS
        md = _html_parser()
        env: dict = {"page": self, "figures": 0}
        tokens = _mark_figures(md.parse(text, env))
        return _cap_tables(md.renderer.render(tokens, md.options, env))

    # ------------------------------------------------------------ pieces of a page
    def code_block(self, code: str, language: str) -> str:
        """A tinted, bordered box: the language and a Copy link above the highlighted code,
        wrapped (pre-wrap) so long lines never scroll sideways and keep their indentation."""
        style = self.style
        body = highlight_code(code, language.lower(), style.pygments_style)
        label = f'<span style="color:{style.muted}">{html.escape(language)}</span>' if language else ""
        copy = (f'<a href="{COPY_SCHEME}:{quote(code, safe="")}" title="Copy this code">Copy</a>'
                if self.copy_links else "")
        gap = "&nbsp;&nbsp;&nbsp;" if label and copy else ""
        head = f'<tr><td class="codehead" align="right">{label}{gap}{copy}</td></tr>' if label or copy else ""
        return (f'<table class="code" width="100%" cellspacing="0" cellpadding="0" border="1" '
                f'style="background-color:{style.code_background};border-color:{style.code_border};'
                f'border-style:solid">{head}'
                f'<tr><td><pre style="white-space: pre-wrap">{body}</pre></td></tr></table>')

    def formula(self, latex: str, display: bool) -> str:
        formula = Formula(latex.strip(), display)
        if self.mathjax:
            # Escaped like any HTML text: MathJax reads the text content, so "<" arrives intact.
            source = html.escape(formula.normalised, quote=False)
            return f"\\[{source}\\]" if display else f"\\({source}\\)"
        if self._deadline is not None and not self.formulas.has(formula, self.style.text) \
                and self.clock() > self._deadline:
            key, error = "", PAGE_BUDGET_SPENT
        else:
            key, error = self.formulas.get(formula, self.style.text)
        if error:
            if display:
                return self.error_box(f"This formula could not be rendered: {error}", formula.latex)
            return (f'<span style="background-color:{self.style.error_background};color:{self.style.error_text}"'
                    f' title="{html.escape(error)}"><code>{html.escape(formula.latex)}</code></span>')
        alt = html.escape(formula.normalised, quote=True)
        if display:
            return (f'<table class="formula" width="100%" cellpadding="4"><tr><td align="center">'
                    f'<img src="formula:{key}" alt="{alt}"></td></tr></table>')
        # The reader sizes it to the text and pads it so its baseline is the text's (the padding
        # is computed for this alignment: ui/formula_baseline.py).
        return f'<img src="formula:{key}" alt="{alt}" style="{INLINE_FORMULA_STYLE}">'

    def error_box(self, message: str, source: str) -> str:
        src = (f'<pre style="white-space: pre-wrap">{html.escape(source)}</pre>' if source else "")
        return (f'<table class="error" width="100%" cellspacing="0" cellpadding="10" '
                f'style="background-color:{self.style.error_background}"><tr><td>'
                f'<span style="color:{self.style.error_text}"><b>{html.escape(message)}</b></span>{src}'
                f'</td></tr></table>')

    def callout_colours(self, kind: str) -> tuple[str, str]:
        """(background, accent) of a callout kind: note, tip, warning or danger tints."""
        style = self.style
        return {
            "note": (style.box_background, style.box_border),
            "tip": (style.tip_background, style.tip_border),
            "warning": (style.warning_background, style.warning_border),
            "danger": (style.error_background, style.error_text),
        }[_CALLOUT_TINTS.get(kind, "note")]

    def callout_open(self, kind: str) -> str:
        """A tinted box with an accent bar, like the key points (``callout_close`` ends it)."""
        background, accent = self.callout_colours(kind)
        return (f'<table class="callout" width="100%" cellspacing="0" cellpadding="0" '
                f'style="background-color:{background}"><tr>'
                f'<td width="4" style="background-color:{accent}"></td>'
                f'<td><table class="boxinner" width="100%" cellspacing="0" cellpadding="12"><tr><td>\n')

    @staticmethod
    def callout_close() -> str:
        return "</td></tr></table></td></tr></table>\n"

    def figure(self, alt: str, src: str, caption: str, number: int) -> str:
        """A figure centred in the column, a link that opens the viewer, and a numbered caption."""
        image = _local_image_tag(alt, src)
        return (f'<table class="figure" width="100%" cellpadding="4"><tr><td align="center">'
                f'<a href="figure:{quote(src, safe="/")}">{image}</a></td></tr>'
                f'<tr><td align="center"><span style="color:{self.style.muted}">'
                f'<b>Figure {number}.</b> {html.escape(caption)}</span></td></tr></table>\n')

    def wiki_link(self, target: str, label: str) -> str:
        page_id = self.wiki_links(target) if self.wiki_links else None
        if page_id is None:
            return html.escape(label)  # plain text, never a link that leads nowhere
        return f'<a href="{html.escape(page_id)}">{html.escape(label)}</a>'

    def key_points_box(self, key_points_md: str) -> str:
        # An accent bar beside a tinted box: QTextBrowser has no border-left on blocks, so the
        # bar is a thin cell of an outer table and the padding lives on the inner one.
        inner = self.to_html(key_points_md)
        # The last paragraph's bottom margin would add to the cell padding below the text.
        last = inner.rfind("<p>")
        if last >= 0:
            inner = f'{inner[:last]}<p style="margin-bottom:0px">{inner[last + 3:]}'
        return (f'<table class="keypoints" width="100%" cellspacing="0" cellpadding="0" '
                f'style="background-color:{self.style.box_background}"><tr>'
                f'<td width="4" style="background-color:{self.style.box_border}"></td>'
                f'<td><table class="boxinner" width="100%" cellspacing="0" cellpadding="14"><tr><td>'
                f'<p class="boxtitle" style="color:{self.style.box_border}"><b>KEY POINTS</b></p>'
                f'{inner}</td></tr></table></td></tr></table>')


# ---------------------------------------------------------------- markdown-it glue

_adding_rules = threading.Lock()


def warm_up() -> None:
    """Make the shared parser now (markdown-it imported, its rules compiled), on a worker
    after the start: made by the first conversion, it cost that one ~90 ms."""
    _html_parser()


def _html_parser():
    """The shared parser with this module's render rules (added on the first conversion, under
    a lock: another thread must not get the parser while the rules are half added)."""
    with _adding_rules:
        return _with_render_rules()


@lru_cache(maxsize=1)
def _with_render_rules():
    from .markdown_rules import parser

    md = parser()
    for name, rule in _RULES.items():
        md.add_render_rule(name, rule)
    return md


def _mark_figures(tokens: list) -> list:
    """A local picture with a title, alone in its paragraph, becomes a ``figure`` token (see
    FORMAT.md: the title is its caption)."""
    from markdown_it.token import Token

    out = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token.type == "paragraph_open" and i + 2 < len(tokens):
            children = [c for c in tokens[i + 1].children or () if not (c.type == "text" and not c.content.strip())]
            if len(children) == 1 and children[0].type == "image":
                image = children[0]
                src, title = image.attrGet("src") or "", image.attrGet("title")
                if title and not _is_remote(src):
                    out.append(Token("figure", "", 0, meta={"image": image}, level=token.level, block=True))
                    i += 3
                    continue
        out.append(token)
        i += 1
    return out


def _is_remote(src: str) -> bool:
    return src.lower().startswith(("http://", "https://"))


def _page(env) -> MarkdownRenderer:
    return env["page"]


def _render_fence(self, tokens, idx, options, env) -> str:
    token = tokens[idx]
    language = token.info.strip().split(maxsplit=1)[0] if token.info.strip() else ""
    from markdown_it.common.utils import unescapeAll

    return _page(env).code_block(token.content, unescapeAll(language)) + "\n"


def _render_code_block(self, tokens, idx, options, env) -> str:
    return _page(env).code_block(tokens[idx].content, "") + "\n"


def _render_math(self, tokens, idx, options, env) -> str:
    return _page(env).formula(tokens[idx].content, tokens[idx].meta["display"])


def _render_math_block(self, tokens, idx, options, env) -> str:
    return _page(env).formula(tokens[idx].content, True) + "\n"


def _render_image(self, tokens, idx, options, env) -> str:
    token = tokens[idx]
    src = token.attrGet("src") or ""
    alt = self.renderInlineAsText(token.children or [], options, env)
    title = token.attrGet("title")
    titled = f' title="{html.escape(title)}"' if title else ""
    if _is_remote(src):  # the reader never fetches: the picture is a link to open it with
        return f'<a href="{html.escape(src)}"{titled}>[image: {html.escape(alt or src)}]</a>'
    return _local_image_tag(alt, unquote(src), title)


def _render_figure(self, tokens, idx, options, env) -> str:
    image = tokens[idx].meta["image"]
    env["figures"] += 1
    alt = self.renderInlineAsText(image.children or [], options, env)
    return _page(env).figure(alt, unquote(image.attrGet("src") or ""), image.attrGet("title") or "", env["figures"])


def _render_wiki_link(self, tokens, idx, options, env) -> str:
    meta = tokens[idx].meta
    return _page(env).wiki_link(meta["target"], meta["label"])


def _render_list_item_open(self, tokens, idx, options, env) -> str:
    token = tokens[idx]
    opening = self.renderToken(tokens, idx, options, env)
    if token.meta and "checked" in token.meta:  # a task: the box as text QTextBrowser can show
        return opening + ("☑ " if token.meta["checked"] else "☐ ")
    return opening


def _render_list_open(self, tokens, idx, options, env) -> str:
    token = tokens[idx]
    if "contains-task-list" in str(token.attrGet("class") or ""):
        token.attrSet("style", "list-style-type: none")  # the boxes stand where the bullets were
    return self.renderToken(tokens, idx, options, env)


def _render_cell_open(self, tokens, idx, options, env) -> str:
    token = tokens[idx]
    style = token.attrGet("style")
    if style and (match := _TEXT_ALIGN.search(str(style))):  # QTextBrowser reads align= on cells
        token.attrs.pop("style")
        token.attrSet("align", match.group(1))
    return self.renderToken(tokens, idx, options, env)


def _render_blockquote_open(self, tokens, idx, options, env) -> str:
    kind = (tokens[idx].meta or {}).get("callout")
    return _page(env).callout_open(kind) if kind else self.renderToken(tokens, idx, options, env)


def _render_blockquote_close(self, tokens, idx, options, env) -> str:
    if (tokens[idx].meta or {}).get("callout"):
        return _page(env).callout_close()
    return self.renderToken(tokens, idx, options, env)


def _render_callout_title_open(self, tokens, idx, options, env) -> str:
    _background, accent = _page(env).callout_colours(tokens[idx - 1].meta["callout"])
    return f'<p class="callouttitle" style="color:{accent}"><b>'


def _render_callout_title_close(self, tokens, idx, options, env) -> str:
    return "</b></p>\n"


_RULES = {
    "fence": _render_fence, "code_block": _render_code_block, "math": _render_math,
    "math_block": _render_math_block, "image": _render_image, "figure": _render_figure,
    "wiki_link": _render_wiki_link, "list_item_open": _render_list_item_open,
    "bullet_list_open": _render_list_open, "ordered_list_open": _render_list_open,
    "th_open": _render_cell_open, "td_open": _render_cell_open,
    "blockquote_open": _render_blockquote_open, "blockquote_close": _render_blockquote_close,
    "callout_title_open": _render_callout_title_open, "callout_title_close": _render_callout_title_close,
}


def _cap_tables(body: str) -> str:
    """Tables nested deeper than MAX_TABLE_DEPTH lose their table tags (cells become text
    separated by spaces, rows by line breaks), so no page costs the reader more than a few
    milliseconds to lay out whatever raw HTML a note holds."""
    if body.lower().count("<table") <= MAX_TABLE_DEPTH:
        return body
    depth = 0

    def visit(match: re.Match) -> str:
        nonlocal depth
        closing, name = match.group(1), match.group(2).lower()
        if name == "table":
            if closing:
                depth = max(0, depth - 1)
                return match.group(0) if depth < MAX_TABLE_DEPTH else ""
            depth += 1
        if depth <= MAX_TABLE_DEPTH:
            return match.group(0)
        return {"td": " ", "th": " ", "tr": "<br>"}.get(name, "") if closing else ""

    return _TABLE_PART.sub(visit, body)


def _local_image_tag(alt: str, src: str, title: str | None = None) -> str:
    """Local images are served by the reader from inside the pack; the alt text rides along
    so a missing file can be shown as a labelled placeholder."""
    titled = f' title="{html.escape(title)}"' if title else ""
    return (f'<img src="image:{quote(src, safe="/")}?alt={quote(alt, safe="")}" '
            f'alt="{html.escape(alt, quote=True)}"{titled}>')


def replace_math(text: str, replacement: str) -> str:
    """Every formula swapped for ``replacement`` (search snippets show "…", not raw LaTeX), by the
    reader's own definition of a formula: money such as "$1.3 trillion" stays."""
    from .markdown_rules import MATH_DISPLAY, MATH_INLINE

    return MATH_INLINE.sub(replacement, MATH_DISPLAY.sub(replacement, text))


def inline_formula_keys(body: str) -> set[str]:
    """The keys of the formulas ``body`` (HTML of ``MarkdownRenderer``) shows inside a line of
    text, as opposed to on a line of their own: the reader aligns those with the text."""
    return set(_INLINE_FORMULA.findall(body))


def formulas_in(text: str) -> list[Formula]:
    """Every formula a page holds, in page order, exactly as the reader finds them (code
    excluded), for ``check`` and the importer's preview."""
    from .markdown_rules import parser

    found: list[Formula] = []
    for token in parser().parse(text):
        if token.type == "math_block":
            found.append(Formula(token.content, True))
        for child in token.children or ():
            if child.type == "math":
                found.append(Formula(child.content, child.meta["display"]))
    return found
