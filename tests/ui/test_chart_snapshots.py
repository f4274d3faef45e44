"""Snapshots of a metric's chart mid-drill (bad-deploy, seven minutes in, the rollback decided; a
fixed clock) at 80x24 and 160x48, and in the high-contrast theme with a marker selected."""

from __future__ import annotations

from datetime import timedelta

import pytest

from fixtures.drill_support import Drive, drill_app
from fixtures.support import T0, FakeClock, wait_for


def _run_before(clock, *keys: str):
    async def run_before(pilot) -> None:
        app = pilot.app
        drive = Drive(app, pilot, clock)
        await drive.start()
        await drive.to(timedelta(minutes=3))
        await drive.type("/d roll back checkout to 2.4.0")
        await drive.to(timedelta(minutes=7))
        app.action_chart("Checkout error ratio")
        await wait_for(pilot, lambda: app.screen.id == "chart" and app.screen.read is not None, what="the chart")
        for key in keys:
            reads = app.screen.reads
            await pilot.press(key)
            if key in "1234c":
                await wait_for(pilot, lambda: app.screen.reads > reads, what="the chart read again")
            await wait_for(pilot, lambda: app.screen.settled, what="the chart drawn")
        app.clear_notifications()
        await pilot.pause()

    return run_before


@pytest.mark.parametrize("size", [(80, 24), (160, 48)], ids=["80x24", "160x48"])
def test_chart_mid_drill(snap_compare, db_path, tmp_path, size):
    clock = FakeClock(T0)
    app = drill_app(db_path, "bad-deploy", clock, tmp_path)
    assert snap_compare(app, terminal_size=size, run_before=_run_before(clock, "1"))


def test_chart_high_contrast_with_a_marker_selected(snap_compare, db_path, tmp_path):
    clock = FakeClock(T0)
    app = drill_app(db_path, "bad-deploy", clock, tmp_path)
    assert snap_compare(app, terminal_size=(80, 24), run_before=_run_before(clock, "1", "ctrl+t", "n", "n", "n", "n"))
