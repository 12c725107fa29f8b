"""Import Anki's "Notes in Plain Text" export as a user pack.

Anki writes one note per line, fields separated by a tab (or the separator its header names),
fields holding a separator, a quote or a line break in double quotes, and a few header lines:

    #separator:tab
    #html:true
    #guid column:1
    #notetype column:2
    #deck column:3
    #tags column:6
    Fr|{Dyqpnn<TAB>Basic<TAB>Physics::Waves<TAB>What is <b>x</b>?<TAB>"two<br>lines"<TAB>tag1

Older exports have no header at all. The first remaining field is the front, the second the
back, any others are added to the back. Each deck becomes a topic; the HTML Anki stores becomes
markdown (bold, italics, lists, code, tables, line breaks); MathJax ``\\( \\)`` / ``\\[ \\]`` and
the ``[$]…[/$]`` LaTeX tags become ``$…$`` / ``$$…$$``; cloze deletions ask with ``[…]`` and
answer in bold. Media files are not part of a text export: images and sounds are named, not
shown. The result is an ``ImportPlan`` written by ``core/packs/user_packs.py``, so importing the same file
again updates the same pack and keeps the review history of every card still in it.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from ..content.text_clean import clean_text
from ..packs.notes_import.model import Entry, ImportPlan, NotesError, TopicPlan
from ..packs.notes_import.reading import MAX_BYTES, decode_notes
from ..packs.notes_import.text import title_from_name

SUFFIXES = (".txt", ".tsv", ".csv")
MAX_TITLE = 150
SEPARATORS = {"tab": "\t", "comma": ",", "semicolon": ";", "space": " ", "pipe": "|", "colon": ":"}
_HEADER = re.compile(r"^#([A-Za-z ]+):(.*)$")
_LOOKS_HTML = re.compile(r"<(?:br|div|p|b|i|u|em|strong|span|ul|ol|li|img|code|pre|sub|sup|a|table|font|hr)\b",
                         re.I)
_CLOZE = re.compile(r"\{\{c\d+::(.*?)(?:::(.*?))?\}\}", re.S)
_SOUND = re.compile(r"\[sound:[^\]]*\]")
# Code and math are left exactly as written; only the text between them is escaped.
_PROTECTED = re.compile(r"(```.*?```|`[^`\n]+`|\\\(.*?\\\)|\\\[.*?\\\]|\$\$.*?\$\$|(?<!\\)\$[^$\n]+\$)", re.S)
_ANKI_LATEX = ((re.compile(r"\[\$\$\](.*?)\[/\$\$\]", re.S), "display"),
               (re.compile(r"\[\$\](.*?)\[/\$\]", re.S), "inline"),
               (re.compile(r"\[latex\](.*?)\[/latex\]", re.S), "display"))


class AnkiTextError(NotesError):
    """A file that is not an Anki plain-text export we can read; the message is for the user."""


@dataclass
class Header:
    separator: str | None = None
    html: bool | None = None
    deck: str = ""
    meta_columns: dict[str, int] | None = None  # guid/notetype/deck/tags -> 0-based column
    lines: int = 0


# ---------------------------------------------------------------- HTML -> markdown

class _Markdown(HTMLParser):
    """The small HTML subset Anki's editor writes, as markdown."""

    BLOCKS = {"div", "p", "blockquote", "section", "article", "center"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.lists: list[list] = []  # [tag, counter]
        self.pre = 0
        self.code = 0
        self.link: str | None = None
        self.table: list[list[str]] | None = None
        self.cell: list[str] | None = None
        self.dropped_media = 0

    # writing
    def _write(self, text: str) -> None:
        (self.cell if self.cell is not None else self.out).append(text)

    def _newline(self, blank: bool = False) -> None:
        if self.cell is not None:
            self.cell.append(" ")
            return
        text = "".join(self.out)
        wanted = "\n\n" if blank else "\n"
        if text and not text.endswith(wanted):
            self.out.append("\n" if blank and text.endswith("\n") else wanted)

    def handle_starttag(self, tag: str, attrs) -> None:
        attrs = dict(attrs)
        if tag == "br":
            self._write("\n" if self.pre else "  \n" if self.cell is None else " ")
        elif tag in self.BLOCKS or tag == "hr":
            self._newline(blank=tag != "div")
        elif tag in ("b", "strong"):
            self._write("**")
        elif tag in ("i", "em"):
            self._write("*")
        elif tag == "code" and not self.pre:
            self.code += 1
            self._write("`")
        elif tag == "pre":
            self._newline(blank=True)
            self.pre += 1
            self._write("```\n")
        elif tag in ("ul", "ol"):
            if not self.lists:
                self._newline(blank=True)
            self.lists.append([tag, 0])
        elif tag == "li":
            self._newline()
            depth = max(0, len(self.lists) - 1)
            kind = self.lists[-1] if self.lists else ["ul", 0]
            kind[1] += 1
            self._write(" " * (4 * depth) + (f"{kind[1]}. " if kind[0] == "ol" else "- "))
        elif re.fullmatch(r"h[1-6]", tag):
            self._newline(blank=True)
            self._write("### ")  # never "#"/"##": "## " starts a new question in a pack
        elif tag == "img":
            self.dropped_media += 1
            self._write(f"[image: {attrs.get('alt') or attrs.get('src') or 'picture'}]")
        elif tag == "a" and (attrs.get("href") or "").startswith(("http://", "https://")):
            self.link = attrs["href"]
            self._write("[")
        elif tag == "table":
            self._newline(blank=True)
            self.table = []
        elif tag == "tr" and self.table is not None:
            self.table.append([])
        elif tag in ("td", "th") and self.table is not None:
            self.cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in self.BLOCKS:
            self._newline(blank=tag != "div")
        elif tag in ("b", "strong"):
            self._write("**")
        elif tag in ("i", "em"):
            self._write("*")
        elif tag == "code" and self.code and not self.pre:
            self.code -= 1
            self._write("`")
        elif tag == "pre" and self.pre:
            self.pre -= 1
            if not "".join(self.out).endswith("\n"):
                self._write("\n")
            self._write("```")
            self._newline(blank=True)
        elif tag in ("ul", "ol") and self.lists:
            self.lists.pop()
            if not self.lists:
                self._newline(blank=True)
        elif re.fullmatch(r"h[1-6]", tag):
            self._newline(blank=True)
        elif tag == "a" and self.link:
            self._write(f"]({self.link})")
            self.link = None
        elif tag in ("td", "th") and self.cell is not None and self.table:
            self.table[-1].append(" ".join("".join(self.cell).split()).replace("|", "\\|"))
            self.cell = None
        elif tag == "table" and self.table is not None:
            rows, self.table = [r for r in self.table if r], None
            if rows:
                width = max(len(r) for r in rows)
                rows = [r + [""] * (width - len(r)) for r in rows]
                lines = [f"| {' | '.join(rows[0])} |", f"|{'---|' * width}"]
                lines += [f"| {' | '.join(r)} |" for r in rows[1:]]
                self._write("\n".join(lines))
            self._newline(blank=True)

    def handle_data(self, data: str) -> None:
        data = data.replace("\xa0", " ")
        if not self.pre:
            data = re.sub(r"[ \t\r\n]+", " ", data)
        self._write(data)


def html_to_markdown(fragment: str) -> tuple[str, int]:
    """Markdown for one field's HTML, and how many images were left out."""
    parser = _Markdown()
    parser.feed(fragment)
    parser.close()
    return tidy("".join(parser.out)), parser.dropped_media


def tidy(text: str) -> str:
    """Trailing spaces, runs of blank lines, and lines a pack would misread."""
    lines, fence = [], False
    for line in text.split("\n"):
        if line.startswith("```"):
            fence = not fence
        elif not fence:
            hard_break = line.endswith("  ") and line.strip()
            line = line.rstrip() + ("  " if hard_break else "")
            line = line.lstrip() if not re.match(r"^ *(?:[-*+]|\d+\.) ", line) else line
            if re.match(r"^#{1,2}(?:\s|$)", line):
                line = "\\" + line  # "# x" and "## x" would start a page or a question
        lines.append(line)
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip().removesuffix("  ").strip()


def plain_to_markdown(text: str) -> str:
    return tidy(text.replace("\r\n", "\n"))


def convert_math(text: str) -> str:
    """Anki's math notations to the pack's ``$…$`` / ``$$…$$`` (FORMAT.md); ``<`` in text escaped so
    it stays text, while code and math keep every character."""
    for pattern, kind in _ANKI_LATEX:
        text = pattern.sub(lambda m, k=kind: f"\\[{m.group(1)}\\]" if k == "display" else f"\\({m.group(1)}\\)", text)
    parts = []
    for n, piece in enumerate(_PROTECTED.split(text)):
        if n % 2 == 0:
            parts.append(piece.replace("<", "&lt;"))
        elif piece.startswith("\\("):
            parts.append(f"${' '.join(piece[2:-2].split())}$")
        elif piece.startswith("\\["):
            parts.append(f"\n\n$$\n{piece[2:-2].strip()}\n$$\n\n")
        else:
            parts.append(piece)
    return re.sub(r"\n{3,}", "\n\n", "".join(parts)).strip()


# ---------------------------------------------------------------- the file

def read_header(lines: list[str]) -> Header:
    header = Header(meta_columns={})
    for line in lines:
        match = _HEADER.match(line)
        if not match:
            break
        key, value = match.group(1).strip().lower(), match.group(2).strip()
        header.lines += 1
        if key == "separator":
            header.separator = SEPARATORS.get(value.lower(), value[:1] or None)
        elif key == "html":
            header.html = value.lower() == "true"
        elif key == "deck":
            header.deck = value
        elif key.endswith(" column") and value.isdigit() and int(value) >= 1:
            header.meta_columns[key.removesuffix(" column")] = int(value) - 1
    return header


def _sniff_separator(sample: str) -> str:
    first = next((line for line in sample.split("\n") if line.strip()), "")
    for separator in ("\t", ";", ","):
        if separator in first:
            return separator
    return "\t"


def _entry(front: str, back: str, is_html: bool, line: int) -> tuple[Entry | None, int]:
    dropped = len(_SOUND.findall(front + back))
    front, back = _SOUND.sub("", front), _SOUND.sub("", back)
    if _CLOZE.search(front):  # a cloze note: ask with the gaps, answer with the whole text in bold
        asked = _CLOZE.sub(lambda m: f"[{m.group(2) or '…'}]", front)
        answered = _CLOZE.sub(lambda m: f"<b>{m.group(1)}</b>" if is_html else f"**{m.group(1)}**", front)
        front, back = asked, answered + ("<br><br>" if is_html else "\n\n") + back
    if is_html:
        (front_md, lost_front), (back_md, lost_back) = html_to_markdown(front), html_to_markdown(back)
        dropped += lost_front + lost_back
    else:
        front_md, back_md = plain_to_markdown(front), plain_to_markdown(back)
    # After the HTML is read: "&#x202E;" or "&#0;" become the characters the rule removes.
    front_md, back_md = clean_text(convert_math(front_md)), clean_text(convert_math(back_md))
    title = plain_title(front_md)
    if not title:
        return None, dropped
    if "\n" in front_md.strip() or len(title) > MAX_TITLE:
        # A long or multi-line front: a short heading, and the whole front kept under the answer.
        first = next(line for line in front_md.split("\n") if line.strip())
        title = plain_title(re.sub(r"^\s*(?:[-*+]|\d+\.)\s+", "", first))
        if len(title) > MAX_TITLE:
            title = title[:MAX_TITLE].rsplit(" ", 1)[0] + " …"
        back_md = f"{back_md}\n\n### The whole question\n\n{front_md}".strip()
    return Entry(title, back_md, line), dropped


def plain_title(markdown_text: str) -> str:
    """Titles are plain text in the app (the sidebar, the page heading): no emphasis marks or
    escapes, one line. Formulas stay as ``$…$``."""
    text = " ".join(markdown_text.split())
    text = re.sub(r"\*\*(.+?)\*\*", r"\1", text)
    text = re.sub(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])", r"\1", text)
    text = re.sub(r"`([^`]+)`", r"\1", text)
    return text.replace("&lt;", "<").removeprefix("\\")


