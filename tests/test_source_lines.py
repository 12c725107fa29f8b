import linecache
import sys

from genai_desktop import source_lines


def test_lines_are_read_on_request_but_not_kept_once_the_ui_is_imported() -> None:
    import genai_desktop.ui  # noqa: F401 - installs it, as the app does

    path = source_lines.__file__
    linecache.cache.pop(path, None)
    assert linecache.getline(path, 1).startswith('"""Keep PySide6')  # a traceback still shows lines
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
