"""Notices on their own line (never a toast over the room), the last ones recalled with ctrl+l; the
footer's help, palette and quit keys at every size; keys that do nothing say why; ctrl+q asks
before it drops lines or a drill; the palette without the commands that break the layout."""

from __future__ import annotations

from datetime import timedelta

import pytest
from textual.geometry import Region

from warroom.domain.presets import SEV
from warroom.store import Store
from warroom.ui.screens.confirm import ConfirmScreen
from warroom.ui.screens.drill import DrillReportScreen, WelcomeScreen
from warroom.ui.screens.notices import NoticesScreen
from warroom.ui.widgets.keybar import KeyBar
from warroom.ui.widgets.notice_strip import NoticeStrip
from warroom.ui.widgets.sla import SlaPane
from warroom.ui.widgets.timeline import ScribeInput

from fixtures.drill_support import Drive, drill_app
from fixtures.support import T0, FakeClock, hold_write_lock, pane_text, wait_for

M = timedelta(minutes=1)
SIZES = [(80, 24), (120, 40), (200, 60)]
IDS = ["80x24", "120x40", "200x60"]
INJECT = ("Customer success: 40 tickets in 10 minutes, all 'payment failed' at checkout. What do they tell "
          "customers? [bold]literal[/] \x1b[31m")


async def seed(db_path):
    async with Store.open(db_path) as store:
        return await store.declare("Checkout 500s", SEV, "SEV-1", now=T0, author="ic")


async def started(app, pilot):
    await app.loaded.wait()
    await pilot.pause()


def toasts(app) -> list:
    from textual.widgets._toast import Toast

    return [t for screen in app.screen_stack for t in screen.query(Toast)]


def strip_on(screen) -> NoticeStrip:
    return screen.query_one(NoticeStrip)


@pytest.mark.parametrize("size", SIZES, ids=IDS)
async def test_a_notice_goes_to_its_line_and_covers_neither_the_room_nor_a_dialog(make_app, db_path, size):
    await seed(db_path)
    app = make_app()
    async with app.run_test(size=size, notifications=True) as pilot:
        await started(app, pilot)
        await pilot.press(*"pool at 95")  # a line being typed
        app.notify(INJECT, title="Drill inject", severity="warning", timeout=30)
        await pilot.pause()
        main = app.screen
        strip = strip_on(main)
        assert strip.region.height == 1 and strip.region.bottom == size[1] - 1  # just above the footer
        shown = strip.text
        assert shown.startswith(" 10:00:00 WARN Drill inject: Customer success: 40 tickets")
        assert len(shown) <= size[0] and ("^l more" in shown) == (size[0] < 200)
        assert "\x1b" not in shown
        for widget in (app.query_one(SlaPane), app.query_one(ScribeInput), app.query_one("#timeline-pane"),
                       app.query_one(KeyBar)):
            assert widget.region.height and not widget.region.overlaps(strip.region), widget
        assert app.query_one(ScribeInput).value == "pool at 95"

        await pilot.press("f7")  # a dialog open when the next inject comes
        await wait_for(pilot, lambda: app.screen is not main and app.screen.query("#picker"), what="the dialog")
        app.notify("Legal asks whether card data was exposed.", title="Drill inject", severity="warning")
        await pilot.pause()
        dialog, line = app.screen.query_one(".dialog"), strip_on(app.screen)
        assert "Legal asks whether card data was exposed." in line.text
        assert not dialog.region.overlaps(line.region) and line.region.bottom == size[1] - 1
        assert "Legal asks" in strip.text  # and the room's line has it on return
        assert toasts(app) == []


async def test_a_drill_inject_and_briefing_reach_the_strip_not_a_toast(db_path, tmp_path):
    clock = FakeClock(T0)
    app = drill_app(db_path, "bad-deploy", clock, tmp_path)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        drive = Drive(app, pilot, clock)
        await drive.start()
        assert any(n.title.startswith("DRILL: ") for n in app.notices)  # the briefing
        await drive.to(6 * M)
        inject = next(n for n in reversed(app.notices) if n.title == "Drill inject")
        assert strip_on(app.screen).text.startswith(f" {inject.at:%H:%M:%S} WARN Drill inject: ")
        assert toasts(app) == []


