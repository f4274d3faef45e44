"""The room core without a terminal: which entries a screen shows, which automatic entries it writes
once, when the comms lead is reminded, which template comes first, what it records."""

from __future__ import annotations

from warroom.domain.frozen import replace
from datetime import datetime, timedelta, timezone

from warroom.domain import recording as rec
from warroom.domain.incident import Incident
from warroom.domain.presets import SEV
from warroom.domain.timeline import Entry
from warroom.room.session import Room, moves_clock, update_reminder, update_template

T0 = datetime(2026, 11, 23, 10, 0, tzinfo=timezone.utc)
M = timedelta(minutes=1)


def incident(id: int = 1, **milestones) -> Incident:
    milestones.setdefault("declared", T0)
    return Incident(id=id, title="Payments down", severity="SEV-1", status="investigating", policy=SEV,
                    milestones=milestones)


def entry(id: int, kind: str = "note", key: str | None = None, incident_id: int = 1, at=T0) -> Entry:
    return Entry(id=id, incident_id=incident_id, at=at, logged_at=at, author="sam", kind=kind, text=f"e{id}",
                 key=key)


def test_a_note_waits_for_the_tick_but_a_status_or_breach_moves_the_clock():
    assert not moves_clock(entry(1))
    assert moves_clock(entry(2, "status"))
    assert moves_clock(entry(3, "system", key="sla:acknowledge"))
    assert not moves_clock(entry(4, "system", key="pod:checkout:CrashLoopBackOff:3"))


def test_accept_keeps_only_the_open_incidents_entries_and_says_when_the_clock_moves():
    room = Room()
    room.open(incident(), [entry(1)], seq=5)
    shown, clock = room.accept([entry(2), entry(3, incident_id=9), None])
    assert [e.id for e in shown] == [2] and not clock
    assert sorted(room.entries) == [1, 2]
    _, clock = room.accept([entry(4, "decision")])
    assert clock


def test_an_automatic_entry_is_claimed_once_including_keys_already_in_the_database():
    room = Room()
    assert not room.claim("sla:ack")  # no incident open: nothing is written
    room.open(incident(), [entry(1, "system", key="sla:ack")], seq=0)
    assert not room.claim("sla:ack")
    assert room.claim("sla:respond") and not room.claim("sla:respond")
    assert room.claim_all([("a", "x"), ("a", "dup"), ("sla:respond", "y"), ("b", "z")]) == {"a": "x", "b": "z"}
    assert room.claim_all([("a", "x")]) == {}


def test_an_entry_read_back_unchanged_is_not_shown_again():
    room = Room()
    room.open(incident(), [entry(1), entry(2)], seq=0)
    edited = replace(entry(2), text="edited")
    assert room.changed([entry(1), edited]) == [edited]


def test_the_update_reminder_comes_two_minutes_before_and_once_overdue_each_once():
    room = Room()
    room.open(incident(), [], seq=0)
    due = room.report(T0).update.next_due
    reminded: set[str] = set()
    assert update_reminder(room.incident, room.report(due - 3 * M), reminded) is None
    soon = update_reminder(room.incident, room.report(due - M), reminded)
    assert soon is not None and not soon.overdue and soon.left_seconds == 60
    assert update_reminder(room.incident, room.report(due - M / 2), reminded) is None
    late = update_reminder(room.incident, room.report(due + M), reminded)
    assert late is not None and late.overdue
    assert update_reminder(room.incident, room.report(due + 2 * M), reminded) is None


def test_the_first_template_offered_follows_the_incident():
    assert update_template(incident(), []) == "declared"
    assert update_template(incident(), [entry(1, "comms")]) == "update"
    redacted = replace(entry(1, "comms"), redacted_at=T0, redacted_by="x", redaction_reason="oops")
    assert update_template(incident(), [redacted]) == "declared"
    assert update_template(incident(resolved=T0 + 30 * M), [entry(1, "comms")]) == "resolved"


def test_readings_are_kept_only_while_an_open_incident_records():
    room = Room()
    state = {("probe", "checkout"): {"ok": True}}
    room.observe("probes", state, T0)
    assert room.take_readings() == []  # no incident open
    room.open(incident(), [], seq=0)
    room.observe("probes", state, T0)
    room.observe("probes", state, T0 + M)  # unchanged: nothing new
    assert [r.key for r in room.take_readings()] == ["checkout"] and room.take_readings() == []
    room.drill_ended = True
    room.observe("probes", {("probe", "checkout"): {"ok": False}}, T0 + 2 * M)
    assert room.take_readings() == []
    assert isinstance(room.recorder, rec.Recorder)
