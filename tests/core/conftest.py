"""Fixtures the core tests share: a migrated progress database and a clock that tests move."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from genai_desktop.core.store import db


class FakeClock:
    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs) -> None:
        self.now += timedelta(**kwargs)


@pytest.fixture
def conn(tmp_path: Path):
    database = db.open_progress(tmp_path / "progress.sqlite")
    yield database.conn
    database.conn.close()


@pytest.fixture
def clock() -> FakeClock:
    # Noon local time on a fixed day, well inside a study day whatever the machine's zone.
    return FakeClock(datetime(2026, 3, 10, 12).astimezone().astimezone(UTC))
