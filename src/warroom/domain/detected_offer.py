"""Whether to offer the detected milestone from the incident's earliest alert (issue #23).

An incident declared by hand (or from one alert) often learns of older alerts only when the
receiver attaches them: the trouble was visible from their ``startsAt``, earlier than detected
says, and the MTTD the review reports is then too kind. The war room offers that time rather than
setting it — a person knows whether the alert was the same trouble.

An attached alert is a firing entry the receiver wrote (``domain.alert_routing``'s key); its time
is the alert's ``startsAt`` (capped at the delivery's now). Offered only when it is at least a
second before detected (a declared-from-an-alert incident was detected at that very instant), not
in the future, and a time the milestone order allows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from typing import Iterable

from warroom.domain.alert_routing import parse_key
from warroom.domain.incident import Incident, IncidentError, check_milestone_order
from warroom.domain.text import one_line
from warroom.domain.timeline import Entry
from warroom.domain.times import format_duration, iso_seconds

#: the palette command that takes the offer (named in the notice, so the two cannot drift apart)
COMMAND = "Detected from the earliest alert"
#: closer than this to detected is the same moment (milestones are read to the second)
SAME_MOMENT = timedelta(seconds=1)


@dataclass(frozen=True)
class DetectedOffer:
    """Detected could be ``at``, when ``alert`` started; ``key`` makes it offered once."""

    incident_id: int
    at: datetime
    alert: str
    detected: datetime | None  # the milestone as it stands

    @property
    def key(self) -> str:
        return f"{self.incident_id}:{iso_seconds(self.at)}"

    def message(self, local: tzinfo) -> str:
        """``Alert X started 10:02, 3m before detected — set detected to 10:02? (palette: '…')``."""
        started = f"{self.at.astimezone(local):%H:%M}"
        if self.detected is None:
            why = f"Alert {self.alert} started {started} and no detected time is set"
        else:
            why = f"Alert {self.alert} started {started}, {format_duration(self.detected - self.at)} before detected"
        return f"{why} — set detected to {started}? (palette: '{COMMAND}')"


def earliest_alert(entries: Iterable[Entry]) -> Entry | None:
    """The firing entry of the alert that started first (redacted ones left out)."""
    firing = [e for e in entries if not e.redacted and (p := parse_key(e.key)) is not None and p.status == "firing"]
    return min(firing, key=lambda e: (e.at, e.id), default=None)


def alert_name(entry: Entry) -> str:
    """``Alert firing: Name — summary [labels] link`` → ``Name``."""
    rest = entry.text.partition(": ")[2]
    return one_line(rest.split(" — ", 1)[0].split(" [", 1)[0])[:60] or "?"


def detected_offer(incident: Incident | None, entries: Iterable[Entry], now: datetime) -> DetectedOffer | None:
    """The offer to make for ``incident`` now, or None (resolved, no alert, not earlier)."""
    if incident is None or incident.is_resolved:
        return None
    first = earliest_alert(entries)
    if first is None or first.at > now:
        return None
    detected = incident.milestones.get("detected")
    if detected is not None and detected - first.at < SAME_MOMENT:
        return None
    try:
        check_milestone_order(incident.milestones, "detected", first.at)
    except IncidentError:
        return None  # e.g. no detected time, and the alert started after the declaration
    return DetectedOffer(incident.id, first.at, alert_name(first), detected)
