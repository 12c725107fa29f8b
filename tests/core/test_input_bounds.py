"""Bounded work for every input (issue 23): formulas, raw HTML and search stay within a budget
that is checked on the input itself, never by a clock."""

from __future__ import annotations

import re
import types
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from genai_desktop.core.content.checks import check_pack
from genai_desktop.core.packs.notes_import import plan_text
from genai_desktop.core.render import formulas
from genai_desktop.core.render.formulas import Formula, FormulaCache, FormulaError
from genai_desktop.core.render.markdown_html import MAX_TABLE_DEPTH, PAGE_FORMULA_SECONDS, MarkdownRenderer, formulas_in
from genai_desktop.core.search.index import ContentIndex, Page
from genai_desktop.core.search.query import search
from tests.conftest import REPO


def _small_index(tmp_path: Path) -> ContentIndex:
    index = ContentIndex(tmp_path / "index.sqlite")
    index.rebuild([Page("q:p1", "question", "builtin", "A GAN", "t", "The discriminator plays a game.", "T")], "t")
    return index


def test_search_memo_never_raises_past_its_size(tmp_path: Path) -> None:
    index = _small_index(tmp_path)
    # A word of the library (stem found in ``terms``) beside more than 5,000 new words: the memo
    # used to be emptied between storing the known stem and reading it back (KeyError 'stem').
    typed = "discriminator " + " ".join(f"zq{n}x" for n in range(5_200))
    assert [hit for hit in search(index, typed) if not hit.partial] == []  # partial: "discriminator" alone
    # Many searches of a typo and a real word in one session pass the same point.
    for n in range(5_100):
        search(index, f"discriminator typo{n}q")
    assert [hit.page_id for hit in search(index, "discriminator")] == ["q:p1"]
    assert len(index.memo) <= 5_300


# ---------------------------------------------------------------- formulas

DEEP_SUBSCRIPTS = "a_{" * 20 + "a" + "}" * 20  # took over 60 s to render
DEEP_LEFTS = "\\left(" * 20 + "x" + "\\right)" * 20  # over 40 s
HOSTILE_FORMULAS = [
    DEEP_SUBSCRIPTS,
    DEEP_LEFTS,
    "\\left(" * 20 + "x",  # unbalanced
    "{" * 16 + "x" + "}" * 16,  # plain groups nested 16 deep took 44 s
    "\\frac{" * 12 + "x" + "}{y}" * 12,
    "\\begin{matrix}" * 12 + "x" + "\\end{matrix}" * 12,
    "\\left(x\\right)" * 60,  # too many \left
    "x+" * 1000,  # too long
    ("a_{b}^{" * 7 + "x" + "}" * 14 + "+") * 8,  # many deep groups: over the work budget
]


@pytest.fixture
def no_renderer(monkeypatch: pytest.MonkeyPatch) -> None:
    """The complexity bound must refuse the formula before ziamath ever sees it."""
    def refuse():
        raise AssertionError("the renderer was reached")

    monkeypatch.setattr(formulas, "_load_ziamath", refuse)


@pytest.mark.parametrize("latex", HOSTILE_FORMULAS)
def test_costly_formulas_are_refused_before_rendering(no_renderer, latex: str) -> None:
    with pytest.raises(FormulaError):
        formulas.check_bounds(latex)
    for display in (True, False):
        with pytest.raises(FormulaError):
            formulas.render_svg(Formula(latex, display))


@settings(max_examples=200, deadline=None)
@given(pieces=st.lists(st.sampled_from(["a_{", "x^{", "{", "\\left(", "\\frac{", "\\sqrt{", "\\begin{matrix}"]),
                       min_size=9, max_size=30))
def test_any_nesting_past_the_limit_is_refused(pieces: list[str]) -> None:
    closers = {"\\left(": "\\right)", "\\frac{": "}{y}", "\\begin{matrix}": "\\end{matrix}"}
    latex = "".join(pieces) + "x" + "".join(closers.get(p, "}") for p in reversed(pieces))
    with pytest.raises(FormulaError, match="nested|long|work|\\\\left"):
        formulas.check_bounds(latex)


def test_every_formula_of_the_library_is_within_the_bounds() -> None:
    for path in sorted((REPO / "content").rglob("*.md")):
        for formula in formulas_in(path.read_text(encoding="utf-8")):
            formulas.check_bounds(formula.normalised)  # raises FormulaError if not


def test_escaped_braces_are_not_groups(no_renderer) -> None:
    formulas.check_bounds("\\left\\{ x \\right.")  # \\{ is a printed brace, nothing is left open
    formulas.check_bounds("\\{1, 2\\} \\\\ \\{3\\}")


def test_a_render_past_its_time_limit_shows_the_error_box(monkeypatch: pytest.MonkeyPatch) -> None:
    """The time limit catches what the bound lets through: a renderer that never finishes on
    its own (it gives up after far more work than any formula takes) is stopped."""
    class Endless:
        def __init__(self, *args, **kwargs) -> None:
            n = 0
            while n < 10**8:  # pure Python, so the stop can land between any two steps
                n += 1

        def svg(self) -> str:
            return "<svg>never</svg>"

    monkeypatch.setattr(formulas, "_load_ziamath", lambda: types.SimpleNamespace(Latex=Endless))
    monkeypatch.setattr(formulas, "RENDER_SECONDS", 0.0)
    with pytest.raises(FormulaError, match="too long to render"):
        formulas.render_svg(Formula("x", True))
    # Nothing of the stop is left pending for the caller's next statement.
    assert sum(range(10**5)) == 4999950000


