"""The SLA clock: evaluate(incident, entries, now) for targets, escalations, update cadence, durations."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from warroom.domain.incident import Incident
from warroom.domain.policy import Span, policy_from_dict, with_timezone
from warroom.domain.presets import P0, P1, SEV
from warroom.domain.sla import (
    DURATIONS,
    UpdateGap,
    describe_target,
    durations,
    evaluate,
    urgency,
)
from warroom.domain.timeline import Entry

UTC = timezone.utc
T0 = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)  # a Monday


def t(minutes: float = 0, seconds: float = 0) -> datetime:
    return T0 + timedelta(minutes=minutes, seconds=seconds)


def m(minutes: float) -> timedelta:
    return timedelta(minutes=minutes)


def make(severity: str = "SEV-1", policy=SEV, **milestones: datetime) -> Incident:
    milestones.setdefault("declared", T0)
    return Incident(id=1, title="Payments down", severity=severity, status="investigating",
                    policy=policy, milestones=milestones)


_ids = iter(range(1, 10_000))


def entry(kind: str, at: datetime, *, logged_at: datetime | None = None, redacted: bool = False) -> Entry:
    return Entry(
        id=next(_ids), incident_id=1, at=at, logged_at=logged_at or at, author="alice", kind=kind,
        text=f"{kind} entry", redacted_at=(logged_at or at) + m(1) if redacted else None,
        redacted_by="bob" if redacted else "", redaction_reason="wrong incident" if redacted else "",
    )


# -- target states ------------------------------------------------------------------------

def test_pending_targets_report_time_left() -> None:
    report = evaluate(make(), [], t(3))
    ack = report.target("acknowledge")
    assert ack.state == "pending"
    assert ack.deadline == t(5)
    assert ack.remaining == m(2)
    assert ack.overdue is None and ack.met_at is None and ack.met_by == "" and not ack.implied
    assert not ack.done
    resolve = report.target("resolve")
    assert resolve.state == "pending"
    assert resolve.deadline == t(60)
    assert resolve.remaining == m(57)
    assert [c.name for c in report.targets] == ["acknowledge", "resolve"]


def test_breached_target_reports_overdue() -> None:
    ack = evaluate(make(), [], t(8)).target("acknowledge")
    assert ack.state == "breached"
    assert ack.overdue == m(3)
    assert ack.remaining is None and ack.met_at is None
    assert not ack.done


def test_met_target() -> None:
    ack = evaluate(make(acknowledged=t(4)), [], t(30)).target("acknowledge")
    assert ack.state == "met"
    assert ack.met_at == t(4)
    assert ack.met_by == "acknowledged"
    assert not ack.implied
    assert ack.overdue is None and ack.remaining is None
    assert ack.done


def test_missed_target_reports_by_how_much() -> None:
    ack = evaluate(make(acknowledged=t(7)), [], t(30)).target("acknowledge")
    assert ack.state == "missed"
    assert ack.met_at == t(7)
    assert ack.overdue == m(2)
    assert ack.remaining is None
    assert ack.done


def test_met_exactly_on_the_deadline_is_met() -> None:
    ack = evaluate(make(acknowledged=t(5)), [], t(30)).target("acknowledge")
    assert ack.state == "met"
    assert ack.overdue is None


def test_met_one_second_late_is_missed() -> None:
    ack = evaluate(make(acknowledged=t(5, 1)), [], t(30)).target("acknowledge")
    assert ack.state == "missed"
    assert ack.overdue == timedelta(seconds=1)


def test_now_on_the_deadline_is_pending_with_nothing_left() -> None:
    ack = evaluate(make(), [], t(5)).target("acknowledge")
    assert ack.state == "pending"
    assert ack.remaining == timedelta(0)


def test_breached_only_after_the_deadline() -> None:
    ack = evaluate(make(), [], t(5, 1)).target("acknowledge")
    assert ack.state == "breached"
    assert ack.overdue == timedelta(seconds=1)


def test_targets_count_from_detection() -> None:
    incident = make(detected=t(-10), acknowledged=t(2))
    report = evaluate(incident, [], t(3))
    assert report.start == t(-10)
    ack = report.target("acknowledge")
    assert ack.deadline == t(-5)
    assert ack.state == "missed"
    assert ack.overdue == m(7)
    assert report.target("resolve").deadline == t(50)


def test_detection_falls_back_to_declaration() -> None:
    report = evaluate(make(), [], t(1))
    assert report.start == T0
    assert report.target("acknowledge").deadline == t(5)


# -- implied acknowledgement --------------------------------------------------------------

def test_resolved_without_acknowledgement_implies_it() -> None:
    report = evaluate(make(resolved=t(4)), [], t(10))
    ack = report.target("acknowledge")
    assert ack.state == "met"
    assert ack.met_at == t(4)
    assert ack.met_by == "resolved"
    assert ack.implied is True
    assert describe_target(ack) == "met at 2026-11-23 10:04:00Z (resolved, implied)"


def test_late_resolution_without_acknowledgement_is_a_missed_implied_acknowledgement() -> None:
    report = evaluate(make(resolved=t(30)), [], t(40))
    ack = report.target("acknowledge")
    assert (ack.state, ack.met_by, ack.implied, ack.overdue) == ("missed", "resolved", True, m(25))
    resolve = report.target("resolve")
    assert (resolve.state, resolve.met_by, resolve.implied) == ("met", "resolved", False)


@pytest.mark.parametrize("milestone", ["identified", "mitigated"])
def test_earliest_later_milestone_implies_acknowledgement(milestone: str) -> None:
    ack = evaluate(make(**{milestone: t(3), "resolved": t(20)}), [], t(30)).target("acknowledge")
    assert (ack.state, ack.met_at, ack.met_by, ack.implied) == ("met", t(3), milestone, True)


def test_recorded_acknowledgement_wins_over_implication() -> None:
    ack = evaluate(make(acknowledged=t(2), identified=t(3)), [], t(30)).target("acknowledge")
    assert (ack.met_by, ack.implied, ack.met_at) == ("acknowledged", False, t(2))


def test_mitigate_target_is_implied_by_resolved() -> None:
    policy = policy_from_dict({"name": "custom", "levels": [
        {"key": "A", "name": "All", "targets": {"mitigate": "30m", "resolve": "2h"}},
    ]})
    implied = evaluate(make("A", policy, resolved=t(20)), [], t(25)).target("mitigate")
    assert (implied.state, implied.met_by, implied.implied) == ("met", "resolved", True)
    recorded = evaluate(make("A", policy, mitigated=t(40)), [], t(45)).target("mitigate")
    assert (recorded.state, recorded.met_by, recorded.implied) == ("missed", "mitigated", False)
    assert recorded.overdue == m(10)


# -- respond target, backdating, redaction --------------------------------------------------

def test_respond_met_by_backdated_action_entry() -> None:
    incident = make("P1", P1, acknowledged=t(3))
    action = entry("action", t(8), logged_at=t(14))
    assert action.backdated
    respond = evaluate(incident, [action], t(15)).target("respond")
    assert respond.state == "met"
    assert respond.met_at == t(8)
    assert respond.met_by == "first response entry"


@pytest.mark.parametrize("kind", ["action", "decision", "status", "comms"])
def test_response_kinds_count_for_respond(kind: str) -> None:
    respond = evaluate(make("P1", P1), [entry(kind, t(6))], t(15)).target("respond")
    assert (respond.state, respond.met_at) == ("met", t(6))


@pytest.mark.parametrize("kind", ["note", "system", "escalation"])
def test_other_kinds_do_not_count_for_respond(kind: str) -> None:
    respond = evaluate(make("P1", P1), [entry(kind, t(6))], t(15)).target("respond")
    assert respond.state == "breached"
    assert respond.overdue == m(5)


def test_first_response_is_the_earliest() -> None:
    entries = [entry("comms", t(12)), entry("decision", t(7)), entry("action", t(9))]
    respond = evaluate(make("P1", P1), entries, t(15)).target("respond")
    assert (respond.state, respond.met_at) == ("met", t(7))


def test_respond_met_by_a_later_milestone() -> None:
    respond = evaluate(make("P1", P1, acknowledged=t(2), identified=t(9)), [], t(15)).target("respond")
    assert (respond.state, respond.met_at, respond.met_by) == ("met", t(9), "identified")


def test_acknowledging_is_not_responding_when_the_level_has_an_acknowledge_target() -> None:
    report = evaluate(make("P1", P1, acknowledged=t(3)), [], t(15))
    assert report.target("acknowledge").state == "met"
    respond = report.target("respond")
    assert respond.state == "breached"
    assert respond.overdue == m(5)


def test_redacted_entries_are_ignored() -> None:
    redacted = entry("action", t(4), redacted=True)
    assert redacted.redacted
    respond = evaluate(make("P1", P1), [redacted], t(15)).target("respond")
    assert respond.state == "breached"
    kept = evaluate(make("P1", P1), [redacted, entry("action", t(11))], t(15)).target("respond")
    assert (kept.state, kept.met_at, kept.overdue) == ("missed", t(11), m(1))


def test_redacted_comms_do_not_count_as_updates() -> None:
    update = evaluate(make(), [entry("comms", t(10), redacted=True)], t(12)).update
    assert update.last_update == T0
    assert update.updates_sent == 0
    assert update.next_due == t(15)


# -- p0: no acknowledge target ------------------------------------------------------------

def test_p0_respond_met_by_acknowledgement() -> None:
    report = evaluate(make("P0", P0, acknowledged=t(3)), [], t(10))
    assert report.target("acknowledge") is None
    respond = report.target("respond")
    assert (respond.state, respond.met_at, respond.met_by, respond.implied) == ("met", t(3), "acknowledged", False)


def test_p0_late_acknowledgement_misses_respond() -> None:
    respond = evaluate(make("P0", P0, acknowledged=t(8)), [], t(10)).target("respond")
    assert (respond.state, respond.overdue) == ("missed", m(3))


def test_p0_an_earlier_response_entry_beats_the_acknowledgement() -> None:
    respond = evaluate(make("P0", P0, acknowledged=t(4)), [entry("action", t(2))], t(10)).target("respond")
    assert (respond.met_at, respond.met_by) == (t(2), "first response entry")


def test_p0_unacknowledged_respond_breaches() -> None:
    respond = evaluate(make("P0", P0), [], t(6)).target("respond")
    assert (respond.state, respond.overdue) == ("breached", m(1))


# -- escalations --------------------------------------------------------------------------

def states(report) -> list[str]:
    return [e.state for e in report.escalations]


def test_sev1_escalations_pending() -> None:
    report = evaluate(make(), [], t(3))
    assert states(report) == ["pending", "pending"]
    assert [e.due_at for e in report.escalations] == [t(5), t(120)]
    assert [e.index for e in report.escalations] == [0, 1]
    assert report.escalations[0].cleared_at is None
    assert report.escalations[0].describe == "unacknowledged after 5 min → on-call manager"
    assert report.escalations[1].describe == "unresolved after 2 h → VP Engineering"


def test_sev1_unacknowledged_escalation_due() -> None:
    assert states(evaluate(make(), [], t(6))) == ["due", "pending"]
    assert states(evaluate(make(), [], t(121))) == ["due", "due"]


def test_escalation_averted_by_timely_acknowledgement() -> None:
    report = evaluate(make(acknowledged=t(4)), [], t(6))
    assert states(report) == ["averted", "pending"]
    assert report.escalations[0].cleared_at == t(4)


def test_escalation_averted_by_acknowledgement_exactly_on_time() -> None:
    assert states(evaluate(make(acknowledged=t(5)), [], t(6))) == ["averted", "pending"]


def test_escalation_fired_when_cleared_late() -> None:
    report = evaluate(make(acknowledged=t(9)), [], t(10))
    assert states(report) == ["fired", "pending"]
    assert report.escalations[0].cleared_at == t(9)


def test_unresolved_escalation_fired_or_averted_by_resolution() -> None:
    assert states(evaluate(make(acknowledged=t(1), resolved=t(60)), [], t(200))) == ["averted", "averted"]
    late = evaluate(make(acknowledged=t(1), resolved=t(180)), [], t(200))
    assert states(late) == ["averted", "fired"]
    assert late.escalations[1].cleared_at == t(180)


def test_resolution_without_acknowledgement_clears_unacknowledged() -> None:
    report = evaluate(make(resolved=t(3)), [], t(10))
    assert states(report) == ["averted", "averted"]
    assert report.escalations[0].cleared_at == t(3)


def test_sev2_unidentified_step_due_although_acknowledged() -> None:
    report = evaluate(make("SEV-2", acknowledged=t(2)), [], t(16))
    assert report.escalations[0].step.condition == "unidentified"
    assert report.escalations[0].step.to == "engineering manager"
    assert report.escalations[0].due_at == t(15)
    assert states(report) == ["due", "pending"]


def test_sev2_unidentified_step_pending_then_averted_or_fired() -> None:
    assert states(evaluate(make("SEV-2"), [], t(14))) == ["pending", "pending"]
    assert states(evaluate(make("SEV-2", acknowledged=t(2), identified=t(10)), [], t(16))) == ["averted", "pending"]
    fired = evaluate(make("SEV-2", acknowledged=t(2), identified=t(20)), [], t(21))
    assert states(fired) == ["fired", "pending"]
    assert fired.escalations[0].cleared_at == t(20)


def test_sev2_mitigation_implies_identification() -> None:
    report = evaluate(make("SEV-2", acknowledged=t(2), mitigated=t(12)), [], t(20))
    assert states(report) == ["averted", "pending"]
    assert report.escalations[0].cleared_at == t(12)


def test_p1_ladder_all_unacknowledged() -> None:
    report = evaluate(make("P1", P1), [], t(35))
    assert [e.due_at for e in report.escalations] == [t(10), t(20), t(30), t(45)]
    assert [e.step.to for e in report.escalations] == [
        "secondary on-call", "engineering manager", "director", "VP Engineering"]
    assert all(e.step.condition == "unacknowledged" for e in report.escalations)
    assert states(report) == ["due", "due", "due", "pending"]
    assert states(evaluate(make("P1", P1), [], t(46))) == ["due"] * 4
    assert states(evaluate(make("P1", P1), [], t(9))) == ["pending"] * 4


def test_p1_ladder_acknowledged_midway() -> None:
    report = evaluate(make("P1", P1, acknowledged=t(25)), [], t(50))
    assert states(report) == ["fired", "fired", "averted", "averted"]
    assert {e.cleared_at for e in report.escalations} == {t(25)}
    assert report.target("acknowledge").overdue == m(20)
    keys = [e.key for e in report.events()]
    assert keys == ["sla:P1:acknowledge", "sla:P1:respond", "sla:P1:resolve",
                    "escalation:P1:0", "escalation:P1:1"]


def test_p0_ladder_unresolved() -> None:
    report = evaluate(make("P0", P0, acknowledged=t(1)), [], t(31))
    assert [e.due_at for e in report.escalations] == [t(15), t(30), t(60)]
    assert states(report) == ["due", "due", "pending"]
    assert states(evaluate(make("P0", P0, acknowledged=t(1), resolved=t(20)), [], t(90))) == [
        "fired", "averted", "averted"]


# -- update cadence -----------------------------------------------------------------------

def test_update_due_from_declaration() -> None:
    update = evaluate(make(), [], t(10)).update
    assert update.every == Span(15)
    assert update.last_update == T0
    assert update.next_due == t(15)
    assert update.overdue is None
    assert update.gaps == ()
    assert update.updates_sent == 0


def test_update_cadence_counts_from_declaration_not_detection() -> None:
    update = evaluate(make(detected=t(-10)), [], t(10)).update
    assert update.last_update == T0
    assert update.next_due == t(15)


def test_update_overdue_without_comms() -> None:
    update = evaluate(make(), [], t(20)).update
    assert update.next_due == t(15)
    assert update.overdue == m(5)
    assert update.gaps == (UpdateGap(T0, t(20), m(5)),)


def test_update_exactly_due_is_not_overdue() -> None:
    update = evaluate(make(), [], t(15)).update
    assert update.overdue is None
    assert update.gaps == ()


def test_next_update_due_from_last_comms_entry() -> None:
    entries = [entry("comms", t(10)), entry("comms", t(35)), entry("note", t(38))]
    update = evaluate(make(), entries, t(40)).update
    assert update.last_update == t(35)
    assert update.next_due == t(50)
    assert update.overdue is None
    assert update.updates_sent == 2
    assert update.gaps == (UpdateGap(T0, t(10), None), UpdateGap(t(10), t(35), m(10)))


def test_update_just_sent_closes_its_window_even_when_now_is_the_same_object() -> None:
    # An entry logged "now" and evaluated with that very datetime object: the window it closes is
    # history (kept the cadence), only the window it opens is current.
    now = t(10)
    update = evaluate(make(), [entry("comms", now)], now).update
    assert update.gaps == (UpdateGap(T0, t(10), None),)
    assert update.gaps == evaluate(make(), [entry("comms", t(10))], t(10)).update.gaps
    assert update.last_update == t(10)
    assert update.next_due == t(25)


def test_backdated_comms_counts_at_its_time() -> None:
    update = evaluate(make(), [entry("comms", t(12), logged_at=t(20))], t(21)).update
    assert update.last_update == t(12)
    assert update.next_due == t(27)
    assert update.overdue is None


def test_only_comms_entries_are_updates() -> None:
    entries = [entry(kind, t(10)) for kind in ("note", "action", "decision", "status", "system", "escalation")]
    update = evaluate(make(), entries, t(16)).update
    assert update.updates_sent == 0
    assert update.overdue == m(1)


def test_comms_before_declaration_is_not_an_update() -> None:
    update = evaluate(make(detected=t(-10)), [entry("comms", t(-5))], t(10)).update
    assert update.updates_sent == 0
    assert update.last_update == T0


def test_no_next_update_once_resolved() -> None:
    entries = [entry("comms", t(10)), entry("comms", t(50))]  # the second one is after resolution
    update = evaluate(make(acknowledged=t(1), resolved=t(40)), entries, t(120)).update
    assert update.next_due is None
    assert update.overdue is None
    assert update.updates_sent == 1
    assert update.last_update == t(10)
    assert update.gaps == (UpdateGap(T0, t(10), None), UpdateGap(t(10), t(40), m(15)))


def test_no_update_cadence_for_sev4() -> None:
    assert evaluate(make("SEV-4"), [], t(10)).update is None


def test_daily_update_cadence_for_p1_p3() -> None:
    update = evaluate(make("P3", P1), [], t(60)).update
    assert update.every == Span(1440)
    assert update.next_due == t(1440)


# -- durations ----------------------------------------------------------------------------

def test_durations_from_detection() -> None:
    incident = make(detected=t(-10), acknowledged=t(4), identified=t(20), mitigated=t(40), resolved=t(70))
    report = evaluate(incident, [], t(80))
    assert dict(report.durations) == {
        "detect": m(10), "acknowledge": m(14), "identify": m(30), "mitigate": m(50), "resolve": m(80),
    }
    assert tuple(report.durations) == DURATIONS


def test_durations_fall_back_to_declaration_and_leave_gaps_unknown() -> None:
    assert durations({"declared": T0, "acknowledged": t(3), "resolved": t(45)}) == {
        "detect": None, "acknowledge": m(3), "identify": None, "mitigate": None, "resolve": m(45),
    }


def test_durations_of_a_fresh_incident() -> None:
    assert durations({"declared": T0}) == dict.fromkeys(DURATIONS)


# -- business-day targets -------------------------------------------------------------------

FRIDAY_EVENING = datetime(2026, 11, 27, 20, 0, tzinfo=UTC)
NEXT_MONDAY_17 = datetime(2026, 11, 30, 17, 0, tzinfo=UTC)
NEXT_FRIDAY_17 = datetime(2026, 12, 4, 17, 0, tzinfo=UTC)


def test_sev4_business_day_targets_from_friday_evening() -> None:
    incident = make("SEV-4", detected=FRIDAY_EVENING, declared=FRIDAY_EVENING + m(5))
    report = evaluate(incident, [], datetime(2026, 11, 30, 12, 0, tzinfo=UTC))
    ack = report.target("acknowledge")
    assert ack.deadline == NEXT_MONDAY_17
    assert ack.state == "pending"
    assert ack.remaining == timedelta(hours=5)
    assert report.target("resolve").deadline == NEXT_FRIDAY_17
    assert report.escalations == ()


def test_sev4_acknowledged_monday_afternoon_is_met() -> None:
    incident = make("SEV-4", detected=FRIDAY_EVENING, declared=FRIDAY_EVENING,
                    acknowledged=datetime(2026, 11, 30, 16, 59, tzinfo=UTC))
    assert evaluate(incident, [], datetime(2026, 12, 1, tzinfo=UTC)).target("acknowledge").state == "met"


def test_sev4_breached_on_monday_evening() -> None:
    incident = make("SEV-4", declared=FRIDAY_EVENING)
    ack = evaluate(incident, [], datetime(2026, 11, 30, 18, 0, tzinfo=UTC)).target("acknowledge")
    assert (ack.state, ack.overdue) == ("breached", timedelta(hours=1))


def test_business_targets_use_the_policy_timezone() -> None:
    berlin = with_timezone(SEV, "Europe/Berlin")
    incident = make("SEV-4", berlin, declared=FRIDAY_EVENING)
    # Monday 17:00 in Berlin (CET) is 16:00 UTC.
    assert evaluate(incident, [], FRIDAY_EVENING).target("acknowledge").deadline == NEXT_MONDAY_17 - m(60)


def test_p3_business_hours_resolve_from_tuesday_evening() -> None:
    tuesday_evening = datetime(2026, 11, 24, 20, 0, tzinfo=UTC)
    report = evaluate(make("P3", P1, declared=tuesday_evening), [], tuesday_evening + m(1))
    assert report.target("resolve").deadline == datetime(2026, 11, 25, 17, 0, tzinfo=UTC)
    assert report.target("acknowledge").deadline == tuesday_evening + m(60)


# -- events -------------------------------------------------------------------------------

def test_no_events_while_everything_is_pending_or_met() -> None:
    assert evaluate(make(), [], t(4)).events() == []
    assert evaluate(make(acknowledged=t(4)), [], t(30)).events() == []


def test_breach_event() -> None:
    events = evaluate(make(), [], t(6)).events()
    assert [(e.key, e.kind, e.at) for e in events] == [
        ("sla:SEV-1:acknowledge", "system", t(5)),
        ("escalation:SEV-1:0", "escalation", t(5)),
    ]
    assert events[0].text == (
        "SLA breached: acknowledge target of SEV-1 (5 min) passed at 2026-11-23 10:05:00Z"
    )
    assert events[1].text == "Escalation due: unacknowledged after 5 min → call on-call manager"


def test_event_keys_are_stable_over_time_and_through_resolution() -> None:
    breached = evaluate(make(), [], t(6)).events()
    later = evaluate(make(), [], t(50)).events()
    after_late_ack = evaluate(make(acknowledged=t(9)), [], t(55)).events()  # missed + fired
    assert [e.key for e in breached] == [e.key for e in later] == [e.key for e in after_late_ack]
    assert [e.at for e in breached] == [e.at for e in after_late_ack]


def test_events_only_for_breached_missed_due_fired() -> None:
    # Acknowledge missed, resolve met, first step fired, second averted.
    report = evaluate(make(acknowledged=t(9), resolved=t(50)), [], t(300))
    assert [c.state for c in report.targets] == ["missed", "met"]
    assert states(report) == ["fired", "averted"]
    assert [e.key for e in report.events()] == ["sla:SEV-1:acknowledge", "escalation:SEV-1:0"]


def test_event_keys_are_per_level() -> None:
    keys = {e.key for e in evaluate(make("SEV-2"), [], t(300)).events()}
    assert keys == {"sla:SEV-2:acknowledge", "sla:SEV-2:resolve", "escalation:SEV-2:0", "escalation:SEV-2:1"}


# -- urgency ------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "severity, target, now, expected",
    [
        ("SEV-1", "acknowledge", t(2, 59), "ok"),  # 5 min span: soon within 2 min (the minimum)
        ("SEV-1", "acknowledge", t(3), "soon"),
        ("SEV-1", "acknowledge", t(5), "soon"),
        ("SEV-1", "acknowledge", t(5, 1), "breached"),
        ("SEV-1", "resolve", t(47, 59), "ok"),  # 60 min span: soon within 20 % = 12 min
        ("SEV-1", "resolve", t(48), "soon"),
        ("SEV-3", "resolve", t(449, 59), "ok"),  # 8 h span: capped at 30 min
        ("SEV-3", "resolve", t(450), "soon"),
        ("SEV-3", "acknowledge", t(47, 59), "ok"),  # 1 h span: 12 min
        ("SEV-3", "acknowledge", t(48), "soon"),
    ],
)
def test_urgency(severity: str, target: str, now: datetime, expected: str) -> None:
    clock = evaluate(make(severity), [], now).target(target)
    assert urgency(clock, now) == expected


def test_urgency_of_done_targets() -> None:
    report = evaluate(make(acknowledged=t(9), resolved=t(50)), [], t(60))
    assert urgency(report.target("acknowledge"), t(60)) == "missed"
    assert urgency(report.target("resolve"), t(60)) == "met"


def test_urgency_of_business_targets_uses_a_30_minute_window() -> None:
    incident = make("SEV-4", declared=FRIDAY_EVENING)
    ok_now = NEXT_MONDAY_17 - m(31)
    soon_now = NEXT_MONDAY_17 - m(30)
    assert urgency(evaluate(incident, [], ok_now).target("acknowledge"), ok_now) == "ok"
    assert urgency(evaluate(incident, [], soon_now).target("acknowledge"), soon_now) == "soon"


# -- describe -----------------------------------------------------------------------------

def test_describe_target() -> None:
    assert describe_target(evaluate(make(), [], t(3)).target("acknowledge")) == "2m left"
    assert describe_target(evaluate(make(), [], t(8)).target("acknowledge")) == "BREACHED 3m ago, not met"
    assert describe_target(evaluate(make(acknowledged=t(4)), [], t(8)).target("acknowledge")) == (
        "met at 2026-11-23 10:04:00Z (acknowledged)")
    assert describe_target(evaluate(make(acknowledged=t(7)), [], t(8)).target("acknowledge")) == (
        "missed by 2m (at 2026-11-23 10:07:00Z, acknowledged)")


def test_escalation_boundary_matches_target_boundary() -> None:
    """At exactly the step's time nothing is due yet (like a target: breached only after)."""
    from warroom.domain.presets import SEV as _SEV
    from warroom.domain.incident import Incident as _Incident
    from warroom.domain.sla import evaluate as _evaluate
    from datetime import datetime as _dt, timedelta as _td, timezone as _tz

    t0 = _dt(2026, 11, 23, 10, 0, tzinfo=_tz.utc)
    i = _Incident(1, "x", "SEV-1", "investigating", _SEV, {"declared": t0})
    at_due = _evaluate(i, [], t0 + _td(minutes=5))
    assert at_due.escalations[0].state == "pending" and at_due.targets[0].state == "pending"
    assert at_due.events() == []
    after = _evaluate(i, [], t0 + _td(minutes=5, seconds=1))
    assert after.escalations[0].state == "due" and after.targets[0].state == "breached"


def test_one_rule_for_a_milestone_reached_recorded_or_implied() -> None:
    from warroom.domain.sla import milestone_reached

    ms = {"declared": T0, "resolved": t(40)}
    assert milestone_reached(ms, "mitigated") == (t(40), "resolved")  # resolution implies mitigation
    assert milestone_reached(ms, "acknowledged") == (t(40), "resolved")
    assert milestone_reached({**ms, "mitigated": t(25)}, "mitigated") == (t(25), "mitigated")
    assert milestone_reached(ms, "identified") is None  # nothing implies it
    assert milestone_reached(ms, "declared") == (T0, "declared")
