"""The padding that puts an inline formula's baseline on the baseline of the text around it.

An image in a line of text has no baseline of its own, and QTextBrowser offers no way to give
it one. How Qt 6 places an image in a line (measured on 6.11; tests/ui/test_formula_baseline.py
keeps the measurement honest):

- ``vertical-align: baseline`` (the default): its bottom sits on the baseline, so nothing of a
  formula can hang below it (``x_i``, a fraction's denominator float above the text);
- ``middle``: the image adds ``(H ± x-height / 2) / 2`` above and below the baseline and is drawn
  centred in the line box; a formula taller above its baseline than the text makes the line
  taller below as well, so lines with superscripts grow by half again;
- ``top``: the image is drawn from the top of the line box, and a taller image than the line
  grows the line by the same amount above and below the baseline.

Inline formulas use ``top``, each image padded with blank rows so that it is at least as tall
as the line of text and its part above the formula's baseline exceeds the part below by
exactly the text's ascent minus its descent. The top of the line box is then always the
image's top, however the line grew, and the formula's baseline the text's: a formula that fits
in a line of text (``$x$``, ``$d_k$``) leaves the line as it was, a taller one grows it by no
more than its own extra height. One honest limit: the line grows for its tallest image, so a
smaller formula sharing a line with a much taller one sits higher by half their difference.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TextLine:
    """The metrics of the text a formula stands in (QFontMetricsF of its font), in pixels."""

    ascent: float  # above the baseline
    descent: float  # below it


def padding(above: float, below: float, line: TextLine) -> tuple[float, float]:
    """(top, bottom) blank pixels around a formula drawn ``above`` and ``below`` its baseline that
    put its baseline on the text's when the image is aligned to the top of the line box."""
    lift = line.ascent - line.descent  # how much more of the image is above the baseline than below
    padded_above = max(above, line.ascent, below + lift)
    return padded_above - above, padded_above - lift - below

