"""Search as you type: parsing, stemming with prefixes, phrases, exclusions, ranking, snippets."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from genai_desktop.core.content.fingerprint import fingerprint
from genai_desktop.core.content.library import load_pack
from genai_desktop.core.search.index import ContentIndex, Page
from genai_desktop.core.search.query import (
    MARK_END,
    MARK_START,
    Marker,
    Query,
    marked_spans,
    matched_words,
    parse_query,
    scannable,
    search,
    strip_marks,
)


def page(n: int, title: str, body: str, kind: str = "question") -> Page:
    return Page(f"q:p{n}", kind, "builtin", title, "t", body, "Topic T")


@pytest.fixture
def index(tmp_path: Path) -> ContentIndex:
    index = ContentIndex(tmp_path / "index.sqlite")
    index.rebuild([
        page(1, "How does a GAN train?", "The discriminator and the generator play a minimax game."),
        page(2, "Positional encoding", "Transformers add a positional encoding to each token embedding."),
        page(3, "Recurrent networks", "An RNN reads tokens one at a time; encodings of position are implicit."),
        page(4, "Model evaluation", "Evaluate models with held-out data. The discriminator is not involved."),
        page(5, "Attention heads", "Several heads attend to different subspaces."),
        page(6, "Why softmax?", "Attention weights come from a softmax over scores."),
    ], "test")
    return index


def ids(hits) -> list[str]:
    return [h.page_id for h in hits]


def test_parse_words_phrases_exclusions() -> None:
    assert parse_query('attention "positional encoding" -rnn -"cross entropy"') == Query(
        ("attention",), ("positional encoding",), ("rnn", "cross entropy"))
    assert parse_query("Self-Attention") == Query(("self", "attention"))
    assert parse_query('"unclosed phrase') == Query(phrases=("unclosed phrase",))
    assert parse_query("-only -excluded").is_empty
    assert parse_query("   ").is_empty
    # a lone letter after a space is the start of the next word, not the word "l"
    assert parse_query("fine tuning l").words == ("fine", "tuning")
    assert parse_query("fine tuning l ").words == ("fine", "tuning", "l")


def test_half_typed_word_finds_the_stemmed_word(index: ContentIndex) -> None:
    # porter stores "discrimin": the prefix "discriminat" alone would find nothing
    assert set(ids(search(index, "discriminat"))) == {"q:p1", "q:p4"}
    assert set(ids(search(index, "discr"))) == {"q:p1", "q:p4"}


def test_stemming_finds_other_forms(index: ContentIndex) -> None:
    assert "q:p4" in ids(search(index, "model"))  # "models" and "Model"
    assert "q:p5" in ids(search(index, "attending"))  # "attend"


def test_all_words_must_match(index: ContentIndex) -> None:
    # Issue 22: when all the words find few pages, the pages with some of them follow, flagged.
    hits = search(index, "discriminator minimax")
    assert [h.page_id for h in hits if not h.partial] == ["q:p1"]
    assert ids(hits) == ["q:p1", "q:p4"] and hits[1].partial


def test_phrase_and_exclusion(index: ContentIndex) -> None:
    assert set(ids(search(index, '"positional encoding"'))) == {"q:p2"}  # p3 has the words apart
    assert set(ids(search(index, "encoding"))) == {"q:p2", "q:p3"}
    assert ids(search(index, "encoding -rnn")) == ["q:p2"]
    assert ids(search(index, 'discriminator -"minimax game"')) == ["q:p4"]


def test_title_matches_come_first(index: ContentIndex) -> None:
    hits = search(index, "attention")
    assert ids(hits) == ["q:p5", "q:p6"]  # p6 says attention only in its answer
    assert [h.title_match for h in hits] == [True, False]
    assert hits[0].topic == "Topic T"


@pytest.mark.parametrize("text", ['"', '""', "*", "NEAR(", "a OR", "AND", "title:", "{title}:x", "^x", "x*",
                                  "(((", "-", "--x", "\\", "'", "NOT x", '"a" NOT', "\x00", "é*", "🙂"])
def test_fts_syntax_never_raises(index: ContentIndex, text: str) -> None:
    # Typed text is quoted: FTS5 syntax is never run as syntax, so no query fails (a failure
    # would be swallowed as "no results" and only show in last_error).
    index.last_error = None
    search(index, text)
    assert index.last_error is None


@pytest.mark.parametrize(("text", "found"), [
    ("attention AND", []),  # "and" is a word every page must hold, not an operator (none holds it)
    ('attention"', ["q:p5", "q:p6"]),
    ("NEAR(attention", []),  # the word "near" is required too
    ("title:attention", []),  # no page says "title" and "attention": a column filter would find p5
])
def test_operators_typed_as_words_are_searched_as_words(index: ContentIndex, text: str, found: list[str]) -> None:
    index.last_error = None
    # Pages holding only some of the words follow as partial matches (issue 22); the full ones:
    assert [h.page_id for h in search(index, text) if not h.partial] == found
    assert index.last_error is None


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=40))
def test_any_text_never_raises(tmp_path_factory, text: str) -> None:
    index = _shared_index(tmp_path_factory)
    index.last_error = None
    for hit in search(index, text):
        assert hit.page_id.startswith("q:")
    assert index.last_error is None


_INDEXES: dict = {}


def _shared_index(factory) -> ContentIndex:
    if "i" not in _INDEXES:
        index = ContentIndex(factory.mktemp("fuzz") / "index.sqlite")
        index.rebuild([page(1, "A GAN", "The discriminator: near (x) OR y* \"quoted\" and NOT.")], "fuzz")
        _INDEXES["i"] = index
    return _INDEXES["i"]


def test_snippets_and_titles_mark_the_matches(index: ContentIndex) -> None:
    hit = search(index, "discriminat")[0]
    assert f"{MARK_START}discriminator{MARK_END}" in hit.snippet
    hit = search(index, "softmax")[0]
    assert hit.title == f"Why {MARK_START}softmax{MARK_END}?" and hit.plain_title == "Why softmax?"
    assert marked_spans(hit.title) == [("Why ", False), ("softmax", True), ("?", False)]


def test_snippet_is_cut_around_the_best_cluster() -> None:
    marker = Marker(frozenset({"gan", "loss"}))
    text = " ".join(["filler"] * 100) + " the GAN loss is here " + " ".join(["more"] * 100)
    snippet, matched = marker.snippet(text, length=8)
    assert matched and snippet.startswith("…") and snippet.endswith("…")
    assert strip_marks(snippet).split("…")[1].split()[:4] == ["filler", "the", "GAN", "loss"]
    assert f"{MARK_START}GAN{MARK_END} {MARK_START}loss{MARK_END}" in snippet
    assert marker.snippet("nothing relevant", 8) == ("nothing relevant", False)
    assert Marker(frozenset({"gan"})).mark("organ GAN gans") == f"organ {MARK_START}GAN{MARK_END} gans"


def test_notes_are_searchable_and_shown_as_note_snippets(index: ContentIndex) -> None:
    assert search(index, "mnemonic") == []
    assert index.set_note("q:p6", "My mnemonic: soft arg max", "2024-01-01T00:00:00.000+00:00")
    hit = search(index, "mnemonic")[0]
    assert hit.page_id == "q:p6" and hit.in_note and MARK_START in hit.snippet
    assert search(index, "mnem")[0].page_id == "q:p6"  # the note's words are prefix-searchable
    assert index.sync_notes({}) == 1  # the note was deleted elsewhere
    assert search(index, "mnemonic") == []
    assert not index.set_note("q:gone", "x", "s")


def test_matched_words_are_the_page_own_forms(index: ContentIndex) -> None:
    assert matched_words(index, "discriminat", "q:p4") == ["discriminator"]
    found = matched_words(index, '"positional encoding"', "q:p2")
    assert [w.lower() for w in found] == ["positional encoding"]
    assert matched_words(index, "-x", "q:p2") == []


def test_builtin_like_pack_end_to_end(tmp_path: Path, starter_pack: Path) -> None:
    index = ContentIndex(tmp_path / "index.sqlite")
    index.ensure(load_pack(starter_pack), fingerprint(starter_pack))
    hits = search(index, "head")
    assert hits[0].page_id == "q:multi-head" and hits[0].title_match
    assert all(h.kind in {"question", "guide", "topic"} for h in hits)
    assert search(index, "abstr")[0].page_id == "guide:reading"
    assert search(index, "abstr")[0].topic == "Study guide"


def test_a_failed_query_reads_as_no_results_but_is_recorded(index: ContentIndex, monkeypatch) -> None:
    from genai_desktop.core.search import query as search_module

    broken = search_module._Plan("attention AND", "title : attention AND", frozenset({"attention"}))  # bad FTS5
    monkeypatch.setattr(search_module, "_plan", lambda _index, _query: broken)
    index.last_error = None
    assert search(index, "attention") == []
    assert index.last_error and "syntax error" in index.last_error


def test_marks_whole_words_only_after_any_separator() -> None:
    """"he" is found as a word, never inside "the"; a word after "_" or "(" counts, a phrase
    matches across any gap, and a piece that cuts a word does not mark its tail."""
    marker = Marker(frozenset({"he", "divergence", "key value cache"}))
    text = "The head: he said (he) kl_divergence uses a key-value  cache"
    marked = [text[s:e] for s, e in marker.spans(text)]
    assert marked == ["he", "he", "divergence", "key-value  cache"]
    assert marker.spans(text, scanned=scannable(text)) == marker.spans(text)  # a kept body's fast path
    assert scannable("İ") is None  # lower-casing would move the offsets: the caller takes the slow path
    assert Marker(frozenset({"ad"})).mark("head ad", 2) == f"ad {MARK_START}ad{MARK_END}"
    # a letter whose lower case is longer (İ) takes the slow path with the same answer
    longer = "İ " + text
    assert [longer[s:e] for s, e in marker.spans(longer)] == marked


def test_a_rebuilt_index_never_marks_the_old_body(tmp_path: Path) -> None:
    index = ContentIndex(tmp_path / "index.sqlite")
    index.rebuild([page(1, "Old", "alpha beta gamma delta")], "one")
    assert search(index, "gamma")[0].snippet == f"alpha beta {MARK_START}gamma{MARK_END} delta"
    index.rebuild([page(1, "New", "filler " * 30 + "gamma")], "two")
    assert search(index, "gamma")[0].snippet == f"…filler filler {MARK_START}gamma{MARK_END}"


def test_an_edited_note_shows_in_the_next_results(index: ContentIndex) -> None:
    assert search(index, "softmax")[0].in_note is False  # the page's row is now kept
    assert index.set_note("q:p6", "softmax is a smooth argmax", "2024-01-01T00:00:00.000+00:00")
    hit = search(index, "softmax")[0]
    assert hit.in_note and strip_marks(hit.snippet) == "softmax is a smooth argmax"


def test_a_rebuild_read_in_batches_indexes_every_page(tmp_path: Path, monkeypatch) -> None:
    from genai_desktop.core.search import index as index_module

    monkeypatch.setattr(index_module, "REBUILD_BATCH", 2)  # 5 pages: batches of 2, 2 and 1
    built = ContentIndex(tmp_path / "index.sqlite")
    built.rebuild(iter([page(n, f"Title {n}", f"word{n} shared") for n in range(1, 6)]), "batches")
    assert built.page_count() == 5
    assert [ids(search(built, f"word{n}")) for n in range(1, 6)] == [[f"q:p{n}"] for n in range(1, 6)]
    assert built.conn.execute("SELECT docs FROM terms WHERE surface = 'shared'").fetchone() == (5,)
