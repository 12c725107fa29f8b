"""Search as you type: the built-in library and 100,000 generated questions, next to Anki.

- search_p95_ms_builtin: core.search.search (top 50, ranked, with snippets) over the built-in
  library, p95 over every keystroke of the QUERIES typed one letter at a time.
- search_p95_ms_100k: the same over a generated library of 100,000 questions.
- anki_search_p95_ms_100k: the Anki library's Collection.find_cards for the same keystrokes
  over a collection holding the same 100,000 notes (Front = title, Back = answer). Anki's
  search syntax reads these queries the same way (words ANDed and matched as substrings,
  "phrases", -exclusions); it returns unranked card ids without snippets, so it does less.
- search_vs_anki_speedup: anki_search_p95_ms_100k / search_p95_ms_100k.
- search_top3_hit_rate: the share of the realistic queries in bench/search_quality.toml (typos,
  abbreviations, half-typed and spelled-out terms, written from the library) for which one of
  the pages that answer them is among the first three results over the built-in library.
- search_quality_p95_ms_builtin: the p95 time of those whole queries from a cold memo (typo look-ups
  included; goal one 60 Hz frame, 16 ms).
- search_floor_ms_builtin: the floor in the same run, p95 of SQLite's FTS5 alone answering each
  keystroke's plain prefix query (rowids only: no ranking, titles or snippets), and
  search_vs_floor_ratio beside it, so a slower machine shows as such.

The generated library is cut from the built-in library's own text (windows of real sentences,
so words, phrases and their frequencies are realistic), about 150 words an answer. It and the
Anki collection are cached in bench/.work/search-100k; delete that folder to rebuild them.
"""

from __future__ import annotations

import json
import random
import shutil
import time
from pathlib import Path

from common import WORK, percentile

N = 100_000
ANSWER_WORDS = 150
TITLE_WORDS = 9
GENERATOR_VERSION = 2  # 2: with the built-in glossary
QUERIES = [
    "attention heads",
    "discriminator",
    '"positional encoding"',
    "kl divergence vae",
    "gradient -vanishing",
    "transformer decoder",
    "mode collapse",
    "fine tuning lora",
    "softmax temperature",
    "diffusion noise schedule",
]


def keystrokes(queries: list[str]) -> list[str]:
    """Every prefix of every query of two or more characters: what search-as-you-type runs."""
    return [q[:n] for q in queries for n in range(2, len(q) + 1) if q[:n].strip()]


def _corpus() -> tuple[list[str], list[str]]:
    from genai_desktop.core.search.index import iter_pages
    from genai_desktop.core.workspace import load_library
    from genai_desktop.paths import content_dir

    pages = list(iter_pages(load_library(content_dir(), None)))
    body_words = " ".join(p.body for p in pages).split()
    title_words = " ".join(p.title for p in pages).split()
    return body_words, title_words


