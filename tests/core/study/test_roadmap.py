import sqlite3
from datetime import UTC, datetime, timedelta

import pytest
from fsrs import Rating

from genai_desktop.core.clock import iso
from genai_desktop.core.content.library import load_pack
from genai_desktop.core.errors import UserError
from genai_desktop.core.store import db
from genai_desktop.core.study.roadmap import (
    DONE,
    IN_PROGRESS,
    PENDING,
    SKIPPED,
    ExportError,
    Mastery,
    Record,
    Roadmap,
    Tally,
    format_done_date,
    format_done_day,
    next_state,
    retired_title,
    row_caption,
    summary_text,
    tally_text,
)
from genai_desktop.core.study.session import StudySession, StudySettings

from ..conftest import FakeClock

# Two sections; levels all, dev1 and researcher (none for dev2), a link to a missing question.
ROADMAP = """
[[section]]
id = "basics"
title = "Basics"
order = 1

[[section]]
id = "models"
title = "Models"
order = 2

[[milestone]]
id = "m.shared"
section = "basics"
level = "all"
title = "Shared habit"
detail = "Everyone does this."
questions = ["attention-basics"]

[[milestone]]
id = "m.read"
section = "basics"
level = "dev1"
title = "Read papers"
detail = "Read one paper a week."
guides = ["reading"]
questions = ["attention-basics", "multi-head", "no-such-question"]

[[milestone]]
id = "m.gan"
section = "models"
level = "dev1"
title = "Train a GAN"
detail = "Train a small GAN."
questions = ["gan-objective"]

[[milestone]]
id = "m.research"
section = "models"
level = "researcher"
title = "Publish"
detail = "Write it up."
"""


@pytest.fixture
def clock() -> FakeClock:
    local_noon = datetime(2026, 3, 10, 12).astimezone()  # a fixed day: no test depends on today
    return FakeClock(local_noon.astimezone(UTC))


@pytest.fixture
def roadmap(tmp_path, starter_pack, clock):
    (starter_pack / "roadmap.toml").write_text(ROADMAP, encoding="utf-8")
    library = load_pack(starter_pack)
    assert not library.problems
    conn = db.open_progress(tmp_path / "progress.sqlite").conn
    yield Roadmap(conn, library, clock)
    conn.close()


def _db_state(roadmap: Roadmap, milestone_id: str) -> tuple:
    return roadmap.conn.execute("SELECT state, done_at, note FROM milestones WHERE milestone_id = ?",
                                (milestone_id,)).fetchone()


def test_done_records_the_date_and_other_states_clear_it(roadmap, clock) -> None:
    assert roadmap.record("m.read").state == PENDING  # no row yet
    record = roadmap.set_state("m.read", DONE)
    assert record.state == DONE and record.done_at == clock()
    assert _db_state(roadmap, "m.read") == ("done", iso(clock()), "")
    clock.advance(days=3)
    assert roadmap.set_state("m.read", DONE).done_at == clock() - timedelta(days=3)  # same state keeps the date
    assert roadmap.set_state("m.read", IN_PROGRESS).done_at is None
    assert roadmap.set_state("m.read", SKIPPED).state == SKIPPED
    assert _db_state(roadmap, "m.read")[:2] == ("skipped", None)


def test_bad_states_and_unknown_milestones_are_refused_without_writing(roadmap) -> None:
    with pytest.raises(ValueError, match="unknown milestone state"):
        roadmap.set_state("m.read", "finished")
    with pytest.raises(ValueError, match="not in the roadmap"):
        roadmap.set_state("m.nowhere", DONE)
    assert roadmap.conn.execute("SELECT count(*) FROM milestones").fetchone()[0] == 0


def test_pressing_the_current_state_again_undoes_it() -> None:
    assert next_state(PENDING, DONE) == DONE
    assert next_state(DONE, DONE) == PENDING
    assert next_state(DONE, SKIPPED) == SKIPPED
    assert next_state(IN_PROGRESS, PENDING) == PENDING
    with pytest.raises(ValueError):
        next_state(PENDING, "x")


def test_notes_are_saved_without_touching_the_state(roadmap) -> None:
    roadmap.set_note("m.gan", "Use the DCGAN tricks.\nTwo lines.")
    assert _db_state(roadmap, "m.gan") == ("pending", None, "Use the DCGAN tricks.\nTwo lines.")
    roadmap.set_state("m.gan", DONE)
    roadmap.set_note("m.gan", "edited")
    assert _db_state(roadmap, "m.gan")[0] == "done"
    assert roadmap.record("m.gan").note == "edited"


