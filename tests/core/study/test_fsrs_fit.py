"""FSRS fitted to the user's reviews: items from the log, the fit, adoption, retention, workload."""

from __future__ import annotations

import json
import time
from datetime import date, datetime, timedelta

import pytest
from fsrs.scheduler import DEFAULT_PARAMETERS

from genai_desktop.core.store import db
from genai_desktop.core.study.fsrs_fit import (
    MIN_CARDS,
    MIN_REVIEWS,
    FitCancelled,
    NotEnoughReviews,
    adopt,
    evaluate,
    habits,
    optimise,
    optimise_file,
    reset_parameters,
    review_history,
    simulate_workload,
    suggest_retention,
)
from genai_desktop.core.study.session import StudySettings, day_start, iso
from genai_desktop.core.worker import WorkerCancelled, call_in_process
from tests.fsrs_synthetic import TRUE_PARAMETERS, simulate_learner, write_reviews

FIRST_DAY = date(2025, 1, 6)


def _review(conn, qid: str, rating: int, moment: datetime, *, first: bool = False, uid: str | None = None) -> None:
    conn.execute("INSERT INTO reviews (uid, question_id, rating, reviewed_at, duration_ms, state_before, "
                 "state_after) VALUES (?, ?, ?, ?, 5000, ?, '{}')",
                 (uid or f"{qid}-{moment.isoformat()}", qid, rating, iso(moment), None if first else '{"state": 2}'))


def test_items_count_study_days_from_the_day_start_and_skip_same_day_reviews(conn):
    hour = 4
    start = day_start(FIRST_DAY, hour)
    _review(conn, "a", 1, start + timedelta(hours=10), first=True)
    _review(conn, "a", 3, start + timedelta(hours=10, minutes=10))  # the learning step: same day
    # 23:30 then 03:30 the next calendar morning: still the same study day (it starts at 04:00).
    _review(conn, "a", 3, start + timedelta(days=1, hours=19, minutes=30))
    _review(conn, "a", 3, start + timedelta(days=1, hours=23, minutes=30))
    _review(conn, "a", 4, start + timedelta(days=5, hours=1))
    history = review_history(conn, hour)
    assert history.items == [
        [(1, 0), (3, 0), (3, 1)],
        [(1, 0), (3, 0), (3, 1), (3, 0), (4, 4)],
    ]
    assert history.cards == 1
    # With days starting at midnight the 03:30 review is a day later, and the gap before the last one shorter.
    assert review_history(conn, 0).items[-1][-2:] == [(3, 1), (4, 3)]


def test_a_card_forgotten_in_the_browser_starts_its_history_over(conn):
    start = day_start(FIRST_DAY, 4) + timedelta(hours=8)
    _review(conn, "a", 3, start, first=True)
    _review(conn, "a", 1, start + timedelta(days=3))
    _review(conn, "a", 4, start + timedelta(days=10), first=True)  # after "forget": no state before it
    _review(conn, "a", 3, start + timedelta(days=14))
    # Only the reviews since it was forgotten describe the memory the scheduler now tracks (as in Anki).
    assert review_history(conn, 4).items == [[(4, 0), (3, 4)]]


def test_too_few_reviews_are_refused_with_a_message_that_says_how_many(conn):
    write_reviews(conn, simulate_learner(cards=30, days=60, new_per_day=5, seed=3), first_day=FIRST_DAY)
    with pytest.raises(NotEnoughReviews) as raised:
        optimise(conn, StudySettings())
    message = str(raised.value)
    assert f"at least {MIN_REVIEWS} reviews" in message and f"{MIN_CARDS} cards" in message
    assert f"there are {raised.value.reviews} on {raised.value.cards} cards" in message
    assert raised.value.cards <= 30
    assert StudySettings.load(conn).parameters == ()


