"""Metrics against a baseline: panel configuration, comparison, reduction and formatting.

Pure: no I/O, no clock, no Textual. The Prometheus adapter (``warroom.sources.prometheus``)
fetches numbers and hands them to these functions.

How a baseline is queried
-------------------------
``(<expr>) offset 1d`` is not PromQL: ``offset`` modifies selectors, not expressions. Two exact
ways exist: rewrite every vector selector of the query (``rate(x[5m])`` → ``rate(x[5m] offset
1d)``), which needs a full PromQL parser to be right for subqueries, ``@`` modifiers and
selectors that already carry an offset; or evaluate the *unchanged* query at ``now - 1d`` through
the ``time`` parameter of ``/api/v1/query`` (and a window shifted by a day for
``/api/v1/query_range``). warroom does the latter: it is exact for every selector, whatever the
expression, with no parsing. Two things differ from a rewritten ``offset``: ``time()`` (and
``timestamp()``) return the shifted evaluation time, and ``@ <timestamp>`` modifiers stay where
they are — neither belongs in a dashboard panel. ``baseline_query`` returns that plan.

Verdicts
--------
``higher_is_bad``: WARN/CRIT when the ratio to the baseline reaches ``warn_ratio``/``crit_ratio``
(``>``1) or the value reaches ``warn_abs``/``crit_abs``; ``lower_is_bad`` mirrors it (ratios
``<`` 1, value at or below the absolute thresholds). The worst threshold reached wins. A panel
without any threshold gets ``DEFAULT_RATIOS``. No value (empty vector) or NaN gives ``NO DATA``;
without a usable baseline (none, NaN, ±Inf, negative) only absolute thresholds apply; a baseline
of 0 makes any non-zero value an infinite ratio, which counts as at most WARN (it cannot say how
bad), absolute thresholds still giving CRIT.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field, fields
from datetime import datetime, timedelta, timezone
from typing import Any, Iterable, Literal, Mapping, Sequence

from warroom.domain.times import PROMQL_DURATION, parse_duration

Direction = Literal["higher_is_bad", "lower_is_bad"]
Verdict = Literal["OK", "WARN", "CRIT", "NO DATA"]

DIRECTIONS: tuple[Direction, ...] = ("higher_is_bad", "lower_is_bad")
#: (warn, crit) ratio thresholds for a panel that configures none at all.
DEFAULT_RATIOS: dict[Direction, tuple[float, float]] = {
    "higher_is_bad": (1.5, 3.0),
    "lower_is_bad": (0.7, 0.5),
}
#: Canonical units; anything ending in ``/s`` (``req/s``, ``msg/s``…) is a rate too.
UNITS = ("", "ratio", "percent", "seconds", "milliseconds", "bytes", "bytes/s")
_UNIT_ALIASES = {
    "none": "", "count": "", "short": "",
    "%": "percent", "percentunit": "ratio", "fraction": "ratio",
    "s": "seconds", "sec": "seconds", "second": "seconds",
    "ms": "milliseconds", "millisecond": "milliseconds",
    "b": "bytes", "byte": "bytes", "b/s": "bytes/s", "bps": "bytes/s",
    "rps": "req/s", "reqps": "req/s",
}
_SEVERITY = {"OK": 0, "WARN": 1, "CRIT": 2}
_LEVEL: dict[int, Verdict] = {0: "OK", 1: "WARN", 2: "CRIT"}


class PanelConfigError(ValueError):
    """A panel's configuration is wrong; the message names the panel and the field."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.field = field


class ResultError(ValueError):
    """A query result is not something a panel can show (a range vector, a string…)."""


# ---------------------------------------------------------------------------------------------
# Configuration


