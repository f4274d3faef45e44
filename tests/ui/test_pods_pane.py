"""The pod pane in the app, against the Kubernetes API emulator over real HTTP (official client)."""

from __future__ import annotations

import asyncio
from datetime import timezone

import pytest

import podfixtures as pf
from kube_fixture import DEFAULT_TOKEN, KubeEmulator, scenario, write_kubeconfig
from warroom.config import Config, KubeConfig
from warroom.domain.presets import SEV
from warroom.store.sqlite import Store
from warroom.ui.app import WarRoomApp
from warroom.ui.widgets.pods import PodTable

from support import FakeClock, pane_text, table_texts, wait_for


@pytest.fixture
async def emu():
    async with KubeEmulator() as e:
        e.add_all(scenario())
        yield e
    assert {r.method for r in e.requests} <= {"GET"}


def pod_rows(app) -> list[list[str]]:
    table = app.query_one(PodTable)
    return [[c.plain for c in table.get_row_at(i)] for i in range(table.row_count)]


async def make(db_path, tmp_path, contexts, **kw):
    async with Store.open(db_path) as store:
        await store.declare("Shop is down", SEV, "SEV-1", now=pf.NOW, author="ic")
    config = Config(kubernetes=KubeConfig(contexts=contexts, kubeconfig=str(tmp_path / "kubeconfig")))
    return WarRoomApp(db_path, clock=FakeClock(pf.NOW), local=timezone.utc, tick_interval=3600, sync_interval=3600,
                      config=config, **kw)


async def test_pane_lists_pods_unhealthy_first_and_logs_the_crash_loop_once(emu, db_path, tmp_path):
    write_kubeconfig(tmp_path / "kubeconfig", {"a": (emu.url, DEFAULT_TOKEN)})
    app = await make(db_path, tmp_path, (None,))
    async with app.run_test(size=(160, 48)) as pilot:
        await app.loaded.wait()
        await wait_for(pilot, lambda: app.pod_views and next(iter(app.pod_views.values())).synced, timeout=15,
                       what="first pod view")
        await pilot.pause()
        rows = pod_rows(app)
        assert rows[0][:5] == ["shop", "web-7d4b9c6f5-b7k2m", "0/1", "CrashLoopBackOff", "7 (45s ago)"]
        assert "Running" in [r[3] for r in rows]
        summary = pane_text(app, "#pods-summary")
        assert "unhealthy" in summary and "web 2/3" in summary
        changes = pane_text(app, "#pods-changes")
        assert "shop/web rev 2" in changes and "2.13.0 → " in changes and "BackOff" in changes
        await app.writes_done()
        await pilot.pause()
        logged = [t for t in table_texts(app) if t.startswith(("Pods:", "Workload", "Rollout"))]
        assert any(t.startswith("Pods: shop/web: 1 pod CrashLoopBackOff, 7 restarts") for t in logged)
        assert any(t.startswith("Workload shop/web (Deployment) below desired: 2/3") for t in logged)
        assert any(t.startswith("Rollout shop/web revision 2") for t in logged)
        # a watch event: the crash loop restarts again — no second entry in the same window
        emu.modify(pf.deployment_pod(suffix="b7k2m", phase="Running", statuses=[pf.waiting(
            "CrashLoopBackOff", restarts=8, last=pf.last_terminated(pf.ago(seconds=5), reason="Error"))]))
        await wait_for(pilot, lambda: any(r[4].startswith("8") for r in pod_rows(app)), timeout=10,
                       what="the MODIFIED event")
        await app.writes_done()
        assert len([t for t in table_texts(app) if t.startswith("Pods:")]) == 1
        # filter by typing, then pin the selected pod
        app.query_one("#pods-filter").focus()
        await pilot.press(*"db-0", "enter")
        await pilot.pause()
        assert [r[1] for r in pod_rows(app)] == ["db-0"]
        await pilot.press("p")
        await app.writes_done()
        await pilot.pause()
        assert table_texts(app)[-1].startswith("Pod shop/db-0: Running, READY 1/1")


async def test_a_failing_context_is_shown_and_the_other_keeps_working(emu, db_path, tmp_path):
    write_kubeconfig(tmp_path / "kubeconfig", {"good": (emu.url, DEFAULT_TOKEN),
                                               "bad": ("http://127.0.0.1:9", DEFAULT_TOKEN)})
    app = await make(db_path, tmp_path, ("good", "bad"))
    async with app.run_test(size=(160, 48)) as pilot:
        await app.loaded.wait()
        await wait_for(pilot, lambda: "good" in app.pod_views and app.pod_views["good"].synced
                       and "bad" in app.pod_views and app.pod_views["bad"].errors, timeout=15, what="both contexts")
        await pilot.pause()
        assert "cannot reach http://127.0.0.1:9" in pane_text(app, "#pods-status")
        rows = pod_rows(app)
        assert rows and all(r[0] == "good" for r in rows)  # the CONTEXT column appears with two contexts


@pytest.mark.parametrize("size", [(80, 24), (160, 48)], ids=["80x24", "160x48"])
def test_pods_pane_snapshot(snap_compare, db_path, tmp_path, size):
    import threading

    from kube_fixture import EmulatorThread

    emulator = KubeEmulator()
    emulator.add_all(scenario())
    with EmulatorThread(emulator):
        write_kubeconfig(tmp_path / "kubeconfig", {"a": (emulator.url, DEFAULT_TOKEN)})
        app = asyncio.run(make(db_path, tmp_path, (None,), cursor_blink=False))

        async def run_before(pilot):
            await pilot.app.loaded.wait()
            await wait_for(pilot, lambda: pilot.app.pod_views and next(iter(pilot.app.pod_views.values())).synced,
                           timeout=15, what="pods")
            await pilot.app.writes_done()
            if size[0] < 120:
                await pilot.press("ctrl+o", "ctrl+o")  # small screens: SLA → metrics → pods
            await pilot.pause()

        assert snap_compare(app, terminal_size=size, run_before=run_before)
