"""Figures: the SVG diagrams of a pack (``figures/`` beside ``topics/``), their colours in each
theme and the rules a figure must pass.

A figure is drawn once, in the light palette below; the reader maps each of those colours to
its dark counterpart by exact replacement, so the same file reads well on both pages and no
figure can end up a dark drawing on a dark background. ``check`` refuses any other colour, and
anything that could run or fetch (scripts, ``foreignObject``, external references, styles).
"""

from __future__ import annotations

import re
from pathlib import Path

FIGURES_FOLDER = "figures"
MAX_FIGURE_BYTES = 512 * 1024  # the largest drawn figure is ~20 KB; a bigger one is a mistake
RASTER_SUFFIXES = {".png", ".jpg", ".jpeg"}  # user packs may hold pictures as well

# The figure palette: light (as drawn) -> dark. Named roles, so the drawing script and the
# checker agree on what each colour is for.
PALETTE = {
    "#1f2937": "#e6e6e6",  # ink: text, outlines, arrows
    "#6b7280": "#a0a4ab",  # muted: secondary text, guides, grid lines
    "#ffffff": "#232428",  # paper: boxes that match the page
    "#dbeafe": "#1e3a5f",  # blue fill
    "#2563eb": "#60a5fa",  # blue accent
    "#dcfce7": "#14532d",  # green fill
    "#16a34a": "#4ade80",  # green accent
    "#ffedd5": "#7c2d12",  # orange fill
    "#ea580c": "#fb923c",  # orange accent
    "#ede9fe": "#3b2f63",  # purple fill
    "#7c3aed": "#a78bfa",  # purple accent
    "#fee2e2": "#5f1d1d",  # red fill
    "#dc2626": "#f87171",  # red accent
}
ALLOWED_ELEMENTS = {"svg", "g", "rect", "circle", "ellipse", "line", "polyline", "polygon", "path", "text",
                    "tspan", "title", "desc"}
_COLOUR_ATTRIBUTES = ("fill", "stroke", "stop-color", "color", "flood-color", "lighting-color")
_HEX = re.compile(r"#[0-9a-fA-F]{3,8}\b")
_DARK_SWAP = re.compile("|".join(re.escape(light) for light in PALETTE), re.IGNORECASE)


def themed_svg(svg: str, dark: bool) -> str:
    """The figure's SVG in the colours of the page it is shown on."""
    if not dark:
        return svg
    return _DARK_SWAP.sub(lambda m: PALETTE[m.group(0).lower()], svg)


def is_figure_path(relative: str) -> bool:
    """A drawn figure (an SVG in the pack's figures folder), as opposed to any other picture."""
    parts = relative.replace("\\", "/").lstrip("./").split("/")
    return len(parts) >= 2 and parts[0] == FIGURES_FOLDER and parts[-1].lower().endswith(".svg")


def svg_problems(path: Path) -> list[str]:
    """Why ``path`` is not an acceptable figure (an empty list when it is)."""
    from xml.etree import ElementTree

    try:
        size = path.stat().st_size
    except OSError as exc:
        return [f"cannot be read ({exc.strerror})"]
    if size > MAX_FIGURE_BYTES:
        return [f"is {size // 1024} KB; a figure may be at most {MAX_FIGURE_BYTES // 1024} KB"]
    text = path.read_text(encoding="utf-8", errors="replace")
    if "<!DOCTYPE" in text or "<!ENTITY" in text:
        return ["declares a DOCTYPE or entities (refused: they can expand or fetch)"]
    try:
        root = ElementTree.fromstring(text)
    except ElementTree.ParseError as exc:
        return [f"is not well-formed SVG ({exc})"]
    problems: list[str] = []
    if _local(root.tag) != "svg":
        problems.append("does not start with an <svg> element")
    if root.get("viewBox") is None:
        problems.append("has no viewBox (it could not be sized to the text column)")
    if not any(_local(el.tag) == "title" and (el.text or "").strip() for el in root):
        problems.append("has no <title> (the figure's alt text)")
    bad_elements: set[str] = set()
    bad_colours: set[str] = set()
    for element in root.iter():
        name = _local(element.tag)
        if name not in ALLOWED_ELEMENTS:
            bad_elements.add(name)
        for attribute, value in element.attrib.items():
            attribute = _local(attribute)
            if attribute == "href" or attribute.startswith("on"):
                problems.append(f"<{name}> has a {attribute} attribute (no links or scripts in a figure)")
            elif attribute == "style":
                problems.append(f"<{name}> has a style attribute (use fill and stroke with palette colours)")
            elif attribute in _COLOUR_ATTRIBUTES:
                colour = value.strip().lower()
                if colour not in PALETTE and colour not in ("none", "transparent"):
                    bad_colours.add(value.strip())
            elif "url(" in value:
                problems.append(f"<{name}> {attribute} refers to {value.strip()[:40]} (no references)")
    if bad_elements:
        problems.append("uses elements a figure may not: " + ", ".join(f"<{n}>" for n in sorted(bad_elements)))
    if bad_colours:
        problems.append("uses colours outside the figure palette (themes could not map them): "
                        + ", ".join(sorted(bad_colours)))
    stray = {c.lower() for c in _HEX.findall(text)} - set(PALETTE)
    if stray and not bad_colours:
        problems.append("mentions colours outside the figure palette: " + ", ".join(sorted(stray)))
    return problems


def _local(tag: str) -> str:
    """An XML name without its namespace: ``{http://www.w3.org/2000/svg}rect`` -> ``rect``."""
    return tag.rsplit("}", 1)[-1]
