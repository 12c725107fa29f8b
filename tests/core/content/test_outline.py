from genai_desktop.core.content import cache as library_cache
from genai_desktop.core.content.library import load_pack
from genai_desktop.core.content.outline import Outline
from genai_desktop.core.workspace import Workspace


def test_the_outline_is_the_librarys_table_of_contents(starter_pack):
    library = load_pack(starter_pack)
    outline = Outline.of(library)
    assert [t.id for t in outline.topics] == [t.id for t in library.topics]
    assert [[q.title for q in t.questions] for t in outline.topics] == [
        [q.title for q in t.questions] for t in library.topics]
    assert [g.title for g in outline.guides] == [g.title for g in library.guides]
    assert outline.question_count() == len(list(library.questions()))
    question = next(library.questions())
    for page_id in (f"q:{question.id}", f"topic:{library.topics[0].id}"):
        assert outline.has_page(page_id) and library.has_page(page_id)
    assert not outline.has_page("q:no-such-question")
    assert Outline.from_plain(outline.plain()).plain() == outline.plain()


def test_outline_cache_round_trip_and_misses(tmp_path, starter_pack):
    outline = Outline.of(load_pack(starter_pack))
    path = tmp_path / "outline.marshal"
    library_cache.save_outline(path, "fp-1", outline)
    cached = library_cache.load_outline(path, "fp-1")
    assert cached is not None and cached.plain() == outline.plain()
    assert library_cache.load_outline(path, "fp-2") is None  # content changed
    path.write_bytes(path.read_bytes()[:-20])  # cut short: a write that never finished
    assert library_cache.load_outline(path, "fp-1") is None
    path.write_bytes(b"\x00garbage")
    assert library_cache.load_outline(path, "fp-1") is None
    assert library_cache.load_outline(tmp_path / "missing", "fp-1") is None


def test_a_start_reads_the_outline_without_loading_the_library(data_dir, starter_pack):
    first = Workspace(data_dir, starter_pack)
    expected = first.outline.plain()  # the first start parses the packs and writes both caches
    first.close()

    second = Workspace(data_dir, starter_pack)
    assert second.outline.plain() == expected
    assert second._library is None  # the answers are not needed to draw the sidebar
    assert second.library.topics  # and load when asked for
    second.close()


def test_edited_content_gets_a_fresh_outline(data_dir, starter_pack):
    first = Workspace(data_dir, starter_pack)
    question = next(first.library.questions())
    assert first.outline.has_page(f"q:{question.id}")
    first.close()
    question.path.write_text(question.path.read_text().replace(question.title, "A retitled question", 1))

    second = Workspace(data_dir, starter_pack)
    titles = [q.title for t in second.outline.topics for q in t.questions]
    assert "A retitled question" in titles
    second.close()
