"""The drill screen mid-incident (bad-deploy, seven minutes in, at 10×, a fixed clock): every pane alive."""

from __future__ import annotations

from datetime import timedelta

from fixtures.drill_support import Drive, drill_app, pods_of
from fixtures.support import T0, FakeClock, wait_for


def test_drill_screen_mid_incident(snap_compare, db_path, tmp_path):
    clock = FakeClock(T0)
    app = drill_app(db_path, "bad-deploy", clock, tmp_path)

    async def run_before(pilot) -> None:
        drive = Drive(pilot.app, pilot, clock)
        await drive.start()
        await drive.to(timedelta(minutes=1))
        await drive.type("/ack")
        await drive.to(timedelta(minutes=7))
        await wait_for(pilot, lambda: pods_of(pilot.app, "checkout") == ["CrashLoopBackOff"] * 4,
                       what="every checkout pod crash-looping")
        pilot.app.clear_notifications()
        await pilot.pause()

    assert snap_compare(app, terminal_size=(160, 48), run_before=run_before)
