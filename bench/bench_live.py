"""Change-to-other-screen latency on PostgreSQL: a write on one host's store → another host's store
has read it (``wait_for_change`` woke, ``changes_since`` and the entry read), p50/p99.

Run (as root for the namespaces; otherwise loopback only): python bench/bench_live.py [--n 300]
Two processes, a writer and a reader, each with its own store, on the same PostgreSQL (a fresh
server started here, as tests/fixtures/pg_fixture.py does): first on 127.0.0.1, then — where
network namespaces are permitted — across hosts (the server on a db host, the writer and the
reader on two others, as tests/hosts does). One write at a time: the next goes once the reader
has it. Figures are printed as ratios to a floor measured in the same run, the same way: a raw
psycopg ``NOTIFY`` from one process received by another's ``LISTEN``. Target: p99 ≤ 250 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))  # pg_fixture, netns
sys.path.insert(0, str(ROOT / "src"))

CHANNEL = "bench_live"


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


# -- the two sides, each in its own process (``--role``) --------------------------------------------
async def store_writer(url: str) -> None:
    """Declare an incident (its id on stdout), then one entry per line read, stamped with the time sent."""
    from datetime import datetime, timezone

    from warroom.domain.presets import SEV
    from warroom.store import open_store

    loop = asyncio.get_running_loop()
    async with open_store(url) as store:
        now = datetime.now(timezone.utc)
        incident = await store.declare("bench", SEV, "SEV-2", now=now, author="bench")
        print(incident.id, flush=True)
        while await loop.run_in_executor(None, sys.stdin.readline):
            await store.append(incident.id, f"live {time.monotonic():.9f}", author="bench", now=now)


async def store_reader(url: str, incident_id: int) -> None:
    """Print the latency of each entry as soon as this store has read it."""
    from warroom.store import open_store

    async with open_store(url) as store:
        version, seq = await store.data_version(), await store.change_seq()
        print("ready", flush=True)
        while True:
            version = await store.wait_for_change(version, 30)
            seq, ids, _ = await store.changes_since(seq, incident_id)
            for entry in await store.entries(incident_id, ids=ids) if ids else []:
                print(time.monotonic() - float(entry.text.split()[1]), flush=True)


async def raw_writer(url: str) -> None:
    import psycopg

    loop = asyncio.get_running_loop()
    async with await psycopg.AsyncConnection.connect(url, autocommit=True) as con:
        print(0, flush=True)
        while await loop.run_in_executor(None, sys.stdin.readline):
            await con.execute("SELECT pg_notify(%s, %s)", (CHANNEL, f"{time.monotonic():.9f}"))


async def raw_reader(url: str, _incident_id: int) -> None:
    import psycopg

    async with await psycopg.AsyncConnection.connect(url, autocommit=True) as con:
        await con.execute(f"LISTEN {CHANNEL}")
        print("ready", flush=True)
        async for note in con.notifies():
            print(time.monotonic() - float(note.payload), flush=True)


ROLES = {"store-writer": store_writer, "store-reader": store_reader, "raw-writer": raw_writer, "raw-reader": raw_reader}


def role_main(role: str, url: str, incident_id: int) -> int:
    fn = ROLES[role]
    try:
        asyncio.run(fn(url, incident_id) if role.endswith("reader") else fn(url))
    except (KeyboardInterrupt, BrokenPipeError):
        pass
    return 0


# -- the driver ----------------------------------------------------------------------------------
def measure(kind: str, writer_url: str, reader_url: str, n: int, wrap_writer, wrap_reader) -> list[float]:
    """``n`` latencies of ``kind`` (store|raw): writer and reader processes, one write at a time."""
    me = [sys.executable, str(Path(__file__).resolve())]
    writer = subprocess.Popen(wrap_writer([*me, "--role", f"{kind}-writer", "--url", writer_url]),
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    reader = None
    try:
        incident_id = writer.stdout.readline().strip()
        reader = subprocess.Popen(wrap_reader([*me, "--role", f"{kind}-reader", "--url", reader_url,
                                               "--incident", incident_id]), stdout=subprocess.PIPE, text=True)
        assert reader.stdout.readline().strip() == "ready"
        out = []
        for i in range(n + 20):  # the first 20 warm up
            writer.stdin.write(f"{i}\n")
            writer.stdin.flush()
            took = float(reader.stdout.readline())
            if i >= 20:
                out.append(took)
            time.sleep(0.005)
        return out
    finally:
        for proc in (writer, reader):
            if proc is not None:
                proc.kill()
                proc.wait()


def report(where: str, raw: list[float], ours: list[float]) -> None:
    r50, r99 = pct(raw, 50) * 1e3, pct(raw, 99) * 1e3
    s50, s99 = pct(ours, 50) * 1e3, pct(ours, 99) * 1e3
    print(f"change to other screen, {where} ({len(ours)}x, one at a time)")
    print(f"  raw psycopg NOTIFY → LISTEN          p50 {r50:.3f} ms  p99 {r99:.3f} ms")
    print(f"  store append → other store has read  p50 {s50:.3f} ms  p99 {s99:.3f} ms   (target p99 <= 250 ms)")
    print(f"  ratio                                p50 {s50 / r50:.2f}x  p99 {s99 / r99:.2f}x")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=300)
    ap.add_argument("--role", choices=sorted(ROLES))
    ap.add_argument("--url")
    ap.add_argument("--incident", type=int, default=0)
    args = ap.parse_args()
    if args.role:
        return role_main(args.role, args.url, args.incident)

    from fixtures.netns import Hosts, NamespacesRefused
    from fixtures.pg_fixture import start_server

    same = lambda argv: argv  # noqa: E731
    server = start_server()
    try:
        url = server.new_database()
        raw = measure("raw", url, url, args.n, same, same)
        ours = measure("store", url, url, args.n, same, same)
        report("loopback (127.0.0.1)", raw, ours)
    finally:
        server.stop("immediate")
        shutil.rmtree(server.root, ignore_errors=True)

    hosts = Hosts("wrbench", ["reader", "writer"], net=232)
    try:
        hosts.up()
    except NamespacesRefused as exc:
        print(f"across hosts: skipped ({exc})")
        return 0
    try:
        server = start_server(listen=hosts.server_addresses, netns=hosts.db, network=hosts.network)
        try:
            dbname = server.new_database().rsplit("/", 1)[1]
            w_url = server.url(dbname, host=hosts.server_address("writer"))
            r_url = server.url(dbname, host=hosts.server_address("reader"))
            on = lambda host: lambda argv: hosts.command(host, *argv)  # noqa: E731
            raw = measure("raw", w_url, r_url, args.n, on("writer"), on("reader"))
            ours = measure("store", w_url, r_url, args.n, on("writer"), on("reader"))
            report("across hosts (network namespaces, veth)", raw, ours)
        finally:
            server.stop("immediate")
            shutil.rmtree(server.root, ignore_errors=True)
    finally:
        hosts.down()
    return 0


if __name__ == "__main__":
    sys.exit(main())
