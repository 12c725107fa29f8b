"""The content index: a disposable SQLite cache of every page, with a full-text search table.

It can be deleted at any time and is rebuilt from the packs when their fingerprint changes.
One FTS5 table ``fts`` (title, body, note) uses porter stemming, so "models" finds "model".
Porter alone cannot do search-as-you-type: a half-typed "discriminat" is stemmed on its own and
matches nothing (the stored stem of "discriminator" is "discrimin"). So ``terms`` lists every
word as written with its stem; core/search/query.py expands a typed prefix into the words that start
with it, one per stem. (Measured at 100,000 questions: this is smaller and faster than a second,
unstemmed FTS table with prefix indexes.) A second FTS5 table, ``titles``, indexes the titles
alone (its text is ``pages.title``, the same as ``fts.title``): which matches have the query in
their title is asked at every keystroke, and a ``{title}:`` filter on ``fts`` reads every word's
whole list of places in every column to answer it (up to 13 ms at 100,000 pages; here under 1,
the lists being 1/17 the size). The ``note`` column holds the user's own note on a
question, copied from the progress database by ``sync_notes``/``set_note``.
"""

from __future__ import annotations

import re
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from itertools import islice
from pathlib import Path

from ..content.library import Library
from ..store.db import transaction

INDEX_VERSION = 8  # 5: snippet-friendly plain text; 6: identifiers kept, glossary, trigrams for typos;
# 7: titles, common stems; 8: one full stop after a figure's caption
TOKENIZER = "porter unicode61 remove_diacritics 2"
# bm25 weights for (title, body, note): a word in the title says far more about a page than the
# same word somewhere in a long answer; the user's own note sits in between.
RANK = "bm25(8.0, 1.0, 3.0)"
_TABLE_RULE = re.compile(r"^\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?$")
# A figure (a titled picture) is found by its caption and alt text: "figure kv cache" finds it.
_FIGURE_MD = re.compile(r'!\[([^\]]*)\]\([^)\s]+\s+"([^"]*)"\)')
# Markup to drop. An underscore goes only where it is emphasis (at a word's edge): inside an
# identifier it stays, so a snippet shows ``kl_divergence`` as written.
_MD_NOISE = re.compile(r"<!--.*?-->|[`*>#|]+|(?<![^\W_])_+|_+(?![^\W_])|\\[a-zA-Z]+|!?\[([^\]]*)\]\([^)]*\)", re.S)
_LATEX_SYMBOLS = {"times": "×", "cdot": "·", "mid": "∣", "le": "≤", "leq": "≤", "ge": "≥", "geq": "≥",
                  "approx": "≈", "sim": "~", "to": "→", "rightarrow": "→", "infty": "∞", "sum": "Σ",
                  "in": "∈", "neq": "≠", "pm": "±", "log": "log", "exp": "exp", "sqrt": "√"}
_LATEX_COMMAND = re.compile(r"\\([a-zA-Z]+)")
_LATEX_SILENT = {"left", "right", "mathrm", "text", "mathbf", "operatorname", "big", "Big"}
# A short formula in a table cell (a row is shown as text, formulas and all).
_TABLE_MATH = re.compile(r"(?<![\\$\w])\$(?=[^\s$])([^$\n|]{1,60}?)(?<=[^\s\\])\$(?![\d$])")
GRAM = 3  # the typo index's n-grams (core/search/query.py)
# A rebuild reads the pages this many at a time: made all at once, 100,000 pages' plain text
# and rows were 60 MB alive together, and the allocator kept much of it after they died.
REBUILD_BATCH = 2000


@dataclass(frozen=True)
class Page:
    page_id: str  # "q:ID", "guide:ID", "topic:ID"
    kind: str
    pack: str
    title: str
    topic_id: str
    body: str
    topic_title: str = ""


