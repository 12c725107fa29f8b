"""The faint box a formula shows as while it is rendered (ui/formula_placeholder.py)."""

from __future__ import annotations

from genai_desktop.ui.formula_baseline import TextLine
from genai_desktop.ui.formula_placeholder import PlaceholderLook, draw_placeholder, draw_placeholders, inline_padding

LOOK = PlaceholderLook(scale=0.5, dpr=1.5, colour="#eef1f5", text_line=TextLine(15.0, 4.0))


def test_a_placeholder_is_the_estimated_size_at_the_screens_pixel_ratio(qapp) -> None:
    image = draw_placeholder(200, 40, inline=False, look=LOOK)
    assert (image.width(), image.height()) == (150, 30)  # 200 x 40 units, halved, at 1.5 device pixels
    assert image.devicePixelRatio() == 1.5


def test_an_inline_formula_is_padded_to_whole_device_pixels_around_the_text_line(qapp) -> None:
    top, bottom = inline_padding(12.3, 3.1, LOOK)
    device_height = (12.3 + 3.1 + top + bottom) * LOOK.dpr
    assert top > 0 and bottom >= 0 and abs(device_height - round(device_height)) < 1e-6
    image = draw_placeholder(200, 40, inline=True, look=LOOK)
    assert image.width() == 150 and image.height() > 30  # padded above and below its box


def test_placeholders_of_the_same_size_share_one_image(qapp) -> None:
    drawn = draw_placeholders({"a": (10.0, 5.0, False), "b": (10.0, 5.0, False), "c": (10.0, 5.0, True)}, LOOK)
    assert drawn["a"].cacheKey() == drawn["b"].cacheKey()
    assert drawn["c"].cacheKey() != drawn["a"].cacheKey()  # the inline one is padded
