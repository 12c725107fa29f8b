"""Formula timings on the built-in page with the most formulas, with a cold formula cache.

- heavy_page_first_render_ms: UI-thread time of showing the page the first time, median of 5
  fresh caches: the page's title set at once and its first frame, plus, when the conversion
  arrives from the runner (with its formula placeholders drawn there), the HTML set, laid out
  as far as the screen shows and its frame (Qt lays out the rest in later passes, counted in
  heavy_page_arrival_ui_max_ms). The process is warm (ziamath and Qt loaded by an earlier
  page), the formula cache is not.
- heavy_page_first_render_block_ms: the longer of those two UI-thread pieces (what a stall
  meter sees), median of 5.
- heavy_page_shown_ms: wall time from asking for the page until it is on screen whole (the
  conversion runs on the runner meanwhile), median of 5.
- heavy_page_floor_ms: the floor measured in the same run: setHtml of the same page with its
  formulas taken out (converted beforehand) and the first frame, median of 5.
- heavy_page_sync_render_ms: what the first render cost when formulas were rendered on the UI
  thread (the renderer given the plain FormulaCache), once: the "before".
- heavy_page_formulas_ready_ms: from showing the page until every formula has replaced its
  placeholder (worker thread; the UI keeps running meanwhile).
- heavy_page_arrival_ui_max_ms: the longest the UI thread was busy at a time while the formulas
  arrived (each event-loop pass, re-layouts included): what "never blocks" means in numbers.
- formula_estimate_within_2x: share of the page's formulas whose placeholder is within a
  factor of two of the drawn formula's width and height.
"""

from __future__ import annotations

import os
import shutil
import time

from common import WORK, median, time_arrival

RUNS = 5


def _heaviest_page(library) -> tuple[str, str, int]:
    from genai_desktop.core.render.markdown_html import formulas_in

    pages = [(f"q:{q.id}", q.markdown) for q in library.questions()]
    pages += [(f"guide:{g.id}", g.body) for g in library.guides]
    counted = [(len(formulas_in(text)), page, text) for page, text in pages]
    count, page, text = max(counted)
    return page, text, count


def _reader(workspace, theme):
    from genai_desktop.ui.reader import Reader

    reader = Reader(workspace, theme)
    reader.resize(900, 800)
    reader.show()
    return reader


def _wait_for_formulas(app, reader, limit_s: float = 300) -> tuple[float, float]:
    """(ms until no placeholder is left, longest single event-loop pass in ms)."""
    start = time.perf_counter()
    longest = 0.0
    while reader.formulas_pending() or reader._formula_relayout.isActive():  # noqa: SLF001
        tick = time.perf_counter()
        app.processEvents()
        longest = max(longest, (time.perf_counter() - tick) * 1000)
        if time.perf_counter() - start > limit_s:
            raise RuntimeError("formulas did not arrive")
        time.sleep(0.002)
    return (time.perf_counter() - start) * 1000, longest



def run() -> dict[str, float]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from genai_desktop.core.render.formulas import estimate_size, render_svg
    from genai_desktop.core.render.markdown_html import MarkdownRenderer, formulas_in, replace_math
    from genai_desktop.core.render.pages import render_page
    from genai_desktop.core.workspace import Workspace
    from genai_desktop.ui import theme
    from genai_desktop.ui.app import make_application

    app = make_application()
    root = WORK / "formulas"
    shutil.rmtree(root, ignore_errors=True)

    # Warm the process as a session that has shown a page with formulas before.
    warm = Workspace(root / "warm")
    page, text, count = _heaviest_page(warm.library)
    reader = _reader(warm, theme.LIGHT_THEME)
    reader.renderer.to_html("warm *up*\n\n```python\nx = 1\n```")
    reader.show_page("q:" + min((q for q in warm.library.questions() if formulas_in(q.markdown)),
                                key=lambda q: len(q.markdown)).id)
    _wait_for_formulas(app, reader)

    # The floor: the same page without its formulas, converted beforehand.
    bare = reader.renderer.to_html(replace_math(text, ""))
    floor = []
    for _ in range(RUNS):
        start = time.perf_counter()
        reader.setHtml(bare)
        reader.viewport().repaint()
        floor.append((time.perf_counter() - start) * 1000)
        app.processEvents()
    reader.close()
    warm.close()

    first, block, shown, ready, longest = [], [], [], [], []
    for n in range(RUNS):
        workspace = Workspace(root / f"cold-{n}")  # an empty formula cache, in memory and on disk
        workspace.library  # noqa: B018 - loaded at start-up in the app, not by the first page
        reader = _reader(workspace, theme.LIGHT_THEME)
        reader.renderer.to_html("warm *up*\n\n```python\nx = 1\n```")  # as the window does after start-up
        app.processEvents()
        arrival = time_arrival(reader)
        start = time.perf_counter()
        reader.show_page(page)
        reader.viewport().repaint()
        title_ms = (time.perf_counter() - start) * 1000
        while reader.converting():
            app.processEvents()
            time.sleep(0.001)
        shown.append((time.perf_counter() - start) * 1000)
        first.append(title_ms + sum(arrival))
        block.append(max([title_ms, *arrival]))
        all_in, slowest = _wait_for_formulas(app, reader)
        ready.append(all_in + shown[-1])
        longest.append(slowest)
        reader.close()
        workspace.close()

    # The "before": the same first render with every formula rendered on this thread.
    workspace = Workspace(root / "sync")
    workspace.library  # noqa: B018
    reader = _reader(workspace, theme.LIGHT_THEME)
    app.processEvents()
    start = time.perf_counter()
    reader.setHtml(render_page(workspace.library, page, MarkdownRenderer(workspace.formulas, theme.LIGHT_THEME.page)))
    reader.viewport().repaint()
    sync_ms = (time.perf_counter() - start) * 1000
    reader.close()
    workspace.close()

    import re

    within = total = 0
    for formula in {(f.latex, f.display): f for f in formulas_in(text)}.values():
        try:
            svg = render_svg(formula)
        except ValueError:
            continue
        drawn_w = float(re.search(r'width="([\d.]+)"', svg).group(1))
        drawn_h = float(re.search(r'height="([\d.]+)"', svg).group(1))
        width, height = estimate_size(formula)
        total += 1
        within += 0.5 <= width / drawn_w <= 2 and 0.5 <= height / drawn_h <= 2
    shutil.rmtree(root, ignore_errors=True)
    print(f"  heaviest page: {page} ({count} formulas)")
    return {
        "heavy_page_formulas": float(count),
        "heavy_page_first_render_ms": median(first),
        "heavy_page_first_render_block_ms": median(block),
        "heavy_page_shown_ms": median(shown),
        "heavy_page_floor_ms": median(floor),
        "heavy_page_vs_floor_ratio": median(first) / median(floor),
        "heavy_page_sync_render_ms": sync_ms,
        "heavy_page_formulas_ready_ms": median(ready),
        "heavy_page_arrival_ui_max_ms": max(longest),
        "formula_estimate_within_2x": within / total if total else float("nan"),
    }
