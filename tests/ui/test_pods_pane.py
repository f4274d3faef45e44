"""The pod pane in the app, against the Kubernetes API emulator over real HTTP (official client)."""

from __future__ import annotations

import asyncio
from datetime import timezone

import pytest

from fixtures import podfixtures as pf
from fixtures.kube_fixture import DEFAULT_TOKEN, KubeEmulator, scenario, write_kubeconfig
from warroom.config import Config, KubeConfig
from warroom.domain.presets import SEV
from warroom.store import Store
from warroom.ui.factory import make_app
from warroom.ui.widgets.pods import PodTable

from fixtures.support import FakeClock, pane_text, table_texts, wait_for


@pytest.fixture
async def emu():
    async with KubeEmulator() as e:
        e.add_all(scenario())
        yield e
    assert {r.method for r in e.requests} <= {"GET"}


async def first_view(app, pilot) -> None:
    await app.loaded.wait()
    await wait_for(pilot, lambda: app.pod_views and next(iter(app.pod_views.values())).synced, timeout=15,
                   what="first pod view")
    await pilot.pause()


def pod_rows(app) -> list[list[str]]:
    table = app.query_one(PodTable)
    return [[c.plain for c in table.get_row_at(i)] for i in range(table.row_count)]


async def make(db_path, tmp_path, contexts, **kw):
    async with Store.open(db_path) as store:
        await store.declare("Shop is down", SEV, "SEV-1", now=pf.NOW, author="ic")
    config = Config(kubernetes=KubeConfig(contexts=contexts, kubeconfig=str(tmp_path / "kubeconfig")))
    return make_app(db_path, clock=FakeClock(pf.NOW), local=timezone.utc, tick_interval=3600, sync_interval=3600,
                      config=config, **kw)


async def test_pane_lists_pods_unhealthy_first_and_logs_the_crash_loop_once(emu, db_path, tmp_path):
    write_kubeconfig(tmp_path / "kubeconfig", {"a": (emu.url, DEFAULT_TOKEN)})
    app = await make(db_path, tmp_path, (None,))
    async with app.run_test(size=(160, 48)) as pilot:
        await first_view(app, pilot)
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

    from fixtures.kube_fixture import EmulatorThread

    emulator = KubeEmulator()
    emulator.add_all(scenario())
    with EmulatorThread(emulator):
        write_kubeconfig(tmp_path / "kubeconfig", {"a": (emulator.url, DEFAULT_TOKEN)})
        app = asyncio.run(make(db_path, tmp_path, (None,)))

        async def run_before(pilot):
            await pilot.app.loaded.wait()
            await wait_for(pilot, lambda: pilot.app.pod_views and next(iter(pilot.app.pod_views.values())).synced,
                           timeout=15, what="pods")
            await pilot.app.writes_done()
            if size[0] < 120:
                await pilot.press("ctrl+o", "ctrl+o")  # small screens: SLA → metrics → pods
            await pilot.pause()

        assert snap_compare(app, terminal_size=size, run_before=run_before)


