"""The sidebar's tree as a model over plain Python rows (issue "Never freeze").

A QStandardItemModel holds one C++ item per row: 100,000 imported questions were 100,000
items to insert, index and delete on the UI thread (~0.2-0.6 s at each reload, filter and
clear). Here a topic's questions are the outline's own entries in a list, and a question's
row exists only while the view asks about it (a topic's rows when it is open, the rows on
screen when they are painted). The rows (``Row``) are plain objects: a worker makes them
(``RowBuilder``), and the UI thread only swaps them in (``LibraryModel.set_rows``), in time
independent of the number of questions.

``RowHandle`` and ``Rows`` give a row the reading side of a QStandardItem (``text()``,
``toolTip()``, ``data(role)``, ``index()``, ``child()``, ``rowCount()``), which callers and
tests use to find a page's row.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterator, Mapping

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QSize
from PySide6.QtGui import QFont

# Qt.ItemDataRole values, spelled as numbers: reading ``Qt`` builds all of its enums (see sidebar.py).
DISPLAY_ROLE, TOOLTIP_ROLE, FONT_ROLE, SIZE_HINT_ROLE = 0, 3, 6, 13
USER_ROLE = 0x0100
PAGE_ROLE = USER_ROLE + 1
COUNT_ROLE = USER_ROLE + 2
DUE_ROLE = USER_ROLE + 3
GROUP_ROLE = USER_ROLE + 4
PACK_ROLE = USER_ROLE + 5  # the user pack a MY NOTES row belongs to
HINT_ROLE = USER_ROLE + 6  # a muted line of help, such as the empty BOOKMARKS group's
SPLIT_ROLE = USER_ROLE + 7  # where a title departs from a sibling's that starts the same way
# Sibling titles sharing at least this many leading characters would look the same once cut
# to the sidebar's width ("How do RNNs, LSTMs and…" twice): they show where they differ.
COLLIDING_PREFIX = 24

# Row kinds: the font and the height a row gets, and whether it can be selected.
PAGE, TOPIC, PACK, GROUP, HINT = "page", "topic", "pack", "group", "hint"


def _common_prefix(a: str, b: str) -> str:
    # A binary search on slices compared in C: a character at a time in Python it was 4 s of a
    # start with 100,000 imported questions (profiled).
    low, high = 0, min(len(a), len(b))
    while low < high:
        middle = (low + high + 1) // 2
        if a[:middle] == b[:middle]:
            low = middle
        else:
            high = middle - 1
    return a[:low]


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


def collision_splits(titles: list[str]) -> dict[int, int]:
    """Rows (by position) whose titles start like a sibling's for COLLIDING_PREFIX characters
    or more: the offset of the word where each departs from the sibling it shares most with."""
    splits = {}
    for row, (title, shared) in enumerate(zip(titles, shared_prefix_lengths(titles), strict=True)):
        if shared >= COLLIDING_PREFIX:
            splits[row] = max(title.rfind(" ", 0, shared), 0)  # back to the start of the word that differs
    return splits


class Row:
    """One row that is no question: a group heading, a topic, a pack, a guide, a bookmark, a
    hint. A topic's questions are ``questions`` (outline entries); its other rows ``children``."""

    __slots__ = ("children", "count", "due", "kind", "pack", "page", "parent", "position", "questions",
                 "splits", "tip", "title")

    def __init__(self, title: str, kind: str = PAGE, page: str | None = None, tip: str | None = None) -> None:
        self.title = title
        self.kind = kind
        self.page = page
        self.tip = tip
        self.count: int | None = None
        self.due: int | None = None
        self.pack: str | None = None
        self.children: list[Row] = []
        self.questions: list = []  # a topic's questions (outline entries), rows of their own
        # SPLIT_ROLE of a topic's questions, by row: worked out when first asked for (a topic
        # shown), not for every topic of a 100,000-question pack as its rows are made.
        self.splits: dict[int, int] | None = None
        self.parent: Row | None = None
        self.position = 0  # the row among its parent's

    def add(self, child: Row) -> Row:
        child.parent, child.position = self, len(self.children)
        self.children.append(child)
        return child

    def row_count(self) -> int:
        return len(self.children) or len(self.questions)

    def question_splits(self) -> dict[int, int]:
        """Where each of the questions' titles departs from a sibling it starts like (collision_splits)."""
        if self.splits is None:
            self.splits = collision_splits([question.title for question in self.questions])
        return self.splits


