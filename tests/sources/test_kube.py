"""KubeWatcher and snapshot_once against an API server emulator over HTTP on 127.0.0.1.

The emulator (``kube_fixture.KubeEmulator``) implements resourceVersions, watch-from-RV, 410
Gone, pagination, selectors, bearer tokens and RBAC denials; the official client is configured
from a kubeconfig file written per test. Waits poll a condition with a deadline (never the
clock); backoff is shortened to milliseconds so recovery paths run fast.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import threading
from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from pathlib import Path

import pytest

from fixtures import podfixtures as pf
from fixtures.kube_fixture import DEFAULT_TOKEN, DEFAULT_USER, KubeEmulator, scenario, self_signed, write_kubeconfig
from warroom.sources.kube.context import KubeTarget
from warroom.sources.kube.errors import KubeError
from warroom.sources.kube.snapshot import KubeSnapshot
from warroom.sources.kube.watcher import KubeWatcher, fetch_snapshot, snapshot_once

FAST = {"backoff": (0.01, 0.1), "batch_interval": 0.02}


async def wait_until(predicate: Callable[[], object], what: str, timeout: float = 5.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.005)


class Recorder:
    """Collects what a watcher reports, and the thread each callback ran in."""

    def __init__(self) -> None:
        self.snapshots: list[KubeSnapshot] = []
        self.errors: list[str] = []
        self.threads: set[str] = set()

    def on_change(self, snapshot: KubeSnapshot) -> None:
        self.snapshots.append(snapshot)
        self.threads.add(threading.current_thread().name)

    def on_error(self, message: str) -> None:
        self.errors.append(message)
        self.threads.add(threading.current_thread().name)

    @property
    def last(self) -> KubeSnapshot:
        assert self.snapshots, "no snapshot published yet"
        return self.snapshots[-1]


@pytest.fixture
async def emu() -> AsyncIterator[KubeEmulator]:
    async with KubeEmulator() as e:
        e.add_all(scenario())
        yield e
    # read-only, whatever the test did: nothing but GET ever reached the server
    assert {r.method for r in e.requests} <= {"GET"}, [str(r) for r in e.requests if r.method != "GET"]


@pytest.fixture
def kubeconfig(tmp_path: Path, emu: KubeEmulator) -> Path:
    return write_kubeconfig(tmp_path / "kubeconfig", {"a": (emu.url, DEFAULT_TOKEN)})


@pytest.fixture
async def start() -> AsyncIterator[Callable[..., tuple[KubeWatcher, Recorder]]]:
    """Start watchers on the test's loop; all are stopped (and must stop) at teardown."""
    running: list[tuple[KubeWatcher, asyncio.Task]] = []

    def _start(target: KubeTarget, **kw: object) -> tuple[KubeWatcher, Recorder]:
        rec = Recorder()
        w = KubeWatcher(target, rec.on_change, rec.on_error, **{**FAST, **kw})
        running.append((w, asyncio.create_task(w.run())))
        return w, rec

    yield _start
    for w, _ in running:
        w.stop()
    await asyncio.wait_for(asyncio.gather(*(t for _, t in running)), 5)


def pod_names(snapshot: KubeSnapshot) -> set[str]:
    return {name for _, name in snapshot.pods}


# --------------------------------------------------------------------------- list


