"""Progress import against hostile files (issue 23): sizes and rows are capped before anything is
inflated or parsed, every value is checked, and each refusal is a TransferError naming the row.

Files are built by hand here (not exported) so each case changes exactly one thing, and the
import's "now" is a fixed clock."""

from __future__ import annotations

import json
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from genai_desktop.core.store import db
from genai_desktop.core.transfer import progress as progress_transfer
from genai_desktop.core.transfer.progress import TransferError, export_progress, import_progress, read_progress_file

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
REVIEW_COLUMNS = ["uid", "question_id", "rating", "reviewed_at", "duration_ms", "state_before", "state_after"]


def clock() -> datetime:
    return NOW


def review(uid: str = "u1", qid: str = "q01", rating=3, at="2026-02-20T10:00:00.000+00:00", duration=4000,
           before=None, after="{}") -> list:
    return [uid, qid, rating, at, duration, before, after]


def progress_json(reviews=None, notes=None, cards=None, bookmarks=None, milestones=None, **extra) -> dict:
    tables = {
        "reviews": {"columns": REVIEW_COLUMNS, "rows": reviews if reviews is not None else [review()]},
        "cards": {"columns": ["question_id", "suspended", "buried_day"], "rows": cards or []},
        "notes": {"columns": ["question_id", "body", "updated_at"], "rows": notes or []},
        "bookmarks": {"columns": ["question_id", "created_at"], "rows": bookmarks or []},
        "milestones": {"columns": ["milestone_id", "state", "done_at", "note", "updated_at"], "rows": milestones or []},
    }
    return {"tables": tables, **extra}


def manifest(**changes) -> dict:
    return {"format": "genai-study-desk-progress", "version": 1, "exported_at": "2026-02-28T10:00:00.000+00:00",
            "counts": {}, "packs": [], **changes}


def write(path: Path, data: dict | str | bytes | None = None, man: dict | None = None, extra=None) -> Path:
    data = progress_json() if data is None else data
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.json", json.dumps(man or manifest()))
        archive.writestr("progress.json", data if isinstance(data, str | bytes) else json.dumps(data))
        for name, body in (extra or {}).items():
            archive.writestr(name, body)
    return path


@pytest.fixture
def conn(tmp_path: Path):
    database = db.open_progress(tmp_path / "progress.sqlite")
    yield database.conn
    database.conn.close()


def refused(conn, path: Path, words: str) -> str:
    before = conn.execute("SELECT count(*) FROM reviews").fetchone()
    with pytest.raises(TransferError, match=words) as caught:
        import_progress(conn, None, path, clock=clock)
    assert conn.execute("SELECT count(*) FROM reviews").fetchone() == before
    assert not conn.in_transaction
    return str(caught.value)


def test_a_plain_file_imports(conn, tmp_path: Path) -> None:
    summary = import_progress(conn, None, write(tmp_path / "ok.zip"), clock=clock)
    assert summary.reviews_added == 1


# ---------------------------------------------------------------- sizes, rows and nesting

