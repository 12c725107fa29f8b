import os

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QStyle, QStyleOptionViewItem

from genai_desktop.ui.sidebar import COUNT_ROLE, GROUP_ROLE, PAGE_ROLE, USER_ROLE, row_heights


def test_the_role_spelled_as_a_number_is_qts_user_role() -> None:
    assert USER_ROLE == Qt.ItemDataRole.UserRole.value


def test_long_titles_stop_short_of_the_count_badge(make_window) -> None:
    window = make_window()
    window.resize(900, 700)
    window.splitter.setSizes([240, 660])
    tree = window.sidebar.tree
    delegate = window.sidebar.delegate
    index = next(tree.model().index(row, 0) for row in range(tree.model().rowCount())
                 if tree.model().index(row, 0).data(COUNT_ROLE))
    option = QStyleOptionViewItem()
    option.initFrom(tree)
    option.rect = tree.visualRect(index)
    delegate.initStyleOption(option, index)
    text_rect = tree.style().subElementRect(QStyle.SubElement.SE_ItemViewItemText, option, tree)
    badge_width = option.fontMetrics.horizontalAdvance(str(index.data(COUNT_ROLE))) + 12
    assert text_rect.right() <= option.rect.right() - badge_width - 6


def test_rows_keep_their_heights_without_a_python_size_hint(make_window) -> None:
    window = make_window()
    tree = window.sidebar.tree
    model = tree.model()
    rows = [model.index(row, 0) for row in range(model.rowCount())]
    group = next(i for i in rows if i.data(GROUP_ROLE))  # LIBRARY, STUDY GUIDES…
    topic = next(i for i in rows if i.data(COUNT_ROLE) and not i.data(GROUP_ROLE))
    tree.expand(topic)
    question = model.index(0, 0, topic)
    row, group_row = row_heights(tree.fontMetrics().height())  # the tree has its 14 px font now
    assert tree.visualRect(group).height() == group_row
    assert tree.visualRect(topic).height() == row == tree.visualRect(question).height()
    assert row >= tree.fontMetrics().height() + 9  # the item padding and margin: no title clipped


def test_rows_are_28_px_and_grow_for_fonts_with_tall_lines() -> None:
    assert row_heights(16) == (28, 30)  # DejaVu Sans at 14 px
    assert row_heights(20) == (30, 30)
    assert row_heights(25) == (35, 35)


def test_shared_prefixes_match_comparing_every_pair() -> None:
    import random

    from genai_desktop.ui.sidebar import _common_prefix, shared_prefix_lengths

    rng = random.Random(8)
    words = ["why", "what", "does", "attention", "att", "scale", "", "a"]
    for size in (0, 1, 2, 7, 40):
        titles = [" ".join(rng.choice(words) for _ in range(rng.randint(0, 5))) for _ in range(size)]
        every_pair = [max((len(_common_prefix(t, o)) for n, o in enumerate(titles) if n != row), default=0)
                      for row, t in enumerate(titles)]
        assert shared_prefix_lengths(titles) == every_pair, titles
        for a, b in zip(titles, titles[1:], strict=False):
            assert _common_prefix(a, b) == os.path.commonprefix([a, b])


def test_a_title_sharing_a_long_start_with_a_sibling_splits_where_it_departs_once_shown() -> None:
    from types import SimpleNamespace

    from genai_desktop.ui.sidebar import RowBuilder

    titles = ["How do transformers handle long context windows?", "How do transformers handle positional order?",
              "What is attention?"]
    topic = SimpleNamespace(id="t", title="Topic", questions=[SimpleNamespace(id=f"q{n}", title=t)
                                                               for n, t in enumerate(titles)])
    row = RowBuilder().topic(topic)
    assert row.splits is None  # not worked out while the rows are made (100,000 of them after an import)
    assert row.question_splits() == {0: len("How do transformers handle"), 1: len("How do transformers handle")}


