"""Draw the library's explanatory figures as small, theme-aware SVG files.

    python packaging/make_figures.py            (writes content/figures/<name>.svg)

Standard library only, deterministic (same bytes on every run). A tiny drawing layer (Fig) sits
on top of plain SVG elements; each figure is one function registered with @figure.

Rules the reader relies on:
  * colours come only from the palette below, written as fill="#…" / stroke="#…" attributes,
    so the dark theme can swap them by exact string replacement;
  * only elements QtSvg draws: no markers (arrowheads are polygons), no CSS, no gradients;
  * QtSvg ignores baseline-shift and dy on <tspan>, so a subscript or superscript is its own
    <text> element placed by measured widths (DejaVu Sans advance widths are tabled below).

Text markup inside labels: _{sub}, ^{sup}, \\hat{x}, \\tilde{x}.
"""

from __future__ import annotations

import math
import re
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "content" / "figures"

# --- palette (light values; the reader maps each to its dark twin) ---------------------------
INK = "#1f2937"      # text, outlines, arrows
MUTED = "#6b7280"    # secondary text, dashed guides, grid lines
PAPER = "#ffffff"    # box backgrounds that match the page
BLUE, BLUE_A = "#dbeafe", "#2563eb"
GREEN, GREEN_A = "#dcfce7", "#16a34a"
ORANGE, ORANGE_A = "#ffedd5", "#ea580c"
PURPLE, PURPLE_A = "#ede9fe", "#7c3aed"
RED, RED_A = "#fee2e2", "#dc2626"
ACCENT = {BLUE: BLUE_A, GREEN: GREEN_A, ORANGE: ORANGE_A, PURPLE: PURPLE_A, RED: RED_A, PAPER: INK}

FONT = "DejaVu Sans, Arial, sans-serif"
LABEL, SMALL = 13, 12
STROKE = 1.5
RADIUS = 6
PAD = 16

# --- text measurement: DejaVu Sans advance widths in 1/1000 em (regular, bold) ---------------
_CHARS = (' !"#$%&\'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~'
          '°²·×é̂Σαβεθμπστφᴼᵢᾱ–‖“”…′₁₂₋ₖₜ←→↓∂∅∇∏−√∞≈≤≪≻⊙␣✓✗')
_REG = ("318 401 460 838 636 950 780 275 390 390 500 838 318 361 318 337 636 636 636 636 636 636 636 "
        "636 636 636 337 337 838 838 838 531 1000 684 686 698 770 632 575 775 752 295 295 656 557 863 "
        "748 787 603 787 695 635 611 732 684 989 685 611 685 390 337 390 838 500 500 613 635 550 635 "
        "615 352 635 634 278 278 579 278 974 634 612 635 635 411 521 392 634 592 818 592 592 525 636 "
        "337 636 838 500 401 318 838 615 0 632 659 638 541 612 636 602 634 602 660 496 179 659 500 500 "
        "518 518 1000 227 401 401 528 426 295 838 838 838 517 871 669 757 838 637 833 838 838 1047 838 "
        "838 635 838 838")
_BOLD = ("348 456 521 838 696 1002 872 306 457 457 523 838 380 415 380 365 696 696 696 696 696 696 696 "
         "696 696 696 400 400 838 838 838 580 1000 774 762 734 830 683 683 821 837 372 372 775 637 995 "
         "837 850 733 850 770 720 682 812 774 1103 771 724 725 457 365 457 838 500 500 675 716 593 716 "
         "678 435 716 712 343 343 665 343 1042 712 687 716 716 493 595 478 712 652 924 645 652 582 712 "
         "365 712 838 500 438 380 838 678 0 683 687 716 557 687 736 791 779 638 782 535 219 687 500 500 "
         "657 657 1000 264 438 438 528 487 388 838 838 838 544 856 697 787 838 667 833 838 838 1047 838 "
         "838 716 838 838")
_W_REG = dict(zip(_CHARS, map(int, _REG.split()), strict=False))
_W_BOLD = dict(zip(_CHARS, map(int, _BOLD.split()), strict=False))
assert len(_W_REG) == len(_CHARS) == len(_W_BOLD)

_MARKUP = re.compile(r"_\{([^}]*)\}|\^\{([^}]*)\}|\\hat\{([^}]*)\}|\\tilde\{([^}]*)\}")


def runs(s: str) -> list[tuple[str, str]]:
    """Split label markup into (kind, text) runs: kind is text, sub, sup, hat or tilde."""
    out, pos = [], 0
    for m in _MARKUP.finditer(s):
        if m.start() > pos:
            out.append(("text", s[pos:m.start()]))
        kind = ("sub", "sup", "hat", "tilde")[next(i for i in range(4) if m.group(i + 1) is not None)]
        out.append((kind, m.group(m.lastindex)))
        pos = m.end()
    if pos < len(s):
        out.append(("text", s[pos:]))
    return out


def small_size(size: float) -> float:
    return round(size * 0.77)


def plain_width(s: str, size: float, bold: bool = False) -> float:
    table = _W_BOLD if bold else _W_REG
    return sum(table.get(c, 640) for c in s) * size / 1000


def text_width(s: str, size: float = LABEL, bold: bool = False) -> float:
    """Width in px of a label with markup, as DejaVu Sans draws it."""
    return sum(plain_width(t, small_size(size) if k in ("sub", "sup") else size, bold) for k, t in runs(s))


def num(v: float) -> str:
    """A coordinate without float noise: 12, 12.5, 12.25."""
    r = round(v, 2)
    return str(int(r)) if r == int(r) else f"{r:g}"


def esc(s: str) -> str:
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


class Box:
    """A placed rectangle; its anchors make arrows between boxes easy to aim."""

    def __init__(self, x: float, y: float, w: float, h: float):
        self.x, self.y, self.w, self.h = x, y, w, h

    cx = property(lambda s: s.x + s.w / 2)
    cy = property(lambda s: s.y + s.h / 2)
    r = property(lambda s: s.x + s.w)
    b = property(lambda s: s.y + s.h)
    top = property(lambda s: (s.cx, s.y))
    bottom = property(lambda s: (s.cx, s.b))
    left = property(lambda s: (s.x, s.cy))
    right = property(lambda s: (s.r, s.cy))


class Fig:
    def __init__(self, name: str, w: int, h: int, title: str, desc: str = ""):
        assert 560 <= w <= 720, f"{name}: width {w} outside 560..720"
        self.name, self.w, self.h, self.title, self.desc = name, w, h, title, desc
        self.items: list[str] = []

    # -- primitives -----------------------------------------------------------------------
    def _add(self, s: str) -> None:
        self.items.append(s)

    def rect(self, x, y, w, h, fill=PAPER, stroke=INK, rx=RADIUS, dash=False, width=STROKE) -> Box:
        extra = ' stroke-dasharray="5 4"' if dash else ""
        rr = f' rx="{num(rx)}"' if rx else ""
        st = f' stroke="{stroke}" stroke-width="{num(width)}"' if stroke else ""
        self._add(f'<rect x="{num(x)}" y="{num(y)}" width="{num(w)}" height="{num(h)}"{rr} fill="{fill}"{st}{extra}/>')
        return Box(x, y, w, h)

    def line(self, x1, y1, x2, y2, stroke=INK, dash=False, width=STROKE) -> None:
        extra = ' stroke-dasharray="5 4"' if dash else ""
        self._add(f'<line x1="{num(x1)}" y1="{num(y1)}" x2="{num(x2)}" y2="{num(y2)}" stroke="{stroke}" '
                  f'stroke-width="{num(width)}"{extra}/>')

    def polyline(self, pts, stroke=INK, dash=False, width=STROKE) -> None:
        extra = ' stroke-dasharray="5 4"' if dash else ""
        p = " ".join(f"{num(x)},{num(y)}" for x, y in pts)
        self._add(f'<polyline points="{p}" fill="none" stroke="{stroke}" stroke-width="{num(width)}" '
                  f'stroke-linejoin="round"{extra}/>')

    def polygon(self, pts, fill=INK, stroke=None, width=STROKE) -> None:
        p = " ".join(f"{num(x)},{num(y)}" for x, y in pts)
        st = f' stroke="{stroke}" stroke-width="{num(width)}" stroke-linejoin="round"' if stroke else ""
        self._add(f'<polygon points="{p}" fill="{fill}"{st}/>')

    def path(self, d: str, stroke=INK, fill="none", dash=False, width=STROKE) -> None:
        extra = ' stroke-dasharray="5 4"' if dash else ""
        st = f' stroke="{stroke}" stroke-width="{num(width)}"' if stroke else ""
        self._add(f'<path d="{d}" fill="{fill}"{st}{extra}/>')

    def circle(self, cx, cy, r, fill=PAPER, stroke=INK, width=STROKE) -> Box:
        st = f' stroke="{stroke}" stroke-width="{num(width)}"' if stroke else ""
        self._add(f'<circle cx="{num(cx)}" cy="{num(cy)}" r="{num(r)}" fill="{fill}"{st}/>')
        return Box(cx - r, cy - r, 2 * r, 2 * r)

    def ellipse(self, cx, cy, rx, ry, fill=PAPER, stroke=INK, width=STROKE) -> Box:
        self._add(f'<ellipse cx="{num(cx)}" cy="{num(cy)}" rx="{num(rx)}" ry="{num(ry)}" fill="{fill}" '
                  f'stroke="{stroke}" stroke-width="{num(width)}"/>')
        return Box(cx - rx, cy - ry, 2 * rx, 2 * ry)

    # -- text -----------------------------------------------------------------------------
    def _run(self, x, y, t, size, anchor, fill, bold, italic) -> None:
        weight = ' font-weight="bold"' if bold else ""
        style = ' font-style="italic"' if italic else ""
        anch = f' text-anchor="{anchor}"' if anchor != "start" else ""
        # xml:space="preserve": runs are placed by measured width, so spaces must not collapse
        self._add(f'<text x="{num(x)}" y="{num(y)}" font-size="{num(size)}"{anch}{weight}{style} fill="{fill}" '
                  f'xml:space="preserve">{esc(t)}</text>')

    def text(self, x, y, s: str, size=LABEL, anchor="middle", fill=INK, bold=False, italic=False) -> float:
        """One line of label markup whose baseline is y; returns its width.

        Plain text is a single <text> with the requested anchor, so it stays put in any font. Marked-up
        text becomes one <text> per run placed by DejaVu widths; a run followed by a subscript,
        superscript or accented glyph is anchored at its end, so the script stays glued to its base even
        if a fallback font (Arial) draws the run narrower.
        """
        parts = runs(s)
        total = text_width(s, size, bold)
        if len(parts) == 1 and parts[0][0] == "text":
            self._run(x, y, s, size, anchor, fill, bold, italic)
            return total
        cur = x - total / 2 if anchor == "middle" else x - total if anchor == "end" else x
        for k, (kind, t) in enumerate(parts):
            sz = small_size(size) if kind in ("sub", "sup") else size
            yy = y + 0.3 * size if kind == "sub" else y - 0.42 * size if kind == "sup" else y
            w = plain_width(t, sz, bold)
            if kind == "text" and k + 1 < len(parts):
                self._run(cur + w, yy, t, sz, "end", fill, bold, italic)
            else:
                self._run(cur, yy, t, sz, "start", fill, bold, italic)
            if kind == "hat":  # a caret over the glyph (combining accents misplace in QtSvg)
                mx, top = cur + w / 2, y - 0.78 * size
                self.polyline([(mx - 0.22 * size, top + 0.16 * size), (mx, top), (mx + 0.22 * size, top + 0.16 * size)],
                              stroke=fill, width=1)
            elif kind == "tilde":
                mx, top = cur + w / 2, y - 0.8 * size
                a = 0.24 * size
                self.path(f"M{num(mx - a)},{num(top + 2)} q{num(a / 2)},-4 {num(a)},0 t{num(a)},0",
                          stroke=fill, width=1)
            cur += w
        return total

    def mtext(self, x, cy, lines: list[str], size=LABEL, anchor="middle", fill=INK, bold=False,
              leading=1.3) -> None:
        """Several lines centred vertically on cy."""
        n = len(lines)
        for i, s in enumerate(lines):
            self.text(x, cy + (i - (n - 1) / 2) * size * leading + 0.36 * size, s, size, anchor, fill, bold)

    def box(self, x, y, w, h, label="", fill=PAPER, stroke=None, size=LABEL, bold=False, rx=RADIUS,
            dash=False, text_fill=INK, pad=6) -> Box:
        """A rounded box with centred (multi-line) label; fails loudly when the label does not fit."""
        stroke = stroke or ACCENT.get(fill, INK)
        b = self.rect(x, y, w, h, fill, stroke, rx, dash)
        lines = label.split("\n") if label else []
        for s in lines:
            if text_width(s, size, bold) > w - 2 * pad:
                raise ValueError(f"{self.name}: label {s!r} ({text_width(s, size, bold):.0f}px) too wide for box {w}")
        if len(lines) * size * 1.3 > h + 2:
            raise ValueError(f"{self.name}: {len(lines)} lines too tall for box {h}")
        if lines:
            self.mtext(b.cx, b.cy, lines, size, fill=text_fill, bold=bold)
        return b

    def cylinder(self, x, y, w, h, label="", fill=PURPLE, size=LABEL) -> Box:
        """A database drum: body, then the top ellipse drawn over it."""
        stroke = ACCENT.get(fill, INK)
        ry = 7
        self.path(f"M{num(x)},{num(y + ry)} L{num(x)},{num(y + h - ry)} A{num(w / 2)},{ry} 0 0 0 "
                  f"{num(x + w)},{num(y + h - ry)} L{num(x + w)},{num(y + ry)}", stroke=stroke, fill=fill)
        self.ellipse(x + w / 2, y + ry, w / 2, ry, fill=fill, stroke=stroke)
        if label:
            self.mtext(x + w / 2, y + ry + (h - ry) / 2, label.split("\n"), size)
        return Box(x, y, w, h)

    def cbox(self, cx, cy, w, h, label="", **kw) -> Box:
        """box() placed by its centre."""
        return self.box(cx - w / 2, cy - h / 2, w, h, label, **kw)

    # -- connectors -----------------------------------------------------------------------
    def head(self, x, y, angle, color=INK, length=8, half=4) -> None:
        """A filled triangular arrowhead whose tip is (x, y), pointing along angle (radians)."""
        c, s = math.cos(angle), math.sin(angle)
        bx, by = x - length * c, y - length * s
        self.polygon([(x, y), (bx - half * s, by + half * c), (bx + half * s, by - half * c)], fill=color)

    def arrow(self, x1, y1, x2, y2, color=INK, dash=False, both=False, width=STROKE) -> None:
        """Straight arrow; the shaft stops at the head's base so the tip stays sharp."""
        ang = math.atan2(y2 - y1, x2 - x1)
        c, s = math.cos(ang), math.sin(ang)
        sx, sy = (x1 + 7 * c, y1 + 7 * s) if both else (x1, y1)
        self.line(sx, sy, x2 - 7 * c, y2 - 7 * s, color, dash, width)
        self.head(x2, y2, ang, color)
        if both:
            self.head(x1, y1, ang + math.pi, color)

    def elbow(self, pts, color=INK, dash=False, width=STROKE) -> None:
        """Arrow along a polyline (right-angle routing); head on the last segment."""
        (x1, y1), (x2, y2) = pts[-2], pts[-1]
        ang = math.atan2(y2 - y1, x2 - x1)
        shaft = list(pts[:-1]) + [(x2 - 7 * math.cos(ang), y2 - 7 * math.sin(ang))]
        self.polyline(shaft, color, dash, width)
        self.head(x2, y2, ang, color)

    def curve(self, x1, y1, cx1, cy1, cx2, cy2, x2, y2, color=INK, dash=False, arrow=True, width=STROKE) -> None:
        """Cubic Bézier, with an arrowhead at the end aligned to the final tangent."""
        ang = math.atan2(y2 - cy2, x2 - cx2)
        ex, ey = (x2 - 7 * math.cos(ang), y2 - 7 * math.sin(ang)) if arrow else (x2, y2)
        self.path(f"M{num(x1)},{num(y1)} C{num(cx1)},{num(cy1)} {num(cx2)},{num(cy2)} {num(ex)},{num(ey)}",
                  stroke=color, dash=dash, width=width)
        if arrow:
            self.head(x2, y2, ang, color)

    def brace(self, x1, y1, x2, y2, color=MUTED, depth=8) -> tuple[float, float]:
        """A curly brace from (x1,y1) to (x2,y2) bulging to the left of the direction of travel
        (horizontal left→right bulges up; vertical top→bottom bulges right). Returns its tip."""
        dx, dy = x2 - x1, y2 - y1
        L = math.hypot(dx, dy)
        ux, uy = dx / L, dy / L
        nx, ny = uy, -ux
        if dy > 0 and abs(dx) < 1e-9:
            nx, ny = -nx, -ny  # vertical braces open towards the label on their right

        def p(t, d):
            return f"{num(x1 + ux * t + nx * d)},{num(y1 + uy * t + ny * d)}"
        h = L / 2
        d = (f"M{p(0, 0)} Q{p(0, depth / 2)} {p(depth / 2, depth / 2)} L{p(h - depth / 2, depth / 2)} "
             f"Q{p(h, depth / 2)} {p(h, depth)} Q{p(h, depth / 2)} {p(h + depth / 2, depth / 2)} "
             f"L{p(L - depth / 2, depth / 2)} Q{p(L, depth / 2)} {p(L, 0)}")
        self.path(d, stroke=color, width=1.2)
        return x1 + ux * h + nx * depth, y1 + uy * h + ny * depth

    def grid(self, x, y, rows, cols, cell, fill_of=lambda r, c: PAPER, stroke=MUTED, cell_h=None) -> Box:
        """A rows × cols grid of cells (tensors, matrices); fill_of(r, c) picks each cell's fill."""
        ch = cell_h or cell
        for r in range(rows):
            for c in range(cols):
                self.rect(x + c * cell, y + r * ch, cell, ch, fill_of(r, c), stroke, rx=0, width=1)
        return Box(x, y, cols * cell, rows * ch)

    def plus(self, cx, cy, r=9, sym="+", fill=PAPER) -> Box:
        """A small circled operator (+, ×, ⊙) as drawn in dataflow diagrams."""
        b = self.circle(cx, cy, r, fill=fill)
        a = r * 0.55
        if sym == "+":
            self.line(cx - a, cy, cx + a, cy, width=1.5)
            self.line(cx, cy - a, cx, cy + a, width=1.5)
        elif sym == "×":
            k = a * 0.75
            self.line(cx - k, cy - k, cx + k, cy + k, width=1.5)
            self.line(cx - k, cy + k, cx + k, cy - k, width=1.5)
        else:
            self.text(cx, cy + 0.36 * LABEL, sym)
        return b

    # -- output ---------------------------------------------------------------------------
    def svg(self) -> str:
        head = (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {self.w} {self.h}" '
                f'width="{self.w}" height="{self.h}">\n<title>{esc(self.title)}</title>\n')
        if self.desc:
            head += f"<desc>{esc(self.desc)}</desc>\n"
        body = "\n".join(self.items)
        return head + f'<g font-family="{FONT}">\n{body}\n</g>\n</svg>\n'


