"""What the way to the first paint must not do: each of these cost start-up 2–13 ms.

- Reading ``Qt`` (or calling an overload set that takes one of its enums) makes PySide build
  every enum of the namespace; the first ``viewport()`` from Python makes it resolve the
  widget's type by building every QtWidgets class.
- The sidebar paints from the library's outline: the full library (the content dataclasses,
  pickle) loads after the first paint, and sqlite3 with the database check.
- No start-up module creates a dataclass (~0.5 ms each, ~2 ms to import dataclasses).
- The garbage collector, paused for start-up, is back on at the first frame.
- QUrl's type (and its five enums) is built only for a page that has formulas or figures.
- The menu bar's titles are plain actions in the first frame; its QMenus come after it.
- A plain start reads its options without argparse (whose messages import locale, via gettext).

Timing is measured by ``make bench``; these tests only check that those costs stay off the
path, in a fresh process as a user starts it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

PROBE = r"""
import gc, json, sys
from PySide6 import QtCore
from genai_desktop.ui import main_window

def report_and_quit():
    from PySide6 import QtWidgets

    # PySide creates types on first use; resolving a QWidget's type creates all of them.
    built = {"qt_namespace": "Qt" in QtCore.__dict__, "widget_types": "QTabWidget" in QtWidgets.__dict__,
             "url_type": "QUrl" in QtCore.__dict__, "menu_type": "QMenu" in QtWidgets.__dict__,
             "full_library": "genai_desktop.core.content.library" in sys.modules, "sqlite3": "sqlite3" in sys.modules,
             "argparse_used": "locale" in sys.modules,
             "dataclasses": "dataclasses" in sys.modules, "gc_enabled": gc.isenabled()}
    print("PROBE " + json.dumps(built), flush=True)
    main_window.QApplication.quit()

main_window._FirstPaint._report_and_quit = staticmethod(report_and_quit)
sys.argv = ["genai-desktop", "--data-dir", sys.argv[1]]
from genai_desktop.cli import main
raise SystemExit(main())
"""


def _start(data_dir: Path) -> dict[str, bool]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", GENAI_DESKTOP_REPORT_PAINT="1")
    out = subprocess.run([sys.executable, "-c", PROBE, str(data_dir)], env=env, capture_output=True,
                         text=True, timeout=60)
    lines = [line for line in out.stdout.splitlines() if line.startswith("PROBE ")]
    assert lines, out.stdout + out.stderr
    return json.loads(lines[0][6:])


def test_the_first_frame_builds_neither_qt_enums_nor_every_widget_type(data_dir) -> None:
    _start(data_dir)  # the first start also asks the system for its colour scheme
    built = _start(data_dir)  # a usual start: last page, theme and system scheme remembered
    # QUrl: a page with no formula and no figure (the first question) never makes one.
    assert built == {"qt_namespace": False, "widget_types": False, "url_type": False, "menu_type": False,
                     "full_library": False, "sqlite3": False, "argparse_used": False, "dataclasses": False,
                     "gc_enabled": True}
