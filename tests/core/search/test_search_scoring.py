"""Which matches search() scores with bm25: every one while a query matches at most RANKED_MOST
pages (the ranking is then the plain sort of all matches), and beyond that the window's title
matches and the first other matches only, so a keystroke's cost stays bounded at 100,000 pages."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from genai_desktop.core.search import query
from genai_desktop.core.search.index import ContentIndex, Page
from genai_desktop.core.search.query import fts_expression, parse_query, search

WORDS = ["attention", "heads", "decoder", "softmax", "token", "embedding", "mode", "collapse", "noise", "gan"]


def page(n: int, title: str, body: str) -> Page:
    return Page(f"q:p{n:03d}", "question", "builtin", title, "t", body, "Topic T")


def unrelated(count: int) -> list[Page]:
    """Pages without the test's words: a word in half the pages or more weighs nothing in bm25."""
    return [page(900 + n, "Unrelated", "nothing to see") for n in range(count)]


def plain_sort(index: ContentIndex, text: str, limit: int, among: set[str] | None = None) -> list[str]:
    """The ranking by definition: every match (or those of ``among``), title matches first (found
    with a column filter on the main table, not the titles table search() reads), then bm25, ties
    in rowid order."""
    parsed = parse_query(text)
    conn = index.conn
    in_title = {rowid for (rowid,) in conn.execute(
        "SELECT rowid FROM fts WHERE fts MATCH ?", (fts_expression(index, parsed, title_only=True),))}
    matches = conn.execute("SELECT rowid, rank FROM fts WHERE fts MATCH ?", (fts_expression(index, parsed),)).fetchall()
    ranked = [rowid for rowid, _ in sorted(matches, key=lambda m: (m[0] not in in_title, m[1], m[0]))]
    page_ids = dict(conn.execute("SELECT rowid, page_id FROM pages"))
    return [page_id for page_id in map(page_ids.get, ranked) if among is None or page_id in among][:limit]


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> ContentIndex:
    rng = random.Random(22)
    pages = [page(n, " ".join(rng.sample(WORDS, 3)), " ".join(rng.choices(WORDS, k=rng.randint(5, 40))))
             for n in range(120)]
    index = ContentIndex(tmp_path_factory.mktemp("scoring") / "index.sqlite")
    index.rebuild(pages, "test")
    return index


@pytest.mark.parametrize("text", ["attention", "mode collapse", "he", "soft -noise", "gan token embedding",
                                  '"attention heads"', "deco"])
def test_within_the_budget_ranking_is_the_plain_sort_of_every_match(library: ContentIndex, text: str) -> None:
    assert [h.page_id for h in search(library, text, 50)] == plain_sort(library, text, 50)


def test_in_a_library_larger_than_the_budget_a_query_within_it_is_still_ranked_exactly(
        library: ContentIndex, monkeypatch) -> None:
    monkeypatch.setattr(query, "RANKED_MOST", 40)  # below the library's 120 pages: the windowed path
    within = ['"mode collapse"', "soft -noise", '"gan noise" mode', '"attention heads"', "gan -token"]
    assert all(len(plain_sort(library, text, 1000)) <= 40 for text in within)
    for text in within:
        library.memo.clear()
        assert [h.page_id for h in search(library, text, 50)] == plain_sort(library, text, 50), text


