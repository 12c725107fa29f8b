"""Export flashcards to an Anki package (.apkg) for review in Anki, AnkiDroid or AnkiMobile.

One note per question, with the fields Question, KeyPoints, Answer, Topic and Level. The HTML
comes from the same markdown pipeline as the reader (core/render/markdown_html.py) with two changes
for Anki: formulas stay LaTeX between MathJax delimiters ``\\( \\)`` / ``\\[ \\]`` (Anki
typesets them itself), and links into this app's library become plain text.

Pictures in the user's own packs travel as Anki media files. A picture is taken only from
inside its question's pack folder and only when it is an image file (the same rule as the
reader); anything else stays as "[image: alt]" and is reported as left out.

Re-exporting updates instead of duplicating: a note's GUID, the note type id and the deck ids
are derived from stable ids (question, topic) and never from the time, so Anki's importer
recognises every note it has seen before. Notes are stamped with the export time, which makes
them "newer" than the copy already in Anki, so its default import ("update if newer") takes
the changed text.

genanki is imported inside ``export_apkg`` only: it is not needed until the user exports.
"""

from __future__ import annotations

import html
import itertools
import json
import os
import posixpath
import re
import sqlite3
import tempfile
import time
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path, PurePosixPath

from ..content.library import LEVEL_NAMES, LEVELS, Library, Question
from ..digest import sha1
from ..errors import UserError
from ..render.formulas import FormulaCache
from ..render.markdown_html import LIGHT, MarkdownRenderer, formulas_in
from ..render.pictures import pack_picture
from ..study.session import Scope

APP_TAG = "GenAI-Study-Desk"
ROOT_DECK = "GenAI Study Desk"
FIELDS = ("Question", "KeyPoints", "Answer", "Topic", "Level")
# Fixed forever: Anki matches an imported note type by id, so changing this would give every
# user a second, duplicate note type on their next export.
MODEL_ID = 1_607_392_319
MODEL_NAME = "GenAI Study Desk question"

_INTERNAL_LINK = re.compile(r'<a href="(?:q|guide|topic|milestone|figure):[^"]*">(.*?)</a>', re.S)
_LOCAL_IMAGE = re.compile(r'<img src="image:([^"]*)" alt="([^"]*)"(?: title="[^"]*")?>')
_PARAGRAPH = re.compile(r"\A<p>(.*)</p>\Z", re.S)

FRONT_TEMPLATE = """\
<div class="gsd-caption">{{Topic}}{{#Level}} · {{Level}}{{/Level}}</div>
<div class="gsd-question">{{Question}}</div>"""

BACK_TEMPLATE = """\
{{FrontSide}}
<hr id="answer">
<div class="gsd-keypoints"><div class="gsd-label">Key points</div>{{KeyPoints}}</div>
{{#Answer}}<details class="gsd-answer"><summary>Full answer</summary>{{Answer}}</details>{{/Answer}}"""

# Anki puts .card on <body> and adds .nightMode in its dark theme; code blocks keep their own
# inline background, so they stay readable in both.
CARD_CSS = """\
.card { font-family: -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  font-size: 18px; line-height: 1.5; text-align: left; color: #1f2328; background: #ffffff;
  max-width: 44em; margin: 0 auto; padding: 0 14px; }
.card.nightMode { color: #e6e6e6; background: #1e1f22; }
.gsd-caption { font-size: 13px; color: #667085; margin: 8px 0 4px; }
.nightMode .gsd-caption { color: #9aa0aa; }
.gsd-question { font-size: 22px; font-weight: 600; margin-bottom: 12px; }
.gsd-keypoints { background: #eef4ff; border-left: 4px solid #4c7bd9; padding: 10px 14px; margin: 12px 0; }
.nightMode .gsd-keypoints { background: #23314d; border-left-color: #7aa2f7; }
.gsd-label { font-size: 12px; font-weight: 700; letter-spacing: 0.06em; text-transform: uppercase; color: #4c7bd9; }
.nightMode .gsd-label { color: #7aa2f7; }
.gsd-keypoints p:last-child { margin-bottom: 0; }
.gsd-answer summary { cursor: pointer; color: #4c7bd9; margin: 8px 0; }
.nightMode .gsd-answer summary { color: #7aa2f7; }
.gsd-answer table:not(.code):not(.formula) { border-collapse: collapse; margin: 8px 0; }
.gsd-answer th, .gsd-answer td { border: 1px solid #d0d7de; padding: 4px 8px; }
.gsd-answer table.code td { border: none; }
.nightMode .gsd-answer th, .nightMode .gsd-answer td { border-color: #3a3d44; }
pre { white-space: pre-wrap; margin: 0; font-size: 14px; }
table.code { color: #1f2328; border-radius: 6px; margin: 8px 0; }
.codelang { font-size: 12px; }
"""




