"""Build the one-folder executable once and use it the way a user would: from a folder outside
the repository, with no Python environment, on a fresh data folder, twice."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("PyInstaller", reason="PyInstaller is in the build extra: pip install -e '.[build]'")
pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "packaging"))
import build  # noqa: E402  (packaging/build.py; "packaging" itself is not importable: it is a PyPI name)

sys.path.pop(0)


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """The built folder copied somewhere else, as a user would unpack it; returns the executable."""
    scratch = tmp_path_factory.mktemp("frozen")
    made = build.run_pyinstaller("onedir", scratch / "dist", scratch / "work")
    target = scratch / "elsewhere" / "genai-desktop"
    shutil.copytree(made.onedir, target, symlinks=True)
    shutil.rmtree(scratch / "dist")
    return target / made.onedir_exe.name


def bare_env(home: Path) -> dict[str, str]:
    """No virtualenv, no PYTHONPATH, no repo on any path: only what a desktop session has."""
    env = {"PATH": "/usr/bin:/bin", "HOME": str(home), "LANG": "C.UTF-8", "QT_QPA_PLATFORM": "offscreen"}
    if sys.platform == "win32":
        env.update({k: os.environ[k] for k in ("SYSTEMROOT", "APPDATA", "TEMP", "TMP") if k in os.environ})
    return env


def run(exe: Path, *args: str, home: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(exe), *args], env=bare_env(home), cwd=home, capture_output=True, text=True,
                          timeout=240)


def test_frozen_self_test_passes_outside_the_repository(installed: Path, tmp_path: Path) -> None:
    assert not installed.is_relative_to(REPO)
    result = run(installed, "--self-test", home=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "self-test passed" in result.stdout


def test_frozen_build_ships_licences_and_no_unused_qt(installed: Path) -> None:
    internal = installed.parent / "_internal"
    assert "GNU LESSER GENERAL PUBLIC LICENSE" in (internal / "THIRD_PARTY_LICENSES").read_text(encoding="utf-8")
    assert (internal / "LICENSE").is_file() and (internal / "content" / "LICENSE.md").is_file()
    names = {p.name for p in internal.rglob("*")}
    for unused in ("libQt6Qml.so.6", "libQt6Quick.so.6", "libQt6OpenGL.so.6", "libqeglfs.so", "libgtk-3.so.0"):
        assert unused not in names
    assert not list(internal.rglob("translations/*.qm"))
    # LGPL relinking: Qt stays a set of separate, replaceable shared libraries.
    assert any(n.startswith(("libQt6Core.so", "Qt6Core.dll", "QtCore")) for n in names)


def test_frozen_app_keeps_its_data_across_runs(installed: Path, tmp_path: Path) -> None:
    data = tmp_path / "data"
    listed = run(installed, "--data-dir", str(data), "content", "--json", home=tmp_path)
    questions = [q["id"] for t in json.loads(listed.stdout)["topics"] for q in t["questions"]]
    qid = questions[len(questions) // 2]  # not the first question, which a failed restore would show
    page = f"q:{qid}"
    first = run(installed, "--data-dir", str(data), "screenshot", str(tmp_path / "one.png"), "--page", page,
                "--view", "flashcards", home=tmp_path)
    assert first.returncode == 0, first.stdout + first.stderr
    assert f"last_page={page}" in (data / "settings.ini").read_text(encoding="utf-8")
    # Between runs the user wrote a note (here written directly, as the app would).
    with sqlite3.connect(data / "progress.sqlite") as conn:
        conn.execute("INSERT INTO notes VALUES (?, ?, ?)", (qid, "my own words", "2026-01-01T00:00:00Z"))
    second = run(installed, "--data-dir", str(data), "screenshot", str(tmp_path / "two.png"), "--view", "flashcards",
                 home=tmp_path)
    assert second.returncode == 0, second.stdout + second.stderr
    # The second run reopened the last page (it saves what it shows) and kept the note.
    assert f"last_page={page}" in (data / "settings.ini").read_text(encoding="utf-8")
    with sqlite3.connect(data / "progress.sqlite") as conn:
        assert conn.execute("SELECT body FROM notes WHERE question_id = ?", (qid,)).fetchone() == ("my own words",)
    assert (tmp_path / "two.png").stat().st_size > 10_000