FIGURES: list = []


def figure(fn):
    FIGURES.append(fn)
    return fn


# =============================================================================================
# Figures
# =============================================================================================


@figure
def transformer_block():
    f = Fig("transformer-block", 700, 578,
            "The transformer: an encoder stack (self-attention, feed-forward) beside a decoder stack "
            "(masked self-attention, cross-attention over the encoder output, feed-forward), each "
            "sublayer wrapped in a residual connection and layer norm, repeated N times.")
    E, D, BW = 215, 490, 200
    B = 418  # bottom edge of the first sublayer; everything is placed from here

    def stack(cx, names, bottom, res_x):
        """Sublayers from the bottom up; each followed by Add & Norm with a residual bypass."""
        y = bottom
        boxes = []
        prev_top = None
        for name in names:
            sub = f.box(cx - BW / 2, y - 28, BW, 28, name, fill=BLUE if "ttention" in name else GREEN)
            add = f.box(cx - BW / 2, y - 28 - 14 - 22, BW, 22, "Add & Norm", fill=ORANGE, size=SMALL)
            branch = y + 13
            if prev_top is not None:
                f.arrow(cx, prev_top, cx, sub.b)
            f.polyline([(cx, branch), (res_x, branch), (res_x, add.cy)])
            f.arrow(res_x, add.cy, add.r if res_x > cx else add.x, add.cy)
            f.circle(cx, branch, 2.2, fill=INK, stroke=None)
            f.arrow(cx, sub.y, cx, add.b)
            boxes.append((sub, add))
            prev_top = add.y
            y = add.y - 34
        return boxes

    enc = stack(E, ["Multi-head self-attention", "Feed-forward"], B, E + BW / 2 + 14 - BW - 28)
    dec = stack(D, ["Masked self-attention", "Cross-attention", "Feed-forward"], B, D + BW / 2 + 14)
    # frames and labels
    ef = f.rect(E - 128, enc[-1][1].y - 14, 256, B + 24 - enc[-1][1].y + 14, fill="none", stroke=MUTED, dash=True)
    df = f.rect(D - 128, dec[-1][1].y - 14, 256, B + 24 - dec[-1][1].y + 14, fill="none", stroke=MUTED, dash=True)
    f.text(ef.x - 8, ef.cy - 4, "Encoder", anchor="end", bold=True)
    f.text(ef.x - 8, ef.cy + 14, "N×", anchor="end", fill=MUTED, size=SMALL)
    f.text(df.r + 8, df.cy - 4, "Decoder", anchor="start", bold=True)
    f.text(df.r + 8, df.cy + 14, "N×", anchor="start", fill=MUTED, size=SMALL)
    # inputs, embeddings, positional encodings
    for cx, word, side in ((E, "Inputs", -1), (D, "Outputs (shifted right)", 1)):
        emb = f.box(cx - 80, B + 84, 160, 28, "Input embedding" if side < 0 else "Output embedding", fill=PURPLE)
        f.text(cx, emb.b + 36, word, fill=MUTED)
        f.arrow(cx, emb.b + 22, cx, emb.b)
        f.plus(cx, B + 52)
        f.arrow(cx, emb.y, cx, B + 61)
        f.arrow(cx, B + 43, cx, B)
        tx = cx + side * 30
        f.arrow(tx, B + 52, cx + side * 9, B + 52)
        f.mtext(tx + side * 4, B + 52, ["positional", "encoding"], size=SMALL, anchor="end" if side < 0 else "start",
                fill=MUTED)
    # encoder output → cross-attention as keys and values
    top = enc[-1][1]
    cross = dec[1][0]
    gap = (ef.r + df.x) / 2
    f.elbow([(E, top.y), (E, ef.y - 12), (gap, ef.y - 12), (gap, cross.cy), (cross.x, cross.cy)], color=BLUE_A)
    f.text((E + gap) / 2, ef.y - 18, "keys, values", size=SMALL, fill=BLUE_A)
    f.text(cross.cx - 8, cross.b + 26, "Q", anchor="end", size=SMALL, fill=MUTED)
    # output head
    last = dec[-1][1]
    lin = f.box(D - 60, df.y - 12 - 28, 120, 28, "Linear", fill=PAPER)
    soft = f.box(D - 60, lin.y - 16 - 28, 120, 28, "Softmax", fill=PAPER)
    f.arrow(D, last.y, D, lin.b)
    f.arrow(D, lin.y, D, soft.b)
    f.arrow(D, soft.y, D, soft.y - 18)
    f.text(D, soft.y - 24, "next-token probabilities", size=SMALL, fill=MUTED)
    return f


@figure
def scaled_dot_product_attention():
    f = Fig("scaled-dot-product-attention", 720, 270,
            "Scaled dot-product attention as a data flow: Q and K are multiplied into an n × n score "
            "matrix, scaled by 1/√dₖ, optionally masked, turned into weights by a row-wise softmax, and "
            "the weights multiply V.")
    cy = 80
    q = f.box(16, cy - 44, 70, 30, "Q", fill=BLUE)
    k = f.box(16, cy + 14, 70, 30, "K", fill=BLUE)
    v = f.box(16, 176, 70, 30, "V", fill=BLUE)
    for b in (q, k, v):
        f.text(b.cx, b.b + 15, "n × d_{k}", size=SMALL, fill=MUTED)
    steps = [("MatMul", "QK^{T}", PAPER, False), ("Scale", "× 1/√d_{k}", PAPER, False),
             ("Mask", "(optional)", PAPER, True), ("Softmax", "over keys", PAPER, False)]
    x = 124
    boxes = []
    for name, sub, fill, dash in steps:
        b = f.box(x, cy - 24, 84, 48, "", fill=ORANGE if name == "Mask" else GREEN if name == "Softmax" else fill,
                  dash=dash)
        f.text(b.cx, cy - 3, name)
        f.text(b.cx, cy + 14, sub, size=SMALL, fill=MUTED if name != "Mask" else INK)
        boxes.append(b)
        x += 84 + 26
    out = f.box(x, cy - 24, 84, 48, "", fill=PAPER)
    f.text(out.cx, cy - 3, "MatMul")
    f.text(out.cx, cy + 14, "weights · V", size=SMALL, fill=MUTED)
    f.elbow([(q.r, q.cy), (104, q.cy), (104, cy - 10), (boxes[0].x, cy - 10)])
    f.elbow([(k.r, k.cy), (104, k.cy), (104, cy + 10), (boxes[0].x, cy + 10)])
    for a, b in zip(boxes, boxes[1:] + [out], strict=False):
        f.arrow(a.r, cy, b.x, cy)
    f.elbow([(v.r, v.cy), (out.cx, v.cy), (out.cx, out.b)])
    f.arrow(out.r, cy, out.r + 44, cy)
    f.text(out.r + 22, cy + 18, "n × d_{k}", size=SMALL, fill=MUTED, anchor="middle")
    # shapes between steps
    f.text(boxes[0].cx, boxes[0].b + 18, "n × n scores", size=SMALL, fill=MUTED)
    f.text(boxes[3].cx, boxes[3].b + 18, "rows sum to 1", size=SMALL, fill=MUTED)
    f.text(boxes[2].cx, boxes[2].b + 18, "−∞ where hidden", size=SMALL, fill=MUTED)
    f.line(16, 232, 704, 232, stroke=MUTED, width=0.75)
    f.text(360, 256, "Attention(Q, K, V) = softmax(QK^{T} / √d_{k}) V")
    return f


@figure
def multi_head_attention():
    f = Fig("multi-head-attention", 680, 400,
            "Multi-head attention: the input is projected h times with separate weights, each head runs "
            "scaled dot-product attention in its own dₖ-dimensional subspace, the h outputs are "
            "concatenated and mixed by the output projection Wᴼ.")
    inp = f.box(220, 16, 240, 32, "X   (n × d_{model})", fill=PURPLE)
    cols = [(110, "1"), (260, "2"), (420, None), (570, "h")]
    for cx, i in cols:
        if i is None:
            f.text(cx, 150, "…", size=15, fill=MUTED)
            continue
        f.arrow(inp.cx + (cx - 340) * 0.25, inp.b, cx, 84)
        p = f.box(cx - 66, 84, 132, 48, "", fill=BLUE)
        f.text(cx, 103, f"XW_{{{i}}}^{{Q}}, XW_{{{i}}}^{{K}}, XW_{{{i}}}^{{V}}", size=SMALL)
        f.text(cx, 122, "project to d_{k}", size=SMALL, fill=MUTED)
        a = f.box(cx - 66, 156, 132, 40, "", fill=GREEN)
        f.text(cx, 174, "attention", size=LABEL)
        f.text(cx, 189, "(scaled dot-product)", size=10, fill=MUTED)
        f.arrow(cx, p.b, cx, a.y)
        f.text(cx + 6, 220, f"head_{{{i}}}: n × d_{{k}}", size=SMALL, fill=MUTED, anchor="start")
        f.arrow(cx, a.b, cx, 240)
    concat = f.box(40, 240, 600, 32, "Concat(head_{1}, …, head_{h})   →   n × h·d_{k} = n × d_{model}", fill=ORANGE)
    wo = f.box(220, 298, 240, 32, "Linear W^{O}  (d_{model} × d_{model})", fill=PAPER)
    f.arrow(340, concat.b, 340, wo.y)
    f.arrow(340, wo.b, 340, 352)
    f.text(340, 370, "output: n × d_{model}", fill=INK)
    f.text(664, 378, "d_{k} = d_{model} / h", size=SMALL, fill=MUTED, anchor="end")
    return f


@figure
def causal_mask():
    f = Fig("causal-mask", 640, 358,
            "The causal mask: in the n × n score matrix every query position i may attend only to key "
            "positions j ≤ i; entries above the diagonal are set to −∞ before the softmax, so their "
            "attention weights become exactly 0.")
    toks = ["The", "cat", "sat", "on", "the", "mat"]
    n, c = 6, 36

    def panel(x0, y0, masked_text, title):
        g = f.grid(x0, y0, n, n, c, lambda r, col: RED if col > r else BLUE)
        for i in range(n):
            f.text(x0 + i * c + c / 2, y0 - 8, toks[i], size=SMALL, fill=MUTED)
            f.text(x0 - 8, y0 + i * c + c / 2 + 4, toks[i], size=SMALL, fill=MUTED, anchor="end")
            for j in range(n):
                if j > i:
                    f.text(x0 + j * c + c / 2, y0 + i * c + c / 2 + 4.5, masked_text, size=SMALL, fill=INK)
        f.text(g.cx, g.b + 24, title)
        return g

    g1 = panel(76, 64, "−∞", "scores + mask")
    g2 = panel(400, 64, "0", "after softmax")
    for g in (g1, g2):
        f.text(g.cx, g.y - 28, "key position j →", size=SMALL, fill=MUTED)
    f.text(g1.x - 8, g1.y - 28, "query i ↓", size=SMALL, fill=MUTED, anchor="end")
    for i in range(n):
        for j in range(i + 1):
            f.circle(g2.x + j * c + c / 2, g2.y + i * c + c / 2, 3, fill=BLUE_A, stroke=None)
            f.circle(g1.x + j * c + c / 2, g1.y + i * c + c / 2, 3, fill=BLUE_A, stroke=None)
    f.arrow(g1.r + 24, g1.cy, g2.x - 52, g1.cy)
    f.text((g1.r + g2.x - 28) / 2, g1.cy - 10, "softmax", size=SMALL, fill=MUTED)
    f.text((g1.r + g2.x - 28) / 2, g1.cy + 22, "per row", size=SMALL, fill=MUTED)
    f.rect(76, 328, 14, 14, BLUE, BLUE_A, rx=2)
    f.text(96, 339, "visible (j ≤ i): a real score, then a weight", size=SMALL, anchor="start")
    f.rect(400, 328, 14, 14, RED, RED_A, rx=2)
    f.text(420, 339, "masked future (j > i)", size=SMALL, anchor="start")
    return f


@figure
def kv_cache():
    f = Fig("kv-cache", 700, 330,
            "The KV cache during decoding: at each step only the newest token is run through the "
            "projections, its key and value are appended to the cache, and its query attends over all "
            "cached keys and values instead of recomputing them.")
    c = 26
    kx, vx = 284, 464
    f.text(kx, 24, "K cache  (B, h, t, d_{k})", size=SMALL, anchor="start", fill=MUTED)
    f.text(vx, 24, "V cache  (B, h, t, d_{k})", size=SMALL, anchor="start", fill=MUTED)
    f.text(657, 24, "output", size=SMALL, anchor="middle", fill=MUTED)
    for row, t in enumerate((3, 4, 5)):
        y = 44 + row * 78
        cy = y + c / 2
        f.text(16, cy + 4, f"step t = {t}", anchor="start", bold=True, size=SMALL)
        tok = f.box(96, cy - 15, 44, 30, f"x_{{{t}}}", fill=PURPLE)
        f.arrow(tok.r, cy, 170, cy)
        f.box(170, cy - 15, 84, 30, f"q_{{{t}}}, k_{{{t}}}, v_{{{t}}}", fill=ORANGE, size=SMALL)
        for base, letter in ((kx, "k"), (vx, "v")):
            for j in range(t):
                new = j == t - 1
                f.rect(base + j * c, y, c, c, ORANGE if new else BLUE, ORANGE_A if new else BLUE_A, rx=0, width=1)
                f.text(base + j * c + c / 2, y + c / 2 + 4, f"{letter}_{{{j + 1}}}", size=10)
        f.elbow([(212, cy + 15), (212, y + c + 12), (kx + (t - 1) * c + c / 2, y + c + 12),
                 (kx + (t - 1) * c + c / 2, y + c)], color=ORANGE_A)
        f.elbow([(kx + (t - 1) * c + c / 2, y + c + 12), (vx + (t - 1) * c + c / 2, y + c + 12),
                 (vx + (t - 1) * c + c / 2, y + c)], color=ORANGE_A)
        f.arrow(vx + t * c + 6, cy, 628, cy, color=MUTED, width=1)
        f.box(630, cy - 13, 54, 26, f"out_{{{t}}}", fill=GREEN, size=SMALL, rx=3)
    y = 44 + 3 * 78
    f.line(16, y - 8, 684, y - 8, stroke=MUTED, width=0.75)
    f.text(16, y + 14, "At step t: attention(q_{t}, K_{1..t}, V_{1..t}) costs O(t·d) instead of re-running all t "
           "tokens "
           "(O(t²·d)).", size=SMALL, anchor="start")
    f.rect(16, y + 30, 14, 14, ORANGE, ORANGE_A, rx=2)
    f.text(36, y + 41, "computed this step (new token only)", size=SMALL, anchor="start")
    f.rect(300, y + 30, 14, 14, BLUE, BLUE_A, rx=2)
    f.text(320, y + 41, "read from the cache", size=SMALL, anchor="start")
    return f


