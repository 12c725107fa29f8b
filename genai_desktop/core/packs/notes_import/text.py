"""Line-level helpers every notes parser shares: code fences, headings, titles and bodies."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ...content.text_clean import clean_text

_FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})(?P<info>.*)$")
_RULE = re.compile(r"^ {0,3}(?:-[ \t]*){3,}$|^ {0,3}(?:\*[ \t]*){3,}$|^ {0,3}(?:_[ \t]*){3,}$|^ {0,3}={3,}$")
_LIST_ITEM = re.compile(r"^(?P<indent>[ \t]*)(?:[-*+]|\d{1,9}[.)])[ \t]+")
_NUMBER = re.compile(r"^(?:Q\s*)?\d{1,4}(?:\.\d{1,3})*[.):](?=\s|$)\s*|^[.)]\s+")
_EMPHASIS = re.compile(r"\*\*|__")
_PROMPT_WORDS = re.compile(
    r"(?i)\b(help me|can you|could you|please|give me|i am trying|i'm trying|i want|make sure|"
    r"put the|create \d+|generate \d+|write \d+|act as|you are an?)\b")
_CHAT_OPENER = re.compile(
    r"^(?:certainly|absolutely|sure|of course|great question|okay|ok)\b[!,.]*\s*"
    r"(?:(?:let['’]s|let us) (?:delve|dive|look|explore|go)\s+(?:into|at|through)?\s*"
    r"(?:each of )?(?:these |the )?)?(?:here['’]?s |here is |here are )?(?:some |a )?", re.I)
MAX_LIST_DEPTH = 12
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.I)
# A hash, an id or a timestamp in a file name: six or more hex digits, at least one a digit.
_ID_LIKE = re.compile(r"(?=[0-9a-f]*\d)[0-9a-f]{6,}", re.I)
_LETTER = re.compile(r"[^\W\d_]")


@dataclass(frozen=True)
class Fences:
    """Which lines are inside a closed code fence, and where unclosed fences were opened."""

    in_code: list[bool]
    unclosed: list[int]  # 0-based lines of fences that never close (treated as plain text)
    count: int


def scan_fences(lines: list[str]) -> Fences:
    in_code = [False] * len(lines)
    unclosed: list[int] = []
    count = 0
    i = 0
    while i < len(lines):
        line = lines[i]
        # Cheap test first: this runs over every line of files with 100,000 questions.
        opener = _FENCE.match(line) if ("`" in line or "~" in line) else None
        if not opener or (opener.group("fence")[0] == "`" and "`" in opener.group("info")):
            i += 1
            continue
        char, size = opener.group("fence")[0], len(opener.group("fence"))
        end = i + 1
        while end < len(lines):
            stripped = lines[end].strip()
            if stripped.startswith(char * size) and not stripped.strip(char):
                break
            end += 1
        if end >= len(lines):
            # Never closed: reading it as code would swallow every heading after it.
            unclosed.append(i)
            i += 1
            continue
        for n in range(i, end + 1):
            in_code[n] = True
        count += 1
        i = end + 1
    return Fences(in_code, unclosed, count)


def heading(line: str) -> tuple[int, str] | None:
    """(level, title) of an ATX heading (``## Title ##``), else None.

    Written out by hand: a regex with a lazy title and an optional closing ``#`` run
    backtracks over every character, and this runs on every line of very large files.
    """
    if "#" not in line[:4]:
        return None
    stripped = line.lstrip(" ")
    if len(line) - len(stripped) > 3:
        return None
    marks = len(stripped) - len(stripped.lstrip("#"))
    rest = stripped[marks:]
    if not 1 <= marks <= 6 or (rest and rest[0] not in " \t"):
        return None
    title = rest.strip()
    unclosed = title.rstrip("#")
    if unclosed != title and (not unclosed or unclosed[-1] in " \t"):
        title = unclosed.rstrip()
    return marks, title


def is_rule(line: str) -> bool:
    # A rule has nothing but its marks and spaces; strip() answers that before any regex.
    return not line.strip(" \t-*_=") and bool(line.strip()) and bool(_RULE.match(line))


def is_bold_title(raw: str) -> bool:
    return "**" in raw or "__" in raw


def clean_title(raw: str) -> str:
    """A heading or numbered line as a page title: no markup, numbering or trailing colon."""
    title = raw.strip().lstrip("#").strip()
    title = _EMPHASIS.sub("", title).strip()
    title = _NUMBER.sub("", title, count=1).strip()
    title = _EMPHASIS.sub("", title).strip()
    if len(title) > 2 and title[0] == title[-1] and title[0] in "*_":
        title = title[1:-1].strip()  # a fully italic heading
    title = re.sub(r"\s+", " ", title).rstrip(":").strip()
    if title[:1].islower():
        title = title[0].upper() + title[1:]
    return title


def slugify(text: str, limit: int = 60) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    if len(slug) > limit:
        slug = slug[:limit].rsplit("-", 1)[0] or slug[:limit]
    return slug.strip("-")


def name_title(name: str) -> str | None:
    """A readable title from a file name, or None when the name holds nothing readable.

    'my_genai-notes.md' -> 'My genai notes'; 'a3f9c2e1_notes.md' -> 'Notes' (hashes, ids and
    timestamps are left out); '000_d4c16f285b37f340.txt' -> None.
    """
    name = clean_text(name)  # a file name can carry a right-to-left override: "title ‮gpj.exe"
    stem = name.rsplit(".", 1)[0] if "." in name else name
    words = [word for word in re.split(r"[_\-\s]+", _UUID.sub(" ", stem)) if word and not _ID_LIKE.fullmatch(word)]
    if not any(_LETTER.search(word) for word in words):  # numbers alone ("000", "2024") name nothing
        return None
    text = " ".join(words)
    return text[:1].upper() + text[1:]


def title_from_name(name: str) -> str:
    return name_title(name) or "My notes"


def shorten_title(title: str, limit: int = 80) -> str:
    """A heading used as a title in lists and the window: cut at a word, with an ellipsis."""
    if len(title) <= limit:
        return title
    return title[:limit].rsplit(" ", 1)[0].rstrip(" ,;:-–—") + "…"


def looks_like_prompt(text: str) -> bool:
    """Text left over from a chat with an assistant ("Help me create 50 questions…")."""
    stripped = text.strip()
    if not stripped:
        return False
    quoted = all(line.lstrip().startswith(">") for line in stripped.splitlines() if line.strip())
    return stripped.startswith(">") or quoted or len(_PROMPT_WORDS.findall(stripped)) >= 2


def strip_chat_opener(sentence: str) -> str:
    """'Certainly! Let's delve into each of these advanced topics…' -> 'advanced topics…'."""
    return _CHAT_OPENER.sub("", sentence.strip(), count=1).strip()


def title_from_paragraph(paragraph: str, limit: int = 72) -> str:
    """A title for an untitled section, from its opening sentence minus chat filler."""
    text = strip_chat_opener(" ".join(paragraph.split()))
    text = re.split(r"[:.;!?](?:\s|$)| (?:can|are|is|will) ", text, maxsplit=1)[0].strip(" ,")
    if len(text) > limit:
        text = text[:limit].rsplit(" ", 1)[0].rstrip(",") + "…"
    return (text[:1].upper() + text[1:]) if text else "Untitled section"


def dedent_block(lines: list[str]) -> list[str]:
    """Remove the answer's margin from every line (as far as each allows).

    The margin is the most common indent of the indented lines: in plain-text notes the
    answer sits three spaces in, while a stray line at the margin ("These milestones…" or a
    "1. Title:" sub-item) belongs to the same answer and must not cancel the dedent.
    """
    counts: dict[int, int] = {}
    for line in lines:
        if line.strip():
            lead = len(line) - len(line.lstrip(" "))
            if 0 < lead <= 4:
                counts[lead] = counts.get(lead, 0) + 1
    if not counts:
        return lines
    margin = max(sorted(counts), key=lambda n: counts[n])
    out = []
    for line in lines:
        lead = len(line) - len(line.lstrip(" "))
        out.append(line[min(lead, margin):])
    return out


def tidy_body(lines: list[str], heading_offset: int | None = None, in_code: list[bool] | None = None) -> str:
    """An answer or guide body ready for the pack format.

    - sub-headings are moved to ``heading_offset`` and below (``##`` would start a new question
      in a topic file), with bold markers and trailing colons removed;
    - leading and trailing rules and blank lines go; a rule right under a paragraph gets a blank
      line first (otherwise markdown reads the paragraph as a heading);
    - lists nested deeper than MAX_LIST_DEPTH are flattened to that depth;
    - a fence that never closes is closed at the end, so it cannot swallow the next question;
    - list levels are re-indented to 4-space steps (lists.py), as the author meant them.
    """
    in_code = in_code if in_code is not None else scan_fences(lines).in_code
    out: list[str] = []
    for line, code in zip(lines, in_code, strict=True):
        line = line.rstrip()
        if not code:
            found = heading(line)
            if found and heading_offset is not None:
                level, raw = found
                title = clean_heading_text(raw)
                line = "#" * min(6, max(heading_offset, level)) + " " + title if title else ""
            elif is_rule(line) and out and out[-1].strip() and not is_rule(out[-1]):
                out.append("")
            else:
                line = _clamp_list_depth(line)
        out.append(line)
    while out and (not out[0].strip() or is_rule(out[0])):
        out.pop(0)
    while out and (not out[-1].strip() or is_rule(out[-1])):
        out.pop()
    fences = scan_fences(out) if any("```" in line or "~~~" in line for line in out) else None
    for start in fences.unclosed if fences else ():
        opener = _FENCE.match(out[start])
        if opener:
            out.append(opener.group("indent") + opener.group("fence"))
    from .lists import normalise_lists  # the reader is strict CommonMark: nest lists as meant now

    return normalise_lists("\n".join(out))


def clean_heading_text(raw: str) -> str:
    """A sub-heading inside a page: markup and trailing colon gone, numbering kept ("1. BERT")."""
    text = _EMPHASIS.sub("", raw).strip()
    return re.sub(r"\s+", " ", text).rstrip(":").strip()


def shift_headings(lines: list[str], in_code: list[bool], top: int) -> list[str]:
    """Move every heading up or down so the shallowest one sits at level ``top``."""
    levels = [found[0] for line, code in zip(lines, in_code, strict=True) if not code and (found := heading(line))]
    if not levels:
        return lines
    delta = top - min(levels)
    out = []
    for line, code in zip(lines, in_code, strict=True):
        found = None if code else heading(line)
        if found:
            line = "#" * min(6, max(1, found[0] + delta)) + " " + clean_heading_text(found[1])
        out.append(line)
    return out


def _clamp_list_depth(line: str) -> str:
    if not line.startswith((" " * (MAX_LIST_DEPTH * 2), "\t")):
        return line  # not indented deeply enough to matter
    item = _LIST_ITEM.match(line)
    if not item:
        return line
    indent = item.group("indent").replace("\t", "    ")
    if len(indent) <= MAX_LIST_DEPTH * 2:
        return line
    return " " * (MAX_LIST_DEPTH * 2) + line.lstrip()
