"""``warroom --read-only`` (what ``warroom serve`` gives its visitors): the room to watch — no input
line, every key that writes says why it does nothing, and nothing reaches the database, not even
the automatic entries and readings a scribe's screen writes."""

from __future__ import annotations

from datetime import timedelta

import pytest

from warroom.domain.presets import SEV
from warroom.store import Store
from warroom.ui.widgets.timeline import ScribeInput

from fixtures.support import T0, wait_for

SIZES = [(80, 24), (120, 40), (200, 60)]


async def seed(db_path):
    async with Store.open(db_path) as store:
        incident = await store.declare("Checkout 500s", SEV, "SEV-1", now=T0, author="ic")
        await store.append(incident.id, "rolled back", author="ic", now=T0 + timedelta(minutes=1))
        return incident


async def entry_texts(db_path, incident_id):
    async with Store.open(db_path) as store:
        return [e.text for e in await store.entries(incident_id)]


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x40", "200x60"])
async def test_a_read_only_screen_has_no_input_line_and_its_writing_keys_say_why(make_app, db_path, size):
    incident = await seed(db_path)
    before = await entry_texts(db_path, incident.id)
    app = make_app(read_only=True)
    async with app.run_test(size=size, notifications=True) as pilot:
        await app.loaded.wait()
        await pilot.pause()
        box = app.query_one(ScribeInput)
        assert box.disabled and not box.display and box.region.height == 0
        assert "read-only view" in str(app.query_one("#scribe-hint").content)
        for key, said in (("f6", "acknowledge"), ("f7", "change status"), ("f2", "declare an incident"),
                          ("ctrl+n", "compose an update")):
            await pilot.press(key)
            await pilot.pause()
            assert app.notices[-1].startswith(f"{key.upper()} {said}: read-only view"), app.notices[-1]
        await pilot.press("x", "s", "e", *"typed")  # redact, star, edit on the selected entry; printable keys
        await pilot.pause()
        assert "read-only view" in app.notices[-1]
        assert app.screen is app.screen_stack[0]  # no dialog opened
    assert await entry_texts(db_path, incident.id) == before


async def test_a_read_only_screen_writes_no_breach_entry_when_a_target_passes(make_app, db_path, clock):
    incident = await seed(db_path)
    app = make_app(read_only=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await app.loaded.wait()
        clock.advance(minutes=90)  # SEV-1: acknowledge 5 min, resolve 1 h — both breached
        app.tick()
        await pilot.pause()
        await wait_for(pilot, lambda: any(t.state == "breached" for t in app.report.targets), what="the clock")
        await app.writes_done()
    assert not [t for t in await entry_texts(db_path, incident.id) if t.startswith("SLA breached")]
    scribe = make_app()  # the scribe's screen does write it: the test above means something
    async with scribe.run_test(size=(120, 40)) as pilot:
        await scribe.loaded.wait()
        clock.advance(minutes=0)
        scribe.tick()
        await pilot.pause()
        await scribe.writes_done()
    assert [t for t in await entry_texts(db_path, incident.id) if t.startswith("SLA breached")]
