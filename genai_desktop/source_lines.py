"""Keep PySide6 from holding every imported module's source in memory.

Once PySide6 is imported it looks at each module imported after it for ``from __feature__
import`` by reading the module's source with ``inspect.getsource``, which goes through
``linecache`` and leaves every line cached for the life of the process: about 110,000 lines,
5.5 MB of resident memory by the time the window has started (measured; a third of what the
app adds to a bare window). Nothing else here needs those lines kept: a traceback reads the
few it prints again. So lines are still read on request, only no longer kept.

A frozen build has no sources to read, so this matters for source installs and the bench.
"""

from __future__ import annotations

import linecache

_installed = False


def install() -> None:
    """Idempotent; call before PySide6 is imported to spare the most."""
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
