"""Shared fixtures. Qt runs offscreen: pytest-qt aborts without a display otherwise."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    folder.mkdir()
    return folder


@pytest.fixture
def starter_pack(tmp_path: Path) -> Path:
    """A small, fully valid pack with formulas, a table, code and links (tests/fixtures/pack)."""
    target = tmp_path / "pack"
    shutil.copytree(FIXTURES / "pack", target)
    return target


def needs_shared() -> pytest.MarkDecorator:
    return pytest.mark.skipif(not SHARED.is_dir(), reason="../shared (seeds, content map) is not present")
