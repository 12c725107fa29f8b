"""Anki's "Notes in Plain Text" export as a user pack; the exports are made by the Anki library itself."""

from __future__ import annotations

from pathlib import Path

import pytest
from anki.collection import Collection

from genai_desktop.core.content.library import load_pack
from genai_desktop.core.packs.notes_import.model import NotesError
from genai_desktop.core.render.formulas import FormulaCache
from genai_desktop.core.render.markdown_html import MarkdownRenderer, formulas_in
from genai_desktop.core.transfer.anki_text_import import (
    AnkiTextError,
    html_to_markdown,
    import_anki_text,
    plan_anki_text,
    read_anki_text,
)

NOTES = [
    ("Transformers::Attention", "Basic", ["What does <b>attention</b> compute?",
                                          "A weighted sum of values:<br>\\(\\mathrm{softmax}(QK^\\top/\\sqrt{d_k})V\\)"
                                          "<ul><li>queries score keys</li><li>scores are scaled</li></ul>"]),
    ("Transformers::Attention", "Basic", ["Why scale by \\(\\sqrt{d_k}\\)?",
                                          "<div>Dot products grow with the dimension.</div>"
                                          "<div>\\[\\mathrm{Var}(q\\cdot k) = d_k\\]</div>"]),
    ("Python", "Basic", ["Show a list comprehension",
                         "<pre><code>squares = [x * x for x in range(10) if x &lt; 5]</code></pre>"
                         "Use <code>a &lt; b</code>."]),
    ("Python", "Cloze", ["{{c1::Tokenization}} splits text into {{c2::tokens::units}}.", "Back extra <i>note</i>"]),
    ("Python", "Basic", ["## not a heading &amp; <img src=\"chart.png\"> [sound:x.mp3]",
                         "Answer with a 5 &lt; 6 sign"]),
]


@pytest.fixture
def anki_export(tmp_path: Path):
    """Write a collection with NOTES and export it as Anki does; returns a function (options) -> path."""
    col = Collection(str(tmp_path / "source.anki2"))
    for deck, notetype, fields in NOTES:
        note = col.new_note(col.models.by_name(notetype))
        for index, value in enumerate(fields):
            note.fields[index] = value
        note.tags = ["genai"]
        col.add_note(note, col.decks.id(deck))

    def export(name: str = "My Anki deck.txt", **options) -> Path:
        out = tmp_path / name
        settings = dict(with_html=True, with_tags=True, with_deck=True, with_notetype=True, with_guid=True)
        settings.update(options)
        col.export_note_csv(out_path=str(out), limit=None, **settings)
        return out

    yield export
    col.close()


def test_a_full_export_becomes_a_pack_with_a_topic_per_deck(anki_export, tmp_path) -> None:
    source = anki_export()
    packs = tmp_path / "packs"
    folder, plan = import_anki_text(source, packs)
    assert folder == packs / "my-anki-deck" and plan.kind == "anki"
    library = load_pack(folder, pack=folder.name)
    assert not library.problems
    assert [t.title for t in library.topics] == ["Transformers › Attention", "Python"]
    questions = {q.title: q for q in library.questions()}
    assert len(questions) == len(NOTES)

    attention = questions["What does attention compute?"]
    assert attention.key_points.startswith("A weighted sum of values:")
    assert "$\\mathrm{softmax}(QK^\\top/\\sqrt{d_k})V$" in attention.markdown
    assert "- queries score keys\n- scores are scaled" in attention.markdown
    scale = questions["Why scale by $\\sqrt{d_k}$?"]
    assert "$$\n\\mathrm{Var}(q\\cdot k) = d_k\n$$" in scale.markdown
    assert [f.latex for f in formulas_in(scale.markdown)] == ["\\mathrm{Var}(q\\cdot k) = d_k"]

    code = questions["Show a list comprehension"]
    assert "```\nsquares = [x * x for x in range(10) if x < 5]\n```" in code.markdown
    assert "`a < b`" in code.markdown  # code keeps its characters ...
    odd = next(q for q in library.questions() if "not a heading" in q.title)
    assert odd.title == "## not a heading & [image: chart.png]"  # a plain-text title, sound left out
    assert "5 &lt; 6" in odd.markdown  # text in the body cannot inject HTML
    assert any("image" in warning for warning in plan.warnings)

    cloze = questions["[…] splits text into [units]."]
    assert "**Tokenization** splits text into **tokens**." in cloze.markdown and "*note*" in cloze.markdown


