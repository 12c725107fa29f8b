"""FSRS fitted to the user's own reviews: the fit, the retention it suggests, the workload ahead.

The review log becomes fsrs-rs training items the way Anki builds them: one item per review
that tests memory across a day (a review on a later study day than the card's previous one),
holding the card's whole history up to and including that review, each ``delta_t`` counted in
study days with the configured day start (``study.study_day``, the rule the scheduler counts by).
Same-day reviews (learning steps) stay in the histories, where FSRS-6's short-term formula uses
them, but are never predicted: FSRS gives no forgetting within a day. A card forgotten in the
card browser starts over: only its reviews since its last first review count, as in Anki.

``optimise`` fits the 21 FSRS-6 weights with fsrs-rs and evaluates the weights in use and the
fitted ones on the same items (log loss, and RMSE over bins as Anki shows it). ``adopt`` keeps
the fitted weights only when their log loss is lower (log loss is what the fit minimises, and
what Anki compares): fewer than ``MIN_REVIEWS`` items on ``MIN_CARDS`` cards fit noise, so the
fit refuses them with ``NotEnoughReviews``.

fsrs-rs holds the GIL while it computes (a 50k-review fit blocks Python for about a second),
so the app runs these functions in a child process (``worker.call_in_process``); the bench
and the tests call them directly.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from statistics import median

from fsrs import State
from fsrs.scheduler import LOWER_BOUNDS_PARAMETERS, UPPER_BOUNDS_PARAMETERS

from ..errors import UserError
from ..store.db import connect, transaction
from .session import StudySettings, check_parameters, study_day

# Below these the fitted weights follow noise (fsrs4anki's guidance asks for several hundred
# reviews); a review counts when it is a day or more after the card's previous one.
MIN_REVIEWS = 400
MIN_CARDS = 50
# The retention a suggestion may give: the range the settings accept.
RETENTION_RANGE = StudySettings.LIMITS["desired_retention"]
# Rating mixes and answer times are the user's own once they rest on this many answers.
MIN_SAMPLES = 100
SIMULATION_SEED = 2024  # one seed: the same inputs draw the same chart

Progress = Callable[[int, int], None]
Cancelled = Callable[[], bool]


class NotEnoughReviews(UserError):
    """Too few reviews to fit weights that mean anything; the message says how many there are."""

    def __init__(self, reviews: int, cards: int) -> None:
        super().__init__(
            f"Optimising needs at least {MIN_REVIEWS} reviews made a day or more after the card's previous "
            f"review, on at least {MIN_CARDS} cards. So far there are {reviews} on {cards} cards: "
            "keep studying and try again later. The default parameters stay in use.")
        self.reviews, self.cards = reviews, cards

    def __reduce__(self):  # rebuilt from its counts when it comes back from a worker process
        return type(self), (self.reviews, self.cards)


class FitCancelled(Exception):
    """The caller's ``cancelled()`` said stop; nothing was changed."""


@dataclass(frozen=True)
class Evaluation:
    log_loss: float
    rmse_bins: float  # RMSE between predicted and actual recall over bins of similar reviews


@dataclass(frozen=True)
class FitResult:
    baseline: tuple[float, ...]  # the weights in use when the fit started
    fitted: tuple[float, ...]
    before: Evaluation  # the baseline's, on the same reviews as ``after``
    after: Evaluation
    reviews: int  # reviews predicted (items)
    cards: int

    @property
    def better(self) -> bool:
        return self.after.log_loss < self.before.log_loss


@dataclass(frozen=True)
class History:
    """The review log as fsrs-rs training data: plain (rating, delta_t) lists, picklable."""

    items: list[list[tuple[int, int]]]
    card_of_item: list[int]  # index into the cards, per item (for splits by card)
    cards: int

    def fsrs_items(self, only: Sequence[int] | None = None) -> list:
        from fsrs_rs_python import FSRSItem, FSRSReview

        chosen = self.items if only is None else [self.items[i] for i in only]
        return [FSRSItem([FSRSReview(rating, delta_t) for rating, delta_t in item]) for item in chosen]


