"""The library sidebar: a filter box over the topic tree (topics, their questions, guides, packs)."""

from __future__ import annotations

from functools import partial

from PySide6.QtCore import (
    QIdentityProxyModel,
    QItemSelectionModel,
    QModelIndex,
    QPointF,
    QRect,
    QRectF,
    QSize,
    QTimer,
    Signal,
)
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPainterPath, QPalette, QTextDocument
from PySide6.QtWidgets import (
    QAbstractItemView,
    QLineEdit,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from ..core.content.outline import Outline
from . import theme as themes
from .sidebar_model import (  # noqa: F401 - the roles and helpers are this module's API too
    COLLIDING_PREFIX,
    COUNT_ROLE,
    DUE_ROLE,
    GROUP,
    GROUP_ROLE,
    HINT,
    HINT_ROLE,
    PACK,
    PACK_ROLE,
    PAGE,
    PAGE_ROLE,
    SPLIT_ROLE,
    TOPIC,
    USER_ROLE,
    LibraryModel,
    Row,
    RowIndex,
    Rows,
    _common_prefix,
    selectable,
    shared_prefix_lengths,
)

# The sidebar is on the way to the first paint, so it never reads ``Qt``: that builds all of
# its enums (~13 ms, see theme.resolve), and so does any call into an overload set that
# takes one of them (QPainter.setPen, fillRect, QBrush(...)). Hence the roles spelled as
# numbers (ui/sidebar_model.py; tests/ui/test_sidebar.py checks them), enum properties set by
# name, and no flags() in the model (its answer is one of Qt's enums): group headings and
# hints stay unselected through the tree's selectionCommand() instead.
JUMPS = (("LIBRARY", "Library"), ("STUDY GUIDES", "Guides"), ("MY NOTES", "My notes"), ("BOOKMARKS", "Bookmarks"))


# Row heights are the model's Qt.ItemDataRole.SizeHintRole: the C++ delegate reads them,
# where a Python sizeHint() override cost ~4 ms of the first paint.
ROW_HEIGHT = 28
GROUP_ROW_HEIGHT = 30
ITEM_PADDING_PX = 10  # QTreeView::item's 4 px above and below (theme.chrome_stylesheet) and a margin


MAX_EXPANDED_MATCHES = 1000  # rows a filter opens at once (see Sidebar._expand_matches)
# Typing pauses this long before the tree is filtered: a burst of letters filters once.
FILTER_DEBOUNCE_MS = 120


def row_heights(line_height: int) -> tuple[int, int]:
    """Rows and group headings: 28 and 30 px, taller when the font's lines need more
    (some system fonts, such as CJK ones, have tall lines at 14 px)."""
    needed = line_height + ITEM_PADDING_PX
    return max(ROW_HEIGHT, needed), max(GROUP_ROW_HEIGHT, needed)


def _scale_font(font: QFont, factor: float) -> None:
    # Stylesheets set pixel sizes, where pointSizeF() is -1.
    if font.pixelSize() > 0:
        font.setPixelSize(max(9, round(font.pixelSize() * factor)))
    else:
        font.setPointSizeF(max(7.0, font.pointSizeF() * factor))


class _BadgeDelegate(QStyledItemDelegate):
    """Draws counts right-aligned (topic sizes, due cards) and group headings in small caps."""

    def __init__(self, theme: themes.Theme, parent=None) -> None:
        super().__init__(parent)
        self.set_theme(theme)

    def set_theme(self, theme: themes.Theme) -> None:
        self.theme = theme
        # Pill colours as brushes from a palette, and the numbers as tiny text documents with
        # their colour inside: the plain ways (setPen, drawText with flags, QBrush(color))
        # would build Qt's enums during the first paint (see the note on USER_ROLE).
        self.pills = QPalette()
        self.pills.setColor(QPalette.ColorRole.Highlight, QColor(theme.accent))  # due cards
        self.pills.setColor(QPalette.ColorRole.Button, QColor(theme.badge))  # counts
        self._numbers: dict[tuple[str, bool, str], QTextDocument] = {}
        self._badge_fonts: dict[tuple[str, bool], QFont] = {}

    def _number(self, text: str, is_due: bool, font: QFont) -> QTextDocument:
        key = (text, is_due, font.key())
        doc = self._numbers.get(key)
        if doc is None:
            doc = QTextDocument()
            doc.setDocumentMargin(0)
            doc.setDefaultFont(font)
            color = self.theme.accent_text if is_due else self.theme.muted
            doc.setHtml(f'<span style="color:{color}">{text}</span>')
            self._numbers[key] = doc
        return doc

    @staticmethod
    def _heading_font(font: QFont) -> None:
        _scale_font(font, 0.82)
        font.setBold(True)
        font.setLetterSpacing(QFont.SpacingType.PercentageSpacing, 106)

    def _badge_font(self, row_font: QFont, group: bool) -> QFont:
        """The numbers' font: the row's, smaller and not bold. Cached: paint() runs for every row."""
        key = (row_font.key(), group)
        font = self._badge_fonts.get(key)
        if font is None:
            font = QFont(row_font)
            if group:
                self._heading_font(font)
            _scale_font(font, 0.85)
            font.setBold(False)
            self._badge_fonts[key] = font
        return font

    @staticmethod
    def _badges(index: QModelIndex) -> list[tuple[str, bool]]:
        count = index.data(COUNT_ROLE)
        due = index.data(DUE_ROLE) or 0
        return ([(str(due), True)] if due else []) + ([(str(count), False)] if count is not None else [])

    def initStyleOption(self, opt: QStyleOptionViewItem, index: QModelIndex) -> None:  # noqa: N802
        """Group headings in small bold caps, and room kept for the count badges. Done here
        rather than in paint() so the C++ paint path (and sizeHint) sees the same item."""
        super().initStyleOption(opt, index)
        split = index.data(SPLIT_ROLE)
        if split and opt.rect.width() > 0:
            self._show_difference(opt, split)
        group = index.data(GROUP_ROLE)
        if group:
            self._heading_font(opt.font)
        if group or index.data(HINT_ROLE):
            opt.palette.setColor(opt.palette.ColorRole.Text, QColor(self.theme.muted))
        reserve = sum(8 + opt.fontMetrics.horizontalAdvance(text) + 10 for text, _ in self._badges(index))
        if reserve:
            # An empty decoration on the right as wide as the badges: the style lays the text
            # out beside it and elides it there, and paint() draws the badges in that space.
            opt.features |= QStyleOptionViewItem.ViewItemFeature.HasDecoration
            opt.decorationPosition = QStyleOptionViewItem.Position.Right
            opt.decorationSize = QSize(reserve, 1)

    @staticmethod
    def _show_difference(opt: QStyleOptionViewItem, split: int) -> None:
        """A title too long for its row whose start it shares with a sibling: its first words,
        then what sets it apart ("How do … in sequence generation capability?"), so two rows
        never look alike. The tooltip keeps the full title."""
        text = opt.text
        if opt.fontMetrics.horizontalAdvance(text) <= opt.rect.width() - 16:
            return
        lead = " ".join(text[:split].split()[:2])
        opt.text = f"{lead} … {text[split:].lstrip()}"

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex) -> None:
        super().paint(painter, option, index)
        badges = self._badges(index)
        if not badges:
            return
        painter.save()
        box = option.rect
        right = box.right() - 6
        # The view's font, as initStyleOption() would make it for this row (a topic's DemiBold
        # is dropped for the numbers anyway).
        small = self._badge_font(option.font, bool(index.data(GROUP_ROLE)))
        painter.setFont(small)
        metrics = painter.fontMetrics()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        for text, is_due in reversed(badges):
            width = metrics.horizontalAdvance(text) + 12
            rect = QRectF(right - width, box.center().y() - 9, width, 18)
            pill = QPainterPath()
            pill.addRoundedRect(rect, 9, 9)
            painter.fillPath(pill, self.pills.brush(QPalette.ColorRole.Highlight if is_due
                                                    else QPalette.ColorRole.Button))
            number = self._number(text, is_due, small)
            size = number.size()
            offset = QPointF(round(rect.center().x() - size.width() / 2), round(rect.center().y() - size.height() / 2))
            painter.translate(offset)
            number.drawContents(painter)
            painter.translate(-offset)
            right = rect.left() - 6
        painter.restore()


