from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox, QPushButton

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


def test_close_buttons_are_plain_text_buttons_like_the_rest_of_the_app(qtbot, tmp_path) -> None:
    # A QDialogButtonBox puts a platform icon on Close under Fusion on Linux; no other button has one.
    about = AboutDialog(tmp_path)
    qtbot.addWidget(about)
    licences = about.show_licences()
    for dialog in (about, licences):
        assert not dialog.findChildren(QDialogButtonBox)
        assert all(button.icon().isNull() for button in dialog.findChildren(QPushButton))
        assert dialog.close_button.text() == "Close" and dialog.close_button.isDefault()
    # the licences button sits on the left, Close on the right (as in Backups)
    about.show()
    qtbot.waitExposed(about)
    assert about.licences_button.x() < about.close_button.x()
    assert not about.licences_button.isDefault()
    qtbot.mouseClick(licences.close_button, Qt.MouseButton.LeftButton)
    assert not licences.isVisible()
    qtbot.mouseClick(about.close_button, Qt.MouseButton.LeftButton)
    assert not about.isVisible()