def _card_histories(conn: sqlite3.Connection, day_start_hour: int) -> Iterator[list[tuple[int, date]]]:
    """Each card's reviews since its last first review, as (rating, study day), in time order."""
    current_card, reviews = None, []
    for qid, rating, reviewed_at, first in conn.execute(
            "SELECT question_id, rating, reviewed_at, state_before IS NULL FROM reviews "
            "ORDER BY question_id, reviewed_at, id"):
        if qid != current_card:
            if reviews:
                yield reviews
            current_card, reviews = qid, []
        if rating not in (1, 2, 3, 4):
            continue
        try:
            day = study_day(datetime.fromisoformat(reviewed_at), day_start_hour)
        except (TypeError, ValueError):
            continue  # an unreadable time (never written by the app): the review is left out
        if first:
            reviews = []  # forgotten in the card browser: its history starts over here
        reviews.append((rating, day))
    if reviews:
        yield reviews


def review_history(conn: sqlite3.Connection, day_start_hour: int) -> History:
    """The review log as training items (see the module docstring)."""
    items: list[list[tuple[int, int]]] = []
    card_of_item: list[int] = []
    cards = 0
    for reviews in _card_histories(conn, day_start_hour):
        steps: list[tuple[int, int]] = []
        previous: date | None = None
        predicted = False
        for rating, day in reviews:
            delta_t = 0 if previous is None else (day - previous).days
            steps.append((rating, delta_t))
            previous = day
            if len(steps) > 1 and delta_t > 0:
                items.append(list(steps))
                card_of_item.append(cards)
                predicted = True
        cards += predicted
    return History(items, card_of_item, cards)


def evaluate(parameters: Sequence[float], items: list) -> Evaluation:
    from fsrs_rs_python import FSRS

    result = FSRS(list(parameters)).evaluate(items)
    return Evaluation(float(result.log_loss), float(result.rmse_bins))


def fit(items: list) -> tuple[float, ...]:
    """fsrs-rs's fit, held inside py-fsrs's bounds (the scheduler refuses weights outside them)."""
    from fsrs_rs_python import DEFAULT_PARAMETERS, FSRS

    fitted = FSRS(list(DEFAULT_PARAMETERS)).compute_parameters(items, enable_short_term=True)
    return tuple(min(max(float(value), low), high)
                 for value, low, high in zip(fitted, LOWER_BOUNDS_PARAMETERS, UPPER_BOUNDS_PARAMETERS, strict=True))


OPTIMISE_STEPS = 4  # reading, fitting, evaluating the baseline, evaluating the fit


def optimise(conn: sqlite3.Connection, settings: StudySettings, progress: Progress | None = None,
             cancelled: Cancelled | None = None) -> FitResult:
    """Fit the weights to the review log and compare them with ``settings``' weights.

    ``progress(step, OPTIMISE_STEPS)`` is called as each step starts; ``cancelled()`` is asked
    between steps (each is one fsrs-rs call that cannot be interrupted) and raises FitCancelled.
    Reads only: ``adopt`` stores the result."""
    def step(done: int) -> None:
        if cancelled is not None and cancelled():
            raise FitCancelled
        if progress is not None:
            progress(done, OPTIMISE_STEPS)

    step(0)
    history = review_history(conn, settings.day_start_hour)
    if len(history.items) < MIN_REVIEWS or history.cards < MIN_CARDS:
        raise NotEnoughReviews(len(history.items), history.cards)
    items = history.fsrs_items()
    step(1)
    fitted = fit(items)
    step(2)
    baseline = settings.fsrs_parameters
    before = evaluate(baseline, items)
    step(3)
    after = evaluate(fitted, items)
    step(OPTIMISE_STEPS)
    return FitResult(tuple(baseline), fitted, before, after, len(items), history.cards)


