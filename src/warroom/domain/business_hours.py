"""Business-hours arithmetic: "8 business hours" from a Friday evening ends on Monday.

Business time runs Mon–Fri (configurable) between ``start`` and ``end`` in a timezone.
Holidays are not modelled.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class BusinessHours:
    start: time = time(9, 0)
    end: time = time(17, 0)
    days: frozenset[int] = field(default_factory=lambda: frozenset(range(5)))  # Monday = 0
    timezone: str = "UTC"

    def __post_init__(self) -> None:
        if self.end <= self.start:
            raise ValueError("business hours must end after they start")
        if not self.days:
            raise ValueError("business hours need at least one business day")
        ZoneInfo(self.timezone)  # raises for an unknown zone

    @property
    def day_minutes(self) -> int:
        return (self.end.hour * 60 + self.end.minute) - (self.start.hour * 60 + self.start.minute)

    def add(self, start: datetime, minutes: int) -> datetime:
        """The instant ``minutes`` of business time after ``start`` (in ``start``'s timezone)."""
        tz = ZoneInfo(self.timezone)
        cursor = start.astimezone(tz)
        remaining = timedelta(minutes=minutes)
        for _ in range(minutes // max(self.day_minutes, 1) * 7 + 14):
            day_start, day_end = self._window(cursor)
            if cursor.weekday() not in self.days or cursor >= day_end:
                cursor = self._next_day_start(cursor)
                continue
            if cursor < day_start:
                cursor = day_start
            available = day_end - cursor
            if remaining <= available:
                return (cursor + remaining).astimezone(start.tzinfo)
            remaining -= available
            cursor = self._next_day_start(cursor)
        raise AssertionError("business-hours arithmetic did not converge")  # pragma: no cover

    def _window(self, cursor: datetime) -> tuple[datetime, datetime]:
        tz = cursor.tzinfo
        day = cursor.date()
        return (
            datetime.combine(day, self.start).replace(tzinfo=tz),
            datetime.combine(day, self.end).replace(tzinfo=tz),
        )

    def _next_day_start(self, cursor: datetime) -> datetime:
        day = cursor.date() + timedelta(days=1)
        return datetime.combine(day, self.start).replace(tzinfo=cursor.tzinfo)
