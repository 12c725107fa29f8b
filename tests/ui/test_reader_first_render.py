"""What setting a page leaves to the UI thread (issue #19): the page reaches the layout once, with
its margins, not laid out a second time when they are set after it."""

from __future__ import annotations

from pathlib import Path

import pytest

from genai_desktop.core.workspace import Workspace
from genai_desktop.ui import theme as themes
from genai_desktop.ui.reader import Reader

PAGE = "q:gan-objective"  # the starter pack's page with formulas, a table and code


@pytest.fixture
def reader(qtbot, data_dir: Path, starter_pack: Path):
    workspace = Workspace(data_dir, content_root=starter_pack)
    view = Reader(workspace, themes.LIGHT_THEME)
    qtbot.addWidget(view)
    view.resize(900, 800)
    view.show()
    yield view
    view.stop()
    workspace.close()


def test_a_page_and_its_margins_reach_the_layout_as_one_change(reader: Reader, page_shown) -> None:
    reader.show_page(PAGE)
    page_shown(reader)
    changes: list[tuple[int, int, int]] = []
    reader.document().contentsChange.connect(lambda at, removed, added: changes.append((at, removed, added)))
    reader.setHtml(reader.body_html, same_page=True)
    length = reader.document().characterCount()
    assert changes and changes[-1] == (0, 0, length)  # the new text, once, with its margins
    # Margins set after the text would restyle the whole page, laying it out a second time.
    assert not any(removed == added == length for _at, removed, added in changes)
    assert reader.document().rootFrame().frameFormat().leftMargin() >= 28
