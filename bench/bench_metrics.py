"""Metrics benchmarks against a real Prometheus (started here with 8 days of backfilled history).

Run: python bench/bench_metrics.py   (needs /usr/bin/prometheus and promtool)
- CPU time of one refresh cycle of 12 panels (value, baseline, sparkline each, plus alerts), as a
  ratio to the same number of bare HTTP queries made with httpx (the floor);
- UI event-loop lag while the app refreshes those 12 panels every second for 15 s: a probe task
  asks to wake every 10 ms and records how late it wakes (target p99 ≤ 50 ms).
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from datetime import timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

import httpx  # noqa: E402

from fixtures import prom_fixture as pf  # noqa: E402
from warroom.config import Config, PrometheusConfig  # noqa: E402
from warroom.domain.baseline import default_panels  # noqa: E402
from warroom.sources.metrics_poll import poll  # noqa: E402
from warroom.sources.prometheus import PrometheusSource  # noqa: E402


def twelve_panels():
    base = default_panels()
    return tuple(replace(p, title=f"{p.title} #{i}") for i in range(4) for p in base)


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def cpu_of(fn, runs: int = 5) -> float:
    samples = []
    for _ in range(runs):
        t0 = time.process_time()
        fn()
        samples.append(time.process_time() - t0)
    return statistics.median(samples)


async def ui_lag(db: Path, url: str, seconds: float = 15.0) -> tuple[list[float], int]:
    from warroom.ui.factory import make_app

    config = Config(prometheus=PrometheusConfig(url=url, panels=twelve_panels(), refresh=1.0, timeout=5))
    app = make_app(db, config=config, local=timezone.utc)
    lags = []
    async with app.run_test(size=(160, 48)):
        await app.loaded.wait()
        loop = asyncio.get_running_loop()
        end = loop.time() + seconds
        while loop.time() < end:
            t0 = loop.time()
            await asyncio.sleep(0.010)
            lags.append(max(0.0, loop.time() - t0 - 0.010))
        polls = app.feeds['metrics'].polls
    return lags, polls


def main() -> int:
    import sqlite3  # noqa: F401

    scenario = pf.Scenario(end=(int(time.time()) // pf.STEP) * pf.STEP - pf.STEP)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        storage = work / "data"
        storage.mkdir()
        pf.backfill(scenario.openmetrics(), work / "backfill", storage)
        server = pf.PrometheusProcess(work, storage, pf.RULES)
        server.start()
        try:
            panels = twelve_panels()
            source = PrometheusSource(server.url, timeout=5)
            now = scenario.end_dt
            poll(source, panels, now)  # warm connections
            ours = cpu_of(lambda: poll(source, panels, now))
            session = httpx.Client()
            queries = 12 * 3 + 1  # value + baseline + range per panel, and alerts

            def floor():
                for _ in range(queries):
                    session.get(f"{server.url}/api/v1/query", params={"query": "vector(1)"}).json()

            floor()
            base = cpu_of(floor)
            lags, polls = asyncio.run(ui_lag(work / "ui.db", server.url))
        finally:
            server.stop()
    print(f"one refresh cycle, 12 panels ({queries} HTTP requests):")
    print(f"  CPU {ours * 1e3:.0f} ms vs {queries} bare httpx.get {base * 1e3:.0f} ms → ratio {ours / base:.2f}x")
    print(f"UI event-loop lag while 12 panels refresh every second ({polls} polls in 15 s):")
    print(f"  p50 {pct(lags, 50) * 1e3:.1f} ms  p99 {pct(lags, 99) * 1e3:.1f} ms  max {max(lags) * 1e3:.1f} ms"
          "   (target p99 <= 50 ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
