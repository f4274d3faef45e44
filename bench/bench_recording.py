"""Recording benchmarks: overhead on the refresh cycle, bytes per hour, seek time in a 4-hour incident.

Run: python bench/bench_recording.py [--seconds 20] [--hours 4]

- overhead: the real app on a drill (scripted sources, refresh every 0.25 s, a real SQLite file),
  run headless for ``--seconds`` with recording and again without (the recorder switched off);
  process CPU time of each, as a ratio (target: recording costs ≤ 10 % over not recording);
- size: a 12-panel / 5,000-pod incident (1 % of the pods unhealthy, restarting now and then, a
  pod replaced every cycle) recorded every 5 s for ``--hours`` into a fresh database through the
  store; bytes per hour of the file (target: a 4-hour SEV-1 stays under 50 MB), and the recorder's
  own cost per cycle as a ratio to building the 5,000-pod state it diffs;
- seek: the time to rebuild every pane's state at random instants of that recording
  (``Timeline.state_at``; target ≤ 100 ms), and the time to load the recording.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

OVERHEAD = """
import sys, time, resource
sys.path.insert(0, sys.argv[3])
from datetime import datetime, timedelta, timezone
from warroom.drill.library import load
from warroom.drill.clock import DrillClock
from warroom.ui.factory import make_drill_app
scenario, source = load("db-pool")
app = make_drill_app(sys.argv[1], scenario, source, speed=30, refresh=0.25)
if sys.argv[2] == "off":
    app.session.record = lambda *a, **k: None
seconds = float(sys.argv[4])
async def go(pilot):
    await app.loaded.wait()
    t0 = time.process_time()
    import asyncio
    await asyncio.sleep(seconds)
    print("CPU", time.process_time() - t0, app.feeds['metrics'].polls, flush=True)
    app.exit()
