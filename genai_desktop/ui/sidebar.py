"""The library sidebar: a filter box over the topic tree (topics, their questions, guides, packs)."""

from __future__ import annotations

from functools import partial

from PySide6.QtCore import QModelIndex, QPointF, QRect, QRectF, QSize, QSortFilterProxyModel, QTimer, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetrics,
    QPainter,
    QPainterPath,
    QPalette,
    QStandardItem,
    QStandardItemModel,
    QTextDocument,
)
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

# The sidebar is on the way to the first paint, so it never reads ``Qt``: that builds all of
# its enums (~13 ms, see theme.resolve), and so does any call into an overload set that
# takes one of them (QPainter.setPen, fillRect, QBrush(...)). Hence the role spelled as a
# number (tests/ui/test_sidebar.py checks it) and enum properties set by name.
USER_ROLE = 0x0100  # Qt.ItemDataRole.UserRole
PAGE_ROLE = USER_ROLE + 1
COUNT_ROLE = USER_ROLE + 2
DUE_ROLE = USER_ROLE + 3
GROUP_ROLE = USER_ROLE + 4
PACK_ROLE = USER_ROLE + 5  # the user pack a MY NOTES row belongs to
HINT_ROLE = USER_ROLE + 6  # a muted line of help, such as the empty BOOKMARKS group's
LATER_ROLE = USER_ROLE + 8  # a filtered topic's placeholder row: its matches are made when it is opened
SPLIT_ROLE = USER_ROLE + 7  # where a title departs from a sibling's that starts the same way
# Sibling titles sharing at least this many leading characters would look the same once cut
# to the sidebar's width ("How do RNNs, LSTMs and…" twice): they show where they differ.
COLLIDING_PREFIX = 24
JUMPS = (("LIBRARY", "Library"), ("STUDY GUIDES", "Guides"), ("MY NOTES", "My notes"), ("BOOKMARKS", "Bookmarks"))


# Row heights ride on the items (Qt.ItemDataRole.SizeHintRole): the C++ delegate reads them
# without calling into Python, where a sizeHint() override cost ~4 ms of the first paint.
ROW_HEIGHT = 28
GROUP_ROW_HEIGHT = 30
ITEM_PADDING_PX = 10  # QTreeView::item's 4 px above and below (theme.chrome_stylesheet) and a margin


MAX_EXPANDED_MATCHES = 3000  # rows a filter opens at once (see Sidebar._expand_matches)
# Typing pauses this long before the tree is filtered: a burst of letters filters once.
FILTER_DEBOUNCE_MS = 120


def row_heights(line_height: int) -> tuple[int, int]:
    """Rows and group headings: 28 and 30 px, taller when the font's lines need more
    (some system fonts, such as CJK ones, have tall lines at 14 px)."""
    needed = line_height + ITEM_PADDING_PX
    return max(ROW_HEIGHT, needed), max(GROUP_ROW_HEIGHT, needed)


def _row(text: str, size: QSize) -> QStandardItem:
    item = QStandardItem(text)
    item.setSizeHint(size)
    return item


def _scale_font(font: QFont, factor: float) -> None:
    # Stylesheets set pixel sizes, where pointSizeF() is -1.
    if font.pixelSize() > 0:
        font.setPixelSize(max(9, round(font.pixelSize() * factor)))
    else:
        font.setPointSizeF(max(7.0, font.pointSizeF() * factor))


def _common_prefix(a: str, b: str) -> str:
    n = 0
    while n < min(len(a), len(b)) and a[n] == b[n]:
        n += 1
    return a[:n]


