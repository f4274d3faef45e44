"""Who feeds a screen: the freshest watcher of its incident; STALE after two periods; ages on the
screen's own clock, so clocks that differ between machines change nothing."""

from __future__ import annotations

from datetime import timedelta

from warroom.domain.heartbeat import Heartbeat, LocalAges, coming, feeder, said

from fixtures.support import T0


def beat(at, incidents=(1,), id_="a", host="db-1", all_open=True) -> Heartbeat:
    return Heartbeat(id_, host, 7, T0, at, 1.0, tuple(incidents), all_open)


def test_the_freshest_watcher_of_the_incident_feeds_it():
    old, new = beat(T0, id_="old"), beat(T0 + timedelta(seconds=1), id_="new")
    now = T0 + timedelta(seconds=1.5)
    assert feeder([old, new, beat(now, incidents=(2,), id_="other")], 1, now) == new
    assert feeder([old], 1, T0 + timedelta(seconds=5)) == old and not old.fresh(T0 + timedelta(seconds=5))
    assert feeder([old], None, now) is None and feeder([], 1, now) is None
    assert coming([beat(now, incidents=())], now) is not None
    assert coming([beat(now, incidents=(), all_open=False)], now) is None


def test_what_a_pane_says_of_its_feeder_is_literal():
    now = T0 + timedelta(seconds=0.4)
    assert said(beat(T0), now) == "via watcher on db-1, 0.4 s ago"
    assert said(beat(T0, host="db\x1b[31m"), T0 + timedelta(seconds=3)) == \
        "STALE: watcher on db\u241b[31m last seen 3.0 s ago"  # the escape made visible


def test_beats_age_on_the_screens_clock_whatever_the_watchers_clock_says():
    ages = LocalAges()
    ahead = timedelta(seconds=30)  # the watcher's clock runs 30 s ahead of the screen's
    now = T0
    assert ages.observe([beat(T0 + ahead)], now)[0].fresh(now)
    for step in range(1, 6):  # it keeps beating: fresh, on the screen's clock
        now = T0 + timedelta(seconds=step)
        assert ages.observe([beat(now + ahead)], now)[0].fresh(now)
    now += timedelta(seconds=2.5)  # it stopped: stale after two periods, not 30 s later
    assert not ages.observe([beat(T0 + timedelta(seconds=5) + ahead)], now)[0].fresh(now)
