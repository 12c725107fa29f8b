import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fsrs import Rating, State

from genai_desktop.core.content.library import load_pack
from genai_desktop.core.store import db
from genai_desktop.core.study import session as study
from genai_desktop.core.study.deck_counts import ScopeIndex, due_by_scope
from genai_desktop.core.study.session import (
    Scope,
    StudySession,
    StudySettings,
    day_start,
    format_duration,
    format_interval,
    inconsistent_cards,
    study_day,
)

from ..conftest import FakeClock  # conn and clock themselves are conftest fixtures

IDS = [f"q{n:02d}" for n in range(30)]


def session(conn, clock, ids=IDS, **settings) -> StudySession:
    return StudySession.open(conn, list(ids), StudySettings(**settings), clock)


def test_new_cards_come_in_library_order_within_the_daily_limit(conn, clock) -> None:
    s = session(conn, clock, new_per_day=5)
    assert s.counts() == (5, 0, 0)
    assert s.current == "q00" and s.new == IDS[:5]


def test_answer_is_committed_with_a_full_review_log(conn, clock) -> None:
    s = session(conn, clock)
    s.answer(Rating.Good, duration_ms=4200)
    row = conn.execute("SELECT question_id, rating, duration_ms, state_before, state_after, reviewed_at "
                       "FROM reviews").fetchone()
    assert row[:4] == ("q00", 3, 4200, None)
    after = json.loads(row[4])
    assert after["state"] == State.Learning and after["stability"] > 0
    assert row[5].startswith(clock().strftime("%Y-%m-%dT%H:%M"))
    card = conn.execute("SELECT state, due FROM cards WHERE question_id = 'q00'").fetchone()
    assert card[0] == State.Learning
    # a second connection sees it: it was committed, not just written
    other = db.connect(Path(conn.execute("PRAGMA database_list").fetchone()[2]))
    assert other.execute("SELECT count(*) FROM reviews").fetchone() == (1,)


def test_learning_cards_return_when_due_and_before_new_ones(conn, clock) -> None:
    s = session(conn, clock, new_per_day=3)
    s.answer(Rating.Again)  # q00 back in a minute
    assert s.current == "q01"
    clock.advance(minutes=2)
    s.answer(Rating.Good)  # answering q01 ...
    assert s.current == "q00"  # ... then the due learning card comes first


def test_previews_show_the_interval_that_is_applied(conn, clock) -> None:
    s = session(conn, clock, ids=["q00"])
    labels = [p.label for p in s.previews().values()]
    assert [label.split(" · ")[0] for label in labels] == ["Again", "Hard", "Good", "Easy"]
    intervals = []
    for _ in range(5):  # long enough for fuzzing to apply (intervals over 2.5 days)
        preview = s.previews()[Rating.Good]
        s.answer(Rating.Good)
        stored = datetime.fromisoformat(conn.execute("SELECT due FROM cards").fetchone()[0])
        assert abs(stored - preview.card.due) < timedelta(milliseconds=1)
        assert abs((stored - clock()) - preview.interval) < timedelta(milliseconds=1)
        intervals.append(preview.interval)
        clock.now = stored + timedelta(minutes=1)
        s.rebuild()
        assert s.current == "q00"
    assert intervals[-1] > timedelta(days=3)


def test_undo_restores_the_card_exactly_several_levels(conn, clock) -> None:
    s = session(conn, clock)
    s.answer(Rating.Good)
    scheduling = f"SELECT {study._CARD_COLUMNS} FROM cards WHERE question_id = 'q00'"
    before = conn.execute(scheduling).fetchone()
    version = conn.execute("SELECT version FROM cards WHERE question_id = 'q00'").fetchone()[0]
    clock.advance(minutes=15)
    s.rebuild()
    assert s.current == "q00"
    s.answer(Rating.Good)
    s.answer(Rating.Hard)  # q01
    assert conn.execute("SELECT count(*) FROM reviews").fetchone() == (3,)
    assert s.undo() == "q01"
    assert conn.execute("SELECT count(*) FROM cards WHERE question_id = 'q01'").fetchone() == (0,)
    assert s.current == "q01"
    assert s.undo() == "q00"
    assert conn.execute(scheduling).fetchone() == before
    # The scheduling is the old one; the row is still a new write (a session elsewhere must notice).
    assert conn.execute("SELECT version FROM cards WHERE question_id = 'q00'").fetchone()[0] > version
    assert conn.execute("SELECT count(*) FROM reviews").fetchone() == (1,)
    assert s.summary.answered == 1
    s.undo()
    assert s.current == "q00" and not s.can_undo() and s.undo() is None
    assert conn.execute("SELECT count(*) FROM reviews").fetchone() == (0,)


