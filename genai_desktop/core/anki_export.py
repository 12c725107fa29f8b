"""Export flashcards to an Anki package (.apkg) for review in Anki, AnkiDroid or AnkiMobile.

One note per question, with the fields Question, KeyPoints, Answer, Topic and Level. The HTML
comes from the same markdown pipeline as the reader (core/markdown_html.py) with two changes
for Anki: formulas stay LaTeX between MathJax delimiters ``\\( \\)`` / ``\\[ \\]`` (Anki
typesets them itself), and links into this app's library become plain text.

Re-exporting updates instead of duplicating: a note's GUID, the note type id and the deck ids
are derived from stable ids (question, topic) and never from the time, so Anki's importer
recognises every note it has seen before. Notes are stamped with the export time, which makes
them "newer" than the copy already in Anki, so its default import ("update if newer") takes
the changed text.

genanki is imported inside ``export_apkg`` only: it is not needed until the user exports.
"""

from __future__ import annotations

import hashlib
import html
import itertools
import os
import re
import sqlite3
import tempfile
import time
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from .content import LEVEL_NAMES, LEVELS, Library, Question
from .formulas import FormulaCache
from .markdown_html import LIGHT, MarkdownRenderer, formulas_in
from .study import Scope

APP_TAG = "GenAI-Study-Desk"
ROOT_DECK = "GenAI Study Desk"
FIELDS = ("Question", "KeyPoints", "Answer", "Topic", "Level")
# Fixed forever: Anki matches an imported note type by id, so changing this would give every
# user a second, duplicate note type on their next export.
MODEL_ID = 1_607_392_319
MODEL_NAME = "GenAI Study Desk question"

_INTERNAL_LINK = re.compile(r'<a href="(?:q|guide|topic|milestone):[^"]*">(.*?)</a>', re.S)
_LOCAL_IMAGE = re.compile(r'<img src="image:[^"]*" alt="([^"]*)">')
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


class ExportError(ValueError):
    """An export that cannot be made; the message is written for the user."""


@dataclass(frozen=True)
class ExportResult:
    path: Path
    notes: int
    decks: int
    formulas: int
    images_dropped: int = 0

    def message(self) -> str:
        notes = f"{self.notes} card{'s' if self.notes != 1 else ''}"
        decks = f"{self.decks} deck{'s' if self.decks != 1 else ''}"
        text = f"Exported {notes} in {decks} to {self.path.name}."
        if self.formulas:
            text += f" {self.formulas} formula{'s' if self.formulas != 1 else ''} will be typeset by Anki's MathJax."
        if self.images_dropped:
            text += f" {self.images_dropped} image{'s were' if self.images_dropped != 1 else ' was'} left out."
        return text


def stable_id(text: str) -> int:
    """A positive id below 2**31 from a stable string (deck ids; the same on every machine)."""
    return (1 << 30) + int.from_bytes(hashlib.sha1(text.encode()).digest()[:4], "big") % (1 << 30)


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
    """The reader's markdown pipeline, with MathJax formulas and no links into the app."""

    def __init__(self) -> None:
        # No formula is ever rendered in MathJax mode, so the cache is never consulted.
        self.renderer = MarkdownRenderer(FormulaCache(None), LIGHT, mathjax=True)
        self.images_dropped = 0

    def block(self, markdown_text: str) -> str:
        if not markdown_text.strip():
            return ""
        body = self.renderer.to_html(markdown_text)
        body = _INTERNAL_LINK.sub(r"\1", body)
        body, dropped = _LOCAL_IMAGE.subn(lambda m: f"[image: {m.group(1)}]" if m.group(1) else "[image]", body)
        self.images_dropped += dropped
        return body.strip()

    def inline(self, markdown_text: str) -> str:
        """A one-line title: the paragraph wrapper dropped, so it sits inside the template's div."""
        body = self.block(markdown_text)
        match = _PARAGRAPH.match(body)
        return match.group(1) if match else body


# ---------------------------------------------------------------- the export

def export_apkg(library: Library, question_ids: Iterable[str], out: Path, *, bookmarks: Iterable[str] = (),
                timestamp: float | None = None,
                progress: Callable[[int, int], None] | None = None) -> ExportResult:
    """Write the questions to ``out`` as an Anki package; the file appears only when complete.

    ``timestamp`` (seconds since the epoch, default now) stamps the notes: Anki updates a note
    it already has only when the package's copy is newer.
    """
    import genanki

    questions = [q for qid in dict.fromkeys(question_ids) if (q := library.question(qid))]
    if not questions:
        raise ExportError("There are no cards in this selection to export.")
    marked = set(bookmarks)
    model = genanki.Model(MODEL_ID, MODEL_NAME, fields=[{"name": name} for name in FIELDS],
                          templates=[{"name": "Recall", "qfmt": FRONT_TEMPLATE, "afmt": BACK_TEMPLATE}],
                          css=CARD_CSS, sort_field_index=0)
    renderer = AnkiHtml()
    decks: dict[str, genanki.Deck] = {}
    formulas = 0
    for done, question in enumerate(questions, 1):
        topic = library.topic(question.topic_id)
        topic_title = topic.title if topic else question.topic_id
        deck = decks.get(question.topic_id)
        if deck is None:
            deck = decks[question.topic_id] = genanki.Deck(stable_id(f"deck:{question.topic_id}"),
                                                           deck_name(topic_title))
        fields = [renderer.inline(question.title), renderer.block(question.key_points),
                  renderer.block(question.answer), html.escape(topic_title),
                  html.escape(LEVEL_NAMES.get(question.level, question.level))]
        formulas += len(formulas_in(question.title)) + len(formulas_in(question.markdown))
        deck.add_note(genanki.Note(model=model, fields=fields, guid=note_guid(question.id),
                                   sort_field=html.unescape(re.sub(r"<[^>]+>", "", fields[0])),
                                   tags=tags_for(question, question.id in marked)))
        if progress:
            progress(done, len(questions))
    _write_package(genanki.Package(list(decks.values())), out, time.time() if timestamp is None else timestamp)
    return ExportResult(out, len(questions), len(decks), formulas, renderer.images_dropped)


def _write_package(package, out: Path, timestamp: float) -> None:
    """genanki's ``write_to_file`` leaves its temporary database behind and writes the zip in
    place; this writes both next to ``out`` and renames, so a failed export leaves no
    half-written package and no litter."""
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
            archive.writestr("media", "{}")
        part.replace(out)
    except OSError as exc:
        raise ExportError(f"Could not write {out}: {exc.strerror or exc}") from exc
    finally:
        for leftover in (Path(db_name) if db_name else None, part):
            if leftover is not None and leftover.is_file():
                leftover.unlink()
