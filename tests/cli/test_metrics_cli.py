"""``warroom metrics`` and ``warroom doctor`` end to end: the installed console script against the
real Prometheus of ``prom_fixture`` (expected numbers from its ``Scenario``) and broken servers.

The panels are read ``--at`` the scenario's last sample, so the numbers are exact however long
the test session has been running; alerts and probes are always read live.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Callable, Iterator

import pytest

from fixtures.prom_fixture import Scenario, free_port

DAY = 86400
SECRET_TOKEN = "tok-3f9a-never-print-me"
SECRET_PASSWORD = "pw-77c1-never-print-me"
KUBE_TOKEN = "kube-token-never-print-me"

GOOD_PANEL = """
[[prometheus.panels]]
title = "Checkout errors"
query = 'sum(rate(http_requests_total{code=~"5.."}[5m])) / sum(rate(http_requests_total[5m]))'
unit = "ratio"
warn_ratio = 2
crit_ratio = 5
"""
BAD_PANEL = """
[[prometheus.panels]]
title = "Typo"
query = 'sum(rate(http_requests_total[5m]'
"""
MISSING_PANEL = """
[[prometheus.panels]]
title = "Queue depth"
query = 'sum(rate(nonexistent_queue_total[5m]))'
"""
# robust to the session's age: the last samples stay within [1h] for an hour
LASTING_PANEL = """
[[prometheus.panels]]
title = "Series"
query = 'count(last_over_time(http_requests_total[1h]))'
"""


@pytest.fixture
def env(cli_env: dict[str, str], tmp_path: Path) -> dict[str, str]:
    keep = {"WARROOM_DB", "WARROOM_AUTHOR"}  # set by cli_env; no other WARROOM_* from the outer shell
    clean = {k: v for k, v in cli_env.items() if not k.startswith("WARROOM_") or k in keep}
    clean["KUBECONFIG"] = str(tmp_path / "no-kubeconfig")
    return clean


@pytest.fixture
def run(warroom_exe: str, env: dict[str, str]) -> Callable[..., subprocess.CompletedProcess]:
    def run(*args: str, extra_env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
        return subprocess.run([warroom_exe, *args], env={**env, **(extra_env or {})}, capture_output=True,
                              text=True, timeout=60)
    return run


def at_end(sc: Scenario) -> str:
    return sc.end_dt.strftime("%Y-%m-%dT%H:%M:%SZ")


def write_config(tmp_path: Path, url: str, body: str = "", name: str = "warroom.toml") -> Path:
    path = tmp_path / name
    path.write_text(f'[prometheus]\nurl = "{url}"\ntimeout = 5\n{body}')
    return path


def one_error_line(proc: subprocess.CompletedProcess) -> str:
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert proc.stdout == ""
    lines = proc.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("warroom: error: "), proc.stderr
    return lines[0]


def columns(line: str) -> list[str]:
    return re.split(r"\s{2,}", line.strip())


# -- metrics against the real Prometheus ----------------------------------------------------------


def test_metrics_table_default_panels(run, prometheus: str, prometheus_scenario: Scenario) -> None:
    sc = prometheus_scenario
    proc = run("metrics", "--at", at_end(sc), extra_env={"WARROOM_PROMETHEUS_URL": prometheus})
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0].startswith(f"Prometheus {prometheus} at {sc.end_dt:%Y-%m-%d %H:%M:%S}Z") and lines[0].endswith(": CRIT")
    assert lines[1] == "(default panels: no [[prometheus.panels]] configured)"
    assert columns(lines[2]) == ["PANEL", "CURRENT", "BASELINE", "RATIO", "DEVIATION", "VERDICT", "NOTES"]
    rows = {columns(line)[0]: columns(line)[1:] for line in lines[3:6]}
    assert rows["Error ratio"] == ["15.0 %", "1.0 % (1d ago)", "15x", "+1400 %", "CRIT",
                                   "15x baseline ≥ crit 5.0x; 15.0 % ≥ crit 5.0 %"]
    assert rows["p95 latency"][:5] == ["2.4 s", "239 ms (1d ago)", "10x", "+913 %", "CRIT"]
    ratio = sc.total_rate(sc.end) / sc.total_rate(sc.end - DAY)  # traffic at 60 %, a day's growth
    assert rows["Request rate"][2] == f"{ratio:.2f}x" and rows["Request rate"][4] == "WARN" and 0.5 < ratio < 0.7
    # the table is aligned: every column starts at the same offset on each row
    header = lines[2]
    for line in lines[3:6]:
        assert line[header.index("VERDICT"):].split()[0] in ("CRIT", "WARN")
    alerts = lines[lines.index("") + 1:]
    assert alerts[0].startswith("ALERTS  1 firing, 1 pending; earliest firing since ")
    assert columns(alerts[1])[:2] == ["HighErrorRatio", "critical"] and "5xx ratio is 15%" in alerts[1]


def test_metrics_json(run, prometheus: str, prometheus_scenario: Scenario) -> None:
    sc = prometheus_scenario
    proc = run("metrics", "--json", "--at", at_end(sc), extra_env={"WARROOM_PROMETHEUS_URL": prometheus})
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["prometheus"] == prometheus and data["at"] == at_end(sc)
    assert data["verdict"] == "CRIT" and data["default_panels"] is True
    errors, latency, traffic = data["panels"]
    assert errors["title"] == "Error ratio" and errors["unit"] == "ratio" and errors["baseline_from"] == "offset 1d"
    assert errors["current"] == pytest.approx(sc.error_ratio(sc.end)) == pytest.approx(0.15)
    assert errors["baseline"] == pytest.approx(sc.error_ratio(sc.end - DAY)) == pytest.approx(0.01)
    assert errors["ratio"] == pytest.approx(15.0) and errors["deviation_pct"] == pytest.approx(1400.0)
    assert errors["verdict"] == "CRIT" and errors["error"] is None
    assert errors["reasons"] == ["15x baseline ≥ crit 5.0x", "15.0 % ≥ crit 5.0 %"]
    assert errors["text"] == {"current": "15.0 %", "baseline": "1.0 %", "ratio": "15x", "deviation": "+1400 %"}
    assert errors["summary"] == "Error ratio 15.0 % (baseline 1.0 %, 15x)"
    assert latency["current"] == pytest.approx(sc.p95(sc.end))
    assert latency["baseline"] == pytest.approx(sc.p95(sc.end - DAY))
    assert traffic["current"] == pytest.approx(sc.total_rate(sc.end))
    assert traffic["baseline"] == pytest.approx(sc.total_rate(sc.end - DAY))
    assert traffic["verdict"] == "WARN" and traffic["direction"] == "lower_is_bad"
    for panel in data["panels"]:  # numbers, not formatted strings
        assert all(isinstance(panel[k], float) for k in ("current", "baseline", "ratio", "deviation_pct"))
        assert panel["series"] == 1
    alerts = data["alerts"]
    assert alerts["error"] is None and alerts["firing"] == 1 and alerts["pending"] == 1
    first = alerts["items"][0]
    assert (first["name"], first["state"], first["severity"]) == ("HighErrorRatio", "firing", "critical")
    assert first["value"] == pytest.approx(0.15) and first["labels"]["severity"] == "critical"
    assert alerts["earliest_firing"] == first["active_at"] and first["active_at"].endswith("Z")
    assert [a["name"] for a in alerts["items"]] == ["HighErrorRatio", "HighLatencyP95"]
    assert data["probes"] == []


def test_a_bad_panel_does_not_hide_the_others(run, prometheus: str, prometheus_scenario: Scenario,
                                              tmp_path: Path) -> None:
    sc = prometheus_scenario
    config = write_config(tmp_path, prometheus, GOOD_PANEL + BAD_PANEL + MISSING_PANEL)
    proc = run("--config", str(config), "metrics", "--json", "--at", at_end(sc))
    assert proc.returncode == 0, proc.stderr
    good, bad, missing = json.loads(proc.stdout)["panels"]
    assert good["verdict"] == "CRIT" and good["current"] == pytest.approx(0.15)
    assert bad["verdict"] is None and bad["current"] is None
    assert bad["error"]["kind"] == "promql"
    assert bad["error"]["message"].startswith("bad PromQL: ") and "parse error" in bad["error"]["message"]
    assert missing["verdict"] == "NO DATA" and missing["current"] is None and missing["error"] is None

    table = run("--config", str(config), "metrics", "--at", at_end(sc))
    assert table.returncode == 0, table.stderr
    rows = {columns(line)[0]: columns(line)[1:] for line in table.stdout.splitlines()[2:5]}
    assert rows["Checkout errors"][4] == "CRIT"
    assert rows["Typo"][:5] == ["-", "-", "-", "-", "ERROR"] and rows["Typo"][5].startswith("bad PromQL: ")
    assert rows["Queue depth"][4] == "NO DATA"


def test_json_is_strict_with_nan_and_infinity(run, prometheus: str, tmp_path: Path) -> None:
    config = write_config(tmp_path, prometheus, """
