"""The command line: the GUI (default) and the scriptable verbs packaging and checks rely on."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from .paths import content_dir, resolve_data_dir

THEMES = ("system", "light", "dark")


def plain_gui_start(argv: list[str]) -> argparse.Namespace | None:
    """The options of a plain start of the app, read without argparse; None for anything else.

    Building even the GUI's small parser and parsing with it cost ~3 ms before the first paint
    (a help formatter per option, and gettext importing locale for its messages). Only what the
    parser reads the same way is taken: ``--data-dir`` and ``--theme`` (one of its choices) with
    their value after them or after "=", and ``--self-test``, each spelled in full. A verb,
    help, an abbreviation, a missing or odd value go to the parser, whose answers and messages
    stay the only ones (tests/test_cli.py holds the two together)."""
    found: dict[str, object] = {"theme": None, "self_test": False}
    words = iter(argv)
    for arg in words:
        if arg == "--self-test":
            found["self_test"] = True
            continue
        name, equals, value = arg.partition("=")
        if name not in ("--data-dir", "--theme"):
            return None
        if not equals:
            value = next(words, None)
            if value is None or value.startswith("-"):
                return None
        if name == "--theme" and value not in THEMES:
            return None
        found[name[2:].replace("-", "_")] = value
    return argparse.Namespace(verb=None, **found)


def _add_data_dir(parser: argparse.ArgumentParser) -> None:
    # SUPPRESS: a verb's parser would otherwise reset a --data-dir given before the verb to None.
    parser.add_argument("--data-dir", default=argparse.SUPPRESS,
                        help="use this folder for the databases, settings and imported packs")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="genai-desktop",
                                     description="GenAI Study Desk: offline Generative-AI interview preparation.")
    _add_data_dir(parser)
    parser.add_argument("--theme", choices=THEMES, help="start with this theme")
    parser.add_argument("--self-test", action="store_true",
                        help="check this installation offscreen on a scratch data folder; exit 0 or 1")
    common = argparse.ArgumentParser(add_help=False)  # --data-dir after a verb, too
    _add_data_dir(common)
    sub = parser.add_subparsers(dest="verb")
    sub.add_parser("gui", parents=[common], help="start the app (the default)")

    content = sub.add_parser("content", parents=[common], help="print the loaded library")
    content.add_argument("--json", action="store_true", help="as JSON (the only format for now)")

    check = sub.add_parser("check", parents=[common], help="validate a content pack")
    check.add_argument("path", nargs="?", help="pack folder (default: the built-in library)")

    shot = sub.add_parser("screenshot", parents=[common], help="render the main window offscreen to a PNG")
    shot.add_argument("out", help="output PNG file")
    shot.add_argument("--page", help="page id to open, e.g. q:ID or guide:ID")
    shot.add_argument("--view", default="library", help="which view to show")
    shot.add_argument("--theme", dest="shot_theme", choices=["light", "dark"], default="light")
    shot.add_argument("--size", default="1280x800", help="window size WxH")

    apkg = sub.add_parser("export-apkg", parents=[common], help="export flashcards to an Anki package (.apkg)")
    apkg.add_argument("out", help="the .apkg file to write")
    apkg.add_argument("--scope", default="all", help="all (default), topic:ID, level:N, bookmarks or pack:ID")
    save = sub.add_parser("export-progress", parents=[common], help="save all your progress to one file")
    save.add_argument("out", help="the .zip file to write")
    merge = sub.add_parser("import-progress", parents=[common], help="merge a progress file into this data folder")
    merge.add_argument("file", help="a file written by export-progress")
    search = sub.add_parser("search", parents=[common],
                            help="search the library as the search box does and print the ranked results")
    search.add_argument("query", nargs="+", help='what to look for: words, "a phrase", -word')
    search.add_argument("--json", action="store_true", help="print the results as JSON")
    search.add_argument("--limit", type=int, default=20, help="at most this many results (default 20)")
    render = sub.add_parser("render", parents=[common],
                            help="print the HTML the reader shows for a markdown file")
    render.add_argument("file", help="the markdown file")
    render.add_argument("--html", action="store_true",
                        help="a whole HTML page (the reader's stylesheet, formulas inlined) a browser can open")
    notes = sub.add_parser("import", parents=[common], help="import your own notes (.md, .markdown, .txt) as a pack")
    notes.add_argument("file", help="the notes file; importing it again updates its pack in place")
    notes.add_argument("--json", action="store_true", help="print the summary as JSON")
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    args = plain_gui_start(argv) or _parser().parse_args(argv)
    if args.self_test:
        from .selftest import run_self_test

        return run_self_test()
    data_dir = resolve_data_dir(getattr(args, "data_dir", None))
    verb = getattr(args, "verb", None) or "gui"
    if verb == "gui":
        return _gui(data_dir, args.theme)
    try:
        return _run_verb(verb, data_dir, args)
    except Exception as exc:  # noqa: BLE001 - a verb ends in one line and an exit code, never a traceback
        return _verb_failed(verb, data_dir, exc)


def _verb_failed(verb: str, data_dir: Path, exc: Exception) -> int:
    """One line on stderr: the user's problem as it is, a storage failure in plain words, anything
    else as an unexpected error whose traceback goes to the log."""
    from .core.errors import UserError, storage_message

    if isinstance(exc, UserError):
        message = str(exc)
    elif (storage := storage_message(exc)) is not None:
        message = storage
    else:
        import logging

        from . import logs
        from .paths import DataPaths

        try:
            log_path = logs.setup(DataPaths(data_dir).logs)
            logging.getLogger("genai_desktop.cli").error("%s failed", verb, exc_info=exc)
            where = f"; details are in {log_path}"
        except OSError:
            where = ""
        message = f"{verb} failed unexpectedly ({type(exc).__name__}: {exc}){where}"
    print(f"genai-desktop: {message}", file=sys.stderr)
    return 1


def _run_verb(verb: str, data_dir: Path, args) -> int:
    if verb == "content":
        return _content(data_dir)
    if verb == "check":
        return _check(Path(args.path) if args.path else content_dir())
    if verb == "screenshot":
        return _screenshot(data_dir, args)
    if verb == "import":
        return _import_notes(data_dir, Path(args.file), args.json)
    if verb == "render":
        return _render(data_dir, Path(args.file), args.html)
    if verb == "search":
        return _search(data_dir, " ".join(args.query), args.json, args.limit)
    if verb in ("export-apkg", "export-progress", "import-progress"):
        return _transfer(verb, data_dir, args)
    raise ValueError(f"unknown verb {verb!r}")


def _gui(data_dir: Path, theme: str | None) -> int:
    from .display_check import display_problem

    # Before Qt can abort the process with a message of its own that blames the wrong library.
    if problem := display_problem():
        print(f"genai-desktop: {problem}", file=sys.stderr)
        return 1
    from . import startup_gc

    startup_gc.pause()  # until the first frame (see startup_gc.py)
    from .ui.app import run_gui

    return run_gui(data_dir, theme)


def _content(data_dir: Path) -> int:
    from .core.render.markdown_html import formulas_in
    from .core.workspace import load_library
    from .paths import DataPaths

    library = load_library(content_dir(), DataPaths(data_dir).packs)

    def words(text: str) -> int:
        return len(text.split())

    data = {
        "topics": [
            {"id": t.id, "title": t.title, "order": t.order, "pack": t.pack,
             "questions": [{"id": q.id, "title": q.title, "sources": list(q.sources), "level": q.level,
                            "key_points_words": words(q.key_points), "answer_words": words(q.answer),
                            "formulas": len(formulas_in(q.markdown))} for q in t.questions]}
            for t in library.topics
        ],
        "guides": [{"id": g.id, "title": g.title, "order": g.order, "milestones": list(g.milestones),
                    "words": words(g.body), "formulas": len(formulas_in(g.body))} for g in library.guides],
        "sections": [{"id": s.id, "title": s.title, "order": s.order} for s in library.sections],
        "milestones": [{"id": m.id, "section": m.section, "level": m.level, "title": m.title,
                        "guides": list(m.guides), "questions": list(m.questions)} for m in library.milestones],
        "problems": [str(p) for p in library.problems],
    }
    import json

    json.dump(data, sys.stdout, indent=1, ensure_ascii=False)
    sys.stdout.write("\n")
    return 0


def _search(data_dir: Path, query: str, as_json: bool, limit: int) -> int:
    """The search box's results for ``query``, in its order: page id, title, caption, snippet."""
    import json

    from .core.search.query import MARK_END, MARK_START, corrections, marked_spans, strip_marks
    from .core.workspace import Workspace

    workspace = Workspace(data_dir)
    try:
        hits = workspace.search(query, max(0, limit))
        fixed = corrections(workspace.index, query)
    finally:
        workspace.close()
    if as_json:
        data = {"query": query, "corrections": [{"typed": t, "meant": m} for t, m in fixed],
                "results": [{"page_id": h.page_id, "kind": h.kind, "title": h.plain_title, "caption": h.caption,
                             "snippet": strip_marks(h.snippet),
                             "matched": sorted({piece for piece, hit in marked_spans(h.title + " " + h.snippet)
                                                if hit}, key=str.lower),
                             "title_match": h.title_match, "partial": h.partial, "in_note": h.in_note}
                            for h in hits]}
        json.dump(data, sys.stdout, indent=1, ensure_ascii=False)
        sys.stdout.write("\n")
        return 0
    bold, plain = ("\x1b[1m", "\x1b[0m") if sys.stdout.isatty() else ("", "")

    def shown(text: str) -> str:  # the search box's highlighting, as bold on a terminal
        return text.replace(MARK_START, bold).replace(MARK_END, plain)

    for typed, meant in fixed:
        print(f"(searched {typed!r} as {meant!r})")
    for n, hit in enumerate(hits, 1):
        print(f"{n:>2}. {hit.page_id}  {shown(hit.title)}")
        print(f"    {hit.caption}")
        print(f"    {shown(hit.snippet)}")
    if not hits:
        print(f"Nothing matches {query!r}.")
    return 0


