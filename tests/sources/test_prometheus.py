"""PrometheusSource against a real Prometheus (see prom_fixture.py) and against broken servers.

Expected numbers come from ``prometheus_scenario``: the fixture generated the history, so the
tests know the rates, error ratio and p95 at ``end``, ``end - 1d`` and ``end - 7d`` exactly.
"""

from __future__ import annotations

import json
import re
import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable, Iterator

import pytest

from fixtures.prom_fixture import PrometheusProcess, Scenario, free_port
from warroom.domain.baseline import earliest_firing
from warroom.domain.panels import Panel, default_panels
from warroom.sources.prometheus import PrometheusSource, SourceError

DAY = 86400
ERRORS, LATENCY, TRAFFIC = default_panels()


@pytest.fixture(scope="module")
def source(prometheus: str) -> Iterator[PrometheusSource]:
    with PrometheusSource(prometheus, timeout=5) as s:
        yield s


# -- the fixture itself -----------------------------------------------------------------------


def test_backfilled_history_is_complete_up_to_the_last_sample(source: PrometheusSource,
                                                               prometheus_scenario: Scenario) -> None:
    sc = prometheus_scenario
    # the very last sample (right before the head block) is queryable…
    assert source.query('timestamp(http_requests_total{code="200"})', sc.end_dt).value == sc.end
    # …and so is every sample of the 8 days, one a minute
    assert source.query('count_over_time(http_requests_total{code="200"}[9d])', sc.end_dt).value == 8 * 1440 + 1


@pytest.mark.parametrize("required, outcome", [("", pytest.skip.Exception), ("1", pytest.fail.Exception)])
def test_fixture_skips_without_prometheus_unless_required(monkeypatch: pytest.MonkeyPatch, tmp_path,
                                                          required: str, outcome: type) -> None:
    from fixtures import prom_fixture

    monkeypatch.setattr(prom_fixture, "PROMETHEUS", tmp_path / "no-prometheus")
    monkeypatch.setenv(prom_fixture.REQUIRE_ENV, required)
    with pytest.raises(outcome, match="no-prometheus not installed"):
        prom_fixture._require_binaries()


# -- readings against the baseline -----------------------------------------------------------


def test_error_ratio_current_vs_offset_1d(source: PrometheusSource, prometheus_scenario: Scenario) -> None:
    sc = prometheus_scenario
    r = source.read_panel(ERRORS, sc.end_dt)
    assert r.current == pytest.approx(sc.error_ratio(sc.end)) == pytest.approx(0.15)
    assert r.baseline == pytest.approx(sc.error_ratio(sc.end - DAY)) == pytest.approx(0.01)
    assert r.ratio == pytest.approx(15.0)
    assert r.deviation_pct == pytest.approx(1400.0)
    assert r.verdict == "CRIT"
    assert r.reasons == ("15x baseline ≥ crit 5.0x", "15.0 % ≥ crit 5.0 %")
    assert r.at == sc.end_dt and r.series == 1 and r.note == ""


def test_p95_latency_current_vs_offset_1d(source: PrometheusSource, prometheus_scenario: Scenario) -> None:
    sc = prometheus_scenario
    r = source.read_panel(LATENCY, sc.end_dt)
    assert r.current == pytest.approx(sc.p95(sc.end)) == pytest.approx(2.4189189)
    assert r.baseline == pytest.approx(sc.p95(sc.end - DAY)) == pytest.approx(0.2388889)
    assert r.ratio == pytest.approx(2.4189189 / 0.2388889)
    assert r.verdict == "CRIT"


def test_request_rate_lower_is_bad(source: PrometheusSource, prometheus_scenario: Scenario) -> None:
    sc = prometheus_scenario
    r = source.read_panel(TRAFFIC, sc.end_dt)
    assert r.current == pytest.approx(sc.total_rate(sc.end)) == pytest.approx(60.0)
    assert r.baseline == pytest.approx(sc.total_rate(sc.end - DAY)) == pytest.approx(99.0)
    assert r.ratio == pytest.approx(60 / 99)
    assert r.deviation_pct == pytest.approx((60 / 99 - 1) * 100)
    assert r.verdict == "WARN"  # 0.61x: below warn 0.7, above crit 0.5


