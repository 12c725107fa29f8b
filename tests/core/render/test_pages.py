"""Whole pages for the reader: the heading shown at once, and a conversion any thread can run."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from genai_desktop.core.content.library import Library
from genai_desktop.core.render import formulas as formulas_module
from genai_desktop.core.render.formulas import Formula, FormulaCache, estimate_size
from genai_desktop.core.render.markdown_html import MarkdownRenderer
from genai_desktop.core.render.page_style import DARK, LIGHT
from genai_desktop.core.render.pages import PageNotFound, convert_page, page_heading, render_page


@pytest.fixture
def library(starter_pack: Path) -> Library:
    from genai_desktop.core.content.library import load_pack

    return load_pack(starter_pack, "starter")


def test_a_page_starts_with_its_heading(library: Library) -> None:
    for page in ("q:gan-objective", "guide:reading", "topic:gans"):
        heading = page_heading(library, page)
        body = render_page(library, page, MarkdownRenderer(FormulaCache(None)))
        assert body.startswith(heading) and "<h1>" in heading and len(body) > len(heading)
    with pytest.raises(PageNotFound):
        page_heading(library, "q:nowhere")


def test_a_conversion_renders_no_formula_and_lists_the_missing_ones_in_page_order(library: Library, tmp_path: Path,
                                                                                  monkeypatch) -> None:
    monkeypatch.setattr(formulas_module, "render_svg", lambda *_a, **_k: pytest.fail("rendered while converting"))
    page = convert_page(library, "q:gan-objective", FormulaCache(tmp_path), LIGHT)
    keys = list(page.pending)
    assert keys and not page.complete
    assert [page.html.find(f"formula:{key}") for key in keys] == sorted(page.html.find(f"formula:{key}")
                                                                          for key in keys)
    assert all(color == LIGHT.text for _formula, color in page.pending.values())
    assert page.sizes == {key: estimate_size(formula) for key, (formula, _color) in page.pending.items()}
    assert page.html == render_page(library, "q:gan-objective",
                                    MarkdownRenderer(formulas_module.DeferredFormulas(FormulaCache(tmp_path)), LIGHT))


def test_a_page_whose_formulas_are_cached_converts_complete(library: Library, tmp_path: Path) -> None:
    cache = FormulaCache(tmp_path)
    first = convert_page(library, "q:gan-objective", cache, DARK)
    for formula, color in first.pending.values():
        cache.get(formula, color)
    again = convert_page(library, "q:gan-objective", cache, DARK)
    assert again.complete and again.pending == {} and again.html == first.html


def test_conversions_on_two_threads_at_once_give_the_same_page(library: Library, tmp_path: Path) -> None:
    cache = FormulaCache(tmp_path)
    expected = convert_page(library, "q:attention-basics", cache, LIGHT).html
    results: list[str] = []

    def convert() -> None:
        for _ in range(5):
            results.append(convert_page(library, "q:attention-basics", cache, LIGHT).html)

    threads = [threading.Thread(target=convert) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [expected] * 10


def test_placeholder_sizes_estimated_elsewhere_are_the_ones_answered(tmp_path: Path) -> None:
    deferred = formulas_module.DeferredFormulas(FormulaCache(tmp_path))
    formula = Formula("x^2", False)
    key = formula.key("#000")
    deferred.expect({key: (formula, "#000")}, {key: (12.0, 34.0)})
    assert deferred.placeholder_size(key) == (12.0, 34.0)
    other = Formula("\\frac{a}{b}", True)
    deferred.expect({other.key("#000"): (other, "#000")})
    assert deferred.placeholder_size(other.key("#000")) == estimate_size(other)
