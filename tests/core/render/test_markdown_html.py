import re

from genai_desktop.core.render.formulas import FormulaCache
from genai_desktop.core.render.markdown_html import MarkdownRenderer, formulas_in


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
    assert re.search(r"<li>step<table class=\"code\"", html)  # a tight list: no paragraph
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
    assert [(f.latex, f.display) for f in found] == [("yes", False), ("z", True)]  # page order


def test_mathjax_mode_keeps_latex_between_anki_delimiters_and_never_renders() -> None:
    renderer = MarkdownRenderer(FormulaCache(None), mathjax=True)
    body = renderer.to_html("If $a<b$ then\n\n$$\n\\frac{a}{b}\n   < 1\n$$\n\nand `$x$` is code.")
    assert "\\(a&lt;b\\)" in body and "\\[\\frac{a}{b} &lt; 1\\]" in body
    assert "<code>$x$</code>" in body and "formula:" not in body


def test_a_picture_with_a_title_is_served_like_any_other() -> None:
    html = render('![Flow](img/f.png "The whole flow")\n\n![Far](https://example.org/a.png "T")')
    assert '<img src="image:img/f.png?alt=Flow" alt="Flow">' in html
    assert '<a href="https://example.org/a.png" title="T">[image: Far]</a>' in html


def test_an_inline_formula_wrapped_onto_the_next_line_is_still_a_formula() -> None:
    from genai_desktop.core.render.markdown_html import formulas_in

    text = "so $2 \\times 32 \\times\n128 = 8{,}192$ bytes, and it costs $5 on\nMonday or $3 on Friday.\n\n$a\n\nb$"
    assert [f.latex for f in formulas_in(text)] == ["2 \\times 32 \\times\n128 = 8{,}192"]


# ---------------------------------------------------------------- strict CommonMark (issue 19)

def test_a_year_at_the_start_of_a_line_does_not_start_a_list() -> None:
    html = render("The paper came out in\n2017. Transformers followed.")
    assert "<ol" not in html and "<p>The paper came out in\n2017. Transformers followed.</p>" in html


def test_an_indented_paragraph_inside_an_item_keeps_the_next_item_in_the_same_list() -> None:
    html = render("1. Step one\n\n   More detail.\n2. Step two")
    assert html.count("<ol>") == 1 and "<p>More detail.</p>" in html
    assert re.search(r"<li>\s*<p>Step two</p>\s*</li>\s*</ol>", html)


def test_two_trailing_spaces_make_a_hard_break() -> None:
    assert "line one<br />\nline two" in render("line one  \nline two")


def test_fences_inside_list_items_and_quotes_are_code() -> None:
    html = render("- item\n\n  ```python\n  x = 1\n  ```\n- next\n\n> ```\n> quoted = 2\n> ```")
    assert re.search(r"<li>\s*<p>item</p>\s*<table class=\"code\"", html)
    assert re.search(r"<blockquote>\s*<table class=\"code\"", html)
    assert html.count("<li>") == 2 and "```" not in html


def test_a_hash_tag_at_the_start_of_a_line_is_not_a_heading() -> None:
    html = render("#attention is all you need")
    assert "<h1" not in html and "<p>#attention is all you need</p>" in html


def test_display_math_inside_a_list_item_does_not_end_the_list() -> None:
    for text in ("1. First\n   $$\n   x^2\n   $$\n2. Second", "1. First\n   $$x^2$$\n2. Second",
                 "- First\n  \\[ y \\]\n- Second"):
        html = render(text)
        assert html.count("<li>") == 2 and html.count("<ol>") + html.count("<ul>") == 1, text
        assert 'class="formula"' in html, text


def test_display_math_written_inside_a_paragraph_becomes_a_block_between_its_halves() -> None:
    html = render("so $$x = 1$$ then")
    assert re.fullmatch(r"<p>so</p>\s*<table class=\"formula\".*</table>\s*<p>then</p>\s*", html, re.S)


def test_an_inline_formula_is_bound_to_the_word_before_it() -> None:
    assert '<p>where\u00a0<img src="formula:' in render("where $d_k$ is the key size")


def test_task_items_show_boxes_instead_of_bullets() -> None:
    html = render("- [ ] open\n- [x] done\n- [X] also done")
    assert "☐ open" in html and "☑ done" in html and "☑ also done" in html
    assert "list-style-type: none" in html and "[x]" not in html


def test_a_callout_is_a_tinted_box_with_its_title() -> None:
    html = render("> [!WARNING] Mind the gap\n> The body *here*.\n\n> [!tip]\n> Just a tip.\n\n> plain quote")
    assert html.count('class="callout"') == 2
    assert '<b>Mind the gap</b>' in html and "<p>The body <em>here</em>.</p>" in html
    assert "<b>Tip</b>" in html and "[!" not in html
    assert "<blockquote>\n<p>plain quote</p>\n</blockquote>" in html


def test_wiki_links_resolve_to_pages_and_unresolved_ones_are_plain_text() -> None:
    pages = {"attention": "q:attention", "Scaled Dot Product": "guide:sdp"}
    renderer = MarkdownRenderer(FormulaCache(None), wiki_links=pages.get)
    html = renderer.to_html("See [[attention]], [[Scaled Dot Product|the guide]] and [[Nowhere]].")
    assert '<a href="q:attention">attention</a>' in html
    assert '<a href="guide:sdp">the guide</a>' in html
    assert " and Nowhere." in html and "[[" not in html


def test_code_blocks_carry_a_copy_link_with_their_text() -> None:
    from urllib.parse import unquote

    html = render("```python\n    indented()\nprint('<b>')\n```")
    link = re.search(r'href="copy:([^"]*)"', html).group(1)
    assert unquote(link) == "    indented()\nprint('<b>')\n"
    assert ">python<" in html
    anki = MarkdownRenderer(FormulaCache(None), mathjax=True, copy_links=False).to_html("```\nx\n```")
    assert "copy:" not in anki


def test_gfm_tables_strikethrough_and_autolinks() -> None:
    html = render("| a | b |\n|:--|--:|\n| 1 | 2 |\n\n~~old~~ www.example.com")
    assert '<td align="right">2</td>' in html and "<s>old</s>" in html
    assert '<a href="http://www.example.com">www.example.com</a>' in html


def test_a_link_to_a_script_or_a_local_file_keeps_its_words_and_loses_the_link() -> None:
    for url in ("javascript:alert(1)", "<JaVa\tScript:x>", "&#106;avascript:x", "vbscript:x", "file:///etc/passwd"):
        html = render(f"A [plain words]({url}) and ![a picture]({url}).")
        assert html == "<p>A plain words and a picture.</p>\n", url
    assert '<a href="https://example.org">' in render("[ok](https://example.org)")


def test_an_underscore_in_an_email_address_stays_in_the_link_and_emphasis_still_works() -> None:
    html = render("Write to first_last@example.org, not _here_ or snake_case or a_b@nodomain.")
    assert '<a href="mailto:first_last@example.org">first_last@example.org</a>' in html
    assert "<em>here</em>" in html and "snake_case" in html
    assert "a_b@nodomain" in html and "mailto:b@" not in html  # no period after @: no address


def test_ftp_urls_are_linked_like_http_ones_but_not_inside_code_or_words() -> None:
    html = render("Get it from ftp://ftp.example.org/pub/file.txt. Or `ftp://in.code` or xftp://a.b")
    assert '<a href="ftp://ftp.example.org/pub/file.txt">ftp://ftp.example.org/pub/file.txt</a>.' in html
    assert "<code>ftp://in.code</code>" in html
    assert 'href="ftp://a.b"' not in html