@figure
def rope_rotation():
    f = Fig("rope-rotation", 680, 322,
            "Rotary position embedding: a query or key vector is split into pairs of dimensions, and "
            "pair i at position m is rotated in its own 2-D plane by the angle m·θᵢ, so the dot product "
            "of a query at m and a key at n depends only on m − n.")
    c = 30
    x0, y0 = 24, 60
    labels = ["x_{1}", "x_{2}", "x_{3}", "x_{4}", "…", "…", "x_{d−1}", "x_{d}"]
    fills = [BLUE, BLUE, GREEN, GREEN, PAPER, PAPER, ORANGE, ORANGE]
    for i, (s, fl) in enumerate(zip(labels, fills, strict=False)):
        f.rect(x0 + i * c, y0, c, c, fl, ACCENT[fl] if fl != PAPER else MUTED, rx=0, width=1)
        f.text(x0 + i * c + c / 2, y0 + c / 2 + 4, s, size=10 if len(s) > 5 else SMALL)
    f.text(x0, y0 - 14, "q or k at position m  (d dims)", size=SMALL, fill=MUTED, anchor="start")
    # braces drawn right→left bulge downwards
    for j, th, col in ((0, "θ_{1}", BLUE_A), (2, "θ_{2}", GREEN_A), (6, "θ_{d/2}", ORANGE_A)):
        tx, ty = f.brace(x0 + (j + 2) * c - 2, y0 + c + 4, x0 + j * c + 2, y0 + c + 4, color=col)
        f.text(tx, ty + 16, "m·" + th, size=SMALL, fill=col)
    f.text(x0, 160, "pair i turns by angle m·θ_{i},", size=SMALL, anchor="start")
    f.text(x0, 178, "θ_{i} = 10000^{−2(i−1)/d}", size=SMALL, anchor="start")
    f.text(x0, 196, "(fast-turning pairs first, slow ones last)", size=SMALL, anchor="start", fill=MUTED)
    # rotation matrix
    mx, my = 24, 236
    f.text(mx, my + 22, "R(mθ_{i}) =", anchor="start")
    bx = mx + 84
    f.polyline([(bx + 6, my), (bx, my), (bx, my + 40), (bx + 6, my + 40)], width=1.2)
    f.text(bx + 10, my + 15, "cos mθ_{i}", size=SMALL, anchor="start")
    f.text(bx + 10, my + 33, "sin mθ_{i}", size=SMALL, anchor="start")
    f.text(bx + 86, my + 15, "−sin mθ_{i}", size=SMALL, anchor="start")
    f.text(bx + 86, my + 33, "cos mθ_{i}", size=SMALL, anchor="start")
    ex = bx + 160
    f.polyline([(ex - 6, my), (ex, my), (ex, my + 40), (ex - 6, my + 40)], width=1.2)
    # the 2-D plane
    ox, oy, R = 470, 230, 150
    f.arrow(ox - 40, oy, ox + R + 30, oy, color=MUTED, width=1)
    f.arrow(ox, oy + 30, ox, oy - R - 20, color=MUTED, width=1)
    f.text(ox + R + 30, oy + 18, "x_{2i−1}", size=SMALL, fill=MUTED, anchor="end")
    f.text(ox + 8, oy - R - 8, "x_{2i}", size=SMALL, fill=MUTED, anchor="start")
    a0 = math.radians(18)
    a1 = a0 + math.radians(44)
    r = 130
    p0 = (ox + r * math.cos(a0), oy - r * math.sin(a0))
    p1 = (ox + r * math.cos(a1), oy - r * math.sin(a1))
    f.arrow(ox, oy, *p0, color=MUTED, dash=True)
    f.arrow(ox, oy, *p1, color=BLUE_A, width=2)
    f.text(p0[0] + 6, p0[1] + 4, "position 0", size=SMALL, fill=MUTED, anchor="start")
    f.text(p1[0] + 6, p1[1] - 4, "position m", size=SMALL, fill=BLUE_A, anchor="start")
    ra = 62
    s0 = (ox + ra * math.cos(a0), oy - ra * math.sin(a0))
    s1 = (ox + ra * math.cos(a1), oy - ra * math.sin(a1))
    f.path(f"M{num(s0[0])},{num(s0[1])} A{ra},{ra} 0 0 0 {num(s1[0])},{num(s1[1])}", stroke=ORANGE_A)
    am = (a0 + a1) / 2
    f.text(ox + (ra + 8) * math.cos(am), oy - (ra + 8) * math.sin(am) + 2, "mθ_{i}", size=SMALL, fill=ORANGE_A,
           anchor="start")
    f.text(ox + 20, oy + 56, "length unchanged; only the angle moves", size=SMALL, fill=MUTED, anchor="middle")
    f.text(24, 304, "(R_{m}q)·(R_{n}k) = q·(R_{n−m}k): only the offset n − m matters", size=SMALL, anchor="start")
    return f


@figure
def moe_router():
    f = Fig("moe-router", 700, 380,
            "A mixture-of-experts layer: a router scores the token against 8 expert feed-forward "
            "networks, only the top 2 run, and their outputs are summed weighted by the renormalised "
            "gate values.")
    x = f.box(270, 16, 160, 32, "token state x", fill=PURPLE)
    router = f.box(200, 76, 300, 36, "router: softmax(W_{r} x) over 8 experts", fill=ORANGE)
    f.arrow(x.cx, x.b, x.cx, router.y)
    # schematic gate probabilities (no data: two clearly largest)
    heights = [8, 26, 6, 10, 5, 20, 7, 4]
    bx, by = 530, 112
    for i, hgt in enumerate(heights):
        top2 = i in (1, 5)
        f.rect(bx + i * 18, by - hgt * 1.4, 12, hgt * 1.4, ORANGE if top2 else PAPER,
               ORANGE_A if top2 else MUTED, rx=0, width=1)
    f.line(bx - 4, by, bx + 8 * 18, by, stroke=MUTED, width=1)
    f.text(bx + 70, by + 16, "gate probabilities", size=SMALL, fill=MUTED)
    experts = []
    for i in range(8):
        chosen = i in (1, 5)
        e = f.box(35 + i * 80, 170, 70, 40, f"FFN_{{{i + 1}}}", fill=BLUE if chosen else PAPER,
                  stroke=BLUE_A if chosen else MUTED, dash=not chosen, text_fill=INK if chosen else MUTED)
        experts.append(e)
    for i, g in ((1, "g_{2}"), (5, "g_{6}")):
        e = experts[i]
        f.arrow(router.cx + (e.cx - router.cx) * 0.35, router.b, e.cx, e.y, color=ORANGE_A)
        m = f.plus(e.cx, 246, sym="×")
        f.arrow(e.cx, e.b, e.cx, m.y)
        f.text(e.cx + 14, 250, g, anchor="start")
    s = f.plus(350, 292)
    f.elbow([(experts[1].cx, 255), (experts[1].cx, 292), (s.x, 292)])
    f.elbow([(experts[5].cx, 255), (experts[5].cx, 292), (s.r, 292)])
    f.arrow(350, 301, 350, 324)
    f.box(210, 324, 280, 32, "y = g_{2}·FFN_{2}(x) + g_{6}·FFN_{6}(x)", fill=GREEN)
    f.text(560, 230, "6 experts skipped:", size=SMALL, fill=MUTED, anchor="start")
    f.text(560, 246, "no compute for x", size=SMALL, fill=MUTED, anchor="start")
    f.text(16, 300, "top-2 gates", size=SMALL, fill=MUTED, anchor="start")
    f.text(16, 316, "renormalised:", size=SMALL, fill=MUTED, anchor="start")
    f.text(16, 332, "g_{2} + g_{6} = 1", size=SMALL, fill=MUTED, anchor="start")
    return f


@figure
def lora():
    f = Fig("lora", 640, 340,
            "LoRA: the pretrained weight W stays frozen while a low-rank update B·A (rank r much smaller "
            "than d) is trained beside it; the layer outputs h = Wx + BAx.")
    xb = f.box(250, 296, 140, 30, "x   (d)", fill=PURPLE)
    W = f.box(70, 100, 170, 150, "", fill=BLUE)
    f.text(W.cx, W.cy - 10, "W   (d × d)", size=15, bold=True)
    f.text(W.cx, W.cy + 14, "pretrained, frozen", size=SMALL)
    ax, aw, nw = 450, 150, 40
    A = [(ax - aw / 2, 250), (ax + aw / 2, 250), (ax + nw / 2, 190), (ax - nw / 2, 190)]
    B = [(ax - nw / 2, 160), (ax + nw / 2, 160), (ax + aw / 2, 100), (ax - aw / 2, 100)]
    f.polygon(A, fill=GREEN, stroke=GREEN_A)
    f.polygon(B, fill=GREEN, stroke=GREEN_A)
    f.text(ax, 232, "A   (r × d)", size=SMALL)
    f.text(ax, 123, "B   (d × r)", size=SMALL)
    f.arrow(ax, 190, ax, 160)
    f.text(ax + 28, 180, "r", size=SMALL, fill=GREEN_A, anchor="start")
    f.text(ax + aw / 2 + 10, 206, "A: random init", size=SMALL, fill=MUTED, anchor="start")
    f.text(ax + aw / 2 + 10, 144, "B: zeros at init", size=SMALL, fill=MUTED, anchor="start")
    f.text(ax + aw / 2 + 10, 164, "trainable", size=SMALL, fill=GREEN_A, anchor="start", bold=True)
    f.elbow([(xb.cx, xb.y), (xb.cx, 276), (W.cx, 276), (W.cx, W.b)])
    f.elbow([(xb.cx, 276), (ax, 276), (ax, 250)])
    p = f.plus(320, 56)
    f.elbow([(W.cx, W.y), (W.cx, 56), (p.x, 56)])
    f.elbow([(ax, 100), (ax, 56), (p.r, 56)])
    f.text(W.cx + 8, 80, "Wx", size=SMALL, anchor="start")
    f.text(ax + 8, 80, "BAx  (× α/r)", size=SMALL, anchor="start")
    f.arrow(320, 47, 320, 22)
    f.text(332, 24, "h = Wx + BAx", anchor="start", bold=True)
    f.text(16, 24, "r ≪ d:  trains 2rd numbers", size=SMALL, fill=MUTED, anchor="start")
    f.text(16, 40, "instead of d²", size=SMALL, fill=MUTED, anchor="start")
    return f


@figure
def speculative_decoding():
    f = Fig("speculative-decoding", 700, 372,
            "Speculative decoding: a small draft model proposes k tokens, the target model scores all of "
            "them in one forward pass, the longest accepted prefix is kept, and the first rejected token "
            "is replaced by a sample from the corrected distribution.")
    W = 64

    def tok(x, y, s, fill, dash=False, text_fill=INK):
        return f.box(x, y, W, 28, s, fill=fill, dash=dash, text_fill=text_fill)

    f.text(16, 22, "1  draft model proposes k = 4 tokens, one cheap step each", size=SMALL, anchor="start",
           bold=True)
    f.box(16, 36, 120, 28, "The cat", fill=PAPER)
    words = ["sat", "on", "a", "mat"]
    xs = [160 + i * (W + 14) for i in range(4)]
    for i, (xx, w) in enumerate(zip(xs, words, strict=False)):
        tok(xx, 36, w, ORANGE)
        f.text(xx + W / 2, 80, f"d_{{{i + 1}}}", size=SMALL, fill=MUTED)
    f.text(xs[-1] + W + 14, 55, "q(·) from the draft", size=SMALL, fill=MUTED, anchor="start")
    f.text(16, 112, "2  target model checks all of them in ONE forward pass", size=SMALL, anchor="start",
           bold=True)
    tgt = f.box(16, 124, 450, 36, "target: p(·) at each of the 4 + 1 positions", fill=BLUE)
    for xx in [76] + xs:
        f.arrow(xx + W / 2 if xx != 76 else 76, 84 if xx != 76 else 64, xx + W / 2 if xx != 76 else 76, tgt.y,
                color=MUTED, width=1)
    f.text(16, 196, "3  accept d_{i} with probability min(1, p/q); stop at the first rejection", size=SMALL,
           anchor="start", bold=True)
    f.box(16, 210, 120, 28, "The cat", fill=PAPER)
    tok(xs[0], 210, "sat ✓", GREEN)
    tok(xs[1], 210, "on ✓", GREEN)
    tok(xs[2], 210, "a ✗", RED)
    tok(xs[3], 210, "mat", PAPER, dash=True, text_fill=MUTED)
    f.text(xs[3] + W / 2, 254, "dropped", size=SMALL, fill=MUTED)
    f.arrow(xs[2] + W / 2, 238, xs[2] + W / 2, 270, color=PURPLE_A)
    tok(xs[2], 270, "the", PURPLE)
    f.text(xs[2] + W + 10, 281, "resampled from", size=SMALL, anchor="start", fill=PURPLE_A)
    f.text(xs[2] + W + 10, 297, "norm(max(0, p − q))", size=SMALL, anchor="start", fill=PURPLE_A)
    f.line(16, 318, 684, 318, stroke=MUTED, width=0.75)
    f.text(16, 340, "Result: “The cat sat on the”, 3 tokens for one target pass. If all k are accepted, the "
           "(k+1)-th", size=SMALL, anchor="start")
    f.text(16, 358, "distribution gives a bonus token. The output distribution equals sampling from the "
           "target alone.", size=SMALL, anchor="start")
    return f


@figure
def paged_attention():
    f = Fig("paged-attention", 700, 338,
            "PagedAttention: each sequence's KV cache is a list of fixed-size logical blocks; a per-"
            "sequence block table maps them to physical blocks anywhere in GPU memory, and two "
            "sequences with the same prompt share its blocks.")
    c = 14
    blk = 4 * c

    def logical(x, y, fill, used):
        for k in range(4):
            f.rect(x + k * c, y, c, c, fill if k < used else PAPER, ACCENT[fill] if k < used else MUTED,
                   rx=0, width=1)

    # logical view
    f.text(16, 22, "logical KV blocks (4 tokens each)", size=SMALL, bold=True, anchor="start")
    rows = (("seq A", 52, [(PURPLE, 4), (BLUE, 4), (BLUE, 2)]), ("seq B", 122, [(PURPLE, 4), (GREEN, 3)]))
    for name, y, blocks in rows:
        f.text(16, y + 13, name, size=SMALL, anchor="start")
        for i, (fl, used) in enumerate(blocks):
            logical(64 + i * (blk + 8), y, fl, used)
            f.text(64 + i * (blk + 8) + blk / 2, y + c + 14, f"L{i}", size=10, fill=MUTED)
    f.text(16, 196, "purple: the shared prompt", size=SMALL, fill=MUTED, anchor="start")
    f.text(16, 214, "empty slots: waste ≤ one block", size=SMALL, fill=MUTED, anchor="start")
    # block tables
    f.text(330, 22, "block tables", size=SMALL, bold=True, anchor="middle")
    tables = (("A", 42, ["L0 → P5", "L1 → P1", "L2 → P6"], [PURPLE, BLUE, BLUE]),
              ("B", 130, ["L0 → P5", "L1 → P3"], [PURPLE, GREEN]))
    for _name, y, entries, fills in tables:
        for i, (e, fl) in enumerate(zip(entries, fills, strict=False)):
            f.box(290, y + i * 24, 80, 22, e, fill=fl, size=SMALL, rx=3)
    f.arrow(258, 59, 286, 59, color=MUTED)
    f.arrow(188, 129, 286, 141, color=MUTED)
    # physical memory
    px, py = 470, 36
    f.text(px + blk / 2 + 24, 22, "physical blocks in GPU memory", size=SMALL, bold=True)
    owner = {1: (BLUE, 4), 3: (GREEN, 3), 5: (PURPLE, 4), 6: (BLUE, 2), 0: (PAPER, 4), 2: (PAPER, 4),
             4: (PAPER, 4), 7: (PAPER, 4)}
    for i in range(8):
        y = py + i * 28
        fl, used = owner[i]
        f.text(px - 8, y + 13, f"P{i}", size=SMALL, anchor="end", fill=MUTED)
        if fl == PAPER:
            for k in range(4):
                f.rect(px + k * c, y, c, c, PAPER, MUTED, rx=0, width=1)
        else:
            logical(px, y, fl, used)
    f.text(px + blk + 10, py + 5 * 28 + 13, "ref count 2: A and B", size=SMALL, anchor="start", fill=PURPLE_A)
    f.text(px + blk + 10, py + 0 * 28 + 13, "free", size=SMALL, anchor="start", fill=MUTED)
    f.arrow(370, 53, px - 28, py + 5 * 28 + 9, color=PURPLE_A, width=1)
    f.arrow(370, 141, px - 28, py + 5 * 28 + 9, color=PURPLE_A, width=1)
    f.line(16, 268, 684, 268, stroke=MUTED, width=0.75)
    f.text(16, 290, "Blocks are allocated on demand, so memory is not reserved for the maximum length.",
           size=SMALL, anchor="start")
    f.text(16, 308, "A shared block is copied only when one sequence writes into it (copy-on-write).",
           size=SMALL, anchor="start")
    f.text(16, 326, "The attention kernel follows the table to gather K and V block by block.", size=SMALL,
           anchor="start")
    return f


