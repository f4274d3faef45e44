"""Receiver benchmark: Alertmanager delivery to timeline entry, on SQLite.

Run: python bench/bench_receive.py [--n 100] [--batch 50]

The receiver (``sources.alert_receiver`` + ``room.alert_intake``) runs in this process's event loop
on a temporary SQLite file, with one open incident the alerts route to; a client thread posts as
Alertmanager does (HTTP/1.1 keep-alive, bearer token, a JSON body).

- latency: ``--n`` notifications of one new alert each, one after another; the answer comes once
  the entry is committed (``synchronous=FULL``), so the round trip is delivery-to-entry. p50/p99.
- throughput: alerts/s, for notifications of one alert, and of ``--batch`` alerts (one transaction each).
- floor, measured in the same run on the same disk: a raw ``sqlite3`` INSERT + COMMIT (WAL,
  synchronous=FULL) plus an HTTP round trip to the same server that writes nothing (``/healthz``).
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import json
import sqlite3
import tempfile
import threading
import time
from datetime import datetime, timezone
from pathlib import Path

from warroom.domain.alert_routing import Routing
from warroom.domain.presets import SEV
from warroom.room.alert_intake import AlertIntake
from warroom.sources.alert_receiver import AlertReceiver
from warroom.store import Store

TOKEN = "bench-token-0123456789abcdef"


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def raw_commit(path: Path, n: int) -> list[float]:
    con = sqlite3.connect(path, isolation_level=None)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=FULL")
    con.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, k TEXT UNIQUE, text TEXT)")
    out = []
    for i in range(n):
        t0 = time.perf_counter()
        con.execute("BEGIN")
        con.execute("INSERT INTO t (k, text) VALUES (?, ?) ON CONFLICT DO NOTHING", (f"k{i}", f"raw {i}"))
        con.execute("COMMIT")
        out.append(time.perf_counter() - t0)
    con.close()
    return out


def body(start: int, count: int) -> bytes:
    alerts = [{"status": "firing", "labels": {"alertname": f"Bench{i}", "service": "bench", "severity": "critical"},
               "annotations": {"summary": f"bench alert {i}"}, "startsAt": "2026-03-01T10:00:00Z",
               "endsAt": "0001-01-01T00:00:00Z", "generatorURL": "http://prom/graph", "fingerprint": f"{i:016x}"}
              for i in range(start, start + count)]
    return json.dumps({"version": "4", "status": "firing", "groupKey": "bench", "truncatedAlerts": 0,
                       "receiver": "warroom", "alerts": alerts}).encode()


def client_run(port: int, bodies: list[bytes], path: str = "/alerts", method: str = "POST") -> list[float]:
    con = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}
    out = []
    for data in bodies:
        t0 = time.perf_counter()
        con.request(method, path, body=data if method == "POST" else None, headers=headers)
        answer = con.getresponse()
        answer.read()
        out.append(time.perf_counter() - t0)
        assert answer.status == 200, answer.status
    con.close()
    return out


async def in_thread(fn, *args):
    result: list = []
    thread = threading.Thread(target=lambda: result.append(fn(*args)))
    thread.start()
    while thread.is_alive():
        await asyncio.sleep(0.001)
    return result[0]


async def main(n: int, batch: int, work: Path) -> None:
    now = datetime.now(timezone.utc)
    floor_sql = raw_commit(work / "raw.db", n)
    async with Store.open(work / "receive.db") as store:
        await store.declare("bench", SEV, "SEV-2", now=now, author="bench", services=["bench"])
        intake = AlertIntake(store, Routing(), SEV)
        server = AlertReceiver("127.0.0.1:0", TOKEN, intake.deliver)
        await server.start()
        try:
            floor_http = await in_thread(client_run, server.port, [b""] * n, "/healthz", "GET")
            latency = await in_thread(client_run, server.port, [body(i, 1) for i in range(n)])
            singles = [body(n + i, 1) for i in range(n * 5)]
            t0 = time.perf_counter()
            await in_thread(client_run, server.port, singles)
            single_rate = len(singles) / (time.perf_counter() - t0)
            batches = [body(10 * n + i * batch, batch) for i in range(20)]
            t0 = time.perf_counter()
            await in_thread(client_run, server.port, batches)
            batch_rate = 20 * batch / (time.perf_counter() - t0)
            again = time.perf_counter()
            await in_thread(client_run, server.port, batches)  # duplicates: nothing written
            dup_rate = 20 * batch / (time.perf_counter() - again)
        finally:
            await server.stop()
        written = len(await store.entries(1))
    floor = [a + b for a, b in zip(sorted(floor_sql), sorted(floor_http))]
    ms = 1000
    print(f"floor (raw INSERT+COMMIT + HTTP round trip): p50 {pct(floor, 50) * ms:.2f} ms  "
          f"p99 {pct(floor, 99) * ms:.2f} ms   (sqlite p50 {pct(floor_sql, 50) * ms:.2f}, "
          f"http p50 {pct(floor_http, 50) * ms:.2f})")
    print(f"delivery-to-entry over {n} alerts:          p50 {pct(latency, 50) * ms:.2f} ms  "
          f"p99 {pct(latency, 99) * ms:.2f} ms   ({pct(latency, 50) / pct(floor, 50):.1f}x floor p50)")
    print(f"throughput, 1 alert per notification:     {single_rate:,.0f} alerts/s")
    print(f"throughput, {batch} alerts per notification:    {batch_rate:,.0f} alerts/s")
    print(f"duplicates ({batch} per notification, nothing written): {dup_rate:,.0f} alerts/s")
    print(f"entries written: {written} (1 declaration + {n + 5 * n + 20 * batch} alerts)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100)
    parser.add_argument("--batch", type=int, default=50)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="wt-i23-bench-") as tmp:
        asyncio.run(main(args.n, args.batch, Path(tmp)))
