"""Writing a file the user asked for, all or nothing.

The text goes to a sibling ``NAME.part`` first and is renamed over the target only once it is
complete: a full disk or a crash half-way leaves the previous file as it was (or no file), never
a truncated one, and the partial file is removed on failure.
"""

from __future__ import annotations

from pathlib import Path


def write_text_atomic(path: Path, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path``; raises the OSError after cleaning up the partial file."""
    part = path.with_name(path.name + ".part")
    try:
        part.write_text(text, encoding="utf-8")
        part.replace(path)  # same folder, so the rename is atomic
    except OSError:
        part.unlink(missing_ok=True)
        raise
