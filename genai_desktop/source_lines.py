"""PySide6's look at the source of every module imported after it: kept cheap.

Once PySide6 is imported it looks at each module imported after it for ``from __feature__
import`` by reading the module's source with ``inspect.getsource`` (``_mod_uses_pyside`` in
PySide's ``feature`` module; the answer only says whether the module is one whose PySide
features may be switched). Two costs come of it, and ``install()`` spares both:

- The read goes through ``linecache`` and leaves every line cached for the life of the
  process: about 110,000 lines, 5.5 MB of resident memory by the time the window has started
  (measured; a third of what the app adds to a bare window). Nothing else here needs those
  lines kept: a traceback reads the few it prints again. So lines are still read on request,
  only no longer kept.
- Each read costs a file's opening, decoding and splitting, and the scan runs at a module's
  first import after PySide's, even for one imported long before (``threading``, ``typing``,
  ``shutil``): ~4 ms on the way to the first paint over the app's modules and the standard
  library's (measured). The answer is given without a read for both: the app's modules select
  no ``__feature__`` (they count as using PySide with no feature, as PySide counts every
  module that names it), and the standard library never names PySide6 (its answer is no, as
  the scan would find). Any other module is still read.

A frozen build has no sources to read, so this matters for source installs and the bench.
"""

from __future__ import annotations

import linecache
import sys

OURS = __name__.rpartition(".")[0]  # genai_desktop

_installed = False


def install() -> None:
    """Idempotent. Call before PySide6 is imported (it imports PySide6.QtCore): every module
    imported from then on is spared."""
    global _installed
    if _installed:
        return
    _installed = True
    read_and_cache = linecache.updatecache

    def read_only(filename: str, module_globals: dict | None = None) -> list[str]:
        lines = read_and_cache(filename, module_globals)
        linecache.cache.pop(filename, None)
        return lines

    linecache.updatecache = read_only
    import PySide6.QtCore  # noqa: F401 - loads the feature module whose scan is wrapped below

    _answer_without_reading(sys.modules.get("PySide6.support.feature"))


def _answer_without_reading(feature) -> None:
    """Wrap PySide's scan so that it answers for this package's modules and the standard
    library's without reading them. A PySide without the scan (renamed, or a build that never
    had it) is left as it is."""
    scan = getattr(feature, "_mod_uses_pyside", None)
    if scan is None or getattr(scan, "answers_for", None) == OURS:
        return

    standard_library = sys.stdlib_module_names

    def uses_pyside(module) -> bool:
        name = getattr(module, "__name__", "")
        top = name.partition(".")[0]
        if top == OURS:
            return True
        if top in standard_library:
            return False
        return scan(module)

    uses_pyside.answers_for = OURS  # type: ignore[attr-defined]
    feature._mod_uses_pyside = uses_pyside  # noqa: SLF001
