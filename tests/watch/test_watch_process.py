"""``warroom watch`` as a service: a real process reads the real Prometheus and the Kubernetes
emulator for the open incident, records every pane as readings, writes the automatic entries once,
beats its heartbeat, and stops cleanly on SIGTERM and SIGHUP — on SQLite and PostgreSQL alike. Of
two watchers one feeds and the other stands by, taking over when the first falls silent and handing
back when it beats again. It never imports Textual."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import textwrap
import time

import pytest

from fixtures.support import raw_sql
from fixtures.watch_process import WatchProcess, db_wait, write_config

pytestmark = pytest.mark.slow


def declare(warroom_exe, env) -> int:
    proc = subprocess.run([warroom_exe, "declare", "Checkout 500s", "-s", "SEV-1"], env=env, capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    return int(proc.stdout.split()[0].lstrip("#"))


def listing(db, incident: int) -> list[tuple[int, float]]:
    """(pid, beat_at as a timestamp) of each heartbeat that lists ``incident``."""
    from datetime import datetime

    return [(pid, datetime.fromisoformat(at.replace("Z", "+00:00")).timestamp())
            for pid, at, incidents in raw_sql(db, "SELECT pid, beat_at, incidents FROM watchers")
            if incident in json.loads(incidents)]


def feeding(db, incident: int, pid: int, what: str, timeout: float = 30.0) -> None:
    db_wait(db, "SELECT pid, incidents FROM watchers",
            lambda rows: [r[0] for r in rows if incident in json.loads(r[1])] == [pid], timeout=timeout, what=what)


def log_wait(watcher: WatchProcess, text: str, timeout: float = 30.0) -> str:
    deadline = time.monotonic() + timeout
    while text not in watcher.log():
        assert time.monotonic() < deadline, f"timed out waiting for {text!r} in {watcher.log()}"
        time.sleep(0.05)
    return watcher.log()


def test_of_two_watchers_one_feeds_the_other_stands_by_each_entry_written_once_then_both_stop_on_signals(
        prometheus, cluster, db, watch_env, warroom_exe, tmp_path):
    _, _, kubeconfig = cluster
    env = dict(watch_env, WARROOM_CONFIG=str(write_config(tmp_path / "config.toml", prometheus=prometheus,
                                                           kubeconfig=kubeconfig)))
    incident = declare(warroom_exe, env)
    a = WatchProcess(warroom_exe, env, "--beat", "0.5", log=tmp_path / "a.log")
    b = None
    try:
        feeding(db, incident, a.pid, "the first watcher feeding the incident")
        b = WatchProcess(warroom_exe, env, "--beat", "0.5", log=tmp_path / "b.log")
        snapshots: list[list] = []  # every look at the heartbeats while both run: one lists the incident

        def looked(rows, ok) -> bool:
            snapshots.append(listing(db, incident))
            return ok(rows)

        streams = db_wait(db, f"SELECT DISTINCT stream FROM readings WHERE incident_id = {incident}",
                          lambda rows: looked(rows, lambda rows: {"panel", "alerts", "pods", "pod", "workload"}
                                              <= {r[0] for r in rows}), what="every pane recorded")
        assert streams
        db_wait(db, "SELECT pid FROM watchers", lambda rows: looked(rows, lambda rows: len(rows) == 2),
                what="two heartbeats")
        log_wait(b, f"incident #{incident}: fed by the watcher on {socket.gethostname()} (pid {a.pid}); standing by")
        assert "the rolling window: recorded by the watcher on" in b.log()
        keys = db_wait(db, f"SELECT key FROM entries WHERE incident_id = {incident} AND key LIKE ?",
                       lambda rows: looked(rows, bool), what="the crash-looping pod's entry", params=("pod:%",))
        for _ in range(6):  # three more beats of each
            db_wait(db, "SELECT max(beat_at) FROM watchers", lambda rows, seen=snapshots[-1]: looked(
                rows, lambda _: listing(db, incident) != seen), what="a beat")
        assert snapshots and all([pid for pid, _ in s] == [a.pid] for s in snapshots), snapshots
        keyed = raw_sql(db, f"SELECT key, count(*) FROM entries WHERE incident_id = {incident} AND key IS NOT NULL"
                            " GROUP BY key")
        assert keys and all(n == 1 for _, n in keyed), keyed
        assert any(k.startswith("workload:") for k, _ in keyed)
    finally:  # the standby first: the feeder stopped first, it would take over at once
        code_b = b.stop(signal.SIGHUP) if b is not None else None
        code_a = a.stop(signal.SIGTERM)
    assert (code_a, code_b) == (0, 0), a.log() + b.log()
    assert raw_sql(db, "SELECT id FROM watchers") == []  # a clean stop clears its heartbeat
    assert "wrote 0 readings and 0 entries" in b.log() and "wrote 0 readings" not in a.log()
    for log, sig in ((a.log(), "SIGTERM"), (b.log(), "SIGHUP")):
        lines = log.splitlines()
        assert f"{sig} received" in log and lines[-1].endswith("warroom watch: stopped"), log
        assert "Traceback" not in log and all(" warroom watch: " in line for line in lines), log
        assert "warroom-test-token" not in log


def test_a_standby_takes_over_from_a_silent_feeder_before_screens_call_it_stale_and_hands_back(
        prometheus, cluster, db, engine, watch_env, warroom_exe, tmp_path):
    """Stopped (SIGSTOP: its host cut off), the feeder is taken over; beating again, it is handed
    the incident back; killed, taken over for good — each within two of its periods."""
    _, _, kubeconfig = cluster
    env = dict(watch_env, WARROOM_CONFIG=str(write_config(tmp_path / "config.toml", prometheus=prometheus,
                                                           kubeconfig=kubeconfig)))
    incident = declare(warroom_exe, env)
    period = 1.0
    a = WatchProcess(warroom_exe, env, "--beat", str(period), log=tmp_path / "a.log")
    b = None
    try:
        feeding(db, incident, a.pid, "the first watcher feeding the incident")
        b = WatchProcess(warroom_exe, env, "--beat", str(period), log=tmp_path / "b.log")
        log_wait(b, f"incident #{incident}: fed by the watcher on {socket.gethostname()} (pid {a.pid}); standing by")

        def taken_over(stop) -> None:
            stop()
            (_, last), = listing(db, incident)  # the silent watcher's last beat
            rows = db_wait(db, "SELECT 1", lambda _: [pid for pid, _ in listing(db, incident)] == [b.pid, a.pid]
                           or [pid for pid, _ in listing(db, incident)] == [a.pid, b.pid], what="the takeover")
            assert rows
            took = dict(listing(db, incident))[b.pid]
            assert took - last <= 2 * period, (took - last, b.log())

        if engine == "sqlite":  # stopped while it holds no lock: a host cut off drops its locks too
            taken_over(lambda: pause_unlocked(a, db))
            a.proc.send_signal(signal.SIGCONT)
            feeding(db, incident, a.pid, "the incident handed back")
            assert b.log().count(f"incident #{incident}: fed by the watcher on") == 2
            assert "no heartbeat for" in a.log()  # it records the whole state again
        readings = raw_sql(db, "SELECT count(*) FROM readings WHERE incident_id = ?", (incident,))[0][0]
        taken_over(a.kill)
        log_wait(b, f"incident #{incident}: no longer fed by the watcher on {socket.gethostname()} (pid {a.pid});"
                    " taking over")
        db_wait(db, "SELECT count(*) FROM readings WHERE incident_id = ?", lambda rows: rows[0][0] > readings,
                what="readings after the takeover", params=(incident,))
    finally:
        a.kill()
        code_b = b.stop(signal.SIGTERM) if b is not None else None
    assert code_b == 0, b.log()
    assert "wrote 0 readings" not in b.log() and "Traceback" not in b.log()


def pause_unlocked(watcher: WatchProcess, db) -> None:
    """SIGSTOP ``watcher`` at a moment it holds no SQLite lock (else the others wait for it)."""
    import sqlite3

    while True:
        watcher.proc.send_signal(signal.SIGSTOP)
        con = sqlite3.connect(db, timeout=0.1)
        try:
            con.execute("BEGIN IMMEDIATE")
            con.rollback()
            return
        except sqlite3.OperationalError:
            watcher.proc.send_signal(signal.SIGCONT)
            time.sleep(0.05)
        finally:
            con.close()


def test_the_watcher_never_imports_textual(prometheus, cluster, db_path, tmp_path):
    _, _, kubeconfig = cluster
    config = write_config(tmp_path / "config.toml", prometheus=prometheus, kubeconfig=kubeconfig)
    script = textwrap.dedent(f"""
        import os, signal, sys, threading
        from warroom.cli import main
        threading.Timer(4.0, os.kill, (os.getpid(), signal.SIGTERM)).start()
        code = main(["--db", {str(db_path)!r}, "--config", {str(config)!r}, "watch"])
        print(sorted(m for m in sys.modules if m.split(".")[0] == "textual"), code)
    """)
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert proc.stdout.strip() == "[] 0", proc.stdout + proc.stderr
    assert "feeding" not in proc.stderr and "watching for every open incident" in proc.stderr


def test_nothing_to_watch_is_one_line(wr, tmp_path):
    config = tmp_path / "empty.toml"
    config.write_text("")
    proc = wr("--config", str(config), "watch", ok=False)
    assert proc.returncode == 1 and proc.stderr.count("\n") == 1 and "nothing to watch" in proc.stderr


def test_an_incident_declared_later_replays_the_minutes_before_it(cluster, db, watch_env, warroom_exe, tmp_path):
    """No incident open: the watcher keeps the rolling window; the incident declared then gets the
    readings from before its declaration (its replay starts there)."""
    _, _, kubeconfig = cluster
    env = dict(watch_env, WARROOM_CONFIG=str(write_config(tmp_path / "config.toml", kubeconfig=kubeconfig)))
    watcher = WatchProcess(warroom_exe, env, "--beat", "0.5", "--window", "10m", log=tmp_path / "w.log")
    try:
        first = db_wait(db, "SELECT min(at) FROM window_readings", lambda rows: rows[0][0] is not None,
                        what="the window recorded")[0][0]
        incident = declare(warroom_exe, env)
        declared = raw_sql(db, "SELECT created_at FROM incidents WHERE id = ?", (incident,))[0][0]
        rows = db_wait(db, "SELECT min(at), count(*) FROM readings WHERE incident_id = ?",
                       lambda rows: rows[0][1] > 0, what="the incident's readings", params=(incident,))
    finally:
        assert watcher.stop() == 0
    from datetime import datetime

    assert rows[0][0] == first < datetime.fromisoformat(declared.replace("Z", "+00:00")).timestamp()
    assert "window" in watcher.log() and "copied from the window" in watcher.log()
