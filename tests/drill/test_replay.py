"""Record a scripted incident (drill sources), replay it, and read each pane at chosen instants —
including between two readings; a SIGKILL while recording loses no entry and leaves a replayable file."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from datetime import timedelta, timezone

import pytest

from warroom.domain.recording import Timeline
from warroom.store import Store
from warroom.ui.factory import make_replay_app
from warroom.ui.widgets.timeline import TimelinePane

from fixtures.drill_support import Drive, drill_app, panel_line, pods_of
from fixtures.support import T0, FakeClock, pane_text, table_texts, wait_for

S = timedelta(seconds=1)
M = timedelta(minutes=1)


def selected_text(app) -> str:
    pane = app.query_one(TimelinePane)
    return pane.entries[pane.selected_id()].text


async def record_bad_deploy(db_path, tmp_path) -> int:
    clock = FakeClock(T0)
    app = drill_app(db_path, "bad-deploy", clock, tmp_path)
    async with app.run_test(size=(200, 60)) as pilot:
        drive = Drive(app, pilot, clock)
        await drive.start()
        await drive.to(1 * M)
        await drive.type("/ack")
        await drive.to(7 * M)
        await wait_for(pilot, lambda: pods_of(app, "checkout") == ["CrashLoopBackOff"] * 4, what="crash loop")
        await drive.settle()
        await drive.type("/d roll back checkout to 2.4.0")
        await drive.to(12 * M)
        await wait_for(pilot, lambda: set(pods_of(app, "checkout")) == {"Running"}, what="recovery")
        await drive.settle()
        app.session.flush_readings()
        await app.writes_done()
        return app.incident.id


async def test_replay_shows_every_pane_as_it_was_at_the_cursor(db_path, tmp_path):
    incident_id = await record_bad_deploy(db_path, tmp_path)
    async with Store.open(db_path) as store:
        records = await store.readings(incident_id)
    assert {r.stream for r in records} >= {"panel", "alerts", "probe", "pods", "pod", "workload", "rollout", "event"}

    app = make_replay_app(db_path, incident_id, local=timezone.utc)
    async with app.run_test(size=(200, 60)) as pilot:
        await wait_for(pilot, lambda: app.cursor is not None, what="the recording loaded")
        await pilot.pause()
        box = app.query_one("#scribe-input")
        assert box.disabled and "Type an entry" not in box.placeholder  # read-only, and says so

        app.move_to(T0 + 9 * M + 30 * S)  # between the readings of 7m and 12m: the 7m ones hold
        await pilot.pause()
        assert "CRIT" in panel_line(app, "Checkout error ratio")
        assert pods_of(app, "checkout") == ["CrashLoopBackOff"] * 4
        assert "CheckoutHighErrorRate" in pane_text(app, "#metrics-alerts")
        assert "DOWN" in pane_text(app, "#metrics-alerts")  # the checkout probe
        assert "rev 2" in pane_text(app, "#pods-changes") and "BackOff" in pane_text(app, "#pods-changes")
        assert selected_text(app) == "roll back checkout to 2.4.0"  # the last entry written by then
        assert "Acknowledged by scribe" in table_texts(app)
        assert "MET" in pane_text(app, "#sla-clock")  # acknowledged at 1m
        assert "REPLAY" in pane_text(app, "#replay-bar") and "10:09:30" in pane_text(app, "#replay-bar")

        app.move_to(T0 + 30 * S)  # before the acknowledgement
        await pilot.pause()
        texts = table_texts(app)  # the timeline as it was: what came later is not there yet
        assert "Acknowledged by scribe" not in texts and "roll back checkout to 2.4.0" not in texts
        assert any(t.startswith("Drill briefing: ") for t in texts)
        assert "MET" not in pane_text(app, "#sla-clock")

        app.move_to(T0 + 12 * M + 5 * S)  # after the recovery
        await pilot.pause()
        assert "OK" in panel_line(app, "Checkout error ratio")
        assert pods_of(app, "checkout") == []  # healthy pods are counted, not listed
        assert "10 pods, all healthy" in pane_text(app, "#pods-summary")
        assert "rev 3" in pane_text(app, "#pods-changes")

        await pilot.press("home")
        assert app.cursor == app.bounds[0]
        await pilot.press("right_square_bracket")  # the next moment: an entry or a milestone
        moment = app.cursor
        assert moment > app.bounds[0] and any(e.logged_at == moment for e in app.entries) or \
            moment in app.incident.milestones.values()
        await pilot.press("right", "right")
        assert app.cursor == moment + 20 * S
        await pilot.press("space")
        assert app.playing
        await wait_for(pilot, lambda: app.cursor > moment + 20 * S, what="playing moves the cursor")
        await pilot.press("space")
        assert not app.playing


#: lines confirmed before the kill: each is several readings flushes apart (enough to replay)
LINES = 8

KILLED = textwrap.dedent("""
    import asyncio, sys
    from datetime import timedelta, timezone
    sys.path.insert(0, sys.argv[2])
    import warroom.ui.app as appmod
    appmod.RECORD_FLUSH_SECONDS = 0.2
    from fixtures.support import T0, FakeClock
    from fixtures.drill_support import drill_app
    clock = FakeClock(T0)
    app = drill_app(sys.argv[1], "db-pool", clock, None, refresh=0.1)
    async def go(pilot):
        await app.loaded.wait()
        n = 0
        while True:
            clock.advance(seconds=20)
            app.tick()
            n += 1
            await pilot.press(*f"line{n}", "enter")
            await app.writes_done()
            print("LOGGED", n, flush=True)
            await pilot.pause(0.15)
    app.run(headless=True, size=(160, 48), auto_pilot=go)
