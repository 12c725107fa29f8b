"""Opening a large progress database of an older schema: the start-up check and migration.

A million reviews written at schema 3 (bench_stats' history), opened as a start does: the
database gate of ui/startup_checks.py, with the window's event loop watched by the stall meter.

- db_open_ui_block_ms_1m: the longest UI-thread stall while the database is checked, backed up
  and migrated (the work runs on the runner; the window keeps painting).
- db_open_ui_block_floor_ms: the same meter's longest stall over an idle second (the floor).
- db_open_s_1m: how long the check, the backup and the migration take in all (no goal).
"""

from __future__ import annotations

import os
import shutil
import time

from common import WORK


def _old_database(path) -> None:
    """bench_stats' million reviews in a database left at schema 3 (before migration 4 rebuilt
    the reviews table), built once and copied for each run."""
    import bench_stats

    from genai_desktop.core.store import db

    conn = db.connect(path)
    for version in range(3):
        with db.transaction(conn):
            db.MIGRATIONS[version](conn)
            conn.execute(f"PRAGMA user_version = {version + 1}")
    bench_stats._fill(conn, bench_stats._library())
    conn.close()


def run() -> dict[str, float]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication, QWidget

    from genai_desktop.core.store import db
    from genai_desktop.paths import DataPaths
    from genai_desktop.ui.stall_meter import StallMeter, run_events_for
    from genai_desktop.ui.startup_checks import Startup

    template = WORK / "open-db" / "schema3-1m.sqlite"
    if not template.exists():
        template.parent.mkdir(parents=True, exist_ok=True)
        _old_database(template)
    data = WORK / "open-db" / "data"
    shutil.rmtree(data, ignore_errors=True)
    data.mkdir(parents=True)
    shutil.copy(template, DataPaths(data).progress_db)

    app = QApplication.instance() or QApplication([])
    window = QWidget()
    window.resize(800, 500)
    window.show()
    meter = StallMeter()
    meter.start()
    run_events_for(1000)
    floor = meter.take()
    startup = Startup(data, "light")
    assert startup.claim()
    meter.take()
    started = time.perf_counter()
    assert startup.database_ready(window), "the database did not open"
    took = time.perf_counter() - started
    block = meter.take()
    meter.stop()
    startup.release()
    conn = db.connect(DataPaths(data).progress_db, read_only=True)
    assert db.schema_version(conn) == db.SCHEMA_VERSION
    conn.close()
    window.close()
    app.processEvents()
    shutil.rmtree(data, ignore_errors=True)
    print(f"  open (check, backup, migrate) {took:.1f} s; longest UI stall {block:.1f} ms (idle floor {floor:.1f} ms)")
    return {"db_open_ui_block_ms_1m": round(block, 1), "db_open_ui_block_floor_ms": round(floor, 1),
            "db_open_s_1m": round(took, 1)}
