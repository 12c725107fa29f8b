"""The app's markdown-it parser: CommonMark plus GFM and the syntax the notes use.

On top of markdown-it's CommonMark preset: GFM tables, strikethrough, task lists and
autolinks (mdit-py-plugins' gfm_autolink, completed by two small rules below: ``ftp://`` URLs
and e-mail addresses with ``_`` before the ``@``), footnotes, and four rules of the app's own:

- math: ``$…$``, ``$$…$$``, ``\\(…\\)`` and ``\\[…\\]``, inline or on their own lines (also inside
  list items and block quotes); money such as "$5 … $3" stays text (MATH_* below);
- display math written inside a paragraph ends up as its own block (``split_display_math``);
- Obsidian callouts: a block quote whose first line is ``[!NOTE] Title``;
- wiki-links ``[[Title]]``, ``[[id]]`` or ``[[target|label]]``, resolved when rendered.

Parsing only: what the tokens become is core/render/markdown_html.py's job. markdown-it and its
plugins are imported here, and this module is imported on the first conversion (start-up
shows a cached page and never needs it).
"""

from __future__ import annotations

import re
import threading
from functools import cache

from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock
from markdown_it.rules_core import StateCore
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token

# The one definition of a formula in page text; replace_math (search snippets) uses the same.
# Display: $$…$$ or \[…\]. Inline: \(…\), or $…$ where the $ opens before a non-space and is not
# glued to a word ("US$5"), closes after a non-space and before no digit: "$5 … $3" is money.
MATH_DISPLAY = re.compile(r"\$\$(.+?)\$\$|\\\[(.+?)\\\]", re.S)
MATH_INLINE = re.compile(
    r"\\\((.+?)\\\)|(?<![\\$\w])\$(?=[^\s$])((?:[^$\n]|\n(?!\s*\n))+?)(?<=[^\s\\])\$(?![\d$])", re.S)
_BLOCK_OPENERS = {"$$": "$$", "\\[": "\\]"}
_CALLOUT = re.compile(r"\[!([A-Za-z][\w-]*)\]([+-]?)[ \t]*(.*)")
# Not inside more brackets ("[[[x]]]") and not Obsidian's embed "![[x]]": both stay CommonMark.
_WIKI_LINK = re.compile(r"(?<![\[!])\[\[([^\[\]\n|]+?)(?:\|([^\[\]\n]+?))?\]\](?!\])")
# GFM's e-mail autolink, from an underscore of its local part on: the rest of the local part, "@",
# then labels of alphanumerics, "-" and "_" joined by periods (at least one), taken whole.
_EMAIL_FROM_UNDERSCORE = re.compile(r"_[A-Za-z0-9._+-]*@[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)+(?![A-Za-z0-9_-])")
_EMAIL_LOCAL_END = re.compile(r"[A-Za-z0-9._+-]$")
_AUTOLINK_PRECEDERS = " \t\r\n*_~("  # what may stand before an autolink (GFM), or the start of a line


_building = threading.Lock()


def parser() -> MarkdownIt:
    """The one parser, shared by every thread (parsing keeps its state per call): the reader's
    page converter on the runner, search snippets, the importer. Built once, under a lock."""
    with _building:
        return _build()


@cache
def _build() -> MarkdownIt:
    # A MarkdownIt with its rules compiled costs a few milliseconds.
    from mdit_py_plugins.footnote import footnote_plugin
    from mdit_py_plugins.gfm_autolink import gfm_autolink_plugin

    # maxNesting: the preset's 20 stops at ten list levels (a list and its item are two); the
    # importer keeps lists to MAX_LIST_DEPTH (12), and quotes or callouts may hold them.
    md = MarkdownIt("commonmark", {"tasklists": True, "strikethrough_single_tilde": True, "maxNesting": 40})
    md.enable(["table", "strikethrough"])
    # GFM's autolink extension as its spec words it (www., scheme and e-mail links; trailing
    # punctuation and unbalanced parentheses left out): linkify-it links differently.
    md.use(gfm_autolink_plugin)
    md.inline.ruler.before("emphasis", "email_underscore", _email_underscore)
    md.inline.ruler.after("gfm_autolink_protocol", "ftp_autolink", _ftp_autolink)
    md.use(footnote_plugin, inline=False)
    md.inline.ruler.before("escape", "math_inline", _math_inline)
    md.inline.ruler.before("link", "wiki_link", _wiki_link)
    md.block.ruler.before("fence", "math_block", _math_block,
                          {"alt": ["paragraph", "reference", "blockquote", "list"]})
    md.core.ruler.before("inline", "callouts", _callouts)
    md.core.ruler.after("inline", "split_display_math", split_display_math)
    md.core.ruler.after("split_display_math", "bind_inline_math", bind_inline_math)
    # markdown-it refuses a javascript: link by leaving its markdown as text ("[x](javascript:…)");
    # it is parsed instead and then shown as its words, never as a link (unsafe_links_as_text).
    md.validateLink = lambda _url: True
    md.core.ruler.after("bind_inline_math", "unsafe_links_as_text", unsafe_links_as_text)
    _fill_lazy_tables(md)
    return md


