import linecache
import sys
import types

from genai_desktop import source_lines


def test_lines_are_read_on_request_but_not_kept_once_the_ui_is_imported() -> None:
    import genai_desktop.ui  # noqa: F401 - installs it, as the app does

    path = source_lines.__file__
    linecache.cache.pop(path, None)
    assert linecache.getline(path, 1).startswith('"""PySide6')  # a traceback still shows lines
    assert path not in linecache.cache


def test_pyside_reading_a_module_imported_after_it_leaves_nothing_behind(tmp_path, monkeypatch) -> None:
    import PySide6.QtCore  # noqa: F401 - its import hook is what reads sources

    import genai_desktop.ui  # noqa: F401

    module = tmp_path / "freshly_imported_module.py"
    module.write_text("VALUE = 1\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    __import__("freshly_imported_module")
    assert sys.modules["freshly_imported_module"].VALUE == 1
    assert str(module) not in linecache.cache


def test_pyside_is_told_our_modules_use_it_without_reading_them(monkeypatch) -> None:
    """PySide's scan reads a module's source (about 0.2 ms a module, ~4.5 ms of start-up):
    for the app's own modules and the standard library's it answers at once; any other
    module is still read."""
    import genai_desktop.ui  # noqa: F401 - installs it

    feature = sys.modules["PySide6.support.feature"]
    read: list[str] = []
    monkeypatch.setattr(linecache, "getlines", lambda filename, *args: read.append(filename) or [])

    module = types.ModuleType("genai_desktop.ui.some_view")
    module.__file__ = source_lines.__file__
    assert feature._mod_uses_pyside(module) is True
    module.__name__ = "json.decoder"
    assert feature._mod_uses_pyside(module) is False
    assert read == []
    module.__name__ = "someone_elses_module"
    feature._mod_uses_pyside(module)
    assert read  # read as PySide always did
