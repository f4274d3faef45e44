"""Panels: what the metrics pane shows, as configured, and how each one's baseline is read.

Pure: no I/O, no clock, no Textual. Configuration errors name the panel and the field.

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
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields
from datetime import datetime, timedelta
from typing import Any, Literal, Mapping

from warroom.domain.times import PROMQL_DURATION, parse_duration
from warroom.domain.units import UnitError, format_value, normalize_unit

Direction = Literal["higher_is_bad", "lower_is_bad"]

DIRECTIONS: tuple[Direction, ...] = ("higher_is_bad", "lower_is_bad")
#: (warn, crit) ratio thresholds for a panel that configures none at all.
DEFAULT_RATIOS: dict[Direction, tuple[float, float]] = {
    "higher_is_bad": (1.5, 3.0),
    "lower_is_bad": (0.7, 0.5),
}


class PanelConfigError(ValueError):
    """A panel's configuration is wrong; the message names the panel and the field."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.field = field


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
    try:
        out["unit"] = normalize_unit(panel.unit)
    except UnitError as exc:
        raise _err("unit", str(exc)) from None

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
