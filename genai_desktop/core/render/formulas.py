"""LaTeX formulas to SVG with ziamath, cached in memory and on disk by a hash of the formula.

ziamath is pure Python (no TeX install) but costs ~200 ms to import, so it is imported on the
first formula that is not already cached. A formula takes 10 ms to 1.5 s to lay out, so the
reader never renders one itself: it asks ``DeferredFormulas``, which answers from the cache or
queues the formula for a worker thread and gives the page a placeholder of about its size
(``estimate_size``) until it arrives. Its SVG 2 output shows blank in QtSvg, hence
``svg2 = False``. Hostile input (huge or deeply nested LaTeX) is refused before ziamath sees it,
so a page can never hang on a formula.
"""

from __future__ import annotations

import os
import re
import threading
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from ..digest import sha1
from ..errors import UserError

# ziamath's time doubles with every level of nesting (a group, \left...\right, an environment):
# 16 nested groups took 44 s, a_{a_{...}} 20 deep over a minute. The bounds below are checked
# on the source before rendering; each is several times what the library's formulas use
# (longest 332 characters, 5 levels, 4 \left, work 842), and at the limits a render takes well
# under a second. RENDER_SECONDS stops whatever still gets through.
MAX_LATEX_CHARS = 1500
MAX_NESTING = 8
MAX_LEFT = 40
MAX_WORK = 3000  # each token weighs 2 ** its nesting depth: a rough measure of ziamath's time
RENDER_SECONDS = 3.0
RENDER_SIZE_PX = 20  # ziamath's font size; the reader scales images to the text size

_lock = threading.Lock()
_ziamath = None


class FormulaError(UserError, ValueError):
    """A formula that cannot be rendered; the message is shown to the user with the source."""


@dataclass(frozen=True)
class Formula:
    """A LaTeX formula found in a page, inline or on its own line."""

    latex: str
    display: bool

    @cached_property  # six regular expressions, asked for again by every key and render
    def normalised(self) -> str:
        # Multi-line display formulas break ziamath's parser on stray newlines.
        return repair_for_ziamath(" ".join(self.latex.split()), self.display)

    def key(self, color: str) -> str:
        raw = f"{int(self.display)}|{color}|{self.normalised}"
        return sha1(raw.encode("utf-8")).hexdigest()[:20]


# What ziamath 0.13 draws wrongly, rewritten to LaTeX it draws right (each case is rendered by
# tests/core/render/test_formulas.py). Applied before rendering, so the page keeps the author's LaTeX.
_FUNCTION_BEFORE_PAREN = re.compile(r"\\(exp|log|ln|lg|max|min|sup|inf|det|sin|cos|tan|arg|gcd|Pr)\s*(?=\()")
_UNARY_MINUS = re.compile(r"(=|\\approx|\\leq?|\\geq?|\\ne|\\to|\\in|<|>|\(|\[|\\\{|,|&)(\s*)-(?![->])")
_NORM_BARS = re.compile(r"\\(?:[Bb]igg?)([lr]?)\s*(?:\\\||\\Vert)")
_TEXT_UNDERSCORE = re.compile(r"(\\text\{[^{}]*\})")
_OPERATORNAME = re.compile(r"\\operatorname(\*?)\{([^{}]*)\}(?:\s*\\(?:no)?limits)?(?:\s*_\s*(\{[^{}]*\}|[^\s{}\\]))?")
_MATHOP = re.compile(r"\\mathop\s*\{((?:[^{}]|\{[^{}]*\})*)\}(?:\s*\\(?:no)?limits)?")


def repair_for_ziamath(latex: str, display: bool) -> str:
    """``\\exp(x)`` without a gap, a minus after ``=`` or ``(`` that is a sign (ziamath spaces it as
    a binary operator), ``\\Bigl\\|`` as norm bars, ``\\text{a\\_b}`` with its underscore,
    ``\\operatorname*{…}_x`` with its limit under it in display, and ``\\mathop{…}`` not vanishing."""

    def operatorname(match: re.Match) -> str:
        star, name, sub = match.groups()
        body = f"\\mathrm{{{name}}}"
        if sub is None:
            return body
        sub = sub if sub.startswith("{") else f"{{{sub}}}"
        return f"\\underset{sub}{{{body}}}\\," if star and display else f"{body}_{sub}"

    def mathop(match: re.Match) -> str:
        inner = match.group(1).strip()
        return inner if inner.startswith("\\") else f"\\mathrm{{{inner}}}"

    latex = _OPERATORNAME.sub(operatorname, latex)
    latex = _MATHOP.sub(mathop, latex)
    latex = _NORM_BARS.sub(lambda m: {"l": "\\lVert ", "r": "\\rVert "}.get(m.group(1), "\\Vert "), latex)
    latex = _TEXT_UNDERSCORE.sub(lambda m: m.group(1).replace("\\_", "_"), latex)
    latex = _FUNCTION_BEFORE_PAREN.sub(lambda m: f"\\mathrm{{{m.group(1)}}}", latex)
    latex = _UNARY_MINUS.sub(lambda m: f"{m.group(1)}{m.group(2)}{{-}}", latex)
    return latex


