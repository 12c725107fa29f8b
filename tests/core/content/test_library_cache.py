import pytest

from genai_desktop.core.content import cache as library_cache
from genai_desktop.core.content.library import load_pack
from genai_desktop.core.workspace import Workspace


@pytest.mark.parametrize("record", [2000, 1])  # a topic's questions in one record, or one a record
def test_round_trip_and_misses(tmp_path, starter_pack, record, monkeypatch):
    monkeypatch.setattr(library_cache, "RECORD_QUESTIONS", record)
    library = load_pack(starter_pack)
    path = tmp_path / "library.pickle"
    library_cache.save(path, "fp-1", library)
    cached = library_cache.load(path, "fp-1")
    assert cached is not None
    assert [[q.id for q in t.questions] for t in cached.topics] == [[q.id for q in t.questions] for t in library.topics]
    assert cached.questions() and list(cached.questions()) == list(library.questions())
    assert cached.question("multi-head") == library.question("multi-head")  # the lookups rebuilt
    assert [g.id for g in cached.guides] == [g.id for g in library.guides] and cached.glossary == library.glossary
    assert library_cache.load(path, "fp-2") is None  # content changed
    path.write_bytes(path.read_bytes()[:-40])  # cut short: a write that never finished
    assert library_cache.load(path, "fp-1") is None
    path.write_bytes(b"not a pickle")
    assert library_cache.load(path, "fp-1") is None
    assert library_cache.load(tmp_path / "missing.pickle", "fp-1") is None


def test_workspace_sees_edited_content_despite_the_cache(data_dir, starter_pack):
    first = Workspace(data_dir, starter_pack)
    first.library  # noqa: B018 - loaded on first use, which writes the cache
    assert first.paths.library_cache.exists()
    topic_file = next(p for p in sorted(starter_pack.rglob("*.md")) if "Key points" in p.read_text())
    text = topic_file.read_text()
    question = next(q for q in first.library.questions() if q.path == topic_file)
    topic_file.write_text(text.replace(question.title, "A retitled question", 1))
    first.close()

    second = Workspace(data_dir, starter_pack)
    assert second.library.question(question.id).title == "A retitled question"
    second.close()