@pytest.fixture(scope="module")
def learner(tmp_path_factory):
    """~5k reviews of a learner with known weights (training cards), and held-out cards' items."""
    reviews = simulate_learner(cards=1200, days=240, new_per_day=12, seed=11, max_reviews=6000)
    held_out_cards = {card for card in {r.card for r in reviews} if card % 4 == 0}
    folder = tmp_path_factory.mktemp("learner")
    train = db.open_progress(folder / "train.sqlite").conn
    held = db.open_progress(folder / "held.sqlite").conn
    write_reviews(train, [r for r in reviews if r.card not in held_out_cards], first_day=FIRST_DAY)
    write_reviews(held, [r for r in reviews if r.card in held_out_cards], first_day=FIRST_DAY)
    yield train, review_history(held, StudySettings().day_start_hour).fsrs_items(), folder / "train.sqlite"
    train.close()
    held.close()


def test_the_fit_beats_the_defaults_on_held_out_reviews_of_a_learner_with_known_weights(learner):
    conn, held_out, _path = learner
    started = time.perf_counter()
    steps = []
    result = optimise(conn, StudySettings(), progress=lambda done, total: steps.append((done, total)))
    assert time.perf_counter() - started < 15
    assert steps == [(0, 4), (1, 4), (2, 4), (3, 4), (4, 4)]
    assert result.reviews >= MIN_REVIEWS and result.baseline == tuple(DEFAULT_PARAMETERS)
    assert result.better and result.after.log_loss < result.before.log_loss  # on the reviews it was fitted to
    default, fitted, truth = (evaluate(w, held_out) for w in (DEFAULT_PARAMETERS, result.fitted, TRUE_PARAMETERS))
    assert fitted.log_loss < default.log_loss - 0.01
    assert fitted.rmse_bins < default.rmse_bins
    assert fitted.log_loss < truth.log_loss + 0.01  # close to what the true weights achieve
    # The weights it recovers lean the true way: new cards forgotten sooner, a steeper curve.
    assert result.fitted[2] < DEFAULT_PARAMETERS[2] and result.fitted[20] > DEFAULT_PARAMETERS[20]


def test_better_weights_are_adopted_and_used_by_the_scheduler_and_a_worse_fit_is_kept_out(conn, learner):
    train, _held_out, _path = learner
    result = optimise(train, StudySettings())
    StudySettings(desired_retention=0.85).save(conn)
    assert adopt(conn, result)
    stored = StudySettings.load(conn)
    assert stored.parameters == result.fitted and stored.desired_retention == 0.85  # nothing else touched
    assert stored.scheduler().parameters == result.fitted
    # A fit compared with the old weights is not adopted over weights changed since.
    assert not adopt(conn, result)
    reset_parameters(conn)
    assert StudySettings.load(conn).parameters == () and StudySettings.load(conn).desired_retention == 0.85
    worse = type(result)(result.baseline, result.fitted, result.after, result.before, result.reviews, result.cards)
    assert not worse.better and not adopt(conn, worse)
    assert StudySettings.load(conn).parameters == ()


def test_optimise_can_be_cancelled_between_steps(learner):
    conn, _held_out, _path = learner
    asked = []

    def cancelled() -> bool:
        asked.append(1)
        return len(asked) > 1

    with pytest.raises(FitCancelled):
        optimise(conn, StudySettings(), cancelled=cancelled)


def test_optimise_runs_in_a_worker_process_and_reports_progress(learner):
    _conn, _held_out, path = learner
    steps = []
    result = call_in_process(optimise_file, str(path), progress=lambda done, total: steps.append(done))
    assert result.better and steps[-1] == 4
    with pytest.raises(WorkerCancelled):
        call_in_process(optimise_file, str(path), cancelled=lambda: True)


def test_a_worker_raises_the_functions_own_error(tmp_path):
    database = db.open_progress(tmp_path / "empty.sqlite")
    database.conn.close()
    with pytest.raises(NotEnoughReviews):
        call_in_process(optimise_file, str(tmp_path / "empty.sqlite"))