@dataclass(frozen=True)
class Panel:
    """One metric of the pane.

    ``baseline`` is ``"offset <duration>"`` (``offset 1d``, ``offset 7d``, any PromQL duration)
    or a fixed number. Ratio thresholds are value/baseline (``higher_is_bad``: above 1;
    ``lower_is_bad``: below 1); absolute thresholds are in the query's own unit (seconds, not ms).
    """

    title: str
    query: str
    unit: str = ""
    baseline: str | float = "offset 1d"
    direction: Direction = "higher_is_bad"
    warn_ratio: float | None = None
    crit_ratio: float | None = None
    warn_abs: float | None = None
    crit_abs: float | None = None

    def __post_init__(self) -> None:
        for name, value in _validate(self).items():
            object.__setattr__(self, name, value)

    @property
    def baseline_shift(self) -> timedelta | None:
        """How far back the baseline is read, or None for a fixed baseline."""
        if isinstance(self.baseline, str):
            return parse_duration(self.baseline.split()[1])
        return None

    @property
    def baseline_fixed(self) -> float | None:
        return None if isinstance(self.baseline, str) else float(self.baseline)

    @property
    def ratios(self) -> tuple[float | None, float | None]:
        """Effective (warn, crit) ratio thresholds: the defaults when no threshold is set at all."""
        if all(v is None for v in (self.warn_ratio, self.crit_ratio, self.warn_abs, self.crit_abs)):
            return DEFAULT_RATIOS[self.direction]
        return self.warn_ratio, self.crit_ratio

    def baseline_text(self) -> str:
        """``offset 1d`` or ``fixed 150 ms``."""
        if isinstance(self.baseline, str):
            return self.baseline
        return f"fixed {format_value(float(self.baseline), self.unit)}"


def _err(fieldname: str, message: str) -> PanelConfigError:
    return PanelConfigError(message, fieldname)


def _validate(panel: Panel) -> dict[str, Any]:
    """Check a panel; return normalised field values (unit aliases, baseline spelling)."""
    out: dict[str, Any] = {}
    for name in ("title", "query"):
        value = getattr(panel, name)
        if not isinstance(value, str) or not value.strip():
            raise _err(name, f"expected a non-empty string, got {value!r}")
        out[name] = value.strip()
    if not isinstance(panel.unit, str):
        raise _err("unit", f"expected a string, got {panel.unit!r}")
    out["unit"] = normalize_unit(panel.unit)

    baseline = panel.baseline
    if isinstance(baseline, bool) or not isinstance(baseline, (str, int, float)):
        raise _err("baseline", f"expected 'offset 1d', 'offset 7d' or a number, got {baseline!r}")
    if isinstance(baseline, str):
        words = baseline.split()
        if len(words) == 2 and words[0].lower() == "offset" and PROMQL_DURATION.match(words[1]):
            try:
                shift = parse_duration(words[1])
            except ValueError as exc:
                raise _err("baseline", f"offset: {exc}") from None
            if shift <= timedelta(0):
                raise _err("baseline", f"offset must be positive, got {baseline!r}")
            out["baseline"] = f"offset {words[1]}"
        else:
            try:
                out["baseline"] = float(baseline)
            except ValueError:
                raise _err(
                    "baseline",
                    f"expected 'offset 1d', 'offset 7d' (any 'offset <duration>') or a number, got {baseline!r}",
                ) from None
    else:
        out["baseline"] = float(baseline)
    if isinstance(out["baseline"], float) and not math.isfinite(out["baseline"]):
        raise _err("baseline", f"a fixed baseline must be a finite number, got {baseline!r}")

    if panel.direction not in DIRECTIONS:
        raise _err("direction", f"expected 'higher_is_bad' or 'lower_is_bad', got {panel.direction!r}")
    higher = panel.direction == "higher_is_bad"

    for name in ("warn_ratio", "crit_ratio", "warn_abs", "crit_abs"):
        value = getattr(panel, name)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise _err(name, f"expected a finite number, got {value!r}")
        out[name] = float(value)
        if name.endswith("_ratio"):
            if higher and value <= 1:
                raise _err(name, f"must be above 1 for higher_is_bad (value / baseline), got {value!r}")
            if not higher and not 0 < value < 1:
                raise _err(name, f"must be between 0 and 1 for lower_is_bad (value / baseline), got {value!r}")
    for kind in ("ratio", "abs"):
        warn, crit = getattr(panel, f"warn_{kind}"), getattr(panel, f"crit_{kind}")
        if warn is not None and crit is not None and (crit <= warn if higher else crit >= warn):
            side = "above" if higher else "below"
            raise _err(f"crit_{kind}", f"must be {side} warn_{kind} ({warn!r}) for {panel.direction}, got {crit!r}")
    return out


def normalize_unit(unit: str) -> str:
    """Canonical unit name; raises for an unknown one (a typo would silently print raw numbers)."""
    text = unit.strip()
    key = text.lower()
    if key in UNITS:
        return key
    if key in _UNIT_ALIASES:
        return _UNIT_ALIASES[key]
    if key.endswith("/s") and len(key) > 2:
        return text
    raise _err("unit", f"unknown unit {unit!r} (known: {', '.join(repr(u) for u in UNITS)}, or any '<thing>/s')")


