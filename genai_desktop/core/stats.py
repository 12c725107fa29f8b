"""Study statistics, computed from the review log and card states (the numbers behind the charts).

Definitions follow Anki's where Anki users would compare them:
- true retention counts only the first review of a card on a study day, of cards that were
  in the Review state; Again is a fail, Hard/Good/Easy a pass; young and mature are split at
  a 21-day interval (the interval the card had when it was reviewed).
- mastery of a card is durable recall: a card in review whose FSRS stability is at least 21 days
  (90 % recall three weeks after its last review) and whose recall probability is at least 90 %
  now. One review never masters a card (a first Easy gives 8 days); an overdue card is not
  mastered until it is reviewed again.
"""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from fsrs import State

from .content import Library
from .study import NEW, Clock, StudyScheduler, card_from_row, iso, study_day, system_clock

MATURE_DAYS = 21
MASTERY = 0.90
MASTERY_STABILITY = 21.0


def is_mastered(scheduler: StudyScheduler, card, now: datetime) -> bool:
    """Durable recall (see the module docstring)."""
    return (card is not None and card.state == State.Review and (card.stability or 0) >= MASTERY_STABILITY
            and scheduler.get_card_retrievability(card, now) >= MASTERY)


@dataclass
class Retention:
    young_pass: int = 0
    young_total: int = 0
    mature_pass: int = 0
    mature_total: int = 0

    @staticmethod
    def _rate(passed: int, total: int) -> float | None:
        return passed / total if total else None

    @property
    def young(self) -> float | None:
        return self._rate(self.young_pass, self.young_total)

    @property
    def mature(self) -> float | None:
        return self._rate(self.mature_pass, self.mature_total)

    @property
    def overall(self) -> float | None:
        return self._rate(self.young_pass + self.mature_pass, self.young_total + self.mature_total)


@dataclass
class Stats:
    today: date
    reviews_by_day: dict[date, int] = field(default_factory=dict)  # past year
    forecast: list[int] = field(default_factory=list)  # due per day, today + 29 days
    retention: Retention = field(default_factory=Retention)
    state_counts: dict[str, int] = field(default_factory=dict)
    mastery_by_topic: list[tuple[str, int, int]] = field(default_factory=list)  # (title, mastered, total)
    streak_days: int = 0
    total_reviews: int = 0


def compute(conn: sqlite3.Connection, library: Library, *, day_start_hour: int = 4,
            desired_retention: float = 0.9, clock: Clock = system_clock, retention_days: int = 30) -> Stats:
    now = clock()
    today = study_day(now, day_start_hour)
    stats = Stats(today)
    year_ago = iso(now - timedelta(days=366))
    retention_from = today - timedelta(days=retention_days - 1)
    seen_today: set[tuple[str, date]] = set()
    by_day: Counter[date] = Counter()
    for qid, reviewed_at, rating, before in conn.execute(
            "SELECT question_id, reviewed_at, rating, state_before FROM reviews WHERE reviewed_at >= ? "
            "ORDER BY reviewed_at", (year_ago,)):
        day = study_day(datetime.fromisoformat(reviewed_at), day_start_hour)
        by_day[day] += 1
        if day < retention_from or (qid, day) in seen_today:
            continue
        seen_today.add((qid, day))
        if not before:
            continue
        card = json.loads(before)
        if card["state"] != State.Review or not card.get("last_review"):
            continue
        interval = (datetime.fromisoformat(card["due"]) - datetime.fromisoformat(card["last_review"])).days
        passed = rating > 1
        if interval >= MATURE_DAYS:
            stats.retention.mature_total += 1
            stats.retention.mature_pass += passed
        else:
            stats.retention.young_total += 1
            stats.retention.young_pass += passed
    stats.reviews_by_day = dict(by_day)
    stats.total_reviews = conn.execute("SELECT count(*) FROM reviews").fetchone()[0]
    streak, day = 0, today
    if not by_day.get(day):
        day -= timedelta(days=1)  # today not studied yet does not break the streak
    while by_day.get(day):
        streak += 1
        day -= timedelta(days=1)
    stats.streak_days = streak

    scheduler = StudyScheduler(day_start_hour=day_start_hour, desired_retention=desired_retention)
    forecast = [0] * 30
    counts = Counter()
    mastered: set[str] = set()
    rows = conn.execute("SELECT question_id, card_id, state, step, stability, difficulty, due, last_review, "
                        "suspended FROM cards").fetchall()
    known = set()
    for row in rows:
        qid, state, suspended = row[0], row[2], row[8]
        if suspended:  # before the NEW check: suspending a card never studied keeps it in state NEW
            known.add(qid)
            counts["suspended"] += 1
            continue
        if state == NEW:
            continue
        known.add(qid)
        card = card_from_row(row)
        if state == State.Review:
            interval = (card.due - card.last_review).days if card.last_review else 0
            counts["mature" if interval >= MATURE_DAYS else "young"] += 1
        else:
            counts["learning" if state == State.Learning else "relearning"] += 1
        offset = (study_day(card.due, day_start_hour) - today).days
        if offset < 30:
            forecast[max(0, offset)] += 1
        if is_mastered(scheduler, card, now):
            mastered.add(qid)
    all_ids = [q.id for q in library.questions()]
    counts["new"] = sum(1 for qid in all_ids if qid not in known)
    stats.forecast = forecast
    stats.state_counts = {k: counts.get(k, 0) for k in
                          ("new", "learning", "relearning", "young", "mature", "suspended")}
    stats.mastery_by_topic = [(t.title, sum(1 for q in t.questions if q.id in mastered), len(t.questions))
                              for t in library.topics if t.questions]
    return stats


def mastered_ids(conn: sqlite3.Connection, question_ids: list[str], *, desired_retention: float = 0.9,
                 clock: Clock = system_clock, day_start_hour: int = 4) -> set[str]:
    """The questions mastered now: durable recall (see the module docstring)."""
    if not question_ids:
        return set()
    scheduler = StudyScheduler(day_start_hour=day_start_hour, desired_retention=desired_retention)
    now = clock()
    found = set()
    # The ids go in as one JSON array and are looked up by primary key: the roadmap asks about a
    # few hundred questions, and scanning 100k card rows for them took over 100 ms.
    for row in conn.execute("SELECT question_id, card_id, state, step, stability, difficulty, due, last_review "
                            "FROM cards WHERE question_id IN (SELECT value FROM json_each(?)) "
                            "AND state != ? AND suspended = 0", (json.dumps(sorted(set(question_ids))), NEW)):
        card = card_from_row(row)
        if is_mastered(scheduler, card, now):
            found.add(row[0])
    return found
