"""An incident's severity over time, read back from its timeline.

Every severity change already writes a system entry, ``Severity raised: SEV-3 Medium → SEV-1
Critical`` (:func:`warroom.domain.incident.change_severity`), at the instant the change took
effect, by whoever made it. Reading the history from those entries gives incidents recorded
before this module existed a history too. Only texts made of two of the policy's own level
labels count, so a note that merely looks alike cannot move a deadline; a redacted change still
happened and still counts. If the entries do not end at the incident's current severity (an
entry edited by hand), the history is not trusted: the SLA is judged under the current level.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Iterable

from warroom.domain.incident import Incident
from warroom.domain.policy import Level
from warroom.domain.timeline import Entry, sort_key


@dataclass(frozen=True)
class SeverityChange:
    at: datetime
    before: str  # level keys
    after: str
    by: str = ""


@dataclass(frozen=True)
class SeverityPeriod:
    """``level`` was in force from ``start`` (None: from the beginning) until ``end`` (None: still)."""

    start: datetime | None
    end: datetime | None
    level: Level

    def holds(self, at: datetime) -> bool:
        return (self.start is None or at >= self.start) and (self.end is None or at < self.end)


def _texts(incident: Incident) -> dict[str, tuple[str, str]]:
    levels = incident.policy.levels
    out = {}
    for i, a in enumerate(levels):
        for j, b in enumerate(levels):
            if i != j:
                verb = "raised" if j < i else "lowered"
                out[f"Severity {verb}: {a.label} → {b.label}"] = (a.key, b.key)
    return out


def severity_changes(incident: Incident, entries: Iterable[Entry]) -> tuple[SeverityChange, ...]:
    """The severity changes the timeline records, in timeline order."""
    known = _texts(incident)
    matched = [(e, pair) for e in entries
               if e.kind == "system" and e.text.startswith("Severity ")
               and (pair := known.get(e.text.strip())) is not None]
    matched.sort(key=lambda m: sort_key(m[0]))  # evaluated every second: sort the few, not the timeline
    return tuple(SeverityChange(e.at, before, after, e.author) for e, (before, after) in matched)


def consistent(incident: Incident, changes: tuple[SeverityChange, ...]) -> bool:
    """Whether the recorded changes end at the incident's current severity."""
    return not changes or changes[-1].after == incident.level.key


def severity_periods(incident: Incident, changes: tuple[SeverityChange, ...]) -> tuple[SeverityPeriod, ...]:
    """The levels in force, in order; one period at the current level when the history is not trusted."""
    if not consistent(incident, changes) or not changes:
        return (SeverityPeriod(None, None, incident.level),)
    policy = incident.policy
    periods = []
    start: datetime | None = None
    level = policy.level(changes[0].before)
    for c in changes:
        if start is None or c.at > start:
            periods.append(SeverityPeriod(start, c.at, level))
        start, level = c.at, policy.level(c.after)
    periods.append(SeverityPeriod(start, None, level))
    return tuple(periods)
