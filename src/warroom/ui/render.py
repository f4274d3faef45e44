"""Turning domain state into Rich ``Text`` for the panes.

User and cluster text is always wrapped in ``Text`` objects (never parsed as markup) and passed
through ``visible`` first, so ``[bold]`` stays literal and escape sequences cannot reach the terminal.
Every state has a text label as well as a colour (OK / DUE 4m / BREACHED 12m), for projectors and
colour-blind readers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, tzinfo

from rich.console import Console
from rich.text import Text

from warroom.domain.incident import ROLE_LABELS, Incident
from warroom.domain.sla import SlaReport, TargetClock
from warroom.domain.sla_words import TARGET_NAMES, target_words, update_words
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


def header_line(incident: Incident | None, now: datetime, local: tzinfo, compact: bool = False,
                drill: str = "") -> Text:
    """The header strip; ``compact`` (80 columns) drops words, never the clocks. ``drill``: the
    drill clock's label (``10× 4:12/45:00``) beside the DRILL badge."""
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
        if drill:
            out.append(f" {drill} ", style="bold bright_magenta")
        out.append(" ")
    out.append_text(severity_badge(incident))
    if compact:
        out.append(f" ⏱{format_clock(end - incident.start)} ", style="bold")
        out.append(incident.status.upper(), style=status_style)
        if not incident.drill:  # a drill has its own clock beside the badge: the title gets the room
            out.append_text(_right(Text(" "), clock))
        out.append(" ")
        out.append(f" {incident.ref} " if incident.drill else f"{incident.ref} ", style="bold")
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
    state, text = target_words(clock, now)
    return Text(f" {text} ", style=STATE_STYLE[state])




def sla_lines(incident: Incident, report: SlaReport, local: tzinfo) -> Text:
    now = report.now
    out = Text()
    out.append_text(severity_badge(incident))
    out.append(f" {one_line(incident.level.name)}", style="bold")
    out.append(f"  targets from {'detection' if 'detected' in incident.milestones else 'declaration'} "
               f"{report.start.astimezone(local):%H:%M}\n", style="dim")
    if not report.targets:
        out.append("  this level sets no targets\n", style="dim")
    for t in report.targets:
        out.append(f"{TARGET_NAMES[t.name]:<12}", style="bold")
        out.append(f"{str(t.span):<9}")
        out.append(f"by {t.deadline.astimezone(local):%H:%M}  ")
        out.append_text(target_label(t, now))
        if t.level and t.level != report.level.key:  # judged under the level in force then (issue #19)
            out.append(f" under {one_line(t.level)}", style="dim")
        out.append("\n")
    u = report.update
    if u is not None:
        out.append(f"{'Next update':<12}", style="bold")
        out.append(f"{str(u.every):<9}")
        if u.next_due is None:
            out.append("—  no more updates (resolved)\n" if u.resolved
                       else f"—  {one_line(report.level.key)} sets no cadence\n", style="dim")
        else:
            out.append(f"by {u.next_due.astimezone(local):%H:%M}  ")
            state, words = update_words(u, now)
            out.append(f" {words} ", style=STATE_STYLE[state])
            out.append("\n")
    for e in report.escalations:
        out.append(f"{'Escalate':<12}", style="bold")
        out.append(f"{one_line(e.step.condition)} {e.step.after} → ")
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
        if e.level and e.level != report.level.key:
            out.append(f" under {one_line(e.level)}", style="dim")
        out.append("\n")
    out.rstrip()
    return out


def time_cell(entry: Entry, local: tzinfo | None) -> Text:
    """``10:15:02`` local (or ``10:15:02Z``): always 8 (9) wide; the day is on a separator line
    above the first entry of each day other than the incident's (``day_separator``)."""
    at = entry.at if local is None else entry.at.astimezone(local)
    stamp = f"{at:%H:%M:%S}" + ("Z" if local is None else "")
    style = "dim" if entry.kind == "system" else ""
    return Text(stamp, style=style)


def day_separator(day: date, width: int, with_year: bool = False) -> Text:
    """``── Tue 24 Nov ───────``: the line above the first entry of a day, ``width`` wide."""
    label = f" {day:%a} {day.day} {day:%b}{f' {day.year}' if with_year else ''} "
    out = Text("──", style="dim", no_wrap=True, overflow="crop")
    out.append(label, style="bold")
    out.append("─" * max(0, width - len(label) - 3), style="dim")
    out.append(" ")
    out.truncate(width, pad=True)
    return out