async def test_initial_list_is_the_servers_objects_paginated(emu, kubeconfig, start) -> None:
    w, rec = start(KubeTarget(kubeconfig=kubeconfig), page_size=2)
    await wait_until(lambda: rec.snapshots, "the first snapshot")
    snap = rec.last
    assert snap.synced and snap.errors == () and snap.version == 1
    assert (snap.context, snap.server) == ("a", emu.url)
    # exactly the stored objects (list items get back the kind their list stripped)
    for plural in ("pods", "deployments", "replicasets", "statefulsets", "daemonsets"):
        assert dict(snap.objects(plural)) == emu.objects[plural], plural
    assert "managedFields" not in snap.pods["shop", "db-0"]["metadata"]
    # events: only Warnings were asked for
    assert sorted(e["reason"] for e in snap.events.values()) == ["BackOff", "Unhealthy"]
    event_lists = emu.recorded(verb="list", plural="events")
    assert [r.query.get("fieldSelector") for r in event_lists] == ["type=Warning"]
    # 6 pods in pages of 2: one list request per page, continuing from the token
    pod_lists = emu.recorded(verb="list", plural="pods")
    assert [r.query.get("limit") for r in pod_lists] == ["2", "2", "2"]
    assert [r.query.get("continue") is not None for r in pod_lists] == [False, True, True]
    assert snap.changed == {(plural, ns, name) for plural, objs in emu.objects.items() for ns, name in objs
                            if plural != "events"} | {("events", ns, name) for ns, name in snap.events}


async def test_first_snapshot_views_like_kubectl(emu, kubeconfig, start) -> None:
    _, rec = start(KubeTarget(kubeconfig=kubeconfig))
    await wait_until(lambda: rec.snapshots, "the first snapshot")
    view = rec.last.view(pf.NOW)
    first = view.rows[0]
    assert (first.name, first.status, first.ready, first.restarts_text_at(pf.NOW)) == (
        "web-7d4b9c6f5-b7k2m", "CrashLoopBackOff", "0/1", "7 (45s ago)")
    assert {r.name: r.status for r in view.rows[1:]} == {
        "db-0": "Running",
        "db-migrate-29401230-k8m2p": "Completed",
        "web-7d4b9c6f5-q9z8n": "Running",
        "web-7d4b9c6f5-x2x9k": "Running",
        "node-exporter-q7wz4": "Running",
    }
    web = next(wl for wl in view.summary.workloads if wl.name == "web")
    assert (web.kind, web.ready_text, web.unhealthy_pods, web.healthy) == ("Deployment", "2/3", 1, False)
    assert [(r.deployment, r.revision, r.images_text) for r in view.rollouts] == [
        ("web", 2, "ghcr.io/acme/shop-web:2.13.0 → ghcr.io/acme/shop-web:2.14.1")]
    assert [(e.reason, e.object, e.count) for e in view.events] == [
        ("BackOff", "pod/web-7d4b9c6f5-b7k2m", 31), ("Unhealthy", "pod/web-7d4b9c6f5-b7k2m", 12)]


# --------------------------------------------------------------------------- watch


async def test_watch_added_modified_deleted_reach_the_snapshot(emu, kubeconfig, start) -> None:
    w, rec = start(KubeTarget(kubeconfig=kubeconfig))
    await wait_until(lambda: rec.snapshots and emu.open_watches() == 6, "six open watches")
    pod_watch = emu.recorded(verb="watch", plural="pods")[0]
    # the watch starts where the list ended: the list's resourceVersion (the server's, as
    # nothing changed since), not the newest object's; with bookmarks and a server timeout
    assert pod_watch.query["resourceVersion"] == str(emu.rv)
    assert max(int(p["metadata"]["resourceVersion"]) for p in rec.last.pods.values()) < emu.rv
    assert pod_watch.query["allowWatchBookmarks"] == "true" and "timeoutSeconds" in pod_watch.query

    new = pf.deployment_pod(suffix="m4n7p", statuses=[pf.waiting("ContainerCreating")], phase="Pending")
    emu.add(new)
    await wait_until(lambda: "web-7d4b9c6f5-m4n7p" in pod_names(rec.last), "ADDED")
    assert rec.last.changed == {("pods", "shop", "web-7d4b9c6f5-m4n7p")}
    assert {r.name: r.status for r in rec.last.view(pf.NOW).rows}["web-7d4b9c6f5-m4n7p"] == "ContainerCreating"

    oom = pf.deployment_pod(
        suffix="m4n7p",
        statuses=[pf.waiting("CrashLoopBackOff", restarts=1, last=pf.last_terminated(pf.ago(seconds=5),
                                                                                    reason="OOMKilled", exit_code=137))],
    )
    stored = emu.modify(oom)
    await wait_until(lambda: rec.last.pods.get(("shop", "web-7d4b9c6f5-m4n7p")) == stored, "MODIFIED")
    row = next(r for r in rec.last.view(pf.NOW).rows if r.name == "web-7d4b9c6f5-m4n7p")
    assert (row.status, row.restarts_text_at(pf.NOW)) == ("CrashLoopBackOff", "1 (5s ago)")

    emu.delete("pods", "shop", "web-7d4b9c6f5-x2x9k")
    await wait_until(lambda: "web-7d4b9c6f5-x2x9k" not in pod_names(rec.last), "DELETED")
    assert rec.last.changed == {("pods", "shop", "web-7d4b9c6f5-x2x9k")}
    # workloads are watched too
    emu.modify(pf.deployment("web", replicas=3, ready=3, revision=2))
    await wait_until(lambda: rec.last.deployments["shop", "web"]["status"]["readyReplicas"] == 3, "deployment")
    # all of it through the open watches: no second list
    assert len(emu.recorded(verb="list")) == 6 and w.stats["relists_410"] == 0


