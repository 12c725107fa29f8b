"""Portable progress between two data folders that both studied: export, merge, round trip."""

from __future__ import annotations

import json
import os
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fsrs import Card, Rating, ReviewLog, Scheduler

from genai_desktop.core.store import db
from genai_desktop.core.study.session import StudySession, StudySettings, card_id_for, card_to_json
from genai_desktop.core.transfer.progress import (
    TransferError,
    export_progress,
    import_progress,
    read_progress_file,
)
from genai_desktop.paths import DataPaths
from tests.core.conftest import FakeClock

RETENTION = 0.9
IDS = [f"q{n:02d}" for n in range(20)]


@dataclass
class Install:
    root: Path
    conn: object
    clock: FakeClock

    @property
    def packs(self) -> Path:
        return DataPaths(self.root).packs

    @property
    def backups(self) -> Path:
        return DataPaths(self.root).backups

    def study(self, ids: list[str], days: int, ratings=(Rating.Good, Rating.Again, Rating.Good, Rating.Easy)) -> None:
        """Answer every card offered from ``ids`` once a day for ``days`` days."""
        for day in range(days):
            session = StudySession.open(self.conn, ids, StudySettings(new_per_day=len(ids)), self.clock)
            answered = 0
            while session.current is not None and answered < 60:
                session.answer(ratings[(answered + day) % len(ratings)], duration_ms=3000)
                answered += 1
                self.clock.advance(minutes=3)
            self.clock.advance(days=1)

    def rows(self, sql: str) -> list[tuple]:
        return self.conn.execute(sql).fetchall()

    def review_uids(self) -> list[str]:
        return [uid for (uid,) in self.conn.execute("SELECT uid FROM reviews ORDER BY uid")]


def make_install(root: Path, start: datetime) -> Install:
    database = db.open_progress(root / "progress.sqlite")
    (root / "packs").mkdir(parents=True)
    return Install(root, database.conn, FakeClock(start))


@pytest.fixture
def laptops(tmp_path: Path):
    noon = datetime(2026, 3, 10, 12).astimezone().astimezone(UTC)  # a fixed day
    a = make_install(tmp_path / "a", noon - timedelta(days=30))
    b = make_install(tmp_path / "b", noon - timedelta(days=30, hours=-2))  # studies two hours later each day
    yield a, b
    a.conn.close()
    b.conn.close()


def studied(laptops) -> tuple[Install, Install]:
    a, b = laptops
    a.study(IDS[:10], days=6)
    b.study(IDS[5:15], days=5)  # q05-q09 were studied on both
    stamp = "2025-01-0{}T10:00:00.000+00:00".format
    with a.conn:
        a.conn.execute("INSERT INTO notes VALUES ('q01', 'only on A', ?)", (stamp(1),))
        a.conn.execute("INSERT INTO notes VALUES ('q05', 'A wrote this later', ?)", (stamp(5),))
        a.conn.execute("INSERT INTO notes VALUES ('q06', 'A wrote this first', ?)", (stamp(2),))
        a.conn.execute("INSERT INTO milestones VALUES ('rm.one', 'done', ?, 'A finished', ?)", (stamp(4), stamp(4)))
        a.conn.execute("INSERT INTO milestones VALUES ('rm.two', 'in_progress', NULL, '', ?)", (stamp(1),))
        a.conn.execute("INSERT INTO bookmarks VALUES ('q02', ?)", (stamp(1),))
        a.conn.execute("UPDATE cards SET suspended = 1 WHERE question_id = 'q03'")
    with b.conn:
        b.conn.execute("INSERT INTO notes VALUES ('q05', 'B wrote this first', ?)", (stamp(3),))
        b.conn.execute("INSERT INTO notes VALUES ('q06', 'B wrote this later', ?)", (stamp(6),))
        b.conn.execute("INSERT INTO milestones VALUES ('rm.one', 'in_progress', NULL, 'B started', ?)", (stamp(2),))
        b.conn.execute("INSERT INTO milestones VALUES ('rm.two', 'skipped', NULL, '', ?)", (stamp(3),))
        b.conn.execute("INSERT INTO bookmarks VALUES ('q02', ?)", (stamp(2),))
        b.conn.execute("INSERT INTO bookmarks VALUES ('q12', ?)", (stamp(2),))
    pack = a.packs / "my-notes" / "topics"
    pack.mkdir(parents=True)
    (pack / "01-mine.md").write_text("+++\nid = \"mine\"\ntitle = \"Mine\"\n+++\n", encoding="utf-8")
    return a, b


