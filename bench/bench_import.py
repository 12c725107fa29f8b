"""Notes import at scale: a generated 100,000-question markdown file, parsed, written as a pack
and loaded back (the same work File → Import notes… does before the library reloads)."""

from __future__ import annotations

import random
import shutil
import time
from pathlib import Path

from common import WORK

from genai_desktop.core.content.library import load_pack
from genai_desktop.core.packs.notes_import import plan_file
from genai_desktop.core.packs.user_packs import write_pack

QUESTIONS = 100_000
WORDS = ("attention token embedding decoder encoder gradient loss sampling diffusion latent prior "
         "transformer prompt context retrieval vector index fine-tuning adapter quantization").split()


def generate(path: Path, count: int = QUESTIONS, seed: int = 11) -> None:
    """Realistic notes: categories, numbered bold questions, answers with lists, code, formulas."""
    rng = random.Random(seed)
    parts: list[str] = []
    for n in range(count):
        if n % 250 == 0:
            parts.append(f"# Category {n // 250 + 1}\n-----\n")
        words = " ".join(rng.choice(WORDS) for _ in range(12))
        parts.append(f"## {n % 250 + 1}. **Why does {words} matter ({n})?**\n\n"
                     f"It matters because {words}.\n- point one about {rng.choice(WORDS)}\n"
                     f"  - nested detail {rng.choice(WORDS)}\n- point two\n")
        if n % 50 == 0:
            parts.append("```python\nloss = model(x)\n```\n")
        if n % 500 == 0:
            parts.append(f"The score is \\( s_{{{n % 7}}} = q k^T \\).\n")
    path.write_text("\n".join(parts), encoding="utf-8")


def run() -> dict[str, float]:
    folder = WORK / "import"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    source = folder / "notes-100k.md"
    generate(source)
    started = time.perf_counter()
    plan = plan_file(source)
    parsed = time.perf_counter()
    pack = write_pack(folder / "data" / "packs", plan)
    written = time.perf_counter()
    library = load_pack(pack, pack.name)
    loaded = time.perf_counter()
    assert plan.question_count == QUESTIONS and not library.problems
    assert sum(len(t.questions) for t in library.topics) == QUESTIONS
    size_mb = source.stat().st_size / 1024 / 1024
    shutil.rmtree(folder, ignore_errors=True)
    return {
        "import_100k_s": round(written - started, 3),
        "import_100k_parse_s": round(parsed - started, 3),
        "import_100k_load_s": round(loaded - written, 3),
        "import_100k_file_mb": round(size_mb, 1),
    }


if __name__ == "__main__":
    print(run())
