"""``warroom serve`` benchmark: what each war-room visitor costs, and the status page under load.

Run: python bench/bench_serve.py [--visitors 3] [--clients 50] [--requests 20] [--idle 10]

On a throw-away SQLite database with one SEV-1 incident and a few entries, the installed
``warroom serve --port 0`` on 127.0.0.1:

- floor: the server's own RSS and idle CPU with nobody connected (measured first, same run);
- per visitor: ``--visitors`` websocket clients (as the browser's page connects) each get their own
  ``warroom --read-only`` process; once each has drawn, its RSS (the process tree under the
  server) and its CPU over ``--idle`` seconds of nobody typing (the clock ticks every second);
- status page: the median/p95/max latency of ``GET /status`` for one client alone (the floor), then
  for ``--clients`` concurrent clients each making ``--requests`` requests back to back (bounded
  load on loopback; a Python asyncio client, aiohttp).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import aiohttp

TICKS = os.sysconf("SC_CLK_TCK")


def warroom() -> list[str]:
    exe = Path(sys.executable).with_name("warroom")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "warroom"]


def descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                ppid = int(Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError):
                continue
            children.setdefault(ppid, []).append(int(entry))
    out, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            out.append(child)
            todo.append(child)
    return out


def rss_mb(pid: int) -> float:
    found = re.search(r"VmRSS:\s+(\d+) kB", Path(f"/proc/{pid}/status").read_text())
    return int(found.group(1)) / 1024 if found else 0.0


def cpu_s(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def app_processes(server: int) -> list[int]:
    """The visitors' Python processes (not the ``sh -c`` textual-serve starts them through)."""
    return [p for p in descendants(server) if Path(os.readlink(f"/proc/{p}/exe")).name.startswith("python")]


async def latencies(url: str, cookies: dict, clients: int, requests: int) -> list[float]:
    async with aiohttp.ClientSession(cookies=cookies, connector=aiohttp.TCPConnector(limit=clients)) as session:
        async def one() -> list[float]:
            took = []
            for _ in range(requests):
                start = time.perf_counter()
                async with session.get(url) as response:
                    await response.read()
                    assert response.status == 200, response.status
                took.append(time.perf_counter() - start)
            return took

        results = await asyncio.gather(*(one() for _ in range(clients)))
    return [t for r in results for t in r]


def summary(values: list[float]) -> str:
    values = sorted(values)
    p95 = values[min(len(values) - 1, int(len(values) * 0.95))]
    return (f"median {statistics.median(values) * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms, "
            f"max {values[-1] * 1000:.1f} ms ({len(values)} requests)")


async def visitors_cost(base: str, cookies: dict, server: int, n: int, idle: float) -> None:
    async with aiohttp.ClientSession(cookies=cookies) as session:
        sockets = []
        for _ in range(n):
            ws = await session.ws_connect(f"{base}/ws?width=120&height=40")
            await ws.receive(timeout=60)
            sockets.append(ws)

        async def drain(ws) -> None:
            async for _ in ws:
                pass
        drains = [asyncio.create_task(drain(ws)) for ws in sockets]
        await asyncio.sleep(3)  # let them settle after the first frames
        apps = app_processes(server)
        before = {p: cpu_s(p) for p in apps}
        server_before = cpu_s(server)
        await asyncio.sleep(idle)
        rss = [rss_mb(p) for p in apps]
        cpu = [(cpu_s(p) - before[p]) / idle * 100 for p in apps]
        print(f"per visitor ({len(apps)} app processes): RSS median {statistics.median(rss):.0f} MB "
              f"(min {min(rss):.0f}, max {max(rss):.0f}); idle CPU median {statistics.median(cpu):.1f} % of a core "
              f"(max {max(cpu):.1f} %)")
        print(f"server with {n} visitors: RSS {rss_mb(server):.0f} MB, CPU "
              f"{(cpu_s(server) - server_before) / idle * 100:.1f} % of a core (relaying their frames)")
        for ws in sockets:
            await ws.close()
        for task in drains:
            task.cancel()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--visitors", type=int, default=3)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--idle", type=float, default=10.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-serve-") as tmp:
        env = dict(os.environ, WARROOM_DB=str(Path(tmp) / "w.db"), XDG_CONFIG_HOME=str(Path(tmp) / "c"),
                   WARROOM_AUTHOR="bench")
        run = lambda *a: subprocess.run([*warroom(), *a], env=env, check=True, capture_output=True)  # noqa: E731
        run("declare", "Checkout 500s", "-s", "SEV-1")
        for i in range(20):
            run("log", "-k", "comms" if i % 5 == 0 else "note", f"entry {i}")
        proc = subprocess.Popen([*warroom(), "serve", "--port", "0", "--max-visitors", str(args.visitors + 1)],
                                env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        try:
            line = ""
            while "status page:" not in line:
                line = proc.stdout.readline()
                if not line:
                    raise SystemExit("warroom serve did not start")
            base, token = re.search(r"(http://[^/\s]+)/status\?token=(\S+)", line).groups()
            cookies = {"warroom_access": token}
            time.sleep(2)
            start = cpu_s(proc.pid)
            time.sleep(args.idle)
            print(f"floor: the server alone, nobody connected: RSS {rss_mb(proc.pid):.0f} MB, idle CPU "
                  f"{(cpu_s(proc.pid) - start) / args.idle * 100:.1f} % of a core (its status page re-renders "
                  "each second)")
            alone = asyncio.run(latencies(f"{base}/status", cookies, 1, args.requests * 5))
            print(f"GET /status, 1 client (floor): {summary(alone)}")
            loaded = asyncio.run(latencies(f"{base}/status", cookies, args.clients, args.requests))
            print(f"GET /status, {args.clients} concurrent clients: {summary(loaded)}")
            asyncio.run(visitors_cost(base, cookies, proc.pid, args.visitors, args.idle))
        finally:
            proc.terminate()
            proc.wait(timeout=15)


if __name__ == "__main__":
    main()
