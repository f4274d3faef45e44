"""``warroom stats`` as markdown (people), JSON (programs: durations in seconds, rates 0..1) and CSV
(spreadsheets: one figure per row). Pure; the figures are :mod:`warroom.domain.stats`'s."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from typing import Any

from warroom.domain import markdown as md
from warroom.domain.sla import DURATIONS
from warroom.domain.stats import SHORT, Group, ObjectiveResult, Rate, Stats
from warroom.domain.times import format_duration, iso_seconds, short_utc


def _dur(value: timedelta | None) -> str:
    return format_duration(value) if value is not None else "—"


def _pct(rate: Rate) -> str:
    if rate.value is None:
        return "—" + (f" ({rate.pending} pending)" if rate.pending else "")
    pending = f", {rate.pending} pending" if rate.pending else ""
    return f"{rate.value * 100:.1f} % ({rate.hits}/{rate.judged}{pending})"


def _actual(r: ObjectiveResult) -> str:
    if r.actual is None:
        return "no data"
    if isinstance(r.actual, timedelta):
        return f"{format_duration(r.actual)} (mean of {r.count})"
    return f"{r.actual * 100:.1f} % (of {r.count})"


def to_markdown(stats: Stats) -> str:
    out = ["# Incident stats", "",
           f"Incidents declared from {short_utc(stats.since)} to {short_utc(stats.now)}"
           + (f", severity {', '.join(md.inline(s) for s in stats.severities)}" if stats.severities else "")
           + f": {stats.real.count} real, {stats.drills.count} drill{'s' if stats.drills.count != 1 else ''}.", ""]
    out += _group_markdown("## Real incidents", stats.real)
    out += ["## Against the runbooks' objectives", "", "| Objective | Actual | | Source |", "|---|---|---|---|"]
    for r in stats.objectives:
        mark = "✅ met" if r.ok else "❌ not met" if r.ok is False else "— no data"
        out.append(f"| {r.objective.label} | {_actual(r)} | {mark} | {r.objective.source} |")
    out.append("")
    out += _group_markdown("## Drills (counted apart)", stats.drills)
    if stats.scores:
        out += ["| Drill | Severity | Score |", "|---|---|---|"]
        for d in stats.scores:
            out.append(f"| {d.ref} {md.cell(d.title)} | {md.cell(d.severity)} | {d.passed}/{d.judged} |")
        out += ["", f"Checks passed over all drills: {_pct(stats.drill_pass_rate)}.", ""]
    return "\n".join(out).rstrip("\n") + "\n"


def _group_markdown(heading: str, g: Group) -> list[str]:
    out = [heading, ""]
    if not g.count:
        return out + ["None in this window.", ""]
    out += ["| Severity | Incidents | Open |", "|---|---|---|"]
    out += [f"| {md.cell(c.label)} | {c.total} | {c.open} |" for c in g.levels]
    out += ["", "| Time to | Incidents | Median | p90 | Mean |", "|---|---|---|---|---|"]
    for name in DURATIONS:
        s = g.durations[name]
        out.append(f"| {name} ({SHORT[name]}) | {s.count} | {_dur(s.median)} | {_dur(s.p90)} | {_dur(s.mean)} |")
    out += ["", "| SLA target | Met (rate) |", "|---|---|"]
    out += [f"| {md.cell(name)} | {_pct(rate)} |" for name, rate in g.targets.items()]
    out += ["", f"- Status-update cadence kept: {_pct(g.cadence)}; {g.updates_sent} update{'s' if g.updates_sent != 1 else ''} sent.",
            f"- First update within 15 min of declaration: {_pct(g.first_update)}.", ""]
    return out


def _seconds(value: timedelta | None) -> float | int | None:
    if value is None:
        return None
    seconds = value.total_seconds()
    return int(seconds) if seconds == int(seconds) else round(seconds, 3)


def _rate(rate: Rate) -> dict[str, Any]:
    return {"rate": rate.value, "hits": rate.hits, "judged": rate.judged, "pending": rate.pending}


def _group_data(g: Group) -> dict[str, Any]:
    return {
        "count": g.count,
        "severities": [{"severity": c.key, "label": c.label, "incidents": c.total, "open": c.open} for c in g.levels],
        "durations": {name: {"short": SHORT[name], "incidents": s.count, "median_seconds": _seconds(s.median),
                             "p90_seconds": _seconds(s.p90), "mean_seconds": _seconds(s.mean)}
                      for name, s in g.durations.items()},
        "sla_targets": {name: _rate(rate) for name, rate in g.targets.items()},
        "cadence_kept": _rate(g.cadence),
        "updates_sent": g.updates_sent,
        "first_update_within_15m": _rate(g.first_update),
    }


def to_json_data(stats: Stats) -> dict[str, Any]:
    return {
        "since": iso_seconds(stats.since),
        "until": iso_seconds(stats.now),
        "severities": list(stats.severities),
        "real": _group_data(stats.real),
        "drills": {**_group_data(stats.drills),
                   "scores": [{"incident": d.ref, "title": d.title, "severity": d.severity, "passed": d.passed,
                               "judged": d.judged} for d in stats.scores],
                   "checks_passed": _rate(stats.drill_pass_rate)},
        "objectives": [{"objective": r.objective.key, "label": r.objective.label, "source": r.objective.source,
                        "actual": _seconds(r.actual) if isinstance(r.actual, timedelta) else r.actual,
                        "unit": "seconds" if isinstance(r.actual, timedelta) or r.objective.measure != "first_update"
                        else "rate", "incidents": r.count, "met": r.ok}
                       for r in stats.objectives],
    }


def to_csv(stats: Stats) -> str:
    """One figure per row: ``scope,severity,measure,statistic,value`` (seconds, rates 0..1, counts)."""
    rows: list[tuple[Any, ...]] = [("scope", "severity", "measure", "statistic", "value")]
    for scope, g in (("real", stats.real), ("drill", stats.drills)):
        rows.append((scope, "", "incidents", "count", g.count))
        for c in g.levels:
            rows += [(scope, c.key, "incidents", "count", c.total), (scope, c.key, "incidents", "open", c.open)]
        for name, s in g.durations.items():
            rows.append((scope, "", name, "count", s.count))
            rows += [(scope, "", name, f"{stat}_seconds", _csv(_seconds(getattr(s, stat))))
                     for stat in ("median", "p90", "mean")]
        for name, rate in g.targets.items():
            rows += [(scope, "", f"sla_{name}", "rate", _csv(rate.value)), (scope, "", f"sla_{name}", "judged",
                                                                            rate.judged)]
        rows += [(scope, "", "cadence_kept", "rate", _csv(g.cadence.value)),
                 (scope, "", "cadence_kept", "judged", g.cadence.judged),
                 (scope, "", "updates_sent", "count", g.updates_sent),
                 (scope, "", "first_update_within_15m", "rate", _csv(g.first_update.value)),
                 (scope, "", "first_update_within_15m", "judged", g.first_update.judged)]
    for d in stats.scores:
        rows += [("drill", d.severity, f"score {d.ref}", "passed", d.passed),
                 ("drill", d.severity, f"score {d.ref}", "judged", d.judged)]
    for r in stats.objectives:
        value = _seconds(r.actual) if isinstance(r.actual, timedelta) else r.actual
        rows.append(("objective", "", r.objective.key, "actual", _csv(value)))
        rows.append(("objective", "", r.objective.key, "met", "" if r.ok is None else str(r.ok).lower()))
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows([tuple(map(_cell, row)) for row in rows])
    return buffer.getvalue()


def _csv(value: Any) -> Any:
    return "" if value is None else value


def _cell(value: Any) -> Any:
    """A text cell a spreadsheet would run as a formula (``=``, ``+``, ``-``, ``@``) is quoted with ``'``."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value
