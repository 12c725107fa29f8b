"""One clock: core/clock.py is the only place that reads the wall clock or says how a moment is
written, so tests can drive time everywhere and no module's format drifts from another's."""

from __future__ import annotations

import ast
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

from genai_desktop.core.clock import day_start, iso, parse_time, study_day

CORE = Path(__file__).resolve().parents[2] / "genai_desktop" / "core"


def _wall_clock_reads(path: Path) -> list[int]:
    """Lines calling datetime.now()/utcnow()/date.today() or defining a clock of their own."""
    lines = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                and node.func.attr in {"now", "utcnow", "today"} \
                and isinstance(node.func.value, ast.Name) and node.func.value.id in {"datetime", "date"}:
            lines.append(node.lineno)
        if isinstance(node, ast.FunctionDef) and node.name in {"system_clock", "utc_now", "_now", "iso", "_iso"}:
            lines.append(node.lineno)
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "Clock" for t in node.targets):
            lines.append(node.lineno)
    return lines


def test_only_the_clock_module_reads_the_wall_clock() -> None:
    offenders = {str(p.relative_to(CORE)): lines for p in sorted(CORE.rglob("*.py"))
                 if p.name != "clock.py" and (lines := _wall_clock_reads(p))}
    assert offenders == {}


def test_the_checker_sees_a_second_clock(tmp_path: Path) -> None:
    source = tmp_path / "m.py"
    source.write_text("from datetime import datetime\nClock = object\n\ndef _now():\n"
                      "    return datetime.now()\n", encoding="utf-8")
    assert sorted(_wall_clock_reads(source)) == [2, 4, 5]


def test_moments_are_written_as_utc_milliseconds_and_read_back() -> None:
    moment = datetime(2026, 3, 1, 9, 30, 15, 123456, tzinfo=timezone(timedelta(hours=2)))
    assert iso(moment) == "2026-03-01T07:30:15.123+00:00"
    assert parse_time(iso(moment)) == moment.replace(microsecond=123000) and parse_time("") is None


def test_a_study_day_starts_at_the_configured_hour() -> None:
    start = day_start(date(2026, 3, 1), 4)
    assert study_day(start, 4) == date(2026, 3, 1)
    assert study_day(start - timedelta(seconds=1), 4) == date(2026, 2, 28)
    assert start.tzinfo == UTC
