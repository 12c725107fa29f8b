import sys

from genai_desktop.core import memory


def test_release_free_memory_runs_anywhere(monkeypatch):
    memory.release_free_memory()  # glibc here: malloc_trim; never raises
    monkeypatch.setattr(sys, "platform", "darwin")
    memory.release_free_memory()  # elsewhere: nothing to do
