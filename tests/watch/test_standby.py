"""What a watcher leaves to another, said once in its log: standing by, then taking over when the
feeder falls silent (its beats aged on this watcher's clock), the window with it; a new incident
waits a moment for the first watcher, which feeds every open one."""

from __future__ import annotations

import logging
from datetime import timedelta

from warroom.domain.heartbeat import Heartbeat
from warroom.watch.standby import Standby

from fixtures.support import T0


def feeder(now, incidents=(3,)) -> Heartbeat:
    return Heartbeat("a", "db-1", 42, T0, now, 1.0, incidents, True)


def test_standing_by_and_taking_over_are_each_said_once(caplog):
    caplog.set_level(logging.INFO, "warroom.watch")
    me = Standby("b", T0 + timedelta(seconds=1))
    now = T0 + timedelta(minutes=1)
    for _ in range(4):  # the feeder beats every second
        now += timedelta(seconds=1)
        assert set(me.look([feeder(now)], [3], True, now)) == {3, None}
        assert me.look_every() == 0.25
    assert caplog.messages == ["incident #3: fed by the watcher on db-1 (pid 42); standing by",
                               "the rolling window: recorded by the watcher on db-1 (pid 42); standing by"]
    caplog.clear()
    assert not me.due([feeder(now)], now + timedelta(seconds=1.5))
    assert me.due([feeder(now)], now + timedelta(seconds=1.6))
    assert me.look([feeder(now)], [3], True, now + timedelta(seconds=1.6)) == {}
    assert me.look_every() is None
    assert caplog.messages == ["incident #3: no longer fed by the watcher on db-1 (pid 42); taking over",
                               "the rolling window: no longer recorded by the watcher on db-1 (pid 42); taking over"]


def test_a_new_incident_waits_for_the_first_watcher_then_is_fed_if_it_does_not(caplog):
    caplog.set_level(logging.INFO, "warroom.watch")
    me, now = Standby("b", T0 + timedelta(seconds=1)), T0 + timedelta(minutes=1)
    assert set(me.look([feeder(now)], [3, 4], False, now)) == {3, 4}
    now += timedelta(seconds=1)
    assert set(me.look([feeder(now, (3, 4))], [3, 4], False, now)) == {3, 4}  # it took it: nothing said
    for waited in range(3):
        now += timedelta(seconds=1)
        assert set(me.look([feeder(now, (3, 4))], [3, 4, 5], False, now)) == ({3, 4} if waited == 2 else {3, 4, 5}), waited
    # 2 s: the first never took it (1.5 of its periods)
    assert caplog.messages[-1] == "incident #5: not fed by the watcher on db-1 (pid 42), which feeds every open incident;" \
                                  " taking over"
