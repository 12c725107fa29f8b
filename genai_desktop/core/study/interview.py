"""Interview practice: timed mock interviews checked against each question's key points.

A mock is a handful of questions answered aloud (or as a typed outline) against a clock. After
each answer the key points become a checklist; the share of points covered proposes a flashcard
rating (``rating_for``), and the attempt is stored together with that rating recorded as a
review of the question's card, through ``StudySession.answer`` like the Flashcards view, in one
transaction: practice moves the FSRS schedule and shows in the statistics.

Readiness (per topic and overall) blends recent mock coverage with the flashcards' recall
probability; see ``readiness`` and the README.

No Qt here; times come from an injectable clock.
"""

from __future__ import annotations

import html
import json
import random
import re
import sqlite3
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from fsrs import Rating

from ..content.library import LEVEL_NAMES, Library, Question
from ..store.db import fault_point, transaction
from .session import (
    NEW,
    RATING_NAMES,
    Clock,
    Scope,
    StudySession,
    StudySettings,
    card_from_row,
    format_duration,
    iso,
    system_clock,
)

MIN_QUESTIONS, MAX_QUESTIONS = 1, 20
MIN_MINUTES, MAX_MINUTES = 1, 10
MAX_THINKING_SECONDS = 120
WARNING_SECONDS = 30  # the calm "30 s left" warning
MAX_POINTS_KEYED = 6  # keys 1-6 toggle the first six points
SCOPE_KINDS = ("topic", "level", "milestone", "bookmarks", "weakest", "mixed")
SCOPE_NAMES = {"topic": "Topic", "level": "Level", "milestone": "Roadmap milestone", "bookmarks": "Bookmarks",
               "weakest": "My weakest", "mixed": "Mixed (most asked first)"}

# Readiness: how much recent mock coverage counts against the flashcards' recall probability,
# and how far back a mock still counts.
MOCK_WEIGHT = 0.6
RECALL_WEIGHT = 1 - MOCK_WEIGHT
RECENT_DAYS = 30


# ---------------------------------------------------------------- key points and the rating rule

_BULLET = re.compile(r"^\s{0,3}[-*+]\s+")


def key_points(markdown: str) -> list[str]:
    """The checklist of a question: one entry per top-level ``- `` bullet (indented lines join
    the bullet above). Key points that are not a list (an imported paragraph) are one point."""
    points: list[str] = []
    loose: list[str] = []
    for line in markdown.splitlines():
        if not line.strip():
            continue
        if _BULLET.match(line) and not line.startswith("    "):
            points.append(_BULLET.sub("", line).strip())
        elif points:
            points[-1] += " " + line.strip()
        else:
            loose.append(line.strip())
    if loose and points:
        points.insert(0, " ".join(loose))
    elif loose:
        points = [" ".join(loose)]
    return points


def rating_for(ticked: int, total: int) -> Rating:
    """Coverage to a flashcard rating: under 50 % Again, under 75 % Hard, under 100 % Good, all Easy."""
    if total <= 0:
        return Rating.Good
    coverage = ticked / total
    if coverage < 0.5:
        return Rating.Again
    if coverage < 0.75:
        return Rating.Hard
    if coverage < 1:
        return Rating.Good
    return Rating.Easy


def point_html(point: str) -> str:
    """A key point's light markdown (``code``, **bold**, *italic*, inline ``$math$``) as label
    HTML. A checklist row is a plain label, so formulas become text: Greek letters and symbols in
    Unicode, sub- and superscripts as tags (``$p(x \\mid c)$`` reads "p(x | c)")."""
    parts = re.split(r"(?<!\\)\$([^$]+)\$", point)
    out = []
    for n, part in enumerate(parts):
        if n % 2:
            out.append(f"<i>{math_html(part)}</i>")
            continue
        text = html.escape(part.replace("\\$", "$"))
        text = re.sub(r"`([^`]+)`", r"<code>\1</code>", text)
        text = re.sub(r"\*\*([^*]+)\*\*", r"<b>\1</b>", text)
        out.append(re.sub(r"(?<![\w*])\*([^*\s][^*]*)\*(?!\w)", r"<i>\1</i>", text))
    return "".join(out)


