"""Metrics against a baseline: series, readings, verdicts and alerts.

Pure: no I/O, no clock, no Textual. Panels are configured in :mod:`warroom.domain.panels`,
values print through :mod:`warroom.domain.units`; the Prometheus adapter
(:mod:`warroom.sources.prometheus`, decoding in :mod:`warroom.sources.prometheus_wire`) fetches
the numbers and hands them to these functions.

Verdicts
--------
``higher_is_bad``: WARN/CRIT when the ratio to the baseline reaches ``warn_ratio``/``crit_ratio``
(``>``1) or the value reaches ``warn_abs``/``crit_abs``; ``lower_is_bad`` mirrors it (ratios
``<`` 1, value at or below the absolute thresholds). The worst threshold reached wins. A panel
without any threshold gets the panel's ``DEFAULT_RATIOS``. No value (empty vector) or NaN gives ``NO DATA``;
without a usable baseline (none, NaN, ±Inf, negative) only absolute thresholds apply; a baseline
of 0 makes any non-zero value an infinite ratio, which counts as at most WARN (it cannot say how
bad), absolute thresholds still giving CRIT.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Iterable, Literal, Sequence

from warroom.domain.panels import Panel
from warroom.domain.units import format_ratio, format_value

Verdict = Literal["OK", "WARN", "CRIT", "NO DATA"]

_SEVERITY = {"OK": 0, "WARN": 1, "CRIT": 2}
_LEVEL: dict[int, Verdict] = {0: "OK", 1: "WARN", 2: "CRIT"}


# ---------------------------------------------------------------------------------------------
# Series


@dataclass(frozen=True)
class Series:
    """A time series for a sparkline (already summed when the query returned several)."""

    points: tuple[tuple[datetime, float], ...]
    series: int = 1
    note: str = ""

    @property
    def values(self) -> list[float]:
        return [v for _, v in self.points]

    def shifted(self, delta: timedelta) -> Series:
        return Series(tuple((t + delta, v) for t, v in self.points), self.series, self.note)


@dataclass(frozen=True)
class Sparkline:
    """A panel's recent history and its baseline on the same time axis (baseline already shifted)."""

    panel: Panel
    current: Series
    baseline: Series


def constant_series(value: float, start: datetime, end: datetime, step: timedelta) -> Series:
    """A fixed baseline drawn over ``start..end`` (inclusive) every ``step``."""
    if step <= timedelta(0):
        raise ValueError("step must be positive")
    points = []
    t = start
    while t <= end:
        points.append((t, value))
        t += step
    return Series(tuple(points), 1, "fixed baseline")


# ---------------------------------------------------------------------------------------------
# Comparison


@dataclass(frozen=True)
class Reading:
    """A panel's current value against its baseline, judged."""

    panel: Panel
    current: float | None
    baseline: float | None
    ratio: float | None  # current / baseline; +Inf over a zero baseline; None when there is none
    deviation_pct: float | None  # (ratio - 1) * 100
    verdict: Verdict
    reasons: tuple[str, ...] = ()  # which thresholds were reached
    note: str = ""  # "sum of 12 series; no baseline data"…
    at: datetime | None = None
    series: int = 1
    top: tuple[tuple[str, float], ...] = field(default=(), compare=False)


def compare(
    current: float | None, baseline: float | None, panel: Panel, *, notes: Iterable[str] = ()
) -> Reading:
    """Judge ``current`` against ``baseline`` (see the module doc for the rules)."""
    extra = [n for n in notes if n]
    if current is None or math.isnan(current):
        why = "no data" if current is None else "value is NaN"
        return Reading(panel, current, baseline, None, None, "NO DATA", note=_join([why, *extra]))

    ratio: float | None = None
    capped = False
    base_notes: list[str] = []
    if baseline is None:
        base_notes.append("no baseline data")
    elif math.isnan(baseline):
        base_notes.append("baseline is NaN")
    elif math.isinf(baseline):
        base_notes.append(f"baseline is {format_value(baseline, '')}")
    elif baseline < 0:
        base_notes.append("negative baseline: no ratio")
    elif baseline == 0:
        if current == 0:
            ratio = 1.0
        else:
            ratio, capped = math.copysign(math.inf, current), True
            base_notes.append("baseline is 0")
    else:
        ratio = current / baseline
    deviation = None if ratio is None else (ratio - 1) * 100

    higher = panel.direction == "higher_is_bad"
    sign = "≥" if higher else "≤"

    def reached(value: float, threshold: float) -> bool:
        return value >= threshold if higher else value <= threshold

    level = 0
    reasons: list[str] = []
    warn_ratio, crit_ratio = panel.ratios
    if ratio is not None:
        for name, threshold, lvl in (("crit", crit_ratio, 2), ("warn", warn_ratio, 1)):
            if threshold is not None and reached(ratio, threshold):
                text = f"{format_ratio(ratio)} baseline {sign} {name} {format_ratio(threshold)}"
                if capped and lvl == 2:
                    lvl, text = 1, text + " (baseline 0: at most WARN)"
                level = max(level, lvl)
                reasons.append(text)
                break
    for name, threshold, lvl in (("crit", panel.crit_abs, 2), ("warn", panel.warn_abs, 1)):
        if threshold is not None and reached(current, threshold):
            level = max(level, lvl)
            reasons.append(f"{format_value(current, panel.unit)} {sign} {name} {format_value(threshold, panel.unit)}")
            break
    return Reading(panel, current, baseline, ratio, deviation, _LEVEL[level], tuple(reasons),
                   _join([*extra, *base_notes]))


def _join(notes: Sequence[str]) -> str:
    seen: list[str] = []
    for n in notes:
        if n and n not in seen:
            seen.append(n)
    return "; ".join(seen)


def worst(verdicts: Iterable[Verdict]) -> Verdict:
    """The most severe verdict (``NO DATA`` only when nothing else is known)."""
    known = [v for v in verdicts if v != "NO DATA"]
    if not known:
        return "NO DATA"
    return max(known, key=lambda v: _SEVERITY[v])


def describe(reading: Reading) -> str:
    """One line for the timeline: ``p95 latency 2.3 s (baseline 150 ms, 15x)``."""
    p = reading.panel
    if reading.current is None or math.isnan(reading.current):
        return f"{p.title} no data"
    text = f"{p.title} {format_value(reading.current, p.unit)}"
    if reading.baseline is None:
        return f"{text} (no baseline)"
    fixed = " fixed" if p.baseline_fixed is not None else ""
    ratio = f", {format_ratio(reading.ratio)}" if reading.ratio is not None else ""
    return f"{text} (baseline{fixed} {format_value(reading.baseline, p.unit)}{ratio})"


# ---------------------------------------------------------------------------------------------
# Alerts


@dataclass(frozen=True)
class Alert:
    """A Prometheus alert, firing or pending (decoded by :mod:`warroom.sources.prometheus_wire`)."""

    name: str
    state: str  # "firing" | "pending"
    severity: str  # the ``severity`` label, "" when absent
    active_at: datetime | None
    value: float | None
    summary: str = ""  # the summary (or description) annotation
    labels: tuple[tuple[str, str], ...] = ()

    @property
    def firing(self) -> bool:
        return self.state == "firing"


def earliest_firing(alerts: Iterable[Alert]) -> datetime | None:
    """When the first still-firing alert started: a candidate for the incident's detected time."""
    starts = [a.active_at for a in alerts if a.firing and a.active_at is not None]
    return min(starts) if starts else None
