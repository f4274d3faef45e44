"""Whether a backdated ``HH:MM`` fits the incident it is written into.

``HH:MM`` names a time of day, not a day: ``times.parse_when`` takes the most recent one, which
at 23:59 makes ``00:30`` this morning. When that lands before the incident began — before its
detection, or, detection unknown, more than ``BEFORE_DECLARATION`` before its declaration —
the person most likely meant another day: refused, with the full date it resolved to and the
way to give a date. A full date and time is taken as meant. Shared by the CLI (``--at``) and
the scribe's line (``@``).
"""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo

from warroom.domain.incident import Incident
from warroom.domain.patterns import Pattern
from warroom.domain.times import TimeParseError, format_duration

#: How far before its declaration an incident with no detection time may be backdated into.
BEFORE_DECLARATION = timedelta(hours=6)

_TIME_OF_DAY = Pattern(r"^\s*\d{1,2}:\d{2}(?::\d{2})?\s*$")


def check_backdate(text: str, at: datetime, incident: Incident, local: tzinfo, *, flag: str = "--at ") -> None:
    """Refuse (TimeParseError, one line) a typed ``HH:MM`` that resolved to before ``incident``
    began; ``flag`` is how the person gives a time where they typed it (``--at `` or ``@``)."""
    if not _TIME_OF_DAY.match(text):
        return
    detected = incident.milestones.get("detected")
    declared = incident.milestones["declared"]
    if detected is not None:
        if at >= detected:
            return
        why = f"before {incident.ref} was detected ({_local(detected, local)})"
    else:
        if declared - at <= BEFORE_DECLARATION:
            return
        why = f"{format_duration(declared - at)} before {incident.ref} was declared ({_local(declared, local)})"
    shown = at.astimezone(local)
    iso = f"{shown:%Y-%m-%dT%H:%M}" + (f":{shown:%S}" if shown.second else "")
    raise TimeParseError(
        f"{text.strip()!r} is {_local(at, local)}, {why}; to mean that, give the date: {flag}{iso}"
    )


def _local(at: datetime, local: tzinfo) -> str:
    shown = at.astimezone(local)
    return f"{shown:%Y-%m-%d %H:%M}" + (f":{shown:%S}" if shown.second else "")
