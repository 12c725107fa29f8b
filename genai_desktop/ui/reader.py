"""The reader: a QTextBrowser that shows library pages, with history, zoom and safe resources.

A page not converted before is converted on the runner (ui/runner.py) while its title shows
(``show_page``); the UI thread only sets the HTML. (The HTML is not read into a QTextDocument on
the runner: Qt's HTML reader reads the application palette for every link, unguarded, and a
theme change meanwhile crashed it.) Every image goes through ``loadResource``: formulas come
from the formula cache (one not rendered yet shows as a faint box of about its size while the
runner renders it, then takes its place: see ``_await_formulas``; a converted page brings those
boxes drawn, see ``_set_placeholders``), pack images
only from inside the pack's own folder, and anything else (network, ``file:``, ``../``) is
answered with a placeholder box that shows the image's alt text. Links open only on click:
internal ids navigate, http/https/mailto go to the system browser, everything else is ignored.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from PySide6.QtCore import QByteArray, QRectF, QSize, Signal
from PySide6.QtGui import QColor, QFont, QPainter, QTextCursor
from PySide6.QtWidgets import QTextBrowser

from ..core.workspace import Workspace
from . import theme as themes

if TYPE_CHECKING:
    from PySide6.QtCore import QUrl
    from PySide6.QtGui import QImage

    from ..core.render.formulas import DeferredFormulas
    from ..core.render.markdown_html import MarkdownRenderer
    from ..core.render.pages import ConvertedPage
    from .formula_loader import FormulaLoader
    from .formula_placeholder import PlaceholderLook

BASE_FONT_PX = 16.0
ZOOM_STEPS = (0.8, 0.9, 1.0, 1.1, 1.2, 1.35, 1.5, 1.7, 2.0)
EXTERNAL_SCHEMES = {"http", "https", "mailto"}
INTERNAL_SCHEMES = {"q", "guide", "topic", "milestone"}
MAX_TEXT_EM = 42  # about 75-80 characters a line
PAGE_HTML_CACHE = 32  # rendered pages kept (a few MB at most)
# Pages kept laid out, as documents: a page visited again (Back, Forward, a row clicked again) is
# swapped in instead of its HTML being parsed and laid out again (~4x cheaper on the longest
# page). Each holds its layout and its pictures, so only a few.
KEPT_DOCUMENTS = 4
ZOOM_BADGE_MS = 1600  # how long the zoom level stays on screen after a change
# Formulas arriving within this long of each other are laid out together: a page of 70 is laid
# out a few times while they come in, not 70 times.
FORMULA_RELAYOUT_MS = 60
# Formulas that arrive together are drawn in slices of about this long, the event loop running
# between two: a batch of 70 never holds the UI thread for the whole batch.
FORMULA_INSTALL_MS = 20
CORNER_BUTTONS_PX = 88  # the outline button and the star in the top-right corner (ui/outline.py), with a gap


class Reader(QTextBrowser):
    page_changed = Signal(str)
    history_changed = Signal()
    internal_link = Signal(str)
    card_action = Signal(str)  # a "card:<action>" link in the card-state line (core/study/card_state.py)
    first_painted = Signal()  # the page is on screen: what can wait until then starts
    formulas_arrived = Signal()  # formulas that were placeholders are drawn; the page's height changed

    def __init__(self, workspace: Workspace, theme: themes.Theme, parent=None) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self.theme = theme
        self.zoom = 1.0
        self._renderer: MarkdownRenderer | None = None
        self._formulas: DeferredFormulas | None = None
        self._formula_loader: FormulaLoader | None = None
        self._awaited: set[str] = set()  # formula keys shown as placeholders in this document
        self._placeholder_keys: set[str] = set()  # formula keys whose placeholder is a document resource
        self._inline: set[str] = set()  # formula keys of this document that stand in a line of text
        self._refused_arrived = False  # a formula came back refused: the page needs its error box
        self._arrived: list[str] = []  # formula keys drawn in since the last re-layout
        self._to_install: list[str] = []  # formula keys arrived and not drawn in yet
        self._conversion = 0  # counts conversions started: only the latest one is shown
        self._converting = False  # the page shown waits for its conversion (its title is shown)
        self._scroll_bar_held = False  # shown while the title waits for its page (_hold_scroll_bar)
        self._image_positions: dict[str, list[int]] | None = None  # formula key -> its places in the document
        self._images: dict[tuple, QImage] = {}
        self._text_line_for: tuple | None = None  # ((font family, pixel size), its TextLine)
        self._page_html: dict[tuple, str] = {}  # (page, theme) -> HTML of _page_html_library, oldest first
        self._page_html_library = None
        self._kept: dict[str, _KeptDocument] = {}  # page -> its document, laid out; oldest first
        self._document_text: str | None = None  # what the document shows, as set (None: not a page)
        self._document_look: tuple = ()  # the look it was laid out in (_look)
        self._history: list[str] = []
        self._cursor = -1
        # Where each history entry was scrolled to when it was left: Back and Forward return there.
        self._scroll_at: dict[int, int] = {}
        self._pending_scroll: int | None = None  # applied once the page's layout is that tall
        self._scroll_after_show: int | None = None
        self.zoom_badge = None  # "120%" over the page for a moment after a zoom (flash_zoom)
        self.current_page: str | None = None
        self.asset_page: str | None = None  # whose pack pictures come from (also for show_html)
        self._figure_column: int | None = None  # the column width the page's figures were drawn for
        from PySide6.QtCore import QTimer

        self._figure_refit = QTimer(self, singleShot=True, interval=150, timeout=self._refit_figures)
        self._formula_relayout = QTimer(self, singleShot=True, interval=FORMULA_RELAYOUT_MS,
                                        timeout=self._relayout_formulas)
        self._formula_install = QTimer(self, singleShot=True, interval=0, timeout=self._install_formulas)
        self.body_html = ""  # the page as rendered (and cached): without the header below
        # Extra HTML under a page's breadcrumbs, from the progress database (the card-state line):
        # set once the database is open, after the first paint. Never cached with the page.
        self.page_header: Callable[[str], str] | None = None
        self.header_html = ""
        self._painted = False
        self.fixed_side_margin: int | None = None  # None: margins grow to keep ~75 characters a line
        self.navigates = True  # False: internal links are only reported (flashcard answers)
        self.setOpenLinks(False)
        self.setOpenExternalLinks(False)
        self.anchorClicked.connect(self._on_link)
        self.setFrameShape(QTextBrowser.Shape.NoFrame)
        # By name, through the property: touching ``Qt`` here would build all of its enums at
        # start-up (~13 ms, see theme.resolve).
        self.setProperty("horizontalScrollBarPolicy", "ScrollBarAlwaysOff")
        self.document().setDocumentMargin(0)
        self.verticalScrollBar().rangeChanged.connect(self._apply_pending_scroll)
        self._apply_style()

    @property
    def renderer(self) -> MarkdownRenderer:
        """Built on first use: a start that shows the cached last page never loads the pipeline.
        Its formulas come from a DeferredFormulas: converting a page never renders one."""
        if self._renderer is None:
            from ..core.render.markdown_html import MarkdownRenderer
            from ..core.render.pages import wiki_link_target

            # The library is read at each link: a library reloaded later is the one linked to.
            self._renderer = MarkdownRenderer(self.formula_source, self.theme.page,
                                              wiki_links=lambda target: wiki_link_target(self.workspace.library,
                                                                                         target))
        return self._renderer

    @property
    def formula_source(self) -> DeferredFormulas:
        if self._formulas is None:
            from ..core.render.formulas import DeferredFormulas

            self._formulas = DeferredFormulas(self.workspace.formulas)
        return self._formulas

    # ------------------------------------------------------------ pages and history
    def show_page(self, page_id: str, *, record: bool = True, prerendered: str | None = None) -> bool:
        """Show a page; ``prerendered`` is its HTML from the start-up cache, if still valid.

        A page converted before (in this library and theme) is set at once. Any other is
        converted on the runner: until it arrives the reader shows the page's breadcrumbs and
        title (the page, its history entry and ``page_changed`` are all the new page's at
        once), then the whole page in its place; ``page_changed`` is emitted again then, as
        for a page set again (outline and find highlights follow)."""
        converting = False
        leaving_whole = self._page_complete()  # before the new page's state replaces this one's
        if prerendered is None:
            if not self.workspace.library.has_page(page_id):
                return False
            prerendered = self._cached_html(page_id)
            if prerendered is None:
                from ..core.render.pages import PageNotFound, page_heading

                try:
                    prerendered = page_heading(self.workspace.library, page_id)
                except PageNotFound:
                    return False
                converting = True
        if record and self.current_page is not None:
            self._remember_scroll()
        self._conversion += 1  # whatever was being converted for the reader is no longer shown
        self._converting = converting
        self.body_html = prerendered
        self.asset_page = page_id
        self._pending_scroll = None
        self.header_html = self.page_header(page_id) if self.page_header else ""
        # While only the title shows, the scroll bar stays: the page arriving then has the width
        # it will be laid out at, instead of bringing the bar in and being laid out twice.
        self._hold_scroll_bar(converting)
        text = _with_header(prerendered, self.header_html)
        kept = None if converting else self._take_kept(page_id, text)
        self._leave_document(kept, keep=leaving_whole)
        if kept is not None:
            self._show_kept(kept)
        else:
            self.setHtml(text)
        self.current_page = page_id
        if record:
            del self._history[self._cursor + 1:]
            for stale in [n for n in self._scroll_at if n > self._cursor]:
                del self._scroll_at[stale]
            if not self._history or self._history[-1] != page_id:
                self._history.append(page_id)
            self._cursor = len(self._history) - 1
        if converting:
            self._convert(page_id)
        self.page_changed.emit(page_id)
        self.history_changed.emit()
        return True

    def stop(self) -> None:
        """The window is closing: a conversion or formulas still on their way are not shown
        (the page would be announced to views whose database is closed by then). A page still
        being converted stays so: ``final_body`` converts it for the next start."""
        self._conversion += 1
        if self._formula_loader is not None:
            self._formula_loader.close()

    def final_body(self) -> str | None:
        """The page's HTML as the next start may show it, or None: not while formulas are still
        coming (one may turn out to be refused). A page still being converted is converted
        here, on this thread: this is for the window closing, when a short wait costs nothing."""
        page = self.current_page
        if page is None or (self._awaited and not self._converting):
            return None
        if not self._converting:
            return self.body_html or None
        from ..core.render.pages import PageNotFound, convert_page

        try:
            converted = convert_page(self.workspace.library, page, self.workspace.formulas, self.theme.page)
        except PageNotFound:
            return None
        return converted.html if converted.complete else None

    def converting(self) -> bool:
        """The page shown is still being converted (only its title is on screen)."""
        return self._converting

    def _hold_scroll_bar(self, hold: bool) -> None:
        # By name, through the property, as in __init__ (no Qt enums on the start-up path).
        policy = "ScrollBarAlwaysOn" if hold else "ScrollBarAsNeeded"
        if self._scroll_bar_held != hold:
            self._scroll_bar_held = hold
            self.setProperty("verticalScrollBarPolicy", policy)

    def _cached_html(self, page_id: str) -> str | None:
        """The page's HTML as converted before, if still valid. A page's HTML depends on the
        library and the theme only (zoom is the stylesheet's): Back, Forward and a zoom step
        reuse it instead of converting the markdown again."""
        if self._page_html_library is not self.workspace.library:  # reloaded: its pages may differ
            self._page_html.clear()
            self._drop_kept()
            self._page_html_library = self.workspace.library
        return self._page_html.get((page_id, self.theme.name))

    def _keep_html(self, page: ConvertedPage, theme_name: str) -> None:
        """Keep a converted page for its next visit. Not while formulas are still coming: one
        may turn out to be an error box (``_formulas_all_in`` keeps it once none did)."""
        if not page.complete or self._page_html_library is not self.workspace.library:
            return
        if len(self._page_html) >= PAGE_HTML_CACHE:
            self._page_html.pop(next(iter(self._page_html)))
        self._page_html[(page.page_id, theme_name)] = page.html

    # ------------------------------------------------------------ pages kept laid out
    def _look(self) -> tuple:
        """What a document's layout depends on besides its text: a kept document is shown
        again only in the look it was laid out in (its figures are drawn for its column)."""
        return (self.theme.name, self.zoom, self._viewport_width(), self.fixed_side_margin, self._dpr())

    def _page_complete(self) -> bool:
        """The page shown is whole: converted, every formula drawn in and laid out."""
        return (self.current_page is not None and self._document_text is not None and not self._converting
                and not self._awaited and not self._to_install and not self._arrived
                and not self._refused_arrived)

    def _take_kept(self, page_id: str, text: str) -> _KeptDocument | None:
        """The page's kept document if it shows ``text`` in the look of now (taken out of the
        kept ones: it becomes the reader's), else None."""
        kept = self._kept.pop(page_id, None)
        if kept is None:
            return None
        if kept.text == text and kept.look == self._look():
            return kept
        kept.document.deleteLater()
        return None

    def _leave_document(self, kept: _KeptDocument | None, *, keep: bool) -> None:
        """Before another page (or the same one again) is set: the page shown is kept laid
        out if ``keep`` (it was whole: _page_complete), and the reader takes ``kept``'s document,
        or a new one, since a kept document must not be written over. A page not whole is
        simply written over."""
        if not keep and kept is None:
            return
        document = self.document()
        ours = document.parent() is self  # else the text control's first document: setDocument deletes it
        if keep:
            document.setParent(self)  # the text control deletes a document of its own it lets go of
            self._kept[self.current_page] = _KeptDocument(document, self._document_text, frozenset(self._inline),
                                                          self._document_look)
            while len(self._kept) > KEPT_DOCUMENTS:
                self._kept.pop(next(iter(self._kept))).document.deleteLater()
        self.setDocument(kept.document if kept is not None else self._new_document())
        if not keep and ours:
            document.deleteLater()

    def _new_document(self):
        from PySide6.QtGui import QTextDocument

        document = QTextDocument(self)
        document.setUndoRedoEnabled(False)
        document.setDocumentMargin(0)
        self._style_document(document)
        return document

    def _show_kept(self, kept: _KeptDocument) -> None:
        """Show a kept document (already ``self.document()``): whole, so nothing is awaited."""
        if self._formulas is not None:
            self._formulas.take_pending()  # as setHtml does: nothing an earlier conversion left is asked for
        self._inline = set(kept.inline)
        self._awaited = set()
        self._refused_arrived = False
        self._arrived = []
        self._to_install = []
        self._image_positions = None
        self._placeholder_keys = set()
        self._document_text, self._document_look = kept.text, kept.look
        self._await_formulas({})

    def _drop_kept(self, *, shown_too: bool = False) -> None:
        """Let go of the kept pages (and, ``shown_too``, never keep the one shown: a new theme or
        zoom restyles it, and it is set again in the new look)."""
        for kept in self._kept.values():
            kept.document.deleteLater()
        self._kept.clear()
        if shown_too:
            self._document_text = None

    def _convert(self, page_id: str, *, scroll: int | None = None, unless_same: bool = False) -> None:
        """Convert ``page_id`` on the runner and show it when it arrives, unless another page
        (or this one again) was shown meanwhile. ``scroll``: where to put the page then (a page
        set again keeps its place); otherwise a restore asked for meanwhile (Back) applies.
        The runner also draws the placeholders of the page's formulas still to come."""
        from shiboken6 import isValid

        from ..core.render.pages import convert_page
        from .formula_placeholder import draw_placeholders, drawn_on_ui_thread_before
        from .runner import run_in_background

        self._conversion += 1
        conversion = self._conversion
        library, formulas, style, theme_name = (self.workspace.library, self.workspace.formulas,
                                                self.theme.page, self.theme.name)
        placeholder = self._placeholder_look()

        def work(_progress) -> tuple[ConvertedPage, dict, dict[str, QImage] | None]:
            page = convert_page(library, page_id, formulas, style)
            boxes = {key: (*page.sizes[key], key in page.inline) for key in page.pending if key in page.sizes}
            # The process's first placeholders are drawn on the UI thread (see formula_placeholder).
            drawn = draw_placeholders(boxes, placeholder) if drawn_on_ui_thread_before() else None
            return page, boxes, drawn

        def done(result: tuple[ConvertedPage, dict, dict[str, QImage] | None]) -> None:
            page, boxes, placeholders = result
            if placeholders is None:
                placeholders = draw_placeholders(boxes, placeholder, on_ui_thread=True)
            if theme_name == self.theme.name and library is self.workspace.library:  # still valid
                self._keep_html(page, theme_name)
            if conversion == self._conversion and isValid(self):  # not another page since, nor a reader gone
                if unless_same and page.complete and page.html == self.body_html and page_id == self.current_page:
                    self._converting = False  # the document shown is this HTML already
                    return
                self._show_converted(page, scroll, placeholders)

        def failed(message: str) -> None:
            if conversion == self._conversion and isValid(self):
                self._converting = False
                from ..core.render.markdown_html import MarkdownRenderer

                error = MarkdownRenderer(formulas, style).error_box(f"This page could not be shown: {message}", "")
                self.body_html = self.body_html + error
                self.setHtml(_with_header(self.body_html, self.header_html), same_page=True)
                self._hold_scroll_bar(False)

        run_in_background(work, done=done, failed=failed, name="convert-page")

    def _show_converted(self, page: ConvertedPage, scroll: int | None,
                        placeholders: dict[str, QImage] | None = None) -> None:
        """The converted page in place of its title (or of itself, set again), with the
        placeholders of its formulas still to come drawn on the runner."""
        self._converting = False
        position = self.scroll_position() if scroll is None else scroll
        self.body_html = page.html
        self._set_document(_with_header(page.html, self.header_html), page.pending, page.inline, page.sizes,
                           placeholders=placeholders)
        self._hold_scroll_bar(False)
        self.scroll_to(position)
        self.page_changed.emit(page.page_id)  # as for a page set again: the outline, highlights

    def refresh_header(self) -> None:
        """Show the page's header as it is now (a card studied, unsuspended…): the page is set
        again only when the header changed, from its HTML as rendered, at the same place."""
        page = self.current_page
        header = self.page_header(page) if self.page_header and page else ""
        if page is None or header == self.header_html:
            return
        position = self.scroll_position()
        self.header_html = header
        self.setHtml(_with_header(self.body_html, header), same_page=True)
        self.scroll_to(position)
        self.page_changed.emit(page)  # highlights and the outline follow a page set again

    def show_html(self, body: str, page: str | None = None) -> None:
        """Show ``body`` (no page of the history); its pictures and figures come from ``page``'s pack."""
        self._leave_document(None, keep=self._page_complete())  # the page shown, kept for Back
        self.current_page = None
        self.asset_page = page  # before setHtml: the document loads its images while it lays out
        self.setHtml(body)
        self._document_text = None  # not a page: never kept

    def can_go_back(self) -> bool:
        return self._cursor > 0

    def can_go_forward(self) -> bool:
        return self._cursor < len(self._history) - 1

    def go_back(self) -> None:
        if self.can_go_back():
            self._step(-1)

    def go_forward(self) -> None:
        if self.can_go_forward():
            self._step(1)

    def _step(self, step: int) -> None:
        self._remember_scroll()
        self._cursor += step
        self.show_page(self._history[self._cursor], record=False)
        self.scroll_to(self._scroll_at.get(self._cursor, 0))

    def _remember_scroll(self) -> None:
        if 0 <= self._cursor < len(self._history):
            self._scroll_at[self._cursor] = self.scroll_position()

    def scroll_position(self) -> int:
        """Where the page is scrolled to (a restore still waiting for the layout counts)."""
        if self._pending_scroll is not None:
            return self._pending_scroll
        return self.verticalScrollBar().value()

    def scroll_to(self, value: int) -> None:
        """Scroll to ``value`` now, or as soon as the page is laid out that far (a page just
        set, or the start-up page before the window is shown)."""
        bar = self.verticalScrollBar()
        if not self.isVisible():
            # QTextEdit scrolls to the text cursor (the top) when first shown: set it again then.
            self._scroll_after_show = value
        if value <= bar.maximum():
            self._pending_scroll = None
            bar.setValue(value)
        else:
            self._pending_scroll = value

    def showEvent(self, event) -> None:  # noqa: N802 (Qt name)
        super().showEvent(event)
        value, self._scroll_after_show = self._scroll_after_show, None
        if value is not None:
            self.scroll_to(value)

    def _apply_pending_scroll(self, _minimum: int, maximum: int) -> None:
        if self._pending_scroll is not None and self._pending_scroll <= maximum:
            value, self._pending_scroll = self._pending_scroll, None
            self.verticalScrollBar().setValue(value)

    def refresh(self, *, content_only: bool = False) -> None:
        """Show the page again (a new theme or zoom) at the same place. A page that has to be
        converted again stays on screen as it is until it has been. ``content_only``: only the
        library or the notes changed, so a page converted to the very HTML it shows is left as
        it is (an import of other notes): set again, a long page's layout froze the window."""
        page = self.current_page
        if not page:
            return
        position = self.scroll_position()
        if self._cached_html(page) is not None or not self.workspace.library.has_page(page):
            self.show_page(page, record=False)
            self.scroll_to(position)
        else:
            self._converting = True
            self._convert(page, scroll=position, unless_same=content_only and not self._awaited)

    # ------------------------------------------------------------ look
    def set_theme(self, theme: themes.Theme) -> None:
        self.theme = theme
        self._renderer = None
        self._images.clear()
        self._drop_kept(shown_too=True)
        self._apply_style()
        self.refresh()

    def flash_zoom(self) -> None:
        """Show the zoom level over the page for a moment (after Ctrl+= / Ctrl+- / Ctrl+0)."""
        from PySide6.QtCore import QTimer
        from PySide6.QtWidgets import QLabel

        if self.zoom_badge is None:
            self.zoom_badge = QLabel(self, objectName="ZoomBadge")
            self._zoom_timer = QTimer(self, singleShot=True, interval=ZOOM_BADGE_MS)
            self._zoom_timer.timeout.connect(self.zoom_badge.hide)
        badge = self.zoom_badge
        badge.setStyleSheet(f"QLabel#ZoomBadge {{ background: {self.theme.surface}; color: {self.theme.text};"
                            f" border: 1px solid {self.theme.border}; border-radius: 8px; padding: 6px 14px;"
                            " font-size: 15px; font-weight: 600; }")
        badge.setText(f"{round(self.zoom * 100)}%")
        badge.adjustSize()
        width = self.maximumViewportSize().width()
        badge.move((width - badge.width()) // 2, 16)
        badge.show()
        badge.raise_()
        self._zoom_timer.start()

    def set_zoom(self, zoom: float) -> None:
        self.zoom = min(max(zoom, ZOOM_STEPS[0]), ZOOM_STEPS[-1])
        self._images.clear()
        self._drop_kept(shown_too=True)
        self._apply_style()
        self.refresh()

    def zoom_in(self) -> None:
        self.set_zoom(next((z for z in ZOOM_STEPS if z > self.zoom + 1e-6), ZOOM_STEPS[-1]))

    def zoom_out(self) -> None:
        self.set_zoom(next((z for z in reversed(ZOOM_STEPS) if z < self.zoom - 1e-6), ZOOM_STEPS[0]))

    @property
    def font_px(self) -> float:
        return BASE_FONT_PX * self.zoom

    def _apply_style(self) -> None:
        self._style_document(self.document())
        self._update_margins()

    def _style_document(self, document) -> None:
        font = QFont(self.font())
        font.setPixelSize(round(self.font_px))
        document.setDefaultFont(font)
        document.setDefaultStyleSheet(themes.document_css(self.theme, self.font_px))

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt name)
        super().resizeEvent(event)
        self._update_margins()
        if self._figure_column is not None and self._column_width() != self._figure_column:
            self._figure_refit.start()  # once the resize settles, not at every step of a drag

    def _refit_figures(self) -> None:
        """Draw the page's figures again for the new column width, keeping the scroll position."""
        if self._figure_column is not None and self._column_width() != self._figure_column:
            self._figure_column = None
            self.refresh()

    def _viewport_width(self) -> int:
        # Not viewport().width(): PySide resolves the type of the first QWidget it hands back
        # by building every QtWidgets class (~10 ms), and this runs before the first paint.
        # The scroll bar's room is always left out: a page that brings the bar in (or takes it
        # away) then keeps its margins, instead of laying itself out a second time.
        # maximumViewportSize already leaves out a bar that is always on (held while a page is
        # converted): counted twice, a converted page came out 14 px narrower than set at once.
        if self._scroll_bar_held:
            return self.maximumViewportSize().width()
        bar = self.verticalScrollBar()
        return self.maximumViewportSize().width() - (bar.width() if bar.isVisible() else bar.sizeHint().width())

    def paintEvent(self, event) -> None:  # noqa: N802 (Qt name)
        super().paintEvent(event)
        if not self._painted:
            self._painted = True
            self.first_painted.emit()

    def _update_margins(self) -> None:
        # QTextBrowser ignores max-width: keep lines readable with side margins that grow with
        # the window. Margins on the root frame (not the viewport) keep the whole width
        # scrollable and selectable.
        text_width = MAX_TEXT_EM * self.font_px
        side = max(28, int((self._viewport_width() - text_width) / 2))
        # The outline button and the bookmark star float in the top-right corner: lines keep
        # out from under them (a narrow window gives the right side more room than the left).
        right = max(side, CORNER_BUTTONS_PX)
        if self.fixed_side_margin is not None:
            side = right = self.fixed_side_margin
        root = self.document().rootFrame()
        fmt = root.frameFormat()
        if (fmt.leftMargin(), fmt.rightMargin()) == (side, right) and fmt.topMargin() in (4, 22):
            return
        fmt.setLeftMargin(side)
        fmt.setRightMargin(right)
        fmt.setTopMargin(22 if self.fixed_side_margin is None else 4)
        fmt.setBottomMargin(48 if self.fixed_side_margin is None else 8)
        root.setFrameFormat(fmt)

    def setHtml(self, text: str, *, same_page: bool = False) -> None:  # noqa: N802 (Qt name)
        """``same_page``: the page shown, set again (its header changed): formulas still on
        their way keep coming; the ones that arrived load from the cache. Otherwise the
        formulas ``text`` was converted with by this reader's renderer and that are not
        rendered yet are asked for (``show_html`` of a note, a flashcard)."""
        if same_page:
            self._inline = _inline_formulas(text)  # before the layout, which loads the images
            self._set_html_laid_out_once(text)
            self._image_positions = None
            return
        pending = self._formulas.take_pending() if self._formulas is not None else {}
        if len(pending) > 1:  # top of the page first
            pending = dict(sorted(pending.items(), key=lambda item: text.find(f"formula:{item[0]}")))
        self._set_document(text, pending, _inline_formulas(text))

    def _set_document(self, text: str, pending: dict, inline: set[str] | frozenset[str],
                      sizes: dict[str, tuple[float, float]] | None = None, *,
                      placeholders: dict[str, QImage] | None = None) -> None:
        """Set ``text``, whose formulas ``pending`` are not rendered yet: asked for before the
        layout, which loads their placeholders (``inline``: those in a line of text; ``sizes``:
        the placeholders' sizes, if estimated already; ``placeholders``: those already drawn)."""
        self._inline = inline
        if pending:  # not otherwise: a page without formulas never loads the formula module
            self.formula_source.expect(pending, sizes)
        self._awaited = set(pending)
        self._refused_arrived = False
        self._arrived = []
        self._to_install = []
        self._image_positions = None
        self._set_placeholders(placeholders or {})
        self._set_html_laid_out_once(text)
        self._await_formulas(pending)

    def _set_placeholders(self, placeholders: dict[str, QImage]) -> None:
        """Put formula placeholders drawn on the runner (ui/formula_placeholder.py) among the
        document's resources, where its layout finds them without calling ``loadResource``: a
        call into Python for each (56 on the heaviest built-in page), which waited for the
        interpreter whenever the formula worker held it. Resources outlive ``setHtml``, so
        those of the page before that never arrived are taken out (None: asked for again)."""
        if not placeholders and not self._placeholder_keys:
            return  # the first page's way: QUrl's type and its five enums cost ~0.8 ms to build
        from PySide6.QtCore import QUrl

        document = self.document()
        for key in self._placeholder_keys - placeholders.keys():
            document.addResource(2, QUrl(f"formula:{key}"), None)  # QTextDocument.ImageResource
        for key, image in placeholders.items():
            document.addResource(2, QUrl(f"formula:{key}"), image)
        self._placeholder_keys = set(placeholders)

    def _set_html_laid_out_once(self, text: str) -> None:
        """QTextEdit.setHtml with the root frame's margins: setHtml gives the document a new root
        frame without them, and setting them after it laid the page out a second time (~11 ms
        of the heaviest page's 30). Inside one edit block the layout hears of the new text and
        its margins together, once, when the block ends."""
        cursor = QTextCursor(self.document())
        cursor.beginEditBlock()
        try:
            super().setHtml(text)
            self._update_margins()
        finally:
            cursor.endEditBlock()
        self._document_text, self._document_look = text, self._look()

    # ------------------------------------------------------------ formulas on a worker thread
    def _await_formulas(self, pending: dict) -> None:
        """Have the formulas of ``pending`` rendered off the UI thread; each replaces its
        placeholder when it arrives. An empty ``pending`` drops what an earlier page asked for."""
        if not pending and self._formula_loader is None:
            return
        if self._formula_loader is None:
            from .formula_loader import FormulaLoader

            self._formula_loader = FormulaLoader(self.workspace.formulas, self)
            self._formula_loader.arrived.connect(self._formulas_arrived)
        self._formula_loader.request(pending)

    def formulas_pending(self) -> bool:
        """Some formula of the page shown is still a placeholder (or the page is still being
        converted, so its formulas are not even asked for yet)."""
        return bool(self._awaited) or self._converting

    def _formulas_arrived(self, keys: list[str]) -> None:
        """A batch of rendered formulas (ui/formula_loader.py); those of the page shown are
        drawn in over as many event-loop passes as it takes to keep each pass short."""
        self._to_install += [key for key in keys if key in self._awaited]  # not an earlier page's
        if self._to_install and not self._formula_install.isActive():
            self._install_formulas()

    def _install_formulas(self) -> None:
        """Draw arrived formulas in place of their placeholders for at most FORMULA_INSTALL_MS,
        then let the event loop run (input, painting) before the next slice."""
        from time import perf_counter

        from PySide6.QtCore import QUrl

        deadline = perf_counter() + FORMULA_INSTALL_MS / 1000
        document = self.document()
        while self._to_install and perf_counter() < deadline:
            key = self._to_install.pop(0)
            if key not in self._awaited:
                continue  # arrived twice (asked for again by a page set again)
            self._awaited.discard(key)
            if self.formula_source.svg(key) is None:
                self._refused_arrived = True
            # The document keeps the placeholder it loaded: give it the formula under the same name.
            document.addResource(2, QUrl(f"formula:{key}"), self._formula_image(key))
            self._placeholder_keys.discard(key)
            self._arrived.append(key)
        if self._to_install:
            self._formula_install.start()
        elif not self._awaited and not self._refused_arrived:
            self._formulas_all_in()
        if self._arrived and not self._formula_relayout.isActive():
            self._formula_relayout.start()

    def _formulas_all_in(self) -> None:
        """Every formula of the page arrived rendered: its HTML is what converting it again
        would give (the same keys, now in the cache), so the next visit only sets it."""
        page = self.current_page
        if page is not None and not self._converting and self.body_html:
            from ..core.render.pages import ConvertedPage

            self._keep_html(ConvertedPage(page, self.body_html, {}, frozenset(self._inline)), self.theme.name)

    def _relayout_formulas(self) -> None:
        """Lay the page out again with the formulas that arrived (their sizes differ from the
        placeholders' a little); the scroll position stays where the reader left it. A page
        with a refused formula is converted again instead: it then shows the error box with
        the formula's source, as it would had the formula been refused before."""
        if self._refused_arrived and self.current_page is not None:
            self.refresh()
            self.formulas_arrived.emit()
            return
        from time import perf_counter

        deadline = perf_counter() + FORMULA_INSTALL_MS / 1000
        bar = self.verticalScrollBar()
        value = bar.value()
        document = self.document()
        if self._image_positions is None:
            self._image_positions = self._formula_positions()
        # Only the characters of the formulas that arrived (1-2 ms each, where the whole page
        # took 25-120 ms on the heaviest built-in page), in slices like their drawing in.
        while self._arrived and perf_counter() < deadline:
            for position in self._image_positions.get(self._arrived.pop(0), ()):
                document.markContentsDirty(position, 1)
        bar.setValue(value)
        self.viewport().update()
        if self._arrived:
            self._formula_relayout.start(0)
            return
        self._formula_relayout.setInterval(FORMULA_RELAYOUT_MS)
        self.formulas_arrived.emit()

    # ------------------------------------------------------------ links
    def _on_link(self, url: QUrl) -> None:
        scheme = url.scheme().lower()
        if scheme == "card":
            self.card_action.emit(url.path() or url.toString().split(":", 1)[1])
        elif scheme in INTERNAL_SCHEMES:
            page_id = f"{scheme}:{url.path() or url.toString().split(':', 1)[1]}"
            if scheme == "milestone" or not self.navigates:
                self.internal_link.emit(page_id)
            elif not self.show_page(page_id):
                self.internal_link.emit(page_id)
        elif scheme == "figure":
            self.open_figure(url.toString().split(":", 1)[1])
        elif scheme == "copy":  # a code block's Copy link carries the code, percent-encoded
            from urllib.parse import unquote

            from PySide6.QtGui import QGuiApplication

            QGuiApplication.clipboard().setText(unquote(bytes(url.toEncoded()).decode("ascii").split(":", 1)[1]))
        elif not scheme and url.hasFragment():  # a footnote and its way back
            self.scrollToAnchor(url.fragment())
        elif scheme in EXTERNAL_SCHEMES:
            from PySide6.QtGui import QDesktopServices

            QDesktopServices.openUrl(url)
        # Anything else (file:, data:, javascript:, relative paths) is deliberately ignored.

    # ------------------------------------------------------------ resources
    def loadResource(self, kind: int, url: QUrl):  # noqa: N802 (Qt name)
        if kind != 2:  # QTextDocument.ImageResource; stylesheets and others are never loaded
            return None
        text = url.toString()
        scheme, _, rest = text.partition(":")
        if scheme == "formula":
            return self._formula_image(rest)
        if scheme == "image":
            return self._pack_image(rest)
        return self._placeholder(text)

    def _dpr(self) -> float:
        return self.devicePixelRatioF() or 1.0

    def _formula_positions(self) -> dict[str, list[int]]:
        """Where each formula image sits in the document (an image is one U+FFFC character)."""
        positions: dict[str, list[int]] = {}
        document = self.document()
        cursor = document.find("\ufffc")
        while not cursor.isNull():
            name = cursor.charFormat().toImageFormat().name()
            if name.startswith("formula:"):
                positions.setdefault(name[8:], []).append(cursor.selectionStart())
            cursor = document.find("\ufffc", cursor)
        return positions

    def _formula_scale(self) -> float:
        """Formulas are drawn at the text's size: ziamath's em (RENDER_SIZE_PX) to the page's,
        and 8 % more, as STIX Two Math's letters are smaller than the page font's at one em."""
        from ..core.render.formulas import RENDER_SIZE_PX

        return self.font_px / RENDER_SIZE_PX * 1.08

    def _text_line(self):
        """The body text's metrics, which inline formulas are aligned to (ui/formula_baseline.py);
        measured once per font size (a page of inline formulas asked 88 times: ~25 ms)."""
        font = self.document().defaultFont()
        key = (font.family(), font.pixelSize())
        if self._text_line_for is None or self._text_line_for[0] != key:
            from PySide6.QtGui import QFontMetricsF

            from .formula_baseline import TextLine

            metrics = QFontMetricsF(font)
            self._text_line_for = (key, TextLine(metrics.ascent(), metrics.descent()))
        return self._text_line_for[1]

    def _placeholder_look(self) -> PlaceholderLook:
        """What formula placeholders drawn now look like (ui/formula_placeholder.py)."""
        from .formula_placeholder import PlaceholderLook

        return PlaceholderLook(self._formula_scale(), self._dpr(), self.theme.hover, self._text_line())

    def _inline_padding(self, above: float, below: float) -> tuple[float, float]:
        """An inline formula's (top, bottom) padding (ui/formula_placeholder.py)."""
        from .formula_placeholder import inline_padding

        return inline_padding(above, below, self._placeholder_look())

    def _formula_image(self, key: str) -> QImage:
        cache_key = ("f", key, self.zoom, self._dpr())
        if cache_key in self._images:
            return self._images[cache_key]
        source = self.formula_source
        svg = source.svg(key)
        if svg is None:
            if key in self._awaited and (size := source.placeholder_size(key)) is not None:
                return self._formula_placeholder(*size, inline=key in self._inline)
            # Refused on the worker thread after the page was converted: the next conversion
            # shows the error box with the source; until then, the reason.
            return self._placeholder(f"Formula not rendered: {source.error(key) or 'the renderer failed'}")
        from PySide6.QtSvg import QSvgRenderer  # only pages with formulas need it

        renderer = QSvgRenderer(QByteArray(svg.encode("utf-8")))
        scale = self._formula_scale()
        box = renderer.viewBoxF()  # ziamath draws the formula's baseline at y = 0
        width, height = box.width() * scale, box.height() * scale
        if key in self._inline:
            top, bottom = self._inline_padding(-box.top() * scale, box.bottom() * scale)
            image = self._rasterise(renderer, width, height + top + bottom, QRectF(0, top, width, height))
        else:
            image = self._rasterise(renderer, width, height)
        self._images[cache_key] = image
        return image

    def _formula_placeholder(self, width: float, height: float, *, inline: bool) -> QImage:
        """A faint box of about the formula's size, while the formula is rendered (not cached:
        the formula itself replaces it)."""
        from .formula_placeholder import draw_placeholder

        return draw_placeholder(width, height, inline=inline, look=self._placeholder_look())

    def _rasterise(self, renderer, width: float, height: float, drawing: QRectF | None = None) -> QImage:
        """An SVG drawn at ``width`` x ``height`` logical pixels on a transparent ground, at the
        screen's pixel ratio (sharp on high-density screens); or drawn into ``drawing`` (logical
        pixels) with the rest left blank (an inline formula's padding)."""
        from PySide6.QtGui import QImage

        dpr = self._dpr()
        image = QImage(QSize(max(1, round(width * dpr)), max(1, round(height * dpr))),
                       QImage.Format.Format_ARGB32_Premultiplied)
        image.fill(QColor(0, 0, 0, 0))
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        if drawing is None:
            renderer.render(painter, QRectF(0, 0, image.width(), image.height()))
        else:
            renderer.render(painter, QRectF(drawing.x() * dpr, drawing.y() * dpr,
                                            drawing.width() * dpr, drawing.height() * dpr))
        painter.end()
        image.setDevicePixelRatio(dpr)
        return image

    def _pack_image(self, rest: str) -> QImage:
        from urllib.parse import parse_qs, unquote, urlsplit  # only pages with pictures need it

        parts = urlsplit(rest)
        relative = unquote(parts.path)
        alt = parse_qs(parts.query).get("alt", [""])[0] or relative
        root = self._asset_root()
        target = self._picture(root, relative) if root is not None else None
        if target is not None:
            if target.suffix.lower() == ".svg":
                return self._svg_image(target, alt)
            from PySide6.QtGui import QImage

            image = QImage(str(target))
            if not image.isNull():
                return image
        return self._placeholder(f"Image not available: {alt}")

    @staticmethod
    def _picture(root: Path, relative: str) -> Path | None:
        from ..core.render.pictures import pack_picture  # the one rule for what a pack may show

        return pack_picture(root, relative)

    def _figure_svg(self, target: Path) -> str | None:
        """The SVG in this theme's colours, or None when the file is refused (see core/render/figures.py)."""
        from ..core.render.figures import svg_problems, themed_svg

        if svg_problems(target):
            return None
        return themed_svg(target.read_text(encoding="utf-8"), self.theme.dark)

    def _column_width(self) -> int:
        """The text column, as if the scroll bar were showing: a figure drawn to fit it does not
        become too wide when the page it lengthens brings the scroll bar in."""
        fmt = self.document().rootFrame().frameFormat()
        return max(160, int(self._viewport_width() - fmt.leftMargin() - fmt.rightMargin() - 24))

    def _svg_image(self, target: Path, alt: str) -> QImage:
        """A figure rasterised at the size it is shown (the text column at most) and the screen's
        pixel ratio, so it is crisp at every zoom; cached until the zoom, theme or width changes."""
        column = self._column_width()
        self._figure_column = column
        cache_key = ("svg", str(target), self.zoom, self._dpr(), self.theme.dark, column)
        if cache_key in self._images:
            return self._images[cache_key]
        svg = self._figure_svg(target)
        if svg is None:
            return self._placeholder(f"Figure refused (run genai-desktop check): {alt}")
        from PySide6.QtSvg import QSvgRenderer

        renderer = QSvgRenderer(QByteArray(svg.encode("utf-8")))
        natural = renderer.defaultSize()
        if not renderer.isValid() or natural.width() <= 0 or natural.height() <= 0:
            return self._placeholder(f"Figure not available: {alt}")
        width = min(natural.width() * self.zoom, column)
        image = self._rasterise(renderer, width, natural.height() * width / natural.width())
        self._images[cache_key] = image
        return image

    def open_figure(self, relative: str) -> None:
        """The figure larger, in a viewer that zooms and pans (Esc closes)."""
        from urllib.parse import unquote

        root = self._asset_root()
        if root is None:
            return
        target = self._picture(root, unquote(relative))
        if target is None:
            return
        from .figure_viewer import FigureViewer

        if target.suffix.lower() == ".svg":
            svg = self._figure_svg(target)
            if svg is None:
                return
            viewer = FigureViewer.for_svg(svg, self.theme, self)
        else:
            viewer = FigureViewer.for_picture(target, self.theme, self)
        viewer.open()

    def _asset_root(self) -> Path | None:
        page = self.asset_page or self.current_page or ""
        kind, _, ident = page.partition(":")
        item = self.workspace.library.question(ident) if kind == "q" else self.workspace.library.guide(ident)
        if item is None:
            return None
        root = item.path.parent.parent  # topics/ or guides/ sit directly in the pack folder
        return root

    def _placeholder(self, label: str) -> QImage:
        from PySide6.QtCore import Qt  # rare: not worth its enums at start-up
        from PySide6.QtGui import QImage, QPen

        dpr = self._dpr()
        width, height = 420, 64
        image = QImage(QSize(int(width * dpr), int(height * dpr)), QImage.Format.Format_ARGB32_Premultiplied)
        image.setDevicePixelRatio(dpr)
        image.fill(QColor(self.theme.page.code_background))
        painter = QPainter(image)
        painter.setPen(QPen(QColor(self.theme.border), 1, Qt.PenStyle.DashLine))
        painter.drawRect(QRectF(0.5, 0.5, width - 1, height - 1))
        painter.setPen(QColor(self.theme.muted))
        font = QFont(self.font())
        font.setPixelSize(13)
        painter.setFont(font)
        painter.drawText(QRectF(12, 0, width - 24, height),
                         Qt.AlignmentFlag.AlignVCenter | Qt.TextFlag.TextWordWrap, label[:160])
        painter.end()
        return image


class _KeptDocument(NamedTuple):
    document: object  # QTextDocument, laid out; a child of the reader
    text: str  # the HTML it was set from, header included
    inline: frozenset[str]
    look: tuple  # Reader._look when it was laid out


def _inline_formulas(body: str) -> set[str]:
    if "formula:" not in body:
        return set()  # most pages: the markdown pipeline is not loaded for them
    from ..core.render.markdown_html import inline_formula_keys

    return inline_formula_keys(body)


def _with_header(body: str, header: str) -> str:
    """``header`` right under the page's breadcrumbs (on top when it has none)."""
    if not header:
        return body
    if body.startswith('<p class="crumbs">'):
        end = body.find("</p>") + len("</p>")
        return body[:end] + header + body[end:]
    return header + body
