import sys

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QTextDocument

from genai_desktop.ui.sidebar import PAGE_ROLE


def _index_of(window, page_id):
    sidebar = window.sidebar
    return sidebar.proxy.mapFromSource(sidebar._items[page_id].index())


def test_tree_lists_topics_in_order_with_counts_and_questions(make_window) -> None:
    window = make_window()
    model = window.sidebar.model
    titles = [model.item(r).text() for r in range(model.rowCount())]
    assert titles[:3] == ["LIBRARY", "Attention", "GANs"]
    attention = model.item(1)
    assert attention.data(Qt.ItemDataRole.UserRole + 2) == 2
    children = [attention.child(r).data(PAGE_ROLE) for r in range(attention.rowCount())]
    assert children == ["q:attention-basics", "q:multi-head"]
    assert "STUDY GUIDES" in titles


def test_clicking_a_question_shows_its_answer_with_formula_images(make_window, qtbot) -> None:
    window = make_window()
    window.sidebar.tree.setCurrentIndex(_index_of(window, "q:gan-objective"))
    assert window.reader.current_page == "q:gan-objective"
    qtbot.waitUntil(lambda: not window.reader.formulas_pending(), timeout=30_000)  # rendered off the UI thread
    html = window.reader.toHtml()
    assert "What objective does a GAN optimise?" in window.reader.toPlainText()
    assert "formula:" in html
    key = html.split('src="formula:')[1].split('"')[0]
    image = window.reader.document().resource(QTextDocument.ResourceType.ImageResource, QUrl(f"formula:{key}"))
    assert image is not None and not image.isNull() and image.width() > 20


def test_history_back_and_forward_with_keys(make_window, qtbot) -> None:
    window = make_window()
    window.reader.show_page("q:attention-basics")
    window.reader.show_page("q:multi-head")
    window.reader.show_page("guide:reading")
    qtbot.keyClick(window, Qt.Key.Key_Left, Qt.KeyboardModifier.AltModifier)
    assert window.reader.current_page == "q:multi-head"
    qtbot.keyClick(window, Qt.Key.Key_Left, Qt.KeyboardModifier.AltModifier)
    assert window.reader.current_page == "q:attention-basics"
    qtbot.keyClick(window, Qt.Key.Key_Right, Qt.KeyboardModifier.AltModifier)
    assert window.reader.current_page == "q:multi-head"
    assert window.back_button.isEnabled() and window.forward_button.isEnabled()


def test_internal_links_navigate_and_unsafe_links_do_nothing(make_window, monkeypatch) -> None:
    window = make_window()
    opened = []
    monkeypatch.setattr("PySide6.QtGui.QDesktopServices.openUrl", lambda url: opened.append(url))
    window.reader.show_page("q:attention-basics")
    window.reader.anchorClicked.emit(QUrl("q:multi-head"))
    assert window.reader.current_page == "q:multi-head"
    window.reader.anchorClicked.emit(QUrl("file:///etc/passwd"))
    window.reader.anchorClicked.emit(QUrl("javascript:alert(1)"))
    assert opened == [] and window.reader.current_page == "q:multi-head"
    window.reader.anchorClicked.emit(QUrl("https://arxiv.org/abs/1706.03762"))
    assert [u.toString() for u in opened] == ["https://arxiv.org/abs/1706.03762"]


def test_broken_formula_shows_the_error_box(make_window, starter_pack, qtbot) -> None:
    topic = starter_pack / "topics" / "02-gans.md"
    topic.write_text(topic.read_text() + "\nBroken: $$\\frac{1}{$$\n")
    window = make_window()
    window.reader.show_page("q:gan-objective")
    qtbot.waitUntil(lambda: "could not be rendered" in window.reader.toPlainText(), timeout=30_000)
    text = window.reader.toPlainText()
    assert "This formula could not be rendered" in text
    assert "\\frac{1}{" in text