def marks_cell(entry: Entry) -> Text:
    out = Text()
    out.append("★" if entry.starred else " ", style="bold yellow")
    out.append("✎" if entry.edited else " ", style="dim")
    out.append("↶" if entry.backdated else " ", style="dim")
    return out


def kind_cell(entry: Entry) -> Text:
    return Text(KIND_LABEL[entry.kind], style=KIND_STYLE[entry.kind])


OWNER_W = 12  # an action's owner in the timeline row: longer names are cut (the full view has them)


def text_cell(entry: Entry, local: tzinfo | None = None) -> Text:
    """The entry column. An action's owner and due time come first (``@bob by 14:30``), so a
    column that cuts the text never cuts them; ``local`` None: times in UTC (``Z``)."""
    if entry.redacted:
        return Text.assemble(Text("redacted: ", style="italic dim"), user(entry.redaction_reason, "italic dim"))
    text = user(entry.text, KIND_STYLE["system"] if entry.kind == "system" else "")
    head = action_head(entry, local)
    if head:
        return Text.assemble(head, " ", text, no_wrap=True, overflow="ellipsis")
    return text


def action_head(entry: Entry, local: tzinfo | None) -> Text:
    """``@bob by 14:30`` (``by Tue 14:30`` when due another day than the entry's), after ``✓ done``
    once it is done; empty for anything but an action with an owner, a due time or done."""
    out = Text(no_wrap=True)
    if entry.kind != "action" or not (entry.owner or entry.due or entry.done_at):
        return out
    if entry.done_at:
        out.append("✓ done", style="bold")
        if entry.owner or entry.due:
            out.append(" ")
    if entry.owner:
        owner = one_line(entry.owner)
        owner = owner if len(owner) <= OWNER_W else owner[: OWNER_W - 1] + "…"
        out.append(f"@{owner}", style="bold")
    if entry.due:
        due = entry.due if local is None else entry.due.astimezone(local)
        at = entry.at if local is None else entry.at.astimezone(local)
        day = "" if due.date() == at.date() else f"{due:%a} "
        out.append(f"{' ' if entry.owner else ''}by {day}{due:%H:%M}{'Z' if local is None else ''}", style="bold")
    return out


MORE = " … Enter: whole entry"
MORE_SHORT = " …[+]"


def detail(entry: Entry, local: tzinfo, width: int | None = None, height: int | None = None) -> Text:
    """The selected entry under the list: who/when/revisions, then its text wrapped. Given the
    space it has (``width`` × ``height``), it is cut to fit, and a cut one ends with ``MORE``:
    the full-entry view (Enter) shows the rest."""
    out = Text()
    here = entry.at.astimezone(local)
    out.append(f"{here.day} {here:%b %H:%M:%S} local · {entry.at:%H:%M:%S}Z · ", style="dim")
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
        head = action_head(entry, local)
        if head:
            out.append_text(head)
            out.append(" ")
        out.append(visible(entry.text))
    if not width or not height:
        return out
    return fit(out, width, height)


def fit(text: Text, width: int, height: int) -> Text:
    """``text`` wrapped to ``width`` and cut to ``height`` lines, the last one ending with a sign
    that there is more when anything was cut (lines joined by newlines: what is shown is what was
    measured)."""
    lines = text.wrap(_CONSOLE, width)
    if len(lines) <= height:
        return Text("\n").join(lines)
    kept = list(lines[:height])
    more = MORE if width >= 2 * len(MORE) else MORE_SHORT
    last = kept[-1]
    last.rstrip()
    last.truncate(max(0, width - len(more)))
    last.append(more, style="bold reverse")
    return Text("\n").join(kept)


_CONSOLE = Console(width=80, color_system=None, force_terminal=False, legacy_windows=False)


def roles_line(incident: Incident) -> Text:
    out = Text()
    for role, label in ROLE_LABELS.items():
        name = incident.roles.get(role)
        out.append(f"{label}: ", style="dim")
        out.append_text(user(name, "bold") if name else Text("—", style="dim"))
        out.append("  ")
    return out