_PANEL_FIELDS = tuple(f.name for f in fields(Panel))


def parse_panels(items: Any, *, where: str = "panels") -> list[Panel]:
    """Panels from config data (a TOML array of tables); errors say ``panels[2] ('title').field: …``."""
    if not isinstance(items, (list, tuple)):
        raise PanelConfigError(f"{where}: expected an array of tables ([[panels]]), got {type(items).__name__}")
    panels: list[Panel] = []
    seen: dict[str, int] = {}
    for i, item in enumerate(items):
        here = f"{where}[{i}]"
        if not isinstance(item, Mapping):
            raise PanelConfigError(f"{here}: expected a table, got {type(item).__name__}")
        title = item.get("title")
        if isinstance(title, str) and title.strip():
            here += f" ({title.strip()!r})"
        unknown = [k for k in item if k not in _PANEL_FIELDS]
        if unknown:
            raise PanelConfigError(f"{here}: unknown field {unknown[0]!r} (fields: {', '.join(_PANEL_FIELDS)})")
        for required in ("title", "query"):
            if required not in item:
                raise PanelConfigError(f"{here}: {required!r} is required")
        try:
            panel = Panel(**item)
        except PanelConfigError as exc:
            raise PanelConfigError(f"{here}.{exc.field}: {exc}", exc.field) from None
        if panel.title in seen:
            raise PanelConfigError(f"{here}.title: duplicate title, already used by {where}[{seen[panel.title]}]")
        seen[panel.title] = i
        panels.append(panel)
    return panels


def default_panels() -> list[Panel]:
    """Panels for the common metric names (Prometheus client libraries, promhttp).

    The error ratio reads the status code from ``code`` (client_golang's promhttp) or ``status``;
    when the metric exists but no 5xx series does, it is 0, not "no data". When
    ``http_requests_total`` does not exist at all, every panel shows "no data".
    """
    errors = " or ".join(
        f'sum(rate(http_requests_total{{{label}=~"5.."}}[5m]))' for label in ("code", "status")
    )
    return [
        Panel(
            title="Error ratio",
            query=f"({errors} or vector(0)) / sum(rate(http_requests_total[5m]))",
            unit="ratio",
            warn_ratio=2.0,
            crit_ratio=5.0,
            crit_abs=0.05,
        ),
        Panel(
            title="p95 latency",
            query="histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket[5m])))",
            unit="seconds",
            warn_ratio=1.5,
            crit_ratio=3.0,
        ),
        Panel(
            title="Request rate",
            query="sum(rate(http_requests_total[5m]))",
            unit="req/s",
            direction="lower_is_bad",
            warn_ratio=0.7,
            crit_ratio=0.5,
        ),
    ]


@dataclass(frozen=True)
class BaselineQuery:
    """The baseline of a panel: the same ``query`` evaluated ``shift`` earlier (see module doc)."""

    query: str
    shift: timedelta

    def at(self, now: datetime) -> datetime:
        return now - self.shift


def baseline_query(panel: Panel) -> BaselineQuery | None:
    """How to read the panel's baseline from Prometheus; None for a fixed baseline."""
    shift = panel.baseline_shift
    return None if shift is None else BaselineQuery(panel.query, shift)


# ---------------------------------------------------------------------------------------------
# Query results


@dataclass(frozen=True)
class Reduced:
    """One number out of an instant query's result, and what was done to get it."""

    value: float | None  # None: empty vector (no data)
    series: int
    note: str = ""  # "sum of 12 series", "2 NaN series left out"…
    top: tuple[tuple[str, float], ...] = ()  # largest series (short label text, value), multi-series only


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


def _sample(pair: Any) -> tuple[float, float]:
    """``[1712345678.123, "0.15"]`` → (timestamp, value); Prometheus spells infinities ``+Inf``."""
    if not isinstance(pair, (list, tuple)) or len(pair) != 2:
        raise ResultError(f"malformed sample {pair!r}")
    try:
        return float(pair[0]), float(pair[1])
    except (TypeError, ValueError):
        raise ResultError(f"malformed sample {pair!r}") from None