def test_offset_7d_baseline(source: PrometheusSource, prometheus_scenario: Scenario) -> None:
    sc = prometheus_scenario
    panel = Panel("Traffic vs last week", TRAFFIC.query, unit="req/s", baseline="offset 7d",
                  direction="lower_is_bad", warn_ratio=0.7, crit_ratio=0.62)
    r = source.read_panel(panel, sc.end_dt)
    assert r.baseline == pytest.approx(sc.total_rate(sc.end - 7 * DAY)) == pytest.approx(93.0)
    assert r.ratio == pytest.approx(60 / 93)
    assert r.verdict == "WARN"  # 0.645: not below crit 0.62
    # the same panel against yesterday (99 req/s) would be CRIT: the offset really moved
    assert source.read_panel(Panel("t", TRAFFIC.query, baseline="offset 1d", direction="lower_is_bad",
                                   warn_ratio=0.7, crit_ratio=0.62), sc.end_dt).verdict == "CRIT"


def test_fixed_baseline_makes_one_query(source: PrometheusSource, prometheus_scenario: Scenario) -> None:
    sc = prometheus_scenario
    panel = Panel("Traffic", TRAFFIC.query, unit="req/s", baseline=125, direction="lower_is_bad")
    r = source.read_panel(panel, sc.end_dt)
    assert (r.baseline, r.ratio, r.verdict) == (125.0, pytest.approx(0.48), "CRIT")


def test_before_the_incident_everything_is_ok(source: PrometheusSource, prometheus_scenario: Scenario) -> None:
    sc = prometheus_scenario
    before = sc.incident_start - 600  # 10 minutes before the onset, inside the previous step
    for panel in (ERRORS, LATENCY):
        r = source.read_panel(panel, sc.at(before))
        assert r.verdict == "OK", r
    r = source.read_panel(TRAFFIC, sc.at(before))
    assert r.current == pytest.approx(sc.total_rate(before))
    assert r.baseline == pytest.approx(sc.total_rate(before - DAY))
    assert r.verdict == "OK"


def test_multi_series_result_is_summed_and_says_so(source: PrometheusSource, prometheus_scenario: Scenario) -> None:
    sc = prometheus_scenario
    r = source.read_panel(Panel("by code", "rate(http_requests_total[5m])", unit="req/s"), sc.end_dt)
    assert r.current == pytest.approx(60.0)
    assert r.series == 3
    assert r.note == "sum of 3 series; baseline: sum of 3 series"
    assert [label for label, _ in r.top] == ['{code="200"}', '{code="500"}', '{code="404"}']  # rate() drops the name
    assert r.top[1][1] == pytest.approx(sc.code_rate("500", sc.end)) == pytest.approx(9.0)


def test_missing_metric_is_no_data(source: PrometheusSource, prometheus_scenario: Scenario) -> None:
    r = source.read_panel(Panel("ghost", "sum(rate(no_such_metric_total[5m]))"), prometheus_scenario.end_dt)
    assert r.verdict == "NO DATA" and r.current is None and r.note == "no data"


def test_default_error_ratio_is_zero_without_5xx_series(source: PrometheusSource,
                                                          prometheus_scenario: Scenario) -> None:
    # the same shape as the default panel, on a label that never matches 5xx
    query = ERRORS.query.replace('code=~"5.."', 'code=~"6.."').replace('status=~"5.."', 'status=~"6.."')
    r = source.read_panel(Panel("no 5xx", query, unit="ratio"), prometheus_scenario.end_dt)
    assert r.current == 0.0 and r.verdict == "OK"


def test_nan_and_inf_from_prometheus(source: PrometheusSource, prometheus_scenario: Scenario) -> None:
    now = prometheus_scenario.end_dt
    nan = source.read_panel(Panel("nan", "vector(0) / vector(0)"), now)
    assert nan.verdict == "NO DATA" and nan.note == "value is NaN"
    inf = source.read_panel(Panel("inf", "vector(1) / vector(0)", crit_abs=100), now)
    assert inf.current == float("inf") and inf.verdict == "CRIT"
    assert source.query("scalar(vector(2.5))", now).value == 2.5  # a scalar result


def test_one_source_shared_by_worker_threads(source: PrometheusSource, prometheus_scenario: Scenario) -> None:
    """How the TUI uses it: many panels read concurrently from worker threads through one source."""
    from concurrent.futures import ThreadPoolExecutor

    panels = [ERRORS, LATENCY, TRAFFIC] * 8
    with ThreadPoolExecutor(max_workers=12) as pool:
        readings = list(pool.map(lambda p: source.read_panel(p, prometheus_scenario.end_dt), panels))
    assert [r.verdict for r in readings] == ["CRIT", "CRIT", "WARN"] * 8
    assert {round(r.current, 9) for r in readings[0::3]} == {0.15}