@figure
def parallelism():
    f = Fig("parallelism", 720, 330,
            "Three ways to split training across GPUs: data parallelism replicates the model and splits "
            "the batch, tensor parallelism splits each weight matrix, pipeline parallelism splits the "
            "layers into stages that pass micro-batches along.")
    pw = 224
    heads = ("Data parallel", "Tensor parallel", "Pipeline parallel")
    for i, h in enumerate(heads):
        x0 = 16 + i * (pw + 8)
        f.rect(x0, 12, pw, 306, fill="none", stroke=MUTED, dash=True)
        f.text(x0 + pw / 2, 34, h, bold=True)
    # data parallel: full replicas, different shards, all-reduce gradients
    x0 = 16
    for k in range(3):
        cx = x0 + 40 + k * 72
        f.box(cx - 30, 52, 60, 24, f"batch {k + 1}/3", fill=PURPLE, size=10)
        f.arrow(cx, 76, cx, 96)
        f.box(cx - 30, 96, 60, 110, "", fill=BLUE)
        for L in range(4):
            f.rect(cx - 22, 104 + L * 24, 44, 18, GREEN, GREEN_A, rx=3, width=1)
        f.text(cx, 224, f"GPU {k}", size=SMALL, fill=MUTED)
    f.arrow(x0 + 40, 246, x0 + 184, 246, color=ORANGE_A, both=True)
    f.text(x0 + pw / 2, 270, "all-reduce gradients", size=SMALL, fill=ORANGE_A)
    f.text(x0 + pw / 2, 290, "full model copy on each GPU", size=SMALL, fill=MUTED)
    # tensor parallel: one weight matrix split by columns
    x0 = 16 + pw + 8
    cx = x0 + pw / 2
    f.box(cx - 56, 52, 112, 24, "X  (n × d)", fill=PURPLE, size=SMALL)
    f.arrow(cx - 30, 76, cx - 46, 104)
    f.arrow(cx + 30, 76, cx + 46, 104)
    f.grid(cx - 86, 104, 4, 4, 20, lambda r, c: BLUE if c < 2 else GREEN, stroke=MUTED)
    f.rect(cx - 86, 104, 40, 80, "none", BLUE_A, rx=0)
    f.rect(cx - 46, 104, 40, 80, "none", GREEN_A, rx=0)
    f.text(cx - 66, 200, "W₁", size=SMALL)
    f.text(cx - 26, 200, "W₂", size=SMALL)
    f.text(cx - 66, 213, "GPU 0", size=10, fill=MUTED)
    f.text(cx - 26, 213, "GPU 1", size=10, fill=MUTED)
    f.text(cx + 4, 140, "→", size=15)
    f.box(cx + 20, 110, 70, 28, "XW₁", fill=BLUE, size=SMALL)
    f.box(cx + 20, 146, 70, 28, "XW₂", fill=GREEN, size=SMALL)
    f.text(cx, 232, "W = [W₁ | W₂] split by columns", size=SMALL)
    f.arrow(cx - 70, 246, cx + 70, 246, color=ORANGE_A, both=True)
    f.text(cx, 270, "gather / all-reduce activations", size=SMALL, fill=ORANGE_A)
    f.text(cx, 290, "every layer, fast links", size=SMALL, fill=MUTED)
    # pipeline parallel: stages × time, micro-batches in a staircase
    x0 = 16 + 2 * (pw + 8)
    c = 26
    gx, gy = x0 + 50, 62
    for s in range(3):
        f.text(gx - 6, gy + s * 34 + 17, f"GPU {s}", size=10, anchor="end", fill=MUTED)
        for t in range(6):
            mb = t - s
            busy = 0 <= mb < 4
            f.rect(gx + t * c, gy + s * 34, c - 2, 26, [BLUE, GREEN, ORANGE, PURPLE][mb] if busy else PAPER,
                   ACCENT[[BLUE, GREEN, ORANGE, PURPLE][mb]] if busy else MUTED, rx=3, width=1,
                   dash=not busy)
            if busy:
                f.text(gx + t * c + (c - 2) / 2, gy + s * 34 + 17, f"F{mb + 1}", size=10)
    f.arrow(gx, 176, gx + 6 * c, 176, color=MUTED, width=1)
    f.text(gx + 3 * c, 192, "time", size=10, fill=MUTED)
    f.text(x0 + pw / 2, 226, "each GPU holds 4 of 12 layers", size=SMALL)
    f.text(x0 + pw / 2, 270, "micro-batches F1…F4 flow", size=SMALL, fill=ORANGE_A)
    f.text(x0 + pw / 2, 290, "dashed cells: pipeline bubble", size=SMALL, fill=MUTED)
    return f


@figure
def gan_training():
    f = Fig("gan-training", 700, 330,
            "The GAN training loop: the generator turns noise z into fake samples, the discriminator "
            "scores real and fake samples, and its loss sends gradients to the discriminator (to tell "
            "them apart) and through it to the generator (to fool it).")
    z = f.box(16, 50, 100, 40, "z ~ N(0, I)", fill=PAPER, size=SMALL)
    G = f.box(150, 44, 110, 52, "Generator G", fill=PURPLE)
    fake = f.box(294, 50, 110, 40, "fake G(z)", fill=PURPLE)
    real = f.box(294, 170, 110, 40, "real x ~ p_{data}", fill=GREEN, size=SMALL)
    D = f.box(448, 98, 110, 64, "", fill=BLUE)
    f.mtext(D.cx, D.cy, ["Discriminator", "D"])
    loss = f.box(590, 98, 94, 64, "", fill=ORANGE)
    f.mtext(loss.cx, loss.cy, ["BCE loss", "real→1", "fake→0"], size=SMALL)
    f.arrow(z.r, z.cy, G.x, G.cy)
    f.arrow(G.r, fake.cy, fake.x, fake.cy)
    f.elbow([(fake.r, fake.cy), (426, fake.cy), (426, D.cy - 14), (D.x, D.cy - 14)])
    f.elbow([(real.r, real.cy), (426, real.cy), (426, D.cy + 14), (D.x, D.cy + 14)])
    f.arrow(D.r, D.cy, loss.x, loss.cy)
    f.text((D.r + loss.x) / 2, D.cy - 8, "D(·)", size=SMALL, fill=MUTED)
    # gradients
    f.elbow([(loss.cx, loss.b), (loss.cx, 196), (D.cx + 20, 196), (D.cx + 20, D.b)], color=RED_A, dash=True)
    f.text(loss.cx + 4, 214, "∇ update D: separate real / fake", size=SMALL, fill=RED_A, anchor="end")
    f.elbow([(loss.cx + 20, loss.b), (loss.cx + 20, 250), (G.cx, 250), (G.cx, G.b)], color=PURPLE_A, dash=True)
    f.text(G.cx + 8, 272, "∇ through frozen D to update G: make D(G(z)) → 1 (fool it)", size=SMALL,
           fill=PURPLE_A, anchor="start")
    f.text(16, 312, "Alternate: k steps on D, then one step on G; training is a minimax game, not a single "
           "loss going down.", size=SMALL, fill=MUTED, anchor="start")
    return f


@figure
def vae_reparameterisation():
    f = Fig("vae-reparameterisation", 700, 318,
            "A variational autoencoder with the reparameterisation trick: the encoder outputs μ and σ, "
            "the latent is z = μ + σ ⊙ ε with ε drawn from N(0, I), the decoder reconstructs x̂, and "
            "the loss adds a reconstruction term to a KL term.")
    cy = 110
    x = f.box(16, cy - 20, 48, 40, "x", fill=GREEN)
    f.polygon([(84, cy - 64), (204, cy - 34), (204, cy + 34), (84, cy + 64)], fill=BLUE, stroke=BLUE_A)
    f.mtext(144, cy, ["encoder", "q_{φ}(z | x)"], size=SMALL)
    f.arrow(x.r, cy, 84, cy)
    mu = f.box(232, cy - 46, 54, 30, "μ", fill=BLUE)
    sg = f.box(232, cy + 16, 54, 30, "σ", fill=BLUE)
    f.arrow(204, cy - 24, mu.x, mu.cy)
    f.arrow(204, cy + 24, sg.x, sg.cy)
    z = f.box(320, cy - 20, 130, 40, "z = μ + σ ⊙ ε", fill=PURPLE)
    f.elbow([(mu.r, mu.cy), (304, mu.cy), (304, cy - 8), (z.x, cy - 8)])
    f.elbow([(sg.r, sg.cy), (304, sg.cy), (304, cy + 8), (z.x, cy + 8)])
    eps = f.box(335, 196, 100, 32, "ε ~ N(0, I)", fill=PAPER, dash=True, size=SMALL)
    f.arrow(eps.cx, eps.y, eps.cx, z.b)
    f.text(eps.cx, eps.b + 16, "random input:", size=SMALL, fill=MUTED)
    f.text(eps.cx, eps.b + 32, "no gradient needed", size=SMALL, fill=MUTED)
    f.polygon([(480, cy - 34), (600, cy - 64), (600, cy + 64), (480, cy + 34)], fill=BLUE, stroke=BLUE_A)
    f.mtext(540, cy, ["decoder", "p_{θ}(x | z)"], size=SMALL)
    f.arrow(z.r, cy, 480, cy)
    xh = f.box(624, cy - 20, 56, 40, "\\hat{x}", fill=GREEN)
    f.arrow(600, cy, xh.x, xh.cy)
    f.text(304, 40, "gradients flow through μ and σ", size=SMALL, fill=PURPLE_A)
    f.line(16, 274, 684, 274, stroke=MUTED, width=0.75)
    f.text(16, 300, "loss  =  reconstruction  ‖x − \\hat{x}‖²  +  KL( q_{φ}(z | x) ‖ N(0, I) )", anchor="start")
    f.text(684, 300, "(negative ELBO)", size=SMALL, fill=MUTED, anchor="end")
    return f


def _noise_tile(f, x, y, s, level, seed):
    """A tiny 'image' (a house shape) buried under deterministic noise dots; level 0..1."""
    f.rect(x, y, s, s, PAPER, MUTED, rx=3, width=1)
    if level < 0.95:
        f.polygon([(x + 14, y + 36), (x + s / 2, y + 14), (x + s - 14, y + 36)], fill=ORANGE, stroke=ORANGE_A,
                  width=1)
        f.rect(x + 18, y + 36, s - 36, s - 50, GREEN, GREEN_A, rx=0, width=1)
        f.circle(x + s - 14, y + 12, 5, fill=BLUE, stroke=BLUE_A, width=1)
    state = seed
    n = int(level * 140)
    cols = (INK, MUTED, BLUE_A, RED_A)
    for i in range(n):
        state = (state * 1103515245 + 12345) % 2147483648
        px = x + 3 + (state >> 8) % int(s - 6)
        state = (state * 1103515245 + 12345) % 2147483648
        py = y + 3 + (state >> 8) % int(s - 6)
        f.rect(px, py, 2.5, 2.5, cols[i % 4], None, rx=0)


@figure
def diffusion_processes():
    f = Fig("diffusion-processes", 700, 300,
            "Diffusion models: the fixed forward process adds a little Gaussian noise at each step until "
            "x_T is pure noise; a network learns the reverse process p_θ that removes the noise step "
            "by step, turning noise back into data.")
    s = 64
    names = ["x_{0}", "x_{1}", "x_{t}", "x_{T−1}", "x_{T}"]
    levels = [0, 0.18, 0.5, 0.82, 1.0]
    xs = [40 + i * 140 for i in range(5)]
    ty = 100
    for i, (xx, nm, lv) in enumerate(zip(xs, names, levels, strict=False)):
        _noise_tile(f, xx, ty, s, lv, 7 + i)
        f.text(xx + s / 2, ty + s + 20, nm)
    f.text(xs[0] + s / 2, ty + s + 38, "data", size=SMALL, fill=MUTED)
    f.text(xs[4] + s / 2, ty + s + 38, "≈ N(0, I)", size=SMALL, fill=MUTED)
    for a, b in zip(xs, xs[1:], strict=False):
        mid = (a + s + b) / 2
        gap_dots = b == xs[2] or b == xs[3]
        f.curve(a + s / 2 + 10, ty - 6, a + s / 2 + 40, ty - 44, b + s / 2 - 40, ty - 44, b + s / 2 - 10, ty - 6,
                color=RED_A)
        f.curve(b + s / 2 - 10, ty + s + 46, b + s / 2 - 40, ty + s + 84, a + s / 2 + 40, ty + s + 84,
                a + s / 2 + 10, ty + s + 46, color=BLUE_A)
        if gap_dots:
            f.text(mid, ty + s / 2 + 5, "…", fill=MUTED)
    f.text(350, 24, "forward q(x_{t} | x_{t−1}) = N(√(1−β_{t}) x_{t−1}, β_{t} I): fixed, adds noise", size=SMALL,
           fill=RED_A)
    f.text(350, 44, "closed form: x_{t} = √ᾱ_{t} x_{0} + √(1−ᾱ_{t}) ε", size=SMALL, fill=MUTED)
    f.text(350, 286, "reverse p_{θ}(x_{t−1} | x_{t}): learned; the network predicts the noise ε_{θ}(x_{t}, t)",
           size=SMALL, fill=BLUE_A)
    return f


@figure
def latent_diffusion():
    f = Fig("latent-diffusion", 720, 360,
            "Latent diffusion: a VAE compresses images into a small latent space, a U-Net or DiT denoiser "
            "runs the diffusion there, conditioned on text-encoder embeddings through cross-attention, and "
            "the VAE decoder turns the final latent back into pixels.")
    # latent-space region
    f.rect(196, 44, 330, 200, fill="none", stroke=PURPLE_A, dash=True)
    f.text(361, 62, "latent space (e.g. 64 × 64 × 4)", size=SMALL, fill=PURPLE_A)
    f.text(96, 62, "pixel space", size=SMALL, fill=MUTED)
    f.text(624, 62, "pixel space", size=SMALL, fill=MUTED)
    # training path (top, dashed)
    img = f.box(36, 80, 120, 32, "image x", fill=GREEN, size=SMALL)
    enc = f.box(36, 132, 120, 32, "VAE encoder E", fill=BLUE, size=SMALL)
    f.arrow(img.cx, img.b, img.cx, enc.y)
    zt = f.box(212, 132, 100, 32, "z_{t} (noisy)", fill=PURPLE, size=SMALL)
    f.arrow(enc.r, enc.cy, zt.x, zt.cy, dash=True)
    f.text(enc.cx, enc.b + 16, "(training, image-to-image)", size=10, fill=MUTED)
    f.text(262, 186, "sampling starts", size=10, fill=MUTED)
    f.text(262, 198, "from z_{T} ~ N(0, I)", size=10, fill=MUTED)
    den = f.box(336, 116, 110, 64, "", fill=ORANGE)
    f.mtext(den.cx, den.cy, ["denoiser", "U-Net or DiT", "ε_{θ}(z_{t}, t, c)"], size=SMALL)
    f.arrow(zt.r, zt.cy, den.x, zt.cy)
    f.curve(den.r - 20, den.y, den.r + 10, den.y - 40, den.x - 10, den.y - 40, den.x + 20, den.y, color=ORANGE_A)
    f.text(den.cx, den.y - 30, "× T steps", size=SMALL, fill=ORANGE_A)
    z0 = f.box(462, 132, 52, 32, "z_{0}", fill=PURPLE, size=SMALL)
    f.arrow(den.r, z0.cy, z0.x, z0.cy)
    dec = f.box(566, 132, 126, 32, "VAE decoder D", fill=BLUE, size=SMALL)
    f.arrow(z0.r, z0.cy, dec.x, dec.cy)
    out = f.box(566, 196, 126, 32, "image", fill=GREEN, size=SMALL)
    f.arrow(dec.cx, dec.b, out.cx, out.y)
    # conditioning
    prompt = f.box(16, 292, 150, 32, "“a red fox, oil paint”", fill=PAPER, size=SMALL)
    te = f.box(190, 292, 170, 32, "text encoder (CLIP / T5)", fill=GREEN, size=SMALL)
    f.arrow(prompt.r, prompt.cy, te.x, te.cy)
    f.elbow([(te.r, te.cy), (den.cx, te.cy), (den.cx, den.b)], color=GREEN_A)
    f.text(den.cx + 8, 222, "token embeddings c", size=SMALL, fill=GREEN_A, anchor="start")
    f.text(den.cx + 8, 238, "→ cross-attention", size=SMALL, fill=GREEN_A, anchor="start")
    f.text(36, 346, "Diffusion runs on ~48× fewer numbers than the pixels; text-to-image sampling needs only "
           "the decoder D.", size=SMALL, fill=MUTED, anchor="start")
    return f