app.run(headless=True, size=(160, 48), auto_pilot=go)
"""


def overhead(seconds: float) -> None:
    results = {}
    for mode in ("off", "on", "off", "on"):
        with tempfile.TemporaryDirectory() as tmp:
            out = subprocess.run([sys.executable, "-c", OVERHEAD, str(Path(tmp) / "w.db"), mode, str(ROOT / "src"),
                                  str(seconds)], capture_output=True, text=True, timeout=seconds + 60)
            line = next((x for x in out.stdout.splitlines() if x.startswith("CPU")), None)
            assert line, out.stderr[-2000:]
            cpu, polls = float(line.split()[1]), int(line.split()[2])
            results.setdefault(mode, []).append((cpu, polls))
    off = statistics.mean(c for c, _ in results["off"])
    on = statistics.mean(c for c, _ in results["on"])
    polls = statistics.mean(p for _, p in results["on"])
    print(f"overhead (drill app, {seconds:g} s headless, refresh 0.25 s, {polls:.0f} polls): "
          f"CPU without recording {off:.2f} s, with {on:.2f} s → {on / off:.3f}x "
          f"({(on / off - 1) * 100:+.1f} %; target ≤ +10 %)")


def fake_cluster(n_pods: int, n_unhealthy: int, cycle: int, rnd: random.Random):
    """A ContextView-shaped object: rows, workloads, namespaces, rollouts, events."""
    from warroom.domain.pod_owner import Owner
    from warroom.domain.pod_status import PodRow
    from warroom.domain.workloads import NamespaceHealth, WorkloadHealth

    created = datetime(2026, 11, 20, tzinfo=timezone.utc)
    rows = []
    for i in range(n_pods):
        bad = i < n_unhealthy
        name = f"app{i // 20}-7d4b9c6f5-{i:05d}" if not (i == n_pods - 1) else f"job-{cycle}"  # one pod replaced
        restarts = (cycle // 12 + i) if bad else 0  # an unhealthy pod restarts about once a minute
        rows.append(PodRow(f"ns{i % 20}", name, "0/1" if bad else "1/1", "CrashLoopBackOff" if bad else "Running",
                           restarts, created if bad else None, created, f"node-{i % 40}", Owner("Deployment", f"app{i // 20}"),
                           not bad))
    workloads = tuple(WorkloadHealth(f"ns{w % 20}", "Deployment", f"app{w}", 20 - (1 if w < n_unhealthy else 0), 20, 20,
                                     1 if w < n_unhealthy else 0) for w in range(n_pods // 20))
    namespaces = tuple(NamespaceHealth(f"ns{n}", n_pods // 20, sum(1 for r in rows[:n_unhealthy] if r.namespace == f"ns{n}"))
                       for n in range(20))
    return SimpleNamespace(context="prod", rows=rows, workloads=workloads, namespaces=namespaces, rollouts=(),
                           events=(), errors=(), synced=True)


def fake_metrics(n_panels: int, t: datetime, rnd: random.Random):
    from warroom.domain.baseline import Panel, compare
    from warroom.domain.metrics_view import MetricsView, PanelView

    panels = []
    for i in range(n_panels):
        panel = Panel(title=f"panel {i}", query="q", unit="seconds")
        reading = compare(0.2 + rnd.random() * 0.05, 0.2, panel)
        panels.append(PanelView(panel, reading, None, t))
    return MetricsView(tuple(panels), (), polled_at=t, ok_at=t)


async def size_and_seek(hours: float) -> None:
    from warroom.domain.presets import SEV
    from warroom.domain.recording import Recorder, Timeline, metrics_state, pods_state
    from warroom.store import Store

    rnd = random.Random(7)
    t0 = datetime(2026, 11, 23, 10, 0, tzinfo=timezone.utc)
    cycles = int(hours * 3600 / 5)
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "rec.db"
        async with Store.open(db) as store:
            incident = await store.declare("bench", SEV, "SEV-1", now=t0, author="bench")
            base_size = db.stat().st_size + (Path(str(db) + "-wal").stat().st_size if Path(str(db) + "-wal").exists() else 0)
            rec = Recorder()
            build_s = record_s = 0.0
            batch = []
            for c in range(cycles):
                t = t0 + timedelta(seconds=5 * c)
                a = time.perf_counter()
                metrics = metrics_state(fake_metrics(12, t, rnd))
                view = fake_cluster(5000, 50, c, rnd)
                b = time.perf_counter()
                pods = pods_state(view)
                batch += rec.observe("metrics", metrics, t) + rec.observe("pods\x1fprod", pods, t)
                d = time.perf_counter()
                if c % 2 == 1:  # the app flushes every 2 s; at 5 s a cycle that is every cycle or two
                    await store.record(incident.id, batch)
                    batch = []
                record_s += time.perf_counter() - d + (d - b)
                build_s += b - a
            await store.record(incident.id, batch)
            rows = (await store._db.execute_fetchall("SELECT count(*) FROM readings"))[0][0]
            await store._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        size = db.stat().st_size - base_size
        print(f"size: {hours:g} h of 12 panels + 5,000 pods every 5 s → {rows:,} readings, {size / 1e6:.1f} MB "
              f"({size / hours / 1e6:.2f} MB/hour; target < 50 MB for 4 h)")
        print(f"recorder per cycle: {record_s / cycles * 1000:.2f} ms (state of 5,000 pods + diff + write) = "
              f"{record_s / build_s:.2f}x building the cycle's pane views it reads")
        async with Store.open(db) as store:
            a = time.perf_counter()
            records = await store.readings(incident.id)
            timeline = Timeline(records)
            load_s = time.perf_counter() - a
        seeks = []
        end = t0 + timedelta(hours=hours)
        for _ in range(200):
            at = t0 + (end - t0) * rnd.random()
            a = time.perf_counter()
            timeline.state_at(at)
            seeks.append(time.perf_counter() - a)
        seeks.sort()
        print(f"seek: load {len(records):,} readings + keyframes {load_s * 1000:.0f} ms once; state at a random "
              f"instant p50 {seeks[100] * 1000:.2f} ms, p99 {seeks[197] * 1000:.2f} ms, max {seeks[-1] * 1000:.2f} ms "
              f"(target ≤ 100 ms)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--hours", type=float, default=4.0)
    args = parser.parse_args()
    overhead(args.seconds)
    asyncio.run(size_and_seek(args.hours))


if __name__ == "__main__":
    main()
