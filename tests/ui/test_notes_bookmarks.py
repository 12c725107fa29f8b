"""The bookmark star, the BOOKMARKS group, and the note under each answer (saved as you type)."""

from __future__ import annotations

from PySide6.QtCore import Qt

from genai_desktop.core.changes import Changes
from genai_desktop.core.content import notes
from genai_desktop.ui.sidebar import PAGE_ROLE


def ready(qtbot, window):
    qtbot.waitUntil(window.tools_ready, timeout=5000)
    return window.library_tools


def bookmark_rows(sidebar) -> list[str]:
    model = sidebar.model
    header = next(r for r in range(model.rowCount()) if model.item(r).text() == "BOOKMARKS")
    return [model.item(r).data(PAGE_ROLE) for r in range(header + 1, model.rowCount()) if model.item(r).data(PAGE_ROLE)]


def test_star_and_ctrl_d_bookmark_and_the_sidebar_lists_them(qtbot, make_window) -> None:
    window = make_window()
    tools = ready(qtbot, window)
    window.reader.show_page("q:multi-head")
    assert tools.star.isVisible() and not tools.star.isChecked()
    assert bookmark_rows(window.sidebar) == []
    qtbot.mouseClick(tools.star, Qt.MouseButton.LeftButton)
    assert tools.star.isChecked() and tools.star.text() == "★"
    window.reader.show_page("q:gan-objective")
    assert not tools.star.isChecked()
    qtbot.keyClick(window, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    assert notes.bookmarks(window.workspace.progress.conn) == ["gan-objective", "multi-head"]
    assert bookmark_rows(window.sidebar) == ["q:gan-objective", "q:multi-head"]
    # a bookmark row opens its question
    model = window.sidebar.model
    row = next(r for r in range(model.rowCount()) if model.item(r).data(PAGE_ROLE) == "q:multi-head"
               and model.item(r).parent() is None and r > 0 and model.item(r - 1).text() != "LIBRARY")
    window.sidebar.tree.setCurrentIndex(window.sidebar.proxy.mapFromSource(model.index(row, 0)))
    assert window.reader.current_page == "q:multi-head" and tools.star.isChecked()
    qtbot.keyClick(window, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)  # and off again
    assert bookmark_rows(window.sidebar) == ["q:gan-objective"]
    window.reader.show_page("topic:attention")  # a topic overview carries neither
    assert not tools.star.isVisible() and not tools.notes.isVisible()
    assert not tools.actions["bookmark"].isEnabled() and not tools.actions["note"].isEnabled()


def test_note_is_saved_as_you_type_rendered_and_searchable(qtbot, make_window) -> None:
    window = make_window()
    tools = ready(qtbot, window)
    window.reader.show_page("q:attention-basics")
    panel = tools.notes
    assert panel.isVisible() and panel.hint.isVisible() and not panel.editing
    qtbot.keyClick(window, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    assert panel.editing and panel.editor.hasFocus()
    qtbot.keyClicks(panel.editor, "Think of a soft lookup table, okapi")
    qtbot.waitUntil(lambda: notes.note(window.workspace.progress.conn, "attention-basics").endswith("okapi"),
                    timeout=3000)
    assert panel.status.text() == "Saved"
    qtbot.keyClick(panel.editor, Qt.Key.Key_Escape)
    assert not panel.editing and panel.view.isVisible()
    assert "soft lookup table" in panel.view.toPlainText()
    # the note is found by the search box, marked as a note
    hits = window.workspace.search("okap")
    assert hits[0].page_id == "q:attention-basics" and hits[0].in_note


def test_pending_note_is_saved_on_page_change_and_close(qtbot, make_window) -> None:
    window = make_window()
    tools = ready(qtbot, window)
    window.reader.show_page("q:multi-head")
    tools.notes.start_editing()
    tools.notes.editor.insertPlainText("**bold** note $x^2$")
    window.reader.show_page("q:gan-objective")  # before the typing pause ends
    conn = window.workspace.progress.conn
    assert notes.note(conn, "multi-head") == "**bold** note $x^2$"
    tools.notes.start_editing()
    tools.notes.editor.insertPlainText("closing soon")
    window.close()
    assert notes.note(conn, "gan-objective") == "closing soon"


def test_notes_and_bookmarks_survive_a_restart(qtbot, make_window) -> None:
    window = make_window()
    tools = ready(qtbot, window)
    window.reader.show_page("q:multi-head")
    tools.toggle_bookmark()
    tools.notes.start_editing()
    tools.notes.editor.insertPlainText("kept across restarts")
    tools.notes.stop_editing()
    window.close()
    window.workspace.close()

    again = make_window()
    tools = ready(qtbot, again)
    again.reader.show_page("q:multi-head")
    assert tools.star.isChecked() and bookmark_rows(again.sidebar) == ["q:multi-head"]
    assert tools.notes.body() == "kept across restarts" and tools.notes.view.isVisible()


def test_note_too_long_keeps_the_old_note_and_says_why(qtbot, make_window) -> None:
    window = make_window()
    tools = ready(qtbot, window)
    window.reader.show_page("q:multi-head")
    window.workspace.save_note("multi-head", "old")
    tools.notes.show_note("multi-head")
    tools.notes.editor.setPlainText("x" * (notes.MAX_NOTE_CHARS + 1))
    assert tools.notes.save() is False
    assert "not saved" in tools.notes.status.text()
    assert notes.note(window.workspace.progress.conn, "multi-head") == "old"


def test_a_guide_is_starred_listed_noted_and_found_like_a_question(qtbot, make_window) -> None:
    window = make_window()
    tools = ready(qtbot, window)
    conn = window.workspace.progress.conn
    window.reader.show_page("q:multi-head")
    tools.toggle_bookmark()
    window.reader.show_page("guide:reading")
    assert tools.star.isVisible() and not tools.star.isChecked() and tools.notes.isVisible()
    qtbot.keyClick(window, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    assert tools.star.isChecked()
    assert notes.bookmarks(conn) == ["guide:reading", "multi-head"]
    assert bookmark_rows(window.sidebar) == ["guide:reading", "q:multi-head"]
    model = window.sidebar.model
    row = next(r for r in range(model.rowCount()) if model.item(r).data(PAGE_ROLE) == "guide:reading"
               and model.item(r).parent() is None and model.item(r - 1).text() == "BOOKMARKS")
    assert model.item(row).text() == "Reading papers"
    # the flashcards' Bookmarks scope and the Anki export see the question only
    assert window.bookmarked_ids() == ["multi-head"]

    # a note on the guide: saved under its page id, shown again, found by search
    qtbot.keyClick(window, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    assert tools.notes.editing
    qtbot.keyClicks(tools.notes.editor, "skim the abstract first, capybara")
    qtbot.keyClick(tools.notes.editor, Qt.Key.Key_Escape)
    assert notes.note(conn, "guide:reading").endswith("capybara")
    window.reader.show_page("q:multi-head")
    assert tools.notes.body() == ""
    hits = window.workspace.search("capyb")
    assert [h.page_id for h in hits] == ["guide:reading"] and hits[0].in_note
    # clicking the bookmark row brings the guide back with its star and note
    window.sidebar.tree.setCurrentIndex(window.sidebar.proxy.mapFromSource(model.index(row, 0)))
    assert window.reader.current_page == "guide:reading" and tools.star.isChecked()
    assert "capybara" in tools.notes.view.toPlainText()


def test_bookmarks_follow_a_change_underneath_the_window(qtbot, make_window) -> None:
    # A progress import, a restored backup or a removed pack changes the bookmarks without the star.
    window = make_window()
    tools = ready(qtbot, window)
    window.reader.show_page("q:multi-head")
    qtbot.keyClick(window, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    conn = window.workspace.progress.conn
    with conn:
        conn.execute("DELETE FROM bookmarks")
        conn.execute("INSERT INTO bookmarks VALUES ('gan-objective', '2026-01-01T00:00:00+00:00')")
    window.apply_changes(Changes(library=True))  # loaded on the runner
    qtbot.waitUntil(lambda: bookmark_rows(window.sidebar) == ["q:gan-objective"], timeout=5000)
    assert not tools.star.isChecked()


def test_the_note_box_takes_the_height_of_its_formulas_when_they_arrive(qtbot, make_window, monkeypatch) -> None:
    import genai_desktop.core.render.formulas as formulas_module

    # Placeholders far smaller than the formulas: the box must grow when the formulas come.
    monkeypatch.setattr(formulas_module, "estimate_size", lambda formula: (8.0, 2.0))
    window = make_window()
    tools = ready(qtbot, window)
    window.workspace.save_note("multi-head", "Scaled by\n\n$$\\begin{pmatrix}a\\\\b\\\\c\\\\d\\end{pmatrix}$$")
    window.reader.show_page("q:multi-head")
    view = tools.notes.view
    assert view.isVisible() and view.formulas_pending()
    before = view.height()
    qtbot.waitUntil(lambda: not view.formulas_pending() and not view._formula_relayout.isActive(),  # noqa: SLF001
                    timeout=30_000)
    assert view.height() > before + 30
    assert view.height() == view.content_height()
