"""The .apkg export, checked by importing it with the Anki library itself into a fresh collection."""

from __future__ import annotations

import html
import sys
import zipfile
from pathlib import Path

import pytest
from anki.collection import Collection, ImportAnkiPackageOptions, ImportAnkiPackageRequest

from genai_desktop.core.anki_export import (
    APP_TAG,
    FIELDS,
    ExportError,
    export_apkg,
    note_guid,
    parse_scope,
)
from genai_desktop.core.content import load_pack
from genai_desktop.core.markdown_html import formulas_in
from genai_desktop.core.study import Scope

T0 = 1_750_000_000.0


@pytest.fixture
def collection(tmp_path: Path):
    col = Collection(str(tmp_path / "collection.anki2"))
    yield col
    col.close()


def import_into(col: Collection, package: Path):
    """What Anki's File → Import does with its default options (update notes if newer)."""
    request = ImportAnkiPackageRequest(package_path=str(package),
                                       options=ImportAnkiPackageOptions(with_scheduling=False))
    return col.import_anki_package(request).log


def notes_by_guid(col: Collection) -> dict[str, object]:
    return {note.guid: note for note in (col.get_note(nid) for nid in col.find_notes(""))}


def all_ids(library) -> list[str]:
    return [q.id for q in library.questions()]


def test_every_question_becomes_one_note_with_its_fields_and_tags(starter_pack, tmp_path, collection) -> None:
    library = load_pack(starter_pack)
    out = tmp_path / "deck.apkg"
    result = export_apkg(library, all_ids(library), out, bookmarks=["multi-head"], timestamp=T0)
    assert result.notes == 3 and result.decks == 2 and out.is_file()
    assert not list(tmp_path.glob(".anki-export-*")) and not out.with_name("deck.apkg.part").exists()

    log = import_into(collection, out)
    assert len(log.new) == 3 and collection.note_count() == 3
    notes = notes_by_guid(collection)
    assert set(notes) == {note_guid(qid) for qid in all_ids(library)}

    attention = notes[note_guid("attention-basics")]
    assert list(attention.keys()) == list(FIELDS)
    assert attention["Question"] == "What does scaled dot-product attention compute?"
    assert attention["Topic"] == "Attention" and attention["Level"] == "Developer Level 1"
    assert "softmax" in attention["KeyPoints"]
    # code is highlighted with inline styles (no stylesheet classes Anki would not have)
    assert '<span style="' in attention["Answer"] and "def</span>" in attention["Answer"]
    assert 'class="' not in attention["Answer"].replace('class="code"', "").replace('class="codelang"', "")
    # links into this app's library make no sense in Anki: their text stays, the link goes
    assert "q:multi-head" not in attention["Answer"] and "multi-head attention" in attention["Answer"]
    assert set(attention.tags) == {APP_TAG, f"{APP_TAG}::topic::attention", f"{APP_TAG}::level::dev1"}
    assert f"{APP_TAG}::bookmarked" in notes[note_guid("multi-head")].tags

    decks = {deck.name for deck in collection.decks.all_names_and_ids()}
    assert {"GenAI Study Desk::Attention", "GenAI Study Desk::GANs"} <= decks
    assert collection.card_count() == 3


def test_formulas_arrive_as_mathjax_with_their_latex_intact(starter_pack, tmp_path, collection) -> None:
    library = load_pack(starter_pack)
    out = tmp_path / "deck.apkg"
    result = export_apkg(library, all_ids(library), out, timestamp=T0)
    import_into(collection, out)
    notes = notes_by_guid(collection)
    expected = 0
    for question in library.questions():
        note = notes[note_guid(question.id)]
        text = note["KeyPoints"] + note["Answer"]
        for formula in formulas_in(question.markdown):
            source = html.escape(formula.normalised, quote=False)
            wrapped = f"\\[{source}\\]" if formula.display else f"\\({source}\\)"
            assert wrapped in text, f"{question.id}: {formula.latex!r} missing"
            expected += 1
        assert 'src="formula:' not in text and "<img" not in text
    assert result.formulas == expected > 0
    attention = notes[note_guid("attention-basics")]
    assert "\\(\\sqrt{d_k}\\)" in attention["KeyPoints"]
    assert "\\[\\mathrm{Attention}(Q,K,V)" in attention["Answer"]


