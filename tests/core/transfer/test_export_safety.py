"""The Anki export sanitises card HTML to an allow-list (issue 23): whatever raw HTML a user's
notes hold, no script, frame, event handler, javascript: link or remote / file: picture reaches
the .apkg."""

from __future__ import annotations

import re
import sqlite3
import zipfile
from html.parser import HTMLParser
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from genai_desktop.core.content.library import load_pack
from genai_desktop.core.transfer.anki_export import (
    ALLOWED_ATTRIBUTES,
    ALLOWED_TAGS,
    AnkiHtml,
    export_apkg,
    sanitize_card_html,
)

HOSTILE = """\
<script>alert('s')</script>
<iframe src="https://evil.example/frame"></iframe><frame src="x"><object data="x.swf"></object><embed src="y">
<img src="x.png" onerror="alert('e')"> <img src="https://evil.example/track.png"> <img src="file:///etc/passwd">
<img src="//evil.example/p.png"> <img src="../../../etc/passwd"> <img src="data:image/png;base64,AAAA">
<a href="javascript:alert('j')">j</a> <a href="JaVaScRiPt:alert(1)">J</a> <a href="&#106;avascript:alert(1)">E</a>
<a href=" java\tscript:alert(1)">W</a> <a href="vbscript:x">V</a> <a href="file:///etc/passwd">F</a>
<a href="https://example.org/ok" onclick="alert('c')" target="_blank">fine link</a>
<div style="background-image: url(https://evil.example/bg.png)" onmouseover="alert(1)">styled</div>
<svg onload="alert(1)"><circle r="5"/></svg><math><mi>x</mi></math><style>body{display:none}</style>
<form action="https://evil.example"><input name="p"><button formaction="javascript:alert(1)">b</button></form>
<base href="https://evil.example/"><meta http-equiv="refresh" content="0;url=https://evil.example">
<link rel="stylesheet" href="https://evil.example/s.css"><!-- a comment --><noscript>n</noscript>
<table onclick="x"><tr><td colspan="2" style="color: red">kept cell</td></tr></table>

A [markdown js link](javascript:alert(1)) and ![remote](https://evil.example/r.png) and [ok](https://example.org).
"""

FORBIDDEN = re.compile(r"<\s*(script|iframe|frame|object|embed|svg|math|style|form|input|button|base|meta|link|"
                       r"noscript)\b|\son\w+\s*=|javascript:|vbscript:|file:|src=\"(?:https?:)?//|url\(|<!--",
                       re.I)


def _topic(body: str) -> str:
    return ('+++\nid = "mine"\ntitle = "Mine"\norder = 1\n+++\n\n'
            "## A hostile question <script>alert('t')</script>?\n<!-- id: hostile; sources: ; level: -->\n\n"
            f"**Key points.** <img src=x onerror=alert(1)> kept text.\n\n{body}\n")


def test_hostile_notes_reach_the_apkg_only_as_safe_html(tmp_path: Path) -> None:
    pack = tmp_path / "packs" / "mine"
    (pack / "topics").mkdir(parents=True)
    (pack / "topics" / "01-mine.md").write_text(_topic(HOSTILE), encoding="utf-8")
    library = load_pack(pack, pack="mine")
    out = tmp_path / "deck.apkg"
    export_apkg(library, ["hostile"], out, timestamp=1_750_000_000.0)
    with zipfile.ZipFile(out) as archive:
        (tmp_path / "c.anki2").write_bytes(archive.read("collection.anki2"))
    conn = sqlite3.connect(tmp_path / "c.anki2")
    (fields,) = conn.execute("SELECT flds FROM notes").fetchone()
    conn.close()
    assert not FORBIDDEN.search(fields), FORBIDDEN.search(fields)
    for kept in ("fine link", 'href="https://example.org/ok"', "kept cell", "styled", "kept text",
                 "A hostile question", 'href="https://example.org"', "[image: remote]"):
        assert kept in fields, kept


def test_the_page_own_html_passes_unchanged(starter_pack: Path) -> None:
    """Code highlighting, tables, formulas and pictures of a real pack lose nothing."""
    library = load_pack(starter_pack)
    renderer = AnkiHtml()
    for question in library.questions():
        for text in (question.key_points, question.answer):
            raw = renderer.renderer.to_html(text)
            assert sanitize_card_html(renderer.block(text, question)) == renderer.block(text, question)
            assert renderer.block(text, question).count("<span") == raw.count("<span")


class _Collect(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.comments = 0

    def handle_starttag(self, tag, attrs) -> None:
        self.tags.append((tag, attrs))

    def handle_comment(self, data) -> None:
        self.comments += 1


PIECES = ["<script>", "</script>", "<iframe src='//x'>", "<img src=", "'https://e/x.png'", " onerror=a()", ">",
          "<a href=", '"javascript:x"', '"jav&#x61;script:x"', '"/local"', "<svg onload=x>", "<style>", "</style>",
          "<td style='background:url(x)'>", "<p class=a>", "text", "&lt;", "<!--", "-->", "<", "\"", "'", " ",
          "<b>", "</b>", "<img src='gsd-1-a.png' alt='a'>", "<a href='https://ok.example'>"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=8)), max_size=40).map("".join))
def test_any_html_comes_out_within_the_allow_list(fragment: str) -> None:
    clean = sanitize_card_html(fragment)
    parsed = _Collect()
    parsed.feed(clean)
    parsed.close()
    assert parsed.comments == 0
    for tag, attrs in parsed.tags:
        assert tag in ALLOWED_TAGS, tag
        for name, value in attrs:
            assert name in ALLOWED_ATTRIBUTES.get(tag, set()) | ALLOWED_ATTRIBUTES["*"], (tag, name)
            lowered = re.sub(r"[\s\x00-\x1f]", "", (value or "").lower())
            assert "javascript:" not in lowered and "file:" not in lowered and "url(" not in lowered
            if name == "src":
                assert re.fullmatch(r"[A-Za-z0-9._-]+", value or ""), value
    assert sanitize_card_html(clean) == clean  # stable: sanitising twice changes nothing
