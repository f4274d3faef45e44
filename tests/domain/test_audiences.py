"""Each audience's next update, by the SLA clock's own rule over its cadence and its updates only."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from warroom.domain.audience_mark import audience_of, mark
from warroom.domain.audiences import Audience, audience_clock
from warroom.domain.incident import Incident
from warroom.domain.policy import parse_span
from warroom.domain.presets import SEV
from warroom.domain.sla import evaluate
from warroom.domain.timeline import Entry

T0 = datetime(2026, 11, 23, 10, 0, tzinfo=timezone.utc)
EXEC = Audience("executive", "executive", {"sev1": parse_span("30m"), "SEV-2": parse_span("1h")})


def at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


def entry(n: int, minutes: int, text: str, kind: str = "comms") -> Entry:
    return Entry(id=n, incident_id=1, at=at(minutes), logged_at=at(minutes), kind=kind, author="cl", text=text)


def incident(severity: str = "SEV-1") -> Incident:
    return Incident(1, "Checkout 500s", severity, "investigating", SEV, {"declared": T0})


def test_each_audience_counts_its_own_updates_at_its_own_cadence() -> None:
    entries = [entry(1, 10, "responders update"), entry(2, 20, mark("executive", "exec summary"))]
    assert audience_of(entries[1]) == "executive" and audience_of(entries[0]) == "responders"
    responders = evaluate(incident(), entries, at(21)).update
    assert responders.next_due == at(25) and responders.updates_sent == 1  # 15 min after 10:10, not 10:20
    executive = audience_clock(incident(), entries, EXEC, at(21))
    assert executive.next_due == at(50) and executive.updates_sent == 1  # 30 min after its own 10:20
    assert audience_clock(incident(), entries, EXEC, at(55)).overdue == timedelta(minutes=5)
    assert audience_clock(incident("SEV-2"), entries[:1], EXEC, at(5)).next_due == at(60)


def test_a_level_the_audience_sets_no_cadence_for_has_no_clock() -> None:
    assert audience_clock(incident("SEV-3"), [], EXEC, at(5)) is None


def test_a_text_that_only_looks_marked_is_the_responders() -> None:
    assert audience_of(entry(1, 1, "[to Executive] capitals are no audience")) == "responders"
    assert audience_of(entry(1, 1, "[DRILL] update")) == "responders"
