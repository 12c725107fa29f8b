"""LaTeX formulas to SVG with ziamath, cached in memory and on disk by a hash of the formula.

ziamath is pure Python (no TeX install) but costs ~200 ms to import, so it is imported on the
first formula that is not already cached. Its SVG 2 output shows blank in QtSvg, hence
``svg2 = False``. Hostile input (huge or deeply nested LaTeX) is refused before ziamath sees it,
so a page can never hang on a formula.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from pathlib import Path

from .errors import UserError

MAX_LATEX_CHARS = 3000
MAX_NESTING = 40
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

    @property
    def normalised(self) -> str:
        # Multi-line display formulas break ziamath's parser on stray newlines.
        return " ".join(self.latex.split())

    def key(self, color: str) -> str:
        import hashlib  # loads OpenSSL: kept off the start-up path, which renders no formula

        raw = f"{int(self.display)}|{color}|{self.normalised}"
        return hashlib.sha1(raw.encode("utf-8")).hexdigest()[:20]


def _load_ziamath():
    global _ziamath
    if _ziamath is None:
        import ziamath

        ziamath.config.svg2 = False
        _ziamath = ziamath
    return _ziamath


def check_bounds(latex: str) -> None:
    if len(latex) > MAX_LATEX_CHARS:
        raise FormulaError(f"formula is too long ({len(latex)} characters; the limit is {MAX_LATEX_CHARS})")
    depth = deepest = 0
    for char in latex:
        if char == "{":
            depth += 1
            deepest = max(deepest, depth)
        elif char == "}":
            depth -= 1
            if depth < 0:
                raise FormulaError("unbalanced braces: a '}' closes nothing")
    if depth:
        raise FormulaError("unbalanced braces: a '{' is never closed")
    if deepest > MAX_NESTING:
        raise FormulaError(f"formula is nested {deepest} levels deep (the limit is {MAX_NESTING})")
    if len(re.findall(r"\\left\b", latex)) != len(re.findall(r"\\right\b", latex)):
        raise FormulaError("every \\left needs a matching \\right")


def render_svg(formula: Formula, color: str = "#000000") -> str:
    """Render to an SVG string or raise FormulaError with a readable reason."""
    latex = formula.normalised
    if not latex:
        raise FormulaError("empty formula")
    check_bounds(latex)
    with _lock:  # ziamath keeps module-level state; one render at a time
        ziamath = _load_ziamath()
        try:
            math = ziamath.Latex(latex, size=RENDER_SIZE_PX, color=color, inline=not formula.display)
            svg = math.svg()
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

    def get(self, formula: Formula, color: str) -> tuple[str, str | None]:
        """Return (key, error). On success the SVG is available from ``svg(key)``."""
        key = formula.key(color)
        if key in self._svgs:
            return key, None
        if key in self._errors:
            return key, self._errors[key]
        path = self.folder / f"{key}.svg" if self.folder else None
        if path and path.exists():
            try:
                self._svgs[key] = path.read_text(encoding="utf-8")
                return key, None
            except (OSError, UnicodeDecodeError):
                pass  # fall through and render again
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
            except OSError:
                pass  # a read-only cache only costs speed
        return key, None

    def svg(self, key: str) -> str | None:
        if key in self._svgs:
            return self._svgs[key]
        path = self.folder / f"{key}.svg" if self.folder else None
        if path and path.exists():
            try:
                return self._svgs.setdefault(key, path.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError):
                return None
        return None