# -- metrics ------------------------------------------------------------------------------------
_BLOCKS = "▁▂▃▄▅▆▇█"
VERDICT_STYLE = {"OK": "bold green", "WARN": "bold black on yellow", "CRIT": "bold white on red",
                 "NO DATA": "dim"}


def spark_chars(values: list[float], lo: float, hi: float) -> str:
    """Unicode blocks for ``values`` on a shared ``lo..hi`` scale (NaN/inf shown as a space)."""
    import math

    out = []
    span = hi - lo
    for v in values:
        if v is None or math.isnan(v) or math.isinf(v):
            out.append(" ")
        elif span <= 0:
            out.append(_BLOCKS[0])
        else:
            out.append(_BLOCKS[min(len(_BLOCKS) - 1, max(0, int((v - lo) / span * (len(_BLOCKS) - 1) + 0.5)))])
    return "".join(out)


def _resample(values: list[float], width: int) -> list[float]:
    """The last ``width`` buckets of ``values`` (max per bucket: spikes must not vanish)."""
    if len(values) <= width:
        return values
    step = len(values) / width
    return [max(values[int(i * step): max(int((i + 1) * step), int(i * step) + 1)]) for i in range(width)]


@dataclass(frozen=True)
class MetricColumns:
    """The widths of a panel line's columns, the same for every panel of the pane (they line up)."""

    title: int
    value: int
    base: int
    ratio: int
    deviation: int  # 0: not shown (a narrow line)
    compact: bool  # no "base" word, no deviation


def metric_columns(views, width: int) -> MetricColumns:
    """Columns as wide as the pane's values need (a few cells at least, so that they seldom move),
    the title getting the rest of ``width``: a short pane keeps its titles readable."""
    from warroom.domain.units import format_deviation, format_ratio, format_value

    readings = [(v.panel, v.reading) for v in views if v.reading is not None]
    value = max([7, *(len(format_value(r.current, p.unit)) for p, r in readings)])
    base = max([7, *(len("—" if r.baseline is None else format_value(r.baseline, p.unit)) for p, r in readings)])
    ratio = max([5, *(len(format_ratio(r.ratio)) for _, r in readings if r.ratio is not None)])
    deviation = max([6, *(len(format_deviation(r.deviation_pct)) for _, r in readings if r.deviation_pct is not None)])
    verdict = max([4, *(len(r.verdict) for _, r in readings)]) + 2  # a badge: a space either side
    compact = width < 62
    # title, a space, value, " base " or " ", base, a space, ratio, [a space, deviation], a space, verdict
    fixed = 1 + value + (1 if compact else 6) + base + 1 + ratio + (0 if compact else 1 + deviation) + 1 + verdict
    return MetricColumns(max(6, width - fixed), value, base, ratio, 0 if compact else deviation, compact)