def generated_pages():
    from genai_desktop.core.search.index import Page

    body_words, title_words = _corpus()
    rng = random.Random(6)

    def window(words: list[str], length: int) -> str:
        start = rng.randrange(0, len(words) - length)
        return " ".join(words[start:start + length])

    pages = []
    for n in range(N):
        topic = f"topic-{n % 40}"
        body = " ".join(window(body_words, ANSWER_WORDS // 3) for _ in range(3))
        pages.append(Page(f"q:gen-{n:06d}", "question", "bench", f"{window(title_words, TITLE_WORDS)} ({n})",
                          topic, body, f"Generated topic {n % 40}"))
    return pages


def _stamp() -> dict:
    from genai_desktop.core.search.index import INDEX_VERSION

    return {"n": N, "generator": GENERATOR_VERSION, "index": INDEX_VERSION}


def _ready(folder: Path) -> bool:
    stamp = folder / "stamp.json"
    return stamp.exists() and json.loads(stamp.read_text()) == _stamp()


def build(folder: Path) -> None:
    """The generated index and the Anki collection over the same notes (cached)."""
    from genai_desktop.core.search.index import ContentIndex

    if _ready(folder):
        return
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    pages = generated_pages()
    start = time.perf_counter()
    from genai_desktop.core.content.library import load_pack
    from genai_desktop.paths import content_dir

    index = ContentIndex(folder / "index.sqlite")
    index.rebuild(pages, "bench", load_pack(content_dir()).glossary)  # the real glossary, as the app has
    index.close()
    print(f"  built the 100k index in {time.perf_counter() - start:.1f} s")
    try:
        from anki.collection import AddNoteRequest, Collection
    except ImportError:
        print("  anki not installed (pip install anki): no Anki collection")
    else:
        start = time.perf_counter()
        col = Collection(str(folder / "anki.anki2"))
        model = col.models.by_name("Basic")
        deck_id = col.decks.id("Bench")
        requests = []
        for page in pages:
            note = col.new_note(model)
            note["Front"] = page.title
            note["Back"] = page.body
            requests.append(AddNoteRequest(note=note, deck_id=deck_id))
        col.add_notes(requests)
        col.close()
        print(f"  built the 100k Anki collection in {time.perf_counter() - start:.1f} s")
    (folder / "stamp.json").write_text(json.dumps(_stamp()))


def time_ours(index, typed: list[str], rounds: int = 3) -> tuple[float, int]:
    from genai_desktop.core.search.query import search

    for text in typed:  # warm the page cache, as a user's second search would find it
        search(index, text)
    times, found = [], 0
    for _ in range(rounds):
        index.memo.clear()  # each round types the queries afresh: no stems or prefixes remembered
        for text in typed:
            start = time.perf_counter()
            hits = search(index, text, 50)
            times.append((time.perf_counter() - start) * 1000)
            found += bool(hits)
    return percentile(times, 95), found


def time_floor(index, typed: list[str], rounds: int = 3) -> float:
    """FTS5 alone: each keystroke's words as prefix terms, rowids only."""
    import re

    times = []
    for _ in range(rounds):
        for text in typed:
            words = re.findall(r"\w+", text.lower())
            if not words:
                continue
            expression = " ".join(f'"{w}"*' for w in words)
            start = time.perf_counter()
            index.conn.execute("SELECT rowid FROM fts WHERE fts MATCH ? LIMIT 2000", (expression,)).fetchall()
            times.append((time.perf_counter() - start) * 1000)
    return percentile(times, 95)


def time_anki(path: Path, typed: list[str]) -> float | None:
    try:
        from anki.collection import Collection
    except ImportError:
        print("  anki not installed (pip install anki): anki_search_p95_ms_100k skipped")
        return None
    if not path.exists():
        return None
    col = Collection(str(path))
    # Anki rejects a half-typed phrase ("an opening double quote was found…"): close it for Anki.
    typed = [text + '"' if text.count('"') % 2 else text for text in typed]
    for text in typed:
        col.find_cards(text)
    times = []
    for text in typed:
        start = time.perf_counter()
        col.find_cards(text)
        times.append((time.perf_counter() - start) * 1000)
    col.close()
    return percentile(times, 95)


QUALITY = Path(__file__).resolve().parent / "search_quality.toml"


def quality(index) -> tuple[float, float, list[str]]:
    """(top-3 hit rate, p95 ms, the queries missed) over bench/search_quality.toml."""
    import tomllib

    from genai_desktop.core.search.query import search

    queries = tomllib.loads(QUALITY.read_text(encoding="utf-8"))["query"]
    hits, times, missed = 0, [], []
    for query in queries:
        index.memo.clear()
        start = time.perf_counter()
        top = [h.page_id for h in search(index, query["text"], 50)][:3]
        times.append((time.perf_counter() - start) * 1000)
        if any(p in top for p in query["expect"]):
            hits += 1
        else:
            missed.append(query["text"])
    return hits / len(queries), percentile(times, 95), missed


def run() -> dict[str, float]:
    import tempfile

    from genai_desktop.core.search.index import ContentIndex
    from genai_desktop.core.workspace import load_library
    from genai_desktop.paths import content_dir

    typed = keystrokes(QUERIES)
    results: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as scratch:
        index = ContentIndex(Path(scratch) / "index.sqlite")
        index.ensure(load_library(content_dir(), None), "builtin")
        results["search_p95_ms_builtin"], _ = time_ours(index, typed)
        results["search_floor_ms_builtin"] = time_floor(index, typed)
        results["search_vs_floor_ratio"] = results["search_p95_ms_builtin"] / results["search_floor_ms_builtin"]
        rate, p95, missed = quality(index)
        results["search_top3_hit_rate"] = rate
        results["search_quality_p95_ms_builtin"] = p95
        print(f"  top-3 hit rate {rate:.3f}" + (f"; missed: {', '.join(missed)}" if missed else ""))
        index.close()

    folder = WORK / "search-100k"
    build(folder)
    index = ContentIndex(folder / "index.sqlite")
    results["search_p95_ms_100k"], found = time_ours(index, typed)
    index.close()
    print(f"  {len(typed)} keystrokes, {found} of {3 * len(typed)} searches found something")
    anki = time_anki(folder / "anki.anki2", typed)
    if anki is not None:
        results["anki_search_p95_ms_100k"] = anki
        results["search_vs_anki_speedup"] = anki / results["search_p95_ms_100k"]
    return results


if __name__ == "__main__":
    print(run())