def test_bury_hides_until_tomorrow_and_suspend_for_good(conn, clock) -> None:
    s = session(conn, clock, new_per_day=3)
    s.bury()
    assert s.current == "q01"
    s.suspend()
    assert s.current == "q02"
    assert session(conn, clock, new_per_day=3).new == ["q02", "q03", "q04"]
    clock.advance(days=1)
    tomorrow = session(conn, clock, new_per_day=3)
    assert tomorrow.new == ["q00", "q02", "q03"]  # buried q00 is back, suspended q01 is not
    s.undo()
    assert conn.execute("SELECT suspended FROM cards WHERE question_id = 'q01'").fetchone() is None


def test_hiding_a_new_card_brings_in_the_next_one_and_undo_takes_it_back(conn, clock) -> None:
    # Burying or suspending does not use up the day's new-card allowance: the open session must
    # offer the same cards a freshly opened one would, or it ends early with new cards still "left".
    s = session(conn, clock, new_per_day=3)
    s.bury()
    s.suspend()
    assert s.new == ["q02", "q03", "q04"] == session(conn, clock, new_per_day=3).new
    s.undo()
    assert s.current == "q01" and s.new == ["q01", "q02", "q03"]
    s.undo()
    assert s.current == "q00" and s.new == ["q00", "q01", "q02"]


def test_hiding_a_review_card_at_the_review_limit_brings_in_the_next_due_one(conn, clock) -> None:
    # The review limit counts reviews done, not cards hidden: burying or suspending a review card
    # must pull in the next due review, or the session ends while reviews are still due.
    s = session(conn, clock, new_per_day=6)
    for _ in range(6):
        s.answer(Rating.Easy)  # graduate straight to review
    clock.advance(days=60)
    s = session(conn, clock, new_per_day=0, reviews_per_day=3)
    first = list(s.reviews)
    s.bury()
    s.suspend()
    assert s.counts() == (0, 0, 3)
    assert s.reviews == session(conn, clock, new_per_day=0, reviews_per_day=3).reviews
    assert s.reviews[0] == first[2] and not set(s.reviews) & set(first[:2])
    # Undo unhides the card and the card that filled in leaves; cards due at the same moment
    # keep their order (ties go by question id), so the queue is exactly as it was.
    s.undo()
    assert s.current == first[1] and first[1] in s.reviews and first[0] not in s.reviews
    assert s.reviews == session(conn, clock, new_per_day=0, reviews_per_day=3).reviews
    s.undo()
    assert s.current == first[0] and s.reviews == first


def test_limits_count_what_was_already_done_today(conn, clock) -> None:
    s = session(conn, clock, new_per_day=4)
    s.answer(Rating.Easy)
    s.answer(Rating.Easy)
    again = session(conn, clock, new_per_day=4)
    assert again.counts()[0] == 2


def test_review_limit_and_most_overdue_first(conn, clock) -> None:
    s = session(conn, clock, new_per_day=6)
    for _ in range(6):
        s.answer(Rating.Easy)  # graduate straight to review
    clock.advance(days=60)
    due = session(conn, clock, new_per_day=0, reviews_per_day=4)
    assert due.counts() == (0, 0, 4)
    dues = dict(conn.execute("SELECT question_id, due FROM cards"))
    assert due.reviews == sorted(due.reviews, key=lambda q: dues[q])