async def test_the_table_updates_by_key_and_the_cursor_stays_on_the_selected_pod(emu, db_path, tmp_path, monkeypatch):
    import warroom.ui.widgets.pods as pods_widget

    monkeypatch.setattr(pods_widget, "MAX_ROWS", 4)  # 6 pods: 4 shown and the "… more" row
    write_kubeconfig(tmp_path / "kubeconfig", {"a": (emu.url, DEFAULT_TOKEN)})
    app = await make(db_path, tmp_path, (None,))
    async with app.run_test(size=(160, 48)) as pilot:
        await first_view(app, pilot)
        table = app.query_one(PodTable)

        def names() -> list[str]:
            return [r[1] for r in pod_rows(app)]

        def selected() -> str:
            return pod_rows(app)[table.cursor_row][1]

        assert names() == ["web-7d4b9c6f5-b7k2m", "node-exporter-q7wz4", "db-0", "db-migrate-29401230-k8m2p", ""]
        assert pod_rows(app)[-1][-1] == "… 2 more healthy pods: type in the filter"
        table.focus()
        table.move_cursor(row=2)
        await pilot.pause()
        assert selected() == "db-0"

        # a pod goes bad: it moves above the selected one, the cursor stays on db-0
        emu.modify(pf.deployment_pod(suffix="x2x9k", statuses=[pf.waiting(
            "CrashLoopBackOff", restarts=3, last=pf.last_terminated(pf.ago(seconds=20), reason="OOMKilled",
                                                                    exit_code=137))]))
        await wait_for(pilot, lambda: names()[1] == "web-7d4b9c6f5-x2x9k", timeout=10, what="the MODIFIED event")
        assert names() == ["web-7d4b9c6f5-b7k2m", "web-7d4b9c6f5-x2x9k", "node-exporter-q7wz4", "db-0", ""]
        assert (table.cursor_row, selected()) == (3, "db-0")
        assert pod_rows(app)[1][3:5] == ["CrashLoopBackOff", "3 (20s ago)"]

        # time passes: an unchanged pod's "(… ago)" follows the clock at the next redraw
        app.clock.advance(minutes=10)
        emu.modify(pf.daemonset_pod(statuses=[pf.running("node-exporter", "quay.io/prometheus/node-exporter:v1.8.2",
                                                          restarts=1, last=pf.last_terminated(pf.ago(minutes=1)))]))
        await wait_for(pilot, lambda: pod_rows(app)[2][4].startswith("1 "), timeout=10, what="the redraw")
        assert pod_rows(app)[0][4] == "7 (10m ago)"  # was "7 (45s ago)"
        assert selected() == "db-0"

        # a deleted pod disappears; the cursor follows db-0 up
        emu.delete("pods", "shop", "web-7d4b9c6f5-b7k2m")
        await wait_for(pilot, lambda: "web-7d4b9c6f5-b7k2m" not in names(), timeout=10, what="the DELETED event")
        assert names() == ["web-7d4b9c6f5-x2x9k", "node-exporter-q7wz4", "db-0", "db-migrate-29401230-k8m2p", ""]
        assert pod_rows(app)[-1][-1] == "… 1 more healthy pods: type in the filter"
        assert (table.cursor_row, selected()) == (2, "db-0")

        # the filter narrows and widens again, by key too
        app.query_one("#pods-filter").focus()
        await pilot.press(*"sho")  # every pod in shop: db-0 matches all along, and stays selected
        await pilot.pause()
        assert names() == ["web-7d4b9c6f5-x2x9k", "db-0", "db-migrate-29401230-k8m2p", "web-7d4b9c6f5-q9z8n"]
        assert selected() == "db-0"
        await pilot.press("backspace", "backspace", "backspace", *"q9z")
        await pilot.pause()
        assert names() == ["web-7d4b9c6f5-q9z8n"]
        await pilot.press("backspace", "backspace", "backspace")
        await pilot.pause()
        assert names() == ["web-7d4b9c6f5-x2x9k", "node-exporter-q7wz4", "db-0", "db-migrate-29401230-k8m2p", ""]


