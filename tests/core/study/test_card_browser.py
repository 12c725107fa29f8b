import json
from datetime import timedelta

import pytest
from fsrs import Rating, State

from genai_desktop.core.content.library import load_pack
from genai_desktop.core.study import card_browser
from genai_desktop.core.study.card_browser import COLUMNS, Browser, parse_query
from genai_desktop.core.study.session import StudySession, StudySettings, day_start, inconsistent_cards, study_day

ALL = ["attention-basics", "multi-head", "gan-objective"]


@pytest.fixture
def library(starter_pack):
    return load_pack(starter_pack)


def rows(browser: Browser, column: int = 0) -> list[str]:
    return [browser.cell(r, column) for r in range(len(browser.order))]


def answer(conn, clock, qid, rating):  # noqa: F811
    StudySession.open(conn, [qid], StudySettings(), clock).answer(rating)


def test_every_question_is_a_row_with_its_scheduling(conn, clock, library) -> None:  # noqa: F811
    answer(conn, clock, "multi-head", Rating.Good)
    b = Browser.load(conn, library, clock=clock)
    assert len(b.order) == 3
    b.sort(0)
    assert rows(b) == ["What does scaled dot-product attention compute?", "What objective does a GAN optimise?",
                       "Why use several attention heads?"]
    row = rows(b).index("Why use several attention heads?")
    cells = {name: b.cell(row, c) for c, name in enumerate(COLUMNS)}
    assert cells["State"] == "learning" and cells["Reviews"] == "1" and cells["Last rating"] == "Good"
    assert cells["Topic"] == "Attention" and cells["Level"] == "Dev L2"
    assert cells["Recall"] == "100%" and cells["Due"] and cells["Stability"]
    assert rows(b, 3).count("new") == 2


def test_sort_by_any_column_both_ways(conn, clock, library) -> None:  # noqa: F811
    answer(conn, clock, "gan-objective", Rating.Easy)
    b = Browser.load(conn, library, clock=clock)
    for column in range(len(COLUMNS)):
        b.sort(column)
        ascending = [b.question_id(r) for r in range(3)]
        b.sort(column, descending=True)
        assert [b.question_id(r) for r in range(3)] == ascending[::-1]
    b.sort(4)  # due: cards with a due date first, new cards after
    assert b.question_id(0) == "gan-objective"


def test_filter_by_text_language_and_state_chips(conn, clock, library) -> None:  # noqa: F811
    answer(conn, clock, "gan-objective", Rating.Again)
    b = Browser.load(conn, library, clock=clock)
    b.set_filter("attention")
    assert {b.question_id(r) for r in range(len(b.order))} == {"attention-basics", "multi-head"}
    b.set_filter("attention -heads")
    assert [b.question_id(r) for r in range(len(b.order))] == ["attention-basics"]
    b.set_filter('"scaled dot"')
    assert [b.question_id(r) for r in range(len(b.order))] == ["attention-basics"]
    b.set_filter("", ["learning"])
    assert [b.question_id(r) for r in range(len(b.order))] == ["gan-objective"]
    b.set_filter("gan", ["new"])
    assert b.order == []
    assert parse_query('a "b c" -d') == (["a", "b c"], ["d"])


def test_suspend_unsuspend_and_undo_restore_rows_exactly(conn, clock, library) -> None:  # noqa: F811
    answer(conn, clock, "multi-head", Rating.Good)
    before = conn.execute("SELECT * FROM cards ORDER BY question_id").fetchall()
    b = Browser.load(conn, library, clock=clock)
    undo = b.suspend(ALL)
    assert undo.label == "Suspended: 3 cards"
    assert set(rows(b, 3)) == {"suspended"}
    b.set_filter("", ["suspended"])
    assert len(b.order) == 3
    b.undo(undo)
    after = conn.execute("SELECT question_id, card_id, state, step, stability, difficulty, due, last_review, "
                         "suspended, buried_day FROM cards ORDER BY question_id").fetchall()
    assert after == [row[:10] for row in before]  # the never-studied cards' rows are gone again
    b.set_filter()
    assert "suspended" not in rows(b, 3)
    # A card suspended in a session is found and unsuspended here.
    StudySession.open(conn, ["gan-objective"], StudySettings(), clock).suspend()
    b.reload()
    b.set_filter("", ["suspended"])
    assert [b.question_id(0)] == ["gan-objective"]
    b.suspend(["gan-objective"], on=False)
    assert StudySession.open(conn, ["gan-objective"], StudySettings(), clock).current == "gan-objective"


def test_bury_hides_until_tomorrow_and_unbury(conn, clock, library) -> None:  # noqa: F811
    b = Browser.load(conn, library, clock=clock)
    b.bury(["attention-basics"])
    assert StudySession.open(conn, ["attention-basics"], StudySettings(), clock).current is None
    b.bury(["attention-basics"], on=False)
    assert StudySession.open(conn, ["attention-basics"], StudySettings(), clock).current == "attention-basics"


