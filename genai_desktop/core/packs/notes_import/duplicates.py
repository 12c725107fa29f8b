"""Questions an import would add twice: already in the library (another pack, or the built-in
one) or asked twice in the same notes. Notes exported from the same chat often share dozens of
questions (seeds 001 and 003 share 31); the preview offers to skip them.

Two questions are the same when their titles are, ignoring case, punctuation and spacing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from .model import Entry, ImportPlan

_NOT_WORD = re.compile(r"[\W_]+")


def title_key(title: str) -> str:
    """What two titles share when they ask the same question ("What is RAG?" = "what is rag")."""
    return _NOT_WORD.sub(" ", title.casefold()).strip()


@dataclass(frozen=True)
class Duplicate:
    entry: Entry
    where: str  # the pack title it is already in, or "these notes" for a repeat within the file


def find_duplicates(plan: ImportPlan, existing: Iterable[tuple[str, str]]) -> list[Duplicate]:
    """Entries of ``plan`` whose question is in ``existing`` ((title, pack title) pairs: the
    library without the pack this plan replaces) or earlier in the plan itself."""
    known = {}
    for title, pack in existing:
        known.setdefault(title_key(title), pack)
    found = []
    for entry in plan.entries():
        key = title_key(entry.title)
        if key in known:
            found.append(Duplicate(entry, known[key]))
        else:
            known[key] = "these notes"
    return found
