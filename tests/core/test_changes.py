"""What a mutation changed: combined, and read as 'anything a count is made from'."""

from __future__ import annotations

from genai_desktop.core.changes import Changes


def test_changes_combine_and_say_whether_counts_are_stale() -> None:
    assert not Changes() and Changes(notes=True)
    both = Changes(notes=True) | Changes(cards=True, sessions_void=True)
    assert both == Changes(notes=True, cards=True, sessions_void=True)
    assert both.progress and not Changes(notes=True).progress and not Changes(roadmap=True).progress
    assert all(Changes(**{name: True}).progress for name in ("cards", "reviews", "settings", "library"))
