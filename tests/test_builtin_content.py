"""The built-in library: complete against the seed inventory, valid, and written in our own words."""

import json
import subprocess
import sys

import pytest

from genai_desktop.core.content.checks import check_pack
from genai_desktop.core.content.library import load_pack
from genai_desktop.paths import content_dir

from .conftest import SHARED, needs_shared

CONTENT_MAP = SHARED / "content-map"


@pytest.fixture(scope="module")
def library():
    return load_pack(content_dir())


def test_builtin_pack_passes_check() -> None:
    problems = check_pack(content_dir())
    assert problems == [], "\n".join(map(str, problems))


def test_every_question_has_key_points_and_a_real_answer(library) -> None:
    questions = list(library.questions())
    assert len(questions) >= 133
    for q in questions:
        assert 15 <= len(q.key_points.split()) <= 100, q.id
        assert len(q.answer.split()) >= 200, q.id
        assert q.level in ("dev1", "dev2", "researcher")


@needs_shared()
def test_every_canonical_seed_entry_is_covered(library) -> None:
    entries = json.loads((CONTENT_MAP / "questions.json").read_text())
    covered = {source for q in library.questions() for source in q.sources}
    canonical = {f"{e['seed']}:{e['line']}" for e in entries if e["canonical"]}
    assert len(canonical) == 133
    assert canonical - covered == set()
    every_entry = {f"{e['seed']}:{e['line']}" for e in entries}
    assert covered <= every_entry, covered - every_entry  # no invented source ids


@needs_shared()
def test_every_guide_and_milestone_is_present(library) -> None:
    roadmap = json.loads((CONTENT_MAP / "roadmap.json").read_text())
    guides = {g["id"] for g in roadmap["guides"] if g["id"] != "roadmap"}
    assert len(guides) == 25
    assert guides - {g.id for g in library.guides} == set()
    milestones = {m["id"] for s in roadmap["sections"] for ms in s["levels"].values() for m in ms}
    assert len(milestones) == 36
    assert milestones <= {m.id for m in library.milestones}  # every one kept; the 2026 areas add more
    assert all(library.milestone(m).detail for m in milestones)


@needs_shared()
def test_text_is_our_own() -> None:
    tool = SHARED / "tools" / "originality.py"
    result = subprocess.run([sys.executable, str(tool), str(content_dir())], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-3000:]
    assert "0 shared runs" in result.stdout


def test_the_library_has_its_figures_each_placed_and_regenerable(tmp_path, library) -> None:
    from pathlib import Path

    from genai_desktop.core.render.figures import svg_problems

    figures = sorted((content_dir() / "figures").glob("*.svg"))
    assert len(figures) >= 30
    assert {f.name: svg_problems(f) for f in figures if svg_problems(f)} == {}
    pages = [q.answer for q in library.questions()] + [g.body for g in library.guides]
    unplaced = [f.name for f in figures if not any(f"](figures/{f.name}" in text for text in pages)]
    assert unplaced == []
    assert sum(1 for q in library.questions() if q.figure) >= 10  # flashcard backs with a figure
    # The committed SVGs are what packaging/make_figures.py draws (edit the script, not the SVG).
    out = tmp_path / "figures"
    script = Path(__file__).resolve().parents[1] / "packaging" / "make_figures.py"
    subprocess.run([sys.executable, str(script), "--out", str(out)],
                   check=True, capture_output=True)
    assert {f.name: f.read_bytes() for f in sorted(out.glob("*.svg"))} == {f.name: f.read_bytes() for f in figures}
