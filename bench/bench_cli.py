"""CLI benchmark: what ``warroom log "text"`` costs, as a whole process, against the bare minimum.

Run: python bench/bench_cli.py [--n 30] [--no-postgres]
The floors are measured in the same run, interleaved with warroom's runs (so both meet the same
load), with the same interpreter and environment:

- SQLite: a ``python -c`` process that opens a WAL file with ``synchronous=FULL`` and inserts one
  row with the stdlib ``sqlite3`` (``BEGIN IMMEDIATE``, ``INSERT``, ``COMMIT``), as the store does;
- PostgreSQL (a throw-away server on 127.0.0.1, started as ``tests/fixtures/pg_fixture.py`` does):
  a ``python -c`` process that imports psycopg, connects with the same URL (password, SCRAM) and
  inserts one row with autocommit.

``warroom log`` is the installed console script beside this interpreter (else ``-m warroom``).
Bytecode is cached in a temporary ``PYTHONPYCACHEPREFIX`` and warmed first, as an installed
package has its ``.pyc`` (``PYTHONDONTWRITEBYTECODE`` would make every run compile warroom again).
Targets: median ratio <= 2x on both engines. Also printed: ``python -c pass`` (the interpreter alone),
the processes' CPU time (user + system, steadier than the wall clock on a loaded machine), and on
SQLite a reference: the bare process that first imports the standard modules warroom's rules are
built on (``RULES_STDLIB``), which no rewrite of the CLI can avoid.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

BARE_SQLITE = """
import sqlite3, sys
con = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=5)
con.execute("PRAGMA journal_mode=WAL"); con.execute("PRAGMA synchronous=FULL")
con.execute("PRAGMA foreign_keys=ON")
con.execute("BEGIN IMMEDIATE")
con.execute("INSERT INTO t (incident_id, at, logged_at, author, kind, text) VALUES (?,?,?,?,?,?)",
            (1, "2026-11-23T10:00:00.000000Z", "2026-11-23T10:00:00.000000Z", "bench", "note", sys.argv[2]))
con.execute("COMMIT")
con.close()
"""

BARE_PSYCOPG = """
import psycopg, sys
with psycopg.connect(sys.argv[1], autocommit=True) as con:
    con.execute("INSERT INTO t (incident_id, at, logged_at, author, kind, text) VALUES (%s,%s,%s,%s,%s,%s)",
                (1, "2026-11-23T10:00:00.000000Z", "2026-11-23T10:00:00.000000Z", "bench", "note", sys.argv[2]))