def test_forget_makes_the_card_new_keeps_the_log_and_stays_consistent(conn, clock, library) -> None:  # noqa: F811
    answer(conn, clock, "multi-head", Rating.Good)
    clock.advance(minutes=20)
    answer(conn, clock, "multi-head", Rating.Good)
    b = Browser.load(conn, library, clock=clock)
    undo = b.forget(["multi-head"])
    assert conn.execute("SELECT count(*) FROM reviews").fetchone() == (2,)
    assert conn.execute("SELECT state FROM cards WHERE question_id = 'multi-head'").fetchone() == (0,)
    assert inconsistent_cards(conn) == []
    answer(conn, clock, "multi-head", Rating.Good)  # studied again from new
    assert inconsistent_cards(conn) == []
    assert json.loads(conn.execute("SELECT state_before FROM reviews ORDER BY id DESC").fetchone()[0] or "null") is None
    assert undo.rows[0][1][2] == State.Review


def test_set_due_date_moves_studied_cards_only(conn, clock, library) -> None:  # noqa: F811
    answer(conn, clock, "multi-head", Rating.Easy)
    b = Browser.load(conn, library, clock=clock)
    undo = b.set_due(["multi-head", "gan-objective"], 3)
    assert undo.label == "Due date set: 1 card"
    due = conn.execute("SELECT due FROM cards WHERE question_id = 'multi-head'").fetchone()[0]
    expected = day_start(study_day(clock(), 4) + timedelta(days=3), 4)
    assert due.startswith(expected.isoformat(timespec="seconds")[:19])
    assert conn.execute("SELECT count(*) FROM cards WHERE question_id = 'gan-objective'").fetchone() == (0,)
    assert inconsistent_cards(conn) == []
    b.set_due(["multi-head"], 0)
    assert StudySession.open(conn, ["multi-head"], StudySettings(), clock).current == "multi-head"


def test_an_action_is_one_transaction(conn, clock, library, monkeypatch) -> None:  # noqa: F811
    b = Browser.load(conn, library, clock=clock)
    calls = []
    real = card_browser.write_card

    def failing(connection, row):
        calls.append(row[0])
        if len(calls) == 2:
            raise OSError("disk full")
        real(connection, row)
    monkeypatch.setattr(card_browser, "write_card", failing)
    with pytest.raises(OSError):
        b.suspend(ALL)
    assert conn.execute("SELECT count(*) FROM cards").fetchone() == (0,)


def test_leeches_after_eight_lapses(conn, clock, library) -> None:  # noqa: F811
    # Eight Again answers on a card in review, each a lapse.
    for n in range(8):
        conn.execute("INSERT INTO reviews (uid, question_id, rating, reviewed_at, duration_ms, state_before, "
                     "state_after) VALUES (?, 'gan-objective', 1, ?, 1000, ?, '{}')",
                     (f"u{n}", f"2026-01-0{n + 1}T10:00:00.000+00:00", json.dumps({"state": 2})))
    b = Browser.load(conn, library, clock=clock)
    b.set_filter("", ["leech"])
    assert [b.question_id(r) for r in range(len(b.order))] == ["gan-objective"]
    assert b.cell(0, 3).endswith("· leech") and b.cell(0, 10) == "8"


def test_history_lists_each_review(conn, clock, library) -> None:  # noqa: F811
    answer(conn, clock, "multi-head", Rating.Again)
    clock.advance(minutes=2)
    answer(conn, clock, "multi-head", Rating.Good)
    history = Browser.load(conn, library, clock=clock).history("multi-head")
    assert [h["rating"] for h in history] == ["Again", "Good"]
    assert history[0]["interval"] == timedelta(minutes=1)


def test_an_action_rereads_only_its_cards_and_keeps_sorts_that_still_hold(conn, clock, library,  # noqa: F811
                                                                         monkeypatch) -> None:
    answer(conn, clock, "multi-head", Rating.Good)
    b = Browser.load(conn, library, clock=clock)
    b.sort(9)  # reviews: an action cannot change it
    reviews_order = b._sorted[9]
    monkeypatch.setattr(Browser, "reload", lambda self: pytest.fail("an action read every card"))
    b.sort(4)
    undo = b.suspend(["multi-head"])
    assert b._sorted[9] is reviews_order and 4 in b._sorted  # due re-sorted, reviews kept
    assert dict(zip([b.question_id(r) for r in range(3)], rows(b, 3), strict=True))["multi-head"] == "suspended"
    b.undo(undo)
    assert dict(zip([b.question_id(r) for r in range(3)], rows(b, 3), strict=True))["multi-head"] == "learning"
    b.forget(["multi-head"])
    assert b.stability[b.ids.index("multi-head")] == -1.0 and b.state[b.ids.index("multi-head")] == "new"


