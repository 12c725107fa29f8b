import os
from pathlib import Path

from genai_desktop.core.content.fingerprint import fingerprint
from genai_desktop.core.content.library import load_pack


def test_loads_topics_questions_guides_and_roadmap(starter_pack: Path) -> None:
    library = load_pack(starter_pack)
    assert library.problems == []
    assert [t.id for t in library.topics] == ["attention", "gans"]
    first = library.question("attention-basics")
    assert first.title == "What does scaled dot-product attention compute?"
    assert first.sources == ("001:490",)
    assert first.level == "dev1"
    assert first.key_points.startswith("- Each query scores every key")
    assert "**Key points.**" not in first.key_points
    assert first.answer.startswith("The formula:")
    multi = library.question("multi-head")
    assert multi.sources == ("001:290", "003:40")
    assert "- Another may track coreference." in multi.key_points
    assert library.guide("reading").milestones == ("rm.test.dev1.reading",)
    assert [m.id for m in library.milestones] == ["rm.test.dev1.reading", "rm.test.dev2.gans"]
    assert library.topic("attention").intro == "A tiny topic used by the tests."


def test_heading_inside_code_fence_is_not_a_question(tmp_path: Path) -> None:
    (tmp_path / "topics").mkdir()
    (tmp_path / "topics" / "01-x.md").write_text(
        '+++\nid = "x"\ntitle = "X"\norder = 1\n+++\n\n## Q?\n<!-- id: q1; sources: ; level: dev1 -->\n\n'
        "**Key points.** k\n\n```markdown\n## not a question\n```\n"
    )
    library = load_pack(tmp_path)
    assert library.problems == []
    assert [q.id for q in library.questions()] == ["q1"]
    assert "## not a question" in library.question("q1").answer


def test_malformed_pack_reports_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "topics").mkdir()
    bad = tmp_path / "topics" / "01-bad.md"
    bad.write_text(
        '+++\nid = "bad"\ntitle = "Bad"\n+++\n\n## First\n<!-- id: Not Valid; sources: 1:2; level: dev1 -->\n\n'
        "## Second\n<!-- id: second; sources: 001:9; level: guru -->\n\nno key points\n"
        "## Third\nno metadata\n"
    )
    problems = load_pack(tmp_path).problems
    messages = [(p.line, p.message) for p in problems]
    assert any(line == 7 and "lower-case" in msg for line, msg in messages)
    assert any(line == 10 and "level 'guru'" in msg for line, msg in messages)
    assert any(line == 12 and "Key points" in msg for line, msg in messages)
    assert any(line == 14 and "expected '<!-- id" in msg for line, msg in messages)
    assert all(p.path == bad for p in problems)


def test_duplicate_ids_are_reported(starter_pack: Path) -> None:
    extra = starter_pack / "topics" / "03-dup.md"
    extra.write_text('+++\nid = "dup"\ntitle = "Dup"\norder = 3\n+++\n\n## Again\n'
                     "<!-- id: multi-head; sources: ; level: dev1 -->\n\n**Key points.** x\n")
    problems = load_pack(starter_pack).problems
    assert any("duplicate question id 'multi-head'" in p.message for p in problems)


def test_missing_folder_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    library = load_pack(tmp_path / "nowhere")
    assert library.topics == [] and "not found" in library.problems[0].message


def test_fingerprint_notices_edits_new_files_and_renames(tmp_path):
    pack = tmp_path / "pack"
    assert fingerprint(pack) == "empty"
    (pack / "topics").mkdir(parents=True)
    (pack / "topics" / "a.md").write_text("one")
    first = fingerprint(pack)
    assert fingerprint(pack) == first  # stable
    (pack / "topics" / "a.md").write_text("two")  # same size: the mtime tells
    os.utime(pack / "topics" / "a.md", ns=(1, 1))
    second = fingerprint(pack)
    assert second != first
    (pack / "topics" / "deep").mkdir()
    (pack / "topics" / "deep" / "b.md").write_text("x")
    third = fingerprint(pack)
    assert third != second
    (pack / "topics" / "deep" / "b.md").rename(pack / "topics" / "deep" / "c.md")
    assert fingerprint(pack) != third
