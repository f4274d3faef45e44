"""The scribe's line after a refusal, and pastes (issue #18, items 4 and 5): a refused line stays
once, selected, until the next key replaces it; nothing typed is lost (↑ brings back lines not
logged); a paste keeps its order without the terminal's escape codes."""

from __future__ import annotations

import pytest
from textual import events

from warroom.domain.presets import SEV
from warroom.store import Store
from warroom.ui.widgets.timeline import ScribeInput, TimelineTable

from fixtures.support import T0, burst, hold_write_lock, pane_text, wait_for

SIZES = [(80, 24), (120, 40), (200, 60)]
SIZE_IDS = ["80x24", "120x40", "200x60"]
KUBECTL = "kubectl says: \x1b[32mRunning\x1b[0m ok"

# every way a line can be refused: the grammar, the time, the policy, the incident's state
REFUSED = [
    ("@25:99 bad time", "not a time of day"),
    ("/s fixed", "unknown status 'fixed'"),
    ("/sev 9", "9"),
    ("/bogus", "unknown command /bogus"),
    ("/sev SEV-1", "severity is already SEV-1"),
    ("/ic", "needs a name"),
    ("/a", "needs what to do"),
]


async def seed(db_path):
    async with Store.open(db_path) as store:
        return await store.declare("Checkout 500s", SEV, "SEV-1", now=T0, author="ic")


async def logged(db_path, incident_id) -> list[str]:
    async with Store.open(db_path) as store:
        return [e.text for e in await store.entries(incident_id) if e.author == "scribe"]


async def started(app, pilot):
    await app.loaded.wait()
    await pilot.pause()


async def enter(app, pilot, text: str) -> None:
    await pilot.press(*text, "enter")
    await app.writes_done()
    await pilot.pause()


def hint(app) -> str:
    return pane_text(app, "#scribe-hint")


def hint_is_error(app) -> bool:
    return app.query_one("#scribe-hint").has_class("-error")


@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
async def test_a_refused_line_stays_selected_and_the_next_line_is_logged_alone(make_app, db_path, size):
    inc = await seed(db_path)
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await started(app, pilot)
        box = app.query_one(ScribeInput)
        for n, (bad, why) in enumerate(REFUSED):
            await enter(app, pilot, bad)
            assert box.value == bad and box.selected_text == bad, bad  # once, all of it selected
            assert why in hint(app) and hint_is_error(app), (bad, hint(app))
            await enter(app, pilot, bad)  # Enter again: refused again, never doubled
            assert box.value == bad and box.selected_text == bad
            await pilot.press(*f"line {n}")  # the first key replaces it; the reason goes at once
            assert box.value == f"line {n}"
            assert not hint_is_error(app) and why not in hint(app)
            await pilot.press("enter")
            await app.writes_done()
            await pilot.pause()
            assert box.value == ""
        assert await logged(db_path, inc.id) == [f"line {n}" for n in range(len(REFUSED))]


@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
async def test_up_recalls_refused_and_cleared_lines_then_reaches_the_timeline(make_app, db_path, size):
    inc = await seed(db_path)
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await started(app, pilot)
        box = app.query_one(ScribeInput)
        await enter(app, pilot, "@25:99 bad time")
        await enter(app, pilot, "rollback started")  # typed over the refused line: logged alone
        await enter(app, pilot, "/s fixed")
        await pilot.press("escape")  # Esc clears a refused line …
        assert box.value == "" and not hint_is_error(app)
        await pilot.press(*"half a thought")
        await pilot.press("up")  # … and ↑ brings it back; what was being typed is kept
        assert box.value == "/s fixed" and box.cursor_position == len("/s fixed")
        await pilot.press("up")
        assert box.value == "@25:99 bad time"
        await pilot.press("down", "down")
        assert box.value == "half a thought"
        await pilot.press("escape")  # a draft cleared unlogged is kept too
        await pilot.press("up")
        assert box.value == "half a thought"
        await pilot.press("up", "up", "up")
        assert isinstance(app.focused, TimelineTable)  # past the oldest: the timeline, as before
        assert await logged(db_path, inc.id) == ["rollback started"]
        await pilot.press("i")  # back on the line: the oldest, recalled, still there
        assert box.value == "@25:99 bad time"
        await enter(app, pilot, "")  # refused again: selected, so typing replaces it
        await enter(app, pilot, "note one")
        await pilot.press("up")
        assert box.value == "@25:99 bad time"  # refused last: the newest
        await pilot.press("up")
        assert box.value == "half a thought"
        await enter(app, pilot, "")  # a recalled line logged as it is …
        await pilot.press("up", "up")
        assert box.value == "/s fixed"  # … is not offered again: it is in the timeline
        assert await logged(db_path, inc.id) == ["rollback started", "note one", "half a thought"]


