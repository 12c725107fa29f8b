"""Plain numbered Q&A (seed 000): ``N. Title:`` lines at the margin, indented answers below.

Real files are untidy, so a question line may have a tab after its number, no period, no
number at all (``. Title:``) or a stray leading space. What makes a line a question is its
shape: at most two spaces from the margin, ending in ``:`` or ``?``, with an indented answer or
a bullet right below. Numbering that starts again at 1 begins a new topic.
"""

from __future__ import annotations

import re

from .model import Entry, TopicPlan
from .progress import Progress
from .text import clean_title, dedent_block, tidy_body

_NUMBERED = re.compile(r"^ {0,2}(?P<num>\d{1,4})?(?P<punct>[.)])?[ \t]+(?P<title>\S.*?)[ \t]*$")
_PLAIN = re.compile(r"^ {0,2}(?P<title>[A-Z][^\n]*?)[ \t]*$")
_BULLET = re.compile(r"^[ \t]*(?:[-*+•]|\d{1,3}[.)])[ \t]")
MAX_TITLE = 200


def _question(lines: list[str], index: int) -> tuple[int | None, str] | None:
    """(number or None, title) when line ``index`` opens a question."""
    line = lines[index]
    if not line.strip() or _BULLET.match(line) and not re.match(r"^ {0,2}\d", line):
        return None
    stripped = line.rstrip()
    if not stripped.endswith((":", "?")) or len(stripped) > MAX_TITLE:
        return None
    match = _NUMBERED.match(line)
    number = None
    if match and (match.group("num") or match.group("punct")):
        number = int(match.group("num")) if match.group("num") else None
        title = match.group("title")
    else:
        plain = _PLAIN.match(line)
        if not plain or ". " in plain.group("title"):
            return None  # a sentence that happens to end with a colon
        title = plain.group("title")
    following = next((lines[n] for n in range(index + 1, min(index + 4, len(lines))) if lines[n].strip()), "")
    indent = len(following) - len(following.lstrip())
    if not following or (indent < 3 and not _BULLET.match(following)):
        return None
    return number, title


def count_questions(lines: list[str], limit: int = 400) -> int:
    """How many lines look like numbered questions (for detecting the layout)."""
    found = 0
    for index in range(min(len(lines), 20000)):
        if lines[index][:1].isdigit() or lines[index][:3].strip()[:1].isdigit():
            found += _question(lines, index) is not None
            if found >= limit:
                break
    return found


def parse_numbered(lines: list[str], pack_title: str, warnings: list[str],
                   progress: Progress) -> list[TopicPlan]:
    lines = [line.expandtabs(4) if "\t" in line[:12] else line for line in lines]
    starts: list[tuple[int, int | None, str]] = []
    for index in range(len(lines)):
        if index % 2000 == 0:
            progress.step(index, len(lines))
        found = _question(lines, index)
        if found:
            starts.append((index, *found))
    topics: list[TopicPlan] = []
    current: TopicPlan | None = None
    last_number: int | None = None
    if starts and any(line.strip() for line in lines[: starts[0][0]]):
        warnings.append(f"Left out the {starts[0][0]} line(s) before the first numbered question.")
    for n, (index, number, raw_title) in enumerate(starts):
        restart = number is not None and last_number is not None and number < last_number and number <= 2
        if current is None or restart:
            current = TopicPlan("", index + 1)
            topics.append(current)
        if number is not None:
            last_number = number
        end = starts[n + 1][0] if n + 1 < len(starts) else len(lines)
        body = tidy_body(dedent_block(lines[index + 1: end]), 3)
        current.entries.append(Entry(clean_title(raw_title), body, index + 1))
    for part, topic in enumerate(topics, 1):
        first = topic.entries[0].title
        short = first if len(first) <= 48 else first[:48].rsplit(" ", 1)[0] + "…"
        topic.title = f"Part {part} · {short}" if len(topics) > 1 else pack_title
    return topics
