"""A converted page's QTextDocument, built on the runner's thread (ui/reader.py ``_convert``).

Reading HTML into a QTextDocument (parsing it, matching the stylesheet, building blocks, tables
and formats) was the largest part of showing a long page on the UI thread: ~15-25 ms of the
heaviest built-in page's first render. Built here, next to the conversion, it leaves the UI
thread only the document's swap and the layout of what is on screen.

QTextDocument is reentrant: one instance may be used by any one thread at a time. The document
is made and filled on the worker, handed to the UI thread (``moveToThread``) as the last thing
the worker does with it, and touched by the UI thread only after that. It is built without a
layout: no text is measured on the worker, and the only images it holds are the placeholders of
the formulas still to come (ui/formula_placeholder.py); every other image comes from the
reader's ``loadResource``, on the UI thread, which lays the document out when it shows it.
"""

from __future__ import annotations

from typing import NamedTuple

from PySide6.QtCore import QSizeF, QThread, QUrl
from PySide6.QtGui import QFont, QTextDocument, QTextOption

from .formula_placeholder import PlaceholderLook, draw_placeholders


class DocumentLook(NamedTuple):
    """What the reader's document is set up with, copied on the UI thread when a conversion
    starts: a document built with it looks exactly like the page set by ``setHtml`` would."""

    font: QFont
    style_sheet: str
    text_option: QTextOption
    margins: tuple[float, float, float, float]  # the root frame's left, top, right, bottom
    page_size: QSizeF  # the width the view lays its document out at

    @classmethod
    def of(cls, document: QTextDocument) -> DocumentLook:
        frame = document.rootFrame().frameFormat()
        return cls(QFont(document.defaultFont()), document.defaultStyleSheet(),
                   QTextOption(document.defaultTextOption()),
                   (frame.leftMargin(), frame.topMargin(), frame.rightMargin(), frame.bottomMargin()),
                   QSizeF(document.pageSize()))


def build_document(html: str, look: DocumentLook, ui_thread: QThread,
                   placeholders: dict[str, tuple[float, float, bool]] | None = None,
                   placeholder_look: PlaceholderLook | None = None) -> QTextDocument:
    """``html`` read into a new document set up as ``look`` says, handed over to ``ui_thread``.
    ``placeholders``: the formulas not rendered yet, by key ((width, height, inline) each), whose
    placeholders are drawn here into the document's resources, as ``placeholder_look`` says.
    Runs on a worker thread; the caller must not use the document afterwards."""
    document = QTextDocument()
    document.setUndoRedoEnabled(False)  # a reader's page is never edited
    document.setDefaultFont(look.font)  # before the HTML: its sizes and the stylesheet's build on it
    document.setDefaultStyleSheet(look.style_sheet)
    # The view would set its wrap mode on the document it is given, and a new option makes the
    # document lay itself out again from the top: given the view's own, nothing changes.
    document.setDefaultTextOption(look.text_option)
    document.setHtml(html)
    # setHtml makes a new root frame: its margins (the reader's side margins; all four, so the
    # document margin the reader zeroes plays no part) are set after it.
    frame = document.rootFrame().frameFormat()
    left, top, right, bottom = look.margins
    frame.setLeftMargin(left)
    frame.setTopMargin(top)
    frame.setRightMargin(right)
    frame.setBottomMargin(bottom)
    document.rootFrame().setFrameFormat(frame)
    # The layout the UI thread creates then starts at the view's width: without it, it would
    # lay the page out once at no width at all (~10 ms) before the view sets its own.
    document.setPageSize(look.page_size)
    if placeholders and placeholder_look is not None:
        # In the document's resources the layout finds them without asking the reader.
        for key, image in draw_placeholders(placeholders, placeholder_look).items():
            document.addResource(QTextDocument.ResourceType.ImageResource, QUrl(f"formula:{key}"), image)
    document.moveToThread(ui_thread)
    return document
