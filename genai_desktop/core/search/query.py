"""Search as you type over the content index: query parsing, ranking, snippets and match words.

What a user may type, and what it means:

- ``attention heads``      pages holding both words, in any form ("head" or "heads") and as a
                           prefix ("discriminat" finds "discriminator");
- ``"positional encoding"`` exactly that phrase (stemmed: "positional encodings" matches too);
- ``-rnn``, ``-"cross entropy"`` pages that do not hold the word or phrase.

Anything else (``*``, ``:``, ``(``, ``NEAR``, ``^``, a stray quote) is an ordinary character:
every word reaches FTS5 inside double quotes, so no input can make the query fail.

What it understands beyond the letters typed:

- the field's abbreviations and synonyms (the pack's glossary.toml, core/search/glossary.py), both
  ways: ``kv cache`` also finds "key-value cache", ``mixture of experts`` also finds "MoE";
- typos: a word of four letters or more that starts no word of the library is matched to the
  library's words within an edit distance of 1 (2 from six letters on), found through a trigram
  index of the vocabulary (``tranformer`` finds "transformer");
- stop words ("a", "to", "what") typed in full match only themselves and are never highlighted;
  neither are single letters.

Ranking: pages whose title matches the whole query come first, then the rest; each group is
ordered by bm25 with the title weighted above notes and notes above the body (core/search/index.py).
A loose query over a large library (more than RANKED_MOST matches) is ranked within a budget, so
that a keystroke costs about the same at 100,000 pages as at 300: see search().
When every word together matches fewer than FEW_HITS pages, the pages that match some of the
words follow (``partial``), so "attention complexity" still shows where attention's cost is
discussed. Snippets and titles carry MARK_START / MARK_END around matched words; the UI turns
them into highlighting after escaping the text.
"""

from __future__ import annotations

import bisect
import heapq
import json
import re
import sqlite3
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property, partial
from itertools import islice
from operator import itemgetter

from .index import GRAM, ContentIndex, grams, typo_candidate

KIND_LABELS = {"question": "Question", "guide": "Study guide", "topic": "Topic"}
MARK_START = "\x02"
MARK_END = "\x03"
ELLIPSIS = "…"
SNIPPET_TOKENS = 16
# A typed prefix stands for at most this many stems, the most frequent first: "tr" should not
# turn into an OR of five hundred words (each one costs time in ranking and snippets). A short
# prefix gets fewer; one more letter narrows the choice again.
MAX_EXPANSIONS = 10
EXPANSIONS_BY_LENGTH = {2: 4, 3: 6}
MIN_PREFIX = 2  # a single letter is matched as a whole word only
RANK_WINDOW = 2000  # matches a keystroke looks at, in rowid order (see search())
RANKED_MOST = 500  # of those, how many bm25 scores (5-8 µs each at 100,000 pages): 2-4 ms
MEMO_LIMIT = 5000  # memo entries (stems, prefix expansions) kept across keystrokes
FEW_HITS = 5  # fewer pages than this for all the words: pages with some of them follow
MIN_TYPO_LENGTH = 4  # shorter words are too easily another word
TYPO_CHOICES = 3  # a typo stands for at most this many words (the closest, the most common first)
STOP_WORDS = frozenset("""
a about an and are as at be been but by can do does for from has have how i if in into is it its
of on or that the their then there these this to vs was what when where which while who why will
with you your
""".split())

_TOKEN = re.compile(r'(-?)"([^"]*)"?|(\S+)')
_WORD = re.compile(r"[^\W_]+")
_NEXT_WORD_STARTED = re.compile(r"\s[^\W_]$")
_MARKED = re.compile(f"{MARK_START}(.*?){MARK_END}", re.S)


@dataclass(frozen=True)
class Query:
    words: tuple[str, ...] = ()  # each matched as a word, its other forms and as a prefix
    phrases: tuple[str, ...] = ()  # each matched as the exact sequence of its words
    excluded: tuple[str, ...] = ()  # words or phrases a page must not hold

    @property
    def is_empty(self) -> bool:
        """Nothing to look for: exclusions alone do not make a search."""
        return not (self.words or self.phrases)


