"""The scribe's editor, driven by keys: what the store holds and what the panes show."""

from __future__ import annotations

from warroom.domain.frozen import replace
from datetime import timedelta

import pytest
from textual import events

from warroom.domain.presets import SEV
from warroom.store import Store
from warroom.ui.widgets.timeline import ScribeInput, TimelinePane, TimelineTable

from fixtures.support import T0, burst, hold_write_lock, pane_text, table_texts, wait_for

M = timedelta(minutes=1)


async def seed(db_path, **kw):
    async with Store.open(db_path) as store:
        return await store.declare(kw.pop("title", "Checkout 500s"), SEV, kw.pop("severity", "SEV-1"),
                                   now=kw.pop("now", T0), author="ic", **kw)


async def entries(db_path, incident_id):
    async with Store.open(db_path) as store:
        return await store.entries(incident_id, with_history=True)


async def incident(db_path, incident_id):
    async with Store.open(db_path) as store:
        return await store.incident(incident_id)


async def type_line(app, pilot, text: str) -> None:
    await pilot.press(*text)
    await pilot.press("enter")
    await app.writes_done()
    await pilot.pause()


async def started(app, pilot):
    await app.loaded.wait()
    await pilot.pause()


async def test_input_is_focused_and_enter_logs_durably(make_app, db_path, clock):
    inc = await seed(db_path)
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await started(app, pilot)
        assert isinstance(app.focused, ScribeInput)
        clock.advance(minutes=2)
        await type_line(app, pilot, "error rate 15x baseline")
        assert app.query_one(ScribeInput).value == ""
        assert table_texts(app)[-1] == "error rate 15x baseline"
        stored = await entries(db_path, inc.id)  # a separate connection: it is committed
        assert (stored[-1].text, stored[-1].kind, stored[-1].author, stored[-1].at) == (
            "error rate 15x baseline", "note", "scribe", T0 + 2 * M)


async def test_fast_typing_loses_nothing(make_app, db_path):
    inc = await seed(db_path)
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await started(app, pilot)
        keys = []
        for n in range(30):
            keys += [*f"line {n}", "enter"]
        await pilot.press(*keys)  # no pause between lines
        await app.writes_done()
        await pilot.pause()
        assert [e.text for e in await entries(db_path, inc.id)][1:] == [f"line {n}" for n in range(30)]
        assert table_texts(app)[1:] == [f"line {n}" for n in range(30)]


@pytest.mark.parametrize("keys, logged", [
    ([*"alpha one", "enter", *"bravo two", "enter", *"charlie three", "enter"],
     ["alpha one", "bravo two", "charlie three"]),
    ([*"abc", "backspace", "backspace", *"xy", "left", "left", "Z", "enter"], ["aZxy"]),
    (["up", *"hello", "enter"], ["hello"]),  # h sends the typing back to the line; e (edit) follows it there
])
async def test_keys_arriving_together_act_in_the_order_typed(make_app, db_path, keys, logged):
    inc = await seed(db_path)
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await started(app, pilot)
        burst(app, *keys)
        await pilot.pause()
        await wait_for(pilot, lambda: app.query_one(ScribeInput).value == "", what="the line to be taken")
        await app.writes_done()
        assert [e.text for e in await entries(db_path, inc.id)][1:] == logged
        assert app.query_one(ScribeInput).value == ""


async def test_keys_behind_a_key_that_moves_the_focus_go_where_it_moved(make_app, db_path):
    inc = await seed(db_path)
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await started(app, pilot)
        await type_line(app, pilot, "first")
        # ↑ selects the entry just logged, s stars it, Esc goes back to typing: all in one burst
        burst(app, "up", "s", "escape", *"next", "enter")
        await pilot.pause()
        await wait_for(pilot, lambda: len(app.query_one(TimelinePane).entries) == 3, what="both lines")
        await wait_for(pilot, lambda: any(e.starred for e in app.query_one(TimelinePane).entries.values()),
                       what="the star")
        await app.writes_done()
        stored = await entries(db_path, inc.id)
        assert [(e.text, e.starred) for e in stored][1:] == [("first", True), ("next", False)]
        assert isinstance(app.focused, ScribeInput) and app.focused.value == ""


