import sys

from genai_desktop.core import memory


def test_the_heap_calls_run_anywhere(monkeypatch):
    memory.share_one_heap()  # glibc here: mallopt and malloc_trim; never raise
    memory.release_free_memory()
    monkeypatch.setattr(memory, "_shared", False)
    monkeypatch.setattr(sys, "platform", "darwin")  # elsewhere: nothing to do
    memory.share_one_heap()
    memory.release_free_memory()