@dataclass(frozen=True)
class SearchHit:
    """One result. Its marked title and snippet are made when first read: search() makes the
    first MARKED_AT_ONCE (what a result list shows before any scrolling) and leaves the rest to
    whoever shows them, so a keystroke no longer cuts fifty snippets to show seven."""

    page_id: str
    kind: str  # question, guide or topic
    topic: str  # the topic's title ("Study guide" for guides)
    title_match: bool
    score: float
    partial: bool = False  # matches only some of the words (shown after the full matches)
    # () -> (marked title, snippet, in_note); pure Python over text already read, so any thread may call it
    marking: Callable[[], tuple[str, str, bool]] = field(default=lambda: ("", "", False), repr=False, compare=False)

    @cached_property
    def _marked(self) -> tuple[str, str, bool]:
        return self.marking()

    @property
    def title(self) -> str:
        """The page's title with MARK_START/MARK_END around matched words."""
        return self._marked[0]

    @property
    def snippet(self) -> str:
        """About SNIPPET_TOKENS words from the answer, or from the user's note when ``in_note``, marked."""
        return self._marked[1]

    @property
    def in_note(self) -> bool:
        return self._marked[2]

    @property
    def plain_title(self) -> str:
        return strip_marks(self.title)

    @property
    def caption(self) -> str:
        """The line under the title in the search box: the topic, or the kind of page."""
        caption = self.topic if self.kind == "question" else KIND_LABELS.get(self.kind, self.kind)
        if self.in_note:
            caption += " · in your note"
        if self.partial:
            caption += " · some of the words"
        return caption


def fold(text: str) -> str:
    """Lower case without diacritics, as the index's tokenizer stores words."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def words_of(text: str) -> list[str]:
    return _WORD.findall(fold(text))


def parse_query(text: str) -> Query:
    words: list[str] = []
    phrases: list[str] = []
    excluded: list[str] = []
    for match in _TOKEN.finditer(text):
        negated, phrase, bare = match.group(1), match.group(2), match.group(3)
        if phrase is not None:  # "a phrase", -"a phrase", or an unclosed quote up to the end
            parts = words_of(phrase)
            if parts:
                (excluded if negated else phrases).append(" ".join(parts))
            continue
        negated = bare.startswith("-") and len(bare) > 1
        parts = words_of(bare[1:] if negated else bare)
        if negated:
            # "-gpt-4" excludes the phrase "gpt 4", as the tokenizer would split it in a page.
            if parts:
                excluded.append(" ".join(parts))
        else:
            words.extend(parts)  # "self-attention" asks for both words
    if len(words) > 1 and _NEXT_WORD_STARTED.search(text):
        # The first letter of the next word, still being typed: asking for the one-letter
        # word "l" would empty the list between "fine tuning" and "fine tuning lo".
        words.pop()
    return Query(_unique(words), _unique(phrases), _unique(excluded))


def _unique(items: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))


def _quote(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _expand(index: ContentIndex, word: str) -> list[tuple[str, str]]:
    """(word, stem) for words in the library that start with ``word``, one per stem, the most
    common first; a prefix shorter than MIN_PREFIX stands for itself only."""
    if len(word) < MIN_PREFIX:
        return []
    key = ("expand", word)
    found = index.memo.get(key)
    if found is None:
        limit = EXPANSIONS_BY_LENGTH.get(len(word), MAX_EXPANSIONS)
        found = index.conn.execute(
            "SELECT min(surface), stem FROM terms WHERE surface >= ? AND surface < ? "
            "GROUP BY stem ORDER BY sum(docs) DESC LIMIT ?", (word, word + "\U0010ffff", limit)).fetchall()
        _remember(index, {key: found})
    return found


def _remember(index: ContentIndex, entries: dict) -> None:
    """Add to the memo, emptying it first when it would pass MEMO_LIMIT (a long session of
    typing). Callers keep their own copy of what they add, so the emptying can never take away
    an answer they are about to read."""
    if len(index.memo) + len(entries) > MEMO_LIMIT:
        index.memo.clear()
    index.memo.update(entries)


def _stems(index: ContentIndex, words: list[str]) -> set[str]:
    found = {w: index.memo.get(("stem", w)) for w in words}
    missing = [w for w, stem in found.items() if stem is None]
    if missing:  # a word of the library has its stem in ``terms``; only new ones need the tokenizer
        known = dict(index.conn.execute(
            f"SELECT surface, stem FROM terms WHERE surface IN ({','.join('?' * len(missing))})", missing))
        unknown = [w for w in missing if w not in known]
        if unknown:
            known.update(index.stems(unknown))
        found.update(known)
        _remember(index, {("stem", w): stem for w, stem in known.items()})
    return {found[w] for w in words}


@dataclass(frozen=True)
class _Plan:
    """One query made ready to run: its MATCH expressions and the written forms it matches."""

    everything: str  # for the ``fts`` table
    # For the ``titles`` table: the words alone. Its answers are only ever asked about matches of
    # ``everything``, which leaves out the excluded words wherever they are in the page.
    in_titles: str
    forms: frozenset[str]
    relaxed: str | None = None  # any of the words, for when all of them find too little
    corrections: tuple[tuple[str, str], ...] = ()  # (typed, corrected) for the typos

    @cached_property
    def marker(self) -> Marker:
        """Compiled once per query (a few hundred microseconds), not once per keystroke's use."""
        return Marker(self.forms)

    @cached_property
    def word_forms(self) -> frozenset[str]:
        """The forms that can only match a whole word equal to them: plain ASCII letters and
        digits. Whether such a form marks anything in a page is whether the page has that word,
        which is what lets a page's marked title and snippet be kept across keystrokes
        (``_shown``). Every other form (a glossary phrase, an accented word) counts as present."""
        return frozenset(f for f in self.forms if f.isascii() and f.isalnum())

    @cached_property
    def other_forms(self) -> frozenset[str]:
        return self.forms - self.word_forms


