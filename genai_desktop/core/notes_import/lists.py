"""Import-time repair of lenient list habits, so the strict CommonMark reader nests them as meant.

Notes written in plain editors indent sub-bullets by 2 or 3 spaces under a tab-numbered item,
or continue an item with a line indented less than its text: CommonMark reads some of those as
code or as a new paragraph. Each list level is re-indented to 4 spaces (enough for any marker
up to "99."), continuation lines to their item's level. Code fences are left as written.
"""

from __future__ import annotations

import re

_FENCE_OPEN = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})[ \t]*(?P<lang>[\w+#.-]*)[^\n]*$")
_LIST_ITEM = re.compile(r"^(?P<indent>[ \t]*)(?P<marker>[-*+]|\d{1,9}[.)])(?P<gap>[ \t]+)\S")


def normalise_lists(text: str) -> str:
    """``text`` with its list levels at 4-space steps (tabs counted as 4 spaces)."""
    out: list[str] = []
    stack: list[int] = []  # source indents of the open list levels
    fence: str | None = None
    for raw in text.replace("\r\n", "\n").split("\n"):
        line = raw.rstrip() if fence is None else raw
        opener = _FENCE_OPEN.match(line)
        if fence:
            out.append(line)
            if opener and opener.group("fence").startswith(fence) and not opener.group("lang"):
                fence = None
            continue
        if opener:
            fence = opener.group("fence")[0] * 3
        line = line.replace("\t", "    ") if not opener else line
        item = _LIST_ITEM.match(line)
        if item:
            indent = len(item.group("indent"))
            while stack and indent < stack[-1]:
                stack.pop()
            if not stack or indent > stack[-1]:
                stack.append(indent)
            line = " " * (4 * (len(stack) - 1)) + line.lstrip()
        elif stack and line.strip():
            indent = len(line) - len(line.lstrip())
            if indent == 0:
                stack.clear()
            else:
                # continuation of the deepest item whose indent is below this line's
                while stack and indent <= stack[-1] and len(stack) > 1:
                    stack.pop()
                line = " " * (4 * len(stack)) + line.lstrip()
        out.append(line)
    return "\n".join(out)
