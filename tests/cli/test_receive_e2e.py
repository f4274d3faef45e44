"""End to end on real servers: a Prometheus rule fires on scraped data, Alertmanager delivers to
``warroom receive`` (the installed CLI), and the timeline shows it — firing, then resolved; a
duplicate delivery writes nothing twice; an unrouted alert declares an incident with the right
severity and detected time; bad input to the running receiver is a 4xx and writes nothing."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from fixtures.alertmanager_fixture import TOKEN, post_json, start_receiver, wait_for
from warroom.store.opening import run_one_shot

pytestmark = pytest.mark.slow


def config(tmp_path: Path, stack, extra: str = "") -> Path:
    path = tmp_path / "wt-i23-config.toml"
    path.write_text(f"""
[alertmanager.receiver]
listen = "127.0.0.1:{stack.receiver_port}"
token_file = "{stack.token_file}"
max_body = 65536
{extra}
""")
    return path


def entries(db_path: Path, incident_id: int) -> list:
    return run_one_shot(db_path, lambda s: s.entries(incident_id))


def incidents(db_path: Path) -> list:
    return run_one_shot(db_path, lambda s: s.incidents())


def alert_texts(db_path: Path, incident_id: int, prefix: str) -> list[str]:
    return [e.text for e in entries(db_path, incident_id) if e.text.startswith(prefix)]


@pytest.fixture
def receiving(alert_stack, warroom_exe, cli_env, tmp_path):
    started = []

    def start(extra: str = ""):
        receiver = start_receiver(warroom_exe, cli_env, config(tmp_path, alert_stack, extra), tmp_path / "recv.err")
        started.append(receiver)
        return receiver

    yield start
    for receiver in started:
        assert receiver.stop() == 0, receiver.tail()
        assert TOKEN not in receiver.tail()


def test_alert_fires_and_resolves_into_the_incident_once(alert_stack, receiving, wr, db_path):
    incident_id = int(wr("declare", "Checkout down", "--service", "checkout-e2e").stdout)
    receiver = receiving()
    stack = alert_stack
    stack.exporter.set("checkout-e2e", 1, shard="a")
    fired = wait_for(lambda: alert_texts(db_path, incident_id, "Alert firing"), 30, "firing entry",
                     stack.alertmanager, receiver)
    assert fired[0].startswith("Alert firing: ServiceBroken — checkout-e2e is broken [severity=critical "
                               "service=checkout-e2e job=exporter instance=127.0.0.1:")
    assert f"http://" in fired[0] and "/graph?g0.expr=" in fired[0]
    # a second alert joins the group: Alertmanager re-sends the first one with it (a duplicate delivery)
    stack.exporter.set("checkout-e2e", 1, shard="b")
    wait_for(lambda: len(alert_texts(db_path, incident_id, "Alert firing")) == 2, 30, "second firing entry",
             stack.alertmanager, receiver)
    assert "2 alerts: 1 entry written" in receiver.tail()  # shard a came again, and wrote nothing
    stack.exporter.set("checkout-e2e", 0, shard="a")
    stack.exporter.set("checkout-e2e", 0, shard="b")
    wait_for(lambda: len(alert_texts(db_path, incident_id, "Alert resolved")) == 2, 30, "resolved entries",
             stack.alertmanager, receiver)
    texts = [e.text.split(" — ")[0] for e in entries(db_path, incident_id)]
    assert texts.count("Alert firing: ServiceBroken") == 2 and texts.count("Alert resolved: ServiceBroken") == 2
    # the entry's time is the alert's: startsAt as Alertmanager has it
    am = [a for a in stack.alertmanager.alerts() if a["labels"].get("service") == "checkout-e2e"]
    for alert in am:  # still listed while resolved alerts are kept
        assert alert["status"]["state"] in ("active", "unprocessed", "suppressed")


def test_bad_input_to_the_running_receiver_writes_nothing(alert_stack, receiving, wr, db_path):
    incident_id = int(wr("declare", "Checkout down", "--service", "bad-e2e").stdout)
    receiver = receiving()
    url = f"http://127.0.0.1:{alert_stack.receiver_port}/alerts"
    good = {"version": "4", "status": "firing", "groupKey": "g", "truncatedAlerts": 0, "receiver": "w",
            "alerts": [{"status": "firing", "labels": {"alertname": "X", "service": "bad-e2e"}, "annotations": {},
                        "startsAt": "2026-03-01T10:00:00Z", "fingerprint": "abc"}]}
    assert post_json(url, good, token="wrong")[0] == 401
    assert post_json(url, {**good, "version": "3"})[0] == 422
    assert post_json(url, {**good, "pad": "x" * 70_000})[0] == 413
    assert alert_texts(db_path, incident_id, "Alert") == []
    status, answer = post_json(url, good)
    assert status == 200 and answer["message"] == "1 alert: 1 entry written in #%d" % incident_id
    assert receiver.proc.poll() is None


def test_unrouted_alert_declares_an_incident_with_severity_and_detected_time(alert_stack, receiving, db_path):
    receiver = receiving('unmatched = "declare"\nseverity_map = { critical = "SEV-1" }')
    alert_stack.exporter.set("payments-e2e", 1)
    declared = wait_for(lambda: [i for i in incidents(db_path) if "payments-e2e" in i.services], 30,
                        "declared incident", alert_stack.alertmanager, receiver)
    (incident,) = declared
    assert incident.severity == "SEV-1" and incident.title == "ServiceBroken: payments-e2e is broken"
    (am,) = [a for a in alert_stack.alertmanager.alerts() if a["labels"].get("service") == "payments-e2e"]
    starts = datetime.fromisoformat(am["startsAt"].replace("Z", "+00:00"))
    assert abs((incident.milestones["detected"] - starts).total_seconds()) < 1e-3
    alert_stack.exporter.set("payments-e2e", 0)
    wait_for(lambda: alert_texts(db_path, incident.id, "Alert resolved"), 30, "resolved entry",
             alert_stack.alertmanager, receiver)
    assert len(incidents(db_path)) == 1


def test_doctor_checks_the_receiver_and_alertmanager(alert_stack, receiving, wr, tmp_path):
    base = f"""
[alertmanager]
url = "{alert_stack.alertmanager.url}"
[alertmanager.receiver]
listen = "127.0.0.1:{alert_stack.receiver_port}"
token_file = "{alert_stack.token_file}"
"""
    path = tmp_path / "wt-i23-doctor.toml"
    path.write_text(base)
    before = wr("--config", str(path), "doctor", ok=False).stdout
    assert "nothing listens there yet (warroom receive or watch --listen starts it)" in before
    assert "alertmanager  " + alert_stack.alertmanager.url + ": Alertmanager 0.25" in before
    receiving()
    running = wr("--config", str(path), "doctor", ok=False).stdout
    assert "a warroom receiver answers and accepts the token" in running
    other = tmp_path / "wt-i23-other-token"
    other.write_text("another-token-of-some-length")
    path.write_text(base.replace(str(alert_stack.token_file), str(other))
                    .replace(alert_stack.alertmanager.url, "http://127.0.0.1:1"))
    wrong = wr("--config", str(path), "doctor", ok=False)
    assert "FAIL  receiver    127.0.0.1" in wrong.stdout and "refuses this token" in wrong.stdout
    assert "FAIL  alertmanager  http://127.0.0.1:1" in wrong.stdout and wrong.returncode == 1
    for secret in (TOKEN, "another-token-of-some-length"):
        assert secret not in wrong.stdout + wrong.stderr + before + running