def highlightable(word: str) -> bool:
    """Worth painting in a page: never a stop word or a single letter."""
    return len(word) > 1 and word.lower() not in STOP_WORDS


def _glossary(index: ContentIndex) -> dict[tuple[str, ...], tuple[str, ...]]:
    """Each glossary form (as words) -> the other forms of its term."""
    # Kept with the index's content rather than in the memo: it changes only with a rebuild,
    # and reading it again after every note edit cost the next keystroke ~5 ms.
    found = index.library_memo.get("glossary")
    if found is None:
        terms: dict[int, list[str]] = {}
        for term, form in index.conn.execute("SELECT term, form FROM synonyms ORDER BY rowid"):
            terms.setdefault(term, []).append(form)
        found = {tuple(form.split()): tuple(f for f in forms if f != form)
                 for forms in terms.values() for form in forms}
        found[()] = frozenset(form.split()[0] for forms in terms.values() for form in forms)  # first words
        index.library_memo["glossary"] = found
    return found


def warm_up(index: ContentIndex) -> None:
    """Work out now, on this thread's connection, what the first search after a rebuild would
    (the glossary's forms, the page count): the window's thread then types into a search that
    has them, after an import's rebuild as after a start."""
    _glossary(index)
    _page_count(index)


def _glossary_span(glossary: dict, words: list[str], start: int) -> int:
    """How many words from ``start`` make a glossary form (the longest), 0 if none; a plural
    "s" on the last word is allowed ("kv caches")."""
    if words[start] not in glossary[()]:  # no form starts with this word: the usual case
        return 0
    for length in range(min(6, len(words) - start), 0, -1):
        span = words[start:start + length]
        if tuple(span) in glossary or (span[-1].endswith("s") and (*span[:-1], span[-1][:-1]) in glossary):
            return length
    return 0


def _glossary_forms(glossary: dict, span: list[str]) -> tuple[str, ...]:
    return glossary.get(tuple(span)) or glossary.get((*span[:-1], span[-1][:-1]), ())


def edit_distance(a: str, b: str, most: int) -> int:
    """Levenshtein distance with transpositions (optimal string alignment); anything above
    ``most`` comes back as most + 1."""
    if abs(len(a) - len(b)) > most:
        return most + 1
    before: list[int] = []
    row = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = ca != cb
            current[j] = min(row[j] + 1, current[j - 1] + 1, row[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], before[j - 2] + 1)
        if min(current) > most:
            return most + 1
        before, row = row, current
    return row[-1]


def _fuzzy(index: ContentIndex, word: str) -> list[tuple[str, str]]:
    """(word, stem) for the library's words closest to a typo, the most common first."""
    key = ("fuzzy", word)
    found = index.memo.get(key)
    if found is None:
        most = 1 if len(word) <= 5 else 2
        wanted = sorted(grams(word))
        need = max(1, len(wanted) - GRAM * most)
        rows = index.conn.execute(
            "SELECT g.surface, t.stem, t.docs FROM grams AS g JOIN terms AS t ON t.surface = g.surface "
            f"WHERE g.gram IN ({','.join('?' * len(wanted))}) AND g.length BETWEEN ? AND ? "
            "GROUP BY g.surface HAVING count(*) >= ?",
            (*wanted, len(word) - most, len(word) + most, need)).fetchall()
        scored = sorted((edit_distance(word, surface, most), -docs, surface, stem) for surface, stem, docs in rows)
        scored = [s for s in scored if s[0] <= most]
        best = scored[0][0] if scored else 0
        found, stems = [], set()
        for distance, _, surface, stem in scored:
            if distance == best and stem not in stems and len(found) < TYPO_CHOICES:
                found.append((surface, stem))
                stems.add(stem)
        _remember(index, {key: found})
    return found


def _word_part(index: ContentIndex, word: str, typing: bool, stems: set[str],
               corrections: list[tuple[str, str]]) -> str:
    """The MATCH expression for one typed word: its prefix expansions (a stop word typed in
    full stands for itself only), or the words a typo was meant to be."""
    stop = word in STOP_WORDS
    expanded = [] if stop and not typing else _expand(index, word)
    if not expanded and not stop and len(word) >= MIN_TYPO_LENGTH and typo_candidate(word):
        expanded = _fuzzy(index, word)
        if expanded:
            corrections.append((word, expanded[0][0]))
    stems.update(stem for _, stem in expanded)
    forms = _unique([word, *(surface for surface, _ in expanded)])
    return "(" + " OR ".join(_quote(f) for f in forms) + ")"