[[prometheus.panels]]
title = "Over zero"
query = 'vector(2)'
baseline = 0
[[prometheus.panels]]
title = "Not a number"
query = 'vector(NaN)'
baseline = 1
""")
    proc = run("--config", str(config), "metrics", "--json")
    assert proc.returncode == 0, proc.stderr

    def refuse(name: str) -> None:
        raise AssertionError(f"{name} is not JSON")

    over_zero, nan = json.loads(proc.stdout, parse_constant=refuse)["panels"]
    assert over_zero["ratio"] is None and over_zero["deviation_pct"] is None  # +Inf: null, and the text says it
    assert over_zero["text"]["ratio"] == "∞x" and over_zero["verdict"] == "WARN" and over_zero["baseline"] == 0.0
    assert nan["current"] is None and nan["text"]["current"] == "NaN" and nan["verdict"] == "NO DATA"


def test_probes_are_shown_without_their_secrets(run, prometheus: str, prometheus_scenario: Scenario,
                                                tmp_path: Path) -> None:
    closed = free_port()
    config = write_config(tmp_path, prometheus, GOOD_PANEL + f"""
[[probes]]
name = "prom"
url = "http://ops:{SECRET_PASSWORD}@{prometheus.removeprefix('http://')}/-/healthy?token={SECRET_TOKEN}"

