import sys

from genai_desktop.core import memory


def test_the_heap_calls_run_anywhere(monkeypatch):
    memory.share_one_heap()  # glibc here: mallopt and malloc_trim; never raise
    memory.release_free_memory()
    monkeypatch.setattr(memory, "_shared", False)
    monkeypatch.setattr(sys, "platform", "darwin")  # elsewhere: nothing to do
    memory.share_one_heap()
    memory.release_free_memory()


def test_a_list_is_emptied_in_steps_from_its_end():
    class Tracked(list):
        def __delitem__(self, key):
            sizes.append(len(self[key]))
            super().__delitem__(key)

    sizes: list[int] = []
    items = Tracked(range(2500))
    memory.release_in_steps(items, step=1000)
    assert items == [] and sizes == [1000, 1000, 500]


def test_a_released_library_holds_no_questions(starter_pack):
    from genai_desktop.core.content.library import load_pack

    library = load_pack(starter_pack)
    first = next(library.questions())
    assert library.question(first.id) is first
    library.release()
    assert list(library.questions()) == [] and library.question(first.id) is None and not library.topics


def test_an_id_set_holds_its_ids_where_the_collector_never_walks_them():
    import gc
    from collections import Counter

    ids = [f"q-{n}" for n in range(10_000)]
    members = memory.id_set(ids)
    assert len(members) == 10_000 and "q-42" in members and "q-10000" not in members
    assert not gc.is_tracked(members)  # a set of the same ids is walked at every full collection
    memory.add_in_steps(members, ["q-1", "new"])
    assert len(members) == 10_001 and "new" in members

    class Recorded(list):
        def __getitem__(self, key):
            taken.append(len(super().__getitem__(key)))
            return super().__getitem__(key)

    taken: list[int] = []
    assert [list(part) for part in memory.in_steps(Recorded(range(10)), step=4)] == [
        [0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
    assert taken == [4, 4, 2]  # a slice a call, never the whole
    counts: Counter[str] = Counter()
    memory.count_in_steps(counts, list("abcab" * 3000))
    assert counts == Counter("abcab" * 3000)
