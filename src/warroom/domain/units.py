"""The units of a panel's numbers: their names, and how a value, a ratio and a deviation print.

Pure. ``format_value`` picks a readable scale (``150 ms``, ``2.3 s``, ``8.1k req/s``,
``1.2 GiB``) with two or three significant digits.
"""

from __future__ import annotations

import math
from typing import Sequence

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


class UnitError(ValueError):
    """A unit warroom does not know (a typo would silently print raw numbers)."""


def normalize_unit(unit: str) -> str:
    """Canonical unit name; raises UnitError for an unknown one (a typo would silently print raw numbers)."""
    text = unit.strip()
    key = text.lower()
    if key in UNITS:
        return key
    if key in _UNIT_ALIASES:
        return _UNIT_ALIASES[key]
    if key.endswith("/s") and len(key) > 2:
        return text
    raise UnitError(f"unknown unit {unit!r} (known: {', '.join(repr(u) for u in UNITS)}, or any '<thing>/s')")


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
    except UnitError:
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