_GREEK = dict(zip(
    "alpha beta gamma delta epsilon varepsilon zeta eta theta lambda mu nu xi pi rho sigma tau phi varphi chi psi "
    "omega Gamma Delta Theta Lambda Pi Sigma Phi Psi Omega".split(),
    "α β γ δ ε ε ζ η θ λ μ ν ξ π ρ σ τ φ φ χ ψ ω Γ Δ Θ Λ Π Σ Φ Ψ Ω".split(), strict=True))
_SYMBOLS = {"mid": "|", "approx": "≈", "odot": "⊙", "top": "ᵀ", "cdot": "·", "times": "×", "ge": "≥", "geq": "≥",
            "le": "≤", "leq": "≤", "propto": "∝", "succ": "≻", "partial": "∂", "nabla": "∇", "dots": "…",
            "ldots": "…", "cdots": "⋯", "varnothing": "∅", "emptyset": "∅", "sum": "Σ", "prod": "Π", "infty": "∞",
            "to": "→", "rightarrow": "→", "leftarrow": "←", "in": "∈", "neq": "≠", "ne": "≠", "sim": "∼",
            "langle": "⟨", "rangle": "⟩", "quad": " ", "qquad": " ", "oplus": "⊕", "otimes": "⊗", "pm": "±",
            "forall": "∀", "exists": "∃", "lVert": "‖", "rVert": "‖", "Vert": "‖", "ell": "ℓ"}
_ACCENTS = {"bar": "\u0304", "tilde": "\u0303", "hat": "\u0302", "vec": "\u20d7", "dot": "\u0307"}
_BLACKBOARD = {"E": "𝔼", "R": "ℝ", "N": "ℕ", "Z": "ℤ", "P": "ℙ"}


def math_html(latex: str) -> str:
    """Inline LaTeX as readable label HTML (not typesetting: a checklist row is one line of text)."""
    text = html.escape(latex)
    text = re.sub(r"\\(left|right|big|Big|bigg|Bigg)\b", "", text)
    text = re.sub(r"\\[,;:! ]", " ", text)
    text = text.replace("\\{", "\x00").replace("\\}", "\x01")  # literal braces survive the clean-up
    text = re.sub(r"\^(?:\{\\top\}|\\top\b)", "ᵀ", text).replace("\\|", "‖")
    text = re.sub(r"\\([A-Za-z]+)", lambda m: _GREEK.get(m.group(1), m.group(0)), text)
    text = re.sub(r"\\mathbb\{(\w)\}", lambda m: _BLACKBOARD.get(m.group(1), m.group(1)), text)
    text = re.sub(r"\\(?:mathrm|text|operatorname|mathbf|mathcal|mathit|textbf|mathsf)\{([^{}]*)\}", r"\1", text)
    text = re.sub(r"\\(bar|tilde|hat|vec|dot)\{(\w)\}", lambda m: m.group(2) + _ACCENTS[m.group(1)], text)
    text = re.sub(r"\\(bar|tilde|hat|vec|dot)\{([^{}]*)\}", r"\2", text)
    text = re.sub(r"\\sqrt\{(\w)\}", r"√\1", text)
    text = re.sub(r"\\sqrt\{([^{}]*)\}", r"√(\1)", text)
    for _ in range(3):  # nested fractions, innermost first
        text = re.sub(r"\\frac\{([^{}]*)\}\{([^{}]*)\}",
                      lambda m: "/".join(f"({p})" if len(p) > 1 and not p.isalnum() else p for p in m.groups()),
                      text)

    def command(match: re.Match) -> str:
        name = match.group(1)
        return _GREEK.get(name) or _SYMBOLS.get(name) or name  # \log, \exp, \max, \tanh read as words

    text = re.sub(r"\\([A-Za-z]+)", command, text)
    for mark, tag in (("^", "sup"), ("_", "sub")):
        text = re.sub(re.escape(mark) + r"\{([^{}]*)\}", rf"<{tag}>\1</{tag}>", text)
        text = re.sub(re.escape(mark) + r"([^\s{}<])", rf"<{tag}>\1</{tag}>", text)
    text = text.replace("{", "").replace("}", "")
    return text.replace("\x00", "{").replace("\x01", "}").strip()


