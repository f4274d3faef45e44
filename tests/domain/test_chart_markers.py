"""The incident's moments as chart markers: which, in what order, labelled, stepped through."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from warroom.domain.chart_markers import labels, markers, step, within
from warroom.domain.chart_window import Window

T = datetime(2026, 11, 23, 10, 0, tzinfo=timezone.utc)
M = timedelta(minutes=1)


@dataclass
class E:
    at: datetime
    kind: str
    text: str
    starred: bool = False
    redacted: bool = False


@dataclass
class R:
    namespace: str
    deployment: str
    revision: int
    at: datetime
    images_text: str = "shop:2.4.0 → shop:2.4.1"


def test_milestones_entries_and_rollouts_in_time_order():
    ms = markers(
        {"declared": T, "detected": T - 3 * M, "acknowledged": T + 2 * M},
        [E(T + 4 * M, "decision", "roll back v2.3.1\nbecause"), E(T + 5 * M, "action", "restart the pool"),
         E(T + 6 * M, "note", "just a note"), E(T + 7 * M, "note", "the graph turned", starred=True),
         E(T + 8 * M, "decision", "gone", redacted=True)],
        [R("shop", "checkout", 7, T - 10 * M), R("shop", "checkout", 7, T - 10 * M)])
    assert [(m.at - T, m.label) for m in ms] == [
        (-10 * M, "rollout"), (-3 * M, "detected"), (0 * M, "declared"), (2 * M, "acknowledged"),
        (4 * M, "decision"), (5 * M, "action"), (7 * M, "★ note")]
    assert ms[4].text == "roll back v2.3.1"  # the entry's first line
    assert ms[0].text == "shop/checkout revision 7: shop:2.4.0 → shop:2.4.1"  # one marker per rollout


def test_only_the_window_s_markers_and_stepping_wraps():
    ms = markers({"declared": T, "detected": T - 3 * M, "resolved": T + 2 * 60 * M})
    shown = within(ms, Window(T + 10 * M, timedelta(minutes=15)))
    assert [m.label for m in shown] == ["detected", "declared"]
    assert step(2, None, 1) == 0 and step(2, None, -1) == 1
    assert step(2, 0, 1) == 1 and step(2, 1, 1) == 0 and step(2, 0, -1) == 1
    assert step(0, None, 1) is None


def test_labels_keep_their_numbers_and_add_names_where_they_fit():
    w = Window(T + 10 * M, timedelta(minutes=20))  # 09:50 .. 10:10
    ms = markers({"detected": T - 3 * M, "declared": T - 2 * M, "acknowledged": T + 5 * M})
    out = labels(ms, w, 81)
    assert [c for c, _ in out] == [28, 32, 60]  # 7, 8 and 15 minutes into the window, at 4 columns a minute
    assert out[0][1] == "1"  # "1 detected" would run into the declared marker
    assert out[1][1] == "2 declared" and out[2][1] == "3 acknowledged"


def test_markers_in_one_column_share_a_label():
    w = Window(T + 10 * M, timedelta(minutes=20))
    ms = markers({"declared": T}, [E(T + timedelta(seconds=5), "decision", "roll back")])
    assert labels(ms, w, 81) == [(40, "1,2")]
