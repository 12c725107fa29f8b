from __future__ import annotations

import errno
import os
import sqlite3
from pathlib import Path

import pytest

from genai_desktop.core.store import data_folder


def test_a_writable_folder_with_room_passes(tmp_path: Path) -> None:
    assert data_folder.check_data_folder(tmp_path / "new") is None
    assert list((tmp_path / "new").iterdir()) == []  # the probe file is gone


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write to read-only folders")
def test_a_read_only_folder_is_explained(tmp_path: Path) -> None:
    tmp_path.chmod(0o500)
    try:
        problem = data_folder.check_data_folder(tmp_path)
    finally:
        tmp_path.chmod(0o700)
    assert problem is not None and problem.kind == "read-only"


def test_write_errors_are_explained_by_kind(tmp_path: Path, monkeypatch) -> None:
    def failing(errno_value: int):
        def fake_open(*_args, **_kwargs):
            raise OSError(errno_value, os.strerror(errno_value))
        return fake_open

    for value, kind in ((errno.EROFS, "read-only"), (errno.EACCES, "read-only"), (errno.ENOSPC, "full"),
                        (errno.EIO, "unusable")):
        monkeypatch.setattr("builtins.open", failing(value))
        problem = data_folder.check_data_folder(tmp_path)
        monkeypatch.undo()
        assert problem is not None and problem.kind == kind
        assert "untouched" in problem.message or "safe" in problem.message or "not been changed" in problem.message


def test_too_little_free_space_is_a_full_disk(tmp_path: Path) -> None:
    problem = data_folder.check_data_folder(tmp_path, min_free=1 << 62)
    assert problem is not None and problem.kind == "full" and "MB are free" in problem.message


def test_a_missing_built_in_library_is_a_warning_not_a_stop(tmp_path: Path) -> None:
    problem = data_folder.check_content(tmp_path / "nowhere")
    assert problem is not None and not problem.fatal and "reinstall" in problem.message.lower()
    (tmp_path / "topics").mkdir()
    assert data_folder.check_content(tmp_path) is None


def test_storage_errors_met_later_get_calm_messages() -> None:
    assert "disk is full" in data_folder.describe_storage_error(sqlite3.OperationalError("database or disk is full"))
    assert "read-only" in data_folder.describe_storage_error(
        sqlite3.OperationalError("attempt to write a readonly database"))
    assert "Another program" in data_folder.describe_storage_error(sqlite3.OperationalError("database is locked"))
    assert data_folder.describe_storage_error(OSError(errno.ENOSPC, "No space left on device")) is not None
    assert data_folder.describe_storage_error(ValueError("database is locked")) is None