# ---------------------------------------------------------------- setting up a mock

@dataclass(frozen=True)
class MockSetup:
    kind: str = "mixed"
    value: str = ""  # the topic, level or milestone id
    count: int = 5
    minutes: int = 3
    thinking_seconds: int = 0

    def validated(self) -> MockSetup:
        if self.kind not in SCOPE_KINDS:
            raise ValueError(f"unknown mock scope {self.kind!r}")
        if not MIN_QUESTIONS <= self.count <= MAX_QUESTIONS:
            raise ValueError(f"a mock has {MIN_QUESTIONS} to {MAX_QUESTIONS} questions")
        if not MIN_MINUTES <= self.minutes <= MAX_MINUTES:
            raise ValueError(f"an answer gets {MIN_MINUTES} to {MAX_MINUTES} minutes")
        if not 0 <= self.thinking_seconds <= MAX_THINKING_SECONDS:
            raise ValueError(f"thinking time is 0 to {MAX_THINKING_SECONDS} seconds")
        return self

    def label(self, library: Library) -> str:
        if self.kind == "topic":
            topic = library.topic(self.value)
            return topic.title if topic else self.value
        if self.kind == "level":
            return LEVEL_NAMES.get(self.value, self.value)
        if self.kind == "milestone":
            milestone = library.milestone(self.value)
            return milestone.title if milestone else self.value
        return SCOPE_NAMES[self.kind]

    def to_dict(self) -> dict:
        return {"kind": self.kind, "value": self.value, "count": self.count, "minutes": self.minutes,
                "thinking_seconds": self.thinking_seconds}

    @classmethod
    def from_dict(cls, data: object) -> MockSetup | None:
        try:
            return cls(**{k: data[k] for k in ("kind", "value", "count", "minutes", "thinking_seconds")}).validated()
        except (TypeError, KeyError, ValueError):
            return None


def _pool(library: Library, setup: MockSetup, bookmarks: Iterable[str]) -> list[str]:
    if setup.kind in ("topic", "level", "milestone", "bookmarks"):
        return Scope(setup.kind, setup.value).question_ids(library, bookmarks)
    return [q.id for q in library.questions()]


def _asked_weight(question: Question) -> float:
    """How often a question is asked: each source entry is one interview list it came from."""
    return 1.0 + len(question.sources)


def choose_questions(conn: sqlite3.Connection, library: Library, setup: MockSetup, *,
                     bookmarks: Iterable[str] = (), rng: random.Random | None = None,
                     clock: Clock = system_clock) -> list[str]:
    """The questions of a mock, in the order they are asked.

    topic / level / milestone / bookmarks: a random draw from that scope. mixed: a draw over the
    whole library weighted toward the most asked questions (more sources). weakest: the
    questions you know least (lowest recall probability, worst last coverage; studied ones
    first, then never-studied ones, most asked first)."""
    setup.validated()
    rng = rng or random.Random()
    pool = _pool(library, setup, bookmarks)
    if setup.kind == "weakest":
        return weakest_questions(conn, library, pool, setup.count, clock=clock)
    if setup.kind == "mixed":
        chosen: list[str] = []
        keys = []
        for qid in pool:
            question = library.question(qid)
            weight = _asked_weight(question) if question else 1.0
            keys.append((rng.random() ** (1.0 / weight), qid))  # weighted sampling without replacement
        keys.sort(reverse=True)
        chosen = [qid for _key, qid in keys[:setup.count]]
        return chosen
    pool = list(pool)
    rng.shuffle(pool)
    return pool[:setup.count]