[[probes]]
name = "api"
url = "http://127.0.0.1:{closed}/health"
""")
    proc = run("--config", str(config), "metrics", "--at", at_end(prometheus_scenario))
    assert proc.returncode == 0, proc.stderr
    probes = proc.stdout.split("PROBES  ")[1].splitlines()
    assert probes[0] == "1 up, 1 down"
    assert columns(probes[1])[:4] == ["UP", "prom", f"{prometheus}/-/healthy?token=***", "HTTP 200"]
    assert columns(probes[2]) == ["DOWN", "api", f"http://127.0.0.1:{closed}/health", "-", "-", "connection refused"]
    data = json.loads(run("--config", str(config), "metrics", "--json", "--at", at_end(prometheus_scenario)).stdout)
    assert [(p["name"], p["ok"], p["status"], p["error"]) for p in data["probes"]] == [
        ("prom", True, 200, None), ("api", False, None, "connection refused")]
    assert isinstance(data["probes"][0]["latency_s"], float)
    for out in (proc.stdout + proc.stderr, json.dumps(data)):
        assert SECRET_PASSWORD not in out and SECRET_TOKEN not in out


# -- metrics: failures -------------------------------------------------------------------------------


def test_prometheus_unreachable_is_one_line_and_exit_1(run) -> None:
    port = free_port()
    proc = run("metrics", extra_env={"WARROOM_PROMETHEUS_URL": f"http://ops:{SECRET_PASSWORD}@127.0.0.1:{port}"})
    assert one_error_line(proc) == f"warroom: error: prometheus http://127.0.0.1:{port}: connection refused"


class Broken:
    """A server that answers every request with ``status`` (and records the Authorization header)."""

    def __init__(self, status: int, body: bytes) -> None:
        self.seen: list[str] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802
                outer.seen.append(self.headers.get("Authorization", ""))
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_POST = do_GET  # noqa: N815

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def broken() -> Iterator[Callable[[int, bytes], Broken]]:
    servers: list[Broken] = []

    def make(status: int, body: bytes = b"{}") -> Broken:
        servers.append(Broken(status, body))
        return servers[-1]

    yield make
    for s in servers:
        s.close()


@pytest.mark.parametrize(("status", "body", "message"), [
    (500, b'{"status":"error","errorType":"internal","error":"disk on fire"}', "HTTP 500: disk on fire"),
    (401, b"Unauthorized", "HTTP 401 (unauthorized: check the token or password)"),
])
def test_prometheus_answering_errors_everywhere_is_exit_1(run, broken, status, body, message) -> None:
    server = broken(status, body)
    proc = run("metrics", extra_env={"WARROOM_PROMETHEUS_URL": server.url, "WARROOM_PROMETHEUS_TOKEN": SECRET_TOKEN})
    assert one_error_line(proc) == f"warroom: error: prometheus {server.url}: {message}"
    assert server.seen and all(h == f"Bearer {SECRET_TOKEN}" for h in server.seen)  # the token was sent…
    assert SECRET_TOKEN not in proc.stderr  # …and never shown


def test_no_prometheus_configured(run, tmp_path: Path) -> None:
    default = tmp_path / "config" / "warroom" / "config.toml"  # XDG_CONFIG_HOME: does not exist
    assert one_error_line(run("metrics")) == (
        f"warroom: error: no Prometheus configured: set WARROOM_PROMETHEUS_URL or [prometheus] url in {default}")
    config = tmp_path / "empty.toml"
    config.write_text('policy = "sev"\n')
    assert one_error_line(run("metrics", extra_env={"WARROOM_CONFIG": str(config)})).endswith(f"url in {config}")


@pytest.mark.parametrize(("text", "message"), [
    ('[prometheus]\nurl = "http://x:9090"\ntimeout = \n', "Invalid value (at line 3, column 11)"),
    ('[prometheus]\nurl = "http://x:9090"\n[[prometheus.panels]]\ntitle = "A"\nquery = "up"\nunit = "furlongs"\n',
     "prometheus.panels[0] ('A').unit: unknown unit 'furlongs'"),
    ('[prometheus]\nurl = "http://x:9090"\ntoken = "abc"\n', "prometheus: unknown key 'token'"),
])
def test_broken_config_names_the_file_and_where(run, tmp_path: Path, text: str, message: str) -> None:
    config = tmp_path / "broken.toml"
    config.write_text(text)
    for args in (("--config", str(config), "metrics"), ("metrics",)):
        line = one_error_line(run(*args, extra_env={"WARROOM_CONFIG": str(config)}))
        assert line.startswith(f"warroom: error: {config}: ") and message in line


def test_missing_explicit_config(run, tmp_path: Path) -> None:
    missing = tmp_path / "nope.toml"
    assert one_error_line(run("--config", str(missing), "metrics")) == (
        f"warroom: error: config file {missing} does not exist")


def test_at_in_the_future_is_refused(run, prometheus: str) -> None:
    line = one_error_line(run("metrics", "--at", "2999-01-01T00:00Z", extra_env={"WARROOM_PROMETHEUS_URL": prometheus}))
    assert "is in the future" in line


def test_metrics_imports_neither_textual_nor_kubernetes(env, prometheus: str, prometheus_scenario: Scenario) -> None:
    code = ("import sys; from warroom.cli import main; "
            f"rc = main(['metrics', '--json', '--at', {at_end(prometheus_scenario)!r}]); "
            "bad = [m for m in ('textual', 'kubernetes') if m in sys.modules]; "
            "print(bad, file=sys.stderr); sys.exit(rc or bool(bad))")
    proc = subprocess.run([sys.executable, "-c", code], env={**env, "WARROOM_PROMETHEUS_URL": prometheus},
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["verdict"] == "CRIT"  # it did read the panels


# -- doctor --------------------------------------------------------------------------------------------


def kubeconfig(tmp_path: Path) -> Path:
    path = tmp_path / "kubeconfig"
    path.write_text(f"""\