class _Tree(QTreeView):
    """A tree whose leaf rows keep a plain indentation: Fusion would tint the branch area of a
    selected row in the selection colour, a stray block left of the highlighted question.
    Group headings and hints may become current (the arrow keys pass them) but are never
    selected, as a QStandardItem that is not selectable."""

    CLEAR = QItemSelectionModel.SelectionFlag.Clear

    def selectionCommand(self, index: QModelIndex, event=None):  # noqa: N802
        if index.isValid() and not selectable(index):
            return self.CLEAR
        return super().selectionCommand(index, event)

    def drawBranches(self, painter: QPainter, rect: QRect, index: QModelIndex) -> None:  # noqa: N802
        if self.model().hasChildren(index):
            super().drawBranches(painter, rect, index)
        else:
            # eraseRect(), not fillRect(): that overload set makes PySide build all of Qt's enums.
            painter.setBackground(self.palette().brush(QPalette.ColorRole.Base))  # the viewport's role
            painter.eraseRect(rect)


PackRows = tuple[list[Row], RowIndex]  # the MY NOTES rows, and where each page's row is among them


class RowBuilder:
    """Makes the tree's rows for topics, pages and packs, outside any model: plain Python, so a
    worker makes a large pack's (see ``Sidebar.build_pack_rows``). A topic's questions are no
    objects of their own: the model reads them from the outline's entries when shown."""

    def __init__(self, due_by_page: dict[str, int] | None = None) -> None:
        self.due_by_page = due_by_page or {}
        self.where = RowIndex()

    def page(self, text: str, page_id: str) -> Row:
        row = Row(text, PAGE, page_id, text)
        self.where.rows[page_id] = row
        return row

    def topic(self, topic, questions: list | None = None) -> Row:
        """A topic's row with its questions (``questions``: only these, for a filter; the count
        and the due badge stay the whole topic's)."""
        row = self.page(topic.title, f"topic:{topic.id}")
        row.kind = TOPIC
        row.count = len(topic.questions)
        due = self.due_by_page
        if due:
            row.due = sum(due.get(f"q:{question.id}", 0) for question in topic.questions) or None
        row.questions = topic.questions if questions is None else questions  # the outline's own list
        self.where.add_topic(row)
        return row

    def pack(self, pack: str, title: str, topics: list, guides: list,
             shown: tuple[list, list] | None = None) -> Row:
        """One imported pack: its topics and pages under its title (a lone topic stands alone).
        ``shown``: (topic rows already made, guides) to show instead of all, for a filter."""
        if len(topics) == 1 and not guides:
            row = shown[0][0] if shown else self.topic(topics[0])
        else:
            row = Row(title, PACK, None, f"{title} (imported notes; right-click to remove)")
            row.count = sum(len(t.questions) for t in topics) or None
            for topic_row in shown[0] if shown else [self.topic(topic) for topic in topics]:
                row.add(topic_row)
            for guide in shown[1] if shown else guides:
                row.add(self.page(guide.title, f"guide:{guide.id}"))
            self.where.rows[f"pack:{pack}"] = row
        _mark_pack(row, pack)
        return row


