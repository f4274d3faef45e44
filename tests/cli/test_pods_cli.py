"""`warroom pods` through the installed console script, against the API emulator over HTTP."""

from __future__ import annotations

import json
import subprocess

import pytest

from kube_fixture import DEFAULT_TOKEN, EmulatorThread, KubeEmulator, scenario, write_kubeconfig


@pytest.fixture
def cluster(tmp_path):
    emulator = KubeEmulator()
    emulator.add_all(scenario())
    with EmulatorThread(emulator):
        yield emulator, write_kubeconfig(tmp_path / "kubeconfig", {"good": (emulator.url, DEFAULT_TOKEN),
                                                                   "down": ("http://127.0.0.1:9", DEFAULT_TOKEN)})
    assert {r.method for r in emulator.requests} <= {"GET"}


def run(exe, env, kubeconfig, *args):
    env = dict(env, KUBECONFIG=str(kubeconfig))
    return subprocess.run([exe, "pods", *args], env=env, capture_output=True, text=True, timeout=60)


def test_pods_table_unhealthy_first(cluster, warroom_exe, cli_env):
    _, kubeconfig = cluster
    proc = run(warroom_exe, cli_env, kubeconfig, "--context", "good")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0].split() == ["NAMESPACE", "NAME", "READY", "STATUS", "RESTARTS", "AGE", "NODE"]
    assert lines[1].split()[:4] == ["shop", "web-7d4b9c6f5-b7k2m", "0/1", "CrashLoopBackOff"]
    assert "workload shop/web (Deployment): 2/3 ready" in proc.stdout
    # (rollouts and events depend on the wall clock against the fixture's fixed times: tested in the pane)


def test_pods_json_and_a_failing_context(cluster, warroom_exe, cli_env):
    _, kubeconfig = cluster
    proc = run(warroom_exe, cli_env, kubeconfig, "--context", "good", "--context", "down", "--json")
    assert proc.returncode == 1
    data = json.loads(proc.stdout)
    good, down = data
    assert good["error"] is None and good["pods"][0]["status"] == "CrashLoopBackOff"
    assert down["pods"] if "pods" in down else down["error"].startswith("cannot reach http://127.0.0.1:9")
    assert proc.stderr.count("\n") == 1 and "down: cannot reach" in proc.stderr


def test_missing_context(cluster, warroom_exe, cli_env):
    _, kubeconfig = cluster
    proc = run(warroom_exe, cli_env, kubeconfig, "--context", "nope")
    assert proc.returncode == 1 and "context 'nope' not found" in proc.stderr
