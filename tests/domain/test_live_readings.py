"""Live is replay at "now": readings folded as they arrive give what a Timeline gives at the same
instant, whatever order they were written in (a window copied in later never overwrites newer
values); a pod row unchanged since the last draw is not made again."""

from __future__ import annotations

from datetime import timedelta

from warroom.domain.recording import SEP, Record, Timeline
from warroom.domain.replay import LiveReadings, metrics_at, pods_at

from fixtures.support import T0

PANEL = {"v": 0.2, "b": 0.1, "verdict": "WARN", "unit": "ratio", "error": "", "i": 0}
POD = {"ready": "0/1", "status": "CrashLoopBackOff", "restarts": 3, "node": "n1", "created": None,
       "last_restart": None, "owner": None}


def test_live_readings_fold_as_the_timeline_whatever_the_order_written():
    at = lambda s: T0 + timedelta(seconds=s)  # noqa: E731
    now = [Record(at(10), "panel", "errors", dict(PANEL, v=0.3)), Record(at(10), "probe", "api", {"ok": True}),
           Record(at(20), "probe", "api", None)]
    window = [Record(at(-60), "panel", "errors", PANEL), Record(at(-30), "probe", "api", {"ok": False})]
    live = LiveReadings()
    assert live.add(now) == {"panel", "probe"}
    live.add(window)  # copied in after: older
    assert live.state == Timeline(now + window).state_at(at(30)) == {("panel", "errors"): dict(PANEL, v=0.3)}
    view = metrics_at(live, at(30), live.state)
    assert [v for _, v in view.panels[0].sparkline.current.points] == [0.2, 0.3]  # the window's value drawn too
    live.trim(at(0) + timedelta(hours=1))  # the hour before: from at(0) on
    assert live.history("panel", "errors", at(-100), at(100)) == [(at(10), dict(PANEL, v=0.3))]


def test_a_pod_row_unchanged_is_reused():
    state = {("pods", "c"): {"namespaces": [["shop", 3, 2]], "errors": [], "synced": True},
             ("pod", SEP.join(("c", "shop", "a"))): POD, ("pod", SEP.join(("c", "shop", "b"))): dict(POD)}
    built: dict = {}
    first = pods_at(state, T0, built)[0].rows
    state[("pod", SEP.join(("c", "shop", "b")))] = dict(POD, restarts=4)
    again = pods_at(state, T0, built)[0].rows
    by_name = lambda rows: {r.name: r for r in rows}  # noqa: E731
    assert by_name(again)["a"] is by_name(first)["a"] and by_name(again)["b"].restarts == 4
    assert again == pods_at(state, T0)[0].rows  # the same as made afresh
