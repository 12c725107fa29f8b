"""Which folders under the data folder's packs/ are packs: the one rule the library loader, the
pack list, the search fingerprint and the progress export share.

A pack folder is named by its pack id (core/packs/user_packs.py ``pack_id_for``: lower-case letters,
digits and dashes). Everything else is not a pack: the progress import's and the importer's
staging folders (``.incoming-*``, ``.packs-staging``), hidden folders a file manager or a sync
tool leaves behind, and stray files. A killed import must never leave a folder that loads as a
pack, so staging folders always start with a dot.
"""

from __future__ import annotations

import re
from pathlib import Path

PACK_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,59}$")


def is_pack_dir(path: Path) -> bool:
    return bool(PACK_ID.match(path.name)) and path.is_dir()


def pack_dirs(packs_root: Path | None) -> list[Path]:
    """The installed packs' folders, sorted by id (the order the library merges them in)."""
    if not packs_root or not packs_root.is_dir():
        return []
    return sorted(p for p in packs_root.iterdir() if is_pack_dir(p))