def _plan(index: ContentIndex, query: Query) -> _Plan | None:
    if query.is_empty:
        return None
    key = ("plan", repr(query))
    cached = index.memo.get(key)
    if cached is not None:
        return cached
    parts: list[str] = []
    stems: set[str] = set()
    phrases: set[str] = set()  # glossary forms of several words, marked as a whole
    corrections: list[tuple[str, str]] = []
    glossary = _glossary(index)
    words = list(query.words)
    n = 0
    while n < len(words):
        span = _glossary_span(glossary, words, n) if len(glossary) > 1 else 0
        if span:
            own = [_word_part(index, w, n + k == len(words) - 1, stems, corrections)
                   for k, w in enumerate(words[n:n + span])]
            others = _glossary_forms(glossary, words[n:n + span])
            for form in others:
                if " " in form:
                    phrases.update((form, form + "s"))
                else:
                    stems.update(_stems(index, [form]))
            parts.append("((" + " AND ".join(own) + ") OR " + " OR ".join(_quote(f) for f in others) + ")")
            n += span
        else:
            parts.append(_word_part(index, words[n], n == len(words) - 1, stems, corrections))
            n += 1
    parts += [_quote(p) for p in query.phrases]
    typed = [w for w in (*query.words, *(w for p in query.phrases for w in p.split())) if highlightable(w)]
    if typed:
        stems.update(_stems(index, typed))
    marks = {surface for (surface,) in index.conn.execute(
        f"SELECT surface FROM terms WHERE stem IN ({','.join('?' * len(stems))})", sorted(stems))} if stems else set()
    marks = {m for m in marks if highlightable(m)} | set(typed) | phrases
    expression = " AND ".join(parts)
    relaxed = " OR ".join(parts) if len(parts) > 1 else None
    in_titles = expression
    for unwanted in query.excluded:
        expression = f"({expression}) NOT {_quote(unwanted)}"
        relaxed = relaxed and f"({relaxed}) NOT {_quote(unwanted)}"
    plan = _Plan(expression, in_titles, frozenset(marks), relaxed, tuple(corrections))
    _remember(index, {key: plan})
    return plan


def corrections(index: ContentIndex, text: str) -> list[tuple[str, str]]:
    """(typed, meant) for each typo the search corrected: "did you mean…" for the UI."""
    plan = _plan(index, parse_query(text))
    return list(plan.corrections) if plan else []


def fts_expression(index: ContentIndex, query: Query, *, title_only: bool = False) -> str | None:
    """The FTS5 MATCH expression for ``query`` over the ``fts`` table (``title_only``: a page whose
    title holds the words, exclusions applied to the whole page); None when it cannot match anything."""
    plan = _plan(index, query)
    if plan is None:
        return None
    if not title_only:
        return plan.everything
    expression = f"{{title}} : ({plan.in_titles})"
    for unwanted in query.excluded:
        expression = f"({expression}) NOT {_quote(unwanted)}"
    return expression


def search(index: ContentIndex, text: str, limit: int = 50) -> list[SearchHit]:
    """The best ``limit`` pages for what the user typed: title matches first, then by bm25.

    Ranking is exact while a query matches at most RANKED_MOST pages, so every query over a
    library of that size is (the built-in one has about 300 pages). A looser query is ranked
    within its first RANK_WINDOW matches: all their title matches (they come first), and the
    first other matches up to RANKED_MOST scored in all, without the words most pages hold
    (_scoring_expression); the list sharpens with the next letter.
    """
    plan = _plan(index, parse_query(text))
    if plan is None or limit <= 0:
        return []
    conn = index.conn
    try:
        budget = max(RANKED_MOST, limit)
        scored, in_title = _scored_matches(index, plan, limit, budget)
        best = _title_matches_first(scored, in_title, limit)
        some_words: set[int] = set()
        if len(best) < min(FEW_HITS, limit) and plan.relaxed:
            # Too little for all the words together: the pages with some of them follow, the best
            # of the first RANKED_MOST (all of them in a library of that size).
            found = {rowid for rowid, _ in best}
            first = conn.execute(f"SELECT rowid, rank FROM fts WHERE fts MATCH ? LIMIT {budget}",
                                 (plan.relaxed,)).fetchall()
            more = [c for c in heapq.nsmallest(limit, first, key=itemgetter(1)) if c[0] not in found]
            more = more[:limit - len(best)]
            some_words = {rowid for rowid, _ in more}
            best += more
        if not best:
            return []
        rows = _page_rows(index, [rowid for rowid, _ in best])
    except sqlite3.OperationalError as exc:
        # Quoting makes this unreachable for typed text; a damaged index must not crash a
        # keystroke either: it finds nothing until it is rebuilt. Either way it is recorded.
        _query_failed(index, exc)
        return []
    shown = _shown(index)
    hits = []
    for n, (rowid, rank) in enumerate(best):
        row = rows[rowid]
        hit = SearchHit(row.page_id, row.kind, row.topic, rowid in in_title, -rank, rowid in some_words,
                        partial(_marked_page, shown, plan, rowid, row))
        if n < MARKED_AT_ONCE:
            hit.title  # noqa: B018 - marked now: every list shows these at once
        hits.append(hit)
    return hits


