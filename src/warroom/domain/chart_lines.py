"""The lines a panel's chart draws: its series now, its baseline, and the warn/crit thresholds.

Pure. The thresholds are drawn where the verdict (:func:`warroom.domain.baseline.compare`) would
change: an absolute threshold is a horizontal line; a ratio threshold follows the baseline (``2x``
the baseline at every instant), so the chart shows where the panel turns WARN or CRIT at each
moment, not only now. Each line has a *role* that both drawings (the terminal chart and the review's
exported one) turn into a style that tells it apart without colour: a solid line for the series,
dots for the baseline, dashes for the thresholds, and a label in the legend.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from warroom.domain.chart_window import Window, points
from warroom.domain.panels import Panel
from warroom.domain.units import format_ratio, format_value

ROLES = ("current", "baseline", "warn", "crit", "compare")


@dataclass(frozen=True)
class ChartLine:
    role: str  # one of ROLES
    label: str  # the legend's words (the panel's unit, the baseline's offset)
    xs: tuple[float, ...]  # seconds since the window's start
    ys: tuple[float, ...]
    right: bool = False  # on the second y axis (a compared panel)


def lines(panel: Panel, current: Sequence, baseline: Sequence, window: Window, *,
          recorded: bool = False) -> list[ChartLine]:
    """The chart of ``panel`` over ``window``: ``current`` and ``baseline`` are ``(at, value)`` points
    (the baseline already moved onto the current time axis). ``recorded``: read back from the
    recorded readings (a replay, the review), which keep the values but not the thresholds."""
    out = []
    bx, by = points(baseline, window)
    if bx:
        label = "baseline (recorded)" if recorded else f"baseline {panel.baseline_text()}"
        out.append(ChartLine("baseline", label, tuple(bx), tuple(by)))
    thresholds = not recorded
    if thresholds:
        sign = "≥" if panel.direction == "higher_is_bad" else "≤"
        span = window.span.total_seconds()
        for role in ("warn", "crit"):
            absolute = getattr(panel, f"{role}_abs")
            if absolute is not None:
                out.append(ChartLine(role, f"{role} {sign} {format_value(absolute, panel.unit)}",
                                     (0.0, span), (absolute, absolute)))
            ratio = panel.ratios[0 if role == "warn" else 1]
            if ratio is not None and bx:
                out.append(ChartLine(role, f"{role} {sign} {format_ratio(ratio)} baseline", tuple(bx),
                                     tuple(v * ratio for v in by)))
    cx, cy = points(current, window)
    out.append(ChartLine("current", "now", tuple(cx), tuple(cy)))
    return out


def compared(panel: Panel, current: Sequence, window: Window) -> ChartLine:
    """A second panel on the same time axis, on its own scale (the right axis)."""
    xs, ys = points(current, window)
    return ChartLine("compare", f"{panel.title} (right axis)", tuple(xs), tuple(ys), right=True)


def recorded_series(timeline, title: str, window: Window) -> tuple[list[tuple], list[tuple]]:
    """A recorded panel's ``(current, baseline)`` points over ``window`` from a
    :class:`~warroom.domain.recording.Timeline` (a replay at its cursor, the review around the incident)."""
    before = timeline.state_at(window.start).get(("panel", title)) or {}
    history = [(at, v) for at, v in timeline.history("panel", title, window.start, window.end) if v is not None]
    return tuple(held(before.get(key), [(at, v.get(key)) for at, v in history], window) for key in ("v", "b"))


def held(before: float | None, history: Sequence[tuple], window: Window) -> list[tuple]:
    """Recorded values (kept only when they changed) as points over ``window``: the value held at its
    start (``before``), each change, and the last value held until its end."""
    out = [] if before is None else [(window.start, before)]
    out += [(at, v) for at, v in history if window.contains(at)]
    if out and out[-1][1] is not None:
        out.append((window.end, out[-1][1]))
    return [(at, v) for at, v in out if v is not None]
