"""Where things live: bundled content and resources, the user's data and cache folders.

Kept free of Qt so the command-line verbs start fast. The data folder follows the same
conventions as Qt's ``QStandardPaths.AppDataLocation`` (a test checks they agree), so the GUI
and the scriptable verbs always open the same databases.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

APP_NAME = "GenAI Study Desk"
ORG_NAME = "GenAI Study Desk"


def bundle_root() -> Path:
    """The folder holding ``content/`` and ``resources/``: the repo, or PyInstaller's unpack dir."""
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root:
        return Path(frozen_root)
    return Path(__file__).resolve().parent.parent


def content_dir() -> Path:
    return bundle_root() / "content"


def resources_dir() -> Path:
    return bundle_root() / "resources"


def default_data_dir() -> Path:
    """The platform's per-user application data folder (same as QStandardPaths.AppDataLocation)."""
    if sys.platform == "win32":
        base = Path(os.environ.get("APPDATA") or Path.home() / "AppData" / "Roaming")
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Application Support"
    else:
        base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / ORG_NAME / APP_NAME


def resolve_data_dir(override: str | os.PathLike[str] | None = None) -> Path:
    """The data folder to use: ``--data-dir`` wins, then ``GENAI_DESKTOP_DATA``, then the default."""
    chosen = override or os.environ.get("GENAI_DESKTOP_DATA")
    path = Path(chosen).expanduser() if chosen else default_data_dir()
    return path.resolve()


class DataPaths:
    """The files inside one data folder."""

    def __init__(self, root: Path) -> None:
        self.root = root

    @property
    def progress_db(self) -> Path:
        return self.root / "progress.sqlite"

    @property
    def index_db(self) -> Path:
        return self.root / "cache" / "index.sqlite"

    @property
    def library_cache(self) -> Path:
        return self.root / "cache" / "library.pickle"

    @property
    def outline_cache(self) -> Path:
        return self.root / "cache" / "outline.marshal"

    @property
    def start_page_cache(self) -> Path:
        return self.root / "cache" / "start-page.html"

    @property
    def formula_cache(self) -> Path:
        return self.root / "cache" / "formulas"

    @property
    def packs(self) -> Path:
        return self.root / "packs"

    @property
    def backups(self) -> Path:
        return self.root / "backups"

    @property
    def logs(self) -> Path:
        return self.root / "logs"

    @property
    def settings_file(self) -> Path:
        return self.root / "settings.ini"

    def ensure(self) -> None:
        for folder in (self.root, self.index_db.parent, self.formula_cache, self.packs, self.logs):
            folder.mkdir(parents=True, exist_ok=True)
