"""The SLA clock: a pure function of (incident, timeline, now).

For every target of the incident's severity level it gives the deadline and whether it is
met, missed (met late), pending (time left) or breached (overdue, not met); the escalation
ladder's steps (pending, due now, averted, fired); when the next status update is due; and
the durations to detect, acknowledge, identify, mitigate and resolve.

How targets are met:
- acknowledge: the acknowledged milestone; if none was recorded, the first later milestone
  (identified, mitigated, resolved) implies it — reported as implied, never silently.
- respond: the first human response — an action, decision, status or comms entry — or a later
  milestone; when the level has no acknowledge target, acknowledging counts as responding.
- mitigate: the mitigated milestone, implied by resolved.
- resolve: the resolved milestone.
Targets count from detection (declaration when detection is unknown). A target met exactly
on its deadline is met; a pending target is breached only once ``now`` is past the deadline.

Severity changes (read from the timeline, :mod:`warroom.domain.severity_history`) move the
deadlines: each target is judged under the level in force at each instant. It is breached at
the first instant where, under the level then in force, its deadline has passed and it is not
met — at that deadline, or at the instant of an upgrade whose shorter deadline had already
passed. A breach stays: a later downgrade never erases it, and it is measured against the
deadline of the level it was judged under. A target never breached is judged under the level in
force when it was met, or, still open, under the current level (an upgrade shortens its
deadline, a downgrade lengthens it).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Iterable, Literal, Mapping

from warroom.domain.audience_mark import is_responders
from warroom.domain.incident import Incident
from warroom.domain.policy import EscalationStep, Level, Span
from warroom.domain.severity_history import SeverityChange, SeverityPeriod, severity_changes, severity_periods
from warroom.domain.timeline import RESPONSE_KINDS, Entry
from warroom.domain.times import format_duration, short_utc

TargetState = Literal["met", "missed", "pending", "breached"]
EscalationState = Literal["pending", "due", "averted", "fired"]

#: Milestones that imply a target was met when its own milestone was never recorded.
_IMPLIED_BY = {
    "acknowledge": ("acknowledged", "identified", "mitigated", "resolved"),
    "mitigate": ("mitigated", "resolved"),
    "resolve": ("resolved",),
}
_CLEARED_BY = {
    "unacknowledged": ("acknowledged", "identified", "mitigated", "resolved"),
    "unidentified": ("identified", "mitigated", "resolved"),
    "unresolved": ("resolved",),
}
DURATIONS = ("detect", "acknowledge", "identify", "mitigate", "resolve")
_DURATION_MILESTONE = {
    "acknowledge": "acknowledged", "identify": "identified", "mitigate": "mitigated", "resolve": "resolved",
}


@dataclass(frozen=True)
class TargetClock:
    name: str
    span: Span
    deadline: datetime
    state: TargetState
    met_at: datetime | None = None
    met_by: str = ""  # "acknowledged", "first action entry", …
    implied: bool = False
    remaining: timedelta | None = None  # pending: time left (≥ 0)
    overdue: timedelta | None = None  # breached: time past the deadline; missed: missed by
    level: str = ""  # the key of the level it was judged under
    breached_at: datetime | None = None  # breached or missed: when (the deadline, or a later upgrade)

    @property
    def done(self) -> bool:
        return self.state in ("met", "missed")


@dataclass(frozen=True)
class EscalationClock:
    index: int
    step: EscalationStep
    due_at: datetime
    state: EscalationState
    cleared_at: datetime | None = None
    level: str = ""  # the key of the level whose ladder it is

    @property
    def describe(self) -> str:
        return f"{self.step.condition} after {self.step.after} → {self.step.to}"


@dataclass(frozen=True)
class UpdateGap:
    start: datetime
    end: datetime
    late_by: timedelta | None  # None: kept the cadence


@dataclass(frozen=True)
class UpdateClock:
    every: Span
    last_update: datetime  # the last comms entry, or the declaration
    next_due: datetime | None  # None once resolved
    overdue: timedelta | None
    gaps: tuple[UpdateGap, ...]
    updates_sent: int
    resolved: bool = False  # next_due None: resolved, or else the level in force sets no cadence


@dataclass(frozen=True)
class SlaEvent:
    """Something the timeline should record exactly once (``key`` de-duplicates across processes)."""

    key: str
    at: datetime
    kind: str
    text: str


@dataclass(frozen=True)
class SlaReport:
    now: datetime
    start: datetime
    level: Level
    targets: tuple[TargetClock, ...]
    escalations: tuple[EscalationClock, ...]
    update: UpdateClock | None
    durations: Mapping[str, timedelta | None]
    history: tuple[SeverityChange, ...] = ()

    def target(self, name: str) -> TargetClock | None:
        return next((t for t in self.targets if t.name == name), None)

    def events(self) -> list[SlaEvent]:
        """Breaches and escalation steps that have happened, for one system entry each."""
        out = []
        for t in self.targets:
            if t.state in ("breached", "missed"):
                at = t.breached_at or t.deadline
                late = f" (the deadline had passed when the severity changed at {short_utc(at)})" \
                    if at != t.deadline else ""
                out.append(SlaEvent(
                    key=f"sla:{t.level or self.level.key}:{t.name}",
                    at=at,
                    kind="system",
                    text=f"SLA breached: {t.name} target of {t.level or self.level.key} ({t.span}) passed at "
                         f"{short_utc(t.deadline)}{late}",
                ))
        for e in self.escalations:
            if e.state in ("due", "fired"):
                out.append(SlaEvent(
                    key=f"escalation:{e.level or self.level.key}:{e.index}",
                    at=e.due_at,
                    kind="escalation",
                    text=f"Escalation due: {e.step.condition} after {e.step.after} → call {e.step.to}",
                ))
        return out


def evaluate(incident: Incident, entries: Iterable[Entry], now: datetime) -> SlaReport:
    level = incident.level
    hours = incident.policy.business_hours
    start = incident.start
    ms = incident.milestones
    entries = list(entries)
    live = [e for e in entries if not e.redacted]
    first_response = min((e.at for e in live if e.kind in RESPONSE_KINDS), default=None)
    history = severity_changes(incident, entries)
    periods = severity_periods(incident, history)

    names = list(level.targets)
    for p in periods:
        names += [n for n in p.level.targets if n not in names]
    targets = []
    for name in names:
        clock = _judge(name, periods, level, start, hours, ms, first_response, now)
        if clock is not None:
            targets.append(clock)

    escalations = _escalations(periods, level, start, hours, ms, now)

    return SlaReport(
        now=now,
        start=start,
        level=level,
        targets=tuple(targets),
        escalations=tuple(escalations),
        update=_update_clock(periods, level, incident, live, now),
        durations=durations(ms),
        history=history,
    )


def _escalations(periods: tuple[SeverityPeriod, ...], current: Level, start: datetime, hours,
                 ms: Mapping[str, datetime], now: datetime) -> list[EscalationClock]:
    """Each ladder step over the severity periods, by the targets' rule: a step falls due at the
    first instant where its level is in force, its time has passed and its condition still holds;
    a step that fell due stays in the record whatever the level later. The current level's other
    steps follow: averted once their condition cleared, pending until then."""
    happened: dict[tuple[str, int], EscalationClock] = {}
    for p in periods:
        for i, step in enumerate(p.level.escalation):
            if (p.level.key, i) in happened:
                continue
            due_at = step.after.after(start, hours)
            cleared = _first(ms, _CLEARED_BY[step.condition])
            cleared_at = cleared[1] if cleared else None
            end = cleared_at if cleared_at is not None else now
            trigger = due_at if p.start is None else max(p.start, due_at)
            if trigger < (end if p.end is None else min(p.end, end)):
                state: EscalationState = "fired" if cleared_at is not None else "due"
                happened[(p.level.key, i)] = EscalationClock(i, step, trigger, state, cleared_at, p.level.key)
    out = [c for (key, _), c in happened.items() if key != current.key]
    for i, step in enumerate(current.escalation):
        clock = happened.get((current.key, i))
        if clock is None:
            cleared = _first(ms, _CLEARED_BY[step.condition])
            cleared_at = cleared[1] if cleared else None
            state = "averted" if cleared_at is not None else "pending"
            clock = EscalationClock(i, step, step.after.after(start, hours), state, cleared_at, current.key)
        out.append(clock)
    return out


def _judge(name: str, periods: tuple[SeverityPeriod, ...], current: Level, start: datetime, hours,
           ms: Mapping[str, datetime], first_response: datetime | None, now: datetime) -> TargetClock | None:
    """One target over the severity periods (see the module docstring); None when no level in
    force sets it and it was never breached."""
    met_in: TargetClock | None = None
    for p in periods:
        span = p.level.targets.get(name)
        if span is None:
            continue
        deadline = span.after(start, hours)
        met_at, met_by, implied = _met(name, ms, first_response, "acknowledge" in p.level.targets)
        end = met_at if met_at is not None else now
        breach = deadline if p.start is None else max(p.start, deadline)
        stop = end if p.end is None else min(p.end, end)
        if breach < stop:
            state: TargetState = "missed" if met_at is not None else "breached"
            return TargetClock(name, span, deadline, state, met_at, met_by, implied, overdue=end - deadline,
                               level=p.level.key, breached_at=breach)
        if met_in is None and met_at is not None and p.holds(met_at):
            met_in = TargetClock(name, span, deadline, "met", met_at, met_by, implied, level=p.level.key)
    if met_in is not None:
        return met_in
    span = current.targets.get(name)
    if span is None:
        return None
    met_at, met_by, implied = _met(name, ms, first_response, "acknowledge" in current.targets)
    clock = _clock(name, span, span.after(start, hours), met_at, met_by, implied, now)
    if clock.state == "pending" and clock.remaining is not None and clock.remaining < timedelta(0):
        clock = replace(clock, remaining=timedelta(0))  # an upgrade at this very instant
    return replace(clock, level=current.key,
                   breached_at=clock.deadline if clock.state in ("missed", "breached") else None)


def durations(ms: Mapping[str, datetime]) -> dict[str, timedelta | None]:
    """MTTD and friends for one incident: each measured from detection (declaration if unknown)."""
    start = ms.get("detected") or ms.get("declared")
    out: dict[str, timedelta | None] = {
        "detect": ms["declared"] - ms["detected"] if "detected" in ms and "declared" in ms else None
    }
    for name, milestone in _DURATION_MILESTONE.items():
        # Acknowledged before the declaration (detection unknown): it took no time after the start.
        out[name] = max(ms[milestone] - start, timedelta(0)) if milestone in ms and start else None
    return out


def urgency(clock: TargetClock, now: datetime) -> Literal["ok", "soon", "breached", "met", "missed"]:
    """Colour class for a target: due soon when ≤ 20 % of its span is left (at least 2, at most 30 min)."""
    if clock.state in ("met", "missed", "breached"):
        return clock.state
    if clock.span.business:
        window = timedelta(minutes=30)
    else:
        window = min(max(timedelta(minutes=clock.span.amount) * 0.2, timedelta(minutes=2)), timedelta(minutes=30))
    return "soon" if clock.remaining is not None and clock.remaining <= window else "ok"


def _met(name: str, ms: Mapping[str, datetime], first_response: datetime | None,
         has_ack_target: bool) -> tuple[datetime | None, str, bool]:
    if name == "respond":
        candidates = [("identified", ms.get("identified")), ("mitigated", ms.get("mitigated")),
                      ("resolved", ms.get("resolved")), ("first response entry", first_response)]
        if not has_ack_target:
            candidates.append(("acknowledged", ms.get("acknowledged")))
        found = [(at, label) for label, at in candidates if at is not None]
        if not found:
            return None, "", False
        at, label = min(found)
        return at, label, False
    found_ms = _first(ms, _IMPLIED_BY[name])
    if not found_ms:
        return None, "", False
    milestone, at = found_ms
    return at, milestone, milestone != _IMPLIED_BY[name][0]


def _first(ms: Mapping[str, datetime], names: tuple[str, ...]) -> tuple[str, datetime] | None:
    for n in names:
        if n in ms:
            return n, ms[n]
    return None


def _clock(name, span, deadline, met_at, met_by, implied, now) -> TargetClock:
    if met_at is not None:
        if met_at <= deadline:
            return TargetClock(name, span, deadline, "met", met_at, met_by, implied)
        return TargetClock(name, span, deadline, "missed", met_at, met_by, implied, overdue=met_at - deadline)
    if now > deadline:
        return TargetClock(name, span, deadline, "breached", overdue=now - deadline)
    return TargetClock(name, span, deadline, "pending", remaining=deadline - now)


def _update_clock(periods: tuple[SeverityPeriod, ...], current: Level, incident: Incident, live: list[Entry],
                  now: datetime) -> UpdateClock | None:
    """The status-update cadence over the severity periods, by the targets' rule: the update after
    a mark (the declaration or the last update) falls due at the first instant where the level in
    force sets a cadence and its interval since the mark has passed. An upgrade to a shorter
    cadence makes an update due at once when the shorter interval has already run; a downgrade
    lengthens the wait; a window that ran late stays late."""
    cadences = [p.level.update_every for p in periods if p.level.update_every is not None]
    if not cadences:
        return None
    every = current.update_every or cadences[-1]
    hours = incident.policy.business_hours
    declared = incident.milestones["declared"]
    resolved = incident.milestones.get("resolved")
    sent = sorted(e.at for e in live if e.kind == "comms" and e.at >= declared and is_responders(e))
    if resolved is not None:
        sent = [t for t in sent if t <= resolved]
    marks = [declared, *sent]
    end = resolved if resolved is not None else now
    gaps = []
    for i, (a, b) in enumerate(zip(marks, [*marks[1:], end])):
        due = _update_due(periods, a, hours)
        late = b - due if due is not None and b > due else None
        if i == len(marks) - 1 and resolved is None and late is None:
            continue  # the current window is still open and on time
        gaps.append(UpdateGap(a, b, late))
    last = marks[-1]
    next_due = None if resolved is not None else _update_due(periods, last, hours)
    overdue = now - next_due if next_due is not None and now > next_due else None
    return UpdateClock(every, last, next_due, overdue, tuple(gaps), len(sent), resolved is not None)


def _update_due(periods: tuple[SeverityPeriod, ...], mark: datetime, hours) -> datetime | None:
    """The first instant after ``mark`` at which the level in force wants the next update."""
    for p in periods:
        if p.end is not None and p.end <= mark:
            continue
        every = p.level.update_every
        if every is None:
            continue
        due = every.after(mark, hours)
        if p.start is not None and due < p.start:
            due = p.start  # an upgrade to a cadence that had already run: due at the upgrade
        if p.end is None or due < p.end:
            return due
    return None


def describe_target(clock: TargetClock) -> str:
    """One line for reports and the CLI: ``met (4m12s, acknowledged)`` / ``missed by 3m``."""
    how = f"{clock.met_by}, implied" if clock.implied else clock.met_by
    if clock.state == "met":
        return f"met at {short_utc(clock.met_at)} ({how})"
    if clock.state == "missed":
        return f"missed by {format_duration(clock.overdue)} (at {short_utc(clock.met_at)}, {how})"
    if clock.state == "breached":
        return f"BREACHED {format_duration(clock.overdue)} ago, not met"
    return f"{format_duration(clock.remaining)} left"


#: the milestone each target waits for (the first of ``_IMPLIED_BY``'s names)
_TARGET_OF = {names[0]: target for target, names in _IMPLIED_BY.items()}


def milestone_reached(ms: Mapping[str, datetime], name: str) -> tuple[datetime, str] | None:
    """When milestone ``name`` was reached, by the one rule the SLA clock, the export and the drill
    report all use: recorded, or implied by a later one (resolved implies mitigated; any of
    identified, mitigated, resolved implies acknowledged). ``(at, by)``: ``by`` names the milestone
    it was taken from (``name`` itself when recorded); None when not reached."""
    target = _TARGET_OF.get(name)
    found = _first(ms, _IMPLIED_BY[target]) if target else ((name, ms[name]) if name in ms else None)
    return (found[1], found[0]) if found else None
