"""SLA over severity periods: each target judged under the level in force when its deadline passed;
a breach that happened is never erased by a later change (issue #19, item 1)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from warroom.domain import incident as inc
from warroom.domain.incident import Incident
from warroom.domain.presets import P0, SEV
from warroom.domain.severity_history import SeverityChange, severity_changes, severity_periods
from warroom.domain.sla import evaluate
from warroom.domain.timeline import Entry

UTC = timezone.utc
T0 = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)  # a Monday


def t(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def m(minutes: float) -> timedelta:
    return timedelta(minutes=minutes)


_ids = iter(range(1, 10_000))


def entry(text: str, at: datetime, *, kind: str = "system", author: str = "alice",
          redacted: bool = False) -> Entry:
    return Entry(id=next(_ids), incident_id=1, at=at, logged_at=at, author=author, kind=kind, text=text,
                 redacted_at=at + m(1) if redacted else None, redacted_by="bob" if redacted else "",
                 redaction_reason="typo" if redacted else "")


class Story:
    """An incident and its timeline, changed through the domain's own functions."""

    def __init__(self, severity: str, policy=SEV, **milestones: datetime) -> None:
        milestones.setdefault("declared", T0)
        self.incident = Incident(id=1, title="Payments down", severity=severity, status="investigating",
                                 policy=policy, milestones=milestones)
        self.entries: list[Entry] = []

    def severity(self, level: str, at: datetime, by: str = "alice") -> "Story":
        self.incident, texts = inc.change_severity(self.incident, level)
        self.entries += [entry(text, at, author=by) for text in texts]
        return self

    def ack(self, at: datetime) -> "Story":
        self.incident, texts = inc.acknowledge(self.incident, at, "alice")
        self.entries += [entry(text, at) for text in texts]
        return self

    def evaluate(self, now: datetime):
        return evaluate(self.incident, self.entries, now)


def breaches(report) -> list:
    return [e for e in report.events() if e.key.startswith("sla:")]


# -- the history read back from the timeline -----------------------------------------------------

def test_history_is_read_from_the_system_entries_of_severity_changes() -> None:
    s = Story("SEV-1").severity("SEV-3", t(10), by="bob").severity("SEV-2", t(30))
    s.entries.append(entry("Severity lowered: SEV-1 Critical → SEV-4 Low", t(20), kind="note"))  # not system
    s.entries.append(entry("Severity lowered: SEV-9 Bogus → SEV-4 Low", t(21)))  # not the policy's labels
    assert severity_changes(s.incident, s.entries) == (
        SeverityChange(t(10), "SEV-1", "SEV-3", "bob"), SeverityChange(t(30), "SEV-3", "SEV-2", "alice"))
    periods = severity_periods(s.incident, severity_changes(s.incident, s.entries))
    assert [(p.start, p.end, p.level.key) for p in periods] == [
        (None, t(10), "SEV-1"), (t(10), t(30), "SEV-3"), (t(30), None, "SEV-2")]


def test_a_redacted_change_still_happened() -> None:
    s = Story("SEV-1").severity("SEV-3", t(10))
    s.entries = [entry(e.text, e.at, redacted=True) for e in s.entries]
    assert s.evaluate(t(30)).target("acknowledge").state == "breached"


def test_a_history_that_does_not_end_at_the_current_severity_is_not_trusted() -> None:
    s = Story("SEV-1").severity("SEV-3", t(10))
    s.entries = [entry("Severity lowered: SEV-1 Critical → SEV-2 High", t(10))]  # edited by hand
    periods = severity_periods(s.incident, severity_changes(s.incident, s.entries))
    assert [(p.start, p.level.key) for p in periods] == [(None, "SEV-3")]


# -- downgrade ---------------------------------------------------------------------------------

def test_a_downgrade_after_a_breach_does_not_erase_it() -> None:
    # the story: SEV-1 detected 20 min ago, lowered to SEV-3, then acknowledged
    s = Story("SEV-1", detected=t(-20)).severity("SEV-3", t(0)).ack(t(1))
    report = s.evaluate(t(2))
    ack = report.target("acknowledge")
    assert (ack.state, ack.level, ack.deadline, ack.breached_at) == ("missed", "SEV-1", t(-15), t(-15))
    assert ack.overdue == m(16)  # measured against SEV-1's 5 min, not SEV-3's hour
    assert report.level.key == "SEV-3"
    assert [e.key for e in breaches(report)] == ["sla:SEV-1:acknowledge"]


def test_a_downgrade_before_the_deadline_lengthens_it() -> None:
    s = Story("SEV-1").severity("SEV-3", t(3))
    report = s.evaluate(t(30))
    ack = report.target("acknowledge")
    assert (ack.state, ack.level, ack.deadline, ack.remaining) == ("pending", "SEV-3", t(60), m(30))
    assert report.events() == []
    s.ack(t(40))
    ack = s.evaluate(t(50)).target("acknowledge")
    assert (ack.state, ack.level, ack.deadline) == ("met", "SEV-3", t(60))


