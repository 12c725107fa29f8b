"""The work search() leaves out or keeps between keystrokes never shows: results marked when
read are marked as if at once, marks kept for a page follow the words it holds, and the quick
title-first ordering is the plain sort's."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from genai_desktop.core.search import query
from genai_desktop.core.search.index import ContentIndex, Page
from genai_desktop.core.search.query import MARK_START, MARKED_AT_ONCE, _title_matches_first, search


@pytest.fixture
def index(tmp_path: Path) -> ContentIndex:
    index = ContentIndex(tmp_path / "index.sqlite")
    pages = [Page(f"q:p{n}", "question", "builtin", f"Attention variant {n}",
                  "t", f"Attention heads number {n} decode tokens; the decoder decides.", "Topic T")
             for n in range(30)]
    pages.append(Page("q:other", "question", "builtin", "Decoding", "t", "Greedy decoding picks a token.", "T"))
    index.rebuild(pages, "test")
    return index


def test_only_the_first_results_are_marked_by_search_the_rest_when_read(index: ContentIndex, monkeypatch) -> None:
    marked: list[str] = []
    real = query._marked_page
    monkeypatch.setattr(query, "_marked_page", lambda shown, plan, rowid, row: marked.append(row.page_id)
                        or real(shown, plan, rowid, row))
    hits = search(index, "attention", 30)
    assert len(hits) == 30 and len(marked) == MARKED_AT_ONCE
    last = hits[-1]
    assert MARK_START in last.title and MARK_START in last.snippet  # read: marked now, once
    assert len(marked) == MARKED_AT_ONCE + 1
    index.memo.clear()
    again = search(index, "attention", 30)[-1]
    assert (again.title, again.snippet, again.in_note) == (last.title, last.snippet, last.in_note)


def test_kept_marks_follow_the_words_a_page_holds(index: ContentIndex) -> None:
    """"deci" and "decid" differ in forms the pages lack: the kept marks serve both. "decod"
    adds "decode" and "decoder", which every page holds: marked again, the new words marked."""
    first = {h.page_id: h.snippet for h in search(index, "attention deci", 50)}
    kept = {h.page_id: h.snippet for h in search(index, "attention decid", 50)}
    assert kept == first
    recut = {h.page_id: h.snippet for h in search(index, "attention decod", 50)}
    assert all(f"{MARK_START}decoder" in snippet for snippet in recut.values())
    assert all(f"{MARK_START}decoder" not in snippet for snippet in first.values())


@given(st.lists(st.tuples(st.integers(0, 40), st.sampled_from([-3.0, -2.0, -1.5, -1.0])), max_size=60),
       st.sets(st.integers(0, 40)), st.integers(1, 70))
def test_title_matches_first_is_the_plain_sort(candidates, in_title, limit) -> None:
    expected = sorted(candidates, key=lambda c: (c[0] not in in_title, c[1]))[:limit]
    assert _title_matches_first(candidates, in_title, limit) == expected
