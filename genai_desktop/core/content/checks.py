"""Validation of a content pack, for ``genai-desktop check`` and the test suite."""

from __future__ import annotations

import re
from pathlib import Path

from ..render.formulas import render_problem
from ..render.markdown_html import formulas_in
from .library import Library, Problem, checklist_problem, load_pack

_LINK = re.compile(r"\]\((q|guide|topic|milestone):([^)\s]+)\)")
_IMAGE = re.compile(r"!\[([^\]]*)\]\(([^)\s]+)")


def _line_of(path: Path, needle: str, cache: dict[Path, str]) -> int:
    text = cache.setdefault(path, path.read_text(encoding="utf-8", errors="replace"))
    at = text.find(needle)
    return text.count("\n", 0, at) + 1 if at >= 0 else 1


def check_library(library: Library, root: Path, *, checklists: bool = False) -> list[Problem]:
    """Every problem of a loaded pack. ``checklists``: hold Key points to the built-in library's
    rule (3–6 short bullets); imported notes keep whatever their key points are."""
    problems = list(library.problems)
    texts: dict[Path, str] = {}
    if checklists:
        for question in library.questions():
            if problem := checklist_problem(question.key_points):
                problems.append(Problem(question.path, question.line, f"{question.id}: {problem}"))
    pages = [(q.path, q.markdown) for q in library.questions()]
    pages += [(g.path, g.body) for g in library.guides]
    pages += [(t.path, t.intro) for t in library.topics if t.intro]
    rendered: dict[tuple[str, bool], str | None] = {}
    for path, text in pages:
        for formula in formulas_in(text):
            if reason := render_problem(formula, rendered):
                problems.append(Problem(path, _line_of(path, formula.latex[:40], texts),
                                        f"formula does not render ({reason}): {formula.latex[:80]}"))
        for kind, ident in _LINK.findall(text):
            if not library.has_page(f"{kind}:{ident}"):
                problems.append(Problem(path, _line_of(path, f"{kind}:{ident}", texts),
                                        f"link to {kind}:{ident} leads nowhere"))
        for alt, target in _IMAGE.findall(text):
            if target.startswith(("http://", "https://")):
                continue
            line = _line_of(path, target, texts)
            problems += [Problem(path, line, f"image {target} {why}") for why in picture_problems(root, target, alt)]
    roadmap = root / "roadmap.toml"
    for milestone in library.milestones:
        for guide in milestone.guides:
            if not library.guide(guide):
                problems.append(Problem(roadmap, _line_of(roadmap, milestone.id, texts),
                                        f"{milestone.id}: guide {guide!r} does not exist"))
        for question in milestone.questions:
            if not library.question(question):
                problems.append(Problem(roadmap, _line_of(roadmap, milestone.id, texts),
                                        f"{milestone.id}: question {question!r} does not exist"))
    problems += _glossary_problems(library, root, pages, texts)
    ids = [m.id for m in library.milestones]
    for dup in sorted({i for i in ids if ids.count(i) > 1}):
        problems.append(Problem(roadmap, _line_of(roadmap, dup, texts), f"duplicate milestone id {dup!r}"))
    return problems


def _glossary_problems(library: Library, root: Path, pages: list[tuple[Path, str]],
                       texts: dict[Path, str]) -> list[Problem]:
    """A glossary term none of whose forms the pack uses helps no search: reported."""
    if not library.glossary:
        return []
    from ..search.glossary import form_words
    from ..search.index import plain_text

    words = " " + " ".join(" ".join(form_words(plain_text(text))) for _, text in pages)
    words += " " + " ".join(" ".join(form_words(q.title)) for q in library.questions()) + " "
    path = root / "glossary.toml"
    return [Problem(path, _line_of(path, term[0].split()[0], texts),
                    f"no form of the term {' / '.join(term)} is in the pack's pages")
            for term in library.glossary if not any(f" {form} " in words for form in term)]


def picture_problems(root: Path, target: str, alt: str) -> list[str]:
    """Why a picture a page shows is not acceptable: outside the pack or missing, no alt text,
    not a real image, or (for an SVG) anything the figure rules refuse (see core/render/figures.py)."""
    from ..render.figures import svg_problems
    from ..render.pictures import pack_picture

    resolved = (root / target).resolve()
    if not resolved.is_relative_to(root.resolve()) or not resolved.is_file():
        return ["not found in the pack"]
    problems = [] if alt.strip() else ["has no alt text (write what it shows between the brackets)"]
    if resolved.suffix.lower() == ".svg":
        return problems + svg_problems(resolved)
    if pack_picture(root, target) is None:
        problems.append("is not a PNG, JPEG, GIF, WebP or BMP image of at most 10 MB")
    return problems


def check_pack(root: Path) -> list[Problem]:
    from ...paths import content_dir

    return check_library(load_pack(root), root, checklists=root.resolve() == content_dir().resolve())
