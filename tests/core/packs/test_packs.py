"""Writing imported notes as user packs: the format, stable ids, atomic replace, list, remove."""

from __future__ import annotations

from pathlib import Path

import pytest

from genai_desktop.core.content.library import load_pack
from genai_desktop.core.packs import user_packs as packs
from genai_desktop.core.packs.notes_import import plan_file, plan_text
from genai_desktop.core.packs.user_packs import (
    NO_ANSWER,
    PackError,
    key_points_and_answer,
    list_packs,
    pack_id_for,
    remove_pack,
    write_pack,
)
from genai_desktop.core.study.session import Scope, StudySession
from genai_desktop.core.workspace import Workspace
from tests.conftest import SHARED, needs_shared

NOTES = """# Basics

## What is attention?
It lets each token weigh every other token.

## What is a token?

# Training

## Why warm up the learning rate?
- Early updates are noisy.
- Adam's statistics need a few steps.
"""


def write(tmp_path: Path, text: str = NOTES, name: str = "my notes.md") -> Path:
    source = tmp_path / name
    source.write_text(text, encoding="utf-8")
    return source


def test_a_plan_becomes_a_valid_pack(tmp_path: Path) -> None:
    root = tmp_path / "packs"
    folder = write_pack(root, plan_file(write(tmp_path)))
    assert folder == root / "my-notes"
    library = load_pack(folder, pack="my-notes")
    assert library.problems == []
    assert [t.title for t in library.topics] == ["Basics", "Training"]
    attention, token, warm = list(library.questions())
    assert attention.id == "my-notes.what-is-attention"
    assert attention.key_points == "It lets each token weigh every other token." and attention.answer == ""
    assert token.key_points == NO_ANSWER
    assert warm.key_points.startswith("- Early updates")
    assert attention.level == "" and attention.pack == "my-notes"
    assert library.pack_titles == {"my-notes": "My notes"}
    [info] = list_packs(root)
    assert (info.id, info.questions, info.topics, info.source_name) == ("my-notes", 3, 2, "my notes.md")


def test_repeated_titles_get_distinct_stable_ids(tmp_path: Path) -> None:
    text = "## Same?\nA.\n\n## Same?\nB.\n\n## 什么是注意力?\nC.\n"
    first = [q.id for q in load_pack(write_pack(tmp_path / "p", plan_text(text, "n.md")), "n").questions()]
    again = [q.id for q in load_pack(write_pack(tmp_path / "p", plan_text(text, "n.md")), "n").questions()]
    assert first == again
    assert first[:2] == ["n.same", "n.same-2"] and first[2].startswith("n.") and len(set(first)) == 3


def test_reimport_updates_in_place_and_keeps_review_history(tmp_path: Path, data_dir: Path,
                                                           starter_pack: Path) -> None:
    source = write(tmp_path)
    workspace = Workspace(data_dir, content_root=starter_pack)
    try:
        write_pack(workspace.paths.packs, plan_file(source))
        workspace.reload_library()
        ids = Scope("pack", "my-notes").question_ids(workspace.library)
        assert len(ids) == 3
        session = StudySession.open(workspace.progress.conn, ids)
        reviewed = session.current
        session.answer(3)
        workspace.progress.conn.execute("INSERT INTO notes VALUES (?, 'mine', '2026-01-01T00:00:00Z')", (reviewed,))

        # The user edits the file: a new question, an answer filled in, one question renamed.
        source.write_text(NOTES.replace("## What is a token?\n", "## What is a token?\nA unit of text.\n")
                          + "\n## Why clip gradients?\nTo stop spikes.\n", encoding="utf-8")
        write_pack(workspace.paths.packs, plan_file(source))
        workspace.reload_library()
        assert [p.id for p in list_packs(workspace.paths.packs)] == ["my-notes"]
        new_ids = Scope("pack", "my-notes").question_ids(workspace.library)
        assert set(ids) < set(new_ids) and len(new_ids) == 4
        assert workspace.library.question("my-notes.what-is-a-token").key_points == "A unit of text."
        row = workspace.progress.conn.execute("SELECT last_review FROM cards WHERE question_id = ?",
                                              (reviewed,)).fetchone()
        assert row and row[0]
        assert workspace.progress.conn.execute("SELECT body FROM notes WHERE question_id = ?",
                                               (reviewed,)).fetchone() == ("mine",)
        assert workspace.progress.conn.execute("SELECT count(*) FROM reviews WHERE question_id = ?",
                                               (reviewed,)).fetchone() == (1,)
        assert workspace.library.question(reviewed) is not None
    finally:
        workspace.close()


def test_a_new_title_heading_renames_the_pack_but_keeps_its_id_and_question_ids(tmp_path: Path) -> None:
    packs_root = tmp_path / "packs"
    source = write(tmp_path, "## What is attention?\nWeights.\n\n## Why warm up?\nNoise.\n", "a3f9c2e1.md")
    first = write_pack(packs_root, plan_file(source))
    before = load_pack(first, pack=first.name)
    source.write_text("# Transformer prep\n\n" + source.read_text(encoding="utf-8"), encoding="utf-8")
    second = write_pack(packs_root, plan_file(source))
    after = load_pack(second, pack=second.name)
    assert first == second and [p.id for p in list_packs(packs_root)] == [pack_id_for("a3f9c2e1.md")]
    assert list_packs(packs_root)[0].title == "Transformer prep"
    ids = [q.id for q in before.questions()]
    assert len(ids) == 2 and [q.id for q in after.questions()] == ids


