"""The war room as it was at an instant, rebuilt from the recorded readings and the timeline.

Pure: the replay screen asks these functions for each pane's state at its time cursor — the
metrics view (readings, sparklines from the recorded history, firing alerts), the probes, the
incident as it stood (milestones and status up to the cursor) and the entries written by then.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Iterable

from warroom.domain.baseline import Alert, Reading, Series, Sparkline
from warroom.domain.frozen import replace
from warroom.domain.panels import Panel
from warroom.domain.incident import ROLE_LABELS, STATUSES, Incident
from warroom.domain.metrics_view import MetricsView, PanelView
from warroom.domain.recording import Key, Record, State, Timeline
from warroom.domain.severity_history import consistent, severity_changes
from warroom.domain.timeline import Entry, in_order
from warroom.domain.times import parse_instant, short_utc

SPARK_WINDOW = timedelta(hours=1)


class LiveReadings:
    """Live is replay at "now": readings as a watcher writes them, folded as a :class:`Timeline`
    folds them (the last value of each key by its instant — a window's older readings copied in
    later never overwrite newer ones), with each panel's last hour for the sparklines. Its
    ``state`` and ``history`` are what :func:`metrics_at`, :func:`probes_at` and :func:`pods_at` read."""

    def __init__(self, keep: timedelta = SPARK_WINDOW) -> None:
        self.state: State = {}
        self.keep = keep
        self._at: dict[Key, datetime] = {}
        self._panels: dict[str, list[tuple[datetime, Any]]] = {}

    def add(self, records: Iterable[Record]) -> set[str]:
        """Fold ``records`` in; the streams whose state changed."""
        streams = set()
        for r in records:
            key = (r.stream, r.key)
            if r.stream == "panel":
                bisect.insort(self._panels.setdefault(r.key, []), (r.at, r.value), key=lambda p: p[0])
            last = self._at.get(key)
            if last is not None and r.at < last:
                continue
            self._at[key] = r.at
            if r.value is None:
                self.state.pop(key, None)
            else:
                self.state[key] = r.value
            streams.add(r.stream)
        return streams

    def history(self, stream: str, key: str, start: datetime, end: datetime) -> list[tuple[datetime, Any]]:
        points = self._panels.get(key, []) if stream == "panel" else []
        lo = bisect.bisect_left(points, start, key=lambda p: p[0])
        hi = bisect.bisect_right(points, end, key=lambda p: p[0])
        return points[lo:hi]

    def trim(self, now: datetime) -> None:
        """Forget panel values older than the sparklines show."""
        for key, points in self._panels.items():
            cut = bisect.bisect_left(points, now - self.keep, key=lambda p: p[0])
            if cut:
                del points[:cut]


def _reading(panel: Panel, v: dict, at: datetime) -> Reading:
    current, base = v["v"], v["b"]
    ratio = current / base if current is not None and base else None
    return Reading(panel, current, base, ratio, None if ratio is None else (ratio - 1) * 100, v["verdict"], at=at)


def metrics_at(timeline: Timeline | LiveReadings, at: datetime, state: State | None = None) -> MetricsView:
    state = timeline.state_at(at) if state is None else state
    panels = []
    recorded = sorted(((v.get("i", 0), key, v) for (stream, key), v in state.items() if stream == "panel"),
                      key=lambda t: (t[0], t[1]))
    for _, title, v in recorded:
        panel = Panel(title=title, query="(recorded)", unit=v["unit"])
        history = [(t, h) for t, h in timeline.history("panel", title, at - SPARK_WINDOW, at) if h is not None]
        current = Series(tuple((t, h["v"]) for t, h in history if h["v"] is not None))
        base = Series(tuple((t, h["b"]) for t, h in history if h["b"] is not None))
        panels.append(PanelView(panel, _reading(panel, v, at), Sparkline(panel, current, base), at, v["error"]))
    alerts = tuple(Alert(name, "firing", severity, parse_instant(since) if since else None, None, summary)
                   for name, severity, since, summary in state.get(("alerts", ""), []))
    return MetricsView(tuple(panels), alerts, polled_at=at, ok_at=at)


@dataclass(frozen=True)
class RecordedProbe:
    name: str
    ok: bool
    status: int | None
    latency_s: float | None
    error: str
    url: str = ""


def probes_at(state: State) -> list[RecordedProbe]:
    return [RecordedProbe(key, v["ok"], v["status"], None if v["ms"] is None else v["ms"] / 1000, v["error"])
            for (stream, key), v in sorted(state.items()) if stream == "probe"]


def entries_until(entries: Iterable[Entry], at: datetime) -> list[Entry]:
    """The entries the war room had shown by ``at`` (logged by then)."""
    return [e for e in in_order(entries) if e.logged_at <= at]


def incident_at(incident: Incident, entries: Iterable[Entry], at: datetime) -> Incident:
    """The incident as it stood at ``at``: milestones reached by then, and the status, severity and
    roles last set by then, read from the entries their changes wrote (detection and declaration
    always stay: the SLA clock counts from them)."""
    milestones = {k: v for k, v in incident.milestones.items() if v <= at or k in ("detected", "declared")}
    status, roles = "investigating", {}
    for e in entries_until(entries, at):
        if e.redacted:
            continue
        if e.kind == "status" and "→" in e.text:
            target = e.text.split("→", 1)[1].split()[0]
            if target in STATUSES:
                status = target
        elif e.kind == "system" and (role := _role_change(e.text)) is not None:
            key, name = role
            if name:
                roles[key] = name
            else:
                roles.pop(key, None)
    severity = incident.severity
    changes = severity_changes(incident, entries)
    if consistent(incident, changes) and changes:  # the severity set by then (issue #19)
        made = severity_changes(incident, entries_until(entries, at))
        severity = made[-1].after if made else changes[0].before
    return replace(incident, milestones=milestones, status=status, severity=severity, roles=roles)


def _role_change(text: str) -> tuple[str, str] | None:
    """``Incident commander: Alice (was Bob)`` → (role, "Alice"); ``… unassigned (was Bob)`` → (role, "")."""
    for key, label in ROLE_LABELS.items():
        if text.startswith(f"{label}: "):
            name = text[len(label) + 2:]
            return key, name.rsplit(" (was ", 1)[0] if name.endswith(")") and " (was " in name else name
        if text.startswith(f"{label} unassigned"):
            return key, ""
    return None


def moments(incident: Incident, entries: Iterable[Entry]) -> list[tuple[datetime, str]]:
    """Where ``[``/``]`` jump: every milestone and every entry, in time order."""
    out = [(at, name) for name, at in incident.milestones.items()]
    out += [(e.logged_at, e.kind) for e in entries]
    return sorted(out)


def evidence_markdown(incident: Incident, entries: Iterable[Entry], timeline: Timeline) -> str:
    """``## Evidence``: for each milestone and each starred entry, what the panes showed at that moment —
    value against baseline per panel and the number of unhealthy pods. Empty when nothing was recorded."""
    from warroom.domain import markdown as md
    from warroom.domain.recording import evidence

    if timeline.span is None:
        return ""
    live = [e for e in in_order(entries) if not e.redacted]
    points = [(at, f"Milestone: {name}") for name, at in sorted(incident.milestones.items(), key=lambda kv: kv[1])]
    points += [(e.at, f"★ {e.text.splitlines()[0][:80] if e.text else e.kind}") for e in live if e.starred]
    out = ["## Evidence", "", "What the war room showed at each milestone and starred entry (recorded readings).", "",
           "| Time (UTC) | Moment | Metrics (value vs baseline) | Unhealthy pods |", "|---|---|---|---|"]
    for at, what in sorted(points, key=lambda p: p[0]):
        panels, unhealthy = evidence(timeline.state_at(at))
        out.append(f"| {short_utc(at)} | {md.cell(what)} | {md.cell('; '.join(panels)) if panels else '—'} | "
                   f"{'—' if unhealthy is None else unhealthy} |")
    out.append("")
    return "\n".join(out)


def pods_at(state: State, at: datetime, built: dict | None = None) -> list:
    """Each recorded context as a ``ContextView`` (its unhealthy pods listed, the healthy ones counted).
    ``built``: the rows made by the last call (kept by the caller, updated here): a pod whose
    recorded value is the same object is not made again — a follower redraws 2,000 crash-looping
    pods after each change of one (~40 ms each time without it)."""
    from warroom.domain.pod_owner import Owner
    from warroom.domain.pod_status import PodRow, sort_rows
    from warroom.domain.pod_view import ContextView
    from warroom.domain.rollouts import Rollout
    from warroom.domain.warning_events import WarningEvent
    from warroom.domain.workloads import NamespaceHealth, WorkloadHealth
    from warroom.domain.recording import SEP

    def when(text: str | None) -> datetime | None:
        return parse_instant(text) if text else None

    out = []
    for (stream, ctx), v in sorted(state.items()):
        if stream != "pods":
            continue
        rows, workloads, rollouts, events = [], [], [], []
        for (s, key), x in state.items():
            parts = key.split(SEP)
            if parts[0] != ctx:
                continue
            if s == "pod":
                hit = built.get(key) if built is not None else None
                if hit is not None and hit[0] is x:
                    row = hit[1]
                else:
                    row = PodRow(parts[1], parts[2], x["ready"], x["status"], x["restarts"], when(x["last_restart"]),
                                 when(x["created"]), x["node"], Owner(*x["owner"]) if x["owner"] else None, False)
                    if built is not None:
                        built[key] = (x, row)
                rows.append(row)
            elif s == "workload":
                workloads.append(WorkloadHealth(parts[1], parts[2], parts[3], x["ready"], x["desired"], x["pods"],
                                                x["unhealthy"]))
            elif s == "rollout":
                t = when(x["at"])
                rollouts.append(Rollout(parts[1], parts[2], x["revision"], x["rs"], t, at - t, x["previous"],
                                        tuple(map(tuple, x["before"])), tuple(map(tuple, x["after"]))))
            elif s == "event":
                t = when(x["last"])
                events.append(WarningEvent(parts[1], parts[4], parts[2], parts[3], x["count"], t, at - t,
                                           x["message"]))
        workloads.sort(key=lambda w: (w.healthy, w.namespace, w.name))
        rollouts.sort(key=lambda r: r.at, reverse=True)
        events.sort(key=lambda e: e.last_seen, reverse=True)
        out.append(ContextView(ctx, tuple(sort_rows(rows)), tuple(workloads),
                                   tuple(NamespaceHealth(*n) for n in v["namespaces"]), tuple(rollouts), tuple(events),
                                   tuple(v["errors"]), v["synced"]))
    if built is not None and len(built) > 2 * sum(len(v.rows) for v in out) + 64:
        for key in [k for k in built if ("pod", k) not in state]:  # pods gone healthy or deleted
            del built[key]
    return out