""")


@pytest.mark.slow
async def test_sigkill_while_recording_loses_no_entry_and_leaves_a_replayable_file(db_path, tmp_path):
    tests_dir = os.path.dirname(os.path.dirname(__file__))
    proc = subprocess.Popen([sys.executable, "-c", KILLED, str(db_path), tests_dir], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    logged = 0
    try:
        for line in proc.stdout:
            if line.startswith("LOGGED"):
                logged = int(line.split()[1])
                if logged >= LINES:
                    break
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    assert logged >= LINES, proc.stderr.read()
    async with Store.open(db_path) as store:
        assert await store.integrity_check() == "ok"
        (incident,) = await store.incidents()
        texts = [e.text for e in await store.entries(incident.id)]
        assert all(f"line{n}" in texts for n in range(1, logged + 1))  # every confirmed entry survived
        records = await store.readings(incident.id)
    assert records, "readings were recorded before the kill"
    state = Timeline(records).state_at(records[-1].at)
    assert ("panel", "DB connections in use") in state and state[("panel", "DB connections in use")]["verdict"]

    app = make_replay_app(db_path, incident.id, local=timezone.utc)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_for(pilot, lambda: app.cursor is not None, what="the recording loaded")
        app.action_edge(1)
        await pilot.pause()
        assert "DB connections in use" in "".join(
            app.query_one("#metrics-panels").get_option_at_index(i).id for i in range(4))


async def test_replay_shows_the_severity_and_roles_in_force_at_the_cursor(db_path):
    from warroom.domain import incident as inc
    from warroom.domain.presets import SEV

    async with Store.open(db_path) as store:
        i = await store.declare("Payments down", SEV, "SEV-1", now=T0, author="ic")
        await store.change(i.id, lambda x: inc.assign_role(x, "commander", "Bob"), author="ic", at=T0 + M, now=T0 + M)
        await store.change(i.id, lambda x: inc.change_severity(x, "SEV-2"), author="ic", at=T0 + 10 * M,
                           now=T0 + 10 * M)
        await store.change(i.id, lambda x: inc.assign_role(x, "commander", "Alice Chen"), author="ic",
                           at=T0 + 12 * M, now=T0 + 12 * M)
    app = make_replay_app(db_path, i.id, start=T0 + 5 * M, local=timezone.utc)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_for(pilot, lambda: app.cursor is not None, what="loaded")
        await pilot.pause()
        header = pane_text(app, "#header")
        assert "SEV-1" in header and "Bob" in header and "Alice" not in header
        assert "Acknowledge 5 min" in pane_text(app, "#sla-clock")  # SEV-1's target, not SEV-2's
        app.move_to(T0 + 13 * M)
        await pilot.pause()
        header = pane_text(app, "#header")
        assert "SEV-2" in header and "Alice Chen" in header and "Bob" not in header