async def test_ctrl_l_recalls_the_last_notices_whole_and_esc_closes(make_app, db_path, clock):
    await seed(db_path)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await started(app, pilot)
        app.notify("first: the pool is at 95%", title="SLA")
        clock.advance(minutes=1)
        app.notify(INJECT, title="Drill inject", severity="warning")
        clock.advance(minutes=1)
        app.notify("Export failed: disk full", severity="error")
        await pilot.pause()
        main = app.screen
        await pilot.press("ctrl+l")
        await wait_for(pilot, lambda: isinstance(app.screen, NoticesScreen), what="the notices")
        shown = app.screen.query_one("#notices-text")
        lines = [s.text.rstrip() for s in shown.render_lines(Region(0, 0, *shown.size))]
        assert lines[0] == "10:02:00 ERROR Export failed: disk full"
        assert lines[1].startswith("10:01:00 WARN  Drill inject: Customer success")
        assert lines[-1] == "10:00:00 info  SLA: first: the pool is at 95%"
        inject = " ".join(line[15:].strip() for line in lines[1:-1])  # wrapped in its own column
        assert inject.endswith("What do they tell customers? [bold]literal[/] ␛[31m")  # whole, literal
        assert all(line[:15].strip() == "" for line in lines[2:-1])
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is main, what="back to the room")


@pytest.mark.parametrize("size", SIZES, ids=IDS)
async def test_the_footer_always_shows_help_the_palette_and_quit(make_app, db_path, size):
    await seed(db_path)
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await started(app, pilot)
        for focus in ("typing", "timeline"):
            if focus == "timeline":
                await pilot.press("up")  # the timeline's own keys join the bar
                await pilot.pause()
            bar = app.query_one(KeyBar).text
            assert len(bar) <= size[0]
            assert bar.lstrip().startswith("F1 Help"), bar
            assert bar.rstrip().endswith("^p Palette  ^q Quit") or bar.rstrip().endswith("^p Palette ^q Quit"), bar
            if size[0] >= 200 and focus == "typing":
                assert "F9 Export" in bar and "^n Update" in bar and "…" not in bar
            if size[0] == 80:
                assert "…" in bar  # the keys left out are in F1 and the palette


async def test_a_key_that_does_nothing_in_a_drill_says_why(db_path, tmp_path):
    clock = FakeClock(T0)
    app = drill_app(db_path, "bad-deploy", clock, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(app, pilot)
        main = app.screen
        await pilot.press("f3")
        await pilot.pause()
        assert app.screen is main
        assert app.notices[-1] == "F3 switch incident: not in a drill — it runs its own incident only (ctrl+q ends it)"
        assert "F3 switch incident: not in a drill" in strip_on(main).text
        await pilot.press("f2")
        await pilot.pause()
        assert app.notices[-1].startswith("F2 declare an incident: not in a drill")


async def test_drill_keys_outside_a_drill_say_so(make_app, db_path):
    await seed(db_path)
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await started(app, pilot)
        await pilot.press("f11")
        await pilot.pause()
        assert app.notices[-1] == "F11 pause the drill: only in a drill (warroom drill runs one)"


async def test_ctrl_q_asks_when_a_line_waits_and_stays_on_esc(make_app, db_path):
    await seed(db_path)
    app = make_app()
    blocker = None
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await started(app, pilot)
            await app.store.set_busy_timeout(50)
            blocker = hold_write_lock(db_path)
            await pilot.press(*"pool at 95%", "enter")
            await wait_for(pilot, lambda: app.writes.lines_waiting == 1 and app.writes.trouble, what="the line waiting")
            await pilot.press("ctrl+q")
            await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="the question")
            question = str(app.screen.query_one("#confirm-question").render())
            assert question.startswith("1 line not saved to the database yet (") and "Quit anyway?" in question
            await pilot.press("escape")
            await pilot.pause()
            assert app.return_code is None and not isinstance(app.screen, ConfirmScreen)
            blocker.execute("ROLLBACK")  # the lock ends: the line is written, nothing waits
            await wait_for(pilot, lambda: not app.writes.lines_waiting, timeout=10, what="the line written")
            await pilot.press("ctrl+q")  # nothing waits any more: quits at once
            await wait_for(pilot, lambda: app.return_code is not None, what="exit")
    finally:
        if blocker is not None:
            if blocker.in_transaction:
                blocker.execute("ROLLBACK")
            blocker.close()


async def test_ctrl_q_twice_quits_with_a_line_waiting_and_keeps_it_aside(make_app, db_path, monkeypatch):
    import warroom.ui.flows.quit as quit_flow

    monkeypatch.setattr(quit_flow, "QUIT_WAIT", 0.2)
    await seed(db_path)
    app = make_app()
    blocker = None
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await started(app, pilot)
            await app.store.set_busy_timeout(50)
            blocker = hold_write_lock(db_path)
            await pilot.press(*"pool at 95%", "enter")
            await wait_for(pilot, lambda: app.writes.lines_waiting == 1, what="the line waiting")
            await pilot.press("ctrl+q")
            await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="the question")
            await pilot.press("ctrl+q")
            await wait_for(pilot, lambda: app.return_code is not None, timeout=10, what="exit")
    finally:
        if blocker is not None:
            blocker.execute("ROLLBACK")
            blocker.close()
    saved = list(db_path.parent.glob("unsaved-*.txt"))
    assert len(saved) == 1 and saved[0].read_text().rstrip().endswith("  pool at 95%")


