"""The metrics pane in the app: against the real Prometheus, when it fails, and as a snapshot."""

from __future__ import annotations

import asyncio
import threading
import time
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from warroom.config import Config, PrometheusConfig
from warroom.domain.baseline import Series, Sparkline, compare
from warroom.domain.panels import Panel, default_panels
from warroom.sources.prometheus_wire import parse_alerts
from warroom.domain.presets import SEV
from warroom.store import Store
from warroom.ui.factory import make_app
from warroom.ui.widgets.metrics import PanelList

from fixtures.support import FakeClock, pane_text, table_texts, wait_for

DAY = 86400


def prom_config(url: str, **kw) -> Config:
    kw.setdefault("panels", tuple(default_panels()))
    kw.setdefault("refresh", 3600)  # tests trigger polls themselves
    kw.setdefault("timeout", 5)
    return Config(prometheus=PrometheusConfig(url=url, **kw))


async def declare(db_path, now):
    async with Store.open(db_path) as store:
        return await store.declare("Checkout 500s", SEV, "SEV-1", now=now, author="ic")


def metrics_text(app) -> str:
    panels = app.query_one(PanelList)
    return "\n".join(str(panels.get_option_at_index(i).prompt) for i in range(panels.option_count))


async def polled(app, pilot, n: int) -> None:
    await wait_for(pilot, lambda: app.feeds['metrics'].polls >= n, timeout=20, what=f"metrics poll {n}")
    await pilot.pause()


async def test_pane_shows_real_prometheus_against_its_baseline(prometheus, prometheus_scenario, db_path):
    sc = prometheus_scenario
    clock = FakeClock(sc.end_dt)
    inc = await declare(db_path, sc.end_dt - timedelta(minutes=20))
    app = make_app(db_path, clock=clock, local=timezone.utc, tick_interval=3600, sync_interval=3600,
                     config=prom_config(prometheus))
    async with app.run_test(size=(160, 48)) as pilot:
        await app.loaded.wait()
        await polled(app, pilot, 1)
        text = metrics_text(app)
        assert "Error ratio" in text and "15.0 %" in text and "base 1.0 %" in text and "15x" in text
        assert "p95 latency" in text and "2.4 s" in text and "base 239 ms" in text
        assert "Request rate" in text and "60.0 req/s" in text and "0.61x" in text
        assert text.count("CRIT") == 2 and text.count("WARN") == 1  # errors and latency up; traffic down 39 %
        view = app.metrics.panel("Error ratio")
        assert view.reading.current == pytest.approx(0.15) and view.reading.ratio == pytest.approx(15.0)
        assert len(view.sparkline.current.points) > 30
        alerts = pane_text(app, "#metrics-alerts")
        assert "1 alert firing" in alerts and "HighErrorRatio" in alerts
        await app.writes_done()
        await pilot.pause()
        # each CRIT transition is one system entry …
        crit = [t for t in table_texts(app) if t.startswith("Metric CRIT")]
        assert sorted(crit) == [
            "Metric CRIT: Error ratio 15.0 % (baseline 1.0 %, 15x)",
            "Metric CRIT: p95 latency 2.4 s (baseline 239 ms, 10x)",
        ], crit
        # … and polling again does not repeat them
        app.feeds.poll_now('metrics')
        await polled(app, pilot, 2)
        await app.writes_done()
        async with Store.open(db_path) as store:
            keyed = [e for e in await store.entries(inc.id) if e.key and e.key.startswith("metric:")]
        assert len(keyed) == 2
        # pin the selected panel's reading into the timeline
        app.query_one(PanelList).focus()
        app.query_one(PanelList).highlighted = 1
        await pilot.press("p")
        await app.writes_done()
        await pilot.pause()
        assert table_texts(app)[-1] == "p95 latency 2.4 s (baseline 239 ms, 10x)"


