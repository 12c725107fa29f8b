from pathlib import Path

from genai_desktop.core.content.fingerprint import fingerprint
from genai_desktop.core.content.library import load_pack
from genai_desktop.core.search.index import ContentIndex, iter_pages, plain_text


def test_plain_text_drops_markup_but_keeps_words() -> None:
    text = plain_text("## Head\n<!-- id: x -->\n**bold** `code` [link text](q:other) $x^2$")
    assert "bold" in text and "link text" in text and "<!--" not in text and "**" not in text


def test_plain_text_reads_well_as_a_snippet() -> None:
    text = plain_text("## Self-attention\nAttention entered.\n\n| Year | Work |\n|---|:---:|\n| 2014 | GAN |\n\n"
                      "Cost is $O(n^2 d)$ per layer, about $1.3 trillion in total.")
    assert text.startswith("Self-attention. Attention entered.")
    assert "Year · Work. 2014 · GAN." in text and "---" not in text
    assert "n^2" not in text and "Cost is … per layer" in text
    assert "$1.3 trillion" in text  # money is not a formula


def test_index_rebuilds_only_when_the_content_changes(tmp_path: Path, starter_pack: Path) -> None:
    index = ContentIndex(tmp_path / "index.sqlite")
    library = load_pack(starter_pack)
    assert index.ensure(library, fingerprint(starter_pack)) is True
    assert index.page_count() == len(list(iter_pages(library))) == 5  # 3 questions, 1 topic intro, 1 guide
    assert index.ensure(library, fingerprint(starter_pack)) is False
    (starter_pack / "guides" / "01-reading.md").write_text(
        '+++\nid = "reading"\ntitle = "Reading"\n+++\nThe discriminator decides.\n')
    assert index.ensure(load_pack(starter_pack), fingerprint(starter_pack)) is True


def test_terms_map_written_words_to_stems_for_prefix_search(tmp_path: Path, starter_pack: Path) -> None:
    guide = starter_pack / "guides" / "01-reading.md"
    guide.write_text('+++\nid = "reading"\ntitle = "Reading"\n+++\nThe discriminator decides between models.\n')
    index = ContentIndex(tmp_path / "index.sqlite")
    index.ensure(load_pack(starter_pack), fingerprint(starter_pack))
    conn = index.conn

    def hits(query: str) -> int:
        return conn.execute("SELECT count(*) FROM fts WHERE fts MATCH ?", (query,)).fetchone()[0]

    assert hits("discriminat*") == 0  # porter stores "discrimin": a prefix alone misses it
    stem = conn.execute("SELECT stem FROM terms WHERE surface = 'discriminator'").fetchone()[0]
    assert stem == "discrimin" and index.stems(["discriminators", "models"]) == {
        "discriminators": "discrimin", "models": "model"}
    assert hits('"discriminator"') == 2  # the guide and the GAN question
    assert hits("model") >= 1  # stemming: "models" matches "model"


def test_a_damaged_index_is_thrown_away_and_rebuilt(tmp_path: Path, starter_pack: Path) -> None:
    path = tmp_path / "index.sqlite"
    path.write_bytes(b"garbage" * 1000)
    index = ContentIndex(path)
    assert index.ensure(load_pack(starter_pack), fingerprint(starter_pack)) is True
    assert index.page_count() == 5


def test_a_worker_builds_the_index_on_its_own_connections(data_dir: Path, starter_pack: Path) -> None:
    """warm_index on a worker thread (as the window starts it) leaves an index the window's
    thread then searches through its own connection; no connection crosses threads."""
    import sqlite3
    import threading

    from genai_desktop.core.workspace import Workspace

    workspace = Workspace(data_dir, content_root=starter_pack)
    workspace.save_note(next(workspace.library.questions()).id, "my mnemonic for it")
    worker_conns: list[sqlite3.Connection] = []

    def warm() -> None:
        workspace.warm_index()
        worker_conns.append(workspace.index._local.__dict__.get("conn"))

    thread = threading.Thread(target=warm)
    thread.start()
    thread.join()
    assert worker_conns == [None]  # given back when the work ended
    assert [hit.in_note for hit in workspace.search("mnemonic")] == [True]  # notes synced by the worker
    assert workspace.index.conn is workspace.index.conn  # this thread's, kept
    workspace.close()


def test_a_figure_caption_ends_with_one_full_stop() -> None:
    text = plain_text('![Alt ends here.](figures/x.svg "The title ends too.")\n\nNext paragraph.\n\n'
                      '![Alt without one](figures/y.svg "Nor this title")')
    assert "Figure: The title ends too. Alt ends here. Next paragraph." in text
    assert "Figure: Nor this title. Alt without one." in text and ".." not in text
