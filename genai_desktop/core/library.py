"""The content index: a disposable SQLite cache of every page, with full-text search tables.

It can be deleted at any time and is rebuilt from the packs when their fingerprint changes.
Two FTS5 tables hold the same text: ``fts_stem`` (porter stemming, so "models" finds "model")
and ``fts_prefix`` (no stemming, so a half-typed "discriminat" finds "discriminator": with
porter alone that prefix matches nothing because the stored stem is "discrimin").
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from .content import Library

INDEX_VERSION = 2
_MD_NOISE = re.compile(r"<!--.*?-->|[`*_>#|]+|\$+|\\[a-zA-Z]+|!?\[([^\]]*)\]\([^)]*\)", re.S)


@dataclass(frozen=True)
class Page:
    page_id: str  # "q:ID", "guide:ID", "topic:ID"
    kind: str
    pack: str
    title: str
    topic_id: str
    body: str


def plain_text(markdown_text: str) -> str:
    """Markdown reduced to words for indexing and snippets."""
    text = _MD_NOISE.sub(lambda m: m.group(1) or " ", markdown_text)
    return re.sub(r"\s+", " ", text).strip()


def pages_of(library: Library) -> list[Page]:
    pages: list[Page] = []
    for topic in library.topics:
        if topic.intro:
            pages.append(Page(f"topic:{topic.id}", "topic", topic.pack, topic.title, topic.id,
                              plain_text(topic.intro)))
        for q in topic.questions:
            pages.append(Page(f"q:{q.id}", "question", q.pack, q.title, topic.id,
                              plain_text(q.markdown)))
    for guide in library.guides:
        pages.append(Page(f"guide:{guide.id}", "guide", guide.pack, guide.title, "", plain_text(guide.body)))
    return pages


class ContentIndex:
    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self.conn = self._open()

    def _open(self) -> sqlite3.Connection:
        try:
            conn = sqlite3.connect(self.path, check_same_thread=False)
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = OFF")  # a cache: rebuilt if ever damaged
            if conn.execute("PRAGMA user_version").fetchone()[0] != INDEX_VERSION:
                self._create(conn)
            return conn
        except sqlite3.DatabaseError:
            # A damaged cache is simply thrown away.
            for suffix in ("", "-wal", "-shm"):
                Path(f"{self.path}{suffix}").unlink(missing_ok=True)
            conn = sqlite3.connect(self.path, check_same_thread=False)
            self._create(conn)
            return conn

    @staticmethod
    def _create(conn: sqlite3.Connection) -> None:
        conn.executescript(
            f"""
            DROP TABLE IF EXISTS meta;
            DROP TABLE IF EXISTS pages;
            DROP TABLE IF EXISTS fts_stem;
            DROP TABLE IF EXISTS fts_prefix;
            CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
            CREATE TABLE pages (
                rowid INTEGER PRIMARY KEY, page_id TEXT UNIQUE NOT NULL, kind TEXT NOT NULL,
                pack TEXT NOT NULL, topic_id TEXT NOT NULL, title TEXT NOT NULL
            );
            CREATE VIRTUAL TABLE fts_stem USING fts5(title, body, tokenize = 'porter unicode61 remove_diacritics 2');
            CREATE VIRTUAL TABLE fts_prefix USING fts5(title, body, tokenize = 'unicode61 remove_diacritics 2',
                                                      prefix = '2 3 4');
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
        self.rebuild(pages_of(library), fingerprint)
        return True

    def rebuild(self, pages: list[Page], fingerprint: str) -> None:
        with self.conn:
            self.conn.execute("DELETE FROM pages")
            self.conn.execute("DELETE FROM fts_stem")
            self.conn.execute("DELETE FROM fts_prefix")
            rows = [(n, p.page_id, p.kind, p.pack, p.topic_id, p.title) for n, p in enumerate(pages, 1)]
            self.conn.executemany("INSERT INTO pages VALUES (?, ?, ?, ?, ?, ?)", rows)
            texts = [(n, p.title, p.body) for n, p in enumerate(pages, 1)]
            self.conn.executemany("INSERT INTO fts_stem(rowid, title, body) VALUES (?, ?, ?)", texts)
            self.conn.executemany("INSERT INTO fts_prefix(rowid, title, body) VALUES (?, ?, ?)", texts)
            self.conn.execute("INSERT OR REPLACE INTO meta VALUES ('fingerprint', ?)", (fingerprint,))

    def page_count(self) -> int:
        return self.conn.execute("SELECT count(*) FROM pages").fetchone()[0]

    def close(self) -> None:
        self.conn.close()
