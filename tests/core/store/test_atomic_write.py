import errno
from pathlib import Path

import pytest

from genai_desktop.core.store.atomic_write import write_text_atomic


def test_writes_the_text_and_leaves_no_partial_file(tmp_path: Path) -> None:
    target = tmp_path / "out.md"
    write_text_atomic(target, "naïve — ok\n")
    assert target.read_text(encoding="utf-8") == "naïve — ok\n"
    assert [p.name for p in tmp_path.iterdir()] == ["out.md"]


def test_a_failed_write_keeps_the_old_file_and_removes_the_partial_one(tmp_path: Path, monkeypatch) -> None:
    target = tmp_path / "out.md"
    target.write_text("before", encoding="utf-8")

    def full_disk(self, *_args, **_kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(Path, "replace", full_disk)  # the text was written, the rename fails
    with pytest.raises(OSError):
        write_text_atomic(target, "after")
    assert target.read_text(encoding="utf-8") == "before"
    assert [p.name for p in tmp_path.iterdir()] == ["out.md"]


def test_a_missing_folder_raises_and_creates_nothing(tmp_path: Path) -> None:
    with pytest.raises(OSError):
        write_text_atomic(tmp_path / "missing" / "out.md", "x")
    assert list(tmp_path.iterdir()) == []
