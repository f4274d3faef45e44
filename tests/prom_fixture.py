"""A real Prometheus for integration tests, loaded with 8 days of known history.

How it works (session scope; about 5 s in all on a 2-core machine):

1. ``prometheus_scenario`` fixes ``end`` — the last sample, a minute boundary 1–2 minutes
   before the wall clock — and describes the data exactly (rates, error ratio, p95), so tests
   compute expected values instead of guessing them.
2. ``prometheus`` writes that history as OpenMetrics (one sample a minute for 8 days:
   ``http_requests_total{code}`` counters and an ``http_request_duration_seconds`` histogram;
   13 series, 150k samples, 0.2 s), one file per day because promtool re-reads its input once
   per 2-hour block; backfills the files in parallel with ``promtool tsdb create-blocks-from
   openmetrics`` (97 blocks, ~3 s, mostly fsync) into a temporary storage dir; starts
   ``/usr/bin/prometheus`` on a free 127.0.0.1 port with a rule file (ready in ~0.1 s); waits
   for the ``HighErrorRatio`` alert to be firing (~1.5 s); yields the URL; stops the process
   (SIGTERM, then SIGKILL after 10 s) when the session ends.
3. ``spare_prometheus`` (function scope): an empty Prometheus the test starts, stops and
   restarts on the same port itself (the "stopped mid-session" tests).

The data. Traffic follows a daily cycle in hour-long steps, growing 1 % a day; the steps are
anchored on the incident's onset, ``end - 30 min``, so the 5-minute ``rate()`` windows ending at
``end``, ``end - 1d`` and ``end - 7d`` each lie inside one step and PromQL's ``rate()`` is exact
there (a counter that grows linearly extrapolates exactly). The incident (the last 30 minutes):
traffic drops to 60 %, 5xx rise from 1 % to 15 % of requests, p95 latency from 0.239 s to 2.42 s.

Head block: the backfilled blocks end at ``end``; Prometheus starts its head after the last
block (``minValidTime``) and only writes rule results (``ALERTS``) at wall-clock time, which is
later, so nothing overlaps (verified with Prometheus 2.42: no overlap flag needed).

Alerts: rules are evaluated on live time, against the last backfilled samples. ``HighErrorRatio``
uses ``rate(...[30m])``, which at wall-clock ``end + δ`` sees only incident samples for as long as
δ < ~29 minutes, so it fires (``for: 1s``, evaluated every second) and stays firing for any
realistic test session, with the exact value 0.15. ``HighLatencyP95`` has ``for: 1h``: it stays
pending.

Skips only when ``/usr/bin/prometheus`` or ``/usr/bin/promtool`` is missing and
``WARROOM_REQUIRE_PROMETHEUS`` is unset; with it set (CI), the fixture fails instead.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

import pytest

PROMETHEUS = Path("/usr/bin/prometheus")
PROMTOOL = Path("/usr/bin/promtool")
REQUIRE_ENV = "WARROOM_REQUIRE_PROMETHEUS"

STEP = 60  # seconds between samples
HISTORY = 8 * 86400
INCIDENT = 30 * 60
BLOCK = 3600  # the daily cycle moves in hour-long steps

#: share of requests per status code: (normal, incident)
CODES = {"200": (0.97, 0.83), "404": (0.02, 0.02), "500": (0.01, 0.15)}
INCIDENT_TRAFFIC = 0.6
BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, math.inf)
NORMAL_CDF = (0.30, 0.70, 0.97, 0.99, 0.995, 1.0, 1.0, 1.0)
INCIDENT_CDF = (0.05, 0.15, 0.30, 0.45, 0.60, 0.97, 0.99, 1.0)
MEAN_LATENCY = (0.08, 1.2)  # for _sum: (normal, incident)

RULES = """\
groups:
  - name: warroom-test
    interval: 1s
    rules:
      - alert: HighErrorRatio
        expr: sum(rate(http_requests_total{code=~"5.."}[30m])) / sum(rate(http_requests_total[30m])) > 0.05
        for: 1s
        labels:
          severity: critical
        annotations:
          summary: "5xx ratio is {{ $value | humanizePercentage }}"
      - alert: HighLatencyP95
        expr: histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket[30m]))) > 1
        for: 1h
        labels:
          severity: warning
      - alert: NeverFires
        expr: vector(0) > 1
"""

CONFIG = """\
global:
  evaluation_interval: 1s
rule_files:
  - {rules}
