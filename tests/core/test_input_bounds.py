"""Bounded work for every input (issue 23): formulas, raw HTML and search stay within a budget
that is checked on the input itself, never by a clock."""

from __future__ import annotations

from pathlib import Path

from genai_desktop.core.library import ContentIndex, Page
from genai_desktop.core.search import search


def _small_index(tmp_path: Path) -> ContentIndex:
    index = ContentIndex(tmp_path / "index.sqlite")
    index.rebuild([Page("q:p1", "question", "builtin", "A GAN", "t", "The discriminator plays a game.", "T")], "t")
    return index


def test_search_memo_never_raises_past_its_size(tmp_path: Path) -> None:
    index = _small_index(tmp_path)
    # A word of the library (stem found in ``terms``) beside more than 5,000 new words: the memo
    # used to be emptied between storing the known stem and reading it back (KeyError 'stem').
    typed = "discriminator " + " ".join(f"zq{n}x" for n in range(5_200))
    assert search(index, typed) == []
    # Many searches of a typo and a real word in one session pass the same point.
    for n in range(5_100):
        search(index, f"discriminator typo{n}q")
    assert [hit.page_id for hit in search(index, "discriminator")] == ["q:p1"]
    assert len(index.memo) <= 5_300