def test_added_is_the_first_review_date_blank_for_new_cards_and_sorts(conn, clock, library) -> None:  # noqa: F811
    first_day = clock()
    answer(conn, clock, "multi-head", Rating.Good)
    clock.advance(days=3)
    answer(conn, clock, "multi-head", Rating.Good)
    answer(conn, clock, "gan-objective", Rating.Good)
    added = COLUMNS.index("Added / first studied")
    b = Browser.load(conn, library, clock=clock)
    cells = dict(zip([b.question_id(r) for r in range(3)], rows(b, added), strict=True))
    assert cells == {"multi-head": first_day.astimezone().strftime("%d %b %Y"),
                     "gan-objective": clock().astimezone().strftime("%d %b %Y"), "attention-basics": ""}
    b.sort(added)
    assert [b.question_id(r) for r in range(3)] == ["multi-head", "gan-objective", "attention-basics"]
    b.sort(added, descending=True)
    assert b.question_id(0) == "attention-basics"
    # Forgetting keeps the history, so the card keeps the day it was first studied; the sort
    # order holds (no review was added) and is not computed again.
    order = b._sorted[added]
    b.forget(["multi-head"])
    assert b._sorted[added] is order
    b.sort(added)
    assert b.cell(0, added) == first_day.astimezone().strftime("%d %b %Y")


def _due(conn, qid):
    return conn.execute("SELECT due FROM cards WHERE question_id = ?", (qid,)).fetchone()[0]


def test_reschedule_gives_the_due_an_answer_would_give_at_the_current_retention(conn, clock, library) -> None:  # noqa: F811
    from genai_desktop.core.study.session import StudyScheduler, card_from_row, iso

    answer(conn, clock, "multi-head", Rating.Easy)  # new -> review
    clock.advance(days=12)
    answer(conn, clock, "multi-head", Rating.Good)  # review -> review
    answer(conn, clock, "gan-objective", Rating.Again)  # learning: minutes, not retention
    clock.advance(hours=1)
    learning_due, review_due = _due(conn, "gan-objective"), _due(conn, "multi-head")

    b = Browser.load(conn, library, clock=clock)
    unchanged = b.reschedule(ALL)  # same settings: every card stays where its answer put it
    assert unchanged.label == "Rescheduled: 0 cards" and _due(conn, "multi-head") == review_due

    StudySettings(desired_retention=0.97).save(conn)  # in the Scheduling panel, the browser open
    undo = b.reschedule(ALL)
    assert undo.label == "Rescheduled: 1 card"
    assert _due(conn, "gan-objective") == learning_due
    assert conn.execute("SELECT count(*) FROM cards WHERE question_id = 'attention-basics'").fetchone() == (0,)
    # The last answer replayed at 0.97 ends where the reschedule put the card.
    before, rating, at = conn.execute("SELECT state_before, rating, reviewed_at FROM reviews "
                                      "WHERE question_id = 'multi-head' ORDER BY id DESC").fetchone()
    start = json.loads(before)
    row = ("multi-head", card_browser.card_id_for("multi-head"), start["state"], start["step"],
           start["stability"], start["difficulty"], start["due"], start["last_review"])
    replayed, _log = StudyScheduler(desired_retention=0.97).review_card(
        card_from_row(row), Rating(rating), card_browser.parse_time(at))
    assert _due(conn, "multi-head") == iso(replayed.due) < review_due
    assert b.cell(b.order.index(b.ids.index("multi-head")), 4)  # the row shows the new due
    assert inconsistent_cards(conn) == []
    b.undo(undo)
    assert _due(conn, "multi-head") == review_due


def _random_browser(seed: int, n: int) -> Browser:
    """A browser over random rows (no database): few distinct values in some columns and many
    ties, the sentinels new cards carry, and words for the filter."""
    import random

    rng = random.Random(seed)
    words = ("attention", "cache", "kv", "agent", "gan", "loss")
    b = Browser(None, StudySettings())  # type: ignore[arg-type]  # sorting and filtering read no database
    b.ids = [f"q{i}" for i in range(n)]
    b.title = [" ".join(rng.choice(words) for _ in range(3)) for _ in range(n)]
    b.title_key = [t.casefold() for t in b.title]
    b.topic = [rng.choice(("Attention", "GANs", "Agents")) for _ in range(n)]
    b.level = [rng.choice(("Dev L1", "Dev L2", "Researcher")) for _ in range(n)]
    b.haystack = [f"{t} {p} {lv}".casefold() for t, p, lv in zip(b.title_key, b.topic, b.level, strict=True)]
    b.state = [rng.choice(card_browser.STATES) for _ in range(n)]
    b.due = [rng.choice((card_browser._NEVER, float(rng.randrange(50)), rng.random())) for _ in range(n)]
    b.last = [card_browser._NEVER] * n
    for name in ("interval", "stability", "difficulty"):
        setattr(b, name, [rng.choice((card_browser._MISSING, rng.random() * 10, 1.0)) for _ in range(n)])
    b._recall = [rng.choice((card_browser._MISSING, 0.9, rng.random())) for _ in range(n)]
    b.reviews = [rng.randrange(4) for _ in range(n)]
    b.lapses = [rng.choice((0, 0, 1, 9)) for _ in range(n)]
    b.last_rating = [rng.randrange(5) for _ in range(n)]
    b.first = [rng.choice((card_browser._NOT_STUDIED, f"2026-01-{rng.randrange(10, 29)}T10:00:00")) for _ in range(n)]
    return b


