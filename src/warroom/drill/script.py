"""A scenario evaluated at an instant: metric values, alerts, probes and the cluster's state.

Pure: every function takes the scenario, the drill's start, when the mitigation was logged (or
None) and ``now``; the same arguments always give the same answer, noise included (a hash of
the panel and the time, never a random generator), so a drill replays identically and a test
can ask for any instant.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, replace
from functools import cached_property
from datetime import datetime, timedelta

from warroom.domain.baseline import Alert, Reading, Series, Sparkline, compare, constant_series
from warroom.domain.panels import Panel
from warroom.drill.scenario import Event, PanelScript, Scenario, Workload

NOISE_BUCKET = 20.0  # seconds between the noise's control points
#: kubelet's crash-loop back-off: 10 s doubling to 5 min; a crashing container runs ~5 s first.
BACKOFF_START, BACKOFF_CAP, CRASH_RUN = 10.0, 300.0, 5.0
CRASHING = frozenset({"CrashLoopBackOff", "OOMKilled", "Error"})


@dataclass(frozen=True)
class Drill:
    """Where a drill stands in scenario terms: what the pure functions below need."""

    scenario: Scenario
    start: datetime
    mitigated_at: datetime | None = None

    def offset(self, now: datetime) -> timedelta:
        return now - self.start

    def events(self) -> tuple[Event, ...]:
        return self._events

    @cached_property
    def _events(self) -> tuple[Event, ...]:
        """Every scripted event on the drill's axis (mitigation events placed after the mitigation)."""
        out = list(self.scenario.events)
        m = self.scenario.mitigation
        if m is not None and self.mitigated_at is not None:
            at = self.mitigated_at - self.start
            out += [replace(e, at=at + e.at) for e in m.events]
        return tuple(sorted(out, key=lambda e: e.at))

    def happened(self, now: datetime) -> list[Event]:
        t = self.offset(now)
        return [e for e in self.events() if e.at <= t]

    @property
    def ends_at(self) -> datetime:
        return self.start + self.scenario.duration


# -- metrics ------------------------------------------------------------------------------------


def jitter(key: str, seconds: float) -> float:
    """Smooth deterministic noise in [-1, 1]: hashed control points every NOISE_BUCKET, interpolated."""
    bucket, frac = divmod(seconds / NOISE_BUCKET, 1.0)

    def point(b: float) -> float:
        return zlib.crc32(f"{key}:{int(b)}".encode()) / 0xFFFFFFFF * 2 - 1

    return point(bucket) * (1 - frac) + point(bucket + 1) * frac


def level(drill: Drill, script: PanelScript, now: datetime) -> float:
    """The scripted level (no noise) at ``now``: ``normal``, then each metric event's linear ramp."""
    t = drill.offset(now)
    value = script.normal
    ramp: tuple[timedelta, float, timedelta, float] | None = None
    for e in drill.events():
        if e.do != "metric" or e.panel != script.panel.title:
            continue
        if e.at > t:
            break
        start_value = _on_ramp(ramp, e.at) if ramp else value
        ramp = (e.at, start_value, e.at + e.over, e.to)
    return _on_ramp(ramp, t) if ramp else value


def _on_ramp(ramp: tuple[timedelta, float, timedelta, float], t: timedelta) -> float:
    t0, v0, t1, v1 = ramp
    if t >= t1 or t1 == t0:
        return v1
    return v0 + (v1 - v0) * ((t - t0) / (t1 - t0))


def value(drill: Drill, script: PanelScript, now: datetime) -> float:
    return level(drill, script, now) * (1 + script.noise * jitter(script.panel.title, now.timestamp()))


def baseline(script: PanelScript, now: datetime) -> float | None:
    """Yesterday (or the configured shift) at the same time: the normal level with that day's noise."""
    panel = script.panel
    if panel.baseline_fixed is not None:
        return panel.baseline_fixed
    then = now - panel.baseline_shift
    return script.normal * (1 + script.noise * jitter(panel.title, then.timestamp()))


def reading(drill: Drill, script: PanelScript, now: datetime) -> Reading:
    return replace(compare(value(drill, script, now), baseline(script, now), script.panel), at=now)


def sparkline(drill: Drill, script: PanelScript, start: datetime, end: datetime, step: timedelta) -> Sparkline:
    points, base = [], []
    t = start
    while t <= end:
        points.append((t, value(drill, script, t)))
        base.append((t, baseline(script, t)))
        t += step
    panel: Panel = script.panel
    if panel.baseline_fixed is not None:
        return Sparkline(panel, Series(tuple(points)), constant_series(panel.baseline_fixed, start, end, step))
    return Sparkline(panel, Series(tuple(points)), Series(tuple(base)))


