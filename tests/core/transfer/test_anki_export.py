"""The .apkg export, checked by importing it with the Anki library itself into a fresh collection."""

from __future__ import annotations

import html
import re
import sys
import zipfile
from pathlib import Path

import pytest
from anki.collection import Collection, ImportAnkiPackageOptions, ImportAnkiPackageRequest

from genai_desktop.core.content.library import load_pack
from genai_desktop.core.render.markdown_html import formulas_in
from genai_desktop.core.study.session import Scope
from genai_desktop.core.transfer.anki_export import (
    APP_TAG,
    FIELDS,
    ExportError,
    export_apkg,
    media_name,
    note_guid,
    parse_scope,
)

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
    assert 'class="' not in attention["Answer"].replace('class="code"', "").replace('class="codehead"', "")
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
    assert parse_scope("level:dev2", library).question_ids(library) == ["multi-head"]  # its own level only
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

    code = ("import sys, genai_desktop.core.transfer.anki_export; "
            "assert 'genanki' not in sys.modules, 'genanki imported at module level'")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_imported_notes_without_a_level_get_no_level_tag_or_caption(tmp_path, collection) -> None:
    from genai_desktop.core.content.library import Library, Question, Topic

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


# ---------------------------------------------------------------- pictures of the user's own packs

# A real 1x1 PNG and a tiny SVG: the export checks a picture's first bytes, not just its name.
PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
                    "0000000d49444154789c6360000002000001e221bc330000000049454e44ae426082")
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"><rect width="4" height="4"/></svg>'


def picture_pack(folder: Path, pack: str, pictures: dict[str, str]) -> Path:
    """A user pack whose one question shows each picture (path as written -> alt text)."""
    (folder / "topics").mkdir(parents=True)
    images = "\n\n".join(f"![{alt}]({path})" for path, alt in pictures.items())
    (folder / "topics" / "001-pictures.md").write_text(
        f'+++\nid = "{pack}.pictures"\ntitle = "Pictures"\norder = 1\n+++\n\n'
        f"## What does the diagram show?\n<!-- id: {pack}.q1; sources: ; level:  -->\n\n"
        f"**Key points.** The flow.\n\n{images}\n")
    return folder


def media_map(package: Path) -> dict[str, str]:
    import json

    with zipfile.ZipFile(package) as archive:
        return json.loads(archive.read("media"))


def test_a_packs_pictures_arrive_in_anki_as_media_the_card_shows(tmp_path, collection) -> None:
    pack = picture_pack(tmp_path / "mine", "mine", {"diagrams/flow.png": "The flow", "chart.svg": "Chart",
                                                    "./diagrams/flow.png": "Again"})
    (pack / "diagrams").mkdir()
    (pack / "diagrams" / "flow.png").write_bytes(PNG)
    (pack / "chart.svg").write_bytes(SVG)
    library = load_pack(pack, "mine")
    out = tmp_path / "mine.apkg"
    result = export_apkg(library, all_ids(library), out, timestamp=T0)

    flow, chart = media_name("mine", "diagrams/flow.png"), media_name("mine", "chart.svg")
    assert flow.endswith("-flow.png") and chart.endswith("-chart.svg") and flow.startswith("gsd-")
    # the same file written two ways is one media file
    assert (result.images_included, result.images_dropped) == (2, 0)
    assert "2 pictures included." in result.message() and "left out" not in result.message()
    assert sorted(media_map(out).values()) == sorted([flow, chart])

    import_into(collection, out)
    media_dir = Path(collection.media.dir())
    assert (media_dir / flow).read_bytes() == PNG and (media_dir / chart).read_bytes() == SVG
    answer = collection.get_note(collection.find_notes("")[0])["Answer"]
    assert f'<img src="{flow}" alt="The flow">' in answer and f'<img src="{chart}" alt="Chart">' in answer
    assert f'<img src="{flow}" alt="Again">' in answer
    assert "[image:" not in answer and "image:" not in answer


