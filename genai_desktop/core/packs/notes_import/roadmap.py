"""Roadmap-style documents (seed 004): numbered sections with ``**Developer Level 1:**``
sub-lists, an FAQ, then long-form study sections that become guide pages.

The roadmap itself becomes one guide page (its sections and level lists kept as written) and a
summary in the plan (sections, levels, milestones); the FAQ becomes a topic of questions. The
long-form part has a flat heading hierarchy (a guide's title and its sub-sections are all
``###``), so guide boundaries are read from how such documents are written: a guide starts
after a closing section (Conclusion, Summary, Practical application), after a closing remark
set off by a rule, or at an untitled introduction that ends with a colon and a rule
("Absolutely, here's a structured approach you can take:").
"""

from __future__ import annotations

import re

from .faq import FAQ_QUESTION, parse_faq
from .model import GuidePlan, Milestone, RoadmapSection, TopicPlan
from .progress import Progress
from .text import (
    Fences,
    clean_title,
    heading,
    is_rule,
    shift_headings,
    strip_chat_opener,
    tidy_body,
    title_from_paragraph,
)

LEVEL_MARKER = re.compile(
    r"^\s*\*\*(?P<label>[^*]*\bLevels?\b[^*]*?|For All[^*]*?)\s*:?\s*\*\*\s*:?\s*$", re.I)
_ITEM = re.compile(r"^(?P<indent>\s*)[-*+]\s+(?:\*\*(?P<name>[^*]+?)\*\*:?|(?P<plain>[^:]+):)\s*(?P<detail>.*)$")
_NUMBERED_TITLE = re.compile(r"^\d{1,3}[.)]\s")
_CLOSING = re.compile(r"^(?:conclusion|summary|practical (?:application|implementation))", re.I)
_LIST = re.compile(r"^\s*(?:[-*+]|\d{1,3}[.)])\s")
ALL_LEVELS = "For All Levels"


def count_level_markers(lines: list[str]) -> int:
    return sum(1 for line in lines if "**" in line and "evel" in line and LEVEL_MARKER.match(line))


def parse_roadmap(lines: list[str], fences: Fences, pack_title: str, warnings: list[str],
                  progress: Progress) -> tuple[list[TopicPlan], list[GuidePlan], list[RoadmapSection]]:
    heads = [(i, *h) for i, line in enumerate(lines) if not fences.in_code[i] and (h := heading(line))]
    first_marker = next(i for i, line in enumerate(lines) if LEVEL_MARKER.match(line))
    # The section that holds the first level marker sets the level of every roadmap section.
    owner = max((h for h in heads if h[0] < first_marker), key=lambda h: h[0], default=None)
    section_level = owner[1] if owner else 3
    title_head = next((h for h in heads if owner and h[0] < owner[0] and h[1] <= section_level
                       and not _is_numbered(h[2])), None)
    title = clean_title(title_head[2]) if title_head else pack_title

    # Sections: consecutive numbered headings at the section level, from the first one on.
    sections: list[tuple[int, str]] = []
    end = len(lines)
    for index, level, raw in heads:
        if owner and index < owner[0] and not _is_numbered(raw):
            continue
        if level < section_level or (level == section_level and not _is_numbered(raw)):
            if sections:
                end = index
                break
            continue
        if level == section_level:
            sections.append((index, clean_title(raw)))
    if not sections:
        return [], [GuidePlan(title, tidy_body(lines, 2, fences.in_code), 1)], []

    roadmap: list[RoadmapSection] = []
    faq_topics: list[TopicPlan] = []
    kept: list[str] = []  # the roadmap page: everything but the title heading and the FAQ pairs
    kept_code: list[bool] = []
    start = title_head[0] + 1 if title_head else 0
    kept += lines[start: sections[0][0]]
    kept_code += fences.in_code[start: sections[0][0]]
    for n, (index, section_title) in enumerate(sections):
        stop = sections[n + 1][0] if n + 1 < len(sections) else end
        body = lines[index + 1: stop]
        if any(FAQ_QUESTION.match(line) for line in body):
            entries, rest = parse_faq(body, index + 1)
            faq_topics.append(TopicPlan(section_title, index + 1, entries=entries))
            leftover = [line for line in rest if line.strip() and not is_rule(line)]
            if leftover:
                kept += [""] + leftover
                kept_code += [False] * (len(leftover) + 1)
            continue
        roadmap.append(_section(section_title, index + 1, body))
        kept += lines[index: stop]
        kept_code += fences.in_code[index: stop]
    progress.step(end, len(lines))
    page = tidy_body(shift_headings(kept, kept_code, 2), 2, kept_code)
    guides = [GuidePlan(title, page, (title_head[0] + 1) if title_head else 1)]
    guides += split_guides(lines, fences, end, len(lines), progress)
    return faq_topics, guides, roadmap