def test_day_rollover_respects_the_day_start(conn, clock) -> None:
    settings = StudySettings(day_start_hour=4)
    local = clock().astimezone()
    before_start = local.replace(hour=3, minute=30)
    after_start = local.replace(hour=4, minute=30)
    assert study_day(before_start, 4) == (local - timedelta(days=1)).date()
    assert study_day(after_start, 4) == local.date()
    assert day_start(local.date(), settings.day_start_hour).astimezone().hour == 4
    s = session(conn, clock, new_per_day=2)
    s.answer(Rating.Easy)
    s.answer(Rating.Easy)
    assert session(conn, clock, new_per_day=2).counts()[0] == 0
    clock.now = (local + timedelta(days=1)).replace(hour=3, minute=59).astimezone(UTC)
    assert session(conn, clock, new_per_day=2).counts()[0] == 0  # still yesterday's study day
    clock.advance(minutes=2)
    assert session(conn, clock, new_per_day=2).counts()[0] == 2


def test_nothing_due_reports_when_the_next_card_is_due(conn, clock) -> None:
    s = session(conn, clock, ids=IDS[:1])
    s.answer(Rating.Easy)
    assert s.current is None
    assert s.next_due() > clock()
    assert s.new_left_in_scope() == 0


def test_settings_are_validated_and_persisted(conn) -> None:
    with pytest.raises(ValueError, match="desired retention"):
        StudySettings(desired_retention=0.99).save(conn)
    StudySettings(desired_retention=0.85, new_per_day=7).save(conn)
    loaded = StudySettings.load(conn)
    assert (loaded.desired_retention, loaded.new_per_day) == (0.85, 7)


def test_saving_settings_records_when_they_were_chosen(conn, monkeypatch) -> None:
    chosen = datetime(2026, 3, 1, 14, 5, tzinfo=UTC)
    StudySettings(desired_retention=0.85).save(conn, now=chosen)
    loaded = StudySettings.load(conn)
    assert datetime.fromisoformat(loaded.saved_at) == chosen
    # the flashcards view saves without a time: the stamp is then the clock's moment of saving
    saving = datetime(2026, 3, 2, 9, 30, 15, 250000, tzinfo=UTC)
    monkeypatch.setattr(study, "system_clock", lambda: saving)
    StudySettings(new_per_day=3).save(conn)
    assert datetime.fromisoformat(StudySettings.load(conn).saved_at) == saving
    # the stamp is not a setting: it takes no part in equality and sits beside the four settings
    assert StudySettings(new_per_day=3) == StudySettings.load(conn)
    stored = json.loads(conn.execute("SELECT value FROM settings WHERE key = 'study'").fetchone()[0])
    assert set(stored) == set(StudySettings.LIMITS) | {"saved_at"}


def test_settings_saved_before_the_stamp_existed_still_load(conn) -> None:
    with conn:
        conn.execute("INSERT INTO settings VALUES ('study', ?)",
                     (json.dumps({"desired_retention": 0.85, "new_per_day": 15}),))
    loaded = StudySettings.load(conn)
    assert loaded == StudySettings(desired_retention=0.85, new_per_day=15) and loaded.saved_at == ""
    assert "saved_at" not in loaded.to_dict()


def test_settings_from_elsewhere_are_checked_strictly() -> None:
    good = {"desired_retention": 0.93, "new_per_day": 5, "reviews_per_day": 50, "day_start_hour": 6,
            "saved_at": "2026-03-01T14:05:00.000+00:00"}
    settings = StudySettings.from_dict(good)
    assert settings.to_dict() == good and settings.saved_at == good["saved_at"]
    assert StudySettings.from_dict({**good, "saved_at": "yesterday"}).saved_at == ""  # no usable stamp
    assert StudySettings.from_dict({**good, "saved_at": "2026-03-01T14:05:00"}).saved_at == ""  # no zone
    for bad, words in (([], "not a JSON object"), ({"desired_retention": 0.5}, "desired retention must be"),
                       ({"new_per_day": "20"}, "new per day is '20', not a number"),
                       ({"new_per_day": 2.5}, "new per day"), ({"day_start_hour": True}, "day start hour"),
                       ({"desired_retention": float("nan")}, "desired retention")):
        with pytest.raises(ValueError, match=words):
            StudySettings.from_dict(bad)


