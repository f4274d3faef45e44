"""Prometheus's HTTP API JSON, decoded: instant results into one number, range results into
a sparkline series, ``/api/v1/alerts`` into alerts.

Pure (no I/O): :mod:`warroom.sources.prometheus` hands it the ``data`` of each answer. What
cannot be shown (a range vector for a panel, a string, a malformed sample) is a ResultError
with a short message for the pane's status line.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Mapping

from warroom.domain.baseline import Alert, Series
from warroom.domain.times import TimeParseError, parse_instant


class ResultError(ValueError):
    """A query result is not something a panel can show (a range vector, a string…)."""


@dataclass(frozen=True)
class Reduced:
    """One number out of an instant query's result, and what was done to get it."""

    value: float | None  # None: empty vector (no data)
    series: int
    note: str = ""  # "sum of 12 series", "2 NaN series left out"…
    top: tuple[tuple[str, float], ...] = ()  # largest series (short label text, value), multi-series only


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
# Alerts (/api/v1/alerts)


def _instant(text: Any) -> datetime | None:
    """``activeAt``; None when absent or unreadable — Go's zero time (``0001-01-01T00:00:00Z``)
    means never active, and lies outside warroom's range like any other impossible year."""
    if not isinstance(text, str) or not text:
        return None
    try:
        return parse_instant(text)
    except TimeParseError:
        return None


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