def test_a_re_export_keeps_the_media_names_and_packs_never_collide(tmp_path, collection) -> None:
    first_pack = picture_pack(tmp_path / "one", "one", {"flow.png": "Flow"})
    second_pack = picture_pack(tmp_path / "two", "two", {"flow.png": "Flow"})
    (first_pack / "flow.png").write_bytes(PNG)
    (second_pack / "flow.png").write_bytes(PNG + b"\0")  # same name, another picture
    one, two = load_pack(first_pack, "one"), load_pack(second_pack, "two")

    first, again = tmp_path / "first.apkg", tmp_path / "again.apkg"
    export_apkg(one, all_ids(one), first, timestamp=T0)
    export_apkg(one, all_ids(one), again, timestamp=T0 + 3600)
    assert media_map(first) == media_map(again) and len(media_map(first)) == 1
    other = tmp_path / "other.apkg"
    export_apkg(two, all_ids(two), other, timestamp=T0)
    assert set(media_map(other).values()).isdisjoint(media_map(first).values())

    for package in (first, again, other):
        import_into(collection, package)
    media_files = sorted(p.name for p in Path(collection.media.dir()).iterdir())
    assert media_files == sorted([*media_map(first).values(), *media_map(other).values()])


def test_pictures_outside_the_pack_missing_or_not_images_stay_left_out(tmp_path, collection) -> None:
    pack = picture_pack(tmp_path / "mine", "mine", {
        "../outside.png": "Outside", "escape.png": "Escape", "missing.png": "Missing", "notes.txt": "Text",
        "fake.png": "Fake", str(tmp_path / "outside.png"): "Absolute", "ok.png": "Fine"})
    (tmp_path / "outside.png").write_bytes(PNG)  # a real picture, but next to the pack, not in it
    (pack / "escape.png").symlink_to(tmp_path / "outside.png")
    (pack / "notes.txt").write_text("not a picture")
    (pack / "fake.png").write_text("a text file with a picture's name")
    (pack / "ok.png").write_bytes(PNG)
    library = load_pack(pack, "mine")
    out = tmp_path / "mine.apkg"
    result = export_apkg(library, all_ids(library), out, timestamp=T0)

    assert (result.images_included, result.images_dropped) == (1, 6)
    assert "1 picture included, 6 left out" in result.message()
    assert list(media_map(out).values()) == [media_name("mine", "ok.png")]
    import_into(collection, out)
    answer = collection.get_note(collection.find_notes("")[0])["Answer"]
    for alt in ("Outside", "Escape", "Missing", "Text", "Fake", "Absolute"):
        assert f"[image: {alt}]" in answer
    assert answer.count("<img") == 1
    assert [p.name for p in Path(collection.media.dir()).iterdir()] == [media_name("mine", "ok.png")]


def test_pictures_the_reader_shows_travel_too_titled_bmp_commented_svg_and_tidied_paths(tmp_path) -> None:
    pack = tmp_path / "mine"
    (pack / "topics").mkdir(parents=True)
    (pack / "topics" / "001-pictures.md").write_text(
        '+++\nid = "mine.pictures"\ntitle = "Pictures"\norder = 1\n+++\n\n'
        "## What does the diagram show?\n<!-- id: mine.q1; sources: ; level:  -->\n\n**Key points.** The flow.\n\n"
        '![Titled](flow.png "The whole flow")\n\n![Bitmap](scan.bmp)\n\n![Drawn](drawn.svg)\n\n'
        "![Tidied](img/../flow.png)\n\n![Gone](./gone.png)\n\n![Gone again](gone.png)\n")
    (pack / "flow.png").write_bytes(PNG)
    (pack / "scan.bmp").write_bytes(b"BM" + bytes(60))
    (pack / "drawn.svg").write_bytes(b"<!-- Generator: an editor -->\n" + SVG)
    library = load_pack(pack, "mine")
    out = tmp_path / "mine.apkg"
    result = export_apkg(library, all_ids(library), out, timestamp=T0)
    assert sorted(media_map(out).values()) == sorted(media_name("mine", name) for name in
                                                     ("flow.png", "scan.bmp", "drawn.svg"))
    assert (result.images_included, result.images_dropped) == (3, 1)  # "./gone.png" and "gone.png" are one


