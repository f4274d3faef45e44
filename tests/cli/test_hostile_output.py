"""Issue #20 item 7: text from Prometheus, the cluster, the database or the command line reaches
the terminal literally through every sub-command: the installed console script against a real
hostile HTTP server, the API emulator and a database holding hostile text."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import threading
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from fixtures.hostile import HOSTILE, OSC52_SHOWN, unsafe
from fixtures.kube_fixture import DEFAULT_TOKEN, EmulatorThread, KubeEmulator, write_kubeconfig


def inert(proc: subprocess.CompletedProcess) -> str:
    """stdout and stderr hold nothing a terminal would act on; returns both."""
    assert unsafe(proc.stdout, allow="\n") == [], proc.stdout
    assert unsafe(proc.stderr, allow="\n") == [], proc.stderr
    return proc.stdout + proc.stderr


@pytest.fixture
def run(warroom_exe, cli_env, tmp_path):
    env = {k: v for k, v in cli_env.items() if not k.startswith("WARROOM_") or k in ("WARROOM_DB", "WARROOM_AUTHOR")}
    env["KUBECONFIG"] = str(tmp_path / "no-kubeconfig")

    def run(*args: str, extra_env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
        return subprocess.run([warroom_exe, *args], env={**env, **(extra_env or {})}, capture_output=True,
                              text=True, timeout=60)
    return run


def test_a_hostile_title_in_the_database(run, db_path):
    """A title written by another tool (or an older warroom): list, log's echo and export show it."""
    assert run("declare", "Checkout 500s").returncode == 0
    with sqlite3.connect(db_path) as con:
        con.execute("UPDATE incidents SET title = ?, roles = ?", (HOSTILE, json.dumps({"commander": HOSTILE})))
    listing = run("list")
    assert listing.returncode == 0 and OSC52_SHOWN in inert(listing)
    assert len(listing.stdout.splitlines()) == 2  # the header and the incident: the title's newline folded
    changed = run("status", "identified")
    assert changed.returncode == 0
    inert(changed)
    markdown = run("export")
    assert "␛\\]52;c;" in inert(markdown)  # ("]" escaped for markdown)
    data = run("export", "-f", "json")
    inert(data)
    assert json.loads(data.stdout)["incident"]["title"] == HOSTILE  # the data itself is kept exactly


def test_arguments_argparse_rejects_are_echoed_visibly(run):
    proc = run("list", HOSTILE)
    assert proc.returncode == 1
    assert OSC52_SHOWN in inert(proc) and "unrecognized arguments" in proc.stderr
    proc = run("export", "-f", HOSTILE)
    assert proc.returncode == 1 and "invalid choice" in inert(proc)


class HostilePrometheus:
    """Answers like Prometheus, with hostile text in the version, every query error and the alerts."""

    def __init__(self) -> None:
        def send(handler, status: int, body: dict) -> None:
            data = json.dumps(body).encode()
            handler.send_response(status)
            handler.send_header("Content-Type", "application/json")
            handler.send_header("Content-Length", str(len(data)))
            handler.end_headers()
            handler.wfile.write(data)

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802
                path = self.path.split("?", 1)[0]
                if path == "/api/v1/status/buildinfo":
                    send(self, 200, {"status": "success", "data": {"version": HOSTILE}})
                elif path == "/api/v1/alerts":
                    since = (datetime.now(timezone.utc) - timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%SZ")
                    send(self, 200, {"status": "success", "data": {"alerts": [{
                        "labels": {"alertname": HOSTILE, "severity": HOSTILE},
                        "annotations": {"summary": HOSTILE}, "state": "firing", "activeAt": since,
                        "value": "1e+00"}]}})
                else:
                    send(self, 400, {"status": "error", "errorType": "bad_data", "error": HOSTILE})

            do_POST = do_GET  # noqa: N815

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def prometheus_hostile():
    server = HostilePrometheus()
    yield server
    server.close()


def test_metrics_shows_alert_names_and_errors_literally(run, prometheus_hostile):
    proc = run("metrics", extra_env={"WARROOM_PROMETHEUS_URL": prometheus_hostile.url})
    shown = inert(proc)
    assert proc.returncode == 0, shown
    assert "ALERTS  1 firing" in proc.stdout
    alert_lines = proc.stdout.split("ALERTS", 1)[1].strip().splitlines()
    assert len(alert_lines) == 2 and OSC52_SHOWN in alert_lines[1]  # the name, on its own single line
    assert "ERROR" in proc.stdout and proc.stdout.count(OSC52_SHOWN) >= 2  # the panels' errors too
    data = run("metrics", "--json", extra_env={"WARROOM_PROMETHEUS_URL": prometheus_hostile.url})
    inert(data)
    assert json.loads(data.stdout)["alerts"]["items"][0]["name"] == HOSTILE


def test_doctor_shows_versions_names_and_errors_literally(run, prometheus_hostile):
    proc = run("doctor", extra_env={"WARROOM_PROMETHEUS_URL": prometheus_hostile.url})
    shown = inert(proc)
    assert proc.returncode == 1, shown  # the panels fail
    lines = proc.stdout.splitlines()
    alerts = [line for line in lines if line.split()[1:2] == ["alerts"]]
    assert len(alerts) == 1 and OSC52_SHOWN in alerts[0]
    assert all(line.split()[0] in ("OK", "WARN", "FAIL") for line in lines[:-1])  # one line per check


def test_pods_shows_reasons_and_messages_literally(run, tmp_path):
    from fixtures import podfixtures as pf

    now = datetime.now(timezone.utc)
    emulator = KubeEmulator()
    emulator.add_all([
        pf.deployment("web", replicas=1, ready=0, revision=1),
        pf.replicaset("web", "7d4b9c6f5", revision=1, created=pf.ago(now, minutes=20)),
        pf.deployment_pod(suffix="b7k2m", created=pf.ago(now, minutes=20), now=now,
                          statuses=[pf.waiting(HOSTILE, message=HOSTILE, restarts=3)]),
        pf.event(HOSTILE, HOSTILE, name="web-7d4b9c6f5-b7k2m", first=pf.ago(now, minutes=3),
                 last=pf.ago(now, seconds=30)),
    ])
    with EmulatorThread(emulator):
        kubeconfig = write_kubeconfig(tmp_path / "kubeconfig", {"good": (emulator.url, DEFAULT_TOKEN)})
        proc = run("pods", "--context", "good", extra_env={"KUBECONFIG": str(kubeconfig)})
        data = run("pods", "--context", "good", "--json", extra_env={"KUBECONFIG": str(kubeconfig)})
    shown = inert(proc)
    assert proc.returncode == 0, shown
    rows = [line for line in proc.stdout.splitlines() if line.startswith(("NAMESPACE", "shop "))]
    assert len(rows) == 2 and OSC52_SHOWN in rows[1]  # the pod's status, on the pod's one line
    warnings = [line for line in proc.stdout.splitlines() if line.startswith("warning ")]
    assert len(warnings) == 1 and OSC52_SHOWN in warnings[0]
    inert(data)
    assert json.loads(data.stdout)[0]["events"][0]["reason"] == HOSTILE
