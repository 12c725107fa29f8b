"""Reading a notes file safely: size, binary and encoding checks, then mojibake repair.

Every refusal raises NotesError with a sentence a user can act on; nothing is written here.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ...content.text_clean import clean_text
from ...digest import sha1
from .model import NotesError

SUFFIXES = (".md", ".markdown", ".txt")
MAX_BYTES = 32 * 1024 * 1024  # far above any real notes file; the 100k-question benchmark is ~15 MB
_SNIFF = 64 * 1024

# Signatures of formats people export notes to by mistake, so the message can say what it is.
_SIGNATURES = (
    (b"%PDF", "a PDF document"),
    (b"PK\x03\x04", "a zip archive (a Word, Anki or other packaged document)"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"SQLite format 3", "an SQLite database"),
    (b"\xd0\xcf\x11\xe0", "an old Microsoft Office document"),
    (b"{\\rtf", "an RTF document"),
)

# UTF-8 text that was decoded as Windows-1252 somewhere along the way ("â€™" for "’"): a lead
# byte character followed by one to three continuation-byte characters.
_CP1252_CONTINUATION = "\x80-\xbf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc" \
                       "\u2013\u2014\u2018-\u201a\u201c-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122"
PIECE_CHARS = 1 << 18  # the text a cleaning step reads at a time (_pieces)
_MOJIBAKE = re.compile(f"[\u00c2-\u00f4][{_CP1252_CONTINUATION}]{{1,3}}")


@dataclass
class NotesText:
    """A notes file's text, kept in the consecutive pieces it was decoded and cleaned in (each
    ending at a line end): joined or split whole, a 30 MB text is one C call holding the
    interpreter for 70-200 ms, and the window's thread waits it out."""

    pieces: list[str]
    encoding: str
    sha1: str
    warnings: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "".join(self.pieces)

    def lines(self) -> list[str]:
        """The text's lines ("\r\n" read as "\n"), as ``text.replace("\r\n", "\n").split("\n")``
        gives them, split piece by piece: a piece ends at a line end, so its split's last item
        (empty) is the next piece's first line's start, and is dropped."""
        lines: list[str] = []
        last = len(self.pieces) - 1
        for n, piece in enumerate(self.pieces):
            part = piece.replace("\r\n", "\n").split("\n")
            if n < last:
                part.pop()
            lines.extend(part)
        return lines or [""]


def check_suffix(path: Path) -> None:
    if path.suffix.lower() not in SUFFIXES:
        raise NotesError(f"{path.name}: only Markdown or plain-text notes can be imported "
                         f"({', '.join(SUFFIXES)}).")


def read_notes_file(path: Path) -> NotesText:
    """Read and decode a notes file, or raise NotesError saying why it cannot be imported."""
    check_suffix(path)
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise NotesError(f"{path.name} is {size / 1024 / 1024:.1f} MB; notes files up to "
                             f"{MAX_BYTES // 1024 // 1024} MB can be imported. Split it into smaller files.")
        data = path.read_bytes()
    except OSError as exc:
        raise NotesError(f"Cannot read {path.name}: {exc.strerror or exc}") from exc
    return decode_notes(data, path.name)


