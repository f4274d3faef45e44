"""Snapshots of the main screen (fixed clock, UTC) at 80x24 and 160x48, and of the help screen."""

from __future__ import annotations

import asyncio
from datetime import timedelta, timezone

import pytest

from warroom.domain import incident as inc
from warroom.domain.presets import SEV
from warroom.store import Store
from warroom.ui.factory import make_app

from fixtures.support import T0, FakeClock

M = timedelta(minutes=1)


async def _scene(db_path) -> None:
    async with Store.open(db_path) as store:
        i = await store.declare("Checkout returns 500s for EU cards", SEV, "SEV-1", now=T0, author="alice",
                                detected_at=T0 - 3 * M, services=["checkout"])
        await store.change(i.id, lambda x: inc.assign_role(x, "ic", "Alice"), author="alice", at=T0, now=T0)
        await store.append(i.id, "error rate 15x baseline on checkout-api", author="sam", now=T0 + M)
        await store.change(i.id, lambda x: inc.acknowledge(x, T0 + 2 * M, "alice"), author="alice",
                           at=T0 + 2 * M, now=T0 + 2 * M)
        e = await store.append(i.id, "roll back v2.3.1 instead of hotfixing", author="sam", now=T0 + 4 * M,
                               kind="decision")
        await store.star(e.id)
        await store.append(i.id, "restart the payment pool", author="sam", now=T0 + 5 * M, kind="action",
                           owner="bob", due=T0 + 30 * M)
        await store.append(i.id, "[bold red]literal markup[/] and \x1b[31mescapes", author="mallory",
                           now=T0 + 6 * M)
        await store.append(i.id, "UPDATE posted to #incidents", author="carol", now=T0 + 7 * M, kind="comms")


def _app(db_path):
    asyncio.run(_scene(db_path))
    return make_app(db_path, clock=FakeClock(T0 + 12 * M), local=timezone.utc, author="sam",
                      tick_interval=3600, sync_interval=3600)


async def _ready(pilot) -> None:
    await pilot.app.loaded.wait()
    await pilot.pause()


@pytest.mark.parametrize("size", [(80, 24), (160, 48)], ids=["80x24", "160x48"])
def test_main_screen(snap_compare, db_path, size):
    assert snap_compare(_app(db_path), terminal_size=size, run_before=_ready)


def test_help_screen(snap_compare, db_path):
    async def run_before(pilot):
        await _ready(pilot)
        await pilot.press("f1")
        await pilot.pause()

    assert snap_compare(_app(db_path), terminal_size=(100, 36), run_before=run_before)


def test_no_incident_yet(snap_compare, db_path):
    app = make_app(db_path, clock=FakeClock(T0), local=timezone.utc, author="sam", tick_interval=3600,
                     sync_interval=3600)
    assert snap_compare(app, terminal_size=(80, 24), run_before=_ready)
