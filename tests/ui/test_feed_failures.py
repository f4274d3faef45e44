"""A feed whose worker raises does not freeze its pane: the pane says so, and the feed recovers.

Each source below is a test stand-in built to the source's typed interface (as the drill's scripted
sources are), which raises until told to behave; the real workers, timers and panes run as in warroom.
"""

from __future__ import annotations

import asyncio
from datetime import timezone

from warroom.domain.panels import default_panels
from warroom.domain.presets import SEV
from warroom.room.writes import Backoff
from warroom.sources.probes import ProbeResult
from warroom.store import Store
from warroom.ui.factory import make_app

from fixtures.support import T0, FakeClock, pane_text, table_texts, wait_for

FAST = Backoff(first=0.05, limit=0.2)


async def seed(db_path) -> int:
    async with Store.open(db_path) as store:
        return (await store.declare("Checkout 500s", SEV, "SEV-1", now=T0, author="ic")).id


def app_with(db_path, **kw):
    kw.setdefault("sync_interval", 3600)
    return make_app(db_path, clock=FakeClock(T0), local=timezone.utc, tick_interval=3600, feed_backoff=FAST, **kw)


class BrokenMetrics:
    """Answers with a sparkline that is not one until ``fixed``: a bug in an adapter."""

    refresh = 3600.0

    def __init__(self) -> None:
        self.panels = tuple(default_panels())[:1]
        self.fixed = False

    def read_panel(self, panel, now=None):
        from warroom.domain.baseline import compare

        return compare(0.02, 0.01, panel)

    def range(self, panel, start, end, step):
        return None if self.fixed else "adapter bug"  # not a Sparkline: drawing it fails

    def alerts(self):
        return []

    def close(self) -> None:
        pass


class BrokenProbes:
    interval = 3600.0

    def __init__(self) -> None:
        self.fixed = False

    async def probe_all(self, now):
        if not self.fixed:
            raise RuntimeError("probe runner bug")
        return [ProbeResult("checkout", "http://checkout/health", True, 200, 0.01, "", now)]

    async def aclose(self) -> None:
        pass


async def test_a_crashing_metrics_feed_says_so_in_its_pane_and_recovers(db_path):
    await seed(db_path)
    source = BrokenMetrics()
    app = app_with(db_path, metrics_source=source)
    async with app.run_test(size=(120, 40)) as pilot:
        await app.loaded.wait()
        await wait_for(pilot, lambda: "FEED ERROR" in pane_text(app, "#metrics-status"), what="the failure shown")
        assert "metrics stopped" in pane_text(app, "#metrics-status")
        assert app.feeds["metrics"].failures >= 1
        source.fixed = True
        await wait_for(pilot, lambda: app.feeds["metrics"].polls >= 1, what="a poll after the back-off")
        assert "FEED ERROR" not in pane_text(app, "#metrics-status")
        assert app.feeds["metrics"].failures == 0


async def test_a_crashing_probes_feed_says_so_and_recovers(db_path):
    await seed(db_path)
    source = BrokenProbes()
    app = app_with(db_path, probe_source=source)
    async with app.run_test(size=(120, 40)) as pilot:
        await app.loaded.wait()
        await wait_for(pilot, lambda: "probe runner bug" in pane_text(app, "#metrics-alerts"), what="failure")
        assert "PROBES" in pane_text(app, "#metrics-alerts")
        source.fixed = True
        await wait_for(pilot, lambda: "UP" in pane_text(app, "#metrics-alerts")
                       and "probe runner bug" not in pane_text(app, "#metrics-alerts"), what="recovery")


class Snapshot:
    """A snapshot whose view cannot be computed (a bug in the view code), then the drill's real one."""

    context = "drill"
    version = 1
    errors = ()
    synced = True

    def view(self, *a, **kw):
        raise RuntimeError("pods view bug")


class SilentWatcher:
    """A watcher whose snapshots the test hands over."""

    def __init__(self) -> None:
        from warroom.drill.sources import DrillTarget

        self.target = DrillTarget()
        self.on_change = lambda snapshot: None

    def start_thread(self):
        return None

    def stop(self) -> None:
        pass


async def test_a_crashing_pods_view_says_so_and_the_next_snapshot_recovers(db_path):
    from warroom.drill.library import load
    from warroom.drill.sources import DrillRun, ScriptedKube

    await seed(db_path)
    watcher = SilentWatcher()
    app = app_with(db_path, kube_watchers=[watcher])
    async with app.run_test(size=(120, 40)) as pilot:
        await app.loaded.wait()
        await wait_for(pilot, lambda: app.feeds["kube"].polls >= 1, what="the watchers started")
        watcher.on_change(Snapshot())
        await wait_for(pilot, lambda: "FEED ERROR" in pane_text(app, "#pods-status"), what="the failure shown")
        assert "pods view bug" in pane_text(app, "#pods-status")
        scenario, source = load("bad-deploy")
        good = ScriptedKube(DrillRun(scenario, T0, lambda: T0, source=source))
        good.on_change = lambda snapshot: None
        snapshot = good.publish(T0)
        watcher.on_change(snapshot)
        await wait_for(pilot, lambda: "drill" in app.pod_views, what="the next snapshot shown")
        await pilot.pause()
        assert "FEED ERROR" not in pane_text(app, "#pods-status")


class FlakyStore:
    """The real store, whose change check raises until ``fixed`` (a bug, not a locked file)."""

    def __init__(self, store) -> None:
        self._store = store
        self.fixed = False

    async def data_version(self):
        if not self.fixed:
            raise RuntimeError("sync bug")
        return await self._store.data_version()

    def __getattr__(self, name):
        return getattr(self._store, name)


async def test_a_crashing_sync_says_so_under_the_line_and_recovers(db_path):
    incident_id = await seed(db_path)
    app = app_with(db_path, sync_interval=0.05)
    async with app.run_test(size=(120, 40)) as pilot:
        await app.loaded.wait()
        real = app.session.store
        flaky = app.session.store = FlakyStore(real)
        await wait_for(pilot, lambda: "sync stopped: sync bug" in pane_text(app, "#scribe-hint"), what="the failure shown")
        async with Store.open(db_path) as other:
            await other.append(incident_id, "written by another process", author="cli", now=T0)
        flaky.fixed = True
        await wait_for(pilot, lambda: "written by another process" in table_texts(app), what="sync recovered")
        app.session.store = real
        await asyncio.sleep(0)