def _load_ziamath():
    global _ziamath
    if _ziamath is None:
        import ziamath

        ziamath.config.svg2 = False
        _ziamath = ziamath
    return _ziamath


_LATEX_TOKEN = re.compile(r"\\(left|right|begin|end)(?![A-Za-z])|\\[A-Za-z]+|\\.|[{}]|\s+|[^\\{}\s]", re.S)


def check_bounds(latex: str) -> None:
    """Raise FormulaError when ``latex`` costs more to render than the limits above allow."""
    if len(latex) > MAX_LATEX_CHARS:
        raise FormulaError(f"formula is too long ({len(latex)} characters; the limit is {MAX_LATEX_CHARS})")
    braces = lefts = rights = environments = 0
    deepest = work = 0
    for match in _LATEX_TOKEN.finditer(latex):
        token, word = match.group(0), match.group(1)
        if token == "{":
            braces += 1
        elif token == "}":
            braces -= 1
            if braces < 0:
                raise FormulaError("unbalanced braces: a '}' closes nothing")
        elif word == "left":
            lefts += 1
            if lefts > MAX_LEFT:
                raise FormulaError(f"formula has more than {MAX_LEFT} \\left delimiters")
        elif word == "right":
            rights += 1
        elif word == "begin":
            environments += 1
        elif word == "end":
            environments = max(0, environments - 1)
        elif token.isspace():
            continue
        depth = braces + max(0, lefts - rights) + environments
        if depth > MAX_NESTING:
            raise FormulaError(f"formula is nested more than {MAX_NESTING} levels deep "
                               f"(groups, \\left and environments; the limit is {MAX_NESTING})")
        deepest = max(deepest, depth)
        work += 1 << depth
        if work > MAX_WORK:
            raise FormulaError("formula is too complex to render (too much nested work; split it up)")
    if braces:
        raise FormulaError("unbalanced braces: a '{' is never closed")
    if lefts != rights:
        raise FormulaError("every \\left needs a matching \\right")


class _OutOfTime(BaseException):
    """Raised inside a render that passed RENDER_SECONDS. A BaseException, so no ``except
    Exception`` inside ziamath can swallow it."""


def _within_time(work, seconds: float):
    """``work()``, stopped with _OutOfTime once it has run ``seconds``.

    A timer thread raises the exception in this thread (CPython's asynchronous exception,
    delivered between two bytecodes: ziamath is pure Python). Nothing is checked on the
    rendering side, so a render that finishes in time costs one timer thread and no more."""
    import ctypes

    thread = ctypes.c_ulong(threading.get_ident())
    state = threading.Lock()
    fired = False
    done = False

    def stop() -> None:
        nonlocal fired
        with state:
            if not done:
                fired = True
                ctypes.pythonapi.PyThreadState_SetAsyncExc(thread, ctypes.py_object(_OutOfTime))

    timer = threading.Timer(seconds, stop)
    timer.daemon = True
    try:
        timer.start()
        result = work()
    finally:
        with state:
            done = True
            if fired:  # the stop may still be pending: it must not land in the caller's code
                ctypes.pythonapi.PyThreadState_SetAsyncExc(thread, None)
        timer.cancel()
    if fired:
        raise _OutOfTime
    return result


def render_svg(formula: Formula, color: str = "#000000") -> str:
    """Render to an SVG string or raise FormulaError with a readable reason."""
    latex = formula.normalised
    if not latex:
        raise FormulaError("empty formula")
    check_bounds(latex)
    with _lock:  # ziamath keeps module-level state; one render at a time
        ziamath = _load_ziamath()
        try:
            svg = _within_time(lambda: ziamath.Latex(latex, size=RENDER_SIZE_PX, color=color,
                                                     inline=not formula.display).svg(), RENDER_SECONDS)
        except _OutOfTime:
            raise FormulaError(f"formula takes too long to render (over {RENDER_SECONDS:g} s)") from None
        except Exception as exc:  # ziamath raises many types for bad input
            raise FormulaError(_describe(exc)) from exc
    if "<svg" not in svg:
        raise FormulaError("the renderer produced no image")
    return svg