def test_shown_rows_merge_contexts_unhealthy_first_and_count_the_rest():
    from warroom.domain.pod_status import pod_row, sort_rows
    from warroom.ui.widgets.pods import ContextView, shown_rows

    def view(context, *objs):
        rows = tuple(sort_rows(pod_row(o) for o in objs))
        return ContextView(context, rows, (), (), (), (), (), True)

    crash = [pf.waiting("CrashLoopBackOff", restarts=2)]
    views = {
        "prod": view("prod", pf.deployment_pod(suffix="aaaaa", statuses=[pf.running()]),
                     pf.deployment_pod(suffix="bbbbb", statuses=crash)),
        "dr": view("dr", pf.deployment_pod(suffix="aaaaa", statuses=crash),
                   pf.deployment_pod(suffix="ccccc", statuses=[pf.running()])),
    }
    rows, hidden = shown_rows(views, "", 3)
    # unhealthy first, then namespace, name, context
    assert [(c, r.name[-5:]) for c, r in rows] == [("dr", "aaaaa"), ("prod", "bbbbb"), ("prod", "aaaaa")]
    assert hidden == 1
    rows, hidden = shown_rows(views, "aaaaa", 3)  # the filter: name, namespace, status, node or context
    assert [(c, r.name[-5:]) for c, r in rows] == [("dr", "aaaaa"), ("prod", "aaaaa")] and hidden == 0
    rows, hidden = shown_rows(views, "prod", 1)
    assert [(c, r.name[-5:]) for c, r in rows] == [("prod", "bbbbb")] and hidden == 1