def test_a_zip_bomb_of_tiny_rows_is_refused_before_it_is_inflated(conn, tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    # The file of the issue was 459 KB and inflated to 40 M rows; the same shape, scaled down by
    # lowering the caps, shows the check happens on the declared size before any inflating.
    rows = b'{"tables":{"reviews":{"columns":[],"rows":[' + b"[]," * 2_000_000 + b"[]]}}}"
    path = write(tmp_path / "bomb.zip", rows)
    assert path.stat().st_size < 100_000
    monkeypatch.setattr(zipfile.ZipFile, "read", lambda *a, **k: pytest.fail("a member was inflated whole"))
    monkeypatch.setattr(progress_transfer, "MAX_DATA_BYTES", 1 << 20)
    refused(conn, path, r"progress\.json unpacks to 5\.7 MB; the limit is 1 MB")


def test_rows_are_capped_before_they_are_built(conn, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rows = [review(uid=f"u{n}") for n in range(300)]
    monkeypatch.setattr(progress_transfer, "MAX_ROWS", 200)
    real_loads = json.loads

    def loads(raw, *args, **kwargs):
        if len(raw) > 10_000:  # the manifest is parsed; the rows must not be
            pytest.fail("parsed before its rows were counted")
        return real_loads(raw, *args, **kwargs)

    monkeypatch.setattr(json, "loads", loads)
    refused(conn, write(tmp_path / "rows.zip", progress_json(reviews=rows)), "more than 200 rows")


@pytest.mark.parametrize("depth", [64, 200_000])
def test_deeply_nested_json_is_refused_not_a_traceback(conn, tmp_path: Path, depth: int) -> None:
    data = '{"tables":' + "[" * depth + "]" * depth + "}"
    refused(conn, write(tmp_path / "deep.zip", data), "nested too deeply")
    refused(conn, _with_manifest(tmp_path / "deep-manifest.zip", "[" * depth + "]" * depth), "nested too deeply")


def _with_manifest(path: Path, text: str) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("manifest.json", text)
        archive.writestr("progress.json", json.dumps(progress_json()))
    return path


def test_too_many_members_are_refused(conn, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(progress_transfer, "MAX_MEMBERS", 10)
    extra = {f"packs/p/f{n}.md": "x" for n in range(20)}
    refused(conn, write(tmp_path / "many.zip", extra=extra), "more than 10 files")


# ---------------------------------------------------------------- values

BAD_REVIEWS = [
    (review(before={"state": 1}), r"row 1 of reviews has a state_before that is not text \(dict\)"),
    (review(after=["x"]), r"row 1 of reviews has a state_after that is not text \(list\)"),
    (review(duration=10**30), r"row 1 of reviews has duration_ms 10{30}, which is out of range"),
    (review(duration=-5), r"row 1 of reviews has duration_ms -5, which is out of range"),
    (review(duration=2.5), r"row 1 of reviews has duration_ms 2.5, which is not a whole number"),
    (review(duration=True), r"row 1 of reviews has duration_ms True, which is not a whole number"),
    (review(at="9999-01-01T00:00:00+00:00"), r"row 1 of reviews has reviewed_at 9999-01-01.*, which is in the future"),
    (review(at="2031-06-01T00:00:00+00:00"), r"row 1 of reviews has reviewed_at 2031-06-01.*, which is in the future"),
    (review(at="0001-01-01T00:00:00+00:00"), r"row 1 of reviews has reviewed_at 0001-01-01.*, which is before 2000"),
    (review(at="2026-02-20T10:00:00"), r"row 1 of reviews has reviewed_at .*, which is not a time with a time zone"),
    (review(at=17), r"row 1 of reviews has reviewed_at 17, which is not a time"),
    (review(rating=True), r"row 1 of reviews has rating True"),
    (review(rating="3"), r"row 1 of reviews has rating '3'"),
    (review(qid=None), r"row 1 of reviews has no question_id"),
    (review(qid="x" * 1000), r"row 1 of reviews has a question_id that is too long"),
    (review(qid="q\u202e01"), r"row 1 of reviews has a question_id with control or direction characters"),
    (review(uid={"a": 1}), r"row 1 of reviews has no uid"),
]


@pytest.mark.parametrize(("row", "words"), BAD_REVIEWS)
def test_every_review_value_is_checked(conn, tmp_path: Path, row: list, words: str) -> None:
    refused(conn, write(tmp_path / "bad.zip", progress_json(reviews=[row])), words)


@pytest.mark.parametrize(("data", "words"), [
    (progress_json(notes=[["q01", {"text": "x"}, "2026-01-01T00:00:00+00:00"]]),
     r"row 1 of notes has a body that is not text"),
    (progress_json(notes=[["q01", "x", "2099-01-01T00:00:00+00:00"]]), r"row 1 of notes has updated_at .* future"),
    (progress_json(milestones=[["m1", "finished", None, "", "2026-01-01T00:00:00+00:00"]]),
     r"row 1 of milestones has state 'finished'"),
    (progress_json(milestones=[["m1", "done", "2099-01-01T00:00:00+00:00", "", "2026-01-01T00:00:00+00:00"]]),
     r"row 1 of milestones has done_at .* future"),
    (progress_json(milestones=[["m1", "done", None, 5, "2026-01-01T00:00:00+00:00"]]),
     r"row 1 of milestones has a note that is not text"),
    (progress_json(cards=[["q01", "yes", None]]), r"row 1 of cards has suspended 'yes'"),
    (progress_json(cards=[["q01", 0, "9999-01-01"]]), r"row 1 of cards has buried_day '9999-01-01'"),
    (progress_json(cards=[["q01", 0, {"day": 1}]]), r"row 1 of cards has buried_day"),
    (progress_json(bookmarks=[["q01", "3026-01-01T00:00:00+00:00"]]), r"row 1 of bookmarks has created_at .* future"),
])
def test_every_value_of_the_other_tables_is_checked(conn, tmp_path: Path, data: dict, words: str) -> None:
    refused(conn, write(tmp_path / "bad.zip", data), words)


def test_the_last_allowed_moment_is_a_day_after_now(conn, tmp_path: Path) -> None:
    ok = review(uid="a", at="2026-03-02T11:59:59.000+00:00")  # clock drift between two computers
    import_progress(conn, None, write(tmp_path / "ok.zip", progress_json(reviews=[ok])), clock=clock)
    late = review(uid="b", at="2026-03-02T12:00:01.000+00:00")
    refused(conn, write(tmp_path / "late.zip", progress_json(reviews=[late])), "in the future")


@pytest.mark.parametrize(("version", "words"), [
    ("1", r"malformed.*version '1'"), (1.0, r"malformed.*version 1\.0"), (None, "malformed.*version None"),
    (0, "malformed.*version 0"), (True, "malformed.*version True"), (2, "newer version"),
])
def test_a_malformed_version_is_not_called_newer(conn, tmp_path: Path, version, words: str) -> None:
    message = refused(conn, write(tmp_path / "v.zip", man=manifest(version=version)), words)
    if version != 2:
        assert "newer" not in message


@pytest.mark.parametrize("packs", [
    [{"id": "p", "files": {"a.md": "yesterday"}, "modified": 0}],
    [{"id": "p", "files": {"a.md": 0}, "modified": "soon"}],
    [{"id": "p", "files": {"a.md": 1e300}, "modified": 0}],
])
def test_pack_entries_with_bad_times_are_refused(conn, tmp_path: Path, packs: list) -> None:
    path = write(tmp_path / "p.zip", man=manifest(packs=packs), extra={"packs/p/a.md": "x"})
    refused(conn, path, "pack entry")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=30),
                       st.lists(st.integers(), max_size=3), st.dictionaries(st.text(max_size=3), st.integers(),
                                                                            max_size=2)),
       column=st.integers(0, 6))