async def test_a_paste_of_several_lines_is_kept_whole_on_the_line(make_app, db_path):
    inc = await seed(db_path)
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await started(app, pilot)
        await pilot.press(*"from #alerts: ")
        app.post_message(events.Paste("checkout-7f9 OOMKilled\r\n\n   payments p99 2.3s  \nrollback started\n"))
        await pilot.pause()
        joined = "from #alerts: checkout-7f9 OOMKilled ⏎ payments p99 2.3s ⏎ rollback started"
        assert app.query_one(ScribeInput).value == joined
        assert "3 pasted lines joined" in pane_text(app, "#scribe-hint")
        await type_line(app, pilot, "")
        assert [e.text for e in await entries(db_path, inc.id)][1:] == [joined]
        assert "pasted" not in pane_text(app, "#scribe-hint")


async def test_backdating_places_the_entry_in_time_order(make_app, db_path, clock):
    inc = await seed(db_path)
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await started(app, pilot)
        clock.advance(minutes=10)
        await type_line(app, pilot, "mitigation started")
        await type_line(app, pilot, "@10:03 alert fired")
        stored = await entries(db_path, inc.id)
        backdated = next(e for e in stored if e.text == "alert fired")
        assert backdated.at == T0 + 3 * M and backdated.logged_at == T0 + 10 * M
        assert table_texts(app)[1:] == ["alert fired", "mitigation started"]


@pytest.mark.parametrize(
    ("line", "kind", "text", "extra"),
    [
        ("/d roll back instead of hotfix", "decision", "roll back instead of hotfix", {}),
        ("/a @alice restart the pool by 14:00", "action", "restart the pool",
         {"owner": "alice", "due": T0.replace(hour=14)}),
        ("/c posted update to #incidents", "comms", "posted update to #incidents", {}),
        ("/e paged the DBA on-call", "escalation", "paged the DBA on-call", {}),
        ("/n just a note", "note", "just a note", {}),
        ("//etc/hosts looks wrong", "note", "/etc/hosts looks wrong", {}),
        ("/d @10:02 freeze deploys", "decision", "freeze deploys", {"at": T0 + 2 * M}),
    ],
)
async def test_entry_commands(make_app, db_path, clock, line, kind, text, extra):
    inc = await seed(db_path)
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await started(app, pilot)
        clock.advance(minutes=5)
        await type_line(app, pilot, line)
        e = (await entries(db_path, inc.id))[-1] if "at" not in extra else next(
            x for x in await entries(db_path, inc.id) if x.text == text)
        assert (e.kind, e.text) == (kind, text)
        for field, value in extra.items():
            assert getattr(e, field) == value
        assert text in table_texts(app)[-1] or text in table_texts(app)


async def test_status_ack_severity_and_roles_from_the_line(make_app, db_path, clock):
    inc = await seed(db_path, detected_at=T0 - 2 * M)
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await started(app, pilot)
        clock.advance(minutes=1)
        await type_line(app, pilot, "/ack")
        await type_line(app, pilot, "/s identified")
        await type_line(app, pilot, "/sev 2")
        await type_line(app, pilot, "/ic Alice Smith")
        await type_line(app, pilot, "/tl Bob")
        await type_line(app, pilot, "/cl Carol")
        await type_line(app, pilot, "/scribe Sam")
        clock.advance(minutes=5)
        await type_line(app, pilot, "/s @10:04 monitoring")
        after = await incident(db_path, inc.id)
        assert after.milestones["acknowledged"] == T0 + M
        assert after.milestones["identified"] == T0 + M
        assert after.milestones["mitigated"] == T0 + 4 * M
        assert after.status == "monitoring" and after.severity == "SEV-2"
        assert after.roles == {"commander": "Alice Smith", "tech_lead": "Bob", "comms_lead": "Carol", "scribe": "Sam"}
        texts = table_texts(app)
        for expected in ("Acknowledged by scribe", "Status investigating → identified",
                         "Severity lowered: SEV-1 Critical → SEV-2 High", "Incident commander: Alice Smith",
                         "Tech lead: Bob", "Comms lead: Carol", "Scribe: Sam", "Status identified → monitoring"):
            assert expected in texts
        header = pane_text(app, "#header")
        assert "SEV-2" in header and "MONITORING" in header and "Alice Smith" in header


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("/s fixed", "unknown status 'fixed'"),
        ("@25:00 typo time", "not a time of day"),
        ("/bogus", "unknown command /bogus"),
        ("@2026-11-23T11:30Z in the future", "in the future"),
        # HH:MM is the most recent such time: 11:30 at 10:00 is yesterday's, a day before the incident.
        ("@11:30 a day early", "'11:30' is 2026-11-22 11:30, 22h30m before #1 was declared (2026-11-23 10:00)"),
        ("@03:30 before the incident", "give the date: @2026-11-23T03:30"),
    ],
)
async def test_a_line_that_does_not_parse_is_kept_with_the_reason(make_app, db_path, line, message):
    inc = await seed(db_path)
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await started(app, pilot)
        await type_line(app, pilot, line)
        assert app.query_one(ScribeInput).value == line
        assert message in pane_text(app, "#scribe-hint")
        assert len(await entries(db_path, inc.id)) == 1


