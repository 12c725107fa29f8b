from __future__ import annotations

from pathlib import Path

import pytest

from genai_desktop.core.workspace import Workspace


@pytest.fixture
def make_window(qtbot, data_dir: Path, starter_pack: Path):
    """Build a real main window on a scratch data folder and the starter pack."""
    from genai_desktop.ui.app import build_window, make_application

    made = []

    def factory(theme: str = "light", content_root: Path | None = None):
        """``content_root``: another library than the starter pack (the built-in one, say)."""
        make_application()
        workspace = Workspace(data_dir, content_root=content_root or starter_pack)
        window = build_window(workspace, theme)
        qtbot.addWidget(window)
        window.show()
        qtbot.waitExposed(window)
        window.activateWindow()  # window shortcuts need the active window
        qtbot.waitUntil(window.isActiveWindow, timeout=2000)
        # What comes right after the first paint (menu items, due counts), as a user finds it.
        qtbot.waitUntil(lambda: bool(window.theme_actions) and window.shortcuts_ready, timeout=3000)
        made.append((window, workspace))
        return window

    yield factory
    for window, workspace in made:
        window.close()
        workspace.close()


@pytest.fixture
def page_shown(qtbot):
    """``page_shown(reader)`` waits until the reader's page is converted: a page not shown before
    is converted on the runner, its title showing meanwhile (ui/reader.py ``show_page``)."""

    def wait(reader, timeout: int = 15_000) -> None:
        qtbot.waitUntil(lambda: not reader.converting(), timeout=timeout)

    return wait


@pytest.fixture
def make_reader(qtbot, data_dir: Path, starter_pack: Path):
    """``make_reader(width, height, guides={"02-long.md": text})``: a shown Reader over the starter
    pack, with these guides added; stopped and its workspace closed after the test."""
    from genai_desktop.ui import theme as themes
    from genai_desktop.ui.reader import Reader

    made = []

    def factory(width: int = 900, height: int = 800, guides: dict[str, str] | None = None) -> Reader:
        for name, text in (guides or {}).items():
            (starter_pack / "guides" / name).write_text(text, encoding="utf-8")
        workspace = Workspace(data_dir, content_root=starter_pack)
        view = Reader(workspace, themes.LIGHT_THEME)
        qtbot.addWidget(view)
        view.resize(width, height)
        view.show()
        made.append((view, workspace))
        return view

    yield factory
    for view, workspace in made:
        view.stop()
        workspace.close()
