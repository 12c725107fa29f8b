"""The tree filter at scale (issue 18): typing filters once it pauses, on a worker; the rows it
shows are the proxy filter's (parents of matches, everything under a matching row); a topic the
filter leaves closed gets its matches when opened; clearing brings the whole tree back."""

from __future__ import annotations

from genai_desktop.core.content.outline import Entry, Outline
from genai_desktop.ui import runner
from genai_desktop.ui import sidebar as sidebar_module
from genai_desktop.ui import theme as themes
from genai_desktop.ui.sidebar import PAGE_ROLE, Sidebar
from genai_desktop.ui.stall_meter import run_events_for


def outline(per_topic: int) -> Outline:
    topics = [Entry("gans", "GANs", "builtin", [Entry("gan-loss", "The GAN loss"), Entry("mode", "Mode collapse")]),
              Entry("rnn", "Recurrent nets", "builtin", [Entry("bptt", "Backprop through time and gradients")])]
    topics += [Entry(f"t{n}", f"Imported {n}", "notes", [Entry(f"n{n}-{k}", f"Note {k} on gradient {n}", "notes")
                                                          for k in range(per_topic)]) for n in range(3)]
    return Outline(topics, [Entry("guide", "A gradient guide")], {"notes": "My imports"}, set())


def settle(side: Sidebar) -> None:
    while side.filter_pending() or runner.busy():
        run_events_for(10)


def test_typing_filters_once_on_a_worker_with_the_proxy_s_rows(qtbot, monkeypatch) -> None:
    side = Sidebar(themes.resolve("light"))
    qtbot.addWidget(side)
    side.populate(outline(3))
    made: list[str] = []
    real = sidebar_module.filtered_rows
    monkeypatch.setattr(sidebar_module, "filtered_rows", lambda o, b, needle, *rest: made.append(needle)
                        or real(o, b, needle, *rest))
    for text in ("g", "gr", "gra", "grad"):
        side.filter.setText(text)
    assert made == [] and side.filter_pending()  # nothing yet: the typing has not paused
    settle(side)
    assert made == ["grad"]
    shown = side.visible_page_ids()
    assert shown[:4] == ["topic:rnn", "q:bptt", "guide:guide", "topic:t0"]  # a question's match brings its topic
    assert "topic:gans" not in shown and "q:n2-2" in shown
    side.filter.setText("gans")
    settle(side)
    assert side.visible_page_ids() == ["topic:gans", "q:gan-loss", "q:mode"]  # a topic's match: all of it
    side.filter.setText("")
    assert not side.filter_pending()
    assert "q:n2-1" not in side.visible_page_ids()  # the whole tree, imported topics closed as before


def test_a_topic_past_the_budget_gets_its_matches_when_opened(qtbot, monkeypatch) -> None:
    monkeypatch.setattr(sidebar_module, "MAX_EXPANDED_MATCHES", 8)  # bptt, the pack's 3 topics, t0's 4
    side = Sidebar(themes.resolve("light"))
    qtbot.addWidget(side)
    side.populate(outline(4))
    side.filter.setText("gradient")
    shown = side.visible_page_ids()  # read at once: the pending filter is settled here
    assert "q:n0-0" in shown and "q:n1-0" not in shown  # the first topic open, the next closed
    topic = side.proxy.mapFromSource(side._items["topic:t1"].index())
    side.tree.expand(topic)
    children = [side.proxy.index(row, 0, topic).data(PAGE_ROLE) for row in range(side.proxy.rowCount(topic))]
    assert children == [f"q:n1-{k}" for k in range(4)]
    side.select("q:n1-2")
    assert side.tree.currentIndex().data(PAGE_ROLE) == "q:n1-2"
