"""The incident: what is on fire, how badly, who is on it, and the milestones so far.

Changes are pure functions ``(incident, ...) -> (incident, [system entry texts])``; the
store applies the new incident and writes the texts as ``system`` timeline entries in one
transaction, so the timeline always tells how the incident got where it is.
"""

from __future__ import annotations

from warroom.domain.frozen import Frozen, replace
from warroom.domain.times import short_utc

TYPE_CHECKING = False
if TYPE_CHECKING:  # a policy loads when read: ``warroom log`` reads an incident, never its policy
    from datetime import datetime
    from typing import Mapping

    from warroom.domain.policy import Policy

STATUSES = ("investigating", "identified", "mitigating", "monitoring", "resolved")
MILESTONES = ("detected", "declared", "acknowledged", "identified", "mitigated", "resolved")
ROLES = ("commander", "tech_lead", "comms_lead", "scribe")
ROLE_LABELS = {
    "commander": "Incident commander",
    "tech_lead": "Tech lead",
    "comms_lead": "Comms lead",
    "scribe": "Scribe",
}
_ROLE_ALIASES = {
    "ic": "commander", "commander": "commander", "incidentcommander": "commander",
    "tl": "tech_lead", "tech": "tech_lead", "techlead": "tech_lead", "lead": "tech_lead",
    "cl": "comms_lead", "comms": "comms_lead", "commslead": "comms_lead", "communications": "comms_lead",
    "scribe": "scribe",
}
#: The milestone a status change records (when not already set).
STATUS_MILESTONE = {"identified": "identified", "monitoring": "mitigated", "resolved": "resolved"}


class IncidentError(ValueError):
    """A change that cannot be applied; the message says why, in the user's words."""


class Incident(Frozen):
    """A frozen value (``domain.frozen``); ``policy`` may be given as ``Later(make)``, made when first read."""

    HIDDEN = ("policy",)
    LATER = ("policy",)

    id: int
    title: str
    severity: str  # a level key of ``policy``
    status: str
    policy: Policy
    milestones: Mapping[str, datetime] = {}
    roles: Mapping[str, str] = {}
    services: tuple[str, ...] = ()
    impact: str = ""
    summary: str = ""
    drill: bool = False

    @property
    def level(self):
        return self.policy.level(self.severity)

    @property
    def start(self) -> datetime:
        """SLA targets count from detection, falling back to declaration."""
        return self.milestones.get("detected") or self.milestones["declared"]

    @property
    def is_resolved(self) -> bool:
        return "resolved" in self.milestones

    @property
    def ref(self) -> str:
        return f"#{self.id}"


def parse_status(text: str) -> str:
    wanted = text.strip().lower()
    matches = [s for s in STATUSES if s.startswith(wanted)] if wanted else []
    if wanted in STATUSES:
        return wanted
    if len(matches) == 1:
        return matches[0]
    raise IncidentError(f"unknown status {text!r} (statuses: {', '.join(STATUSES)})")


def parse_role(text: str) -> str:
    key = "".join(ch for ch in text.lower() if ch.isalnum())
    try:
        return _ROLE_ALIASES[key]
    except KeyError:
        raise IncidentError(
            f"unknown role {text!r} (roles: ic/commander, tech-lead, comms-lead, scribe)"
        ) from None


#: What each milestone must not precede. Detection comes first; acknowledging and declaring both
#: follow it in either order (the on-call acknowledges the page, then declares); the later
#: milestones follow both, in their order.
MILESTONE_AFTER: Mapping[str, tuple[str, ...]] = {
    "detected": (),
    "declared": ("detected",),
    "acknowledged": ("detected",),
    "identified": ("detected", "declared", "acknowledged"),
    "mitigated": ("detected", "declared", "acknowledged", "identified"),
    "resolved": ("detected", "declared", "acknowledged", "identified", "mitigated"),
}
MILESTONE_ORDER = "detected ≤ declared, acknowledged (either first) ≤ identified ≤ mitigated ≤ resolved"


