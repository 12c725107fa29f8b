"""One rule for which folders under packs/ are packs, shared by the loader, the pack list, the
search fingerprint and the progress export: a staging folder left by a killed import is none."""

from __future__ import annotations

import shutil
from pathlib import Path

from genai_desktop.core.packs.folders import pack_dirs
from genai_desktop.core.packs.notes_import import plan_text
from genai_desktop.core.packs.user_packs import list_packs, write_pack
from genai_desktop.core.transfer.progress import export_progress
from genai_desktop.core.workspace import library_fingerprint, load_library


def test_staging_and_stray_folders_are_never_packs(tmp_path: Path, starter_pack: Path, conn) -> None:
    root = tmp_path / "packs"
    good = write_pack(root, plan_text("## What is attention?\nWeights over tokens.\n", "mine.md"))
    # What a killed progress import, a killed notes import and other programs leave behind:
    for name in (".incoming-mine-x1y2", "Mine Copy", "mine.bak", "__MACOSX"):
        shutil.copytree(good, root / name)
    (root / "stray-file").write_text("not a folder", encoding="utf-8")
    before = library_fingerprint(starter_pack, root)

    assert pack_dirs(root) == [good]
    assert [p.id for p in list_packs(root)] == ["mine"]
    assert {q.pack for q in load_library(starter_pack, root).questions()} == {"builtin", "mine"}
    assert "incoming" not in before and "Copy" not in before
    shutil.rmtree(root / ".incoming-mine-x1y2")
    assert library_fingerprint(starter_pack, root) == before  # a staging folder never changes the library

    assert export_progress(conn, root, tmp_path / "out.genai-progress").packs == ("mine",)


def test_no_packs_folder_is_no_packs(tmp_path: Path) -> None:
    assert pack_dirs(None) == [] and pack_dirs(tmp_path / "missing") == []
