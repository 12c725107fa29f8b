"""Markdown to the HTML subset QTextBrowser renders well.

The pipeline, in order:
1. normalise GitHub-style markdown that python-markdown misreads (lists with no blank line
   before them, two-space nesting, tables glued to a paragraph);
2. take code out (fences, even indented inside list items, and inline code) so nothing
   inside code is mistaken for math, and highlight it with pygments (inline styles: the
   document stylesheet cannot reach pygments classes reliably);
3. take math out (python-markdown eats the backslashes of ``\\( \\)`` and ``\\[ \\]``) and
   replace it with formula images, or with an error box that shows the LaTeX source;
4. convert, then put the code and formulas back.

QTextBrowser ignores padding and borders on blocks, so boxes are one-cell tables.
"""

from __future__ import annotations

import html
import re
import time
from functools import lru_cache
from urllib.parse import quote

from .formulas import Formula, FormulaCache
from .page_style import DARK, LIGHT, PageStyle  # noqa: F401 - DARK re-exported for callers

_TOKEN = "GDXPH{}Q"
_TOKEN_RE = re.compile(r"GDXPH(\d+)Q")
_FENCE_OPEN = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})[ \t]*(?P<lang>[\w+#.-]*)[^\n]*$")
_LIST_ITEM = re.compile(r"^(?P<indent>[ \t]*)(?P<marker>[-*+]|\d{1,9}[.)])(?P<gap>[ \t]+)\S")
_TABLE_ROW = re.compile(r"^\s*\|")
_INLINE_CODE = re.compile(r"(?<!`)(`+)(?!`)(.+?)(?<!`)\1(?!`)", re.S)
_DISPLAY_MATH = re.compile(r"\$\$(.+?)\$\$|\\\[(.+?)\\\]", re.S)
# Inline math may wrap onto the next line of its paragraph (as a formula written in an editor
# does), never across a blank line; "$5 ... $3" is still money (a closing $ before a digit).
_INLINE_MATH = re.compile(
    r"\\\((.+?)\\\)|(?<![\\$\w])\$(?=[^\s$])((?:[^$\n]|\n(?!\s*\n))+?)(?<=[^\s\\])\$(?![\d$])", re.S)
# python-markdown writes ![alt](src "title") with a title attribute after src.
_REMOTE_IMG = re.compile(r'<img alt="([^"]*)" src="(https?://[^"]+)"(?: title="[^"]*")?\s*/?>')
_LOCAL_IMG = re.compile(r'<img alt="([^"]*)" src="(?!https?://|formula:)([^"]*)"(?: title="[^"]*")?\s*/?>')
# A figure: a local picture alone in its paragraph, with a title (its caption). See FORMAT.md.
_FIGURE = re.compile(r'<p>\s*<img alt="([^"]*)" src="(?!https?://|formula:)([^"]*)" title="([^"]+)"\s*/?>\s*</p>')
_HEADING = re.compile(r"<h([1-6])>")
# QTextBrowser's layout time doubles with every level of nested tables (24 levels of raw HTML
# hung the reader; 8 take ~15 ms, 14 almost a second). The page's own boxes nest at most two
# deep inside the key-points box's two, so raw HTML is cut to this many levels.
MAX_TABLE_DEPTH = 6
# Each formula is bounded (core/formulas.py), but a page of many costly ones adds up: once a
# page has spent this long on formulas, the rest show an error box until it is shown again
# (rendered ones are cached, so each showing gets further).
PAGE_FORMULA_SECONDS = 10
PAGE_BUDGET_SPENT = (f"not rendered yet: this page's formulas took too long (over {PAGE_FORMULA_SECONDS} s); "
                     "open the page again to render more")
_TABLE_PART = re.compile(r"<(/?)(table|thead|tbody|tfoot|tr|td|th|caption)\b[^>]*>", re.I)


# ---------------------------------------------------------------- normalisation

def normalise_markdown(text: str) -> str:
    """Rewrite GitHub-flavoured list and table habits into what python-markdown expects."""
    out: list[str] = []
    stack: list[int] = []  # source indents of the open list levels
    fence: str | None = None
    previous = ""
    for raw in text.replace("\r\n", "\n").replace("\t", "    ").split("\n"):
        line = raw.rstrip()
        opener = _FENCE_OPEN.match(line)
        if fence:
            out.append(line)
            if opener and opener.group("fence").startswith(fence) and not opener.group("lang"):
                fence = None
            previous = line
            continue
        if opener:
            fence = opener.group("fence")[0] * 3
        item = _LIST_ITEM.match(line)
        if item:
            indent = len(item.group("indent"))
            while stack and indent < stack[-1]:
                stack.pop()
            if not stack or indent > stack[-1]:
                stack.append(indent)
            level = len(stack) - 1
            if level == 0 and previous.strip() and not _LIST_ITEM.match(previous) and not previous.startswith(" "):
                out.append("")
            line = " " * (4 * level) + line.lstrip()
        elif stack and line.strip():
            indent = len(line) - len(line.lstrip())
            if indent == 0:
                stack.clear()
            else:
                # continuation of the deepest item whose indent is below this line's
                while stack and indent <= stack[-1] and len(stack) > 1:
                    stack.pop()
                line = " " * (4 * len(stack)) + line.lstrip()
        elif not line.strip():
            pass
        if _TABLE_ROW.match(line) and previous.strip() and not _TABLE_ROW.match(previous) and not stack:
            out.append("")
        out.append(line)
        previous = line
    return "\n".join(out)


# ---------------------------------------------------------------- code

@lru_cache(maxsize=512)
def highlight_code(code: str, language: str, style_name: str) -> str:
    """Pygments HTML with inline styles, wrapped (pre-wrap) so long lines never scroll sideways."""
    from pygments import highlight
    from pygments.formatters import HtmlFormatter
    from pygments.lexers import TextLexer, get_lexer_by_name
    from pygments.util import ClassNotFound

    try:
        lexer = get_lexer_by_name(language) if language else TextLexer()
    except ClassNotFound:
        lexer = TextLexer()
    formatter = HtmlFormatter(noclasses=True, nowrap=True, style=style_name)
    return highlight(code, lexer, formatter).rstrip("\n")


def _code_block(code: str, language: str, style: PageStyle) -> str:
    body = highlight_code(code, language.lower(), style.pygments_style)
    caption = (f'<tr><td class="codelang" style="color:{style.muted}">{html.escape(language)}</td></tr>'
               if language else "")
    return (f'<table class="code" width="100%" cellspacing="0" cellpadding="10" '
            f'style="background-color:{style.code_background}">{caption}'
            f'<tr><td><pre style="white-space: pre-wrap">{body}</pre></td></tr></table>')


# ---------------------------------------------------------------- conversion

class _Stash:
    def __init__(self) -> None:
        self.items: list[str] = []

    def put(self, html_text: str) -> str:
        self.items.append(html_text)
        return _TOKEN.format(len(self.items) - 1)

    def restore(self, text: str) -> str:
        # Tokens can nest (code inside a restored block never holds one, but be safe).
        for _ in range(3):
            if not _TOKEN_RE.search(text):
                break
            text = _TOKEN_RE.sub(lambda m: self.items[int(m.group(1))], text)
        return text


class MarkdownRenderer:
    """Converts page markdown to HTML; formulas go through a FormulaCache."""

    def __init__(self, formulas: FormulaCache, style: PageStyle = LIGHT, *, mathjax: bool = False) -> None:
        """``mathjax``: write formulas as ``\\( \\)`` / ``\\[ \\]`` source (for Anki cards, where
        MathJax typesets them) instead of rendering them to images."""
        self.formulas = formulas
        self.style = style
        self.mathjax = mathjax
        self._md = None
        self.clock = time.monotonic  # for the page's formula budget; tests give a fake one
        self._deadline: float | None = None

    def _markdown(self):
        if self._md is None:
            import markdown
            from markdown.extensions.sane_lists import SaneListExtension
            from markdown.extensions.tables import TableExtension

            # Instances, not names: names make markdown scan installed entry points (~25 ms).
            self._md = markdown.Markdown(extensions=[TableExtension(), SaneListExtension()],
                                         output_format="html")
        return self._md

    def to_html(self, text: str) -> str:
        self._deadline = self.clock() + PAGE_FORMULA_SECONDS
        stash = _Stash()
        # Text that imitates a placeholder would be swapped for (or crash on) a stashed block:
        # an invisible zero-width space keeps the user's "GDXPH0Q" literal.
        text = normalise_markdown(text.replace("GDXPH", "GDX\u200bPH"))
        text = self._stash_fences(text, stash)
        text = _INLINE_CODE.sub(lambda m: stash.put(f"<code>{html.escape(m.group(2).strip())}</code>"), text)
        text = _DISPLAY_MATH.sub(lambda m: "\n\n" + stash.put(self._formula(m.group(1) or m.group(2), True))
                                 + "\n\n", text)
        text = _INLINE_MATH.sub(lambda m: stash.put(self._formula(m.group(1) or m.group(2), False)), text)
        md = self._markdown()
        md.reset()
        body = md.convert(text)
        body = _cap_tables(stash.restore(body))
        body = re.sub(r"<p>\s*(<table class=\"(?:formula|code|error)[^>]*>.*?</table>)\s*</p>", r"\1", body,
                      flags=re.S)
        body = _REMOTE_IMG.sub(lambda m: f'<a href="{m.group(2)}">[image: {m.group(1) or m.group(2)}]</a>', body)
        body = self._figures(body)
        body = _LOCAL_IMG.sub(_local_image, body)
        return body

    def _figures(self, body: str) -> str:
        """Each figure centred in the column, a link that opens the viewer, and a numbered caption."""
        count = 0

        def figure(match: re.Match) -> str:
            nonlocal count
            count += 1
            alt, src, caption = (html.unescape(g) for g in match.groups())
            image = _local_image_tag(alt, src)
            return (f'<table class="figure" width="100%" cellpadding="4"><tr><td align="center">'
                    f'<a href="figure:{quote(src, safe="/")}">{image}</a></td></tr>'
                    f'<tr><td align="center"><span style="color:{self.style.muted}">'
                    f'<b>Figure {count}.</b> {html.escape(caption)}</span></td></tr></table>')

        return _FIGURE.sub(figure, body)

    def _stash_fences(self, text: str, stash: _Stash) -> str:
        lines = text.split("\n")
        out: list[str] = []
        i = 0
        while i < len(lines):
            opener = _FENCE_OPEN.match(lines[i])
            if not opener:
                out.append(lines[i])
                i += 1
                continue
            indent, fence, lang = len(opener.group("indent")), opener.group("fence"), opener.group("lang")
            body: list[str] = []
            i += 1
            closed = False
            while i < len(lines):
                line = lines[i]
                if line.strip().startswith(fence[0] * len(fence)) and not line.strip().strip(fence[0]):
                    closed = True
                    i += 1
                    break
                margin = len(line) - len(line.lstrip(" "))
                body.append(line[min(indent, margin):])
                i += 1
            block = _code_block("\n".join(body), lang, self.style)
            if not closed:
                block += self._error_box("This code block is never closed (a ``` line is missing).", "")
            out.extend(["", " " * indent + stash.put(block), ""])
        return "\n".join(out)

    def _formula(self, latex: str, display: bool) -> str:
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
                return self._error_box(f"This formula could not be rendered: {error}", formula.latex)
            return (f'<span style="background-color:{self.style.error_background};color:{self.style.error_text}"'
                    f' title="{html.escape(error)}"><code>{html.escape(formula.latex)}</code></span>')
        alt = html.escape(formula.normalised, quote=True)
        if display:
            return (f'<table class="formula" width="100%" cellpadding="4"><tr><td align="center">'
                    f'<img src="formula:{key}" alt="{alt}"></td></tr></table>')
        return f'<img src="formula:{key}" alt="{alt}" style="vertical-align: middle">'

    def _error_box(self, message: str, source: str) -> str:
        src = (f'<pre style="white-space: pre-wrap">{html.escape(source)}</pre>' if source else "")
        return (f'<table class="error" width="100%" cellspacing="0" cellpadding="10" '
                f'style="background-color:{self.style.error_background}"><tr><td>'
                f'<span style="color:{self.style.error_text}"><b>{html.escape(message)}</b></span>{src}'
                f'</td></tr></table>')

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


def _local_image(match: re.Match) -> str:
    return _local_image_tag(html.unescape(match.group(1)), html.unescape(match.group(2)))


def _local_image_tag(alt: str, src: str) -> str:
    """Local images are served by the reader from inside the pack; the alt text rides along
    so a missing file can be shown as a labelled placeholder."""
    return (f'<img src="image:{quote(src, safe="/")}?alt={quote(alt, safe="")}" '
            f'alt="{html.escape(alt, quote=True)}">')


def replace_math(text: str, replacement: str) -> str:
    """Every formula swapped for ``replacement`` (search snippets show "…", not raw LaTeX).
    Money such as "$1.3 trillion" is not a formula and stays, as in the reader."""
    return _INLINE_MATH.sub(replacement, _DISPLAY_MATH.sub(replacement, text))


def formulas_in(text: str) -> list[Formula]:
    """Every formula a page holds (code excluded), for ``check`` and the importer's preview."""
    stash = _Stash()
    cleaned = MarkdownRenderer(FormulaCache(None))._stash_fences(normalise_markdown(text), stash)
    cleaned = _INLINE_CODE.sub(" ", cleaned)
    found = [Formula((m.group(1) or m.group(2)).strip(), True) for m in _DISPLAY_MATH.finditer(cleaned)]
    cleaned = _DISPLAY_MATH.sub(" ", cleaned)
    found += [Formula((m.group(1) or m.group(2)).strip(), False) for m in _INLINE_MATH.finditer(cleaned)]
    return found
