"""The notes importer on the five seed documents (skipped without ../shared) and hostile input."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest

from genai_desktop.core.packs.notes_import import ImportCancelled, NotesError, Progress, plan_file, plan_text
from genai_desktop.core.packs.notes_import.reading import MAX_BYTES, decode_notes, repair_mojibake
from genai_desktop.core.render.formulas import FormulaCache
from genai_desktop.core.render.markdown_html import MarkdownRenderer
from tests.conftest import SHARED, needs_shared

SEEDS = SHARED / "seeds"


def seed(prefix: str) -> Path:
    return next(SEEDS.glob(f"{prefix}_*.txt"))


def pages(plan) -> list[tuple[str, str]]:
    found = [(e.title, e.body) for e in plan.entries()]
    found += [(g.title, g.body) for g in plan.guides]
    return found + [(t.title, t.intro) for t in plan.topics if t.intro]


def literal_markers(html: str) -> list[str]:
    """Lines of paragraph or list text that still start with a list marker."""
    bad = []
    for _tag, inner in re.findall(r"<(p|li|td)>(.*?)</\1>", html, re.S):
        text = re.split(r"<(?:ul|ol|table)", inner)[0]
        text = re.sub(r"<strong>.*?</strong>", "B", text, flags=re.S)  # "**1. Step:**" is the writer's choice
        for line in re.sub(r"<[^>]+>", "", text).split("\n"):
            if re.match(r"\s*(?:[-*+]|\d{1,3}\.)\s", line):
                bad.append(line.strip()[:80])
    return bad


# ---------------------------------------------------------------- seeds

@needs_shared()
def test_seed_000_is_96_numbered_questions_in_three_blocks() -> None:
    plan = plan_file(seed("000"))
    assert plan.kind == "numbered"
    assert [len(t.entries) for t in plan.topics] == [30, 34, 32]
    assert plan.question_count == 96 and not plan.unanswered()
    titles = [e.title for e in plan.entries()]
    # the untidy lines: two leading spaces, a missing number, a tab after the number, no number at all
    assert titles[0] == "Historical Significance of Generative Models in Machine Learning"
    assert "Historical Development and Key Advancements in Generative Models" in titles
    assert "What are Variational Autoencoders (VAEs)?" in titles
    assert any(t.startswith("Fine-tuning a Pre-trained Model - How it Improves") for t in titles)
    # a case study's "1. Title: …" line and a paragraph at the margin stay inside their answers
    assert not any(t.startswith("Title") or t.startswith("These milestones") for t in titles)
    second = plan.entries()[1]
    assert "These milestones have collectively" in second.body


@needs_shared()
def test_seed_001_is_54_questions_and_one_note_without_the_chat_prompt() -> None:
    plan = plan_file(seed("001"))
    assert plan.kind == "headings"
    assert plan.question_count == 54
    assert [g.title for g in plan.guides] == ["Latent Space"]
    assert len(plan.topics) == 16 and plan.topics[0].title == "General Concepts of Generative AI"
    assert len(plan.unanswered()) == 24
    titles = [e.title for e in plan.entries()]
    assert not any("**" in t or t.endswith(":") or re.match(r"\d", t) for t in titles)
    assert "What is transformers Architecture that is used in LLM?" in titles
    assert not any("Help me create" in body for _t, body in pages(plan))
    assert any("chat assistant" in w for w in plan.warnings)
    assert plan.formula_count == 16 and not plan.formula_problems


@needs_shared()
def test_seed_002_and_003() -> None:
    summaries = plan_file(seed("002"))
    assert [e.title for e in summaries.entries()] == [
        "Significance of Generative AI", "Generative AI architectures and Models", "Generative AI for NLP"]
    copy = plan_file(seed("003"))
    assert copy.question_count == 31 and len(copy.unanswered()) == 24
    assert len(copy.topics) == 13
    # the question written as an H1 in the middle of H2 questions is still a question
    assert "What are the main applications of Generative AI in various industries?" in [
        e.title for e in copy.entries()]
    body = copy.entries()[0].body
    assert "Here’s a detailed look" in body and "â€™" not in body
    assert any("Repaired 1 garbled" in w for w in copy.warnings)


@needs_shared()
def test_seed_004_roadmap_faqs_and_guides() -> None:
    plan = plan_file(seed("004"))
    assert plan.kind == "roadmap"
    assert [s.title for s in plan.roadmap] == [
        "Prerequisite", "Fundamentals", "Core Generative Models", "Developing Applications Powered by LLMs",
        "Projects and Practical Experience", "Miscellaneous Topics", "Advice for Productive Learning"]
    assert [s.milestone_count for s in plan.roadmap] == [3, 7, 7, 6, 6, 3, 4]
    assert plan.roadmap[1].levels == {k: plan.roadmap[1].levels[k] for k in
                                      ("Developer Level 1", "Developer Level 2", "Researcher Level")}
    assert plan.roadmap[1].levels["Developer Level 1"][0].title == "Introduction to AI and Machine Learning"
    assert [(t.title, len(t.entries)) for t in plan.topics] == [("FAQs", 4)]
    assert plan.topics[0].entries[0].title == "How long does it take to become proficient in Generative AI?"
    assert plan.topics[0].entries[0].body.startswith("It varies")
    roadmap_page, *guides = plan.guides
    assert roadmap_page.title == "Generative AI Roadmap 2024: From Basics to Advanced"
    assert "## 1. Prerequisite" in roadmap_page.body and "Q1" not in roadmap_page.body
    assert "This roadmap aims" in roadmap_page.body
    # the 25 long-form sections start where the content map's reading put them
    roadmap_json = json.loads((SHARED / "content-map" / "roadmap.json").read_text(encoding="utf-8"))
    expected = [g["lines"][0] for g in roadmap_json["guides"] if g["id"] != "roadmap"]
    assert len(expected) == 25
    assert [g.line for g in guides] == expected
    assert roadmap_json["milestones_total"] == sum(s.milestone_count for s in plan.roadmap)
    assert guides[0].title == "What is Generative AI?"
    assert guides[-1].title == "Starting to learn Generative AI"
    assert not any(g.title.lower().startswith(("certainly", "absolutely")) for g in guides)
    assert plan.formula_count == 3 and not plan.formula_problems


@needs_shared()
def test_entry_lines_match_the_content_map() -> None:
    entries = json.loads((SHARED / "content-map" / "questions.json").read_text(encoding="utf-8"))
    for prefix in ("000", "001", "002", "003"):
        plan = plan_file(seed(prefix))
        found = {e.line for e in plan.entries()} | {g.line for g in plan.guides}
        assert found == {q["line"] for q in entries if q["seed"] == prefix}, prefix
    faq = {e.line for e in plan_file(seed("004")).entries()}
    assert faq == {q["line"] for q in entries if q["seed"] == "004" and q["kind"] == "faq"}


@needs_shared()
def test_every_seed_renders_cleanly_with_all_code_and_formulas() -> None:
    renderer = MarkdownRenderer(FormulaCache(None))
    code_blocks = formulas = 0
    for path in sorted(SEEDS.glob("*.txt")):
        plan = plan_file(path)
        formulas += plan.formula_count
        assert not plan.formula_problems
        for title, body in pages(plan):
            html = renderer.to_html(body)
            code_blocks += html.count('<table class="code"')
            assert not literal_markers(html), (path.name, title, literal_markers(html)[:3])
            assert "never closed" not in html and "could not be rendered" not in html, title
            assert "```" not in html, title
    assert code_blocks == 36
    assert formulas == 19


@needs_shared()
def test_money_stays_text_and_images_are_placeholders_or_links() -> None:
    renderer = MarkdownRenderer(FormulaCache(None))
    body = plan_file(seed("002")).entries()[0].body
    html = renderer.to_html(body)
    assert "$1.3 trillion" in html and "formula:" not in html
    plan = plan_file(seed("001"))
    html = "".join(renderer.to_html(b) for _t, b in pages(plan))
    assert html.count('src="image:images/image-') == 9  # the reader shows a placeholder with the alt text
    assert '<a href="https://jalammar.github.io/' in html and 'src="https://' not in html
    assert any("9 local images" in w for w in plan.warnings)


# ---------------------------------------------------------------- parsers on small inputs

def test_heading_levels_categories_and_sub_headings() -> None:
    text = ("# Basics\n\n### 1. **What is attention?**\n\nIt weighs tokens.\n\n#### Formula:\n\n"
            "$$ a = softmax(QK^T) $$\n\n### **What is a token?**\n\n# Training\n---\n"
            "### 2) Why warm up?\n\nStability.\n")
    plan = plan_text(text, "notes.md")
    assert [(t.title, [e.title for e in t.entries]) for t in plan.topics] == [
        ("Basics", ["What is attention?", "What is a token?"]), ("Training", ["Why warm up?"])]
    first = plan.entries()[0]
    assert "### Formula" in first.body  # a sub-heading, one level under the question, colon gone
    assert not plan.entries()[1].answered
    assert plan.formula_count == 1


def test_single_level_questions_and_intro_text() -> None:
    plan = plan_text("My GenAI notes, spring.\n\n## GANs\nTwo nets.\n\n## VAEs\nAn encoder.\n", "my_notes.md")
    assert plan.title == "My notes"
    assert [e.title for e in plan.entries()] == ["GANs", "VAEs"]
    assert plan.topics[0].intro == "My GenAI notes, spring."


def test_the_pack_is_titled_by_the_heading_over_the_whole_document() -> None:
    text = ("# Transformer interview prep\nWhat I keep forgetting.\n\n## Attention\n### What is attention?\n"
            "Weights over tokens.\n### Why scale it?\nSoftmax saturates.\n## Training\n### Why warm up?\nNoise.\n")
    plan = plan_text(text, "a3f9c2e1_notes.md")
    assert plan.title == "Transformer interview prep"
    # the title is not a question, its text is the introduction, and topics do not repeat it
    assert [(t.title, [e.title for e in t.entries]) for t in plan.topics] == [
        ("Transformer interview prep", []), ("Attention", ["What is attention?", "Why scale it?"]),
        ("Training", ["Why warm up?"])]
    assert plan.topics[0].intro == "What I keep forgetting."
    # a single "#" over "##" questions: the title, and the questions stay questions
    plan = plan_text("# **My GenAI notes:**\n\n## GANs\nTwo nets.\n\n## VAEs\nAn encoder.\n", "x.md")
    assert plan.title == "My GenAI notes" and [e.title for e in plan.entries()] == ["GANs", "VAEs"]
    assert plan.summary()["title"] == "My GenAI notes"


def test_without_a_title_heading_the_pack_is_named_from_the_file_name() -> None:
    sections = "# Attention\n## What is attention?\nWeights.\n# Training\n## Why warm up?\nNoise.\n"
    assert plan_text(sections, "transformer_notes.md").title == "Transformer notes"  # a section is no title
    assert plan_text(sections, "a3f9c2e1_notes.md").title == "Notes"  # hashes and ids left out
    assert plan_text(sections, "20240105-interview prep.md").title == "Interview prep"
    # a name with nothing readable: the document's first top-level heading, never a question
    assert plan_text(sections, "000_d4c16f285b37f340.txt").title == "Attention"
    assert plan_text(sections, "3f2a9b1c-1234-4abc-9def-0123456789ab.md").title == "Attention"
    assert plan_text("## What is attention?\nWeights.\n## Why?\nBecause.\n", "d4c16f285b.md").title == "My notes"
    assert plan_text("# What is attention?\nWeights.\n", "notes 2024.md").title == "Notes 2024"
    long = plan_text("# " + "word " * 40 + "\n## Q?\nA.\n", "n.md").title
    assert long.endswith("…") and len(long) <= 81


def test_numbered_restarts_become_topics() -> None:
    text = "\n".join(
        f"{n}. Question {block}-{n}:\n   - answer {n}\n     - detail\n" for block in "ab" for n in (1, 2, 3))
    plan = plan_text(text, "q.txt")
    assert plan.kind == "numbered"
    assert [len(t.entries) for t in plan.topics] == [3, 3]
    assert plan.topics[1].title.startswith("Part 2 · Question b-1")
    assert plan.entries()[0].body == "- answer 1\n  - detail"


def test_faq_pairs() -> None:
    plan = plan_text("**Q1: Why?**\n- **A**: Because.\n\n**Q2: How?**\n**A:** Carefully.\n", "faq.md")
    assert plan.kind == "faq"
    assert [(e.title, e.body) for e in plan.entries()] == [("Why?", "Because."), ("How?", "Carefully.")]


def test_unrecognised_text_is_refused_clearly() -> None:
    with pytest.raises(NotesError, match="no questions|No questions"):
        plan_text("Just a shopping list.\nMilk. Eggs.\n", "list.txt")


def test_mojibake_repair_leaves_real_accents_alone() -> None:
    assert repair_mojibake("Hereâ€™s cafÃ© — café") == ("Here’s café — café", 2)
    assert repair_mojibake("Ölçü naïve") == ("Ölçü naïve", 0)


# ---------------------------------------------------------------- hostile input

def quick(fn, *args, limit: float = 3.0):
    started = time.perf_counter()
    try:
        return fn(*args)
    finally:
        assert time.perf_counter() - started < limit


@pytest.mark.parametrize("data, message", [
    (b"", "is empty"),
    (b"  \n\n\t\n", "is empty"),
    (b"\x00\x01\x02binary\x00" * 100, "binary"),
    (b"%PDF-1.7 ...", "PDF"),
    (b"PK\x03\x04....", "zip"),
])
def test_bad_files_get_a_clear_message(tmp_path: Path, data: bytes, message: str) -> None:
    path = tmp_path / "notes.md"
    path.write_bytes(data)
    with pytest.raises(NotesError, match=message):
        quick(plan_file, path)


def test_wrong_suffix_and_missing_file(tmp_path: Path) -> None:
    with pytest.raises(NotesError, match="only Markdown or plain-text"):
        plan_file(tmp_path / "notes.docx")
    with pytest.raises(NotesError, match="Cannot read"):
        plan_file(tmp_path / "absent.md")


@pytest.mark.parametrize("piece", [1, 64])
def test_a_bom_and_a_late_bad_byte_read_alike_in_pieces(piece, monkeypatch) -> None:
    from genai_desktop.core.packs.notes_import import reading

    raw = b"\xef\xbb\xbf## Caf\xc3\xa9?\r\nYes.\r\n" * 4 + b"## Old\nIt\x92s fine.\n\n"
    whole = reading.decode_notes(raw, "old.md")
    monkeypatch.setattr(reading, "PIECE_CHARS", piece)
    pieces = reading.decode_notes(raw, "old.md")
    assert whole.encoding == pieces.encoding == "cp1252" and "line 10" in pieces.warnings[0]
    assert pieces.lines() == whole.lines() and pieces.lines()[-3:] == ["It\u2019s fine.", "", ""]
    assert reading.decode_notes(raw[:40], "new.md").lines()[:2] == ["## Café?", "Yes."]  # the BOM dropped


def test_invalid_utf8_is_read_as_windows_1252_with_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "old.txt"
    path.write_bytes("## Caf\xe9 notes\nIt\x92s fine.\n".encode("latin-1"))
    plan = quick(plan_file, path)
    assert plan.entries()[0].title == "Café notes"
    assert plan.entries()[0].body == "It’s fine."
    assert plan.encoding == "cp1252" and "not valid UTF-8" in plan.warnings[0]


def test_utf16_with_bom(tmp_path: Path) -> None:
    path = tmp_path / "win.md"
    path.write_bytes("## Q?\nA.\n".encode("utf-16"))
    assert plan_file(path).entries()[0].title == "Q?"


def test_a_50_mb_file_is_refused_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "huge.md"
    with open(path, "wb") as handle:
        handle.truncate(50 * 1024 * 1024)
    assert path.stat().st_size > MAX_BYTES
    with pytest.raises(NotesError, match="50.0 MB"):
        quick(plan_file, path, limit=0.5)
    with pytest.raises(NotesError, match="MB"):
        decode_notes(b"x" * (MAX_BYTES + 1))


def test_unclosed_fence_does_not_swallow_the_next_questions() -> None:
    plan = quick(plan_text, "## One\n```python\nx = 1\n\n## Two\nfine\n\n## Three\n$$ a + \n", "f.md")
    assert [e.title for e in plan.entries()] == ["One", "Two", "Three"]
    assert any("never closed" in w for w in plan.warnings)
    assert plan.entries()[0].body.endswith("```")  # closed at the end of its own page


def test_unclosed_math_stays_text() -> None:
    plan = quick(plan_text, "## Q\nPrice \\( x and $$ y and \\[ z\n", "m.md")
    html = MarkdownRenderer(FormulaCache(None)).to_html(plan.entries()[0].body)
    assert "formula:" not in html and "x and $$ y and" in html


def test_500_deep_nested_list_is_flattened_to_a_readable_depth() -> None:
    text = "## Deep\n" + "\n".join("  " * n + f"- level {n}" for n in range(500)) + "\n"
    plan = quick(plan_text, text, "deep.md")
    body = plan.entries()[0].body
    assert max(len(line) - len(line.lstrip()) for line in body.split("\n")) <= 24
    html = quick(MarkdownRenderer(FormulaCache(None)).to_html, body)
    assert "level 499" in html


def test_a_formula_that_will_not_render_is_listed() -> None:
    plan = plan_text("## Q\nBad $\\frac{1}{$ here and good $x^2$.\n", "f.md")
    assert plan.formula_count == 2
    assert [p.page for p in plan.formula_problems] == ["Q"]


def test_cancel_stops_a_long_parse() -> None:
    progress = Progress()
    progress.cancel()
    with pytest.raises(ImportCancelled):
        plan_text("".join(f"## Q{n}?\nA.\n" for n in range(5000)), "big.md", progress)


def test_progress_is_reported() -> None:
    seen: list[tuple[int, int]] = []
    plan_text("".join(f"## Q{n}?\nA.\n" for n in range(3000)), "big.md", Progress(lambda d, t: seen.append((d, t))))
    assert seen and seen[-1][1] == 6001 and len(seen) <= 101


# ---------------------------------------------------------------- duplicates and choices

@needs_shared()
def test_seeds_001_and_003_share_questions_that_can_be_skipped() -> None:
    from genai_desktop.core.packs.notes_import import find_duplicates, title_key

    first, second = (plan_file(next(SEEDS.glob(f"{n}_*.txt"))) for n in ("001", "003"))
    duplicates = find_duplicates(second, ((e.title, first.title) for e in first.entries()))
    assert len(duplicates) == 31 and {d.where for d in duplicates} == {first.title}
    kept = second.selected(skip=[d.entry for d in duplicates])
    assert kept.question_count == 0 and second.question_count == 31  # the original is left alone
    assert title_key(" What is RAG? ") == title_key("what is  rag")


def test_a_question_asked_twice_in_one_file_is_a_duplicate_and_choices_drop_topics_left_empty() -> None:
    from genai_desktop.core.packs.notes_import import find_duplicates

    plan = plan_text("# A\n\n## What is X?\nX.\n\n## Why Y?\n\n# B\n\n## what is x\nAgain.\n", "n.md")
    duplicates = find_duplicates(plan, [])
    assert [(d.entry.title, d.where) for d in duplicates] == [("What is x", "these notes")]  # title capitalised
    chosen = plan.selected(skip=[d.entry for d in duplicates], unanswered=False)
    assert [(t.title, [e.title for e in t.entries]) for t in chosen.topics] == [("A", ["What is X?"])]


@needs_shared()
def test_unanswered_questions_of_seed_001_can_be_left_out() -> None:
    plan = plan_file(next(SEEDS.glob("001_*.txt")))
    answered = plan.selected(unanswered=False)
    assert answered.question_count == 54 - 24 and not answered.unanswered()


@needs_shared()
def test_list_text_after_a_formula_stays_prose_in_the_imported_page() -> None:
    plan = plan_file(next(SEEDS.glob("001_*.txt")))
    entry = next(e for e in plan.entries() if "**Discriminator Loss**" in e.body)
    html = MarkdownRenderer(FormulaCache(None), mathjax=True).to_html(entry.body)
    assert "<p>Here,\u00a0\\(D" in html and "<pre><code>Here," not in html  # prose; the formula joined to it


@pytest.mark.parametrize("piece", [1, 7, 64])
def test_a_file_cleaned_piece_by_piece_reads_as_cleaned_whole(piece, monkeypatch) -> None:
    from genai_desktop.core.packs.notes_import import reading

    text = ("# Caf\u00c3\u00a9 notes\r\n\r\nIt\u00e2\u20ac\u2122s \x07fine\u202e.\r\n" * 5
            + "last line without an end \u00c3\u00a9")
    whole = reading.decode_notes(text.encode("utf-8"), "notes.md")
    monkeypatch.setattr(reading, "PIECE_CHARS", piece)
    pieces = reading.decode_notes(text.encode("utf-8"), "notes.md")
    assert len(pieces.pieces) > 2 and len(whole.pieces) == 1
    assert pieces.text == whole.text and pieces.warnings == whole.warnings and pieces.sha1 == whole.sha1
    assert pieces.lines() == whole.lines() == whole.text.split("\n")
    assert "\r" not in pieces.text and "\x07" not in pieces.text and "Caf\u00e9" in pieces.text
    assert "Repaired 11 garbled" in pieces.warnings[0]
