"""The drill screen mid-incident (bad-deploy, seven minutes in, a fixed clock) at the sizes users have: every
pane alive, the inject on the notice line, nothing covered (issue #18)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from warroom.ui.widgets.timeline import TimelinePane

from fixtures.drill_support import Drive, drill_app, pods_of
from fixtures.support import T0, FakeClock, wait_for


@pytest.mark.parametrize("size", [(80, 24), (120, 40), (200, 60)], ids=["80x24", "120x40", "200x60"])
def test_drill_screen_mid_incident(snap_compare, db_path, tmp_path, size):
    clock = FakeClock(T0)
    app = drill_app(db_path, "bad-deploy", clock, tmp_path)

    async def run_before(pilot) -> None:
        drive = Drive(pilot.app, pilot, clock)
        await drive.start()
        await drive.to(timedelta(minutes=1))
        await drive.type("/ack")
        # the scribe at work: enough lines after the first minute that at 80x24 the automatic entries
        # of the drill's first instant (in the order their feeds answered) are scrolled out of view
        for minute, line in ((3, "checkout pods crash-loop since the 2.4.1 deploy"),
                             (4, "/d roll back checkout to 2.4.0"),
                             (5, "/a @bob pause the reporting job by 10:30"),
                             (6, "/s mitigating")):
            await drive.to(timedelta(minutes=minute))
            await drive.type(line)
        await drive.to(timedelta(minutes=7))
        await wait_for(pilot, lambda: pods_of(pilot.app, "checkout") == ["CrashLoopBackOff"] * 4,
                       what="every checkout pod crash-looping")
        # the automatic entries of one instant land in the order their feeds answered (metrics or pods
        # first): the timeline shows what the scribe wrote, whose order is the typing order
        pilot.app.query_one(TimelinePane).set_filter(search="scribe")
        pilot.app.clear_notifications()
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=run_before)
