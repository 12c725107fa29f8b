"""Heading-based Q&A: ``# Category`` headings become topics, the next level down are questions.

Recognised without configuration (seeds 001, 002 and 003 are written this way):
- questions at any heading level, with bold markers, numbering and trailing colons stripped;
- category levels are told apart from question levels by having no text of their own;
- a heading above the question level that asks something and has an answer is a question
  (``# **What are …?**`` in the middle of ``##`` questions);
- when most questions are bold, a plain heading that does not ask anything is a note and
  becomes a page of its own rather than a flashcard;
- text before the first heading is the pack's introduction, unless it is a chat prompt;
- the heading that titles the whole document (``title_line``, the pack's title) is not repeated
  in the names of the topics under it ("Attention", not "My notes › Attention").
"""

from __future__ import annotations

from dataclasses import dataclass

from .model import Entry, GuidePlan, TopicPlan
from .progress import Progress
from .text import Fences, clean_title, heading, is_bold_title, is_rule, looks_like_prompt, tidy_body


@dataclass
class _Heading:
    index: int
    level: int
    raw: str
    has_body: bool = False
    has_children: bool = False  # the next heading is deeper: this one heads a group


def find_headings(lines: list[str], fences: Fences) -> list[_Heading]:
    found = []
    for index, line in enumerate(lines):
        if not fences.in_code[index] and (match := heading(line)) and match[1].strip():
            found.append(_Heading(index, match[0], match[1]))
    for n, item in enumerate(found):
        end = found[n + 1].index if n + 1 < len(found) else len(lines)
        item.has_body = any(line.strip() and not is_rule(line) for line in lines[item.index + 1:end])
        item.has_children = n + 1 < len(found) and found[n + 1].level > item.level
    return found


def question_level(headings: list[_Heading]) -> tuple[int, list[int]]:
    """(the level questions sit at, the category levels above it)."""
    levels = sorted({h.level for h in headings})
    categories: list[int] = []
    for level in levels[:-1]:
        at_level = [h for h in headings if h.level == level]
        # Title-only questions have no text either, but nothing deeper follows them.
        groups = sum(1 for h in at_level if not h.has_body and h.has_children)
        if groups * 10 >= len(at_level) * 6:  # at least 60 % are bare titles over deeper headings
            categories.append(level)
        else:
            return level, categories
    return levels[-1], categories


def parse_headings(lines: list[str], fences: Fences, pack_title: str, warnings: list[str],
                   progress: Progress, title_line: int | None = None) -> tuple[list[TopicPlan], list[GuidePlan]]:
    headings = find_headings(lines, fences)
    if not headings:
        return [], []
    # The title heading is no question even when text follows it (an introduction to the notes).
    level, categories = question_level([h for h in headings if h.index != title_line] or headings)
    at_level = [h for h in headings if h.level == level]
    mostly_bold = sum(1 for h in at_level if is_bold_title(h.raw)) * 10 >= len(at_level) * 6

    topics: list[TopicPlan] = []
    guides: list[GuidePlan] = []
    preamble = lines[: headings[0].index]
    intro = ""
    if looks_like_prompt("\n".join(preamble)):
        count = sum(1 for line in preamble if line.strip())
        warnings.append(f"Left out {count} line{'s' if count != 1 else ''} before the first heading: "
                        "they read like a prompt to a chat assistant, not like notes.")
    else:
        intro = tidy_body(preamble, 3, fences.in_code[: len(preamble)])

    trail: dict[int, str] = {}  # category level -> its current title
    current: TopicPlan | None = None

    def topic() -> TopicPlan:
        nonlocal current
        if current is None:
            current = TopicPlan(pack_title, 1)
            topics.append(current)
        return current

    # Where each entry ends: the next heading at its level or above (one backward pass, not a
    # search per heading: files with 100,000 questions must stay linear).
    ends = [len(lines)] * len(headings)
    next_at_or_above = len(lines)
    for n in range(len(headings) - 1, -1, -1):
        ends[n] = next_at_or_above
        if headings[n].level <= level:
            next_at_or_above = headings[n].index

    for n, item in enumerate(headings):
        progress.step(item.index, len(lines))
        title = clean_title(item.raw)
        asks = title.endswith("?")
        if item.level > level or not title:
            continue  # a sub-heading: it stays in the body of the entry above it
        end = ends[n]
        sub_end = headings[n + 1].index if n + 1 < len(headings) else len(lines)
        if item.level < level and not (asks and item.has_body):
            # A category: its own text (rare) becomes the topic's introduction.
            trail = {k: v for k, v in trail.items() if k < item.level}
            if item.index != title_line:
                trail[item.level] = title
            current = TopicPlan(" › ".join(trail[k] for k in sorted(trail)) or pack_title, item.index + 1)
            current.intro = tidy_body(lines[item.index + 1: sub_end], 3, fences.in_code[item.index + 1: sub_end])
            topics.append(current)
            continue
        body = tidy_body(lines[item.index + 1: end], 3, fences.in_code[item.index + 1: end])
        if item.level == level and mostly_bold and not is_bold_title(item.raw) and not asks:
            guides.append(GuidePlan(title, body, item.index + 1))
            continue
        topic().entries.append(Entry(title, body, item.index + 1))

    if intro:
        if topics:
            topics[0].intro = (intro + "\n\n" + topics[0].intro).strip()
        else:
            guides.insert(0, GuidePlan(pack_title, intro, 1))
    return [t for t in topics if t.entries or t.intro], guides
