"""The comms lead's status updates: what the incident looks like now, rendered through a template.

Pure: no I/O beyond reading template files in :func:`load_template`, no clock, no Textual.

``comms_context(incident, entries, now, metrics, probes, tz)`` gathers everything an update says
(severity, status, impact, services and their health, metrics against baseline, timeline
highlights since the last update, open action items, the next update from the cadence, who
leads, how long it has been); :func:`render_template` fills a Mustache template with it.

Templates
---------
Mustache through ``pystache`` (chosen over ``chevron``, whose 0.14 has no escape hook and reads
partials from the working directory by default): logic-less, so a template can only *name* values — no
expressions, no attribute access or method calls (the data given to it is plain dicts, lists,
strings, booleans and ints, on which pystache looks nothing up but dictionary keys), and no
partials (``{{> x}}`` is refused: nothing is read from disk while rendering). Rendering is
strict: an unknown ``{{name}}`` or an unclosed section is a :class:`TemplateError` naming it,
never a silently empty hole. Five templates are bundled (``TEMPLATES``); a file of the same
name (``update.mustache``) in the user's template directory replaces the bundled one.

Text safety
-----------
The output is plain text. User text (titles, entries, names…) is inserted **literally**:
Mustache's HTML escaping is off, so ``&``, ``<b>``, ``*x*`` or ``[bold]`` arrive as typed.
Terminal control characters anywhere (``\\x1b[31m``) are replaced by visible stand-ins
(``␛[31m``, see :func:`warroom.domain.text.visible`). For a Slack webhook, :func:`slack_text`
escapes ``&``, ``<`` and ``>`` as Slack requires, so ``<!channel>``, ``<@U123>`` or
``<http://x|y>`` in user text show as text instead of pinging or linking — except control
sequences written literally in the template itself (a team's own ``<!here>``).

Service health
--------------
For each affected service of the incident (in its order), then each probe that matches none
of them (a service of its own, not affected):

- **probes** belong to a service when their name is the service's name or starts with it
  followed by ``-``, ``_``, ``.``, ``:``, ``/``, ``@`` or a space (case-insensitive):
  ``checkout``, ``checkout-eu``, ``checkout/health``. All matching probes down → ``DOWN``;
  some down → ``DEGRADED``; all up → ``HEALTHY``.
- **metric panels** belong to a service when their title names it as a word
  (``Checkout p95 latency``); only fresh readings count (a stale value is not evidence).
  A ``CRIT`` or ``WARN`` verdict → ``DEGRADED``; ``OK`` → ``HEALTHY``; ``NO DATA`` → nothing.
- The worst wins: a down probe makes ``DOWN``; otherwise any ``DEGRADED`` evidence makes
  ``DEGRADED``; otherwise any healthy evidence makes ``HEALTHY``. No evidence at all is
  ``UNKNOWN``, shown as "unknown": an update never claims a service healthy without a reason.
Panels that name no service (the default "Error ratio"…) appear in the metrics list only.

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

import re
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone, tzinfo
from importlib import resources
from pathlib import Path
from typing import Any, Iterable, Literal, Mapping, Protocol, Sequence

import pystache
from pystache.common import TemplateNotFoundError
from pystache.context import KeyNotFoundError
from pystache.parser import ParsingError, parse

from warroom.domain import markdown as md
from warroom.domain.baseline import format_ratio, format_value
from warroom.domain.incident import Incident
from warroom.domain.metrics_view import MetricsView
from warroom.domain.sla import UpdateGap, evaluate
from warroom.domain.text import one_line, visible
from warroom.domain.timeline import Entry, in_order, sort_key
from warroom.domain.times import format_duration, short_utc

UTC = timezone.utc

#: The bundled templates, in the order a composer offers them.
TEMPLATES = ("declared", "update", "resolved", "statuspage", "customer_email")
TEMPLATE_SUFFIX = ".mustache"
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")

Health = Literal["DOWN", "DEGRADED", "HEALTHY", "UNKNOWN"]
HEALTH_MARKS = {"DOWN": "🔴", "DEGRADED": "🟡", "HEALTHY": "🟢", "UNKNOWN": "⚪"}
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
_PROBE_SEPARATORS = "-_.:/@ "


class TemplateError(ValueError):
    """A template cannot be loaded or rendered; the message says which and why."""


class ProbeLike(Protocol):
    """What the health rule needs of a probe result (``warroom.sources.probes.ProbeResult``)."""

    name: str
    ok: bool
    error: str


# ---------------------------------------------------------------------------------------------
# The context


@dataclass(frozen=True)
class ServiceHealth:
    name: str
    state: Health
    reason: str = ""  # "probe checkout: HTTP 503", "1 of 2 probes down", "ledger lag CRIT"
    affected: bool = True  # one of the incident's services (else: a probe's, shown for context)

    @property
    def label(self) -> str:
        return "unknown" if self.state == "UNKNOWN" else self.state

    @property
    def mark(self) -> str:
        return HEALTH_MARKS[self.state]


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
            "elapsed_words": duration_words(self.elapsed),
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


def duration_words(delta: timedelta) -> str:
    """``45 seconds``, ``1 minute``, ``55 minutes``, ``1 hour 5 minutes``, ``2 days 3 hours``."""
    seconds = int(abs(delta).total_seconds())

    def unit(n: int, word: str) -> str:
        return f"{n} {word}{'' if n == 1 else 's'}"

    if seconds < 60:
        return unit(seconds, "second")
    minutes = seconds // 60
    if minutes < 60:
        return unit(minutes, "minute")
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return unit(hours, "hour") + (f" {unit(minutes, 'minute')}" if minutes else "")
    days, hours = divmod(hours, 24)
    return unit(days, "day") + (f" {unit(hours, 'hour')}" if hours else "")


def _clean(text: str) -> str:
    """User text as it may appear in a message: newlines kept, control characters visible."""
    return visible(text.replace("\r\n", "\n").replace("\r", "\n")).strip()


def _line(text: str) -> str:
    return one_line(text.replace("\r\n", "\n").replace("\r", "\n").strip())


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
    comms = [e for e in live if e.kind == "comms"]
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


# ---------------------------------------------------------------------------------------------
# Service health


def probe_matches(service: str, probe_name: str) -> bool:
    """A probe belongs to a service when named like it: ``checkout``, ``checkout-eu``, ``Checkout/health``."""
    s, n = service.strip().lower(), probe_name.strip().lower()
    if not s:
        return False
    return n == s or (n.startswith(s) and n[len(s)] in _PROBE_SEPARATORS)


def panel_matches(service: str, title: str) -> bool:
    """A metric panel belongs to a service when its title names it as a word."""
    s = service.strip()
    if not s:
        return False
    return re.search(rf"(?<![\w-]){re.escape(s)}(?![\w-])", title, re.IGNORECASE) is not None


def service_health(
    services: Iterable[str], metrics: MetricsView | None = None, probes: Sequence[ProbeLike] | None = None
) -> tuple[ServiceHealth, ...]:
    """Each affected service's health, then each unmatched probe's (see the module doc for the rule)."""
    probes = list(probes or ())
    panels = [p for p in (metrics.panels if metrics else ()) if p.reading is not None and not p.error]
    out: list[ServiceHealth] = []
    used: set[int] = set()
    seen: set[str] = set()
    for raw in services:
        name = _line(raw)
        if not name or name.lower() in seen:
            continue
        seen.add(name.lower())
        mine = [i for i, p in enumerate(probes) if probe_matches(raw, p.name)]
        used.update(mine)
        out.append(_judge(name, [probes[i] for i in mine], [p for p in panels if panel_matches(raw, p.panel.title)]))
    others = sorted((p for i, p in enumerate(probes) if i not in used), key=lambda p: p.name.lower())
    for p in others:
        name = _line(p.name)
        if name.lower() in seen:
            continue
        seen.add(name.lower())
        group = [q for q in others if q.name.strip().lower() == p.name.strip().lower()]
        out.append(replace(_judge(name, group, []), affected=False))
    return tuple(out)


def _judge(name: str, probes: list[ProbeLike], panels: list) -> ServiceHealth:
    reasons: list[str] = []
    down = [p for p in probes if not p.ok]
    probe_state: Health = "UNKNOWN"
    if probes:
        if len(down) == len(probes):
            probe_state = "DOWN"
        elif down:
            probe_state = "DEGRADED"
        else:
            probe_state = "HEALTHY"
        if len(probes) == 1:
            p = probes[0]
            reasons.append(f"probe {_line(p.name)}: {'up' if p.ok else _line(p.error) or 'down'}")
        else:
            detail = "; ".join(f"{_line(p.name)}: {_line(p.error) or 'down'}" for p in down)
            reasons.append(f"{len(down)} of {len(probes)} probes down" + (f" ({detail})" if detail else ""))
    bad = [p for p in panels if p.reading.verdict in ("CRIT", "WARN")]
    good = [p for p in panels if p.reading.verdict == "OK"]
    for p in bad:
        reasons.append(f"{_line(p.panel.title)} {p.reading.verdict}")
    if probe_state == "DOWN":
        state: Health = "DOWN"
    elif probe_state == "DEGRADED" or bad:
        state = "DEGRADED"
    elif probe_state == "HEALTHY" or good:
        state = "HEALTHY"
    else:
        state = "UNKNOWN"
    if state == "HEALTHY" and not probes:
        reasons.append(", ".join(f"{_line(p.panel.title)} OK" for p in good))
    return ServiceHealth(name, state, "; ".join(r for r in reasons if r))


# ---------------------------------------------------------------------------------------------
# Templates


def _bundled_dir():
    return resources.files("warroom").joinpath("templates")


def _check_name(name: str) -> str:
    base = name[: -len(TEMPLATE_SUFFIX)] if name.endswith(TEMPLATE_SUFFIX) else name
    if not _NAME.match(base):
        raise TemplateError(f"not a template name: {name!r} (letters, digits, - and _)")
    return base


def template_names(user_dir: Path | None = None) -> list[str]:
    """The bundled templates, then the user's own extra ones (sorted)."""
    names = list(TEMPLATES)
    if user_dir is not None and user_dir.is_dir():
        extra = sorted(p.name[: -len(TEMPLATE_SUFFIX)] for p in user_dir.glob(f"*{TEMPLATE_SUFFIX}")
                       if p.is_file() and _NAME.match(p.name[: -len(TEMPLATE_SUFFIX)]))
        names += [n for n in extra if n not in names]
    return names