# The HTML a card may hold: what the markdown pipeline writes, and the harmless part of what a
# user's raw HTML may add. Everything else is left out by sanitize_card_html.
ALLOWED_TAGS = frozenset({
    "a", "abbr", "b", "blockquote", "br", "caption", "code", "col", "colgroup", "dd", "del", "div", "dl", "dt", "em",
    "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins", "kbd", "li", "mark", "ol", "p", "pre", "q", "s",
    "samp", "small", "span", "strong", "sub", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul",
})
ALLOWED_ATTRIBUTES: dict[str, set[str]] = {
    "*": {"class", "title", "style", "align", "valign", "width", "height", "lang"},
    "a": {"href"},
    "img": {"src", "alt"},
    "ol": {"start", "type"},
    "table": {"cellpadding", "cellspacing", "border"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "col": {"span"},
    "colgroup": {"span"},
}
# Left out together with everything inside them (their text is code or invisible).
_DROPPED_WITH_CONTENT = frozenset({
    "script", "style", "iframe", "frame", "frameset", "object", "embed", "applet", "noscript", "noembed",
    "template", "svg", "math", "form", "select", "textarea", "title", "head", "audio", "video", "canvas",
})
# Elements that never have an end tag (a dropped <frame> or <embed> must not swallow the page).
_VOID = frozenset({"area", "base", "br", "col", "embed", "frame", "hr", "img", "input", "keygen", "link", "meta",
                   "param", "source", "track", "wbr"})
_SAFE_LINK = re.compile(r"^(?:https?://|mailto:)", re.I)
_MEDIA_NAME = re.compile(r"^[A-Za-z0-9._-]+$")  # a file in Anki's flat media folder, as media_name() writes
_UNSAFE_STYLE = re.compile(r"url\s*\(|expression|@import|javascript|behavior|-moz-binding|\\", re.I)


class _Sanitizer(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.dropping: list[str] = []  # open elements whose content is left out

    def handle_starttag(self, tag: str, attrs) -> None:
        self._start(tag, attrs, closed=False)

    def handle_startendtag(self, tag: str, attrs) -> None:
        self._start(tag, attrs, closed=True)

    def _start(self, tag: str, attrs, closed: bool) -> None:
        if self.dropping or tag in _DROPPED_WITH_CONTENT or tag not in ALLOWED_TAGS:
            if tag in _DROPPED_WITH_CONTENT and not closed and tag not in _VOID:
                self.dropping.append(tag)
            return
        allowed = ALLOWED_ATTRIBUTES["*"] | ALLOWED_ATTRIBUTES.get(tag, set())
        kept = []
        for name, value in attrs:
            value = value or ""
            if name not in allowed or not _safe_value(tag, name, value):
                continue
            kept.append(f' {name}="{html.escape(value, quote=True)}"')
        if tag == "img" and not any(part.startswith(' src="') for part in kept):
            alt = next((value for name, value in attrs if name == "alt" and value), "")
            self.out.append(html.escape(f"[image: {alt}]" if alt else "[image]", quote=False))
            return
        self.out.append(f"<{tag}{''.join(kept)}>")

    def handle_endtag(self, tag: str) -> None:
        if self.dropping:
            if tag == self.dropping[-1]:
                self.dropping.pop()
            return
        if tag in ALLOWED_TAGS and tag not in _VOID:
            self.out.append(f"</{tag}>")

    def handle_data(self, data: str) -> None:
        if not self.dropping:
            self.out.append(html.escape(data, quote=False))

    # comments, declarations, processing instructions and CDATA are left out: none of them
    # shows anything, and conditional comments can hold markup.


def _safe_value(tag: str, name: str, value: str) -> bool:
    squeezed = re.sub(r"[\x00-\x20\x7f]+", "", value)  # browsers ignore these inside a scheme ("java\tscript:")
    if name == "href":
        return bool(_SAFE_LINK.match(squeezed))
    if name == "src":
        return tag == "img" and bool(_MEDIA_NAME.match(value)) and value not in (".", "..")
    if name == "style":
        return not _UNSAFE_STYLE.search(value)
    return "javascript:" not in squeezed.lower()


def sanitize_card_html(fragment: str) -> str:
    """``fragment`` reduced to ALLOWED_TAGS and ALLOWED_ATTRIBUTES: no scripts, frames, forms or
    event handlers; links only to http(s) and mailto; pictures only from the package's own media
    (no remote, ``file:`` or ``data:`` source, which a card would load on display); styles
    without ``url()``. Text is re-escaped, so what comes out parses as what was kept."""
    parser = _Sanitizer()
    parser.feed(fragment)
    parser.close()
    return "".join(parser.out)


class ExportError(UserError, ValueError):
    """An export that cannot be made; the message is written for the user."""


@dataclass(frozen=True)
class ExportResult:
    path: Path
    notes: int
    decks: int
    formulas: int
    images_dropped: int = 0
    images_included: int = 0

    def message(self) -> str:
        notes = f"{self.notes} card{'s' if self.notes != 1 else ''}"
        decks = f"{self.decks} deck{'s' if self.decks != 1 else ''}"
        text = f"Exported {notes} in {decks} to {self.path.name}."
        if self.formulas:
            text += f" {self.formulas} formula{'s' if self.formulas != 1 else ''} will be typeset by Anki's MathJax."
        if self.images_included or self.images_dropped:
            pictures = self.images_included or self.images_dropped
            text += f" {pictures} picture{'s' if pictures != 1 else ''} "
            text += "included" if self.images_included else "left out"
            if self.images_included and self.images_dropped:
                text += f", {self.images_dropped} left out"
            text += " (missing, outside its pack or not an image)." if self.images_dropped else "."
        return text


def stable_id(text: str) -> int:
    """A positive id below 2**31 from a stable string (deck ids; the same on every machine)."""
    return (1 << 30) + int.from_bytes(sha1(text.encode()).digest()[:4], "big") % (1 << 30)


def note_guid(question_id: str) -> str:
    import genanki

    return genanki.guid_for(APP_TAG, question_id)


def deck_name(topic_title: str) -> str:
    # "::" separates Anki sub-decks; a title holding it would nest one level too deep.
    return f"{ROOT_DECK}::{topic_title.replace('::', ':')}"


def tags_for(question: Question, bookmarked: bool = False) -> list[str]:
    """Hierarchical tags under one root, so the user's own tag tree stays tidy."""
    tags = [APP_TAG, f"{APP_TAG}::topic::{_tag_part(question.topic_id)}"]
    if question.level:  # imported notes have none
        tags.append(f"{APP_TAG}::level::{_tag_part(question.level)}")
    if question.pack != "builtin":
        tags.append(f"{APP_TAG}::pack::{_tag_part(question.pack)}")
    if bookmarked:
        tags.append(f"{APP_TAG}::bookmarked")
    return tags


def _tag_part(text: str) -> str:
    return re.sub(r"\s+", "_", text.strip()) or "none"


def media_name(pack: str, relative: str) -> str:
    """The name a pack's picture has in Anki's media folder, the same on every export.

    Anki keeps all media in one flat folder, so two packs' "diagram.png" must not collide: a
    short hash of pack id and path keeps names apart, the stem stays readable, the suffix stays
    (Anki and the card's web view go by it)."""
    path = PurePosixPath(relative)
    digest = sha1(f"{pack}\0{path.as_posix()}".encode()).hexdigest()[:10]
    stem = re.sub(r"[^A-Za-z0-9_-]+", "-", path.stem).strip("-")[:40] or "image"
    return f"gsd-{digest}-{stem}{path.suffix.lower()}"


# ---------------------------------------------------------------- scopes

def parse_scope(text: str, library: Library) -> Scope:
    """``all``, ``topic:ID``, ``level:dev1|dev2|researcher`` (or 1-3), ``bookmarks`` or ``pack:ID``."""
    kind, _, value = text.strip().partition(":")
    kind, value = kind.lower(), value.strip()
    if kind == "all" and not value:
        return Scope()
    if kind == "bookmarks" and not value:
        return Scope("bookmarks", "", "Bookmarks")
    if kind == "topic":
        topic = library.topic(value)
        if topic is None:
            known = ", ".join(t.id for t in library.topics[:8])
            raise ExportError(f"No topic called {value!r}. Topics include: {known}.")
        return Scope("topic", topic.id, topic.title)
    if kind == "level":
        level = LEVELS[int(value) - 1] if value.isdigit() and 1 <= int(value) <= len(LEVELS) else value
        if level not in LEVELS:
            raise ExportError(f"No level called {value!r}: use one of {', '.join(LEVELS)} (or 1-{len(LEVELS)}).")
        return Scope("level", level, LEVEL_NAMES[level])
    if kind == "pack":
        if not any(q.pack == value for q in library.questions()):
            raise ExportError(f"No pack called {value!r} holds any question.")
        return Scope("pack", value, f"Pack {value}")
    raise ExportError(f"Unknown scope {text!r}: use all, topic:ID, level:N, bookmarks or pack:ID.")


# ---------------------------------------------------------------- HTML for Anki

class AnkiHtml:
    """The reader's markdown pipeline, with MathJax formulas and no links into the app.

    Local pictures of the question being rendered become Anki media: ``media`` maps each media
    name to its file; pictures that cannot be shipped are collected in ``left_out``."""

    def __init__(self, rasterise: Callable[[Path], bytes] | None = None) -> None:
        # No formula is ever rendered in MathJax mode, so the cache is never consulted.
        self.renderer = MarkdownRenderer(FormulaCache(None), LIGHT, mathjax=True, copy_links=False)
        # SVG figures become PNGs (light palette, white ground) through ``rasterise`` when the
        # caller has one (Qt draws them; core cannot): every Anki client shows a PNG the same way.
        self.rasterise = rasterise
        self.media: dict[str, Path | bytes] = {}
        self.left_out: set[tuple[str, str]] = set()  # (pack, path as written), each picture once
        self._found: dict[tuple[Path, str], Path | None] = {}

    @property
    def images_dropped(self) -> int:
        return len(self.left_out)

    def block(self, markdown_text: str, question: Question | None = None) -> str:
        if not markdown_text.strip():
            return ""
        body = self.renderer.to_html(markdown_text)
        body = _INTERNAL_LINK.sub(r"\1", body)
        if "image:" in body:
            body = _LOCAL_IMAGE.sub(lambda m: self._picture(m.group(1), m.group(2), question), body)
        return sanitize_card_html(body).strip()

    def inline(self, markdown_text: str, question: Question | None = None) -> str:
        """A one-line title: the paragraph wrapper dropped, so it sits inside the template's div."""
        body = self.block(markdown_text, question)
        match = _PARAGRAPH.match(body)
        return match.group(1) if match else body

    def _picture(self, src: str, alt: str, question: Question | None) -> str:
        """An ``<img>`` naming the media file, or the "[image: alt]" text when it is left out."""
        from urllib.parse import unquote, urlsplit

        relative = unquote(urlsplit(src).path)
        pack = question.pack if question else ""
        # A pack's topics/ and guides/ sit directly in its folder, as the reader assumes.
        root = question.path.parent.parent if question else None
        found = None
        if root is not None:
            key = (root, relative)
            if key not in self._found:
                self._found[key] = pack_picture(root, relative)
            found = self._found[key]
        if found is None:
            self.left_out.add((pack, posixpath.normpath(relative)))  # "./a.png" and "a.png" are one picture
            return f"[image: {alt}]" if alt else "[image]"
        name = media_name(pack, found.relative_to(root.resolve()).as_posix())
        if name.endswith(".svg") and self.rasterise is not None:
            png = name.removesuffix(".svg") + ".png"
            if png not in self.media:
                try:
                    self.media[png] = self.rasterise(found)
                except Exception:  # noqa: BLE001 - the SVG itself still travels; Anki shows it too
                    png = None
            if png is not None:
                return f'<img src="{png}" alt="{alt}">'
        self.media[name] = found
        return f'<img src="{name}" alt="{alt}">'  # the alt is already escaped by the pipeline


# ---------------------------------------------------------------- the export

def export_apkg(library: Library, question_ids: Iterable[str], out: Path, *, bookmarks: Iterable[str] = (),
                timestamp: float | None = None, progress: Callable[[int, int], None] | None = None,
                rasterise: Callable[[Path], bytes] | None = None) -> ExportResult:
    """Write the questions to ``out`` as an Anki package; the file appears only when complete.

    ``timestamp`` (seconds since the epoch, default now) stamps the notes: Anki updates a note
    it already has only when the package's copy is newer. ``rasterise`` turns an SVG figure into
    PNG bytes (the caller's Qt does it); without it figures travel as SVG.
    """
    import genanki

    questions = [q for qid in dict.fromkeys(question_ids) if (q := library.question(qid))]
    if not questions:
        raise ExportError("There are no cards in this selection to export.")
    marked = set(bookmarks)
    model = genanki.Model(MODEL_ID, MODEL_NAME, fields=[{"name": name} for name in FIELDS],
                          templates=[{"name": "Recall", "qfmt": FRONT_TEMPLATE, "afmt": BACK_TEMPLATE}],
                          css=CARD_CSS, sort_field_index=0)
    renderer = AnkiHtml(rasterise)
    decks: dict[str, genanki.Deck] = {}
    formulas = 0
    for done, question in enumerate(questions, 1):
        topic = library.topic(question.topic_id)
        topic_title = topic.title if topic else question.topic_id
        deck = decks.get(question.topic_id)
        if deck is None:
            deck = decks[question.topic_id] = genanki.Deck(stable_id(f"deck:{question.topic_id}"),
                                                           deck_name(topic_title))
        # The back shows the key points and, where the key idea is visual, the question's figure.
        back = question.key_points + (f"\n\n{figure}" if (figure := question.figure_markdown()) else "")
        fields = [renderer.inline(question.title, question), renderer.block(back, question),
                  renderer.block(question.answer, question), html.escape(topic_title),
                  html.escape(LEVEL_NAMES.get(question.level, question.level))]
        formulas += len(formulas_in(question.title)) + len(formulas_in(question.markdown))
        deck.add_note(genanki.Note(model=model, fields=fields, guid=note_guid(question.id),
                                   sort_field=html.unescape(re.sub(r"<[^>]+>", "", fields[0])),
                                   tags=tags_for(question, question.id in marked)))
        if progress:
            progress(done, len(questions))
    _write_package(genanki.Package(list(decks.values())), out, time.time() if timestamp is None else timestamp,
                   renderer.media)
    return ExportResult(out, len(questions), len(decks), formulas, renderer.images_dropped, len(renderer.media))


def _write_package(package, out: Path, timestamp: float, media: dict[str, Path | bytes] | None = None) -> None:
    """genanki's ``write_to_file`` leaves its temporary database behind and writes the zip in
    place; this writes both next to ``out`` and renames, so a failed export leaves no
    half-written package and no litter.

    ``media`` (media name -> file) is laid out as genanki and Anki do it: the files are stored
    as "0", "1", ... and the "media" entry maps each number to the name the cards use. Its own
    names are why ``package.media_files`` (which goes by each file's base name) is not used."""
    part = out.with_name(out.name + ".part")
    db_name = ""
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        handle, db_name = tempfile.mkstemp(prefix=".anki-export-", suffix=".anki2", dir=out.parent)
        os.close(handle)
        conn = sqlite3.connect(db_name)
        try:
            package.write_to_db(conn.cursor(), timestamp, itertools.count(int(timestamp * 1000)))
            conn.commit()
        finally:
            conn.close()
        with zipfile.ZipFile(part, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.write(db_name, "collection.anki2")
            numbered = dict(enumerate(sorted(media or {})))
            archive.writestr("media", json.dumps({str(index): name for index, name in numbered.items()}))
            for index, name in numbered.items():
                # PNG, JPEG, GIF and WebP are compressed already; only SVG text gains from deflate.
                kind = zipfile.ZIP_DEFLATED if name.endswith(".svg") else zipfile.ZIP_STORED
                if isinstance(media[name], bytes):
                    archive.writestr(str(index), media[name], compress_type=kind)
                else:
                    archive.write(media[name], str(index), compress_type=kind)
        part.replace(out)
    except OSError as exc:
        raise ExportError(f"Could not write {out}: {exc.strerror or exc}") from exc
    finally:
        for leftover in (Path(db_name) if db_name else None, part):
            if leftover is not None and leftover.is_file():
                leftover.unlink()