async def test_ctrl_q_with_nothing_waiting_quits_at_once(make_app, db_path):
    await seed(db_path)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await started(app, pilot)
        await pilot.press(*"pool at 95%", "enter")
        await app.writes_done()
        await pilot.press("ctrl+q")
        await wait_for(pilot, lambda: app.return_code is not None, what="exit")
        assert not isinstance(app.screen, ConfirmScreen)


async def test_ctrl_q_asks_while_a_drill_runs_and_enter_quits(db_path, tmp_path):
    clock = FakeClock(T0)
    app = drill_app(db_path, "bad-deploy", clock, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(app, pilot)
        await pilot.press("ctrl+q")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="the question")
        assert "A drill is running" in str(app.screen.query_one("#confirm-question").render())
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.return_code is not None, what="exit")


async def test_f9_in_the_drill_report_exports_the_review(db_path, tmp_path):
    clock = FakeClock(T0)
    app = drill_app(db_path, "bad-deploy", clock, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        drive = Drive(app, pilot, clock)
        await drive.start()
        await drive.type("/ack")
        await drive.to(app.drill.scenario.duration)
        await wait_for(pilot, lambda: isinstance(app.screen, DrillReportScreen), what="the drill report")
        assert "F9 exports" in str(app.screen.query_one("#drill-report-text").render())
        await pilot.press("f9")
        await wait_for(pilot, lambda: getattr(app, "last_export", None), what="the export")
        assert app.last_export.parent == tmp_path and "## Drill report" in app.last_export.read_text()
        assert isinstance(app.screen, DrillReportScreen)  # the report stays; the path shows on its own line
        told = app.notices[-1]
        assert told.title == "Export" and str(app.last_export) in told
        assert strip_on(app.screen).text.startswith(f" {told.at:%H:%M:%S} Export: Exported to /")


async def test_the_palette_has_no_command_that_breaks_the_layout(make_app, db_path):
    await seed(db_path)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await started(app, pilot)
        titles = [c.title for c in app.get_system_commands(app.screen)]
    assert not {"Maximize", "Minimize", "Screenshot"} & set(titles)
    assert {"Theme", "Quit", "Keys", "Last notices", "Toggle high-contrast theme"} <= set(titles)


@pytest.mark.parametrize("size", SIZES, ids=IDS)
async def test_the_welcome_fits_without_a_wrapped_line(make_app, db_path, size):
    from warroom.ui.screens.drill import WELCOME

    app = make_app(first_run=True)
    async with app.run_test(size=size) as pilot:
        await app.loaded.wait()
        await wait_for(pilot, lambda: isinstance(app.screen, WelcomeScreen), what="the welcome")
        await pilot.pause()
        text = app.screen.query_one("#welcome-text")
        assert text.size.height == len(WELCOME.splitlines())  # not one line wrapped
        options = app.screen.query_one("#welcome-options")
        assert options.size.height >= options.option_count  # every choice in sight
        assert options.region.bottom <= size[1] - 2  # above the notice line and the footer


async def test_a_notice_keeps_its_colour_until_its_timeout_then_its_text_stays(make_app, db_path, clock):
    await seed(db_path)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await started(app, pilot)
        app.notify("Status update due at 10:15", title="Comms", severity="warning", timeout=30)
        await pilot.pause()
        strip = strip_on(app.screen)
        assert strip.has_class("-fresh") and strip.has_class("-warning")
        clock.advance(seconds=29)
        app.tick()
        await pilot.pause()
        assert strip.has_class("-fresh")
        clock.advance(seconds=1)
        app.tick()
        await pilot.pause()
        assert not strip.has_class("-fresh") and "WARN Comms: Status update due at 10:15" in strip.text


async def test_ctrl_c_outside_a_line_says_how_to_quit_literally(make_app, db_path):
    """Textual's own hint has markup (``[b]ctrl+q[/b]``), which notices never interpret."""
    await seed(db_path)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await started(app, pilot)
        await pilot.press("up")  # the timeline: ctrl+c is not a copy there
        await pilot.press("ctrl+c")
        await pilot.pause()
        assert app.notices[-1] == "ctrl+q quits warroom (ctrl+c copies the selected text in a line)."
        assert app.return_code is None


@pytest.mark.parametrize("size", SIZES, ids=IDS)
async def test_the_whole_help_can_be_read_at_every_size(make_app, db_path, size):
    await seed(db_path)
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await started(app, pilot)
        await pilot.press("f1")
        await wait_for(pilot, lambda: app.screen.query("#help-text"), what="the help")
        await pilot.pause()
        box = app.screen.query_one("#help")
        text = box.query_one("#help-text")
        await pilot.press("end")  # ↓, PgDn, End scroll it where it does not fit
        await pilot.pause()
        assert box.scroll_y + box.scrollable_content_region.height >= text.outer_size.height
        assert box.region.bottom <= size[1] - 2  # the notice line and the keys stay below it
