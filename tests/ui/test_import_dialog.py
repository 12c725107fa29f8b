"""File → Import notes…: preview, import, the MY NOTES tree, flashcards, re-import and removal."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QMessageBox

from genai_desktop.core.study.session import Scope
from genai_desktop.ui import import_dialog
from genai_desktop.ui.sidebar import PACK_ROLE, PAGE_ROLE

NOTES = """# Attention

## What does attention compute?
A weighted sum of values, with weights from query-key similarity: $softmax(QK^T/\\sqrt{d_k})V$.

## Why scale by the square root of d_k?

# Training

## What is warm-up?
- A small learning rate at first.
- It keeps Adam's early steps stable.
"""


def notes_file(tmp_path: Path, text: str = NOTES, name: str = "interview notes.md") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def wait_for(qtbot, dialog, page) -> None:
    qtbot.waitUntil(lambda: dialog.pages.currentWidget() is page, timeout=10000)


def tree_rows(sidebar) -> list[tuple[str, str | None, str | None]]:
    rows, index = [], sidebar.proxy.index(0, 0)
    sidebar.tree.expandAll()
    while index.isValid():
        rows.append((index.data(), index.data(PAGE_ROLE), index.data(PACK_ROLE)))
        index = sidebar.tree.indexBelow(index)
    return rows


def test_file_menu_offers_import_notes(make_window) -> None:
    window = make_window()
    texts = [a.text() for a in window.menuBar().actions()[0].menu().actions()]
    assert "Import &notes…" in texts


def test_preview_then_import_puts_the_pack_in_my_notes_and_flashcards(make_window, qtbot, tmp_path,
                                                                      monkeypatch) -> None:
    window = make_window()
    source = notes_file(tmp_path)
    monkeypatch.setattr(import_dialog.QFileDialog, "getOpenFileNames", lambda *a, **k: ([str(source)], ""))
    window.import_notes_action.trigger()
    dialog = window.findChild(import_dialog.NotesImportDialog)
    wait_for(qtbot, dialog, dialog.preview_page)
    assert not (window.workspace.paths.packs / "interview-notes").exists()  # nothing written before Import
    assert dialog.preview_title.text() == "Import “Interview notes”"
    assert "3 questions (2 answered) in 2 topics" in dialog.preview_summary.text()
    assert dialog.contents.topLevelItemCount() == 2
    assert dialog.contents.topLevelItem(0).child(1).text(1) == "no answer yet"
    checks = dialog.checks.text()
    assert "1 question has no answer" in checks and "Why scale by the square root" in checks
    assert "The formula renders" in checks

    import gc

    real_write, collector_on = import_dialog.write_pack, []
    monkeypatch.setattr(import_dialog, "write_pack",
                        lambda *a, **k: (collector_on.append(gc.isenabled()), real_write(*a, **k))[1])
    dialog.import_button.click()
    wait_for(qtbot, dialog, dialog.result_page)
    assert collector_on == [False]  # no full collection holds the interpreter while 100,000 questions are checked
    assert dialog.result_title.text() == "Notes imported"
    assert dialog.result_text.text().startswith("3 questions in 2 topics are in your library")  # no "0 pages"
    library = window.workspace.library
    assert library.pack_titles == {"interview-notes": "Interview notes"}
    rows = tree_rows(window.sidebar)
    start = [r[0] for r in rows].index("MY NOTES")
    assert rows[start + 1] == ("Interview notes", None, "interview-notes")
    assert ("What is warm-up?", "q:interview-notes.what-is-warm-up", "interview-notes") in rows
    assert window.reader.current_page == "q:interview-notes.what-does-attention-compute"
    assert "questions" in window.status_library.text()
    # searchable and usable as a flashcard deck
    assert window.workspace.index.page_count() >= 3
    window.show_view("flashcards")
    scopes = window.flashcards._scopes()
    assert Scope("pack", "interview-notes", "My notes · Interview notes") in scopes
    assert len(Scope("pack", "interview-notes").question_ids(library)) == 3
    dialog.done_button.click()


def test_the_preview_shows_the_notes_own_title_and_the_file_it_comes_from(make_window, qtbot, tmp_path) -> None:
    window = make_window()
    source = notes_file(tmp_path, "# Transformer prep\n\n" + NOTES.replace("# ", "## "), "a3f9c2e1d4.md")
    dialog = window.import_notes(source)
    wait_for(qtbot, dialog, dialog.preview_page)
    assert dialog.preview_title.text() == "Import “Transformer prep”"
    assert dialog.preview_summary.text().startswith("From a3f9c2e1d4.md · 3 questions")
    topics = [dialog.contents.topLevelItem(n).text(0) for n in range(dialog.contents.topLevelItemCount())]
    assert topics == ["Attention", "Training"]
    dialog.import_button.click()
    wait_for(qtbot, dialog, dialog.result_page)
    assert window.workspace.library.pack_titles == {"a3f9c2e1d4": "Transformer prep"}
    dialog.accept()


def test_reimport_updates_in_place(make_window, qtbot, tmp_path) -> None:
    window = make_window()
    source = notes_file(tmp_path)
    first = window.import_notes(source)
    wait_for(qtbot, first, first.preview_page)
    first.import_button.click()
    wait_for(qtbot, first, first.result_page)
    first.accept()
    source.write_text(NOTES.replace("## Why scale by the square root of d_k?\n",
                                    "## Why scale by the square root of d_k?\nTo keep softmax out of saturation.\n"),
                      encoding="utf-8")
    again = window.import_notes(source)
    wait_for(qtbot, again, again.preview_page)
    assert "updates that pack in place" in again.preview_summary.text()
    assert again.import_button.text() == "Update pack"
    again.import_button.click()
    wait_for(qtbot, again, again.result_page)
    question = window.workspace.library.question("interview-notes.why-scale-by-the-square-root-of-d-k")
    assert question.key_points == "To keep softmax out of saturation."
    assert [p.name for p in window.workspace.paths.packs.iterdir()] == ["interview-notes"]
    again.accept()


def test_a_bad_file_says_why_and_writes_nothing(make_window, qtbot, tmp_path) -> None:
    window = make_window()
    bad = tmp_path / "notes.md"
    bad.write_bytes(b"\x00\x01\x02" * 50)
    dialog = window.import_notes(bad)
    wait_for(qtbot, dialog, dialog.result_page)
    assert dialog.result_title.text() == "These notes cannot be imported"
    assert "binary" in dialog.result_text.text()
    assert not any(window.workspace.paths.packs.iterdir())
    dialog.accept()


def test_cancel_while_reading_a_long_file_leaves_nothing(make_window, qtbot, tmp_path) -> None:
    window = make_window()
    big = notes_file(tmp_path, "".join(f"## Question {n}?\nAnswer {n}.\n\n" for n in range(150_000)), "big.md")
    dialog = window.import_notes(big)
    assert dialog.pages.currentWidget() is dialog.working_page
    dialog.cancel_job_button.click()
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=15000)
    assert dialog.plan is None
    assert not any(window.workspace.paths.packs.iterdir())


def test_remove_pack_from_the_sidebar(make_window, qtbot, tmp_path, monkeypatch) -> None:
    window = make_window()
    dialog = window.import_notes(notes_file(tmp_path))
    wait_for(qtbot, dialog, dialog.preview_page)
    dialog.import_button.click()
    wait_for(qtbot, dialog, dialog.result_page)
    dialog.accept()
    monkeypatch.setattr(import_dialog.QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Cancel)
    assert window.remove_pack("interview-notes") is False
    assert window.workspace.library.pack_titles
    monkeypatch.setattr(import_dialog.QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    with qtbot.waitSignal(window.sidebar.remove_pack_requested):
        window.sidebar.remove_pack_requested.emit("interview-notes")
    assert not (window.workspace.paths.packs / "interview-notes").exists()
    qtbot.waitUntil(lambda: "MY NOTES" not in [r[0] for r in tree_rows(window.sidebar)], timeout=5000)  # reloaded
    assert window.reader.current_page and window.workspace.library.has_page(window.reader.current_page)


# ---------------------------------------------------------------- choices in the preview (real seeds)

from tests.conftest import SHARED, needs_shared  # noqa: E402


def _seed(number: str) -> Path:
    return next((SHARED / "seeds").glob(f"{number}_*.txt"))


@needs_shared()
def test_two_seeds_at_once_renamed_without_unanswered_then_duplicates_skipped(make_window, qtbot,
                                                                             monkeypatch) -> None:
    window = make_window()
    chosen = [str(_seed("001")), str(_seed("003"))]
    monkeypatch.setattr(import_dialog.QFileDialog, "getOpenFileNames", lambda *a, **k: (chosen, ""))
    window.import_notes_action.trigger()
    first = window.findChild(import_dialog.NotesImportDialog)
    wait_for(qtbot, first, first.preview_page)
    assert "1 more after this" in first.windowTitle()
    assert first.unanswered_box.isVisibleTo(first) and "24 questions without an answer" in first.unanswered_box.text()
    first.name_edit.setText("  Chat   export A ")
    first.unanswered_box.setChecked(False)
    first.import_button.click()
    wait_for(qtbot, first, first.result_page)
    pack_a = first.pack_folder.name
    library = window.workspace.library
    assert library.pack_titles[pack_a] == "Chat export A"
    assert sum(q.pack == pack_a for q in library.questions()) == 54 - 24
    first.accept()

    qtbot.waitUntil(lambda: len(window.findChildren(import_dialog.NotesImportDialog)) == 2, timeout=5000)
    second = next(d for d in window.findChildren(import_dialog.NotesImportDialog) if d is not first)
    wait_for(qtbot, second, second.preview_page)
    # 003 repeats 001's questions; the 7 answered ones are in the library now (the rest were left out).
    assert second.duplicates_box.isVisibleTo(second) and second.duplicates_box.isChecked()
    assert second.duplicates_box.text() == "Skip 7 questions already in your library"
    assert "(in Chat export A)" in second.duplicates_box.toolTip()
    second.import_button.click()
    wait_for(qtbot, second, second.result_page)
    pack_b = second.pack_folder.name
    titles_a = {q.title for q in window.workspace.library.questions() if q.pack == pack_a}
    titles_b = [q.title for q in window.workspace.library.questions() if q.pack == pack_b]
    assert len(titles_b) == 31 - 7 and not titles_a & set(titles_b)


@needs_shared()
def test_a_roadmap_in_the_notes_is_announced_as_the_page_it_becomes(make_window, qtbot) -> None:
    window = make_window()
    dialog = import_dialog.import_notes_flow(window, _seed("004"))
    wait_for(qtbot, dialog, dialog.preview_page)
    summary = dialog.preview_summary.text()
    page = "Generative AI Roadmap 2024: From Basics to Advanced"
    assert f"roadmap (36 milestones) is kept as the page “{page}”" in summary
    assert "the Roadmap view shows the built-in roadmap only" in summary
    dialog.import_button.click()
    wait_for(qtbot, dialog, dialog.result_page)
    guides = [g.title for g in window.workspace.library.guides if g.pack == dialog.pack_folder.name]
    assert "Generative AI Roadmap 2024: From Basics to Advanced" in guides
