"""Snapshots of the dialogs and the other screens, built through the same factory as warroom: the
status-update composer, the declare dialog, the incident picker, the drill report and replay."""

from __future__ import annotations

import asyncio
from datetime import timedelta, timezone

from warroom.domain.presets import SEV
from warroom.store import Store
from warroom.ui.factory import make_app, make_replay_app
from warroom.ui.widgets.sla import SlaPane
from warroom.ui.widgets.timeline import TimelinePane

from fixtures.drill_support import Drive, drill_app
from fixtures.support import T0, FakeClock, wait_for

M = timedelta(minutes=1)


async def _scene(db_path) -> int:
    async with Store.open(db_path) as store:
        await store.declare("Search is slow", SEV, "SEV-3", now=T0 - 60 * M, author="alice")
        i = await store.declare("Checkout returns 500s for EU cards", SEV, "SEV-1", now=T0, author="alice",
                                detected_at=T0 - 3 * M, services=["checkout"], impact="EU card payments fail")
        await store.append(i.id, "error rate 15x baseline on checkout-api", author="sam", now=T0 + M)
        await store.append(i.id, "roll back v2.3.1", author="sam", now=T0 + 4 * M, kind="decision")
        return i.id


def _app(db_path):
    asyncio.run(_scene(db_path))
    return make_app(db_path, clock=FakeClock(T0 + 12 * M), local=timezone.utc, author="sam",
                    tick_interval=3600, sync_interval=3600)


def _pressing(*keys: str, until: str):
    async def run_before(pilot) -> None:
        await pilot.app.loaded.wait()
        await pilot.pause()
        await pilot.press(*keys)
        await wait_for(pilot, lambda: pilot.app.screen.query(until), what=until)
        await pilot.pause()
    return run_before


def test_composer(snap_compare, db_path):
    assert snap_compare(_app(db_path), terminal_size=(120, 40), run_before=_pressing("ctrl+n", until="#composer-text"))


def test_declare_dialog(snap_compare, db_path):
    assert snap_compare(_app(db_path), terminal_size=(80, 24), run_before=_pressing("f2", until="#declare-title"))


def test_incident_picker(snap_compare, db_path):
    assert snap_compare(_app(db_path), terminal_size=(80, 24), run_before=_pressing("f3", until="#picker"))


def test_drill_report(snap_compare, db_path, tmp_path):
    clock = FakeClock(T0)
    app = drill_app(db_path, "bad-deploy", clock, tmp_path)

    async def run_before(pilot) -> None:
        drive = Drive(pilot.app, pilot, clock)
        await drive.start()
        await drive.type("/ack")
        await drive.type("/d roll back checkout to 2.4.0")
        await drive.to(pilot.app.drill.scenario.duration)
        await wait_for(pilot, lambda: pilot.app.drill_report is not None, what="the drill report")
        # the automatic entries of one instant land in the order their feeds answered: show the human ones
        pilot.app.query_one(TimelinePane).set_filter(kind="decision")
        # the SLA pane flashes for 3 s on the escalation alarm: the snapshot is taken after, always
        await wait_for(pilot, lambda: not pilot.app.query_one(SlaPane).has_class("-flash"), what="the flash over")
        await pilot.pause()

    assert snap_compare(app, terminal_size=(120, 40), run_before=run_before)


def test_replay_screen(snap_compare, db_path):
    incident_id = asyncio.run(_scene(db_path))
    app = make_replay_app(db_path, incident_id, start=T0 + 2 * M, local=timezone.utc)

    async def run_before(pilot) -> None:
        await wait_for(pilot, lambda: pilot.app.cursor is not None, what="the recording loaded")
        await pilot.pause()

    assert snap_compare(app, terminal_size=(120, 40), run_before=run_before)