def plain_text(markdown_text: str) -> str:
    """Markdown reduced to words for indexing and snippets. Snippets are read, so a heading
    ends like a sentence instead of running into the next paragraph, table cells are set apart
    and rule rows dropped, and a formula shows as "…" rather than as LaTeX debris."""
    from ..render.markdown_html import replace_math

    lines = []
    for line in markdown_text.splitlines():
        stripped = line.strip()
        if _TABLE_RULE.match(stripped):
            continue
        if stripped.startswith("|"):
            # A table row reads as text: its short formulas too ("n × d_k"), not as "…".
            cells = _TABLE_MATH.sub(lambda m: _latex_as_text(m.group(1)), stripped).strip("|").split("|")
            line = _sentence(" · ".join(cell.strip() for cell in cells))
        elif stripped.startswith("#") and stripped.lstrip("#").strip():
            line = _sentence(stripped)
        lines.append(line)
    text = replace_math("\n".join(lines), " … ")
    text = _FIGURE_MD.sub(lambda m: f"Figure: {_sentence(m.group(2))} {_sentence(m.group(1))}", text)
    text = _MD_NOISE.sub(lambda m: m.group(1) or " ", text)
    return re.sub(r"\s+", " ", text).strip()


def _sentence(text: str) -> str:
    """``text`` ending as a sentence: a full stop added unless it already ends in one (a figure's
    caption and alt text usually do; "cached.. The" read as a typo in the snippet)."""
    text = text.rstrip()
    return text if not text or text[-1] in ".:?!" else text + "."


def _latex_as_text(latex: str) -> str:
    """A short formula as a snippet can show it: ``n \\times d_k`` -> ``n × d_k``."""
    def command(match: re.Match) -> str:
        name = match.group(1)
        return _LATEX_SYMBOLS.get(name, "" if name in _LATEX_SILENT else name)

    text = _LATEX_COMMAND.sub(command, latex).replace("{", "").replace("}", "")
    return re.sub(r"\s+", " ", text).strip()


def grams(word: str) -> set[str]:
    """The word's trigrams with its edges marked: "gan" -> {" ga", "gan", "an "}."""
    padded = f" {word} "
    return {padded[n:n + GRAM] for n in range(len(padded) - GRAM + 1)}


def typo_candidate(word: str) -> bool:
    """Words a typo may be corrected to: made of letters, 3 to 30 of them."""
    return 3 <= len(word) <= 30 and word.isalpha()


def iter_pages(library: Library) -> Iterator[Page]:
    """The library's pages one by one, their text made as they are asked for (see REBUILD_BATCH)."""
    for topic in library.topics:
        if topic.intro:
            yield Page(f"topic:{topic.id}", "topic", topic.pack, topic.title, topic.id, plain_text(topic.intro),
                       topic.title)
        for q in topic.questions:
            yield Page(f"q:{q.id}", "question", q.pack, q.title, topic.id, plain_text(q.markdown), topic.title)
    for guide in library.guides:
        yield Page(f"guide:{guide.id}", "guide", guide.pack, guide.title, "", plain_text(guide.body), "Study guide")


