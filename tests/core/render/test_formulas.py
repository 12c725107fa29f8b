from pathlib import Path

import pytest

from genai_desktop.core.render.formulas import Formula, FormulaCache, FormulaError, render_svg


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


def test_asking_for_formulas_not_rendered_lists_the_folder_once(tmp_path: Path, monkeypatch) -> None:
    """The reader asks for the SVG of every placeholder it lays out: one listing of the cache
    folder answers them all, not a file look-up each (17 stats cost a first render 16 ms)."""
    import os

    from genai_desktop.core.render import formulas as module

    key, _ = FormulaCache(tmp_path).get(Formula("x", False), "#000000")
    fresh = FormulaCache(tmp_path)  # a new session: the SVG is on disk only
    listings = []
    listdir = os.listdir
    monkeypatch.setattr(module.os, "listdir", lambda folder: listings.append(folder) or listdir(folder))
    exists = Path.exists

    def looked_up(path: Path) -> bool:
        if path.suffix == ".svg":
            pytest.fail(f"looked up {path.name} on its own")
        return exists(path)

    monkeypatch.setattr(Path, "exists", looked_up)
    assert all(fresh.svg(f"{n:020x}") is None for n in range(50))
    assert fresh.svg(key).startswith("<svg") and len(listings) == 1


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
    from genai_desktop.core.render.formulas import repair_for_ziamath

    assert " ".join(repair_for_ziamath(latex, display).split()) == drawn
    assert "<svg" in render_svg(Formula(latex, display))


# ---------------------------------------------------------------- what is drawn
# ziamath writes every glyph as one <path> of absolute coordinates (no transforms), so the boxes
# of the paths say what was drawn and where: these tests read the SVG, not the rewritten LaTeX.

Box = tuple[float, float, float, float]  # x_min, x_max, y_min, y_max; y grows downwards, baseline 0


