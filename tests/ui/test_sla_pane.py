"""The SLA pane keeps every line on screen when a line's wrapping changes (a step falling due reads
longer: "DUE NOW — call engineering manager" wraps), not only when the number of lines does (issue #18)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from fixtures.drill_support import Drive, drill_app
from fixtures.support import T0, FakeClock, wait_for

M = timedelta(minutes=1)


def painted(app) -> str:
    """The SLA clock's lines that the pane leaves on screen."""
    clock = app.query_one("#sla-clock")
    pane = app.query_one("#sla-pane")
    bottom = min(clock.region.bottom, pane.region.bottom - 1)
    return "\n".join(clock.render_line(y).text for y in range(max(0, bottom - clock.region.y)))


@pytest.mark.parametrize("size", [(80, 24), (120, 40), (200, 60)], ids=["80x24", "120x40", "200x60"])
async def test_a_step_falling_due_keeps_the_lines_below_it(db_path, tmp_path, size):
    clock = FakeClock(T0)
    app = drill_app(db_path, "bad-deploy", clock, tmp_path)
    async with app.run_test(size=size) as pilot:
        drive = Drive(app, pilot, clock)
        await drive.start()
        await drive.to(M)
        await drive.type("/ack")  # acknowledged: no breach, so nothing else lays the pane out
        await drive.to(10 * M)
        await wait_for(pilot, lambda: "unresolved 4 h" in painted(app), what="the SLA clock")
        await drive.to(16 * M)  # "not identified 15 min" falls due
        await wait_for(pilot, lambda: "DUE NOW" in painted(app), what="the step due")
        await pilot.pause()
        text = painted(app)
        assert "unresolved 4 h → VP Engineering" in text.replace("\n", " "), text
