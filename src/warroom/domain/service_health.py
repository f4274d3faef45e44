"""Is an affected service up? The rule status updates use, from probes and metric panels.

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
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Iterable, Literal, Protocol, Sequence

from warroom.domain.metrics_view import MetricsView
from warroom.domain.text import clean_line as _line

Health = Literal["DOWN", "DEGRADED", "HEALTHY", "UNKNOWN"]
HEALTH_MARKS = {"DOWN": "🔴", "DEGRADED": "🟡", "HEALTHY": "🟢", "UNKNOWN": "⚪"}
_PROBE_SEPARATORS = "-_.:/@ "


class ProbeLike(Protocol):
    """What the health rule needs of a probe result (``warroom.sources.probes.ProbeResult``)."""

    name: str
    ok: bool
    error: str


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

