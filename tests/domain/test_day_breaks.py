"""Which timeline entries start a new day (the separator lines of the timeline)."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from warroom.domain.day_breaks import day_breaks

UTC = timezone.utc
START = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


def breaks(ats, tz=UTC, start=START):
    return day_breaks(ats, lambda at: at, tz, start.astimezone(tz).date())


def test_nothing_to_separate_on_the_incident_day():
    assert breaks([]) == []
    assert breaks([START, START + timedelta(hours=13, minutes=59)]) == []


def test_the_first_entry_of_each_later_day_is_dated():
    ats = [START, START + timedelta(hours=13, minutes=59, seconds=59), START + timedelta(hours=14),
           START + timedelta(hours=15), START + timedelta(days=1, hours=15)]
    assert breaks(ats) == [(2, date(2026, 11, 24)), (4, date(2026, 11, 25))]


def test_an_entry_before_the_incident_day_is_dated_and_so_is_the_return_to_it():
    ats = [START - timedelta(hours=11), START - timedelta(hours=10, minutes=30), START]
    assert breaks(ats) == [(0, date(2026, 11, 22)), (2, date(2026, 11, 23))]


def test_days_without_entries_are_skipped():
    ats = [START, START + timedelta(days=5)]
    assert breaks(ats) == [(1, date(2026, 11, 28))]


def test_days_are_read_in_the_given_time_zone():
    late = datetime(2026, 11, 23, 22, 30, tzinfo=UTC)  # 23 Nov in UTC, 24 Nov at UTC+2
    plus2 = timezone(timedelta(hours=2))
    assert breaks([START, late]) == []
    assert breaks([START, late], tz=plus2) == [(1, date(2026, 11, 24))]


@pytest.mark.parametrize("zone", ["Europe/Paris", "America/Sao_Paulo", "America/Havana"])
def test_days_across_a_clock_change(zone):
    tz = ZoneInfo(zone)
    start = datetime(2026, 3, 7, 12, 0, tzinfo=tz)
    ats = [start + timedelta(hours=h) for h in range(0, 72, 3)]
    expected = []
    for i, at in enumerate(ats):
        day = at.astimezone(tz).date()
        if day != (ats[i - 1].astimezone(tz).date() if i else start.date()):
            expected.append((i, day))
    assert breaks(ats, tz=tz, start=start) == expected


def test_many_entries_cost_a_bisection_per_day():
    calls = 0

    def at(x):
        nonlocal calls
        calls += 1
        return x

    ats = [START + timedelta(seconds=s) for s in range(0, 200_000, 2)]  # 100,000 entries over 3 days
    found = day_breaks(ats, at, UTC, START.date())
    assert [day for _, day in found] == [date(2026, 11, 24), date(2026, 11, 25)]
    assert calls < 200