def alerts(drill: Drill, now: datetime) -> list[Alert]:
    """Firing alerts at ``now``: each ``alert`` event until its ``resolve``; earliest first."""
    firing: dict[str, Alert] = {}
    for e in drill.happened(now):
        if e.do == "alert":
            labels = (("alertname", e.name),) + ((("severity", e.severity),) if e.severity else ())
            firing[e.name] = Alert(e.name, "firing", e.severity, drill.start + e.at, None, e.summary, labels)
        elif e.do == "resolve":
            firing.pop(e.name, None)
    return sorted(firing.values(), key=lambda a: (a.active_at, a.name))


# -- probes -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProbeState:
    name: str
    url: str
    ok: bool
    status: int
    latency_s: float


def probes(drill: Drill, now: datetime) -> list[ProbeState]:
    state = {p.name: ProbeState(p.name, p.url, True, 200, p.latency) for p in drill.scenario.probes}
    for e in drill.happened(now):
        if e.do == "probe":
            old = state[e.name]
            status = e.http_status if e.http_status is not None else (200 if e.ok else 503)
            state[e.name] = replace(old, ok=e.ok, status=status,
                                    latency_s=e.latency if e.latency is not None else old.latency_s)
    return [state[p.name] for p in drill.scenario.probes]


# -- the cluster --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Replica:
    index: int
    revision: int
    status: str
    since: datetime  # when it entered ``status``
    created: datetime


@dataclass(frozen=True)
class Revision:
    number: int
    image: str
    at: datetime


@dataclass(frozen=True)
class WorkloadState:
    workload: Workload
    revisions: tuple[Revision, ...]
    replicas: tuple[Replica, ...]

    @property
    def current(self) -> Revision:
        return self.revisions[-1]


@dataclass(frozen=True)
class WarningNote:
    workload: str
    reason: str
    message: str
    at: datetime


@dataclass(frozen=True)
class ClusterState:
    workloads: tuple[WorkloadState, ...]
    warnings: tuple[WarningNote, ...]


def cluster(drill: Drill, now: datetime, *, history: timedelta = timedelta(days=2)) -> ClusterState:
    """Each workload's revisions and replicas, and the scripted Warning events, at ``now``.

    Before the drill, every workload has run its ``image`` as revision 1 for ``history``.
    """
    born = drill.start - history
    states: dict[str, WorkloadState] = {
        w.name: WorkloadState(w, (Revision(1, w.image, born),),
                              tuple(Replica(i, 1, "Running", born, born) for i in range(w.replicas)))
        for w in drill.scenario.workloads
    }
    warnings: list[WarningNote] = []
    for e in drill.happened(now):
        if e.do not in ("pods", "scale", "rollout", "warning"):
            continue
        at = drill.start + e.at
        s = states[e.workload]
        if e.do == "rollout":
            rev = Revision(s.current.number + 1, e.image, at)
            states[e.workload] = WorkloadState(s.workload, (*s.revisions, rev),
                                               tuple(Replica(r.index, rev.number, "Running", at, at)
                                                     for r in s.replicas))
        elif e.do == "pods":
            count = len(s.replicas) if e.count is None else e.count
            replicas = tuple(replace(r, status=e.status, since=at) if i < count and r.status != e.status else r
                             for i, r in enumerate(s.replicas))
            states[e.workload] = replace(s, replicas=replicas)
        elif e.do == "scale":
            keep = s.replicas[:e.replicas]
            add = tuple(Replica(i, s.current.number, "Running", at, at) for i in range(len(keep), e.replicas))
            states[e.workload] = replace(s, replicas=keep + add)
        else:
            warnings.append(WarningNote(e.workload, e.reason, e.message, at))
    return ClusterState(tuple(states[w.name] for w in drill.scenario.workloads), tuple(warnings))


def crash_loop(elapsed: timedelta) -> tuple[int, timedelta]:
    """(restarts, offset of the last crash) of a container crashing since ``elapsed`` ago, on
    kubelet's back-off (first crash after CRASH_RUN, then back-off 10 s, 20 s, 40 s … 5 min)."""
    seconds = elapsed.total_seconds()
    t, crashes, backoff = CRASH_RUN, 0, BACKOFF_START
    last = 0.0
    while t <= seconds and backoff < BACKOFF_CAP:
        crashes, last = crashes + 1, t
        t += backoff + CRASH_RUN
        backoff = min(backoff * 2, BACKOFF_CAP)
    if t <= seconds:  # capped: one crash every BACKOFF_CAP + CRASH_RUN, counted, not looped (days of it)
        period = BACKOFF_CAP + CRASH_RUN
        more = int((seconds - t) // period) + 1
        crashes, last = crashes + more, t + (more - 1) * period
    return crashes, timedelta(seconds=last)