def test_images_outside_the_pack_are_never_read(make_window, tmp_path) -> None:
    window = make_window()
    window.reader.show_page("q:attention-basics")
    secret = tmp_path / "secret.png"
    secret.write_bytes(b"not really")
    for url in ("image:../../secret.png?alt=x", f"file://{secret}", "https://example.com/x.png"):
        image = window.reader.loadResource(2, QUrl(url))
        assert image.width() == 420  # the placeholder, never the file or the network


def test_filter_narrows_the_tree(make_window, qtbot) -> None:
    window = make_window()
    qtbot.keyClicks(window.sidebar.filter, "heads")
    assert window.sidebar.visible_page_ids() == ["topic:attention", "q:multi-head"]
    window.sidebar.filter.clear()
    assert "q:gan-objective" in window.sidebar.visible_page_ids() or "topic:gans" in window.sidebar.visible_page_ids()


def test_settings_persist_across_a_restart(make_window, qtbot) -> None:
    window = make_window()
    window.set_theme("dark")
    window.reader.show_page("q:multi-head")
    window.reader.zoom_in()
    window.resize(780, 560)  # the offscreen screen is 800x600
    window.splitter.setSizes([260, 740])
    window.close()

    again = make_window()
    assert again.theme_choice == "dark" and again.theme.dark
    assert again.reader.current_page == "q:multi-head"
    assert again.reader.zoom > 1.0
    assert again.size().width() == 780
    assert abs(again.splitter.sizes()[0] - 260) <= 2


def test_zoom_keys_change_the_reader_font(make_window, qtbot) -> None:
    window = make_window()
    before = window.reader.font_px
    qtbot.keyClick(window, Qt.Key.Key_Equal, Qt.KeyboardModifier.ControlModifier)
    assert window.reader.font_px > before
    qtbot.keyClick(window, Qt.Key.Key_0, Qt.KeyboardModifier.ControlModifier)
    assert window.reader.font_px == before


def test_tree_highlight_follows_a_page_opened_elsewhere(make_window, qtbot) -> None:
    """The tree must hear about the new current row (so it repaints the highlight even when the row
    is already on screen), but must not echo the page back to the reader."""
    window = make_window()
    window.reader.show_page("q:attention-basics")
    selection = window.sidebar.tree.selectionModel()
    with qtbot.waitSignal(selection.currentChanged, timeout=500):
        with qtbot.assertNotEmitted(window.sidebar.page_selected):
            window.reader.show_page("q:multi-head")
    assert selection.currentIndex() == _index_of(window, "q:multi-head")
    assert selection.isSelected(_index_of(window, "q:multi-head"))
    window.sidebar.tree.setCurrentIndex(_index_of(window, "q:gan-objective"))  # a click still opens pages
    assert window.reader.current_page == "q:gan-objective"


def test_the_search_box_fits_the_top_bar_at_the_minimum_window_size(make_window, qtbot) -> None:
    window = make_window()
    window.roadmap_tab.setText("Roadmap  100%")  # the widest tab labels the app shows
    window.flashcards_tab.setText("Flashcards  999")
    window.resize(window.minimumSize())
    qtbot.waitUntil(lambda: window.width() == window.minimumWidth(), timeout=2000)
    field = window.search_field
    qtbot.waitUntil(lambda: field.mapTo(window, field.rect().topRight()).x() < window.width(), timeout=2000)
    window.resize(1280, 800)
    qtbot.waitUntil(lambda: field.width() == 280, timeout=2000)


def test_status_bar_fills_when_another_view_opens_before_the_reader_paints(qtbot, data_dir, starter_pack):
    from genai_desktop.core.workspace import Workspace
    from genai_desktop.ui.app import build_window, make_application

    make_application()
    workspace = Workspace(data_dir, content_root=starter_pack)
    window = build_window(workspace, "light")
    qtbot.addWidget(window)
    window.show_view("stats")  # before show(): the reader never paints
    window.show()
    qtbot.waitUntil(lambda: "new today" in window.status_due.text(), timeout=3000)
    # Messages go to the left; the study status stays on screen.
    window.statusBar().showMessage("A passing message", 5000)
    assert window.status_due.isVisible()
    window.close()
    workspace.close()


