"""Who feeds a screen: the freshest watcher of its incident; STALE after two periods; ages on the
screen's own clock, so clocks that differ between machines change nothing. Among watchers run for
redundancy, the first started feeds and the others stand by (``ahead_of``), taking over after 1.5
periods of silence."""

from __future__ import annotations

from datetime import timedelta

from warroom.domain.heartbeat import Heartbeat, LocalAges, ahead_of, coming, feeder, said

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


# -- which watcher feeds: the first started; the others stand by -----------------------------------

def started(id_: str, at, beat_at, incidents=(1,), all_open=True, period=1.0) -> Heartbeat:
    return Heartbeat(id_, f"host-{id_}", 7, at, beat_at, period, tuple(incidents), all_open)


def test_of_two_fresh_watchers_the_first_started_feeds_and_the_other_stands_by():
    now = T0 + timedelta(minutes=5)
    first = started("b", T0, now)
    second = started("a", T0 + timedelta(seconds=1), now)
    beats = [first, second]
    assert ahead_of(second.started_at, second.id, beats, 1, now) == first
    assert ahead_of(first.started_at, first.id, beats, 1, now) is None
    # the window too: the first all-open watcher records it
    assert ahead_of(second.started_at, second.id, beats, None, now) == first
    assert ahead_of(first.started_at, first.id, beats, None, now) is None
    # an incident the first one does not feed (a new one, long seen) is fed by the second
    assert ahead_of(second.started_at, second.id, beats, 2, now) is None


def test_a_silent_feeder_is_taken_over_after_one_and_a_half_periods_before_screens_call_it_stale():
    first, second = started("a", T0, T0 + timedelta(seconds=10), period=2.0), started("b", T0 + timedelta(seconds=1), T0)
    assert ahead_of(second.started_at, second.id, [first], 1, T0 + timedelta(seconds=13)) == first  # 3 s: 1.5 periods
    late = T0 + timedelta(seconds=13.1)
    assert ahead_of(second.started_at, second.id, [first], 1, late) is None and first.fresh(late)  # a screen: not STALE yet
    assert ahead_of(second.started_at, second.id, [first], None, late) is None  # the window taken over too


def test_a_third_watcher_leaves_the_takeover_to_the_second_then_stands_by_for_it():
    silent = started("a", T0, T0)
    second = started("b", T0 + timedelta(seconds=1), T0 + timedelta(seconds=2), incidents=())
    third = started("c", T0 + timedelta(seconds=2), T0 + timedelta(seconds=2), incidents=())
    now = T0 + timedelta(seconds=2)  # the feeder's beat is 2 periods old
    beats = [silent, second, third]
    assert ahead_of(second.started_at, second.id, beats, 1, now, seen_since=T0) is None  # it takes over
    assert ahead_of(third.started_at, third.id, beats, 1, now, seen_since=T0) == second  # it waits for it
    later = now + timedelta(seconds=1.5)  # the second did not take it within 1.5 of its periods
    beats = [silent, started("b", second.started_at, later, incidents=()), started("c", third.started_at, later, ())]
    assert ahead_of(third.started_at, third.id, beats, 1, later, seen_since=T0) is None


def test_a_new_incident_is_left_to_the_first_all_open_watcher_for_a_period_and_a_half():
    now = T0 + timedelta(minutes=5)
    first = started("a", T0, now, incidents=())  # it has not seen incident 1 yet
    me = started("b", T0 + timedelta(seconds=1), now, incidents=())
    assert ahead_of(me.started_at, me.id, [first, me], 1, now, seen_since=now) == first
    assert ahead_of(me.started_at, me.id, [first, me], 1, now + timedelta(seconds=1.4), seen_since=now) == first
    assert ahead_of(me.started_at, me.id, [first, me], 1, now, seen_since=now - timedelta(seconds=2)) is None


def test_a_tie_on_started_at_goes_to_the_smaller_id():
    now = T0 + timedelta(seconds=1)
    small, big = started("host-1/10/x", T0, now), started("host-2/10/x", T0, now)
    assert ahead_of(big.started_at, big.id, [small, big], 1, now) == small
    assert ahead_of(small.started_at, small.id, [small, big], 1, now) is None
    assert ahead_of(small.started_at, small.id, [small, big], None, now) is None


def test_an_incident_watcher_is_followed_for_its_incident_only_and_never_for_the_window():
    now = T0 + timedelta(seconds=1)
    only_1 = started("a", T0, now, incidents=(1,), all_open=False)
    every = started("b", T0 + timedelta(seconds=1), now, incidents=(2,))
    assert ahead_of(every.started_at, every.id, [only_1, every], 1, now) == only_1
    assert ahead_of(every.started_at, every.id, [only_1, every], 3, now, seen_since=now) is None  # not all-open
    assert ahead_of(every.started_at, every.id, [only_1, every], None, now) is None
    # and an -i watcher started later leaves its incident to an all-open one ahead of it
    late_1 = started("c", T0 + timedelta(seconds=2), now, incidents=(), all_open=False)
    assert ahead_of(late_1.started_at, late_1.id, [only_1, every, late_1], 2, now) == every


def test_watchers_on_skewed_clocks_agree_once_aged_on_this_one():
    """Aged by ``LocalAges`` (looked at four times a period, as a standby does): a feeder whose
    clock runs 30 s behind is followed once its beat moves; one that stops is taken over 1.5
    periods (give or take a look) after its last beat, whichever way its clock is off."""
    me_started = T0 + timedelta(hours=1)
    for skew in (timedelta(seconds=-30), timedelta(0), timedelta(seconds=30)):
        ages, now, look = LocalAges(), T0 + timedelta(hours=2), timedelta(seconds=0.25)
        last = now

        def ahead():
            return ahead_of(me_started, "me", ages.observe([started("a", T0, last + skew)], now), 1, now)

        assert (ahead() is None) == (skew < timedelta(0))  # 30 s behind: looks silent until it beats again
        for step in range(1, 13):  # it beats every second
            now += look
            if step % 4 == 0:
                last = now
            seen = ahead()
            if step >= 4 or skew >= timedelta(0):
                assert seen is not None and seen.host == "host-a", (skew, step)
        now = last + timedelta(seconds=1.5) - look
        assert ahead() is not None, skew
        now = last + timedelta(seconds=1.5) + look
        assert ahead() is None, skew