def test_progress_per_level_and_section_counts_done_and_skipped_as_complete(roadmap) -> None:
    roadmap.set_state("m.read", DONE)
    roadmap.set_state("m.gan", SKIPPED)
    roadmap.set_state("m.shared", IN_PROGRESS)
    tallies = roadmap.level_tallies()
    assert tallies[None] == Tally(done=1, skipped=1, in_progress=1, total=4)
    assert tallies["dev1"] == Tally(done=1, skipped=1, in_progress=0, total=2)
    assert tallies["dev1"].complete == 2 and tallies["dev1"].percent == 100
    assert tallies["all"] == Tally(0, 0, 1, 1)
    assert tallies["dev2"].total == 0 and tallies["dev2"].percent == 0
    assert tallies["researcher"] == Tally(0, 0, 0, 1)
    sections = [(s.title, t.complete, t.total) for s, t in roadmap.section_tallies()]
    assert sections == [("Basics", 1, 2), ("Models", 1, 2)]
    assert [(s.title, t.total) for s, t in roadmap.section_tallies("researcher")] == [("Models", 1)]
    assert roadmap.overall().percent == 50


def test_the_numbers_match_a_direct_count_of_the_database(roadmap) -> None:
    for mid, state in (("m.read", DONE), ("m.gan", DONE), ("m.research", SKIPPED)):
        roadmap.set_state(mid, state)
    roadmap.conn.execute("INSERT INTO milestones VALUES ('m.old', 'done', NULL, '', '2020-01-01T00:00:00+00:00')")
    current = tuple(m.id for m in roadmap.library.milestones)
    marks = ",".join("?" * len(current))
    done, complete = roadmap.conn.execute(
        f"SELECT sum(state = 'done'), sum(state IN ('done', 'skipped')) FROM milestones "
        f"WHERE milestone_id IN ({marks})", current).fetchone()
    overall = roadmap.overall()
    assert (overall.done, overall.complete, overall.total) == (done, complete, len(current)) == (2, 3, 4)


def test_a_milestone_removed_from_the_content_is_retired_not_lost(roadmap, tmp_path, starter_pack, clock) -> None:
    roadmap.set_state("m.research", DONE)
    roadmap.set_note("m.research", "My paper draft is in ~/drafts.")
    shorter = ROADMAP.split('[[milestone]]\nid = "m.research"')[0]
    (starter_pack / "roadmap.toml").write_text(shorter, encoding="utf-8")
    updated = Roadmap(roadmap.conn, load_pack(starter_pack), clock)
    [retired] = updated.retired()
    assert (retired.milestone_id, retired.state, retired.note) == ("m.research", DONE, "My paper draft is in ~/drafts.")
    assert updated.overall().total == 3 and updated.overall().complete == 0
    with pytest.raises(ValueError, match="retired"):
        updated.set_state("m.research", PENDING)
    updated.set_note("m.research", "still editable")  # the note is the user's own text
    assert "Retired milestones" in updated.export_markdown()
    assert "- [x] Research (m.research) — done" in updated.export_markdown()
    assert updated.reset_all() == 0  # history, not progress: a reset leaves it alone
    assert updated.record("m.research").state == DONE


def test_reset_all_then_undo_restores_states_and_dates_and_keeps_notes(roadmap, clock) -> None:
    roadmap.set_state("m.read", DONE)
    done_at = roadmap.record("m.read").done_at
    roadmap.set_state("m.gan", IN_PROGRESS)
    roadmap.set_note("m.shared", "keep me")
    assert roadmap.can_undo_reset() is False
    clock.advance(hours=1)
    assert roadmap.reset_all() == 2
    assert {r.state for r in roadmap.records().values()} == {PENDING}
    assert roadmap.record("m.read").done_at is None
    assert roadmap.record("m.shared").note == "keep me"
    assert roadmap.overall().complete == 0
    # The snapshot is in the database: a fresh Roadmap (the app restarted) can still undo.
    again = Roadmap(roadmap.conn, roadmap.library, clock)
    assert again.can_undo_reset()
    assert again.undo_reset() == 2
    assert roadmap.record("m.read").state == DONE and roadmap.record("m.read").done_at == done_at
    assert roadmap.record("m.gan").state == IN_PROGRESS
    assert roadmap.can_undo_reset() is False and roadmap.undo_reset() == 0