def _render(data_dir: Path, path: Path, whole_page: bool) -> int:
    """The reader's HTML for ``path`` (its wiki-links resolved against the library); with
    ``whole_page``, a standalone page with the reader's stylesheet and the formulas as SVG."""
    from .core.errors import UserError
    from .core.render.formulas import FormulaCache
    from .core.render.markdown_html import MarkdownRenderer
    from .core.render.pages import wiki_link_target
    from .core.workspace import load_library
    from .paths import DataPaths

    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(f"cannot read {path}: {exc}") from exc
    library = load_library(content_dir(), DataPaths(data_dir).packs)
    formulas = FormulaCache(None)
    body = MarkdownRenderer(formulas, wiki_links=lambda target: wiki_link_target(library, target)).to_html(text)
    if whole_page:
        import base64
        import html
        import re

        from .core.render.markdown_html import INLINE_FORMULA_STYLE
        from .ui.theme import LIGHT_THEME, document_css

        def inline_svg(match: re.Match) -> str:
            svg = formulas.svg(match.group(1)) or ""
            attributes = match.group(2)
            box = re.search(r'viewBox="[-\d.]+ ([-\d.]+) [-\d.]+ ([-\d.]+)"', svg)
            if box and INLINE_FORMULA_STYLE in attributes:
                # A browser can align an image's bottom below the baseline by the formula's depth
                # (ziamath draws its baseline at y = 0), which the reader does with padding.
                depth = float(box.group(1)) + float(box.group(2))
                attributes = attributes.replace(INLINE_FORMULA_STYLE, f"vertical-align: -{depth:.2f}px")
            data = base64.b64encode(svg.encode("utf-8")).decode("ascii")
            return f'<img src="data:image/svg+xml;base64,{data}"{attributes}>'

        body = re.sub(r'<img src="formula:([0-9a-f]+)"([^>]*)>', inline_svg, body)
        body = (f'<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>{html.escape(path.stem)}</title>'
                f'<style>{document_css(LIGHT_THEME, 16.0)}</style></head><body>\n{body}\n</body></html>')
    sys.stdout.write(body + "\n")
    return 0