def _fill_lazy_tables(md: MarkdownIt) -> None:
    """markdown-it compiles each ruler's chains on first use, and mdurl builds each
    percent-encoding table on first use, both publishing the table before filling it: a second
    thread could meet a half-built one ("none of the block rules matched", or an IndexError seen
    at start-up when a page converted on the runner while another thread rendered a link).
    Filled here, once, under the build lock, before any parse can reach them."""
    import mdurl

    for ruler in (md.core.ruler, md.block.ruler, md.inline.ruler, md.inline.ruler2):
        ruler.getRules("")  # compiles every chain of that ruler

    mdurl.encode("")
    mdurl.decode("", mdurl.DECODE_DEFAULT_CHARS + "%")
    mdurl.decode("")


# ---------------------------------------------------------------- links

_UNSAFE_SCHEMES = ("javascript:", "vbscript:", "file:", "data:")
_IGNORED_IN_SCHEME = re.compile(r"[\x00-\x20]")  # browsers ignore them: "java\tscript:" is javascript:


def is_unsafe_url(url: str) -> bool:
    """``url`` as markdown-it normalised it (percent-encoded): decoded before it is judged."""
    from urllib.parse import unquote

    return _IGNORED_IN_SCHEME.sub("", unquote(url)).lower().startswith(_UNSAFE_SCHEMES)


def unsafe_links_as_text(state: StateCore) -> None:
    """A link to javascript:, vbscript:, file: or data: keeps its words and loses the link; such
    an image shows its description. (Links cannot nest, so one flag follows the link.)"""
    for block in state.tokens:
        if block.type != "inline" or not block.children:
            continue
        kept: list[Token] = []
        dropping = False
        for child in block.children:
            if child.type == "link_open" and is_unsafe_url(str(child.attrGet("href") or "")):
                dropping = True
                continue
            if child.type == "link_close" and dropping:
                dropping = False
                continue
            if child.type == "image" and is_unsafe_url(str(child.attrGet("src") or "")):
                text = Token("text", "", 0)
                text.content = child.content
                kept.append(text)
                continue
            kept.append(child)
        block.children = kept


# ---------------------------------------------------------------- math

def _math_inline(state: StateInline, silent: bool) -> bool:
    start = state.src[state.pos]
    if start not in "$\\":
        return False
    display = True
    match = MATH_DISPLAY.match(state.src, state.pos)
    if match is None:
        display = False
        match = MATH_INLINE.match(state.src, state.pos)
    if match is None:
        return False
    latex = match.group(1) if match.group(1) is not None else match.group(2)
    if not latex.strip(" \t\n\\"):
        return False  # "\\[\\\\\\]" is escaped punctuation, not a formula
    if not silent:
        token = state.push("math", "", 0)
        token.content = latex.strip()
        token.meta = {"display": display}
        token.markup = match.group(0)[:2] if display or start == "\\" else "$"
    state.pos = match.end()
    return True