# -- sparklines -------------------------------------------------------------------------------


def test_range_for_the_sparkline(source: PrometheusSource, prometheus_scenario: Scenario) -> None:
    sc = prometheus_scenario
    start, end = sc.at(sc.end - 3600), sc.end_dt
    spark = source.range(TRAFFIC, start, end, timedelta(minutes=1))
    assert len(spark.current.points) == 61 and len(spark.baseline.points) == 61
    assert spark.current.points[0][0] == start and spark.current.points[-1][0] == end
    # the baseline is moved onto the same time axis
    assert [t for t, _ in spark.baseline.points] == [t for t, _ in spark.current.points]
    for t, value in spark.current.points:
        ts = t.timestamp()
        if ts <= sc.incident_start or ts >= sc.incident_start + 300:  # windows inside one step
            assert value == pytest.approx(sc.total_rate(ts)), t
    for t, value in spark.baseline.points:
        ts = t.timestamp() - DAY
        if ts <= sc.incident_start - DAY or ts >= sc.incident_start - DAY + 300:
            assert value == pytest.approx(sc.total_rate(ts)), t
    assert spark.current.values[-1] == pytest.approx(60.0)
    assert spark.baseline.values[-1] == pytest.approx(99.0)


def test_range_sums_series_and_draws_a_fixed_baseline(source: PrometheusSource,
                                                      prometheus_scenario: Scenario) -> None:
    sc = prometheus_scenario
    panel = Panel("codes", "rate(http_requests_total[5m])", unit="req/s", baseline=75.0)
    spark = source.range(panel, sc.at(sc.end - 600), sc.end_dt, 120)
    assert spark.current.series == 3 and spark.current.note == "sum of 3 series"
    assert spark.current.values == pytest.approx([60.0] * 6)
    assert spark.baseline.values == [75.0] * 6 and spark.baseline.note == "fixed baseline"


# -- alerts -----------------------------------------------------------------------------------


def test_alerts_from_the_rule_file(source: PrometheusSource, prometheus_scenario: Scenario) -> None:
    alerts = source.alerts()
    by_name = {a.name: a for a in alerts}
    assert set(by_name) == {"HighErrorRatio", "HighLatencyP95"}  # NeverFires is inactive
    errors = by_name["HighErrorRatio"]
    assert (errors.state, errors.severity, errors.firing) == ("firing", "critical", True)
    assert errors.value == pytest.approx(0.15)  # only incident samples in its 30m window
    assert errors.summary == "5xx ratio is 15%"
    latency = by_name["HighLatencyP95"]
    assert (latency.state, latency.severity) == ("pending", "warning")  # for: 1h
    assert latency.value == pytest.approx(prometheus_scenario.p95(prometheus_scenario.end))
    assert alerts[0] is errors  # firing first
    # activated by live evaluation, after the backfilled data ends
    assert errors.active_at is not None and errors.active_at > prometheus_scenario.end_dt
    assert earliest_firing(alerts) == errors.active_at


def test_version(source: PrometheusSource) -> None:
    assert re.match(r"^\d+\.\d+\.", source.version())


# -- failures ---------------------------------------------------------------------------------


def test_bad_promql(source: PrometheusSource, prometheus_scenario: Scenario) -> None:
    panel = Panel("broken", "sum(rate(http_requests_total[5m])")
    with pytest.raises(SourceError) as info:
        source.read_panel(panel, prometheus_scenario.end_dt)
    assert info.value.kind == "promql" and not info.value.retryable
    assert str(info.value).startswith("bad PromQL: 1:")
    assert "parse error: unclosed left parenthesis" in str(info.value)
    with pytest.raises(SourceError, match=r"^bad PromQL: .*parse error"):
        source.range(panel, prometheus_scenario.at(prometheus_scenario.end - 600), prometheus_scenario.end_dt, 60)


def test_query_that_fails_to_execute(source: PrometheusSource, prometheus_scenario: Scenario) -> None:
    with pytest.raises(SourceError) as info:
        source.query("http_requests_total / on() http_requests_total", prometheus_scenario.end_dt)
    assert info.value.kind == "promql"
    assert str(info.value).startswith("query failed: found duplicate series for the match group")


