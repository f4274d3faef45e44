"""What an incident looks like now, for the comms lead's status updates: the template variables.

Pure: no I/O, no clock, no Textual. ``comms_context(incident, entries, now, metrics, probes, tz)``
gathers everything an update says (severity, status, impact, services and their health, metrics
against baseline, timeline highlights since the last update, open action items, the next update
from the cadence, who leads, how long it has been). The template is filled by
``warroom.domain.templating``; its files are found by ``warroom.comms_templates``; the service
health rule is ``warroom.domain.service_health``. User text in the context is already made
visible (control characters as stand-ins), and inserted literally by the template.

Template variables
------------------
``VARIABLES`` lists every top-level name; lists hold dicts with the item names given here.

- incident: ``ref`` (``#7``), ``id``, ``title``, ``drill``, ``drill_prefix`` (``[DRILL] `` or ""),
  ``severity`` (``SEV-1``), ``severity_name`` (``Critical``), ``severity_label`` (``SEV-1 Critical``),
  ``status`` (``mitigating``), ``status_title`` (``Mitigating``), ``status_public`` (what customers are
  told after "We are": "applying a fix"), ``resolved``, ``open``, ``impact``, ``has_impact``,
  ``summary``, ``has_summary``
- people: ``commander``, ``tech_lead``, ``comms_lead``, ``scribe`` ("unassigned" when not set),
  ``has_commander``, ``has_tech_lead``, ``has_comms_lead``, ``has_scribe``
- time, in the local zone named by ``tz`` (``CET``): ``*_time`` is the clock time ``10:15``
  (templates add ``{{tz}}`` where it matters), ``*_datetime`` ``2026-11-23 10:15 CET``; ""
  when unknown: ``now_time``, ``now_datetime``, ``date``, ``tz``, ``start_time``,
  ``start_datetime`` (detection, else declaration), ``detected_time``, ``declared_time``,
  ``declared_datetime``, ``acknowledged_time``, ``resolved_time``, ``resolved_datetime``,
  ``elapsed`` (``1h05m``: start to resolution, or to now while open), ``elapsed_words``
  (``1 hour 5 minutes``)
- services: ``services`` (items: ``name``, ``state`` — ``DOWN``/``DEGRADED``/``HEALTHY``/``unknown``,
  ``mark`` 🔴/🟡/🟢/⚪, ``reason``, ``affected``, ``down``, ``degraded``, ``healthy``, ``unknown``),
  ``has_services``, ``affected_services`` (names of the incident's services), ``services_text``
  (``checkout, payments`` or "")
- metrics: ``metrics`` (items: ``title``, ``current``, ``baseline``, ``ratio``, ``verdict``
  — ``CRIT``/``WARN``/``OK``/``NO DATA``, ``mark`` ✖/▲/✔/?, ``stale`` ("" or ``stale 2m``),
  ``line`` — ``p95 latency: 2.3 s (baseline 150 ms, 15x) ✖ CRIT``), ``has_metrics``,
  ``metrics_note`` ("" or why the values may be old)
- timeline: ``highlights`` (decisions, actions, status changes and starred entries since the
  last comms entry; items: ``time``, ``datetime``, ``kind``, ``kind_title`` (``Decision``),
  ``prefix`` (``Decision: ``, or "" when the text already starts with the kind, as status changes
  do), ``text``, ``author``, ``starred``, ``star`` — ``★ `` or ""), ``has_highlights``,
  ``highlights_since`` (time of the last update, or the start), ``decisions`` (every decision of the incident; same items),
  ``has_decisions``, ``key_moments`` (every starred entry), ``has_key_moments``
- work in progress: ``work`` (open action items by due time — action entries have no "done"
  state yet, so every action entry not redacted is open; items: ``number``, ``text``,
  ``owner`` — "unassigned" when none, ``has_owner``, ``due`` — time or "", ``has_due``,
  ``overdue``, ``due_text`` — ``due 11:00`` / ``overdue since 10:50`` / ``no due time``),
  ``has_work``
- cadence: ``next_update`` (time, "" when none), ``next_update_datetime``, ``has_next_update``,
  ``next_update_in`` (``12m`` / ``overdue by 3m``), ``update_overdue``, ``update_every``
  (``15 min``, "" without a cadence), ``has_cadence``, ``updates_sent``, ``first_update``,
  ``last_update_time``
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone, tzinfo
from typing import Any, Iterable, Mapping, Sequence

from warroom.domain.audience_mark import is_responders
from warroom.domain.units import format_ratio, format_value
from warroom.domain.incident import Incident
from warroom.domain.metrics_view import MetricsView
from warroom.domain.service_health import ProbeLike, ServiceHealth, service_health
from warroom.domain.sla import evaluate
from warroom.domain.text import clean_block as _clean
from warroom.domain.text import clean_line as _line
from warroom.domain.timeline import Entry, in_order, sort_key
from warroom.domain.times import format_duration, format_duration_words, short_utc

UTC = timezone.utc

VERDICT_MARKS = {"CRIT": "✖", "WARN": "▲", "OK": "✔", "NO DATA": "?"}
#: Kinds of timeline entry that an update reports (besides starred entries of any kind).
HIGHLIGHT_KINDS = frozenset({"decision", "action", "status"})
#: What customers are told, after "We are": "We are applying a fix."
STATUS_PUBLIC = {
    "investigating": "investigating the issue",
    "identified": "working on a fix for the identified cause",
    "mitigating": "applying a fix",
    "monitoring": "monitoring the results of a fix",
    "resolved": "no longer seeing the issue",
}


@dataclass(frozen=True)
class MetricLine:
    title: str
    current: str
    baseline: str  # "" without a baseline
    ratio: str  # "" without a ratio
    verdict: str
    stale: str = ""  # "stale 45s" when the latest poll failed

    @property
    def mark(self) -> str:
        return VERDICT_MARKS.get(self.verdict, "?")

    @property
    def line(self) -> str:
        if self.baseline:
            base = f"baseline {self.baseline}" + (f", {self.ratio}" if self.ratio else "")
        else:
            base = "no baseline"
        stale = f" — {self.stale}" if self.stale else ""
        return f"{self.title}: {self.current} ({base}) {self.mark} {self.verdict}{stale}"


@dataclass(frozen=True)
class Highlight:
    at: datetime
    kind: str
    text: str
    author: str
    starred: bool = False


@dataclass(frozen=True)
class WorkItem:
    text: str
    owner: str = ""
    due: datetime | None = None
    overdue: bool = False
    at: datetime | None = None


@dataclass(frozen=True)
class CommsContext:
    """Everything an update can say, frozen at ``now``. User text is already made visible."""

    now: datetime
    tz: tzinfo
    ref: str
    incident_id: int
    title: str
    drill: bool
    severity: str
    severity_name: str
    severity_label: str
    status: str
    impact: str
    summary: str
    roles: Mapping[str, str]
    milestones: Mapping[str, datetime]
    start: datetime
    elapsed: timedelta
    services: tuple[ServiceHealth, ...] = ()
    metrics: tuple[MetricLine, ...] = ()
    metrics_note: str = ""
    highlights: tuple[Highlight, ...] = ()
    highlights_since: datetime | None = None
    decisions: tuple[Highlight, ...] = ()
    key_moments: tuple[Highlight, ...] = ()
    work: tuple[WorkItem, ...] = ()
    update_every: str = ""
    next_update: datetime | None = None
    update_overdue: timedelta | None = None
    updates_sent: int = 0
    last_update: datetime | None = None  # the last comms entry, None before the first
    extra: Mapping[str, Any] = field(default_factory=dict)  # caller's own variables (plain data only)

    @property
    def resolved(self) -> bool:
        return "resolved" in self.milestones

    def time(self, dt: datetime | None) -> str:
        """``10:15``: the clock time in the context's zone (``tz`` names it); "" for None."""
        return "" if dt is None else _fmt(dt.astimezone(self.tz), "%H:%M")

    def datetime_text(self, dt: datetime | None) -> str:
        """``2026-11-23 10:15 CET``; "" for None."""
        return "" if dt is None else _fmt(dt.astimezone(self.tz), "%Y-%m-%d %H:%M %Z").strip()

    def variables(self) -> dict[str, Any]:
        """The template data: plain dicts, lists, strings, booleans and ints only (see module doc)."""
        t, dtt = self.time, self.datetime_text
        ms = self.milestones
        role = {r: self.roles.get(r, "") for r in ("commander", "tech_lead", "comms_lead", "scribe")}
        affected = [s.name for s in self.services if s.affected]
        if self.next_update is None:
            next_in = ""
        elif self.update_overdue is not None:
            next_in = f"overdue by {format_duration(self.update_overdue)}"
        else:
            next_in = format_duration(self.next_update - self.now)
        data: dict[str, Any] = {
            "ref": self.ref,
            "id": self.incident_id,
            "title": self.title,
            "drill": self.drill,
            "drill_prefix": "[DRILL] " if self.drill else "",
            "severity": self.severity,
            "severity_name": self.severity_name,
            "severity_label": self.severity_label,
            "status": self.status,
            "status_title": self.status.capitalize(),
            "status_public": STATUS_PUBLIC.get(self.status, self.status),
            "resolved": self.resolved,
            "open": not self.resolved,
            "impact": self.impact,
            "has_impact": bool(self.impact.strip()),
            "summary": self.summary,
            "has_summary": bool(self.summary.strip()),
            **{name: value or "unassigned" for name, value in role.items()},
            **{f"has_{name}": bool(value) for name, value in role.items()},
            "now_time": t(self.now),
            "now_datetime": dtt(self.now),
            "date": _fmt(self.now.astimezone(self.tz), "%Y-%m-%d"),
            "tz": _fmt(self.now.astimezone(self.tz), "%Z"),
            "start_time": t(self.start),
            "start_datetime": dtt(self.start),
            "detected_time": t(ms.get("detected")),
            "declared_time": t(ms.get("declared")),
            "declared_datetime": dtt(ms.get("declared")),
            "acknowledged_time": t(ms.get("acknowledged")),
            "resolved_time": t(ms.get("resolved")),
            "resolved_datetime": dtt(ms.get("resolved")),
            "elapsed": format_duration(self.elapsed),
            "elapsed_words": format_duration_words(self.elapsed),
            "services": [
                {"name": s.name, "state": s.label, "mark": s.mark, "reason": s.reason, "affected": s.affected,
                 "down": s.state == "DOWN", "degraded": s.state == "DEGRADED", "healthy": s.state == "HEALTHY",
                 "unknown": s.state == "UNKNOWN"}
                for s in self.services
            ],
            "has_services": bool(self.services),
            "affected_services": affected,
            "services_text": ", ".join(affected),
            "metrics": [
                {"title": m.title, "current": m.current, "baseline": m.baseline, "ratio": m.ratio,
                 "verdict": m.verdict, "mark": m.mark, "stale": m.stale, "line": m.line}
                for m in self.metrics
            ],
            "has_metrics": bool(self.metrics),
            "metrics_note": self.metrics_note,
            "highlights": [self._highlight(h) for h in self.highlights],
            "has_highlights": bool(self.highlights),
            "highlights_since": t(self.highlights_since or self.start),
            "decisions": [self._highlight(h) for h in self.decisions],
            "has_decisions": bool(self.decisions),
            "key_moments": [self._highlight(h) for h in self.key_moments],
            "has_key_moments": bool(self.key_moments),
            "work": [self._work(i, w) for i, w in enumerate(self.work, 1)],
            "has_work": bool(self.work),
            "next_update": t(self.next_update),
            "next_update_datetime": dtt(self.next_update),
            "has_next_update": self.next_update is not None,
            "next_update_in": next_in,
            "update_overdue": self.update_overdue is not None,
            "update_every": self.update_every,
            "has_cadence": bool(self.update_every),
            "updates_sent": self.updates_sent,
            "first_update": self.last_update is None,
            "last_update_time": t(self.last_update),
        }
        data.update(self.extra)
        return data

    def _highlight(self, h: Highlight) -> dict[str, Any]:
        title = h.kind.capitalize()
        prefix = "" if h.text.lower().startswith(h.kind.lower()) else f"{title}: "
        return {"time": self.time(h.at), "datetime": self.datetime_text(h.at), "kind": h.kind,
                "kind_title": title, "prefix": prefix, "text": h.text, "author": h.author,
                "starred": h.starred, "star": "★ " if h.starred else ""}

    def _work(self, number: int, w: WorkItem) -> dict[str, Any]:
        if w.due is None:
            due_text = "no due time"
        elif w.overdue:
            due_text = f"overdue since {self.time(w.due)}"
        else:
            due_text = f"due {self.time(w.due)}"
        return {"number": number, "text": w.text, "owner": w.owner or "unassigned", "has_owner": bool(w.owner),
                "due": self.time(w.due), "has_due": w.due is not None, "overdue": w.overdue, "due_text": due_text}