def test_a_breach_stays_breached_while_still_unmet_after_the_downgrade() -> None:
    s = Story("SEV-1").severity("SEV-3", t(30))
    ack = s.evaluate(t(40)).target("acknowledge")
    assert (ack.state, ack.level, ack.deadline, ack.overdue) == ("breached", "SEV-1", t(5), m(35))


def test_a_breach_under_the_earlier_level_is_kept_after_a_downgrade() -> None:
    s = Story("P0", policy=P0).severity("P3", t(10))
    report = s.evaluate(t(20))
    respond = report.target("respond")
    assert (respond.state, respond.level, respond.deadline) == ("breached", "P0", t(5))


# -- upgrade -----------------------------------------------------------------------------------

def test_an_upgrade_before_the_deadline_shortens_it() -> None:
    s = Story("SEV-3").severity("SEV-1", t(2))
    ack = s.evaluate(t(4)).target("acknowledge")
    assert (ack.state, ack.level, ack.deadline, ack.remaining) == ("pending", "SEV-1", t(5), m(1))
    s.ack(t(4))
    ack = s.evaluate(t(10)).target("acknowledge")
    assert (ack.state, ack.level, ack.deadline) == ("met", "SEV-1", t(5))


def test_an_upgrade_before_the_deadline_then_no_ack_breaches_at_the_new_deadline() -> None:
    s = Story("SEV-3").severity("SEV-1", t(2))
    report = s.evaluate(t(9))
    ack = report.target("acknowledge")
    assert (ack.state, ack.level, ack.deadline, ack.breached_at, ack.overdue) == (
        "breached", "SEV-1", t(5), t(5), m(4))
    (event,) = breaches(report)
    assert (event.key, event.at) == ("sla:SEV-1:acknowledge", t(5))


def test_an_upgrade_after_the_new_deadline_breaches_at_the_upgrade_instant() -> None:
    s = Story("SEV-3").severity("SEV-1", t(20))
    report = s.evaluate(t(25))
    ack = report.target("acknowledge")
    assert (ack.state, ack.level, ack.deadline, ack.breached_at, ack.overdue) == (
        "breached", "SEV-1", t(5), t(20), m(20))
    (event,) = breaches(report)
    assert (event.key, event.at) == ("sla:SEV-1:acknowledge", t(20))
    assert "passed at 2026-11-23 10:05:00Z" in event.text and "10:20:00Z" in event.text


def test_an_upgrade_after_the_target_was_met_changes_nothing() -> None:
    s = Story("SEV-3").ack(t(10)).severity("SEV-1", t(20))
    ack = s.evaluate(t(25)).target("acknowledge")
    assert (ack.state, ack.level, ack.deadline) == ("met", "SEV-3", t(60))
    assert s.evaluate(t(25)).events() == []


# -- several changes ---------------------------------------------------------------------------

def test_several_changes_the_first_breach_counts() -> None:
    # SEV-3 → SEV-2 at 10 (deadline 15) → SEV-1 at 12 (deadline 5: already passed → breached at 12)
    # → SEV-3 at 14: the breach under SEV-1 stays, the SEV-2 deadline never came
    s = Story("SEV-3").severity("SEV-2", t(10)).severity("SEV-1", t(12)).severity("SEV-3", t(14)).ack(t(16))
    report = s.evaluate(t(30))
    ack = report.target("acknowledge")
    assert (ack.state, ack.level, ack.breached_at, ack.overdue) == ("missed", "SEV-1", t(12), m(11))
    assert [e.key for e in breaches(report)] == ["sla:SEV-1:acknowledge"]
    assert [(c.before, c.after) for c in report.history] == [("SEV-3", "SEV-2"), ("SEV-2", "SEV-1"),
                                                           ("SEV-1", "SEV-3")]


def test_several_changes_without_a_breach_judge_under_the_level_at_the_ack() -> None:
    s = Story("SEV-3").severity("SEV-2", t(3)).ack(t(10)).severity("SEV-1", t(12)).severity("SEV-3", t(40))
    report = s.evaluate(t(50))
    ack = report.target("acknowledge")
    assert (ack.state, ack.level, ack.deadline) == ("met", "SEV-2", t(15))
    resolve = report.target("resolve")  # unmet: SEV-1's 1 h passed at 11:00? no — lowered at 10:40
    assert (resolve.state, resolve.level, resolve.deadline) == ("pending", "SEV-3", t(480))
    later = s.evaluate(t(120)).target("resolve")
    assert (later.state, later.level) == ("pending", "SEV-3")


def test_the_breach_event_is_the_same_at_every_moment_after_it() -> None:
    s = Story("SEV-1")
    first = s.evaluate(t(6)).events()
    s.severity("SEV-3", t(8))
    assert s.evaluate(t(9)).events() == first
    s.severity("SEV-2", t(10))
    assert [e.key for e in breaches(s.evaluate(t(250)))] == ["sla:SEV-1:acknowledge", "sla:SEV-2:resolve"]