async def test_bursts_are_coalesced_into_few_callbacks(emu, kubeconfig, start) -> None:
    _, rec = start(KubeTarget(kubeconfig=kubeconfig), batch_interval=0.25)
    await wait_until(lambda: rec.snapshots and emu.open_watches() == 6, "watching")
    before = len(rec.snapshots)
    for i in range(300):
        emu.add(pf.deployment_pod(suffix=f"s{i:04d}", statuses=[pf.running()]))
    await wait_until(lambda: len(rec.last.pods) == 6 + 300, "all 300 pods")
    calls = len(rec.snapshots) - before
    assert 1 <= calls <= 4, calls
    assert sum(len(s.changed) for s in rec.snapshots[before:]) == 300
    assert [s.version for s in rec.snapshots] == list(range(1, len(rec.snapshots) + 1))


async def test_views_chained_over_the_watch_equal_full_views(emu, kubeconfig, start) -> None:
    """``view(previous=…)`` of each snapshot (only changed pods recomputed) equals a full ``view()``,
    through ADDED / MODIFIED / DELETED events and a 410 re-list, chained snapshot by snapshot or
    skipping some (then replaced objects are found by identity)."""
    _, rec = start(KubeTarget(kubeconfig=kubeconfig))
    await wait_until(lambda: rec.snapshots and emu.open_watches() == 6, "watching")
    emu.add(pf.deployment_pod(suffix="n3w0p", statuses=[pf.waiting("ContainerCreating")], phase="Pending"))
    await wait_until(lambda: "web-7d4b9c6f5-n3w0p" in pod_names(rec.last), "ADDED")
    emu.modify(pf.deployment_pod(suffix="x2x9k", statuses=[pf.waiting(
        "CrashLoopBackOff", restarts=3, last=pf.last_terminated(pf.ago(seconds=20), reason="OOMKilled", exit_code=137))]))
    emu.delete("pods", "shop", "db-0")
    await wait_until(lambda: ("shop", "db-0") not in rec.last.pods, "MODIFIED and DELETED")
    emu.add(pf.event("BackOff", "Back-off restarting failed container", namespace="shop",
                     name="web-7d4b9c6f5-x2x9k", count=2, last=pf.ago(seconds=5)))
    await wait_until(lambda: len(rec.last.events) == len(rec.snapshots[0].events) + 1, "an Event ADDED")
    emu.add(pf.deployment_pod(suffix="h1d3n", statuses=[pf.running()]), notify=False)
    assert emu.expire_watches() == 6
    await wait_until(lambda: "web-7d4b9c6f5-h1d3n" in pod_names(rec.last), "the re-listed state")
    snapshots = list(rec.snapshots)
    assert len(snapshots) >= 4

    chained = snapshots[0].view(pf.NOW)
    for i, snapshot in enumerate(snapshots[1:], start=1):
        at = pf.NOW + timedelta(minutes=i)  # time passes too: rollouts and events carried over are aged
        chained = snapshot.view(at, previous=chained)
        assert chained == snapshot.view(at), snapshot.version  # rows, summary, rollouts, events, index
    assert chained.rollouts and chained.events
    assert any(e.name == "web-7d4b9c6f5-x2x9k" and e.count == 2 for e in chained.events)
    chained = snapshots[-1].view(pf.NOW)
    by_key = {r.key: r for r in chained.rows}
    assert by_key["shop", "web-7d4b9c6f5-x2x9k"].restarts_text_at(pf.NOW) == "3 (20s ago)"
    assert ("shop", "db-0") not in by_key
    skipping = snapshots[-1].view(pf.NOW, previous=snapshots[0].view(pf.NOW))  # a gap: by identity
    assert (skipping.rows, skipping.pods) == (snapshots[-1].view(pf.NOW).rows, snapshots[-1].view(pf.NOW).pods)
    later = pf.NOW + timedelta(minutes=10)  # rows are kept, their texts follow the clock
    assert {r.key: r for r in snapshots[-1].view(later, previous=chained).rows}[
        "shop", "web-7d4b9c6f5-x2x9k"].restarts_text_at(later) == "3 (10m ago)"


