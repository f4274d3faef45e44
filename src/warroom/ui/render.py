"""Turning domain state into Rich ``Text`` for the panes.

User and cluster text is always wrapped in ``Text`` objects (never parsed as markup) and passed
through ``visible`` first, so ``[bold]`` stays literal and escape sequences cannot reach the terminal.
Every state has a text label as well as a colour (OK / DUE 4m / BREACHED 12m), for projectors and
colour-blind readers.
"""

from __future__ import annotations

from datetime import datetime, tzinfo

from rich.text import Text

from warroom.domain.incident import ROLE_LABELS, Incident
from warroom.domain.sla import SlaReport, TargetClock, urgency
from warroom.domain.text import one_line, visible
from warroom.domain.timeline import Entry
from warroom.domain.times import format_clock, format_duration

STATE_STYLE = {
    "ok": "bold green",
    "soon": "bold black on yellow",
    "breached": "bold white on red",
    "met": "green",
    "missed": "bold red",
    "pending": "dim",
    "due": "bold white on red",
    "averted": "dim green",
    "fired": "red",
}
SEVERITY_STYLE = ["bold white on red", "bold black on dark_orange", "bold black on yellow", "bold black on cyan"]
KIND_STYLE = {
    "note": "",
    "action": "bold yellow",
    "decision": "bold magenta",
    "status": "bold cyan",
    "escalation": "bold red",
    "comms": "bold blue",
    "system": "italic dim",
}
KIND_LABEL = {
    "note": "note",
    "action": "ACTION",
    "decision": "DECISION",
    "status": "STATUS",
    "escalation": "ESCALATE",
    "comms": "COMMS",
    "system": "system",
}


def user(text: str, style: str = "") -> Text:
    """User/cluster text, literally, on one line (an ellipsis where a column cuts it)."""
    return Text(one_line(text), style=style, no_wrap=True, overflow="ellipsis")


def severity_badge(incident: Incident) -> Text:
    levels = incident.policy.levels
    index = levels.index(incident.level)
    style = SEVERITY_STYLE[min(index, len(SEVERITY_STYLE) - 1)]
    return Text(f" {incident.level.key} ", style=style)


def header_line(incident: Incident | None, now: datetime, local: tzinfo, compact: bool = False) -> Text:
    """The header strip; ``compact`` (80 columns) drops words, never the clocks."""
    if compact:
        clock = Text(f"{now.astimezone(local):%H:%M} {now:%H:%M}Z", style="bold")
    else:
        clock = Text(f"{now.astimezone(local):%H:%M:%S} local  {now:%H:%M:%S}Z", style="bold")
    if incident is None:
        out = Text.assemble(Text(" warroom ", style="bold reverse"), "  no incident open — F2 declare · F3 open  ")
        return _right(out, clock)
    end = incident.milestones.get("resolved", now)
    since = "detection" if "detected" in incident.milestones else "declaration"
    status_style = "bold green" if incident.is_resolved else "bold"
    ic = incident.roles.get("commander")
    out = Text()
    if incident.drill:
        out.append(" DRILL ", style="bold black on bright_magenta")
        out.append(" ")
    out.append_text(severity_badge(incident))
    if compact:
        out.append(f" ⏱{format_clock(end - incident.start)} ", style="bold")
        out.append(incident.status.upper(), style=status_style)
        out.append_text(_right(Text(" "), clock))
        out.append(" ")
        out.append(f"{incident.ref} ", style="bold")
        out.append_text(user(incident.title, "bold"))
        return out
    out.append(f" {incident.ref} ", style="bold")
    out.append_text(user(incident.title, "bold"))
    out.append("  ")
    out.append(incident.status.upper(), style=status_style)
    out.append("  IC ")
    out.append_text(user(ic, "bold") if ic else Text("unassigned", style="dim"))
    out.append(f"  ⏱ {format_clock(end - incident.start)} since {since}")
    return _right(out, clock)


def _right(left: Text, right: Text) -> Text:
    left.append("  ")
    left.append_text(right)
    return left


def target_label(clock: TargetClock, now: datetime) -> Text:
    state = urgency(clock, now)
    if state == "met":
        text = "MET" + (" (implied)" if clock.implied else "")
    elif state == "missed":
        text = f"MISSED by {format_duration(clock.overdue)}"
    elif state == "breached":
        text = f"BREACHED {format_duration(clock.overdue)}"
    elif state == "soon":
        text = f"DUE {format_duration(clock.remaining)}"
    else:
        text = f"OK {format_duration(clock.remaining)} left"
    return Text(f" {text} ", style=STATE_STYLE[state])


TARGET_NAMES = {"acknowledge": "Acknowledge", "respond": "Respond", "mitigate": "Mitigate", "resolve": "Resolve"}


