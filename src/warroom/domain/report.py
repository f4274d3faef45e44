"""The review's SLA sections (milestones, severity history, SLA compliance: markdown, used by
``domain.review``), the machine-readable export (JSON) and the status summary.

Pure functions of (incident, entries, now): the same data always gives the same document,
which is what the golden-file tests rely on. All user text passes through ``markdown``.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Iterable

from warroom.domain import markdown as md
from warroom.domain.actions import fields
from warroom.domain.incident import MILESTONES, Incident
from warroom.domain.severity_history import consistent
from warroom.domain.sla import DURATIONS, SlaReport, TargetClock, describe_target, evaluate, milestone_reached
from warroom.domain.text import one_line
from warroom.domain.timeline import Entry, in_order
from warroom.domain.times import format_duration, iso_utc, short_utc

_DURATION_LABELS = {
    "detect": "Time to detect (detected → declared)",
    "acknowledge": "Time to acknowledge",
    "identify": "Time to identify",
    "mitigate": "Time to mitigate",
    "resolve": "Time to resolve",
}
_ESCALATION_OUTCOME = {
    "pending": "not yet due",
    "due": "DUE — condition still holds",
    "averted": "not needed (condition cleared in time)",
    "fired": "fired (condition cleared later)",
}
TO_FILL = "_To be written._"


def duration_text(incident: Incident, now: datetime) -> str:
    end = incident.milestones.get("resolved")
    if end is None:
        return f"{format_duration(now - incident.start)} so far (open)"
    return format_duration(end - incident.start)


def milestones_section(add, incident: Incident, sla: SlaReport) -> None:
    add("## Milestones")
    add("")
    add("| Milestone | Time (UTC) | Since start |")
    add("|---|---|---|")
    for name in MILESTONES:
        reached = milestone_reached(incident.milestones, name)
        if reached is None:
            add(f"| {name} | — | |")
        else:
            at, by = reached
            implied = "" if by == name else f" (implied by {by})"
            sign = "-" if at < sla.start else ""  # acknowledged before the declaration
            add(f"| {name} | {short_utc(at)}{implied} | {sign}{format_duration(at - sla.start)} |")
    add("")
    for name in DURATIONS:
        value = sla.durations.get(name)
        add(f"- {_DURATION_LABELS[name]}: {format_duration(value) if value is not None else 'not recorded'}")
    add("")


def severity_section(add, incident: Incident, sla: SlaReport) -> None:
    add("## Severity history")
    add("")
    label = lambda key: md.cell(incident.policy.level(key).label)  # noqa: E731
    first = sla.history[0].before if sla.history else incident.severity
    add(f"Declared at {label(first)}." if sla.history else f"Declared at {label(first)}; never changed.")
    add("")
    if sla.history:
        add("| Time (UTC) | From | To | By |")
        add("|---|---|---|---|")
        for c in sla.history:
            add(f"| {short_utc(c.at)} | {label(c.before)} | {label(c.after)} | {md.cell(c.by) if c.by else '—'} |")
        add("")
        if not consistent(incident, sla.history):
            add(f"_These changes do not end at the current severity ({label(incident.severity)}): "
                "an entry was edited, so the SLA is judged under the current level only._")
            add("")


def sla_section(add, incident: Incident, sla: SlaReport) -> None:
    add("## SLA compliance")
    add("")
    add(f"Policy {md.inline(incident.policy.name)}, level {md.inline(sla.level.label)}; targets count from "
        f"{'detection' if 'detected' in incident.milestones else 'declaration'} at {short_utc(sla.start)}. "
        "Each target is judged under the severity in force when its deadline passed (or when it was met).")
    add("")
    if sla.targets:
        add("| Target | Judged under | Goal | Deadline (UTC) | Result |")
        add("|---|---|---|---|---|")
        for t in sla.targets:
            add(f"| {md.cell(t.name)} | {md.cell(t.level)} | {md.cell(str(t.span))} | {short_utc(t.deadline)} | "
                f"{md.cell(_result(t))} |")
    else:
        add("This level sets no targets.")
    add("")
    if sla.escalations:
        add("### Escalations")
        add("")
        add("| Level | Step | Due (UTC) | Outcome |")
        add("|---|---|---|---|")
        for e in sla.escalations:
            add(f"| {md.cell(e.level)} | {md.cell(e.describe)} | {short_utc(e.due_at)} | "
                f"{_ESCALATION_OUTCOME[e.state]} |")
        add("")


def _result(t: TargetClock) -> str:
    text = describe_target(t)
    if t.breached_at is not None and t.breached_at != t.deadline:
        text += f"; breached when the severity changed at {short_utc(t.breached_at)}"
    return text


def entry_text(e: Entry, escape=md.inline) -> str:
    """An entry's text for a row (``escape``: ``markdown.inline``, folding newlines), or the redaction."""
    if e.redacted:
        return f"_redacted by {escape(e.redacted_by)} at {short_utc(e.redacted_at)}: {escape(e.redaction_reason)}_"
    text = escape(e.text)
    notes = []
    if e.edited:
        notes.append(f"edited, revision {e.revision}")
    if e.backdated:
        notes.append(f"logged {short_utc(e.logged_at)}")
    if notes:
        text += f" _({'; '.join(notes)})_"
    return text