def test_a_failed_write_leaves_the_previous_import_untouched(tmp_path: Path, monkeypatch) -> None:
    root = tmp_path / "packs"
    folder = write_pack(root, plan_file(write(tmp_path)))
    before = sorted(p.read_text(encoding="utf-8") for p in folder.rglob("*.md"))

    def broken(work: Path, *args) -> None:
        (work / "topics").mkdir(parents=True)
        (work / "topics" / "001-half.md").write_text("+++\nid = \"half\"\n", encoding="utf-8")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(packs, "_write_files", broken)
    with pytest.raises(PackError, match="No space left"):
        write_pack(root, plan_file(write(tmp_path)))
    assert sorted(p.read_text(encoding="utf-8") for p in folder.rglob("*.md")) == before
    assert [p.name for p in root.iterdir()] == ["my-notes"]
    assert not any((tmp_path / ".packs-staging").iterdir())


def test_a_pack_that_would_not_load_is_never_installed(tmp_path: Path) -> None:
    plan = plan_text(NOTES, "n.md")
    plan.topics[0].entries[0].title = "Broken\n## split"
    plan.topics[0].entries[0].body = "## this would start a new question without an id"
    with pytest.raises(PackError, match="would not load"):
        write_pack(tmp_path / "packs", plan)
    assert not (tmp_path / "packs" / "n").exists()


def test_remove_pack(tmp_path: Path) -> None:
    root = tmp_path / "packs"
    write_pack(root, plan_file(write(tmp_path)))
    remove_pack(root, "my-notes")
    assert list_packs(root) == [] and not (root / "my-notes").exists()
    with pytest.raises(PackError, match="no pack"):
        remove_pack(root, "my-notes")
    with pytest.raises(PackError):
        remove_pack(root, "../outside")


def test_pack_ids_from_file_names() -> None:
    assert pack_id_for("My GenAI Notes (2024).md") == "my-genai-notes-2024"
    assert pack_id_for("builtin.md") == "builtin-notes"
    assert pack_id_for("….txt") == "notes"


def test_key_points() -> None:
    assert key_points_and_answer("") == (NO_ANSWER, "")
    assert key_points_and_answer("Short point.\n\nMore detail.") == ("Short point.", "More detail.")
    long_para = " ".join(["Word."] * 100)
    assert key_points_and_answer(long_para + "\n\nMore.") == ("", long_para + "\n\nMore.")  # none, not a copy
    listed = "- First idea.\n- Second idea."
    assert key_points_and_answer(listed + "\n\nWhy.") == ("\n" + listed, "Why.")
    long_list = "- First idea. With detail that goes on.\n  - nested\n- Second idea.\n" + "filler " * 90
    assert key_points_and_answer(long_list) == ("", long_list.strip())


def test_key_points_skip_bare_links_and_headings_and_keep_them_in_the_answer() -> None:
    body = ("https://example.com/a\n\n- <https://example.com/b>\n\n### Overview\n\n"
            "The real point.\n\n## Details\n\nMore.")
    points, answer = key_points_and_answer(body)
    assert points == "The real point."
    assert answer == "https://example.com/a\n\n- <https://example.com/b>\n\n### Overview\n\n## Details\n\nMore."
    assert key_points_and_answer("[paper](https://arxiv.org/abs/1)\n\nSo.") == ("So.", "[paper](https://arxiv.org/abs/1)")
    assert key_points_and_answer("https://example.com/only")[0] == ""


@needs_shared()
def test_seed_key_points_are_never_a_link_and_never_repeat_the_answer() -> None:
    import re

    checked = 0
    for path in sorted((SHARED / "seeds").glob("*.txt")):
        for entry in plan_file(path).entries():
            points, answer = key_points_and_answer(entry.body)
            assert not re.search(r"https?://", points), (path.name, entry.title, points)
            sentences = [s for s in re.split(r"(?<=[.!?:])\s+", points.replace("\n- ", " ")) if len(s.split()) >= 5]
            assert not any(sentence in answer for sentence in sentences), (path.name, entry.title)
            checked += bool(points and points != NO_ANSWER)
    assert checked >= 60  # 69 of the 140 answers open with a short real paragraph or list

def test_local_images_next_to_the_notes_are_copied_into_the_pack(tmp_path: Path) -> None:
    (tmp_path / "img").mkdir()
    png = b"\x89PNG\r\n\x1a\n" + b"\0" * 24  # a PNG's own first bytes: the one picture rule checks them
    (tmp_path / "img" / "a.png").write_bytes(png)
    (tmp_path / "img" / "fake.png").write_bytes(b"a text file named .png")
    (tmp_path / "secret.png").write_bytes(b"x")
    source = write(tmp_path, "## Q\n![diagram](img/a.png) ![gone](img/missing.png) ![up](../secret.png)\n"
                             "![fake](img/fake.png) ![remote](https://example.com/x.png)\n", name="pics.md")
    folder = write_pack(tmp_path / "packs", plan_file(source))
    assert (folder / "img" / "a.png").read_bytes() == png
    assert not (folder / "img" / "fake.png").exists()
    assert not (folder / "secret.png").exists() and not (tmp_path / "packs" / "secret.png").exists()


@needs_shared()
def test_every_seed_writes_a_pack_that_loads_without_problems(tmp_path: Path) -> None:
    root = tmp_path / "packs"
    for path in sorted((SHARED / "seeds").glob("*.txt")):
        folder = write_pack(root, plan_file(path))
        assert load_pack(folder, folder.name).problems == []
    counts = {p.id[:3]: p.questions for p in list_packs(root)}
    assert counts == {"000": 96, "001": 54, "002": 3, "003": 31, "004": 4}