def plan_anki_text(text: str, source_name: str, sha1: str = "") -> ImportPlan:
    """Parse the text of an export into a plan (nothing is written)."""
    lines = text.split("\n")
    header = read_header(lines)
    body = "\n".join(lines[header.lines:])
    separator = header.separator or _sniff_separator(body[:4096])
    meta = set((header.meta_columns or {}).values())
    deck_column = (header.meta_columns or {}).get("deck")
    is_html = header.html if header.html is not None else bool(_LOOKS_HTML.search(body[:65536]))
    plan = ImportPlan(title_from_name(source_name), source_name, "anki", source_sha1=sha1)
    topics: dict[str, TopicPlan] = {}
    skipped = single_field = dropped = 0
    reader = csv.reader(io.StringIO(body), delimiter=separator, quotechar='"', doublequote=True, strict=False)
    try:
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue
            line = header.lines + reader.line_num
            fields = [cell for n, cell in enumerate(row) if n not in meta]
            if len(fields) < 2:
                single_field += 1
            deck = row[deck_column].strip() if deck_column is not None and deck_column < len(row) else header.deck
            entry, lost = _entry(fields[0] if fields else "", "\n\n".join(f for f in fields[1:] if f.strip()),
                                 is_html, line)
            dropped += lost
            if entry is None:
                skipped += 1
                continue
            title = deck.replace("::", " › ") if deck and deck != "Default" else plan.title
            topic = topics.get(title)
            if topic is None:
                topic = topics[title] = TopicPlan(title, line)
            topic.entries.append(entry)
    except csv.Error as exc:
        raise AnkiTextError(f"{source_name} could not be read as Anki text (line {reader.line_num}: {exc}).") from exc
    plan.topics = list(topics.values())
    if not plan.question_count:
        raise AnkiTextError(f"{source_name} holds no notes: it is empty or not an Anki plain-text export.")
    if single_field == plan.question_count + skipped:
        raise AnkiTextError(f"{source_name} does not look like an Anki plain-text export: no line has a front and a "
                            f"back separated by {'a tab' if separator == chr(9) else repr(separator)}. In Anki use "
                            "File → Export… → Notes in Plain Text.")
    if skipped:
        plan.warnings.append(f"{skipped} note{'s' if skipped != 1 else ''} with an empty front were skipped.")
    if dropped:
        plan.warnings.append(f"{dropped} image{'s' if dropped != 1 else ''} or sound{'s' if dropped != 1 else ''} "
                             "are not part of a text export and show as their names.")
    return plan


