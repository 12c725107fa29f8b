import gc

from genai_desktop import startup_gc


def test_resume_turns_the_collector_back_on_only_after_pause():
    assert gc.isenabled()
    startup_gc.resume()  # nothing paused: nothing changes, nothing frozen
    assert gc.isenabled() and gc.get_freeze_count() == 0
    try:
        startup_gc.pause()
        assert not gc.isenabled()
        startup_gc.resume()
        assert gc.isenabled() and gc.get_freeze_count() > 0  # start-up's objects moved aside
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