def recall_probabilities(conn: sqlite3.Connection, question_ids: list[str],
                         clock: Clock = system_clock) -> dict[str, float]:
    """FSRS recall probability now of each studied (not new) card among ``question_ids``, as
    the flashcards count it: study days since the last review, the user's fitted weights."""
    if not question_ids:
        return {}
    scheduler = StudySettings.load(conn).scheduler()
    now = clock()
    found: dict[str, float] = {}
    for row in conn.execute("SELECT question_id, card_id, state, step, stability, difficulty, due, last_review "
                            "FROM cards WHERE question_id IN (SELECT value FROM json_each(?)) AND state != ?",
                            (json.dumps(sorted(set(question_ids))), NEW)):
        card = card_from_row(row)
        if card is not None:
            found[row[0]] = scheduler.get_card_retrievability(card, now)
    return found


def last_coverage(conn: sqlite3.Connection, since: datetime | None = None) -> dict[str, float]:
    """Each question's coverage at its latest attempt (since ``since``)."""
    found: dict[str, float] = {}
    for qid, ticked, total in conn.execute(
            "SELECT question_id, points_ticked, points_total FROM attempts WHERE created_at >= ? "
            "ORDER BY created_at, id", (iso(since) if since else "",)):
        found[qid] = _coverage(ticked, total)
    return found


def _coverage(ticked_json: str, total: int) -> float:
    try:
        ticked = len(json.loads(ticked_json))
    except (ValueError, TypeError):
        ticked = 0
    return min(1.0, ticked / total) if total else 0.0


def weakest_questions(conn: sqlite3.Connection, library: Library, pool: list[str], count: int, *,
                      clock: Clock = system_clock) -> list[str]:
    recall = recall_probabilities(conn, pool, clock)
    coverage = last_coverage(conn)
    studied = []
    for qid in pool:
        if qid in recall or qid in coverage:
            parts = [v for v in (recall.get(qid), coverage.get(qid)) if v is not None]
            studied.append((sum(parts) / len(parts), qid))
    studied.sort()
    chosen = [qid for _score, qid in studied[:count]]
    if len(chosen) < count:
        rest = [q for q in pool if q not in recall and q not in coverage]
        rest.sort(key=lambda q: -_asked_weight(library.question(q)) if library.question(q) else 0)
        chosen += rest[:count - len(chosen)]
    return chosen


# ---------------------------------------------------------------- a mock and its attempts

@dataclass
class Attempt:
    uid: str
    question_id: str
    mock_id: str
    started_at: str
    seconds_used: int
    seconds_allowed: int
    points_total: int
    points_ticked: list[int]
    outline: str
    rating: int
    review_uid: str | None
    created_at: str

    @property
    def coverage(self) -> float:
        return min(1.0, len(self.points_ticked) / self.points_total) if self.points_total else 0.0


_ATTEMPT_COLUMNS = ("uid, question_id, mock_id, started_at, seconds_used, seconds_allowed, points_total, "
                    "points_ticked, outline, rating, review_uid, created_at")


