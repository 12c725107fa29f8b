"""The one clock and the time formats: what "now" is, how a moment is written to the database,
and which study day it belongs to.

Everything that reads the time takes a ``Clock`` (a function returning an aware UTC datetime) so
tests can drive it; ``system_clock`` is the real one. Times are stored as UTC ISO-8601 text with
milliseconds, which sorts as time sorts. A study day is local time shifted by the configured day
start (04:00 by default, as in Anki), so a review at 01:00 still counts for the evening before.
This module imports nothing heavy: the status bar reads progress before fsrs is loaded.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    return datetime.now(UTC)


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds")


def parse_time(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def study_day(moment: datetime, day_start_hour: int) -> date:
    """The local calendar day a moment belongs to, with days starting at ``day_start_hour``."""
    return (moment.astimezone() - timedelta(hours=day_start_hour)).date()


def day_start(day: date, day_start_hour: int) -> datetime:
    """The UTC moment a study day begins."""
    local = datetime(day.year, day.month, day.day, day_start_hour).astimezone()
    return local.astimezone(UTC)