def template_source(name: str, user_dir: Path | None = None) -> Path | None:
    """The user's file that overrides ``name``, or None when the bundled one is used."""
    base = _check_name(name)
    if user_dir is not None:
        path = user_dir / f"{base}{TEMPLATE_SUFFIX}"
        if path.is_file():
            return path
    return None


def load_template(name: str, user_dir: Path | None = None) -> str:
    """The text of template ``name``: ``<user_dir>/<name>.mustache`` if it exists, else the bundled one.

    The caller passes ``<config dir>/warroom/templates`` as ``user_dir``.
    """
    base = _check_name(name)
    path = template_source(base, user_dir)
    if path is not None:
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise TemplateError(f"cannot read template {path}: {exc}") from None
    else:
        resource = _bundled_dir().joinpath(f"{base}{TEMPLATE_SUFFIX}")
        if not resource.is_file():
            known = ", ".join(template_names(user_dir))
            raise TemplateError(f"no template {base!r} (templates: {known})")
        text = resource.read_text(encoding="utf-8")
    return text.replace("\r\n", "\n")


def _literal(value: str) -> str:
    return value


def _check_plain(value: Any, where: str = "data") -> None:
    """Only plain data reaches pystache: it calls callables and reads attributes of other objects."""
    if isinstance(value, dict):
        for k, v in value.items():
            if not isinstance(k, str):
                raise TemplateError(f"{where}: keys must be strings, got {k!r}")
            _check_plain(v, f"{where}.{k}")
    elif isinstance(value, (list, tuple)):
        for i, v in enumerate(value):
            _check_plain(v, f"{where}[{i}]")
    elif value is not None and type(value) not in (str, bool, int, float):
        raise TemplateError(f"{where}: only strings, numbers, booleans, lists and dicts can be rendered, "
                            f"got {type(value).__name__}")


