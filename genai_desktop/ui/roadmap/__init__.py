"""The Roadmap view (a checklist of milestones per level, tied to the flashcards): view.py puts it
together; each sibling module does one part of it."""
