"""crash_rounds, crash_lost_answers and crash_inconsistent_cards: the crash harness (tests/crash) at its full
round count, half of the rounds also killing the loop inside writes."""

from __future__ import annotations

import os
import shutil
import sys

from common import REPO, WORK

ROUNDS = int(os.environ.get("CRASH_ROUNDS", "200"))


def run() -> dict[str, float]:
    sys.path.insert(0, str(REPO))
    from tests.crash import harness

    data = WORK / "crash-data"
    shutil.rmtree(data, ignore_errors=True)
    report = harness.run(ROUNDS, data, seed=2)
    print(f"  {report}")
    return {
        "crash_rounds": float(report.rounds),
        "crash_acknowledged_answers": float(report.acknowledged),
        "crash_lost_answers": float(report.lost),
        # cards whose row is not what replaying their review log gives, summed over every round
        "crash_inconsistent_cards": float(report.inconsistent),
        "crash_kills_inside_writes": float(report.fault_kills),
        # integrity or start-up failures, and undone answers that came back
        "crash_failures": float(len(report.failures) + report.resurrected),
    }