def decode_notes(data: bytes, name: str = "the file") -> NotesText:
    """Check, decode and clean a notes file's bytes, a piece at a time (see NotesText)."""
    if len(data) > MAX_BYTES:
        raise NotesError(f"{name} is {len(data) / 1024 / 1024:.1f} MB; notes files up to "
                         f"{MAX_BYTES // 1024 // 1024} MB can be imported. Split it into smaller files.")
    if data.isspace() or not data:  # isspace stops at the first other byte; strip() would copy it all
        raise NotesError(f"{name} is empty: there is nothing to import.")
    for signature, what in _SIGNATURES:
        if data.startswith(signature):
            raise NotesError(f"{name} is {what}, not text. Export your notes as Markdown (.md) or plain text first.")
    warnings: list[str] = []
    pieces, encoding = _decode(data, name, warnings)
    sample = pieces[0][:_SNIFF]  # a first piece shorter than that is the whole text
    controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\t\n\r\f")
    if "\x00" in sample or controls > max(8, len(sample) // 100):
        raise NotesError(f"{name} looks like a binary file, not text. "
                         "Export your notes as Markdown (.md) or plain text first.")
    # Control characters anywhere (not only in the sniffed start) and bidirectional overrides
    # would end up in TOML, HTML and titles: the app's one rule removes them.
    repaired = 0
    for n, piece in enumerate(pieces):
        pieces[n], count = repair_mojibake(clean_text(piece))
        repaired += count
    if repaired:
        warnings.append(f"Repaired {repaired} garbled character sequence{'s' if repaired != 1 else ''} "
                        "(such as â€™ for ’).")
    if all(piece.isspace() or not piece for piece in pieces):
        raise NotesError(f"{name} has no text in it: there is nothing to import.")
    digest = sha1()
    for start in range(0, len(data), PIECE_CHARS):  # the built-in SHA-1 keeps the interpreter while it hashes
        digest.update(data[start:start + PIECE_CHARS])
    return NotesText(pieces, encoding, digest.hexdigest(), warnings)


def _pieces(text: str) -> Iterator[str]:
    """``text`` in consecutive pieces of about ``size`` characters, each ending at a line end
    (the last may not). A regular expression over a whole 30 MB file is one C call holding the
    interpreter for hundreds of milliseconds (the window's thread waits it out); neither rule
    applied to the pieces matches across a line end, so piece by piece gives the same text."""
    start, size = 0, PIECE_CHARS  # read at each call: tests make it small
    while start < len(text):
        end = text.find("\n", start + size)
        end = len(text) if end < 0 else end + 1
        yield text[start:end]
        start = end


def _byte_pieces(data: bytes, start: int = 0) -> Iterator[tuple[int, bytes]]:
    """``_pieces`` of bytes, with each one's offset: a b"\n" is never inside a UTF-8 or
    Windows-1252 character, so each piece decodes on its own."""
    size = PIECE_CHARS
    while start < len(data):
        end = data.find(b"\n", start + size)
        end = len(data) if end < 0 else end + 1
        yield start, data[start:end]
        start = end


def _decode(data: bytes, name: str, warnings: list[str]) -> tuple[list[str], str]:
    """The text in pieces (_pieces), and the encoding it was read in."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):  # rare: decoded whole
        try:
            return list(_pieces(data.decode("utf-16"))), "utf-16"
        except UnicodeDecodeError as exc:
            raise NotesError(f"{name} says it is UTF-16 but is not valid UTF-16 (byte {exc.start}).") from exc
    first = len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0
    pieces = []
    for offset, piece in _byte_pieces(data, first):
        try:
            pieces.append(piece.decode("utf-8"))
        except UnicodeDecodeError as exc:
            first_bad = offset + exc.start
            break
    else:
        return pieces or [""], "utf-8"
    # Not UTF-8: notes saved by older Windows editors are usually Windows-1252.
    try:
        pieces = [piece.decode("cp1252") for _offset, piece in _byte_pieces(data)]
    except UnicodeDecodeError as exc:
        raise NotesError(f"{name} is not UTF-8 text (invalid byte at position {first_bad}) and not "
                         "Windows-1252 either. Save it as UTF-8 in your editor and import it again.") from exc
    line = data.count(b"\n", 0, first_bad) + 1
    warnings.append(f"The file is not valid UTF-8 (first bad byte on line {line}); it was read as Windows-1252. "
                    "Check accented letters and quotes in the preview.")
    return pieces, "cp1252"


def repair_mojibake(text: str) -> tuple[str, int]:
    """Undo UTF-8 that was decoded as Windows-1252; returns (text, sequences repaired).

    Only sequences that turn back into valid UTF-8 are touched, so real accented words
    ("café", "Ölçü") stay as they are.
    """
    count = 0

    def fix(match: re.Match) -> str:
        nonlocal count
        chunk = match.group(0)
        try:
            raw = chunk.encode("cp1252")
        except UnicodeEncodeError:
            return chunk
        # The lead byte says how long the UTF-8 sequence is; what follows is ordinary text.
        length = 2 if raw[0] < 0xE0 else 3 if raw[0] < 0xF0 else 4
        try:
            fixed = raw[:length].decode("utf-8")
        except UnicodeDecodeError:
            return chunk
        count += 1
        return fixed + raw[length:].decode("cp1252")

    if not _MOJIBAKE.search(text):
        return text, 0
    return _MOJIBAKE.sub(fix, text), count
