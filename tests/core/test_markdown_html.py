import re

from genai_desktop.core.formulas import FormulaCache
from genai_desktop.core.markdown_html import MarkdownRenderer, formulas_in


def render(text: str) -> str:
    return MarkdownRenderer(FormulaCache(None)).to_html(text)


def test_github_style_lists_become_real_nested_lists() -> None:
    html = render("Intro line\n- one\n  - nested\n- two")
    assert "<p>Intro line</p>" in html
    assert re.search(r"<li>one\s*<ul>\s*<li>nested</li>", html)
    assert "- one" not in html


def test_code_is_highlighted_wrapped_and_math_inside_code_is_left_alone() -> None:
    html = render("```python\nprice = '$5 and $6'\nx = 1\n```\nand `a $b$ c`")
    assert 'white-space: pre-wrap' in html
    assert "formula:" not in html
    assert "$5 and $6" in html and "a $b$ c" in html
    assert "<span style=" in html  # pygments inline styles


def test_fence_indented_inside_a_list_item_stays_in_the_item() -> None:
    html = render("1. step\n   ```python\n   import os\n   ```\n2. next")
    assert re.search(r"<li>\s*<p>step</p>\s*<table class=\"code\"", html)
    assert "```" not in html


def test_all_math_delimiters_become_formula_images() -> None:
    html = render(r"Inline $x^2$, \(a+b\), display $$\frac{1}{2}$$ and \[ \sqrt{d_k} \]")
    assert html.count('src="formula:') == 4
    assert "\\(" not in html and "$" not in html.replace("$$", "")


def test_money_is_not_math() -> None:
    html = render("The market may reach $1.3 trillion by 2032, up from $40 billion.")
    assert "formula:" not in html
    assert "$1.3 trillion" in html


def test_broken_formula_shows_error_box_with_source() -> None:
    html = render("$$\\frac{1}{$$")
    assert 'class="error"' in html
    assert "could not be rendered" in html
    assert "\\frac{1}{" in html


def test_remote_images_become_links_and_local_images_go_through_the_reader() -> None:
    html = render("![diagram](https://example.com/a.png) ![local](images/x.png)")
    assert '<a href="https://example.com/a.png">[image: diagram]</a>' in html
    assert 'src="image:images/x.png?alt=local"' in html
    assert "https://example.com/a.png\"" not in html.split("<a href")[0]


def test_tables_render() -> None:
    html = render("Text\n| a | b |\n|---|---|\n| 1 | 2 |")
    assert "<table>" in html and "<td>1</td>" in html


def test_formulas_in_ignores_code() -> None:
    found = formulas_in("`$nope$` and $yes$\n```\n$$ no $$\n```\n$$ z $$")
    assert [(f.latex, f.display) for f in found] == [("z", True), ("yes", False)]


def test_mathjax_mode_keeps_latex_between_anki_delimiters_and_never_renders() -> None:
    renderer = MarkdownRenderer(FormulaCache(None), mathjax=True)
    body = renderer.to_html("If $a<b$ then\n\n$$\n\\frac{a}{b}\n   < 1\n$$\n\nand `$x$` is code.")
    assert "\\(a&lt;b\\)" in body and "\\[\\frac{a}{b} &lt; 1\\]" in body
    assert "<code>$x$</code>" in body and "formula:" not in body


def test_a_picture_with_a_title_is_served_like_any_other() -> None:
    html = render('![Flow](img/f.png "The whole flow")\n\n![Far](https://example.org/a.png "T")')
    assert '<img src="image:img/f.png?alt=Flow" alt="Flow">' in html
    assert '<a href="https://example.org/a.png">[image: Far]</a>' in html


def test_an_inline_formula_wrapped_onto_the_next_line_is_still_a_formula() -> None:
    from genai_desktop.core.markdown_html import formulas_in

    text = "so $2 \\times 32 \\times\n128 = 8{,}192$ bytes, and it costs $5 on\nMonday or $3 on Friday.\n\n$a\n\nb$"
    assert [f.latex for f in formulas_in(text)] == ["2 \\times 32 \\times\n128 = 8{,}192"]
