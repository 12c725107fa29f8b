"""The reader never renders a formula on the UI thread: placeholders of about the right size,
then each formula as it arrives from the runner (ui/formula_loader.py)."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from PySide6.QtCore import QUrl
from PySide6.QtGui import QTextDocument

import genai_desktop.core.render.formulas as formulas_module
from genai_desktop.core.render.formulas import Formula, FormulaCache, estimate_size
from genai_desktop.ui.reader import _with_header

IMAGE = QTextDocument.ResourceType.ImageResource
PAGE = "q:gan-objective"  # the starter pack's page with two display formulas


def _formula_keys(reader) -> list[str]:
    return [part.split('"', 1)[0] for part in reader.body_html.split('src="formula:')[1:]]


def _resource(reader, key: str):
    return reader.document().resource(IMAGE, QUrl(f"formula:{key}"))


def _record_render_threads(monkeypatch) -> list[int]:
    threads: list[int] = []
    real = formulas_module.render_svg

    def recording(formula, color="#000000"):
        threads.append(threading.get_ident())
        return real(formula, color)

    monkeypatch.setattr(formulas_module, "render_svg", recording)
    return threads


def test_formulas_render_off_the_ui_thread_and_replace_their_placeholders(make_window, qtbot, monkeypatch,
                                                                          page_shown) -> None:
    threads = _record_render_threads(monkeypatch)
    held = threading.Event()  # no formula arrives before its placeholder is looked at
    recording = formulas_module.render_svg
    monkeypatch.setattr(formulas_module, "render_svg", lambda *args: held.wait(30) and recording(*args))
    window = make_window()
    reader = window.reader
    reader.show_page(PAGE)
    page_shown(reader)
    keys = _formula_keys(reader)
    assert keys and reader.formulas_pending()
    placeholders = {key: _resource(reader, key) for key in keys}
    held.set()
    with qtbot.waitSignal(reader.formulas_arrived, timeout=30_000):
        pass
    qtbot.waitUntil(lambda: not reader.formulas_pending(), timeout=30_000)
    assert threads and threading.get_ident() not in threads  # every render on the worker
    for key in keys:
        image = _resource(reader, key)
        assert window.workspace.formulas.svg(key) is not None
        assert image.cacheKey() != placeholders[key].cacheKey()  # the formula, not its box
        assert image.cacheKey() == reader._formula_image(key).cacheKey()  # noqa: SLF001
    assert "class=\"error\"" not in reader.body_html
    # Laid out again where the formulas arrived: the page is as tall as the same HTML set afresh.
    qtbot.waitUntil(lambda: not reader._formula_relayout.isActive(), timeout=5000)  # noqa: SLF001
    height = reader.document().size().height()
    reader.setHtml(_with_header(reader.body_html, reader.header_html))  # the page as shown: card-state line too
    assert abs(reader.document().size().height() - height) < 1


def test_a_placeholder_has_the_estimated_size_of_its_formula(make_window, page_shown, monkeypatch) -> None:
    held = threading.Event()  # no formula arrives while the placeholder is measured
    real = formulas_module.render_svg
    monkeypatch.setattr(formulas_module, "render_svg", lambda *args: held.wait(30) and real(*args))
    try:
        window = make_window()
        reader = window.reader
        reader.show_page(PAGE)
        page_shown(reader)
        key = _formula_keys(reader)[0]
        latex = reader.formula_source._queued[key]  # noqa: SLF001 - the formula behind the key
        width, height = estimate_size(latex)
        image = _resource(reader, key)
        scale = reader._formula_scale()  # noqa: SLF001
        dpr = image.devicePixelRatio()
        assert abs(image.width() / dpr - width * scale) <= 1 and abs(image.height() / dpr - height * scale) <= 1
    finally:
        held.set()


def test_a_formula_refused_on_the_worker_becomes_the_error_box_with_its_source(make_window, starter_pack,
                                                                             qtbot) -> None:
    topic = starter_pack / "topics" / "02-gans.md"
    topic.write_text(topic.read_text() + "\nBroken: $$\\frac{1}{$$\n")
    window = make_window()
    reader = window.reader
    reader.show_page(PAGE)
    qtbot.waitUntil(lambda: "This formula could not be rendered" in reader.toPlainText(), timeout=30_000)
    assert "\\frac{1}{" in reader.toPlainText() and not reader.formulas_pending()


def test_a_page_shown_again_uses_the_rendered_formulas_at_once(make_window, qtbot, monkeypatch) -> None:
    window = make_window()
    reader = window.reader
    reader.show_page(PAGE)
    qtbot.waitUntil(lambda: not reader.formulas_pending(), timeout=30_000)
    reader.show_page("q:attention-basics")  # has formulas of its own: let them arrive too
    qtbot.waitUntil(lambda: not reader.formulas_pending(), timeout=30_000)
    threads = _record_render_threads(monkeypatch)
    reader.show_page(PAGE)  # converted before, with every formula: set at once, nothing to render
    assert not reader.converting() and not reader.formulas_pending() and threads == []


def test_the_loader_drops_the_formulas_of_a_page_left_behind(tmp_path: Path, qtbot) -> None:
    from genai_desktop.ui import runner
    from genai_desktop.ui.formula_loader import FormulaLoader

    release = threading.Event()
    rendered: list[str] = []
    threads: set[int] = set()

    class SlowCache(FormulaCache):
        def get(self, formula: Formula, color: str):
            release.wait(10)
            rendered.append(formula.latex)
            threads.add(threading.get_ident())
            return super().get(formula, color)

    cache = SlowCache(tmp_path)
    loader = FormulaLoader(cache)
    arrived: list[str] = []
    loader.arrived.connect(arrived.extend)
    old = {Formula(f"a_{n}", False).key("#000"): (Formula(f"a_{n}", False), "#000") for n in range(5)}
    new = {Formula("b", False).key("#000"): (Formula("b", False), "#000")}
    loader.request(old)
    assert runner.busy()  # the work is the runner's: waited for when the app closes
    qtbot.waitUntil(lambda: len(loader._queue) == 4, timeout=5000)  # noqa: SLF001 - the first is rendering
    loader.request(new)
    release.set()
    qtbot.waitUntil(lambda: len(arrived) == 2 and not runner.busy(), timeout=10_000)
    assert rendered == ["a_0", "b"] and arrived[-1] in new and loader.idle()
    assert threading.get_ident() not in threads
    loader.close()


def test_formulas_rendered_while_the_ui_thread_was_busy_arrive_as_one_batch(tmp_path: Path, qtbot) -> None:
    from genai_desktop.ui.formula_loader import FormulaLoader

    loader = FormulaLoader(FormulaCache(tmp_path))
    batches: list[list[str]] = []
    loader.arrived.connect(batches.append)
    formulas = {Formula(f"x_{n}", False).key("#000"): (Formula(f"x_{n}", False), "#000") for n in range(4)}
    loader.request(formulas)
    deadline = time.monotonic() + 30
    while loader._working and time.monotonic() < deadline:  # noqa: SLF001 - the UI thread busy meanwhile
        time.sleep(0.02)
    qtbot.waitUntil(lambda: sum(map(len, batches)) == 4, timeout=10_000)
    assert len(batches) < 4 and sorted(key for batch in batches for key in batch) == sorted(formulas)


def test_a_request_after_the_queue_ran_dry_starts_a_new_job(tmp_path: Path, qtbot) -> None:
    from genai_desktop.ui.formula_loader import FormulaLoader

    loader = FormulaLoader(FormulaCache(tmp_path))
    arrived: list[str] = []
    loader.arrived.connect(arrived.extend)
    first, second = Formula("p", False), Formula("q", False)
    loader.request({first.key("#000"): (first, "#000")})
    qtbot.waitUntil(lambda: len(arrived) == 1, timeout=30_000)
    loader.request({second.key("#000"): (second, "#000")})
    qtbot.waitUntil(lambda: len(arrived) == 2, timeout=30_000)
    assert arrived == [first.key("#000"), second.key("#000")]


def test_a_closed_loader_reports_nothing(tmp_path: Path, qtbot) -> None:
    from genai_desktop.ui import runner
    from genai_desktop.ui.formula_loader import FormulaLoader

    loader = FormulaLoader(FormulaCache(tmp_path))
    arrived: list[str] = []
    loader.arrived.connect(arrived.extend)
    formulas = {Formula(f"y_{n}", False).key("#000"): (Formula(f"y_{n}", False), "#000") for n in range(5)}
    loader.request(formulas)
    loader.close()
    qtbot.waitUntil(lambda: not runner.busy(), timeout=30_000)
    assert arrived == []
    loader.request(formulas)  # closed for good
    assert not runner.busy()