@figure
def classifier_free_guidance():
    f = Fig("classifier-free-guidance", 700, 300,
            "Classifier-free guidance: the same denoiser is run with the prompt and with an empty prompt, "
            "and the final noise estimate extrapolates from the unconditional prediction past the "
            "conditional one by the guidance scale s.")
    zt = f.box(16, 104, 84, 36, "z_{t}, t", fill=PURPLE)
    c = f.box(126, 40, 100, 32, "prompt c", fill=GREEN, size=SMALL)
    e = f.box(126, 172, 100, 32, "empty ∅", fill=PAPER, size=SMALL, dash=True)
    d1 = f.box(250, 40, 110, 32, "ε_{θ}(z_{t}, c)", fill=ORANGE, size=SMALL)
    d2 = f.box(250, 172, 110, 32, "ε_{θ}(z_{t}, ∅)", fill=ORANGE, size=SMALL)
    f.elbow([(zt.cx, zt.y), (zt.cx, 88), (d1.cx - 20, 88), (d1.cx - 20, d1.b)])
    f.elbow([(zt.cx, zt.b), (zt.cx, 156), (d2.cx - 20, 156), (d2.cx - 20, d2.y)])
    f.arrow(c.r, c.cy, d1.x, d1.cy)
    f.arrow(e.r, e.cy, d2.x, d2.cy)
    f.text(d1.r + 8, d1.cy + 4, "= ε_{c}", anchor="start")
    f.text(d2.r + 8, d2.cy + 4, "= ε_{u}", anchor="start")
    f.text(305, 124, "same network, two passes", size=SMALL, fill=MUTED)
    # geometry
    ox, oy = 470, 220
    u = (ox, oy)
    cc = (ox + 70, oy - 50)
    g = (ox + 3 * 70, oy - 3 * 50)
    f.line(u[0], u[1], g[0], g[1], stroke=MUTED, dash=True, width=1)
    f.arrow(u[0], u[1], cc[0] - 2, cc[1] + 1.5, color=GREEN_A)
    f.arrow(cc[0], cc[1], g[0], g[1], color=RED_A, width=2)
    f.circle(*u, 4, fill=INK, stroke=None)
    f.circle(*cc, 4, fill=GREEN_A, stroke=None)
    f.circle(*g, 4, fill=RED_A, stroke=None)
    f.text(u[0] - 8, u[1] + 18, "ε_{u}", anchor="start")
    f.text(cc[0] + 10, cc[1] + 16, "ε_{c}  (s = 1)", anchor="start", fill=GREEN_A)
    f.text(g[0] - 8, g[1] - 6, "\\tilde{ε}  (s = 3)", anchor="end", fill=RED_A)
    f.text(350, 262, "\\tilde{ε} = ε_{u} + s (ε_{c} − ε_{u})", size=15, bold=True)
    f.text(16, 290, "Training drops the prompt at random, so one model learns both predictions.", size=SMALL,
           fill=MUTED, anchor="start")
    return f


@figure
def rlhf_pipeline():
    f = Fig("rlhf-pipeline", 720, 380,
            "The RLHF pipeline: supervised fine-tuning on demonstrations, a reward model trained on human "
            "comparisons, then PPO that maximises the reward while a KL penalty keeps the policy close to "
            "the frozen SFT reference.")
    pw = 224
    titles = ("1  Supervised fine-tuning", "2  Reward model", "3  RL with PPO")
    for i, t in enumerate(titles):
        x0 = 16 + i * (pw + 8)
        f.rect(x0, 12, pw, 290, fill="none", stroke=MUTED, dash=True)
        f.text(x0 + 12, 34, t, bold=True, anchor="start")
    # stage 1
    x0 = 16
    cx = x0 + pw / 2
    lm = f.box(x0 + 16, 52, pw - 32, 30, "pretrained LM", fill=BLUE, size=SMALL)
    demo = f.box(x0 + 16, 100, pw - 32, 44, "demonstrations:\nprompt → ideal answer", fill=GREEN, size=SMALL)
    sft = f.box(x0 + 16, 170, pw - 32, 30, "next-token loss on answers", fill=PAPER, size=SMALL)
    out1 = f.box(x0 + 46, 230, pw - 92, 32, "π_{SFT}", fill=PURPLE)
    f.arrow(cx, lm.b, cx, demo.y)
    f.arrow(cx, demo.b, cx, sft.y)
    f.arrow(cx, sft.b, cx, out1.y)
    # stage 2
    x0 = 16 + pw + 8
    cx = x0 + pw / 2
    s2a = f.box(x0 + 16, 52, pw - 32, 44, "prompt → π_{SFT} samples\ntwo answers y_{1}, y_{2}", fill=PAPER,
                size=SMALL)
    s2b = f.box(x0 + 16, 114, pw - 32, 30, "human picks: y_{w} ≻ y_{l}", fill=GREEN, size=SMALL)
    s2c = f.box(x0 + 16, 162, pw - 32, 44, "train r_{φ} (Bradley–Terry):\n−log σ(r_{φ}(y_{w}) − r_{φ}(y_{l}))",
                fill=PAPER, size=SMALL)
    out2 = f.box(x0 + 46, 230, pw - 92, 32, "reward model r_{φ}", fill=ORANGE, size=SMALL)
    f.arrow(cx, s2a.b, cx, s2b.y)
    f.arrow(cx, s2b.b, cx, s2c.y)
    f.arrow(cx, s2c.b, cx, out2.y)
    # stage 3
    x0 = 16 + 2 * (pw + 8)
    cx = x0 + pw / 2
    pol = f.box(x0 + 16, 52, pw - 32, 30, "policy π_{θ}  (starts as π_{SFT})", fill=PURPLE, size=SMALL)
    gen = f.box(x0 + 16, 100, pw - 32, 30, "prompt x → sample answer y", fill=PAPER, size=SMALL)
    rew = f.box(x0 + 16, 148, pw - 32, 44, "r_{φ}(x, y) − β·KL(π_{θ} ‖ π_{ref})", fill=ORANGE, size=SMALL)
    upd = f.box(x0 + 16, 210, pw - 32, 44, "PPO update\n(value model as critic)", fill=BLUE, size=SMALL)
    f.arrow(cx, pol.b, cx, gen.y)
    f.arrow(cx, gen.b, cx, rew.y)
    f.arrow(cx, rew.b, cx, upd.y)
    f.elbow([(upd.r, upd.cy), (x0 + pw - 6, upd.cy), (x0 + pw - 6, pol.cy), (pol.r, pol.cy)], color=PURPLE_A)
    f.text(x0 + pw / 2, 280, "π_{ref}: a frozen copy of π_{SFT}", size=SMALL, fill=MUTED)
    # hand-offs between stages
    f.elbow([(out1.cx, out1.b), (out1.cx, 324), (16 + pw + 8 + 30, 324), (16 + pw + 8 + 30, 302)], color=PURPLE_A)
    f.elbow([(out1.cx, 324), (16 + 2 * (pw + 8) + 30, 324), (16 + 2 * (pw + 8) + 30, 302)], color=PURPLE_A)
    f.elbow([(out2.cx, out2.b), (out2.cx, 344), (16 + 2 * (pw + 8) + 60, 344), (16 + 2 * (pw + 8) + 60, 302)],
            color=ORANGE_A)
    f.text(16 + pw + 8 + 38, 318, "π_{SFT}", size=SMALL, fill=PURPLE_A, anchor="start")
    f.text(16 + 2 * (pw + 8) + 68, 340, "r_{φ}", size=SMALL, fill=ORANGE_A, anchor="start")
    f.text(16, 370, "The KL term stops the policy from drifting into text that games the reward model "
           "(reward hacking).", size=SMALL, fill=MUTED, anchor="start")
    return f


@figure
def dpo_vs_rlhf():
    f = Fig("dpo-vs-rlhf", 720, 330,
            "RLHF with PPO versus DPO: both start from preference pairs, but RLHF first fits a reward model "
            "and then runs reinforcement learning with online samples, while DPO optimises the policy "
            "directly with a classification-style loss against a frozen reference.")

    def row(y, label, boxes, note):
        f.text(16, y - 10, label, bold=True, anchor="start")
        x = 16
        placed = []
        for text, fill, w in boxes:
            b = f.box(x, y, w, 56, text, fill=fill, size=SMALL)
            if placed:
                f.arrow(placed[-1].r, placed[-1].cy, b.x, b.cy)
            placed.append(b)
            x += w + 26
        f.text(16, y + 78, note, size=SMALL, fill=MUTED, anchor="start")
        return placed

    row(40, "RLHF (PPO)", [("preference pairs\n(x, y_{w}, y_{l})", GREEN, 130),
                           ("train reward\nmodel r_{φ}", ORANGE, 110),
                           ("PPO with a critic: sample y,\nreward r_{φ} − β·KL(π_{θ} ‖ π_{ref})", BLUE, 220),
                           ("aligned\npolicy π_{θ}", PURPLE, 106)],
        "4 models in memory (policy, reference, reward, value); on-line sampling; many knobs to tune.")
    row(186, "DPO", [("preference pairs\n(x, y_{w}, y_{l})", GREEN, 130),
                     ("one supervised loss on π_{θ}:\nraise y_{w} over y_{l} relative to frozen π_{ref}", BLUE,
                      356),
                         ("aligned\npolicy π_{θ}", PURPLE, 106)],
            "2 models (policy, frozen reference); no reward model, no sampling during training.")
    f.text(16, 312, "L_{DPO} = −log σ( β log [π_{θ}(y_{w}|x) / π_{ref}(y_{w}|x)] "
           "− β log [π_{θ}(y_{l}|x) / π_{ref}(y_{l}|x)] )",
           anchor="start")
    f.line(16, 158, 704, 158, stroke=MUTED, width=0.75)
    return f


@figure
def grpo_group():
    f = Fig("grpo-group", 700, 350,
            "GRPO: for each prompt the policy samples a group of G answers, each is scored, and each "
            "answer's advantage is its reward normalised by the group's mean and standard deviation, "
            "so no learned critic is needed.")
    p = f.box(16, 140, 96, 40, "prompt q", fill=PAPER)
    pol = f.box(140, 136, 90, 48, "policy\nπ_{θ}", fill=PURPLE, size=SMALL)
    f.arrow(p.r, p.cy, pol.x, pol.cy)
    G = 5
    rewards = ["1", "0", "1", "0", "0"]
    advs = ["+1.10", "−0.73", "+1.10", "−0.73", "−0.73"]
    f.text(330, 24, "G = 5 sampled answers", size=SMALL, bold=True)
    f.text(470, 24, "reward r_{i}", size=SMALL, bold=True)
    f.text(610, 24, "advantage A_{i}", size=SMALL, bold=True)
    for i in range(G):
        y = 40 + i * 52
        o = f.box(270, y, 120, 36, f"answer o_{{{i + 1}}}", fill=BLUE, size=SMALL)
        f.arrow(pol.r, pol.cy, o.x, o.cy, color=MUTED, width=1)
        good = rewards[i] == "1"
        r = f.box(440, y, 60, 36, rewards[i], fill=GREEN if good else RED)
        f.arrow(o.r, o.cy, r.x, r.cy)
        a = f.box(560, y, 100, 36, advs[i], fill=GREEN if good else RED)
        f.arrow(r.r, r.cy, a.x, a.cy)
    f.text(684, 310, "A_{i} = (r_{i} − mean(r)) / std(r)", anchor="end")
    f.text(16, 226, "example reward:", size=SMALL, fill=MUTED, anchor="start")
    f.text(16, 242, "1 if the final", size=SMALL, fill=MUTED, anchor="start")
    f.text(16, 258, "answer checks out", size=SMALL, fill=MUTED, anchor="start")
    f.text(16, 312, "no value network:", size=SMALL, fill=MUTED, anchor="start")
    f.text(16, 328, "the group is the baseline", size=SMALL, fill=MUTED, anchor="start")
    f.text(684, 334, "then a PPO-style clipped update with a KL penalty to π_{ref}", size=SMALL, fill=MUTED,
           anchor="end")
    return f


@figure
def rag_pipeline():
    f = Fig("rag-pipeline", 720, 330,
            "Retrieval-augmented generation: offline, documents are chunked, embedded and indexed; "
            "online, the question is embedded, the nearest chunks are retrieved and reranked, and the "
            "LLM answers from the question plus those chunks.")
    f.text(16, 24, "offline: ingest", bold=True, anchor="start")
    f.text(16, 164, "online: each question", bold=True, anchor="start")
    y1 = 44
    docs = f.box(16, y1, 112, 44, "documents\n(PDF, HTML, …)", fill=PAPER, size=SMALL)
    chunk = f.box(156, y1, 112, 44, "chunk\n(size, overlap)", fill=GREEN, size=SMALL)
    emb = f.box(292, y1, 136, 44, "embed\n(embedding model)", fill=BLUE, size=SMALL)
    idx = f.cylinder(460, y1 - 6, 130, 60, "vector index\n+ metadata", size=SMALL)
    f.arrow(docs.r, docs.cy, chunk.x, chunk.cy)
    f.arrow(chunk.r, chunk.cy, emb.x, emb.cy)
    f.arrow(emb.r, emb.cy, idx.x, emb.cy)
    y2 = 184
    q = f.box(16, y2, 90, 44, "question", fill=PAPER, size=SMALL)
    qe = f.box(128, y2, 112, 44, "embed query\n(same model)", fill=BLUE, size=SMALL)
    ret = f.box(262, y2, 124, 44, "retrieve top-k\n(nearest chunks)", fill=PURPLE, size=SMALL)
    rr = f.box(408, y2, 120, 44, "rerank\n(cross-encoder)", fill=ORANGE, size=SMALL)
    llm = f.box(550, y2, 154, 44, "LLM: answer from\nquestion + top chunks", fill=GREEN, size=SMALL)
    f.arrow(q.r, q.cy, qe.x, qe.cy)
    f.arrow(qe.r, qe.cy, ret.x, ret.cy)
    f.arrow(ret.r, ret.cy, rr.x, rr.cy)
    f.arrow(rr.r, rr.cy, llm.x, llm.cy)
    f.elbow([(idx.cx, idx.b), (idx.cx, 136), (ret.cx, 136), (ret.cx, ret.y)], color=PURPLE_A)
    f.text(ret.cx + 8, 130, "similarity search", size=SMALL, fill=PURPLE_A, anchor="start")
    f.elbow([(q.cx, q.b), (q.cx, 256), (llm.cx - 30, 256), (llm.cx - 30, llm.b)], color=MUTED, dash=True)
    f.text(330, 272, "the question itself also goes into the prompt", size=SMALL, fill=MUTED)
    f.arrow(llm.cx + 20, llm.b, llm.cx + 20, 290)
    f.text(llm.cx + 20, 306, "answer + citations", size=SMALL, anchor="middle")
    return f