def _title_matches_first(candidates: list[tuple[int, float]], in_title: set[int],
                         limit: int) -> list[tuple[int, float]]:
    """The best ``limit`` (rowid, rank) pairs: title matches first, each group by rank, ties in
    rowid order. The same as sorting by (not in title, rank), but the ranks are compared in C:
    a Python key for each of 2,000 candidates was a fifth of a keystroke at 100,000 pages."""
    by_rank = itemgetter(1)
    titles = [c for c in candidates if c[0] in in_title]
    best = heapq.nsmallest(limit, titles, key=by_rank)  # stable, as sorted()[:limit]
    if len(best) < limit:
        others = [c for c in candidates if c[0] not in in_title] if titles else candidates
        best += heapq.nsmallest(limit - len(best), others, key=by_rank)
    return best


def _page_count(index: ContentIndex) -> int:
    pages = index.library_memo.get("pages")
    if pages is None:
        pages = index.library_memo["pages"] = index.page_count()
    return pages


def _scored_matches(index: ContentIndex, plan: _Plan, limit: int,
                    budget: int) -> tuple[list[tuple[int, float]], set[int]]:
    """(rowid, rank) for the matches worth ranking (see search()), in rowid order, and which of
    them have the words in their title."""
    conn = index.conn
    pages = _page_count(index)
    if pages <= budget:
        # A library this small is ranked whole, in one statement (the built-in one has ~300 pages).
        scored = conn.execute("SELECT rowid, rank FROM fts WHERE fts MATCH ?", (plan.everything,)).fetchall()
        return scored, _titles_up_to(conn, plan, scored[-1][0]) if scored else set()
    window = _window(conn, plan, budget)
    if not window:
        return [], set()
    in_title = _titles_up_to(conn, plan, window[-1])
    worth = _worth_scoring(window, in_title, limit, budget)
    if worth is window:  # every match up to the window's last: the exact ranking
        return conn.execute("SELECT rowid, rank FROM fts WHERE fts MATCH ? AND rowid <= ?",
                            (plan.everything, window[-1])).fetchall(), in_title
    return _scores(conn, _scoring_expression(index, plan), worth), in_title


def _titles_up_to(conn: sqlite3.Connection, plan: _Plan, last: int) -> set[int]:
    """The title matches among the query's matches up to rowid ``last``: matches come in rowid
    order, so these are the titles table's up to it (no ranking, no bm25 statistics needed)."""
    return {rowid for (rowid,) in conn.execute(
        "SELECT rowid FROM titles WHERE titles MATCH ? AND rowid <= ?", (plan.in_titles, last))}


def _window(conn: sqlite3.Connection, plan: _Plan, budget: int) -> list[int]:
    """The query's first RANK_WINDOW matches (rowids, ascending), or its first ``budget`` + 1 when
    no title match follows them: past those, only title matches are ever scored (_worth_scoring).
    Rowids only: FTS5 finds a match in about a microsecond, where bm25 costs 5-8 µs to score one
    at 100,000 pages; but a query whose matches are spread thin reads much of the library to find
    2,000 of them (5 ms), and the titles table tells in a fraction of that whether it must."""
    window = [rowid for (rowid,) in conn.execute(
        f"SELECT rowid FROM fts WHERE fts MATCH ? LIMIT {budget + 1}", (plan.everything,))]
    more = RANK_WINDOW - len(window)
    if len(window) > budget and more > 0 and conn.execute(
            "SELECT 1 FROM titles WHERE titles MATCH ? AND rowid > ? LIMIT 1", (plan.in_titles, window[-1])).fetchone():
        window += [rowid for (rowid,) in conn.execute(
            f"SELECT rowid FROM fts WHERE fts MATCH ? AND rowid > ? LIMIT {more}", (plan.everything, window[-1]))]
    return window


