"""``warroom watch`` as a service: a real process reads the real Prometheus and the Kubernetes
emulator for the open incident, records every pane as readings, writes the automatic entries once
(two watchers at once still write each once), beats its heartbeat, and stops cleanly on SIGTERM
and SIGHUP — on SQLite and PostgreSQL alike. It never imports Textual."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import textwrap

import pytest

from fixtures.support import raw_sql
from fixtures.watch_process import WatchProcess, db_wait, write_config

pytestmark = pytest.mark.slow


def declare(warroom_exe, env) -> int:
    proc = subprocess.run([warroom_exe, "declare", "Checkout 500s", "-s", "SEV-1"], env=env, capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    return int(proc.stdout.split()[0].lstrip("#"))


def test_two_watchers_record_every_pane_and_write_each_entry_once_then_stop_on_signals(
        prometheus, cluster, db, watch_env, warroom_exe, tmp_path):
    _, _, kubeconfig = cluster
    env = dict(watch_env, WARROOM_CONFIG=str(write_config(tmp_path / "config.toml", prometheus=prometheus,
                                                           kubeconfig=kubeconfig)))
    incident = declare(warroom_exe, env)
    a = WatchProcess(warroom_exe, env, "--beat", "0.5", log=tmp_path / "a.log")
    b = WatchProcess(warroom_exe, env, "--beat", "0.5", log=tmp_path / "b.log")
    try:
        streams = db_wait(db, f"SELECT DISTINCT stream FROM readings WHERE incident_id = {incident}",
                          lambda rows: {"panel", "alerts", "pods", "pod", "workload"} <= {r[0] for r in rows},
                          what="every pane recorded")
        assert streams
        db_wait(db, "SELECT id, incidents FROM watchers", lambda rows: len(rows) == 2
                and all(json.loads(r[1]) == [incident] for r in rows), what="two heartbeats feeding the incident")
        keys = db_wait(db, f"SELECT key FROM entries WHERE incident_id = {incident} AND key LIKE ?",
                       lambda rows: rows, what="the crash-looping pod's entry", params=("pod:%",))
        keyed = raw_sql(db, f"SELECT key, count(*) FROM entries WHERE incident_id = {incident} AND key IS NOT NULL"
                            " GROUP BY key")
        assert keys and all(n == 1 for _, n in keyed), keyed
        assert any(k.startswith("workload:") for k, _ in keyed)
    finally:
        code_a, code_b = a.stop(signal.SIGTERM), b.stop(signal.SIGHUP)
    assert (code_a, code_b) == (0, 0), a.log() + b.log()
    assert raw_sql(db, "SELECT id FROM watchers") == []  # a clean stop clears its heartbeat
    for log, sig in ((a.log(), "SIGTERM"), (b.log(), "SIGHUP")):
        lines = log.splitlines()
        assert f"{sig} received" in log and lines[-1].endswith("warroom watch: stopped"), log
        assert "Traceback" not in log and all(" warroom watch: " in line for line in lines), log
        assert "warroom-test-token" not in log


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