def test_range_vector_is_refused_with_a_reason(source: PrometheusSource, prometheus_scenario: Scenario) -> None:
    with pytest.raises(SourceError, match="returns a range vector") as info:
        source.query("http_requests_total[5m]", prometheus_scenario.end_dt)
    assert info.value.kind == "promql"


def test_connection_refused() -> None:
    port = free_port()  # nothing listens there
    with PrometheusSource(f"http://127.0.0.1:{port}", timeout=2) as s:
        for call in (lambda: s.read_panel(ERRORS), s.alerts, s.version):
            with pytest.raises(SourceError) as info:
                call()
            assert str(info.value) == "connection refused" and info.value.kind == "connection"
            assert info.value.retryable


def test_unknown_host() -> None:
    with PrometheusSource("http://prometheus.invalid:9090", timeout=2) as s, pytest.raises(SourceError) as info:
        s.version()
    assert str(info.value) == "cannot resolve host prometheus.invalid"


def test_prometheus_stopped_mid_session_then_back(spare_prometheus: PrometheusProcess) -> None:
    spare_prometheus.start()
    panel = Panel("two", "vector(2)", baseline=1.0)
    with PrometheusSource(spare_prometheus.url, timeout=2) as s:
        assert s.read_panel(panel).ratio == 2.0
        spare_prometheus.stop()
        with pytest.raises(SourceError, match="^connection refused$"):
            s.read_panel(panel)
        with pytest.raises(SourceError, match="^connection refused$"):
            s.alerts()
        spare_prometheus.start()  # same port
        assert s.read_panel(panel).ratio == 2.0  # the same source recovers by itself
        assert s.alerts() == []


# -- a fake server for HTTP-level failures ----------------------------------------------------


class FakeServer:
    """A local HTTP server whose every GET is answered by ``respond(handler)``."""

    def __init__(self) -> None:
        self.respond: Callable[[BaseHTTPRequestHandler], None] = lambda h: h.send_error(404)
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.release = threading.Event()  # ends any deliberately slow answer
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802
                fake.requests.append((self.path, dict(self.headers)))
                fake.respond(self)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


def reply(status: int, body: bytes, content_type: str = "application/json") -> Callable:
    def respond(h: BaseHTTPRequestHandler) -> None:
        h.send_response(status)
        h.send_header("Content-Type", content_type)
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        h.wfile.write(body)
    return respond


OK_VECTOR = json.dumps({"status": "success", "data": {"resultType": "vector", "result": [
    {"metric": {}, "value": [1795430340, "1.5"]}]}}).encode()


@pytest.fixture
def fake() -> Iterator[FakeServer]:
    server = FakeServer()
    yield server
    server.close()


def test_http_500_is_reported_at_once_without_retries(fake: FakeServer) -> None:
    fake.respond = reply(500, b"<html>Internal Server Error</html>", "text/html")
    with PrometheusSource(fake.url, timeout=5) as s:
        started = time.monotonic()
        with pytest.raises(SourceError) as info:
            s.read_panel(ERRORS)
        elapsed = time.monotonic() - started
    assert str(info.value) == "HTTP 500" and info.value.kind == "http" and info.value.retryable
    assert len(fake.requests) == 1  # the client library's default would retry 3 times with backoff
    assert elapsed < 1.0


def test_http_error_with_a_prometheus_error_body(fake: FakeServer) -> None:
    fake.respond = reply(503, json.dumps({"status": "error", "errorType": "unavailable",
                                          "error": "TSDB not ready"}).encode())
    with PrometheusSource(fake.url) as s, pytest.raises(SourceError, match="^HTTP 503: TSDB not ready$"):
        s.query("up")


def test_prometheus_side_query_timeout(fake: FakeServer) -> None:
    fake.respond = reply(503, json.dumps({"status": "error", "errorType": "timeout",
                                          "error": "query timed out in expression evaluation"}).encode())
    with PrometheusSource(fake.url, timeout=5) as s, pytest.raises(SourceError) as info:
        s.query("up")
    assert str(info.value) == "timeout after 5 s (in Prometheus: query timed out in expression evaluation)"
    assert info.value.kind == "timeout"


@pytest.mark.parametrize("status, message, kind", [
    (401, "HTTP 401 (unauthorized: check the token or password)", "auth"),
    (403, "HTTP 403 (forbidden: check the token or password)", "auth"),
    (404, "HTTP 404 (no Prometheus API at this URL?)", "http"),
    (502, "HTTP 502", "http"),
])
def test_http_status_messages(fake: FakeServer, status: int, message: str, kind: str) -> None:
    fake.respond = reply(status, b"nope", "text/plain")
    with PrometheusSource(fake.url) as s, pytest.raises(SourceError) as info:
        s.alerts()
    assert (str(info.value), info.value.kind) == (message, kind)


