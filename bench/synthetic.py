"""Synthetic study history: days of reviews with plausible ratings, driven by the real scheduler."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from genai_desktop.core.study.session import StudySession, StudySettings


class SteppingClock:
    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now


def simulate(conn, question_ids: list[str], days: int, *, new_per_day: int = 15, seed: int = 7,
             end: datetime | None = None, skip_chance: float = 0.15) -> int:
    """Study every day for ``days`` days up to ``end``; returns the number of answers."""
    rng = random.Random(seed)
    end = end or datetime.now(UTC)
    clock = SteppingClock(end - timedelta(days=days))
    settings = StudySettings(new_per_day=new_per_day, reviews_per_day=9999)
    answered = 0
    for _ in range(days):
        clock.now = clock.now.replace(hour=18, minute=0) + timedelta(days=1)
        if clock.now > end or rng.random() < skip_chance:
            continue
        session = StudySession.open(conn, question_ids, settings, clock)
        while session.current is not None:
            rating = rng.choices([1, 2, 3, 4], weights=[12, 10, 65, 13])[0]
            session.answer(rating, duration_ms=rng.randint(3000, 25000))
            clock.now += timedelta(seconds=rng.randint(5, 40))
            answered += 1
            if answered % 50 == 0:
                clock.now += timedelta(minutes=11)
    return answered
