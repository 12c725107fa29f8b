"""core/worker.py: the child process runs at a lower priority than the window's."""

from __future__ import annotations

import os

import pytest

from genai_desktop.core.worker import BACKGROUND_NICENESS, call_in_process


def _niceness(progress=None) -> int:  # module level: the spawned child imports it by name
    return os.nice(0)


@pytest.mark.skipif(not hasattr(os, "nice"), reason="no process niceness on this platform")
def test_the_child_runs_at_a_lower_priority() -> None:
    assert call_in_process(_niceness) == min(19, os.nice(0) + BACKGROUND_NICENESS)
