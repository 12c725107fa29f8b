"""Interview practice core: the checklist, the rating rule, choosing questions, attempts stored
atomically with their review, readiness and the markdown report."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from fsrs import Rating

from genai_desktop.core.content.library import load_pack
from genai_desktop.core.store import db
from genai_desktop.core.study import interview
from genai_desktop.core.study.interview import Mock, MockSetup, key_points, rating_for
from genai_desktop.core.study.session import StudySession, StudySettings, inconsistent_cards
from genai_desktop.paths import content_dir
from tests.core.conftest import FakeClock


@pytest.fixture(scope="module")
def library():
    return load_pack(content_dir())


# ---------------------------------------------------------------- checklist and rating rule

def test_key_points_are_the_bullets_with_their_continuation_lines() -> None:
    text = "- Attention is `softmax(QK^T)V`\n- Scaled by **sqrt(d)**\n  so logits stay small\n- Heads run in parallel"
    assert key_points(text) == ["Attention is `softmax(QK^T)V`", "Scaled by **sqrt(d)** so logits stay small",
                                "Heads run in parallel"]


def test_a_paragraph_of_key_points_is_one_point() -> None:
    assert key_points("GANs pit a generator\nagainst a discriminator.") == [
        "GANs pit a generator against a discriminator."]
    assert key_points("") == []


def test_every_builtin_question_has_three_to_six_points(library) -> None:
    counts = {len(key_points(q.key_points)) for q in library.questions()}
    assert counts and min(counts) >= 3 and max(counts) <= 6


@pytest.mark.parametrize(("ticked", "total", "rating"), [
    (0, 4, Rating.Again), (1, 4, Rating.Again), (1, 3, Rating.Again), (2, 4, Rating.Hard), (2, 3, Rating.Hard),
    (3, 5, Rating.Hard), (3, 4, Rating.Good), (4, 5, Rating.Good), (5, 6, Rating.Good), (4, 4, Rating.Easy),
    (6, 6, Rating.Easy), (0, 0, Rating.Good)])
def test_the_rating_rule(ticked: int, total: int, rating: Rating) -> None:
    assert rating_for(ticked, total) == rating


def test_point_html_keeps_code_and_bold_and_escapes_the_rest() -> None:
    assert interview.point_html("a <b> `x<y` **big**") == "a &lt;b&gt; <code>x&lt;y</code> <b>big</b>"


# ---------------------------------------------------------------- set-up

def test_setup_limits_are_checked() -> None:
    assert MockSetup("topic", "transformers-attention", 5, 3).validated()
    for bad in (MockSetup(count=0), MockSetup(count=21), MockSetup(minutes=0), MockSetup(minutes=11),
                MockSetup(thinking_seconds=-1), MockSetup(kind="everything")):
        with pytest.raises(ValueError):
            bad.validated()
    assert MockSetup.from_dict(MockSetup("level", "dev1", 7, 2, 15).to_dict()) == MockSetup("level", "dev1", 7, 2, 15)
    assert MockSetup.from_dict({"kind": "topic"}) is None


def test_a_topic_mock_draws_its_questions_from_the_topic(conn, library) -> None:
    setup = MockSetup("topic", "transformers-attention", 5)
    ids = interview.choose_questions(conn, library, setup, rng=random.Random(1))
    topic_ids = {q.id for q in library.topic("transformers-attention").questions}
    assert len(ids) == 5 == len(set(ids)) and set(ids) <= topic_ids
    assert ids != interview.choose_questions(conn, library, setup, rng=random.Random(2))  # shuffled


def test_a_mock_never_asks_more_than_its_scope_holds(conn, library) -> None:
    assert interview.choose_questions(conn, library, MockSetup("bookmarks", count=5), bookmarks=[]) == []
    one = next(library.questions()).id
    assert interview.choose_questions(conn, library, MockSetup("bookmarks", count=5), bookmarks=[one]) == [one]


def test_a_mixed_mock_favours_the_most_asked_questions(conn, library) -> None:
    sources = {q.id: len(q.sources) for q in library.questions()}
    mean_all = sum(sources.values()) / len(sources)
    drawn = [qid for seed in range(40) for qid in interview.choose_questions(
        conn, library, MockSetup("mixed", count=10), rng=random.Random(seed))]
    assert sum(sources[q] for q in drawn) / len(drawn) > mean_all


def test_my_weakest_puts_the_worst_known_questions_first(conn, library, clock) -> None:
    ids = [q.id for q in library.topic("transformers-attention").questions]
    strong, weak = ids[0], ids[1]
    s = StudySession.for_question(conn, strong, StudySettings(), clock)
    s.answer(Rating.Easy)
    s = StudySession.for_question(conn, weak, StudySettings(), clock)
    s.answer(Rating.Again)
    clock.advance(days=3)
    chosen = interview.choose_questions(conn, library, MockSetup("weakest", count=3), clock=clock)
    assert chosen[0] == weak and chosen[1] == strong and len(chosen) == 3


# ---------------------------------------------------------------- attempts

def _answer(mock: Mock, index: int, ticked: set[int], clock: FakeClock, seconds: float = 95.0) -> None:
    answer = mock.answers[index]
    answer.started_at = clock()
    clock.advance(seconds=seconds)
    answer.seconds_used = seconds
    answer.ticked = ticked
    answer.outline = "QKV, softmax, scaling"


def test_an_attempt_is_stored_with_its_review_and_moves_the_schedule(conn, library, clock) -> None:
    mock = Mock.start(conn, library, MockSetup("topic", "transformers-attention", 2), rng=random.Random(3),
                      clock=clock)
    _answer(mock, 0, {0, 1}, clock)
    attempt = mock.confirm(conn, 0, clock=clock)
    points = len(mock.answers[0].points)
    assert attempt.rating == rating_for(2, points)
    row = conn.execute("SELECT question_id, rating, duration_ms FROM reviews WHERE uid = ?",
                       (attempt.review_uid,)).fetchone()
    assert row == (mock.answers[0].question_id, attempt.rating, 95_000)
    stored = interview.attempts(conn, mock.id)
    assert [(a.uid, a.points_ticked, a.points_total, a.outline, a.seconds_used) for a in stored] == [
        (attempt.uid, [0, 1], points, "QKV, softmax, scaling", 95)]
    assert conn.execute("SELECT state FROM cards WHERE question_id = ?", (attempt.question_id,)).fetchone()[0] != 0
    assert inconsistent_cards(conn) == []


def test_the_rating_can_be_changed_before_confirming(conn, library, clock) -> None:
    mock = Mock.start(conn, library, MockSetup("topic", "transformers-attention", 1), clock=clock)
    _answer(mock, 0, set(), clock)
    assert mock.answers[0].proposed == Rating.Again
    attempt = mock.confirm(conn, 0, Rating.Good, clock=clock)
    assert attempt.rating == Rating.Good
    assert conn.execute("SELECT rating FROM reviews").fetchall() == [(3,)]


def test_an_attempt_is_recorded_even_when_its_card_is_not_due(conn, library, clock) -> None:
    qid = next(library.questions()).id
    StudySession.for_question(conn, qid, StudySettings(), clock).answer(Rating.Easy)  # due in days
    mock = Mock.start(conn, library, MockSetup("mixed", count=1), clock=clock, question_ids=[qid])
    _answer(mock, 0, {0}, clock)
    mock.confirm(conn, 0, clock=clock)
    assert conn.execute("SELECT count(*) FROM reviews WHERE question_id = ?", (qid,)).fetchone()[0] == 2
    assert inconsistent_cards(conn) == []


@pytest.mark.parametrize("where", ["answer", "attempt", "commit"])
def test_an_attempt_torn_between_its_statements_leaves_nothing(conn, library, clock, monkeypatch, where) -> None:
    mock = Mock.start(conn, library, MockSetup("topic", "transformers-attention", 2), clock=clock)
    _answer(mock, 0, {0}, clock)
    mock.confirm(conn, 0, clock=clock)
    before = {t: conn.execute(f"SELECT * FROM {t} ORDER BY 1").fetchall() for t in ("reviews", "cards", "attempts")}
    _answer(mock, 1, {0, 1, 2}, clock)

    def crash(point: str) -> None:
        if point == where:
            raise KeyboardInterrupt  # what a kill would do: nothing after this point runs

    monkeypatch.setattr(db, "FAULT_HOOK", crash)
    with pytest.raises(KeyboardInterrupt):
        mock.confirm(conn, 1, clock=clock)
    after = {t: conn.execute(f"SELECT * FROM {t} ORDER BY 1").fetchall() for t in ("reviews", "cards", "attempts")}
    assert after == before
    assert not conn.in_transaction and inconsistent_cards(conn) == []


def test_practising_missed_questions_offers_them_though_not_due(conn, library, clock) -> None:
    ids = [q.id for q in library.topic("transformers-attention").questions][:3]
    for qid in ids:
        StudySession.for_question(conn, qid, StudySettings(), clock).answer(Rating.Easy)  # due in days
    clock.advance(hours=1)
    due_only = StudySession.open(conn, ids, StudySettings(), clock)
    ahead = StudySession.open(conn, ids, StudySettings(), clock, ahead=True)
    assert sum(due_only.counts()) == 0
    assert {q for _due, q in ahead.learning} | set(ahead.reviews) | set(ahead.new) == set(ids)
    ahead.answer(Rating.Good)
    assert inconsistent_cards(conn) == []


# ---------------------------------------------------------------- summary, report, readiness

def test_totals_missed_points_and_the_report(conn, library, clock) -> None:
    mock = Mock.start(conn, library, MockSetup("topic", "transformers-attention", 3, 2), rng=random.Random(5),
                      clock=clock)
    _answer(mock, 0, set(range(len(mock.answers[0].points))), clock)
    mock.confirm(conn, 0, clock=clock)
    _answer(mock, 1, {0}, clock, seconds=120)
    mock.confirm(conn, 1, clock=clock)
    first, second = mock.answers[0], mock.answers[1]
    assert mock.totals() == (len(first.points) + 1, len(first.points) + len(second.points))
    assert mock.missed_question_ids() == [second.question_id]
    report = interview.report_markdown(mock, library)
    assert report.startswith("# Mock interview: Transformers & Attention\n")
    assert "2 of 3 questions answered" in report
    assert f"## 2. {library.question(second.question_id).title}" in report
    assert f"- [x] {second.points[0]}" in report and f"- [ ] {second.points[1]}" in report
    assert "Time 2 min 00 s of 2 min" in report and "> QKV, softmax, scaling" in report


def test_readiness_blends_recent_coverage_and_recall(conn, library, clock) -> None:
    before = interview.readiness(conn, library, clock=clock)
    assert before.overall == 0.0
    topic = library.topic("transformers-attention")
    mock = Mock.start(conn, library, MockSetup("topic", topic.id, 2), clock=clock, rng=random.Random(1))
    for n in range(2):
        _answer(mock, n, set(range(len(mock.answers[n].points))), clock)  # everything covered
        mock.confirm(conn, n, clock=clock)
    after = interview.readiness(conn, library, clock=clock)
    row = next(t for t in after.topics if t.topic_id == topic.id)
    assert row.coverage == 1.0 and row.practised == 2
    assert 0 < row.recall < 1
    assert row.score == pytest.approx(interview.MOCK_WEIGHT * 1.0 + interview.RECALL_WEIGHT * row.recall)
    assert after.overall > before.overall
    assert topic.id not in [t.topic_id for t in after.weakest(3)]
    clock.advance(days=interview.RECENT_DAYS + 1)  # an old mock no longer counts
    later = next(t for t in interview.readiness(conn, library, clock=clock).topics if t.topic_id == topic.id)
    assert later.coverage is None and later.score < row.score


def test_mock_history_is_one_score_per_mock_oldest_first(conn, library, clock) -> None:
    for ticks in ({0}, {0, 1, 2}):
        mock = Mock.start(conn, library, MockSetup("topic", "transformers-attention", 1), clock=clock)
        _answer(mock, 0, ticks, clock)
        mock.confirm(conn, 0, clock=clock)
        clock.advance(days=1)
    history = interview.mock_history(conn)
    assert [h.ticked for h in history] == [1, 3]
    assert history[0].when < history[1].when


def test_attempt_rows_hold_valid_json(conn, library, clock) -> None:
    mock = Mock.start(conn, library, MockSetup("topic", "transformers-attention", 1), clock=clock)
    _answer(mock, 0, {2, 0, 99}, clock)  # an index past the points is dropped
    mock.confirm(conn, 0, clock=clock)
    assert json.loads(conn.execute("SELECT points_ticked FROM attempts").fetchone()[0]) == [0, 2]
    assert conn.execute("SELECT created_at FROM attempts").fetchone()[0] == clock.now.isoformat(
        timespec="milliseconds")


def test_formulas_in_points_read_as_text() -> None:
    assert interview.point_html(r"Learn $p(x \mid c)$ and $P(X_{t+1})$") == (
        "Learn <i>p(x | c)</i> and <i>P(X<sub>t+1</sub>)</i>")
    assert interview.point_html(r"$\frac{QK^\top}{\sqrt{d}}$, $\bar{\alpha}_t$, $\mathbb{E}[\log D]$, 5 \$") == (
        "<i>QKᵀ/(√d)</i>, <i>α\u0304<sub>t</sub></i>, <i>𝔼[log D]</i>, 5 $")


def test_no_builtin_point_shows_raw_latex(library) -> None:
    leftovers = [p for q in library.questions() for p in key_points(q.key_points)
                 if "\\" in interview.point_html(p) or "$" in interview.point_html(p)]
    assert leftovers == []


def test_a_v2_database_migrates_and_takes_attempts(library, clock, tmp_path) -> None:
    import shutil

    path = tmp_path / "old" / "progress.sqlite"
    path.parent.mkdir()
    shutil.copy(Path(__file__).resolve().parents[2] / "fixtures" / "migrations" / "v2.sqlite", path)
    progress = db.open_progress(path, tmp_path / "backups")
    conn = progress.conn
    try:
        assert db.schema_version(conn) == db.SCHEMA_VERSION >= 3
        assert conn.execute("SELECT count(*) FROM attempts").fetchone() == (0,)
        reviews_before = conn.execute("SELECT count(*) FROM reviews").fetchone()[0]
        qid = next(library.questions()).id
        mock = Mock.start(conn, library, MockSetup("mixed", count=1), clock=clock, question_ids=[qid])
        _answer(mock, 0, {0}, clock)
        mock.confirm(conn, 0, clock=clock)
        assert conn.execute("SELECT count(*) FROM reviews").fetchone()[0] == reviews_before + 1
        assert len(interview.attempts(conn)) == 1
    finally:
        conn.close()
