"""What search answers over the built-in library, pinned: every result of the quality queries
(bench/search_quality.toml), of every keystroke the search bench types, and of a few queries for
the other paths (phrases, exclusions, notes, partial matches) — order, titles, snippets with their
marks, flags and scores. Optimising search must not change any of it.

Each query's 50 results are kept as a digest (the whole list would be megabytes) beside its first
three page ids, so a failure says which queries changed and shows what they answer now.

The built-in library's text is part of the answer: after a deliberate change to the content or
to ranking, write the file again and review its diff:
    python -m tests.core.search.test_search_pinned
"""

from __future__ import annotations

import hashlib
import json
import sys
import tomllib
from pathlib import Path

import pytest

from genai_desktop.core.search.index import ContentIndex
from genai_desktop.core.search.query import SearchHit, search
from genai_desktop.core.workspace import load_library
from genai_desktop.paths import content_dir

REPO = Path(__file__).resolve().parents[3]
PINNED = Path(__file__).resolve().with_name("pinned_search.json")
LIMIT = 50
# The keystrokes bench/bench_search.py types (each query one letter at a time), written out here
# so that editing the bench never silently changes what this test pins.
TYPED = ["attention heads", "discriminator", '"positional encoding"', "kl divergence vae", "gradient -vanishing",
         "transformer decoder", "mode collapse", "fine tuning lora", "softmax temperature", "diffusion noise schedule"]
# Paths the lists above may miss: a user's notes, all-words-or-some, phrases and exclusions mixed.
NOTES = {"q:inf-kv-cache-memory": "Paged attention keeps the okapi blocks small; the KV cache grows per token.",
         "q:mixture-of-experts-routing-load-balancing": "Router collapse: the okapi experts get every token."}
OTHERS = ["okapi", "okapi experts", "paged attention blocks", "zebra attention", "attention complexity zebra",
          '"key value cache" -paged', "self-attention", "gpt-4", "what is a transformer", "LoRA", "Ünïcödé attention"]


def queries() -> list[str]:
    quality = [q["text"] for q in tomllib.loads((REPO / "bench" / "search_quality.toml").read_text())["query"]]
    typed = [q[:n] for q in TYPED for n in range(2, len(q) + 1) if q[:n].strip()]
    return list(dict.fromkeys(quality + typed + OTHERS))


def as_record(hit: SearchHit) -> list:
    return [hit.page_id, hit.kind, hit.title, hit.topic, hit.snippet, hit.in_note, hit.title_match, hit.partial,
            round(hit.score, 6)]


def answers(index: ContentIndex) -> dict[str, dict]:
    return {text: answer(index, text) for text in queries()}


def answer(index: ContentIndex, text: str) -> dict:
    hits = search(index, text, LIMIT)
    digest = hashlib.sha256(json.dumps([as_record(h) for h in hits], ensure_ascii=False).encode()).hexdigest()
    return {"top": [h.page_id for h in hits[:3]], "count": len(hits), "digest": digest[:20]}


def built_in_index(folder: Path) -> ContentIndex:
    index = ContentIndex(folder / "index.sqlite")
    index.ensure(load_library(content_dir(), None), "builtin")
    for page_id, note in NOTES.items():
        assert index.set_note(page_id, note, "2026-01-01"), page_id
    return index


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> ContentIndex:
    return built_in_index(tmp_path_factory.mktemp("pinned"))


def test_every_pinned_query_answers_as_before(index: ContentIndex) -> None:
    pinned = json.loads(PINNED.read_text(encoding="utf-8"))
    assert list(pinned) == queries(), "the pinned query list changed: write the file again"
    changed = {text: now for text, now in answers(index).items() if now != pinned[text]}
    assert not changed, f"{len(changed)} queries answer differently now: {changed}"


def test_the_same_query_typed_again_answers_the_same(index: ContentIndex) -> None:
    """Whatever is kept between keystrokes (memo, page rows, snippets) never changes an answer:
    from a cold memo, typed after other queries, and typed twice in a row."""
    pinned = json.loads(PINNED.read_text(encoding="utf-8"))
    index.memo.clear()
    for text in reversed(queries()[-40:]):
        assert answer(index, text) == pinned[text], text
        assert answer(index, text) == pinned[text], text


def test_fewer_results_are_the_first_of_more(index: ContentIndex) -> None:
    """A smaller limit cuts the list; it never reorders it or changes a snippet."""
    for text in ("attention heads", "kv cache memory", "okapi", "zebra attention", "tranformer vs rnn"):
        full = [as_record(h) for h in search(index, text, LIMIT)]
        for limit in (1, 3, 8):
            assert [as_record(h) for h in search(index, text, limit)] == full[:limit], (text, limit)


if __name__ == "__main__":  # write the pinned answers again (see the module's docstring)
    import tempfile

    with tempfile.TemporaryDirectory() as scratch:
        built = built_in_index(Path(scratch))
        lines = [f"{json.dumps(text, ensure_ascii=False)}: {json.dumps(found, ensure_ascii=False)}"
                 for text, found in answers(built).items()]  # one line a query: a readable diff
        PINNED.write_text("{\n" + ",\n".join(lines) + "\n}\n", encoding="utf-8")
        built.close()
    print(f"wrote {PINNED}", file=sys.stderr)