def _is_numbered(raw: str) -> bool:
    return bool(_NUMBERED_TITLE.match(raw.replace("**", "").replace("__", "").strip()))


def _section(title: str, line: int, body: list[str]) -> RoadmapSection:
    section = RoadmapSection(title, line)
    label = None
    for text in body:
        marker = LEVEL_MARKER.match(text)
        if marker:
            label = marker.group("label").strip().rstrip(":")
            section.levels.setdefault(label, [])
            continue
        item = _ITEM.match(text)
        if item and len(item.group("indent")) < 2:
            name = (item.group("name") or item.group("plain") or "").strip().rstrip(":")
            section.levels.setdefault(label or ALL_LEVELS, []).append(Milestone(name, item.group("detail").strip()))
    return section


# ---------------------------------------------------------------- long-form guides

def split_guides(lines: list[str], fences: Fences, start: int, end: int, progress: Progress) -> list[GuidePlan]:
    heads = {i: h for i in range(start, end) if not fences.in_code[i] and (h := heading(lines[i]))}
    if not any(line.strip() for line in lines[start:end]):
        return []
    top = min((h[0] for h in heads.values()), default=2)
    tops = sorted(i for i, h in heads.items() if h[0] == top)
    starts: list[tuple[int, bool]] = []  # (line index, starts at a heading?)
    first = next(i for i in range(start, end) if lines[i].strip() and not is_rule(lines[i]))
    starts.append((first, first in heads))
    previous_title = clean_title(heads[first][1]) if first in heads else ""
    for i in tops:
        if i <= first:
            continue
        title = clean_title(heads[i][1])
        preamble = _preamble_before(lines, fences, i, heads)
        after_closing = bool(_CLOSING.match(previous_title)) and not _CLOSING.match(title)
        if preamble is not None and preamble > starts[-1][0]:
            starts.append((preamble, False))
        elif after_closing or _closing_remark_before(lines, i, heads):
            starts.append((i, True))
        previous_title = title
    guides: list[GuidePlan] = []
    for n, (index, titled) in enumerate(starts):
        progress.step(index, len(lines))
        stop = starts[n + 1][0] if n + 1 < len(starts) else end
        if titled:
            title = clean_title(heads[index][1])
            body_start = index + 1
        else:
            paragraph = []
            for line in lines[index:stop]:
                if not line.strip():
                    break
                paragraph.append(line)
            title = title_from_paragraph(" ".join(paragraph))
            body_start = index
        body_lines = lines[body_start:stop]
        code = fences.in_code[body_start:stop]
        if not titled and body_lines:
            # The chat filler ("Certainly! Let's delve into…") goes; the sentence stays.
            body_lines = [_capitalise(strip_chat_opener(body_lines[0]))] + body_lines[1:]
        body = tidy_body(shift_headings(body_lines, code, 2), 2, code)
        if body or titled:
            guides.append(GuidePlan(title, body, index + 1))
    return guides


def _capitalise(text: str) -> str:
    return text[:1].upper() + text[1:]


def _previous_nonblank(lines: list[str], index: int) -> int:
    index -= 1
    while index >= 0 and not lines[index].strip():
        index -= 1
    return index


def _paragraph_start(lines: list[str], last: int, heads: dict) -> int | None:
    """First line of the column-0 paragraph that ends at ``last``, or None if it is not one."""
    index = last
    while index >= 0 and lines[index].strip():
        line = lines[index]
        if index in heads or is_rule(line) or _LIST.match(line) or line.startswith((" ", "\t", "|", "```")):
            return None
        index -= 1
    return index + 1


def _preamble_before(lines: list[str], fences: Fences, head: int, heads: dict) -> int | None:
    """An untitled section's introduction: a paragraph, a rule, then this heading."""
    rule = _previous_nonblank(lines, head)
    if rule < 0 or not is_rule(lines[rule]):
        return None
    last = _previous_nonblank(lines, rule)
    if last < 0 or fences.in_code[last]:
        return None
    begin = _paragraph_start(lines, last, heads)
    if begin is None:
        return None
    # It announces what follows ("Here's a structured approach you can take:"); a closing
    # remark never ends with a colon.
    if not lines[last].rstrip().endswith(":"):
        return None
    before = _previous_nonblank(lines, begin)
    return None if before >= 0 and before in heads else begin


def _closing_remark_before(lines: list[str], head: int, heads: dict) -> bool:
    """A rule, one closing paragraph, then this heading: the previous guide has just ended."""
    last = _previous_nonblank(lines, head)
    if last < 0 or last in heads:
        return False
    begin = _paragraph_start(lines, last, heads)
    if begin is None:
        return False
    before = _previous_nonblank(lines, begin)
    return before >= 0 and is_rule(lines[before])

