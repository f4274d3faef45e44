"""Parsing what people type as a time, and formatting durations and clocks."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from warroom.domain.times import (
    TimeParseError,
    format_clock,
    format_duration,
    format_duration_words,
    format_kube_duration,
    iso_seconds,
    iso_utc,
    parse_instant,
    parse_when,
    short_utc,
    utc,
)

UTC = timezone.utc
BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)  # a Monday


def at(hh: int, mm: int = 0, ss: int = 0, day: int = 23) -> datetime:
    return datetime(2026, 11, day, hh, mm, ss, tzinfo=UTC)


# -- HH:MM ------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "text, expected",
    [
        ("09:30", at(9, 30)),
        ("9:05", at(9, 5)),
        ("09:30:15", at(9, 30, 15)),
        (" 09:30 ", at(9, 30)),
        ("00:00", at(0, 0)),
        ("10:00", at(10, 0)),
    ],
)
def test_hh_mm_is_today(text: str, expected: datetime) -> None:
    result = parse_when(text, NOW, UTC)
    assert result == expected
    assert result.utcoffset() == timedelta(0)


def test_hh_mm_across_midnight_is_yesterday() -> None:
    now = at(0, 10, day=24)
    assert parse_when("23:50", now, UTC) == at(23, 50, day=23)
    assert parse_when("00:05", now, UTC) == at(0, 5, day=24)


def test_hh_mm_more_than_12h_ahead_is_yesterday() -> None:
    # At 10:00, 22:30 today is 12.5 h ahead: it means last night.
    assert parse_when("22:30", NOW, UTC) == at(22, 30, day=22)
    assert parse_when("23:59", NOW, UTC) == at(23, 59, day=22)


def test_hh_mm_later_today_is_yesterday_not_the_future() -> None:
    # The most recent such time not in the future: at 10:00, 21:00 is last night's.
    assert parse_when("21:00", NOW, UTC) == at(21, 0, day=22)
    assert parse_when("10:30", NOW, UTC) == at(10, 30, day=22)
    # At 23:59, 00:30 is this morning's (23.5 h ago); whether that fits the incident is domain.backdate's call.
    assert parse_when("00:30", at(23, 59), UTC) == at(0, 30)
    assert parse_when("23:59:59", at(23, 59), UTC) == at(23, 59, 59)  # within the minute of skew
    # Due times and replay cursors (allow_future) keep "today unless more than 12 h ahead".
    assert parse_when("21:00", NOW, UTC, allow_future=True) == at(21, 0)
    assert parse_when("22:00", NOW, UTC, allow_future=True) == at(22, 0)  # exactly 12 h: still today


def test_hh_mm_just_after_midnight() -> None:
    now = at(0, 0, 30, day=24)
    assert parse_when("00:00", now, UTC) == at(0, 0, day=24)
    assert parse_when("00:01", now, UTC) == at(0, 1, day=24)  # 30 s ahead: skew
    assert parse_when("00:02", now, UTC) == at(0, 2, day=23)  # ahead: yesterday's
    assert parse_when("23:59", now, UTC) == at(23, 59, day=23)
    # Just after midnight on the night the clocks went back (00:10 CET on 26 October).
    after_dst = datetime(2026, 10, 25, 23, 10, tzinfo=UTC)
    assert parse_when("23:50", after_dst, BERLIN) == datetime(2026, 10, 25, 22, 50, tzinfo=UTC)
    assert parse_when("00:11", after_dst, BERLIN) == datetime(2026, 10, 25, 23, 11, tzinfo=UTC)  # skew
    assert parse_when("00:12", after_dst, BERLIN) == datetime(2026, 10, 24, 22, 12, tzinfo=UTC)  # CEST, +2


# Europe/Berlin 2026: the clocks go back 03:00 CEST → 02:00 CET on 25 October (02:00–03:00 twice)
# and forward 02:00 CET → 03:00 CEST on 29 March (02:00–03:00 never happens).

def _utc(month: int, day: int, hh: int, mm: int = 0) -> datetime:
    return datetime(2026, month, day, hh, mm, tzinfo=UTC)


def test_hh_mm_when_the_clocks_go_back_is_the_latest_occurrence_already_past() -> None:
    assert parse_when("02:30", _utc(10, 25, 0, 45), BERLIN) == _utc(10, 25, 0, 30)  # 02:45 CEST: the first
    assert parse_when("02:30", _utc(10, 25, 1, 15), BERLIN) == _utc(10, 25, 0, 30)  # 02:15 CET: 2nd still ahead
    assert parse_when("02:30", _utc(10, 25, 1, 45), BERLIN) == _utc(10, 25, 1, 30)  # 02:45 CET: the later one
    assert parse_when("02:30", _utc(10, 25, 9, 0), BERLIN) == _utc(10, 25, 1, 30)  # later that day: the later one


def test_hh_mm_when_the_clocks_go_forward() -> None:
    later = _utc(3, 29, 8)  # 10:00 CEST
    assert parse_when("01:30", later, BERLIN) == _utc(3, 29, 0, 30)  # CET, +1
    assert parse_when("03:30", later, BERLIN) == _utc(3, 29, 1, 30)  # CEST, +2
    with pytest.raises(TimeParseError, match=r"'02:30' did not happen on 2026-03-29: the clocks went forward"):
        parse_when("02:30", later, BERLIN)
    # Before the jump, 02:30 today is still ahead: yesterday's, which happened.
    assert parse_when("02:30", _utc(3, 29, 0, 30), BERLIN) == _utc(3, 28, 1, 30)


def test_hh_mm_in_local_timezone() -> None:
    now = at(9, 30)  # 10:30 in Berlin
    assert parse_when("10:15", now, BERLIN) == at(9, 15)
    assert parse_when("10:15", at(15, 30), NEW_YORK) == at(15, 15)  # EST, UTC-5


def test_hh_mm_midnight_crossing_in_local_timezone() -> None:
    now = at(23, 20)  # 00:20 on the 24th in Berlin
    assert parse_when("23:50", now, BERLIN) == at(22, 50)
    assert parse_when("00:10", now, BERLIN) == at(23, 10)


def test_hh_mm_local_date_differs_from_utc_date() -> None:
    # 03:00 UTC on the 24th is 22:00 on the 23rd in New York: "21:30" is the 23rd there.
    now = at(3, 0, day=24)
    assert parse_when("21:30", now, NEW_YORK) == at(2, 30, day=24)


@pytest.mark.parametrize("text", ["24:00", "25:10", "12:60", "10:15:61"])
def test_impossible_time_of_day(text: str) -> None:
    with pytest.raises(TimeParseError, match=r"not a time of day"):
        parse_when(text, NOW, UTC)


# -- ISO 8601 ---------------------------------------------------------------------------

@pytest.mark.parametrize(
    "text, local, expected",
    [
        ("2026-11-23T09:15:00+02:00", UTC, at(7, 15)),
        ("2026-11-23T03:15:00-05:00", BERLIN, at(8, 15)),
        ("2026-11-23T09:15", UTC, at(9, 15)),
        ("2026-11-23T09:15", BERLIN, at(8, 15)),
        ("2026-11-23 09:15", BERLIN, at(8, 15)),
        ("2026-11-23T04:15:30", NEW_YORK, at(9, 15, 30)),
        ("2026-11-23T09:15Z", BERLIN, at(9, 15)),
        ("2026-11-23T09:15:00z", BERLIN, at(9, 15)),
        ("2026-11-22T23:00Z", UTC, at(23, 0, day=22)),
    ],
)
def test_iso(text: str, local, expected: datetime) -> None:
    result = parse_when(text, NOW, local)
    assert result == expected
    assert result.utcoffset() == timedelta(0)


def test_iso_without_offset_uses_the_given_local_zone_with_dst() -> None:
    # 25 October 2026, 10:00 CET (after the change) vs 24 October 10:00 CEST.
    now = datetime(2026, 10, 26, tzinfo=UTC)
    assert parse_when("2026-10-24T10:00", now, BERLIN) == datetime(2026, 10, 24, 8, tzinfo=UTC)
    assert parse_when("2026-10-25T10:00", now, BERLIN) == datetime(2026, 10, 25, 9, tzinfo=UTC)


# -- the future ---------------------------------------------------------------------------

def test_future_time_refused() -> None:
    with pytest.raises(TimeParseError) as exc:
        parse_when("2026-11-23T10:30Z", NOW, UTC)
    message = str(exc.value)
    assert "'2026-11-23T10:30Z' is in the future" in message
    assert "30m from now" in message


def test_future_iso_refused_unless_allowed() -> None:
    with pytest.raises(TimeParseError, match="in the future"):
        parse_when("2026-11-24T10:00Z", NOW, UTC)
    assert parse_when("2026-11-24T10:00Z", NOW, UTC, allow_future=True) == at(10, 0, day=24)


def test_a_minute_of_clock_skew_is_tolerated() -> None:
    assert parse_when("10:01", NOW, UTC) == at(10, 1)
    assert parse_when("10:00:30", NOW, UTC) == at(10, 0, 30)
    assert parse_when("10:01:01", NOW, UTC) == at(10, 1, 1, day=22)  # past the skew: yesterday's
    with pytest.raises(TimeParseError):
        parse_when("2026-11-23T10:01:01Z", NOW, UTC)


def test_future_allowed() -> None:
    assert parse_when("10:30", NOW, UTC, allow_future=True) == at(10, 30)


# -- garbage ------------------------------------------------------------------------------

@pytest.mark.parametrize("text", ["soonish", "", "10.15", "yesterday", "2026-13-01T10:00", "10:15 pm"])
def test_garbage_is_refused_helpfully(text: str) -> None:
    with pytest.raises(TimeParseError) as exc:
        parse_when(text, NOW, UTC)
    message = str(exc.value)
    assert f"not a time: {text.strip()!r}" in message
    assert "HH:MM" in message
    assert "ISO 8601" in message


def test_time_parse_error_is_a_value_error() -> None:
    assert issubclass(TimeParseError, ValueError)


# -- helpers ------------------------------------------------------------------------------

def test_utc_refuses_naive_and_converts_aware() -> None:
    with pytest.raises(ValueError, match="naive"):
        utc(datetime(2026, 11, 23, 10, 0))
    converted = utc(datetime(2026, 11, 23, 11, 0, tzinfo=BERLIN))
    assert converted == at(10, 0)
    assert converted.tzinfo is UTC


def test_iso_utc_round_trips_and_sorts_as_text() -> None:
    dt = datetime(2026, 11, 23, 10, 15, 0, 123456, tzinfo=UTC)
    assert iso_utc(dt) == "2026-11-23T10:15:00.123456Z"
    assert parse_instant(iso_utc(dt)) == dt
    assert iso_utc(datetime(2026, 11, 23, 11, 15, tzinfo=BERLIN)) == "2026-11-23T10:15:00.000000Z"
    earlier, later = iso_utc(at(9, 59, 59)), iso_utc(at(10, 0))
    assert earlier < later


def test_short_utc() -> None:
    assert short_utc(datetime(2026, 11, 23, 11, 15, tzinfo=BERLIN)) == "2026-11-23 10:15:00Z"


# -- formatting ---------------------------------------------------------------------------

@pytest.mark.parametrize(
    "delta, text",
    [
        (timedelta(0), "0s"),
        (timedelta(seconds=45), "45s"),
        (timedelta(seconds=59, milliseconds=999), "59s"),
        (timedelta(minutes=1), "1m"),
        (timedelta(minutes=4), "4m"),
        (timedelta(minutes=4, seconds=12), "4m12s"),
        (timedelta(minutes=9, seconds=5), "9m05s"),
        (timedelta(minutes=12, seconds=30), "12m"),
        (timedelta(minutes=59, seconds=59), "59m"),
        (timedelta(hours=1), "1h00m"),
        (timedelta(minutes=65), "1h05m"),
        (timedelta(hours=23, minutes=59), "23h59m"),
        (timedelta(days=1), "1d00h"),
        (timedelta(hours=51, minutes=30), "2d03h"),
        (timedelta(minutes=-4), "4m"),
        (timedelta(hours=-1, minutes=-5), "1h05m"),
    ],
)
def test_format_duration(delta: timedelta, text: str) -> None:
    assert format_duration(delta) == text


@pytest.mark.parametrize(
    "delta, text",
    [
        (timedelta(0), "00:00"),
        (timedelta(seconds=7), "00:07"),
        (timedelta(minutes=4, seconds=59), "04:59"),
        (timedelta(minutes=59, seconds=59), "59:59"),
        (timedelta(hours=1, minutes=2, seconds=3), "1:02:03"),
        (timedelta(hours=23, minutes=59, seconds=59), "23:59:59"),
        (timedelta(days=3, hours=4), "3d 04:00:00"),
        (timedelta(days=1, seconds=5), "1d 00:00:05"),
        (timedelta(minutes=-4, seconds=-59), "04:59"),
    ],
)
def test_format_clock(delta: timedelta, text: str) -> None:
    assert format_clock(delta) == text


def test_format_duration_words() -> None:
    assert [format_duration_words(timedelta(seconds=s)) for s in (1, 45, 60, 3300, 3600, 3900, 90000, 86400 * 2)] == [
        "1 second", "45 seconds", "1 minute", "55 minutes", "1 hour", "1 hour 5 minutes", "1 day 1 hour", "2 days"]


@pytest.mark.parametrize(
    ("delta", "text"),
    [
        (timedelta(seconds=-3), "<invalid>"),
        (timedelta(seconds=-1), "0s"),
        (timedelta(seconds=0), "0s"),
        (timedelta(seconds=45), "45s"),
        (timedelta(seconds=119), "119s"),
        (timedelta(minutes=2), "2m"),
        (timedelta(minutes=5, seconds=30), "5m30s"),
        (timedelta(minutes=10, seconds=30), "10m"),
        (timedelta(minutes=65), "65m"),
        (timedelta(minutes=179), "179m"),
        (timedelta(hours=3), "3h"),
        (timedelta(hours=7, minutes=59), "7h59m"),
        (timedelta(hours=47, minutes=59), "47h"),
        (timedelta(days=2), "2d"),
        (timedelta(days=2, hours=3), "2d3h"),
        (timedelta(days=8), "8d"),
        (timedelta(days=730), "2y"),
        (timedelta(days=800), "2y70d"),
        (timedelta(days=365 * 9), "9y"),
    ],
)
def test_format_kube_duration_matches_apimachinery(delta: timedelta, text: str) -> None:
    assert format_kube_duration(delta) == text


def test_iso_seconds_is_rfc3339_in_utc_to_the_second() -> None:
    assert iso_seconds(datetime(2026, 11, 23, 11, 15, 7, 999999, tzinfo=BERLIN)) == "2026-11-23T10:15:07Z"


def test_parse_instant_reads_what_the_apis_write() -> None:
    t = datetime(2026, 11, 23, 10, 27, tzinfo=UTC)
    for text in ("2026-11-23T10:27:00Z", "2026-11-23t10:27:00z", "2026-11-23T10:27:00+00:00",
                 "2026-11-23T11:27:00+01:00", "2026-11-23T10:27:00.000000000Z", "2026-11-23 10:27:00Z"):
        assert parse_instant(text) == t, text
    assert parse_instant("2026-11-23T10:27:00.123456789Z") == t.replace(microsecond=123456)
    for text in ("0001-01-01T00:00:00Z", "2026-11-23Z", "2026-11-23T10:27:00", ""):  # Go's zero time, no offset…
        with pytest.raises(TimeParseError):
            parse_instant(text)


# -- the range of instants and spans (issue #20: a year below 1000 poisoned the incident) ----

@pytest.mark.parametrize("text", ["0999-06-01T00:00Z", "1026-11-23T10:15Z", "1969-12-31T23:59Z",
                                  "9999-12-31T23:59Z", "0001-01-01T00:00+01:00"])
def test_years_out_of_range_are_refused_in_one_line(text: str) -> None:
    with pytest.raises(TimeParseError, match=r"out of range: times run from 1970 to 9988") as err:
        parse_when(text, NOW, UTC, allow_future=True)
    assert "\n" not in str(err.value)


def test_the_range_ends_are_accepted() -> None:
    from warroom.domain.times import EARLIEST, LATEST

    assert parse_when("1970-01-01T00:00Z", NOW, UTC) == EARLIEST
    assert parse_when("9988-12-31T23:59:59.999999Z", NOW, UTC, allow_future=True) == LATEST


def test_the_stored_form_never_has_a_short_year_and_refuses_what_it_cannot_write() -> None:
    assert iso_utc(datetime(1970, 1, 1, tzinfo=UTC)) == "1970-01-01T00:00:00.000000Z"
    with pytest.raises(TimeParseError):
        iso_utc(datetime(999, 6, 1, tzinfo=UTC))
    for text in ("999-06-01T00:00:00.000000+00:00", "0999-06-01T00:00:00Z", "2026-11-23T10:00:00", "x", None):
        with pytest.raises(TimeParseError):
            parse_instant(text)
    assert parse_instant(" 2026-11-23T10:00:00+01:00 ") == datetime(2026, 11, 23, 9, tzinfo=UTC)


def test_durations_are_bounded() -> None:
    from warroom.domain.times import MAX_SPAN, parse_duration

    assert parse_duration("3653d") == MAX_SPAN
    for text in ("3654d", "99999999999d", "9" * 5000 + "s"):
        with pytest.raises(ValueError, match="too long|not a duration"):
            parse_duration(text)
    with pytest.raises(ValueError, match="too long"):
        parse_duration("2h", maximum=timedelta(hours=1))


@pytest.mark.parametrize("line", ["@0999-06-01T00:00Z poisoned", "/d @1026-11-23T10:00Z roll back",
                                  "/a restart the pool by 0999-01-01T00:00Z"])
def test_the_scribe_refuses_out_of_range_times_and_keeps_the_line(line: str) -> None:
    from warroom.domain.scribe import ScribeError, parse_line

    with pytest.raises(ScribeError, match="out of range"):
        parse_line(line, NOW, UTC)