def label_text(metric: Mapping[str, str], limit: int = 60) -> str:
    """``name{a="x",b="y"}`` cut to about ``limit`` characters: huge label sets stay readable."""
    name = metric.get("__name__", "")
    parts: list[str] = []
    length = len(name) + 2
    labels = sorted((k, v) for k, v in metric.items() if k != "__name__")
    for n, (k, v) in enumerate(labels):
        v = v if len(v) <= 24 else v[:23] + "…"
        part = f'{k}="{v}"'
        if parts and length + len(part) > limit:
            parts.append(f"…+{len(labels) - n}")
            break
        parts.append(part)
        length += len(part) + 1
    return f"{name}{{{','.join(parts)}}}" if parts or not name else name


def reduce_vector(result: Any, *, top: int = 3) -> Reduced:
    """One value from an instant query's ``data.result``.

    A scalar is taken as is; a vector of one series likewise; several series are **summed**
    (``note`` says "sum of N series", ``top`` keeps the largest few with short label text).
    NaN series are left out of a sum (and the note says so) unless every series is NaN.
    """
    if isinstance(result, (list, tuple)) and len(result) == 2 and not isinstance(result[0], Mapping):
        if isinstance(result[1], str) and not _is_number(result[1]):
            raise ResultError("query returns a string, not a number")
        return Reduced(_sample(result)[1], 1)  # scalar
    if not isinstance(result, (list, tuple)):
        raise ResultError(f"unexpected result {type(result).__name__}")
    if not result:
        return Reduced(None, 0, "no data")
    samples: list[tuple[Mapping[str, str], float]] = []
    for item in result:
        if not isinstance(item, Mapping):
            raise ResultError(f"unexpected series {item!r:.80}")
        if "values" in item and "value" not in item:
            raise ResultError("query returns a range vector (a selector like x[5m] without rate()…); "
                              "a panel needs an instant vector")
        samples.append((item.get("metric") or {}, _sample(item.get("value"))[1]))
    if len(samples) == 1:
        return Reduced(samples[0][1], 1)
    values = [v for _, v in samples]
    nans = sum(1 for v in values if math.isnan(v))
    notes = [f"sum of {len(samples)} series"]
    if nans == len(values):
        total = math.nan
    else:
        known = [v for v in values if not math.isnan(v)]
        total = math.fsum(known) if all(math.isfinite(v) for v in known) else sum(known)  # fsum: ±Inf → error
        if nans:
            notes.append(f"{nans} NaN series left out")
    ranked = sorted((s for s in samples if not math.isnan(s[1])), key=lambda s: s[1], reverse=True)[:top]
    return Reduced(total, len(samples), "; ".join(notes), tuple((label_text(m), v) for m, v in ranked))


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def reduce_matrix(result: Any) -> Series:
    """A sparkline series from a range query's ``data.result``: several series are summed per step."""
    if not isinstance(result, (list, tuple)):
        raise ResultError(f"unexpected result {type(result).__name__}")
    sums: dict[float, list[float]] = {}
    for item in result:
        if not isinstance(item, Mapping) or not isinstance(item.get("values"), (list, tuple)):
            raise ResultError(f"unexpected series {item!r:.80}")
        for pair in item["values"]:
            ts, v = _sample(pair)
            sums.setdefault(ts, []).append(v)
    points = []
    for ts in sorted(sums):
        vs = [v for v in sums[ts] if not math.isnan(v)]
        points.append((datetime.fromtimestamp(ts, timezone.utc), sum(vs) if vs else math.nan))
    n = len(result)
    return Series(tuple(points), n, f"sum of {n} series" if n > 1 else ("no data" if n == 0 else ""))


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
# Formatting

_SI = ((1.0, ""), (1e3, "k"), (1e6, "M"), (1e9, "G"), (1e12, "T"), (1e15, "P"))
_IEC = ((1.0, "B"), (1024.0, "KiB"), (1024.0**2, "MiB"), (1024.0**3, "GiB"), (1024.0**4, "TiB"), (1024.0**5, "PiB"))
_TIME = ((1e-9, "ns"), (1e-6, "µs"), (1e-3, "ms"), (1.0, "s"), (60.0, "min"), (3600.0, "h"), (86400.0, "d"))


def _num(x: float) -> str:
    """Two or three significant digits: ``150``, ``15.0``, ``2.3``, ``0.05``."""
    ax = abs(x)
    if ax == 0:
        return "0"
    if ax >= 100:
        return f"{x:.0f}"
    if ax >= 1:
        return f"{x:.1f}"
    text = f"{x:.2g}"
    return f"{x:.1f}" if abs(float(text)) >= 1 else text


