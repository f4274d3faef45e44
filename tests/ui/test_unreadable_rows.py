"""Issue #20: a stored entry whose time no reader understands is shown as unreadable — the war
room opens on the incident, and an open one shows the row when another process writes it."""

from __future__ import annotations

import sqlite3
from datetime import timedelta

from warroom.domain.presets import SEV
from warroom.domain.times import iso_utc
from warroom.store import Store

from fixtures.support import T0, table_texts, wait_for

BAD = "999-06-01T00:00:00.000000+00:00"


async def seed(db_path):
    async with Store.open(db_path) as store:
        return await store.declare("Checkout 500s", SEV, "SEV-1", now=T0, author="ic")


def insert_bad(db_path, incident_id: int, text: str) -> None:
    con = sqlite3.connect(db_path, isolation_level=None)
    con.execute("INSERT INTO entries (incident_id, at, logged_at, author, kind, text) VALUES (?,?,?,?,?,?)",
                (incident_id, BAD, iso_utc(T0 + timedelta(minutes=1)), "old", "note", text))
    con.close()


async def test_the_war_room_opens_on_an_incident_with_an_unreadable_time(make_app, db_path):
    inc = await seed(db_path)
    insert_bad(db_path, inc.id, "poisoned")
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await app.loaded.wait()
        await pilot.pause()
        assert f"[unreadable time {BAD!r}] poisoned" in table_texts(app)


async def test_an_open_war_room_shows_an_unreadable_row_written_elsewhere(make_app, db_path):
    inc = await seed(db_path)
    app = make_app(sync_interval=0.1)
    async with app.run_test(size=(160, 48)) as pilot:
        await app.loaded.wait()
        await pilot.pause()
        insert_bad(db_path, inc.id, "arrives later")
        await wait_for(pilot, lambda: f"[unreadable time {BAD!r}] arrives later" in table_texts(app),
                       timeout=2.0, what="the unreadable row")
