"""The post-incident review as a template fills it: every section as escaped markdown.

The review is a Mustache template (a full one and a light one are bundled; a team's own in the
config dir replaces them — ``warroom.review_templates``). The template only places sections: each
value given to it is markdown made here, in which every user-written text went through
``markdown`` (``inline`` for a line, ``block`` for a text of its own), so a template cannot let a
title start a heading or a note become HTML or a link. Sections that a reader missed in the old
export are here: detection (which alert fired, when, how it was noticed), the impact window with
the recorded numbers, decisions apart from notes, the participants beyond the four roles, action
items with their type, priority, tracker and status, and the automatic entries apart from the
human timeline (an appendix grouped by kind). A long text (several lines, or more than
``LONG`` characters: a full status update, a 100 KB note) is a block of its own under the
timeline; its row says where.

Pure: (incident, entries, now, recorded readings) → a dict of strings, lists and booleans.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import datetime
from typing import Any, Iterable

from warroom.domain import markdown as md
from warroom.domain.actions import action_items
from warroom.domain.cadence import cadence_report
from warroom.domain.incident import ROLE_LABELS, ROLES, Incident
from warroom.domain.recording import Timeline
from warroom.domain.report import TO_FILL, duration_text, entry_text, milestones_section, severity_section, sla_section
from warroom.domain.sla import evaluate
from warroom.domain.templating import render_template
from warroom.domain.timeline import Entry, in_order
from warroom.domain.times import format_duration, short_utc

#: A text longer than this (or of several lines) is a block under the timeline, not a cell.
LONG = 160
#: The automatic entries' groups in the appendix: the prefix of their key → the group's title.
GROUPS = (("metric:", "Metric transitions"), ("pod:", "Pod events"), ("workload:", "Workloads"),
          ("rollout:", "Rollouts"), ("escalation:", "Escalations"), ("check:", "Checklist ticks"),
          ("drill:", "Drill script"))
OTHER_GROUP = "Other automatic entries"


def is_automatic(entry: Entry) -> bool:
    """Written by warroom itself (each once, under a key): pod events, metric transitions, SLA
    breaches, checklist ticks. Status, severity and role changes were made by people: not automatic."""
    return entry.key is not None


def is_long(text: str) -> bool:
    return "\n" in text.strip() or "\r" in text.strip() or len(text) > LONG


def review_context(incident: Incident, entries: Iterable[Entry], now: datetime, *,
                   extra_sections: Iterable[str] = (), timeline: Timeline | None = None,
                   evidence: str = "") -> dict[str, Any]:
    """What a review template can name (see ``templates/review/full.mustache`` for the list)."""
    entries = in_order(entries)
    sla = evaluate(incident, entries, now)
    human = [e for e in entries if not is_automatic(e)]
    automatic = [e for e in entries if is_automatic(e)]
    lines: list[str] = []
    milestones_section(lines.append, incident, sla)
    severity: list[str] = []
    severity_section(severity.append, incident, sla)
    sla_lines: list[str] = []
    sla_section(sla_lines.append, incident, sla)
    starred = [e for e in human if e.starred]
    timeline_md, long_entries = _timeline(human)
    return {
        "drill": incident.drill,
        "ref": incident.ref,
        "title": md.inline(incident.title),
        "overview": _overview(incident, human, now),
        "summary": md.block(incident.summary) if incident.summary.strip() else TO_FILL,
        "impact": md.block(incident.impact) if incident.impact.strip() else TO_FILL,
        "impact_window": _impact_window(incident, now, timeline),
        "detection": _detection(incident, human, timeline),
        "milestones": _joined(lines),
        "severity_history": _joined(severity),
        "sla": _joined(sla_lines),
        "cadence": cadence_report(incident, entries, now).to_markdown().strip("\n"),
        "extra_sections": [{"text": s.strip("\n")} for s in extra_sections if s.strip()],
        "evidence": evidence.strip("\n"),
        "has_evidence": bool(evidence.strip()),
        "decisions": _decisions(human),
        "actions": _actions(entries, now),
        "participants": _participants(incident, human),
        "has_key_moments": bool(starred),
        "key_moments": _table(starred)[0] if starred else "",
        "timeline": timeline_md,
        "timeline_count": len(human),
        "long_entries": long_entries,
        "has_long_entries": bool(long_entries),
        "automatic": _appendix(automatic),
        "automatic_count": len(automatic),
        "has_automatic": bool(automatic),
        "exported": short_utc(now),
        "to_fill": TO_FILL,
    }


def render_review(template_text: str, context: dict[str, Any]) -> str:
    """The template filled: at most one blank line in a row, one newline at the end."""
    text = render_template(template_text, context)
    return re.sub(r"\n{3,}", "\n\n", text).strip("\n") + "\n"


def _joined(lines: list[str]) -> str:
    return "\n".join(lines).strip("\n")


def _overview(incident: Incident, human: list[Entry], now: datetime) -> str:
    out = ["| | |", "|---|---|",
           f"| Severity | {md.inline(incident.level.label)} |",
           f"| Status | {md.inline(incident.status)} |",
           f"| Policy | {md.inline(incident.policy.name)} — {md.inline(incident.policy.title)} |"]
    for role in ROLES:
        name = incident.roles.get(role)
        out.append(f"| {ROLE_LABELS[role]} | {md.inline(name) if name else '—'} |")
    out.append(f"| Affected services | {', '.join(md.inline(s) for s in incident.services) or '—'} |")
    out.append(f"| Duration | {duration_text(incident, now)} |")
    out.append(f"| Exported | {short_utc(now)} |")
    return "\n".join(out)


def _first_alerts(timeline: Timeline | None, at: datetime) -> list[list]:
    if timeline is None or timeline.span is None:
        return []
    for when, value in timeline.history("alerts", "", timeline.span[0], timeline.span[1]):
        if value:
            return [[*a, when] for a in value]
    return []


def _detection(incident: Incident, human: list[Entry], timeline: Timeline | None) -> str:
    start = incident.start
    out = []
    detected = incident.milestones.get("detected")
    declared = incident.milestones["declared"]
    out.append(f"- Detected: {short_utc(detected) if detected else 'not recorded (counted from the declaration)'}")
    out.append(f"- Declared: {short_utc(declared)}"
               + (f" ({format_duration(declared - detected)} after detection)" if detected else ""))
    ack = incident.milestones.get("acknowledged")
    out.append(f"- Acknowledged: {short_utc(ack) + ' (' + format_duration(ack - start) + ' after start)' if ack else '—'}")
    alerts = _first_alerts(timeline, start)
    if alerts:
        out.append("- Alerts firing when the war room first saw them:")
        for name, severity, since, summary, seen in alerts:
            detail = f" ({md.inline(severity)})" if severity else ""
            out.append(f"    - {md.inline(name)}{detail}, active since {md.inline(since or 'unknown')}"
                       + (f": {md.inline(summary)}" if summary else ""))
    else:
        out.append("- Alerts: none recorded by the war room.")
    first = next((e for e in human if e.kind != "system" and not e.redacted), None)
    if first is not None:
        out.append(f"- First words in the timeline ({short_utc(first.at)}, {md.inline(first.author)}): "
                   f"{md.inline(_excerpt(first.text))}")
    out.append("")
    out.append("How was it noticed (an alert, a customer, a colleague), and could it have been sooner? "
               + TO_FILL)
    return "\n".join(out)


def _impact_window(incident: Incident, now: datetime, timeline: Timeline | None) -> str:
    """From the start (detection) to mitigation (or resolution, or now): each panel's baseline, its
    farthest reading from it, and where it ended — the Evidence table's readings, summed up."""
    start = incident.start
    end_name = next((n for n in ("mitigated", "resolved") if n in incident.milestones), None)
    end = incident.milestones[end_name] if end_name else now
    head = (f"From {short_utc(start)} to {short_utc(end)} ({end_name or 'still open'}): "
            f"{format_duration(end - start)}.")
    if timeline is None or timeline.span is None:
        return head + " No readings were recorded."
    from warroom.domain.units import format_value

    out = [head, "", "| Panel | Baseline | Farthest from baseline | At the end |", "|---|---|---|---|"]
    titles = sorted({key for (stream, key) in timeline.state_at(end) if stream == "panel"}
                    | {key for (stream, key) in timeline.state_at(start) if stream == "panel"})
    for title in titles:
        seen = [(t, v) for t, v in timeline.history("panel", title, start, end) if v and v.get("v") is not None]
        before = timeline.state_at(start).get(("panel", title))
        if before and before.get("v") is not None:
            seen.insert(0, (start, before))
        if not seen:
            out.append(f"| {md.inline(title)} | — | no data | — |")
            continue
        unit = seen[-1][1]["unit"]

        def off(v):
            return abs(v["v"] / v["b"] - 1) if v.get("b") else 0.0
        worst_at, worst = max(seen, key=lambda tv: off(tv[1]))
        last = timeline.state_at(end).get(("panel", title)) or seen[-1][1]
        base = worst.get("b")
        ratio = f" ({worst['v'] / base:.1f}× baseline)" if base else ""
        out.append(f"| {md.inline(title)} | {format_value(base, unit) if base is not None else '—'} | "
                   f"{format_value(worst['v'], unit)}{ratio} at {short_utc(worst_at)} | "
                   f"{format_value(last['v'], unit) if last.get('v') is not None else 'no data'} |")
    peaks = [sum(n[2] for n in v["namespaces"]) for t, v in
             ((t, v) for (s, k) in timeline.state_at(end) if s == "pods"
              for t, v in timeline.history("pods", k, start, end)) if v]
    if peaks:
        out += ["", f"Unhealthy pods at the worst: {max(peaks)}."]
    return "\n".join(out)