@figure
def hybrid_retrieval():
    f = Fig("hybrid-retrieval", 720, 330,
            "Hybrid retrieval: a keyword (BM25) ranking and a dense embedding ranking are merged by "
            "reciprocal rank fusion, and a cross-encoder reranks the fused candidates before they reach "
            "the LLM.")
    q = f.box(16, 132, 84, 40, "query", fill=PAPER)
    bm = f.box(128, 52, 130, 44, "BM25\n(exact keywords)", fill=ORANGE, size=SMALL)
    de = f.box(128, 208, 130, 44, "dense vectors\n(meaning, ANN)", fill=BLUE, size=SMALL)
    f.elbow([(q.cx, q.y), (q.cx, bm.cy), (bm.x, bm.cy)])
    f.elbow([(q.cx, q.b), (q.cx, de.cy), (de.x, de.cy)])

    def ranked(x, y, docs, fill):
        for i, d in enumerate(docs):
            f.text(x - 6, y + i * 24 + 16, f"{i + 1}", size=10, fill=MUTED, anchor="end")
            f.box(x, y + i * 24, 52, 22, d, fill=fill, size=SMALL, rx=3)
        return Box(x, y, 52, 4 * 24 - 2)

    l1 = ranked(296, 28, ["D3", "D1", "D7", "D2"], ORANGE)
    l2 = ranked(296, 184, ["D1", "D5", "D3", "D8"], BLUE)
    f.arrow(bm.r, bm.cy, l1.x - 18, bm.cy)
    f.arrow(de.r, de.cy, l2.x - 18, de.cy)
    fuse = f.box(388, 112, 150, 80, "", fill=PURPLE)
    f.mtext(fuse.cx, fuse.cy, ["reciprocal rank", "fusion", "Σ 1 / (k + rank)"], size=SMALL)
    f.elbow([(l1.r, l1.cy), (366, l1.cy), (366, fuse.cy - 14), (fuse.x, fuse.cy - 14)])
    f.elbow([(l2.r, l2.cy), (366, l2.cy), (366, fuse.cy + 14), (fuse.x, fuse.cy + 14)])
    f.text(fuse.cx, fuse.b + 18, "k = 60 is the usual default", size=10, fill=MUTED)
    fused = ranked(570, 104, ["D1", "D3", "D5", "D7"], PURPLE)
    f.arrow(fuse.r, fuse.cy, fused.x - 18, fuse.cy)
    f.text(fused.cx, 92, "fused", size=SMALL, fill=MUTED)
    rr = f.box(556, 236, 148, 44, "cross-encoder rerank\n→ top-n to the LLM", fill=GREEN, size=SMALL)
    f.arrow(fused.cx, fused.b, fused.cx, rr.y)
    f.text(16, 312, "D1 and D3 appear in both lists, so they rise to the top; each list covers the "
           "other's misses.", size=SMALL, fill=MUTED, anchor="start")
    return f


@figure
def react_agent_loop():
    f = Fig("react-agent-loop", 720, 340,
            "A ReAct agent loop: the model writes a thought, chooses a tool call, the runtime executes it "
            "and appends the observation to the context, and the loop repeats until the model gives a "
            "final answer.")
    task = f.box(16, 24, 120, 36, "user task", fill=PAPER)
    llm = f.box(60, 96, 150, 56, "LLM\nthought: what next?", fill=PURPLE, size=SMALL)
    act = f.box(270, 96, 150, 56, "action: tool call\nname + JSON args", fill=ORANGE, size=SMALL)
    tool = f.box(270, 210, 150, 56, "runtime runs the tool\n(search, code, API)", fill=BLUE, size=SMALL)
    obs = f.box(60, 210, 150, 56, "observation\nappended to context", fill=GREEN, size=SMALL)
    f.elbow([(task.cx, task.b), (task.cx, llm.y)])
    f.arrow(llm.r, llm.cy, act.x, act.cy)
    f.arrow(act.cx, act.b, tool.cx, tool.y)
    f.arrow(tool.x, tool.cy, obs.r, obs.cy)
    f.arrow(obs.cx, obs.y, llm.cx, llm.b)
    f.text(240, 186, "repeat", size=SMALL, fill=MUTED)
    ans = f.box(16, 296, 150, 32, "final answer", fill=GREEN, size=SMALL)
    f.elbow([(llm.x, llm.cy), (38, llm.cy), (38, ans.y)], color=GREEN_A)
    f.text(44, 186, "done?", size=10, fill=GREEN_A, anchor="start")
    # example trace
    tx, ty = 452, 24
    f.rect(tx, ty - 10, 252, 314, PAPER, MUTED, rx=RADIUS, width=1)
    f.text(tx + 12, ty + 12, "example trace", size=SMALL, bold=True, anchor="start")
    lines = [("Thought:", "I need today's weather in Paris.", PURPLE_A),
             ("Action:", "get_weather(city=\"Paris\")", ORANGE_A),
             ("Observation:", "", GREEN_A), ("", "14 °C, light rain", GREEN_A),
             ("Thought:", "I can answer now.", PURPLE_A), ("Answer:", "", INK),
             ("", "14 °C with light rain;", INK), ("", "take an umbrella.", INK)]
    y = ty + 30
    for head, body, col in lines:
        if head:
            y += 12
            f.text(tx + 12, y, head, size=SMALL, bold=True, fill=col, anchor="start")
            y += 17
        if body:
            f.text(tx + 24, y, body.strip(), size=SMALL, anchor="start")
            y += 17
    f.text(230, 316, "stop on an answer or a step limit", size=SMALL, fill=MUTED, anchor="start")
    return f


@figure
def mcp_client_server():
    f = Fig("mcp-client-server", 720, 384,
            "The Model Context Protocol: a host application runs one MCP client per server; each server "
            "exposes tools, resources and prompts over JSON-RPC, locally through stdio or remotely "
            "through HTTP.")
    f.rect(16, 16, 284, 336, PAPER, INK)
    f.text(30, 40, "host application", bold=True, anchor="start")
    f.text(30, 58, "(chat app, IDE, agent)", size=SMALL, fill=MUTED, anchor="start")
    llm = f.box(30, 84, 72, 254, "", fill=PURPLE)
    f.mtext(llm.cx, llm.cy, ["LLM", "+ app", "logic"], size=SMALL)
    servers = [("files server", "local subprocess", "stdio"),
               ("git server", "local subprocess", "stdio"),
               ("issue-tracker server", "remote service", "Streamable HTTP")]
    for i, (name, where, transport) in enumerate(servers):
        cy = 118 + i * 96
        c = f.box(132, cy - 20, 150, 40, f"MCP client {i + 1}", fill=BLUE, size=SMALL)
        f.arrow(llm.r, cy, c.x, cy, color=MUTED, width=1, both=True)
        s = f.box(446, cy - 42, 258, 84, "", fill=GREEN)
        f.text(s.x + 12, s.y + 22, name, bold=True, anchor="start", size=SMALL)
        f.text(s.r - 12, s.y + 22, where, size=10, anchor="end")
        for k, cap in enumerate(("tools", "resources", "prompts")):
            f.box(s.x + 12 + k * 78, s.y + 33, 74, 26, cap, fill=PAPER, size=SMALL, rx=3)
        f.text(s.x + 12, s.y + 74, "callable · readable · templates", size=10, anchor="start")
        f.arrow(c.r, cy, s.x, cy, color=INK, both=True)
        f.text((c.r + s.x) / 2, cy - 8, transport, size=SMALL, fill=ORANGE_A)
        f.text((c.r + s.x) / 2, cy + 18, "JSON-RPC", size=10, fill=MUTED)
    f.text(360, 374, "Each client holds one connection to one server; the host decides what the model may use.",
           size=SMALL, fill=MUTED)
    return f


@figure
def clip_contrastive():
    f = Fig("clip-contrastive", 680, 390,
            "CLIP's contrastive training: N images and their N captions are encoded separately, the N × N "
            "matrix of similarities is computed, and a symmetric cross-entropy loss pushes the diagonal "
            "(the true pairs) up and everything else down.")
    n, c = 4, 48
    mx, my = 270, 170
    tenc = f.box(mx, 84, n * c, 36, "text encoder", fill=GREEN)
    f.text(mx + n * c / 2, 40, "N captions: “a dog on grass”, …", size=SMALL, fill=MUTED)
    f.arrow(mx + n * c / 2, 50, mx + n * c / 2, tenc.y)
    ienc = f.box(130, my, 96, n * c, "", fill=BLUE)
    f.mtext(ienc.cx, ienc.cy, ["image", "encoder"])
    f.text(62, my - 14, "N images", size=SMALL, fill=MUTED)
    for i in range(n):
        f.rect(36, my + i * c + 6, 52, 36, PAPER, MUTED, rx=3, width=1)
        f.polygon([(42, my + i * c + 36), (54, my + i * c + 20), (66, my + i * c + 36)], fill=GREEN, stroke=None)
        f.circle(76, my + i * c + 16, 4, fill=ORANGE, stroke=ORANGE_A, width=1)
        f.arrow(88, my + i * c + c / 2, ienc.x, my + i * c + c / 2, color=MUTED, width=1)
    for i in range(n):
        f.text(mx + i * c + c / 2, my - 10, f"T_{{{i + 1}}}", size=SMALL, fill=GREEN_A)
        f.text(mx - 10, my + i * c + c / 2 + 4, f"I_{{{i + 1}}}", size=SMALL, fill=BLUE_A, anchor="end")
    f.arrow(mx + n * c / 2, tenc.b, mx + n * c / 2, my - 26, color=MUTED, width=1)
    f.arrow(ienc.r, ienc.cy, mx - 30, ienc.cy, color=MUTED, width=1)
    g = f.grid(mx, my, n, n, c, lambda r, col: ORANGE if r == col else PAPER)
    for r in range(n):
        for col in range(n):
            f.text(mx + col * c + c / 2, my + r * c + c / 2 + 4, f"I_{{{r + 1}}}·T_{{{col + 1}}}", size=10,
                   fill=INK if r == col else MUTED)
    tx = g.r + 24
    f.text(tx, my + 14, "logits = I_{i}·T_{j} / τ", size=SMALL, anchor="start")
    f.text(tx, my + 40, "(unit-length embeddings)", size=10, fill=MUTED, anchor="start")
    f.rect(tx, my + 62, 14, 14, ORANGE, ORANGE_A, rx=2)
    f.text(tx + 20, my + 73, "diagonal: true pairs", size=SMALL, anchor="start")
    f.rect(tx, my + 88, 14, 14, PAPER, MUTED, rx=2)
    f.text(tx + 20, my + 99, "off-diagonal: negatives", size=SMALL, anchor="start")
    f.text(tx, my + 132, "loss: cross-entropy over", size=SMALL, anchor="start")
    f.text(tx, my + 150, "rows (image → text) and", size=SMALL, anchor="start")
    f.text(tx, my + 168, "columns (text → image),", size=SMALL, anchor="start")
    f.text(tx, my + 186, "averaged", size=SMALL, anchor="start")
    return f


@figure
def vision_language_model():
    f = Fig("vision-language-model", 720, 320,
            "A vision-language model: a vision encoder turns the image into patch features, a projector "
            "maps them into the LLM's embedding space as visual tokens, and the LLM reads them together "
            "with the text tokens to generate the answer.")
    _noise_tile(f, 16, 30, 64, 0, 1)
    f.text(48, 112, "image", size=SMALL, fill=MUTED)
    ve = f.box(108, 34, 140, 56, "vision encoder\n(ViT, patches)", fill=BLUE, size=SMALL)
    f.arrow(80, 62, ve.x, ve.cy)
    f.text(ve.cx, ve.b + 16, "N_{v} × d_{vision}", size=SMALL, fill=MUTED)
    pr = f.box(290, 34, 130, 56, "projector\n(MLP or resampler)", fill=ORANGE, size=SMALL)
    f.arrow(ve.r, ve.cy, pr.x, pr.cy)
    f.text(pr.cx + 8, pr.b + 18, "N_{v} × d_{model}", size=SMALL, fill=MUTED, anchor="start")
    prompt = f.box(462, 34, 242, 56, "“What is in the picture?”\n→ tokenize + embed", fill=PAPER, size=SMALL)
    # the joint sequence
    c = 30
    sx, sy = 150, 150
    for i in range(6):
        f.rect(sx + i * c, sy, c - 2, 28, PURPLE, PURPLE_A, rx=3, width=1)
        f.text(sx + i * c + (c - 2) / 2, sy + 18, f"v_{{{i + 1}}}", size=10)
    tx0 = sx + 6 * c + 16
    x = tx0
    for w in ["What", "is", "in", "the", "picture", "?"]:
        tw = max(28, text_width(w, 10) + 14)
        f.rect(x, sy, tw, 28, GREEN, GREEN_A, rx=3, width=1)
        f.text(x + tw / 2, sy + 18, w, size=10)
        x += tw + 2
    tmid = (tx0 + x - 2) / 2
    f.elbow([(pr.cx, pr.b), (pr.cx, 122), (sx + 3 * c, 122), (sx + 3 * c, sy)], color=ORANGE_A)
    f.elbow([(prompt.cx, prompt.b), (prompt.cx, 122), (tmid, 122), (tmid, sy)], color=MUTED)
    f.text(sx - 10, sy + 18, "input", size=SMALL, fill=MUTED, anchor="end")
    f.brace(sx + 6 * c - 2, sy + 34, sx, sy + 34, color=PURPLE_A)
    f.text(sx + 3 * c, sy + 60, "visual tokens", size=SMALL, fill=PURPLE_A)
    f.brace(x - 2, sy + 34, tx0, sy + 34, color=GREEN_A)
    f.text(tmid, sy + 60, "text tokens", size=SMALL, fill=GREEN_A)
    llm = f.box(150, 236, 448, 40, "LLM decoder: attends over both, generates text", fill=BLUE)
    f.arrow(llm.cx, sy + 68, llm.cx, llm.y)
    f.arrow(llm.r, llm.cy, llm.r + 30, llm.cy)
    f.text(llm.r + 34, llm.cy - 4, "“A small", size=SMALL, anchor="start")
    f.text(llm.r + 34, llm.cy + 12, "house …”", size=SMALL, anchor="start")
    f.text(16, 306, "Often the encoder is frozen and the projector is trained first, then the LLM is tuned "
           "on image–text instructions.", size=SMALL, fill=MUTED, anchor="start")
    return f


@figure
def lstm_cell():
    f = Fig("lstm-cell", 700, 420,
            "An LSTM cell: the cell state runs along the top touched only by a multiply (forget gate) and "
            "an add (gated candidate); sigmoid gates computed from hₜ₋₁ and xₜ decide what to forget, "
            "what to write and what to expose as hₜ.")
    f.rect(80, 46, 520, 254, PAPER, MUTED, rx=10, width=1)
    hy = 84
    f.text(24, hy - 10, "c_{t−1}", anchor="start")
    f.text(676, hy - 10, "c_{t}", anchor="end")
    fx, ix, gx, ox, tx = 190, 270, 330, 430, 520
    mf = (fx, hy)
    add = (300, hy)
    f.arrow(24, hy, fx - 9, hy, color=ORANGE_A, width=2)
    f.arrow(fx + 9, hy, add[0] - 9, hy, color=ORANGE_A, width=2)
    f.arrow(add[0] + 9, hy, 676, hy, color=ORANGE_A, width=2)
    f.plus(*mf, sym="×")
    f.plus(*add)
    f.text(420, 72, "cell state: only × and + touch it", size=SMALL, fill=ORANGE_A)
    bus = 264
    f.line(24, bus, ox, bus)
    f.text(24, bus - 8, "h_{t−1}", anchor="start")
    f.text(120, 330, "x_{t}")
    f.line(120, 316, 120, bus)
    f.circle(120, bus, 3, fill=INK, stroke=None)
    gates = [(fx, "σ", "forget", "f_{t}"), (ix, "σ", "input", "i_{t}"), (gx, "tanh", "candidate", "\\tilde{c}_{t}"),
             (ox, "σ", "output", "o_{t}")]
    for cx, sym, name, lab in gates:
        w = 48 if sym == "tanh" else 36
        b = f.box(cx - w / 2, 196, w, 28, sym, fill=BLUE if sym == "σ" else PURPLE, size=SMALL)
        f.arrow(cx, bus, cx, b.b)
        f.circle(cx, bus, 3, fill=INK, stroke=None)
        f.text(cx + 5, 246, name, size=10, fill=MUTED, anchor="start")
        f.text(cx + 6, 186, lab, size=SMALL, anchor="start")
    f.arrow(fx, 196, fx, hy + 9)
    f.plus(300, 150, sym="×")
    f.elbow([(ix, 196), (ix, 150), (291, 150)])
    f.elbow([(gx, 196), (gx, 150), (309, 150)])
    f.arrow(300, 141, 300, hy + 9)
    # output path
    f.circle(tx, hy, 3, fill=INK, stroke=None)
    th = f.ellipse(tx, 138, 26, 13, fill=PURPLE, stroke=PURPLE_A)
    f.text(tx, 142, "tanh", size=SMALL)
    f.arrow(tx, hy, tx, th.y)
    f.plus(tx, 210, sym="×")
    f.arrow(tx, th.b, tx, 201)
    f.elbow([(ox + 18, 210), (tx - 9, 210)])
    f.elbow([(tx, 219), (tx, 282), (676, 282)])
    f.text(676, 274, "h_{t}", anchor="end")
    f.text(676, 298, "= the output", size=10, fill=MUTED, anchor="end")
    # equations
    eq = ["f_{t} = σ(W_{f}[h_{t−1}, x_{t}] + b_{f})", "i_{t} = σ(W_{i}[h_{t−1}, x_{t}] + b_{i})",
          "o_{t} = σ(W_{o}[h_{t−1}, x_{t}] + b_{o})"]
    eq2 = ["\\tilde{c}_{t} = tanh(W_{c}[h_{t−1}, x_{t}] + b_{c})", "c_{t} = f_{t} ⊙ c_{t−1} + i_{t} ⊙ \\tilde{c}_{t}",
           "h_{t} = o_{t} ⊙ tanh(c_{t})"]
    for i, (a, b) in enumerate(zip(eq, eq2, strict=False)):
        f.text(150, 358 + i * 20, a, size=SMALL, anchor="start")
        f.text(400, 358 + i * 20, b, size=SMALL, anchor="start")
    return f