def independent_replay(conn, qid: str) -> Card:
    """fsrs's own reschedule over the log, as a check that does not share our replay code (with the
    flashcards' day counting, core/study/session.StudyScheduler, which every replay follows)."""
    from genai_desktop.core.study.session import StudyScheduler, StudySettings

    logs = [ReviewLog(card_id_for(qid), Rating(rating), datetime.fromisoformat(at), None)
            for rating, at in conn.execute("SELECT rating, reviewed_at FROM reviews WHERE question_id = ?", (qid,))]
    first = min(log.review_datetime for log in logs)
    scheduler = StudyScheduler(day_start_hour=StudySettings.load(conn).day_start_hour, desired_retention=RETENTION,
                               enable_fuzzing=False)
    return scheduler.reschedule_card(
        Card(card_id=card_id_for(qid), due=first), logs)


def card_row(conn, qid: str) -> tuple:
    return conn.execute("SELECT state, step, stability, difficulty, due, last_review FROM cards "
                        "WHERE question_id = ?", (qid,)).fetchone()


def test_export_writes_one_file_with_every_kind_of_progress(laptops, tmp_path) -> None:
    a, _b = studied(laptops)
    out = tmp_path / "progress.zip"
    summary = export_progress(a.conn, a.packs, out)
    assert summary.counts["reviews"] == len(a.review_uids()) > 40
    assert summary.counts["notes"] == 3 and summary.counts["milestones"] == 2 and summary.counts["bookmarks"] == 1
    assert summary.packs == ("my-notes",) and "imported pack" in summary.message()
    with zipfile.ZipFile(out) as archive:
        assert {"manifest.json", "progress.json", "packs/my-notes/topics/01-mine.md"} <= set(archive.namelist())
        manifest = json.loads(archive.read("manifest.json"))
    assert manifest["format"] == "genai-study-desk-progress" and manifest["counts"] == summary.counts
    assert read_progress_file(out).tables["reviews"][0]["uid"]