class RowIndex:
    """Where each page's row is: rows by page id, and a question's topic row and position. Made
    with the rows, on whichever thread makes them. A question's place is a number (its rank
    among the questions indexed here) in a dict of strings and numbers, which the garbage
    collector never walks: a (row, position) pair each made 100,000 objects for it to walk,
    holding the interpreter the UI thread waits for, at each reload and filter."""

    __slots__ = ("_parts", "rows")

    def __init__(self) -> None:
        self.rows: dict[str, Row] = {}
        # (rank by question id, each topic's first rank, the topics), one per index merged in
        self._parts: list[tuple[dict[str, int], list[int], list[Row]]] = [({}, [], [])]

    def add_topic(self, row: Row) -> None:
        ranks, starts, topics = self._parts[-1]
        first = starts[-1] + len(topics[-1].questions) if topics else 0
        starts.append(first)
        topics.append(row)
        ranks.update({question.id: first + n for n, question in enumerate(row.questions)})

    def update(self, other: RowIndex) -> None:
        self.rows.update(other.rows)
        self._parts += other._parts

    def question_ids(self) -> Iterator[str]:
        for ranks, _starts, _topics in self._parts:
            yield from ranks

    def find(self, page_id: str) -> tuple[Row, int] | None:
        """(parent row, position) of ``page_id``'s row."""
        row = self.rows.get(page_id)
        if row is not None:
            return row.parent, row.position
        if page_id.startswith("q:"):
            qid = page_id[2:]
            for ranks, starts, topics in reversed(self._parts):  # the last made wins, as dict.update
                rank = ranks.get(qid)
                if rank is not None:
                    at = bisect_right(starts, rank) - 1
                    return topics[at], rank - starts[at]
        return None