async def test_server_ending_the_watch_reopens_it_from_the_last_resource_version(emu, kubeconfig, start) -> None:
    w, rec = start(KubeTarget(kubeconfig=kubeconfig, namespaces=["shop"]), watch_timeout=1)
    await wait_until(lambda: rec.snapshots and emu.open_watches("pods") == 1, "watching")
    stored = emu.add(pf.deployment_pod(suffix="t1t1t", statuses=[pf.running()]))
    await wait_until(lambda: len(emu.recorded(verb="watch", plural="pods")) >= 2, "the watch reopened", timeout=5)
    second = emu.recorded(verb="watch", plural="pods")[1]
    assert second.query["resourceVersion"] == stored["metadata"]["resourceVersion"]
    assert int(second.query["timeoutSeconds"]) >= 1
    assert len(emu.recorded(verb="list", plural="pods")) == 1


# --------------------------------------------------------------------------- 410, drops, outages


async def test_410_gone_forces_a_relist(emu, kubeconfig, start) -> None:
    w, rec = start(KubeTarget(kubeconfig=kubeconfig))
    await wait_until(lambda: rec.snapshots and emu.open_watches() == 6, "watching")
    # changes no watch will ever deliver: only a re-list can see them
    emu.add(pf.deployment_pod(suffix="h1d3n", statuses=[pf.running()]), notify=False)
    emu.delete("pods", "shop", "web-7d4b9c6f5-q9z8n", notify=False)
    assert emu.expire_watches() == 6
    await wait_until(lambda: "web-7d4b9c6f5-h1d3n" in pod_names(rec.last)
                     and "web-7d4b9c6f5-q9z8n" not in pod_names(rec.last), "the re-listed state")
    assert len(emu.recorded(verb="list", plural="pods")) == 2
    assert w.stats["relists_410"] >= 6
    # a re-list reports only real differences
    assert ("pods", "shop", "db-0") not in rec.last.changed
    await wait_until(lambda: emu.open_watches() == 6, "watching again")
    assert rec.errors == [] and rec.last.errors == ()


