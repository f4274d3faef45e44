"""Building the war room apps: one place for the CLI, drills, replay, the benches and the tests.

The config is read once, here, and handed to the app (a broken file is one line in a notice: the
timeline still works). Every caller that builds an app goes through these functions, so a test
builds exactly what ``warroom`` runs.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Callable

from typing import TYPE_CHECKING

from warroom.config import Config, ConfigError, load_config
from warroom.ui.app import WarRoomApp, system_clock
from warroom.ui.crash import exit_code
from warroom.ui.runtime import tune_runtime

if TYPE_CHECKING:
    from warroom.drill.scenario import Scenario

FIRST_RUN_SPEED = 5.0


def load_settings(config_path: Path | None, *, explicit: bool = False) -> tuple[Config | None, str]:
    """(the config, or None; the one-line reason it could not be read, or "")."""
    from warroom.paths import default_config_path

    try:
        return load_config(config_path or default_config_path(), explicit=explicit), ""
    except ConfigError as exc:
        return None, str(exc)


def local_zone(config: Config | None) -> tzinfo | None:
    """The configured timezone (None: the machine's)."""
    if config and config.timezone:
        from zoneinfo import ZoneInfo

        return ZoneInfo(config.timezone)
    return None


def make_app(db_path: Path | str, *, config: Config | None = None, config_error: str = "", **kw) -> WarRoomApp:
    """The war room on a database; ``kw`` as ``WarRoomApp`` takes them (tests inject a clock)."""
    kw.setdefault("local", local_zone(config))
    return WarRoomApp(db_path, config=config, config_error=config_error, **kw)


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
    from warroom.drill.clock import DrillClock  # the drill's modules: not on the war room's start path
    from warroom.drill.sources import DrillRun, ScriptedKube, ScriptedMetrics, ScriptedProbes

    clock = clock or DrillClock(system_clock(), speed)
    run = DrillRun(scenario, clock(), clock, source=source)
    return make_app(
        db_path, clock=clock, config=drill_config(config), drill=run,
        drill_clock=clock if isinstance(clock, DrillClock) else None,
        metrics_source=ScriptedMetrics(run, refresh=refresh) if scenario.panels else None,
        kube_watchers=[ScriptedKube(run, interval=refresh)] if scenario.workloads else None,
        probe_source=ScriptedProbes(run, interval=refresh) if scenario.probes else None,
        **kw,
    )


def make_replay_app(db_path: Path | str, incident_id: int, *, start: datetime | None = None,
                    local: tzinfo | None = None):
    from warroom.ui.replay_app import ReplayApp

    return ReplayApp(db_path, incident_id, local=local, start=start)


def run(db_path: Path, config_path: Path | None = None, *, explicit_config: bool = False,
        read_only: bool = False, export_dir: Path | None = None) -> int:
    """``warroom``: the war room, then the drill its first-run welcome offered, if one was chosen
    (``read_only``: a screen that watches, as ``warroom serve`` gives its visitors; no welcome;
    ``export_dir``: where F9 writes, else the current directory)."""
    tune_runtime()
    config, error = load_settings(config_path, explicit=explicit_config)
    app = make_app(db_path, config=config, config_error=error, first_run=not read_only, read_only=read_only,
                   export_dir=export_dir)
    code = exit_code(app, app.run())
    if app.start_drill:
        from warroom.drill.library import load

        scenario, source = load(app.start_drill)
        drill = make_drill_app(db_path, scenario, source, speed=FIRST_RUN_SPEED, config=config,
                               local=local_zone(config))
        return exit_code(drill, drill.run())
    return code


def run_drill(db_path: Path, scenario: Scenario, source: str, *, speed: float, config_path: Path,
              explicit_config: bool) -> int:
    tune_runtime()
    config, error = load_settings(config_path, explicit=explicit_config)
    app = make_drill_app(db_path, scenario, source, speed=speed, config=config, config_error=error,
                         local=local_zone(config))
    return exit_code(app, app.run())