@figure
def encoder_decoder_vs_decoder_only():
    f = Fig("encoder-decoder-vs-decoder-only", 720, 330,
            "Encoder–decoder versus decoder-only: the encoder reads the whole source with bidirectional "
            "attention and the decoder attends to it through cross-attention, while a decoder-only model "
            "reads prompt and answer as one sequence under a causal mask.")

    def mask(x, y, causal, c=8, n=4):
        f.grid(x, y, n, n, c, lambda r, col: PAPER if causal and col > r else BLUE_A, stroke=MUTED)

    def tokens(x, y, words, fill):
        out = []
        for w in words:
            tw = text_width(w, SMALL) + 14
            f.box(x, y, tw, 24, w, fill=fill, size=SMALL, rx=3)
            out.append((x + tw / 2, y))
            x += tw + 4
        return out

    f.rect(16, 12, 340, 270, "none", MUTED, dash=True)
    f.rect(364, 12, 340, 270, "none", MUTED, dash=True)
    f.text(186, 36, "Encoder–decoder", bold=True)
    f.text(534, 36, "Decoder-only", bold=True)
    enc = f.box(32, 112, 130, 92, "", fill=GREEN)
    f.mtext(enc.cx, 136, ["Encoder", "bidirectional"], size=SMALL)
    mask(enc.cx - 16, 164, False)
    dec = f.box(210, 112, 130, 92, "", fill=BLUE)
    f.mtext(dec.cx, 136, ["Decoder", "causal + cross"], size=SMALL)
    mask(dec.cx - 16, 164, True)
    f.arrow(enc.r, enc.cy, dec.x, enc.cy, color=GREEN_A)
    f.text((enc.r + dec.x) / 2, enc.cy - 8, "K, V", size=10, fill=GREEN_A)
    src = tokens(36, 232, ["Je", "suis", "étudiant"], PAPER)
    for cx, y in src:
        if abs(cx - enc.cx) < 60:  # only tokens under the box get an arrow
            f.arrow(cx, y, cx, enc.b, color=MUTED, width=1)
    tgt = tokens(216, 232, ["<s>", "I", "am"], PAPER)
    for cx, y in tgt:
        f.arrow(cx, y, cx, dec.b, color=MUTED, width=1)
    tokens(226, 60, ["I", "am", "a"], ORANGE)
    f.arrow(dec.cx, dec.y, dec.cx, 84)
    f.text(186, 272, "e.g. T5, BART, the 2017 Transformer", size=10, fill=MUTED)
    # decoder-only
    d = f.box(430, 112, 208, 92, "", fill=BLUE)
    f.mtext(d.cx, 136, ["one decoder stack", "causal self-attention"], size=SMALL)
    mask(d.cx - 16, 164, True)
    seq = tokens(376, 232, ["Translate:", "Je", "suis", "étudiant", "→", "I", "am"], PAPER)
    for i, (cx, y) in enumerate(seq):  # every token feeds the stack; arrows fan in to the box
        f.arrow(cx, y, d.x + 14 + i * (d.w - 28) / (len(seq) - 1), d.b, color=MUTED, width=1)
    tokens(518, 60, ["a"], ORANGE)
    f.arrow(d.cx, d.y, d.cx, 84)
    f.text(d.cx + 34, 76, "next token", size=SMALL, fill=MUTED, anchor="start")
    f.text(534, 272, "e.g. GPT, Llama, Mistral", size=10, fill=MUTED)
    f.text(16, 310, "Blue mask cells: which earlier (and, for the encoder, later) positions each position can "
           "attend to.", size=SMALL, fill=MUTED, anchor="start")
    return f


@figure
def scaling_law():
    f = Fig("scaling-law", 640, 360,
            "A schematic scaling-law curve: on log–log axes test loss falls roughly as a power law in "
            "training compute and bends towards an irreducible-loss floor; no real data is plotted.")
    x0, y0, x1, y1 = 100, 30, 610, 290   # plot area: left, top, right, bottom
    f.arrow(x0, y1, x1 + 16, y1, color=INK, width=1.2)
    f.arrow(x0, y1, x0, y0 - 14, color=INK, width=1.2)
    for k in range(1, 7):
        xx = x0 + k * (x1 - x0) / 6.5
        f.line(xx, y1, xx, y1 + 5, stroke=MUTED, width=1)
        f.line(xx, y0, xx, y1, stroke=MUTED, width=0.4)
    for k in range(1, 5):
        yy = y1 - k * (y1 - y0) / 4.5
        f.line(x0 - 5, yy, x0, yy, stroke=MUTED, width=1)
    f.text((x0 + x1) / 2, y1 + 32, "training compute C  (FLOPs, log scale)", size=SMALL)
    f.text(x0 - 10, y0 + 4, "test loss L", size=SMALL, anchor="end")
    f.text(x0 - 10, y0 + 20, "(log scale)", size=SMALL, anchor="end", fill=MUTED)
    # schematic L(C) = L_inf + A C^-alpha, drawn in log-log space
    linf, A, alpha = 1.7, 6.0, 0.32

    def to_xy(u, L):
        ly = math.log10(L)
        lo, hi = math.log10(1.3), math.log10(8.0)
        return x0 + u / 6.5 * (x1 - x0), y1 - (ly - lo) / (hi - lo) * (y1 - y0)

    pts = [to_xy(u / 10, linf + A * 10 ** (-alpha * u / 10)) for u in range(0, 66)]
    f.polyline(pts, stroke=BLUE_A, width=2.5)
    pw = [to_xy(u / 10, A * 10 ** (-alpha * u / 10)) for u in range(0, 66)]
    pw = [(x, y) for x, y in pw if y0 <= y <= y1]
    f.polyline(pw, stroke=MUTED, dash=True, width=1.2)
    fx, fy = to_xy(0, linf)
    f.line(x0, fy, x1, fy, stroke=RED_A, dash=True, width=1.2)
    f.text(x1, fy + 18, "irreducible loss L_{∞}", size=SMALL, fill=RED_A, anchor="end")
    lx, ly = pts[18]
    f.text(lx + 14, ly - 6, "L(C) ≈ L_{∞} + A·C^{−α}", size=SMALL, fill=BLUE_A, anchor="start")
    mx, my = pw[15]
    f.text(mx + 12, my + 6, "A·C^{−α} alone", size=SMALL, fill=MUTED, anchor="start")
    f.text(x1, y0 + 4, "schematic: shape only, no data", size=SMALL, fill=MUTED, anchor="end")
    return f


@figure
def bpe_merges():
    f = Fig("bpe-merges", 680, 330,
            "Byte-pair encoding on the words low, lower and lowest: starting from characters, each step "
            "merges the most frequent adjacent pair into a new symbol, so three merges add lo, low and "
            "lowe to the vocabulary.")
    rows = [("start", "characters", [["l", "o", "w"], ["l", "o", "w", "e", "r"], ["l", "o", "w", "e", "s", "t"]]),
            ("merge 1", "l + o → lo  (3×)", [["lo", "w"], ["lo", "w", "e", "r"], ["lo", "w", "e", "s", "t"]]),
            ("merge 2", "lo + w → low  (3×)", [["low"], ["low", "e", "r"], ["low", "e", "s", "t"]]),
            ("merge 3", "low + e → lowe  (2×)", [["low"], ["lowe", "r"], ["lowe", "s", "t"]])]
    cols = [250, 360, 500]
    f.text(16, 28, "step", size=SMALL, bold=True, anchor="start")
    f.text(92, 28, "pair merged (count)", size=SMALL, bold=True, anchor="start")
    for cx, w in zip(cols, ["low", "lower", "lowest"], strict=False):
        f.text(cx, 28, f"“{w}”", size=SMALL, bold=True, anchor="start")
    new = {"lo", "low", "lowe"}
    for r, (step, rule, words) in enumerate(rows):
        y = 46 + r * 54
        f.line(16, y - 6, 664, y - 6, stroke=MUTED, width=0.5)
        f.text(16, y + 18, step, size=SMALL, anchor="start")
        f.text(92, y + 18, rule, size=SMALL, anchor="start", fill=ORANGE_A if r else MUTED)
        merged = rows[r][1].split(" → ")[1].split()[0] if r else None
        for cx, toks in zip(cols, words, strict=False):
            x = cx
            for t in toks:
                w = text_width(t, LABEL) + 14
                fill = ORANGE if t == merged else GREEN if t in new else PAPER
                f.box(x, y, w, 26, t, fill=fill, rx=3)
                x += w + 3
    y = 46 + 4 * 54
    f.line(16, y - 6, 664, y - 6, stroke=MUTED, width=0.5)
    f.text(16, y + 16, "Vocabulary: {l, o, w, e, r, s, t} + lo + low + lowe. The most frequent pair wins "
           "(ties: first seen).", size=SMALL, anchor="start")
    f.text(16, y + 36, "New text is tokenised by replaying the merges in the same order.", size=SMALL,
           fill=MUTED, anchor="start")
    return f


@figure
def tokens_to_embeddings():
    f = Fig("tokens-to-embeddings", 720, 318,
            "From text to the transformer's input: the tokenizer splits text into tokens and ids, each id "
            "selects a row of the V × d_model embedding table, and positional information is added to "
            "give the n × d_model input matrix.")
    txt = f.box(16, 30, 120, 32, "“The cat sat”", fill=PAPER, size=SMALL)
    tok = f.box(166, 30, 120, 32, "tokenizer (BPE)", fill=ORANGE, size=SMALL)
    f.arrow(txt.r, txt.cy, tok.x, tok.cy)
    x = 320
    for t in ["The", "␣cat", "␣sat"]:
        w = text_width(t, SMALL) + 14
        f.box(x, 34, w, 24, t, fill=GREEN, size=SMALL, rx=3)
        x += w + 4
    f.arrow(tok.r, tok.cy, 316, tok.cy)
    f.arrow(x + 6, tok.cy, x + 34, tok.cy)
    ids = ["17", "942", "5210"]
    idx = x + 38
    id_boxes = []
    for i in ids:
        w = text_width(i, SMALL) + 16
        id_boxes.append(f.box(idx, 34, w, 24, i, fill=PAPER, size=SMALL, rx=3))
        idx += w + 4
    f.text((x + 38 + idx) / 2, 80, "token ids (illustrative)", size=10, fill=MUTED)
    # embedding table
    c = 12
    tx, ty = 150, 116
    rows_hit = {1: BLUE, 4: BLUE, 7: BLUE}
    g = f.grid(tx, ty, 10, 8, c, lambda r, col: rows_hit.get(r, PAPER), stroke=MUTED)
    f.text(tx - 10, ty + 10 * c / 2 - 6, "embedding", size=SMALL, anchor="end")
    f.text(tx - 10, ty + 10 * c / 2 + 10, "table E", size=SMALL, anchor="end")
    f.text(tx - 10, ty + 10 * c / 2 + 28, "V × d_{model}", size=SMALL, anchor="end", fill=MUTED)
    f.text(g.cx, g.b + 16, "one row per vocabulary entry", size=10, fill=MUTED)
    for (r, _), b in zip(sorted(rows_hit.items()), id_boxes, strict=False):
        f.elbow([(b.cx, b.b), (b.cx, 100 + r * 3), (g.r + 18 + r * 4, 100 + r * 3),
                 (g.r + 18 + r * 4, ty + r * c + c / 2), (g.r, ty + r * c + c / 2)], color=BLUE_A, width=1)
    # gathered rows + positions
    mx, my = 350, 150
    f.grid(mx, my, 3, 8, c, lambda r, col: BLUE)
    f.text(mx + 4 * c, my - 10, "token vectors", size=SMALL)
    f.arrow(g.r + 56, my + 18, mx - 8, my + 18, color=BLUE_A)
    f.text((g.r + 48 + mx) / 2, my + 8, "gather", size=10, fill=BLUE_A)
    f.plus(mx + 8 * c + 18, my + 18)
    px = mx + 8 * c + 36
    f.grid(px, my, 3, 8, c, lambda r, col: PURPLE)
    f.text(px + 4 * c, my - 10, "positions", size=SMALL)
    f.text(px + 4 * c, my + 3 * c + 18, "(learned, sinusoidal,", size=10, fill=MUTED)
    f.text(px + 4 * c, my + 3 * c + 32, "or RoPE inside attention)", size=10, fill=MUTED)
    f.text(px + 8 * c + 14, my + 23, "=", size=15)
    xx = px + 8 * c + 28
    f.grid(xx, my, 3, 8, c, lambda r, col: GREEN)
    f.text(xx + 4 * c, my - 10, "X_{0}", size=SMALL, bold=True)
    f.brace(xx + 8 * c, my + 3 * c + 6, xx, my + 3 * c + 6, color=MUTED)
    f.text(xx + 4 * c, my + 3 * c + 32, "n × d_{model}", size=SMALL)
    f.text(16, 300, "E is learned with the model; some LLMs reuse it (transposed) as the output layer "
           "(weight tying).", size=SMALL, fill=MUTED, anchor="start")
    return f


@figure
def sampling_strategies():
    f = Fig("sampling-strategies", 720, 300,
            "Decoding from one next-token distribution: temperature reshapes it, top-k keeps the k most "
            "likely tokens, and top-p keeps the smallest set whose probability reaches p, "
            "renormalising before sampling.")
    logits = [3.0, 2.2, 1.6, 1.0, 0.6, 0.2, -0.3, -0.8]   # schematic logits, not from a model

    def softmax(zs, T=1.0):
        m = max(zs)
        e = [math.exp((z - m) / T) for z in zs]
        s = sum(e)
        return [v / s for v in e]

    p1 = softmax(logits)
    p05 = softmax(logits, 0.5)
    topk = [v if i < 3 else 0 for i, v in enumerate(p1)]
    cum, keep = 0.0, 0
    for v in p1:
        keep += 1
        cum += v
        if cum >= 0.9:
            break
    topp = [v if i < keep else 0 for i, v in enumerate(p1)]
    panels = [("T = 1", p1, p1, BLUE), ("T = 0.5: sharper", p05, p05, BLUE),
              ("top-k, k = 3", p1, topk, GREEN), (f"top-p, p = 0.9 ({keep} kept)", p1, topp, PURPLE)]
    pw, base, scale = 168, 230, 220
    for k, (title, orig, kept, fill) in enumerate(panels):
        x0 = 16 + k * (pw + 8)
        f.text(x0 + pw / 2, 28, title, size=SMALL, bold=True)
        s = sum(kept)
        for i, (o, v) in enumerate(zip(orig, kept, strict=False)):
            bx = x0 + 10 + i * 19
            if v > 0:
                h = v / s * scale if k >= 2 else v * scale
                f.rect(bx, base - h, 14, h, fill, ACCENT[fill], rx=0, width=1)
                if k >= 2:  # the height before renormalising, drawn inside the taller bar
                    f.line(bx, base - o * scale, bx + 14, base - o * scale, stroke=INK, width=1, dash=True)
            else:
                f.rect(bx, base - o * scale, 14, max(o * scale, 1), PAPER, MUTED, rx=0, width=1, dash=True)
        f.line(x0 + 6, base, x0 + pw - 6, base, stroke=INK, width=1)
        f.text(x0 + pw / 2, base + 16, "tokens, most likely first", size=10, fill=MUTED)
    f.text(16, 272, "Dashed bars are cut; kept bars are renormalised to sum to 1 (dashed line: height before). "
           "Schematic logits.", size=SMALL, fill=MUTED, anchor="start")
    f.text(16, 290, "Greedy decoding is the limit T → 0: always the tallest bar.", size=SMALL, fill=MUTED,
           anchor="start")
    return f