def test_any_value_in_any_review_column_imports_or_is_refused_clearly(conn, tmp_path: Path, value,
                                                                      column: int) -> None:
    row = review(uid="h1")
    row[column] = value
    try:
        import_progress(conn, None, write(tmp_path / "h.zip", progress_json(reviews=[row])), clock=clock)
    except TransferError as exc:
        assert "row 1 of reviews" in str(exc) or "damaged" in str(exc)
    finally:
        with conn:
            conn.execute("DELETE FROM reviews")
            conn.execute("DELETE FROM cards")
    assert not conn.in_transaction


# ---------------------------------------------------------------- duplicates

def test_a_duplicate_uid_with_different_content_is_reported(conn, tmp_path: Path) -> None:
    first = review(uid="same", rating=3)
    import_progress(conn, None, write(tmp_path / "one.zip", progress_json(reviews=[first])), clock=clock)
    other = review(uid="same", rating=1, at="2026-02-21T10:00:00.000+00:00")
    again = review(uid="same", rating=3, after='{"stability": 2}')  # the same review; states are replayed anyway
    summary = import_progress(conn, None, write(tmp_path / "two.zip", progress_json(reviews=[again, other])),
                              clock=clock)
    assert summary.reviews_added == 0 and summary.reviews_known == 1 and summary.reviews_conflicting == 1
    assert any("1 review in the file differs from the one here with the same id" in line for line in summary.lines())
    assert conn.execute("SELECT rating FROM reviews WHERE uid = 'same'").fetchall() == [(3,)]


def test_a_uid_twice_in_the_file_is_counted_once_or_reported(conn, tmp_path: Path) -> None:
    one, same, other = review(uid="d"), review(uid="d"), review(uid="d", rating=4)
    summary = import_progress(conn, None, write(tmp_path / "d.zip", progress_json(reviews=[one, same, other])),
                              clock=clock)
    assert summary.reviews_added == 1 and summary.reviews_known == 0 and summary.reviews_conflicting == 1


# ---------------------------------------------------------------- clean text and the clock

def test_text_fields_are_cleaned(conn, tmp_path: Path) -> None:
    notes = [["q01", "a NUL\x00 and \u202eRLO", "2026-01-01T00:00:00+00:00"]]
    milestones = [["m1", "done", None, "note\x07 \u2066x\u2069", "2026-01-01T00:00:00+00:00"]]
    import_progress(conn, None, write(tmp_path / "t.zip", progress_json(notes=notes, milestones=milestones)),
                    clock=clock)
    assert conn.execute("SELECT body FROM notes").fetchone() == ("a NUL and RLO",)
    assert conn.execute("SELECT note FROM milestones").fetchone() == ("note x",)