async def test_a_line_refused_by_the_store_after_enter_comes_back_and_loses_nothing_typed_after(
        make_app, db_path):
    """Two ``/ack`` in one burst: the second passes the screen's check (the first is not in yet)
    and the store refuses it; the scribe typed on meanwhile, so it waits for ↑."""
    inc = await seed(db_path)
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await started(app, pilot)
        box = app.query_one(ScribeInput)
        burst(app, *"/ack", "enter", *"/ack", "enter", *"next")
        await wait_for(pilot, lambda: box.value == "next", what="the keys typed")
        await app.writes_done()
        await pilot.pause()
        assert box.value == "next"
        assert "already acknowledged" in hint(app) or not hint_is_error(app)
        await pilot.press("up")
        assert box.value == "/ack"
    async with Store.open(db_path) as store:
        assert (await store.incident(inc.id)).milestones["acknowledged"] == T0
        assert sum(e.text.startswith("Acknowledged") for e in await store.entries(inc.id)) == 1


async def test_with_no_incident_open_the_line_is_kept_selected(make_app, db_path):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await started(app, pilot)
        box = app.query_one(ScribeInput)
        await enter(app, pilot, "pool at 95%")
        assert box.value == "pool at 95%" and box.selected_text == "pool at 95%"
        assert "no incident open" in hint(app)


async def test_the_lines_waiting_warning_comes_back_when_a_refused_line_is_changed(make_app, db_path):
    inc = await seed(db_path)
    app = make_app(backoff=None)
    blocker = hold_write_lock(db_path)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await started(app, pilot)
            await pilot.press(*"pool at 95%", "enter")
            await wait_for(pilot, lambda: "1 line not saved yet" in hint(app), what="the waiting warning")
            await pilot.press(*"@25:99 x", "enter")
            assert "not a time of day" in hint(app)
            await pilot.press("k")
            assert "1 line not saved yet" in hint(app)  # not the help: the line still waits
            blocker.execute("ROLLBACK")
            await app.writes_done()
            await pilot.pause()
            assert "not saved" not in hint(app) and not hint_is_error(app)
    finally:
        blocker.close()
    assert await logged(db_path, inc.id) == ["pool at 95%"]


@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
async def test_a_paste_with_escape_sequences_lands_in_order(make_app, db_path, size):
    inc = await seed(db_path)
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await started(app, pilot)
        box = app.query_one(ScribeInput)
        await pilot.press(*"pod: ")
        app.focused.post_message(events.Paste(KUBECTL + "\x07"))
        await wait_for(pilot, lambda: "ok" in box.value, what="the paste")
        assert box.value == "pod: kubectl says: Running ok␇"
        await pilot.press("enter")
        await app.writes_done()
    assert await logged(db_path, inc.id) == ["pod: kubectl says: Running ok␇"]


async def test_a_paste_replaces_a_refused_line(make_app, db_path):
    inc = await seed(db_path)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await started(app, pilot)
        box = app.query_one(ScribeInput)
        await enter(app, pilot, "/s fixed")
        app.focused.post_message(events.Paste(KUBECTL))
        await wait_for(pilot, lambda: box.value != "/s fixed", what="the paste")
        assert box.value == "kubectl says: Running ok" and not hint_is_error(app)
        await pilot.press("enter")
        await app.writes_done()
    assert await logged(db_path, inc.id) == ["kubectl says: Running ok"]
