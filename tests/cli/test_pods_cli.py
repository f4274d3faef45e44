"""`warroom pods` through the installed console script, against the API emulator over HTTP."""

from __future__ import annotations

import json
import subprocess

import pytest

from fixtures.kube_fixture import DEFAULT_TOKEN, EmulatorThread, KubeEmulator, scenario, write_kubeconfig


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


def test_a_malformed_pod_is_one_unreadable_row_and_the_others_still_show(tmp_path, warroom_exe, cli_env):
    from fixtures import podfixtures as pf

    bad = pf.deployment_pod(suffix="bad01", statuses=[pf.running()])
    bad["metadata"]["creationTimestamp"] = "yesterday"
    odd = pf.deployment_pod(suffix="odd01", statuses=[pf.running()])
    odd["spec"]["nodeName"] = ["node-1"]
    fresh = pf.deployment_pod(suffix="new01", statuses=[pf.waiting("CrashLoopBackOff", restarts=2)])
    emulator = KubeEmulator()
    emulator.add_all([*scenario(), bad, odd, fresh])
    with EmulatorThread(emulator):
        kubeconfig = write_kubeconfig(tmp_path / "kubeconfig", {"good": (emulator.url, DEFAULT_TOKEN)})
        proc = run(warroom_exe, cli_env, kubeconfig, "--context", "good")
        as_json = run(warroom_exe, cli_env, kubeconfig, "--context", "good", "--json")
    assert proc.returncode == 0 and proc.stderr == "", proc.stderr
    rows = {line.split()[1]: line for line in proc.stdout.splitlines()[1:] if line.startswith("shop ")}
    assert "Unreadable: metadata.creationTimestamp is not a timestamp: 'yesterday'" in rows["web-7d4b9c6f5-bad01"]
    assert "Unreadable: spec.nodeName is not text: ['node-1']" in rows["web-7d4b9c6f5-odd01"]
    assert "CrashLoopBackOff" in rows["web-7d4b9c6f5-new01"] and "CrashLoopBackOff" in rows["web-7d4b9c6f5-b7k2m"]
    pods = {p["name"]: p for p in json.loads(as_json.stdout)[0]["pods"]}
    assert pods["web-7d4b9c6f5-bad01"]["unreadable"] == "metadata.creationTimestamp is not a timestamp: 'yesterday'"
    assert pods["web-7d4b9c6f5-new01"]["unreadable"] is None and not pods["web-7d4b9c6f5-bad01"]["healthy"]