BOOKMARKS_HINT = "Star a question or guide (Ctrl+D) to keep it here"


def group_row(title: str) -> Row:
    """A group heading (LIBRARY, STUDY GUIDES, MY NOTES, BOOKMARKS): small caps, never selected."""
    return Row(title, GROUP)


def bookmark_rows(bookmarks: list[tuple[str, str]]) -> list[Row]:
    """The BOOKMARKS group's rows: one a bookmark, or a muted hint while there are none."""
    rows = [Row(title, PAGE, page_id, title) for page_id, title in bookmarks]
    if not bookmarks:
        rows.append(Row(BOOKMARKS_HINT, HINT))
    return rows


def filtered_rows(outline: Outline, bookmarks: list[tuple[str, str]], needle: str,
                  due_by_page: dict[str, int] | None = None) -> tuple[Row, RowIndex]:
    """The tree's rows whose text holds ``needle`` (any case), with their parents, and every row
    under a row that holds it: what the filter shows, made apart from any model so a worker can
    make it (plain Python over the outline; 100,000 titles in a few hundred ms, none of them
    on the UI thread). Returns the root of the rows and where each page's row is."""
    needle = needle.lower()
    builder = RowBuilder(due_by_page)
    root = Row("")

    def holds(text: str) -> bool:
        return needle in text.lower()

    def topic_row(topic) -> Row | None:
        questions = topic.questions if holds(topic.title) else [q for q in topic.questions if holds(q.title)]
        return builder.topic(topic, questions) if questions else None

    if holds("LIBRARY"):
        root.add(group_row("LIBRARY"))
    for row in filter(None, (topic_row(t) for t in outline.topics if t.pack == "builtin")):
        root.add(row)
    guides = [g for g in outline.guides if g.pack == "builtin"]
    if guides and holds("STUDY GUIDES"):
        root.add(group_row("STUDY GUIDES"))
    for guide in guides:
        if holds(guide.title):
            root.add(builder.page(guide.title, f"guide:{guide.id}"))
    packs = _packs_of(outline)
    if packs and holds("MY NOTES"):
        root.add(group_row("MY NOTES"))
    for pack, title, topics, pack_guides in packs:
        if holds(title):
            root.add(builder.pack(pack, title, topics, pack_guides))
            continue
        shown = ([row for row in map(topic_row, topics) if row is not None], [g for g in pack_guides if holds(g.title)])
        if shown[0] or shown[1]:
            root.add(builder.pack(pack, title, topics, pack_guides, shown))
    if holds("BOOKMARKS"):
        root.add(group_row("BOOKMARKS")).count = len(bookmarks) or None
    for row in bookmark_rows(bookmarks):
        if holds(row.title):
            root.add(row)
    return root, builder.where