apiVersion: v1
kind: Config
current-context: prod
clusters:
  - name: prod
    cluster: {{server: "https://127.0.0.1:6443"}}
contexts:
  - name: prod
    context: {{cluster: prod, user: admin}}
  - name: staging
    context: {{cluster: prod, user: admin}}
users:
  - name: admin
    user: {{token: {KUBE_TOKEN}}}
""")
    return path


def doctor_lines(proc: subprocess.CompletedProcess) -> list[tuple[str, str, str]]:
    lines = proc.stdout.splitlines()
    out = []
    for line in lines[:-1]:
        status, what, message = line.split(None, 2)
        out.append((status, what, message))
    return out


def test_doctor_happy_path(run, warroom_exe, prometheus: str, tmp_path: Path, db_path: Path) -> None:
    assert run("declare", "db for doctor").returncode == 0  # creates the database (0600)
    kube = kubeconfig(tmp_path)
    config = write_config(tmp_path, prometheus, 'bearer_token_env = "PROM_TOKEN"\n' + LASTING_PANEL + f"""
[[probes]]
name = "prom"
url = "http://ops:{SECRET_PASSWORD}@{prometheus.removeprefix('http://')}/-/ready"

[kubernetes]
kubeconfig = "{kube}"
contexts = ["prod", "staging"]
""")
    proc = run("--config", str(config), "doctor", extra_env={"PROM_TOKEN": SECRET_TOKEN})
    assert proc.returncode == 0, proc.stdout + proc.stderr
    checks = doctor_lines(proc)
    assert [(s, w) for s, w, _ in checks] == [
        ("OK", "config"), ("OK", "database"), ("OK", "prometheus"), ("OK", "panel"), ("OK", "alerts"),
        ("OK", "probe"), ("OK", "kubernetes")]
    messages = dict((w, m) for _, w, m in checks)
    assert messages["config"] == f"{config}: parsed; 1 panel, 1 probe, kubernetes, environment: WARROOM_DB"
    assert messages["database"] == f"{db_path}: schema version {_schema_version()}, mode 0600"
    assert re.fullmatch(rf"{re.escape(prometheus)}: Prometheus \d+\.\d+\.\S+, answered in [\d.]+ [mµ]?s "
                        r"\(bearer token, timeout 5 s\)", messages["prometheus"]), messages["prometheus"]
    assert re.fullmatch(r"Series: ok 3\.0 \(baseline 3\.0, 1\.0x, OK\) in [\d.]+ [mµ]?s", messages["panel"]), messages["panel"]
    assert messages["alerts"] == "1 firing (HighErrorRatio), 1 pending"
    assert re.fullmatch(rf"prom {re.escape(prometheus)}/-/ready: up, HTTP 200 in [\d.]+ [mµ]?s", messages["probe"])
    assert messages["kubernetes"].startswith(f"{kube}: contexts prod, staging")
    assert proc.stdout.splitlines()[-1] == "all 7 checks passed"
    for secret in (SECRET_TOKEN, SECRET_PASSWORD, KUBE_TOKEN):
        assert secret not in proc.stdout + proc.stderr


def _schema_version() -> int:
    from warroom.store.schema import SCHEMA_VERSION

    return SCHEMA_VERSION


def test_doctor_says_precisely_what_is_wrong(run, prometheus: str, tmp_path: Path, db_path: Path) -> None:
    assert run("declare", "db for doctor").returncode == 0
    os.chmod(db_path, 0o644)
    kube = kubeconfig(tmp_path)
    config = write_config(tmp_path, prometheus, LASTING_PANEL + BAD_PANEL + MISSING_PANEL + f"""
