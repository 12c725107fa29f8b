from pathlib import Path

import pytest

from genai_desktop.core.formulas import Formula, FormulaCache, FormulaError, render_svg


def test_renders_svg_in_the_requested_colour() -> None:
    svg = render_svg(Formula(r"\frac{a}{b}", True), color="#e6e6e6")
    assert svg.startswith("<svg") and "#e6e6e6" in svg.lower()


def test_whitespace_in_display_formulas_is_collapsed() -> None:
    assert Formula("a\n  +\n b", True).normalised == "a + b"


@pytest.mark.parametrize("latex, reason", [
    ("\\frac{1}{", "never closed"),
    ("a}", "closes nothing"),
    ("{" * 60 + "x" + "}" * 60, "nested"),
    ("x" * 5000, "too long"),
    ("\\left( x", "\\right"),
    ("", "empty"),
])
def test_hostile_input_is_refused_with_a_reason(latex: str, reason: str) -> None:
    with pytest.raises(FormulaError, match=reason.replace("\\", "\\\\")):
        render_svg(Formula(latex, True))


def test_cache_writes_to_disk_and_reloads(tmp_path: Path) -> None:
    formula = Formula("e^{i\\pi}+1=0", False)
    key, error = FormulaCache(tmp_path).get(formula, "#000000")
    assert error is None and (tmp_path / f"{key}.svg").exists()
    fresh = FormulaCache(tmp_path)
    assert fresh.svg(key).startswith("<svg")
    assert fresh.get(formula, "#000000") == (key, None)


def test_cache_keys_depend_on_colour_and_mode() -> None:
    f = Formula("x", False)
    assert f.key("#000") != f.key("#fff") != Formula("x", True).key("#fff")


@pytest.mark.parametrize(("latex", "display", "drawn"), [
    # ziamath 0.13 draws a literal "*" and no limit under the operator
    ("\\operatorname*{arg\\,max}_x f(x)", True, "\\underset{x}{\\mathrm{arg\\,max}}\\, f(x)"),
    ("\\operatorname*{arg\\,max}_{x \\in X} f(x)", False, "\\mathrm{arg\\,max}_{x \\in X} f(x)"),
    ("\\operatorname{softplus}(x)", True, "\\mathrm{softplus}(x)"),
    # \mathop{...} vanished entirely
    ("\\mathop{\\mathrm{softmax}}(z)", True, "\\mathrm{softmax}(z)"),
    ("\\mathop{E}\\limits_x", True, "\\mathrm{E}_x"),
    # \Bigl\| drew a backslash and a bar
    ("\\Bigl\\| x \\Bigr\\|", True, "\\lVert x \\rVert"),
    # the underscore of \text{a\_b} kept its backslash
    ("\\text{kl\\_div}(p)", True, "\\text{kl_div}(p)"),
    # a sign after "=" or "(" was spaced like subtraction ("= − E")
    ("L = -\\mathbb{E}[\\log p]", True, "L = {-}\\mathbb{E}[\\log p]"),
    ("f(-x) = x - y", True, "f({-}x) = x - y"),
    ("2^{-3} - 1", True, "2^{-3} - 1"),
    # a gap after \exp and \max before their parenthesis
    ("\\exp(x) + \\max (a, b) + \\max_x f", True, "\\mathrm{exp}(x) + \\mathrm{max}(a, b) + \\max_x f"),
])
def test_what_ziamath_draws_wrongly_is_rewritten_and_renders(latex: str, display: bool, drawn: str) -> None:
    from genai_desktop.core.formulas import repair_for_ziamath

    assert " ".join(repair_for_ziamath(latex, display).split()) == drawn
    assert "<svg" in render_svg(Formula(latex, display))