def test_a_library_larger_than_the_budget_scores_only_what_it_can_show(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(query, "RANKED_MOST", 4)
    # Every page matches "attention"; the best by bm25 (all attention) comes after the first four
    # others, so it is never scored; the title matches come late but are all scored.
    pages = [page(n, f"Page {n}", "attention and some other words about decoding") for n in range(8)]
    pages.append(page(8, "Page 8", "attention " * 30))
    pages += [page(n, f"Attention note {n}", "a short answer") for n in (9, 10)] + unrelated(12)
    index = ContentIndex(tmp_path / "index.sqlite")
    index.rebuild(pages, "test")
    hits = search(index, "attention", 4)
    scored = {"q:p009", "q:p010", "q:p000", "q:p001"}  # the two title matches and the first two others
    assert [h.page_id for h in hits] == plain_sort(index, "attention", 4, among=scored)
    assert [h.title_match for h in hits] == [True, True, False, False]
    assert plain_sort(index, "attention", 4)[2] == "q:p008"  # what scoring every match would show


def test_when_title_matches_fill_the_list_only_they_are_scored(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(query, "RANKED_MOST", 3)
    # The later a page, the shorter its answer and the better its score: p009 and p007 are the best.
    pages = [page(n, "Attention" if n % 2 else "Other", "attention" + " word" * (20 - 2 * n)) for n in range(10)]
    pages += unrelated(12)
    index = ContentIndex(tmp_path / "index.sqlite")
    index.rebuild(pages, "test")
    hits = search(index, "attention", 2)
    # Titles on every other page: the first three are scored, the best two shown.
    assert [h.page_id for h in hits] == plain_sort(index, "attention", 2, among={"q:p001", "q:p003", "q:p005"})
    assert plain_sort(index, "attention", 2) != plain_sort(index, "attention", 2, among={"q:p001", "q:p003", "q:p005"})
    assert all(h.title_match for h in hits)


def test_a_word_in_most_pages_is_left_out_of_the_scores_it_adds_nothing_to(tmp_path: Path, monkeypatch) -> None:
    """FTS5 weighs a word whose stem is in half the pages or more at 1e-6 but counts its pages at
    every query: scoring a loose query without it ranks as scoring with it (to within millionths)."""
    monkeypatch.setattr(query, "RANKED_MOST", 6)
    pages = [page(n, f"Page {n}", "model " * (n % 3 + 1) + "attention " * (n % 7 + 1) + "filler " * n)
             for n in range(16)]
    # The stem "model" is in 24 pages of 34, though the word "model" itself is in 16 only.
    pages += [page(n, f"Models {n}", "models") for n in range(16, 24)] + unrelated(10)
    index = ContentIndex(tmp_path / "index.sqlite")
    index.rebuild(pages, "test")
    plan = query._plan(index, parse_query("model atten"))
    assert '"model"' in plan.everything and '"model"' not in query._scoring_expression(index, plan)
    hits = search(index, "model atten", 5)
    scored = {f"q:p{n:03d}" for n in range(6)}
    assert [h.page_id for h in hits] == plain_sort(index, "model atten", 5, among=scored)
    exact = dict(index.conn.execute("SELECT p.page_id, -f.rank FROM fts AS f JOIN pages AS p ON p.rowid = f.rowid "
                                    "WHERE fts MATCH ?", (plan.everything,)))
    assert all(abs(h.score - exact[h.page_id]) < 1e-5 for h in hits)
    # Only the common word: nothing worth scoring; the title matches first, each group in order.
    assert [h.page_id for h in search(index, "model", 8)][:3] == ["q:p016", "q:p017", "q:p018"]
    assert [h.page_id for h in search(index, "model", 10)][8:] == ["q:p000", "q:p001"]


def test_pages_with_some_of_the_words_are_the_best_of_the_first_ones_scored(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(query, "RANKED_MOST", 3)
    pages = [page(n, f"Page {n}", "zebra " * (n + 1)) for n in range(6)]
    index = ContentIndex(tmp_path / "index.sqlite")
    index.rebuild(pages, "test")
    hits = search(index, "zebra okapi", 2)  # nothing holds both words
    assert [h.page_id for h in hits] == plain_sort(index, "zebra", 2, among={"q:p000", "q:p001", "q:p002"})
    assert plain_sort(index, "zebra", 1) == ["q:p005"]  # what scoring every match would show
    assert all(h.partial for h in hits)


def test_title_matches_follow_a_rebuild(tmp_path: Path) -> None:
    index = ContentIndex(tmp_path / "index.sqlite")
    index.rebuild([page(1, "Attention", "attention"), page(2, "Other", "attention")], "one")
    assert [(h.page_id, h.title_match) for h in search(index, "attention")] == [("q:p001", True), ("q:p002", False)]
    index.rebuild([page(1, "Other", "attention"), page(2, "Attention", "attention")], "two")
    assert [(h.page_id, h.title_match) for h in search(index, "attention")] == [("q:p002", True), ("q:p001", False)]