def _glyphs(latex: str, display: bool = True) -> list[Box]:
    import re

    svg = render_svg(Formula(latex, display))
    assert "transform" not in svg and "<use" not in svg  # the boxes below would be wrong otherwise
    boxes = []
    for path in re.findall(r'<path d="([^"]*)"', svg):
        numbers = [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", path)]
        xs, ys = numbers[0::2], numbers[1::2]
        boxes.append((min(xs), max(xs), min(ys), max(ys)))
    return sorted(boxes)


def test_operatorname_star_draws_no_star_and_puts_its_limit_under_it_in_display() -> None:
    glyphs = _glyphs("\\operatorname*{arg\\,max}_x f(x)")
    assert len(glyphs) == len("argmax") + len("x") + len("f(x)")  # ziamath drew a literal "*" too
    under = [g for g in glyphs if g[2] > 5]  # wholly below the baseline (a "g" starts above it)
    name = [g for g in glyphs if g not in under][:6]
    assert len(under) == 1 and name[0][0] < under[0][0] < under[0][1] < name[-1][1]  # under "arg max"
    inline = _glyphs("\\operatorname*{arg\\,max}_{x} f(x)", display=False)
    assert len(inline) == 11  # no "*" inline either; the limit is a subscript there


def test_mathop_content_is_drawn() -> None:
    # ziamath dropped the operator: only "(z)" was left, and \mathop{E}\limits_x went ~1000 px up.
    assert len(_glyphs("\\mathop{\\mathrm{softmax}}(z)")) == len("softmax(z)")
    glyphs = _glyphs("\\mathop{E}\\limits_x")
    assert len(glyphs) == 2 and all(-30 < g[2] for g in glyphs)


def test_big_norm_bars_are_two_bars_not_a_backslash_and_a_bar() -> None:
    glyphs = _glyphs("\\Bigl\\| x \\Bigr\\|")
    assert len(glyphs) == 3  # ‖ x ‖; ziamath drew "\", "|" pieces (9 paths)
    assert glyphs[0][3] - glyphs[0][2] > glyphs[1][3] - glyphs[1][2]  # the bars are taller than the x


def test_escaped_underscore_in_text_is_one_underscore() -> None:
    assert len(_glyphs("\\text{kl\\_div}(p)")) == len("kl_div(p)")  # ziamath kept the backslash


def test_a_leading_minus_is_a_sign_close_to_what_follows() -> None:
    glyphs = _glyphs("L = -\\mathbb{E}[x]")
    equals, minus, expectation = glyphs[1], glyphs[2], glyphs[3]
    before, after = minus[0] - equals[1], expectation[0] - minus[1]
    # As subtraction the minus had a medium space on both sides (15.8 and 8.6 px at 20 px).
    assert after < 4 and after < before / 2
    binary = _glyphs("a - b")
    assert binary[2][0] - binary[1][1] > 4  # a real subtraction keeps its spacing


@pytest.mark.parametrize("latex", ["\\exp(x)", "\\max(a, b)", "\\exp (x)"])
def test_no_gap_between_a_function_name_and_its_parenthesis(latex: str) -> None:
    name_length = 3
    glyphs = _glyphs(latex)
    gap = glyphs[name_length][0] - glyphs[name_length - 1][1]
    assert gap < 2.5  # ziamath spaced the operator: 4.1 px after "exp", 5.3 px after "max"


# ---------------------------------------------------------------- the reader's deferred source

def test_deferred_formulas_never_render_and_queue_what_is_not_known(tmp_path: Path, monkeypatch) -> None:
    from genai_desktop.core.render import formulas as module
    from genai_desktop.core.render.formulas import DeferredFormulas

    cache = FormulaCache(tmp_path)
    known = Formula("a^2", False)
    key_known, _ = cache.get(known, "#000000")
    monkeypatch.setattr(module, "render_svg", lambda *_a, **_k: pytest.fail("rendered on the caller's thread"))
    deferred = DeferredFormulas(FormulaCache(tmp_path))  # a new session: the SVG is on disk only
    assert deferred.has(Formula("b", True), "#000000")  # never costs time, so no budget applies
    assert deferred.get(known, "#000000") == (key_known, None) and not deferred.has_pending()
    new = Formula("\\frac{x}{y}", True)
    key_new, error = deferred.get(new, "#000000")
    assert error is None and key_new == new.key("#000000")
    assert deferred.take_pending() == {key_new: (new, "#000000")} and deferred.take_pending() == {}
    assert deferred.placeholder_size(key_new) == module.estimate_size(new)
    assert deferred.svg(key_new) is None


def test_deferred_formulas_answer_what_a_worker_rendered_or_refused(tmp_path: Path) -> None:
    from genai_desktop.core.render.formulas import DeferredFormulas

    cache = FormulaCache(tmp_path)
    deferred = DeferredFormulas(cache)
    good, bad = Formula("x+1", False), Formula("\\frac{1}{", True)
    deferred.get(good, "#000000")
    deferred.get(bad, "#000000")
    for formula, color in deferred.take_pending().values():
        cache.get(formula, color)  # what the worker thread does
    assert deferred.get(good, "#000000")[1] is None and deferred.svg(good.key("#000000")).startswith("<svg")
    key, error = deferred.get(bad, "#000000")
    assert "never closed" in error and deferred.error(key) == error and not deferred.has_pending()


@pytest.mark.parametrize(("latex", "display"), [
    ("x", False),
    ("\\alpha_t = \\prod_{s=1}^{t} (1 - \\beta_s)", False),
    ("\\mathrm{softmax}\\!\\left(\\frac{QK^\\top}{\\sqrt{d_k}}\\right)V", True),
    ("\\sum_{i=1}^{n} \\log p_\\theta(x_i \\mid x_{<i})", True),
    ("\\begin{pmatrix} a & b \\\\ c & d \\\\ e & f \\end{pmatrix}", True),
    ("\\text{number of parameters} = 12 \\, n_{\\text{layers}} \\, d_{\\text{model}}^2", True),
])
def test_the_placeholder_estimate_is_within_a_factor_of_two(latex: str, display: bool) -> None:
    import re

    from genai_desktop.core.render.formulas import estimate_size

    formula = Formula(latex, display)
    svg = render_svg(formula)
    drawn_w, drawn_h = (float(re.search(f'{name}="([\\d.]+)"', svg).group(1)) for name in ("width", "height"))
    width, height = estimate_size(formula)
    assert 0.5 <= width / drawn_w <= 2 and 0.5 <= height / drawn_h <= 2, (width, height, drawn_w, drawn_h)


def test_the_disk_cache_is_listed_once_not_probed_per_formula(tmp_path: Path, monkeypatch) -> None:
    import builtins

    FormulaCache(tmp_path).get(Formula("y", False), "#000000")
    cache = FormulaCache(tmp_path)
    opened: list[str] = []
    real_open = builtins.open
    monkeypatch.setattr(builtins, "open", lambda file, *a, **k: (opened.append(str(file)), real_open(file, *a, **k))[1])
    for n in range(20):
        assert cache.known(Formula(f"z_{n}", False), "#000000") is None
    assert opened == []  # unknown formulas cost no file access
    assert cache.known(Formula("y", False), "#000000") is not None
