"""The field's abbreviations and synonyms (``glossary.toml`` in a pack), for search.

Each term lists the forms a learner may type for one idea: ``["kv cache", "key-value cache"]``.
A query holding any form also finds pages that use another (core/search/query.py), both ways. Forms
are compared as their words (lower case, without diacritics, split at anything that is not a
letter or digit), so "key-value cache" and "key value cache" are one form.

    [[term]]
    forms = ["moe", "mixture of experts"]
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from ..content.library import Problem

MAX_GLOSSARY_BYTES = 1024 * 1024
MAX_FORM_WORDS = 6
_WORD = re.compile(r"[^\W_]+")


def form_words(text: str) -> tuple[str, ...]:
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return tuple(_WORD.findall("".join(c for c in decomposed if not unicodedata.combining(c))))


def load_glossary(path: Path, problems: list[Problem]) -> tuple[tuple[str, ...], ...]:
    """The terms of ``path`` (each a tuple of normalised forms, "key value cache"), with what is
    wrong in it added to ``problems``: a term is kept only when it has two usable forms."""
    import tomllib

    if not path.is_file():
        return ()
    try:
        if path.stat().st_size > MAX_GLOSSARY_BYTES:
            problems.append(Problem(path, 1, "glossary is too large (the limit is 1 MB); it was not read"))
            return ()
        text = path.read_text(encoding="utf-8")
        data = tomllib.loads(text)
    except (OSError, UnicodeDecodeError) as exc:
        problems.append(Problem(path, 1, f"cannot read: {exc}"))
        return ()
    except tomllib.TOMLDecodeError as exc:
        problems.append(Problem(path, 1, f"glossary is not valid TOML: {exc}"))
        return ()
    terms: list[tuple[str, ...]] = []
    seen: dict[str, int] = {}
    entries = data.get("term", [])
    if not isinstance(entries, list):
        problems.append(Problem(path, 1, "glossary needs [[term]] tables, each with forms = [...]"))
        return ()
    for n, entry in enumerate(entries, 1):
        forms = entry.get("forms") if isinstance(entry, dict) else None
        line = _line_of(text, forms[0] if isinstance(forms, list) and forms and isinstance(forms[0], str) else "")
        if not isinstance(forms, list) or not all(isinstance(f, str) for f in forms):
            problems.append(Problem(path, line, f"term #{n}: forms must be a list of strings"))
            continue
        normal: list[str] = []
        for form in forms:
            words = form_words(form)
            if not words:
                problems.append(Problem(path, line, f"term #{n}: the form {form!r} has no words"))
            elif len(words) > MAX_FORM_WORDS:
                problems.append(Problem(path, line, f"term #{n}: {form!r} is longer than {MAX_FORM_WORDS} words"))
            elif " ".join(words) in normal:
                problems.append(Problem(path, line, f"term #{n}: {form!r} is listed twice"))
            else:
                normal.append(" ".join(words))
        for form in normal:
            if form in seen:
                problems.append(Problem(path, line, f"term #{n}: {form!r} is already a form of term #{seen[form]}"))
        normal = [f for f in normal if f not in seen]
        if len(normal) < 2:
            problems.append(Problem(path, line, f"term #{n} needs at least two different forms"))
            continue
        for form in normal:
            seen[form] = n
        terms.append(tuple(normal))
    return tuple(terms)


def _line_of(text: str, needle: str) -> int:
    at = text.find(f'"{needle}"') if needle else -1
    return text.count("\n", 0, at) + 1 if at >= 0 else 1