def shared_prefix_lengths(titles: list[str]) -> list[int]:
    """For each title, the longest start it shares with any other title of the list. In sorted
    order the title sharing most with a given one is a neighbour, so comparing neighbours is
    enough: n log n, where every pair was n² (seconds for a topic of a few hundred imported
    questions, minutes for a 100,000-question pack)."""
    order = sorted(range(len(titles)), key=titles.__getitem__)
    shared = [0] * len(titles)
    for before, after in zip(order, order[1:], strict=False):
        common = len(_common_prefix(titles[before], titles[after]))
        shared[before] = max(shared[before], common)
        shared[after] = max(shared[after], common)
    return shared


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
    selected row in the selection colour, a stray block left of the highlighted question."""

    def drawBranches(self, painter: QPainter, rect: QRect, index: QModelIndex) -> None:  # noqa: N802
        if self.model().hasChildren(index):
            super().drawBranches(painter, rect, index)
        else:
            # eraseRect(), not fillRect(): that overload set makes PySide build all of Qt's enums.
            painter.setBackground(self.palette().brush(QPalette.ColorRole.Base))  # the viewport's role
            painter.eraseRect(rect)


PackRows = tuple[list[QStandardItem], dict[str, QStandardItem]]  # top rows, and every row by page id


class RowBuilder:
    """Makes the tree's rows for topics, pages and packs, outside any model: the sidebar adds
    them, and a worker may make a large pack's (see ``Sidebar.build_pack_rows``)."""

    def __init__(self, row_size: QSize, due_by_page: dict[str, int] | None = None) -> None:
        self.row_size = row_size
        self.due_by_page = due_by_page or {}
        self.items: dict[str, QStandardItem] = {}

    def page(self, text: str, page_id: str) -> QStandardItem:
        item = _row(text, self.row_size)
        item.setData(page_id, PAGE_ROLE)
        item.setToolTip(text)
        self.items[page_id] = item
        return item

    def topic(self, topic, questions: list | None = None) -> QStandardItem:
        """A topic's row with its questions (``questions``: only these, for a filter; the count
        and the due badge stay the whole topic's)."""
        item = self.page(topic.title, f"topic:{topic.id}")
        item.setData(len(topic.questions), COUNT_ROLE)
        font = item.font()
        font.setWeight(QFont.Weight.DemiBold)
        item.setFont(font)
        due_total = 0
        for question in topic.questions:
            due_total += self.due_by_page.get(f"q:{question.id}", 0)
        for question in topic.questions if questions is None else questions:
            item.appendRow(self.page(question.title, f"q:{question.id}"))
        if due_total:
            item.setData(due_total, DUE_ROLE)
        _mark_collisions(item)
        return item

    def pack(self, pack: str, title: str, topics: list, guides: list,
             shown: tuple[list, list] | None = None) -> QStandardItem:
        """One imported pack: its topics and pages under its title (a lone topic stands alone).
        ``shown``: (topic rows already made, guides) to show instead of all, for a filter."""
        if len(topics) == 1 and not guides:
            item = shown[0][0] if shown else self.topic(topics[0])
        else:
            item = _row(title, self.row_size)
            item.setToolTip(f"{title} (imported notes; right-click to remove)")
            item.setData(sum(len(t.questions) for t in topics) or None, COUNT_ROLE)
            font = item.font()
            font.setWeight(QFont.Weight.DemiBold)
            item.setFont(font)
            for topic_row in shown[0] if shown else (self.topic(topic) for topic in topics):
                item.appendRow(topic_row)
            for guide in shown[1] if shown else guides:
                item.appendRow(self.page(guide.title, f"guide:{guide.id}"))
            self.items[f"pack:{pack}"] = item
        _mark_pack(item, pack)
        return item


BOOKMARKS_HINT = "Star a question or guide (Ctrl+D) to keep it here"


def group_row(title: str, size: QSize) -> QStandardItem:
    """A group heading (LIBRARY, STUDY GUIDES, MY NOTES, BOOKMARKS): small caps, never selected."""
    item = _row(title, size)
    item.setData(True, GROUP_ROLE)
    item.setSelectable(False)
    item.setEnabled(True)
    return item


def bookmark_rows(bookmarks: list[tuple[str, str]], size: QSize) -> list[QStandardItem]:
    """The BOOKMARKS group's rows: one a bookmark, or a muted hint while there are none."""
    rows = []
    for page_id, title in bookmarks:
        item = _row(title, size)
        item.setData(page_id, PAGE_ROLE)
        item.setToolTip(title)
        rows.append(item)
    if not bookmarks:
        hint = _row(BOOKMARKS_HINT, size)
        hint.setSelectable(False)
        hint.setData(True, HINT_ROLE)
        font = hint.font()
        font.setItalic(True)
        hint.setFont(font)
        rows.append(hint)
    return rows


