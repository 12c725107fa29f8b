"""The reader reads nothing outside the content and data folders and opens only http, https, mailto."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PySide6.QtCore import QUrl
from PySide6.QtGui import QColor, QDesktopServices, QImage

from genai_desktop.core.workspace import Workspace
from genai_desktop.ui import theme as themes
from genai_desktop.ui.reader import Reader

IMAGE = 2  # QTextDocument.ImageResource
RED = QColor("#ff0000")


def solid_png(path: Path, colour: QColor, size: int = 7) -> Path:
    image = QImage(size, size, QImage.Format.Format_RGB32)
    image.fill(colour)
    path.parent.mkdir(parents=True, exist_ok=True)
    assert image.save(str(path))
    return path


@pytest.fixture
def reader(qtbot, tmp_path: Path, data_dir: Path, starter_pack: Path):
    # A secret image outside the pack, and a legitimate one inside it.
    secret = solid_png(tmp_path / "secret.png", RED)
    solid_png(starter_pack / "images" / "ok.png", QColor("#00ff00"))
    if hasattr(os, "symlink"):
        os.symlink(secret, starter_pack / "images" / "link.png")
    workspace = Workspace(data_dir, content_root=starter_pack)
    view = Reader(workspace, themes.LIGHT_THEME)
    qtbot.addWidget(view)
    first = next(workspace.library.questions())
    assert view.show_page(f"q:{first.id}")
    yield view
    workspace.close()


def is_secret(image) -> bool:
    return isinstance(image, QImage) and image.width() == 7 and image.pixelColor(3, 3) == RED


@pytest.mark.parametrize("url", [
    "image:../../secret.png",
    "image:../secret.png",
    "image:..%2F..%2Fsecret.png",
    "image:%2e%2e/%2e%2e/secret.png",
    "image:images/link.png",  # a symlink inside the pack pointing outside it
    "image:/etc/passwd",
    "image:../../../../../../etc/passwd",
    "file:///etc/passwd",
    "file:../../secret.png",
    "../../secret.png",
    "/etc/passwd",
    "http://example.com/x.png",
    "data:image/png;base64,AAAA",
])
def test_images_outside_the_pack_are_never_read(reader: Reader, tmp_path: Path, url: str) -> None:
    result = reader.loadResource(IMAGE, QUrl(url))
    assert not is_secret(result)
    assert isinstance(result, QImage) and result.width() >= 400  # the labelled placeholder


def test_absolute_path_to_the_secret_is_refused(reader: Reader, tmp_path: Path) -> None:
    for url in (f"image:{tmp_path / 'secret.png'}", QUrl.fromLocalFile(str(tmp_path / "secret.png")).toString()):
        assert not is_secret(reader.loadResource(IMAGE, QUrl(url)))


def test_an_image_inside_the_pack_is_shown(reader: Reader) -> None:
    image = reader.loadResource(IMAGE, QUrl("image:images/ok.png"))
    assert isinstance(image, QImage) and image.width() == 7 and image.pixelColor(3, 3) == QColor("#00ff00")


def test_other_resources_are_never_loaded(reader: Reader) -> None:
    for kind in (1, 3):  # HtmlResource, StyleSheetResource
        assert reader.loadResource(kind, QUrl("file:///etc/passwd")) is None


def test_hostile_markdown_renders_placeholders_only(reader: Reader, tmp_path: Path) -> None:
    html = reader.renderer.to_html("![s](../../secret.png) <img src='file:///etc/passwd'> "
                                   f"<img src='{tmp_path / 'secret.png'}'>")
    reader.show_html(html)
    reader.resize(800, 600)
    reader.show()
    reader.viewport().repaint()  # layout requests every image through loadResource
    from PySide6.QtGui import QTextImageFormat

    names = []
    block = reader.document().begin()
    while block.isValid():
        for fragment in (it.fragment() for it in block):
            fmt = fragment.charFormat()
            if fmt.isImageFormat():
                names.append(QTextImageFormat(fmt).name())
        block = block.next()
    assert len(names) == 3
    for name in names:
        loaded = reader.document().resource(IMAGE, QUrl(name))
        assert loaded is not None and not is_secret(loaded)


def test_links_open_only_on_click_and_only_for_safe_schemes(reader: Reader, monkeypatch) -> None:
    assert not reader.openLinks() and not reader.openExternalLinks()
    opened: list[str] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url.toString()) or True)
    for url in ("file:///etc/passwd", "javascript:alert(1)", "data:text/html,x", "ftp://example.com/x",
                "smb://host/share", "../../etc/passwd", "/etc/passwd", "vbscript:x"):
        reader.anchorClicked.emit(QUrl(url))
    assert opened == []
    for url in ("https://example.com/", "http://example.com/", "mailto:me@example.com", "HTTPS://EXAMPLE.COM/"):
        reader.anchorClicked.emit(QUrl(url))
    assert len(opened) == 4