#: Every top-level template variable (``CommsContext.variables`` gives exactly these).
VARIABLES = (
    "ref", "id", "title", "drill", "drill_prefix", "severity", "severity_name", "severity_label", "status",
    "status_title", "status_public", "resolved", "open", "impact", "has_impact", "summary", "has_summary",
    "commander", "tech_lead", "comms_lead", "scribe",
    "has_commander", "has_tech_lead", "has_comms_lead", "has_scribe",
    "now_time", "now_datetime", "date", "tz", "start_time", "start_datetime", "detected_time", "declared_time",
    "declared_datetime", "acknowledged_time", "resolved_time", "resolved_datetime", "elapsed", "elapsed_words",
    "services", "has_services", "affected_services", "services_text",
    "metrics", "has_metrics", "metrics_note",
    "highlights", "has_highlights", "highlights_since", "decisions", "has_decisions", "key_moments",
    "has_key_moments", "work", "has_work",
    "next_update", "next_update_datetime", "has_next_update", "next_update_in", "update_overdue", "update_every",
    "has_cadence", "updates_sent", "first_update", "last_update_time",
)


def _fmt(dt: datetime, pattern: str) -> str:
    return dt.strftime(pattern)


def comms_context(
    incident: Incident,
    entries: Iterable[Entry],
    now: datetime,
    metrics: MetricsView | None = None,
    probes: Sequence[ProbeLike] | None = None,
    tz: tzinfo = UTC,
) -> CommsContext:
    """The incident's state at ``now`` for an update (see the module doc for every rule)."""
    entries = in_order(entries)
    live = [e for e in entries if not e.redacted]
    sla = evaluate(incident, entries, now)
    comms = [e for e in live if e.kind == "comms" and is_responders(e)]
    last_comms = comms[-1] if comms else None
    since = live
    if last_comms is not None:
        since = [e for e in live if sort_key(e) > sort_key(last_comms)]
    highlights = tuple(_to_highlight(e) for e in since
                       if e.kind != "comms" and (e.kind in HIGHLIGHT_KINDS or e.starred))
    decisions = tuple(_to_highlight(e) for e in live if e.kind == "decision")
    key_moments = tuple(_to_highlight(e) for e in live if e.starred)
    far = datetime.max.replace(tzinfo=UTC)
    actions = sorted((e for e in live if e.kind == "action"), key=lambda e: (e.due is None, e.due or far, e.at, e.id))
    work = tuple(WorkItem(_line(e.text), _line(e.owner), e.due, e.due is not None and e.due < now, e.at)
                 for e in actions)
    end = incident.milestones.get("resolved") or now
    update = sla.update
    metric_lines, note = _metric_lines(metrics, now)
    return CommsContext(
        now=now,
        tz=tz,
        ref=incident.ref,
        incident_id=incident.id,
        title=_line(incident.title),
        drill=incident.drill,
        severity=incident.level.key,
        severity_name=incident.level.name,
        severity_label=incident.level.label,
        status=incident.status,
        impact=_clean(incident.impact),
        summary=_clean(incident.summary),
        roles={k: _line(v) for k, v in incident.roles.items() if v.strip()},
        milestones=dict(incident.milestones),
        start=incident.start,
        elapsed=end - incident.start,
        services=service_health(incident.services, metrics, probes),
        metrics=metric_lines,
        metrics_note=note,
        highlights=highlights,
        highlights_since=last_comms.at if last_comms else None,
        decisions=decisions,
        key_moments=key_moments,
        work=work,
        update_every=str(update.every) if update is not None else "",
        next_update=update.next_due if update is not None else None,
        update_overdue=update.overdue if update is not None else None,
        updates_sent=len(comms),
        last_update=last_comms.at if last_comms else None,
    )


def _to_highlight(e: Entry) -> Highlight:
    return Highlight(e.at, e.kind, _line(e.text), _line(e.author), e.starred)


def _metric_lines(view: MetricsView | None, now: datetime) -> tuple[tuple[MetricLine, ...], str]:
    if view is None:
        return (), ""
    lines = []
    for p in view.panels:
        r = p.reading
        if r is None:
            continue
        unit = p.panel.unit
        stale_for = p.stale_for(now)
        lines.append(MetricLine(
            title=_line(p.panel.title),
            current=format_value(r.current, unit),
            baseline="" if r.baseline is None else format_value(r.baseline, unit),
            ratio="" if r.ratio is None else format_ratio(r.ratio),
            verdict=r.verdict,
            stale="" if stale_for is None else f"stale {format_duration(stale_for)}",
        ))
    note = ""
    if view.source_error:
        since = f" since {short_utc(view.ok_at)[11:16]} UTC" if view.ok_at else ""
        note = f"metrics source unreachable{since}: values may be old"
    return tuple(lines), note