@pytest.mark.parametrize("body", [b"{not json", b"", b"<html>login</html>"])
def test_malformed_json(fake: FakeServer, body: bytes) -> None:
    fake.respond = reply(200, body)
    with PrometheusSource(fake.url) as s:
        for call in (lambda: s.query("up"), s.alerts, lambda: s.range(ERRORS, *_window(), 60)):
            with pytest.raises(SourceError) as info:
                call()
            assert str(info.value) == "malformed JSON" and info.value.kind == "malformed"


@pytest.mark.parametrize("body, message", [
    ({"status": "success"}, "malformed response: no 'data'"),
    ({"status": "success", "data": []}, "malformed response: unexpected structure"),
    ({"status": "success", "data": {"result": [{"metric": {}, "value": "x"}]}}, "malformed sample 'x'"),
])
def test_malformed_response_structure(fake: FakeServer, body: dict, message: str) -> None:
    fake.respond = reply(200, json.dumps(body).encode())
    with PrometheusSource(fake.url) as s, pytest.raises(SourceError) as info:
        s.query("up")
    assert str(info.value) == message


def test_timeout_before_any_answer(fake: FakeServer) -> None:
    def stall(h: BaseHTTPRequestHandler) -> None:
        fake.release.wait(10)  # released at teardown

    fake.respond = stall
    with PrometheusSource(fake.url, timeout=0.3) as s:
        started = time.monotonic()
        with pytest.raises(SourceError) as info:
            s.read_panel(ERRORS)
        elapsed = time.monotonic() - started
    assert str(info.value) == "timeout after 0.3 s" and info.value.kind == "timeout"
    assert 0.25 < elapsed < 2.0
    assert len(fake.requests) == 1


def test_timeout_in_the_middle_of_the_body(fake: FakeServer) -> None:
    def stall_body(h: BaseHTTPRequestHandler) -> None:
        h.send_response(200)
        h.send_header("Content-Type", "application/json")
        h.send_header("Content-Length", str(len(OK_VECTOR)))
        h.end_headers()
        h.wfile.write(OK_VECTOR[:10])
        h.wfile.flush()
        fake.release.wait(10)

    fake.respond = stall_body
    with PrometheusSource(fake.url, timeout=0.3) as s, pytest.raises(SourceError) as info:
        s.query("up")
    assert str(info.value) == "timeout after 0.3 s" and info.value.kind == "timeout"


def test_server_closing_the_connection(fake: FakeServer) -> None:
    def hang_up(h: BaseHTTPRequestHandler) -> None:
        h.close_connection = True
        h.connection.shutdown(2)

    fake.respond = hang_up
    with PrometheusSource(fake.url) as s, pytest.raises(SourceError) as info:
        s.query("up")
    assert str(info.value) == "connection closed by the server"
    assert info.value.kind == "connection"


def test_credentials_and_parameters_are_sent(fake: FakeServer) -> None:
    fake.respond = reply(200, OK_VECTOR)
    with PrometheusSource(fake.url + "/", timeout=4, bearer_token="s3cret") as s:
        assert s.query("up").value == 1.5
        assert "s3cret" not in repr(s)
    path, headers = fake.requests[0]
    assert headers["Authorization"] == "Bearer s3cret"
    assert path.startswith("/api/v1/query?") and "query=up" in path and "timeout=4" in path
    fake.requests.clear()
    with PrometheusSource(fake.url, basic_auth=("ops", "pw")) as s:
        s.query("up")
    assert fake.requests[0][1]["Authorization"].startswith("Basic ")


def test_constructor_refuses_nonsense() -> None:
    with pytest.raises(ValueError, match="http:// or https://"):
        PrometheusSource("localhost:9090")
    with pytest.raises(ValueError, match="not both"):
        PrometheusSource("http://x", bearer_token="t", basic_auth=("a", "b"))
    with pytest.raises(ValueError, match="positive"):
        PrometheusSource("http://x", timeout=0)


def _window():
    from datetime import datetime, timezone

    end = datetime(2026, 11, 23, 10, 0, tzinfo=timezone.utc)
    return end - timedelta(minutes=10), end
