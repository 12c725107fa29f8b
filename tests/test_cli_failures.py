"""Every verb ends a storage failure in one line and a non-zero exit, never a traceback."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from genai_desktop import cli
from genai_desktop.core.store import db

NOTES = "# My notes\n\n## What is attention?\n\nA weighted average of values.\n"


def _data_with_progress(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    assert cli.main(["--data-dir", str(data), "export-progress", str(tmp_path / "seed.zip")]) == 0
    return data


def _one_line(capsys) -> str:
    err = capsys.readouterr().err
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    return lines[0]


VERBS = [
    lambda tmp: ["export-progress", str(tmp / "out.zip")],
    lambda tmp: ["import-progress", str(tmp / "seed.zip")],
    lambda tmp: ["export-apkg", str(tmp / "out.apkg")],
]


@pytest.mark.parametrize("verb", VERBS)
def test_a_locked_database_is_one_line(tmp_path: Path, capsys, verb) -> None:
    data = _data_with_progress(tmp_path)
    capsys.readouterr()
    holder = sqlite3.connect(data / "progress.sqlite", isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        code = cli.main(["--data-dir", str(data), *verb(tmp_path)])
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    if verb(tmp_path)[0] != "import-progress":
        assert code == 0  # WAL: a reader is never blocked by another program's write lock
        return
    assert code == 1
    assert "in use by another program" in _one_line(capsys)


@pytest.mark.parametrize("verb", VERBS)
def test_a_damaged_database_is_one_line(tmp_path: Path, capsys, verb) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "progress.sqlite").write_bytes(b"this is not a database" * 200)
    (tmp_path / "seed.zip").write_bytes(b"")
    assert cli.main(["--data-dir", str(data), *verb(tmp_path)]) == 1
    assert "cannot be opened" in _one_line(capsys)


@pytest.mark.parametrize(("error", "words"), [
    (sqlite3.OperationalError("attempt to write a readonly database"), "read-only"),
    (sqlite3.OperationalError("database or disk is full"), "disk is full"),
    (OSError(28, "No space left on device", "/data/progress.zip"), "disk is full"),
    (PermissionError(13, "Permission denied", "/data/progress.zip"), "permission denied"),
])
def test_read_only_and_full_storage_are_one_line(tmp_path: Path, capsys, monkeypatch, error, words) -> None:
    data = _data_with_progress(tmp_path)
    capsys.readouterr()

    def fail(*_args, **_kwargs):
        raise error

    monkeypatch.setattr("genai_desktop.core.transfer.progress.export_progress", fail)
    assert cli.main(["--data-dir", str(data), "export-progress", str(tmp_path / "out.zip")]) == 1
    assert words in _one_line(capsys)


def test_an_unexpected_error_is_one_line_and_its_traceback_goes_to_the_log(tmp_path: Path, capsys,
                                                                            monkeypatch) -> None:
    data = _data_with_progress(tmp_path)
    capsys.readouterr()

    def bug(*_args, **_kwargs):
        raise ZeroDivisionError("a bug, not the user's mistake")

    monkeypatch.setattr("genai_desktop.core.transfer.progress.export_progress", bug)
    assert cli.main(["--data-dir", str(data), "export-progress", str(tmp_path / "out.zip")]) == 1
    line = _one_line(capsys)
    assert "unexpectedly" in line and "ZeroDivisionError" in line
    log = (data / "logs" / "genai-desktop.log").read_text(encoding="utf-8")
    assert "Traceback" in log and "a bug, not the user's mistake" in log


def test_a_failed_backup_leaves_no_part_file(tmp_path: Path) -> None:
    class FullDisk:  # what a connection's backup() does when the disk fills mid-copy
        def backup(self, target: sqlite3.Connection) -> None:
            target.execute("CREATE TABLE started (x)")
            raise sqlite3.OperationalError("database or disk is full")

    with pytest.raises(sqlite3.OperationalError):
        db.backup(FullDisk(), tmp_path / "backups" / "b.sqlite")
    assert list((tmp_path / "backups").iterdir()) == []


def test_content_json_lists_the_library(tmp_path: Path, capsys) -> None:
    assert cli.main(["--data-dir", str(tmp_path / "data"), "content", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    questions = [q for t in data["topics"] for q in t["questions"]]
    assert len(questions) >= 133 and data["problems"] == []
    assert all(q["key_points_words"] > 0 and q["answer_words"] > 0 for q in questions)
    assert {m["id"] for m in data["milestones"]} and {g["id"] for g in data["guides"]}


def test_import_makes_a_pack_and_a_second_import_updates_it(tmp_path: Path, capsys) -> None:
    notes = tmp_path / "my-notes.md"
    notes.write_text(NOTES, encoding="utf-8")
    data = tmp_path / "data"
    assert cli.main(["--data-dir", str(data), "import", str(notes), "--json"]) == 0
    first = json.loads(capsys.readouterr().out)
    assert first["updated"] is False and Path(first["path"]).is_dir()
    assert cli.main(["--data-dir", str(data), "import", str(notes)]) == 0
    assert "Updated the pack" in capsys.readouterr().out
    assert cli.main(["--data-dir", str(data), "import", str(tmp_path / "missing.md")]) == 1
    assert _one_line(capsys).startswith("genai-desktop: ")


def test_a_screenshot_of_a_page_that_does_not_exist_says_so_and_exits_cleanly(tmp_path: Path) -> None:
    """The start page is still being converted on the runner when the verb gives up: the process
    waits for it instead of aborting ("QThread: Destroyed while thread is still running")."""
    import os
    import subprocess
    import sys

    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    out = subprocess.run([sys.executable, "-m", "genai_desktop", "screenshot", "--data-dir", str(tmp_path / "data"),
                          "--page", "q:no-such-page", str(tmp_path / "shot.png")],
                         env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 1, out.stderr
    assert "no page 'q:no-such-page'" in out.stderr and "Traceback" not in out.stderr
    assert "QThread" not in out.stderr
