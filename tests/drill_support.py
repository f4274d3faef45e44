"""Helpers for driving a drill in the app (importable as ``drill_support``)."""

from __future__ import annotations

from datetime import timedelta, timezone

from warroom.drill.library import load
from warroom.ui.factory import make_drill_app
from warroom.ui.widgets.metrics import PanelList
from warroom.ui.widgets.pods import PodTable

from support import wait_for


def drill_app(db_path, name, clock, tmp_path, **kw):
    scenario, source = load(name)
    kw.setdefault("refresh", 0.3)  # Pilot waits for the process to be idle after each key: poll gently
    return make_drill_app(db_path, scenario, source, clock=clock, local=timezone.utc, author="scribe",
                          export_dir=tmp_path, tick_interval=3600, sync_interval=3600, **kw)


def panel_line(app, title: str) -> str:
    """The first line the metrics pane shows for a panel (value, baseline, ratio, verdict)."""
    panels = app.query_one(PanelList)
    for i in range(panels.option_count):
        option = panels.get_option_at_index(i)
        if option.id == title:
            return option.prompt.plain.split("\n", 1)[0]
    raise AssertionError(f"no panel {title!r}")


def pod_rows(app) -> list[list[str]]:
    table = app.query_one(PodTable)
    return [[c.plain for c in table.get_row_at(i)] for i in range(table.row_count)]


def pods_of(app, workload: str) -> list[str]:
    return [r[3] for r in pod_rows(app) if r[1].startswith(workload + "-")]


class Drive:
    """Moves the drill's clock and waits for the panes to show the new instant."""

    def __init__(self, app, pilot, clock) -> None:
        self.app, self.pilot, self.clock = app, pilot, clock

    async def start(self) -> None:
        await self.app.loaded.wait()
        await self.settle()

    async def to(self, offset: timedelta) -> None:
        self.clock.now = self.app.drill.start + offset
        await self.settle()

    async def settle(self) -> None:
        app, now = self.app, self.clock.now
        app.tick()
        await app.writes_done()
        await wait_for(self.pilot, lambda: app.metrics.polled_at is not None and app.metrics.polled_at >= now,
                       what="a metrics poll at the new instant")
        await wait_for(self.pilot, lambda: all(p.at >= now for p in app.probe_results) and app.probe_results,
                       what="probes at the new instant")
        watcher = app.pods_feed.watchers[0]
        await wait_for(self.pilot, lambda: watcher.snapshot is not None and
                       app.pods_feed.versions.get("drill", -1) >= watcher.snapshot.version, what="the pod view")
        await self.pilot.pause()

    async def type(self, line: str) -> None:
        await self.pilot.press(*line, "enter")
        await self.app.writes_done()
        self.app.tick()
        await self.app.writes_done()
        await self.pilot.pause()
