"""``warroom watch --listen``: the headless watcher hosts the Alertmanager receiver (issue #23) — a real
process takes a v4 payload with the token into its own store, refuses one without (401, nothing
written), logs one line per request without the token, takes real Alertmanager deliveries, and stops
with exit 0 on SIGTERM; a receiver that cannot start stops the watcher with one line."""

from __future__ import annotations

import json
import signal
import socket
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from fixtures.alertmanager_fixture import TOKEN, post_json, wait_for
from fixtures.prom_fixture import free_port
from fixtures.watch_process import WatchProcess
from warroom.store.opening import run_one_shot

pytestmark = pytest.mark.slow

#: something to watch that costs nothing (the watcher refuses to run with no source at all)
PROBE = '[[probes]]\nname = "api"\nurl = "http://127.0.0.1:9/health"\ninterval = 3600\n'


def write_config(tmp_path: Path, listen: str, token_file: Path | None) -> Path:
    path = tmp_path / "watch-receiver.toml"
    token = f'token_file = "{token_file}"\n' if token_file else ""
    path.write_text(f'{PROBE}[alertmanager.receiver]\nlisten = "{listen}"\n{token}max_body = 65536\n')
    return path


def token_file(tmp_path: Path) -> Path:
    path = tmp_path / "receiver-token"
    path.write_text(TOKEN + "\n")
    path.chmod(0o600)
    return path


def payload(service: str, fingerprint: str = "fp-watch-1") -> dict:
    return {"version": "4", "status": "firing", "groupKey": "g", "truncatedAlerts": 0, "receiver": "warroom",
            "alerts": [{"status": "firing", "labels": {"alertname": "CheckoutErrors", "service": service},
                        "annotations": {"summary": "checkout 5xx above 5%"},
                        "startsAt": "2026-03-01T10:00:00Z", "fingerprint": fingerprint}]}


def post_without_token(url: str, data: object) -> int:
    request = urllib.request.Request(url, data=json.dumps(data).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=10) as resp:
            return resp.status
    except urllib.error.HTTPError as exc:
        return exc.code


def alert_texts(db_path: Path, incident_id: int) -> list[str]:
    return [e.text for e in run_one_shot(db_path, lambda s: s.entries(incident_id)) if e.text.startswith("Alert")]


def declare(wr, service: str) -> int:
    return int(wr("declare", "Checkout down", "--service", service).stdout)


def listening(watch: WatchProcess) -> str:
    """The receiver's URL, once the watcher's log says it listens."""
    line = wait_for(lambda: [ln for ln in watch.log().splitlines() if "receiver listening on " in ln], 30,
                    "the receiver listening", watch)
    return line[0].rsplit(" ", 1)[1]


@pytest.fixture
def watching(warroom_exe, cli_env, tmp_path):
    started: list[WatchProcess] = []

    def start(config: Path, *args: str) -> WatchProcess:
        watch = WatchProcess(warroom_exe, dict(cli_env, WARROOM_CONFIG=str(config)), *args,
                             log=tmp_path / f"watch{len(started)}.log")
        watch.tail = watch.log  # for wait_for's failure message
        started.append(watch)
        return watch

    yield start
    for watch in started:
        watch.kill()