async def test_dropped_connection_resumes_the_watch_without_relisting(emu, kubeconfig, start) -> None:
    w, rec = start(KubeTarget(kubeconfig=kubeconfig))
    await wait_until(lambda: rec.snapshots and emu.open_watches() == 6, "watching")
    last_rv = str(emu.rv)
    assert emu.drop_watches() == 6
    emu.add(pf.deployment_pod(suffix="d7r0p", statuses=[pf.running()]))  # while disconnected
    await wait_until(lambda: "web-7d4b9c6f5-d7r0p" in pod_names(rec.last), "the change made during the drop")
    resumed = emu.recorded(verb="watch", plural="pods")[1]
    assert resumed.query["resourceVersion"] == last_rv
    assert len(emu.recorded(verb="list")) == 6  # resumed, not re-listed
    assert w.stats["reconnects"] >= 6
    assert rec.errors == []  # a drop that heals at once is not an error


async def test_dropped_connection_with_compacted_history_relists(emu, kubeconfig, start) -> None:
    _, rec = start(KubeTarget(kubeconfig=kubeconfig, namespaces=["shop"]))
    await wait_until(lambda: rec.snapshots and emu.open_watches() == 6, "watching")
    emu.add(pf.deployment_pod(suffix="c0mp4", statuses=[pf.running()]), notify=False)
    emu.compact()
    emu.drop_watches()
    await wait_until(lambda: "web-7d4b9c6f5-c0mp4" in pod_names(rec.last), "the re-listed pod")
    assert len(emu.recorded(verb="list", plural="pods")) == 2


async def test_api_server_outage_is_reported_then_recovers(emu, kubeconfig, start) -> None:
    _, rec = start(KubeTarget(kubeconfig=kubeconfig))
    await wait_until(lambda: rec.snapshots and emu.open_watches() == 6, "watching")
    await emu.stop()
    emu.add(pf.deployment_pod(suffix="0ut4g", statuses=[pf.running()]))
    message = f"cannot reach {emu.url}: connection refused"
    await wait_until(lambda: message in rec.errors, "the outage reported")
    assert rec.errors.count(message) == 1  # once, not once per stream and retry
    assert rec.last.errors == (message,)
    assert len(rec.last.pods) == 6  # the last known state stays
    await emu.start()
    await wait_until(lambda: "web-7d4b9c6f5-0ut4g" in pod_names(rec.last) and not rec.last.errors, "recovery")


# --------------------------------------------------------------------------- auth and RBAC


async def test_forbidden_names_verbs_and_resources_and_the_rest_keeps_working(emu, kubeconfig, start) -> None:
    emu.forbid("events")
    emu.forbid("replicasets")
    _, rec = start(KubeTarget(kubeconfig=kubeconfig))
    await wait_until(lambda: rec.snapshots, "the first snapshot")
    message = ("forbidden: needs get/list/watch on replicasets, events cluster-wide (all namespaces) — RBAC "
               f"(user {DEFAULT_USER})")
    await wait_until(lambda: rec.last.errors == (message,), "the merged message")
    assert message in rec.errors
    assert len(rec.last.pods) == 6 and not rec.last.synced and not rec.last.events
    emu.add(pf.deployment_pod(suffix="st1ll", statuses=[pf.running()]))
    await wait_until(lambda: "web-7d4b9c6f5-st1ll" in pod_names(rec.last), "pods still watched")
    # RBAC fixed: the next retry lists them
    emu.allow("events")
    emu.allow("replicasets")
    await wait_until(lambda: rec.last.synced and len(rec.last.events) == 2 and not rec.last.errors, "recovery")


async def test_forbidden_in_a_namespace(emu, kubeconfig, start) -> None:
    emu.forbid("pods", "monitoring")
    _, rec = start(KubeTarget(kubeconfig=kubeconfig, namespaces=["shop", "monitoring"]))
    msg = f"forbidden: needs get/list/watch on pods in namespace monitoring — RBAC (user {DEFAULT_USER})"
    await wait_until(lambda: msg in rec.errors, "the 403")
    assert rec.last.errors == (msg,)
    assert {ns for ns, _ in rec.last.pods} == {"shop"}
    assert {ns for ns, _ in rec.last.daemonsets} == {"monitoring"}


