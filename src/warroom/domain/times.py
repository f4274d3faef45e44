"""Parsing and formatting of instants and durations, the way people type and read them.

All instants inside warroom are timezone-aware and in UTC; the local timezone only
matters when a person types a time (``@10:15``) or reads one.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta, timezone, tzinfo

UTC = timezone.utc

#: How far in the future a typed time may lie (clock skew between laptops).
FUTURE_SLACK = timedelta(minutes=1)

#: The longest span accepted anywhere — offsets, baselines, SLA targets, ages, drill events: ten
#: years. Nothing in an incident comes close, and it keeps every sum of an instant and a span
#: inside what ``datetime`` can hold (a typo like ``99999999999d`` is refused, not an overflow).
MAX_SPAN = timedelta(days=3653)
#: Instants warroom accepts, typed, read from a file or from the database. The Unix epoch first:
#: readings are kept as Unix timestamps, and an incident before 1970 is a typo (``0999`` or
#: ``1026`` for 2026), never history. The last year leaves room for ``MAX_SPAN`` before
#: ``datetime``'s year 9999 ends, so ``instant + span`` never overflows.
FIRST_YEAR = 1970
LAST_YEAR = 9999 - 11
EARLIEST = datetime(FIRST_YEAR, 1, 1, tzinfo=timezone.utc)
LATEST = datetime(LAST_YEAR, 12, 31, 23, 59, 59, 999999, tzinfo=timezone.utc)

_HHMM = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?$")


class TimeParseError(ValueError):
    """A time the user typed could not be understood or is not allowed."""


def utc(dt: datetime) -> datetime:
    """Return ``dt`` in UTC; naive datetimes are refused (they hide bugs)."""
    if dt.tzinfo is None:
        raise ValueError("naive datetime")
    return dt.astimezone(UTC)


def in_range(dt: datetime, text: str | None = None) -> datetime:
    """``dt`` in UTC if it lies between ``EARLIEST`` and ``LATEST``; else a one-line TimeParseError."""
    try:
        result = utc(dt)
    except OverflowError:  # year 1 or 9999 pushed over the edge by its offset
        result = None
    if result is None or not EARLIEST <= result <= LATEST:
        shown = repr(text) if text is not None else f"year {dt.year}"
        raise TimeParseError(f"{shown} is out of range: times run from {FIRST_YEAR} to {LAST_YEAR}")
    return result


def parse_instant(text: str) -> datetime:
    """An RFC 3339 / ISO 8601 instant with an offset (``Z`` too), in range, in UTC.

    The one reader of stored and exchanged instants: the database, scenario and policy files.
    """
    if not isinstance(text, str):
        raise TimeParseError(f"not a time: {text!r}")
    body = text.strip()
    if body.endswith(("Z", "z")):
        body = body[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(body)
    except ValueError:
        raise TimeParseError(f"not a time: {text!r} (ISO 8601 like 2026-11-23T10:15:00Z)") from None
    if parsed.tzinfo is None:
        raise TimeParseError(f"not a time: {text!r} (it needs an offset, e.g. Z)")
    return in_range(parsed, text)


def parse_when(text: str, now: datetime, local: tzinfo, *, allow_future: bool = False) -> datetime:
    """Parse ``HH:MM[:SS]`` (local, today) or ISO 8601 (local when it has no offset).

    ``HH:MM`` means today unless that lies more than 12 hours ahead, in which case it is
    yesterday: at 00:10 ``23:50`` is the evening before (incidents cross midnight).
    A time in the future is refused unless ``allow_future``: timelines record what happened.
    """
    text = text.strip()
    now_local = now.astimezone(local)
    m = _HHMM.match(text)
    if m:
        hh, mm, ss = int(m[1]), int(m[2]), int(m[3] or 0)
        if hh > 23 or mm > 59 or ss > 59:
            raise TimeParseError(f"not a time of day: {text!r}")
        candidate = _local_datetime(now_local.date(), time(hh, mm, ss), local)
        if candidate - now > timedelta(hours=12):
            candidate = _local_datetime(now_local.date() - timedelta(days=1), time(hh, mm, ss), local)
        result = utc(candidate)
    else:
        iso = text.replace(" ", "T", 1) if re.match(r"^\d{4}-\d{2}-\d{2} \d", text) else text
        if iso.endswith(("Z", "z")):
            iso = iso[:-1] + "+00:00"
        try:
            parsed = datetime.fromisoformat(iso)
        except ValueError:
            raise TimeParseError(
                f"not a time: {text!r} (use HH:MM, or ISO 8601 like 2026-11-23T10:15 or 2026-11-23T10:15Z)"
            ) from None
        if parsed.tzinfo is None:
            parsed = _local_datetime(parsed.date(), parsed.time(), local)
        result = in_range(parsed, text)
    if not allow_future and result - now > FUTURE_SLACK:
        raise TimeParseError(
            f"{text!r} is in the future ({format_duration(result - now)} from now); "
            "a timeline records what already happened"
        )
    return result


def _local_datetime(day: date, tod: time, local: tzinfo) -> datetime:
    return datetime.combine(day, tod).replace(tzinfo=local)


def format_duration(delta: timedelta) -> str:
    """Compact human duration: ``45s``, ``4m``, ``1h05m``, ``2d03h``. Sign is dropped."""
    seconds = int(abs(delta).total_seconds())
    if seconds < 60:
        return f"{seconds}s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes}m" if seconds == 0 or minutes >= 10 else f"{minutes}m{seconds:02d}s"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours}h{minutes:02d}m"
    days, hours = divmod(hours, 24)
    return f"{days}d{hours:02d}h"


def format_clock(delta: timedelta) -> str:
    """A ticking clock: ``04:59``, ``1:02:03``, ``3d 04:00:00``. Sign is dropped."""
    seconds = int(abs(delta).total_seconds())
    days, seconds = divmod(seconds, 86400)
    hours, seconds = divmod(seconds, 3600)
    minutes, seconds = divmod(seconds, 60)
    body = f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes:02d}:{seconds:02d}"
    return f"{days}d {hours:02d}:{minutes:02d}:{seconds:02d}" if days else body


def iso_utc(dt: datetime) -> str:
    """Fixed-width ISO 8601 in UTC with microseconds: sorts as text, round-trips exactly.

    Everything warroom writes goes through here, so an instant out of range is refused
    (TimeParseError) rather than written in a form no reader understands (``999-06-01``).
    """
    d = in_range(dt)
    return (f"{d.year:04d}-{d.month:02d}-{d.day:02d}T{d.hour:02d}:{d.minute:02d}:{d.second:02d}"
            f".{d.microsecond:06d}Z")


def from_iso(text: str) -> datetime:
    """A stored instant (``iso_utc``'s form, or any ISO 8601 with an offset); TimeParseError if not."""
    return parse_instant(text)


PROMQL_DURATION = re.compile(r"^(?:\d+(?:ms|s|m|h|d|w|y))+$")
_DURATION_PART = re.compile(r"(\d+)(ms|s|m|h|d|w|y)")
_DURATION_UNIT = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400, "y": 365 * 86400}


def parse_duration(text: str, *, maximum: timedelta = MAX_SPAN) -> timedelta:
    """A PromQL duration: ``5m``, ``1d``, ``1h30m``, ``7d``; at most ``maximum`` (ValueError)."""
    if not isinstance(text, str) or not PROMQL_DURATION.match(text) or len(text) > 64:
        raise TimeParseError(f"not a duration: {text!r}")
    seconds = sum(int(n) * _DURATION_UNIT[u] for n, u in _DURATION_PART.findall(text))
    if seconds > maximum.total_seconds():
        longest = f"{maximum.days} days" if maximum == timedelta(days=maximum.days) else format_duration(maximum)
        raise TimeParseError(f"{text!r} is too long (at most {longest})")
    return timedelta(seconds=seconds)


def short_utc(dt: datetime) -> str:
    """``2026-11-23 10:15:00Z`` — how reports print instants."""
    return utc(dt).strftime("%Y-%m-%d %H:%M:%SZ")
