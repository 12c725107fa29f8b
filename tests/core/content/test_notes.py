"""Notes and bookmarks: stored by question id, searchable, kept across restarts and content updates."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from genai_desktop.core.content import notes
from genai_desktop.core.store import db
from genai_desktop.core.workspace import Workspace


@pytest.fixture
def conn(tmp_path: Path):
    database = db.open_progress(tmp_path / "progress.sqlite")
    yield database.conn
    database.conn.close()


def test_note_round_trip_and_blank_deletes(conn) -> None:
    assert notes.note(conn, "q1") == ""
    body = "My *own* words\n\n$x^2$ and a [link](q:q2)"
    assert notes.save_note(conn, "q1", body)
    assert notes.note(conn, "q1") == body  # kept exactly, markdown and all
    assert notes.save_note(conn, "q1", "  \n ") is None
    assert notes.note(conn, "q1") == "" and notes.all_notes(conn) == {}


def test_too_long_note_is_refused_and_the_old_one_kept(conn) -> None:
    notes.save_note(conn, "q1", "short")
    with pytest.raises(notes.NoteTooLong, match="Nothing was saved"):
        notes.save_note(conn, "q1", "x" * (notes.MAX_NOTE_CHARS + 1))
    assert notes.note(conn, "q1") == "short"


def test_bookmarks_newest_first_and_toggle(conn) -> None:
    start = datetime(2024, 5, 1, tzinfo=UTC)
    notes.set_bookmark(conn, "a", True, start)
    notes.set_bookmark(conn, "b", True, start + timedelta(minutes=1))
    notes.set_bookmark(conn, "a", True, start + timedelta(minutes=2))  # already there: keeps its date
    assert notes.bookmarks(conn) == ["b", "a"]
    assert notes.toggle_bookmark(conn, "b") is False
    assert notes.toggle_bookmark(conn, "c") is True
    assert notes.is_bookmarked(conn, "c") and not notes.is_bookmarked(conn, "b")


def test_workspace_notes_are_searchable_and_survive_restart(data_dir: Path, starter_pack: Path) -> None:
    workspace = Workspace(data_dir, content_root=starter_pack)
    assert workspace.search("zebra") == []
    workspace.save_note("gan-objective", "Remember the zebra: stripes = two players")
    notes.set_bookmark(workspace.progress.conn, "multi-head", True)
    hits = workspace.search("zebr")
    assert [h.page_id for h in hits] == ["q:gan-objective"] and hits[0].in_note
    workspace.close()

    again = Workspace(data_dir, content_root=starter_pack)
    assert notes.note(again.progress.conn, "gan-objective").startswith("Remember the zebra")
    assert notes.bookmarks(again.progress.conn) == ["multi-head"]
    assert [h.page_id for h in again.search("zebra")] == ["q:gan-objective"]
    again.save_note("gan-objective", "")
    assert again.search("zebra") == []
    again.close()


def test_notes_survive_a_content_update_that_rebuilds_the_index(data_dir: Path, starter_pack: Path) -> None:
    workspace = Workspace(data_dir, content_root=starter_pack)
    workspace.save_note("multi-head", "heads note: okapi")
    assert workspace.search("okapi")
    topic = starter_pack / "topics" / "01-attention.md"
    topic.write_text(topic.read_text().replace("Why use several attention heads?", "Why several heads?"))
    workspace.reload_library()  # new fingerprint: the index is rebuilt from the packs
    assert [h.page_id for h in workspace.search("okapi")] == ["q:multi-head"]
    workspace.close()

    # A question that leaves the library keeps its note; the note comes back with the question.
    saved = starter_pack.parent / "saved.md"
    shutil.move(topic, saved)
    gone = Workspace(data_dir, content_root=starter_pack)
    assert gone.search("okapi") == [] and notes.note(gone.progress.conn, "multi-head") == "heads note: okapi"
    gone.close()
    shutil.move(saved, topic)
    back = Workspace(data_dir, content_root=starter_pack)
    assert [h.page_id for h in back.search("okapi")] == ["q:multi-head"]
    back.close()


def test_notes_written_behind_the_index_are_picked_up_at_open(data_dir: Path, starter_pack: Path) -> None:
    workspace = Workspace(data_dir, content_root=starter_pack)
    workspace.search("x")  # builds and keeps the index on disk
    notes.save_note(workspace.progress.conn, "gan-objective", "imported from another machine: quokka")
    workspace.close()
    again = Workspace(data_dir, content_root=starter_pack)
    assert [h.page_id for h in again.search("quokka")] == ["q:gan-objective"]
    again.close()


# ---------------------------------------------------------------- guides share the tables

def test_the_key_rule_keeps_questions_bare_and_guides_as_page_ids() -> None:
    assert notes.key_for("q:multi-head") == "multi-head"  # every existing database stays valid
    assert notes.key_for("guide:reading") == "guide:reading"
    for page in ("topic:attention", "", "q:", "guide:", "home"):
        assert notes.key_for(page) is None, page
    for page in ("q:multi-head", "guide:reading"):
        assert notes.page_for(notes.key_for(page)) == page
    assert notes.is_question_key("multi-head") and not notes.is_question_key("guide:reading")


def test_guides_are_bookmarked_and_noted_beside_questions_but_are_no_questions(conn) -> None:
    start = datetime(2024, 5, 1, tzinfo=UTC)
    notes.set_bookmark(conn, "multi-head", True, start)
    notes.set_bookmark(conn, notes.key_for("guide:reading"), True, start + timedelta(minutes=1))
    assert notes.bookmarks(conn) == ["guide:reading", "multi-head"]
    assert notes.bookmarked_questions(conn) == ["multi-head"]  # flashcards and Anki see questions only
    notes.save_note(conn, "guide:reading", "guide note")
    notes.save_note(conn, "multi-head", "question note")
    assert notes.note(conn, "guide:reading") == "guide note" and notes.note(conn, "reading") == ""
    # stored in the old tables under the old column: no schema change
    assert set(dict(conn.execute("SELECT question_id, body FROM notes"))) == {"guide:reading", "multi-head"}


def test_guide_notes_are_searchable_under_the_guide_page(data_dir: Path, starter_pack: Path) -> None:
    workspace = Workspace(data_dir, content_root=starter_pack)
    workspace.save_note("guide:reading", "the wombat method of reading")
    hits = workspace.search("wombat")
    assert [h.page_id for h in hits] == ["guide:reading"] and hits[0].in_note
    workspace.close()

    again = Workspace(data_dir, content_root=starter_pack)  # and after a rebuild from the database
    again.paths.index_db.unlink()
    assert [h.page_id for h in again.search("wombat")] == ["guide:reading"]
    again.save_note("guide:reading", "")
    assert again.search("wombat") == []
    again.close()


def test_bookmarked_pages_lists_questions_and_guides_with_titles(data_dir: Path, starter_pack: Path) -> None:
    workspace = Workspace(data_dir, content_root=starter_pack)
    conn, start = workspace.progress.conn, datetime(2024, 5, 1, tzinfo=UTC)
    notes.set_bookmark(conn, "multi-head", True, start)
    notes.set_bookmark(conn, "guide:reading", True, start + timedelta(minutes=1))
    notes.set_bookmark(conn, "guide:gone", True, start + timedelta(minutes=2))  # left the library: kept, unlisted
    pages = notes.bookmarked_pages(conn, workspace.library)
    assert pages[0] == ("guide:reading", "Reading papers")
    assert [page for page, _ in pages] == ["guide:reading", "q:multi-head"]
    assert notes.is_bookmarked(conn, "guide:gone")
    workspace.close()