def metric_panel(view, now: datetime, width: int, with_baseline: bool = True, stale_limit=None,
                 title: str | None = None, sparklines: bool = True, columns: MetricColumns | None = None) -> Text:
    """Two or three lines for one panel: value vs baseline with a verdict, then the sparklines
    (one line when ``sparklines`` is false: the pane is short, the values must all be seen).

    ``title``: the title to show (:func:`warroom.domain.panel_titles.short_titles`: panels named
    alike stay apart in a narrow column); the panel's own, cut, by default.
    ``columns``: the pane's (:func:`metric_columns`); this panel's alone by default.
    ``stale_limit``: how old a reading may be before it shows STALE with its age even though no
    poll has reported an error yet (see :func:`warroom.domain.metrics_view.stale_age`)."""
    import math

    from warroom.domain.units import format_deviation, format_ratio, format_value

    p, r = view.panel, view.reading
    c = columns or metric_columns([view], width)
    out = Text(no_wrap=True, overflow="ellipsis")
    title = title if title is not None else p.title
    title = title if len(title) <= c.title else title[: c.title - 1] + "…"
    out.append_text(user(title.ljust(c.title), "bold"))
    out.append(" ")
    if r is None:
        out.append(" waiting for the first reading" if not view.error else "", style="dim")
    else:
        out.append(f"{format_value(r.current, p.unit):>{c.value}}")
        base = "—" if r.baseline is None else format_value(r.baseline, p.unit)
        out.append(f" {base:<{c.base}}" if c.compact else f" base {base:<{c.base}}", style="dim")
        out.append(f" {format_ratio(r.ratio) if r.ratio is not None else '':>{c.ratio}}")
        if c.deviation:
            out.append(f" {format_deviation(r.deviation_pct) if r.deviation_pct is not None else '':>{c.deviation}}")
        out.append(" ")
        out.append(f" {r.verdict} ", style=VERDICT_STYLE[r.verdict])
    stale = view.stale_for(now, stale_limit)
    if view.error or stale is not None:
        out.append("\n")
        label = f"STALE {format_duration(stale)} — " if stale is not None else "ERROR — "
        out.append(label, style="bold black on yellow" if stale is not None else "bold white on red")
        room = max(10, width - len(label))
        detail = view.error or "no fresh reading: the source has not answered yet"
        out.append_text(user(detail if len(detail) <= room else detail[: room - 1] + "…", "italic"))
    elif r is not None and r.note:
        out.append("\n")
        out.append_text(user(r.note if len(r.note) <= width else r.note[: width - 1] + "…", "dim italic"))
    s = view.sparkline
    if sparklines and s is not None and s.current.points:
        spark_w = max(10, width - 6)
        cur = _resample(s.current.values, spark_w)
        base = _resample(s.baseline.values, spark_w) if s.baseline.points else []
        finite = [v for v in [*cur, *base] if v is not None and not math.isnan(v) and not math.isinf(v)]
        lo, hi = (min(finite), max(finite)) if finite else (0.0, 1.0)
        lo = min(lo, 0.0) if lo >= 0 else lo
        style = VERDICT_STYLE.get(r.verdict if r else "NO DATA", "").replace(" on yellow", "").replace(" on red", "")
        style = {"bold green": "green", "bold black": "yellow", "bold white": "red"}.get(style, style or "dim")
        out.append("\n")
        out.append(spark_chars(cur, lo, hi), style=style)
        out.append(" now", style="dim")
        if with_baseline and base:
            out.append("\n")
            out.append(spark_chars(base, lo, hi), style="dim")
            out.append(" base", style="dim")
    return out


def alerts_lines(view, now: datetime, local: tzinfo, stale_limit=None, one_line: bool = False) -> Text:
    """The firing alerts — or, when they could not be read (or not lately), "unknown" with why,
    and the last known ones: an error never passes for "No alerts firing".
    ``one_line``: all on one line, the alerts by name only (a short pane)."""
    out = Text(no_wrap=True, overflow="ellipsis")
    firing = [a for a in view.alerts if a.firing]
    pending = [a for a in view.alerts if not a.firing]
    stale = view.stale_for(now, stale_limit)
    if view.source_error:
        why = "source unreachable"
    elif view.alerts_error:
        why = view.alerts_error
    elif stale is not None:
        why = f"no answer for {format_duration(stale)}"
    else:
        why = ""
    if why:
        out.append(" ALERTS UNKNOWN ", style="bold black on yellow")
        out.append(" ")
        out.append_text(user(why, "italic"))
        if not view.alerts:
            return out
        out.append(" · last known: " if one_line else "\nlast known: ", style="dim")
        out.append(f"{len(firing)} firing", style="bold red" if firing else "dim")
    elif not firing:
        out.append("No alerts firing", style="green")
        if pending:
            out.append(f" · {len(pending)} pending", style="dim")
        return out
    else:
        out.append(f"{len(firing)} alert{'s' if len(firing) != 1 else ''} firing", style="bold red")
    if pending:
        out.append(f" · {len(pending)} pending", style="dim")
    if one_line:
        for i, a in enumerate(firing):
            out.append(" ● " if i else ":  ● ", style="red")
            out.append_text(user(a.name, "bold"))
        return out
    for a in firing[:8]:
        out.append("\n")
        out.append(" ● ", style="red")
        out.append_text(user(a.name, "bold"))
        if a.severity:
            out.append(" ")
            out.append_text(user(a.severity, "dim"))
        if a.active_at:
            out.append(f"  since {a.active_at.astimezone(local):%H:%M} ({format_duration(now - a.active_at)})",
                       style="dim")
        if a.summary:
            out.append("  ")
            out.append_text(user(a.summary, "italic"))
    if len(firing) > 8:
        out.append(f"\n … {len(firing) - 8} more", style="dim")
    return out