def sla_lines(incident: Incident, report: SlaReport, local: tzinfo) -> Text:
    now = report.now
    out = Text()
    out.append_text(severity_badge(incident))
    out.append(f" {incident.level.name}", style="bold")
    out.append(f"  targets from {'detection' if 'detected' in incident.milestones else 'declaration'} "
               f"{report.start.astimezone(local):%H:%M}\n", style="dim")
    if not report.targets:
        out.append("  this level sets no targets\n", style="dim")
    for t in report.targets:
        out.append(f"{TARGET_NAMES[t.name]:<12}", style="bold")
        out.append(f"{str(t.span):<9}")
        out.append(f"by {t.deadline.astimezone(local):%H:%M}  ")
        out.append_text(target_label(t, now))
        out.append("\n")
    u = report.update
    if u is not None:
        out.append(f"{'Next update':<12}", style="bold")
        out.append(f"{str(u.every):<9}")
        if u.next_due is None:
            out.append("—  no more updates (resolved)\n", style="dim")
        else:
            out.append(f"by {u.next_due.astimezone(local):%H:%M}  ")
            if u.overdue is not None:
                out.append(f" OVERDUE {format_duration(u.overdue)} ", style=STATE_STYLE["breached"])
            else:
                left = u.next_due - now
                state = "soon" if left.total_seconds() <= 120 else "ok"
                out.append(f" {'DUE' if state == 'soon' else 'OK'} {format_duration(left)}"
                           f"{' left' if state == 'ok' else ''} ", style=STATE_STYLE[state])
            out.append("\n")
    for e in report.escalations:
        out.append(f"{'Escalate':<12}", style="bold")
        out.append(f"{e.step.condition} {e.step.after} → ")
        out.append_text(user(e.step.to, "bold"))
        out.append("  ")
        if e.state == "pending":
            out.append(f" in {format_duration(e.due_at - now)} ", style=STATE_STYLE["pending"])
        elif e.state == "due":
            out.append(f" DUE NOW — call {one_line(e.step.to)} ", style=STATE_STYLE["due"])
        elif e.state == "averted":
            out.append(" not needed ", style=STATE_STYLE["averted"])
        else:
            out.append(f" FIRED {e.due_at.astimezone(local):%H:%M} ", style=STATE_STYLE["fired"])
        out.append("\n")
    out.rstrip()
    return out


def time_cell(entry: Entry, local: tzinfo | None, today: datetime) -> Text:
    """``10:15:02`` local (or ``10:15:02Z``); the date too when it is not the incident's day."""
    at = entry.at if local is None else entry.at.astimezone(local)
    ref = today if local is None else today.astimezone(local)
    stamp = f"{at:%H:%M:%S}" + ("Z" if local is None else "")
    if at.date() != ref.date():
        stamp = f"{at:%m-%d} {stamp}"
    style = "dim" if entry.kind == "system" else ""
    return Text(stamp, style=style)


def marks_cell(entry: Entry) -> Text:
    out = Text()
    out.append("★" if entry.starred else " ", style="bold yellow")
    out.append("✎" if entry.edited else " ", style="dim")
    out.append("↶" if entry.backdated else " ", style="dim")
    return out


def kind_cell(entry: Entry) -> Text:
    return Text(KIND_LABEL[entry.kind], style=KIND_STYLE[entry.kind])


def text_cell(entry: Entry) -> Text:
    if entry.redacted:
        return Text.assemble(Text("redacted: ", style="italic dim"), user(entry.redaction_reason, "italic dim"))
    text = user(entry.text, KIND_STYLE["system"] if entry.kind == "system" else "")
    if entry.kind == "action" and (entry.owner or entry.due):
        extra = Text(style="dim")
        if entry.owner:
            extra.append(f"  @{one_line(entry.owner)}")
        if entry.due:
            extra.append(f"  by {entry.due:%H:%M}Z")
        text.append_text(extra)
    return text


def detail(entry: Entry, local: tzinfo) -> Text:
    """The selected entry in full (wrapped), with who/when/revisions."""
    out = Text()
    out.append(f"{entry.at.astimezone(local):%Y-%m-%d %H:%M:%S} local · {entry.at:%H:%M:%S}Z · ", style="dim")
    out.append(KIND_LABEL[entry.kind], style=KIND_STYLE[entry.kind])
    out.append(" · ", style="dim")
    out.append_text(user(entry.author, "dim"))
    if entry.backdated:
        out.append(f" · logged {entry.logged_at.astimezone(local):%H:%M:%S}", style="dim")
    if entry.edited:
        out.append(f" · revision {entry.revision}", style="dim")
    out.append("\n")
    if entry.redacted:
        out.append("redacted by ", style="italic")
        out.append_text(user(entry.redacted_by, "italic"))
        out.append(": ", style="italic")
        out.append_text(user(entry.redaction_reason, "italic"))
    else:
        out.append(visible(entry.text))
    return out


def roles_line(incident: Incident) -> Text:
    out = Text()
    for role, label in ROLE_LABELS.items():
        name = incident.roles.get(role)
        out.append(f"{label}: ", style="dim")
        out.append_text(user(name, "bold") if name else Text("—", style="dim"))
        out.append("  ")
    return out
