"""The command line; its shortcut for a plain GUI start must never change what a command means."""

import re

import pytest

from genai_desktop import cli


@pytest.mark.parametrize("argv", [
    [],
    ["--data-dir", "/tmp/x"],
    ["--data-dir=/tmp/x", "--theme", "dark"],
    ["--theme", "light", "--data-dir", "content"],  # a folder named like a verb is a value here
    ["--theme=system", "--data-dir="],  # an empty value, as the parser takes it
    ["--data-dir", "a", "--data-dir", "b=c"],  # the last one wins
    ["--self-test"],
    ["--self-test", "--data-dir", "/tmp/x"],
])
def test_a_plain_gui_start_reads_as_the_parser_reads_it(argv):
    fast = cli.plain_gui_start(argv)
    assert fast is not None
    assert vars(fast) == vars(cli._parser().parse_args(argv))


@pytest.mark.parametrize("argv", [
    ["content", "--json"],
    ["--data-dir", "/tmp/x", "check"],
    ["--help"],
    ["-h"],
    ["--he"],  # argparse takes abbreviations of --help
    ["contnet"],  # a typo gets the full parser's "invalid choice" message
    ["--data", "/tmp/x"],  # an abbreviation: the parser decides
    ["--theme", "blue"],  # not one of the choices: the parser says which are
    ["--theme"],  # a missing value
    ["--data-dir", "-x"],  # a value that looks like an option
    ["--self-test=yes"],
    ["--", "--data-dir", "x"],
])
def test_anything_else_goes_to_the_parser(argv):
    assert cli.plain_gui_start(argv) is None


def test_a_bad_theme_gets_the_parser_s_message(capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["--theme", "blue"])
    assert exit_info.value.code == 2
    assert "invalid choice: 'blue'" in capsys.readouterr().err


def test_help_lists_the_verbs(capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    for verb in ("content", "check", "screenshot", "export-apkg", "import", "search"):
        assert verb in out


def test_a_mistyped_verb_is_named_in_the_error(capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["contnet"])
    assert exit_info.value.code == 2
    assert "invalid choice: 'contnet'" in capsys.readouterr().err


def test_search_prints_the_search_box_s_ranked_results(capsys, tmp_path):
    import json

    from genai_desktop.core.search.query import strip_marks
    from genai_desktop.core.workspace import Workspace

    data = tmp_path / "data"
    assert cli.main(["search", "--data-dir", str(data), "tranformer", "rnn", "--json", "--limit", "4"]) == 0
    printed = json.loads(capsys.readouterr().out)
    workspace = Workspace(data)
    try:
        box = workspace.search("tranformer rnn", 4)  # what the search box runs (ui/library_tools.py)
    finally:
        workspace.close()
    assert [r["page_id"] for r in printed["results"]] == [h.page_id for h in box] and len(box) == 4
    assert [r["snippet"] for r in printed["results"]] == [strip_marks(h.snippet) for h in box]
    assert printed["corrections"] == [{"typed": "tranformer", "meant": "transformer"}]
    assert "transformer" in {w.lower() for w in printed["results"][0]["matched"]}
    assert cli.main(["search", "--data-dir", str(data), "kv", "cache", "--limit", "2"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith(" 1. q:inf-kv-cache-memory  How much memory does the KV cache take")
    assert len([line for line in out if line[:3].strip().rstrip(".").isdigit()]) == 2


def test_render_prints_the_readers_html_and_a_whole_page_with_html(tmp_path, capsys):
    page = tmp_path / "note.md"
    page.write_text("# Title\n\n- [x] done\n\n```python\nx = 1\n```\n\nWith $x_i$ inline.\n", encoding="utf-8")
    data = ["--data-dir", str(tmp_path / "data")]
    assert cli.main(["render", str(page), *data]) == 0
    out = capsys.readouterr().out
    assert out.startswith("<h1>Title</h1>") and "☑ done" in out and 'class="code"' in out
    assert cli.main(["render", str(page), "--html", *data]) == 0
    out = capsys.readouterr().out
    assert out.startswith("<!DOCTYPE html>") and "<style>" in out and "<h1>Title</h1>" in out
    # The formula travels inside the page, lowered by its depth below the baseline.
    assert 'src="data:image/svg+xml;base64,' in out and re.search(r'style="vertical-align: -\d+\.\d\dpx"', out)


def test_render_of_a_missing_file_is_one_line_and_exit_1(tmp_path, capsys):
    assert cli.main(["render", str(tmp_path / "nope.md"), "--data-dir", str(tmp_path / "data")]) == 1
    err = capsys.readouterr().err
    assert err.startswith("genai-desktop: cannot read") and "Traceback" not in err