def _plain(b: Browser, column: int, descending: bool, text: str, chips: frozenset[str]) -> list[int]:
    """The browser's rows as a plain sorted() and a row-by-row filter give them."""
    keys = getattr(b, card_browser._SORT_KEYS[column])
    order = sorted(range(len(b.ids)), key=keys.__getitem__)
    if descending:
        order = order[::-1]
    wanted, unwanted = parse_query(text)
    states = chips - {"leech"}
    return [i for i in order if all(w in b.haystack[i] for w in wanted)
            and not any(w in b.haystack[i] for w in unwanted)
            and (not states or b.state[i] in states)
            and ("leech" not in chips or b.lapses[i] >= card_browser.LEECH_LAPSES)]


@pytest.mark.parametrize("seed", range(3))
def test_prepared_orders_and_filters_equal_a_plain_sort_and_filter(seed) -> None:
    b = _random_browser(seed, 1500).prepare()
    filters = [("", frozenset()), ("attention", frozenset()), ("kv -gan", frozenset({"review", "new"})),
               ('"cache kv"', frozenset()), ("a", frozenset({"leech"})), ("", frozenset({"buried"}))]
    for column in range(len(COLUMNS)):
        for descending in (False, True):
            b.sort(column, descending)
            for text, chips in filters:
                b.set_filter(text, chips)
                assert b.order == _plain(b, column, descending, text, chips), (column, descending, text, chips)


def test_stable_order_groups_few_keys_and_sorts_many_exactly_as_sorted(monkeypatch) -> None:
    import random

    monkeypatch.setattr(card_browser, "_SORT_RUN", 100)  # many runs to merge, ties across them
    rng = random.Random(7)
    for keys in ([rng.randrange(5) for _ in range(3000)], [rng.random() for _ in range(3000)],
                 [rng.choice(("b", "a", "c")) for _ in range(500)], [], [rng.randrange(1000) for _ in range(3000)],
                 [rng.choice((float("inf"), -1.0, rng.random())) for _ in range(3001)]):
        assert card_browser.stable_order(keys) == sorted(range(len(keys)), key=keys.__getitem__)


def test_a_fork_changes_without_touching_the_browser_it_came_from(conn, clock, library) -> None:  # noqa: F811
    answer(conn, clock, "multi-head", Rating.Good)
    b = Browser.load(conn, library, clock=clock).prepare()
    shown = rows(b, 3)
    order = list(b.order)
    fork = b.fork(conn)
    undo = fork.suspend(ALL)
    assert rows(b, 3) == shown and b.order == order  # the window's copy: as it was
    assert set(rows(fork, 3)) == {"suspended"} and fork.title is b.title  # the text is shared, not copied
    fork.undo(undo)
    assert rows(fork, 3) == shown


@pytest.mark.parametrize("zone", ["UTC", "Asia/Kolkata", "America/New_York", "Asia/Kathmandu"])
def test_recall_for_every_card_equals_the_recall_of_each_card(clock, zone, monkeypatch) -> None:  # noqa: F811
    """The quarter-hour shortcut gives what one card's study days give, in zones with half- and
    three-quarter-hour offsets and across a daylight-saving change."""
    import random
    import time as time_module

    monkeypatch.setenv("TZ", zone)
    time_module.tzset()
    try:
        rng = random.Random(zone)
        now = clock().timestamp()
        b = _random_browser(1, 4000)
        b.clock = clock
        # Last reviews up to a year back (a DST change or two), some exactly on quarter hours.
        b.last = [rng.choice((card_browser._NEVER, now - rng.uniform(0, 365 * 86400),
                              (now // 900 - rng.randrange(35_000)) * 900)) for _ in range(4000)]
        b.stability = [rng.choice((card_browser._MISSING, rng.uniform(0.1, 300))) for _ in range(4000)]
        b._recall = None
        scheduler = b._scheduler()
        assert b.recall == [b._recall_at(i, clock(), scheduler) for i in range(4000)]
    finally:
        monkeypatch.undo()
        time_module.tzset()