"""


@dataclass(frozen=True)
class Scenario:
    """The generated history, as functions of time (unix seconds)."""

    end: int  # the last sample

    @property
    def start(self) -> int:
        return self.end - HISTORY

    @property
    def incident_start(self) -> int:
        return self.end - INCIDENT

    def at(self, t: float) -> datetime:
        return datetime.fromtimestamp(t, timezone.utc)

    @property
    def end_dt(self) -> datetime:
        return self.at(self.end)

    # The rates of the interval (t - STEP, t]; PromQL's rate(...[5m]) at t equals them when the
    # whole window lies in one step (true at end, end - 1d, end - 7d, and away from step edges).
    def block(self, t: float) -> int:
        return math.floor((t - STEP - self.incident_start) / BLOCK)

    def incident(self, t: float) -> bool:
        return self.block(t) >= 0

    def total_rate(self, t: float) -> float:
        b = self.block(t)
        normal = 100.0 * (1 + 0.5 * math.sin(2 * math.pi * b / 24)) * (1 + b / 2400)
        return normal * INCIDENT_TRAFFIC if b >= 0 else normal

    def code_rate(self, code: str, t: float) -> float:
        return self.total_rate(t) * CODES[code][1 if self.incident(t) else 0]

    def error_ratio(self, t: float) -> float:
        return CODES["500"][1 if self.incident(t) else 0]

    def cdf(self, t: float) -> tuple[float, ...]:
        return INCIDENT_CDF if self.incident(t) else NORMAL_CDF

    def p95(self, t: float) -> float:
        return histogram_quantile(0.95, list(zip(BUCKETS, self.cdf(t))))

    def openmetrics(self, chunk: int = 86400) -> list[str]:
        """The history as OpenMetrics files, one per ``chunk`` seconds of (unix-aligned) time.

        promtool re-reads its whole input once per 2-hour block, so one 8-day file costs 96
        passes; day files cost 12 passes over an eighth each, and can run in parallel. Chunks
        split on multiples of 2 h, so their blocks never overlap.
        """
        assert chunk % 7200 == 0
        files: dict[int, list[list[str]]] = {}
        acc_req = dict.fromkeys(CODES, 0.0)
        acc_bucket = [0.0] * len(BUCKETS)
        acc_count = acc_sum = 0.0
        les = ["+Inf" if le == math.inf else repr(le) for le in BUCKETS]
        for t in range(self.start, self.end + 1, STEP):
            if t != self.start:  # the first sample is the counters' starting point
                total = self.total_rate(t) * STEP
                phase = 1 if self.incident(t) else 0
                for code, shares in CODES.items():
                    acc_req[code] += total * shares[phase]
                for i, share in enumerate(self.cdf(t)):
                    acc_bucket[i] += total * share
                acc_count += total
                acc_sum += total * MEAN_LATENCY[phase]
            # one list per series: OpenMetrics wants each family's samples together
            series = files.setdefault(t // chunk, [[] for _ in range(len(CODES) + len(BUCKETS) + 2)])
            for i, code in enumerate(CODES):
                series[i].append(f'http_requests_total{{code="{code}"}} {acc_req[code]!r} {t}')
            for i, le in enumerate(les):
                series[len(CODES) + i].append(
                    f'http_request_duration_seconds_bucket{{le="{le}"}} {acc_bucket[i]!r} {t}')
            series[-2].append(f"http_request_duration_seconds_count {acc_count!r} {t}")
            series[-1].append(f"http_request_duration_seconds_sum {acc_sum!r} {t}")
        texts = []
        for _, series in sorted(files.items()):
            lines = ["# HELP http_requests HTTP requests by status code.", "# TYPE http_requests counter"]
            for s in series[: len(CODES)]:
                lines += s
            lines += ["# HELP http_request_duration_seconds Request latency.",
                      "# TYPE http_request_duration_seconds histogram"]
            for s in series[len(CODES):]:
                lines += s
            lines.append("# EOF")
            texts.append("\n".join(lines) + "\n")
        return texts


def histogram_quantile(q: float, cdf: list[tuple[float, float]]) -> float:
    """Prometheus's bucketQuantile for cumulative shares (upper bound, share ≤ bound)."""
    total = cdf[-1][1]
    rank = q * total
    for i, (upper, cum) in enumerate(cdf):
        if cum >= rank:
            if upper == math.inf:
                return cdf[i - 1][0]
            lower, below = (0.0, 0.0) if i == 0 else cdf[i - 1]
            return lower + (upper - lower) * (rank - below) / (cum - below)
    raise AssertionError("unreachable")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str, timeout: float = 2.0) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