def _excerpt(text: str) -> str:
    first = text.strip().replace("\r", "\n").split("\n", 1)[0]
    return first[:LONG] + ("…" if is_long(text) else "")


def _decisions(human: list[Entry]) -> str:
    decisions = [e for e in human if e.kind == "decision" and not e.redacted]
    if not decisions:
        return "_None recorded._"
    out = []
    for e in decisions:
        star = " ★" if e.starred else ""
        head = f"- **{short_utc(e.at)}**{star} ({md.inline(e.author)}):"
        out.append(head if is_long(e.text) else f"{head} {md.inline(e.text)}")
        if is_long(e.text):
            out.append("")
            out.append(_indented(hard_breaks(md.block(e.text))))
    return "\n".join(out)


def hard_breaks(block: str) -> str:
    """A line followed by another in the same paragraph ends with a hard break (``\\``), so a status
    update keeps its lines; blank lines still separate paragraphs."""
    lines = block.split("\n")
    return "\n".join(line + "\\" if line and n + 1 < len(lines) and lines[n + 1] else line
                     for n, line in enumerate(lines))


def _indented(block: str) -> str:
    """A block inside a list item (its lines indented under the item)."""
    return "\n".join(("    " + line) if line else "" for line in block.split("\n"))


def _actions(entries: list[Entry], now: datetime) -> str:
    items = action_items(entries)
    if not items:
        return "_None recorded._"
    out = ["| Status | Priority | Type | Action | Owner | Due (UTC) | Tracker | Entry |",
           "|---|---|---|---|---|---|---|---|"]
    for i in items:
        e, t = i.entry, i.tags
        if i.done:
            status = f"done {short_utc(e.done_at)}" + (f" by {md.inline(e.done_by)}" if e.done_by else "")
        else:
            status = "open, overdue" if i.overdue(now) else "open"
        out.append(f"| {status} | {t.priority or '—'} | {t.type or '—'} | {md.inline(_excerpt(t.body))} | "
                   f"{'@' + md.inline(e.owner) if e.owner else '—'} | {short_utc(e.due) if e.due else '—'} | "
                   f"{md.inline(t.tracker) if t.tracker else '—'} | {e.id} |")
    kinds = Counter(i.tags.type or "untyped" for i in items)
    out += ["", "By type: " + ", ".join(f"{k} {kinds[k]}" for k in ("mitigate", "prevent", "process", "untyped")
                                         if kinds[k]) + "."]
    return "\n".join(out)


