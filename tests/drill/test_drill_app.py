"""Each bundled scenario run to its end in the real app, at any speed (the clock is stepped by hand):
what the metrics, pods and timeline panes show at key moments, and the drill report for a good and a
poor response."""

from __future__ import annotations

from datetime import timedelta, timezone

import pytest

from warroom.domain.times import format_duration
from warroom.store import Store
from warroom.ui.screens.drill import DrillReportScreen

from fixtures.drill_support import Drive, drill_app, panel_line, pods_of
from fixtures.support import T0, FakeClock, pane_text, table_texts, wait_for

M = timedelta(minutes=1)


#: (scenario, panel that is CRIT at the start and OK after the mitigation, the workload that is unhealthy at the
#:  start and its status, the firing alert, the mitigation line the scribe types)
GOOD = [
    ("bad-deploy", "Checkout error ratio", "checkout", "CrashLoopBackOff", "CheckoutHighErrorRate",
     "/d roll back checkout to 2.4.0"),
    ("db-pool", "DB connections in use", "orders-worker", "CrashLoopBackOff", "DBConnectionPoolExhausted",
     "/a kill idle connections"),
    ("payment-processor", "Payment success ratio", "payments-api", "OOMKilled", "PaymentProcessorTimeouts",
     "/d open the circuit breaker"),
]


@pytest.mark.parametrize(("name", "panel", "workload", "status", "alert", "mitigation"), GOOD, ids=[g[0] for g in GOOD])
async def test_a_good_response_passes_every_check(db_path, tmp_path, name, panel, workload, status, alert,
                                                  mitigation):
    clock = FakeClock(T0)
    app = drill_app(db_path, name, clock, tmp_path)
    async with app.run_test(size=(200, 60)) as pilot:
        drive = Drive(app, pilot, clock)
        await drive.start()
        assert app.incident.drill and "DRILL" in pane_text(app, "#header")
        assert "briefing" in table_texts(app)[-1].lower() or any("Drill briefing" in t for t in table_texts(app))
        assert "CRIT" in panel_line(app, panel)
        assert alert in pane_text(app, "#metrics-alerts")

        await drive.to(1 * M)
        await drive.type("/ack")
        await drive.type("/ic Alice")
        await drive.to(2 * M)
        await drive.type("/c investigating")

        await drive.to(6 * M)  # the scenario has moved on: the workload is unhealthy, an inject came
        await wait_for(pilot, lambda: status in pods_of(app, workload), what=f"{workload} {status}")
        assert any(t.startswith("INJECT: ") for t in table_texts(app))
        assert "unhealthy" in pane_text(app, "#pods-summary")

        await drive.type(mitigation)
        assert app.drill.mitigated_at == clock.now
        await drive.to(12 * M)  # the scripted recovery follows the mitigation
        assert "OK" in panel_line(app, panel), panel_line(app, panel)
        await wait_for(pilot, lambda: set(pods_of(app, workload)) == {"Running"}, what=f"{workload} healthy")
        assert alert not in pane_text(app, "#metrics-alerts")

        await drive.type("/s monitoring")
        await drive.to(14 * M)
        await drive.type("/c mitigated")
        await drive.to(16 * M)
        await drive.type("/s resolved")

        assert isinstance(app.screen, DrillReportScreen)
        report = app.drill_report
        assert report.judged >= 6 and report.passed == report.judged, report.lines()
        text = str(app.screen.query_one("#drill-report-text").render())
        assert f"{report.score} checks passed" in text and "FAIL" not in text
        assert table_texts(app)[-1] == f"Drill ended: {report.score} checks passed"
        assert app.clock() == clock.now

        await pilot.press("f9")  # from the report itself, as it says
        await wait_for(pilot, lambda: hasattr(app, "last_export"), what="export")
        assert isinstance(app.screen, DrillReportScreen)
        exported = app.last_export.read_text()
        assert app.last_export.name.startswith("drill-")
        assert exported.startswith("# DRILL — Incident") and "## Drill report" in exported
        assert f"Score: **{report.score}**" in exported and "❌" not in exported
        evidence = exported.split("## Evidence", 1)[1].split("\n## ", 1)[0]
        at_ack = next(line for line in evidence.splitlines() if "Milestone: acknowledged" in line)
        assert f"{panel} " in at_ack and "(CRIT" in at_ack  # what the panel showed when the IC acknowledged
        at_resolved = next(line for line in evidence.splitlines() if "Milestone: resolved" in line)
        assert "(OK" in at_resolved.split(panel, 1)[1].split(";")[0]

    async with Store.open(db_path) as store:
        assert await store.active_incident_id() is None  # a drill never becomes the active (real) incident
        assert (await store.drill_scenario(app.incident.id)).name == name


async def test_a_poor_response_fails_the_checks_it_missed(db_path, tmp_path):
    clock = FakeClock(T0)
    app = drill_app(db_path, "bad-deploy", clock, tmp_path)
    async with app.run_test(size=(160, 48)) as pilot:
        drive = Drive(app, pilot, clock)
        await drive.start()
        for minute in range(1, 21, 3):  # twenty minutes of nobody typing
            await drive.to(minute * M)
        await drive.to(20 * M)
        await drive.type("/ack")
        await drive.type("/a restart pods")  # not the fix
        assert app.drill.mitigated_at is None
        await drive.to(30 * M)
        assert "CRIT" in panel_line(app, "Checkout error ratio")  # nothing recovers by itself
        assert set(pods_of(app, "checkout")) == {"CrashLoopBackOff"}
        await drive.to(46 * M)  # past the scenario's 45 minutes: the drill ends unresolved

        assert isinstance(app.screen, DrillReportScreen)
        checks = {c.what: (c.ok, c.result) for c in app.drill_report.checks}
        assert checks["SLA: acknowledge within 15 min"] == (False, "missed by 9m")
        assert checks["Expected: acknowledge within 8m"] == (False, "after 24m")
        assert checks["Expected: mitigate within 25m"] == (False, "never")
        assert checks["Expected: resolve within 40m"] == (False, "never")
        assert checks["Status update every 30 min"][0] is False
        assert checks["Right mitigation: Roll back checkout to 2.4.0"] == (False, "never logged")
        assert checks["SLA: resolve within 4 h"][0] is None  # still within its 4 hours: not judged
        assert app.drill_report.passed == 0
        text = str(app.screen.query_one("#drill-report-text").render())
        assert "FAIL" in text and "0/" in text


