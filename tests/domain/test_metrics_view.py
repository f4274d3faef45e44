"""The metrics view keeps last good values through failures, and logs verdict transitions once."""

from __future__ import annotations

from datetime import timedelta

from warroom.domain.baseline import compare
from warroom.domain.panels import Panel
from warroom.domain.metrics_view import PanelPoll, Poll, VerdictMemory, apply_poll, initial, verdict_events

from fixtures.support import T0

ERR = Panel("Errors", "x", unit="ratio", baseline=0.01, warn_ratio=2, crit_ratio=5)
LAT = Panel("Latency", "y", unit="seconds", baseline=0.2, warn_ratio=1.5, crit_ratio=3)


def reading(panel, value):
    return compare(value, panel.baseline_fixed, panel)


def poll(at, **values):
    return Poll(at, tuple(PanelPoll(p, reading(p, values[p.title])) if isinstance(values[p.title], float)
                          else PanelPoll(p, error=values[p.title]) for p in (ERR, LAT)), alerts=())


def test_fresh_values_replace_and_failures_keep_the_last_value_marked():
    view = apply_poll(initial([ERR, LAT]), poll(T0, Errors=0.02, Latency=0.2))
    view = apply_poll(view, poll(T0 + timedelta(seconds=15), Errors="bad PromQL: parse error", Latency=0.3))
    err, lat = view.panels
    assert err.reading.current == 0.02 and err.error == "bad PromQL: parse error"
    assert err.stale_for(T0 + timedelta(seconds=45)) == timedelta(seconds=45)
    assert lat.reading.current == 0.3 and lat.error == "" and lat.stale_for(T0) is None


def test_source_down_marks_everything_stale_and_recovers():
    view = apply_poll(initial([ERR, LAT]), poll(T0, Errors=0.02, Latency=0.2))
    down = apply_poll(view, Poll(T0 + timedelta(seconds=30), source_error="connection refused"))
    assert down.source_error == "connection refused" and down.ok_at == T0
    assert all(p.error == "connection refused" and p.reading is not None for p in down.panels)
    back = apply_poll(down, poll(T0 + timedelta(seconds=60), Errors=0.02, Latency=0.2))
    assert back.source_error == "" and not any(p.error for p in back.panels)


def test_verdict_transitions_are_logged_once_with_stable_keys():
    memory = VerdictMemory()
    at = T0
    events_seen = []
    for value in (0.01, 0.06, 0.07, 0.06, 0.01):  # OK, CRIT, CRIT, CRIT, OK
        view = apply_poll(initial([ERR, LAT]), poll(at, Errors=value, Latency=0.2))
        memory, events = verdict_events(memory, view, at)
        events_seen += events
        at += timedelta(seconds=15)
    assert [e.text for e in events_seen] == [
        "Metric CRIT: Errors 6.0 % (baseline fixed 1.0 %, 6.0x)",
        "Metric back to OK: Errors 1.0 % (baseline fixed 1.0 %, 1.0x)",
    ]
    assert events_seen[0].key.startswith("metric:Errors:CRIT:")


def test_flapping_within_five_minutes_gives_the_same_key():
    memory = VerdictMemory()
    keys = []
    for i, value in enumerate((0.06, 0.01, 0.06, 0.01, 0.06)):
        at = T0 + timedelta(seconds=20 * i)
        view = apply_poll(initial([ERR]), Poll(at, (PanelPoll(ERR, reading(ERR, value)),), alerts=()))
        memory, events = verdict_events(memory, view, at)
        keys += [e.key for e in events]
    assert len(set(keys)) == 2  # one CRIT key, one OK key: the database ignores the repeats


def test_stale_panels_do_not_produce_transitions():
    view = apply_poll(initial([ERR]), Poll(T0, (PanelPoll(ERR, reading(ERR, 0.06)),), alerts=()))
    memory, events = verdict_events(VerdictMemory(), view, T0)
    assert len(events) == 1
    stale = apply_poll(view, Poll(T0 + timedelta(seconds=15), (PanelPoll(ERR, error="timeout"),), alerts=()))
    memory, events = verdict_events(memory, stale, T0 + timedelta(seconds=15))
    assert events == []


def test_a_reading_older_than_its_refresh_is_stale_even_without_an_error():
    from warroom.domain.metrics_view import stale_age, stale_limit

    limit = stale_limit(refresh=5, timeout=3)
    assert limit == timedelta(seconds=8)
    assert stale_limit(refresh=5, timeout=0.5) == timedelta(seconds=7)  # at least a 2 s grace
    view = apply_poll(initial([ERR, LAT]), poll(T0, Errors=0.02, Latency=0.2))
    err = view.panels[0]
    assert err.stale_for(T0 + timedelta(seconds=8), limit) is None  # a poll may still be under way
    assert err.stale_for(T0 + timedelta(seconds=9), limit) == timedelta(seconds=9)
    assert err.stale_for(T0 + timedelta(minutes=2)) is None  # no limit: only errors make it stale
    assert view.stale_for(T0 + timedelta(minutes=2), limit) == timedelta(minutes=2)  # the pane's last answer
    assert not view.any_stale(T0 + timedelta(seconds=8), limit) and view.any_stale(T0 + timedelta(seconds=9), limit)
    assert stale_age(None, T0, limit, failed=True) is None  # nothing read: nothing to mistake for current
    assert stale_age(T0, T0 + timedelta(seconds=1), limit, failed=True) == timedelta(seconds=1)
