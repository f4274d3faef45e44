"""Scripted sources: the drill's stand-ins for Prometheus, the health probes and the Kubernetes watcher.

Each has the interface of the source it replaces, so the panes cannot tell the difference:

* :class:`ScriptedMetrics` — ``panels``, ``read_panel(panel, now)``, ``range(panel, start, end, step)``,
  ``alerts()``, ``close()`` like :class:`~warroom.sources.prometheus.PrometheusSource` (called from the
  metrics worker thread);
* :class:`ScriptedProbes` — ``probe_all(now)`` returning :class:`~warroom.sources.probes.ProbeResult`;
* :class:`ScriptedKube` — ``target``, ``on_change``, ``start_thread()``, ``stop()``, ``snapshot`` like
  :class:`~warroom.sources.kube.watcher.KubeWatcher`, publishing :class:`~warroom.sources.kube.snapshot.KubeSnapshot` of
  API-shaped objects (only the objects that changed are in ``changed``).

They all read one :class:`DrillRun`: the scenario, the drill's start and clock, and the time the
mitigation was logged — which the app sets when the scribe logs it, and the scripted recovery follows.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from types import MappingProxyType
from typing import Callable

from warroom.domain.baseline import Alert, Reading, Sparkline
from warroom.domain.panels import Panel
from warroom.drill import cluster, script
from warroom.drill.scenario import PanelScript, Scenario

Clock = Callable[[], datetime]
DRILL_CONTEXT = "drill"


class DrillRun:
    """The live drill shared by the scripted sources and the app (which sets ``mitigated_at``)."""

    def __init__(self, scenario: Scenario, start: datetime, clock: Clock, *, source: str = "",
                 incident_id: int | None = None) -> None:
        self.scenario = scenario
        self.source = source  # the scenario file's text, kept with the drill incident
        self.start = start
        self.clock = clock
        self.incident_id = incident_id
        self.mitigated_at: datetime | None = None
        self._state = script.Drill(scenario, start)

    @property
    def state(self) -> script.Drill:
        """The pure view of the drill; rebuilt only when the mitigation changes (its events are cached)."""
        if self._state.mitigated_at != self.mitigated_at:
            self._state = script.Drill(self.scenario, self.start, self.mitigated_at)
        return self._state

    def now(self) -> datetime:
        return self.clock()


class ScriptedMetrics:
    def __init__(self, run: DrillRun, *, refresh: float = 2.0) -> None:
        self.run = run
        self.refresh = refresh
        self.panels: tuple[Panel, ...] = tuple(p.panel for p in run.scenario.panels)
        self._scripts = {p.panel.title: p for p in run.scenario.panels}

    def _script(self, panel: Panel) -> PanelScript:
        return self._scripts[panel.title]

    def read_panel(self, panel: Panel, now: datetime | None = None) -> Reading:
        return script.reading(self.run.state, self._script(panel), now or self.run.now())

    def range(self, panel: Panel, start: datetime, end: datetime, step: timedelta | float) -> Sparkline:
        step_td = step if isinstance(step, timedelta) else timedelta(seconds=step)
        return script.sparkline(self.run.state, self._script(panel), start, end, step_td)

    def alerts(self) -> list[Alert]:
        return script.alerts(self.run.state, self.run.now())

    def close(self) -> None:
        pass


class ScriptedProbes:
    def __init__(self, run: DrillRun, *, interval: float = 2.0) -> None:
        self.run = run
        self.interval = interval

    async def probe_all(self, now: datetime) -> list:
        from warroom.sources.probes import ProbeResult

        return [ProbeResult(p.name, p.url, p.ok, p.status, p.latency_s, "" if p.ok else f"HTTP {p.status}", now)
                for p in script.probes(self.run.state, now)]

    async def aclose(self) -> None:
        pass


@dataclass(frozen=True)
class DrillTarget:
    """What the pod pane reads of a watcher's target."""

    context: str = DRILL_CONTEXT

    @property
    def label(self) -> str:
        return self.context


def _ignore(*_: object) -> None:
    pass


class ScriptedKube:
    """Publishes the scripted cluster every ``interval`` wall seconds when it changed (like a watch)."""

    def __init__(self, run: DrillRun, *, interval: float = 0.5) -> None:
        self.run = run
        self.interval = interval
        self.target = DrillTarget()
        self.on_change: Callable = _ignore
        self.on_error: Callable = _ignore
        self._stop = threading.Event()
        self._objects: dict[str, dict[tuple[str, str], dict]] = {}
        self._version = 0
        self._lock = threading.Lock()
        self.snapshot = None

    @property
    def context(self) -> str:
        return self.target.context

    def publish(self, now: datetime | None = None, *, force: bool = False):
        """Compute the cluster at ``now`` and hand a snapshot to ``on_change`` if anything changed."""
        from warroom.sources.kube.snapshot import KubeSnapshot

        now = now or self.run.now()
        built = cluster.objects(script.cluster(self.run.state, now), now)
        with self._lock:
            fresh = {plural: {(o["metadata"]["namespace"], o["metadata"]["name"]): o for o in objs}
                     for plural, objs in built.items()}
            for plural, objs in fresh.items():  # an unchanged object stays the same object, as in a watcher
                before = self._objects.get(plural, {})
                for key, obj in objs.items():
                    if _rv(before.get(key)) == _rv(obj):
                        objs[key] = before[key]
            changed = frozenset(
                (plural, ns, name)
                for plural in fresh
                for (ns, name) in fresh[plural].keys() | self._objects.get(plural, {}).keys()
                if _rv(fresh[plural].get((ns, name))) != _rv(self._objects.get(plural, {}).get((ns, name))))
            if not changed and not force and self.snapshot is not None:
                return self.snapshot
            self._objects = fresh
            self._version += 1
            snapshot = KubeSnapshot(context=DRILL_CONTEXT, server="scripted", synced=True, changed=changed,
                                    version=self._version,
                                    **{plural: MappingProxyType(objs) for plural, objs in fresh.items()})
            self.snapshot = snapshot
        self.on_change(snapshot)
        return snapshot

    def start_thread(self) -> threading.Thread:
        thread = threading.Thread(target=self._loop, name="drill-kube", daemon=True)
        thread.start()
        return thread

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.publish()
            except Exception:  # noqa: BLE001 — a scripted cluster must never take the app down
                import logging

                logging.getLogger(__name__).exception("scripted cluster failed")
            self._stop.wait(self.interval)

    def stop(self) -> None:
        self._stop.set()


def _rv(obj: dict | None) -> str | None:
    return None if obj is None else obj["metadata"]["resourceVersion"]
