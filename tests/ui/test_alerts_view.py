"""The alerts view (ctrl+r): the incident's alerts from its timeline, readable at every size; without an
Alertmanager URL silences say why not; hostile alert text shown literally."""

from __future__ import annotations

from datetime import timedelta

import pytest
from textual.widgets import DataTable

from warroom.domain.presets import SEV
from warroom.store import Store
from warroom.ui.screens.alerts import AlertsScreen

from fixtures.support import T0, wait_for

SIZES = [(80, 24), (120, 40), (200, 60)]
IDS = ["80x24", "120x40", "200x60"]
M = timedelta(minutes=1)


async def seed(db_path, name="HighErrorRatio\x1b[31m"):
    async with Store.open(db_path) as store:
        incident = await store.declare("Checkout 500s", SEV, "SEV-1", now=T0, author="ic", services=["checkout"])
        rows = [
            ("alert:fp-a:firing:2026-11-23T09:50:00Z", f"Alert firing: {name} — 5xx at 15% [severity=critical] "
                                                        "http://prom/graph", T0 - 10 * M, "system"),
            ("alert:fp-b:firing:2026-11-23T09:40:00Z", "Alert firing: DiskFull — disk at 99%", T0 - 20 * M, "system"),
            ("alert:fp-b:resolved:2026-11-23T09:40:00Z", "Alert resolved: DiskFull — disk at 99%", T0 - 5 * M,
             "system"),
        ]
        await store.append_keyed(incident.id, rows, author="alertmanager", now=T0)
        return incident


def opened(app) -> bool:
    return isinstance(app.screen, AlertsScreen) and bool(app.screen.query("#alerts-status"))


def cells(screen: AlertsScreen) -> list[list[str]]:
    table = screen.query_one(DataTable)
    return [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]


@pytest.mark.parametrize("size", SIZES, ids=IDS)
async def test_alerts_view_lists_firing_then_resolved_readable_at_every_size(make_app, db_path, clock, size):
    await seed(db_path)
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await app.loaded.wait()
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: opened(app), what="alerts view")
        screen = app.screen
        rows = cells(screen)
        assert [r[:3] for r in rows] == [["FIRING", "HighErrorRatio␛[31m", "10m"], ["resolved", "DiskFull", "5m"]]
        assert rows[0][5].startswith("5xx at 15%")
        head = screen.query_one("#alerts-head")
        assert head.region.width <= size[0] and head.region.y == 0
        table = screen.query_one(DataTable)
        assert table.region.height >= 3 and table.region.bottom <= size[1] - 1  # the footer stays
        status = str(screen.query_one("#alerts-status").render())
        assert "2 alerts" in status and "silences off: no Alertmanager URL" in status
        await pilot.press("s")
        assert "silence: no Alertmanager URL" in app.latest_notice
        await pilot.press("escape")
        assert not isinstance(app.screen, AlertsScreen)


async def test_alerts_view_from_the_palette_and_with_no_alerts(make_app, db_path):
    async with Store.open(db_path) as store:
        await store.declare("Quiet", SEV, "SEV-2", now=T0, author="ic")
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await app.loaded.wait()
        app.action_alerts()
        await wait_for(pilot, lambda: opened(app), what="alerts view")
        assert "No alerts in this incident yet" in str(app.screen.query_one("#alerts-status").render())
        assert any(c.title == "Alerts of this incident" for c in app.get_system_commands(app.screen))


async def test_alerts_key_without_an_incident_says_why(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await app.loaded.wait()
        await pilot.press("ctrl+r")
        assert not isinstance(app.screen, AlertsScreen)
        assert "No incident open" in app.latest_notice