@pytest.mark.parametrize("seconds, text", [
    (0, "0 s"), (2.4, "2 s"), (59.4, "59 s"), (59.6, "1 min 00 s"), (65, "1 min 05 s"), (754, "12 min 34 s"),
    (3599, "59 min 59 s"), (3600, "1 h 00 min"), (3780, "1 h 03 min"), (3 * 3600 + 59 * 60 + 50, "4 h 00 min"),
    (-3, "0 s"),
])
def test_format_duration(seconds, text) -> None:
    assert format_duration(seconds) == text


def test_scopes(starter_pack) -> None:
    library = load_pack(starter_pack)
    assert Scope("topic", "gans").question_ids(library) == ["gan-objective"]
    assert Scope("milestone", "rm.test.dev1.reading").question_ids(library) == ["attention-basics", "multi-head"]
    assert Scope("level", "dev2").question_ids(library) == ["multi-head"]
    assert Scope("bookmarks").question_ids(library, ["gan-objective"]) == ["gan-objective"]
    assert Scope("pack", "builtin").question_ids(library) == ["attention-basics", "multi-head", "gan-objective"]


def _due_by_topic(conn, library, clock) -> dict[str, int]:
    """The library tree's due counts, as the window counts them (core/study/deck_counts.py)."""
    index = ScopeIndex({topic.id: [q.id for q in topic.questions] for topic in library.topics})
    return due_by_scope(conn, index, StudySettings(), clock)


def test_due_counts_per_topic(conn, clock, starter_pack) -> None:
    library = load_pack(starter_pack)
    s = StudySession.open(conn, ["attention-basics", "gan-objective"], StudySettings(), clock)
    s.answer(Rating.Again)
    assert _due_by_topic(conn, library, clock) == {"attention": 1, "gans": 0}


@pytest.mark.parametrize("delta, text", [
    (timedelta(seconds=30), "1m"), (timedelta(minutes=10), "10m"), (timedelta(hours=5), "5h"),
    (timedelta(days=3), "3d"), (timedelta(days=45), "1.5mo"), (timedelta(days=730), "2y"),
])
def test_format_interval(delta, text) -> None:
    assert format_interval(delta) == text


def test_a_learning_step_across_the_day_start_stays_in_the_session(conn) -> None:
    # 03:55 local, five minutes before the 04:00 day start: Good's 10-minute step lands after it.
    local = datetime(2026, 3, 10, 3, 55).astimezone()
    clock = FakeClock(local.astimezone(UTC))
    study = session(conn, clock, ids=["q00"])
    study.answer(Rating.Good)
    assert study.counts()[1] == 1  # still in today's learning queue
    clock.advance(minutes=11)
    assert study.current == "q00"


def test_due_counts_agree_with_the_session_across_the_day_start(conn, starter_pack) -> None:
    local = datetime(2026, 3, 10, 3, 59).astimezone()
    clock = FakeClock(local.astimezone(UTC))
    study = StudySession.open(conn, ["attention-basics"], StudySettings(), clock)
    study.answer(Rating.Again)  # due in a minute or so: just after the 04:00 day start
    assert study.counts()[1] == 1
    assert _due_by_topic(conn, load_pack(starter_pack), clock) == {"attention": 1, "gans": 0}


# ---------------------------------------------------------------- atomic answers

def test_an_answer_torn_between_its_statements_leaves_nothing(conn, clock, monkeypatch) -> None:
    s = session(conn, clock)
    s.answer(Rating.Good)
    clock.advance(minutes=15)
    s.rebuild()
    before = conn.execute("SELECT * FROM cards WHERE question_id = 'q00'").fetchone()

    def crash(where: str) -> None:
        if where == "answer":
            raise KeyboardInterrupt  # what a kill would do: nothing after this point runs

    monkeypatch.setattr(db, "FAULT_HOOK", crash)
    with pytest.raises(KeyboardInterrupt):
        s.answer(Rating.Easy)
    assert conn.execute("SELECT count(*) FROM reviews").fetchone() == (1,)
    assert conn.execute("SELECT * FROM cards WHERE question_id = 'q00'").fetchone() == before
    assert not conn.in_transaction and inconsistent_cards(conn) == []