def test_the_menu_titles_are_there_before_the_first_paint_and_their_menus_right_after(qtbot, data_dir,
                                                                                      starter_pack) -> None:
    from genai_desktop.core.workspace import Workspace
    from genai_desktop.ui.app import build_window, make_application

    make_application()
    workspace = Workspace(data_dir, content_root=starter_pack)
    window = build_window(workspace, "light")
    qtbot.addWidget(window)
    bar = window.menuBar()
    titles = ["&File", "&View", "&Settings", "&Help"]
    assert [action.text() for action in bar.actions()] == titles  # in the first frame already
    window.show()
    qtbot.waitUntil(lambda: bool(window.theme_actions), timeout=3000)  # the first paint's callbacks ran
    menus = {action.text(): action.menu() for action in bar.actions()}  # and the library tools' Search
    assert [text for text in menus if text in titles] == titles
    assert [menus[title] for title in titles] == [window.file_menu, window.view_menu, window.settings_menu,
                                                  window.help_menu]
    assert all(menus[title].actions() for title in titles)  # each opens onto its items
    assert "&Quit" in [action.text() for action in window.file_menu.actions()]
    window.close()
    workspace.close()


def test_start_up_trusts_the_remembered_system_scheme_then_checks_it(make_window, qtbot, data_dir,
                                                                    monkeypatch) -> None:
    from genai_desktop.paths import DataPaths
    from genai_desktop.ui.settings import Settings

    remembered = Settings(DataPaths(data_dir).settings_file)
    remembered.set("system_dark", True)  # dark when the app last ran
    remembered.sync()
    from genai_desktop.ui import main_window

    # As built, before the event loop runs: the theme of the first paint (make_window's waits
    # could let the check after the first paint run first).
    built: list[bool] = []
    real_init = main_window.MainWindow.__init__

    def record(self, *args, **kwargs) -> None:
        real_init(self, *args, **kwargs)
        built.append(self.theme.dark)

    monkeypatch.setattr(main_window.MainWindow, "__init__", record)
    window = make_window("system")
    assert built == [True]  # no need to ask Qt on the way to the first paint ...
    qtbot.waitUntil(lambda: not window.theme.dark, timeout=3000)  # ... offscreen reports light
    assert window.theme_choice == "system"
    assert window.settings.get_bool("system_dark") is False


def test_the_tabs_do_not_shift_back_as_counts_shrink_while_studying(make_window, qtbot) -> None:
    """Tabs are as wide as their labels, and never narrower than they have been: a due count
    going from 10 to 9 to nothing must not move the tabs to its right each time."""
    from fsrs import Rating

    from genai_desktop.core.study.session import StudySession

    window = make_window()
    qtbot.waitUntil(lambda: "new today" in window.status_due.text(), timeout=3000)  # counts filled in
    session = StudySession.open(window.workspace.progress.conn, ["attention-basics"])
    session.answer(Rating.Again)  # one card in learning: due today
    window.refresh_counts()  # counted on the runner
    qtbot.waitUntil(lambda: window.flashcards_tab.text() == "Flashcards  1", timeout=3000)
    _run_layouts()
    tabs = [button for _view, button in window._views_by_name.values()]
    with_count = [tab.geometry() for tab in tabs]
    assert all(tab.width() >= tab.sizeHint().width() for tab in tabs)  # nothing cut off
    StudySession.open(window.workspace.progress.conn, ["attention-basics"]).answer(Rating.Easy)
    window.refresh_counts()
    qtbot.waitUntil(lambda: window.flashcards_tab.text() == "Flashcards", timeout=3000)
    _run_layouts()
    assert [tab.geometry() for tab in tabs] == with_count


