"""ui/warm_up.py: the views' modules are imported after the start, one per pass of the event
loop with the window idle in between, and not at all once the window is gone."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from PySide6.QtWidgets import QWidget

from genai_desktop.ui import warm_up
from genai_desktop.ui.warm_up import ViewWarmUp


@pytest.fixture
def probes(tmp_path: Path, monkeypatch) -> list[str]:
    """Three importable modules that record when they are imported."""
    names = [f"warm_probe_{n}" for n in range(3)]
    for name in names:
        (tmp_path / f"{name}.py").write_text(f"import builtins\nbuiltins.warm_probes.append({name!r})\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr("builtins.warm_probes", [], raising=False)
    monkeypatch.setattr(warm_up, "IDLE_MS", 20)
    yield names
    for name in names:
        sys.modules.pop(name, None)


def _warming(qtbot, probes: list[str]) -> tuple[QWidget, ViewWarmUp]:
    window = QWidget()
    qtbot.addWidget(window)
    window.show()
    warming = ViewWarmUp(window, tuple(probes))
    warming.start()
    return window, warming


def test_modules_are_imported_one_pass_at_a_time(qtbot, probes) -> None:
    import builtins

    _window, warming = _warming(qtbot, probes)
    assert builtins.warm_probes == []  # nothing on the spot: the start's own work comes first
    qtbot.waitUntil(lambda: builtins.warm_probes == probes[:1], timeout=2000)
    assert not warming.done()
    qtbot.waitUntil(warming.done, timeout=2000)
    assert builtins.warm_probes == probes


def test_a_window_gone_imports_nothing_more(qtbot, probes) -> None:
    import builtins

    window, warming = _warming(qtbot, probes)
    qtbot.waitUntil(lambda: len(builtins.warm_probes) == 1, timeout=2000)
    window.hide()
    qtbot.waitUntil(warming.done, timeout=2000)
    assert builtins.warm_probes == probes[:1]


def test_the_window_warms_the_views_modules(make_window, qtbot) -> None:
    window = make_window()
    qtbot.waitUntil(lambda: window.view_warm_up is not None and window.view_warm_up.done(), timeout=15000)
    assert all(name in sys.modules for name in warm_up.VIEW_MODULES)