async def test_a_refused_change_is_reported(make_app, db_path):
    await seed(db_path)
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await started(app, pilot)
        await type_line(app, pilot, "/ack")
        await type_line(app, pilot, "/ack")
        assert "already acknowledged" in pane_text(app, "#scribe-hint")


async def test_edit_keeps_the_revision(make_app, db_path):
    inc = await seed(db_path)
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await started(app, pilot)
        await type_line(app, pilot, "pool at 100%")
        await pilot.press("up")
        assert isinstance(app.focused, TimelineTable)
        await pilot.press("e")
        await wait_for(pilot, lambda: app.screen.query("#prompt-input"), what="edit prompt")
        await pilot.press("ctrl+u", *"pool at 100% on db-1", "enter")
        await app.writes_done()
        await pilot.pause()
        e = (await entries(db_path, inc.id))[-1]
        assert e.text == "pool at 100% on db-1" and e.revision == 2
        assert [r.text for r in e.history] == ["pool at 100%"]
        assert table_texts(app)[-1] == "pool at 100% on db-1"
        assert "revision 2" in pane_text(app, "#entry-detail")


@pytest.mark.parametrize("after", [["enter"], [*"next", "enter"]])
async def test_keys_typed_ahead_of_the_edit_prompt_closing_are_neither_lost_nor_fatal(make_app, db_path, after):
    inc = await seed(db_path)
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await started(app, pilot)
        await type_line(app, pilot, "pool at 100%")
        await pilot.press("up", "e")
        await wait_for(pilot, lambda: app.screen.query("#prompt-input"), what="edit prompt")
        # Enter twice used to dismiss the prompt twice and pop the war room itself (a crash); the
        # keys typed after Enter went into the prompt as it closed, and were lost
        burst(app, "end", *" on db-1", "enter", *after)
        await pilot.pause()
        if after == ["enter"]:  # the second Enter reached the timeline: it opens the entry, as Enter there does
            from warroom.ui.screens.entry_view import EntryView

            await wait_for(pilot, lambda: isinstance(app.screen, EntryView), what="the entry view")
            await wait_for(pilot, lambda: "pool at 100% on db-1" in app.screen.text.plain, what="the edited text")
            await pilot.press("escape")
        await wait_for(pilot, lambda: len(app.screen_stack) == 1 and not app.query_one(ScribeInput).value
                       and len(app.query_one(TimelinePane).entries) == (3 if len(after) > 1 else 2),
                       what="the prompt closed and every line taken")
        await app.writes_done()
        stored = await entries(db_path, inc.id)
        assert (stored[1].text, stored[1].revision) == ("pool at 100% on db-1", 2)
        assert [e.text for e in stored[2:]] == (["next"] if len(after) > 1 else [])
        assert app.is_running


async def test_an_edit_in_the_middle_keeps_its_place_and_the_other_rows_drawn(make_app, db_path):
    await seed(db_path)
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await started(app, pilot)
        for text in ("first", "second", "third"):
            await type_line(app, pilot, text)
        table = app.query_one(TimelineTable)
        pane = app.query_one(TimelinePane)

        def painted(row: int) -> str:
            table.read_styles()  # as a paint does
            return "".join(segment.text for segment in table.render_row(row, table.size.width))

        def drawn(entry) -> list:
            """Which strips ``entry``'s row is cached as (rendered, and with its look laid over)."""
            return [id(table._cache.get(key)) for key in table._cache.keys() if key[0] == entry.id]

        third = table.entries[-1]
        await pilot.press("up", "up")  # the table, on "second"
        await pilot.pause()
        painted(table.row_count - 1)
        before = drawn(third)
        await pilot.press("e")
        await wait_for(pilot, lambda: app.screen.query("#prompt-input"), what="edit prompt")
        await pilot.press("ctrl+u", *"second, on db-1", "enter")
        await app.writes_done()
        await wait_for(pilot, lambda: "second, on db-1" in table_texts(app), what="the edit shown")
        assert table_texts(app)[-3:] == ["first", "second, on db-1", "third"]
        assert table.entries[table.cursor_row].text == "second, on db-1"  # the cursor stayed on it
        assert "second, on db-1" in painted(table.row_count - 2)
        assert before and drawn(third) == before  # "third" was not rendered again for it
        assert table.entries[-1] is third

        # an edit that moves the entry in time sorts the rows again
        pane.upsert([replace(third, at=third.at - 60 * M, revision=third.revision + 1)])
        await pilot.pause()
        assert table_texts(app)[0] == "third"
        assert "third" in painted(0)