def render_template(template_text: str, context: CommsContext | Mapping[str, Any]) -> str:
    """Fill a Mustache template with the context: plain text, user text inserted literally.

    ``{{name}}``, ``{{{name}}}`` and ``{{&name}}`` are the same here (HTML escaping is off).
    Raises :class:`TemplateError` for a syntax error, an unknown variable or a partial.
    """
    data = context.variables() if isinstance(context, CommsContext) else dict(context)
    _check_plain(data)
    text = template_text.replace("\r\n", "\n")
    try:
        parsed = parse(text, raise_on_mismatch=True)
    except ParsingError as exc:
        raise TemplateError(f"template syntax error: {exc}") from None
    except Exception as exc:  # noqa: BLE001 — pystache raises plain exceptions for bad delimiters
        raise TemplateError(f"template syntax error: {exc}") from None
    renderer = pystache.Renderer(escape=_literal, partials={}, missing_tags="strict")
    try:
        out = renderer.render(parsed, data)
    except KeyNotFoundError as exc:
        raise TemplateError(f"unknown variable {{{{{exc.key}}}}} in the template") from None
    except TemplateNotFoundError as exc:
        raise TemplateError(f"partials ({{{{> name}}}}) are not supported: {exc}") from None
    except Exception as exc:  # noqa: BLE001
        raise TemplateError(f"template error: {exc}") from None
    return visible(out)