"""

#: What the store's rules and the CLI stand on, imported before the bare insert: a reference, not a
#: target — importing dataclasses (and through it inspect, ast, dis, tokenize) alone makes the bare
#: process ~1.7x (Python 3.11), all of these ~2.4x; ``warroom log`` adds its own modules to that.
RULES_STDLIB = "import argparse, dataclasses, json, pathlib, typing, zoneinfo\n"

TABLE = ("CREATE TABLE t (id {key}, incident_id INT, at TEXT, logged_at TEXT, author TEXT, kind TEXT,"
         " text TEXT)")


def warroom_command() -> list[str]:
    script = Path(sys.executable).parent / "warroom"
    return [str(script)] if script.exists() else [sys.executable, "-m", "warroom"]


def timed(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(wall-clock seconds, CPU seconds: user + system) of one process."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    stderr = proc.stderr.read().decode(errors="replace")
    proc.stderr.close()
    if proc.returncode != 0:
        raise SystemExit(f"{argv[:3]} failed ({proc.returncode}): {stderr.strip()[-400:]}")
    return elapsed, usage.ru_utime + usage.ru_stime


def compare(name: str, runs: dict[str, list[str]], env: dict[str, str], n: int) -> float:
    """Run each process ``n`` times, in turn (the order rotating); print medians and p90s against
    the first (the floor); return the median ratio of the last (warroom's) to the floor."""
    for _ in range(3):  # warm: bytecode written, files in the page cache
        for argv in runs.values():
            timed(argv, env)
    samples: dict[str, list[tuple[float, float]]] = {label: [] for label in runs}
    order = list(runs)
    for i in range(n):
        for label in order[i % len(order):] + order[:i % len(order)]:
            samples[label].append(timed(runs[label], env))
    print(f"{name} ({n} processes each, interleaved)")
    floor_wall = floor_cpu = 0.0
    for label, values in samples.items():
        wall = statistics.median(w for w, _ in values) * 1e3
        p90 = statistics.quantiles([w for w, _ in values], n=10)[-1] * 1e3
        cpu = statistics.median(c for _, c in values) * 1e3
        floor_wall, floor_cpu = floor_wall or wall, floor_cpu or cpu
        print(f"  {label:34} median {wall:6.1f} ms ({wall / floor_wall:4.2f}x)  p90 {p90:6.1f} ms"
              f"  cpu {cpu:6.1f} ms ({cpu / floor_cpu:4.2f}x)")
    ratio = statistics.median(w for w, _ in samples[order[-1]]) * 1e3 / floor_wall
    print(f"  warroom log / bare: {ratio:.2f}x   (target <= 2x)")
    return ratio


def base_env(tmp: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.pop("WARROOM_AUTHOR", None)  # the login name, as most people run it
    env.update({"PYTHONPYCACHEPREFIX": str(tmp / "pyc"),
                "XDG_CONFIG_HOME": str(tmp / "config"), "XDG_DATA_HOME": str(tmp / "data")})
    return env


def bench_sqlite(tmp: Path, n: int) -> float:
    import sqlite3

    env = base_env(tmp)
    env["WARROOM_DB"] = str(tmp / "warroom.db")
    subprocess.run([*warroom_command(), "declare", "bench"], env=env, check=True, capture_output=True)
    bare = tmp / "bare.db"
    con = sqlite3.connect(bare)
    con.execute(TABLE.format(key="INTEGER PRIMARY KEY"))
    con.commit()
    con.close()
    return compare("SQLite", {
        "bare sqlite3 insert process": [sys.executable, "-c", BARE_SQLITE, str(bare), "a line"],
        "the same + stdlib the rules use": [sys.executable, "-c", RULES_STDLIB + BARE_SQLITE, str(bare), "a line"],
        "warroom log": [*warroom_command(), "log", "a line"],
    }, env, n)


def bench_postgres(tmp: Path, n: int) -> float | None:
    sys.path.insert(0, str(ROOT / "tests" / "fixtures"))
    from pg_fixture import start_server  # noqa: PLC0415 - the test fixture's server, reused

    try:
        server = start_server()
    except Exception as exc:  # noqa: BLE001
        print(f"PostgreSQL: skipped ({exc})")
        return None
    try:
        import psycopg

        ours_url, bare_url = server.new_database(), server.new_database()
        with psycopg.connect(bare_url, autocommit=True) as con:
            con.execute(TABLE.format(key="bigserial PRIMARY KEY"))
        env = base_env(tmp)
        env["WARROOM_DB"] = ours_url
        subprocess.run([*warroom_command(), "declare", "bench"], env=env, check=True, capture_output=True)
        return compare("PostgreSQL (loopback, SCRAM)", {
            "bare psycopg connect+insert process": [sys.executable, "-c", BARE_PSYCOPG, bare_url, "a line"],
            "warroom log": [*warroom_command(), "log", "a line"],
        }, env, n)
    finally:
        server.stop("immediate")
        shutil.rmtree(server.root, ignore_errors=True)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=30)
    ap.add_argument("--no-postgres", action="store_true")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="warroom-bench-cli-") as tmp:
        tmp = Path(tmp)
        floor = statistics.median(timed([sys.executable, "-c", "pass"], base_env(tmp))[0] for _ in range(10)) * 1e3
        print(f"python -c pass: median {floor:.1f} ms (the interpreter alone)")
        bench_sqlite(tmp, args.n)
        if not args.no_postgres:
            bench_postgres(tmp, args.n)
    return 0


if __name__ == "__main__":
    sys.exit(main())