def check_milestone_order(milestones: Mapping[str, datetime], name: str, at: datetime | None) -> None:
    """Refuse a milestone time that breaks the order of ``MILESTONE_AFTER``."""
    if at is None:
        return
    for earlier in MILESTONE_AFTER[name]:
        other = milestones.get(earlier)
        if other is not None and at < other:
            raise IncidentError(
                f"{name} at {short_utc(at)} would be before {earlier} at {short_utc(other)}; "
                f"milestones keep the order {MILESTONE_ORDER}"
            )
    for later in MILESTONES:
        other = milestones.get(later)
        if name in MILESTONE_AFTER[later] and other is not None and at > other:
            raise IncidentError(
                f"{name} at {short_utc(at)} would be after {later} at {short_utc(other)}; "
                f"milestones keep the order {MILESTONE_ORDER}"
            )


def set_milestone(incident: Incident, name: str, at: datetime | None) -> tuple[Incident, list[str]]:
    """Set (or with ``None`` clear) a milestone, keeping the order."""
    if name not in MILESTONES:
        raise IncidentError(f"unknown milestone {name!r} (milestones: {', '.join(MILESTONES)})")
    if name == "declared" and at is None:
        raise IncidentError("the declared milestone cannot be cleared")
    check_milestone_order(incident.milestones, name, at)
    milestones = dict(incident.milestones)
    previous = milestones.get(name)
    if previous == at:
        return incident, []
    if at is None:
        milestones.pop(name, None)
        text = f"Milestone {name} cleared (was {short_utc(previous)})"
    else:
        milestones[name] = at
        text = f"Milestone {name} set to {short_utc(at)}" + (f" (was {short_utc(previous)})" if previous else "")
    return replace(incident, milestones=milestones), [text]


def acknowledge(incident: Incident, at: datetime, by: str) -> tuple[Incident, list[str]]:
    if "acknowledged" in incident.milestones:
        raise IncidentError(f"already acknowledged at {short_utc(incident.milestones['acknowledged'])}")
    updated, _ = set_milestone(incident, "acknowledged", at)
    return updated, [f"Acknowledged by {by}" if by else "Acknowledged"]


def change_status(incident: Incident, status: str, at: datetime) -> tuple[Incident, list[str]]:
    """Change status; entering identified/monitoring/resolved records the milestone if unset.

    Leaving ``resolved`` reopens the incident: the resolved milestone is cleared.
    """
    status = parse_status(status)
    if status == incident.status:
        raise IncidentError(f"status is already {status}")
    texts = [f"Status {incident.status} → {status}"]
    updated = replace(incident, status=status)
    if incident.status == "resolved":
        updated, _ = set_milestone(updated, "resolved", None)
        texts[0] += " (reopened)"
    milestone = STATUS_MILESTONE.get(status)
    if milestone and milestone not in updated.milestones:
        updated, _ = set_milestone(updated, milestone, at)
    return updated, texts


def change_severity(incident: Incident, level: str) -> tuple[Incident, list[str]]:
    new = incident.policy.level(level)
    old = incident.level
    if new.key == old.key:
        raise IncidentError(f"severity is already {old.key}")
    more = incident.policy.levels.index(new) < incident.policy.levels.index(old)
    verb = "raised" if more else "lowered"
    return replace(incident, severity=new.key), [f"Severity {verb}: {old.label} → {new.label}"]


def assign_role(incident: Incident, role: str, name: str) -> tuple[Incident, list[str]]:
    role = parse_role(role)
    name = name.strip()
    roles = dict(incident.roles)
    previous = roles.get(role)
    if previous == name or (not name and not previous):
        raise IncidentError(f"{ROLE_LABELS[role]} is already {name or 'unassigned'}")
    if name:
        roles[role] = name
        text = f"{ROLE_LABELS[role]}: {name}" + (f" (was {previous})" if previous else "")
    else:
        roles.pop(role, None)
        text = f"{ROLE_LABELS[role]} unassigned (was {previous})"
    return replace(incident, roles=roles), [text]