def test_a_change_after_reset_drops_the_undo_so_it_cannot_overwrite_the_change(roadmap) -> None:
    roadmap.set_state("m.read", DONE)
    roadmap.reset_all()
    roadmap.set_state("m.gan", DONE)
    assert roadmap.can_undo_reset() is False
    assert roadmap.reset_all() == 1
    assert roadmap.reset_all() == 0  # nothing left to reset: the previous undo stays usable
    assert roadmap.can_undo_reset()


def test_resettable_counts_what_reset_all_changes(roadmap) -> None:
    roadmap.set_state("m.read", DONE)
    roadmap.set_state("m.gan", IN_PROGRESS)
    roadmap.set_note("m.shared", "a note alone is no progress")
    # A pending row that still carries a done date (an older app, a merge) is reset too;
    # a retired milestone is history and is not.
    roadmap.conn.execute("INSERT INTO milestones VALUES ('m.research', 'pending', '2026-01-01T00:00:00+00:00', '', "
                         "'2026-01-01T00:00:00+00:00'), ('m.gone', 'done', '2026-01-01T00:00:00+00:00', '', "
                         "'2026-01-01T00:00:00+00:00')")
    records = roadmap.records()
    assert roadmap.resettable() == roadmap.resettable(records) == 3
    assert roadmap.reset_all() == 3
    assert roadmap.resettable() == 0 and roadmap.resettable(records) == 3  # the states it was given


def test_tallies_can_be_taken_from_records_already_read(roadmap) -> None:
    records = roadmap.records()
    roadmap.set_state("m.read", DONE)  # after the read: the given records do not see it
    assert roadmap.level_tallies(records)["dev1"].done == 0
    assert roadmap.level_tallies()["dev1"].done == 1
    assert [t.done for _s, t in roadmap.section_tallies("dev1", records)] == [0, 0]
    assert [t.done for _s, t in roadmap.section_tallies("dev1")] == [1, 0]


def test_mastery_counts_linked_cards_with_durable_recall(roadmap, clock) -> None:
    session = StudySession.open(roadmap.conn, ["attention-basics"], StudySettings(), clock)
    session.answer(Rating.Easy)
    assert roadmap.mastery()["m.shared"].mastered == 0  # one review is not mastery
    clock.advance(days=12)
    StudySession.open(roadmap.conn, ["attention-basics"], StudySettings(), clock).answer(Rating.Easy)
    mastery = roadmap.mastery()
    assert (mastery["m.read"].mastered, mastery["m.read"].total) == (1, 2)  # the missing question is ignored
    assert mastery["m.shared"].all_mastered
    assert not mastery["m.gan"].all_mastered
    assert mastery["m.research"].total == 0 and not mastery["m.research"].all_mastered
    assert roadmap.record("m.shared").state == PENDING  # never ticked on the user's behalf
    clock.advance(days=400)
    assert roadmap.mastery(["m.shared"]) == {"m.shared": Mastery(0, 1)}


def test_export_lists_levels_sections_ticks_dates_and_notes(roadmap, clock) -> None:
    roadmap.set_state("m.read", DONE)
    roadmap.set_note("m.read", "Attention is all you need.\nThen BERT.")
    roadmap.set_state("m.gan", SKIPPED)
    roadmap.set_state("m.shared", IN_PROGRESS)
    text = roadmap.export_markdown()
    today = clock().astimezone().strftime("%Y-%m-%d")
    assert text.startswith("# Generative AI roadmap: my progress\n")
    assert f"Exported {today} · 2 of 4 milestones complete (1 done, 1 skipped, 1 in progress)." in text
    expected = f"""## Developer Level 1 (2/2)

### Basics

- [x] Read papers — done {today}
  > Attention is all you need.
  > Then BERT.

### Models

- [x] Train a GAN — skipped
"""
    assert expected in text
    assert "## All levels (0/1)\n\n### Basics\n\n- [ ] Shared habit — in progress\n" in text
    assert "- [ ] Publish\n" in text
    assert "Developer Level 2" not in text  # a level without milestones is left out
    assert text.index("## All levels") < text.index("## Developer Level 1") < text.index("## Researcher")


