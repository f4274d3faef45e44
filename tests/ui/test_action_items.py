"""Action items in the war room, driven by keys at the sizes users have: an edit keeps (or changes)
the owner, due time, tags and tracker with the text; ``d`` marks an action done and open again,
and says why not for anything else; the palette reaches the actions too; a light review exports."""

from __future__ import annotations

from datetime import timedelta

import pytest

from warroom.domain.presets import SEV
from warroom.store import Store
from warroom.ui.widgets.timeline import ScribeInput, TimelineTable

from fixtures.support import T0, table_texts, wait_for

M = timedelta(minutes=1)
SIZES = [(80, 24), (120, 40)]
IDS = [f"{w}x{h}" for w, h in SIZES]


async def seed_action(db_path):
    async with Store.open(db_path) as store:
        inc = await store.declare("Checkout 500s", SEV, "SEV-1", now=T0, author="ic")
        await store.append(inc.id, "pool at 100%", author="ana", now=T0)
        action = await store.append(inc.id, "[prevent] [P2] add a pool alert #JIRA-123", author="ana", now=T0,
                                    kind="action", owner="bo", due=T0 + 90 * M)
        return inc, action


async def stored(db_path, entry_id):
    async with Store.open(db_path) as store:
        return await store.entry(entry_id, with_history=True)


def painted_rows(app) -> str:
    table = app.query_one(TimelineTable)
    return "\n".join(table.render_line(y).text for y in range(table.size.height))


async def select_last(app, pilot):
    await app.loaded.wait()
    await pilot.pause()
    await pilot.press("up")
    assert isinstance(app.focused, TimelineTable)


async def open_edit(app, pilot):
    await pilot.press("e")
    await wait_for(pilot, lambda: app.screen.query("#prompt-input"), what="the edit prompt")
    return app.screen.query_one("#prompt-input")


@pytest.mark.parametrize("size", SIZES, ids=IDS)
async def test_an_action_is_edited_as_its_line_and_keeps_owner_due_and_tags(make_app, db_path, size):
    inc, action = await seed_action(db_path)
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await select_last(app, pilot)
        box = await open_edit(app, pilot)
        assert box.value == "@bo [prevent] [P2] add a pool alert by 11:30 #JIRA-123"
        # the text changed only: the owner, due, tags and tracker were in the line, so they stay
        await pilot.press("end", *["left"] * len(" by 11:30 #JIRA-123"), *" now", "enter")
        await app.writes_done()
        await pilot.pause()
        after = await stored(db_path, action.id)
        assert (after.text, after.owner, after.due) == (
            "[prevent] [P2] add a pool alert now #JIRA-123", "bo", T0 + 90 * M)
        assert [r.text for r in after.history] == ["[prevent] [P2] add a pool alert #JIRA-123"]
        assert "@bo by 11:30" in table_texts(app)[-1]


async def test_an_edit_moves_an_action_to_another_owner_and_time_and_a_bad_time_is_offered_again(
        make_app, db_path):
    inc, action = await seed_action(db_path)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await select_last(app, pilot)
        await open_edit(app, pilot)
        await pilot.press("ctrl+u", *"@cy [process] write it down by 25:99", "enter")
        # refused: the prompt comes back with the line as typed and the reason, nothing is written
        await wait_for(pilot, lambda: app.screen.query("#prompt-input")
                       and app.screen.query_one("#prompt-input").value.endswith("by 25:99"), what="the line again")
        assert "Not saved" in " ".join(str(s.render()) for s in app.screen.query("Static"))
        assert (await stored(db_path, action.id)).owner == "bo"
        await pilot.press("ctrl+u", *"@cy [process] write it down by 12:15", "enter")
        await app.writes_done()
        await pilot.pause()
        after = await stored(db_path, action.id)
        assert (after.text, after.owner, after.due) == ("[process] write it down", "cy", T0 + 135 * M)


@pytest.mark.parametrize("size", SIZES, ids=IDS)
async def test_d_marks_an_action_done_and_open_again(make_app, db_path, clock, size):
    from warroom.ui.screens.entry_view import EntryView

    inc, action = await seed_action(db_path)
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await select_last(app, pilot)
        clock.advance(minutes=20)
        await pilot.press("d")
        await app.writes_done()
        await pilot.pause()
        done = await stored(db_path, action.id)
        assert (done.done_at, done.done_by) == (T0 + 20 * M, "scribe")
        assert table_texts(app)[-1].startswith("✓ done @bo")
        assert "✓ done @bo by 11:30" in painted_rows(app)  # drawn, not only held (rows are cached)
        await pilot.press("v")
        await wait_for(pilot, lambda: isinstance(app.screen, EntryView), what="the entry view")
        assert "Status    done Mon 23 Nov 2026 10:20:00" in app.screen.text.plain
        assert "10:20:00 UTC by scribe" in app.screen.text.plain
        await pilot.press("escape")
        await pilot.press("d")
        await app.writes_done()
        await pilot.pause()
        assert (await stored(db_path, action.id)).done_at is None
        assert not table_texts(app)[-1].startswith("✓")
        assert "✓ done" not in painted_rows(app)


async def test_d_on_a_note_says_why_not_and_writes_nothing(make_app, db_path):
    inc, action = await seed_action(db_path)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await select_last(app, pilot)
        await pilot.press("up", "d")
        await app.writes_done()
        await wait_for(pilot, lambda: any("Only an action item" in n for n in app.notices),
                       what="the reason")
        assert app.query_one(ScribeInput).value == ""  # "d" typed nothing into the line either
        assert app.focused is app.query_one(TimelineTable)


async def test_the_palette_picks_an_action_to_mark_done(make_app, db_path):
    from warroom.ui.palette import war_room_commands

    inc, action = await seed_action(db_path)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await app.loaded.wait()
        commands = {c.title: c for c in war_room_commands(app)}
        commands["Mark an action done"].callback()
        await wait_for(pilot, lambda: app.screen.query("#picker"), what="the action picker")
        assert "☐ open  @bo  [prevent] [P2] add a pool alert #JIRA-123" in str(
            app.screen.query_one("#picker").get_option_at_index(0).prompt)
        await pilot.press("enter")
        await app.writes_done()
        await pilot.pause()
        assert (await stored(db_path, action.id)).done_by == "scribe"


async def test_the_palette_exports_the_light_review(make_app, db_path, tmp_path):
    from warroom.ui.palette import war_room_commands

    await seed_action(db_path)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await app.loaded.wait()
        commands = {c.title: c for c in war_room_commands(app)}
        commands["Export markdown, light review"].callback()
        await wait_for(pilot, lambda: getattr(app, "last_export", None), what="the export")
        light = app.last_export.read_text()
        app.last_export = None
        commands["Export markdown"].callback()
        await wait_for(pilot, lambda: getattr(app, "last_export", None), what="the export")
        full = app.last_export.read_text()
    assert "add a pool alert" in light and len(light) < len(full)
    assert "## Participants" in full and "## Participants" not in light