def test_the_watcher_receives_with_the_token_only_then_stops_on_sigterm(watching, wr, db_path, tmp_path):
    incident_id = declare(wr, "checkout-watch")
    port = free_port()
    watch = watching(write_config(tmp_path, "127.0.0.1:9", token_file(tmp_path)), "--listen", f"127.0.0.1:{port}")
    url = listening(watch)
    assert url == f"http://127.0.0.1:{port}/alerts"  # --listen HOST:PORT wins over the config's address
    assert post_without_token(url, payload("checkout-watch")) == 401
    assert post_json(url, payload("checkout-watch"), token="wrong-token")[0] == 401
    assert alert_texts(db_path, incident_id) == []
    status, answer = post_json(url, payload("checkout-watch"))
    assert status == 200 and answer["message"] == f"1 alert: 1 entry written in #{incident_id}"
    (text,) = alert_texts(db_path, incident_id)
    assert text.startswith("Alert firing: CheckoutErrors — checkout 5xx above 5%")
    assert post_json(url, payload("checkout-watch"))[1]["message"] == "1 alert: 0 entries written"
    assert len(alert_texts(db_path, incident_id)) == 1
    assert watch.stop() == 0
    log = watch.log()
    lines = log.splitlines()
    assert TOKEN not in log and "wrong-token" not in log and "Traceback" not in log
    assert all(" warroom watch: " in line for line in lines), log
    requests = [line for line in lines if "receiver: 127.0.0.1 POST /alerts" in line]
    assert [line.split(" → ")[1].split(" ")[0] for line in requests] == ["401", "401", "200", "200"], log
    assert "SIGTERM received" in log and lines[-1].endswith("warroom watch: stopped")
    with socket.socket() as s:  # nothing listens there any more (connections in TIME_WAIT aside)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("127.0.0.1", port))
        s.listen()


def test_listen_without_a_value_takes_the_configured_address_and_doctor_finds_it(watching, wr, tmp_path):
    port = free_port()
    config = write_config(tmp_path, f"127.0.0.1:{port}", token_file(tmp_path))
    watch = watching(config, "--listen")
    assert listening(watch) == f"http://127.0.0.1:{port}/alerts"
    doctor = wr("--config", str(config), "doctor", ok=False)
    assert f"receiver    127.0.0.1:{port}: a warroom receiver answers and accepts the token" in doctor.stdout
    assert TOKEN not in doctor.stdout + doctor.stderr
    assert watch.stop(signal.SIGHUP) == 0
    assert "SIGHUP received" in watch.log() and TOKEN not in watch.log()


def test_a_receiver_that_cannot_listen_stops_the_watcher_in_one_line(watching, tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        watch = watching(write_config(tmp_path, f"127.0.0.1:{port}", token_file(tmp_path)), "--listen")
        assert watch.proc.wait(30) == 1
    log = watch.log()
    assert f"cannot start: cannot listen on 127.0.0.1:{port}" in log and "Traceback" not in log, log
    assert log.splitlines()[-1].endswith("warroom watch: stopped")


def test_no_token_is_one_line_before_anything_starts(wr, tmp_path):
    config = write_config(tmp_path, "127.0.0.1:9", None)
    proc = wr("--config", str(config), "watch", "--listen", ok=False)
    assert proc.returncode == 1 and proc.stderr.count("\n") == 1 and "the receiver needs a token" in proc.stderr


def test_alertmanager_delivers_to_the_watcher(alert_stack, watching, wr, db_path, tmp_path):
    """The real Alertmanager (tests/fixtures/alertmanager_fixture.py) posts to the watcher's receiver."""
    incident_id = declare(wr, "watch-e2e")
    listen = f"127.0.0.1:{alert_stack.receiver_port}"
    watch = watching(write_config(tmp_path, listen, alert_stack.token_file), "--listen")
    listening(watch)
    alert_stack.exporter.set("watch-e2e", 1)
    try:
        fired = wait_for(lambda: [t for t in alert_texts(db_path, incident_id) if t.startswith("Alert firing")],
                         30, "the firing entry", alert_stack.alertmanager, watch)
        assert fired[0].startswith("Alert firing: ServiceBroken — watch-e2e is broken [severity=critical")
    finally:
        alert_stack.exporter.set("watch-e2e", 0)
    wait_for(lambda: [t for t in alert_texts(db_path, incident_id) if t.startswith("Alert resolved")], 30,
             "the resolved entry", alert_stack.alertmanager, watch)
    assert watch.stop() == 0
    assert TOKEN not in watch.log()
