"""From notes text to an ImportPlan: recognise the layout, parse, then check what will not work
(answers missing, formulas that do not render, images that are not there)."""

from __future__ import annotations

import re
from pathlib import Path

from ...render.pictures import pack_picture
from .faq import count_pairs, parse_faq
from .headings import parse_headings
from .model import FormulaProblem, ImportPlan, NotesError, TopicPlan
from .numbered import count_questions, parse_numbered
from .progress import Progress
from .reading import read_notes_file
from .roadmap import count_level_markers, parse_roadmap
from .text import Fences, clean_title, heading, name_title, scan_fences, shorten_title

_IMAGE = re.compile(r"!\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
LAYOUTS = "headings (## Question), numbered lines (1. Question:), FAQ pairs (**Q1: …** / - **A**: …) " \
          "or a roadmap (**Developer Level 1:** lists)"


def plan_file(path: Path, progress: Progress | None = None) -> ImportPlan:
    """Read and parse a notes file. Raises NotesError (bad input) or ImportCancelled."""
    notes = read_notes_file(path)
    plan = plan_lines(notes.lines(), path.name, progress, source_dir=path.parent)
    plan.warnings[:0] = notes.warnings
    plan.source = path
    plan.source_sha1 = notes.sha1
    plan.encoding = notes.encoding
    return plan


def plan_text(text: str, source_name: str, progress: Progress | None = None,
              source_dir: Path | None = None) -> ImportPlan:
    """Parse notes already read (pasted text, tests)."""
    return plan_lines(text.replace("\r\n", "\n").split("\n"), source_name, progress, source_dir)


def plan_lines(lines: list[str], source_name: str, progress: Progress | None = None,
               source_dir: Path | None = None) -> ImportPlan:
    """Parse a notes file's lines (NotesText.lines: a large file is split piece by piece)."""
    progress = progress or Progress()
    fences = scan_fences(lines)
    warnings: list[str] = []
    for index in fences.unclosed:
        warnings.append(f"The code block opened on line {index + 1} is never closed; "
                        "it is closed at the end of its page.")
    title, title_line = pack_title(lines, fences, source_name)
    kind = detect_layout(lines, fences)
    plan = ImportPlan(title, source_name, kind, warnings=warnings)
    if kind == "roadmap":
        plan.topics, plan.guides, plan.roadmap = parse_roadmap(lines, fences, title, warnings, progress)
    elif kind == "numbered":
        plan.topics = parse_numbered(lines, title, warnings, progress)
    elif kind == "faq":
        entries, _ = parse_faq(lines)
        plan.topics = [TopicPlan(title, 1, entries=entries)]
    else:
        plan.topics, plan.guides = parse_headings(lines, fences, title, warnings, progress, title_line)
    if not plan.question_count and not plan.guides:
        raise NotesError(f"{source_name}: no questions or sections were found. The importer reads {LAYOUTS}.")
    check_formulas(plan, progress)
    find_images(plan, source_dir)
    return plan


def pack_title(lines: list[str], fences: Fences, source_name: str) -> tuple[str, int | None]:
    """What the pack is called in the sidebar, the study menu and the preview.

    The heading that titles the whole document first; then the file name, unless it is a hash
    or a number ("a3f9c2e1.md" says nothing); then the document's first top-level heading (its
    first section, at least about the notes); "My notes" when there is none. The pack's id
    never depends on this: it comes from the file name (packs.pack_id_for), so re-importing a
    file whose title changed still updates the same pack.

    Returns the title and the 0-based line of the heading that titles the document, if any.
    """
    first: tuple[int, str] | None = None  # (level, raw text) of the first heading
    first_line = 0
    top: tuple[int, str] | None = None  # the first heading at the shallowest level seen
    titles_document = True  # no other heading as shallow as the first one
    for index, line in enumerate(lines):
        if fences.in_code[index] or "#" not in line[:4]:
            continue  # cheap test first: this runs over every line of very large files
        found = heading(line)
        if not found or not found[1].strip():
            continue
        if first is None:
            first = top = found
            first_line = index
        else:
            titles_document = titles_document and found[0] > first[0]
            if found[0] < top[0]:
                top = found
    if first is not None and titles_document and (title := _as_title(first[1])):
        return title, first_line
    return name_title(source_name) or (top and _as_title(top[1])) or "My notes", None


def _as_title(raw: str) -> str | None:
    title = clean_title(raw)
    # "# What is attention?" is a question of the notes, not what they are called.
    return shorten_title(title) if title and not title.endswith("?") else None


def detect_layout(lines: list[str], fences) -> str:
    if count_level_markers(lines) >= 2:
        return "roadmap"
    # A bare "#" is not a heading with a title: count only those the heading parser will use.
    headings = sum(1 for index, line in enumerate(lines)
                   if not fences.in_code[index] and (match := heading(line)) and match[1].strip())
    numbered = count_questions(lines)
    if numbered >= 3 and numbered > headings:
        return "numbered"
    if headings:
        return "headings"
    if count_pairs(lines):
        return "faq"
    if numbered:
        return "numbered"
    raise NotesError(f"No questions were found: the importer reads {LAYOUTS}.")


def _pages(plan: ImportPlan):
    for topic in plan.topics:
        if topic.intro:
            yield topic.title, topic.intro
        for entry in topic.entries:
            yield entry.title, entry.body
    for guide in plan.guides:
        yield guide.title, guide.body


def check_formulas(plan: ImportPlan, progress: Progress) -> None:
    """Count formulas and try each distinct one once, so the preview can list the failures."""
    from ...render.formulas import render_problem
    from ...render.markdown_html import formulas_in

    verdicts: dict[tuple[str, bool], str | None] = {}
    for title, body in _pages(plan):
        if "$" not in body and "\\(" not in body and "\\[" not in body:
            continue  # the common case, and formulas_in is not free
        progress.step(0, 0)
        for formula in formulas_in(body):
            plan.formula_count += 1
            if reason := render_problem(formula, verdicts):
                plan.formula_problems.append(FormulaProblem(title, formula.latex, reason))


def find_images(plan: ImportPlan, source_dir: Path | None) -> None:
    """Local images that sit next to the notes are copied into the pack; others show as
    placeholders with their alt text. Remote images are never fetched (they become links)."""
    missing: set[str] = set()
    root = source_dir.resolve() if source_dir else None
    for _title, body in _pages(plan):
        if "![" not in body:
            continue
        for target in _IMAGE.findall(body):
            if re.match(r"^[a-z][a-z0-9+.-]*:", target, re.I) or target.startswith(("/", "\\")):
                continue  # remote, data: or absolute: never read
            if target in plan.images or target in missing:
                continue
            found = pack_picture(root, target) if root else None  # the reader's and the export's rule
            if found is not None:
                plan.images[target] = found
            else:
                missing.add(target)
    if missing:
        plan.warnings.append(f"{len(missing)} local image{'s are' if len(missing) != 1 else ' is'} not next to the "
                             "notes; they show as placeholders with their description.")
