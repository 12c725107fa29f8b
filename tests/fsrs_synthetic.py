"""A synthetic learner whose memory follows FSRS-6 with known parameters, for checking the fit.

Shared by tests/core/study/test_fsrs_fit.py (a few thousand reviews) and bench/bench_fsrs.py (50k):
one generator, so the test and the benchmark measure the same thing.

The learner's memory runs on ``TRUE_PARAMETERS`` (someone who forgets new cards faster and
whose forgetting curve is steeper than FSRS-6's defaults assume), while the app schedules with
the default parameters, as it would before any fit. Each review's outcome is drawn from the
true recall probability, so a fit that recovers the learner's memory predicts held-out reviews
better than the defaults do. Days are whole study days; a first Again or Hard is followed by a
same-day learning step, as the app's learning steps give, so histories hold same-day reviews too.
"""

from __future__ import annotations

import json
import math
import random
import sqlite3
from dataclasses import dataclass
from datetime import date, timedelta

from genai_desktop.core.store.db import transaction
from genai_desktop.core.study.session import day_start, iso

DEFAULT_PARAMETERS: tuple[float, ...] = (
    0.212, 1.2931, 2.3065, 8.2956, 6.4133, 0.8334, 3.0194, 0.001, 1.8722, 0.1666, 0.796,
    1.4835, 0.0614, 0.2629, 1.6483, 0.6014, 1.8729, 0.5425, 0.0912, 0.0658, 0.1542)

# Differs from the defaults where a review log shows it: initial stabilities (w0-w3), growth
# after a success (w8, w10), stability after a lapse (w11) and the curve's decay (w20).
TRUE_PARAMETERS: tuple[float, ...] = (
    0.08, 0.35, 0.9, 3.2, 6.4133, 0.8334, 3.0194, 0.001, 1.25, 0.1666, 1.2,
    0.8, 0.0614, 0.2629, 1.6483, 0.6014, 1.8729, 0.5425, 0.0912, 0.0658, 0.45)

FIRST_RATING_WEIGHTS = (0.24, 0.094, 0.495, 0.171)  # Again, Hard, Good, Easy on a new card
SUCCESS_RATING_WEIGHTS = (0.224, 0.631, 0.145)  # Hard, Good, Easy when a review is recalled
S_MIN, S_MAX = 0.001, 36500.0


@dataclass(frozen=True)
class SyntheticReview:
    card: int
    day: int  # study days after the first day of the history
    rating: int
    order: int  # reviews of one day keep this order (a learning step comes after its first answer)


class Memory:
    """FSRS-6's memory model (the formulas fsrs-rs trains), for one parameter set."""

    def __init__(self, w: tuple[float, ...]) -> None:
        self.w = w
        self.decay = -w[20]
        self.factor = 0.9 ** (1 / self.decay) - 1

    def recall(self, elapsed_days: float, stability: float) -> float:
        return (1 + self.factor * elapsed_days / stability) ** self.decay

    def interval(self, stability: float, retention: float) -> int:
        days = stability / self.factor * (retention ** (1 / self.decay) - 1)
        return max(1, min(36500, round(days)))

    def _initial_difficulty(self, rating: int) -> float:
        return self.w[4] - math.exp(self.w[5] * (rating - 1)) + 1

    def first(self, rating: int) -> tuple[float, float]:
        return self.w[rating - 1], min(10.0, max(1.0, self._initial_difficulty(rating)))

    def step(self, stability: float, difficulty: float, elapsed_days: int, rating: int) -> tuple[float, float]:
        w = self.w
        if elapsed_days == 0:
            grow = math.exp(w[17] * (rating - 3 + w[18])) * stability ** -w[19]
            new_s = stability * (max(grow, 1.0) if rating >= 3 else grow)
        else:
            r = self.recall(elapsed_days, stability)
            if rating == 1:
                new_s = (w[11] * difficulty ** -w[12] * ((stability + 1) ** w[13] - 1) * math.exp((1 - r) * w[14]))
                new_s = min(new_s, stability / math.exp(w[17] * w[18]))
            else:
                hard = w[15] if rating == 2 else 1.0
                easy = w[16] if rating == 4 else 1.0
                new_s = stability * (math.exp(w[8]) * (11 - difficulty) * stability ** -w[9]
                                     * (math.exp((1 - r) * w[10]) - 1) * hard * easy + 1)
        moved = difficulty + (-w[6] * (rating - 3)) * (10 - difficulty) / 9
        reverted = w[7] * (self._initial_difficulty(4) - moved) + moved
        return min(S_MAX, max(S_MIN, new_s)), min(10.0, max(1.0, reverted))


