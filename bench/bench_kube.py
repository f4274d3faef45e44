"""Kubernetes benchmark: 5,000 pods listed, then a storm of 2,000 watch events — the watcher alone,
then the whole app with the pods pane redrawing.

Run: python bench/bench_kube.py [--pods 5000] [--events 2000] [--page 500] [--no-ui] [--profile FILE]

The API server is ``tests/kube_fixture.KubeEmulator`` (real HTTP on 127.0.0.1) in a child
process, as a real one would be: its CPU and memory stay out of the figures. This process runs
one ``KubeWatcher`` on its event loop, as the app would, and prints:

* time to the first full snapshot (every kind listed), from ``run()``, with the client's lazy
  import (done in a worker thread) shown apart;
* ``view()`` of the snapshot (5,000 ``pod_row`` + summary + rollouts + events): what a pane
  does with the first one; then ``view(previous=…)`` of each storm snapshot, which recomputes
  only the changed pods, as a ratio to a full ``view()`` of the same snapshot;
* the storm: 2,000 MODIFIED/ADDED/DELETED events prepared in the server, then sent at once;
  events applied per second between the first and the last one the watcher applied, and how
  many ``on_change`` calls the batching made of them;
* the watcher's own event-loop lag (a 5 ms ticker on the same loop, no UI) p50/p99/max during
  the list and during the storm;
* peak RSS of this process (``resource.getrusage``; the server's is not included).

Then the UI (skipped with ``--no-ui``): the real ``WarRoomApp`` headless at 160x48 with one
``KubeWatcher`` (its own thread, as ``warroom`` runs it), in a child process against a fresh
cluster (the server is started again for each run), a 5 ms ticker on the app's event loop. Twice:
with an open incident (pod transitions become timeline entries, as in a war room) and without one
(the pane alone):

* time to the first full table (the pane's table filled: 400 rows and the "… more" row, the
  view holding every pod), from the app's start, as a ratio to the watcher's first snapshot above;
* the storm again: events applied per second by the app's watcher, the time until the pane shows
  the last event, the pane's redraws (``PodsPane.show``) and their cost;
* UI event-loop lag p50/p99/max during the storm (target p99 ≤ 50 ms), as a ratio to the floor:
  the same app with an open incident and no Kubernetes, idle for as long;
* peak RSS of the app process, and over the floor app's.

Absolute times move with the machine's load (the UI thread shares the GIL with the watcher and
view threads); compare ratios and runs on the same machine.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing as mp
import os
import random
import resource
import statistics
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
    from fixtures import podfixtures as pf

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
    from fixtures import podfixtures as pf

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
    from fixtures.kube_fixture import KubeEmulator

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

    commander = threading.Thread(target=commands, daemon=True)
    commander.start()
    conn.send(emu.url)
    loop.run_forever()
    commander.join(10)  # it still has to answer "stop"


# --------------------------------------------------------------------------- the watcher (this process)


def thread_cpu() -> dict[str, float]:
    """CPU seconds used so far by each thread of this process, by thread name (Linux /proc):
    the UI thread shares the GIL with these, so their CPU is time the event loop may wait."""
    names = {t.native_id: t.name for t in threading.enumerate()}
    tick = os.sysconf("SC_CLK_TCK")
    out: dict[str, float] = {}
    for task in Path("/proc/self/task").iterdir():
        try:
            fields = (task / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        name = names.get(int(task.name), f"native-{task.name}")
        name = "UI (main)" if name == "MainThread" else name.split("-")[0] if name.startswith("Thread") else name
        out[name] = out.get(name, 0.0) + (int(fields[11]) + int(fields[12])) / tick
    return out


class StackSampler:
    """Where the UI thread is, every millisecond (``BENCH_SAMPLE=1``): for each stall of the loop,
    the stacks seen during it — running, or waiting for the GIL held by another thread."""

    def __init__(self) -> None:
        self.samples: list[tuple[float, tuple[str, ...]]] = []
        self._main = threading.main_thread().ident
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="sampler", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(0.001):
            frame = sys._current_frames().get(self._main)
            stack = []
            while frame is not None and len(stack) < 40:
                code = frame.f_code
                stack.append(f"{Path(code.co_filename).name}:{code.co_name}")
                frame = frame.f_back
            self.samples.append((time.monotonic(), tuple(stack)))

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    def report(self, lags: list[float], probe_samples: list[tuple[float, float]]) -> None:
        from collections import Counter

        worst = sorted((lag, when) for when, lag in probe_samples if lag in lags)[-4:]
        for lag, when in reversed(worst):
            seen = Counter()
            for t, stack in self.samples:
                if when - lag - 0.005 <= t <= when:
                    ours = [f for f in stack if not f.startswith(("base_events", "events.py", "selectors"))]
                    seen[" < ".join(ours[:7])] += 1
            print(f"    stall of {lag * 1e3:.0f} ms:", flush=True)
            for stack, n in seen.most_common(5):
                print(f"      {n:3d} × {stack}", flush=True)


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
    from fixtures.kube_fixture import DEFAULT_TOKEN, write_kubeconfig

    import warroom.sources.kube.client as kube_client
    from warroom.sources.kube.context import KubeTarget
    from warroom.sources.kube.watcher import KubeWatcher

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
    watcher = KubeWatcher(KubeTarget(kubeconfig=kc), on_change, errors.append, page_size=args.page)
    t0 = loop.time()
    task = asyncio.create_task(watcher.run())
    while kube_client._KUBE is None:
        await asyncio.sleep(0.001)
    t_import = loop.time()
    await asyncio.wait_for(first_full.wait(), 120)
    t_full = loop.time()
    snap = snapshots[-1][1]

    v0 = time.perf_counter()
    from fixtures import podfixtures as pf

    view = snap.view(pf.NOW)  # the fixtures' times are relative to pf.NOW
    v1 = time.perf_counter()
    full_view_s = v1 - v0

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
    watcher_profile = None
    if args.profile:  # the watcher alone on this loop: what applying the storm costs it
        import cProfile

        watcher_profile = cProfile.Profile()
        watcher_profile.enable()
    await asyncio.to_thread(lambda: (conn.send(("storm", None)), conn.recv()))
    deadline = loop.time() + 120
    while watcher.stats["events"] - events_before < n or ("team-00", "svc-000-7d4b9c6f5-zlast") not in watcher.snapshot.pods:
        if loop.time() > deadline:
            raise SystemExit(f"storm incomplete: {watcher.stats['events'] - events_before}/{n} events")
        await asyncio.sleep(0.005)
    t_done = loop.time()
    if watcher_profile is not None:
        watcher_profile.disable()
        watcher_profile.dump_stats(args.profile + ".watcher")
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

    # ------------------------------------------------------------------ incremental views of the storm
    chain = [s for _, s in snapshots if s.version > snap.version]
    previous, costs, changed = view, [], 0
    for s in chain:
        c0 = time.perf_counter()
        previous = s.view(pf.NOW, previous=previous)
        costs.append(time.perf_counter() - c0)
        changed += sum(1 for plural, *_ in s.changed if plural == "pods")
    c0 = time.perf_counter()
    full = chain[-1].view(pf.NOW)
    full_last = time.perf_counter() - c0
    assert full.rows == previous.rows and full.summary == previous.summary, "incremental view differs"
    print(f"view(previous=…) of the {len(chain)} snapshots after the first ({changed} pod changes):"
          f" p50 {pct(costs, 50) * 1e3:.1f} ms, max {max(costs) * 1e3:.1f} ms per snapshot;"
          f" a full view() of the last one {full_last * 1e3:.0f} ms (first {full_view_s * 1e3:.0f} ms)"
          f" → ratio {pct(costs, 50) / full_last:.3f}x; equal rows and summary")
    return t_full - t0


# --------------------------------------------------------------------------- the app (a child process)


def ui_child(conn, url: str | None, args: argparse.Namespace, incident: bool, idle_seconds: float) -> None:
    """One app run; ``url`` None is the floor (no Kubernetes). Reports a dict of figures."""
    conn.send(asyncio.run(ui_run(conn, url, args, incident, idle_seconds)))


async def ui_run(conn, url: str | None, args: argparse.Namespace, incident: bool, idle_seconds: float) -> dict:
    from datetime import timedelta, timezone

    from fixtures import podfixtures as pf
    from fixtures.kube_fixture import DEFAULT_TOKEN, write_kubeconfig

    from warroom.domain.presets import SEV
    from warroom.sources.kube.context import KubeTarget
    from warroom.sources.kube.watcher import KubeWatcher
    from warroom.store import Store
    from warroom.ui.factory import make_app
    from warroom.ui.runtime import tune_runtime
    from warroom.ui.widgets.pods import MAX_ROWS, PodsPane, PodTable

    tune_runtime()  # as `warroom` does
    tmp = Path(tempfile.mkdtemp(prefix="bench-kube-ui-"))
    async with Store.open(tmp / "warroom.db") as store:
        if incident:
            await store.declare("Shop is down", SEV, "SEV-1", now=pf.NOW, author="ic")
    origin = time.monotonic()

    def clock():  # the fixtures' times are relative to pf.NOW; time still passes

        return pf.NOW + timedelta(seconds=time.monotonic() - origin)

    watcher = None
    if url is not None:
        kc = write_kubeconfig(tmp / "kubeconfig", {"bench": (url, DEFAULT_TOKEN)})
        watcher = KubeWatcher(KubeTarget(kubeconfig=kc), page_size=args.page)
    os.environ["WARROOM_CURSOR_BLINK"] = "0"  # a steady cursor, as before: no blink frames in the figures
    app = make_app(tmp / "warroom.db", clock=clock, local=timezone.utc,
                     kube_watchers=[watcher] if watcher else None)
    loop = asyncio.get_running_loop()
    if os.environ.get("BENCH_SLOW_CALLBACKS"):  # which callbacks hold the loop (asyncio's debug mode)
        import logging

        logging.basicConfig(level=logging.WARNING)
        loop.set_debug(True)
        loop.slow_callback_duration = float(os.environ["BENCH_SLOW_CALLBACKS"])
    probe = LagProbe()
    probe.start()
    out: dict = {}
    t0 = loop.time()
    async with app.run_test(size=(160, 48)):
        await app.loaded.wait()
        if watcher is None:
            await asyncio.sleep(1.0)  # past the start-up
            start = loop.time()
            await asyncio.sleep(idle_seconds)
            out["lag"] = probe.between(start, loop.time())
        else:
            pane = app.query_one(PodsPane)
            table = pane.query_one(PodTable)
            rows_full = min(args.pods, MAX_ROWS) + (args.pods > MAX_ROWS)

            def full() -> bool:
                views = list(pane.views.values())
                return bool(views) and views[0].synced and len(views[0].rows) >= args.pods \
                    and table.row_count == rows_full

            while not full():
                if loop.time() - t0 > 120:
                    raise SystemExit("the table never filled")
                await asyncio.sleep(0.002)
            out["first_table"] = loop.time() - t0
            await asyncio.sleep(0.5)  # let the watches settle

            shows: list[tuple[float, float]] = []  # (when, cost) of every pane redraw
            show = pane.show

            def timed_show(*a, **kw) -> None:
                s0 = time.perf_counter()
                show(*a, **kw)
                shows.append((loop.time(), time.perf_counter() - s0))

            pane.show = timed_show  # type: ignore[method-assign]
            applied: list[float] = []
            apply = watcher._apply

            def timed_apply(kind, type_, obj) -> None:  # on the watcher's thread
                apply(kind, type_, obj)
                applied.append(time.monotonic())  # the clock of loop.time()

            watcher._apply = timed_apply  # type: ignore[method-assign]
            events_before = watcher.stats["events"]
            profile = None
            if args.profile and incident:
                import cProfile

                profile = cProfile.Profile()  # the UI thread only: what it does during the storm
                profile.enable()
            renders: dict[str, list[float]] = {}
            if os.environ.get("BENCH_RENDER_TIMES"):  # which widgets the frames paint during the storm
                from textual.widget import Widget

                render_lines = Widget.render_lines

                def timed_render_lines(widget, crop):
                    r0 = time.perf_counter()
                    try:
                        return render_lines(widget, crop)
                    finally:
                        renders.setdefault(f"{type(widget).__name__}#{widget.id}", []).append(time.perf_counter() - r0)

                Widget.render_lines = timed_render_lines  # type: ignore[method-assign]
                tick = app.tick

                def timed_tick():
                    r0 = time.perf_counter()
                    tick()
                    renders.setdefault("app.tick", []).append(time.perf_counter() - r0)

                app.tick = timed_tick  # type: ignore[method-assign]
                from textual.screen import Screen

                refresh = Screen._compositor_refresh

                def timed_refresh(screen):  # a frame: wall time, and the UI thread's own CPU in it
                    r0, c0 = time.perf_counter(), time.thread_time()
                    try:
                        return refresh(screen)
                    finally:
                        renders.setdefault("frame (wall)", []).append(time.perf_counter() - r0)
                        renders.setdefault("frame (UI thread CPU)", []).append(time.thread_time() - c0)

                Screen._compositor_refresh = timed_refresh  # type: ignore[method-assign]
            sampler = StackSampler() if os.environ.get("BENCH_SAMPLE") else None
            conn.send("listed")
            cpu_before = thread_cpu()
            n = await asyncio.to_thread(conn.recv)  # the server sent the storm
            last = ("team-00", "svc-000-7d4b9c6f5-zlast")

            def shows_last() -> bool:
                """The pane shows a view holding the last pod: a view computed with it (a dict
                lookup, not a search of 5,000 rows on the loop being measured) is shown."""
                for context, shown in app.pods_feed.versions.items():
                    kube_view = app.pods_feed.computed.get(context)
                    if kube_view is not None and last in kube_view.pods.by_key and kube_view.version <= shown:
                        return True
                return False

            seen = False  # the last pod stays once shown (it is never deleted)
            while True:
                seen = seen or shows_last()
                if seen and watcher.stats["events"] - events_before >= n:
                    break
                if loop.time() - t0 > 240:
                    raise SystemExit("the storm never reached the pane")
                await asyncio.sleep(0.002)
            t_done = loop.time()
            cpu_after = thread_cpu()
            if sampler is not None:
                sampler.stop()
                sampler.report(probe.between(applied[0], t_done), probe.samples)
            for name, costs in sorted(renders.items(), key=lambda kv: -sum(kv[1]))[:12]:
                print(f"    {name}: {len(costs)} × {statistics.mean(costs) * 1e3:.1f} ms, max {max(costs) * 1e3:.1f} ms",
                      flush=True)
            out["cpu"] = {name: cpu_after[name] - cpu_before.get(name, 0.0) for name in cpu_after}
            if profile is not None:
                profile.disable()
                profile.dump_stats(args.profile)
            out.update(
                applied=(applied[0], applied[-1], len(applied)),
                done=t_done - applied[0],
                lag=probe.between(applied[0], t_done),
                shows=[cost for when, cost in shows if when >= applied[0]],
                rows=table.row_count,
            )
    out["rss"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return out


class Server:
    """The emulator with a fresh cluster, in a child process."""

    def __init__(self, ctx, n_pods: int) -> None:
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(target=serve, args=(child, n_pods), daemon=True)

    def __enter__(self) -> Server:
        t = time.perf_counter()
        self.process.start()
        self.url = self.conn.recv()
        print(f"emulator with the cluster ready in {time.perf_counter() - t:.1f} s at {self.url}")
        return self

    def call(self, cmd: str, arg=None):
        self.conn.send((cmd, arg))
        return self.conn.recv()

    def __exit__(self, *exc: object) -> None:
        self.call("stop")
        self.process.join(10)


def storm_in_app(ctx, args: argparse.Namespace, incident: bool) -> dict:
    with Server(ctx, args.pods) as server:
        conn, child = ctx.Pipe()
        app = ctx.Process(target=ui_child, args=(child, server.url, args, incident, 0.0), daemon=True)
        app.start()
        assert conn.recv() == "listed"
        server.call("prepare", args.events)
        conn.send(server.call("storm"))
        figures = conn.recv()
        app.join(30)
    return figures


def ui_bench(ctx, args: argparse.Namespace, watcher_first: float) -> None:
    print()
    print("the app (WarRoomApp headless at 160x48, the pods pane redrawing), with an open incident:")
    runs = {True: storm_in_app(ctx, args, incident=True)}
    print("and without an incident (no pod events written to the timeline: the pane alone):")
    runs[False] = storm_in_app(ctx, args, incident=False)
    idle_for = max(2.0, *(r["done"] for r in runs.values()))
    conn, child = ctx.Pipe()
    floor = ctx.Process(target=ui_child, args=(child, None, args, True, idle_for), daemon=True)
    floor.start()
    idle = conn.recv()
    floor.join(30)
    floor_lag = idle["lag"]
    floor_p99 = max(pct(floor_lag, 99), 1e-4)

    for incident, pods in runs.items():
        print("with an open incident:" if incident else "without an incident:")
        first, last, n_applied = pods["applied"]
        shows = pods["shows"]
        lag = pods["lag"]
        print(f"  first full table ({pods['rows']} rows shown of {args.pods} pods): {pods['first_table']:.3f} s after"
              f" the app started → {pods['first_table'] / watcher_first:.2f}x the watcher's first snapshot alone")
        print(f"  storm: {n_applied} watch events applied at {n_applied / (last - first):,.0f} events/s; the pane"
              f" showed the last {pods['done']:.3f} s after the first was applied; {len(shows)} pane redraws,"
              f" p50 {pct(shows, 50) * 1e3:.1f} ms, max {max(shows) * 1e3:.1f} ms each")
        print(f"  UI event-loop lag during the storm: p50 {pct(lag, 50) * 1e3:.1f} ms, p99 {pct(lag, 99) * 1e3:.1f} ms,"
              f" max {max(lag) * 1e3:.1f} ms → p99 {pct(lag, 99) / floor_p99:.0f}x the floor   (target p99 <= 50 ms)")
        busy = sorted(((cpu, name) for name, cpu in pods["cpu"].items() if cpu >= 0.01), reverse=True)
        print("  CPU by thread from the storm's start to the pane showing it: "
              + ", ".join(f"{name} {cpu:.2f} s" for cpu, name in busy))
        print(f"  peak RSS: {pods['rss']:.0f} MiB (+{pods['rss'] - idle['rss']:.0f} MiB over the floor)")
    print(f"floor: the same app with an open incident, no Kubernetes, idle {idle_for:.1f} s:"
          f" lag p50 {pct(floor_lag, 50) * 1e3:.1f} ms, p99 {pct(floor_lag, 99) * 1e3:.1f} ms,"
          f" max {max(floor_lag) * 1e3:.1f} ms; peak RSS {idle['rss']:.0f} MiB")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pods", type=int, default=5000)
    ap.add_argument("--events", type=int, default=2000)
    ap.add_argument("--page", type=int, default=500)
    ap.add_argument("--no-ui", action="store_true", help="the watcher alone")
    ap.add_argument("--profile", metavar="FILE", help="cProfile the UI thread during the storm (with an incident) into FILE, the watcher alone into FILE.watcher")
    args = ap.parse_args()

    ctx = mp.get_context("spawn")
    with Server(ctx, args.pods) as server:
        watcher_first = asyncio.run(bench(args, server.url, server.conn))
    if not args.no_ui:
        ui_bench(ctx, args, watcher_first)


if __name__ == "__main__":
    main()
