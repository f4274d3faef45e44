"""``warroom metrics`` and ``warroom doctor`` against hostile Prometheus servers on 127.0.0.1: a slow
loris, a 50 MB answer, and TLS whose CA only ``ca_file`` names while the environment names another."""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path

import pytest

from fixtures.hostile_http import MB, Server, fake_prometheus, huge, make_pki, slow_loris

FIRING = [{"labels": {"alertname": "HighErrorRatio", "severity": "critical"}, "annotations": {},
           "state": "firing", "activeAt": "2026-11-23T10:00:00Z", "value": "0.15"}]
PANEL = """
[[prometheus.panels]]
title = "Checkout errors"
query = 'sum(rate(http_requests_total{code=~"5.."}[5m]))'
baseline = 1.0
"""


@pytest.fixture
def env(cli_env: dict[str, str], tmp_path: Path) -> dict[str, str]:
    keep = {"WARROOM_DB", "WARROOM_AUTHOR"}
    clean = {k: v for k, v in cli_env.items() if not k.startswith("WARROOM_") or k in keep}
    clean["KUBECONFIG"] = str(tmp_path / "no-kubeconfig")
    return clean


def run(exe: str, env: dict[str, str], config: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([exe, "--config", str(config), *args], env=env, capture_output=True, text=True, timeout=60)


def config(tmp_path: Path, url: str, extra: str = "", timeout: float = 2) -> Path:
    path = tmp_path / "warroom.toml"
    path.write_text(f'[prometheus]\nurl = "{url}"\ntimeout = {timeout}\n{extra}{PANEL}')
    return path


def one_error_line(proc: subprocess.CompletedProcess) -> str:
    assert proc.returncode == 1, proc.stdout + proc.stderr
    lines = proc.stderr.splitlines()
    assert proc.stdout == "" and len(lines) == 1, proc.stdout + proc.stderr
    return lines[0]


def test_a_slow_loris_costs_the_configured_timeout(warroom_exe, env, tmp_path: Path) -> None:
    with Server(slow_loris(headers_too=False)) as server:
        started = time.monotonic()
        proc = run(warroom_exe, env, config(tmp_path, server.url, timeout=2), "metrics")
        elapsed = time.monotonic() - started
    assert one_error_line(proc) == f"warroom: error: prometheus {server.url}: timeout after 2 s"
    assert elapsed < 2 + 3, elapsed  # the deadline, plus the process starting


def test_a_50_mb_answer_is_refused_with_a_clear_error(warroom_exe, env, tmp_path: Path) -> None:
    with Server(huge(50 * MB, declared=False)) as server:
        proc = run(warroom_exe, env, config(tmp_path, server.url, timeout=20), "metrics")
    assert one_error_line(proc) == (f"warroom: error: prometheus {server.url}: "
                                    "response too large: over 8 MiB (the limit for one request)")


def test_ca_file_wins_over_requests_ca_bundle_for_panels_alerts_and_doctor(warroom_exe, env, tmp_path: Path) -> None:
    pki = make_pki(tmp_path / "pki")
    env = dict(env, REQUESTS_CA_BUNDLE=str(pki.other_ca_file), SSL_CERT_FILE=str(pki.other_ca_file))
    with Server(fake_prometheus(FIRING), tls=pki.server) as server:
        path = config(tmp_path, server.url, f'ca_file = "{pki.ca_file}"\n', timeout=5)
        metrics = run(warroom_exe, env, path, "metrics", "--json")
        doctor = run(warroom_exe, env, path, "doctor")
    assert metrics.returncode == 0, metrics.stderr
    data = json.loads(metrics.stdout)
    assert [p["current"] for p in data["panels"]] == [1.5]
    alerts = data["alerts"]
    assert alerts["error"] is None and [a["name"] for a in alerts["items"]] == ["HighErrorRatio"], alerts
    lines = {line.split(None, 2)[1]: line for line in doctor.stdout.splitlines()[:-1]}
    assert lines["prometheus"].startswith(f"OK    prometheus  {server.url}: Prometheus 2.99.0"), doctor.stdout
    assert lines["panel"].startswith("OK    panel       Checkout errors: ok 1.5"), doctor.stdout
    assert lines["alerts"] == "OK    alerts      1 firing (HighErrorRatio), 0 pending", doctor.stdout