[[probes]]
name = "api"
url = "{prometheus}/no-such-health"

[kubernetes]
kubeconfig = "{kube}"
contexts = ["prod-eu"]
""")
    proc = run("--config", str(config), "doctor")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    checks = doctor_lines(proc)
    by_message = {m.split(":")[0]: (s, m) for s, w, m in checks if w == "panel"}
    assert by_message["Series"][0] == "OK"
    assert by_message["Typo"][0] == "FAIL" and by_message["Typo"][1].startswith("Typo: bad PromQL: 1:")
    assert by_message["Queue depth"] == ("WARN", "Queue depth: no data (series nonexistent_queue_total does not exist?)")
    status = {w: (s, m) for s, w, m in checks if w != "panel"}
    assert status["database"] == ("WARN", f"{db_path}: schema version {_schema_version()}, mode 0644: readable by "
                                          f"others (the timeline may hold sensitive notes): chmod 600 {db_path}")
    assert status["probe"] == ("WARN", f"api {prometheus}/no-such-health: " + status["probe"][1].split(": ", 1)[1])
    assert status["probe"][1].split(": ", 1)[1].startswith("down: HTTP 404 in ")
    assert status["kubernetes"] == ("FAIL", f"context 'prod-eu' not found in {kube} (contexts: prod, staging)")
    assert proc.stdout.splitlines()[-1] == "9 checks: 2 failed, 3 warnings"


def test_doctor_prometheus_unreachable_and_broken_config(run, tmp_path: Path) -> None:
    port = free_port()
    proc = run("doctor", extra_env={"WARROOM_PROMETHEUS_URL": f"http://127.0.0.1:{port}"})
    assert proc.returncode == 1
    checks = doctor_lines(proc)
    assert ("FAIL", "prometheus", f"http://127.0.0.1:{port}: connection refused (no auth); panels not checked") in checks
    assert not any(w == "panel" for _, w, _ in checks)
    assert ("WARN", "database", f"{tmp_path / 'warroom.db'} does not exist yet (created on first use)") in checks

    broken = tmp_path / "broken.toml"
    broken.write_text('[prometheus]\nurl = "http://x:9090"\ntimeout = \n')
    proc = run("doctor", "--config", str(broken))  # after the sub-command works too
    assert proc.returncode == 1
    checks = doctor_lines(proc)
    assert checks[0] == ("FAIL", "config", f"{broken}: Invalid value (at line 3, column 11)")
    assert ("WARN", "prometheus", "not checked: the config file has an error") in checks


def test_doctor_imports_no_textual(env, tmp_path: Path) -> None:
    code = ("import sys; from warroom.cli import main; main(['doctor']); "
            "sys.exit('textual' in sys.modules)")
    proc = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "OK    config" in proc.stdout
