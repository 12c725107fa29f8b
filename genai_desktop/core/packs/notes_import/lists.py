"""Import-time repair of lenient list habits, so the strict CommonMark reader nests them as meant.

Notes written in plain editors indent sub-bullets by 2 or 3 spaces under a tab-numbered item,
or continue an item with a line indented less than its text: CommonMark reads some of those as
code, as a new paragraph or as a sibling. Each item is re-indented to its parent item's text
column (CommonMark's rule for nesting), continuation lines to their item's text. Code fences
are left as written.
"""

from __future__ import annotations

import re

_FENCE_OPEN = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})[ \t]*(?P<lang>[\w+#.-]*)[^\n]*$")
_LIST_ITEM = re.compile(r"^(?P<indent>[ \t]*)(?P<marker>[-*+]|\d{1,9}[.)])(?P<gap>[ \t]+)\S")


def normalise_lists(text: str) -> str:
    """``text`` with each list level indented to its parent item's text (tabs count 4 spaces)."""
    out: list[str] = []
    # Open list levels: (the item's indent as written, the column its text starts at as written out).
    stack: list[tuple[int, int]] = []
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
        else:
            line = line.replace("\t", "    ")
        item = _LIST_ITEM.match(line)
        if item:
            indent = len(item.group("indent"))
            while stack and indent < stack[-1][0]:
                stack.pop()
            if stack and indent == stack[-1][0]:
                stack.pop()  # a sibling: same level as the open item
            margin = stack[-1][1] if stack else 0
            marker = item.group("marker")
            stack.append((indent, margin + len(marker) + 1))
            line = " " * margin + marker + " " + line[item.end("gap"):]
        elif stack and line.strip():
            indent = len(line) - len(line.lstrip())
            if indent == 0:
                stack.clear()
            else:
                # continuation of the deepest item whose indent is below this line's
                while len(stack) > 1 and indent <= stack[-1][0]:
                    stack.pop()
                line = " " * stack[-1][1] + line.lstrip()
        out.append(line)
    return "\n".join(out)
