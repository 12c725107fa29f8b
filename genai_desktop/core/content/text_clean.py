"""The one rule for text that comes from outside the app (notes files, packs, progress files,
Anki text exports): what is left out before it reaches a title, a page or the database.

- control characters (C0 but tab and newline, DEL, C1) are removed: they end up in TOML and
  HTML, and a NUL cuts a string short in Qt; carriage returns become newlines;
- the bidirectional embedding, override and isolate characters (U+202A-U+202E,
  U+2066-U+2069) are removed: they make a title display reversed ("exe.jpg" shown for
  "gpj.exe") and hide what a text says. Plain direction marks (U+200E, U+200F) stay: they
  only nudge punctuation and cannot reorder a run of text.

Nothing else changes, so real text in any script is kept as written.
"""

from __future__ import annotations

import re

UNSAFE_CHARACTERS = ("".join(chr(c) for c in range(0x20) if chr(c) not in "\t\n")
                     + "".join(chr(c) for c in range(0x7F, 0xA0))
                     + "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_UNSAFE = re.compile(f"[{re.escape(UNSAFE_CHARACTERS)}]")


def clean_text(text: str) -> str:
    """``text`` with line endings made ``\\n``, control characters removed (tab and newline
    kept) and bidirectional override and isolate characters neutralised (removed)."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _UNSAFE.sub("", text)
