"""A converted page's QTextDocument, built on the runner's thread (ui/reader.py ``_convert``).

Reading HTML into a QTextDocument (parsing it, matching the stylesheet, building blocks, tables
and formats) was the largest part of showing a long page on the UI thread: ~15-25 ms of the
heaviest built-in page's first render. Built here, next to the conversion, it leaves the UI
thread only the document's swap and the layout of what is on screen.

QTextDocument is reentrant: one instance may be used by any one thread at a time. The document
is made and filled on the worker, handed to the UI thread (``moveToThread``) as the last thing
the worker does with it, and touched by the UI thread only after that. It is built without a
layout: no text is measured and no image is loaded on the worker (images come from the reader's
``loadResource``, which belongs to the UI thread); the UI thread lays it out when it shows it.
"""

from __future__ import annotations

from typing import NamedTuple

from PySide6.QtCore import QSizeF, QThread
from PySide6.QtGui import QFont, QTextDocument, QTextOption


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


def build_document(html: str, look: DocumentLook, ui_thread: QThread) -> QTextDocument:
    """``html`` read into a new document set up as ``look`` says, handed over to ``ui_thread``.
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
    document.moveToThread(ui_thread)
    return document
