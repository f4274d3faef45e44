"""Instants and spans: the one place warroom reads and prints them.

All instants inside warroom are timezone-aware and in UTC; the local timezone only
matters when a person types a time (``@10:15``) or reads one.

Reading: ``parse_instant`` (stored and exchanged instants: strict, with an offset, between
``EARLIEST`` and ``LATEST``), ``parse_when`` (what a person types), ``parse_duration`` (PromQL
spans). Writing instants: ``iso_utc`` (stored), ``iso_seconds`` (JSON output), ``short_utc``
(reports). Spans print in one of four styles, each kept where its readers know it:

- ``format_duration``: ``1h05m`` — panes, reports, the CLI (compact);
- ``format_clock``: ``1:05:00`` — ticking clocks;
- ``format_duration_words``: ``1 hour 5 minutes`` — status-update templates (prose);
- ``format_kube_duration``: ``65m`` — pod ages and "(… ago)", as kubectl prints them.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone, tzinfo

from warroom.domain.patterns import Pattern

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

_HHMM = Pattern(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?$")


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


def _from_iso(text: str) -> datetime:
    """``datetime.fromisoformat``, which since Python 3.11 reads RFC 3339 (``Z``, a space for
    ``T``, nanoseconds cut to microseconds) except the lowercase ``z`` RFC 3339 also allows."""
    body = text.strip()
    if body.endswith("z"):
        body = body[:-1] + "Z"
    return datetime.fromisoformat(body)


def parse_instant(text: str) -> datetime:
    """An RFC 3339 / ISO 8601 instant with an offset (``Z`` too), in range, in UTC.

    The one reader of stored and exchanged instants: the database, recordings, the
    Prometheus and Kubernetes APIs. TimeParseError (one line) when it is not one.
    """
    if not isinstance(text, str):
        raise TimeParseError(f"not a time: {text!r}")
    try:
        parsed = _from_iso(text)
    except ValueError:
        raise TimeParseError(f"not a time: {text!r} (ISO 8601 like 2026-11-23T10:15:00Z)") from None
    if parsed.tzinfo is None:
        raise TimeParseError(f"not a time: {text!r} (it needs an offset, e.g. Z)")
    return in_range(parsed, text)


def parse_when(text: str, now: datetime, local: tzinfo, *, allow_future: bool = False) -> datetime:
    """Parse ``HH:MM[:SS]`` (local) or ISO 8601 (local when it has no offset).

    ``HH:MM`` is the most recent such local time not in the future: at 00:10 ``23:50`` is the
    evening before, and at 23:59 ``00:30`` is this morning (whether that fits the incident is
    for ``domain.backdate`` to say). When the clocks go back it is the later of the two
    occurrences already past; a time the clocks skipped that day is refused. With
    ``allow_future`` (replay cursors, due times) ``HH:MM`` is today unless that lies more than
    12 hours ahead. A time in the future is refused unless ``allow_future``: timelines record
    what happened.
    """
    text = text.strip()
    m = _HHMM.match(text)
    if m:
        hh, mm, ss = int(m[1]), int(m[2]), int(m[3] or 0)
        if hh > 23 or mm > 59 or ss > 59:
            raise TimeParseError(f"not a time of day: {text!r}")
        tod = time(hh, mm, ss)
        result = _upcoming_or_today(tod, now, local) if allow_future else _most_recent(text, tod, now, local)
    else:
        try:
            parsed = _from_iso(text)
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


def _occurrences(day: date, tod: time, local: tzinfo) -> list[datetime]:
    """The UTC instants at which the local clock read ``day`` ``tod``: one, two when the clocks
    went back over it, none when they jumped over it."""
    wall = datetime.combine(day, tod)
    found = set()
    for fold in (0, 1):
        instant = wall.replace(fold=fold, tzinfo=local).astimezone(UTC)
        if instant.astimezone(local).replace(tzinfo=None) == wall:
            found.add(instant)
    return sorted(found)


def _most_recent(text: str, tod: time, now: datetime, local: tzinfo) -> datetime:
    today = now.astimezone(local).date()
    for day in (today, today - timedelta(days=1)):
        occurrences = _occurrences(day, tod, local)
        past = [o for o in occurrences if o - now <= FUTURE_SLACK]
        if past:
            return past[-1]
        skipped = not occurrences and utc(datetime.combine(day, tod).replace(tzinfo=local)) - now <= FUTURE_SLACK
        if skipped:
            raise TimeParseError(
                f"{text!r} did not happen on {day.isoformat()}: the clocks went forward over it "
                f"(give the time with its offset, e.g. {day.isoformat()}T{tod:%H:%M}Z)"
            )
    raise TimeParseError(f"{text!r} did not happen in the last two days here (the clocks skipped it)")


def _upcoming_or_today(tod: time, now: datetime, local: tzinfo) -> datetime:
    today = now.astimezone(local).date()
    candidate = _local_datetime(today, tod, local)
    if candidate - now > timedelta(hours=12):
        candidate = _local_datetime(today - timedelta(days=1), tod, local)
    return utc(candidate)


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


def format_duration_words(delta: timedelta) -> str:
    """Prose for status updates: ``45 seconds``, ``1 minute``, ``1 hour 5 minutes``, ``2 days 3 hours``."""
    seconds = int(abs(delta).total_seconds())

    def unit(n: int, word: str) -> str:
        return f"{n} {word}{'' if n == 1 else 's'}"

    if seconds < 60:
        return unit(seconds, "second")
    minutes = seconds // 60
    if minutes < 60:
        return unit(minutes, "minute")
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return unit(hours, "hour") + (f" {unit(minutes, 'minute')}" if minutes else "")
    days, hours = divmod(hours, 24)
    return unit(days, "day") + (f" {unit(hours, 'hour')}" if hours else "")


def format_kube_duration(delta: timedelta) -> str:
    """apimachinery ``duration.HumanDuration``: ``45s``, ``3m``, ``5m30s``, ``90m``, ``3h``, ``2d``.

    kubectl prints ages and "(… ago)" with this: 2–3 significant figures, minutes up to
    three hours, hours up to two days. A duration more than a second negative (clock
    skew) is ``<invalid>``.
    """
    seconds = int(delta.total_seconds())  # Go's int(float64): truncation toward zero
    if seconds < -1:
        return "<invalid>"
    if seconds < 0:
        return "0s"
    if seconds < 60 * 2:
        return f"{seconds}s"
    minutes = seconds // 60
    if minutes < 10:
        s = seconds % 60
        return f"{minutes}m" if s == 0 else f"{minutes}m{s}s"
    if minutes < 60 * 3:
        return f"{minutes}m"
    hours = seconds // 3600
    if hours < 8:
        m = minutes % 60
        return f"{hours}h" if m == 0 else f"{hours}h{m}m"
    if hours < 48:
        return f"{hours}h"
    if hours < 24 * 8:
        h = hours % 24
        return f"{hours // 24}d" if h == 0 else f"{hours // 24}d{h}h"
    if hours < 24 * 365 * 2:
        return f"{hours // 24}d"
    if hours < 24 * 365 * 8:
        dy = (hours // 24) % 365
        return f"{hours // 24 // 365}y" if dy == 0 else f"{hours // 24 // 365}y{dy}d"
    return f"{hours // 24 // 365}y"


def iso_utc(dt: datetime) -> str:
    """Fixed-width ISO 8601 in UTC with microseconds: sorts as text, round-trips exactly.

    Everything warroom writes goes through here, so an instant out of range is refused
    (TimeParseError) rather than written in a form no reader understands (``999-06-01``).
    """
    d = in_range(dt)
    return (f"{d.year:04d}-{d.month:02d}-{d.day:02d}T{d.hour:02d}:{d.minute:02d}:{d.second:02d}"
            f".{d.microsecond:06d}Z")


def iso_seconds(dt: datetime) -> str:
    """``2026-11-23T10:15:00Z``: RFC 3339 in UTC to the second, for JSON output and API objects."""
    return utc(dt).isoformat(timespec="seconds").replace("+00:00", "Z")


PROMQL_DURATION = Pattern(r"^(?:\d+(?:ms|s|m|h|d|w|y))+$")
_DURATION_PART = Pattern(r"(\d+)(ms|s|m|h|d|w|y)")
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