def record_attempt(conn: sqlite3.Connection, question_id: str, *, mock_id: str, started_at: datetime,
                   seconds_used: float, seconds_allowed: int, points_total: int, ticked: Iterable[int],
                   rating: Rating | int, outline: str = "", settings: StudySettings | None = None,
                   clock: Clock = system_clock) -> Attempt:
    """Store an answered mock question and record its rating as a review of its card, as one
    transaction: both land or neither does."""
    ticked_list = sorted({int(i) for i in ticked if 0 <= int(i) < points_total})
    rating = Rating(int(rating))
    uid = uuid.uuid4().hex
    with transaction(conn):
        session = StudySession.for_question(conn, question_id, settings or StudySettings.load(conn), clock)
        review_uid = session.answer(rating, duration_ms=int(max(0.0, seconds_used) * 1000))
        fault_point("attempt")
        attempt = Attempt(uid, question_id, mock_id, iso(started_at), int(round(max(0.0, seconds_used))),
                          int(seconds_allowed), int(points_total), ticked_list, outline, int(rating), review_uid,
                          iso(clock()))
        conn.execute(f"INSERT INTO attempts ({_ATTEMPT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                     _attempt_row(attempt))
    return attempt


def _attempt_row(a: Attempt) -> tuple:
    return (a.uid, a.question_id, a.mock_id, a.started_at, a.seconds_used, a.seconds_allowed, a.points_total,
            json.dumps(a.points_ticked), a.outline, a.rating, a.review_uid, a.created_at)


def attempts(conn: sqlite3.Connection, mock_id: str | None = None) -> list[Attempt]:
    where, args = ("WHERE mock_id = ?", (mock_id,)) if mock_id else ("", ())
    found = []
    for row in conn.execute(f"SELECT {_ATTEMPT_COLUMNS} FROM attempts {where} ORDER BY created_at, id", args):
        values = list(row)
        try:
            values[7] = [int(i) for i in json.loads(values[7])]
        except (ValueError, TypeError):
            values[7] = []
        found.append(Attempt(*values))
    return found


@dataclass
class MockAnswer:
    """One question of a running mock: what was shown, the time used and what was ticked."""

    question_id: str
    points: list[str]
    started_at: datetime | None = None
    seconds_used: float = 0.0
    outline: str = ""
    ticked: set[int] = field(default_factory=set)
    rating: Rating | None = None  # chosen or confirmed; None until the checklist is confirmed
    attempt: Attempt | None = None

    @property
    def proposed(self) -> Rating:
        return rating_for(len(self.ticked), len(self.points))

    @property
    def coverage(self) -> float:
        return len(self.ticked) / len(self.points) if self.points else 0.0

    def missed(self) -> list[str]:
        return [p for i, p in enumerate(self.points) if i not in self.ticked]


@dataclass
class Mock:
    """A mock interview in progress (the UI drives it; attempts are stored as each is confirmed)."""

    id: str
    setup: MockSetup
    label: str
    answers: list[MockAnswer]
    started_at: datetime

    @classmethod
    def start(cls, conn: sqlite3.Connection, library: Library, setup: MockSetup, *, bookmarks: Iterable[str] = (),
              rng: random.Random | None = None, clock: Clock = system_clock,
              question_ids: list[str] | None = None) -> Mock:
        """A new mock; ``question_ids`` repeats a set ("Again") instead of choosing one."""
        ids = question_ids if question_ids is not None else choose_questions(
            conn, library, setup, bookmarks=bookmarks, rng=rng, clock=clock)
        answers = [MockAnswer(qid, key_points(q.key_points) or ["The main idea of the answer"])
                   for qid in ids if (q := library.question(qid)) is not None]
        return cls(uuid.uuid4().hex, setup, setup.label(library), answers, clock())

    @property
    def question_ids(self) -> list[str]:
        return [a.question_id for a in self.answers]

    def confirm(self, conn: sqlite3.Connection, index: int, rating: Rating | int | None = None, *,
                settings: StudySettings | None = None, clock: Clock = system_clock) -> Attempt:
        """Store answer ``index`` with its rating (the proposed one unless given)."""
        answer = self.answers[index]
        answer.rating = Rating(int(rating)) if rating is not None else answer.proposed
        answer.attempt = record_attempt(
            conn, answer.question_id, mock_id=self.id, started_at=answer.started_at or clock(),
            seconds_used=answer.seconds_used, seconds_allowed=self.setup.minutes * 60,
            points_total=len(answer.points), ticked=answer.ticked, rating=answer.rating, outline=answer.outline,
            settings=settings, clock=clock)
        return answer.attempt

    def done(self) -> list[MockAnswer]:
        return [a for a in self.answers if a.attempt is not None]

    def totals(self) -> tuple[int, int]:
        """(points ticked, points asked) over the confirmed answers."""
        done = self.done()
        return sum(len(a.ticked) for a in done), sum(len(a.points) for a in done)

    def missed_question_ids(self) -> list[str]:
        return [a.question_id for a in self.done() if a.missed()]


def report_markdown(mock: Mock, library: Library) -> str:
    """The mock as a markdown report: each question with its time, coverage, rating, the points
    covered and missed, and the outline typed."""
    ticked, total = mock.totals()
    local = mock.started_at.astimezone()
    lines = [f"# Mock interview: {mock.label}", "",
             f"{local:%Y-%m-%d %H:%M} · {len(mock.done())} of {len(mock.answers)} questions answered · "
             f"{mock.setup.minutes} min per answer", "",
             f"**Total coverage: {ticked}/{total} key points ({ticked / total:.0%})**" if total else
             "**No question was answered.**", ""]
    for n, answer in enumerate(mock.done(), 1):
        question = library.question(answer.question_id)
        title = question.title if question else answer.question_id
        lines += [f"## {n}. {title}", "",
                  f"Time {format_duration(answer.seconds_used)} of {mock.setup.minutes} min · coverage "
                  f"{len(answer.ticked)}/{len(answer.points)} ({answer.coverage:.0%}) · rated "
                  f"{RATING_NAMES[answer.rating]}", ""]
        lines += [f"- [{'x' if i in answer.ticked else ' '}] {point}" for i, point in enumerate(answer.points)]
        lines.append("")
        if answer.outline.strip():
            lines += ["Your outline:", ""] + [f"> {line}" if line else ">" for line in answer.outline.splitlines()]
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"


# ---------------------------------------------------------------- readiness

@dataclass
class TopicReadiness:
    topic_id: str
    title: str
    score: float  # 0..1
    coverage: float | None  # mean latest coverage of the topic's questions practised recently
    recall: float  # mean recall probability over all the topic's questions (new ones count 0)
    practised: int  # questions of the topic with a recent attempt
    questions: int


@dataclass
class Readiness:
    overall: float
    topics: list[TopicReadiness]

    def weakest(self, n: int = 3) -> list[TopicReadiness]:
        # Ties (topics never practised) go to the larger topic: more questions left to learn.
        return sorted(self.topics, key=lambda t: (round(t.score, 4), -t.questions, t.title))[:n]


def readiness(conn: sqlite3.Connection, library: Library, *, clock: Clock = system_clock,
              desired_retention: float = 0.9) -> Readiness:
    """Interview readiness per topic and overall (0..1).

    For a topic: ``MOCK_WEIGHT`` × C + ``RECALL_WEIGHT`` × R, where C is the mean coverage of
    the topic's questions at their latest mock attempt in the last ``RECENT_DAYS`` days (0 when
    none was practised), and R the mean FSRS recall probability now over all the topic's
    questions (a never-studied card counts 0). Overall: the topics' readiness weighted by their
    number of questions. Built-in topics only (imported notes are not interview topics)."""
    now = clock()
    topics = [t for t in library.topics if t.pack == "builtin" and t.questions]
    ids = [q.id for t in topics for q in t.questions]
    recall = recall_probabilities(conn, ids, clock)
    coverage = last_coverage(conn, now - timedelta(days=RECENT_DAYS))
    rows = []
    for topic in topics:
        qids = [q.id for q in topic.questions]
        covered = [coverage[q] for q in qids if q in coverage]
        c = sum(covered) / len(covered) if covered else None
        r = sum(recall.get(q, 0.0) for q in qids) / len(qids)
        score = MOCK_WEIGHT * (c or 0.0) + RECALL_WEIGHT * r
        rows.append(TopicReadiness(topic.id, topic.title, score, c, r, len(covered), len(qids)))
    total = sum(t.questions for t in rows)
    overall = sum(t.score * t.questions for t in rows) / total if total else 0.0
    return Readiness(overall, rows)


@dataclass
class MockScore:
    mock_id: str
    when: datetime
    ticked: int
    total: int

    @property
    def coverage(self) -> float:
        return self.ticked / self.total if self.total else 0.0


def mock_history(conn: sqlite3.Connection, limit: int = 30) -> list[MockScore]:
    """The latest ``limit`` mocks, oldest first: when each started and its total coverage."""
    rows = conn.execute(
        "SELECT mock_id, min(started_at), sum(json_array_length(points_ticked)), sum(points_total) FROM attempts "
        "GROUP BY mock_id ORDER BY min(started_at) DESC LIMIT ?", (limit,)).fetchall()
    return [MockScore(m, datetime.fromisoformat(w).astimezone(UTC), int(t or 0), int(n or 0))
            for m, w, t, n in reversed(rows)]
