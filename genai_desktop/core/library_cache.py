"""The parsed library, pickled and keyed by the packs' fingerprint, so a start skips parsing.

Parsing the built-in pack (TOML front matter, regexes over every file) costs about 14 ms;
loading this cache about 1.5 ms. The key holds the app version too, so an update that changes
the dataclasses never unpickles old shapes. The file lives in the user's own cache folder, the
same trust as their database; anything unreadable is treated as a miss and rebuilt.
"""

from __future__ import annotations

import pickle
from pathlib import Path

from .. import __version__
from .content import Library

FORMAT = 2  # 2: Library.pack_titles


def _key(fingerprint: str) -> str:
    return f"{FORMAT}|{__version__}|{fingerprint}"


def load(path: Path, fingerprint: str) -> Library | None:
    try:
        with path.open("rb") as handle:
            key, library = pickle.load(handle)
    except Exception:  # noqa: BLE001 - a damaged or foreign cache is only a miss
        return None
    return library if key == _key(fingerprint) and isinstance(library, Library) else None


def save(path: Path, fingerprint: str, library: Library) -> None:
    tmp = path.with_suffix(".tmp")
    try:
        with tmp.open("wb") as handle:
            pickle.dump((_key(fingerprint), library), handle, protocol=pickle.HIGHEST_PROTOCOL)
        tmp.replace(path)
    except (OSError, pickle.PicklingError):
        tmp.unlink(missing_ok=True)  # only costs start-up speed