class ContentIndex:
    """The search index, one SQLite file. Each thread that uses it gets its own connection
    (SQLite connections never cross threads): the window's thread for searching, a worker for
    the rebuild after an import. A worker gives its connection back with ``close_thread_connection``."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        self.conn  # noqa: B018 - opens (or creates, or replaces a damaged) index now, on this thread
        # Answers that only change with the index's words (stems, prefix expansions), kept by
        # core/search/query.py across keystrokes; emptied whenever words are added or removed.
        self.memo: dict[tuple[str, str], object] = {}
        # The pages search results show (page id, kind, topic, title, body, note, and the body
        # made ready for marking) by rowid: reading 50 of them from the FTS table and preparing
        # them again at every keystroke was a sixth of a search. Bounded (core/search/query.py
        # _page_rows); a rebuild empties it, a note edit drops its page's row.
        self.page_rows: dict[int, object] = {}
        # Answers that depend on the indexed library alone (the glossary's forms), not on the words
        # notes add: only a rebuild empties it.
        self.library_memo: dict[str, object] = {}
        # The last error a query met (None while every query ran). Search answers "nothing found"
        # rather than crash a keystroke, so this is how a quoting bug or a damaged index shows.
        self.last_error: str | None = None

    @property
    def conn(self) -> sqlite3.Connection:
        """This thread's connection, opened on first use."""
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._local.conn = self._open()
        return conn

    def close_thread_connection(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            self._local.conn = None
            conn.close()

    def _open(self) -> sqlite3.Connection:
        try:
            conn = sqlite3.connect(self.path, isolation_level=None)
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = OFF")  # a cache: rebuilt if ever damaged
            if conn.execute("PRAGMA user_version").fetchone()[0] != INDEX_VERSION:
                self._create(conn)
            return conn
        except sqlite3.DatabaseError:
            # A damaged cache is simply thrown away.
            for suffix in ("", "-wal", "-shm"):
                Path(f"{self.path}{suffix}").unlink(missing_ok=True)
            conn = sqlite3.connect(self.path, isolation_level=None)
            self._create(conn)
            return conn

    @staticmethod
    def _create(conn: sqlite3.Connection) -> None:
        conn.executescript(
            f"""
            DROP TABLE IF EXISTS meta;
            DROP TABLE IF EXISTS pages;
            DROP TABLE IF EXISTS fts;
            DROP TABLE IF EXISTS fts_stem;
            DROP TABLE IF EXISTS fts_prefix;
            DROP TABLE IF EXISTS terms;
            DROP TABLE IF EXISTS grams;
            DROP TABLE IF EXISTS synonyms;
            DROP TABLE IF EXISTS titles;
            DROP TABLE IF EXISTS common_stems;
            CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
            CREATE TABLE pages (
                rowid INTEGER PRIMARY KEY, page_id TEXT UNIQUE NOT NULL, kind TEXT NOT NULL,
                pack TEXT NOT NULL, topic_id TEXT NOT NULL, topic_title TEXT NOT NULL, title TEXT NOT NULL,
                note_stamp TEXT
            );
            CREATE VIRTUAL TABLE fts USING fts5(title, body, note, tokenize = '{TOKENIZER}');
            INSERT INTO fts(fts, rank) VALUES ('rank', '{RANK}');
            CREATE VIRTUAL TABLE titles USING fts5(title, tokenize = '{TOKENIZER}', content = 'pages',
                                                   content_rowid = 'rowid');
            CREATE TABLE terms (
                surface TEXT PRIMARY KEY, stem TEXT NOT NULL, docs INTEGER NOT NULL
            ) WITHOUT ROWID;
            CREATE INDEX terms_stem ON terms(stem);
            -- Every word's trigrams (" tr", "tra", …, "er "), to find the words a typo was meant to be.
            CREATE TABLE grams (gram TEXT NOT NULL, surface TEXT NOT NULL, length INTEGER NOT NULL,
                                PRIMARY KEY (gram, surface)) WITHOUT ROWID;
            -- Stems in at least half the pages when the library was indexed (notes only add to
            -- that): bm25 weighs them at 1e-6, so scoring leaves them out (core/search/query.py).
            CREATE TABLE common_stems (stem TEXT PRIMARY KEY) WITHOUT ROWID;
            -- The glossary (core/search/glossary.py): forms of one term share ``term``.
            CREATE TABLE synonyms (term INTEGER NOT NULL, form TEXT NOT NULL);
            PRAGMA user_version = {INDEX_VERSION};
            """
        )

    def fingerprint(self) -> str | None:
        row = self.conn.execute("SELECT value FROM meta WHERE key = 'fingerprint'").fetchone()
        return row[0] if row else None

    def ensure(self, library: Library, fingerprint: str) -> bool:
        """Rebuild when the content changed; returns True if it rebuilt."""
        if self.fingerprint() == fingerprint:
            return False
        self.rebuild(iter_pages(library), fingerprint, getattr(library, "glossary", ()))
        return True

    def forget_cached(self) -> None:
        """Drop every answer kept from the index's rows: after a rebuild, here or in another process."""
        self.memo.clear()
        self.page_rows.clear()  # rowids are reused: a kept row would show another page's text
        self.library_memo.clear()

    def rebuild(self, pages: Iterable[Page], fingerprint: str, glossary: Iterable[tuple[str, ...]] = ()) -> None:
        self.forget_cached()
        with transaction(self.conn):
            self.conn.execute("DELETE FROM pages")
            self.conn.execute("DELETE FROM fts")
            self.conn.execute("DELETE FROM terms")
            self.conn.execute("DELETE FROM grams")
            self.conn.execute("DELETE FROM synonyms")
            self.conn.execute("DELETE FROM common_stems")
            self.conn.execute("INSERT INTO titles(titles) VALUES ('delete-all')")
            self.conn.executemany("INSERT INTO synonyms VALUES (?, ?)",
                                  ((n, form) for n, forms in enumerate(glossary) for form in forms))
            self._clear_words()
            count = 0
            pages = iter(pages)
            while batch := list(islice(pages, REBUILD_BATCH)):
                rows = [(n, p.page_id, p.kind, p.pack, p.topic_id, p.topic_title, p.title, None)
                        for n, p in enumerate(batch, count + 1)]
                self.conn.executemany("INSERT INTO pages VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)
                self.conn.executemany("INSERT INTO fts(rowid, title, body, note) VALUES (?, ?, ?, '')",
                                      ((n, p.title, p.body) for n, p in enumerate(batch, count + 1)))
                self.conn.executemany("INSERT INTO titles(rowid, title) VALUES (?, ?)",
                                      ((n, p.title) for n, p in enumerate(batch, count + 1)))
                self._read_words(f"{p.title} {p.body}" for p in batch)
                count += len(batch)
            self._record_words()
            self.conn.execute("INSERT OR REPLACE INTO meta VALUES ('fingerprint', ?)", (fingerprint,))
            self.conn.execute("INSERT INTO fts(fts) VALUES ('optimize')")
            self.conn.execute("INSERT INTO titles(titles) VALUES ('optimize')")
            self._find_common_stems(count)
        # Again: a search on another thread reads the old rows until the commit and may have
        # kept some of them meanwhile (Workspace.refresh_index rebuilds on a worker).
        self.forget_cached()

    # ------------------------------------------------------------ words and stems
    def _add_terms(self, texts: Iterable[str], *, count: bool = True) -> None:
        """Record every distinct word of ``texts`` with its porter stem and how many texts hold it.

        Both come from SQLite's own tokenizers (an unstemmed and a porter table in the temp
        schema), so a word here is split and folded exactly as the search table does it."""
        self._clear_words()
        self._read_words(texts)
        self._record_words(count=count)

    def _clear_words(self) -> None:
        """Empty the temp tables ``_read_words`` fills (made on first use)."""
        conn = self.conn
        conn.execute("CREATE VIRTUAL TABLE IF NOT EXISTS temp.words USING fts5(text, "
                     "tokenize = 'unicode61 remove_diacritics 2', detail = none)")
        conn.execute("CREATE VIRTUAL TABLE IF NOT EXISTS temp.words_vocab USING fts5vocab(temp, words, row)")
        conn.execute(f"CREATE VIRTUAL TABLE IF NOT EXISTS temp.stems USING fts5(word, tokenize = '{TOKENIZER}')")
        conn.execute("CREATE VIRTUAL TABLE IF NOT EXISTS temp.stems_vocab USING fts5vocab(temp, stems, instance)")
        conn.execute("DELETE FROM temp.words")
        conn.execute("DELETE FROM temp.stems")

    def _read_words(self, texts: Iterable[str]) -> None:
        """Add texts to the words ``_record_words`` records (a rebuild, one batch at a time)."""
        self.conn.executemany("INSERT INTO temp.words(text) VALUES (?)", ((t,) for t in texts))

    def _record_words(self, *, count: bool = True) -> None:
        """Record the words read since ``_clear_words`` in ``terms`` and ``grams`` (see ``_add_terms``)."""
        conn = self.conn
        found = conn.execute("SELECT term, doc FROM temp.words_vocab").fetchall()
        conn.executemany("INSERT INTO temp.stems(rowid, word) VALUES (?, ?)",
                         ((n, term) for n, (term, _) in enumerate(found)))
        stems = dict(conn.execute("SELECT doc, term FROM temp.stems_vocab"))
        on_conflict = "DO UPDATE SET docs = docs + excluded.docs" if count else "DO NOTHING"
        conn.executemany(
            f"INSERT INTO terms VALUES (?, ?, ?) ON CONFLICT(surface) {on_conflict}",
            ((term, stems.get(n, term), docs) for n, (term, docs) in enumerate(found)))
        conn.executemany("INSERT OR IGNORE INTO grams VALUES (?, ?, ?)",
                         ((gram, term, len(term)) for term, _ in found if typo_candidate(term) for gram in grams(term)))
        conn.execute("DELETE FROM temp.words")
        conn.execute("DELETE FROM temp.stems")

    def _find_common_stems(self, pages: int) -> None:
        """Fill ``common_stems`` from the search table's own counts (about 1 s at 100,000 pages)."""
        conn = self.conn
        conn.execute("CREATE VIRTUAL TABLE IF NOT EXISTS temp.fts_stems USING fts5vocab(main, fts, row)")
        conn.execute("INSERT INTO common_stems SELECT term FROM temp.fts_stems WHERE 2 * doc >= ?", (pages,))

    def stems(self, words: list[str]) -> dict[str, str]:
        """The porter stem of each word, from SQLite's tokenizer itself (it has no SQL function)."""
        conn = self.conn
        with transaction(conn):
            conn.execute(f"CREATE VIRTUAL TABLE IF NOT EXISTS temp.stems USING fts5(word, tokenize = '{TOKENIZER}')")
            conn.execute("CREATE VIRTUAL TABLE IF NOT EXISTS temp.stems_vocab USING fts5vocab(temp, stems, instance)")
            conn.executemany("INSERT INTO temp.stems(rowid, word) VALUES (?, ?)", enumerate(words))
            found = dict(conn.execute("SELECT doc, term FROM temp.stems_vocab"))
            conn.execute("DELETE FROM temp.stems")
        return {word: found.get(n, word) for n, word in enumerate(words)}

    # ------------------------------------------------------------ the user's notes
    def set_note(self, page_id: str, body: str, stamp: str | None) -> bool:
        """Put a note's text into the search table; False if the page is not in the library."""
        row = self.conn.execute("SELECT rowid FROM pages WHERE page_id = ?", (page_id,)).fetchone()
        if row is None:
            return False
        self.memo.clear()
        self.page_rows.pop(row[0], None)
        with transaction(self.conn):
            self.conn.execute("UPDATE fts SET note = ? WHERE rowid = ?", (plain_text(body), row[0]))
            self.conn.execute("UPDATE pages SET note_stamp = ? WHERE rowid = ?", (stamp if body else None, row[0]))
            if body:
                self._add_terms([plain_text(body)], count=False)
        return True

    def sync_notes(self, notes: Mapping[str, tuple[str, str]]) -> int:
        """Make the indexed notes match ``notes`` ({page_id: (body, updated_at)}); returns how many
        pages changed. Compares time stamps only, so a call with nothing new costs one query."""
        indexed = dict(self.conn.execute("SELECT page_id, note_stamp FROM pages WHERE note_stamp IS NOT NULL"))
        changed = 0
        for page_id, (body, stamp) in notes.items():
            if indexed.pop(page_id, None) != stamp and self.set_note(page_id, body, stamp):
                changed += 1
        for page_id in indexed:  # notes deleted since the last sync
            changed += self.set_note(page_id, "", None)
        return changed

    def page_count(self) -> int:
        return self.conn.execute("SELECT count(*) FROM pages").fetchone()[0]

    def close(self) -> None:
        """Close this thread's connection (workers close their own when their work ends)."""
        self.close_thread_connection()
