"""The parsed library and its outline, cached and keyed by the packs' fingerprint, so a start
skips parsing.

Parsing the built-in pack (TOML front matter, regexes over every file) costs about 14 ms;
loading the pickled library about 2 ms. The outline (core/content/outline.py) has its own small file
in ``marshal`` format, built into Python: a start reads it to paint the sidebar, and the full
library (pickle and the content dataclasses) loads after the first paint. The key holds the
app version and Python's, so an update never loads old shapes. The files live in the user's
own cache folder, the same trust as their database; anything unreadable is a miss and is
rebuilt.
"""

from __future__ import annotations

import marshal
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from ... import __version__
from .outline import Outline

if TYPE_CHECKING:
    from .library import Library

# 2: Library.pack_titles; 3: the outline file; 4: text cleaned at load (text_clean.py); 5: glossary;
# 6: Question has slots; 7: the outline's page ids leave out questions (outline.py)
FORMAT = 7


def _key(fingerprint: str) -> str:
    return f"{FORMAT}|{__version__}|{sys.version_info[:2]}|{fingerprint}"


def load(path: Path, fingerprint: str) -> Library | None:
    import pickle

    from .library import Library

    try:
        with path.open("rb") as handle:
            key, library = pickle.load(handle)
    except Exception:  # noqa: BLE001 - a damaged or foreign cache is only a miss
        return None
    return library if key == _key(fingerprint) and isinstance(library, Library) else None


def save(path: Path, fingerprint: str, library: Library) -> None:
    import pickle

    _write(path, lambda handle: pickle.dump((_key(fingerprint), library), handle, protocol=pickle.HIGHEST_PROTOCOL))


def load_outline(path: Path, fingerprint: str) -> Outline | None:
    try:
        key, plain = marshal.loads(path.read_bytes())
        return Outline.from_plain(plain) if key == _key(fingerprint) else None
    except Exception:  # noqa: BLE001 - a damaged or foreign cache is only a miss
        return None


def save_outline(path: Path, fingerprint: str, outline: Outline) -> None:
    _write(path, lambda handle: handle.write(marshal.dumps((_key(fingerprint), outline.plain()))))


def _write(path: Path, write) -> None:
    tmp = path.with_suffix(".tmp")
    try:
        with tmp.open("wb") as handle:
            write(handle)
        tmp.replace(path)
    except Exception:  # noqa: BLE001 - OSError, or a pickling error: only costs start-up speed
        tmp.unlink(missing_ok=True)
