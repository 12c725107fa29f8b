"""Clean text (issue 23): NUL and other control characters are removed and bidirectional
override and isolate characters neutralised in everything imported, by one rule
(core/content/text_clean.py); pack files are size-capped and never read through a link out of the pack."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from genai_desktop.core.content import library as content
from genai_desktop.core.content.checks import check_pack
from genai_desktop.core.content.library import load_pack
from genai_desktop.core.content.text_clean import UNSAFE_CHARACTERS, clean_text
from genai_desktop.core.packs.notes_import import plan_text
from genai_desktop.core.packs.notes_import.reading import decode_notes
from genai_desktop.core.transfer.anki_text_import import plan_anki_text

BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
CONTROLS = "".join(chr(c) for c in (*range(0, 9), 11, 12, *range(14, 32), 127, *range(0x80, 0xA0)))


def is_clean(text: str) -> bool:
    return not any(ch in BIDI or ch in CONTROLS or ch == "\r" for ch in text)


def test_the_rule() -> None:
    assert clean_text("a\x00b\tc\nd\r\ne\rf\x7fg\x9bh") == "ab\tc\nd\ne\nfgh"
    assert clean_text("RTL \u202epack title\u202c.jpg \u2067x\u2069") == "RTL pack title.jpg x"
    assert clean_text("café — ok 🙂 \u200f") == "café — ok 🙂 \u200f"  # marks that cannot reorder text stay
    assert set(BIDI + CONTROLS) <= set(UNSAFE_CHARACTERS)


@given(st.text())
def test_clean_text_leaves_nothing_unsafe_and_is_stable(text: str) -> None:
    cleaned = clean_text(text)
    assert is_clean(cleaned)
    assert clean_text(cleaned) == cleaned
    lines = text.replace("\r\n", "\n").replace("\r", "\n")
    assert cleaned == "".join(ch for ch in lines if ch not in BIDI + CONTROLS)


HOSTILE_TITLE = "RTL pack title \u202egpj.eltit\u202c \x00x"
PADDING = "Filler text for the first 64 KB, which is all the binary sniffing looks at.\n" * 1000


def test_notes_import_cleans_text_past_the_sniffed_start() -> None:
    raw = (f"# Notes\n\n{PADDING}\n## {HOSTILE_TITLE}?\n\nAn answer with a NUL\x00 and \u2066isolate\u2069.\n")
    text = decode_notes(raw.encode("utf-8"), "notes.md").text
    assert is_clean(text)
    plan = plan_text(text, "notes.md")
    for topic in plan.topics:
        for entry in topic.entries:
            assert is_clean(entry.title) and is_clean(entry.body)


def _topic(title: str, body: str = "**Key points.** Fine.\n\nAnswer.") -> str:
    return (f'+++\nid = "evil"\ntitle = "Evil {title}"\norder = 9\n+++\n\n{PADDING}\n'
            f"## {title}\n<!-- id: evil-q; sources: ; level: dev1 -->\n\n{body}\n")


def test_pack_loading_cleans_titles_and_text(starter_pack: Path) -> None:
    (starter_pack / "topics" / "09-evil.md").write_text(
        _topic(HOSTILE_TITLE.replace("\x00", "\\u0000"), "**Key points.** NUL\x00 and \u202eRLO.\n\nA\x07nswer."),
        encoding="utf-8")
    (starter_pack / "pack.toml").write_text('title = "Mine \\u202Eevil"\n', encoding="utf-8")
    library = load_pack(starter_pack, pack="mine")
    question = library.question("evil-q")
    assert question is not None
    assert is_clean(question.title) and is_clean(question.key_points) and is_clean(question.answer)
    assert question.title.startswith("RTL pack title gpj.eltit")
    assert is_clean(library.topic("evil").title) and library.pack_titles["mine"] == "Mine evil"


def test_anki_text_import_cleans_fields_and_entities() -> None:
    text = ("#separator:tab\n#html:true\n"
            "What does \u202eattention&#x202E; compute?\tA weighted&#0; sum\x01 &#x2066;of values.\n")
    plan = plan_anki_text(text, "deck.txt")
    entry = plan.topics[0].entries[0]
    assert is_clean(entry.title) and is_clean(entry.body)
    assert "attention" in entry.title and "weighted" in entry.body


# ---------------------------------------------------------------- file size and links

def test_a_huge_topic_file_is_a_problem_not_a_read(starter_pack: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    huge = starter_pack / "topics" / "99-huge.md"
    with huge.open("wb") as handle:  # sparse: 1 GB on paper, nothing on disk
        handle.truncate(1 << 30)
    opened: list[Path] = []
    real = Path.read_text

    def watched(self: Path, *args, **kwargs) -> str:
        opened.append(self)
        if self == huge:
            raise AssertionError("the 1 GB file was read")
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Path, "read_text", watched)
    problems = check_pack(starter_pack)
    assert [p.path for p in problems] == [huge]
    assert "too large" in problems[0].message and "1024.0 MB" in problems[0].message
    assert huge not in opened


def test_a_topic_linked_from_outside_the_pack_is_not_read(tmp_path: Path, starter_pack: Path) -> None:
    outside = tmp_path / "secret.md"
    outside.write_text(_topic("Secret"), encoding="utf-8")
    os.symlink(outside, starter_pack / "topics" / "05-link.md")
    os.symlink(outside, starter_pack / "guides" / "05-link.md")
    library = load_pack(starter_pack)
    assert library.question("evil-q") is None and library.guide("evil") is None
    assert sum("outside the pack" in p.message for p in library.problems) == 2


def test_the_size_limit_admits_every_pack_the_notes_import_can_write() -> None:
    from genai_desktop.core.packs.notes_import.reading import MAX_BYTES

    assert content.MAX_PAGE_BYTES >= 2 * MAX_BYTES


def test_titles_taken_from_a_file_name_are_cleaned() -> None:
    """The reversed sidebar title of the issue came from a file name: "RTL pack title ‮gpj.exe"."""
    plan = plan_text("## What is it?\n\nAn answer.\n", "RTL pack title \u202egpj.exe\x00.md")
    assert plan.title == "RTL pack title gpj.exe" and all(is_clean(t.title) for t in plan.topics)
    plan = plan_anki_text("#separator:tab\nfront\tback\n", "RTL \u2067deck\u2069\x07.txt")
    assert plan.title == "RTL deck" and all(is_clean(t.title) for t in plan.topics)


def test_the_pack_list_reads_pack_toml_cleaned_and_capped(tmp_path: Path) -> None:
    from genai_desktop.core.packs.user_packs import read_pack_info

    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "pack.toml").write_text('title = "Notes \\u202Eevil"\nsource_name = "a\\u0000b.md"\nquestions = "many"\n',
                                      encoding="utf-8")
    info = read_pack_info(folder)
    assert info is not None and info.title == "Notes evil" and info.source_name == "ab.md" and info.questions == 0
    with (folder / "pack.toml").open("wb") as handle:
        handle.truncate(1 << 30)  # sparse
    assert read_pack_info(folder) is None