def _check(path: Path) -> int:
    from .core.content.checks import check_pack

    problems = check_pack(path)
    for problem in problems:
        print(problem)
    print(f"check: {len(problems)} problem{'s' if len(problems) != 1 else ''} in {path}")
    return 1 if problems else 0


def _screenshot(data_dir: Path, args) -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from .ui.screenshot import take_screenshot

    width, _, height = args.size.partition("x")
    return take_screenshot(data_dir, Path(args.out), page=args.page, view=args.view,
                           theme=args.shot_theme, size=(int(width), int(height)))


def _import_notes(data_dir: Path, path: Path, as_json: bool) -> int:
    """Read, parse and store a notes file; bad input is one clear line on stderr and exit 1."""
    from .core.packs.notes_import import NotesError, plan_file
    from .core.packs.user_packs import PackError, pack_id_for, read_pack_info, write_pack
    from .paths import DataPaths

    paths = DataPaths(data_dir)
    try:
        plan = plan_file(path)
        paths.ensure()
        updated = read_pack_info(paths.packs / pack_id_for(plan.source_name)) is not None
        folder = write_pack(paths.packs, plan)
    except (NotesError, PackError) as exc:
        print(f"genai-desktop: {exc}", file=sys.stderr)
        return 1
    if as_json:
        import json

        json.dump({**plan.summary(), "pack": folder.name, "path": str(folder), "updated": updated},
                  sys.stdout, indent=1, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        print("\n".join(plan.lines()))
        print(f"{'Updated' if updated else 'Created'} the pack {folder.name} in {folder.parent}")
    return 0


def _transfer(verb: str, data_dir: Path, args) -> int:
    """Anki export and progress transfer; a refused file or scope is one clear line, exit 1."""
    from .core.content import notes
    from .core.transfer.anki_export import ExportError, export_apkg, parse_scope
    from .core.transfer.progress import TransferError, export_progress, import_progress
    from .core.workspace import Workspace

    workspace = Workspace(data_dir)
    try:
        conn = workspace.progress.conn
        if verb == "export-apkg":
            bookmarks = notes.bookmarked_questions(conn)  # questions only: a bookmarked guide is no card
            scope = parse_scope(args.scope, workspace.library)
            from .ui.figure_raster import svg_to_png

            result = export_apkg(workspace.library, scope.question_ids(workspace.library, bookmarks),
                                 Path(args.out), bookmarks=bookmarks, rasterise=svg_to_png)
            print(result.message())
        elif verb == "export-progress":
            print(export_progress(conn, workspace.paths.packs, Path(args.out)).message())
        else:
            summary = import_progress(conn, workspace.paths.packs, Path(args.file),
                                      backups_dir=workspace.paths.backups)
            print(f"Merged {Path(args.file).name}:")
            for line in summary.lines():
                print(f"  {line}")
            if summary.backup:
                print(f"  a backup was saved first: {summary.backup}")
    except (ExportError, TransferError) as exc:
        print(f"genai-desktop: {exc}", file=sys.stderr)
        return 1
    finally:
        workspace.close()
    return 0