def _participants(incident: Incident, human: list[Entry]) -> str:
    """One row per person: ``/ic Alice`` and entries typed as ``alice`` are the same person (names
    compared without case or outer spaces; the role's spelling shown), one person may hold two roles."""
    shown: dict[str, str] = {}
    roles: dict[str, list[str]] = {}
    for role, name in incident.roles.items():
        if name and name.strip():
            key = name.strip().casefold()
            shown.setdefault(key, name.strip())
            roles.setdefault(key, []).append(ROLE_LABELS[role])
    counts: Counter[str] = Counter()
    for e in human:
        if e.author and e.author.strip():
            key = e.author.strip().casefold()
            shown.setdefault(key, e.author.strip())
            counts[key] += 1
    if not shown:
        return "_Nobody recorded._"
    out = ["| Who | Role | Entries |", "|---|---|---|"]
    for key in sorted(shown, key=lambda k: (-counts[k], k)):
        out.append(f"| {md.inline(shown[key])} | {md.inline(', '.join(roles.get(key, ['—'])))} | {counts[key]} |")
    return "\n".join(out)


def _row_text(e: Entry, long_ids: dict[int, int]) -> str:
    if e.redacted or e.id not in long_ids:
        return entry_text(e, md.inline)
    return f"{md.inline(_excerpt(e.text))} _(the whole text: L{long_ids[e.id]} below)_"


def _table(entries: list[Entry], long_ids: dict[int, int] | None = None) -> tuple[str, dict[int, int]]:
    if long_ids is None:
        long_ids = {e.id: n for n, e in enumerate((e for e in entries if not e.redacted and is_long(e.text)), 1)}
    out = ["| Time (UTC) | Kind | Author | Entry |", "|---|---|---|---|"]
    for e in entries:
        star = " ★" if e.starred else ""
        out.append(f"| {short_utc(e.at)}{star} | {md.inline(e.kind)} | {md.inline(e.author)} | "
                   f"{_row_text(e, long_ids)} |")
    return "\n".join(out), long_ids


def _timeline(human: list[Entry]) -> tuple[str, list[dict[str, str]]]:
    table, long_ids = _table(human)
    by_id = {e.id: e for e in human}
    blocks = [{"label": f"L{n}", "heading": f"{short_utc(by_id[i].at)} · {md.inline(by_id[i].kind)} · "
                                             f"{md.inline(by_id[i].author)} (entry {i})",
               "text": hard_breaks(md.block(by_id[i].text))} for i, n in long_ids.items()]
    return table, blocks


def _appendix(automatic: list[Entry]) -> str:
    if not automatic:
        return "_None._"
    groups: dict[str, list[Entry]] = {}
    for e in automatic:
        title = next((t for prefix, t in GROUPS if e.key.startswith(prefix)), OTHER_GROUP)
        groups.setdefault(title, []).append(e)
    order = [t for _, t in GROUPS] + [OTHER_GROUP]
    out = []
    for title in sorted(groups, key=order.index):
        out += [f"### {title} ({len(groups[title])})", "", _table(groups[title], {})[0], ""]
    return "\n".join(out).strip("\n")

