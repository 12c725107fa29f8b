"""The app never touches the network: a full session runs with socket creation forbidden.

Browse the library, render every kind of page, search, review cards and import notes, while
any attempt to create a socket or open a connection fails the test. (The single-instance
guard uses a local socket through Qt, not Python's socket module, and is not part of this.)
"""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from genai_desktop.core.render.markdown_html import MarkdownRenderer
from genai_desktop.core.render.pages import render_page
from genai_desktop.core.study.session import Rating, StudySession
from genai_desktop.core.workspace import Workspace

from .conftest import SHARED


class NetworkUsed(AssertionError):
    pass


@pytest.fixture
def no_network(monkeypatch):
    attempts: list[tuple] = []

    def forbidden(*args, **kwargs):
        attempts.append(args)
        raise NetworkUsed(f"network access attempted: {args!r}")

    class ForbiddenSocket(socket.socket):
        def __init__(self, *args, **kwargs) -> None:
            forbidden(*args)

    monkeypatch.setattr(socket, "socket", ForbiddenSocket)
    monkeypatch.setattr(socket, "create_connection", forbidden)
    monkeypatch.setattr(socket, "getaddrinfo", forbidden)
    yield attempts
    assert attempts == [], f"the app tried to use the network: {attempts}"


def test_forbidding_sockets_really_forbids_them(no_network) -> None:
    with pytest.raises(NetworkUsed):
        socket.create_connection(("example.com", 80))
    no_network.clear()


def test_a_full_session_runs_offline(no_network, data_dir: Path) -> None:
    workspace = Workspace(data_dir)
    library = workspace.library
    renderer = MarkdownRenderer(workspace.formulas)

    # Browse and render: every question, guide and topic page.
    pages = [f"q:{q.id}" for q in library.questions()] + [f"guide:{g.id}" for g in library.guides]
    # Every fifth page (formulas, code, tables, images all occur) and every topic page: enough
    # to reach every renderer, fast enough for `make test`.
    pages = pages[::5] + [f"topic:{t.id}" for t in library.topics]
    for page in pages:
        assert render_page(library, page, renderer)

    # Search (Workspace.search when present, else the search module over the index).
    if hasattr(workspace, "search"):
        assert workspace.search("attention")
    else:
        search = pytest.importorskip("genai_desktop.core.search.query")
        assert search.search(workspace.index, "attention")

    # Review.
    conn = workspace.progress.conn
    session = StudySession.open(conn, [q.id for q in library.questions()], whole_library=True)
    for rating in (Rating.Good, Rating.Again, Rating.Easy, Rating.Hard) * 5:
        if session.current is None:
            break
        session.answer(rating)
    assert conn.execute("SELECT count(*) FROM reviews").fetchone()[0] > 0

    # Import the user's own notes (when the importer is present).
    notes_import = pytest.importorskip("genai_desktop.core.packs.notes_import")
    seeds = sorted((SHARED / "seeds").glob("*")) if (SHARED / "seeds").is_dir() else []
    notes = seeds[0] if seeds else None
    if notes is None:
        notes = data_dir / "notes.md"
        notes.write_text("# My notes\n\n## What is attention?\n\nA weighted average of values.\n", encoding="utf-8")
    plan = notes_import.plan_file(notes)
    from genai_desktop.core.packs import user_packs as packs

    packs.write_pack(workspace.paths.packs, plan)
    workspace.reload_library()
    assert any(q.pack != "builtin" for q in workspace.library.questions())
    workspace.close()