class LibraryModel(QAbstractItemModel):
    """The tree over ``Row``s. An index's internal pointer is its parent row, so a question's
    index needs no object of its own."""

    def __init__(self, row_size: QSize, group_size: QSize, parent=None) -> None:
        super().__init__(parent)
        self.row_size, self.group_size = row_size, group_size
        self.root = Row("")
        self.where = RowIndex()
        bold, italic = QFont(), QFont()
        bold.setWeight(QFont.Weight.DemiBold)
        italic.setItalic(True)
        self._fonts = {TOPIC: bold, PACK: bold, HINT: italic}

    # ------------------------------------------------------------ contents
    def set_rows(self, root: Row, where: RowIndex) -> None:
        """Show these rows instead: a reset, whatever their number."""
        self.beginResetModel()
        old = self.root, self.where  # noqa: F841 - alive until the view has let go of their indexes
        self.root, self.where = root, where
        self.endResetModel()

    def replace_tail(self, first: int, rows: list[Row]) -> None:
        """Top rows from ``first`` on replaced by ``rows`` (the BOOKMARKS group)."""
        root = self.root
        if first < len(root.children):
            self.beginRemoveRows(QModelIndex(), first, len(root.children) - 1)
            del root.children[first:]
            self.endRemoveRows()
        if rows:
            self.beginInsertRows(QModelIndex(), first, first + len(rows) - 1)
            for row in rows:
                root.add(row)
            self.endInsertRows()

    def index_of(self, parent: Row, position: int) -> QModelIndex:
        return self.createIndex(position, 0, parent)

    def row_changed(self, row: Row) -> None:
        index = self.index_of(row.parent, row.position)
        self.dataChanged.emit(index, index)

    def _node(self, index: QModelIndex) -> Row | None:
        """The Row of ``index``: the root for the invalid index, None for a question."""
        if not index.isValid():
            return self.root
        holder = index.internalPointer()
        return holder.children[index.row()] if holder.children else None

    # ------------------------------------------------------------ QAbstractItemModel
    # The view asks these for every row it lays out: kept short, they are most of a big
    # expansion's time.
    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        node = self._node(parent)
        return 0 if node is None else len(node.children) or len(node.questions)

    def columnCount(self, _parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 1

    def hasChildren(self, parent: QModelIndex = QModelIndex()) -> bool:  # noqa: B008, N802
        if not parent.isValid():
            return True
        holder = parent.internalPointer()
        if not holder.children:
            return False  # a question
        node = holder.children[parent.row()]
        return bool(node.children or node.questions)

    def index(self, row: int, column: int = 0, parent: QModelIndex = QModelIndex()) -> QModelIndex:  # noqa: B008
        node = self._node(parent)
        if node is None or column or row < 0 or row >= (len(node.children) or len(node.questions)):
            return QModelIndex()
        return self.createIndex(row, 0, node)

    def parent(self, index: QModelIndex | None = None) -> QModelIndex:  # type: ignore[override]
        if index is None:  # QObject.parent()
            return super().parent()
        if not index.isValid():
            return QModelIndex()
        holder = index.internalPointer()
        if holder.parent is None:  # the root: a top row
            return QModelIndex()
        return self.createIndex(holder.position, 0, holder.parent)

    def data(self, index: QModelIndex, role: int = DISPLAY_ROLE):
        if not index.isValid():
            return None
        holder = index.internalPointer()
        if not holder.children:  # a question: its entry in its topic's list
            entry = holder.questions[index.row()]
            if role in (DISPLAY_ROLE, TOOLTIP_ROLE):
                return entry.title
            if role == PAGE_ROLE:
                return f"q:{entry.id}"
            if role == SIZE_HINT_ROLE:
                return self.row_size
            if role == SPLIT_ROLE:
                return holder.question_splits().get(index.row())
            if role == PACK_ROLE:
                return holder.pack
            return None
        row = holder.children[index.row()]
        if role == DISPLAY_ROLE:
            return row.title
        if role == SIZE_HINT_ROLE:
            return self.group_size if row.kind == GROUP else self.row_size
        if role == TOOLTIP_ROLE:
            return row.tip
        if role == FONT_ROLE:
            return self._fonts.get(row.kind)
        if role == PAGE_ROLE:
            return row.page
        if role == COUNT_ROLE:
            return row.count
        if role == DUE_ROLE:
            return row.due
        if role == GROUP_ROLE:
            return True if row.kind == GROUP else None
        if role == HINT_ROLE:
            return True if row.kind == HINT else None
        if role == PACK_ROLE:
            return row.pack
        if role == SPLIT_ROLE:
            return holder.question_splits().get(index.row()) if holder.kind == TOPIC else None
        return None

    # ------------------------------------------------------------ QStandardItemModel's reading side
    def item(self, row: int) -> RowHandle:
        return RowHandle(self, self.root, row)

    def items(self) -> Rows:
        return Rows(self)


def selectable(index: QModelIndex) -> bool:
    """Group headings and hints are never selected (QStandardItem.setSelectable(False) as was)."""
    return not (index.data(GROUP_ROLE) or index.data(HINT_ROLE))


class RowHandle:
    """A row as a QStandardItem would show it, for reading: made when asked for."""

    __slots__ = ("holder", "model", "position")

    def __init__(self, model: LibraryModel, holder: Row, position: int) -> None:
        self.model, self.holder, self.position = model, holder, position

    def index(self) -> QModelIndex:
        return self.model.index_of(self.holder, self.position)

    def data(self, role: int = DISPLAY_ROLE):
        return self.model.data(self.index(), role)

    def text(self) -> str:
        return self.data(DISPLAY_ROLE)

    def toolTip(self) -> str | None:  # noqa: N802
        return self.data(TOOLTIP_ROLE)

    def row(self) -> int:
        return self.position

    def _node(self) -> Row | None:
        return self.holder.children[self.position] if self.holder.children else None

    def rowCount(self) -> int:  # noqa: N802
        node = self._node()
        return node.row_count() if node is not None else 0

    def hasChildren(self) -> bool:  # noqa: N802
        return self.rowCount() > 0

    def child(self, row: int) -> RowHandle | None:
        node = self._node()
        return RowHandle(self.model, node, row) if node is not None and 0 <= row < node.row_count() else None

    def parent(self) -> RowHandle | None:
        """None for a top row, as QStandardItem.parent() says."""
        holder = self.holder
        if holder is self.model.root or holder.parent is None:
            return None
        return RowHandle(self.model, holder.parent, holder.position)


class Rows(Mapping):
    """The model's rows by page id (each a ``RowHandle``): every page the model holds."""

    def __init__(self, model: LibraryModel) -> None:
        self.model = model

    def __getitem__(self, page_id: str) -> RowHandle:
        found = self.model.where.find(page_id)
        if found is None:
            raise KeyError(page_id)
        return RowHandle(self.model, *found)

    def __iter__(self) -> Iterator[str]:
        where = self.model.where
        yield from where.rows
        yield from (f"q:{qid}" for qid in where.question_ids())

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def __contains__(self, page_id: object) -> bool:
        return isinstance(page_id, str) and self.model.where.find(page_id) is not None
