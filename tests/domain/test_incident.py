"""Incident changes: milestone order, status, severity, roles."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from warroom.domain.incident import (
    MILESTONE_AFTER,
    MILESTONES,
    Incident,
    IncidentError,
    acknowledge,
    assign_role,
    change_severity,
    change_status,
    check_milestone_order,
    parse_role,
    parse_status,
    set_milestone,
)
from warroom.domain.policy import PolicyError
from warroom.domain.presets import P0, SEV

UTC = timezone.utc
T0 = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)  # a Monday


def t(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


#: Every milestone set, five minutes apart: detected 10:00 … resolved 10:25.
FULL = {name: t(5 * i) for i, name in enumerate(MILESTONES)}


def make(milestones=None, *, severity: str = "SEV-2", status: str = "investigating", policy=SEV, **kw) -> Incident:
    return Incident(
        id=7, title="Checkout latency", severity=severity, status=status, policy=policy,
        milestones=dict(milestones if milestones is not None else {"declared": T0}), **kw,
    )


# -- milestone order ------------------------------------------------------------------------

def _violations():
    """Every (milestone, time, named conflict, direction) that breaks the order of ``FULL``."""
    rows = []
    for name in MILESTONES:
        for other in MILESTONE_AFTER[name]:
            # Just before an earlier milestone: the earliest one it now precedes is named.
            rows.append((name, FULL[other] - timedelta(seconds=30), other, "before"))
        later = [m for m in MILESTONES if name in MILESTONE_AFTER[m]]
        for other in later:
            # Just after a later milestone: the nearest later one is named.
            rows.append((name, FULL[other] + timedelta(seconds=30), later[0], "after"))
    return rows


VIOLATIONS = _violations()


@pytest.mark.parametrize("name, at, conflict, direction", VIOLATIONS,
                         ids=[f"{n}-{d}-{c}-{a:%H%M%S}" for n, a, c, d in VIOLATIONS])
def test_every_out_of_order_milestone_is_refused(name: str, at: datetime, conflict: str, direction: str) -> None:
    incident = make(FULL)
    with pytest.raises(IncidentError) as exc:
        set_milestone(incident, name, at)
    message = str(exc.value)
    assert message.startswith(f"{name} at {at:%Y-%m-%d %H:%M:%S}Z would be {direction} {conflict} at ")
    assert f"{conflict} at {FULL[conflict]:%Y-%m-%d %H:%M:%S}Z" in message
    # The incident is untouched.
    assert incident.milestones == FULL


def test_twenty_eight_order_violations_are_checked() -> None:
    """Every pair but declared/acknowledged, which may come in either order (2 × 15 − 2)."""
    assert len(VIOLATIONS) == 28


@pytest.mark.parametrize(
    "milestones, name, at",
    [
        ({"declared": t(5)}, "acknowledged", T0),  # the page acknowledged, then the incident declared
        ({"detected": t(-5), "declared": t(5)}, "acknowledged", T0),
        ({"detected": t(-5), "acknowledged": T0}, "declared", t(5)),
        ({"detected": t(-5), "declared": T0, "identified": t(20)}, "acknowledged", t(-2)),
    ],
)
def test_acknowledged_may_precede_declared(milestones, name, at) -> None:
    updated, _ = set_milestone(make(milestones), name, at)
    assert updated.milestones[name] == at


@pytest.mark.parametrize(
    "milestones, name, at, conflict, direction",
    [
        ({"detected": t(-5), "declared": t(5)}, "acknowledged", t(-6), "detected", "before"),
        ({"declared": t(5), "acknowledged": T0}, "detected", t(1), "acknowledged", "after"),
        ({"declared": T0, "identified": t(3)}, "acknowledged", t(4), "identified", "after"),
        ({"acknowledged": T0, "declared": t(5)}, "identified", t(2), "declared", "before"),
    ],
)
def test_detection_still_comes_first_and_identification_after_both(milestones, name, at, conflict,
                                                                    direction) -> None:
    with pytest.raises(IncidentError, match=f"^{name} at .* would be {direction} {conflict} at "):
        set_milestone(make(milestones), name, at)


@pytest.mark.parametrize(
    "sparse, name, at, conflict, direction",
    [
        ({"declared": T0, "resolved": t(30)}, "acknowledged", t(40), "resolved", "after"),
        ({"declared": T0, "resolved": t(30)}, "identified", t(31), "resolved", "after"),
        ({"declared": T0, "resolved": t(30)}, "mitigated", t(-1), "declared", "before"),
        ({"declared": T0, "mitigated": t(20)}, "detected", t(1), "declared", "after"),
        ({"declared": T0, "acknowledged": t(5)}, "resolved", t(4), "acknowledged", "before"),
        ({"detected": t(-10), "declared": T0}, "acknowledged", t(-11), "detected", "before"),
    ],
)
def test_out_of_order_against_a_distant_milestone(sparse, name, at, conflict, direction) -> None:
    with pytest.raises(IncidentError, match=f"^{name} at .* would be {direction} {conflict} at "):
        set_milestone(make(sparse), name, at)


@pytest.mark.parametrize("name", MILESTONES)
def test_equal_times_keep_the_order(name: str) -> None:
    same = {m: T0 for m in MILESTONES}
    updated, _ = set_milestone(make({"declared": T0}), name, T0)
    assert updated.milestones[name] == T0
    check_milestone_order(same, name, T0)  # does not raise


def test_moving_a_milestone_within_its_neighbours_is_allowed() -> None:
    updated, texts = set_milestone(make(FULL), "identified", t(17))
    assert updated.milestones["identified"] == t(17)
    assert texts == ["Milestone identified set to 2026-11-23 10:17:00Z (was 2026-11-23 10:15:00Z)"]


def test_set_milestone_text_and_immutability() -> None:
    incident = make()
    updated, texts = set_milestone(incident, "acknowledged", t(4))
    assert texts == ["Milestone acknowledged set to 2026-11-23 10:04:00Z"]
    assert updated.milestones == {"declared": T0, "acknowledged": t(4)}
    assert incident.milestones == {"declared": T0}


def test_setting_the_same_time_is_a_no_op() -> None:
    incident = make({"declared": T0, "acknowledged": t(4)})
    updated, texts = set_milestone(incident, "acknowledged", t(4))
    assert updated is incident
    assert texts == []


def test_clearing_a_milestone() -> None:
    updated, texts = set_milestone(make({"detected": t(-3), "declared": T0}), "detected", None)
    assert updated.milestones == {"declared": T0}
    assert texts == ["Milestone detected cleared (was 2026-11-23 09:57:00Z)"]


def test_declared_cannot_be_cleared() -> None:
    with pytest.raises(IncidentError, match="declared milestone cannot be cleared"):
        set_milestone(make(), "declared", None)


def test_unknown_milestone() -> None:
    with pytest.raises(IncidentError, match=r"unknown milestone 'fixed' \(milestones: detected, declared"):
        set_milestone(make(), "fixed", t(1))


# -- acknowledge --------------------------------------------------------------------------

def test_acknowledge() -> None:
    updated, texts = acknowledge(make(), t(3), "alice")
    assert updated.milestones["acknowledged"] == t(3)
    assert texts == ["Acknowledged by alice"]
    assert acknowledge(make(), t(3), "")[1] == ["Acknowledged"]


def test_acknowledge_twice_is_refused() -> None:
    once, _ = acknowledge(make(), t(3), "alice")
    with pytest.raises(IncidentError, match=r"already acknowledged at 2026-11-23 10:03:00Z"):
        acknowledge(once, t(5), "bob")


def test_acknowledge_before_declaration_is_allowed() -> None:
    updated, _ = acknowledge(make(), t(-5), "alice")
    assert updated.milestones == {"declared": T0, "acknowledged": t(-5)}


def test_acknowledge_before_detection_is_refused() -> None:
    with pytest.raises(IncidentError, match="acknowledged at .* would be before detected at"):
        acknowledge(make({"detected": t(-3), "declared": T0}), t(-4), "alice")


def test_acknowledge_after_resolution_is_refused() -> None:
    with pytest.raises(IncidentError, match="acknowledged at .* would be after resolved at"):
        acknowledge(make({"declared": T0, "resolved": t(30)}), t(31), "alice")


# -- status -------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "status, milestone",
    [("identified", "identified"), ("monitoring", "mitigated"), ("resolved", "resolved")],
)
def test_status_change_records_its_milestone(status: str, milestone: str) -> None:
    updated, texts = change_status(make(), status, t(12))
    assert updated.status == status
    assert updated.milestones[milestone] == t(12)
    assert set(updated.milestones) == {"declared", milestone}
    assert texts == [f"Status investigating → {status}"]


def test_mitigating_records_no_milestone() -> None:
    updated, _ = change_status(make(), "mitigating", t(12))
    assert updated.status == "mitigating"
    assert updated.milestones == {"declared": T0}


def test_status_change_keeps_an_existing_milestone() -> None:
    incident = make({"declared": T0, "identified": t(5)}, status="mitigating")
    updated, _ = change_status(incident, "identified", t(20))
    assert updated.milestones["identified"] == t(5)


def test_resolving_before_mitigation_is_refused_naming_mitigated() -> None:
    incident = make({"declared": T0, "mitigated": t(20)}, status="monitoring")
    with pytest.raises(IncidentError, match="resolved at .* would be before mitigated at"):
        change_status(incident, "resolved", t(10))
    assert incident.status == "monitoring"


def test_reopening_clears_resolved() -> None:
    resolved, _ = change_status(make({"declared": T0, "mitigated": t(20)}, status="monitoring"), "resolved", t(30))
    assert resolved.is_resolved
    reopened, texts = change_status(resolved, "investigating", t(40))
    assert reopened.status == "investigating"
    assert not reopened.is_resolved
    assert reopened.milestones == {"declared": T0, "mitigated": t(20)}
    assert texts == ["Status resolved → investigating (reopened)"]
    again, _ = change_status(reopened, "resolved", t(50))
    assert again.milestones["resolved"] == t(50)


def test_reopening_to_monitoring_keeps_mitigated() -> None:
    incident = make({"declared": T0, "mitigated": t(20), "resolved": t(30)}, status="resolved")
    reopened, texts = change_status(incident, "monitoring", t(40))
    assert reopened.milestones == {"declared": T0, "mitigated": t(20)}
    assert texts == ["Status resolved → monitoring (reopened)"]


def test_same_status_is_refused() -> None:
    with pytest.raises(IncidentError, match="status is already investigating"):
        change_status(make(), "investigating", t(1))


@pytest.mark.parametrize(
    "text, status",
    [("resolved", "resolved"), ("RES", "resolved"), ("mon", "monitoring"), ("mit", "mitigating"),
     ("inv", "investigating"), (" Identified ", "identified")],
)
def test_parse_status(text: str, status: str) -> None:
    assert parse_status(text) == status


@pytest.mark.parametrize("text", ["i", "m", "", "done", "closed"])
def test_parse_status_refuses_unknown_or_ambiguous(text: str) -> None:
    with pytest.raises(IncidentError, match="statuses: investigating, identified, mitigating, monitoring, resolved"):
        parse_status(text)


# -- severity -----------------------------------------------------------------------------

def test_raise_severity() -> None:
    updated, texts = change_severity(make(severity="SEV-2"), "sev1")
    assert updated.severity == "SEV-1"
    assert updated.level.key == "SEV-1"
    assert texts == ["Severity raised: SEV-2 High → SEV-1 Critical"]


def test_lower_severity() -> None:
    updated, texts = change_severity(make(severity="SEV-1"), "Sev 3")
    assert updated.severity == "SEV-3"
    assert texts == ["Severity lowered: SEV-1 Critical → SEV-3 Medium"]


def test_severity_in_p0_policy() -> None:
    updated, texts = change_severity(make(severity="P2", policy=P0), "0")
    assert updated.severity == "P0"
    assert texts == ["Severity raised: P2 Medium → P0 Critical"]


def test_same_severity_is_refused() -> None:
    with pytest.raises(IncidentError, match="severity is already SEV-2"):
        change_severity(make(severity="SEV-2"), "2")


def test_unknown_severity_is_refused() -> None:
    with pytest.raises(PolicyError, match="levels: SEV-1, SEV-2, SEV-3, SEV-4"):
        change_severity(make(), "SEV-9")


# -- roles --------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "text, role",
    [
        ("ic", "commander"), ("IC", "commander"), ("commander", "commander"), ("Incident Commander", "commander"),
        ("tech-lead", "tech_lead"), ("tech lead", "tech_lead"), ("tech_lead", "tech_lead"), ("tl", "tech_lead"),
        ("comms", "comms_lead"), ("comms-lead", "comms_lead"), ("communications", "comms_lead"),
        ("scribe", "scribe"), ("Scribe", "scribe"),
    ],
)
def test_parse_role(text: str, role: str) -> None:
    assert parse_role(text) == role


def test_unknown_role() -> None:
    roles = r"\(roles: ic/commander, tech-lead, comms-lead, scribe\)"
    with pytest.raises(IncidentError, match=rf"unknown role 'janitor' {roles}"):
        parse_role("janitor")


def test_assign_reassign_and_unassign_roles() -> None:
    incident, texts = assign_role(make(), "ic", " alice ")
    assert incident.roles == {"commander": "alice"}
    assert texts == ["Incident commander: alice"]

    incident, texts = assign_role(incident, "commander", "bob")
    assert incident.roles == {"commander": "bob"}
    assert texts == ["Incident commander: bob (was alice)"]

    incident, texts = assign_role(incident, "tech-lead", "carol")
    assert texts == ["Tech lead: carol"]
    incident, texts = assign_role(incident, "comms", "dan")
    assert texts == ["Comms lead: dan"]
    incident, texts = assign_role(incident, "scribe", "erin")
    assert texts == ["Scribe: erin"]
    assert incident.roles == {"commander": "bob", "tech_lead": "carol", "comms_lead": "dan", "scribe": "erin"}

    incident, texts = assign_role(incident, "IC", "")
    assert "commander" not in incident.roles
    assert texts == ["Incident commander unassigned (was bob)"]


def test_assigning_the_same_person_is_refused() -> None:
    incident, _ = assign_role(make(), "ic", "alice")
    with pytest.raises(IncidentError, match="Incident commander is already alice"):
        assign_role(incident, "commander", "alice")


def test_unassigning_an_empty_role_is_refused() -> None:
    with pytest.raises(IncidentError, match="Scribe is already unassigned"):
        assign_role(make(), "scribe", "  ")


# -- properties ---------------------------------------------------------------------------

def test_start_is_detection_falling_back_to_declaration() -> None:
    assert make({"detected": t(-7), "declared": T0}).start == t(-7)
    assert make({"declared": T0}).start == T0


def test_properties() -> None:
    incident = make({"declared": T0, "resolved": t(9)}, severity="sev 1")
    assert incident.is_resolved
    assert not make().is_resolved
    assert incident.ref == "#7"
    assert incident.level.key == "SEV-1"
