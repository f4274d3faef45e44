"""Replay at the cursor: the incident as it stood then, read from the entries its changes wrote."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from warroom.domain import incident as inc
from warroom.domain.incident import Incident
from warroom.domain.presets import SEV
from warroom.domain.replay import incident_at
from warroom.domain.timeline import Entry

T0 = datetime(2026, 12, 6, 23, 50, tzinfo=timezone.utc)
M = timedelta(minutes=1)


def change(incident: Incident, fn, at: datetime, entries: list[Entry], kind: str = "system") -> Incident:
    """What the store does: apply the change, and log the texts it returns as entries at ``at``."""
    after, texts = fn(incident)
    for text in texts:
        entries.append(Entry(id=len(entries) + 1, incident_id=1, at=at, logged_at=at, author="ic", kind=kind,
                             text=text))
    return after


def test_severity_and_roles_at_the_cursor_are_those_in_force_then():
    entries: list[Entry] = []
    i = Incident(id=1, title="Payments down", severity="SEV-1", status="investigating", policy=SEV,
                 milestones={"declared": T0})
    i = change(i, lambda x: inc.assign_role(x, "commander", "Bob"), T0 + 2 * M, entries)
    i = change(i, lambda x: inc.change_severity(x, "SEV-2"), T0 + 10 * M, entries)  # across midnight
    i = change(i, lambda x: inc.assign_role(x, "commander", "Alice Chen"), T0 + 12 * M, entries)
    i = change(i, lambda x: inc.change_status(x, "mitigating", T0 + 14 * M), T0 + 14 * M, entries, "status")
    assert (i.severity, i.roles["commander"], i.status) == ("SEV-2", "Alice Chen", "mitigating")

    before = incident_at(i, entries, T0 + M)
    assert (before.severity, before.roles, before.status) == ("SEV-1", {}, "investigating")
    mid = incident_at(i, entries, T0 + 9 * M + 59 * timedelta(seconds=1))
    assert (mid.severity, mid.roles, mid.status) == ("SEV-1", {"commander": "Bob"}, "investigating")
    after = incident_at(i, entries, T0 + 12 * M)
    assert (after.severity, after.roles, after.status) == ("SEV-2", {"commander": "Alice Chen"}, "investigating")
    assert incident_at(i, entries, T0 + 15 * M).status == "mitigating"


def test_unassigning_a_role_at_the_cursor():
    entries: list[Entry] = []
    i = Incident(id=1, title="x", severity="SEV-2", status="investigating", policy=SEV, milestones={"declared": T0})
    i = change(i, lambda x: inc.assign_role(x, "scribe", "Sam (night shift)"), T0 + M, entries)
    i = change(i, lambda x: inc.assign_role(x, "scribe", ""), T0 + 2 * M, entries)
    assert incident_at(i, entries, T0 + M).roles == {"scribe": "Sam (night shift)"}
    assert incident_at(i, entries, T0 + 3 * M).roles == {}
