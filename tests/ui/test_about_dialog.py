from genai_desktop import __version__
from genai_desktop.ui.about_dialog import AboutDialog, LicencesDialog, third_party_licences_file


def test_help_about_shows_version_licences_and_data_folder(make_window, data_dir) -> None:
    window = make_window()
    dialog = window.show_about()
    assert isinstance(dialog, AboutDialog) and dialog.isVisible()
    assert __version__ in dialog.version.text()
    text = dialog.licences.text()
    for licence in ("MIT", "CC BY 4.0", "LGPLv3"):
        assert licence in text
    assert dialog.folder.text() == str(data_dir)
    dialog.close()


def test_third_party_licences_open_inside_the_app(qtbot, tmp_path) -> None:
    assert third_party_licences_file().is_file()
    dialog = AboutDialog(tmp_path)
    qtbot.addWidget(dialog)
    licences = dialog.show_licences()
    assert "PySide6" in licences.text.toPlainText()
    assert "GNU LESSER GENERAL PUBLIC LICENSE" in licences.text.toPlainText()
    licences.close()


def test_a_missing_licences_file_is_explained_not_fatal(qtbot, tmp_path) -> None:
    dialog = LicencesDialog(tmp_path / "nope")
    qtbot.addWidget(dialog)
    assert "could not be read" in dialog.text.toPlainText()
