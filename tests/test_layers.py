"""The layers: genai_desktop/core is the domain and never imports Qt or the UI (as Anki's pylib
never imports aqt), so it runs in tests, scripts and background threads without a window."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

CORE = Path(__file__).resolve().parents[1] / "genai_desktop" / "core"
FORBIDDEN = ("PySide6", "shiboken6", "genai_desktop.ui")


def _imports(path: Path) -> list[str]:
    """Every module a file imports, relative imports resolved against its package."""
    package = ".".join(path.relative_to(CORE.parents[1]).with_suffix("").parts[:-1])
    return _imports_of(path.read_text(encoding="utf-8"), package)


def _imports_of(source: str, package: str) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = package.split(".")
            if node.level:
                base = base[:len(base) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            found.append(module)
            found += [f"{module}.{alias.name}" for alias in node.names]
    return found


def test_no_core_module_imports_qt_or_the_ui() -> None:
    offenders = {str(path.relative_to(CORE)): bad for path in sorted(CORE.rglob("*.py"))
                 if (bad := [m for m in _imports(path) if m.startswith(FORBIDDEN)])}
    assert offenders == {}


def test_the_checker_sees_relative_imports_of_the_ui() -> None:
    found = _imports_of("from ..ui import theme\nfrom PySide6.QtCore import Qt\nimport shiboken6\n",
                        "genai_desktop.core")
    assert [m for m in found if m.startswith(FORBIDDEN)] == [
        "genai_desktop.ui", "genai_desktop.ui.theme", "PySide6.QtCore", "PySide6.QtCore.Qt", "shiboken6"]


def test_importing_every_core_module_loads_no_qt() -> None:
    modules = sorted(".".join(p.relative_to(CORE.parents[1]).with_suffix("").parts)
                     for p in CORE.rglob("*.py") if p.name != "__init__.py")
    code = ("import importlib, sys\n"
            f"for m in {modules!r}: importlib.import_module(m.replace('/', '.'))\n"
            "print(sorted(m for m in sys.modules if m.startswith(('PySide6', 'shiboken6', 'genai_desktop.ui'))))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                            cwd=CORE.parents[1])
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "[]"
