"""Kill the review loop with SIGKILL at random moments and prove no acknowledged answer is lost.

Each round starts ``tests.crash.review_loop`` on the same scratch data folder, kills it after a
random delay (sometimes during start-up, migrations or the daily backup, mostly mid-answers),
then checks the database the way a user's next start would find it:

- ``PRAGMA integrity_check`` is ok;
- every answer the loop printed ``ACK`` for is in ``reviews`` (unless it announced an undo);
- every answer it reported ``UNDONE`` is gone;
- every mock interview attempt it reported (``ATTEMPT``) is there, no attempt exists without its
  review and no attempt's review without its attempt (they are written in one transaction);
- every card agrees with its review log (``study.inconsistent_cards``: replaying the log gives
  the stored state), also after kills the loop placed itself between the statements of a write;
- the app starts again: the start-up health check passes and the database opens, migrates
  and builds a study queue.

    python -m tests.crash.harness --rounds 200
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from genai_desktop.core.store import backups, db
from genai_desktop.core.study.session import StudySession, StudySettings, inconsistent_cards

REPO = Path(__file__).resolve().parents[2]
MAX_DELAY_S = 0.8  # start-up takes ~0.2 s, so roughly three kills in four land mid-answers


@dataclass
class Report:
    rounds: int = 0
    acknowledged: int = 0
    lost: int = 0
    attempts: int = 0  # mock interview attempts acknowledged
    torn_attempts: int = 0  # attempts without their review, or attempt reviews without their attempt
    resurrected: int = 0  # undone answers found again
    inconsistent: int = 0  # cards whose row does not match their review log, summed over rounds
    fault_kills: int = 0  # rounds the loop ended itself at a fault point inside a write
    examples: list[str] = field(default_factory=list)  # the first inconsistent cards found
    killed_before_ready: int = 0
    failures: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def __str__(self) -> str:
        return (f"crash test: {self.rounds} rounds, {self.acknowledged} answers acknowledged, {self.lost} lost, "
                f"{self.attempts} mock attempts, {self.torn_attempts} torn, "
                f"{self.resurrected} undone answers back, {self.inconsistent} inconsistent cards, "
                f"{self.fault_kills} kills inside writes, {self.killed_before_ready} kills during start-up, "
                f"{self.seconds:.1f} s" + "".join(f"\n  FAIL {f}" for f in self.failures[:20] + self.examples[:20]))


class _Output:
    """Collects the child's stdout lines in a thread, so a full pipe never stalls the child."""

    def __init__(self, process: subprocess.Popen) -> None:
        self.lines: list[str] = []
        self.ready = threading.Event()
        self._thread = threading.Thread(target=self._read, args=(process,), daemon=True)
        self._thread.start()

    def _read(self, process: subprocess.Popen) -> None:
        for line in process.stdout:
            self.lines.append(line.rstrip("\n"))
            if line.startswith("READY"):
                self.ready.set()

    def join(self) -> None:
        self._thread.join(timeout=10)