def _worth_scoring(window: list[int], in_title: set[int], limit: int, budget: int) -> list[int]:
    """The matches of ``window`` (rowids, ascending) that bm25 scores: all of them while they are
    at most ``budget`` (RANKED_MOST, or ``limit`` if more); else the title matches (shown first),
    and when they cannot fill the list, the first other matches up to ``budget`` in all.
    Ascending, as ``window``."""
    if len(window) <= budget:
        return window
    titles = [rowid for rowid in window if rowid in in_title]
    if len(titles) >= limit:
        return titles[:budget]  # only title matches can be shown
    others = islice((rowid for rowid in window if rowid not in in_title), budget - len(titles))
    return sorted([*titles, *others])


def _scores(conn: sqlite3.Connection, expression: str, rowids: list[int]) -> list[tuple[int, float]]:
    """(rowid, rank) for each of ``rowids`` (ascending), by bm25 over ``expression``; 0.0 (after
    every real score) for a row it does not match (see _scoring_expression)."""
    # "+rowid" keeps the list away from FTS5, which would run the whole query again for each
    # rowid of an IN (seconds); filtered here, the rows left out are never scored, as FTS5
    # computes ``rank`` only for a row whose rank is read.
    ranks = dict(conn.execute(
        "SELECT rowid, rank FROM fts WHERE fts MATCH ? AND rowid BETWEEN ? AND ? "
        "AND +rowid IN (SELECT value FROM json_each(?))",
        (expression, rowids[0], rowids[-1], json.dumps(rowids)))) if expression else {}
    return [(rowid, ranks.get(rowid, 0.0)) for rowid in rowids]


_PHRASE = re.compile(r'"(?:[^"]|"")*"')


def _scoring_expression(index: ContentIndex, plan: _Plan) -> str:
    """What bm25 scores the chosen matches of a loose query with: ``plan.everything``, less the
    words whose stem is in at least half the pages (the index's ``common_stems``). FTS5 gives such
    a word a weight of 1e-6 (its idf clamped), yet counts its pages for every query it is in:
    "model" cost 4 ms of each "mo…" keystroke at 100,000 pages, "train" as much of each "tr…".
    A page's bm25 is a sum over the query's phrases, whatever joins them, so the OR of the other
    phrases scores each page as the whole query does, to within a few millionths; a page holding
    none of them is worth that little, and is given 0. "" when no phrase is left."""
    key = ("scoring", plan.everything)
    found = index.memo.get(key)
    if found is None:
        phrases = _PHRASE.findall(plan.in_titles)  # the excluded words score nothing
        words = [phrase[1:-1].replace('""', '"') for phrase in phrases]
        common = {surface for (surface,) in index.conn.execute(
            "SELECT t.surface FROM terms AS t JOIN common_stems AS c ON c.stem = t.stem "
            f"WHERE t.surface IN ({','.join('?' * len(words))})", words)}
        kept = [phrase for phrase, word in zip(phrases, words, strict=True) if word not in common]
        found = plan.everything if len(kept) == len(phrases) else " OR ".join(kept)
        _remember(index, {key: found})
    return found


# Results marked by search() itself: as many as a result list shows before scrolling (the search
# box shows about seven); the rest are marked when read.
MARKED_AT_ONCE = 10
SHOWN_LIMIT = 3000  # marked titles and snippets kept between keystrokes (see _shown)


def _shown(index: ContentIndex) -> dict[tuple, tuple[str, str, bool]]:
    """Marked titles and snippets of the pages recently shown, by (rowid, the query's forms that
    can match in that page). Typing "decod", "decode", "decoder" changes the query's forms but
    not the ones a given page holds, so most results of a keystroke were cut and marked at the
    one before: marking was two thirds of a search. Kept in the memo, so whatever empties it (a
    rebuild, a note edited) empties these too."""
    shown = index.memo.get(("shown", ""))
    if shown is None or len(shown) >= SHOWN_LIMIT:
        shown = {}
        _remember(index, {("shown", ""): shown})
    return shown


def _marked_page(shown: dict, plan: _Plan, rowid: int, row: _PageRow) -> tuple[str, str, bool]:
    """(marked title, snippet, whether the snippet is from the user's note) for one result."""
    words = row.words
    key = None
    if words is not None:
        # The spans a form marks depend only on whether the page has the word equal to it:
        # forms the page lacks change nothing (see _Plan.word_forms).
        key = (rowid, plan.other_forms, plan.word_forms.intersection(words))
        found = shown.get(key)
        if found is not None:
            return found
    marker = plan.marker
    note_snippet, in_note = marker.snippet(row.note) if row.note else ("", False)
    snippet = note_snippet if in_note else marker.snippet(row.body, scanned=row.scanned)[0]
    found = (marker.mark(row.title), snippet, in_note)
    if key is not None:
        shown[key] = found
    return found