def simulate_learner(*, cards: int, days: int, new_per_day: int, seed: int,
                     true_parameters: tuple[float, ...] = TRUE_PARAMETERS,
                     scheduler_parameters: tuple[float, ...] = DEFAULT_PARAMETERS,
                     retention: float = 0.9, max_reviews: int | None = None) -> list[SyntheticReview]:
    """Reviews of ``cards`` cards over ``days`` days: ``new_per_day`` new cards a day, every due
    card reviewed on its day. Stops early once ``max_reviews`` reviews were made."""
    rng = random.Random(seed)
    truth, scheduler = Memory(true_parameters), Memory(scheduler_parameters)
    true_state: dict[int, tuple[float, float]] = {}
    planned: dict[int, tuple[float, float]] = {}
    last_day: dict[int, int] = {}
    due: dict[int, list[int]] = {}
    reviews: list[SyntheticReview] = []
    next_card = 0

    def answer(card: int, day: int, rating: int) -> None:
        reviews.append(SyntheticReview(card, day, rating, len(reviews)))
        if card not in true_state:
            true_state[card], planned[card] = truth.first(rating), scheduler.first(rating)
        else:
            elapsed = day - last_day[card]
            true_state[card] = truth.step(*true_state[card], elapsed, rating)
            planned[card] = scheduler.step(*planned[card], elapsed, rating)
        last_day[card] = day

    for day in range(days):
        for card in due.pop(day, []):
            recalled = rng.random() < truth.recall(day - last_day[card], true_state[card][0])
            rating = rng.choices((2, 3, 4), SUCCESS_RATING_WEIGHTS)[0] if recalled else 1
            answer(card, day, rating)
            if rating == 1:
                answer(card, day, 3)  # the relearning step, later the same day
            due.setdefault(day + scheduler.interval(planned[card][0], retention), []).append(card)
        for _ in range(min(new_per_day, cards - next_card)):
            card, next_card = next_card, next_card + 1
            rating = rng.choices((1, 2, 3, 4), FIRST_RATING_WEIGHTS)[0]
            answer(card, day, rating)
            if rating <= 2:
                answer(card, day, 3)  # the learning step that graduates it
            due.setdefault(day + scheduler.interval(planned[card][0], retention), []).append(card)
        if max_reviews is not None and len(reviews) >= max_reviews:
            break
    return reviews[:max_reviews] if max_reviews is not None else reviews


def write_reviews(conn: sqlite3.Connection, reviews: list[SyntheticReview], *, first_day: date,
                  day_start_hour: int = 4, prefix: str = "synthetic") -> None:
    """Store the reviews in a progress database's review log, at times inside their study days
    (a few hours after the day starts, in answer order), one transaction for the lot."""
    seen: set[int] = set()
    rows = []
    for review in reviews:
        moment = day_start(first_day + timedelta(days=review.day), day_start_hour) + timedelta(
            hours=9, seconds=10 * (review.order % 3000))
        before = None if review.card not in seen else json.dumps({"state": 2})
        seen.add(review.card)
        rows.append((f"{prefix}-{review.order}", f"{prefix}-{review.card}", review.rating, iso(moment),
                     4000 + 1000 * review.rating, before, json.dumps({"state": 2})))
    with transaction(conn):
        conn.executemany("INSERT INTO reviews (uid, question_id, rating, reviewed_at, duration_ms, state_before, "
                         "state_after) VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