def start_loop(data_dir: Path, days_ahead: int, seed: int, fault_rate: float = 0.0) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    return subprocess.Popen(
        [sys.executable, "-m", "tests.crash.review_loop", "--data-dir", str(data_dir),
         "--days-ahead", str(days_ahead), "--seed", str(seed), "--fault-rate", str(fault_rate)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO, env=env)


def verify(data_dir: Path, acked: set[str], undone: set[str], question_ids: list[str]) -> tuple[int, int, list[str]]:
    """(lost, resurrected, problems) for the database as the killed process left it."""
    problems: list[str] = []
    path = data_dir / "progress.sqlite"
    if not path.exists():  # killed before the first start created it
        return len(acked), 0, []
    present: set[str] = set()
    conn = sqlite3.connect(path)
    try:
        integrity = [row[0] for row in conn.execute("PRAGMA integrity_check")]
        if integrity != ["ok"]:
            problems.append(f"integrity_check: {integrity[:3]}")
        if db.schema_version(conn):  # 0: killed at the first start, before its first migration committed
            present = {uid for (uid,) in conn.execute("SELECT uid FROM reviews")}
    except sqlite3.DatabaseError as exc:
        problems.append(f"unreadable: {exc}")
    finally:
        conn.close()
    lost = len(acked - present)
    resurrected = len(undone & present)
    health = backups.check_database(path)
    if not health.ok:
        problems.append(f"start-up check: {health.kind} {health.detail}")
    else:
        conn = db.connect(path)  # the app's own start path: open, migrate, build today's queue
        try:
            db.migrate(conn, data_dir / "backups")
            StudySession.open(conn, question_ids, StudySettings.load(conn), whole_library=True)
        except Exception as exc:  # noqa: BLE001 - any failure to start is a finding
            problems.append(f"does not start: {exc!r}")
        finally:
            conn.close()
    return lost, resurrected, problems


def torn_attempts(data_dir: Path) -> list[str]:
    """Attempts without their review, and attempt reviews (whole seconds, see review_loop.py)
    without their attempt: an attempt and its review land together or not at all."""
    path = data_dir / "progress.sqlite"
    if not path.exists():
        return []
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        if not conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'attempts'").fetchone():
            return []
        problems = [f"attempt {uid} has no review {review}" for uid, review in conn.execute(
            "SELECT uid, review_uid FROM attempts WHERE review_uid IS NULL "
            "OR review_uid NOT IN (SELECT uid FROM reviews)")]
        problems += [f"review {uid} of a mock answer has no attempt" for (uid,) in conn.execute(
            "SELECT uid FROM reviews WHERE duration_ms > 0 AND duration_ms % 1000 = 0 AND uid NOT IN "
            "(SELECT review_uid FROM attempts WHERE review_uid IS NOT NULL)")]
        return problems
    except sqlite3.DatabaseError as exc:
        return [f"unreadable: {exc}"]
    finally:
        conn.close()


def inconsistencies(data_dir: Path) -> list[str]:
    """Cards whose stored state is not what their review log says (none for a missing file)."""
    path = data_dir / "progress.sqlite"
    if not path.exists():
        return []
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        if not db.schema_version(conn):
            return []  # killed at the first start, before its first migration committed: no cards yet
        return inconsistent_cards(conn)
    except sqlite3.DatabaseError as exc:
        return [f"unreadable: {exc}"]
    finally:
        conn.close()


def _missing_attempts(data_dir: Path, acked: set[str]) -> set[str]:
    path = data_dir / "progress.sqlite"
    if not acked or not path.exists():
        return set()
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return acked - {uid for (uid,) in conn.execute("SELECT uid FROM attempts")}
    except sqlite3.DatabaseError:
        return set()  # verify() reports an unreadable database
    finally:
        conn.close()


def run(rounds: int, data_dir: Path, seed: int = 1, max_delay: float = MAX_DELAY_S,
        fault_rate: float = 0.05) -> Report:
    from genai_desktop.core.workspace import load_library
    from genai_desktop.paths import content_dir

    rng = random.Random(seed)
    question_ids = [q.id for q in load_library(content_dir(), None).questions()]
    report = Report()
    acked: set[str] = set()
    undone: set[str] = set()
    attempts: set[str] = set()
    started = time.perf_counter()
    for number in range(rounds):
        # Every third round is a new day: the first start of a day makes a backup, so kills
        # land inside backups too.
        # Odd rounds also kill themselves inside writes (at the core's fault points).
        process = start_loop(data_dir, days_ahead=number // 3, seed=rng.randrange(1 << 30),
                             fault_rate=fault_rate if number % 2 else 0.0)
        output = _Output(process)
        try:
            process.wait(timeout=rng.uniform(0.0, max_delay))
            report.fault_kills += 1  # it ended before the timer: only a fault point does that
        except subprocess.TimeoutExpired:
            process.send_signal(signal.SIGKILL)
            process.wait()
        output.join()
        if not output.ready.is_set():
            report.killed_before_ready += 1
        for line in output.lines:
            kind, _, uid = line.partition(" ")
            if kind == "ACK":
                acked.add(uid)
                report.acknowledged += 1
            elif kind == "UNDO":
                acked.discard(uid)
            elif kind == "UNDONE":
                undone.add(uid)
            elif kind == "ATTEMPT":
                attempt_uid, _, review_uid = uid.partition(" ")
                attempts.add(attempt_uid)
                acked.add(review_uid)
                report.attempts += 1
            elif kind == "UNHEALTHY":
                report.failures.append(f"round {number}: {line}")
        if process.returncode not in (-signal.SIGKILL,):
            report.failures.append(f"round {number}: exited {process.returncode} before the kill: "
                                   f"{process.stderr.read()[-500:]}")
        inconsistent = inconsistencies(data_dir)
        report.inconsistent += len(inconsistent)
        report.examples += [f"round {number}: {line}" for line in inconsistent[:3]]
        torn = torn_attempts(data_dir)
        report.torn_attempts += len(torn)
        report.examples += [f"round {number}: {line}" for line in torn[:3]]
        missing = _missing_attempts(data_dir, attempts)
        report.failures += [f"round {number}: acknowledged attempt {uid} is gone" for uid in sorted(missing)[:3]]
        lost, resurrected, problems = verify(data_dir, acked, undone, question_ids)
        report.lost, report.resurrected = lost, resurrected  # both sets are cumulative
        report.failures += [f"round {number}: {p}" for p in problems]
        report.rounds += 1
        if process.stderr:
            process.stderr.close()
        if process.stdout:
            process.stdout.close()
    report.seconds = time.perf_counter() - started
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="SIGKILL the review loop and check nothing is lost.")
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--data-dir", help="scratch folder (default: a new temporary one)")
    args = parser.parse_args(argv)
    data_dir = Path(args.data_dir) if args.data_dir else Path(tempfile.mkdtemp(prefix="crashtest-"))
    report = run(args.rounds, data_dir, args.seed)
    print(report)
    return 0 if report.lost == 0 and report.torn_attempts == 0 and not report.failures else 1


if __name__ == "__main__":
    sys.exit(main())