def adopt(conn: sqlite3.Connection, result: FitResult, now: datetime | None = None) -> bool:
    """Store the fitted weights if they beat the ones they were compared with, and those are
    still the ones in use (weights reset or imported meanwhile are not overwritten by a fit of
    the old ones). Returns whether they were stored."""
    with transaction(conn):
        settings = StudySettings.load(conn)
        if not result.better or settings.fsrs_parameters != result.baseline:
            return False
        settings.parameters = check_parameters(list(result.fitted))
        settings.save(conn, now)
    return True


def reset_parameters(conn: sqlite3.Connection, now: datetime | None = None) -> None:
    """Back to FSRS-6's default weights; the other settings stay."""
    with transaction(conn):
        settings = StudySettings.load(conn)
        settings.parameters = ()
        settings.save(conn, now)


# ---------------------------------------------------------------- workload

@dataclass(frozen=True)
class Habits:
    """How the user answers, for the simulator: rating mixes and seconds per answer."""

    first_rating: tuple[float, float, float, float]  # Again, Hard, Good, Easy on a new card
    success_rating: tuple[float, float, float]  # Hard, Good, Easy when a review is recalled
    seconds: tuple[tuple[float, ...], ...]  # learning, review, relearning × Again..Easy
    own: bool  # drawn from the user's log (False: fsrs-rs's defaults)


def habits(conn: sqlite3.Connection) -> Habits:
    """The user's rating mix and answer times, where enough answers show them (Anki does the
    same); fsrs-rs's defaults fill in the rest."""
    from fsrs_rs_python import default_simulator_config

    defaults = default_simulator_config()
    first = [0] * 4
    success = [0] * 3
    times: dict[tuple[int, int], list[float]] = {}
    kinds = {None: 0, int(State.Learning): 0, int(State.Review): 1, int(State.Relearning): 2}
    for rating, ms, state in conn.execute(
            "SELECT rating, duration_ms, json_extract(state_before, '$.state') FROM reviews "
            "WHERE rating BETWEEN 1 AND 4"):
        if state is None:
            first[rating - 1] += 1
        elif state == int(State.Review) and rating > 1:
            success[rating - 2] += 1
        kind = kinds.get(state)
        if kind is not None and isinstance(ms, int) and 0 < ms < 600_000:  # ten minutes: walked away
            times.setdefault((kind, rating), []).append(ms / 1000)
    own = sum(first) >= MIN_SAMPLES
    first_rating = tuple(n / sum(first) for n in first) if own else tuple(defaults.first_rating_prob)
    success_rating = (tuple(n / sum(success) for n in success) if sum(success) >= MIN_SAMPLES
                      else tuple(defaults.review_rating_prob))
    seconds = tuple(tuple(median(times[(kind, rating)]) if len(times.get((kind, rating), ())) >= MIN_SAMPLES // 4
                          else defaults.state_rating_costs[kind][rating - 1] for rating in range(1, 5))
                    for kind in range(3))
    return Habits(first_rating, success_rating, seconds, own)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Workload:
    retention: float
    new_per_day: int
    reviews: list[int]  # per day, from today (new cards' first answers not counted)
    new: list[int]  # new cards started per day
    minutes: list[float]  # time per day, reviews and new cards

    @property
    def mean_reviews(self) -> float:
        return sum(self.reviews) / max(1, len(self.reviews))

    @property
    def mean_minutes(self) -> float:
        return sum(self.minutes) / max(1, len(self.minutes))


def _config(user: Habits, *, deck_size: int, days: int, new_per_day: int, reviews_per_day: int):
    from fsrs_rs_python import default_simulator_config

    config = default_simulator_config()
    config.deck_size = max(1, deck_size)
    config.learn_span = days
    config.learn_limit = new_per_day
    config.review_limit = reviews_per_day
    config.max_cost_perday = 86_400.0  # the limits above bound a day, not a time budget
    config.first_rating_prob = list(user.first_rating)
    config.review_rating_prob = list(user.success_rating)
    config.state_rating_costs = [list(row) for row in user.seconds]
    return config


