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


def test_the_first_placeholders_are_drawn_on_the_ui_thread_then_on_the_runner(qtbot, data_dir, starter_pack,
                                                                               monkeypatch) -> None:
    """Drawing builds PySide's Qt namespace on first use; built from two threads at once it loses
    attributes or crashes, so the UI thread draws first (ui/formula_placeholder.py)."""
    import threading

    from genai_desktop.core.workspace import Workspace
    from genai_desktop.ui import formula_placeholder
    from genai_desktop.ui import reader as reader_module
    from genai_desktop.ui import theme as themes

    monkeypatch.setattr(formula_placeholder, "_types_built", False)  # as in a fresh process
    threads: list[bool] = []
    real = formula_placeholder.draw_placeholders

    def recording(boxes, look, **options):
        threads.append(threading.current_thread() is threading.main_thread())
        return real(boxes, look, **options)

    monkeypatch.setattr(formula_placeholder, "draw_placeholders", recording)
    workspace = Workspace(data_dir, content_root=starter_pack)
    reader = reader_module.Reader(workspace, themes.LIGHT_THEME)
    qtbot.addWidget(reader)
    reader.show()
    try:
        for page in ("q:gan-objective", "q:multi-head"):  # both have formulas
            reader.show_page(page)
            qtbot.waitUntil(lambda: not reader.converting(), timeout=15_000)
        assert threads == [True, False]  # the first on the UI thread, the next on the runner
    finally:
        reader.stop()
        workspace.close()