# ---------------------------------------------------------------------------------------------
# Slack

_SLACK_SEQUENCE = re.compile(r"<[^<>\n]*>")


def _slack_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def template_sequences(template_text: str) -> frozenset[str]:
    """The Slack control sequences (``<!here>``, ``<@U123>``…) written literally in a template."""
    return frozenset(m.group() for m in _SLACK_SEQUENCE.finditer(template_text)
                     if "{{" not in m.group() and "}}" not in m.group() and len(m.group()) > 2)


def slack_text(text: str, template_text: str = "") -> str:
    """``text`` made safe for a Slack ``{"text": …}`` payload.

    ``&``, ``<`` and ``>`` are escaped (``&amp;``, ``&lt;``, ``&gt;``) so that nothing in the
    message is a Slack control sequence — no ``<!channel>`` ping, ``<@U123>`` mention or
    ``<http://…|label>`` disguised link — except the sequences that ``template_text`` itself
    writes literally. Works on an edited draft as well as on a fresh rendering. Control
    characters become visible.
    """
    allowed = template_sequences(template_text) if template_text else frozenset()
    out: list[str] = []
    pos = 0
    for m in _SLACK_SEQUENCE.finditer(text):
        if m.group() in allowed:
            out.append(_slack_escape(text[pos:m.start()]))
            out.append(m.group())
            pos = m.end()
    out.append(_slack_escape(text[pos:]))
    return visible("".join(out))


# ---------------------------------------------------------------------------------------------
# The cadence, for the export


@dataclass(frozen=True)
class SentUpdate:
    """One comms entry: when it went out and whether it came within the cadence."""

    entry_id: int
    at: datetime
    author: str
    text: str
    counted: bool  # within declared..resolved: the cadence clock counts it
    after: datetime | None = None  # the previous update (or the declaration) it followed
    late_by: timedelta | None = None
    note: str = ""  # why it is not counted: "before declaration", "after resolution"

    @property
    def kept(self) -> bool | None:
        """True: on time; False: late; None: outside the cadence window or no cadence."""
        if not self.counted or self.after is None:
            return None
        return self.late_by is None


