"""Starting the window where it cannot open says why in one line, before Qt can abort."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from genai_desktop.display_check import XCB_LIBRARIES, display_problem, missing_libraries

REPO = Path(__file__).resolve().parents[1]


def _lib_dir(tmp_path: Path, names) -> Path:
    folder = tmp_path / "lib"
    folder.mkdir()
    for name in ["libc.so.6", *names]:
        (folder / name).write_bytes(b"")
    return folder


def test_no_display_is_named_with_xvfb_run() -> None:
    problem = display_problem(env={}, dirs=[], platform="linux")
    assert problem and "DISPLAY" in problem and "xvfb-run" in problem


def test_missing_xcb_libraries_are_named_with_their_debian_packages(tmp_path: Path) -> None:
    present = [n for n in XCB_LIBRARIES if n not in ("libxcb-icccm.so.4", "libxcb-keysyms.so.1")]
    folder = _lib_dir(tmp_path, present)
    problem = display_problem(env={"DISPLAY": ":0"}, dirs=[folder], platform="linux")
    assert problem is not None
    assert "libxcb-icccm.so.4, libxcb-keysyms.so.1" in problem
    assert "apt install libxcb-icccm4 libxcb-keysyms1" in problem
    assert "libxcb-cursor" not in problem  # installed: not blamed


def test_a_complete_system_other_platforms_and_unknown_layouts_pass(tmp_path: Path) -> None:
    folder = _lib_dir(tmp_path, XCB_LIBRARIES)
    assert display_problem(env={"DISPLAY": ":0"}, dirs=[folder], platform="linux") is None
    assert display_problem(env={"QT_QPA_PLATFORM": "offscreen"}, dirs=[], platform="linux") is None
    assert display_problem(env={"WAYLAND_DISPLAY": "wayland-0"}, dirs=[], platform="linux") is None
    assert display_problem(env={}, dirs=[], platform="win32") is None
    assert missing_libraries([tmp_path / "nowhere"]) == []  # no libc found: not a layout we know


def test_the_app_started_without_a_display_exits_with_one_line(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    result = subprocess.run([sys.executable, "-m", "genai_desktop", "--data-dir", str(tmp_path / "data")],
                            capture_output=True, text=True, timeout=60, cwd=REPO, env=env)
    assert result.returncode == 1
    assert result.stderr.strip().count("\n") == 0 and "no display found" in result.stderr
    assert "Traceback" not in result.stderr and not (tmp_path / "data").exists()
