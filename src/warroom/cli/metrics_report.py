"""How ``warroom metrics`` shows what it read: a JSON document (numbers as numbers, plus the
formatted text) or the text report with the same columns as the metrics pane.

Formatting only: the reading itself is done in ``sources``.
"""

from __future__ import annotations

from datetime import datetime

from warroom.cli.output import cell, table
from warroom.domain.times import format_duration


def _finite(x: float | None) -> float | None:
    """A number JSON can carry: NaN and ±Inf become null (the text fields still say what they were)."""
    import math

    return x if x is not None and math.isfinite(x) else None


def _iso(dt: datetime | None) -> str | None:
    from warroom.domain.times import iso_seconds

    return None if dt is None else iso_seconds(dt)


def _panel_texts(panel, reading) -> dict[str, str]:
    from warroom.domain.units import format_deviation, format_ratio, format_value

    return {
        "current": format_value(reading.current, panel.unit),
        "baseline": format_value(reading.baseline, panel.unit),
        "ratio": format_ratio(reading.ratio),
        "deviation": format_deviation(reading.deviation_pct),
    }


def metrics_json(shown, at, now, verdict, default_panels, outcomes, alerts, alerts_error, probes) -> dict:
    from warroom.domain.baseline import describe, earliest_firing

    panels = []
    for panel, reading, error in outcomes:
        item = {
            "title": panel.title, "query": panel.query, "unit": panel.unit, "direction": panel.direction,
            "baseline_from": panel.baseline if isinstance(panel.baseline, str) else "fixed",
        }
        if reading is None:
            item.update(current=None, baseline=None, ratio=None, deviation_pct=None, verdict=None, reasons=[],
                        notes="", series=None, top=[], text=None, summary=None,
                        error={"message": str(error), "kind": error.kind})
        else:
            item.update(
                current=_finite(reading.current), baseline=_finite(reading.baseline), ratio=_finite(reading.ratio),
                deviation_pct=_finite(reading.deviation_pct), verdict=reading.verdict,
                reasons=list(reading.reasons), notes=reading.note, series=reading.series,
                top=[{"series": label, "value": _finite(v)} for label, v in reading.top],
                text=_panel_texts(panel, reading), summary=describe(reading), error=None,
            )
        panels.append(item)
    return {
        "prometheus": shown,
        "at": _iso(at),
        "read_at": _iso(now),
        "verdict": verdict,
        "default_panels": default_panels,
        "panels": panels,
        "alerts": {
            "error": None if alerts_error is None else {"message": str(alerts_error), "kind": alerts_error.kind},
            "firing": sum(a.firing for a in alerts or ()),
            "pending": sum(not a.firing for a in alerts or ()),
            "earliest_firing": _iso(earliest_firing(alerts or ())),
            "items": [
                {"name": a.name, "state": a.state, "severity": a.severity, "active_at": _iso(a.active_at),
                 "value": _finite(a.value), "summary": a.summary, "labels": dict(a.labels)}
                for a in alerts or ()
            ],
        },
        "probes": [
            {"name": p.name, "url": p.url, "ok": p.ok, "status": p.status, "latency_s": p.latency_s,
             "error": p.error or None, "at": _iso(p.at)}
            for p in probes
        ],
    }


def metrics_text(shown, at, now, verdict, default_panels, outcomes, alerts, alerts_error, probes) -> str:
    from warroom.domain.baseline import earliest_firing
    from warroom.domain.units import format_value
    from warroom.domain.times import short_utc

    when = short_utc(at) + ("" if abs((now - at).total_seconds()) < 1 else f" ({format_duration(now - at)} ago)")
    lines = [f"Prometheus {shown} at {when}: {verdict}"]
    if default_panels:
        lines.append("(default panels: no [[prometheus.panels]] configured)")
    rows = [("PANEL", "CURRENT", "BASELINE", "RATIO", "DEVIATION", "VERDICT", "NOTES")]
    for panel, reading, error in outcomes:
        if reading is None:
            rows.append((panel.title, "-", "-", "-", "-", "ERROR", str(error)))
            continue
        texts = _panel_texts(panel, reading)
        fixed = panel.baseline_fixed is not None
        base = texts["baseline"] + (" (fixed)" if fixed else f" ({panel.baseline.split()[1]} ago)")
        notes = "; ".join([*reading.reasons, *([reading.note] if reading.note else [])])
        rows.append((panel.title, texts["current"], base, texts["ratio"], texts["deviation"], reading.verdict,
                     notes))
    lines += table(rows)

    lines.append("")
    if alerts_error is not None:
        lines.append(f"ALERTS  cannot read /api/v1/alerts: {cell(str(alerts_error))}")
    else:
        firing = [a for a in alerts if a.firing]
        pending = len(alerts) - len(firing)
        first = earliest_firing(alerts)
        head = f"ALERTS  {len(firing)} firing, {pending} pending"
        lines.append(head + (f"; earliest firing since {short_utc(first)}" if first else ""))
        if firing:
            lines += table([
                (a.name, a.severity or "-",
                 f"since {short_utc(a.active_at)} ({format_duration(now - a.active_at)})" if a.active_at else "-",
                 a.summary)
                for a in firing], indent="  ")
    if probes:
        lines.append("")
        lines.append(f"PROBES  {sum(p.ok for p in probes)} up, {sum(not p.ok for p in probes)} down")
        lines += table([
            ("UP" if p.ok else "DOWN", p.name, p.url,
             f"HTTP {p.status}" if p.status is not None else "-",
             format_value(p.latency_s, "seconds") if p.latency_s is not None else "-",
             p.error)
            for p in probes], indent="  ")
    return "\n".join(lines) + "\n"
