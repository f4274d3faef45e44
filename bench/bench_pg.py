"""PostgreSQL benchmarks: the scribe's Enter-to-durable on a loopback server, against a raw psycopg floor.

Run: python bench/bench_pg.py [--n 300] [--raw 1000] [--url postgresql://…]
Without ``--url`` a temporary PostgreSQL 15 is started on 127.0.0.1 (``tests/fixtures/pg_fixture.py``)
with its durable defaults — ``fsync`` and ``synchronous_commit`` on: a commit acknowledged is on
disk — its data directory on the same disk as this folder. Figures are ratios to a floor measured in
the same run on the same server:
- raw floor: one ``INSERT`` into a table of the same columns, committed, through psycopg on one
  connection (autocommit: one round trip and one WAL flush);
- ``Store.append``: the store's append (the change-log trigger, the write lock) on its async connection;
- Enter-to-durable: from the scribe's Enter in the TUI to the entry committed as another process sees
  it (target p99 ≤ 20 ms), and Enter-to-shown in the timeline.
"""

from __future__ import annotations

import argparse
import asyncio
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))  # pg_fixture
sys.path.insert(0, str(ROOT / "src"))

RAW_TABLE = ("CREATE TABLE raw_floor (id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, incident_id BIGINT,"
             " at TEXT, logged_at TEXT, author TEXT, kind TEXT, text TEXT)")

WATCHER = """
import sys, time, psycopg
con = psycopg.connect(sys.argv[1], autocommit=True)
top = lambda: con.execute("SELECT coalesce(max(id), 0) FROM entries").fetchone()[0]
last = top()
print("ready", flush=True)
target = last + int(sys.argv[2])
while last < target:
    now_top = top()
    if now_top != last:
        seen = time.monotonic()  # system-wide clock: comparable with the app process
        for entry_id in range(last + 1, now_top + 1):
            print(entry_id, seen)
        last = now_top
    else:
        time.sleep(0.0002)
"""


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def raw_floor(url: str, n: int) -> list[float]:
    import psycopg

    with psycopg.connect(url, autocommit=True) as con:
        con.execute("DROP TABLE IF EXISTS raw_floor")
        con.execute(RAW_TABLE)
        out = []
        for i in range(n):
            t0 = time.perf_counter()
            con.execute("INSERT INTO raw_floor (incident_id, at, logged_at, author, kind, text)"
                        " VALUES (%s,%s,%s,%s,%s,%s) RETURNING id",
                        (1, "2026-11-23T10:00:00.000000Z", "2026-11-23T10:00:00.000000Z", "bench", "note",
                         f"raw entry {i}")).fetchone()
            out.append(time.perf_counter() - t0)
    return out


async def seed(url: str) -> int:
    from warroom.domain.presets import SEV
    from warroom.store import open_store

    async with open_store(url) as store:
        return (await store.declare("bench incident", SEV, "SEV-1", now=datetime.now(timezone.utc),
                                    author="bench")).id


async def store_appends(url: str, incident_id: int, n: int) -> list[float]:
    from warroom.store import open_store

    now = datetime.now(timezone.utc)
    async with open_store(url) as store:
        out = []
        for i in range(n):
            t0 = time.perf_counter()
            await store.append(incident_id, f"entry {i}", author="bench", now=now, client_id=f"bench-{i}")
            out.append(time.perf_counter() - t0)
    return out


async def enter_to_durable(url: str, n: int) -> tuple[list[float], list[float]]:
    """(Enter → committed, as another process sees it; Enter → shown in the timeline), as
    ``bench_tui.enter_to_durable`` on SQLite."""
    from warroom.ui.factory import make_app
    from warroom.ui.widgets.timeline import ScribeInput

    app = make_app(url, tick_interval=3600, sync_interval=3600)
    starts: dict[int, float] = {}
    shown = []
    async with app.run_test(size=(160, 48)) as pilot:
        await app.loaded.wait()
        await pilot.pause()
        await asyncio.sleep(0.5)  # the journal's connection, opened in the background
        watcher = subprocess.Popen([sys.executable, "-c", WATCHER, url, str(n)], stdout=subprocess.PIPE, text=True)
        assert watcher.stdout.readline().strip() == "ready"
        box = app.query_one(ScribeInput)
        for i in range(n):
            box.value = f"latency probe {i}"
            before = len(app.entries)
            t0 = time.monotonic()
            await box.action_submit()  # what Enter does
            while len(app.entries) == before:
                await asyncio.sleep(0)
            shown.append(time.monotonic() - t0)
            starts[max(app.entries)] = t0
            await asyncio.sleep(0.02)  # a scribe does not type 50 lines a second
        out, _ = watcher.communicate(timeout=60)
    commits = {int(a): float(b) for a, b in (line.split() for line in out.splitlines())}
    return [commits[entry_id] - t0 for entry_id, t0 in starts.items()], shown


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=300, help="lines typed in the TUI")
    ap.add_argument("--raw", type=int, default=1000, help="raw inserts and store appends")
    ap.add_argument("--url", help="an existing database (its tables are written to); default: a temporary server")
    args = ap.parse_args()
    from warroom.ui.runtime import tune_runtime

    tune_runtime()  # as `warroom` does
    server = None
    url = args.url
    if url is None:
        from fixtures.pg_fixture import start_server

        server = start_server(durable=True)
        url = server.new_database()
    try:
        incident_id = asyncio.run(seed(url))
        raw_floor(url, 200)  # warm up
        raw = raw_floor(url, args.raw)
        ours = asyncio.run(store_appends(url, incident_id, args.raw))
        durable, shown = asyncio.run(enter_to_durable(url, args.n))
    finally:
        if server is not None:
            import shutil

            server.stop("immediate")
            shutil.rmtree(server.root, ignore_errors=True)
    r50, r99 = pct(raw, 50) * 1e3, pct(raw, 99) * 1e3
    s50, s99 = pct(ours, 50) * 1e3, pct(ours, 99) * 1e3
    d50, d99 = pct(durable, 50) * 1e3, pct(durable, 99) * 1e3
    where = "an existing server" if args.url else "a temporary PostgreSQL on 127.0.0.1, fsync and synchronous_commit on"
    print(f"PostgreSQL over loopback ({where})")
    print(f"  raw psycopg insert+commit ({args.raw}x)  p50 {r50:.3f} ms  p99 {r99:.3f} ms")
    print(f"  Store.append ({args.raw}x)               p50 {s50:.3f} ms  p99 {s99:.3f} ms"
          f"   ratio p50 {s50 / r50:.2f}x  p99 {s99 / r99:.2f}x")
    print(f"Enter-to-durable ({len(durable)} lines typed, committed as another process sees it):"
          f" p50 {d50:.2f} ms  p99 {d99:.2f} ms   ratio to raw p50 {d50 / r50:.2f}x  p99 {d99 / r99:.2f}x"
          "   (target p99 <= 20 ms)")
    print(f"Enter-to-shown in the timeline: p50 {pct(shown, 50) * 1e3:.2f} ms  p99 {pct(shown, 99) * 1e3:.2f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
