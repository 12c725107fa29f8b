import gc

from genai_desktop import startup_gc


def test_resume_turns_the_collector_back_on_only_after_pause():
    assert gc.isenabled()
    frozen = gc.get_freeze_count()  # a window built earlier in this process may have frozen its library
    startup_gc.resume()  # nothing paused: nothing changes, nothing frozen
    assert gc.isenabled() and gc.get_freeze_count() == frozen
    try:
        startup_gc.pause()
        assert not gc.isenabled()
        startup_gc.resume()
        assert gc.isenabled() and gc.get_freeze_count() > frozen  # start-up's objects moved aside
        startup_gc.resume()  # a second call (the safety timer) is harmless
        assert gc.isenabled()
    finally:
        gc.unfreeze()
        gc.enable()


def test_pause_leaves_a_collector_someone_else_turned_off_alone():
    gc.disable()
    try:
        startup_gc.pause()
        startup_gc.resume()
        assert not gc.isenabled()  # not ours to turn on
    finally:
        gc.enable()


def test_building_holds_the_collector_then_freezes_what_it_built():
    assert gc.isenabled()
    try:
        with startup_gc.building():
            assert not gc.isenabled()
            with startup_gc.building():  # another worker's block overlapping
                pass
            assert not gc.isenabled()  # still held by the outer block
            built = [[n] for n in range(1000)]
        assert gc.isenabled() and gc.get_freeze_count() >= len(built)
    finally:
        gc.unfreeze()
        gc.enable()


def test_building_during_start_up_leaves_the_collector_to_resume():
    try:
        startup_gc.pause()
        with startup_gc.building():
            startup_gc.resume()  # the first frame, while a load still runs
            assert not gc.isenabled()
        assert gc.isenabled()
        with startup_gc.building():
            pass
        assert gc.isenabled()
    finally:
        gc.unfreeze()
        gc.enable()


def test_building_leaves_a_collector_someone_else_turned_off_alone():
    gc.disable()
    try:
        with startup_gc.building():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