async def test_pause_stops_every_clock_and_speed_cycles(db_path, tmp_path):
    from warroom.drill.clock import DrillClock

    ticks = [100.0]
    clock = DrillClock(T0, 10, monotonic=lambda: ticks[0])
    app = drill_app(db_path, "db-pool", clock, tmp_path)
    async with app.run_test(size=(160, 48)) as pilot:
        await app.loaded.wait()
        ticks[0] += 6  # six wall seconds at 10×: one drill minute
        assert app.now() == T0 + M
        await pilot.press("f11")
        ticks[0] += 60
        assert app.now() == T0 + M and clock.paused
        app.session.render_clock()
        assert "PAUSED 01:00/50:00" in pane_text(app, "#header")
        await pilot.press("f11", "f12")
        assert clock.speed == 30 and not clock.paused
        ticks[0] += 2
        assert app.now() == T0 + 2 * M


async def test_the_first_run_offers_a_drill(db_path, tmp_path):
    from warroom.ui.factory import make_app
    from warroom.ui.screens.drill import WelcomeScreen

    app = make_app(db_path, clock=FakeClock(T0), local=timezone.utc, tick_interval=3600, sync_interval=3600,
                     first_run=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await app.loaded.wait()
        await wait_for(pilot, lambda: isinstance(app.screen, WelcomeScreen), what="the welcome")
        shown = str(app.screen.query_one(".dialog").query("Static").first().render())
        assert "Welcome" in shown
        assert "WARROOM_PROMETHEUS_URL" in str(app.screen.query("Static")[1].render())
        await pilot.press("enter")  # the first option: the bad-deploy drill
        await pilot.pause()
    assert app.start_drill == "bad-deploy"


async def test_no_welcome_once_an_incident_exists(db_path, tmp_path):
    from warroom.domain.presets import SEV
    from warroom.ui.factory import make_app
    from warroom.ui.screens.drill import WelcomeScreen

    async with Store.open(db_path) as store:
        await store.declare("real one", SEV, "SEV-2", now=T0, author="ic")
    app = make_app(db_path, clock=FakeClock(T0), local=timezone.utc, tick_interval=3600, sync_interval=3600,
                     first_run=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await app.loaded.wait()
        await pilot.pause()
        assert not isinstance(app.screen, WelcomeScreen) and app.incident.title == "real one"


async def test_a_drill_cannot_switch_to_or_declare_a_real_incident(db_path, tmp_path):
    from warroom.domain.presets import SEV

    async with Store.open(db_path) as store:
        real = await store.declare("real outage", SEV, "SEV-1", now=T0, author="ic")
    clock = FakeClock(T0)
    app = drill_app(db_path, "bad-deploy", clock, tmp_path)
    async with app.run_test(size=(160, 48)) as pilot:
        await app.loaded.wait()
        await pilot.pause()
        await pilot.press("f3", "f2")
        await pilot.pause()
        assert app.incident.drill and app.incident.id != real.id
        assert len(app.screen_stack) == 1  # no picker, no declare dialog
        assert "Switch" not in pane_text(app, "#keys") and "Declare" not in pane_text(app, "#keys")
    async with Store.open(db_path) as store:
        assert await store.active_incident_id() == real.id
        assert [e.author for e in await store.entries(real.id)] == ["ic"]  # nothing written into it


async def test_the_palette_cannot_switch_a_drill_either(db_path, tmp_path):
    clock = FakeClock(T0)
    app = drill_app(db_path, "bad-deploy", clock, tmp_path)
    async with app.run_test(size=(160, 48), notifications=True) as pilot:
        await app.loaded.wait()
        await app.action_switch().wait()  # the palette's "Switch incident" calls the action itself
        await pilot.pause()
        assert len(app.screen_stack) == 1
        assert any("This is a drill" in n for n in app.notices)


async def test_the_report_and_the_export_agree_when_resolution_implies_mitigation(db_path, tmp_path):
    clock = FakeClock(T0)
    app = drill_app(db_path, "bad-deploy", clock, tmp_path)
    async with app.run_test(size=(160, 48)) as pilot:
        drive = Drive(app, pilot, clock)
        await drive.start()
        await drive.type("/ack")
        await drive.to(5 * M)
        await drive.type("/d roll back checkout to 2.4.0")
        await drive.to(14 * M)
        await drive.type("/s resolved")  # straight to resolved: no mitigated milestone recorded
        assert isinstance(app.screen, DrillReportScreen)
        report = app.drill_report
        checks = {c.what: (c.ok, c.result) for c in report.checks}
        took = dict(report.milestones)["Mitigated"]
        assert took is not None  # not "never" beside a passed check
        assert checks["Expected: mitigate within 25m"] == (True, f"after {format_duration(took)}")
        await pilot.press("f9")
        await wait_for(pilot, lambda: hasattr(app, "last_export"), what="export")
        mitigated = next(line for line in app.last_export.read_text().splitlines() if line.startswith("| mitigated |"))
        assert "(implied by resolved)" in mitigated and "—" not in mitigated
