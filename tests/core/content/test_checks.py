from pathlib import Path

from genai_desktop.core.content.checks import check_pack


def test_valid_pack_has_no_problems(starter_pack: Path) -> None:
    assert check_pack(starter_pack) == []


def test_broken_formula_link_and_image_are_reported_with_lines(starter_pack: Path) -> None:
    topic = starter_pack / "topics" / "02-gans.md"
    topic.write_text(topic.read_text() + "\nBad $\\frac{1}{$ here.\n\nSee [x](q:nope).\n\n![d](images/missing.png)\n")
    problems = check_pack(starter_pack)
    text = "\n".join(str(p) for p in problems)
    assert "formula does not render" in text
    assert "link to q:nope leads nowhere" in text
    assert "image images/missing.png not found" in text
    assert all(p.path == topic and p.line > 1 for p in problems)


def test_image_outside_the_pack_is_rejected(starter_pack: Path) -> None:
    topic = starter_pack / "topics" / "02-gans.md"
    topic.write_text(topic.read_text() + "\n![p](../../../../etc/passwd)\n")
    assert any("not found in the pack" in p.message for p in check_pack(starter_pack))


def test_roadmap_links_are_checked(starter_pack: Path) -> None:
    roadmap = starter_pack / "roadmap.toml"
    roadmap.write_text(roadmap.read_text().replace('guides = []', 'guides = ["ghost"]'))
    assert any("guide 'ghost' does not exist" in p.message for p in check_pack(starter_pack))


def test_builtin_key_points_must_be_a_short_checklist() -> None:
    from genai_desktop.core.content.library import checklist_problem

    assert checklist_problem("- one idea\n- a second idea\n- a third idea") is None
    assert "3 to 6 bullets" in checklist_problem("- only\n- two")
    assert "3 to 6 bullets" in checklist_problem("\n".join(f"- idea {n}" for n in range(7)))
    assert "bullet list only" in checklist_problem("A paragraph first.\n- then\n- three\n- bullets")
    assert "words" in checklist_problem("\n".join("- " + "word " * 31 for _ in range(3)))
    assert checklist_problem("- a bullet that wraps\n  onto a second line\n- two\n- three") is None
