"""A headless review loop for the crash harness: the app's start-up and answer path, no window.

It does what the GUI does, in the same order and through the same core calls: the start-up
health check, opening the data folder (``Workspace``, migrations), the daily backup, then a
``StudySession`` over the whole library, answering card after card. After each answer has
been committed it prints ``ACK <uid>``; the harness kills it at a random moment and then
checks that every acknowledged answer is in the database.

With ``--fault-rate`` the loop also kills itself (SIGKILL) at the core's fault points, between
the statements of a write and right before its COMMIT, so kills land inside writes far more
often than a timer alone would place them.

Undo takes an answer back, so the loop announces ``UNDO <uid>`` *before* undoing (from then on
the answer may or may not be present) and ``UNDONE <uid>`` after (it must be gone).

Some iterations answer the current card as a mock interview question instead
(``interview.record_attempt``: the attempt row and its review in one transaction) and print
``ATTEMPT <attempt uid> <review uid>``. Their reviews last whole seconds and plain answers an odd
number of milliseconds, so the harness can tell an attempt's review from the database alone.

    python -m tests.crash.review_loop --data-dir DIR [--days-ahead N] [--seed S]
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from genai_desktop.core.store import backups, db
from genai_desktop.core.study import interview
from genai_desktop.core.study.session import RATINGS, StudySession, StudySettings
from genai_desktop.core.workspace import Workspace

# Loose limits so the queue rarely runs dry; when it does, the clock moves on a day.
LOOP_SETTINGS = StudySettings(new_per_day=9999, reviews_per_day=99999)


class ShiftedClock:
    """Real time moved forward by whole days, so a run can reach cards due in the future."""

    def __init__(self, days: int) -> None:
        self.offset = timedelta(days=days)

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.offset


def say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--days-ahead", type=int, default=0, help="start this many days in the future")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--max-answers", type=int, default=0, help="stop after this many (0: never)")
    parser.add_argument("--fault-rate", type=float, default=0.0, help="chance of a self-kill at each fault point")
    args = parser.parse_args(argv)
    data_dir = Path(args.data_dir)
    rng = random.Random(args.seed)
    if args.fault_rate:
        faults = random.Random(args.seed + 1)

        def kill_here(_where: str) -> None:
            if faults.random() < args.fault_rate:
                os.kill(os.getpid(), signal.SIGKILL)

        db.FAULT_HOOK = kill_here
    clock = ShiftedClock(args.days_ahead)

    workspace = Workspace(data_dir)
    health = backups.check_database(workspace.paths.progress_db)
    if not health.ok:
        say(f"UNHEALTHY {health.kind} {health.detail}")
        return 3
    conn = workspace.progress.conn  # opens and migrates, as the first paint does in the app
    backups.daily_backup(workspace.paths.progress_db, workspace.paths.backups, clock)
    LOOP_SETTINGS.save(conn)
    ids = [q.id for q in workspace.library.questions()]
    session = StudySession.open(conn, ids, LOOP_SETTINGS, clock, whole_library=True)
    say("READY")

    answered: list[str] = []  # uids of answers that undo can still take back, newest last
    last_was_answer = False  # undo takes back the last action, which may be a bury
    count = 0
    while not args.max_answers or count < args.max_answers:
        if session.current is None:
            clock.offset += timedelta(days=1)
            session.rebuild()
            continue
        roll = rng.random()
        if roll < 0.04 and last_was_answer and answered:
            uid = answered.pop()
            say(f"UNDO {uid}")
            session.undo()
            say(f"UNDONE {uid}")
            last_was_answer = False
            continue
        if roll < 0.06:
            session.bury()  # a write that is not an answer, committed the same way
            last_was_answer = False
            continue
        if roll < 0.16:  # a mock interview answer on this card, through the interview core
            points = rng.randint(3, 6)
            ticked = {i for i in range(points) if rng.random() < 0.6}
            attempt = interview.record_attempt(
                conn, session.current, mock_id=f"crash-{args.seed}", started_at=clock(),
                seconds_used=rng.randint(5, 180), seconds_allowed=180, points_total=points, ticked=ticked,
                rating=interview.rating_for(len(ticked), points), outline="crash test", settings=LOOP_SETTINGS,
                clock=clock)
            last_was_answer = False  # undo takes back the session's own last answer only
            say(f"ATTEMPT {attempt.uid} {attempt.review_uid}")
            continue
        uid = session.answer(rng.choice(RATINGS), duration_ms=rng.randint(400, 10000) * 2 + 1)
        answered.append(uid)
        last_was_answer = True
        count += 1
        say(f"ACK {uid}")
    workspace.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
