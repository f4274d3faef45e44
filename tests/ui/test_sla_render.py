"""The SLA pane's text: a target judged under an earlier severity says so (issue #19)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from warroom.domain import incident as inc
from warroom.domain.incident import Incident
from warroom.domain.presets import SEV
from warroom.domain.sla import evaluate
from warroom.domain.timeline import Entry
from warroom.ui import render

UTC = timezone.utc
T0 = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


def _lowered_after_breach() -> tuple[Incident, list[Entry]]:
    incident = Incident(id=1, title="Search latency", severity="SEV-1", status="investigating", policy=SEV,
                        milestones={"declared": T0})
    incident, (text,) = inc.change_severity(incident, "SEV-3")
    at = T0 + timedelta(minutes=8)
    return incident, [Entry(id=1, incident_id=1, at=at, logged_at=at, author="bob", kind="system", text=text)]


def test_a_breach_under_the_earlier_level_is_shown_with_that_level() -> None:
    incident, entries = _lowered_after_breach()
    plain = render.sla_lines(incident, evaluate(incident, entries, T0 + timedelta(minutes=10)), UTC).plain
    ack = next(line for line in plain.splitlines() if line.startswith("Acknowledge"))
    assert "5 min" in ack and "by 10:05" in ack and "BREACHED" in ack and ack.endswith("under SEV-1")
    resolve = next(line for line in plain.splitlines() if line.startswith("Resolve"))
    assert "8 h" in resolve and "under" not in resolve  # pending under the current level: nothing to add
    escalation = next(line for line in plain.splitlines() if line.startswith("Escalate"))
    assert "DUE NOW" in escalation and escalation.endswith("under SEV-1")


def test_lowered_to_a_level_without_cadence_says_so_rather_than_resolved() -> None:
    incident = Incident(id=1, title="Search latency", severity="SEV-2", status="investigating", policy=SEV,
                        milestones={"declared": T0})
    incident, (text,) = inc.change_severity(incident, "SEV-4")
    at = T0 + timedelta(minutes=5)
    entries = [Entry(id=1, incident_id=1, at=at, logged_at=at, author="bob", kind="system", text=text)]
    plain = render.sla_lines(incident, evaluate(incident, entries, T0 + timedelta(minutes=40)), UTC).plain
    update = next(line for line in plain.splitlines() if line.startswith("Next update"))
    assert "SEV-4 sets no cadence" in update and "resolved" not in update
