"""Import the user's own interview notes (Markdown or plain text) as a content pack.

    plan = plan_file(path)            # read, recognise the layout, parse: nothing is written
    plan.summary()                    # what the preview shows
    packs.write_pack(packs_root, plan)

The layout is recognised without configuration (see the parser modules for what each one
reads): ``roadmap`` (level-marked sections, FAQ, long-form guides), ``headings`` (Q&A under
headings), ``numbered`` (``N. Title:`` lines with indented answers) and ``faq`` (Q1/A pairs).
"""

from __future__ import annotations

from .duplicates import Duplicate, find_duplicates, title_key
from .model import (
    Entry,
    FormulaProblem,
    GuidePlan,
    ImportCancelled,
    ImportPlan,
    NotesError,
    RoadmapSection,
    TopicPlan,
)
from .planner import plan_file, plan_text
from .progress import Progress
from .reading import SUFFIXES, read_notes_file

__all__ = ["Duplicate", "Entry", "FormulaProblem", "GuidePlan", "ImportCancelled", "ImportPlan", "NotesError",
           "Progress", "RoadmapSection", "SUFFIXES", "TopicPlan", "find_duplicates", "plan_file", "plan_text",
           "read_notes_file", "title_key"]