class _PageRow:
    """A result's page as search shows it, read once and kept across keystrokes (index.page_rows),
    with what marking it needs made on first use: the body ready for scanning and the set of
    its words."""

    __slots__ = ("page_id", "kind", "topic", "title", "body", "note", "_scanned", "_words")

    def __init__(self, page_id: str, kind: str, topic: str, title: str, body: str, note: str) -> None:
        self.page_id, self.kind, self.topic, self.title, self.body, self.note = page_id, kind, topic, title, body, note
        self._scanned: str | None | bool = False  # False: not made yet (None means "cannot be")
        self._words: frozenset[str] | None | bool = False

    @property
    def scanned(self) -> str | None:
        if self._scanned is False:
            self._scanned = scannable(self.body)
        return self._scanned

    @property
    def words(self) -> frozenset[str] | None:
        """Every word of the title, body and note as the marker sees them (lower case); None when
        lower-casing changes a text's length (a rare letter): the marker then matches such a
        text case-insensitively, where a word set would not say what it finds."""
        if self._words is False:
            texts = (self.title, self.body, self.note)
            lowered = [text.lower() for text in texts]
            same = all(len(low) == len(text) for low, text in zip(lowered, texts, strict=True))
            self._words = frozenset(_WORD.findall("\n".join(lowered))) if same else None
        return self._words


PAGE_ROWS_LIMIT = 4000  # pages kept across keystrokes (a few MB at most)
WORD_START = "\x01"  # stands in, in a scannable text, for the separator before each word
_BEFORE_A_WORD = re.compile(r"[\W_](?=[^\W_])")


def scannable(text: str) -> str | None:
    """``text`` lower-cased, with every separator that comes before a word replaced by
    WORD_START and one more WORD_START in front: the same length plus one,
    so offset ``i`` here is offset ``i - 1`` in ``text``. A pattern that starts with the
    literal WORD_START then lets the regex engine jump from word start to word start, instead
    of finding "he" inside every "the" and throwing it away in Python (3x faster per page).
    None when lower-casing changes the length (a rare letter): offsets would drift."""
    lower = text.lower()
    if len(lower) != len(text):
        return None
    return WORD_START + _BEFORE_A_WORD.sub(WORD_START, lower)


def _page_rows(index: ContentIndex, rowids: list[int]) -> dict[int, _PageRow]:
    """The rows ``rowids`` show in the results, read once and kept across keystrokes."""
    kept = index.page_rows
    missing = [rowid for rowid in rowids if rowid not in kept]
    if missing:
        if len(kept) + len(missing) > PAGE_ROWS_LIMIT:
            kept.clear()
            missing = rowids
        # Snippets are cut here rather than by FTS5's snippet(): that would run the whole
        # query again for every row (measured: 3-5 ms for 50 rows at 100k, this takes ~1).
        kept.update((row[0], _PageRow(*row[1:])) for row in index.conn.execute(
            "SELECT f.rowid, p.page_id, p.kind, p.topic_title, f.title, f.body, f.note "
            "FROM fts AS f JOIN pages AS p ON p.rowid = f.rowid "
            f"WHERE f.rowid IN ({','.join(str(rowid) for rowid in missing)})"))
    return {rowid: kept[rowid] for rowid in rowids}


def _trie_pattern(words: frozenset[str]) -> str:
    """One regex for many words with shared prefixes merged ("de(?:sign|pend)"): the engine
    then tries each position once per first letter, not once per word (2x faster here)."""
    trie: dict = {}
    for word in words:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def build(node: dict) -> str:
        # A space in a form (a glossary phrase, "key value cache") stands for any gap between
        # words: "key-value cache" matches it.
        branches = [(r"[\W_]+" if char == " " else re.escape(char)) + build(child)
                    for char, child in sorted(node.items()) if char]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body

    return build(trie)