# ---------------------------------------------------------------- figures

FIGURE = (b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 300 100" width="300" height="100">'
          b'<title>A box</title><rect x="20" y="20" width="260" height="60" fill="#dbeafe" stroke="#1f2937"/></svg>')


def test_figures_arrive_as_png_media_on_the_card_back(tmp_path, collection, qapp) -> None:
    from genai_desktop.ui.figure_raster import svg_to_png

    pack = tmp_path / "figs"
    (pack / "topics").mkdir(parents=True)
    (pack / "figures").mkdir()
    (pack / "figures" / "box.svg").write_bytes(FIGURE)
    (pack / "topics" / "01-x.md").write_text(
        '+++\nid = "x"\ntitle = "X"\norder = 1\n+++\n\n## What does the box show?\n'
        "<!-- id: box-q; sources: ; level: dev1; figure: figures/box.svg -->\n\n"
        "**Key points.**\n- one\n- two\n- three\n\nThe answer.\n\n"
        '![A blue box](figures/box.svg "The box, captioned")\n\nMore.\n', encoding="utf-8")
    library = load_pack(pack)
    out = tmp_path / "figs.apkg"
    result = export_apkg(library, all_ids(library), out, timestamp=T0, rasterise=svg_to_png)
    png = media_name("builtin", "figures/box.svg").removesuffix(".svg") + ".png"
    assert list(media_map(out).values()) == [png] and result.images_included == 1

    import_into(collection, out)
    data = (Path(collection.media.dir()) / png).read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    from PySide6.QtGui import QImage

    image = QImage.fromData(data, "PNG")
    assert (image.width(), image.height()) == (600, 200)  # twice the figure's size, for sharp screens
    assert image.pixelColor(2, 2).name() == "#ffffff"  # a white plate: readable in night mode too
    note = collection.get_note(collection.find_notes("")[0])
    assert f'<img src="{png}" alt="A blue box">' in note["KeyPoints"]  # the flashcard's figure
    assert f'<img src="{png}" alt="A blue box">' in note["Answer"] and "The box, captioned" in note["Answer"]
    assert "figure:" not in note["Answer"] and "image:" not in note["Answer"]


def test_without_a_rasteriser_figures_travel_as_svg(tmp_path) -> None:
    pack = tmp_path / "figs"
    (pack / "topics").mkdir(parents=True)
    (pack / "figures").mkdir()
    (pack / "figures" / "box.svg").write_bytes(FIGURE)
    (pack / "topics" / "01-x.md").write_text(
        '+++\nid = "x"\ntitle = "X"\norder = 1\n+++\n\n## Q?\n<!-- id: q; sources: ; level: dev1 -->\n\n'
        '**Key points.** k\n\n![A blue box](figures/box.svg "Caption")\n', encoding="utf-8")
    library = load_pack(pack)
    export_apkg(library, all_ids(library), tmp_path / "o.apkg", timestamp=T0)
    assert list(media_map(tmp_path / "o.apkg").values()) == [media_name("builtin", "figures/box.svg")]


def test_the_built_in_figures_arrive_in_anki_as_png_media_the_cards_show(tmp_path, collection, qapp) -> None:
    from genai_desktop.paths import content_dir
    from genai_desktop.ui.figure_raster import svg_to_png

    library = load_pack(content_dir())
    out = tmp_path / "all.apkg"
    export_apkg(library, all_ids(library), out, rasterise=svg_to_png)
    names = set(media_map(out).values())
    placed = {m for q in library.questions() for m in re.findall(r"\]\(figures/([^)\s]+)", q.answer)}
    assert len(names) == len(placed) >= 30 and all(n.endswith(".png") for n in names)
    import_into(collection, out)
    media_dir = Path(collection.media.dir())
    shown = set()
    for nid in collection.find_notes(""):
        note = collection.get_note(nid)
        shown |= set(re.findall(r'<img src="(gsd-[^"]+\.png)"', note["KeyPoints"] + note["Answer"]))
    assert shown == names and all((media_dir / n).read_bytes().startswith(b"\x89PNG") for n in names)
