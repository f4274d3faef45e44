"""Reading the timeline at 3 a.m. (issue #18): every entry readable whole, every time dated.

At the sizes users have (80x24, 120x40, 200x60): Enter on a selected entry shows all of it and
Esc comes back to the same selection and the same half-typed line; an entry of another day than
the incident's sits under a separator line naming its day, and one logged after midnight is
dated the moment it is logged; long rows say there is more; an action keeps its owner and due.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from textual.geometry import Region

from warroom.domain.presets import SEV
from warroom.store import Store
from warroom.ui.widgets.timeline import ScribeInput, TimelinePane, TimelineTable

from fixtures.support import T0, wait_for

M = timedelta(minutes=1)
SIZES = pytest.mark.parametrize("size", [(80, 24), (120, 40), (200, 60)], ids=["80x24", "120x40", "200x60"])
# 300 characters, every word distinct: a page from the payments team, as pasted into the line
LONG = ("Paged by CheckoutHighErrorRate; joined the bridge at once. Error ratio 15x baseline on checkout-api "
        "since rollout 2.4.1 at 09:52. Payments confirm the EU card processor times out and ask us to hold "
        "deploys until their retry queue drains; they page again when done. Next step: roll back, watch p99 now")
assert len(LONG) == 300


async def seed(db_path, *lines):
    """An incident declared at T0 (Mon 23 Nov 10:00 UTC) and ``(text, at, kw)`` entries."""
    async with Store.open(db_path) as store:
        inc = await store.declare("Checkout 500s", SEV, "SEV-1", now=T0, author="ic")
        for text, at, kw in lines:
            await store.append(inc.id, text, author="sam", now=max(at, T0 + M), at=at, **kw)
        return inc


async def started(app, pilot):
    await app.loaded.wait()
    await pilot.pause()


def viewing(app) -> bool:
    """The full-entry view is on top."""
    return type(app.screen).__name__ == "EntryView"


def table_lines(app) -> list[str]:
    """The timeline's lines as drawn on screen (rows and separators), top to bottom."""
    table = app.query_one(TimelineTable)
    return [table.render_line(y).text.rstrip() for y in range(table.size.height)]


def view_lines(app) -> list[str]:
    """Every line of the full-entry view's text as drawn (including lines scrolled out of sight)."""
    text = app.screen.query_one("#entry-view-text")
    return [strip.text for strip in text.render_lines(Region(0, 0, text.size.width, text.size.height))]


@SIZES
async def test_a_long_entry_reads_whole_and_esc_comes_back_to_the_same_place(make_app, db_path, clock, size):
    await seed(db_path, (LONG, T0 + 2 * M, {}), ("pool at 100%", T0 + 3 * M, {}))
    clock.advance(minutes=10)
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await started(app, pilot)
        pane = app.query_one(TimelinePane)
        await pilot.press(*"half typed")
        await pilot.press("up", "up")  # into the timeline, then onto the long entry
        assert isinstance(app.focused, TimelineTable)
        selected = pane.selected_id()
        assert pane.entries[selected].text == LONG
        await pilot.press("enter")
        await wait_for(pilot, lambda: viewing(app), what="the entry view")
        await pilot.pause()
        lines = view_lines(app)
        shown = " ".join(lines)
        for word in LONG.split():
            assert word in shown, word
        assert "Mon 23 Nov 2026 10:02:00 local" in shown and "2026-11-23 10:02:00 UTC" in shown
        assert all(len(line) <= app.screen.query_one("#entry-view-text").size.width for line in lines)
        dialog = app.screen.query_one("#entry-view").region
        assert app.screen.region.contains_region(dialog)  # the view fits the screen; its text scrolls
        scroll = app.screen.query_one("#entry-view-scroll")
        assert scroll.max_scroll_y == max(0, len(lines) - scroll.scrollable_content_region.height)
        # an entry logged meanwhile (another scribe) moves nothing
        app.session.append_note("logged while the view was open")
        await app.writes_done()
        await pilot.pause()
        await pilot.press("escape")
        await wait_for(pilot, lambda: not viewing(app), what="back to the timeline")
        assert pane.selected_id() == selected and isinstance(app.focused, TimelineTable)
        assert len(pane.entries) == 4
        await pilot.press("i")
        assert app.query_one(ScribeInput).value == "half typed"
        await pilot.press("up", "up", "up", "v")  # v opens it too
        await wait_for(pilot, lambda: viewing(app), what="the entry view")
        assert app.screen.entry.text == LONG