def read_anki_text(path: Path) -> ImportPlan:
    """Read and parse an export file; raises AnkiTextError/NotesError with a message for the user."""
    if path.suffix.lower() not in SUFFIXES:
        raise AnkiTextError(f"{path.name}: choose the .txt file Anki writes with File → Export… → "
                            "Notes in Plain Text.")
    try:
        if path.stat().st_size > MAX_BYTES:  # checked before reading: never load a huge file whole
            raise AnkiTextError(f"{path.name} is larger than {MAX_BYTES // 1024 // 1024} MB; "
                                "export fewer decks at once.")
        data = path.read_bytes()
    except OSError as exc:
        raise AnkiTextError(f"Cannot read {path.name}: {exc.strerror or exc}") from exc
    decoded = decode_notes(data, path.name)
    plan = plan_anki_text(decoded.text, path.name, decoded.sha1)
    plan.source, plan.encoding = path, decoded.encoding
    plan.warnings[:0] = decoded.warnings
    return plan


def import_anki_text(path: Path, packs_root: Path) -> tuple[Path, ImportPlan]:
    """Read an export and write it as the user pack named after the file (updated in place when
    the same file is imported again). Returns the pack folder and the plan."""
    from ..packs.user_packs import pack_id_for, write_pack

    plan = read_anki_text(path)
    return write_pack(packs_root, plan, pack_id_for(path.name)), plan
