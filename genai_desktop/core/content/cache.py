"""The parsed library and its outline, cached and keyed by the packs' fingerprint, so a start
skips parsing.

Parsing the built-in pack (TOML front matter, regexes over every file) costs about 14 ms;
loading the pickled library about 2 ms. The outline (core/content/outline.py) has its own small file
in ``marshal`` format, built into Python: a start reads it to paint the sidebar, and the full
library (pickle and the content dataclasses) loads after the first paint. The key holds the
app version and Python's, so an update never loads old shapes. The files live in the user's
own cache folder, the same trust as their database; anything unreadable is a miss and is
rebuilt.

Both files are a run of records, a topic's questions (RECORD_QUESTIONS of them at most) to a
record, not one value: at 100,000 questions one ``pickle``/``marshal`` call over the whole
library is a single C call of 100-500 ms, and the window's thread, needing the interpreter for
its next event, waited out each one while a worker wrote or read the cache (a library reload
after an import; every start of a large library). Record by record, no call holds it long.
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
# 6: Question has slots; 7: the outline's page ids leave out questions (outline.py); 8: records
FORMAT = 8
RECORD_QUESTIONS = 2000


def _key(fingerprint: str) -> str:
    return f"{FORMAT}|{__version__}|{sys.version_info[:2]}|{fingerprint}"


def load(path: Path, fingerprint: str) -> Library | None:
    import pickle

    from .library import Library

    try:
        records = _records(path.read_bytes())
        if pickle.loads(next(records)) != _key(fingerprint):
            return None
        library = pickle.loads(next(records))  # the library with its topics' questions left out
        if not isinstance(library, Library):
            return None
        for topic in library.topics:
            for _ in range(pickle.loads(next(records))):  # the topic's records
                topic.questions.extend(pickle.loads(next(records)))
    except Exception:  # noqa: BLE001 - a damaged or foreign cache is only a miss
        return None
    library._reindex()
    return library


def save(path: Path, fingerprint: str, library: Library) -> None:
    import pickle
    from dataclasses import replace

    def records():
        yield _key(fingerprint)
        yield replace(library, topics=[replace(topic, questions=[]) for topic in library.topics])
        for topic in library.topics:
            chunks = range(0, len(topic.questions), RECORD_QUESTIONS)
            yield len(chunks)
            for start in chunks:
                yield topic.questions[start:start + RECORD_QUESTIONS]

    _write_records(path, (pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL) for value in records()))


def load_outline(path: Path, fingerprint: str) -> Outline | None:
    try:
        records = _records(path.read_bytes())
        if marshal.loads(next(records)) != _key(fingerprint):
            return None
        topics_count, guides, pack_titles, page_ids = marshal.loads(next(records))
        topics = [marshal.loads(next(records)) for _ in range(topics_count)]
        return Outline.from_plain((topics, guides, pack_titles, page_ids))
    except Exception:  # noqa: BLE001 - a damaged or foreign cache is only a miss
        return None


def save_outline(path: Path, fingerprint: str, outline: Outline) -> None:
    topics, guides, pack_titles, page_ids = outline.plain()

    values = (_key(fingerprint), (len(topics), guides, pack_titles, page_ids), *topics)  # a topic a record
    _write_records(path, (marshal.dumps(value) for value in values))


def _write_records(path: Path, records) -> None:
    """Each record (bytes) after its length: what ``_records`` reads back."""
    def write(handle) -> None:
        for record in records:
            handle.write(len(record).to_bytes(4, "little"))
            handle.write(record)

    _write(path, write)


def _records(data: bytes):
    """The length-prefixed records of ``data`` (``_write_records``), without copying them: the
    file is read whole (the read lets go of the interpreter), and marshal reading a file object
    asks it for each few bytes, 4 times slower than from memory."""
    view, at = memoryview(data), 0
    while at < len(view):
        size = int.from_bytes(view[at:at + 4], "little")
        if at + 4 + size > len(view):
            raise ValueError("a record runs past the end of the file")
        yield view[at + 4:at + 4 + size]
        at += 4 + size


def _write(path: Path, write) -> None:
    tmp = path.with_suffix(".tmp")
    try:
        with tmp.open("wb") as handle:
            write(handle)
        tmp.replace(path)
    except Exception:  # noqa: BLE001 - OSError, or a pickling error: only costs start-up speed
        tmp.unlink(missing_ok=True)
