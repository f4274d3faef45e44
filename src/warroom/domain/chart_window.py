"""A chart's time window and axes: where an instant falls across the chart, and what the axes say.

Pure: no I/O, no clock (the window's end is passed in), no Textual. The chart view
(``ui/screens/chart.py``) and the exported review charts (``chart_export.py``) both draw on these
numbers, so a marker sits at the same place in both, and tests check the arithmetic without a
terminal.

The x axis is seconds since the window's start; a chart ``width`` columns wide puts instant ``t``
at column ``round((t - start) / span * (width - 1))``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from typing import Iterable, Sequence

from warroom.domain.units import format_value

#: The windows on keys 1-4, shortest first.
WINDOWS: tuple[timedelta, ...] = (timedelta(minutes=15), timedelta(hours=1), timedelta(hours=6), timedelta(hours=24))
WINDOW_NAMES = ("15m", "1h", "6h", "24h")
#: The finest step asked of Prometheus (its scrape interval, commonly), and the most points a series gets.
MIN_STEP = timedelta(seconds=15)
MAX_POINTS = 240
#: Tick spacing for the time axis, by window (a tick every few columns, labels ``HH:MM``).
_TIME_TICKS = {timedelta(minutes=15): timedelta(minutes=5), timedelta(hours=1): timedelta(minutes=15),
               timedelta(hours=6): timedelta(hours=1), timedelta(hours=24): timedelta(hours=4)}
#: Tick spacings for any other window (the review's, around an incident): the finest giving at most six.
_ROUND_STEPS = tuple(timedelta(minutes=m) for m in (1, 2, 5, 10, 15, 30, 60, 120, 180, 360, 720, 1440))


@dataclass(frozen=True)
class Window:
    """``span`` of time ending at ``end`` (now in the room, the cursor in a replay)."""

    end: datetime
    span: timedelta

    @property
    def start(self) -> datetime:
        return self.end - self.span

    @property
    def name(self) -> str:
        return WINDOW_NAMES[WINDOWS.index(self.span)] if self.span in WINDOWS else _span_name(self.span)

    @property
    def step(self) -> timedelta:
        """The query step: ``MIN_STEP``, coarser when the window would hold more than ``MAX_POINTS``."""
        return max(MIN_STEP, self.span / MAX_POINTS)

    def contains(self, at: datetime) -> bool:
        return self.start <= at <= self.end

    def seconds(self, at: datetime) -> float:
        """The x coordinate of ``at``: seconds since the window's start."""
        return (at - self.start).total_seconds()


def _span_name(span: timedelta) -> str:
    minutes = int(span.total_seconds() // 60)
    return f"{minutes // 60}h" if minutes % 60 == 0 else f"{minutes}m"


def around(start: datetime, end: datetime, margin: timedelta = timedelta(minutes=15)) -> Window:
    """A window from ``margin`` before ``start`` to ``margin`` after ``end`` (an incident, for the review)."""
    return Window(end + margin, (end - start) + 2 * margin)


def column(at: datetime, window: Window, width: int) -> int | None:
    """The column (0 … ``width - 1``) where ``at`` falls on a chart ``width`` columns wide; None outside it."""
    if width < 1 or not window.contains(at):
        return None
    span = window.span.total_seconds()
    return round(window.seconds(at) / span * (width - 1)) if span > 0 else 0


def time_ticks(window: Window, local: tzinfo) -> list[tuple[float, str]]:
    """Ticks on the time axis: ``(x, "HH:MM")`` at round local times inside the window."""
    every = _TIME_TICKS.get(window.span) or next(
        (s for s in _ROUND_STEPS if window.span / s <= 6), _ROUND_STEPS[-1])
    seconds = every.total_seconds()
    start = window.start.astimezone(local)
    offset = start.utcoffset() or timedelta(0)
    # the first round local time at or after the start
    first = math.ceil((start.timestamp() + offset.total_seconds()) / seconds) * seconds - offset.total_seconds()
    out = []
    t = first
    while t <= window.end.timestamp() + 1e-6:
        at = datetime.fromtimestamp(t, window.end.tzinfo).astimezone(local)
        out.append((t - window.start.timestamp(), f"{at:%H:%M}"))
        t += seconds
    return out


def value_range(values: Iterable[float | None]) -> tuple[float, float]:
    """The y range that shows every finite value, from 0 when none is negative, with a little headroom."""
    finite = [v for v in values if v is not None and math.isfinite(v)]
    if not finite:
        return 0.0, 1.0
    lo, hi = min(finite), max(finite)
    lo = min(lo, 0.0)
    if hi <= lo:
        hi = lo + (abs(lo) or 1.0)
    return lo, hi + (hi - lo) * 0.08


def nice_step(span: float, count: int) -> float:
    """A round step (1, 2 or 5 × 10ⁿ) giving about ``count`` intervals over ``span``."""
    raw = span / max(1, count)
    if raw <= 0 or not math.isfinite(raw):
        return 1.0
    exp = math.floor(math.log10(raw))
    for m in (1, 2, 5, 10):
        if m * 10 ** exp >= raw:
            return m * 10 ** exp
    return 10 ** (exp + 1)


def value_ticks(lo: float, hi: float, unit: str, count: int = 4) -> list[tuple[float, str]]:
    """Ticks on the y axis at round values, labelled in the panel's unit (``5 %``, ``150 ms``)."""
    step = nice_step(hi - lo, count)
    first = math.ceil(lo / step - 1e-9) * step
    out = []
    v = first
    while v <= hi + 1e-9 * step:
        v = 0.0 if abs(v) < step * 1e-9 else v
        out.append((v, format_value(v, unit)))
        v += step
    return out


def points(series: Sequence[tuple[datetime, float]], window: Window) -> tuple[list[float], list[float]]:
    """``(xs, ys)`` of the finite points inside ``window``, x in seconds since its start."""
    xs, ys = [], []
    for at, v in series:
        if window.contains(at) and v is not None and math.isfinite(v):
            xs.append(window.seconds(at))
            ys.append(v)
    return xs, ys