async def test_redaction_needs_a_reason_and_hides_the_text(make_app, db_path):
    inc = await seed(db_path)
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await started(app, pilot)
        await type_line(app, pilot, "password=hunter2")
        await pilot.press("up", "x")
        await wait_for(pilot, lambda: app.screen.query("#prompt-input"), what="redact prompt")
        await pilot.press(*"secret pasted", "enter")
        await app.writes_done()
        await pilot.pause()
        e = (await entries(db_path, inc.id))[-1]
        assert e.redacted and e.redaction_reason == "secret pasted"
        assert table_texts(app)[-1] == "redacted: secret pasted"
        assert "hunter2" not in " ".join(table_texts(app))


async def test_star_filter_and_search(make_app, db_path):
    inc = await seed(db_path)
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await started(app, pilot)
        await type_line(app, pilot, "/d roll back")
        await type_line(app, pilot, "db pool exhausted")
        await type_line(app, pilot, "/d page the DBA")
        await pilot.press("up", "s")
        await app.writes_done()
        await pilot.pause()
        assert (await entries(db_path, inc.id))[-1].starred
        await pilot.press("f")
        await wait_for(pilot, lambda: app.screen.query("#picker"), what="filter picker")
        await pilot.press("down", "down", "down", "enter")  # all kinds, note, action, decision
        await pilot.pause()
        assert table_texts(app) == ["roll back", "page the DBA"]
        assert "kind: decision" in app.query_one("#timeline-pane").border_title
        await pilot.press("f")
        await wait_for(pilot, lambda: app.screen.query("#picker"), what="filter picker")
        await pilot.press("home", "enter")
        await pilot.press("slash")
        await wait_for(pilot, lambda: app.screen.query("#prompt-input"), what="search prompt")
        await pilot.press(*"POOL", "enter")
        await pilot.pause()
        assert table_texts(app) == ["db pool exhausted"]


async def test_printable_key_or_paste_in_the_table_goes_back_to_typing(make_app, db_path):
    await seed(db_path)
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await started(app, pilot)
        await type_line(app, pilot, "first")
        await pilot.press("up", "h", "i")
        assert isinstance(app.focused, ScribeInput)
        assert app.query_one(ScribeInput).value == "hi"
        await pilot.press("up")
        app.post_message(events.Paste(" there\nagain"))
        await pilot.pause()
        assert isinstance(app.focused, ScribeInput)
        assert app.query_one(ScribeInput).value == "hi there ⏎ again"


async def test_user_text_renders_literally(make_app, db_path):
    inc = await seed(db_path)
    hostile = ["[bold red]x[/]", "[link=http://evil]click[/link]", "deploy 🚀🔥 done", "\x1b[2J\x1b[31mred",
               "A" * 2000, "rtl \u202eoverride"]
    async with Store.open(db_path) as store:
        for text in hostile:
            await store.append(inc.id, text, author="[i]mallory[/i]", now=T0)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await started(app, pilot)
        texts = table_texts(app)
        assert texts[1] == "[bold red]x[/]"
        assert texts[2] == "[link=http://evil]click[/link]"
        assert texts[3] == "deploy 🚀🔥 done"
        assert texts[4] == "␛[2J␛[31mred"
        assert texts[5] == "A" * 2000
        assert texts[6] == "rtl <U+202E>override"
        table = app.query_one(TimelineTable)
        assert table.row_cells(1)[3].plain.startswith("[i]mallory")
        # the long line is clipped by its column and the layout holds: the input is still on screen
        assert app.query_one(ScribeInput).region.bottom <= 24
        assert table.virtual_size.width <= table.size.width + 1


