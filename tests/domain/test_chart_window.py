"""A chart's window and axes, without a terminal: where an instant falls, the steps, the ticks."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from warroom.domain.chart_window import (WINDOWS, Window, around, column, points, time_ticks, value_range,
                                         value_ticks)

T = datetime(2026, 11, 23, 11, 0, tzinfo=timezone.utc)
M = timedelta(minutes=1)


def test_an_instant_falls_at_its_share_of_the_width():
    w = Window(T, timedelta(hours=1))
    assert column(T - 60 * M, w, 61) == 0
    assert column(T, w, 61) == 60
    assert column(T - 15 * M, w, 61) == 45  # 45 minutes into the hour: 45 of 60 columns
    assert column(T - 20 * M, w, 100) == round(40 / 60 * 99)
    assert column(T - 61 * M, w, 61) is None and column(T + M, w, 61) is None  # outside: not drawn


def test_the_windows_and_their_steps():
    assert [Window(T, s).name for s in WINDOWS] == ["15m", "1h", "6h", "24h"]
    # 1 hour at 15 s steps: 240 points; longer windows coarser, never more than 240 points
    assert Window(T, timedelta(hours=1)).step == timedelta(seconds=15)
    assert Window(T, timedelta(minutes=15)).step == timedelta(seconds=15)
    assert Window(T, timedelta(hours=24)).step == timedelta(minutes=6)
    w = around(T - 30 * M, T)
    assert w.start == T - 45 * M and w.end == T + 15 * M


def test_time_ticks_at_round_local_times():
    w = Window(T + 7 * M, timedelta(hours=1))  # 10:07 .. 11:07 UTC
    ticks = time_ticks(w, timezone.utc)
    assert [label for _, label in ticks] == ["10:15", "10:30", "10:45", "11:00"]
    assert ticks[0][0] == 8 * 60
    # in a zone half an hour off UTC the ticks are at that zone's round quarters
    kolkata = time_ticks(w, ZoneInfo("Asia/Kolkata"))
    assert [label for _, label in kolkata] == ["15:45", "16:00", "16:15", "16:30"]


def test_value_axis_from_zero_with_headroom_and_in_the_unit():
    lo, hi = value_range([0.01, 0.15, None, float("nan")])
    assert lo == 0 and 0.15 < hi < 0.17
    assert value_range([]) == (0.0, 1.0)
    assert value_range([0.0, 0.0]) == (0.0, pytest.approx(1.08))
    ticks = value_ticks(0, 0.16, "ratio")
    assert [label for _, label in ticks] == ["0 %", "5.0 %", "10.0 %", "15.0 %"]
    assert [label for _, label in value_ticks(0, 2.5, "seconds")] == ["0 s", "1.0 s", "2.0 s"]


def test_points_outside_the_window_or_not_finite_are_left_out():
    w = Window(T, timedelta(minutes=15))
    xs, ys = points([(T - 20 * M, 1.0), (T - 10 * M, 2.0), (T - 5 * M, float("inf")), (T, 3.0)], w)
    assert xs == [300.0, 900.0] and ys == [2.0, 3.0]


def test_any_other_window_gets_round_ticks():
    w = around(T - 21 * M, T + 10 * M)  # 10:24 .. 11:25, 61 minutes: every 15 (every 10 would be seven)
    assert [label for _, label in time_ticks(w, timezone.utc)] == ["10:30", "10:45", "11:00", "11:15"]
    w = around(T - 16 * M, T)  # 10:29 .. 11:15, 46 minutes: every 10
    assert [label for _, label in time_ticks(w, timezone.utc)] == ["10:30", "10:40", "10:50", "11:00", "11:10"]