@figure
def word_embedding_analogy():
    f = Fig("word-embedding-analogy", 600, 320,
            "Word-embedding analogies in a schematic 2-D projection: the offset from man to woman is "
            "roughly the same as from king to queen, so king − man + woman lands near queen.")
    pts = {"man": (130, 240), "woman": (200, 140), "king": (400, 220), "queen": (470, 120)}
    f.arrow(*pts["man"], *pts["woman"], color=PURPLE_A, width=2)
    f.arrow(*pts["king"], *pts["queen"], color=PURPLE_A, width=2)
    f.arrow(*pts["man"], *pts["king"], color=ORANGE_A, dash=True)
    f.arrow(*pts["woman"], *pts["queen"], color=ORANGE_A, dash=True)
    for x, y in pts.values():
        f.circle(x, y, 5, fill=INK, stroke=None)
    f.text(pts["man"][0] - 10, pts["man"][1] + 20, "man", anchor="middle")
    f.text(pts["woman"][0] - 12, pts["woman"][1] - 10, "woman", anchor="middle")
    f.text(pts["king"][0] + 10, pts["king"][1] + 20, "king", anchor="middle")
    f.text(pts["queen"][0] + 12, pts["queen"][1] - 10, "queen", anchor="middle")
    f.text(130, 180, "gender offset", size=SMALL, fill=PURPLE_A, anchor="end")
    f.text(300, 252, "royalty offset", size=SMALL, fill=ORANGE_A)
    f.box(300, 24, 284, 34, "king − man + woman ≈ queen", fill=PAPER)
    f.text(16, 300, "Schematic 2-D projection of high-dimensional vectors; nearness means cosine "
           "similarity.", size=SMALL, fill=MUTED, anchor="start")
    return f


@figure
def rnn_vanishing_gradient():
    f = Fig("rnn-vanishing-gradient", 700, 320,
            "An RNN unrolled over five steps with the same weights at every step; the gradient from a loss "
            "at the last step reaches early hidden states only through a product of per-step Jacobians, "
            "so it usually shrinks (or explodes) with distance.")
    xs = [96 + i * 120 for i in range(5)]
    hs = []
    for i, x in enumerate(xs):
        h = f.box(x, 110, 64, 40, f"h_{{{i + 1}}}", fill=BLUE)
        hs.append(h)
        xb = f.box(x + 8, 214, 48, 28, f"x_{{{i + 1}}}", fill=PURPLE, size=SMALL)
        f.arrow(h.cx, xb.y, h.cx, h.b)
        f.arrow(h.cx, h.y, h.cx, 76)
        f.text(h.cx, 66, f"y_{{{i + 1}}}", size=SMALL)
    f.text(34, 124, "h_{0}", size=SMALL)
    f.arrow(46, 130, hs[0].x, 130)
    for a, b in zip(hs, hs[1:], strict=False):
        f.arrow(a.r, 122, b.x, 122)
    f.text(hs[-1].cx, 36, "loss L", size=SMALL, bold=True, fill=RED_A)
    widths = [0.7, 1.1, 1.7, 2.6]
    for k, (a, b) in enumerate(zip(hs, hs[1:], strict=False)):
        f.arrow(b.x, 140, a.r, 140, color=RED_A, width=widths[k])
    f.text(hs[0].cx - 6, 186, "∂L/∂h_{1}: tiny", size=SMALL, fill=RED_A, anchor="end")
    f.text(hs[4].cx - 6, 186, "∂L/∂h_{5}", size=SMALL, fill=RED_A, anchor="end")
    f.text(300, 36, "← the gradient flows back through every step, shrinking", size=SMALL, fill=RED_A)
    f.text(16, 274, "∂L/∂h_{1} = ∂L/∂h_{5} · ∏_{t=2..5} ∂h_{t}/∂h_{t−1},   with  ∂h_{t}/∂h_{t−1} = diag(tanh′) W_{hh}",
           anchor="start")
    f.text(16, 298, "The same W_{hh} is multiplied in at every step: factors below 1 make the product vanish, "
           "above 1 explode.", size=SMALL, fill=MUTED, anchor="start")
    return f


@figure
def recurrence_vs_attention():
    f = Fig("recurrence-vs-attention", 700, 290,
            "Path length between distant tokens: in an RNN information from the first token reaches the "
            "last through n − 1 sequential steps, while in self-attention every token reaches every other "
            "in one step and all positions are computed in parallel.")
    n = 6
    f.text(176, 28, "Recurrent layer", bold=True)
    f.text(524, 28, "Self-attention layer", bold=True)
    y = 170
    lx = [46 + i * 52 for i in range(n)]
    for i, x in enumerate(lx):
        f.circle(x, y, 15, fill=BLUE, stroke=BLUE_A)
        f.text(x, y + 5, f"t_{{{i + 1}}}", size=SMALL)
    for a, b in zip(lx, lx[1:], strict=False):
        f.arrow(a + 15, y, b - 15, y, color=ORANGE_A)
    f.brace(lx[-1], y + 26, lx[0], y + 26, color=ORANGE_A)
    f.text(176, y + 58, "n − 1 sequential steps: O(n) path", size=SMALL, fill=ORANGE_A)
    rx = [394 + i * 52 for i in range(n)]
    last = rx[-1]
    for i, x in enumerate(rx[:-1]):
        h = 26 + (n - 1 - i) * 16
        f.curve(x, y - 15, x + 10, y - 15 - h, last - 10, y - 15 - h, last - 4, y - 15, color=GREEN_A, width=1.2)
    for i, x in enumerate(rx):
        f.circle(x, y, 15, fill=BLUE, stroke=BLUE_A)
        f.text(x, y + 5, f"t_{{{i + 1}}}", size=SMALL)
    f.text(524, y + 58, "one step between any two tokens: O(1) path", size=SMALL, fill=GREEN_A)
    f.text(524, 56, "(only the arcs into t_{6} are drawn)", size=10, fill=MUTED)
    f.line(350, 44, 350, 236, stroke=MUTED, dash=True, width=1)
    f.text(16, 262, "Cost per layer: recurrent O(n·d²) but n steps in sequence; self-attention O(n²·d) but "
           "parallel over positions.", size=SMALL, fill=MUTED, anchor="start")
    f.text(16, 280, "n = sequence length, d = model width.", size=SMALL, fill=MUTED, anchor="start")
    return f


@figure
def quantization():
    f = Fig("quantization", 680, 330,
            "Symmetric weight quantisation: a scale s maps real weights onto a small grid of integers, "
            "q = round(w / s), and the layer uses s·q, which differs from w by at most half a step.")
    w = [-0.913, -0.274, 0.052, 0.388, 1.146]   # example weights, chosen for the illustration
    s8 = max(abs(v) for v in w) / 127
    q8 = [round(v / s8) for v in w]
    # table
    heads = ["weight w (FP16)", "q = round(w / s)  (INT8)", "s·q  (used in the matmul)", "error w − s·q"]
    f.text(16, 30, f"INT8, symmetric, one scale per tensor:  s = max|w| / 127 = {s8:.5f}", anchor="start")
    cw = 84
    x0 = 210
    for r, h in enumerate(heads):
        y = 48 + r * 30
        f.text(16, y + 19, h, size=SMALL, anchor="start")
        for c, v in enumerate(w):
            err = v - s8 * q8[c]
            vals = [f"{v:+.3f}", f"{q8[c]:+d}", f"{s8 * q8[c]:+.4f}", f"{err:+.5f}" if abs(err) >= 5e-6 else "0"]
            fill = [PAPER, ORANGE, GREEN, PAPER][r]
            f.box(x0 + c * (cw + 6), y, cw, 26, vals[r].replace("-", "−"), fill=fill, size=SMALL, rx=3)
    # number line with a coarse INT4 grid to make the rounding visible
    s4 = max(abs(v) for v in w) / 7
    ly = 236
    lx0, lx1 = 60, 596
    sc = (lx1 - lx0) / 2.6

    def X(v):
        return (lx0 + lx1) / 2 + v * sc

    f.line(lx0, ly, lx1, ly, stroke=INK, width=1.2)
    for k in range(-7, 8):
        f.line(X(k * s4), ly - 6, X(k * s4), ly + 6, stroke=MUTED, width=1)
        if k in (-7, 0, 7):
            f.text(X(k * s4), ly + 22, f"{k:+d}".replace("-", "−") if k else "0", size=10, fill=MUTED)
    for v in w:
        q = round(v / s4)
        f.circle(X(v), ly - 22, 4, fill=BLUE_A, stroke=None)
        f.arrow(X(v), ly - 18, X(q * s4), ly - 2, color=BLUE_A, width=1)
    f.text(lx0, ly - 34, "w", size=SMALL, fill=BLUE_A, anchor="start")
    f.text(lx1 + 8, ly + 4, "INT4 grid", size=10, fill=MUTED, anchor="start")
    f.text(340, 292, "grid drawn for INT4 (15 levels, s = max|w| / 7); INT8's 255 levels are too fine to draw",
           size=SMALL, fill=MUTED)
    f.text(340, 316, "An outlier stretches s and wastes levels: hence per-channel or per-group scales.",
           size=SMALL, fill=MUTED)
    return f

@figure
def autoregressive_generation():
    f = Fig("autoregressive-generation", 700, 312,
            "Autoregressive generation: the model reads the sequence so far, outputs a distribution over "
            "the next token, one token is chosen and appended, and the loop repeats until an end token or "
            "a length limit.")
    words = ["The", "cat", "sat", "on"]
    x = 16
    for i, w in enumerate(words):
        tw = text_width(w, LABEL) + 16
        f.box(x, 40, tw, 30, w, fill=PAPER if i < 2 else GREEN, rx=3)
        x += tw + 4
    f.box(x, 40, 44, 30, "?", fill=PAPER, dash=True, stroke=MUTED, text_fill=MUTED, rx=3)
    f.text(16, 26, "prompt (white) + generated so far (green)", size=SMALL, fill=MUTED, anchor="start")
    seq_r = x + 44
    model = f.box(16, 120, 250, 44, "model: p(x_{t} | x_{<t})", fill=BLUE)
    f.arrow(model.cx - 60, 70, model.cx - 60, model.y)
    f.text(model.cx - 52, 98, "whole sequence in", size=10, fill=MUTED, anchor="start")
    # distribution
    probs = [("the", 0.46), ("a", 0.22), ("my", 0.12), ("top", 0.08), ("…", 0.12)]
    bx0, base = 340, 190
    for i, (w, pr) in enumerate(probs):
        hgt = pr * 180
        bx = bx0 + i * 46
        f.rect(bx, base - hgt, 32, hgt, ORANGE if i == 0 else PAPER, ORANGE_A if i == 0 else MUTED, rx=0, width=1)
        f.text(bx + 16, base + 16, w, size=SMALL)
    f.line(bx0 - 8, base, bx0 + 5 * 46 - 6, base, width=1)
    f.text(bx0 + 112, base + 38, "next-token probabilities (schematic)", size=SMALL, fill=MUTED)
    f.arrow(model.r, model.cy, bx0 - 16, model.cy)
    f.text(bx0 + 112, base + 58, "choose one (greedy, or sample with T / top-k / top-p)", size=SMALL)
    # append loop
    f.elbow([(bx0 + 16, base - 0.46 * 180), (bx0 + 16, 55), (seq_r + 8, 55)], color=GREEN_A)
    f.text(bx0 + 24, 84, "append “the”", size=SMALL, fill=GREEN_A, anchor="start")
    f.text(16, 282, "Repeat until an end-of-sequence token or a length limit. Each step needs the previous "
           "one, so generation", size=SMALL, fill=MUTED, anchor="start")
    f.text(16, 300, "is sequential; the KV cache avoids recomputing the prefix.", size=SMALL, fill=MUTED,
           anchor="start")
    return f


@figure
def conditional_gan():
    f = Fig("conditional-gan", 700, 286,
            "A conditional GAN: the label or condition y is given to both networks, so the generator "
            "produces G(z, y) and the discriminator judges whether a sample is real and matches y.")
    z = f.box(16, 40, 100, 36, "noise z", fill=PAPER)
    y1 = f.box(16, 100, 100, 36, "condition y", fill=ORANGE)
    G = f.box(150, 60, 110, 56, "Generator\nG(z, y)", fill=PURPLE)
    f.elbow([(z.r, z.cy), (132, z.cy), (132, G.cy - 10), (G.x, G.cy - 10)])
    f.elbow([(y1.r, y1.cy), (132, y1.cy), (132, G.cy + 10), (G.x, G.cy + 10)], color=ORANGE_A)
    fake = f.box(296, 68, 110, 40, "fake sample", fill=PURPLE, size=SMALL)
    f.arrow(G.r, G.cy, fake.x, fake.cy)
    real = f.box(296, 150, 110, 40, "real (x, y) pair", fill=GREEN, size=SMALL)
    D = f.box(452, 90, 116, 64, "Discriminator\nD(x, y)", fill=BLUE)
    f.elbow([(fake.r, fake.cy), (430, fake.cy), (430, D.cy - 14), (D.x, D.cy - 14)])
    f.elbow([(real.r, real.cy), (430, real.cy), (430, D.cy + 14), (D.x, D.cy + 14)])
    y2 = f.box(460, 196, 100, 32, "same y", fill=ORANGE, size=SMALL)
    f.arrow(y2.cx, y2.y, D.cx, D.b, color=ORANGE_A)
    out = f.box(592, 96, 92, 52, "real and\nmatches y?", fill=PAPER, size=SMALL)
    f.arrow(D.r, D.cy, out.x, out.cy)
    f.text(16, 254, "Unconditional: sample z, get some image. Conditional: also choose y (a class label, text "
           "or an input image)", size=SMALL, fill=MUTED, anchor="start")
    f.text(16, 272, "and get a sample of that kind; D penalises realistic samples that do not match y.",
           size=SMALL, fill=MUTED, anchor="start")
    return f


@figure
def prompt_anatomy():
    f = Fig("prompt-anatomy", 640, 374,
            "The parts of a prompt as the model sees them: everything is one token sequence in the context "
            "window, made of a system message, instructions, supplied context, examples, the user's "
            "input and an output specification, followed by the model's answer.")
    parts = [("system message", "role, rules, tone", PURPLE),
             ("instructions", "the task, step by step; constraints", BLUE),
             ("context", "documents, data, chat history", GREEN),
             ("examples (few-shot)", "input → desired output pairs", ORANGE),
             ("user input", "the actual question or document", PAPER),
             ("output specification", "format, length, JSON schema", BLUE)]
    x0, w = 40, 420
    y = 24
    for name, what, fill in parts:
        b = f.box(x0, y, w, 38, "", fill=fill)
        f.text(b.x + 14, b.cy + 5, name, bold=True, size=SMALL, anchor="start")
        f.text(b.x + 170, b.cy + 5, what, size=SMALL, anchor="start")
        y += 44
    ans = f.box(x0, y + 8, w, 38, "", fill=PAPER, dash=True, stroke=MUTED)
    f.text(ans.x + 14, ans.cy + 5, "model's answer", bold=True, size=SMALL, anchor="start", fill=MUTED)
    f.text(ans.x + 170, ans.cy + 5, "generated token by token after all of it", size=SMALL, anchor="start",
           fill=MUTED)
    tip = f.brace(x0 + w + 12, 24, x0 + w + 12, ans.b, color=MUTED)
    f.text(tip[0] + 8, tip[1] - 4, "one token", size=SMALL, anchor="start", fill=MUTED)
    f.text(tip[0] + 8, tip[1] + 12, "sequence in the", size=SMALL, anchor="start", fill=MUTED)
    f.text(tip[0] + 8, tip[1] + 28, "context window", size=SMALL, anchor="start", fill=MUTED)
    f.text(16, 362, "Order and wording matter: the model conditions on all of it and nothing else.",
           size=SMALL, fill=MUTED, anchor="start")
    return f


# =============================================================================================

PALETTE = {INK, MUTED, PAPER, BLUE, BLUE_A, GREEN, GREEN_A, ORANGE, ORANGE_A, PURPLE, PURPLE_A, RED, RED_A}
ELEMENTS = {"svg", "g", "rect", "circle", "ellipse", "line", "polyline", "polygon", "path", "text", "tspan",
            "title", "desc"}


def check(name: str, svg: str) -> None:
    """The reader's contract: palette colours only (the dark theme swaps them) and elements QtSvg draws."""
    colours = set(re.findall(r'(?:fill|stroke)="([^"]*)"', svg)) - {"none"}
    tags = set(re.findall(r"<([a-z]+)[\s>/]", svg))
    if not colours <= PALETTE:
        raise SystemExit(f"make_figures: {name}: colours outside the palette {sorted(colours - PALETTE)}")
    if not tags <= ELEMENTS:
        raise SystemExit(f"make_figures: {name}: elements QtSvg may not draw {sorted(tags - ELEMENTS)}")


def main(argv: list[str]) -> int:
    """Write every figure (or only the named ones) into content/figures (or --out DIR)."""
    out, only = OUT, set()
    args = list(argv)
    if args[:1] == ["--out"]:
        out, args = Path(args[1]), args[2:]
    only = set(args)
    out.mkdir(parents=True, exist_ok=True)
    names = set()
    for fn in FIGURES:
        fig = fn()
        assert fig.name not in names, f"duplicate figure name {fig.name}"
        names.add(fig.name)
        if only and fig.name not in only:
            continue
        svg = fig.svg()
        check(fig.name, svg)
        (out / f"{fig.name}.svg").write_text(svg, encoding="utf-8", newline="\n")
    print(f"make_figures: {len(names)} figures -> {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
