"""The export-apkg, export-progress and import-progress verbs, run as a user would type them."""

from __future__ import annotations

import zipfile
from pathlib import Path

from genai_desktop.cli import main


def test_export_apkg_writes_the_chosen_scope_and_refuses_an_unknown_one(tmp_path: Path, capsys) -> None:
    out = tmp_path / "gans.apkg"
    assert main(["--data-dir", str(tmp_path / "data"), "export-apkg", str(out), "--scope", "topic:gans"]) == 0
    assert "Exported" in capsys.readouterr().out and zipfile.is_zipfile(out)
    assert main(["export-apkg", str(tmp_path / "x.apkg"), "--scope", "topic:nope",
                 "--data-dir", str(tmp_path / "data")]) == 1
    assert "No topic called 'nope'" in capsys.readouterr().err and not (tmp_path / "x.apkg").exists()


def test_progress_moves_between_two_data_folders(tmp_path: Path, capsys) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    saved = tmp_path / "progress.zip"
    # --data-dir before the verb must be honoured, not reset by the verb's own parser
    assert main(["--data-dir", str(first), "export-progress", str(saved)]) == 0
    assert (first / "progress.sqlite").is_file() and saved.is_file()
    assert main(["--data-dir", str(second), "import-progress", str(saved)]) == 0
    out = capsys.readouterr().out
    assert "no new reviews" in out and "backup was saved first" in out
    assert list((second / "backups").glob("*before-import*"))
    assert main(["--data-dir", str(second), "import-progress", str(tmp_path / "missing.zip")]) == 1
    assert "does not exist" in capsys.readouterr().err


def test_export_apkg_bookmarks_scope_takes_bookmarked_questions_and_skips_bookmarked_guides(tmp_path: Path,
                                                                                           capsys) -> None:
    from genai_desktop.core.content import notes
    from genai_desktop.core.workspace import Workspace

    workspace = Workspace(tmp_path / "data")
    library = workspace.library
    question, guide = next(iter(library.questions())), library.guides[0]
    with workspace.progress.conn as conn:
        notes.set_bookmark(conn, question.id, True)
        notes.set_bookmark(conn, notes.key_for(f"guide:{guide.id}"), True)
    workspace.close()
    out = tmp_path / "marked.apkg"
    assert main(["--data-dir", str(tmp_path / "data"), "export-apkg", str(out), "--scope", "bookmarks"]) == 0
    printed = capsys.readouterr().out
    assert printed.startswith("Exported 1 card in 1 deck"), printed