async def test_prometheus_stopped_mid_session_goes_stale_then_recovers(spare_prometheus, db_path):
    spare_prometheus.start()
    now = datetime.now(timezone.utc)
    await declare(db_path, now)
    panel = Panel("Up", "vector(1)", unit="", baseline=1.0)
    app = make_app(db_path, clock=FakeClock(now), local=timezone.utc, tick_interval=3600, sync_interval=3600,
                     config=prom_config(spare_prometheus.url, panels=(panel,), timeout=2))
    async with app.run_test(size=(160, 48)) as pilot:
        await app.loaded.wait()
        await polled(app, pilot, 1)
        assert app.metrics.panel("Up").reading.current == 1.0 and "STALE" not in metrics_text(app)
        spare_prometheus.stop()
        app.clock.advance(seconds=45)
        app.feeds.poll_now('metrics')
        await polled(app, pilot, 2)
        text = metrics_text(app)
        assert "STALE 45s — connection refused" in text
        assert "1" in text  # the last value is still shown
        assert "UNREACHABLE" in pane_text(app, "#metrics-status")
        assert app.metrics_feed.delay > 0
        spare_prometheus.start()
        app.feeds.poll_now('metrics')
        await polled(app, pilot, 3)
        assert "STALE" not in metrics_text(app) and "UNREACHABLE" not in pane_text(app, "#metrics-status")