def simulate_workload(parameters: Sequence[float], user: Habits, *, retention: float, new_per_day: int,
                      days: int, deck_size: int, reviews_per_day: int = 99_999) -> Workload:
    """Reviews a day over the next ``days`` days when ``new_per_day`` of ``deck_size`` new
    cards are started each day and scheduled at ``retention`` (fsrs-rs's simulator; cards
    already studied are not in it: the binding starts every simulation from new cards)."""
    from fsrs_rs_python import simulate

    if not RETENTION_RANGE[0] <= retention <= RETENTION_RANGE[1]:
        raise ValueError(f"retention must be between {RETENTION_RANGE[0]} and {RETENTION_RANGE[1]}")
    config = _config(user, deck_size=deck_size, days=days, new_per_day=new_per_day, reviews_per_day=reviews_per_day)
    result = simulate(list(parameters), retention, config, SIMULATION_SEED)
    return Workload(retention, new_per_day, [int(n) for n in result.review_cnt_per_day],
                    [int(n) for n in result.learn_cnt_per_day], [c / 60 for c in result.cost_per_day])


@dataclass(frozen=True)
class RetentionSuggestion:
    retention: float  # rounded to the settings' step, inside RETENTION_RANGE
    optimum: float  # what fsrs-rs found, before rounding into the range
    workload: Workload  # a year at the suggested retention


def suggest_retention(parameters: Sequence[float], user: Habits, *, new_per_day: int, deck_size: int,
                      days: int = 365) -> RetentionSuggestion:
    """The retention that costs least time per card remembered (fsrs-rs's optimal_retention
    over ``days`` days), with the workload it brings."""
    from fsrs_rs_python import optimal_retention

    config = _config(user, deck_size=deck_size, days=days, new_per_day=max(1, new_per_day), reviews_per_day=99_999)
    optimum = float(optimal_retention(config, list(parameters)))
    retention = round(min(max(optimum, RETENTION_RANGE[0]), RETENTION_RANGE[1]), 2)
    workload = simulate_workload(parameters, user, retention=retention, new_per_day=new_per_day, days=days,
                                 deck_size=deck_size)
    return RetentionSuggestion(retention, optimum, workload)


# ---------------------------------------------------------------- entry points for a worker process
# A child process gets a path, not a connection: it opens its own, read-only (WAL lets the app
# keep writing meanwhile).

@contextmanager
def _reading(path: str) -> Iterator[sqlite3.Connection]:
    conn = connect(Path(path), read_only=True)
    try:
        yield conn
    finally:
        conn.close()


def optimise_file(path: str, progress: Progress | None = None) -> FitResult:
    """``optimise`` on the progress database at ``path``."""
    with _reading(path) as conn:
        return optimise(conn, StudySettings.load(conn), progress)


def suggest_file(path: str, new_per_day: int, deck_size: int, progress: Progress | None = None) -> RetentionSuggestion:
    """``suggest_retention`` for the weights and habits in the progress database at ``path``."""
    with _reading(path) as conn:
        settings, user = StudySettings.load(conn), habits(conn)
    return suggest_retention(settings.fsrs_parameters, user, new_per_day=new_per_day, deck_size=deck_size)


def workload_file(path: str, retention: float, new_per_day: int, days: int, deck_size: int,
                  progress: Progress | None = None) -> Workload:
    """``simulate_workload`` for the weights, habits and review limit in the database at ``path``."""
    with _reading(path) as conn:
        settings, user = StudySettings.load(conn), habits(conn)
    return simulate_workload(settings.fsrs_parameters, user, retention=retention, new_per_day=new_per_day,
                             days=days, deck_size=deck_size, reviews_per_day=settings.reviews_per_day)