def test_due_counts_land_on_their_topics_rows_and_go_when_nothing_is_due(make_window) -> None:
    from genai_desktop.ui.sidebar import DUE_ROLE

    window = make_window()
    sidebar = window.sidebar
    topics = [t.id for t in window.workspace.outline.topics][:2]
    sidebar.set_due_counts({topics[0]: 7, topics[1]: 0})
    assert sidebar._tree_items[f"topic:{topics[0]}"].data(DUE_ROLE) == 7
    assert sidebar._tree_items[f"topic:{topics[1]}"].data(DUE_ROLE) is None
    sidebar.set_due_counts({})
    assert sidebar._tree_items[f"topic:{topics[0]}"].data(DUE_ROLE) is None


# ------------------------------------------------------------------ the tree at scale (issue "Never freeze")
def _large_outline(per_topic: int):
    from genai_desktop.core.content.outline import Entry, Outline

    topics = [Entry("gans", "GANs", "builtin", [Entry("gan-loss", "The GAN loss")])]
    topics += [Entry(f"t{n}", f"Imported {n}", "notes", [Entry(f"n{n}-{k}", f"Note {k} of topic {n}", "notes")
                                                          for k in range(per_topic)]) for n in range(3)]
    return Outline(topics, [Entry("guide", "A guide")], {"notes": "My imports"}, set())


def test_a_large_pack_s_rows_make_no_object_per_question(qtbot) -> None:
    """The rows of 6,000 questions are a handful of objects, none of them for the garbage
    collector to walk per question: a worker makes them while the UI thread waits for the
    interpreter (a full collection walks every tracked object)."""
    import gc

    from genai_desktop.ui import theme as themes
    from genai_desktop.ui.sidebar import Sidebar

    side = Sidebar(themes.resolve("light"))
    qtbot.addWidget(side)
    outline = _large_outline(2000)
    gc.collect()
    before = len(gc.get_objects())
    built = side.build_pack_rows(outline)
    made = len(gc.get_objects()) - before
    assert made < 200, made  # was two per question: a QStandardItem's wrapper, a (row, position) pair
    side.populate(outline, packs_built=built)
    assert side._items["q:n2-1999"].text() == "Note 1999 of topic 2"
    assert side._items["q:n2-1999"].toolTip() == "Note 1999 of topic 2"
    assert side._items["q:n2-1999"].parent().text() == "Imported 2"
    assert side._items["q:gan-loss"].data(PAGE_ROLE) == "q:gan-loss"
    assert "q:n0-0" in side._items and "q:nowhere" not in side._items


def test_a_question_deep_in_a_large_topic_is_selected_and_revealed(qtbot) -> None:
    from genai_desktop.ui import theme as themes
    from genai_desktop.ui.sidebar import Sidebar

    side = Sidebar(themes.resolve("light"))
    qtbot.addWidget(side)
    side.resize(300, 500)
    side.populate(_large_outline(2000))
    side.show()
    qtbot.waitExposed(side)
    side.select("q:n1-1500")
    index = side.tree.currentIndex()
    assert index.data(PAGE_ROLE) == "q:n1-1500" and index.row() == 1500
    assert side.tree.isExpanded(index.parent()) and index.parent().data(PAGE_ROLE) == "topic:t1"
    assert side.tree.viewport().rect().contains(side.tree.visualRect(index).center())
    assert sorted(side.expanded_ids()) == ["pack:notes", "topic:t1"]
    side.populate(_large_outline(2000))  # a reload keeps what was open, and the row
    assert sorted(side.expanded_ids()) == ["pack:notes", "topic:t1"]


def test_group_headings_become_current_but_are_never_selected(make_window) -> None:
    window = make_window()
    tree = window.sidebar.tree
    model = tree.model()
    rows = [model.index(row, 0) for row in range(model.rowCount())]
    group = next(i for i in rows if i.data(GROUP_ROLE))
    topic = next(i for i in rows if i.data(COUNT_ROLE) and not i.data(GROUP_ROLE))
    tree.setCurrentIndex(topic)
    assert tree.selectionModel().isSelected(topic)
    tree.setCurrentIndex(group)
    assert tree.currentIndex() == group
    assert not tree.selectionModel().hasSelection()  # as a QStandardItem that is not selectable
