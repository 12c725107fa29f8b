"""Buttons and actions hand their slot a ``checked`` flag: PySide calls a slot that can take an
argument with it. A method with an optional parameter connected directly takes the flag for that
parameter ("Study now" once started a session with ``scope=False`` and failed). Such a slot is
wrapped in a lambda; this reads the UI's sources for a direct connection that would do it again."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import genai_desktop.ui

UI = Path(genai_desktop.ui.__file__).parent
FLAG_SIGNALS = ("clicked", "triggered")
CONNECTION = re.compile(rf"\.({'|'.join(FLAG_SIGNALS)})\.connect\(self\.(\w+)\)")
FLAG_NAMES = {"checked", "on", "_checked"}  # a slot that means to take the flag


def _methods(tree: ast.Module) -> dict[str, list[ast.FunctionDef]]:
    found: dict[str, list[ast.FunctionDef]] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef):
            for item in node.body:
                if isinstance(item, ast.FunctionDef):
                    found.setdefault(item.name, []).append(item)
    return found


def flag_taking_slots(source: str) -> list[str]:
    """``signal -> method(parameter)`` for each direct connection whose method would take the flag."""
    methods = _methods(ast.parse(source))
    wrong = []
    for match in CONNECTION.finditer(source):
        for method in methods.get(match.group(2), []):
            parameters = [a.arg for a in method.args.args[1:]]
            if parameters and parameters[0] not in FLAG_NAMES:
                wrong.append(f"{match.group(1)} -> {method.name}({parameters[0]})")
    return wrong


def test_no_button_or_action_hands_its_checked_flag_to_an_unrelated_parameter() -> None:
    wrong = {str(path.relative_to(UI)): found for path in sorted(UI.rglob("*.py"))
             if (found := flag_taking_slots(path.read_text(encoding="utf-8")))}
    assert wrong == {}


def test_the_check_finds_such_a_connection() -> None:
    source = """
class View:
    def __init__(self):
        self.button.clicked.connect(self.start)
        self.other.clicked.connect(self.toggle)

    def start(self, scope=None):
        pass

    def toggle(self, checked=False):
        pass
"""
    assert flag_taking_slots(source) == ["clicked -> start(scope)"]