def test_an_answer_recomputes_when_the_card_changed_underneath(conn, clock, tmp_path) -> None:
    """Another process answers the same card while this session shows its preview: this answer
    must start from that newer state, not overwrite it with the outcome it previewed."""
    mine = session(conn, clock, ids=["q00"])
    mine.answer(Rating.Good)
    clock.advance(days=2)
    mine.rebuild()
    assert mine.current == "q00"
    stale = mine.previews()[Rating.Good].card

    other_conn = db.connect(tmp_path / "progress.sqlite")
    other = session(other_conn, clock, ids=["q00"])
    other.answer(Rating.Again)
    other_conn.close()

    mine.answer(Rating.Good)
    assert inconsistent_cards(conn) == []
    stored = conn.execute("SELECT stability FROM cards WHERE question_id = 'q00'").fetchone()[0]
    assert stored != stale.stability  # computed from the lapse, not the stale preview


def test_two_sessions_answering_the_same_cards_lose_no_update(conn, clock, tmp_path) -> None:
    other_conn = db.connect(tmp_path / "progress.sqlite")
    sessions = [session(conn, clock, ids=IDS[:3]), session(other_conn, clock, ids=IDS[:3])]
    for turn in range(20):
        for s in sessions:
            s.previews()  # both show the same card with the same preview
        for n, s in enumerate(sessions):
            s.answer(Rating(1 + (turn + n) % 4))  # the second answers a card the first just changed
        clock.advance(days=40)  # whatever was answered is due again
        for s in sessions:
            s.rebuild()
    other_conn.close()
    assert conn.execute("SELECT count(*) FROM reviews").fetchone() == (40,)
    assert inconsistent_cards(conn) == []


def test_inconsistent_cards_names_a_card_whose_row_is_not_its_last_outcome(conn, clock) -> None:
    s = session(conn, clock)
    s.answer(Rating.Good)
    assert inconsistent_cards(conn) == []
    conn.execute("UPDATE cards SET stability = stability + 1 WHERE question_id = 'q00'")
    assert inconsistent_cards(conn) == ["q00: the card row is not the outcome of its last review"]


def test_a_level_deck_holds_only_questions_of_that_level(starter_pack) -> None:
    # The dev2 milestone "Train a GAN" links gan-objective, a dev1 question: a level deck is
    # the questions' own level, not the levels of the milestones that link them.
    library = load_pack(starter_pack)
    for level in ("dev1", "dev2", "researcher"):
        ids = Scope("level", level).question_ids(library)
        assert all(library.question(qid).level == level for qid in ids)
    assert Scope("level", "dev1").question_ids(library) == ["attention-basics", "gan-objective"]


def test_custom_study_adds_new_cards_to_one_scope_today_only(conn, clock) -> None:
    settings = StudySettings(new_per_day=2)
    s = StudySession.open(conn, IDS, settings, clock)
    for _ in range(2):
        s.answer(Rating.Easy)
    topic = IDS[10:25]
    assert StudySession.open(conn, topic, settings, clock).current is None  # the daily limit is used
    assert study.custom_new_today(conn, "topic:t", settings, clock) == 0
    assert study.add_custom_new(conn, "topic:t", 10, settings, clock) == 10
    extra = study.custom_new_today(conn, "topic:t", settings, clock)
    session = StudySession.open(conn, topic, settings, clock, extra_new=extra)
    assert session.counts() == (10, 0, 0) and session.new == topic[:10]
    for _ in range(10):
        session.answer(Rating.Easy)
    assert session.current is None
    # the other scopes keep today's limit; tomorrow the extra is gone
    assert StudySession.open(conn, IDS, settings, clock).counts()[0] == 0
    assert study.custom_new_today(conn, "topic:other", settings, clock) == 0
    clock.advance(days=1)
    assert study.custom_new_today(conn, "topic:t", settings, clock) == 0
    assert study.add_custom_new(conn, "topic:t", 5, settings, clock) == 5


def test_new_left_in_scope_leaves_out_suspended_and_buried_cards(conn, clock) -> None:
    s = StudySession.open(conn, IDS[:3], StudySettings(new_per_day=0), clock)
    assert s.new_left_in_scope() == 3
    StudySession.open(conn, IDS[:3], StudySettings(), clock).suspend()
    StudySession.open(conn, IDS[:3], StudySettings(), clock).bury()
    assert s.new_left_in_scope() == 1