def test_a_second_export_after_a_content_change_updates_instead_of_duplicating(starter_pack, tmp_path,
                                                                                collection) -> None:
    library = load_pack(starter_pack)
    first = tmp_path / "first.apkg"
    export_apkg(library, all_ids(library), first, timestamp=T0)
    assert len(import_into(collection, first).new) == 3

    topic_file = starter_pack / "topics" / "02-gans.md"
    topic_file.write_text(topic_file.read_text().replace("A two-player minimax game",
                                                         "A revised two-player minimax game"))
    library = load_pack(starter_pack)
    second = tmp_path / "second.apkg"
    export_apkg(library, all_ids(library), second, timestamp=T0 + 3600)
    log = import_into(collection, second)
    assert len(log.new) == 0 and len(log.updated) == 3
    assert collection.note_count() == 3 and collection.card_count() == 3
    gan = notes_by_guid(collection)[note_guid("gan-objective")]
    assert "A revised two-player minimax game" in gan["KeyPoints"]
    # the note type was recognised by its id, not added a second time
    assert sum(1 for m in collection.models.all_names_and_ids() if m.name.startswith("GenAI Study Desk")) == 1


def test_scopes_select_topic_level_pack_and_bookmarks(starter_pack) -> None:
    library = load_pack(starter_pack)
    assert parse_scope("all", library) == Scope()
    assert parse_scope("topic:gans", library).question_ids(library) == ["gan-objective"]
    assert parse_scope("level:dev2", library) == parse_scope("level:2", library)
    assert parse_scope("level:dev2", library).question_ids(library) == ["multi-head", "gan-objective"]
    assert parse_scope("bookmarks", library).question_ids(library, ["multi-head"]) == ["multi-head"]
    assert parse_scope("pack:builtin", library).question_ids(library) == all_ids(library)
    for bad, words in (("topic:nope", "No topic called 'nope'"), ("level:7", "No level"),
                       ("pack:mine", "No pack"), ("everything", "Unknown scope")):
        with pytest.raises(ExportError, match=words):
            parse_scope(bad, library)


def test_an_empty_selection_or_unwritable_target_is_refused_and_leaves_nothing(starter_pack, tmp_path) -> None:
    library = load_pack(starter_pack)
    with pytest.raises(ExportError, match="no cards"):
        export_apkg(library, [], tmp_path / "empty.apkg")
    assert not (tmp_path / "empty.apkg").exists()
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where a folder should be")
    with pytest.raises(ExportError, match="Could not write"):
        export_apkg(library, all_ids(library), blocked / "deck.apkg")


def test_the_package_holds_only_the_collection_and_an_empty_media_map(starter_pack, tmp_path) -> None:
    library = load_pack(starter_pack)
    out = tmp_path / "deck.apkg"
    export_apkg(library, all_ids(library), out, timestamp=T0)
    with zipfile.ZipFile(out) as archive:
        assert sorted(archive.namelist()) == ["collection.anki2", "media"]
        assert archive.read("media") == b"{}"


def test_genanki_is_not_imported_until_an_export_runs() -> None:
    import subprocess

    code = ("import sys, genai_desktop.core.anki_export; "
            "assert 'genanki' not in sys.modules, 'genanki imported at module level'")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_imported_notes_without_a_level_get_no_level_tag_or_caption(tmp_path, collection) -> None:
    from genai_desktop.core.content import Library, Question, Topic

    question = Question("mine.q", "My question", "mine.topic", "", (), "Short answer.", "", tmp_path, 1, "mine")
    library = Library([Topic("mine.topic", "Mine", 1, "", tmp_path, "mine", [question])])
    out = tmp_path / "mine.apkg"
    export_apkg(library, ["mine.q"], out, timestamp=T0)
    import_into(collection, out)
    note = collection.get_note(collection.find_notes("")[0])
    assert note["Level"] == "" and f"{APP_TAG}::pack::mine" in note.tags
    assert not any("::level::" in tag for tag in note.tags)
    card = note.cards()[0]
    assert "Mine</div>" in card.question() and " · " not in card.question()


def test_the_whole_built_in_library_arrives_with_every_formula(tmp_path, collection, recwarn) -> None:
    from genai_desktop.paths import content_dir

    library = load_pack(content_dir())
    out = tmp_path / "all.apkg"
    result = export_apkg(library, all_ids(library), out)
    assert not [w for w in recwarn if "invalid HTML" in str(w.message)]  # genanki's own HTML check
    log = import_into(collection, out)
    assert len(log.new) == result.notes == len(all_ids(library)) == collection.note_count()
    notes = notes_by_guid(collection)
    missing = []
    for question in library.questions():
        note = notes[note_guid(question.id)]
        text = note["Question"] + note["KeyPoints"] + note["Answer"]
        for formula in formulas_in(question.title) + formulas_in(question.markdown):
            source = html.escape(formula.normalised, quote=False)
            if (f"\\[{source}\\]" if formula.display else f"\\({source}\\)") not in text:
                missing.append((question.id, formula.latex))
    assert not missing
    assert result.formulas > 100
