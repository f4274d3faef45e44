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

_HHMM = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?$")


class TimeParseError(ValueError):
    """A time the user typed could not be understood or is not allowed."""


def utc(dt: datetime) -> datetime:
    """Return ``dt`` in UTC; naive datetimes are refused (they hide bugs)."""
    if dt.tzinfo is None:
        raise ValueError("naive datetime")
    return dt.astimezone(UTC)


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
        result = utc(parsed)
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
    """Fixed-width ISO 8601 in UTC with microseconds: sorts as text, round-trips exactly."""
    return utc(dt).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def from_iso(text: str) -> datetime:
    return utc(datetime.fromisoformat(text.replace("Z", "+00:00")))


def short_utc(dt: datetime) -> str:
    """``2026-11-23 10:15:00Z`` — how reports print instants."""
    return utc(dt).strftime("%Y-%m-%d %H:%M:%SZ")
