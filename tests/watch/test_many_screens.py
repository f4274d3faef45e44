"""One war room, many screens: one ``warroom watch`` and N = 1, 3, 10 follower screens (headless
apps, each its own process) against the real Prometheus and the Kubernetes emulator. Counted on
the servers' side — Prometheus's own ``prometheus_http_requests_total`` by handler, every request
the emulator answered — the sources see the watcher's requests alone, whatever N; every screen
still shows the crash-looping pod and the panels. Then the watcher is killed: the screens say
STALE within two heartbeat periods, read the sources themselves, and hand back to a new watcher."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from fixtures.watch_process import WatchProcess, db_wait, write_config

pytestmark = pytest.mark.slow

FOLLOWER = Path(__file__).resolve().parent.parent / "fixtures" / "follower.py"
CRASHING = "shop/web-7d4b9c6f5-b7k2m:CrashLoopBackOff"


def prometheus_api_requests(url: str) -> int:
    """Every API request Prometheus has answered (its self-scrape of /metrics not counted)."""
    text = urllib.request.urlopen(f"{url}/metrics", timeout=5).read().decode()
    return sum(int(float(n)) for n in re.findall(r'prometheus_http_requests_total\{[^}]*handler="/api/v1/[^"]*"[^}]*\} (\S+)', text))


class Follower:
    def __init__(self, db, config: Path, status: Path, env: dict) -> None:
        self.status = status
        self.proc = subprocess.Popen([sys.executable, str(FOLLOWER), str(db), str(config), str(status)], env=env,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)

    def read(self) -> dict:
        try:
            return json.loads(self.status.read_text())
        except (OSError, ValueError):
            assert self.proc.poll() is None, self.proc.stderr.read()
            return {}

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(20)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def wait_all(followers, ok, what: str, timeout: float = 90.0) -> list[dict]:
    deadline = time.monotonic() + timeout
    while True:
        seen = [f.read() for f in followers]
        if all(s and ok(s) for s in seen):
            return seen
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}: {seen}")
        time.sleep(0.1)


def showing(s: dict) -> bool:
    return s["mode"] == "following" and CRASHING in s["pods"] and bool(s["panels"])


@pytest.fixture
def team(prometheus, cluster, db, watch_env, warroom_exe, tmp_path):
    """A declared incident and the config every screen and the watcher share (Prometheus read
    once an hour: after the watcher's first poll, any query is a screen's)."""
    emulator, _, kubeconfig = cluster
    config = write_config(tmp_path / "config.toml", prometheus=prometheus, kubeconfig=kubeconfig, refresh=3600)
    env = dict(watch_env, WARROOM_CONFIG=str(config))
    proc = subprocess.run([warroom_exe, "declare", "Checkout 500s", "-s", "SEV-1"], env=env, capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    return emulator, config, env


def start_watcher(warroom_exe, env, tmp_path, db, name: str) -> WatchProcess:
    watcher = WatchProcess(warroom_exe, env, "--beat", "0.5", log=tmp_path / f"{name}.log")
    db_wait(db, "SELECT DISTINCT stream FROM readings", lambda rows: {"panel", "pod"} <= {r[0] for r in rows},
            what="the watcher's first readings")
    return watcher


def test_the_sources_see_one_watcher_whatever_the_number_of_screens(team, prometheus, db, warroom_exe, tmp_path):
    emulator, config, env = team
    prom_before = prometheus_api_requests(prometheus)
    watcher = start_watcher(warroom_exe, env, tmp_path, db, "watcher")
    try:
        time.sleep(1.0)  # the watcher's list+watch and its first poll are done
        kube_alone, prom_alone = len(emulator.requests), prometheus_api_requests(prometheus)
        assert prom_alone > prom_before and kube_alone > 0  # the counters count the watcher
        for n in (1, 3, 10):
            followers = [Follower(db, config, tmp_path / f"screen-{n}-{k}.json", env) for k in range(n)]
            try:
                seen = wait_all(followers, showing, f"{n} screens following the watcher")
                time.sleep(1.0)  # a second of following: several looks each
                assert all(s["own_polls"] == {"metrics": 0, "pods": 0} for s in seen), seen
                assert all("via watcher on" in s["said"] for s in seen)
            finally:
                for f in followers:
                    f.stop()
            assert len(emulator.requests) == kube_alone, [str(r) for r in emulator.requests[kube_alone:]]
            assert prometheus_api_requests(prometheus) == prom_alone, f"{n} screens queried Prometheus"
    finally:
        assert watcher.stop() == 0, watcher.log()


def test_the_watcher_killed_screens_say_stale_take_over_then_hand_back(team, db, warroom_exe, tmp_path):
    emulator, config, env = team
    watcher = start_watcher(warroom_exe, env, tmp_path, db, "first")
    followers = [Follower(db, config, tmp_path / f"screen-{k}.json", env) for k in range(2)]
    try:
        wait_all(followers, showing, "the screens following")
        kube_before = len(emulator.requests)
        watcher.kill()
        killed = time.monotonic()
        wait_all(followers, lambda s: s["said"].startswith("STALE"), "STALE said", timeout=20)
        took = time.monotonic() - killed
        assert took <= 2 * 0.5 + 1.0, f"STALE said {took:.1f} s after the kill"  # two periods, and a look
        seen = wait_all(followers, lambda s: s["mode"] == "own" and CRASHING in s["pods"], "the screens reading "
                        "the cluster themselves")
        assert len(emulator.requests) > kube_before and all("reading the sources here" in s["said"] for s in seen)
        assert all(s["own_watchers"] == 1 for s in seen)
        watcher = start_watcher(warroom_exe, env, tmp_path, db, "second")
        seen = wait_all(followers, showing, "handed back to the new watcher", timeout=30)
        assert all(s["own_watchers"] == 0 for s in seen)  # the screens' cluster watchers stopped
    finally:
        for f in followers:
            f.stop()
        watcher.stop()
