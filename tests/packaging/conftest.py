"""The packaging tests build the app with PyInstaller (~30 s): run them after everything else,
so a quick failure elsewhere shows first and `pytest -x` stops before the build."""

from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config, items) -> None:
    items.sort(key=lambda item: Path(str(item.path)).resolve().is_relative_to(HERE))
