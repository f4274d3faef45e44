"""Several processes on one database (a file, or one PostgreSQL database): no lost writes, no
errors, an acknowledged entry survives SIGKILL of its writer."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from warroom.domain.presets import SEV
from warroom.store import Store, open_store

from fixtures.support import T0, raw_sql

APPENDER = textwrap.dedent(
    """
    import asyncio, os, sys, time
    from datetime import datetime, timezone
    from warroom.store import open_store

    async def main(db, incident_id, count, tag, go):
        async with open_store(db) as store:
            print("ready", flush=True)
            while go and not os.path.exists(go):
                time.sleep(0.001)
            n = 0
            while count < 0 or n < count:
                entry = await store.append(incident_id, f"{tag} {n}", author=tag,
                                           now=datetime.now(timezone.utc))
                print(entry.id, flush=True)   # printed only once the append returned
                n += 1

    db, incident_id, count, tag = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    go = sys.argv[5] if len(sys.argv) > 5 else ""
    asyncio.run(main(db, incident_id, count, tag, go))
    """
)


async def _new_incident(db: Path | str) -> int:
    async with open_store(db) as store:
        return (await store.declare("multi-process", SEV, "SEV-2", now=T0, author="t")).id


def _spawn(script: Path, db: Path | str, incident_id: int, count: int, tag: str, go: str = ""):
    return subprocess.Popen(
        [sys.executable, str(script), str(db), str(incident_id), str(count), tag, go],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


@pytest.mark.slow
async def test_sigkill_loses_no_acknowledged_entry(tmp_path, db):
    script = tmp_path / "appender.py"
    script.write_text(APPENDER)
    incident_id = await _new_incident(db)
    proc = _spawn(script, db, incident_id, -1, "killme")
    assert (await asyncio.to_thread(proc.stdout.readline)).strip() == "ready"
    acknowledged: list[int] = []
    deadline = time.monotonic() + 60
    while len(acknowledged) < 300 and time.monotonic() < deadline:
        line = await asyncio.to_thread(proc.stdout.readline)
        if not line:
            break
        acknowledged.append(int(line))
    os.kill(proc.pid, signal.SIGKILL)  # mid-loop: very likely mid-transaction
    rest, err = proc.communicate(timeout=30)
    acknowledged += [int(x) for x in rest.split()]
    assert proc.returncode == -signal.SIGKILL
    assert len(acknowledged) >= 300, err

    if isinstance(db, Path):
        assert raw_sql(db, "PRAGMA integrity_check") == [("ok",)]
    stored = {row[0] for row in raw_sql(db, "SELECT id FROM entries WHERE author = 'killme'")}
    missing = set(acknowledged) - stored
    assert not missing, f"{len(missing)} acknowledged entries lost"
    # and the database is still fully usable afterwards
    async with open_store(db) as store:
        assert await store.append(incident_id, "after the crash", author="t", now=T0)


@pytest.mark.slow
async def test_four_processes_append_500_each_on_one_incident(tmp_path, db):
    script = tmp_path / "appender.py"
    script.write_text(APPENDER)
    incident_id = await _new_incident(db)
    go = tmp_path / "go"
    tags = ("screen", "scribe", "ic", "comms")
    procs = [_spawn(script, db, incident_id, 500, tag, str(go)) for tag in tags]
    for p in procs:  # all connected and waiting on the start flag
        assert (await asyncio.to_thread(p.stdout.readline)).strip() == "ready"
    go.write_text("go")
    results = [await asyncio.to_thread(p.communicate, timeout=180) for p in procs]
    for p, (out, err) in zip(procs, results):
        assert p.returncode == 0 and err == "", err
        assert len(out.split()) == 500
    async with open_store(db) as store:
        entries = await store.entries(incident_id)
        if isinstance(store, Store):
            assert await store.integrity_check() == "ok"
    mine = [e for e in entries if e.author in tags]
    assert len(mine) == 2000 and len({e.id for e in mine}) == 2000
    by_author = {a: sorted(int(e.text.split()[1]) for e in mine if e.author == a) for a in tags}
    assert by_author == {a: list(range(500)) for a in tags}
