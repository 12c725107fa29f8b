"""Sizes of the standalone builds and the frozen app's first paint next to the source app's.

bundle_onedir_mb, bundle_targz_mb (the archive of the folder), bundle_onefile_mb,
frozen_first_paint_ms and source_first_paint_ms measured in the same run, interleaved so machine
noise hits both alike, and their ratio. Builds with PyInstaller into bench/.work/bundle (~1 min).
"""

from __future__ import annotations

import shutil
import sys

from common import REPO, WORK, median, python, time_to_first_paint

sys.path.insert(0, str(REPO / "packaging"))
import build  # noqa: E402  (packaging/build.py)

sys.path.pop(0)

RUNS = 7


def run() -> dict[str, float]:
    work = WORK / "bundle"
    shutil.rmtree(work, ignore_errors=True)
    build.write_licences()
    made = build.run_pyinstaller("both", work / "dist", work / "build")
    archive = build.make_archive(made.onedir)
    results = {
        "bundle_onedir_mb": build.size_mb(made.onedir),
        "bundle_targz_mb": build.size_mb(archive),
        "bundle_onefile_mb": build.size_mb(made.onefile),
        "bundle_build_s": made.seconds,
    }
    data = work / "data"
    frozen = [str(made.onedir_exe), "--data-dir", str(data)]
    source = [python(), "-m", "genai_desktop", "--data-dir", str(data)]
    # Warm-up: the same data folder (databases, caches, a remembered last page) and a warm file cache.
    time_to_first_paint(frozen)
    time_to_first_paint(source)
    frozen_runs, source_runs = [], []
    for _ in range(RUNS):
        source_runs.append(time_to_first_paint(source))
        frozen_runs.append(time_to_first_paint(frozen))
    results["frozen_first_paint_ms"] = median(frozen_runs)
    results["source_first_paint_ms"] = median(source_runs)
    results["frozen_vs_source_paint_ratio"] = results["frozen_first_paint_ms"] / results["source_first_paint_ms"]
    return results