# -- JSON ---------------------------------------------------------------------------------------
def to_json_data(incident: Incident, entries: Iterable[Entry], now: datetime) -> dict[str, Any]:
    """The same content as the markdown, machine-readable (times ISO 8601 UTC, durations in seconds)."""
    entries = in_order(entries)
    sla = evaluate(incident, entries, now)
    return {
        "format": "warroom-export",
        "version": 1,
        "exported_at": iso_utc(now),
        "incident": {
            "id": incident.id,
            "title": incident.title,
            "severity": incident.severity,
            "severity_label": incident.level.label,
            "status": incident.status,
            "drill": incident.drill,
            "policy": incident.policy.to_dict(),
            "roles": dict(incident.roles),
            "services": list(incident.services),
            "impact": incident.impact,
            "summary": incident.summary,
            "milestones": {k: iso_utc(v) for k, v in incident.milestones.items()},
        },
        "severity_history": [
            {"at": iso_utc(c.at), "from": c.before, "to": c.after, "by": c.by or None} for c in sla.history
        ],
        "durations": {k: _seconds(v) for k, v in sla.durations.items()},
        "sla": {
            "start": iso_utc(sla.start),
            "targets": [
                {"name": t.name, "judged_under": t.level, "goal": str(t.span), "deadline": iso_utc(t.deadline),
                 "state": t.state, "breached_at": _iso(t.breached_at),
                 "met_at": _iso(t.met_at), "met_by": t.met_by or None, "implied": t.implied,
                 "remaining_seconds": _seconds(t.remaining), "overdue_seconds": _seconds(t.overdue)}
                for t in sla.targets
            ],
            "escalations": [
                {"level": e.level, "condition": e.step.condition, "after": str(e.step.after), "to": e.step.to,
                 "due_at": iso_utc(e.due_at), "state": e.state, "cleared_at": _iso(e.cleared_at)}
                for e in sla.escalations
            ],
            "updates": None if sla.update is None else {
                "every": str(sla.update.every),
                "sent": sla.update.updates_sent,
                "last_update": iso_utc(sla.update.last_update),
                "next_due": _iso(sla.update.next_due),
                "late": [{"after": iso_utc(g.start), "came": iso_utc(g.end), "late_seconds": _seconds(g.late_by)}
                         for g in sla.update.gaps if g.late_by is not None],
            },
        },
        "entries": [
            {
                "id": e.id, "at": iso_utc(e.at), "logged_at": iso_utc(e.logged_at), "author": e.author,
                "kind": e.kind, "text": None if e.redacted else e.text, "starred": e.starred,
                "revision": e.revision, "owner": e.owner or None, "due": _iso(e.due),
                **_action_json(e),
                "redacted": None if not e.redacted else {
                    "at": iso_utc(e.redacted_at), "by": e.redacted_by, "reason": e.redaction_reason},
                "revisions": [] if e.redacted else [
                    {"revision": r.revision, "at": iso_utc(r.at), "kind": r.kind, "text": r.text,
                     "author": r.author, "replaced_at": iso_utc(r.replaced_at), "replaced_by": r.replaced_by}
                    for r in e.history
                ],
            }
            for e in entries
        ],
    }


def _action_json(e: Entry) -> dict[str, Any]:
    """An action's tags (read from its text) and whether it is done; nothing for other kinds."""
    if e.kind != "action":
        return {}
    tags = fields(e.text) if not e.redacted else None
    return {
        "action": None if tags is None else {"type": tags.type or None, "priority": tags.priority or None,
                                             "tracker": tags.tracker or None},
        "done": None if e.done_at is None else {"at": iso_utc(e.done_at), "by": e.done_by},
    }


def _iso(dt: datetime | None) -> str | None:
    return iso_utc(dt) if dt else None


def _seconds(delta: timedelta | None) -> float | None:
    return None if delta is None else delta.total_seconds()


def status_summary(incident: Incident, entries: Iterable[Entry], now: datetime) -> str:
    """A few plain lines the comms lead can paste into Slack: where we are and what is next.

    Each line is ``one_line``: a field's newline cannot start a line of its own, and nothing in
    it (an escape sequence in a title) reaches the terminal through the clipboard's OSC 52."""
    entries = in_order(entries)
    sla = evaluate(incident, entries, now)
    drill = "[DRILL] " if incident.drill else ""
    lines = [f"{drill}[{incident.level.label}] Incident {incident.ref}: {incident.title}"]
    lines.append(f"Status: {incident.status} · open for {format_duration(now - incident.start)}"
                 if not incident.is_resolved else
                 f"Status: resolved after {format_duration(incident.milestones['resolved'] - incident.start)}")
    if incident.roles.get("commander"):
        lines.append(f"Incident commander: {incident.roles['commander']}")
    if incident.services:
        lines.append(f"Affected: {', '.join(incident.services)}")
    if incident.impact.strip():
        lines.append(f"Impact: {incident.impact.strip()}")
    latest = [e for e in entries if not e.redacted and e.kind in ("status", "decision", "action", "comms")][-3:]
    for e in latest:
        lines.append(f"- {short_utc(e.at)[11:16]} UTC {e.kind}: {e.text}")
    if sla.update is not None and sla.update.next_due is not None:
        lines.append(f"Next update by {short_utc(sla.update.next_due)[11:16]} UTC")
    return "\n".join(one_line(line) for line in lines)
