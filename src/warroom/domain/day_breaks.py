"""Where the timeline crosses midnight: the rows before which a day separator goes.

A time column of ``HH:MM:SS`` alone is ambiguous once an incident spans midnight (``00:30:00`` at
the top of the timeline, before ``23:50:00``); a date on every row would make the column wide on
every screen. The timeline shows a separator row (``── Tue 24 Nov ──``) before the first entry of
each day other than the incident's own, computed here with a bisection per day crossed: opening,
or appending to, a timeline of 100,000 entries costs the same as one of ten.
"""

from __future__ import annotations

from bisect import bisect_left
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Callable, Sequence, TypeVar

T = TypeVar("T")


def day_breaks(items: Sequence[T], at: Callable[[T], datetime], tz: tzinfo, start_day: date) -> list[tuple[int, date]]:
    """``(index, day)`` for each item that is the first of its day (read in ``tz``) and whose day
    differs from the item before it — or, for the first item, from ``start_day`` (the incident's
    day). ``items`` are in time order (``at`` never decreases)."""
    out: list[tuple[int, date]] = []
    n = len(items)
    if not n:
        return out
    day = at(items[0]).astimezone(tz).date()
    if day != start_day:
        out.append((0, day))
    last = at(items[n - 1]).astimezone(tz).date()
    i = 0
    while True:
        if day >= last:
            return out
        midnight = _midnight_after(day, tz)
        i = bisect_left(items, midnight, lo=i + 1, key=at)
        if i >= n:
            return out
        day = at(items[i]).astimezone(tz).date()
        out.append((i, day))


def _midnight_after(day: date, tz: tzinfo) -> datetime:
    """The first instant of the day after ``day`` in ``tz`` (a zone whose midnight is skipped by a
    clock change starts its day at the first existing time: the next hour)."""
    nxt = day + timedelta(days=1)
    for hour in range(0, 3):
        candidate = datetime.combine(nxt, time(hour), tzinfo=tz)
        if candidate.astimezone(tz).date() == nxt and candidate.astimezone(tz).hour == hour:
            return candidate
    return datetime.combine(nxt, time(0), tzinfo=tz)