def _math_block(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    """``$$`` or ``\\[`` at the start of a line, up to the line that ends with the closing
    delimiter (the same line or a later one; no blank line between)."""
    if state.is_code_block(start_line):
        return False
    begin = state.bMarks[start_line] + state.tShift[start_line]
    first = state.src[begin:state.eMarks[start_line]].rstrip()
    closer = _BLOCK_OPENERS.get(first[:2])
    if closer is None:
        return False
    rest = first[2:]
    line = start_line
    if not (rest.strip() and rest.endswith(closer)):  # not all on one line: look further
        if closer in rest:
            return False  # "$$a$$ and more" is a paragraph with a formula in it
        while True:
            line += 1
            if line >= end_line or state.isEmpty(line) or state.sCount[line] < state.blkIndent:
                return False
            text = state.src[state.bMarks[line] + state.tShift[line]:state.eMarks[line]].rstrip()
            if closer in text[:-2]:
                return False  # a closing delimiter with text after it: not a block of its own
            if text.endswith(closer):
                break
    if silent:
        return True
    body = state.getLines(start_line, line + 1, state.blkIndent, False).strip()
    latex = body[2:-2].strip()
    if not latex:
        return False
    token = state.push("math_block", "", 0)
    token.content = latex
    token.meta = {"display": True}
    token.markup = first[:2]
    token.map = [start_line, line + 1]
    token.block = True
    state.line = line + 1
    return True


def split_display_math(state: StateCore) -> None:
    """Display math written inside a paragraph ("so $$x$$ then") becomes a block of its own between
    the paragraph's two halves: a centred formula cannot sit inside a line of text."""
    tokens = state.tokens
    out: list[Token] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if (token.type == "paragraph_open" and i + 2 < len(tokens) and tokens[i + 1].children
                and any(c.type == "math" and c.meta["display"] for c in tokens[i + 1].children)):
            inline, close = tokens[i + 1], tokens[i + 2]
            segment: list[Token] = []
            for child in [*inline.children, None]:
                if child is not None and not (child.type == "math" and child.meta["display"]):
                    segment.append(child)
                    continue
                _emit_paragraph(out, token, inline, close, segment)
                segment = []
                if child is not None:
                    block = Token("math_block", "", 0, content=child.content, meta={"display": True},
                                  level=token.level, block=True, markup=child.markup)
                    out.append(block)
            i += 3
            continue
        out.append(token)
        i += 1
    state.tokens[:] = out


def bind_inline_math(state: StateCore) -> None:
    """The space before an inline formula becomes a no-break space: a line never ends between
    a word and the formula that follows it ("where $d_k$" stays together)."""
    for token in state.tokens:
        children = token.children if token.type == "inline" else None
        for before, child in zip(children or (), (children or [])[1:], strict=False):
            if child.type == "math" and before.type == "text" and before.content.endswith(" "):
                before.content = before.content[:-1] + "\u00a0"


def _emit_paragraph(out: list[Token], opener: Token, inline: Token, closer: Token, children: list[Token]) -> None:
    while children and children[0].type in ("softbreak", "hardbreak"):
        children.pop(0)
    while children and children[-1].type in ("softbreak", "hardbreak"):
        children.pop()
    if children and children[0].type == "text":
        children[0].content = children[0].content.lstrip()
    if children and children[-1].type == "text":
        children[-1].content = children[-1].content.rstrip()
    if not any(c.type != "text" or c.content for c in children):
        return
    part = Token("inline", "", 0, children=children, level=inline.level, content="")
    out.extend([opener.copy(), part, closer.copy()])


# ---------------------------------------------------------------- autolinks

def _email_underscore(state: StateInline, silent: bool) -> bool:
    """An ``_`` inside an e-mail address's local part is text, not an emphasis delimiter.

    gfm_autolink finds a bare address at its ``@`` by looking back through the text not yet
    made a token; the emphasis rule makes every ``_`` a token of its own, so "a.b-c_d@a.b" was
    linked from "d" on. Kept as text, the whole local part is there to look back through. Only
    when the address after it is whole (GFM: the domain has a period and does not end in "-" or
    "_"), and only after local-part characters: an underscore between them can neither open nor
    close emphasis, so no emphasis is lost."""
    if state.src[state.pos] != "_" or silent or state.linkLevel > 0 or not _EMAIL_LOCAL_END.search(state.pending):
        return False  # silent: only skipping over the text, which steps over an "_" anyway
    match = _EMAIL_FROM_UNDERSCORE.match(state.src, state.pos, state.posMax)
    if match is None or not match.group(0)[-1].isalnum():
        return False
    state.pending += "_"
    state.pos += 1
    return True


def _ftp_autolink(state: StateInline, silent: bool) -> bool:
    """``ftp://host/path`` becomes a link, as GFM says; gfm_autolink links http(s), mailto and xmpp.

    GFM matches ftp URLs exactly like http ones (a valid domain, then up to the next space, less
    trailing punctuation and unbalanced parentheses), so the plugin's own http matcher decides the
    URL's extent, given the same text with the scheme spelled "http". Called at the ``:``, with
    "ftp" still in the pending text, like the plugin's rule for the other schemes."""
    if state.src[state.pos] != ":" or silent or state.linkLevel > 0 or not state.pending.endswith("ftp") \
            or not state.src.startswith("ftp", state.pos - 3):
        return False  # silent: autolinks are never part of a link's text (the plugin's rule, #160)
    from mdit_py_plugins.gfm_autolink._match import match_http
    before = state.pos - 3
    if before > 0 and state.src[before - 1] not in _AUTOLINK_PRECEDERS:
        return False  # "xftp://" or "a/ftp://": not a URL of its own
    found = match_http("http" + state.src[state.pos:state.posMax])
    if found is None:
        return False
    url = "ftp" + found[0][4:]
    href = state.md.normalizeLink(url)
    if not state.md.validateLink(href):
        return False
    state.pending = state.pending[:-3]
    token = state.push("link_open", "a", 1)
    token.attrs = {"href": href}
    token.markup, token.info = "autolink", "auto"  # marked like the plugin's links
    token = state.push("text", "", 0)
    token.content = state.md.normalizeLinkText(url)
    token = state.push("link_close", "a", -1)
    token.markup, token.info = "autolink", "auto"
    state.pos += len(url) - 3
    return True


# ---------------------------------------------------------------- callouts

def _callouts(state: StateCore) -> None:
    """``> [!TIP] Title`` (Obsidian's callout; ``+``/``-`` fold markers are read and ignored):
    the block quote is marked as a callout and the marker line becomes its title."""
    tokens = state.tokens
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if (token.type == "blockquote_open" and i + 2 < len(tokens) and tokens[i + 1].type == "paragraph_open"
                and tokens[i + 2].type == "inline"):
            first, _, rest = tokens[i + 2].content.partition("\n")
            match = _CALLOUT.fullmatch(first.strip())
            if match:
                kind = match.group(1).lower()
                title = match.group(3).strip() or kind.replace("-", " ").capitalize()
                token.meta = {"callout": kind}
                heading = Token("inline", "", 0, content=title, children=[], level=token.level + 2)
                title_tokens = [Token("callout_title_open", "p", 1, level=token.level + 1), heading,
                                Token("callout_title_close", "p", -1, level=token.level + 1)]
                if rest.strip():
                    tokens[i + 2].content = rest
                    tokens[i + 1:i + 1] = title_tokens
                else:  # the marker line was the whole paragraph
                    tokens[i + 1:i + 4] = title_tokens
                i += 1 + len(title_tokens)
                continue
        i += 1
    # Each callout's closing tag must know it closes a callout: match opens to closes.
    opened: list[Token] = []
    for token in tokens:
        if token.type == "blockquote_open":
            opened.append(token)
        elif token.type == "blockquote_close" and opened:
            if opened.pop().meta.get("callout"):
                token.meta = {"callout": True}


# ---------------------------------------------------------------- wiki-links

def _wiki_link(state: StateInline, silent: bool) -> bool:
    if not state.src.startswith("[[", state.pos):
        return False
    match = _WIKI_LINK.match(state.src, state.pos)
    if match is None or not match.group(1).strip():
        return False
    from markdown_it.common.utils import normalizeReference

    if normalizeReference(match.group(1)) in state.env.get("references", {}):
        return False  # "[[x]]" with a definition "[x]: /url" is a link in brackets, as CommonMark says
    if not silent:
        token = state.push("wiki_link", "", 0)
        target = match.group(1).strip()
        token.meta = {"target": target, "label": (match.group(2) or target).strip()}
        token.content = match.group(0)
    state.pos = match.end()
    return True