def test_bookmarks_and_new_cards_take_the_import_clock(conn, tmp_path: Path) -> None:
    data = progress_json(reviews=[], bookmarks=[["q05", None]], cards=[["q06", 1, None]])
    import_progress(conn, None, write(tmp_path / "c.zip", data), clock=clock)
    assert conn.execute("SELECT created_at FROM bookmarks").fetchone() == ("2026-03-01T12:00:00.000+00:00",)
    assert conn.execute("SELECT due FROM cards").fetchone() == ("2026-03-01T12:00:00.000+00:00",)


def test_reading_uses_the_given_clock(tmp_path: Path) -> None:
    path = write(tmp_path / "r.zip", progress_json(reviews=[review(at="2026-03-01T13:00:00+00:00")]))
    read_progress_file(path, clock=clock)
    with pytest.raises(TransferError, match="future"):
        read_progress_file(path, clock=lambda: datetime(2026, 2, 27, tzinfo=UTC))


# ---------------------------------------------------------------- export writes only what import takes

def test_export_leaves_out_links_out_of_a_pack_and_huge_files(conn, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    packs = tmp_path / "packs"
    pack = packs / "mine"
    (pack / "topics").mkdir(parents=True)
    (pack / "topics" / "01.md").write_text("+++\nid = \"m\"\ntitle = \"M\"\n+++\n", encoding="utf-8")
    (pack / "images").mkdir()
    secret = tmp_path / "passwd"
    secret.write_text("root:x:0:0", encoding="utf-8")
    (pack / "images" / "photo.png").symlink_to(secret)
    (pack / "inside.md").symlink_to(pack / "topics" / "01.md")  # a link that stays in the pack is fine
    (tmp_path / "elsewhere").mkdir()
    (pack / "linked-folder").symlink_to(tmp_path / "elsewhere")
    (tmp_path / "elsewhere" / "x.md").write_text("outside", encoding="utf-8")
    huge = pack / "images" / "huge.png"
    with huge.open("wb") as handle:
        handle.truncate(1 << 30)  # sparse
    real_open = Path.open

    def guarded(self: Path, *args, **kwargs):
        if self.resolve() in (huge, secret):
            raise AssertionError(f"{self} was read")
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", guarded)
    monkeypatch.setattr(Path, "read_bytes", lambda self: pytest.fail("a pack file was read whole"))
    out = tmp_path / "out.zip"
    summary = export_progress(conn, packs, out, clock=clock)
    with zipfile.ZipFile(out) as archive:
        names = set(archive.namelist())
    assert "packs/mine/topics/01.md" in names and "packs/mine/inside.md" in names
    assert not {"packs/mine/images/photo.png", "packs/mine/images/huge.png",
                "packs/mine/linked-folder/x.md"} & names
    assert set(summary.skipped) == {"mine/images/photo.png", "mine/images/huge.png", "mine/linked-folder"}
    assert "3 pack files left out" in summary.message()
    monkeypatch.undo()
    read_progress_file(out, clock=clock)  # its own import takes it


def test_export_refuses_to_write_a_file_its_import_would_refuse(conn, tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    with conn:
        conn.executemany("INSERT INTO notes VALUES (?, 'x', '2026-01-01T00:00:00.000+00:00')",
                         [(f"q{n}",) for n in range(30)])
    monkeypatch.setattr(progress_transfer, "MAX_ROWS", 20)
    with pytest.raises(TransferError, match="more than 20 rows"):
        export_progress(conn, None, tmp_path / "big.zip", clock=clock)
    assert not list(tmp_path.glob("big.zip*"))


def test_settings_saved_in_the_future_are_reported_and_not_used(conn, tmp_path: Path) -> None:
    data = progress_json(settings={"study": {"new_per_day": 7, "saved_at": "9999-01-01T00:00:00.000+00:00"}})
    summary = import_progress(conn, None, write(tmp_path / "s.zip", data), clock=clock)
    assert not summary.settings_taken and "in the future" in summary.settings_problem
    assert conn.execute("SELECT count(*) FROM settings WHERE key = 'study'").fetchone() == (0,)


def test_brackets_inside_text_are_not_nesting(conn, tmp_path: Path) -> None:
    body = 'a quote \\" then ' + "[{" * 500 + ' and a backslash \\\\ "'
    notes = [["q01", body, "2026-01-01T00:00:00+00:00"]]
    import_progress(conn, None, write(tmp_path / "b.zip", progress_json(notes=notes)), clock=clock)
    assert conn.execute("SELECT body FROM notes").fetchone() == (body,)