def render_problem(formula: Formula, seen: dict[tuple[str, bool], str | None]) -> str | None:
    """Why a formula will not render, or None; each distinct formula is tried once per ``seen``
    (pages repeat the same symbols, and rendering is the slow part of a check)."""
    key = (formula.normalised, formula.display)
    if key not in seen:
        try:
            render_svg(formula)
            seen[key] = None
        except FormulaError as exc:
            seen[key] = str(exc)
    return seen[key]


def _describe(exc: Exception) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0][:200]


class FormulaCache:
    """Memory + disk cache of rendered SVGs. Errors are remembered in memory only."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder
        self._svgs: dict[str, str] = {}
        self._errors: dict[str, str] = {}
        self._on_disk: set[str] | None = None  # keys with an SVG file, listed once

    def _disk_has(self, key: str) -> bool:
        """Whether the folder holds ``key``'s SVG. The folder is listed once instead of trying
        to open a file per formula: a page of 70 new formulas cost 70 failed opens (~10 ms)."""
        if self.folder is None:
            return False
        if self._on_disk is None:
            try:
                self._on_disk = {name[:-4] for name in os.listdir(self.folder) if name.endswith(".svg")}
            except OSError:
                self._on_disk = set()  # no folder yet: nothing rendered
        return key in self._on_disk

    def has(self, formula: Formula, color: str) -> bool:
        """Whether ``get`` answers without rendering (an SVG or an error is already known)."""
        key = formula.key(color)
        if key in self._svgs or key in self._errors:
            return True
        return self._disk_has(key)

    def known(self, formula: Formula, color: str) -> tuple[str, str | None] | None:
        """(key, error) as ``get`` answers when the formula is rendered or refused already (in
        memory or on disk); None when answering would mean rendering it."""
        key = formula.key(color)
        if key in self._svgs:
            return key, None
        if key in self._errors:
            return key, self._errors[key]
        if self._disk_has(key):
            try:
                self._svgs[key] = (self.folder / f"{key}.svg").read_text(encoding="utf-8")
                return key, None
            except (OSError, UnicodeDecodeError):
                pass  # not rendered yet, or unreadable: rendered (again) and written over
        return None

    def get(self, formula: Formula, color: str) -> tuple[str, str | None]:
        """Return (key, error), rendering the formula if it is not known yet. On success the SVG
        is available from ``svg(key)``. Called from one worker thread while the UI thread reads:
        each dict store is atomic, and a key's SVG is stored before its caller is told."""
        known = self.known(formula, color)
        if known is not None:
            return known
        key = formula.key(color)
        path = self.folder / f"{key}.svg" if self.folder else None
        try:
            svg = render_svg(formula, color)
        except FormulaError as exc:
            self._errors[key] = str(exc)
            return key, str(exc)
        self._svgs[key] = svg
        if path:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                tmp = path.with_suffix(".tmp")
                tmp.write_text(svg, encoding="utf-8")
                tmp.replace(path)
                if self._on_disk is not None:
                    self._on_disk.add(key)
            except OSError:
                pass  # a read-only cache only costs speed
        return key, None

    def refuse(self, formula: Formula, color: str, reason: str) -> None:
        """Remember ``reason`` as the answer for ``formula`` (a renderer that crashed)."""
        self._errors[formula.key(color)] = reason

    def error(self, key: str) -> str | None:
        """Why the formula of ``key`` was refused, or None (rendered, or not tried yet)."""
        return self._errors.get(key)

    def svg(self, key: str) -> str | None:
        if key in self._svgs:
            return self._svgs[key]
        # The folder's listing, not a stat per key: the reader asks for every placeholder of a
        # page it lays out, and 17 stats cost the heaviest page's first render 16 ms.
        if not self._disk_has(key):
            return None
        try:
            return self._svgs.setdefault(key, (self.folder / f"{key}.svg").read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError):
            return None


# ---------------------------------------------------------------- for the reader: never render here

# Commands that draw nothing themselves (they shape or space what follows) and big operators,
# for estimate_size. Everything else that starts with a backslash is one glyph (\alpha, \sum).
_SILENT = {"left", "right", "frac", "dfrac", "tfrac", "mathrm", "mathbf", "mathit", "mathbb", "mathcal", "mathsf",
           "operatorname", "text", "textbf", "textit", "boldsymbol", "bm", "underset", "overset", "limits",
           "nolimits", "displaystyle", "textstyle", "big", "Big", "bigg", "Bigg", "bigl", "bigr", "Bigl", "Bigr",
           "begin", "end", "hat", "bar", "tilde", "vec", "dot", "mathop", "sqrt", "quad", "qquad"}