@SIZES
async def test_an_entry_from_the_day_before_shows_its_date(make_app, db_path, size):
    # the first signs came in the evening before the incident was declared
    await seed(db_path, ("latency creeping up on checkout-api", T0 - timedelta(hours=11), {}),
               ("first page, auto-resolved", T0 - timedelta(hours=10, minutes=30), {}))
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await started(app, pilot)
        lines = table_lines(app)
        top = lines.index(next(line for line in lines if "latency creeping up" in line))
        assert "Sun 22 Nov" in lines[top - 1] and lines[top - 1].startswith("──")
        assert lines[top].split()[0] == "23:00:00"  # the time column stays HH:MM:SS
        declared = lines.index(next(line for line in lines if "Incident declared" in line))
        assert "Mon 23 Nov" in lines[declared - 1]  # back on the incident's day: said too
        assert sum("──" in line for line in lines) == 2
        # UTC view: the same days (the test's local time is UTC), times with Z
        await app.run_action("toggle_utc")
        await pilot.pause()
        lines = table_lines(app)
        assert any("Sun 22 Nov" in line for line in lines) and any("23:00:00Z" in line for line in lines)


@SIZES
async def test_an_entry_logged_after_midnight_is_dated_at_once(make_app, db_path, clock, size):
    await seed(db_path, ("rolled back to 2.4.0", T0 + 5 * M, {}))
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await started(app, pilot)
        assert not any("──" in line for line in table_lines(app))
        clock.advance(hours=13, minutes=59)  # 23:59 on the incident's day: no date needed yet
        await pilot.press(*"error rate back to baseline", "enter")
        await app.writes_done()
        await pilot.pause()
        assert not any("──" in line for line in table_lines(app))
        clock.advance(minutes=6)  # 00:05 the next day, no resize, no reload
        await pilot.press(*"all clear from payments", "enter")
        await app.writes_done()
        await pilot.pause()
        lines = table_lines(app)
        row = lines.index(next(line for line in lines if "all clear from payments" in line))
        assert "Tue 24 Nov" in lines[row - 1]
        assert lines[row].split()[0] == "00:05:00"
        assert "baseline" in lines[row - 2]


@SIZES
async def test_scrolling_up_to_a_days_first_entry_shows_its_day(make_app, db_path, size):
    day1 = [(f"day one {n}", T0 + n * M, {}) for n in range(1, 40)]
    day2 = [(f"day two {n}", T0 + timedelta(days=1) + n * M, {}) for n in range(40)]
    await seed(db_path, *day1, *day2)
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await started(app, pilot)
        await pilot.press("up")  # the last entry selected
        await pilot.press(*["up"] * 39)  # to "day two 0", scrolled to the top of the list
        pane = app.query_one(TimelinePane)
        assert pane.entries[pane.selected_id()].text == "day two 0"
        lines = table_lines(app)
        row = lines.index(next(line for line in lines if line.endswith("day two 0")))
        assert row >= 1 and "Tue 24 Nov" in lines[row - 1]


@SIZES
async def test_long_rows_say_there_is_more_and_actions_keep_owner_and_due(make_app, db_path, size):
    await seed(db_path, (LONG, T0 + 2 * M, {}),
               ("pause the reporting job that hammers the primary every five minutes " * 3, T0 + 3 * M,
                {"kind": "action", "owner": "bob", "due": T0 + 30 * M}))
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await started(app, pilot)
        lines = table_lines(app)
        action = next(line for line in lines if "ACTION" in line)
        assert "@bob by 10:30 pause the reporting job" in action and action.endswith("…")
        assert next(line for line in lines if "Paged by" in line).endswith("…")
        detail = app.query_one("#entry-detail")
        assert "@bob by 10:30" in str(detail.content) or detail.content_region.height < 2
        await pilot.press("up", "up")  # the long note: its detail is cut, and says so
        await pilot.pause()
        shown = str(detail.content).split("\n")
        assert len(shown) <= detail.content_region.height
        assert shown[-1].endswith(("Enter: whole entry", "…[+]"))


@SIZES
async def test_the_entry_column_takes_the_rest_of_the_pane(make_app, db_path, size):
    await seed(db_path)
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await started(app, pilot)
        table = app.query_one(TimelineTable)
        width = table.scrollable_content_region.width
        header = str(app.query_one("#timeline-header").content)
        text_width = len(header) - header.index("entry")
        assert text_width >= width - 34  # time, marks, kind (and author): a small fixed part
        assert text_width <= width - header.index("entry")
        row = table.render_line(0).text
        assert row.index("Incident declared") == header.index("entry")


async def test_earlier_versions_are_read_without_waiting_and_shown_oldest_first(make_app, db_path):
    inc = await seed(db_path, ("pool at 90%", T0 + 2 * M, {}))
    async with Store.open(db_path) as store:
        e = (await store.entries(inc.id))[-1]
        await store.edit(e.id, by="alice", now=T0 + 4 * M, text="pool at 95%")
        await store.edit(e.id, by="bob", now=T0 + 5 * M, text="pool at 100% on db-1")
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await started(app, pilot)
        await pilot.press("up", "enter")
        await wait_for(pilot, lambda: viewing(app), what="the entry view")
        await wait_for(pilot, lambda: "pool at 95%" in " ".join(view_lines(app)), what="the earlier versions")
        shown = "\n".join(view_lines(app))
        assert shown.index("pool at 100% on db-1") < shown.index("Earlier versions") < shown.index(
            "pool at 90%") < shown.index("pool at 95%")
        assert "revision 3" in shown
