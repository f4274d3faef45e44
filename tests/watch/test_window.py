"""The rolling window: pruned only at a keyframe (the whole state recorded again), so what is left
always folds into whole states, whichever watcher records it."""

from __future__ import annotations

from datetime import timedelta

from warroom.domain.recording import Timeline
from warroom.watch.window import Window

from fixtures.support import T0


def test_the_window_is_cut_at_a_keyframe_so_its_start_is_a_whole_state():
    w = Window(timedelta(minutes=60))
    w.record(True, T0)
    w.observe("probes", {("probe", "api"): {"ok": True}, ("probe", "db"): {"ok": True}}, T0)
    t = T0
    for minute in range(1, 121):
        t = T0 + timedelta(minutes=minute)
        w.observe("probes", {("probe", "api"): {"ok": minute % 2 == 0}, ("probe", "db"): {"ok": True}}, t)
        if w.keyframe_due(t):
            w.keyframe(t)
    cut = w.cut(t)
    assert cut is not None and t - timedelta(minutes=75) <= cut <= t - timedelta(minutes=60)
    kept = [r for r in w.take() if r.at >= cut]
    start = Timeline(kept).state_at(cut)
    assert start == {("probe", "api"): {"ok": (cut - T0) // timedelta(minutes=1) % 2 == 0}, ("probe", "db"): {"ok": True}}


def test_no_window_records_nothing():
    w = Window(timedelta(0))
    w.record(True, T0)
    w.observe("probes", {("probe", "api"): {"ok": True}}, T0)
    assert w.take() == [] and w.cut(T0 + timedelta(days=1)) is None


def test_a_standby_writes_nothing_then_takes_over_with_the_whole_state_and_prunes_only_after_that():
    w = Window(timedelta(minutes=60))
    w.observe("probes", {("probe", "api"): {"ok": True}, ("probe", "db"): {"ok": True}}, T0)
    w.observe("probes", {("probe", "api"): {"ok": False}, ("probe", "db"): {"ok": True}}, T0 + timedelta(minutes=1))
    assert w.take() == [] and not w.keyframe_due(T0 + timedelta(hours=3)) and w.cut(T0 + timedelta(hours=3)) is None
    took_over = T0 + timedelta(minutes=2)
    w.record(True, took_over)
    first = w.take()
    assert {r.at for r in first} == {took_over}
    assert Timeline(first).state_at(took_over) == {("probe", "api"): {"ok": False}, ("probe", "db"): {"ok": True}}
    assert w.cut(took_over + timedelta(minutes=59)) is None  # nothing it wrote before its first keyframe
    w.observe("probes", {("probe", "api"): {"ok": True}, ("probe", "db"): {"ok": True}}, took_over + timedelta(minutes=3))
    w.record(False, took_over + timedelta(minutes=4))  # handed back: what it had pending is still written
    assert [r.at for r in w.take()] == [took_over + timedelta(minutes=3)]
