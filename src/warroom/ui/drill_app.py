"""The app factory for drills: the war room with scripted sources and the drill's clock."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Callable

from warroom.config import Config
from warroom.drill.clock import DrillClock
from warroom.drill.scenario import Scenario
from warroom.drill.sources import DrillRun, ScriptedKube, ScriptedMetrics, ScriptedProbes
from warroom.ui.app import WarRoomApp, system_clock

FIRST_RUN_SPEED = 5.0


def drill_config(config: Config | None) -> Config:
    """The user's config without anything that reaches production: no Prometheus, probes or cluster
    (the scenario scripts them), and no webhooks — a drill's status updates are copied, never posted."""
    config = config or Config()
    return replace(config, prometheus=None, probes=(), kubernetes=None,
                   comms=replace(config.comms, webhook_urls=()))


def make_drill_app(db_path: Path | str, scenario: Scenario, source: str, *, speed: float = 1.0,
                   config: Config | None = None, clock: Callable | None = None, refresh: float = 1.0,
                   **kw) -> WarRoomApp:
    """``clock`` replaces the drill clock (tests step a manual one); ``refresh`` is the scripted
    sources' polling period in wall seconds."""
    clock = clock or DrillClock(system_clock(), speed)
    run = DrillRun(scenario, clock(), clock, source=source)
    return WarRoomApp(
        db_path, clock=clock, config=drill_config(config), drill=run,
        metrics_source=ScriptedMetrics(run, refresh=refresh) if scenario.panels else None,
        kube_watchers=[ScriptedKube(run, interval=refresh)] if scenario.workloads else None,
        probe_source=ScriptedProbes(run, interval=refresh) if scenario.probes else None,
        **kw,
    )