class _SlowHandler(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802
        time.sleep(3)
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


async def test_a_hanging_prometheus_never_blocks_the_scribe(db_path):
    server = ThreadingHTTPServer(("127.0.0.1", 0), _SlowHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        now = datetime.now(timezone.utc)
        inc = await declare(db_path, now)
        app = make_app(db_path, clock=FakeClock(now), local=timezone.utc, tick_interval=3600,
                         sync_interval=3600,
                         config=prom_config(f"http://127.0.0.1:{server.server_port}", timeout=2))
        async with app.run_test(size=(160, 48)) as pilot:
            await app.loaded.wait()
            app.query_one("#scribe-input").value = "still typing"
            await pilot.press("enter")
            await app.writes_done()
            assert app.feeds['metrics'].polls == 0  # the poll is still waiting on the server …
            async with Store.open(db_path) as store:  # … and the line is already durable
                assert (await store.entries(inc.id))[-1].text == "still typing"
            await polled(app, pilot, 1)
            assert "timeout after 2 s" in pane_text(app, "#metrics-status")
    finally:
        server.shutdown()


# -- snapshot with a scripted source (deterministic numbers) -------------------------------------


class ScriptedMetrics:
    """A source with fixed readings, the same interface as PrometheusSource."""

    refresh = 5.0

    def __init__(self, now: datetime) -> None:
        self.now = now
        self.panels = tuple(default_panels())
        self.values = {"Error ratio": (0.15, 0.01), "p95 latency": (2.42, 0.239), "Request rate": (60.0, 99.0)}

    def read_panel(self, panel, now):
        current, base = self.values[panel.title]
        return compare(current, base, panel)

    def range(self, panel, start, end, step):
        current, base = self.values[panel.title]
        points = 60
        times = [start + (end - start) * i / points for i in range(points)]
        cur = Series(tuple((t, base if i < 40 else current) for i, t in enumerate(times)))
        return Sparkline(panel, cur, Series(tuple((t, base * (1 + 0.1 * (i % 5) / 5)) for i, t in enumerate(times))))

    def close(self) -> None:
        pass

    def alerts(self):
        return parse_alerts({"alerts": [{"labels": {"alertname": "HighErrorRatio", "severity": "page"},
                                         "annotations": {"summary": "5xx ratio above 5 %"}, "state": "firing",
                                         "activeAt": "2026-11-23T09:58:00Z", "value": "0.15"}]})


@pytest.mark.parametrize("size", [(80, 24), (160, 48)], ids=["80x24", "160x48"])
def test_metrics_pane_snapshot(snap_compare, db_path, size):
    from fixtures.support import T0

    asyncio.run(declare(db_path, T0))
    app = make_app(db_path, clock=FakeClock(T0 + timedelta(minutes=5)), local=timezone.utc, tick_interval=3600,
                     sync_interval=3600, metrics_source=ScriptedMetrics(T0))

    async def run_before(pilot):
        await pilot.app.loaded.wait()
        await wait_for(pilot, lambda: pilot.app.feeds['metrics'].polls >= 1, what="poll")
        await pilot.app.writes_done()
        if size[0] < 120:
            await pilot.press("ctrl+o")  # small screens show one left pane at a time
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=run_before)


class _HealthHandler(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802
        self.send_response(200 if self.path == "/health" else 503)
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args):
        pass


async def test_health_probes_show_up_and_down(db_path):
    from warroom.config import ProbeConfig

    server = ThreadingHTTPServer(("127.0.0.1", 0), _HealthHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    try:
        config = Config(probes=(ProbeConfig("api", f"{base}/health", interval=3600),
                                ProbeConfig("db", f"{base}/db", interval=3600)))
        app = make_app(db_path, local=timezone.utc, tick_interval=3600, sync_interval=3600, config=config)
        async with app.run_test(size=(160, 48)) as pilot:
            await app.loaded.wait()
            await wait_for(pilot, lambda: len(app.probe_results) == 2, what="probes")
            await pilot.pause()
            text = pane_text(app, "#metrics-alerts")
            assert " UP  api 200" in text and " DOWN  db 503" in text and "HTTP 503" in text
    finally:
        server.shutdown()


# -- a source that stops answering without failing: the values go STALE by age -------------------


FIRING = [{"labels": {"alertname": "HighErrorRatio", "severity": "critical"}, "annotations": {},
           "state": "firing", "activeAt": "2026-11-23T10:00:00Z", "value": "0.15"}]
CRIT_PANEL = Panel("Errors", "sum(rate(errors[5m]))", unit="", baseline=0.1, warn_ratio=2, crit_ratio=5)


async def test_a_trickling_prometheus_makes_the_pane_stale_by_age_not_current(db_path):
    """1 byte/s keeps a poll running with no error for up to its timeout: past refresh + grace,
    the last values show STALE with their age, the alerts are unknown, and no CRIT passes for current."""
    from fixtures.hostile_http import Server, fake_prometheus, slow_loris

    answer = fake_prometheus(FIRING)
    server = Server(lambda h, s: answer(h, s))
    now = datetime.now(timezone.utc)
    await declare(db_path, now)
    app = make_app(db_path, clock=FakeClock(now), local=timezone.utc, tick_interval=3600, sync_interval=3600,
                     config=prom_config(server.url, panels=(CRIT_PANEL,), refresh=60, timeout=30))
    try:
        async with app.run_test(size=(160, 48)) as pilot:
            await app.loaded.wait()
            await polled(app, pilot, 1)
            assert "CRIT" in metrics_text(app) and "STALE" not in metrics_text(app)
            assert app.query_one("#metrics-pane").border_title.endswith("1 CRIT")
            assert "1 alert firing" in pane_text(app, "#metrics-alerts")
            answer = slow_loris(headers_too=False)
            app.feeds.poll_now('metrics')
            await wait_for(pilot, lambda: len(server.paths) > 2, what="the next poll under way")
            app.clock.advance(seconds=89)  # refresh 60 + the 30 s timeout's grace: not yet
            app.tick()
            await pilot.pause()
            assert "STALE" not in metrics_text(app) + pane_text(app, "#metrics-status")
            app.clock.advance(seconds=31)  # 2 minutes since the last answer
            app.tick()
            await pilot.pause()
            assert app.feeds['metrics'].polls == 1  # no poll has reported anything since
            assert "STALE 2m — no fresh reading: the source has not answered yet" in metrics_text(app)
            status = pane_text(app, "#metrics-status")
            assert "STALE 2m" in status and "updated" not in status
            assert not app.query_one("#metrics-pane").border_title.endswith("CRIT")
            alerts = pane_text(app, "#metrics-alerts")
            assert "ALERTS UNKNOWN  no answer for 2m" in alerts and "last known: 1 firing" in alerts
            server.close()  # the trickle stops: the poll ends with an error
            await polled(app, pilot, 2)
            assert "STALE 2m — connection closed by the server" in metrics_text(app)
    finally:
        server.close()


async def test_alerts_that_cannot_be_read_are_unknown_not_none_firing(db_path):
    from fixtures.hostile_http import Server, fake_prometheus, reply

    ok = fake_prometheus()
    server = Server(lambda h, s: (reply(500, b'{"status":"error","errorType":"internal","error":"rules on fire"}')
                                  if h.path.startswith("/api/v1/alerts") else ok)(h, s))
    now = datetime.now(timezone.utc)
    await declare(db_path, now)
    app = make_app(db_path, clock=FakeClock(now), local=timezone.utc, tick_interval=3600, sync_interval=3600,
                     config=prom_config(server.url, panels=(CRIT_PANEL,)))
    try:
        async with app.run_test(size=(160, 48)) as pilot:
            await app.loaded.wait()
            await polled(app, pilot, 1)
            alerts = pane_text(app, "#metrics-alerts")
            assert "ALERTS UNKNOWN  HTTP 500: rules on fire" in alerts
            assert "No alerts firing" not in alerts
    finally:
        server.close()