async def test_unauthorized_then_a_refreshed_token_is_picked_up(emu, tmp_path, start) -> None:
    kc = write_kubeconfig(tmp_path / "kubeconfig", {"prod": (emu.url, "expired-token")})
    _, rec = start(KubeTarget(kubeconfig=kc))
    message = "unauthorized: credentials expired or invalid for context prod"
    await wait_until(lambda: rec.snapshots and rec.last.errors == (message,), "the 401")
    assert rec.errors == [message] and not rec.last.pods
    # e.g. `aws eks get-token` / a re-login rewrote the kubeconfig: the watcher re-reads it on 401
    write_kubeconfig(kc, {"prod": (emu.url, DEFAULT_TOKEN)})
    await wait_until(lambda: rec.last.synced and not rec.last.errors, "recovery with the new token")
    assert len(rec.last.pods) == 6


# --------------------------------------------------------------------------- configuration


async def test_missing_context(emu, tmp_path, start) -> None:
    kc = write_kubeconfig(tmp_path / "kubeconfig", {"a": (emu.url, DEFAULT_TOKEN), "b": (emu.url, DEFAULT_TOKEN)})
    _, rec = start(KubeTarget(kubeconfig=kc, context="foo"))
    message = f"context 'foo' not found in {kc} (contexts: a, b)"
    await wait_until(lambda: rec.errors, "the error")
    assert rec.errors == [message]
    assert rec.last.errors == (message,) and not rec.last.synced
    with pytest.raises(KubeError) as err:
        await fetch_snapshot(KubeTarget(kubeconfig=kc, context="foo"))
    assert (str(err.value), err.value.kind) == (message, "config")
    assert emu.requests == []