def filtered_rows(outline: Outline, bookmarks: list[tuple[str, str]], needle: str, row_size: QSize,
                  group_size: QSize, due_by_page: dict[str, int] | None = None) -> PackRows:
    """The tree's rows whose text holds ``needle`` (any case), with their parents, and every row
    under a row that holds it: what the filter shows, made apart from any model so a worker can
    make it (plain Python over the outline; 100,000 titles in a few hundred ms, none of them
    on the UI thread). Returns the top rows and the rows by page id."""
    needle = needle.lower()
    builder = RowBuilder(row_size, due_by_page)
    rows: list[QStandardItem] = []

    def holds(text: str) -> bool:
        return needle in text.lower()

    budget = [MAX_EXPANDED_MATCHES]  # question rows made now; a topic past it gets them when opened

    def topic_row(topic) -> QStandardItem | None:
        questions = topic.questions if holds(topic.title) else [q for q in topic.questions if holds(q.title)]
        if not questions:
            return None
        if len(questions) <= budget[0]:
            budget[0] -= len(questions)
            return builder.topic(topic, questions)
        # Made and thrown away at every filter, 46,000 rows cost the UI thread 230 ms to delete:
        # a topic the filter leaves closed holds one placeholder until it is opened.
        item = builder.topic(topic, [])
        later = _row("…", row_size)
        later.setData([(q.title, f"q:{q.id}") for q in questions], LATER_ROLE)
        later.setSelectable(False)
        item.appendRow(later)
        return item

    if holds("LIBRARY"):
        rows.append(group_row("LIBRARY", group_size))
    rows += filter(None, (topic_row(t) for t in outline.topics if t.pack == "builtin"))
    guides = [g for g in outline.guides if g.pack == "builtin"]
    if guides and holds("STUDY GUIDES"):
        rows.append(group_row("STUDY GUIDES", group_size))
    rows += [builder.page(g.title, f"guide:{g.id}") for g in guides if holds(g.title)]
    packs = _packs_of(outline)
    if packs and holds("MY NOTES"):
        rows.append(group_row("MY NOTES", group_size))
    for pack, title, topics, pack_guides in packs:
        if holds(title):
            rows.append(builder.pack(pack, title, topics, pack_guides))
            continue
        shown = ([row for row in map(topic_row, topics) if row is not None], [g for g in pack_guides if holds(g.title)])
        if shown[0] or shown[1]:
            rows.append(builder.pack(pack, title, topics, pack_guides, shown))
    if holds("BOOKMARKS"):
        rows.append(group_row("BOOKMARKS", group_size))
        rows[-1].setData(len(bookmarks) or None, COUNT_ROLE)
    rows += [row for row in bookmark_rows(bookmarks, row_size) if holds(row.text())]
    return rows, builder.items


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


def _mark_pack(item: QStandardItem, pack: str) -> None:
    item.setData(pack, PACK_ROLE)
    for row in range(item.rowCount()):
        _mark_pack(item.child(row), pack)