# -- escalation ladders follow the same rule ---------------------------------------------------

def test_an_escalation_that_fell_due_stays_after_a_downgrade() -> None:
    s = Story("SEV-1").severity("SEV-3", t(8))  # SEV-3 has no ladder
    (step,) = s.evaluate(t(9)).escalations
    assert (step.level, step.index, step.state, step.due_at) == ("SEV-1", 0, "due", t(5))
    assert [e.key for e in s.evaluate(t(9)).events()] == ["sla:SEV-1:acknowledge", "escalation:SEV-1:0"]


def test_an_upgrade_after_the_condition_cleared_fires_no_escalation() -> None:
    s = Story("SEV-3").ack(t(10)).severity("SEV-1", t(20))
    steps = s.evaluate(t(25)).escalations
    assert [(e.level, e.state) for e in steps] == [("SEV-1", "averted"), ("SEV-1", "pending")]


def test_an_upgrade_past_a_step_makes_it_due_at_the_upgrade() -> None:
    s = Story("SEV-3").severity("SEV-1", t(20))
    step = s.evaluate(t(25)).escalations[0]
    assert (step.state, step.due_at) == ("due", t(20))


# -- replay: the severity as it stood at the cursor ---------------------------------------------

def test_replay_shows_the_severity_set_by_then_and_its_breach() -> None:
    from warroom.domain.replay import entries_until, incident_at

    s = Story("SEV-1").severity("SEV-3", t(8)).severity("SEV-2", t(30))
    assert [incident_at(s.incident, s.entries, t(x)).severity for x in (1, 8, 20, 30, 40)] == [
        "SEV-1", "SEV-3", "SEV-3", "SEV-2", "SEV-2"]
    before = incident_at(s.incident, s.entries, t(6))
    ack = evaluate(before, entries_until(s.entries, t(6)), t(6)).target("acknowledge")
    assert (before.severity, ack.state, ack.level) == ("SEV-1", "breached", "SEV-1")


# -- the status-update cadence over the same periods ---------------------------------------------

def comms(s: Story, at: datetime) -> Story:
    s.entries.append(entry("Status update: investigating", at, kind="comms"))
    return s


def test_an_upgrade_shortens_the_wait_for_the_next_update() -> None:
    # SEV-3 wants an update every 30 min, SEV-1 every 15: upgraded at minute 5, due at minute 15
    s = Story("SEV-3").severity("SEV-1", t(5))
    u = s.evaluate(t(10)).update
    assert (u.next_due, u.overdue, str(u.every)) == (t(15), None, "15 min")
    assert s.evaluate(t(20)).update.overdue == m(5)


def test_an_upgrade_after_the_shorter_interval_ran_makes_the_update_due_at_the_upgrade() -> None:
    s = Story("SEV-3").severity("SEV-1", t(20))
    u = s.evaluate(t(21)).update
    assert (u.next_due, u.overdue) == (t(20), m(1))


def test_a_downgrade_before_the_update_was_due_lengthens_the_wait() -> None:
    # SEV-1 (15 min) lowered to SEV-3 (30 min) at minute 10: no update is late at minute 20
    s = Story("SEV-1").severity("SEV-3", t(10))
    u = s.evaluate(t(20)).update
    assert (u.next_due, u.overdue, u.gaps) == (t(30), None, ())


def test_a_late_update_stays_late_after_a_downgrade() -> None:
    # SEV-1: update due at minute 15; none came; lowered to SEV-3 at minute 20; update sent at 25
    s = comms(Story("SEV-1").severity("SEV-3", t(20)), t(25))
    u = s.evaluate(t(26)).update
    assert [(g.start, g.end, g.late_by) for g in u.gaps] == [(t(0), t(25), m(10))]
    assert u.next_due == t(55)  # the next one under SEV-3's 30 minutes


def test_a_downgrade_to_a_level_without_cadence_keeps_a_miss_and_asks_nothing_more() -> None:
    ontime = Story("SEV-1").severity("SEV-4", t(10))
    u = ontime.evaluate(t(60)).update
    assert (u.next_due, u.overdue, u.gaps, u.resolved) == (None, None, (), False)
    late = Story("SEV-1").severity("SEV-4", t(20))
    u = late.evaluate(t(60)).update
    assert (u.next_due, u.overdue) == (t(15), m(45))  # the miss under SEV-1 is not erased


def test_the_cadence_report_judges_each_update_under_the_level_then() -> None:
    from warroom.domain.cadence import cadence_report
    s = Story("SEV-3")
    comms(s, t(25))                       # SEV-3: within 30 min, kept
    s.severity("SEV-1", t(30))
    comms(s, t(45))                       # SEV-1 since minute 30: due at 40, late by 5
    report = cadence_report(s.incident, s.entries, t(50))
    assert [(u.at, u.kept, u.late_by) for u in report.updates] == [(t(25), True, None), (t(45), False, m(5))]
    assert report.every == "15 min" and report.late == 1