async def test_missing_kubeconfig_and_not_in_a_cluster(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("KUBECONFIG", raising=False)
    monkeypatch.delenv("KUBERNETES_SERVICE_HOST", raising=False)
    with pytest.raises(KubeError) as err:
        await fetch_snapshot(KubeTarget())
    assert str(err.value) == ("no kubeconfig: ~/.kube/config not found and not running in a cluster "
                              "(set KUBECONFIG or pass a kubeconfig path)")
    with pytest.raises(KubeError, match=r"^kubeconfig /nowhere/config not found$"):
        await fetch_snapshot(KubeTarget(kubeconfig="/nowhere/config"))
    # $KUBECONFIG is honoured (the standard resolution)
    monkeypatch.setenv("KUBECONFIG", str(tmp_path / "elsewhere"))
    with pytest.raises(KubeError, match="elsewhere not found and not running in a cluster"):
        await fetch_snapshot(KubeTarget())


async def test_two_contexts_one_failing_never_affects_the_other(emu, tmp_path, start) -> None:
    down = KubeEmulator()
    await down.start()
    down_url = down.url
    await down.stop()  # a port nobody listens on
    kc = write_kubeconfig(tmp_path / "kubeconfig", {"good": (emu.url, DEFAULT_TOKEN), "down": (down_url, "x")})
    _, bad = start(KubeTarget(kubeconfig=kc, context="down"))
    _, good = start(KubeTarget(kubeconfig=kc, context="good"))
    await wait_until(lambda: bad.errors and good.snapshots, "both first reports")
    assert bad.errors == [f"cannot reach {down_url}: connection refused"]
    assert good.errors == [] and good.last.synced and good.last.context == "good"
    emu.add(pf.deployment_pod(suffix="g00d1", statuses=[pf.running()]))
    await wait_until(lambda: "web-7d4b9c6f5-g00d1" in pod_names(good.last), "the good context still live")
    assert not bad.last.pods and bad.last.context == "down"


# --------------------------------------------------------------------------- read-only, one-shot, plumbing


async def test_only_get_requests_reach_the_server(emu, kubeconfig, start) -> None:
    emu.forbid("events")
    w, rec = start(KubeTarget(kubeconfig=kubeconfig, label_selector="app.kubernetes.io/name"))
    await wait_until(lambda: rec.snapshots and emu.open_watches() == 5, "watching")
    emu.add(pf.deployment_pod(suffix="r3ad0", statuses=[pf.running()]))
    emu.drop_watches()
    await wait_until(lambda: emu.open_watches() == 5, "reconnected")
    emu.expire_watches()
    await wait_until(lambda: w.stats["relists_410"] >= 5 and emu.open_watches() == 5, "re-listed")
    await fetch_snapshot(KubeTarget(kubeconfig=kubeconfig))
    assert len(emu.requests) > 20
    assert {r.method for r in emu.requests} == {"GET"}
    assert {r.verb for r in emu.requests} == {"list", "watch"}


async def test_namespaces_and_label_selector(emu, kubeconfig, start) -> None:
    _, rec = start(KubeTarget(kubeconfig=kubeconfig, namespaces=["shop"],
                              label_selector="app.kubernetes.io/name=web"))
    await wait_until(lambda: rec.snapshots, "the first snapshot")
    assert pod_names(rec.last) == {"web-7d4b9c6f5-x2x9k", "web-7d4b9c6f5-q9z8n", "web-7d4b9c6f5-b7k2m"}
    assert set(rec.last.deployments) == {("shop", "web")} and not rec.last.statefulsets
    assert len(rec.last.events) == 2  # events are not label-selected
    assert {r.path for r in emu.requests} == {
        "/api/v1/namespaces/shop/pods", "/api/v1/namespaces/shop/events",
        "/apis/apps/v1/namespaces/shop/deployments", "/apis/apps/v1/namespaces/shop/replicasets",
        "/apis/apps/v1/namespaces/shop/statefulsets", "/apis/apps/v1/namespaces/shop/daemonsets"}
    assert all(r.query.get("labelSelector") == "app.kubernetes.io/name=web"
               for r in emu.requests if r.plural != "events")


async def test_snapshot_once_lists_without_watching(emu, kubeconfig) -> None:
    target = KubeTarget(kubeconfig=kubeconfig)
    rows, summary, rollouts, events, *_ = await asyncio.to_thread(snapshot_once, target, pf.NOW)
    assert rows[0].status == "CrashLoopBackOff" and len(rows) == 6
    assert [n.namespace for n in summary.namespaces] == ["shop", "monitoring"]
    assert [r.deployment for r in rollouts] == ["web"] and [e.reason for e in events] == ["BackOff", "Unhealthy"]
    assert {r.verb for r in emu.requests} == {"list"}
    emu.forbid("pods")
    with pytest.raises(KubeError) as err:
        await asyncio.to_thread(snapshot_once, target, pf.NOW)
    assert err.value.kind == "forbidden"
    assert str(err.value) == f"forbidden: needs get/list/watch on pods cluster-wide (all namespaces) — RBAC (user {DEFAULT_USER})"


async def test_watcher_in_its_own_thread(emu, kubeconfig) -> None:
    rec = Recorder()
    w = KubeWatcher(KubeTarget(kubeconfig=kubeconfig), rec.on_change, rec.on_error, **FAST)
    thread = w.start_thread()
    try:
        await wait_until(lambda: rec.snapshots and emu.open_watches() == 6, "watching from the thread")
        emu.add(pf.deployment_pod(suffix="thr3d", statuses=[pf.running()]))
        await wait_until(lambda: "web-7d4b9c6f5-thr3d" in pod_names(rec.last), "the change")
    finally:
        w.stop()
        await asyncio.to_thread(thread.join, 5)
    assert not thread.is_alive()
    assert rec.threads == {thread.name}


async def test_a_failing_callback_does_not_stop_the_watcher(emu, kubeconfig, start) -> None:
    seen: list[int] = []

    def explode(snapshot: KubeSnapshot) -> None:
        seen.append(len(snapshot.pods))
        raise RuntimeError("a bug in the pane")

    w = KubeWatcher(KubeTarget(kubeconfig=kubeconfig), explode, **FAST)
    task = asyncio.create_task(w.run())
    try:
        await wait_until(lambda: seen and emu.open_watches() == 6, "watching")
        emu.add(pf.deployment_pod(suffix="4g41n", statuses=[pf.running()]))
        await wait_until(lambda: seen[-1] == 7, "the next change despite the exception")
    finally:
        w.stop()
        await asyncio.wait_for(task, 5)


def test_target_normalises_and_validates() -> None:
    t = KubeTarget(namespaces=["shop", "shop", "", "monitoring"])
    assert t.namespaces == ("shop", "monitoring") and t.label == "current"
    assert KubeTarget(namespaces="shop").namespaces == ("shop",)
    with pytest.raises(ValueError):
        KubeTarget(resync=-1)


def test_importing_the_module_does_not_import_the_client() -> None:
    code = ("import sys, warroom.sources.kube.watcher; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('kubernetes', 'aiohttp', 'yaml')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={**os.environ, "PYTHONPATH": ""})
    assert out.stdout.strip() == "[]"


# --------------------------------------------------------------------------- TLS and in-cluster


@pytest.fixture
async def tls_emu(tmp_path) -> AsyncIterator[KubeEmulator]:
    if not Path("/usr/bin/openssl").exists():
        pytest.skip("openssl is needed to make a certificate")
    async with KubeEmulator(tls=self_signed(tmp_path)) as e:
        e.add_all(scenario())
        yield e


async def test_in_cluster_service_account_over_tls(tls_emu, tmp_path, monkeypatch, start) -> None:
    import kubernetes.aio.config.incluster_config as incluster

    import warroom.sources.kube.context as kube

    token = tmp_path / "token"
    token.write_text(DEFAULT_TOKEN)
    monkeypatch.setattr(kube, "SERVICE_TOKEN", token)
    monkeypatch.setattr(incluster, "SERVICE_TOKEN_FILENAME", str(token))
    monkeypatch.setattr(incluster, "SERVICE_CERT_FILENAME", str(tls_emu.tls[0]))
    monkeypatch.setenv("KUBERNETES_SERVICE_HOST", "127.0.0.1")
    monkeypatch.setenv("KUBERNETES_SERVICE_PORT", str(tls_emu.port))
    monkeypatch.setenv("HOME", str(tmp_path))  # no ~/.kube/config
    monkeypatch.delenv("KUBECONFIG", raising=False)
    _, rec = start(KubeTarget())
    await wait_until(lambda: rec.snapshots, "the first snapshot")
    assert rec.errors == [] and rec.last.synced and len(rec.last.pods) == 6
    assert (rec.last.context, rec.last.server) == ("in-cluster", tls_emu.url)


async def test_an_untrusted_certificate_is_a_clear_error(tls_emu, tmp_path, start) -> None:
    kc = write_kubeconfig(tmp_path / "kubeconfig", {"a": (tls_emu.url, DEFAULT_TOKEN)})
    _, rec = start(KubeTarget(kubeconfig=kc))
    await wait_until(lambda: rec.errors, "the TLS error")
    assert rec.errors[0].startswith(f"cannot reach {tls_emu.url}: TLS certificate rejected (")
    assert "certificate verify failed" in rec.errors[0]
    assert tls_emu.requests == []


async def test_a_slow_list_does_not_hold_back_the_first_snapshot(emu, kubeconfig, start) -> None:
    emu.stalled.add("events")
    _, rec = start(KubeTarget(kubeconfig=kubeconfig), initial_wait=0.2)
    await wait_until(lambda: rec.snapshots, "a first, partial snapshot")
    assert len(rec.last.pods) == 6 and not rec.last.events and not rec.last.synced and not rec.last.errors
    emu.stalled.discard("events")
    await wait_until(lambda: rec.last.synced, "the events list")
    assert len(rec.last.events) == 2
