"""The reader's own links in rendered pages: a code block's Copy link, wiki-links to pages."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QUrl
from PySide6.QtGui import QGuiApplication, QTextCursor

from genai_desktop.core.workspace import Workspace
from genai_desktop.ui import theme as themes
from genai_desktop.ui.reader import Reader


@pytest.fixture
def reader(qtbot, data_dir: Path, starter_pack: Path):
    workspace = Workspace(data_dir, content_root=starter_pack)
    view = Reader(workspace, themes.LIGHT_THEME)
    qtbot.addWidget(view)
    view.resize(700, 500)
    view.show()
    yield view
    workspace.close()


def anchor_url(view: Reader, prefix: str) -> str:
    """The href of the first link in the shown document that starts with ``prefix``."""
    block = view.document().begin()
    while block.isValid():
        it = block.begin()
        while not it.atEnd():
            href = it.fragment().charFormat().anchorHref()
            if href.startswith(prefix):
                return href
            it += 1
        block = block.next()
    raise AssertionError(f"no {prefix} link in the page")


def test_the_copy_link_puts_the_code_block_on_the_clipboard(reader: Reader) -> None:
    code = "def f(x):\n    return x < 1  # 100% & done\n"
    QGuiApplication.clipboard().setText("before")
    reader.show_html(reader.renderer.to_html(f"Text\n\n```python\n{code}```\n"))
    href = anchor_url(reader, "copy:")  # the link as QTextBrowser read it from the page
    reader.anchorClicked.emit(QUrl(href))
    assert QGuiApplication.clipboard().text() == code


def test_a_wiki_link_to_a_question_title_opens_that_question(reader: Reader) -> None:
    question = next(reader.workspace.library.questions())
    reader.show_html(reader.renderer.to_html(f"See [[{question.title.upper()}]] and [[No such page]]."))
    href = anchor_url(reader, "q:")
    assert href == f"q:{question.id}"
    reader.anchorClicked.emit(QUrl(href))
    assert reader.current_page == f"q:{question.id}"


def test_an_unresolved_wiki_link_is_plain_text(reader: Reader) -> None:
    reader.show_html(reader.renderer.to_html("See [[No such page]] here."))
    assert reader.toPlainText().strip() == "See No such page here."
    cursor = QTextCursor(reader.document())
    cursor.movePosition(QTextCursor.MoveOperation.End)
    assert not cursor.charFormat().isAnchor()