def _mark_collisions(parent: QStandardItem) -> None:
    """SPLIT_ROLE on sibling rows whose titles start alike: the offset of the word where
    each departs from the sibling it shares most with."""
    titles = [parent.child(row).text() for row in range(parent.rowCount())]
    for row, (title, shared) in enumerate(zip(titles, shared_prefix_lengths(titles), strict=True)):
        if shared >= COLLIDING_PREFIX:
            cut = title.rfind(" ", 0, shared)  # back to the start of the word that differs
            parent.child(row).setData(max(cut, 0), SPLIT_ROLE)


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
        self.model = QStandardItemModel(self)
        # Filtering swaps the proxy's source (see _show_filtered): the tree keeps one selection model.
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.tree = _Tree()
        font = QFont(self.tree.font())
        font.setPixelSize(themes.SIDEBAR_FONT_PX)  # the stylesheet's size, before it is applied
        row, group_row = row_heights(QFontMetrics(font).height())
        self._row_size, self._group_row_size = QSize(0, row), QSize(0, group_row)
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
        self._tree_items: dict[str, QStandardItem] = {}
        self._items = self._tree_items
        self._bookmarks: list[tuple[str, str]] = []  # (page id, title), newest first
        self._bookmarks_header: QStandardItem | None = None
        self._following = False  # True while the current row moves without the user (select, filter)
        self.current_page: str | None = None  # the reader's page, which the tree follows
        self._expanded_before_filter: list[str] | None = None
        self._expandable: list[str] = []  # topic and pack ids of the whole tree
        self._topic_rows: list[tuple[str, QStandardItem]] = []  # (topic id, its row) of the whole tree
        self._outline: Outline | None = None
        self._due_by_page: dict[str, int] | None = None
        # While a filter is shown, the tree shows a model of the matching rows only, made on a
        # worker (``filtered_rows``): the proxy's own filter ran over every row on the UI thread
        # at each keystroke (650 ms at 100,000 questions). The whole tree's model stays as it was.
        self._filter_model: QStandardItemModel | None = None
        self._filter_shown = 0  # the request the filtered model answers
        self._filter_wanted = 0  # counts filter requests: a worker's answer to an older one is dropped
        self._filter_timer = QTimer(self, singleShot=True, interval=FILTER_DEBOUNCE_MS)
        self._filter_timer.timeout.connect(self._start_filter)
        self.filter.textChanged.connect(self._on_filter)
        self.tree.selectionModel().currentChanged.connect(self._on_current)
        self.tree.activated.connect(self._on_activated)
        self.tree.expanded.connect(self._fill_later)
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
        worker by ``build_pack_rows`` from this outline (100,000 rows take seconds to make)."""
        filtering = self._filter_model is not None or self._filter_timer.isActive()
        if filtering:
            self._show_whole_tree(restore=False)
        expanded = self._expanded_before_filter if self._expanded_before_filter is not None else self.expanded_ids()
        self._outline, self._due_by_page = outline, due_by_page
        self.model.clear()
        self._items.clear()
        builder = RowBuilder(self._row_size, due_by_page)
        root = self.model.invisibleRootItem()
        self._add_group(root, "LIBRARY")
        for topic in outline.topics:
            if topic.pack == "builtin":
                root.appendRow(builder.topic(topic))
        guides = [g for g in outline.guides if g.pack == "builtin"]
        if guides:
            self._add_group(root, "STUDY GUIDES")
            for guide in guides:
                root.appendRow(builder.page(guide.title, f"guide:{guide.id}"))
        self._items.update(builder.items)
        if packs_built is None:
            packs_built = self.build_pack_rows(outline, due_by_page)
        rows, items = packs_built
        if rows:
            self._add_group(root, "MY NOTES")
            for item in rows:
                root.appendRow(item)
            self._items.update(items)
        self._add_bookmarks(root)
        self._expandable = [page_id for page_id in self._items if page_id.startswith(("topic:", "pack:"))]
        # The rows a due count is shown on, found once here, not among every row at each count.
        self._topic_rows = [(page_id[6:], self._items[page_id]) for page_id in self._expandable
                            if page_id.startswith("topic:")]
        for page_id in expanded:
            self.expand(page_id)
        self._update_jumps()
        if filtering:
            self._expanded_before_filter = expanded
            self._filter_soon()

    def build_pack_rows(self, outline: Outline, due_by_page: dict[str, int] | None = None) -> PackRows:
        """The MY NOTES rows of ``outline``, no model's yet: a worker thread may make them (a
        QStandardItem is no QObject and belongs to no thread until it is in a model)."""
        builder = RowBuilder(self._row_size, due_by_page)
        rows = [builder.pack(pack, title, topics, guides) for pack, title, topics, guides in _packs_of(outline)]
        return rows, builder.items

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
        root = self.model.invisibleRootItem()
        if self._bookmarks_header is not None:
            root.removeRows(self._bookmarks_header.row(), root.rowCount() - self._bookmarks_header.row())
        self._add_bookmarks(root)
        if self._filter_model is not None:
            self._filter_soon()  # the filtered rows show bookmarks too

    def _add_bookmarks(self, root: QStandardItem) -> None:
        # Rows stay out of ``_items``: select() keeps pointing at the question in its topic.
        self._add_group(root, "BOOKMARKS")
        self._bookmarks_header = root.child(root.rowCount() - 1)
        self._bookmarks_header.setData(len(self._bookmarks) or None, COUNT_ROLE)
        for item in bookmark_rows(self._bookmarks, self._row_size):
            root.appendRow(item)

    def _add_group(self, root: QStandardItem, title: str) -> None:
        root.appendRow(group_row(title, self._group_row_size))

    def set_due_counts(self, due_by_topic: dict[str, int]) -> None:
        for topic_id, item in self._topic_rows:
            item.setData(due_by_topic.get(topic_id) or None, DUE_ROLE)

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
        item = self._items.get(page_id)
        index = self.proxy.mapFromSource(item.index()) if item is not None else None
        if index is None or not index.isValid():
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

    def expand(self, page_id: str) -> None:
        item = self._items.get(page_id)
        if item is not None:
            self.tree.expand(self.proxy.mapFromSource(item.index()))

    def expanded_ids(self) -> list[str]:
        """The topics and packs open in the tree as shown."""
        items = self._items
        ids = self._expandable if self._filter_model is None else [
            page_id for page_id in items if page_id.startswith(("topic:", "pack:"))]
        return [page_id for page_id in ids if self.tree.isExpanded(self.proxy.mapFromSource(items[page_id].index()))]

    def _on_current(self, current: QModelIndex, _previous: QModelIndex) -> None:
        page_id = current.data(PAGE_ROLE)
        if page_id and not self._following:  # select() follows the reader: no echo back to it
            self.page_selected.emit(page_id)

    def _fill_later(self, index: QModelIndex) -> None:
        """A filtered topic opened: its matching questions replace the placeholder."""
        if self._filter_model is None:
            return
        item = self._filter_model.itemFromIndex(self.proxy.mapToSource(index))
        later = item.child(0) if item is not None and item.rowCount() == 1 else None
        pages = later.data(LATER_ROLE) if later is not None else None
        if not pages:
            return
        builder = RowBuilder(self._row_size)
        item.removeRow(0)
        item.appendRows([builder.page(title, page_id) for title, page_id in pages])
        _mark_collisions(item)
        if item.data(PACK_ROLE):
            _mark_pack(item, item.data(PACK_ROLE))
        self._items.update(builder.items)

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
        make = partial(filtered_rows, outline, list(self._bookmarks), self.filter.text().strip(), QSize(self._row_size),
                       QSize(self._group_row_size), self._due_by_page)
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

    def _show_filtered(self, built: PackRows, wanted: int) -> None:
        """Show the matching rows: one model swapped under the proxy, a few topics opened."""
        from shiboken6 import isValid

        if not isValid(self.filter):
            return  # the window closed while the rows were built on the runner
        if wanted != self._filter_wanted or not self.filter.text().strip():
            return  # typed on meanwhile, or emptied: a newer request (or none) stands
        rows, items = built
        model = QStandardItemModel(self)
        root = model.invisibleRootItem()
        for row in rows:
            root.appendRow(row)
        # Rows the swap removes include the current one: the selection model then makes some
        # other row current, which must never open it (issue 22: "fi" opened another question).
        self._following = True
        try:
            self.proxy.setSourceModel(model)
            if self._filter_model is not None:
                self._filter_model.deleteLater()
            self._filter_model, self._items, self._filter_shown = model, items, wanted
            self._expand_matches()
            # The open page's row stays current when the filter shows it, without scrolling there.
            item = items.get(self.current_page or "")
            index = self.proxy.mapFromSource(item.index()) if item is not None else None
            if index is not None and index.isValid():
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
        laying out every question (seconds). Walks the filtered model's items, descending only
        into rows with rows under them (a proxy index for each question cost 12 us apiece)."""
        budget = MAX_EXPANDED_MATCHES
        root = self._filter_model.invisibleRootItem()
        level = [root.child(row) for row in range(root.rowCount())]
        while level and budget > 0:
            deeper = []
            for item in level:
                children = item.rowCount()
                if children and children <= budget and not item.child(0).data(LATER_ROLE):
                    self.tree.setExpanded(self.proxy.mapFromSource(item.index()), True)
                    budget -= children
                    deeper += [child for child in map(item.child, range(children)) if child.hasChildren()]
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