class PrometheusProcess:
    """``/usr/bin/prometheus`` on 127.0.0.1, started and stopped on demand (same port each time)."""

    def __init__(self, workdir: Path, storage: Path, rules: str = "", port: int | None = None) -> None:
        self.workdir = workdir
        self.storage = storage
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = workdir / "prometheus.log"
        self.proc: subprocess.Popen[bytes] | None = None
        rules_file = workdir / "rules.yml"
        rules_file.write_text(rules or "groups: []\n")
        self.config = workdir / "prometheus.yml"
        self.config.write_text(CONFIG.format(rules=rules_file))

    def start(self, timeout: float = 30.0) -> None:
        assert self.proc is None, "already running"
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen(
                [str(PROMETHEUS), f"--config.file={self.config}", f"--storage.tsdb.path={self.storage}",
                 f"--web.listen-address=127.0.0.1:{self.port}", "--log.level=warn"],
                stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            )
        self.wait_for(lambda: _get(f"{self.url}/-/ready", 1.0)[0] == 200, timeout, "/-/ready")

    def stop(self) -> None:
        if self.proc is None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.proc = None

    def wait_for(self, predicate, timeout: float, what: str) -> None:
        """Poll ``predicate`` until true; fail with the log's tail when it never is."""
        deadline = time.monotonic() + timeout
        while True:
            if self.proc is not None and self.proc.poll() is not None:
                raise RuntimeError(f"prometheus exited ({self.proc.returncode}) waiting for {what}:\n{self._tail()}")
            try:
                if predicate():
                    return
            except (OSError, ValueError, KeyError):  # not listening yet, half-started…
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"prometheus: no {what} after {timeout:g} s:\n{self._tail()}")
            time.sleep(0.05)

    def _tail(self) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-20:])
        except OSError:
            return "(no log)"


def backfill(texts: list[str], work: Path, storage: Path) -> None:
    """``promtool tsdb create-blocks-from openmetrics`` for each text (in parallel), blocks into ``storage``."""
    work.mkdir()
    jobs = []
    for i, text in enumerate(texts):
        source, out = work / f"{i:03d}.om", work / f"{i:03d}"
        source.write_text(text)
        out.mkdir()
        jobs.append((source, out))

    def run(job: tuple[Path, Path]) -> subprocess.CompletedProcess[str]:
        source, out = job
        return subprocess.run(
            [str(PROMTOOL), "tsdb", "create-blocks-from", "openmetrics", "--quiet", str(source), str(out)],
            capture_output=True, text=True, timeout=120,
        )

    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:  # mostly waiting on fsync
        for (source, out), done in zip(jobs, pool.map(run, jobs)):
            if done.returncode != 0:
                raise RuntimeError(f"promtool backfill of {source.name} failed ({done.returncode}):\n"
                                   f"{done.stdout}\n{done.stderr}")
            for block in out.iterdir():
                block.rename(storage / block.name)
    shutil.rmtree(work)


def _require_binaries() -> None:
    missing = [str(p) for p in (PROMETHEUS, PROMTOOL) if not p.exists()]
    if not missing:
        return
    reason = f"{' and '.join(missing)} not installed (apt-get install prometheus)"
    if os.environ.get(REQUIRE_ENV):
        pytest.fail(f"{reason}, and {REQUIRE_ENV} is set", pytrace=False)
    pytest.skip(reason)


def _firing(url: str, name: str) -> bool:
    status, body = _get(f"{url}/api/v1/alerts")
    if status != 200:
        return False
    alerts = json.loads(body)["data"]["alerts"]
    return any(a["labels"].get("alertname") == name and a["state"] == "firing" for a in alerts)


@pytest.fixture(scope="session")
def prometheus_scenario() -> Scenario:
    # The last sample: a minute boundary at least a minute in the past, so the backfilled blocks
    # end before anything Prometheus will write into its head.
    now = int(time.time())
    return Scenario(end=(now // STEP) * STEP - STEP)


@pytest.fixture(scope="session")
def prometheus(prometheus_scenario: Scenario, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The URL of a running Prometheus holding ``prometheus_scenario``'s history."""
    _require_binaries()
    work = tmp_path_factory.mktemp("prometheus")
    storage = work / "data"
    storage.mkdir()
    backfill(prometheus_scenario.openmetrics(), work / "backfill", storage)
    server = PrometheusProcess(work, storage, RULES)
    try:
        server.start()
        server.wait_for(lambda: _firing(server.url, "HighErrorRatio"), 30.0, "firing HighErrorRatio alert")
        yield server.url
    finally:
        server.stop()


@pytest.fixture
def spare_prometheus(tmp_path: Path) -> Iterator[PrometheusProcess]:
    """A second, empty Prometheus the test may stop and restart (not started yet)."""
    _require_binaries()
    storage = tmp_path / "data"
    storage.mkdir()
    server = PrometheusProcess(tmp_path, storage)
    try:
        yield server
    finally:
        server.stop()
