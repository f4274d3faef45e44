"""When full garbage collections run: while nobody types and the loop is quiet, or when put off too long."""

from __future__ import annotations

import time

from warroom.ui.runtime import IdleCollections


def test_a_collection_waits_for_a_pause_in_typing():
    idle = IdleCollections(last_full=0.0)
    idle.input(100.0)
    assert not idle.due(100.5, middle_passes=10, loop_lag=0.0)  # still typing
    assert idle.due(101.5, middle_passes=10, loop_lag=0.0)
    idle.input(101.6)
    assert not idle.due(102.0, middle_passes=10, loop_lag=0.0)


def test_no_collection_without_garbage_worth_it_or_while_the_loop_is_busy():
    idle = IdleCollections(last_full=0.0)
    assert not idle.due(100.0, middle_passes=9, loop_lag=0.0)  # Python's own threshold not reached
    assert not idle.due(100.0, middle_passes=50, loop_lag=0.2)  # a storm is redrawing the pods pane
    assert idle.due(100.0, middle_passes=50, loop_lag=0.01)


def test_collections_are_spaced_and_forced_when_put_off_too_long():
    idle = IdleCollections(last_full=0.0)
    idle.collected(100.0)
    assert not idle.due(105.0, middle_passes=10, loop_lag=0.0)  # quiet, but one ran 5 s ago
    assert idle.due(110.0, middle_passes=10, loop_lag=0.0)
    idle.input(399.9)  # typing without a pause for five minutes
    assert not idle.due(399.95, middle_passes=10, loop_lag=0.0)
    assert idle.due(400.0, middle_passes=10, loop_lag=0.5)  # forced, typing and busy all the same


def test_tick_measures_how_late_the_timer_runs():
    idle = IdleCollections(last_full=0.0, interval=1.0)
    assert idle.tick(100.0, middle_passes=10)
    assert not idle.tick(101.2, middle_passes=10)  # 200 ms late: the loop is busy
    assert idle.tick(102.2, middle_passes=10)  # on time again


async def test_the_app_collects_only_where_the_runtime_is_tuned(make_app, db_path, monkeypatch):
    import warroom.ui.runtime as runtime

    async with make_app().run_test(size=(80, 24)) as pilot:
        assert pilot.app.idle_gc is None  # tests share one interpreter: leave its collector alone

    monkeypatch.setattr(runtime, "runtime_tuned", lambda: True)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await app.loaded.wait()
        idle = app.idle_gc
        before = time.monotonic()
        await pilot.press("x")
        assert idle.last_input >= before  # a key is input
        idle.passes, idle.last_input, idle.last_full, idle.last_tick = 0, float("-inf"), float("-inf"), None
        app.collect_if_idle()
        assert idle.last_full >= before  # it ran
        ran = idle.last_full
        app.collect_if_idle()
        assert idle.last_full == ran  # not again within min_gap