class Marker:
    """Finds the query's words in a text (every written form of their stems, whole words only,
    any case) with one compiled regex over the lower-cased text. A pattern that starts with
    literals lets the regex engine skip ahead; a look-behind or re.I first made it 16x slower."""

    def __init__(self, forms: frozenset[str]) -> None:
        self.trie = _trie_pattern(forms)
        self.pattern = re.compile(f"(?:{self.trie})(?![^\\W_])") if forms else None
        self._scan_pattern: re.Pattern | None = None

    def spans(self, text: str, start: int = 0, end: int | None = None, most: int = 400,
              scanned: str | None = None) -> list[tuple[int, int]]:
        """``scanned``: ``scannable(text)`` when the caller keeps it (a whole text only)."""
        if self.pattern is None:
            return []
        end = len(text) if end is None else end
        if scanned is not None and start == 0 and end == len(text):
            if self._scan_pattern is None:
                self._scan_pattern = re.compile(f"{WORD_START}(?:{self.trie})(?![^\\W_])")
            # A match starts at the WORD_START before its word: one to the left in ``text``.
            matches = ((m.start(), m.end() - 1) for m in self._scan_pattern.finditer(scanned))
        else:
            # Only the part asked for is lowered: mark() asks for a snippet's few words of a long
            # answer, or a title; in so little text, matches inside words cost little to skip.
            piece = text[start:end]
            lower = piece.lower()
            if len(lower) != len(piece):  # a rare letter whose lower case is longer: offsets would drift
                slow = re.compile(f"(?<![^\\W_])(?:{self.trie})(?![^\\W_])", re.I)  # compiling costs ms: only here
                matches = (m.span() for m in slow.finditer(text, start, end))
            else:
                matches = ((m.start() + start, m.end() + start) for m in self.pattern.finditer(lower)
                           if m.start() + start == 0 or not text[m.start() + start - 1].isalnum())
        return list(islice(matches, most))

    def mark(self, text: str, start: int = 0, end: int | None = None) -> str:
        """``text[start:end]`` with MARK_START/MARK_END around each match."""
        end = len(text) if end is None else end
        pieces, position = [], start
        for span_start, span_end in self.spans(text, start, end, most=10_000):
            pieces += [text[position:span_start], MARK_START, text[span_start:span_end], MARK_END]
            position = span_end
        pieces.append(text[position:end])
        return "".join(pieces)

    @staticmethod
    def _best_cluster(text: str, spans: list[tuple[int, int]], reach: int) -> int:
        """Where the best cluster starts: the span followed, within ``reach`` characters (about
        a snippet's words), by the most different words, then the most matches, then the first."""
        starts = [s for s, _ in spans]
        words = [text[s:e].lower() for s, e in spans]

        def score(n: int) -> tuple[int, int, int]:
            near = words[n:bisect.bisect_left(starts, starts[n] + reach)]
            return len(set(near)), len(near), -n

        return starts[max(range(len(spans)), key=score)]

    def snippet(self, text: str, length: int = SNIPPET_TOKENS, scanned: str | None = None) -> tuple[str, bool]:
        """About ``length`` words of ``text`` around its best cluster of matches (the most
        different query words, then the most matches), marked; True if anything matched."""
        # the best cluster is almost always among the first ones
        spans = self.spans(text, most=12, scanned=scanned)
        start = 0
        if spans:
            best = spans[0][0] if len(spans) == 1 else self._best_cluster(text, spans, length * 7)
            before = [m.start() for m in _WORD.finditer(text, max(0, best - 60), best)]
            start = before[-2] if len(before) >= 2 else (before[0] if before else best)
            if start <= 60 and len(_WORD.findall(text, 0, start)) <= 2:
                start = 0  # close to the beginning: show it from the first word
        shown = list(islice(_WORD.finditer(text, start), length))
        end = shown[-1].end() if shown else len(text)
        body = self.mark(text, start, end).strip()
        more = _WORD.search(text, end) is not None
        return (ELLIPSIS if start else "") + body + (ELLIPSIS if more else ""), bool(spans)


def matched_words(index: ContentIndex, text: str, page_id: str) -> list[str]:
    """The words and phrases of one page that ``text`` matched, as written in the page, for
    highlighting it in the reader (longest first, so a phrase wins over its own words)."""
    plan = _plan(index, parse_query(text))
    if plan is None:
        return []
    row = None
    for expression in (plan.everything, plan.relaxed):  # a partial match: the words it has
        if expression is None:
            continue
        try:
            row = index.conn.execute(
                f"SELECT highlight(fts, 0, '{MARK_START}', '{MARK_END}'), "
                f"highlight(fts, 1, '{MARK_START}', '{MARK_END}'), "
                f"highlight(fts, 2, '{MARK_START}', '{MARK_END}') FROM fts WHERE fts MATCH ? AND rowid = "
                "(SELECT rowid FROM pages WHERE page_id = ?)", (expression, page_id)).fetchone()
        except sqlite3.OperationalError as exc:
            _query_failed(index, exc)
            return []
        if row is not None:
            break
    if row is None:
        return []
    found = {m.lower(): m for column in row for m in _MARKED.findall(column) if m.strip() and highlightable(m.strip())}
    return sorted(found.values(), key=lambda w: (-len(w), w.lower()))


def _query_failed(index: ContentIndex, exc: sqlite3.OperationalError) -> None:
    import logging

    index.last_error = str(exc)
    logging.getLogger(__name__).error("search query failed: %s", exc)


def strip_marks(text: str) -> str:
    return text.replace(MARK_START, "").replace(MARK_END, "")


def marked_spans(text: str) -> list[tuple[str, bool]]:
    """``text`` cut into (piece, is_match) pairs, for whoever draws the highlighting."""
    spans: list[tuple[str, bool]] = []
    position = 0
    for match in _MARKED.finditer(text):
        if match.start() > position:
            spans.append((text[position:match.start()], False))
        spans.append((match.group(1), True))
        position = match.end()
    if position < len(text):
        spans.append((strip_marks(text[position:]), False))
    return spans