@dataclass(frozen=True)
class CadenceReport:
    every: str  # "15 min"; "" when the level sets no cadence
    updates: tuple[SentUpdate, ...]
    tail: UpdateGap | None  # the window after the last update, when it ran late (to resolution or now)
    next_due: datetime | None
    overdue: timedelta | None
    resolved: bool

    @property
    def late(self) -> int:
        return sum(1 for u in self.updates if u.kept is False) + (1 if self.tail is not None else 0)

    @property
    def kept(self) -> bool | None:
        return None if not self.every else self.late == 0

    @property
    def sent(self) -> int:
        return len(self.updates)

    def to_markdown(self, heading: str = "## Status updates") -> str:
        """A section for the export: every update with its time and whether the cadence was kept."""
        out = [heading, ""]
        if not self.every:
            out.append(f"This level sets no update cadence; {self.sent} update{'s' if self.sent != 1 else ''} sent.")
        else:
            verdict = "kept" if self.kept else f"missed {self.late} time{'s' if self.late != 1 else ''}"
            out.append(f"Cadence: every {md.inline(self.every)}; {self.sent} update{'s' if self.sent != 1 else ''} "
                       f"sent; cadence {verdict}.")
        out.append("")
        if self.updates:
            out.append("| Sent (UTC) | By | After | Cadence | Update |")
            out.append("|---|---|---|---|---|")
            for u in self.updates:
                after = format_duration(u.at - u.after) if u.after is not None else "—"
                out.append(f"| {short_utc(u.at)} | {md.cell(u.author)} | {after} | {_kept_text(u)} | "
                           f"{md.cell(_first_line(u.text))} |")
            out.append("")
        else:
            out.append("_No update was sent._")
            out.append("")
        if self.tail is not None:
            until = "resolution" if self.resolved else "now"
            out.append(f"- no update between {short_utc(self.tail.start)} and {until} ({short_utc(self.tail.end)}): "
                       f"late by {format_duration(self.tail.late_by)}")
            out.append("")
        return "\n".join(out)


def _kept_text(u: SentUpdate) -> str:
    if not u.counted:
        return f"not counted ({u.note})"
    if u.kept is None:
        return "—"
    return "kept" if u.kept else f"late by {format_duration(u.late_by)}"


def _first_line(text: str) -> str:
    first = text.strip().split("\n", 1)[0]
    more = "…" if "\n" in text.strip() or len(first) > 100 else ""
    return (first[:100] + more) if len(first) > 100 else first + more


def cadence_report(incident: Incident, entries: Iterable[Entry], now: datetime) -> CadenceReport:
    """Every update sent (comms entries) and whether each came within the cadence.

    Reuses :func:`warroom.domain.sla.evaluate`'s gaps: the n-th counted update closes the n-th
    gap (declaration → first update, first → second, …). Updates before the declaration or after
    the resolution are listed but not counted, as the SLA clock does.
    """
    entries = in_order(entries)
    sla = evaluate(incident, entries, now)
    update = sla.update
    declared = incident.milestones["declared"]
    resolved = incident.milestones.get("resolved")
    comms = sorted((e for e in entries if e.kind == "comms" and not e.redacted), key=lambda e: (e.at, e.logged_at, e.id))

    gaps = list(update.gaps) if update is not None else []
    out: list[SentUpdate] = []
    index = 0
    for e in comms:
        text = visible(e.text.replace("\r\n", "\n"))
        author = _line(e.author)
        if e.at < declared:
            out.append(SentUpdate(e.id, e.at, author, text, False, note="before declaration"))
            continue
        if resolved is not None and e.at > resolved:
            out.append(SentUpdate(e.id, e.at, author, text, False, note="after resolution"))
            continue
        gap = gaps[index] if index < len(gaps) else None
        index += 1
        if gap is not None and gap.end == e.at:
            out.append(SentUpdate(e.id, e.at, author, text, True, gap.start, gap.late_by))
        else:
            out.append(SentUpdate(e.id, e.at, author, text, True))
    tail = None
    if update is not None and len(gaps) > index:
        last = gaps[index]
        if last.late_by is not None:
            tail = last
    return CadenceReport(
        every=str(update.every) if update is not None else "",
        updates=tuple(out),
        tail=tail,
        next_due=update.next_due if update is not None else None,
        overdue=update.overdue if update is not None else None,
        resolved=resolved is not None,
    )
