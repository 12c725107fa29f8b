"""Markdown converted on several threads at once: the reader's page converter on the runner,
search snippets and the importer share one parser."""

from __future__ import annotations

import sys
import threading

import mdurl._decode
import mdurl._encode

from genai_desktop.core.render import markdown_html, markdown_rules
from genai_desktop.core.render.markdown_html import MarkdownRenderer

LINKS = "See [the paper](https://example.org/a b?x=1), <https://x.org/é> and [%41](https://y.org/%7e)."


def _first_conversions_at_once(threads: int) -> list[BaseException]:
    """Everything as at start-up (no parser, mdurl's tables not built), then ``threads``
    conversions of links started together."""
    markdown_rules._build.cache_clear()
    markdown_html._with_render_rules.cache_clear()
    mdurl._encode.encode_cache.clear()
    mdurl._decode.decode_cache.clear()
    renderer = MarkdownRenderer(None)
    errors: list[BaseException] = []
    start = threading.Barrier(threads)

    def convert() -> None:
        start.wait()
        try:
            renderer.to_html(LINKS)
        except Exception as exc:  # noqa: BLE001 - collected for the assertion
            errors.append(exc)

    workers = [threading.Thread(target=convert) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return errors


def test_first_conversions_on_several_threads_never_meet_a_half_built_table() -> None:
    # mdurl publishes each percent-encoding table before filling it; without the parser filling
    # them first, about one start in thirty failed here with IndexError.
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as possible: the race shows at once
    try:
        failures = [errors for errors in (_first_conversions_at_once(8) for _ in range(100)) if errors]
    finally:
        sys.setswitchinterval(interval)
    assert failures == []


def test_one_parser_is_built_however_many_threads_ask() -> None:
    markdown_rules._build.cache_clear()
    built: list[object] = []
    start = threading.Barrier(6)

    def ask() -> None:
        start.wait()
        built.append(markdown_rules.parser())

    workers = [threading.Thread(target=ask) for _ in range(6)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert len({id(parser) for parser in built}) == 1


RACE = """
import threading
from genai_desktop.core.render.markdown_html import highlight_code
barrier = threading.Barrier(8)
errors = []
def go(n):
    barrier.wait()
    try:
        highlight_code(f"x = {n}\\n", ("python", "bash", "json", "c", "rust", "sql", "yaml", "go")[n], "default")
    except Exception as exc:
        errors.append(repr(exc))
threads = [threading.Thread(target=go, args=(n,)) for n in range(8)]
[t.start() for t in threads]
[t.join() for t in threads]
print(errors)
"""


def test_code_is_highlighted_from_several_threads_at_once_in_a_fresh_process() -> None:
    """Pygments' lazy loading is not thread-safe: without the lock, eight threads highlighting at
    once for the first time failed every time ("cannot import name 'HtmlFormatter'")."""
    import subprocess
    import sys

    for _ in range(3):
        out = subprocess.run([sys.executable, "-c", RACE], capture_output=True, text=True, timeout=60)
        assert out.returncode == 0 and out.stdout.strip() == "[]", out.stdout + out.stderr
