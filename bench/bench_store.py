"""Store benchmarks: append latency against a raw sqlite3 floor, export time for 10,000 entries.

Run: python bench/bench_store.py [--n 2000]
Figures are printed as ratios to a floor measured in the same run, on the same disk:
the raw floor is one ``INSERT`` + ``COMMIT`` through the stdlib ``sqlite3`` module in WAL mode
with the same ``synchronous=FULL`` the store uses. Targets: append p50/p99 ≤ 3x raw; export of
10,000 entries ≤ 0.5 s.
"""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from warroom.domain.presets import SEV
from warroom.domain.report import to_json_data, to_markdown
from warroom.store import Store


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def raw_floor(path: Path, n: int) -> list[float]:
    con = sqlite3.connect(path, isolation_level=None)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=FULL")
    con.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, incident_id INT, at TEXT, logged_at TEXT, author TEXT,"
                " kind TEXT, text TEXT)")
    out = []
    for i in range(n):
        t0 = time.perf_counter()
        con.execute("BEGIN")
        con.execute("INSERT INTO t (incident_id, at, logged_at, author, kind, text) VALUES (?,?,?,?,?,?)",
                    (1, "2026-11-23T10:00:00.000000Z", "2026-11-23T10:00:00.000000Z", "bench", "note",
                     f"raw entry {i}"))
        con.execute("COMMIT")
        out.append(time.perf_counter() - t0)
    con.close()
    return out


async def store_appends(path: Path, n: int) -> list[float]:
    now = datetime.now(timezone.utc)
    async with Store.open(path) as store:
        incident = await store.declare("bench", SEV, "SEV-2", now=now, author="bench")
        out = []
        for i in range(n):
            t0 = time.perf_counter()
            await store.append(incident.id, f"entry {i}", author="bench", now=now)
            out.append(time.perf_counter() - t0)
    return out


async def export_time(path: Path, n: int) -> tuple[float, float, float, int]:
    t0 = datetime(2026, 11, 23, 10, 0, tzinfo=timezone.utc)
    async with Store.open(path) as store:
        incident = await store.declare("export bench", SEV, "SEV-1", now=t0, author="bench")
        await store.append_many(incident.id, (
            (t0 + timedelta(seconds=i), ("note", "action", "decision", "comms")[i % 4], "scribe",
             f"entry {i} with | pipes and `ticks` <b>") for i in range(n - 1)), now=t0)
        now = t0 + timedelta(hours=4)
        a = time.perf_counter()
        incident = await store.incident(incident.id)
        entries = await store.entries(incident.id)
        b = time.perf_counter()
        text = to_markdown(incident, entries, now)
        c = time.perf_counter()
        to_json_data(incident, await store.entries(incident.id, with_history=True), now)
        d = time.perf_counter()
    return b - a, c - b, d - c, len(text)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=2000)
    ap.add_argument("--entries", type=int, default=10_000)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(dir=Path(__file__).parent) as tmp:
        tmp = Path(tmp)
        raw_floor(tmp / "warmup.db", 200)
        raw = raw_floor(tmp / "raw.db", args.n)
        ours = asyncio.run(store_appends(tmp / "store.db", args.n))
        load, md, js, size = asyncio.run(export_time(tmp / "export.db", args.entries))
    r50, r99 = pct(raw, 50) * 1e3, pct(raw, 99) * 1e3
    s50, s99 = pct(ours, 50) * 1e3, pct(ours, 99) * 1e3
    print(f"append ({args.n}x, synchronous=FULL, WAL)")
    print(f"  raw sqlite3 insert+commit  p50 {r50:.3f} ms  p99 {r99:.3f} ms")
    print(f"  Store.append               p50 {s50:.3f} ms  p99 {s99:.3f} ms")
    print(f"  ratio                      p50 {s50 / r50:.2f}x  p99 {s99 / r99:.2f}x   (target <= 3x)")
    print(f"export of {args.entries} entries")
    print(f"  load {load * 1e3:.0f} ms + markdown {md * 1e3:.0f} ms = {(load + md) * 1e3:.0f} ms"
          f" ({size / 1e6:.1f} MB)   (target <= 500 ms);  json {js * 1e3:.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