def _packs_of(outline: Outline) -> list[tuple[str, str, list, list]]:
    """(pack, title, topics, guides) of each imported pack, by title."""
    packs: dict[str, list] = {}
    for topic in outline.topics:
        if topic.pack != "builtin":
            packs.setdefault(topic.pack, []).append(topic)
    guides: dict[str, list] = {}
    for guide in outline.guides:
        if guide.pack != "builtin":
            guides.setdefault(guide.pack, []).append(guide)
    return [(pack, outline.pack_titles.get(pack, pack), packs.get(pack, []), guides.get(pack, []))
            for pack in sorted(set(packs) | set(guides), key=lambda p: outline.pack_titles.get(p, p).lower())]


def _mark_pack(row: Row, pack: str) -> None:
    """PACK_ROLE on a pack's row and every row under it (its questions read their topic's)."""
    row.pack = pack
    for child in row.children:
        _mark_pack(child, pack)


class Sidebar(QWidget):
    """The library's table of contents. Only the user opens pages from it (a click, the arrow
    keys in the tree, Enter in the filter); the filter itself only narrows the tree, and the
    tree follows whatever the reader shows (``select``)."""

    page_selected = Signal(str)
    remove_pack_requested = Signal(str)  # a pack id, from the MY NOTES context menu
    filter_left = Signal()  # Esc in the filter: the caller gives the focus back to the reader

    def __init__(self, theme: themes.Theme, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("Sidebar")
        self.filter = QLineEdit(placeholderText="Filter topics and questions…")
        self.tree = _Tree()
        font = QFont(self.tree.font())
        font.setPixelSize(themes.SIDEBAR_FONT_PX)  # the stylesheet's size, before it is applied
        row, group_row = row_heights(QFontMetrics(font).height())
        self._row_size, self._group_row_size = QSize(0, row), QSize(0, group_row)
        self.model = LibraryModel(self._row_size, self._group_row_size, self)
        # Filtering swaps the proxy's source (see _show_filtered): the tree keeps one selection model.
        # An identity proxy maps an index without asking the model (a QSortFilterProxyModel asked
        # the Python model for each row's index again at every call: 3,000 opened rows, 0.1 s).
        self.proxy = QIdentityProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.tree.setModel(self.proxy)
        self.tree.setHeaderHidden(True)
        self.tree.setUniformRowHeights(False)
        self.tree.setIndentation(14)
        self.tree.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.tree.setAnimated(True)
        self.delegate = _BadgeDelegate(theme, self.tree)
        self.tree.setItemDelegate(self.delegate)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 10, 6, 6)
        layout.setSpacing(8)
        layout.addWidget(self.filter)
        # One click to each group: BOOKMARKS and MY NOTES sit below the whole library.
        from PySide6.QtWidgets import QHBoxLayout, QToolButton

        jumps = QHBoxLayout()
        jumps.setContentsMargins(0, 0, 0, 0)
        jumps.setSpacing(2)
        self.jump_buttons: dict[str, QToolButton] = {}
        for group, label in JUMPS:
            button = QToolButton(objectName="SidebarJump", text=label)
            button.setToolTip(f"Show {label.lower()} at the top of the list")
            button.clicked.connect(lambda _checked=False, g=group: self.jump_to(g))
            jumps.addWidget(button)
            self.jump_buttons[group] = button
        jumps.addStretch(1)
        layout.addLayout(jumps)
        layout.addWidget(self.tree)
        # Rows by page id of the tree as shown: the whole tree's (``_tree_items``), or while a
        # filter is shown the filtered model's.
        self._tree_items = Rows(self.model)
        self._items = self._tree_items
        self._bookmarks: list[tuple[str, str]] = []  # (page id, title), newest first
        self._bookmarks_at = 0  # the BOOKMARKS heading's row among the top rows
        self._following = False  # True while the current row moves without the user (select, filter)
        self.current_page: str | None = None  # the reader's page, which the tree follows
        self._expanded_before_filter: list[str] | None = None
        self._expandable: list[str] = []  # topic and pack ids of the whole tree
        self._topic_rows: list[tuple[str, Row]] = []  # (topic id, its row) of the whole tree
        self._outline: Outline | None = None
        self._due_by_page: dict[str, int] | None = None
        # While a filter is shown, the tree shows a model of the matching rows only, made on a
        # worker (``filtered_rows``): the proxy's own filter ran over every row on the UI thread
        # at each keystroke (650 ms at 100,000 questions). The whole tree's model stays as it was.
        self._filter_model: LibraryModel | None = None
        self._filter_shown = 0  # the request the filtered model answers
        self._filter_wanted = 0  # counts filter requests: a worker's answer to an older one is dropped
        self._filter_timer = QTimer(self, singleShot=True, interval=FILTER_DEBOUNCE_MS)
        self._filter_timer.timeout.connect(self._start_filter)
        self.filter.textChanged.connect(self._on_filter)
        self.tree.selectionModel().currentChanged.connect(self._on_current)
        self.tree.activated.connect(self._on_activated)
        self.tree.setProperty("contextMenuPolicy", "CustomContextMenu")
        self.tree.customContextMenuRequested.connect(self._on_context_menu)
        self.filter.returnPressed.connect(self.open_first_match)

    def add_shortcuts(self) -> None:
        """Escape empties the filter and hands the keyboard back to the reader. Called once the
        window is on screen (see MainWindow); only while the filter has the focus."""
        from PySide6.QtCore import Qt
        from PySide6.QtGui import QKeySequence, QShortcut

        QShortcut(QKeySequence("Escape"), self.filter, activated=self._leave_filter,
                  context=Qt.ShortcutContext.WidgetShortcut)

    def _leave_filter(self) -> None:
        self.filter.clear()
        self.filter_left.emit()

    def set_theme(self, theme: themes.Theme) -> None:
        self.delegate.set_theme(theme)
        self.tree.viewport().update()

    # ------------------------------------------------------------ content
    def populate(self, outline: Outline, due_by_page: dict[str, int] | None = None,
                 packs_built: PackRows | None = None) -> None:
        """Fill the tree from ``outline``. ``packs_built``: the imported packs' rows, made on a
        worker by ``build_pack_rows`` from this outline (the rows of 100,000 questions are a few
        hundred ms of Python to make; swapping them in is not)."""
        filtering = self._filter_model is not None or self._filter_timer.isActive()
        if filtering:
            self._show_whole_tree(restore=False)
        expanded = self._expanded_before_filter if self._expanded_before_filter is not None else self.expanded_ids()
        self._outline, self._due_by_page = outline, due_by_page
        builder = RowBuilder(due_by_page)
        root = Row("")
        root.add(group_row("LIBRARY"))
        for topic in outline.topics:
            if topic.pack == "builtin":
                root.add(builder.topic(topic))
        guides = [g for g in outline.guides if g.pack == "builtin"]
        if guides:
            root.add(group_row("STUDY GUIDES"))
            for guide in guides:
                root.add(builder.page(guide.title, f"guide:{guide.id}"))
        where = builder.where
        if packs_built is None:
            packs_built = self.build_pack_rows(outline, due_by_page)
        rows, pack_where = packs_built
        if rows:
            root.add(group_row("MY NOTES"))
            for row in rows:
                root.add(row)
            where.update(pack_where)
        self._bookmarks_at = len(root.children)
        for row in self._bookmark_rows():
            root.add(row)
        self.model.set_rows(root, where)
        self._expandable = [page_id for page_id in where.rows if page_id.startswith(("topic:", "pack:"))]
        # The rows a due count is shown on, found once here, not among every row at each count.
        self._topic_rows = [(page_id[6:], where.rows[page_id]) for page_id in self._expandable
                            if page_id.startswith("topic:")]
        for page_id in expanded:
            self.expand(page_id)
        self._update_jumps()
        if filtering:
            self._expanded_before_filter = expanded
            self._filter_soon()

    def build_pack_rows(self, outline: Outline, due_by_page: dict[str, int] | None = None) -> PackRows:
        """The MY NOTES rows of ``outline``, no model's yet: plain Python, which a worker thread
        may make."""
        builder = RowBuilder(due_by_page)
        rows = [builder.pack(pack, title, topics, guides) for pack, title, topics, guides in _packs_of(outline)]
        return rows, builder.where

    def _on_context_menu(self, pos) -> None:
        pack = self.tree.indexAt(pos).data(PACK_ROLE)
        if not pack:
            return
        from PySide6.QtWidgets import QMenu

        menu = QMenu(self.tree)
        menu.addAction("Remove pack…", lambda: self.remove_pack_requested.emit(pack))
        menu.exec(self.tree.viewport().mapToGlobal(pos))

    def set_bookmarks(self, entries: list[tuple[str, str]]) -> None:
        """The BOOKMARKS group, last in the tree: (page id, title) pairs, newest first."""
        self._bookmarks = list(entries)
        if self.model.root.children:  # else populate() adds them
            self.model.replace_tail(self._bookmarks_at, self._bookmark_rows())
        if self._filter_model is not None:
            self._filter_soon()  # the filtered rows show bookmarks too

    def _bookmark_rows(self) -> list[Row]:
        """The BOOKMARKS heading with its rows. They stay out of the rows by page id: select()
        keeps pointing at the question in its topic."""
        header = group_row("BOOKMARKS")
        header.count = len(self._bookmarks) or None
        return [header, *bookmark_rows(self._bookmarks)]

    def set_due_counts(self, due_by_topic: dict[str, int]) -> None:
        for topic_id, row in self._topic_rows:
            due = due_by_topic.get(topic_id) or None
            if row.due != due:
                row.due = due
                self.model.row_changed(row)

    # ------------------------------------------------------------ groups
    def group_index(self, title: str) -> QModelIndex:
        for row in range(self.proxy.rowCount()):
            index = self.proxy.index(row, 0)
            if index.data(GROUP_ROLE) and index.data() == title:
                return index
        return QModelIndex()

    def jump_to(self, title: str) -> None:
        """Scroll a group heading (LIBRARY, STUDY GUIDES, MY NOTES, BOOKMARKS) to the top."""
        index = self.group_index(title)
        if index.isValid():
            self.tree.scrollTo(index, QAbstractItemView.ScrollHint.PositionAtTop)

    def _update_jumps(self) -> None:
        for title, button in self.jump_buttons.items():
            button.setVisible(self.group_index(title).isValid())

    # ------------------------------------------------------------ selection
    def select(self, page_id: str) -> None:
        """Make the reader's page the current row: its topic (and pack) expanded, the tree
        scrolled only as far as needed to show it. A page the filter hides stays unselected
        until the filter lets it back in."""
        self.current_page = page_id
        index = self._index(page_id)
        if not index.isValid():
            self._set_current(None)
            return
        parent = index.parent()
        while parent.isValid():
            self.tree.expand(parent)
            parent = parent.parent()
        self._set_current(index)
        self.tree.scrollTo(index)

    def _set_current(self, index: QModelIndex | None) -> None:
        # A flag, not blockSignals(): the tree itself listens to the selection model, and with its
        # signals blocked it never repainted the highlight when the row was already on screen.
        self._following = True
        try:
            if index is None:
                self.tree.selectionModel().clear()
            else:
                self.tree.setCurrentIndex(index)
        finally:
            self._following = False

    def _index(self, page_id: str) -> QModelIndex:
        """The tree's (the proxy's) index of ``page_id``'s row as shown; invalid when not shown."""
        model = self._filter_model or self.model
        found = model.where.find(page_id)
        return self.proxy.mapFromSource(model.index_of(*found)) if found is not None else QModelIndex()

    def expand(self, page_id: str) -> None:
        index = self._index(page_id)
        if index.isValid():
            self.tree.expand(index)

    def expanded_ids(self) -> list[str]:
        """The topics and packs open in the tree as shown."""
        ids = self._expandable if self._filter_model is None else [
            page_id for page_id in self._filter_model.where.rows if page_id.startswith(("topic:", "pack:"))]
        return [page_id for page_id in ids if self.tree.isExpanded(self._index(page_id))]

    def _on_current(self, current: QModelIndex, _previous: QModelIndex) -> None:
        page_id = current.data(PAGE_ROLE)
        if page_id and not self._following:  # select() follows the reader: no echo back to it
            self.page_selected.emit(page_id)

    def _on_activated(self, index: QModelIndex) -> None:
        if index.data(PAGE_ROLE) and self.proxy.hasChildren(index):
            self.tree.setExpanded(index, not self.tree.isExpanded(index))

    def _on_filter(self, text: str) -> None:
        """Typing filters once it pauses (FILTER_DEBOUNCE_MS), on a worker; emptying the filter
        shows the whole tree again at once, as the user left it."""
        if text.strip():
            if self._expanded_before_filter is None:
                self._expanded_before_filter = self.expanded_ids()
            self._filter_soon()
        else:
            self._show_whole_tree(restore=True)

    def _filter_soon(self) -> None:
        self._filter_wanted += 1  # whatever a worker is making now answers an older text
        self._filter_timer.start()

    def _start_filter(self, *, here: bool = False) -> None:
        """Make the filtered rows for the filter's text: on the runner, or ``here`` (on this
        thread) when an answer is needed now (Enter, a caller reading the matches)."""
        from .runner import run_in_background

        self._filter_timer.stop()
        self._filter_wanted += 1
        wanted, outline = self._filter_wanted, self._outline
        if outline is None:
            return
        make = partial(filtered_rows, outline, list(self._bookmarks), self.filter.text().strip(), self._due_by_page)
        if here:
            self._show_filtered(make(), wanted)
        else:
            run_in_background(lambda _progress: make(), done=lambda built: self._show_filtered(built, wanted),
                              name="sidebar-filter")

    def filter_pending(self) -> bool:
        """True while typed text waits to be shown filtered (the pause, or the worker)."""
        return bool(self.filter.text().strip()) and self._filter_shown != self._filter_wanted

    def _settle_filter(self) -> None:
        """A filter typed but not shown yet is shown now (the matches are about to be read)."""
        if self.filter_pending():
            self._start_filter(here=True)

    def _show_filtered(self, built: tuple[Row, RowIndex], wanted: int) -> None:
        """Show the matching rows: one model swapped under the proxy, a few topics opened."""
        from shiboken6 import isValid

        if not isValid(self.filter):
            return  # the window closed while the rows were built on the runner
        if wanted != self._filter_wanted or not self.filter.text().strip():
            return  # typed on meanwhile, or emptied: a newer request (or none) stands
        model = LibraryModel(self._row_size, self._group_row_size, self)
        model.set_rows(*built)
        # Rows the swap removes include the current one: the selection model then makes some
        # other row current, which must never open it (issue 22: "fi" opened another question).
        self._following = True
        try:
            self.proxy.setSourceModel(model)
            if self._filter_model is not None:
                self._filter_model.deleteLater()
            self._filter_model, self._items, self._filter_shown = model, Rows(model), wanted
            self._expand_matches()
            # The open page's row stays current when the filter shows it, without scrolling there.
            index = self._index(self.current_page or "")
            if index.isValid():
                self.tree.setCurrentIndex(index)
            else:
                self.tree.selectionModel().clear()
        finally:
            self._following = False
        self.tree.scrollToTop()  # the matches from the first (the one Enter opens)

    def _show_whole_tree(self, *, restore: bool) -> None:
        """Back to the whole tree: opened as the user left it (``restore``), the open page's row
        current and revealed."""
        self._filter_timer.stop()
        self._filter_wanted += 1
        if self._filter_model is None:
            self._expanded_before_filter = None if restore else self._expanded_before_filter
            if restore and self.current_page:
                self.select(self.current_page)
            return
        self._following = True
        try:
            self.proxy.setSourceModel(self.model)
            self._filter_model.deleteLater()
            self._filter_model, self._items = None, self._tree_items
            if restore:
                for page_id in self._expanded_before_filter or ():
                    self.expand(page_id)
                self._expanded_before_filter = None
        finally:
            self._following = False
        if restore and self.current_page:
            self.select(self.current_page)  # back to the open page's row, revealed

    def _expand_matches(self) -> None:
        """Open the rows the filter left, shallowest first, as far as MAX_EXPANDED_MATCHES rows:
        a word that matches most of a 100,000-question pack shows its topics closed instead of
        laying out every question. The view asks the model about each row it lays out (twice,
        ~10 us in Python): a thousand rows, forty screens of matches, are ~10 ms of the UI
        thread, three thousand were ~40. Walks the filtered rows, descending only into rows
        with rows under them (questions never have any)."""
        budget = MAX_EXPANDED_MATCHES
        model = self._filter_model
        level = list(model.root.children)
        while level and budget > 0:
            deeper = []
            for row in level:
                children = row.row_count()
                if children and children <= budget:
                    self.tree.setExpanded(self.proxy.mapFromSource(model.index_of(row.parent, row.position)), True)
                    budget -= children
                    deeper += [child for child in row.children if child.row_count()]
            level = deeper

    def first_match(self) -> str | None:
        """The first row the filter matched by its own title (not a topic shown only because a
        question under it matched); the first page row when none does."""
        self._settle_filter()
        needle = self.filter.text().strip().lower()
        first, index = None, self.proxy.index(0, 0)
        while index.isValid():
            page_id = index.data(PAGE_ROLE)
            if page_id:
                if needle and needle in (index.data() or "").lower():
                    return page_id
                first = first or page_id
            index = self.tree.indexBelow(index)
        return first

    def open_first_match(self) -> None:
        """Enter in the filter: open the first match and move to the tree, where the arrows go
        on through the matches."""
        page_id = self.first_match()
        if page_id is None:
            return
        self.page_selected.emit(page_id)
        self.select(page_id)
        self.tree.setFocus()

    def visible_page_ids(self) -> list[str]:
        self._settle_filter()
        found, index = [], self.proxy.index(0, 0)
        while index.isValid():
            if index.data(PAGE_ROLE):
                found.append(index.data(PAGE_ROLE))
            index = self.tree.indexBelow(index)
        return found