async def test_a_watch_storm_writes_each_pod_event_once_and_a_typed_line_is_not_held_back(emu, db_path, tmp_path):
    """40 workloads go bad at once: one entry each, written once even where another process wrote
    the same key first, all shown; a line typed in the middle of the storm is saved and shown."""
    write_kubeconfig(tmp_path / "kubeconfig", {"a": (emu.url, DEFAULT_TOKEN)})
    app = await make(db_path, tmp_path, (None,))
    bucket = int(pf.NOW.timestamp() // 900)  # pod_events' 15-minute window
    async with app.run_test(size=(160, 48)) as pilot:
        await app.loaded.wait()
        await wait_for(pilot, lambda: app.pod_views and next(iter(app.pod_views.values())).synced, timeout=15,
                       what="first pod view")
        await app.writes_done()
        async with Store.open(db_path) as other:  # another warroom process got to one of them first
            await other.append(app.incident.id, "Pods: shop/svc-07: 1 pod CrashLoopBackOff (from the other)",
                               author="warroom", now=pf.NOW, kind="system",
                               key=f"pod::shop/svc-07:CrashLoopBackOff:{bucket}")
        crash = pf.waiting("CrashLoopBackOff", restarts=3,
                           last=pf.last_terminated(pf.ago(seconds=20), reason="OOMKilled", exit_code=137))
        for i in range(40):
            emu.add(pf.deployment_pod(f"svc-{i:02d}", suffix="a1b2c", statuses=[crash]))
        await pilot.press(*"rollback started", "enter")
        await wait_for(pilot, lambda: sum(r[1].startswith("svc-") for r in pod_rows(app)) == 40, timeout=15,
                       what="the storm in the pane")
        await app.writes_done()
        await app.feeds.poll_now('sync').wait()  # the other process's entry arrives by the usual sync
        await pilot.pause()
        async with Store.open(db_path) as store:
            entries = await store.entries(app.incident.id)
        keys = [e.key for e in entries if e.key]
        assert len(keys) == len(set(keys))
        pods = sorted(k for k in keys if k.startswith("pod:"))
        assert pods == sorted([f"pod::shop/svc-{i:02d}:CrashLoopBackOff:{bucket}" for i in range(40)]
                              + [f"pod::shop/web:CrashLoopBackOff:{bucket}"])
        shown = table_texts(app)
        assert len([t for t in shown if t.startswith("Pods: shop/svc-")]) == 40
        assert [t for t in shown if t.startswith("Pods: shop/svc-07")] == [
            "Pods: shop/svc-07: 1 pod CrashLoopBackOff (from the other)"]
        assert [e.text for e in entries].count("rollback started") == 1 and "rollback started" in shown


async def test_a_storm_that_replaces_most_rows_shows_what_a_fresh_table_would_and_keeps_the_cursor(monkeypatch):
    """Rows are handed from the pods that left to those that came: the table must still read as a
    fresh fill of the new state, in order, with the cursor on the pod it was on."""
    from textual.app import App

    import warroom.ui.widgets.pods as pods_widget
    from warroom.domain.pod_status import pod_row, sort_rows
    from warroom.domain.workloads import NamespaceHealth
    from warroom.ui.widgets.pods import ContextView, PodsPane

    monkeypatch.setattr(pods_widget, "MAX_ROWS", 10)

    def view(pods):
        rows = tuple(sort_rows(pod_row(o) for o in pods))
        unhealthy = sum(not r.healthy for r in rows)
        return ContextView("", rows, (), (NamespaceHealth("shop", len(rows), unhealthy),), (), (), (), True)

    def pods(bad: range, n: int = 30):
        return [pf.deployment_pod(suffix=f"p{i:04d}", statuses=[
            pf.waiting("CrashLoopBackOff", restarts=i) if i in bad else pf.running()]) for i in range(n)]

    class Host(App):
        def compose(self):
            yield PodsPane("test", False)

    def names(table):
        return [table.get_row_at(i)[1].plain for i in range(table.row_count)]

    app, fresh = Host(), Host()
    async with app.run_test(size=(160, 48)) as pilot:
        pane, table = app.query_one(PodsPane), app.query_one(PodTable)
        pane.show(view(pods(range(0, 3))), pf.NOW, timezone.utc)
        await pilot.pause()
        table.move_cursor(row=1)  # p0001, crash-looping all along
        for bad in (range(1, 25, 3), range(1, 30, 2), range(0, 2), range(1, 30, 7)):  # most rows change each time
            pane.show(view(pods(bad)), pf.NOW, timezone.utc)
            await pilot.pause()
            async with fresh.run_test(size=(160, 48)) as fresh_pilot:
                fresh.query_one(PodsPane).show(view(pods(bad)), pf.NOW, timezone.utc)
                await fresh_pilot.pause()
                expected = [[c.plain for c in fresh.query_one(PodTable).get_row_at(i)]
                            for i in range(fresh.query_one(PodTable).row_count)]
            fresh = Host()
            assert [[c.plain for c in table.get_row_at(i)] for i in range(table.row_count)] == expected
            assert names(table)[table.cursor_row] == "web-7d4b9c6f5-p0001"  # bad all along


async def test_a_malformed_pod_is_one_unreadable_row_and_the_pane_keeps_updating(emu, db_path, tmp_path):
    write_kubeconfig(tmp_path / "kubeconfig", {"a": (emu.url, DEFAULT_TOKEN)})
    app = await make(db_path, tmp_path, (None,))
    async with app.run_test(size=(160, 48)) as pilot:
        await first_view(app, pilot)
        bad = pf.deployment_pod(suffix="bad01", statuses=[pf.running()])
        bad["metadata"]["creationTimestamp"] = "yesterday"
        emu.add(bad)
        await wait_for(pilot, lambda: any(r[1] == "web-7d4b9c6f5-bad01" for r in pod_rows(app)), timeout=10,
                       what="the malformed pod's row")
        # the next pod after it still arrives: the pane did not freeze on the bad one
        emu.add(pf.deployment_pod(suffix="new01", statuses=[pf.waiting("CrashLoopBackOff", restarts=2)]))
        await wait_for(pilot, lambda: any(r[1] == "web-7d4b9c6f5-new01" for r in pod_rows(app)), timeout=10,
                       what="the new crash-looping pod")
        rows = {r[1]: r for r in pod_rows(app)}
        assert rows["web-7d4b9c6f5-bad01"][2:6] == [
            "?", "Unreadable: metadata.creationTimestamp is not a timestamp: 'yesterday'", "0", "<unknown>"]
        assert rows["web-7d4b9c6f5-new01"][3] == "CrashLoopBackOff"
        # and a change to the bad pod that repairs it is seen too
        bad["metadata"]["creationTimestamp"] = pf.ago(minutes=3)
        emu.modify(bad)
        await wait_for(pilot, lambda: {r[1]: r for r in pod_rows(app)}["web-7d4b9c6f5-bad01"][3] == "Running",
                       timeout=10, what="the repaired pod")