def test_habits_come_from_the_log_once_there_are_enough_answers(conn, learner):
    assert not habits(conn).own  # an empty log: fsrs-rs's defaults
    train, _held_out, _path = learner
    mine = habits(train)
    assert mine.own and abs(sum(mine.first_rating) - 1) < 1e-9
    # The synthetic log answers in 4 s + 1 s per rating step.
    assert mine.seconds[1][2] == pytest.approx(7.0)


def test_workload_grows_with_new_cards_and_retention(conn):
    user = habits(conn)
    light = simulate_workload(DEFAULT_PARAMETERS, user, retention=0.85, new_per_day=10, days=30, deck_size=2000)
    heavy = simulate_workload(DEFAULT_PARAMETERS, user, retention=0.95, new_per_day=10, days=30, deck_size=2000)
    more = simulate_workload(DEFAULT_PARAMETERS, user, retention=0.85, new_per_day=30, days=30, deck_size=2000)
    assert len(light.reviews) == 30 and light.new[0] == 10 and more.new[0] == 30
    assert heavy.mean_reviews > light.mean_reviews and more.mean_reviews > light.mean_reviews
    assert light.mean_minutes > 0
    year = simulate_workload(DEFAULT_PARAMETERS, user, retention=0.9, new_per_day=10, days=365, deck_size=500)
    assert len(year.reviews) == 365 and sum(year.new) == 500  # the deck runs out after 50 days
    with pytest.raises(ValueError, match="retention"):
        simulate_workload(DEFAULT_PARAMETERS, user, retention=0.5, new_per_day=10, days=30, deck_size=10)


def test_suggested_retention_is_within_the_settings_range_with_its_workload(conn):
    suggestion = suggest_retention(DEFAULT_PARAMETERS, habits(conn), new_per_day=20, deck_size=800)
    low, high = StudySettings.LIMITS["desired_retention"]
    assert low <= suggestion.retention <= high
    assert suggestion.workload.retention == suggestion.retention and len(suggestion.workload.reviews) == 365
    assert suggestion.workload.mean_reviews > 0


def test_weights_travel_in_the_settings_and_bad_ones_are_refused():
    fitted = tuple(round(w * 1.1, 4) for w in DEFAULT_PARAMETERS[:20]) + (0.3,)
    settings = StudySettings(parameters=fitted)
    data = json.loads(json.dumps(settings.to_dict()))
    assert StudySettings.from_dict(data).parameters == fitted
    assert "parameters" not in StudySettings().to_dict()
    assert StudySettings.from_dict({"desired_retention": 0.9}).parameters == ()  # an older file
    for bad, why in ((list(fitted[:20]), "21 numbers"), ([*fitted[:20], "x"], "not a number"),
                     ([*fitted[:20], 5.0], "outside")):
        with pytest.raises(ValueError, match=why):
            StudySettings.from_dict({**data, "parameters": bad})


def test_unreadable_stored_weights_fall_back_to_the_defaults(conn):
    conn.execute("INSERT INTO settings VALUES ('study', ?)",
                 (json.dumps({"desired_retention": 0.88, "parameters": [1, 2]}),))
    loaded = StudySettings.load(conn)
    assert loaded.parameters == () and loaded.desired_retention == 0.88
    assert loaded.fsrs_parameters == tuple(DEFAULT_PARAMETERS)



def test_a_study_session_schedules_with_the_adopted_weights(conn, clock):
    from genai_desktop.core.study.session import StudySession

    fitted = (*DEFAULT_PARAMETERS[:2], 0.7, *DEFAULT_PARAMETERS[3:])  # Good on a new card: 0.7 days, not 2.3
    StudySettings(parameters=fitted).save(conn)
    session = StudySession.open(conn, ["q1"], StudySettings.load(conn), clock)
    session.answer(3, duration_ms=4000)  # 1 min learning step, then Good again graduates it
    clock.advance(minutes=2)
    session = StudySession.open(conn, ["q1"], StudySettings.load(conn), clock)
    session.answer(3, duration_ms=4000)
    stability = conn.execute("SELECT stability FROM cards WHERE question_id = 'q1'").fetchone()[0]
    assert stability < 1.0  # with the default weights it would be about 2.4
