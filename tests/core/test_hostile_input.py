"""Bad input never crashes the app: random and hostile text thrown at every parser a user can feed.

Each call must return or raise the module's own, user-facing error. How long they take is not
asserted here (a timed test fails on a slow machine and proves nothing on a fast one): the work
is bounded by construction, and tests/core/test_input_bounds.py proves the bounds themselves, e.g.
that a costly formula is refused before the renderer is ever reached.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from genai_desktop.core.render.formulas import Formula, FormulaCache, FormulaError, render_svg
from genai_desktop.core.render.markdown_html import MarkdownRenderer

# Pieces that have broken markdown and LaTeX pipelines before: fences, math delimiters, lists,
# tables, html, placeholders that look like our own tokens, control and bidi characters.
MARKDOWN_PIECES = ["```", "~~~", "```python\n", "$", "$$", "\\(", "\\)", "\\[", "\\]", "\n", "\n\n", "- ", "  - ",
                   "1. ", "| a | b |\n|---|---|\n", "<img src='../../etc/passwd'>", "![x](../../etc/passwd)",
                   "[l](file:///etc/passwd)", "<script>", "GDXPH0Q", "GDXPH99999Q", "**", "_", "#", "> ", "\t",
                   "\x00", "\u202e", "\ufeff", "\\", "{", "}", "&", "<", ">", "`", "<!-- id: x -->", "\r\n"]
LATEX_PIECES = ["\\frac{", "}{", "}", "{", "\\left(", "\\right)", "\\sqrt[", "]", "^", "_", "\\begin{matrix}",
                "\\end{matrix}", "&", "\\\\", "\\mathbb{E}", "\\sum_{i=1}^{n}", "x", "\\", "\\undefinedmacro",
                "\\text{", "$", "%", "#", "~", "\\over", "\\left.", "\\right|", "\\hat", " "]

QUERY_PIECES = ['"', "*", "NEAR(", "AND", "OR", "NOT", "(", ")", "^", ":", "-", "title:", "x", " ", "\x00"]

markdown_text = st.one_of(
    st.text(max_size=400),
    st.lists(st.one_of(st.sampled_from(MARKDOWN_PIECES), st.text(max_size=12)), max_size=120).map("".join),
)
latex_text = st.one_of(
    st.text(max_size=200),
    st.lists(st.sampled_from(LATEX_PIECES), max_size=80).map("".join),
)
HOSTILE = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                           HealthCheck.function_scoped_fixture])


@pytest.fixture(scope="module")
def renderer(tmp_path_factory) -> MarkdownRenderer:
    return MarkdownRenderer(FormulaCache(tmp_path_factory.mktemp("formulas")))


@HOSTILE
@given(text=markdown_text)
def test_markdown_pipeline_never_raises_and_stays_within_its_bound(renderer: MarkdownRenderer, text: str) -> None:
    html = renderer.to_html(text)
    assert isinstance(html, str)


def test_text_that_imitated_the_old_placeholders_stays_literal(renderer: MarkdownRenderer) -> None:
    # The python-markdown pipeline swapped code for tokens like these; markdown-it needs none.
    html = renderer.to_html("`code` then GDXPH0Q and GDXPH7Q")
    assert html == "<p><code>code</code> then GDXPH0Q and GDXPH7Q</p>\n"


@HOSTILE
@given(latex=latex_text, display=st.booleans())
def test_formula_renderer_finishes_or_explains_within_its_bound(latex: str, display: bool) -> None:
    try:
        svg = render_svg(Formula(latex, display))
        assert "<svg" in svg
    except FormulaError as exc:
        assert str(exc)  # the error box shows a reason


@pytest.mark.parametrize("latex", [
    "{" * 5000 + "x" + "}" * 5000,                      # deeply nested
    "\\frac{" * 300 + "x" + "}{y}" * 300,               # nested fractions
    "x^" * 2000 + "y",                                  # a tower of exponents
    "\\sqrt{" * 45 + "x" + "}" * 45,                    # far past the nesting limit
    "\\left(" * 500,                                    # unbalanced delimiters
    "a" * 100_000,                                      # huge
    "\\begin{matrix}" + "a & " * 3000 + "\\end{matrix}",
    "}{",
])
def test_known_hostile_formulas_show_the_error_box_without_rendering(latex: str, monkeypatch) -> None:
    from genai_desktop.core.render import formulas

    def never(*_args, **_kwargs):
        raise AssertionError("the renderer was reached")

    monkeypatch.setattr(formulas, "_load_ziamath", never)
    with pytest.raises(FormulaError):
        render_svg(Formula(latex, True))


def test_a_page_of_hostile_formulas_renders_with_error_boxes(renderer: MarkdownRenderer) -> None:
    page = "\n\n".join(f"$${'{' * 200}x$$ and ${'x^' * 500}y$" for _ in range(20))
    html = renderer.to_html(page)
    assert "<svg" not in html and html.strip()


@HOSTILE
@given(text=markdown_text)
def test_notes_importer_reads_anything_or_explains(text: str) -> None:
    notes_import = pytest.importorskip("genai_desktop.core.packs.notes_import")
    try:
        plan = notes_import.plan_text(text, "notes.md")
        assert plan.question_count >= 0
    except notes_import.NotesError as exc:
        assert str(exc)


@HOSTILE
@given(data=st.binary(max_size=2000))
def test_notes_importer_reads_any_bytes_from_a_file_or_explains(tmp_path_factory, data: bytes) -> None:
    notes_import = pytest.importorskip("genai_desktop.core.packs.notes_import")
    path = Path(tmp_path_factory.mktemp("notes")) / "notes.md"
    path.write_bytes(data)
    try:
        notes_import.plan_file(path)
    except notes_import.NotesError as exc:
        assert str(exc)


@HOSTILE
@given(query=st.one_of(st.text(max_size=60), st.lists(st.sampled_from(QUERY_PIECES), max_size=20).map("".join)))
def test_search_accepts_any_query(tmp_path_factory, query: str) -> None:
    search = pytest.importorskip("genai_desktop.core.search.query")
    index = _index(tmp_path_factory)
    index.last_error = None
    hits = search.search(index, query)
    assert isinstance(hits, list)
    assert index.last_error is None  # quoted: no query ever fails (a failure reads as "no results")


_INDEX = {}


def _index(tmp_path_factory):
    if "index" not in _INDEX:
        from genai_desktop.core.workspace import Workspace

        _INDEX["index"] = Workspace(tmp_path_factory.mktemp("search-data")).index
    return _INDEX["index"]
