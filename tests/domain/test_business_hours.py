"""Business-hours arithmetic (Mon–Fri 09:00–17:00 by default, in the policy's timezone)."""

from __future__ import annotations

from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pytest

from warroom.domain.business_hours import BusinessHours
from warroom.domain.policy import Span

UTC = timezone.utc
BERLIN = ZoneInfo("Europe/Berlin")

# 2026-11-23 is a Monday.
MON, TUE, WED, THU, FRI, SAT, SUN, NEXT_MON = 23, 24, 25, 26, 27, 28, 29, 30


def nov(day: int, hh: int, mm: int = 0, tz=UTC) -> datetime:
    return datetime(2026, 11, day, hh, mm, tzinfo=tz)


def test_calendar_assumptions() -> None:
    assert nov(MON, 0).weekday() == 0
    assert nov(FRI, 0).weekday() == 4
    assert nov(SAT, 0).weekday() == 5
    assert nov(NEXT_MON, 0).weekday() == 0


def test_defaults() -> None:
    bh = BusinessHours()
    assert bh.start == time(9) and bh.end == time(17)
    assert bh.days == frozenset({0, 1, 2, 3, 4})
    assert bh.timezone == "UTC"
    assert bh.day_minutes == 480


ADD_CASES = [
    # (label, start, business minutes, expected end)
    ("within a day", nov(MON, 10), 120, nov(MON, 12)),
    ("a minute within a day", nov(MON, 16, 59), 1, nov(MON, 17)),
    ("crossing end of day", nov(MON, 15), 180, nov(TUE, 10)),
    ("crossing two nights", nov(THU, 13), 16 * 60, nov(NEXT_MON, 13)),
    ("evening start", nov(TUE, 20), 480, nov(WED, 17)),
    ("late-night start", nov(TUE, 23, 59), 60, nov(WED, 10)),
    ("friday evening to monday", nov(FRI, 18), 480, nov(NEXT_MON, 17)),
    ("friday afternoon into monday", nov(FRI, 16), 120, nov(NEXT_MON, 10)),
    ("saturday start", nov(SAT, 10), 60, nov(NEXT_MON, 10)),
    ("sunday late start", nov(SUN, 23, 59), 60, nov(NEXT_MON, 10)),
    ("exactly to 17:00 from 09:00", nov(MON, 9), 480, nov(MON, 17)),
    ("exactly to 17:00 from 16:00", nov(MON, 16), 60, nov(MON, 17)),
    ("friday ends at 17:00, not monday", nov(FRI, 13), 240, nov(FRI, 17)),
    ("start exactly at 17:00", nov(MON, 17), 60, nov(TUE, 10)),
    ("start exactly at 09:00", nov(MON, 9), 1, nov(MON, 9, 1)),
    ("before 09:00", nov(MON, 7), 120, nov(MON, 11)),
    ("one minute before opening", nov(MON, 8, 59), 1, nov(MON, 9, 1)),
    ("midnight", nov(WED, 0), 30, nov(WED, 9, 30)),
    ("five days from monday morning", nov(MON, 10), 5 * 480, nov(NEXT_MON, 10)),
    ("five days from friday evening", nov(FRI, 20), 5 * 480, datetime(2026, 12, 4, 17, tzinfo=UTC)),
    ("two weeks", nov(MON, 9), 10 * 480, datetime(2026, 12, 4, 17, tzinfo=UTC)),
]


@pytest.mark.parametrize("label, start, minutes, expected", ADD_CASES, ids=[c[0] for c in ADD_CASES])
def test_add(label: str, start: datetime, minutes: int, expected: datetime) -> None:
    result = BusinessHours().add(start, minutes)
    assert result == expected
    assert result.utcoffset() == timedelta(0)


def test_ending_exactly_at_close_is_not_pushed_to_next_morning() -> None:
    result = BusinessHours().add(nov(MON, 16), 60)
    assert result == nov(MON, 17)
    assert result != nov(TUE, 9)


def test_add_accepts_a_non_utc_start_and_means_the_same_instant() -> None:
    # 10:30 in Berlin on a Monday in November is 09:30 UTC; UTC business hours.
    start = datetime(2026, 11, 23, 10, 30, tzinfo=BERLIN)
    assert BusinessHours().add(start, 60) == nov(MON, 10, 30)


BERLIN_CASES = [
    # November: CET = UTC+1.
    ("berlin within a day", nov(MON, 8, 30), 60, nov(MON, 9, 30)),
    # 16:30 UTC is 17:30 in Berlin: after hours there, although within UTC business hours.
    ("berlin after hours", nov(MON, 16, 30), 60, nov(TUE, 9)),
    # 07:30 UTC is 08:30 in Berlin: before opening there.
    ("berlin before opening", nov(MON, 7, 30), 60, nov(MON, 9)),
    ("berlin friday evening", nov(FRI, 17), 480, nov(NEXT_MON, 16)),
    # DST ends on Sunday 2026-10-25 (CEST UTC+2 -> CET UTC+1): Friday 16:00 CEST -> Monday 10:00 CET.
    ("berlin autumn dst weekend", datetime(2026, 10, 23, 14, tzinfo=UTC), 120,
     datetime(2026, 10, 26, 9, tzinfo=UTC)),
    # Five business days across the change: Wednesday 10:00 CEST -> next Wednesday 10:00 CET.
    ("berlin autumn dst week", datetime(2026, 10, 21, 8, tzinfo=UTC), 5 * 480,
     datetime(2026, 10, 28, 9, tzinfo=UTC)),
    # DST starts on Sunday 2026-03-29 (CET UTC+1 -> CEST UTC+2): Friday 16:00 CET -> Monday 10:00 CEST.
    ("berlin spring dst weekend", datetime(2026, 3, 27, 15, tzinfo=UTC), 120,
     datetime(2026, 3, 30, 8, tzinfo=UTC)),
    ("berlin spring dst evening", datetime(2026, 3, 27, 20, tzinfo=UTC), 480,
     datetime(2026, 3, 30, 15, tzinfo=UTC)),
]


