"""Kubernetes source benchmark: 5,000 pods listed, then a storm of 2,000 watch events.

Run: python bench/bench_kube.py [--pods 5000] [--events 2000] [--page 500]

The API server is ``tests/kube_fixture.KubeEmulator`` (real HTTP on 127.0.0.1) in a child
process, as a real one would be: its CPU and memory stay out of the figures. This process runs
one ``KubeWatcher`` on its event loop, as the app would, and prints:

* time to the first full snapshot (every kind listed), from ``run()``, with the client's lazy
  import (done in a worker thread) shown apart;
* ``view()`` of the snapshot (5,000 ``pod_row`` + summary + rollouts + events): what a pane
  does with it;
* the storm: 2,000 MODIFIED/ADDED/DELETED events prepared in the server, then sent at once;
  events applied per second between the first and the last one the watcher applied, and how
  many ``on_change`` calls the batching made of them;
* the watcher's own event-loop lag (a 5 ms ticker on the same loop, no UI) p50/p99/max during
  the list and during the storm;
* peak RSS of this process (``resource.getrusage``; the server's is not included).

The UI event-loop lag with the pane rendering is measured separately (the pane's benchmark).
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing as mp
import random
import resource
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))  # kube_fixture, podfixtures
sys.path.insert(0, str(ROOT / "src"))

NAMESPACES = 20


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


# --------------------------------------------------------------------------- the server (child)


def build_cluster(n_pods: int) -> list[dict]:
    import podfixtures as pf

    objs: list[dict] = []
    per_deployment = 20
    n_deployments = max(1, n_pods // per_deployment)
    rnd = random.Random(7)
    for d in range(n_deployments):
        ns = f"team-{d % NAMESPACES:02d}"
        name = f"svc-{d:03d}"
        objs.append(pf.deployment(name, namespace=ns, replicas=per_deployment, revision=2))
        objs.append(pf.replicaset(name, "7d4b9c6f5", namespace=ns, revision=2, created=pf.ago(minutes=d % 300)))
        objs.append(pf.replicaset(name, "5c8d7f9b6", namespace=ns, revision=1, replicas=0,
                                  image="ghcr.io/acme/shop-web:2.13.0"))
    for i in range(n_pods):
        d = i // per_deployment % n_deployments
        ns = f"team-{d % NAMESPACES:02d}"
        if rnd.random() < 0.03:
            status = pf.waiting("CrashLoopBackOff", restarts=rnd.randint(1, 40),
                                last=pf.last_terminated(pf.ago(seconds=rnd.randint(5, 300))))
        else:
            status = pf.running()
        objs.append(pf.deployment_pod(f"svc-{d:03d}", suffix=f"p{i:05d}", namespace=ns, statuses=[status]))
    for i in range(n_pods // 10):
        d = i % n_deployments
        objs.append(pf.event("BackOff", "Back-off restarting failed container app", namespace=f"team-{d % NAMESPACES:02d}",
                             name=f"svc-{d:03d}-7d4b9c6f5-p{i:05d}", count=i % 50 + 1, last=pf.ago(minutes=i % 50)))
    return objs


def prepare_storm(emu, n_events: int) -> list[tuple[str, dict | tuple]]:
    import podfixtures as pf

    rnd = random.Random(11)
    keys = list(emu.objects["pods"])
    ops: list[tuple[str, dict | tuple]] = []
    for i in range(n_events - 1):
        r = rnd.random()
        if r < 0.85:
            ns, name = keys[rnd.randrange(len(keys))]
            d, _, suffix = name.rpartition("-")
            deployment = d.rsplit("-", 1)[0]
            status = pf.waiting("CrashLoopBackOff", restarts=i % 30 + 1,
                                last=pf.last_terminated(pf.ago(seconds=i % 90 + 1), reason="OOMKilled", exit_code=137))
            ops.append(("modify", pf.deployment_pod(deployment, suffix=suffix, namespace=ns, statuses=[status])))
        elif r < 0.93:
            ops.append(("add", pf.deployment_pod("svc-000", suffix=f"n{i:05d}", namespace="team-00",
                                                 statuses=[pf.waiting("ContainerCreating")], phase="Pending")))
        else:
            ns, name = keys.pop(rnd.randrange(len(keys)))
            ops.append(("delete", ("pods", ns, name)))
    ops.append(("add", pf.deployment_pod("svc-000", suffix="zlast", namespace="team-00", statuses=[pf.running()])))
    return ops


def serve(conn, n_pods: int) -> None:
    from kube_fixture import KubeEmulator

    emu = KubeEmulator()
    loop = asyncio.new_event_loop()
    storm: list = []

    async def start() -> None:
        await emu.start()
        emu.add_all(build_cluster(n_pods))

    loop.run_until_complete(start())

    def commands() -> None:
        while True:
            cmd, arg = conn.recv()

            async def run(cmd=cmd, arg=arg):
                if cmd == "prepare":
                    storm[:] = prepare_storm(emu, arg)
                    return len(storm)
                if cmd == "storm":
                    for op, obj in storm:
                        if op == "modify":
                            emu.modify(obj)
                        elif op == "add":
                            emu.add(obj)
                        else:
                            emu.delete(*obj)
                    return len(storm)
                if cmd == "requests":
                    return sorted({r.method for r in emu.requests}), len(emu.requests)
                if cmd == "stop":
                    await emu.stop()
                    loop.call_soon(loop.stop)
                    return None
                raise ValueError(cmd)

            conn.send(asyncio.run_coroutine_threadsafe(run(), loop).result())
            if cmd == "stop":
                return

    threading.Thread(target=commands, daemon=True).start()
    conn.send(emu.url)
    loop.run_forever()


# --------------------------------------------------------------------------- the watcher (this process)


class LagProbe:
    """How late a 5 ms ticker on this loop wakes up (the loop's responsiveness)."""

    def __init__(self) -> None:
        self.samples: list[tuple[float, float]] = []  # (when, lag)
        self._task: asyncio.Task | None = None

    async def _tick(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            t = loop.time()
            await asyncio.sleep(0.005)
            now = loop.time()
            self.samples.append((now, now - t - 0.005))

    def start(self) -> None:
        self._task = asyncio.create_task(self._tick())

    def between(self, start: float, end: float) -> list[float]:
        return [lag for when, lag in self.samples if start <= when <= end]


async def bench(args: argparse.Namespace, url: str, conn) -> None:
    from kube_fixture import DEFAULT_TOKEN, write_kubeconfig

    import warroom.sources.kube as kube

    loop = asyncio.get_running_loop()
    tmp = Path(tempfile.mkdtemp(prefix="bench-kube-"))
    kc = write_kubeconfig(tmp / "kubeconfig", {"bench": (url, DEFAULT_TOKEN)})
    snapshots: list[tuple[float, object]] = []
    errors: list[str] = []
    first_full = asyncio.Event()

    def on_change(snapshot) -> None:
        snapshots.append((loop.time(), snapshot))
        if snapshot.synced and len(snapshot.pods) >= args.pods:
            first_full.set()

    probe = LagProbe()
    probe.start()
    watcher = kube.KubeWatcher(kube.KubeTarget(kubeconfig=kc), on_change, errors.append, page_size=args.page)
    t0 = loop.time()
    task = asyncio.create_task(watcher.run())
    while kube._KUBE is None:
        await asyncio.sleep(0.001)
    t_import = loop.time()
    await asyncio.wait_for(first_full.wait(), 120)
    t_full = loop.time()
    snap = snapshots[-1][1]

    v0 = time.perf_counter()
    import podfixtures as pf

    view = snap.view(pf.NOW)  # the fixtures' times are relative to pf.NOW
    v1 = time.perf_counter()

    print(f"objects: {len(snap.pods)} pods, {len(snap.deployments)} deployments, {len(snap.replicasets)} replicasets,"
          f" {len(snap.events)} warning events in {NAMESPACES} namespaces (pages of {args.page})")
    print(f"first full snapshot: {t_full - t0:.3f} s after run()"
          f" (client import in a thread {t_import - t0:.3f} s, then list {t_full - t_import:.3f} s)")
    lag = probe.between(t0, t_full)
    print(f"  event-loop lag during import+list: p50 {pct(lag, 50) * 1e3:.1f} ms, p99 {pct(lag, 99) * 1e3:.1f} ms,"
          f" max {max(lag) * 1e3:.1f} ms")
    print(f"view() of the snapshot ({len(view.rows)} rows, {len(view.summary.workloads)} workloads,"
          f" {len(view.rollouts)} rollouts, {len(view.events)} events): {(v1 - v0) * 1e3:.0f} ms")

    # ------------------------------------------------------------------ the storm
    await asyncio.sleep(0.3)  # let the watches settle
    n = await asyncio.to_thread(lambda: (conn.send(("prepare", args.events)), conn.recv())[1])
    events_before = watcher.stats["events"]
    published_before = watcher.stats["published"]
    applied: list[float] = []
    orig_apply = watcher._apply

    def timed_apply(kind, type_, obj) -> None:
        orig_apply(kind, type_, obj)
        applied.append(loop.time())

    watcher._apply = timed_apply  # type: ignore[method-assign]
    t_storm = loop.time()
    await asyncio.to_thread(lambda: (conn.send(("storm", None)), conn.recv()))
    deadline = loop.time() + 120
    while watcher.stats["events"] - events_before < n or ("team-00", "svc-000-7d4b9c6f5-zlast") not in watcher.snapshot.pods:
        if loop.time() > deadline:
            raise SystemExit(f"storm incomplete: {watcher.stats['events'] - events_before}/{n} events")
        await asyncio.sleep(0.005)
    t_done = loop.time()
    span = applied[-1] - applied[0] if len(applied) > 1 else float("nan")
    calls = watcher.stats["published"] - published_before
    print(f"storm: {n} watch events; applied {len(applied) / span:,.0f} events/s (first→last applied {span:.3f} s);"
          f" {t_done - t_storm:.3f} s from the command to the last in a snapshot; {calls} on_change calls")
    lag = probe.between(applied[0], t_done)
    print(f"  event-loop lag during the storm: p50 {pct(lag, 50) * 1e3:.1f} ms, p99 {pct(lag, 99) * 1e3:.1f} ms,"
          f" max {max(lag) * 1e3:.1f} ms")

    watcher.stop()
    await task
    methods, count = await asyncio.to_thread(lambda: (conn.send(("requests", None)), conn.recv())[1])
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS (this process): {peak:.0f} MiB")
    print(f"requests to the server: {count}, methods {methods}; errors reported: {errors or 'none'}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pods", type=int, default=5000)
    ap.add_argument("--events", type=int, default=2000)
    ap.add_argument("--page", type=int, default=500)
    args = ap.parse_args()

    ctx = mp.get_context("spawn")
    parent, child = ctx.Pipe()
    server = ctx.Process(target=serve, args=(child, args.pods), daemon=True)
    t = time.perf_counter()
    server.start()
    url = parent.recv()
    print(f"emulator with the cluster ready in {time.perf_counter() - t:.1f} s at {url}")
    try:
        asyncio.run(bench(args, url, parent))
    finally:
        parent.send(("stop", None))
        parent.recv()
        server.join(10)


if __name__ == "__main__":
    main()
