"""Which pictures a pack may show: the one rule the reader, the notes importer, ``check`` and the
Anki export all follow. A picture is a file inside the pack folder (no absolute paths, no "..",
no symlink out), of a known image type whose first bytes really are that type, and not larger
than ``MAX_IMAGE_BYTES``; nothing outside the pack is ever read.
"""

from __future__ import annotations

import posixpath
from pathlib import Path, PurePosixPath

# Formats every Anki client and the reader display; each with the first bytes a real file of it starts with,
# so a text file renamed to .png is not shipped as a picture.
IMAGE_SIGNATURES: dict[str, tuple[bytes, ...]] = {
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".gif": (b"GIF87a", b"GIF89a"),
    ".webp": (b"RIFF",),
    ".bmp": (b"BM",),  # the notes import copies it and the reader shows it
    ".svg": (b"<svg", b"<?xml", b"<!--", b"<!DOCTYPE svg"),  # editors often open with a comment
}
MAX_IMAGE_BYTES = 10 * 1024 * 1024  # the notes import copies nothing larger into a pack


def pack_picture(root: Path, relative: str) -> Path | None:
    """The image file ``relative`` names inside the pack folder ``root``, or None when it must
    be left out: a path that is absolute, climbs with "..", leaves the pack through a symlink,
    is missing, too large, or not an image of an allowed type. Nothing outside ``root`` is read."""
    if not relative or "\\" in relative or ":" in relative:  # Windows separators, drives, schemes
        return None
    path = PurePosixPath(posixpath.normpath(relative))  # "img/../a.png" is "a.png", as the reader finds it
    if path.is_absolute() or ".." in path.parts:
        return None
    base = root.resolve()
    target = (base / path).resolve()  # follows symlinks, so a link out of the pack fails below
    suffix = target.suffix.lower()
    if not target.is_relative_to(base) or suffix not in IMAGE_SIGNATURES:
        return None
    try:
        if not target.is_file() or target.stat().st_size > MAX_IMAGE_BYTES:
            return None
        with target.open("rb") as handle:
            head = handle.read(256)
    except OSError:
        return None
    if suffix == ".svg":
        head = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if suffix == ".webp" and head[8:12] != b"WEBP":
        return None
    return target if head.startswith(IMAGE_SIGNATURES[suffix]) else None