@pytest.mark.parametrize("size, author_shown", [((120, 36), False), ((160, 48), True)])
async def test_the_author_column_gives_way_before_entries_are_cut_short(make_app, db_path, size, author_shown):
    await seed(db_path)
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await started(app, pilot)
        await type_line(app, pilot, "rolled back checkout to 2.4.0")
        table = app.query_one(TimelineTable)
        shown = table.render_row(table.row_count - 1, table.size.width).text
        assert "rolled back checkout to 2.4.0" in shown
        assert ("scribe" in shown) is author_shown
        assert ("author" in pane_text(app, "#timeline-header")) is author_shown
        assert "scribe" in pane_text(app, "#entry-detail")  # still named for the selected entry


async def test_lines_typed_while_the_database_is_locked_are_kept_and_written_once(make_app, db_path):
    from warroom.room.writes import Backoff

    inc = await seed(db_path)
    app = make_app(backoff=Backoff(first=0.1, limit=0.2))
    async with app.run_test(size=(160, 48)) as pilot:
        await started(app, pilot)
        await app.store.set_busy_timeout(50)
        blocker = hold_write_lock(db_path)
        try:
            await pilot.press(*"first while locked", "enter", *"second while locked", "enter")
            await wait_for(pilot, lambda: "2 lines not saved yet" in pane_text(app, "#scribe-hint"),
                           what="the hint to count both lines")
            assert "locked" in pane_text(app, "#scribe-hint")
            assert app.query_one(ScribeInput).value == ""  # the line is free for the next one
        finally:
            blocker.execute("ROLLBACK")
            blocker.close()
        await app.writes_done()
        await pilot.pause()
        assert "not saved" not in pane_text(app, "#scribe-hint")
        texts = [e.text for e in await entries(db_path, inc.id)]
        assert texts[1:] == ["first while locked", "second while locked"]  # each once, in order
        assert table_texts(app)[1:] == ["first while locked", "second while locked"]


async def test_quit_with_lines_the_database_will_not_take_keeps_them_in_a_file(make_app, db_path, monkeypatch,
                                                                                 capsys):
    import stat

    import warroom.ui.flows.quit as quit_flow

    monkeypatch.setattr(quit_flow, "QUIT_WAIT", 0.3)
    await seed(db_path)
    app = make_app()
    blocker = None
    try:
        async with app.run_test(size=(160, 48)) as pilot:
            await started(app, pilot)
            await app.store.set_busy_timeout(50)
            blocker = hold_write_lock(db_path)
            await pilot.press(*"[bold]pool[/] at 95%", "enter", *"/d @09:55 roll back", "enter")
            await wait_for(pilot, lambda: "not saved yet" in pane_text(app, "#scribe-hint"), what="the hint")
            await pilot.press("ctrl+q", "ctrl+q")  # lines wait: it asks first; again quits
            await wait_for(pilot, lambda: app.return_code is not None, what="exit")
    finally:
        if blocker is not None:
            blocker.execute("ROLLBACK")
            blocker.close()
    saved = list(db_path.parent.glob("unsaved-*.txt"))
    assert len(saved) == 1
    told = "".join(capsys.readouterr().err.split())  # the message after exit, however it wrapped
    assert "2line(s)couldnotbewritten" in told and "locked" in told and saved[0].name in told
    lines = [line for line in saved[0].read_text().splitlines() if not line.startswith("#")]
    assert lines == [f"{T0:%Y-%m-%dT%H:%M:%S}.000000Z  [bold]pool[/] at 95%",  # literal, with the time typed
                     f"{T0:%Y-%m-%dT%H:%M:%S}.000000Z  /d @09:55 roll back"]
    assert stat.S_IMODE(saved[0].stat().st_mode) == 0o600


async def test_the_high_contrast_theme_repaints_rows_already_rendered(make_app, db_path):
    await seed(db_path)
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await started(app, pilot)
        await type_line(app, pilot, "pool at 95%")
        table = app.query_one(TimelineTable)

        def row_styles():
            table.read_styles()  # as a paint does
            return [segment.style for segment in table.render_line(table.row_count - 1)]

        before = row_styles()
        await pilot.press("ctrl+t")
        await pilot.pause()
        assert row_styles() != before  # not the cached rows in the old colours
