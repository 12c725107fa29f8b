"""Figures: the palette rule, what a figure may contain, captions in pages and in search."""

from __future__ import annotations

from pathlib import Path

import pytest

from genai_desktop.core.render import figures
from genai_desktop.core.render.formulas import FormulaCache
from genai_desktop.core.render.markdown_html import MarkdownRenderer
from genai_desktop.core.search.index import plain_text

GOOD = ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 200 80" width="200" height="80">'
        '<title>Two boxes and an arrow</title>'
        '<rect x="4" y="4" width="80" height="40" rx="6" fill="#dbeafe" stroke="#1f2937" stroke-width="1.5"/>'
        '<text x="44" y="30" font-size="13" fill="#1f2937" text-anchor="middle">Q</text>'
        '<line x1="84" y1="24" x2="150" y2="24" stroke="#6b7280"/>'
        '<polygon points="150,20 158,24 150,28" fill="#1f2937"/></svg>')


def _svg(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "figure.svg"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_palette_figure_passes(tmp_path: Path) -> None:
    assert figures.svg_problems(_svg(tmp_path, GOOD)) == []


@pytest.mark.parametrize(("change", "words"), [
    (lambda s: s.replace("</svg>", "<script>alert(1)</script></svg>"), "<script>"),
    (lambda s: s.replace("</svg>", '<image href="https://example.com/x.png"/></svg>'), "href"),
    (lambda s: s.replace("</svg>", "<foreignObject><p>hi</p></foreignObject></svg>"), "foreignObject"),
    (lambda s: s.replace('fill="#dbeafe"', 'fill="#123456"'), "#123456"),
    (lambda s: s.replace('fill="#dbeafe"', 'fill="red"'), "palette"),
    (lambda s: s.replace('<rect ', '<rect onclick="x()" '), "onclick"),
    (lambda s: s.replace('<rect ', '<rect style="fill:#000" '), "style"),
    (lambda s: s.replace('fill="#dbeafe"', 'fill="url(#grad)"'), "palette"),
    (lambda s: s.replace("<title>Two boxes and an arrow</title>", ""), "<title>"),
    (lambda s: s.replace(' viewBox="0 0 200 80"', ""), "viewBox"),
    (lambda s: s[:-10], "well-formed"),
    (lambda s: '<!DOCTYPE svg [<!ENTITY e "x">]>' + s, "DOCTYPE"),
])
def test_figures_that_could_run_fetch_or_ignore_the_theme_are_refused(tmp_path: Path, change, words) -> None:
    problems = figures.svg_problems(_svg(tmp_path, change(GOOD)))
    assert problems and any(words in p for p in problems), problems


def test_an_oversized_figure_is_refused_without_being_parsed(tmp_path: Path) -> None:
    path = _svg(tmp_path, GOOD.replace("</svg>", "<desc>" + "x" * (figures.MAX_FIGURE_BYTES + 1) + "</desc></svg>"))
    assert "at most" in figures.svg_problems(path)[0]


def test_the_dark_theme_maps_every_palette_colour_and_nothing_else() -> None:
    dark = figures.themed_svg(GOOD, dark=True)
    assert "#dbeafe" not in dark and "#1e3a5f" in dark and "#e6e6e6" in dark
    assert figures.themed_svg(GOOD, dark=False) == GOOD
    assert figures.themed_svg('fill="#1F2937"', dark=True) == 'fill="#e6e6e6"'  # case does not matter
    # Every light colour has a distinct dark one: two roles never merge in the dark theme.
    assert len(set(figures.PALETTE.values())) == len(figures.PALETTE)


def test_a_titled_picture_alone_in_its_paragraph_is_a_numbered_figure() -> None:
    html = MarkdownRenderer(FormulaCache(None)).to_html(
        'Text.\n\n![Keys and values per layer](figures/kv.svg "The KV cache during decoding")\n\n'
        '![Second](figures/b.svg "Another one")\n\nInline ![icon](figures/i.svg) stays inline.\n')
    assert html.count('<table class="figure"') == 2
    assert '<a href="figure:figures/kv.svg"><img src="image:figures/kv.svg?alt=' in html
    assert "<b>Figure 1.</b> The KV cache during decoding" in html and "<b>Figure 2.</b> Another one" in html
    assert '<p>Inline <img src="image:figures/i.svg' in html


def test_captions_are_searchable_text() -> None:
    text = plain_text('![Keys and values per layer](figures/kv.svg "The KV cache during decoding")')
    assert text == "Figure: The KV cache during decoding. Keys and values per layer."


def test_figure_paths() -> None:
    assert figures.is_figure_path("figures/kv.svg") and figures.is_figure_path("./figures/kv.svg")
    assert not figures.is_figure_path("images/kv.svg") and not figures.is_figure_path("figures/kv.png")


def test_check_refuses_a_bad_figure_and_a_picture_without_alt_text(tmp_path: Path, starter_pack: Path) -> None:
    from genai_desktop.core.content.checks import check_pack

    (starter_pack / "figures").mkdir()
    (starter_pack / "figures" / "good.svg").write_text(GOOD, encoding="utf-8")
    (starter_pack / "figures" / "bad.svg").write_text(GOOD.replace("</svg>", "<script>x()</script></svg>"),
                                                      encoding="utf-8")
    (starter_pack / "figures" / "fake.png").write_text("not a png", encoding="utf-8")
    topic = starter_pack / "topics" / "01-attention.md"
    topic.write_text(topic.read_text(encoding="utf-8").replace("The formula:", (
        '![Good](figures/good.svg "Fine")\n\n![Bad](figures/bad.svg "Refused")\n\n'
        '![](figures/good.svg)\n\n![Fake](figures/fake.png)\n\nThe formula:'), 1), encoding="utf-8")
    messages = [p.message for p in check_pack(starter_pack)]
    assert any("figures/bad.svg" in m and "<script>" in m for m in messages)
    assert any("figures/good.svg has no alt text" in m for m in messages)
    assert any("figures/fake.png is not a PNG" in m for m in messages)
    assert not any("figures/good.svg uses" in m or "Fine" in m for m in messages)
    assert len(messages) == 3


def test_search_finds_a_page_by_its_figure_caption(tmp_path: Path, starter_pack: Path) -> None:
    from genai_desktop.core.content.library import load_pack
    from genai_desktop.core.search.index import ContentIndex, iter_pages
    from genai_desktop.core.search.query import search

    (starter_pack / "figures").mkdir()
    (starter_pack / "figures" / "good.svg").write_text(GOOD, encoding="utf-8")
    topic = starter_pack / "topics" / "02-gans.md"
    topic.write_text(topic.read_text(encoding="utf-8") + (
        '\n\n![Keys and values stored per layer](figures/good.svg "The zebracache during decoding")\n'),
        encoding="utf-8")
    index = ContentIndex(tmp_path / "index.sqlite")
    index.rebuild(iter_pages(load_pack(starter_pack)), "t")
    hits = search(index, "figure zebracache")
    assert hits[0].page_id == "q:gan-objective"  # pages with only some of the words may follow
