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
and the processes' CPU time (user + system), steadier than the wall clock on a loaded machine.
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


def compare(name: str, floor: list[str], ours: list[str], env: dict[str, str], n: int) -> float:
    """Run both ``n`` times, alternating; print medians and p90s; return the ratio of the medians."""
    for _ in range(3):  # warm: bytecode written, files in the page cache
        timed(floor, env), timed(ours, env)
    a, b = [], []
    for i in range(n):
        if i % 2:
            b.append(timed(ours, env))
            a.append(timed(floor, env))
        else:
            a.append(timed(floor, env))
            b.append(timed(ours, env))
    wall_a, wall_b = [w for w, _ in a], [w for w, _ in b]
    cpu_a, cpu_b = [c for _, c in a], [c for _, c in b]
    fa, fb = statistics.median(wall_a) * 1e3, statistics.median(wall_b) * 1e3
    qa, qb = statistics.quantiles(wall_a, n=10)[-1] * 1e3, statistics.quantiles(wall_b, n=10)[-1] * 1e3
    ca, cb = statistics.median(cpu_a) * 1e3, statistics.median(cpu_b) * 1e3
    ratio = fb / fa
    print(f"{name} ({n} processes each, interleaved)")
    print(f"  bare insert process   median {fa:7.1f} ms  p90 {qa:7.1f} ms  cpu {ca:6.1f} ms")
    print(f"  warroom log           median {fb:7.1f} ms  p90 {qb:7.1f} ms  cpu {cb:6.1f} ms")
    print(f"  ratio                 median {ratio:5.2f}x   p90 {qb / qa:5.2f}x   cpu {cb / ca:5.2f}x   (target <= 2x)")
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
    return compare("SQLite", [sys.executable, "-c", BARE_SQLITE, str(bare), "a line"],
                   [*warroom_command(), "log", "a line"], env, n)


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
        return compare("PostgreSQL (loopback, SCRAM)", [sys.executable, "-c", BARE_PSYCOPG, bare_url, "a line"],
                       [*warroom_command(), "log", "a line"], env, n)
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