def _ladder(x: float, ladder: Sequence[tuple[float, str]], sep: str) -> str:
    ax = abs(x)
    i = 0
    for j, (factor, _) in enumerate(ladder):
        if ax >= factor:
            i = j
    # "1000 ms" is "1.0 s": move up when rounding reaches the next step
    while i + 1 < len(ladder) and abs(float(_num(x / ladder[i][0]))) * ladder[i][0] >= ladder[i + 1][0]:
        i += 1
    return f"{_num(x / ladder[i][0])}{sep}{ladder[i][1]}"


def format_value(value: float | None, unit: str) -> str:
    """``2.3 s``, ``150 ms``, ``15.0 %``, ``8.1k req/s``, ``1.2 GiB``; ``no data``, ``NaN``, ``+Inf``."""
    if value is None:
        return "no data"
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    try:
        unit = normalize_unit(unit)
    except PanelConfigError:
        pass
    if unit == "ratio":
        return f"{_num(value * 100)} %"
    if unit == "percent":
        return f"{_num(value)} %"
    if unit in ("seconds", "milliseconds"):
        seconds = value / 1000 if unit == "milliseconds" else value
        return "0 s" if seconds == 0 else _ladder(seconds, _TIME, " ")
    if unit in ("bytes", "bytes/s"):
        text = "0 B" if value == 0 else _ladder(value, _IEC, " ")
        return text + ("/s" if unit == "bytes/s" else "")
    number = "0" if value == 0 else _ladder(value, _SI, "")
    return f"{number} {unit}" if unit else number


def format_ratio(ratio: float | None) -> str:
    """``15x``, ``1.5x``, ``0.61x``; ``∞x`` over a zero baseline; ``n/a`` without one."""
    if ratio is None or math.isnan(ratio):
        return "n/a"
    if math.isinf(ratio):
        return "∞x" if ratio > 0 else "-∞x"
    ar = abs(ratio)
    if ar >= 10:
        return f"{ratio:.0f}x"
    if ar >= 1:
        return f"{ratio:.1f}x"
    return f"{ratio:.2f}x"


def format_deviation(pct: float | None) -> str:
    """``+1400 %``, ``-39 %``, ``+2.5 %``."""
    if pct is None or math.isnan(pct):
        return "n/a"
    if math.isinf(pct):
        return "+∞ %" if pct > 0 else "-∞ %"
    return f"{'+' if pct >= 0 else '-'}{_num(abs(pct))} %"


# ---------------------------------------------------------------------------------------------
# Alerts (/api/v1/alerts)


@dataclass(frozen=True)
class Alert:
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


def _instant(text: Any) -> datetime | None:
    if not isinstance(text, str) or not text:
        return None
    body = text[:-1] + "+00:00" if text.endswith(("Z", "z")) else text
    body = re.sub(r"(\.\d{6})\d+", r"\1", body)  # nanoseconds → microseconds
    try:
        dt = datetime.fromisoformat(body)
    except ValueError:
        return None
    if dt.tzinfo is None or dt.year <= 1:  # Go's zero time: never active
        return None
    return dt.astimezone(timezone.utc)


def parse_alerts(data: Any) -> list[Alert]:
    """Alerts from the ``data`` of ``/api/v1/alerts``: firing first, then by start time."""
    items = data.get("alerts") if isinstance(data, Mapping) else None
    if not isinstance(items, list):
        raise ResultError("expected data.alerts to be a list")
    alerts = []
    for item in items:
        if not isinstance(item, Mapping) or not isinstance(item.get("labels"), Mapping):
            raise ResultError(f"malformed alert {item!r:.80}")
        labels = {str(k): str(v) for k, v in item["labels"].items()}
        annotations = item.get("annotations") or {}
        try:
            value = float(item["value"]) if item.get("value") is not None else None
        except (TypeError, ValueError):
            value = None
        alerts.append(Alert(
            name=labels.get("alertname", "?"),
            state=str(item.get("state", "")),
            severity=labels.get("severity", ""),
            active_at=_instant(item.get("activeAt")),
            value=value,
            summary=str(annotations.get("summary") or annotations.get("description") or ""),
            labels=tuple(sorted(labels.items())),
        ))
    far = datetime.max.replace(tzinfo=timezone.utc)
    alerts.sort(key=lambda a: (not a.firing, a.active_at or far, a.name))
    return alerts


def earliest_firing(alerts: Iterable[Alert]) -> datetime | None:
    """When the first still-firing alert started: a candidate for the incident's detected time."""
    starts = [a.active_at for a in alerts if a.firing and a.active_at is not None]
    return min(starts) if starts else None