def test_export_file_adds_md_and_writes_the_export(roadmap, tmp_path) -> None:
    roadmap.set_state("m.read", DONE)
    folder = tmp_path / "exports"
    folder.mkdir()
    written = roadmap.export_file(folder / "my-roadmap")
    assert written == folder / "my-roadmap.md"
    assert written.read_text(encoding="utf-8") == roadmap.export_markdown()
    assert roadmap.export_file(folder / "notes.txt") == folder / "notes.txt"  # a suffix chosen is kept
    assert sorted(p.name for p in folder.iterdir()) == ["my-roadmap.md", "notes.txt"]


def test_an_export_that_cannot_be_written_says_where_and_leaves_nothing(roadmap, tmp_path) -> None:
    target = tmp_path / "missing-folder" / "x.md"
    with pytest.raises(ExportError) as caught:
        roadmap.export_file(target)
    assert isinstance(caught.value, UserError)  # shown to the user as it is
    assert str(caught.value).startswith(f"The checklist could not be written to {target}:")
    assert not target.parent.exists()


def test_unknown_states_in_the_database_read_as_pending(roadmap) -> None:
    roadmap.conn.execute("INSERT INTO milestones VALUES ('m.read', 'bogus', NULL, '', '2020-01-01T00:00:00+00:00')")
    assert roadmap.record("m.read").state == PENDING
    assert roadmap.overall().complete == 0


def test_retired_milestones_get_a_readable_name() -> None:
    assert retired_title("rm.fundamentals.dev1.neural-networks") == "Neural networks"
    assert retired_title("plain") == "Plain"


def test_done_dates_read_naturally() -> None:
    now = datetime(2025, 6, 10, 12, tzinfo=UTC)
    assert format_done_date(now, now) == "today"
    assert format_done_date(datetime(2025, 5, 3, 12, tzinfo=UTC), now) == "3 May"
    assert format_done_date(datetime(2023, 5, 3, 12, tzinfo=UTC), now) == "3 May 2023"
    assert format_done_date(None) == ""


def test_the_detail_pane_gives_the_whole_day_without_a_leading_zero() -> None:
    moment = datetime(2025, 5, 3, 12).astimezone()  # noon local time: the same day in any zone
    assert format_done_day(moment) == "Saturday 3 May 2025"
    assert format_done_day(datetime(2025, 11, 28, 12).astimezone()) == "Friday 28 November 2025"


def test_counts_read_so_skipping_never_passes_for_knowing() -> None:
    assert tally_text(Tally(done=5, skipped=2, in_progress=1, total=9)) == "7/9 · 5 done"
    assert tally_text(Tally(done=5, total=9)) == "5/9"
    assert summary_text(Tally(done=5, skipped=2, in_progress=1, total=9)) == (
        "7 of 9 complete · 5 done · 2 skipped · 1 in progress")
    assert summary_text(Tally(total=4)) == "0 of 4 complete · 0 done · 0 in progress"


def test_row_captions(roadmap) -> None:
    now = datetime(2025, 6, 10, 12, tzinfo=UTC)
    read, research = roadmap.library.milestone("m.read"), roadmap.library.milestone("m.research")
    done = Record("m.read", DONE, datetime(2025, 5, 3, 12, tzinfo=UTC), "my note")
    assert row_caption(done, read, Mastery(1, 2), with_level=True, today=now) == (
        "Dev 1  ·  1/2 cards mastered  ·  done 3 May  ·  note")
    assert row_caption(done, read, Mastery(1, 2), with_level=False, today=now).startswith("1/2 cards")
    assert row_caption(Record("m.research"), research, Mastery(0, 0), with_level=False) == "no linked cards"
    assert row_caption(Record("m.read"), read, None, with_level=False) == ""  # mastery not read yet
    assert row_caption(Record("m.gone", SKIPPED, note=" x "), None, None, with_level=True) == (
        "No longer in the roadmap · was skipped · has a note")


def test_the_built_in_roadmap_has_every_level_and_section() -> None:
    from genai_desktop.paths import content_dir

    library = load_pack(content_dir())
    conn = sqlite3.connect(":memory:", isolation_level=None)
    db.migrate(conn)
    roadmap = Roadmap(conn, library)
    tallies = roadmap.level_tallies()
    # The 36 milestones of the original roadmap plus the 2026 areas (architecture and training
    # at scale, serving and system design, RAG, agents, post-training, evaluation, multimodal).
    assert tallies[None].total == len(library.milestones) >= 36 + 21
    assert sum(tallies[level].total for level in ("all", "dev1", "dev2", "researcher")) == tallies[None].total
    assert len(roadmap.section_tallies()) == 9
