import os

from genai_desktop import paths


def test_data_dir_matches_qstandardpaths(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    from PySide6.QtCore import QStandardPaths

    from genai_desktop.ui.app import make_application

    make_application()  # sets the organisation and application names the GUI uses
    expected = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation)
    assert str(paths.default_data_dir()) == expected


def test_override_wins(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("GENAI_DESKTOP_DATA", str(tmp_path / "env"))
    assert paths.resolve_data_dir(tmp_path / "flag") == (tmp_path / "flag").resolve()
    assert paths.resolve_data_dir(None) == (tmp_path / "env").resolve()
    assert os.fspath(paths.content_dir()).endswith("content")