@pytest.mark.parametrize("label, start, minutes, expected", BERLIN_CASES, ids=[c[0] for c in BERLIN_CASES])
def test_add_in_berlin(label: str, start: datetime, minutes: int, expected: datetime) -> None:
    bh = BusinessHours(timezone="Europe/Berlin")
    assert bh.add(start, minutes) == expected


def test_dst_week_keeps_local_wall_clock() -> None:
    bh = BusinessHours(timezone="Europe/Berlin")
    result = bh.add(datetime(2026, 10, 21, 8, tzinfo=UTC), 5 * 480).astimezone(BERLIN)
    assert (result.hour, result.minute) == (10, 0)
    assert result.utcoffset() == timedelta(hours=1)


def test_timezone_matters() -> None:
    start = nov(MON, 16, 30)
    assert BusinessHours().add(start, 60) == nov(TUE, 9, 30)
    assert BusinessHours(timezone="Europe/Berlin").add(start, 60) == nov(TUE, 9)
    # New York (EST, UTC-5): 16:30 UTC is 11:30 there.
    assert BusinessHours(timezone="America/New_York").add(start, 60) == nov(MON, 17, 30)


# -- Span.after ---------------------------------------------------------------------------

SPAN_CASES = [
    ("1 business day from monday morning", Span(1, "business_days"), nov(MON, 10), nov(TUE, 10)),
    ("1 business day from monday opening", Span(1, "business_days"), nov(MON, 9), nov(MON, 17)),
    ("1 business day from friday evening", Span(1, "business_days"), nov(FRI, 20), nov(NEXT_MON, 17)),
    ("1 business day from saturday", Span(1, "business_days"), nov(SAT, 12), nov(NEXT_MON, 17)),
    ("5 business days from monday morning", Span(5, "business_days"), nov(MON, 10), nov(NEXT_MON, 10)),
    ("5 business days from friday evening", Span(5, "business_days"), nov(FRI, 20),
     datetime(2026, 12, 4, 17, tzinfo=UTC)),
    ("8 business hours from tuesday evening", Span(480, "business_minutes"), nov(TUE, 20), nov(WED, 17)),
    ("8 business hours from friday evening", Span(480, "business_minutes"), nov(FRI, 20), nov(NEXT_MON, 17)),
    ("wall-clock minutes ignore business hours", Span(60), nov(FRI, 20), nov(FRI, 21)),
    ("wall-clock day over a weekend", Span(1440), nov(SAT, 10), nov(SUN, 10)),
]


@pytest.mark.parametrize("label, span, start, expected", SPAN_CASES, ids=[c[0] for c in SPAN_CASES])
def test_span_after(label: str, span: Span, start: datetime, expected: datetime) -> None:
    assert span.after(start, BusinessHours()) == expected


def test_business_days_scale_with_custom_day_length() -> None:
    short_days = BusinessHours(start=time(8), end=time(12))
    assert short_days.day_minutes == 240
    assert Span(1, "business_days").after(nov(MON, 8), short_days) == nov(MON, 12)
    assert Span(2, "business_days").after(nov(MON, 10), short_days) == nov(WED, 10)


def test_span_business_flag() -> None:
    assert Span(1, "business_days").business
    assert Span(60, "business_minutes").business
    assert not Span(60).business


# -- custom hours and days ------------------------------------------------------------------

def test_custom_hours() -> None:
    bh = BusinessHours(start=time(8, 30), end=time(12, 15))
    assert bh.day_minutes == 225
    assert bh.add(nov(MON, 12), 30) == nov(TUE, 8, 45)
    assert bh.add(nov(MON, 13), 225) == nov(TUE, 12, 15)
    assert bh.add(nov(MON, 6), 15) == nov(MON, 8, 45)


def test_custom_days_sunday_to_thursday() -> None:
    bh = BusinessHours(start=time(8), end=time(16), days=frozenset({6, 0, 1, 2, 3}))
    # Thursday 15:00 + 2 h: one hour on Thursday, the rest on Sunday.
    assert bh.add(nov(THU, 15), 120) == nov(SUN, 9)
    # Friday and Saturday are off.
    assert bh.add(nov(FRI, 10), 60) == nov(SUN, 9)
    assert bh.add(nov(SAT, 10), 60) == nov(SUN, 9)


def test_single_business_day_per_week() -> None:
    bh = BusinessHours(days=frozenset({2}))  # Wednesdays only
    assert bh.add(nov(WED, 16), 120) == datetime(2026, 12, 2, 10, tzinfo=UTC)
    assert bh.add(nov(MON, 10), 3 * 480) == datetime(2026, 12, 9, 17, tzinfo=UTC)


def test_seven_day_business_week() -> None:
    bh = BusinessHours(days=frozenset(range(7)))
    assert bh.add(nov(FRI, 16), 120) == nov(SAT, 10)


def test_round_the_clock_hours() -> None:
    bh = BusinessHours(start=time(0), end=time(23, 59), days=frozenset(range(7)))
    assert bh.add(nov(SAT, 10), 60) == nov(SAT, 11)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"start": time(17), "end": time(9)}, "end after they start"),
        ({"start": time(9), "end": time(9)}, "end after they start"),
        ({"days": frozenset()}, "at least one business day"),
    ],
)
def test_invalid_business_hours(kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        BusinessHours(**kwargs)


def test_unknown_timezone_is_refused() -> None:
    with pytest.raises(ZoneInfoNotFoundError):
        BusinessHours(timezone="Mars/Olympus")
