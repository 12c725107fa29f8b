"""Import-time list repair: lenient nesting becomes what a strict CommonMark reader nests as meant."""

from __future__ import annotations

import re

from genai_desktop.core.packs.notes_import import plan_file
from genai_desktop.core.packs.notes_import.lists import normalise_lists
from genai_desktop.core.render.formulas import FormulaCache
from genai_desktop.core.render.markdown_html import MarkdownRenderer
from tests.conftest import SHARED, needs_shared


def render(text: str) -> str:
    return MarkdownRenderer(FormulaCache(None)).to_html(text)


def test_three_space_sub_bullets_under_a_tab_numbered_item_nest() -> None:
    text = "1.\tFirst step\n   - detail a\n   - detail b\n2.\tSecond step"
    fixed = normalise_lists(text)
    assert fixed == "1. First step\n   - detail a\n   - detail b\n2. Second step"
    assert re.search(r"<li>First step\s*<ul>\s*<li>detail a</li>", render(fixed))
    # unrepaired, the tab makes the item's text start at column 4: the bullets fall out of it
    assert not re.search(r"<li>First step\s*<ul>", render(text))


def test_continuation_lines_join_their_item_and_code_fences_are_untouched() -> None:
    assert normalise_lists("- one\n continued\n- two") == "- one\n  continued\n- two"
    fenced = "```\n- not\n   - a list\n```"
    assert normalise_lists(fenced) == fenced


@needs_shared()
def test_seed_000_sub_bullets_render_nested_in_their_answers() -> None:
    seed = next((SHARED / "seeds").glob("000_*.txt"))
    plan = plan_file(seed)
    entry = plan.entries()[1]  # "Historical Development…": a bullet list, then a margin paragraph
    html = render(entry.body)
    assert re.search(r"<ul>\s*<li>1940s-1950s", html) and "These milestones" in html
    nested = [e for e in plan.entries() if re.search(r"^\S.*\n +[-*] ", e.body, re.M)]
    assert nested, "the seed has items with sub-bullets"
    for e in nested:
        body = render(e.body)
        assert re.search(r"<li>(?:(?!</li>).)*<ul>", body, re.S), e.title