def _lapse_until(conn, clock, lapses: int) -> StudySession:
    """Study q00 into review, then lapse it ``lapses`` times (Again in review, Good to relearn)."""
    s = StudySession.open(conn, ["q00"], StudySettings(), clock)
    s.answer(Rating.Easy)
    for _ in range(lapses):
        clock.advance(days=40)
        s = StudySession.open(conn, ["q00"], StudySettings(), clock)
        assert s.current == "q00"
        s.answer(Rating.Again)
        if s.current == "q00":
            s.answer(Rating.Good)
    return s


def test_a_leech_is_suspended_at_eight_lapses_when_asked(conn, clock) -> None:
    assert study.leech_auto_suspend(conn) is False
    study.set_leech_auto_suspend(conn, True)
    s = _lapse_until(conn, clock, 7)
    assert conn.execute("SELECT suspended FROM cards").fetchone() == (0,)
    clock.advance(days=40)
    s = StudySession.open(conn, ["q00"], StudySettings(), clock)
    s.answer(Rating.Again)  # the eighth lapse
    assert conn.execute("SELECT suspended FROM cards").fetchone() == (1,)
    assert s.current is None and s.last_leech == "q00"
    assert inconsistent_cards(conn) == []
    s.undo()
    assert conn.execute("SELECT suspended FROM cards").fetchone() == (0,)


def test_leeches_stay_when_auto_suspend_is_off(conn, clock) -> None:
    _lapse_until(conn, clock, 8)
    assert conn.execute("SELECT suspended FROM cards").fetchone() == (0,)


def test_study_ahead_lists_cards_due_within_n_days_soonest_first(conn, clock) -> None:
    settings = StudySettings()
    s = session(conn, clock, IDS[:4])
    for rating in (Rating.Easy, Rating.Easy, Rating.Good, Rating.Easy):  # q02 stays in learning
        s.answer(rating)
    dues = dict(conn.execute("SELECT question_id, due FROM cards"))
    in_review = sorted((d, q) for q, d in dues.items() if q != "q02")
    days_to_first = (study_day(datetime.fromisoformat(in_review[0][0]), 4) - study_day(clock(), 4)).days
    assert study.due_ahead(conn, IDS, days_to_first - 1, settings, clock) == ["q02"]  # only the learning card
    everything = study.due_ahead(conn, IDS, 365, settings, clock)
    assert everything == ["q02"] + [q for _d, q in in_review]
    assert study.due_ahead(conn, IDS[1:], 365, settings, clock) == ["q02"] + [q for _d, q in in_review if q != "q00"]
    # Hidden cards are not studied ahead; new cards have nothing to be ahead of.
    StudySession.for_question(conn, "q01", settings, clock).bury()
    shown = study.due_ahead(conn, IDS, 365, settings, clock)
    assert shown == [q for q in everything if q != "q01"]
    # A session over them offers every one now, not only those due today.
    ahead = StudySession.open(conn, shown, settings, clock, ahead=True)
    assert sum(ahead.counts()) == len(shown) == 3
    with pytest.raises(ValueError, match="between 1 and 365"):
        study.due_ahead(conn, IDS, 0, settings, clock)


def test_review_forgotten_lists_cards_rated_again_in_the_last_n_days(conn, clock) -> None:
    settings = StudySettings()
    s = session(conn, clock, IDS[:3])
    s.answer(Rating.Again)  # q00 forgotten today
    s.answer(Rating.Good)   # q01 remembered
    clock.advance(days=2)
    s = StudySession.for_question(conn, "q02", settings, clock)
    s.answer(Rating.Again)  # q02 forgotten two days after q00
    assert study.forgotten_recently(conn, IDS, 1, settings, clock) == ["q02"]
    assert study.forgotten_recently(conn, IDS, 2, settings, clock) == ["q02"]
    assert study.forgotten_recently(conn, IDS, 3, settings, clock) == ["q00", "q02"]  # today counts as one
    assert study.forgotten_recently(conn, IDS[1:], 3, settings, clock) == ["q02"]
    StudySession.for_question(conn, "q00", settings, clock).suspend()
    assert study.forgotten_recently(conn, IDS, 3, settings, clock) == ["q02"]
