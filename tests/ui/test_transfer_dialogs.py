"""File → Export to Anki…, Export progress… and Import progress…, driven as a user would."""

from __future__ import annotations

import zipfile
from pathlib import Path

from fsrs import Rating
from PySide6.QtCore import Qt

from genai_desktop.core.store import db
from genai_desktop.core.study.session import StudySession, StudySettings
from genai_desktop.core.transfer.progress import export_progress
from genai_desktop.ui import transfer_dialogs


def file_menu_texts(window) -> list[str]:
    menu = window.menuBar().actions()[0].menu()
    return [action.text().replace("&", "") for action in menu.actions() if action.text()]


def finish(qtbot, dialog) -> None:
    qtbot.waitUntil(lambda: dialog.pages.currentWidget() is dialog.result_page, timeout=10000)


def test_the_file_menu_offers_the_transfers(make_window) -> None:
    texts = file_menu_texts(make_window())
    assert texts[:4] == ["Export to Anki…", "Export progress…", "Import progress…", "Import Anki text…"]
    assert "Quit" in texts


def test_export_to_anki_with_a_topic_scope_writes_the_package_and_says_how_many(make_window, qtbot, tmp_path,
                                                                               monkeypatch) -> None:
    window = make_window()
    window.transfer_actions["export_to_anki"].trigger()
    dialog = window.findChild(transfer_dialogs.AnkiExportDialog)
    assert dialog is not None and dialog.isVisible()
    assert dialog.count.text() == "3 cards will be exported."
    assert not dialog.radios["bookmarks"].isEnabled()  # nothing bookmarked yet
    assert "pack" not in dialog.radios  # no imported packs

    chosen = tmp_path / "exports" / "gans"
    chosen.parent.mkdir()
    monkeypatch.setattr(transfer_dialogs.QFileDialog, "getSaveFileName",
                        lambda *args, **kwargs: (str(chosen), "Anki package (*.apkg)"))
    qtbot.mouseClick(dialog.choose_button, Qt.MouseButton.LeftButton)
    assert dialog.target.text() == str(chosen) + ".apkg"

    dialog.radios["topic"].setChecked(True)
    combo = dialog.combos["topic"]
    combo.setCurrentIndex(combo.findData("gans"))
    assert combo.isEnabled() and not dialog.combos["level"].isEnabled()
    assert dialog.count.text() == "1 card will be exported."
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    finish(qtbot, dialog)
    assert dialog.result_title.text() == "Exported to Anki"
    assert "Exported 1 card in 1 deck to gans.apkg" in dialog.result_text.text()
    assert zipfile.is_zipfile(chosen.with_suffix(".apkg"))
    assert window.settings.get_str(transfer_dialogs.LAST_DIR_KEY) == str(chosen.parent)
    qtbot.mouseClick(dialog.done_button, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()


def test_export_to_anki_refuses_a_missing_folder_and_keeps_the_form(make_window, qtbot, tmp_path) -> None:
    window = make_window()
    dialog = window.run_transfer("export_to_anki")
    dialog.target.setText(str(tmp_path / "no" / "such" / "folder" / "deck.apkg"))
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    assert dialog.pages.currentWidget() is dialog.form_page
    assert dialog.error.isVisible() and "not a folder" in dialog.error.text()
    dialog.reject()


def test_export_progress_writes_the_file_and_reports_it(make_window, qtbot, tmp_path, monkeypatch) -> None:
    window = make_window()
    out = tmp_path / "moving"
    monkeypatch.setattr(transfer_dialogs.QFileDialog, "getSaveFileName", lambda *a, **k: (str(out), ""))
    window.transfer_actions["export_progress_flow"].trigger()
    dialog = window.findChild(transfer_dialogs.TransferDialog)
    finish(qtbot, dialog)
    assert dialog.result_title.text() == "Progress exported" and "moving.zip" in dialog.result_text.text()
    assert zipfile.is_zipfile(out.with_suffix(".zip"))
    dialog.accept()


def _other_laptop(tmp_path: Path) -> Path:
    """A second data folder that answered one card and imported a pack, exported to a file."""
    other = tmp_path / "other"
    database = db.open_progress(other / "progress.sqlite")
    session = StudySession.open(database.conn, ["gan-objective"], StudySettings())
    session.answer(Rating.Good)
    topic = other / "packs" / "phone-notes" / "topics" / "01-phone.md"
    topic.parent.mkdir(parents=True)
    topic.write_text("+++\nid = \"phone\"\ntitle = \"Phone notes\"\norder = 9\n+++\n\n"
                     "## What is a token?\n<!-- id: phone-token; sources: ; level: dev1 -->\n\n"
                     "**Key points.** A unit of text the model reads.\n", encoding="utf-8")
    out = tmp_path / "from-other.zip"
    export_progress(database.conn, other / "packs", out)
    database.conn.close()
    return out


def test_import_progress_merges_and_shows_what_arrived(make_window, qtbot, tmp_path, monkeypatch) -> None:
    window = make_window()
    source = _other_laptop(tmp_path)
    monkeypatch.setattr(transfer_dialogs.QFileDialog, "getOpenFileName", lambda *a, **k: (str(source), ""))
    window.transfer_actions["import_progress_flow"].trigger()
    dialog = window.findChild(transfer_dialogs.TransferDialog)
    finish(qtbot, dialog)
    assert dialog.result_title.text() == "Progress merged"
    text = dialog.result_text.text()
    assert "1 review added" in text and "1 pack added: phone-notes" in text
    assert "backup" in dialog.result_hint.text()
    conn = window.workspace.progress.conn
    assert conn.execute("SELECT question_id FROM reviews").fetchall() == [("gan-objective",)]
    # the new pack is in the library and the sidebar without a restart
    assert window.workspace.library.question("phone-token") is not None
    model = window.sidebar.model
    assert "Phone notes" in {model.item(r).text() for r in range(model.rowCount())} | {
        model.item(r).child(c).text() for r in range(model.rowCount()) for c in range(model.item(r).rowCount())}
    dialog.accept()


def test_imported_study_settings_reach_the_flashcards_view(make_window, qtbot, tmp_path, monkeypatch) -> None:
    window = make_window()
    window.show_view("flashcards")
    other = tmp_path / "other"
    database = db.open_progress(other / "progress.sqlite")
    StudySettings(desired_retention=0.95, new_per_day=6).save(database.conn)  # chosen after this window's defaults
    source = tmp_path / "settings.zip"
    export_progress(database.conn, None, source)
    database.conn.close()
    monkeypatch.setattr(transfer_dialogs.QFileDialog, "getOpenFileName", lambda *a, **k: (str(source), ""))
    dialog = window.run_transfer("import_progress_flow")
    finish(qtbot, dialog)
    assert "Study settings: taken from the file (saved " in dialog.result_text.text()
    view = window.flashcards
    assert (view.retention.value(), view.new_limit.value()) == (0.95, 6)  # shown without a restart
    dialog.accept()


def test_import_progress_explains_a_wrong_file(make_window, qtbot, tmp_path, monkeypatch) -> None:
    window = make_window()
    wrong = tmp_path / "holiday.zip"
    with zipfile.ZipFile(wrong, "w") as archive:
        archive.writestr("photo.txt", "not progress")
    monkeypatch.setattr(transfer_dialogs.QFileDialog, "getOpenFileName", lambda *a, **k: (str(wrong), ""))
    dialog = window.run_transfer("import_progress_flow")
    finish(qtbot, dialog)
    assert dialog.result_title.text() == "That did not work"
    assert "not a progress file" in dialog.result_text.text()
    assert not dialog.show_folder_button.isVisible()
    dialog.accept()


def test_cancelling_the_file_chooser_does_nothing(make_window, monkeypatch) -> None:
    window = make_window()
    monkeypatch.setattr(transfer_dialogs.QFileDialog, "getOpenFileName", lambda *a, **k: ("", ""))
    monkeypatch.setattr(transfer_dialogs.QFileDialog, "getSaveFileName", lambda *a, **k: ("", ""))
    assert window.run_transfer("import_progress_flow") is None
    assert window.run_transfer("export_progress_flow") is None
    assert window.findChild(transfer_dialogs.TransferDialog) is None


def test_import_anki_text_adds_a_pack_to_the_library(make_window, qtbot, tmp_path, monkeypatch, page_shown) -> None:
    window = make_window()
    export = tmp_path / "Phone deck.txt"
    export.write_text("#separator:tab\n#html:true\n#deck column:1\n"
                      "Phone::ML\tWhat is <b>dropout</b>?\tRandomly zeroing units while training.\n"
                      "Phone::ML\tWhat is \\(L_2\\) decay?\tA penalty on weight size.\n", encoding="utf-8")
    monkeypatch.setattr(transfer_dialogs.QFileDialog, "getOpenFileName", lambda *a, **k: (str(export), ""))
    window.transfer_actions["import_anki_text_flow"].trigger()
    dialog = window.findChild(transfer_dialogs.TransferDialog)
    finish(qtbot, dialog)
    assert dialog.result_title.text() == "Anki notes imported"
    assert "2 cards from Phone deck.txt are now the pack “Phone deck”" in dialog.result_text.text()
    library = window.workspace.library
    assert library.question("phone-deck.what-is-dropout").pack == "phone-deck"
    assert library.topic("phone-deck.phone-ml").title == "Phone › ML"
    window.reader.show_page("q:phone-deck.what-is-dropout")
    page_shown(window.reader)
    assert "Randomly zeroing units" in window.reader.toPlainText()
    dialog.accept()
    # Export to Anki offers the new pack by its title, as the sidebar does, not by its folder name.
    export_dialog = transfer_dialogs.AnkiExportDialog(window)
    packs = export_dialog.combos["pack"]
    assert (packs.itemText(0), packs.itemData(0)) == ("Phone deck", "phone-deck")
    export_dialog.radios["pack"].setChecked(True)
    assert export_dialog.count.text().startswith("2 cards")
    export_dialog.reject()


def test_import_anki_text_explains_a_file_that_is_not_an_export(make_window, qtbot, tmp_path, monkeypatch) -> None:
    window = make_window()
    wrong = tmp_path / "shopping.txt"
    wrong.write_text("milk\neggs\n", encoding="utf-8")
    monkeypatch.setattr(transfer_dialogs.QFileDialog, "getOpenFileName", lambda *a, **k: (str(wrong), ""))
    dialog = window.run_transfer("import_anki_text_flow")
    finish(qtbot, dialog)
    assert "does not look like an Anki plain-text export" in dialog.result_text.text()
    assert not (window.workspace.paths.packs / "shopping").exists()
    dialog.accept()