def test_the_pack_renders_in_the_reader_without_escapes_showing(anki_export, tmp_path) -> None:
    folder, _ = import_anki_text(anki_export(), tmp_path / "packs")
    library = load_pack(folder, pack=folder.name)
    renderer = MarkdownRenderer(FormulaCache(None), mathjax=True)
    body = renderer.to_html(next(q for q in library.questions() if "not a heading" in q.title).markdown)
    assert "5 &lt; 6" in body and "&amp;lt;" not in body
    code = renderer.to_html(next(q for q in library.questions() if q.title == "Show a list comprehension").markdown)
    assert "x &lt; 5" in code or "x </span><span" in code  # highlighted, the "<" escaped once


def test_an_export_without_html_or_header_columns_still_imports(anki_export, tmp_path) -> None:
    source = anki_export("plain.txt", with_html=False, with_tags=False, with_deck=False, with_notetype=False,
                         with_guid=False)
    plan = read_anki_text(source)
    assert plan.question_count == len(NOTES) and [t.title for t in plan.topics] == ["Plain"]
    assert plan.topics[0].entries[0].title == "What does attention compute?"


def test_importing_the_same_file_again_updates_the_pack_and_keeps_question_ids(anki_export, tmp_path) -> None:
    packs = tmp_path / "packs"
    folder, _ = import_anki_text(anki_export(), packs)
    first = [q.id for q in load_pack(folder, pack=folder.name).questions()]
    folder_again, _ = import_anki_text(anki_export(), packs)
    assert folder_again == folder and [q.id for q in load_pack(folder, pack=folder.name).questions()] == first
    assert sorted(p.name for p in packs.iterdir()) == ["my-anki-deck"]


def test_legacy_headerless_tab_file_and_a_custom_separator() -> None:
    legacy = plan_anki_text("front one\tback <b>one</b>\nfront two\tback two\n", "old.txt")
    assert [e.title for e in legacy.entries()] == ["front one", "front two"]
    assert legacy.entries()[0].body == "back **one**"
    semicolons = plan_anki_text("#separator:semicolon\n#html:false\nQ1;A1\n\"Q;2\";\"A\n2\"\n", "s.txt")
    assert [(e.title, e.body) for e in semicolons.entries()] == [("Q1", "A1"), ("Q;2", "A\n2")]


def test_a_long_multi_line_front_gets_a_short_title_and_keeps_the_whole_question() -> None:
    front = "Consider this:<ul><li>first point to weigh</li><li>second</li></ul>Which wins?"
    plan = plan_anki_text(f"#separator:tab\n#html:true\n{front}\tThe first.\n", "long.txt")
    entry = plan.entries()[0]
    assert entry.title == "Consider this:" and "\n" not in entry.title
    assert entry.body.startswith("The first.") and "### The whole question" in entry.body
    assert "- first point to weigh" in entry.body


def test_html_conversion_of_tables_links_and_breaks() -> None:
    text, dropped = html_to_markdown('<table><tr><th>a</th><th>b</th></tr><tr><td>1</td><td>2</td></tr></table>'
                                     'See <a href="https://arxiv.org/abs/1706.03762">the paper</a>,<br>'
                                     '<a href="javascript:alert(1)">not a link</a><img alt="cat">')
    assert "| a | b |\n|---|---|\n| 1 | 2 |" in text
    assert "[the paper](https://arxiv.org/abs/1706.03762)" in text and "javascript" not in text
    assert "not a link[image: cat]" in text and dropped == 1


@pytest.mark.parametrize(("content", "words"), [
    (b"", "empty"),
    (b"\x00\x01\x02binary" * 100, "binary"),
    (b"just one line without any separator\nand another\n", "does not look like an Anki"),
    (b"#separator:tab\n#html:true\n", "holds no notes"),
    (b"#separator:tab\n\t\tback without a front\n", "holds no notes"),
])
def test_files_that_are_not_exports_are_refused_clearly(tmp_path, content, words) -> None:
    path = tmp_path / "export.txt"
    path.write_bytes(content)
    with pytest.raises(NotesError, match=words):
        read_anki_text(path)


def test_other_file_types_are_refused(tmp_path) -> None:
    with pytest.raises(AnkiTextError, match="Notes in Plain Text"):
        read_anki_text(tmp_path / "deck.apkg")