def test_hostile_formulas_show_the_error_box_in_reader_import_and_check(monkeypatch: pytest.MonkeyPatch,
                                                                         tmp_path: Path, starter_pack: Path) -> None:
    real = formulas._load_ziamath()

    class Guarded:  # the pack's own formulas render; the hostile ones never reach ziamath
        def __init__(self, latex: str, **kwargs) -> None:
            assert "a_{a_{" not in latex and "\\left(\\left(" not in latex, "the renderer was reached"
            self.math = real.Latex(latex, **kwargs)

        def svg(self) -> str:
            return self.math.svg()

    monkeypatch.setattr(formulas, "_load_ziamath", lambda: types.SimpleNamespace(Latex=Guarded))
    page = f"Deep $${DEEP_SUBSCRIPTS}$$ and ${DEEP_LEFTS}$ inline."
    html = MarkdownRenderer(FormulaCache(tmp_path / "cache")).to_html(page)
    assert 'class="error"' in html and "could not be rendered" in html and "<img" not in html

    plan = plan_text(f"# Notes\n\n## A question?\n\n{page}\n", "notes.md")
    assert len(plan.formula_problems) == 2 and all("nested" in p.error for p in plan.formula_problems)

    topic = next((starter_pack / "topics").glob("*.md"))
    topic.write_text(topic.read_text(encoding="utf-8") + f"\n{page}\n", encoding="utf-8")
    found = [p.message for p in check_pack(starter_pack) if "formula does not render" in p.message]
    assert len(found) == 2 and all("nested" in message for message in found)


# ---------------------------------------------------------------- raw HTML in notes

_TABLE_TAG = re.compile(r"<(/?)table\b", re.I)


def table_depth(html: str) -> int:
    depth = deepest = 0
    for match in _TABLE_TAG.finditer(html):
        depth += -1 if match.group(1) else 1
        deepest = max(deepest, depth)
    return deepest


@pytest.fixture(scope="module")
def page_renderer(tmp_path_factory) -> MarkdownRenderer:
    return MarkdownRenderer(FormulaCache(tmp_path_factory.mktemp("formulas")))


@pytest.mark.parametrize("nested", [
    "<table><tr><td>" * 24 + "deep" + "</td></tr></table>" * 24,  # Qt's layout time doubles per level
    "<TABLE><TR><TD>" * 24 + "deep",  # upper case, never closed: Qt nests them all the same
    "<div><table border=1><tr><td>a</td><td>" * 24 + "deep" + "</td></tr></table></div>" * 24,
])
def test_raw_html_tables_are_capped_to_what_the_reader_lays_out_quickly(page_renderer: MarkdownRenderer,
                                                                        nested: str) -> None:
    html = page_renderer.to_html(f"Intro.\n\n{nested}\n\nAfter.")
    assert table_depth(html) <= MAX_TABLE_DEPTH
    assert "deep" in html and "After." in html  # the text stays, only the deep tables go
    box = page_renderer.key_points_box(nested)
    assert table_depth(box) <= MAX_TABLE_DEPTH + 2  # the box's own two tables around it


@settings(max_examples=100, deadline=None)
@given(pieces=st.lists(st.sampled_from(["<table>", "<tr>", "<td>", "</td>", "</tr>", "</table>", "<Table x=1>",
                                        "x", "\n\n", "```\ncode\n```\n", "$$x$$", "| a |\n|---|\n| b |\n"]),
                       max_size=80))
def test_no_page_nests_tables_past_the_cap(page_renderer: MarkdownRenderer, pieces: list[str]) -> None:
    assert table_depth(page_renderer.to_html("".join(pieces))) <= MAX_TABLE_DEPTH


def test_shallow_raw_tables_and_the_page_own_boxes_are_kept(page_renderer: MarkdownRenderer) -> None:
    text = ("<table><tr><td><table><tr><td>two deep</td></tr></table></td></tr></table>\n\n"
            "- item\n\n    ```python\n    x = 1\n    ```\n\n| a | b |\n|---|---|\n| 1 | 2 |\n")
    html = page_renderer.to_html(text)
    assert html.count("<table") == 4 and table_depth(html) == 2


def test_a_page_stops_rendering_new_formulas_past_its_time_budget(monkeypatch: pytest.MonkeyPatch,
                                                                  tmp_path: Path) -> None:
    """Each formula is bounded, but a page of many costly ones would still add up: past
    PAGE_FORMULA_SECONDS the remaining uncached formulas show the error box (a fake clock that
    advances 2 s per formula rendered stands in for slow ones)."""
    rendered: list[str] = []

    class Fake:
        def __init__(self, latex: str, **kwargs) -> None:
            rendered.append(latex)

        def svg(self) -> str:
            return "<svg></svg>"

    monkeypatch.setattr(formulas, "_load_ziamath", lambda: types.SimpleNamespace(Latex=Fake))
    renderer = MarkdownRenderer(FormulaCache(tmp_path / "cache"))
    now = [0.0]
    renderer.clock = lambda: now[0] + 2.0 * len(rendered)
    page = "\n\n".join(f"$$x_{{{n}}}$$" for n in range(20))
    html = renderer.to_html(page)
    assert len(rendered) == PAGE_FORMULA_SECONDS // 2 + 1  # the one that crossed the budget still finished
    assert html.count('class="error"') == 20 - len(rendered) and "took too long" in html
    # The next showing of the page goes on where the budget stopped, from a fresh budget.
    first = len(rendered)
    now[0] = -2.0 * first
    html = renderer.to_html(page)
    assert len(rendered) == 2 * first and html.count('class="error"') == 20 - 2 * first
