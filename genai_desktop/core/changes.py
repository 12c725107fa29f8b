"""What a mutation changed, so each view updates itself from it (Anki's ``OpChanges``).

A core function that writes returns (or carries on its result) a ``Changes``; the window hands
it to every view (ui/views.py), and each view decides what it needs to read again. Nothing
refreshes "everything, just in case", and no central function needs to know the views.
"""

from __future__ import annotations

from dataclasses import dataclass, fields


@dataclass(frozen=True)
class Changes:
    library: bool = False  # packs added, updated or removed: pages, topics, questions
    cards: bool = False  # card states: new, due, suspended, buried, forgotten
    reviews: bool = False  # the review log and mock answers
    notes: bool = False  # notes and bookmarks
    roadmap: bool = False  # milestone states
    settings: bool = False  # study settings (limits, retention, FSRS weights)
    # Rows changed underneath anything that was built from them (a merged progress file, a
    # restored backup): a study session or a mock interview begun before must end.
    sessions_void: bool = False

    def __or__(self, other: Changes) -> Changes:
        return Changes(**{f.name: getattr(self, f.name) or getattr(other, f.name) for f in fields(self)})

    @property
    def progress(self) -> bool:
        """Anything a count of due cards, a deck list or a statistic is made from."""
        return self.cards or self.reviews or self.settings or self.library or self.sessions_void

    def __bool__(self) -> bool:
        return any(getattr(self, f.name) for f in fields(self))