def test_view_keys_and_escape_in_the_filter_work_once_the_window_is_up(make_window, qtbot) -> None:
    window = make_window()
    for key, name in ((Qt.Key.Key_2, "flashcards"), (Qt.Key.Key_4, "stats"), (Qt.Key.Key_1, "library")):
        qtbot.keyClick(window, key, Qt.KeyboardModifier.ControlModifier)
        qtbot.waitUntil(lambda name=name: window.views.currentWidget() is window.view(name), timeout=3000)
    window.sidebar.filter.setFocus()
    qtbot.keyClicks(window.sidebar.filter, "gan")
    qtbot.keyClick(window.sidebar.filter, Qt.Key.Key_Escape)
    assert window.sidebar.filter.text() == ""
    # The clear buttons (shown over typed text) are switched on right after the first paint too.
    qtbot.waitUntil(lambda: window.sidebar.filter.isClearButtonEnabled() and window.search_field.isClearButtonEnabled())


def _run_layouts() -> None:
    """Deliver the pending layout requests now, instead of waiting a while for them to run."""
    from PySide6.QtCore import QCoreApplication, QEvent

    QCoreApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)


def test_what_follows_the_first_paint_imports_the_core_on_the_runner_first() -> None:
    """The first-paint callbacks wait for _import_core (main_window.py), which runs on a runner
    thread: it may import only the standard library and the Qt-free core, since PySide builds
    its own types lazily and must not do so from two threads at once."""
    import importlib
    import subprocess
    import sys

    from genai_desktop.ui import main_window

    for name in main_window.CORE_MODULES:
        assert name.startswith("genai_desktop.core.") or "." not in name, name
        importlib.import_module(name)
    probe = ("import sys, importlib; from genai_desktop.ui.main_window import CORE_MODULES\n"
             "[importlib.import_module(n) for n in CORE_MODULES]\n"
             "print(sorted(m for m in sys.modules if m.startswith('PySide6') and 'Qt' in m))")
    out = subprocess.run([sys.executable, "-c", probe.replace("from genai_desktop.ui.main_window import CORE_MODULES",
                                                              f"CORE_MODULES = {main_window.CORE_MODULES!r}")],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"  # no Qt module imported by the core


def test_the_markdown_parser_is_made_on_the_runner_with_the_core() -> None:
    from genai_desktop.core.render import markdown_html
    from genai_desktop.ui import main_window

    markdown_html._with_render_rules.cache_clear()
    main_window._import_core(None)  # what the runner runs after the first paint
    assert markdown_html._with_render_rules.cache_info().currsize == 1  # the first answer shown finds it made


def test_the_app_lets_the_ui_thread_have_the_interpreter_often() -> None:
    import sys

    from genai_desktop.ui.app import UI_SWITCH_INTERVAL_S, make_application

    make_application()
    assert sys.getswitchinterval() == UI_SWITCH_INTERVAL_S < 0.005  # CPython's default: 5 ms


def test_a_tab_opens_its_view_in_steps_and_a_later_choice_wins(make_window, qtbot) -> None:
    window = make_window()
    assert window.first_paint.fire()
    assert not any(type(v).__name__ == "StatsView" for v in window.created_views())
    qtbot.mouseClick(window.tab("stats"), Qt.MouseButton.LeftButton)
    # Chosen at once; built and shown in later passes of the event loop, not inside the click.
    assert window.tab("stats").isChecked() and window.views.currentWidget() is window.splitter
    qtbot.waitUntil(lambda: window.views.currentWidget() is window.view("stats"), timeout=3000)
    assert window.tab("stats").isChecked()

    qtbot.mouseClick(window.tab("interview"), Qt.MouseButton.LeftButton)
    qtbot.mouseClick(window.tab("library"), Qt.MouseButton.LeftButton)  # before the Interview is built
    qtbot.waitUntil(lambda: any(type(v).__name__ == "InterviewView" for v in window.created_views()), timeout=3000)
    qtbot.wait(50)
    assert window.views.currentWidget() is window.splitter and window.tab("library").isChecked()
    qtbot.mouseClick(window.tab("interview"), Qt.MouseButton.LeftButton)  # built: shown at once
    assert window.views.currentWidget() is window.interview


def test_a_view_opened_before_the_warm_up_reached_it_imports_its_modules_in_a_pass_of_their_own(
        make_window, qtbot, tmp_path, monkeypatch) -> None:
    import builtins

    from genai_desktop.ui import warm_up

    # A stand-in for the Roadmap's module, recording when it is imported and what was built then.
    (tmp_path / "open_view_probe.py").write_text(
        "import builtins\nbuiltins.open_view_probe.append(builtins.open_view_probe_built())\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr("builtins.open_view_probe", [], raising=False)
    monkeypatch.setitem(warm_up.MODULES_OF_VIEW, "roadmap", ("open_view_probe",))
    monkeypatch.delitem(sys.modules, "open_view_probe", raising=False)
    window = make_window()
    assert window.first_paint.fire()
    monkeypatch.setattr("builtins.open_view_probe_built",
                        lambda: any(type(v).__name__ == "RoadmapView" for v in window.created_views()),
                        raising=False)
    assert not builtins.open_view_probe_built()
    qtbot.mouseClick(window.tab("roadmap"), Qt.MouseButton.LeftButton)
    assert builtins.open_view_probe == []  # not inside the click
    qtbot.waitUntil(lambda: type(window.views.currentWidget()).__name__ == "RoadmapView", timeout=3000)
    assert builtins.open_view_probe == [False]  # imported once, before the view was built
    sys.modules.pop("open_view_probe", None)


def test_a_view_opened_by_its_tab_is_filled_once_while_hidden_then_shown(make_window, qtbot, monkeypatch) -> None:
    from genai_desktop.ui.roadmap.view import RoadmapView

    calls: list[bool] = []  # whether the view was on screen at each on_shown
    on_shown = RoadmapView.on_shown
    monkeypatch.setattr(RoadmapView, "on_shown", lambda self: (calls.append(self.isVisible()), on_shown(self)))
    window = make_window()
    assert window.first_paint.fire()
    qtbot.mouseClick(window.tab("roadmap"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: type(window.views.currentWidget()).__name__ == "RoadmapView", timeout=3000)
    view = window.views.currentWidget()
    assert calls == [False]  # filled before it showed, and not again when it did
    assert view.isVisible() and view.checklist.count() > 0  # shown with its milestones
    qtbot.mouseClick(window.tab("library"), Qt.MouseButton.LeftButton)
    qtbot.mouseClick(window.tab("roadmap"), Qt.MouseButton.LeftButton)  # built: shown and refreshed at once
    assert calls == [False, True]


def test_a_first_start_fits_the_screen(make_window) -> None:
    """No saved geometry: the default size, or less on a small screen (the offscreen screen is
    800×800, smaller than the 1280×800 default), never a window that runs off the screen."""
    from genai_desktop.ui.main_window import DEFAULT_SIZE, first_size

    assert first_size((1920, 1080)) == DEFAULT_SIZE
    assert first_size((1366, 728)) == (1280, 655)  # a small laptop: the whole window shows
    window = make_window()
    available = window.screen().availableGeometry()
    assert window.width() <= available.width() and window.height() <= available.height()
    assert sum(window.splitter.sizes()) <= window.width()


def test_the_search_field_takes_the_top_bar_s_room_before_the_gap_does(make_window, qtbot) -> None:
    """At 1024 px the field shared the spare room with the gap beside the tabs and showed
    "Search… C…"; it now grows first, up to its 280 px, and shows its whole placeholder."""
    window = make_window()
    window.resize(1024, 640)
    field = window.search_field
    needed = field.fontMetrics().horizontalAdvance(field.placeholderText()) + 40  # its padding and frame
    qtbot.waitUntil(lambda: field.width() >= needed, timeout=2000)
