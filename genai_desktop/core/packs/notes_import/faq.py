"""FAQ pairs: ``**Q1: How long does it take…?**`` followed by ``- **A**: It varies…``."""

from __future__ import annotations

import re

from .model import Entry
from .text import clean_title, dedent_block, heading, is_rule, tidy_body

FAQ_QUESTION = re.compile(
    r"^\s*(?:[-*+]\s+)?\*{0,2}Q(?:uestion)?\s*\d{0,4}\s*[:.)]\s*\*{0,2}\s*(?P<title>\S.*?)\s*\*{0,2}\s*$")
FAQ_ANSWER = re.compile(
    r"^\s*(?:[-*+]\s+)?\*{0,2}A(?:nswer)?\s*\d{0,4}\s*\*{0,2}\s*[:.)]\s*\*{0,2}\s*(?P<rest>.*)$")


def count_pairs(lines: list[str]) -> int:
    pairs = 0
    for n, line in enumerate(lines[:-1]):
        if FAQ_QUESTION.match(line):
            following = next((x for x in lines[n + 1: n + 4] if x.strip()), "")
            pairs += bool(FAQ_ANSWER.match(following))
    return pairs


def parse_faq(lines: list[str], offset: int = 0) -> tuple[list[Entry], list[str]]:
    """(entries, the lines that were not part of any pair); ``offset`` is the first line's index."""
    entries: list[Entry] = []
    rest: list[str] = []
    n = 0
    while n < len(lines):
        question = FAQ_QUESTION.match(lines[n])
        if not question:
            rest.append(lines[n])
            n += 1
            continue
        title_line = n
        body: list[str] = []
        n += 1
        while n < len(lines) and not lines[n].strip():
            n += 1
        answer = FAQ_ANSWER.match(lines[n]) if n < len(lines) else None
        if answer:
            body.append(answer.group("rest"))
            n += 1
            while n < len(lines) and not (FAQ_QUESTION.match(lines[n]) or heading(lines[n]) or is_rule(lines[n])):
                body.append(lines[n])
                n += 1
        entries.append(Entry(clean_title(question.group("title")), tidy_body(dedent_block(body), 3),
                             offset + title_line + 1))
    return entries, rest