_TALL = re.compile(r"\\(?:d?frac|sum|prod|int|underset|overset|binom|begin|limits)(?![A-Za-z])")
_GLYPH = re.compile(r"\\([A-Za-z]+)|\\[,;:! ]|[_^{}&\s]|(.)")
_SCRIPT = re.compile(r"[_^](\{[^{}]*\}|\\[A-Za-z]+|.)")
_FRACTION = re.compile(r"\\[dt]?frac(?![A-Za-z])")
_ROW_END = "\\\\"  # \\ in the LaTeX: a new row of a matrix or an aligned environment
_ENVIRONMENT = re.compile(r"\\(?:begin|end)\{[^{}]*\}")


def estimate_size(formula: Formula) -> tuple[float, float]:
    """About how large (width, height in pixels at RENDER_SIZE_PX) ``formula`` will be drawn,
    without rendering it: the reader's placeholder, so the page barely moves when the formula
    arrives. Counts glyphs (sub- and superscripts at 70 %; the widest row of a matrix) and adds
    height for fractions, big operators and rows. 95 % of the heaviest built-in page's formulas are
    within a factor of two of their drawn size in both directions (bench_formulas)."""
    latex = _ENVIRONMENT.sub(" ", formula.normalised)
    em = RENDER_SIZE_PX
    rows = latex.split(_ROW_END)
    width = max(_row_width(row) for row in rows) * em
    stacked = min(len(_TALL.findall(latex)), 3)  # each adds height; they mostly sit side by side
    height = (1.05 + (1.1 if stacked else 0) + 0.25 * max(0, stacked - 1)) * em
    if len(rows) > 1:
        height = max(height, len(rows) * 1.3 * em)
    return width, height


def _row_width(latex: str) -> float:
    """In ems: glyphs at about half an em, scripts smaller, a fraction as wide as its wider
    part (counted at 60 % of both), a column gap at each ``&``."""
    scripts = sum(_glyph_count(match.group(1)) for match in _SCRIPT.finditer(latex))
    glyphs = _glyph_count(_SCRIPT.sub(" ", latex)) + 0.7 * scripts
    width = glyphs * 0.55 - len(_FRACTION.findall(latex)) * 0.6 + latex.count("&") * 0.8
    return max(0.6, width)


def _glyph_count(latex: str) -> int:
    count = 0
    for match in _GLYPH.finditer(latex):
        command, char = match.groups()
        if command is not None:
            count += command not in _SILENT
        elif char is not None:
            count += 1
    return count


class DeferredFormulas:
    """The formula source of the reader's renderer: the same answers as ``FormulaCache`` for
    formulas already rendered (or refused), but a formula it has not seen is only queued: its
    key is returned at once and the caller collects it with ``take_pending`` to have it
    rendered elsewhere (a worker thread calls ``FormulaCache.get``).

    The page then holds an image whose source is not there yet; the reader shows a placeholder
    of ``estimate_size`` and swaps in the formula when it arrives. Nothing here ever renders, so
    converting a page costs the UI thread no formula time at all."""

    def __init__(self, cache: FormulaCache) -> None:
        self.cache = cache
        self._pending: dict[str, tuple[Formula, str]] = {}
        self._queued: dict[str, Formula] = {}  # every key handed out unrendered, for its placeholder
        self._sizes: dict[str, tuple[float, float]] = {}  # placeholder_size's answers

    def has(self, formula: Formula, color: str) -> bool:
        """Always True: ``get`` never renders, so the page's formula time budget never applies."""
        return True

    def get(self, formula: Formula, color: str) -> tuple[str, str | None]:
        known = self.cache.known(formula, color)
        if known is not None:
            return known
        key = formula.key(color)
        self._pending[key] = (formula, color)
        self._queued[key] = formula
        return key, None

    def has_pending(self) -> bool:
        return bool(self._pending)

    def take_pending(self) -> dict[str, tuple[Formula, str]]:
        """The formulas asked for since the last call that still need rendering, by key."""
        pending, self._pending = self._pending, {}
        return pending

    def expect(self, formulas: dict[str, tuple[Formula, str]],
               sizes: dict[str, tuple[float, float]] | None = None) -> None:
        """Formulas queued by another ``DeferredFormulas`` (a page converted on a worker thread)
        that the reader shows as placeholders: ``placeholder_size`` answers for them too, from
        ``sizes`` when the worker estimated them already."""
        for key, (formula, _color) in formulas.items():
            self._queued[key] = formula
        self._sizes.update(sizes or {})

    def placeholder_size(self, key: str) -> tuple[float, float] | None:
        """The estimated size of a formula handed out unrendered, or None for an unknown key
        (estimated once: the layout asks again each time the page is laid out)."""
        size = self._sizes.get(key)
        if size is None and (formula := self._queued.get(key)) is not None:
            size = self._sizes[key] = estimate_size(formula)
        return size

    def error(self, key: str) -> str | None:
        return self.cache.error(key)

    def svg(self, key: str) -> str | None:
        return self.cache.svg(key)
