"""Recording what the panes showed, compactly: only changes, folded back into the state at any instant.

Pure. A pane's readings become a flat *state* — ``{(stream, key): value}`` with JSON-able values
(a panel's value and baseline, the firing alerts, each unhealthy pod's columns, each workload's
ready/desired, probes, rollouts, Warning events). :class:`Recorder` compares each new state with
the last one of the same *scope* (the metrics, the probes, one Kubernetes context) and returns
only what changed — a key that disappeared is recorded with the value ``None``. :class:`Timeline`
folds records back: the last value of every key up to an instant, which is what the war room
showed then. Healthy pods are not recorded one by one (a count per context is), so 5,000
healthy pods cost nothing while they stay healthy.
"""

from __future__ import annotations

import bisect
import math
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Iterable, Mapping, Sequence

Key = tuple[str, str]
State = dict[Key, Any]
SEP = "\x1f"  # between the parts of a key (context, namespace, name): never in a Kubernetes name

STREAMS = ("panel", "alerts", "probe", "pods", "pod", "workload", "rollout", "event")


@dataclass(frozen=True)
class Record:
    at: datetime
    stream: str
    key: str
    value: Any  # None: the key is gone (a pod became healthy, an alert resolved)


def _num(x: float | None) -> float | None:
    """Six significant digits, NaN/Inf as None: enough for a review, and small on disk."""
    if x is None or isinstance(x, bool) or not math.isfinite(x):
        return None
    return float(f"{x:.6g}")


def _iso(dt: datetime | None) -> str | None:
    return dt.isoformat() if dt is not None else None


def metrics_state(view: Any) -> State:
    """A :class:`~warroom.domain.metrics_view.MetricsView`: each panel's value, baseline, verdict and
    error, and the firing alerts (one record for the list: they change together)."""
    state: State = {}
    for i, p in enumerate(view.panels):
        r = p.reading
        state[("panel", p.panel.title)] = {
            "v": _num(r.current) if r else None, "b": _num(r.baseline) if r else None,
            "verdict": r.verdict if r else "NO DATA", "unit": p.panel.unit, "error": p.error or view.source_error,
            "i": i,  # the pane's order
        }
    state[("alerts", "")] = [[a.name, a.severity, _iso(a.active_at), a.summary] for a in view.alerts if a.firing]
    return state


def probes_state(results: Iterable[Any]) -> State:
    return {("probe", r.name): {"ok": r.ok, "status": r.status,
                                "ms": None if r.latency_s is None else round(r.latency_s * 1000),
                                "error": r.error}
            for r in results}


def pods_state(view: Any) -> State:
    """One context's pane (a ``ContextView``): per-namespace counts, each unhealthy pod's columns, the
    workloads, rollouts and Warning events — enough to draw the pane again (:mod:`warroom.domain.replay`)."""
    ctx = view.context
    state: State = {("pods", ctx): {"namespaces": [[n.namespace, n.total, n.unhealthy] for n in view.namespaces],
                                    "errors": list(view.errors), "synced": view.synced}}
    for r in view.rows:
        if not r.healthy:
            state[("pod", SEP.join((ctx, r.namespace, r.name)))] = {
                "ready": r.ready, "status": r.status, "restarts": r.restarts, "node": r.node,
                "created": _iso(r.created), "last_restart": _iso(r.last_restart),
                "owner": [r.owner.kind, r.owner.name] if r.owner else None}
    for w in view.workloads:
        state[("workload", SEP.join((ctx, w.namespace, w.kind, w.name)))] = {
            "ready": w.ready, "desired": w.desired, "pods": w.pods, "unhealthy": w.unhealthy_pods}
    for r in view.rollouts:
        state[("rollout", SEP.join((ctx, r.namespace, r.deployment)))] = {
            "revision": r.revision, "rs": r.replicaset, "at": _iso(r.at), "previous": r.previous_revision,
            "before": [list(i) for i in r.images_before], "after": [list(i) for i in r.images_after]}
    for e in view.events:
        state[("event", SEP.join((ctx, e.namespace, e.kind, e.name, e.reason)))] = {
            "count": e.count, "last": _iso(e.last_seen), "message": e.message}
    return state


def pods_scope(context: str) -> str:
    return f"pods{SEP}{context}"


class Recorder:
    """Remembers the last recorded state of each scope and hands back only the changes."""

    def __init__(self) -> None:
        self._last: dict[str, State] = {}

    def observe(self, scope: str, state: State, at: datetime) -> list[Record]:
        old = self._last.get(scope, {})
        out = [Record(at, s, k, v) for (s, k), v in state.items() if old.get((s, k), _MISSING) != v]
        out += [Record(at, s, k, None) for (s, k) in old.keys() - state.keys()]
        self._last[scope] = state
        return out


_MISSING = object()


def _apply(state: State, r: Record) -> None:
    if r.value is None:
        state.pop((r.stream, r.key), None)
    else:
        state[(r.stream, r.key)] = r.value


class Timeline:
    """Records of one incident with keyframes, so that seeking anywhere in hours of readings stays fast."""

    def __init__(self, records: Sequence[Record], *, every: int = 2000) -> None:
        self.records = sorted(records, key=lambda r: r.at)
        self._times = [r.at for r in self.records]
        self._frames: list[tuple[int, State]] = [(0, {})]
        state: State = {}
        for i, r in enumerate(self.records, start=1):
            _apply(state, r)
            if i % every == 0:
                self._frames.append((i, dict(state)))
        self._frame_ends = [f[0] for f in self._frames]

    def state_at(self, at: datetime) -> State:
        """What was shown at ``at``: the last value of every key recorded up to it."""
        end = bisect.bisect_right(self._times, at)
        start, base = self._frames[bisect.bisect_right(self._frame_ends, end) - 1]
        state = dict(base)
        for r in self.records[start:end]:
            _apply(state, r)
        return state

    def history(self, stream: str, key: str, start: datetime, end: datetime) -> list[tuple[datetime, Any]]:
        """Every recorded value of one key between two instants (a panel's sparkline in a replay)."""
        lo, hi = bisect.bisect_left(self._times, start), bisect.bisect_right(self._times, end)
        return [(r.at, r.value) for r in self.records[lo:hi] if r.stream == stream and r.key == key]

    @property
    def span(self) -> tuple[datetime, datetime] | None:
        return (self._times[0], self._times[-1]) if self._times else None


def evidence(state: Mapping[Key, Any]) -> tuple[list[str], int | None]:
    """The readings a review needs at one instant: ``value vs baseline (verdict)`` per panel, and the
    number of unhealthy pods (None when no pods were watched)."""
    from warroom.domain.units import format_value

    panels = []
    for (stream, key), v in sorted(state.items()):
        if stream == "panel":
            value = format_value(v["v"], v["unit"]) if v["v"] is not None else "no data"
            base = format_value(v["b"], v["unit"]) if v["b"] is not None else "—"
            panels.append(f"{key} {value} vs {base} ({v['verdict']}{', stale' if v['error'] else ''})")
    counts = [v for (stream, _), v in state.items() if stream == "pods"]
    return panels, (sum(n[2] for c in counts for n in c["namespaces"]) if counts else None)