def test_merging_two_laptops_gives_the_union_with_newer_edits_and_replayed_cards(laptops, tmp_path) -> None:
    a, b = studied(laptops)
    a_uids, b_uids = set(a.review_uids()), set(b.review_uids())
    b_only_card = card_row(b.conn, "q12")
    out = tmp_path / "from-a.zip"
    export_progress(a.conn, a.packs, out)

    summary = import_progress(b.conn, b.packs, out, backups_dir=b.backups, desired_retention=RETENTION)
    assert set(b.review_uids()) == a_uids | b_uids
    assert len(b.review_uids()) == len(a_uids) + len(b_uids)  # unioned, never doubled
    assert summary.reviews_added == len(a_uids) and summary.reviews_known == 0
    assert summary.cards_recomputed == 10  # q00-q09 gained A's reviews
    assert summary.backup is not None and summary.backup.is_file() and "before-import" in summary.backup.name

    # every card that gained reviews is exactly fsrs replayed over the merged log ...
    for qid in IDS[:10]:
        expected = independent_replay(b.conn, qid)
        state, step, stability, difficulty, due, last = card_row(b.conn, qid)
        assert (state, step) == (int(expected.state), expected.step), qid
        assert stability == pytest.approx(expected.stability) and difficulty == pytest.approx(expected.difficulty)
        assert datetime.fromisoformat(due) == expected.due.replace(microsecond=expected.due.microsecond // 1000 * 1000)
        # ... and the log's last "after" state says the same thing
        (after,) = b.conn.execute("SELECT state_after FROM reviews WHERE question_id = ? "
                                  "ORDER BY reviewed_at DESC, uid DESC LIMIT 1", (qid,)).fetchone()
        assert json.loads(after)["stability"] == pytest.approx(stability)
    # the first review of a merged card is the only one that starts from nothing
    befores = [b_ for (b_,) in b.conn.execute("SELECT state_before FROM reviews WHERE question_id = 'q07'")]
    assert befores.count(None) == 1
    assert card_row(b.conn, "q12") == b_only_card  # untouched by the merge
    # and the merged log replays to what is stored, with the flashcards' own day counting
    from genai_desktop.core.study.session import inconsistent_cards

    assert inconsistent_cards(b.conn) == []

    notes = dict(b.rows("SELECT question_id, body FROM notes"))
    assert notes == {"q01": "only on A", "q05": "A wrote this later", "q06": "B wrote this later"}
    assert summary.notes == {"added": 1, "updated": 1, "kept": 1}
    milestones = {m: (s, n) for m, s, n in b.rows("SELECT milestone_id, state, note FROM milestones")}
    assert milestones == {"rm.one": ("done", "A finished"), "rm.two": ("skipped", "")}
    assert {q for (q,) in b.rows("SELECT question_id FROM bookmarks")} == {"q02", "q12"}
    assert b.rows("SELECT suspended FROM cards WHERE question_id = 'q03'") == [(1,)]
    assert (b.packs / "my-notes" / "topics" / "01-mine.md").read_text(encoding="utf-8").startswith("+++")
    assert summary.packs_added == ["my-notes"] and summary.packs_changed
    assert any("rescheduled" in line for line in summary.lines())


def test_round_trip_both_ways_leaves_both_with_the_same_work_and_a_repeat_changes_nothing(laptops,
                                                                                          tmp_path) -> None:
    a, b = studied(laptops)
    b_uids = set(b.review_uids())
    export_progress(a.conn, a.packs, tmp_path / "a.zip")
    import_progress(b.conn, b.packs, tmp_path / "a.zip", desired_retention=RETENTION)
    export_progress(b.conn, b.packs, tmp_path / "b.zip")
    back = import_progress(a.conn, a.packs, tmp_path / "b.zip", desired_retention=RETENTION)
    assert back.reviews_added == len(b_uids) and back.reviews_known == len(a.review_uids()) - len(b_uids)
    assert a.review_uids() == b.review_uids()
    for sql in ("SELECT question_id, body, updated_at FROM notes ORDER BY 1",
                "SELECT milestone_id, state, note, updated_at FROM milestones ORDER BY 1",
                "SELECT question_id FROM bookmarks ORDER BY 1"):
        assert a.rows(sql) == b.rows(sql)
    # cards both studied were replayed on both sides from the same log: the same state
    for qid in IDS[5:10]:
        assert card_row(a.conn, qid) == card_row(b.conn, qid)
    assert back.packs_added == [] and back.packs_kept == []  # the same pack on both sides

    before = {qid: card_row(b.conn, qid) for qid in IDS}
    again = import_progress(b.conn, b.packs, tmp_path / "a.zip", desired_retention=RETENTION)
    assert again.reviews_added == 0 and again.cards_recomputed == 0 and again.bookmarks_added == 0
    assert again.notes["added"] + again.notes["updated"] == 0
    assert {qid: card_row(b.conn, qid) for qid in IDS} == before


def test_the_newer_copy_of_a_pack_wins(laptops, tmp_path) -> None:
    a, b = laptops
    for install, text, mtime in ((a, "from A", 1_700_000_000), (b, "from B", 1_800_000_000)):
        topic = install.packs / "shared" / "topics" / "01.md"
        topic.parent.mkdir(parents=True)
        topic.write_text(text, encoding="utf-8")
        os.utime(topic, (mtime, mtime))
    export_progress(a.conn, a.packs, tmp_path / "a.zip")
    export_progress(b.conn, b.packs, tmp_path / "b.zip")
    assert import_progress(b.conn, b.packs, tmp_path / "a.zip").packs_kept == ["shared"]
    assert (b.packs / "shared" / "topics" / "01.md").read_text(encoding="utf-8") == "from B"
    assert import_progress(a.conn, a.packs, tmp_path / "b.zip").packs_updated == ["shared"]
    installed = a.packs / "shared" / "topics" / "01.md"
    assert installed.read_text(encoding="utf-8") == "from B" and installed.stat().st_mtime == 1_800_000_000
    assert sorted(p.name for p in a.packs.iterdir()) == ["shared"]  # no staging folders left behind


def _zip(path: Path, members: dict[str, str | bytes]) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for name, text in members.items():
            archive.writestr(name, text)
    return path


def test_bad_files_are_refused_with_a_clear_message_and_change_nothing(laptops, tmp_path) -> None:
    a, b = studied(laptops)
    good = tmp_path / "good.zip"
    export_progress(a.conn, a.packs, good)
    with zipfile.ZipFile(good) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        data = json.loads(archive.read("progress.json"))

    def variant(name: str, manifest_change=None, data_change=None, extra=None) -> Path:
        m, d = json.loads(json.dumps(manifest)), json.loads(json.dumps(data))
        if manifest_change:
            manifest_change(m)
        if data_change:
            data_change(d)
        return _zip(tmp_path / name, {"manifest.json": json.dumps(m), "progress.json": json.dumps(d), **(extra or {})})

    (tmp_path / "notes.txt").write_text("just text")

    def bad_rating(d):
        d["tables"]["reviews"]["rows"][3][2] = 9

    def unsafe_pack(m):
        m["packs"] = [{"id": "evil", "files": {"../../escape.md": 0}, "modified": 0}]

    cases = [
        (tmp_path / "notes.txt", "not a progress file"),
        (tmp_path / "missing.zip", "does not exist"),
        (_zip(tmp_path / "other.zip", {"readme.txt": "hi"}), "not a progress file"),
        (variant("newer.zip", lambda m: m.update(version=99)), "newer version"),
        (variant("foreign.zip", lambda m: m.update(format="something-else")), "not a progress file"),
        (variant("rating.zip", data_change=bad_rating), "row 4 of reviews has rating 9"),
        (variant("unsafe.zip", unsafe_pack), "unsafe file name"),
        (_zip(tmp_path / "broken.zip", {"manifest.json": "{", "progress.json": "{}"}), "damaged"),
    ]
    before = (b.review_uids(), b.rows("SELECT * FROM notes ORDER BY 1"), b.rows("SELECT * FROM cards ORDER BY 1"))
    for path, words in cases:
        with pytest.raises(TransferError, match=words):
            import_progress(b.conn, b.packs, path, backups_dir=b.backups)
    assert (b.review_uids(), b.rows("SELECT * FROM notes ORDER BY 1"),
            b.rows("SELECT * FROM cards ORDER BY 1")) == before
    assert not (tmp_path / "escape.md").exists() and not list(b.packs.iterdir())
    assert not b.backups.exists()  # refused before even the backup


def test_a_failure_during_the_merge_rolls_everything_back(laptops, tmp_path, monkeypatch) -> None:
    a, b = studied(laptops)
    export_progress(a.conn, a.packs, tmp_path / "a.zip")
    before = (b.review_uids(), b.rows("SELECT * FROM cards ORDER BY 1"))

    def explode(*_args, **_kwargs):
        raise RuntimeError("disk trouble")

    monkeypatch.setattr("genai_desktop.core.transfer.progress.recompute_cards", explode)
    with pytest.raises(RuntimeError):
        import_progress(b.conn, None, tmp_path / "a.zip")
    assert (b.review_uids(), b.rows("SELECT * FROM cards ORDER BY 1")) == before
    assert not b.conn.in_transaction


def test_card_json_in_the_log_matches_what_a_session_writes(laptops) -> None:
    """The replay writes the same JSON shape as StudySession, so stats read both alike."""
    a, _ = laptops
    a.study(["q00"], days=1)
    (after,) = a.conn.execute("SELECT state_after FROM reviews").fetchone()
    replayed = Scheduler(enable_fuzzing=False).review_card(Card(card_id=1, due=a.clock.now), Rating.Good)[0]
    assert set(json.loads(after)) == set(json.loads(card_to_json(replayed)))


# ---------------------------------------------------------------- study settings

def stored_settings(install: Install) -> dict | None:
    row = install.conn.execute("SELECT value FROM settings WHERE key = 'study'").fetchone()
    return json.loads(row[0]) if row else None


def settings_lines(summary) -> list[str]:
    return [line for line in summary.lines() if line.startswith("Study settings")]


def test_the_newer_study_settings_win_in_both_directions(laptops, tmp_path) -> None:
    a, b = laptops
    monday, tuesday = datetime(2026, 3, 2, 9, tzinfo=UTC), datetime(2026, 3, 3, 9, tzinfo=UTC)
    StudySettings(desired_retention=0.85, new_per_day=10).save(a.conn, now=monday)
    StudySettings(desired_retention=0.95, new_per_day=5, day_start_hour=6).save(b.conn, now=tuesday)
    b_settings = stored_settings(b)

    a_file = tmp_path / "a.zip"
    assert "your study settings" in export_progress(a.conn, a.packs, a_file).message()
    assert settings_lines(import_progress(b.conn, b.packs, a_file)) == []  # B's are newer: kept, nothing to say
    assert stored_settings(b) == b_settings

    summary = import_progress(a.conn, a.packs, _export(b, tmp_path / "b.zip"))
    assert stored_settings(a) == b_settings  # values and the stamp: the two computers now agree
    shown = tuesday.astimezone().strftime("%Y-%m-%d %H:%M")
    assert settings_lines(summary) == [f"Study settings: taken from the file (saved {shown})"]
    # the same settings with the same stamp on both sides: a transfer back changes nothing
    assert settings_lines(import_progress(b.conn, b.packs, _export(a, tmp_path / "a2.zip"))) == []
    assert stored_settings(b) == b_settings

    # later, A changes them again: now A's win on B
    StudySettings(desired_retention=0.88, reviews_per_day=80).save(a.conn, now=tuesday + timedelta(days=1))
    taken = import_progress(b.conn, b.packs, _export(a, tmp_path / "a3.zip"))
    assert StudySettings.load(b.conn) == StudySettings(desired_retention=0.88, reviews_per_day=80)
    assert len(settings_lines(taken)) == 1


def _export(install: Install, out: Path) -> Path:
    export_progress(install.conn, install.packs, out)
    return out


def test_settings_without_a_stamp_count_as_oldest(laptops, tmp_path) -> None:
    a, b = laptops
    unstamped = json.dumps({"desired_retention": 0.85, "new_per_day": 15})  # saved by an older release
    with a.conn:
        a.conn.execute("INSERT INTO settings VALUES ('study', ?)", (unstamped,))
    a_file = _export(a, tmp_path / "a.zip")
    # B never chose any settings: A's choice, stamped or not, beats B's defaults
    assert len(settings_lines(import_progress(b.conn, b.packs, a_file))) == 1
    assert StudySettings.load(b.conn) == StudySettings(desired_retention=0.85, new_per_day=15)
    # unstamped on both sides is a tie: B keeps its own
    with b.conn:
        b.conn.execute("INSERT OR REPLACE INTO settings VALUES ('study', ?)", (json.dumps({"new_per_day": 3}),))
    assert settings_lines(import_progress(b.conn, b.packs, a_file)) == []
    assert StudySettings.load(b.conn).new_per_day == 3
    # any stamp is newer than none, in both directions
    StudySettings(new_per_day=4).save(b.conn, now=datetime(2020, 1, 1, tzinfo=UTC))
    assert settings_lines(import_progress(b.conn, b.packs, a_file)) == []
    assert StudySettings.load(b.conn).new_per_day == 4
    assert len(settings_lines(import_progress(a.conn, a.packs, _export(b, tmp_path / "b.zip")))) == 1
    assert StudySettings.load(a.conn).new_per_day == 4


def test_the_replay_uses_the_desired_retention_of_the_settings_that_win(laptops, tmp_path) -> None:
    from genai_desktop.core.study.session import StudyScheduler

    a, b = studied(laptops)
    StudySettings(desired_retention=0.90).save(a.conn, now=datetime(2026, 3, 2, tzinfo=UTC))
    StudySettings(desired_retention=0.95).save(b.conn, now=datetime(2026, 3, 3, tzinfo=UTC))
    import_progress(a.conn, a.packs, _export(b, tmp_path / "b.zip"))  # no retention given: the settings decide
    differs = 0  # cards with a short interval come out the same at either retention: count the others
    for qid in IDS[5:10]:  # studied on both, so replayed on A
        logs = [ReviewLog(card_id_for(qid), Rating(r), datetime.fromisoformat(at), None)
                for r, at in a.conn.execute("SELECT rating, reviewed_at FROM reviews WHERE question_id = ?", (qid,))]
        start = Card(card_id=card_id_for(qid), due=min(log.review_datetime for log in logs))
        hour = StudySettings.load(a.conn).day_start_hour
        at_95 = StudyScheduler(day_start_hour=hour, desired_retention=0.95, enable_fuzzing=False).reschedule_card(
            start, logs)
        at_90 = StudyScheduler(day_start_hour=hour, desired_retention=0.90, enable_fuzzing=False).reschedule_card(
            start, logs)
        due = datetime.fromisoformat(card_row(a.conn, qid)[4])
        assert due == at_95.due.replace(microsecond=at_95.due.microsecond // 1000 * 1000), qid
        differs += at_90.due != at_95.due
    assert differs >= 2


FITTED = (0.1, 0.4, 1.0, 3.5, 6.4, 0.83, 3.0, 0.001, 1.3, 0.17, 1.1, 0.9, 0.06, 0.26, 1.6, 0.6, 1.9, 0.54,
          0.09, 0.07, 0.4)  # weights as a fit of one user's reviews might give (core/study/fsrs_fit.py)


def test_fitted_weights_travel_with_the_settings_and_the_merge_replays_with_them(laptops, tmp_path) -> None:
    from genai_desktop.core.study.session import StudyScheduler

    a, b = studied(laptops)
    StudySettings(parameters=FITTED).save(b.conn, now=datetime(2026, 3, 3, tzinfo=UTC))
    assert read_progress_file(_export(b, tmp_path / "b.zip")).settings.parameters == FITTED
    summary = import_progress(a.conn, a.packs, tmp_path / "b.zip")
    assert StudySettings.load(a.conn).parameters == FITTED and len(settings_lines(summary)) == 1
    for qid in IDS[5:10]:  # studied on both, so replayed on A: with the weights that came with the file
        logs = [ReviewLog(card_id_for(qid), Rating(r), datetime.fromisoformat(at), None)
                for r, at in a.conn.execute("SELECT rating, reviewed_at FROM reviews WHERE question_id = ?", (qid,))]
        start = Card(card_id=card_id_for(qid), due=min(log.review_datetime for log in logs))
        expected = StudyScheduler(day_start_hour=StudySettings.load(a.conn).day_start_hour, enable_fuzzing=False,
                                  parameters=FITTED).reschedule_card(start, logs)
        assert card_row(a.conn, qid)[2] == pytest.approx(expected.stability), qid
    # back on B, the same weights with the same stamp: nothing to say
    assert settings_lines(import_progress(b.conn, b.packs, _export(a, tmp_path / "a.zip"))) == []
    assert StudySettings.load(b.conn).parameters == FITTED


def _with_settings(source: Path, out: Path, settings) -> Path:
    """A copy of a progress file whose progress.json carries ``settings`` (None: no settings part at all,
    as a file from the release before settings travelled)."""
    with zipfile.ZipFile(source) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    data = json.loads(members["progress.json"])
    data.pop("settings", None)
    if settings is not None:
        data["settings"] = settings
    members["progress.json"] = json.dumps(data).encode()
    return _zip(out, members)


def test_a_file_without_settings_imports_and_leaves_the_settings_alone(laptops, tmp_path) -> None:
    a, b = studied(laptops)
    StudySettings(new_per_day=10).save(a.conn, now=datetime(2030, 1, 1, tzinfo=UTC))
    StudySettings(new_per_day=7).save(b.conn, now=datetime(2026, 1, 1, tzinfo=UTC))
    b_settings = stored_settings(b)
    old_file = _with_settings(_export(a, tmp_path / "a.zip"), tmp_path / "old.zip", None)
    summary = import_progress(b.conn, b.packs, old_file)
    assert summary.reviews_added > 0 and settings_lines(summary) == []
    assert stored_settings(b) == b_settings
    # and a data folder whose user never chose settings exports none, rather than the defaults
    fresh = make_install(tmp_path / "fresh", datetime(2026, 1, 1, tzinfo=UTC))
    out = tmp_path / "fresh.zip"
    assert "study settings" not in export_progress(fresh.conn, fresh.packs, out).message()
    assert read_progress_file(out).settings is None
    fresh.conn.close()


@pytest.mark.parametrize("bad, words", [
    ({"study": {"desired_retention": 0.5, "saved_at": "2030-01-01T00:00:00+00:00"}}, "desired retention must be"),
    ({"study": {"new_per_day": "lots", "saved_at": "2030-01-01T00:00:00+00:00"}}, "new per day is 'lots'"),
    ({"study": "0.95"}, "not a JSON object"),
    ({"study": {"parameters": [0.2] * 20, "saved_at": "2030-01-01T00:00:00+00:00"}}, "list of 21 numbers"),
    ({"study": {"parameters": [50.0] * 21, "saved_at": "2030-01-01T00:00:00+00:00"}}, "w4 is 50.0, outside"),
])
def test_unusable_settings_in_a_file_are_reported_and_never_stored(laptops, tmp_path, bad, words) -> None:
    a, b = studied(laptops)
    StudySettings(new_per_day=7).save(b.conn, now=datetime(2026, 1, 1, tzinfo=UTC))
    b_settings = stored_settings(b)
    bad_file = _with_settings(_export(a, tmp_path / "a.zip"), tmp_path / "bad.zip", bad)
    summary = import_progress(b.conn, b.packs, bad_file)
    assert summary.reviews_added > 0  # the rest of the file is still merged
    assert stored_settings(b) == b_settings
    (line,) = settings_lines(summary)
    assert line.startswith("Study settings in the file were not used: ") and words in line


def test_guide_notes_and_bookmarks_travel_and_merge_like_question_ones(laptops, tmp_path) -> None:
    """Guides share the notes and bookmarks tables under "guide:<id>" keys (core/content/notes.py)."""
    a, b = laptops
    stamp = "2025-01-0{}T10:00:00.000+00:00".format
    with a.conn:
        a.conn.execute("INSERT INTO notes VALUES ('guide:reading', 'A on the guide, later', ?)", (stamp(5),))
        a.conn.execute("INSERT INTO notes VALUES ('guide:only-a', 'only on A', ?)", (stamp(1),))
        a.conn.execute("INSERT INTO bookmarks VALUES ('guide:reading', ?)", (stamp(1),))
    with b.conn:
        b.conn.execute("INSERT INTO notes VALUES ('guide:reading', 'B on the guide, first', ?)", (stamp(2),))
        b.conn.execute("INSERT INTO bookmarks VALUES ('guide:reading', ?)", (stamp(3),))
        b.conn.execute("INSERT INTO bookmarks VALUES ('q02', ?)", (stamp(3),))
    out = tmp_path / "from-a.zip"
    export_progress(a.conn, a.packs, out)

    summary = import_progress(b.conn, b.packs, out, backups_dir=b.backups, desired_retention=RETENTION)
    assert dict(b.rows("SELECT question_id, body FROM notes")) == {
        "guide:reading": "A on the guide, later", "guide:only-a": "only on A"}
    assert summary.notes == {"added": 1, "updated": 1, "kept": 0}
    assert {k for (k,) in b.rows("SELECT question_id FROM bookmarks")} == {"guide:reading", "q02"}
    assert summary.bookmarks_added == 0 and summary.cards_recomputed == 0  # a guide is no card
    assert b.rows("SELECT count(*) FROM cards") == [(0,)]
