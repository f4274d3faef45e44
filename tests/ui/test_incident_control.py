"""The IC's controls: SLA pane states, breaches written once, declare/switch, keys, export, live sync."""

from __future__ import annotations

import asyncio
import re
import subprocess
from datetime import timedelta

from warroom.domain.presets import SEV
from warroom.store import Store
from warroom.ui.widgets.sla import Checklist

from fixtures.support import T0, pane_text, table_texts, wait_for

M = timedelta(minutes=1)


async def seed(db_path, **kw):
    async with Store.open(db_path) as store:
        return await store.declare(kw.pop("title", "Checkout 500s"), SEV, kw.pop("severity", "SEV-1"),
                                   now=kw.pop("now", T0), author="ic", **kw)


async def entries(db_path, incident_id):
    async with Store.open(db_path) as store:
        return await store.entries(incident_id)


async def started(app, pilot):
    await app.loaded.wait()
    await pilot.pause()


def sla_text(app) -> str:
    """The SLA pane's text with runs of spaces squashed (columns are padded)."""
    return re.sub(r" +", " ", pane_text(app, "#sla-clock"))


async def test_sla_pane_ok_due_soon_breached(make_app, db_path, clock):
    await seed(db_path)  # SEV-1: acknowledge within 5 min, resolve within 1 h, update every 15 min
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await started(app, pilot)
        clock.advance(minutes=1)
        app.session.render_clock()
        text = sla_text(app)
        assert "Acknowledge 5 min by 10:05 OK 4m left" in text
        assert "Resolve 1 h by 11:00 OK 59m left" in text
        assert "Next update 15 min by 10:15 OK 14m left" in text
        assert "unacknowledged 5 min → on-call manager in 4m" in text
        clock.advance(minutes=3)
        app.session.render_clock()
        assert "Acknowledge 5 min by 10:05 DUE 1m " in sla_text(app)
        clock.advance(minutes=8)
        app.session.render_clock()
        text = sla_text(app)
        assert "Acknowledge 5 min by 10:05 BREACHED 7m" in text
        assert "DUE NOW — call on-call manager" in text
        clock.advance(minutes=5)
        app.session.render_clock()
        assert "OVERDUE 2m" in sla_text(app)


async def test_a_breach_writes_exactly_one_system_entry_across_processes(make_app, db_path, clock):
    inc = await seed(db_path)
    screen, scribe = make_app(), make_app()
    async with screen.run_test(size=(160, 48)) as pilot:
        await started(screen, pilot)
        clock.advance(minutes=5)
        screen.tick()  # exactly on the deadline: nothing yet
        await screen.writes_done()
        assert not [e for e in await entries(db_path, inc.id) if e.key]
        clock.advance(seconds=1)
        for _ in range(5):  # many ticks past the deadline
            screen.tick()
            await screen.writes_done()
            clock.advance(seconds=1)
        await pilot.pause()
        assert screen.query_one("#sla-pane").has_class("-flash")
        assert any("SLA breached: acknowledge" in t for t in table_texts(screen))
    async with scribe.run_test(size=(160, 48)) as pilot:  # a second process opening the same file
        await started(scribe, pilot)
        scribe.session.room.written.clear()  # as if it had not seen them: the database still refuses duplicates
        scribe.tick()
        await scribe.writes_done()
    keyed = [e for e in await entries(db_path, inc.id) if e.key]
    assert sorted(e.key for e in keyed) == ["escalation:SEV-1:0", "sla:SEV-1:acknowledge"]
    breach = next(e for e in keyed if e.key == "sla:SEV-1:acknowledge")
    assert breach.kind == "system" and breach.at == T0 + 5 * M


async def test_declare_dialog_and_switch(make_app, db_path, clock):
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await started(app, pilot)
        assert "no incident open" in pane_text(app, "#header")
        await pilot.press("f2")
        await wait_for(pilot, lambda: app.screen.query("#declare-title"), what="declare dialog")
        await pilot.press(*"Payments down", "tab", "up", "tab", *"09:55", "enter")
        await app.writes_done()
        await wait_for(pilot, lambda: app.incident is not None, what="declared incident")
        first = app.incident
        assert (first.title, first.severity) == ("Payments down", "SEV-1")
        assert first.milestones["detected"] == T0 - 5 * M
        assert "Payments down" in pane_text(app, "#header")
        # a second incident, then switch back to the first
        await pilot.press("f2")
        await wait_for(pilot, lambda: app.screen.query("#declare-title"), what="declare dialog")
        await pilot.press(*"Login slow", "enter")
        await app.writes_done()
        await wait_for(pilot, lambda: app.incident.title == "Login slow", what="second incident")
        assert app.incident.severity == "SEV-2"  # the default level
        await pilot.press("f3")
        await wait_for(pilot, lambda: app.screen.query("#picker"), what="switch picker")
        await pilot.press("down", "enter")
        await app.writes_done()
        await wait_for(pilot, lambda: app.incident.id == first.id, what="switch")
    async with Store.open(db_path) as store:
        assert await store.active_incident_id() == first.id


async def test_declare_refuses_a_bad_detection_time_and_keeps_the_form(make_app, db_path):
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await started(app, pilot)
        await pilot.press("f2")
        await wait_for(pilot, lambda: app.screen.query("#declare-title"), what="declare dialog")
        await pilot.press(*"DNS", "tab", "tab", *"99:99", "enter")
        await wait_for(pilot, lambda: "not a time of day" in pane_text(app.screen, "#declare-error"),
                       what="error shown")
        assert app.screen.query_one("#declare-title").value == "DNS"
        assert app.incident is None


async def test_declare_dialog_takes_the_declared_time_of_an_incident_written_up_afterwards(make_app, db_path):
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await started(app, pilot)
        await pilot.press("f2")
        await wait_for(pilot, lambda: app.screen.query("#declare-declared"), what="declare dialog")
        # Detected after the declared time: refused, the form kept.
        await pilot.press(*"Night outage", "tab", "tab", *"09:45", "tab", *"09:40", "enter")
        await wait_for(pilot, lambda: "would be after declared at" in pane_text(app.screen, "#declare-error"),
                       what="error shown")
        assert app.screen.query_one("#declare-declared").value == "09:40"
        assert app.incident is None
        app.screen.query_one("#declare-detected").value = "09:30"
        app.screen.query_one("#declare-declared").focus()
        await pilot.press("enter")
        await app.writes_done()
        await wait_for(pilot, lambda: app.incident is not None, what="declared incident")
        assert dict(app.incident.milestones) == {"detected": T0 - 30 * M, "declared": T0 - 20 * M}
    declared = next(e for e in await entries(db_path, app.incident.id) if e.text.startswith("Incident declared"))
    assert declared.at == T0 - 20 * M and declared.logged_at == T0


async def test_keys_for_ack_status_severity_and_roles(make_app, db_path):
    inc = await seed(db_path)
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await started(app, pilot)
        await pilot.press("f6")
        await app.writes_done()
        await pilot.press("f7")
        await wait_for(pilot, lambda: app.screen.query("#picker"), what="status picker")
        await pilot.press("down", "enter")  # identified, mitigating → mitigating
        await app.writes_done()
        await pilot.press("f8")
        await wait_for(pilot, lambda: app.screen.query("#picker"), what="severity picker")
        await pilot.press("down", "enter")  # SEV-1 highlighted → SEV-2
        await app.writes_done()
        await pilot.press("f4")
        await wait_for(pilot, lambda: app.screen.query("#picker"), what="role picker")
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen.query("#prompt-input"), what="name prompt")
        await pilot.press(*"Alice", "enter")
        await app.writes_done()
        await pilot.pause()
    async with Store.open(db_path) as store:
        after = await store.incident(inc.id)
    assert "acknowledged" in after.milestones
    assert after.status == "mitigating" and after.severity == "SEV-2" and after.roles == {"commander": "Alice"}


async def test_checklist_ticks_are_timeline_entries(make_app, db_path):
    inc = await seed(db_path)
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await started(app, pilot)
        checklist = app.query_one(Checklist)
        checklist.focus()
        checklist.highlighted = 1
        await pilot.press("space")
        await app.writes_done()
        await pilot.pause()
        assert "Checklist ✓ Page all engineering leads" in table_texts(app)
        assert checklist.border_title == "Checklist 1/7"
        await pilot.press("space")  # untick: redacted, never dropped
        await app.writes_done()
        await pilot.press("space")  # and tick again
        await app.writes_done()
        await pilot.pause()
        assert checklist.border_title == "Checklist 1/7"
    ticks = [e for e in await entries(db_path, inc.id) if e.key and e.key.startswith("check:")]
    assert [(e.key, e.redacted) for e in ticks] == [("check:SEV-1:1:0", True), ("check:SEV-1:1:1", False)]


async def test_export_key_writes_the_markdown_and_copy_key_the_summary(make_app, db_path, tmp_path):
    inc = await seed(db_path)
    app = make_app()
    async with app.run_test(size=(160, 48), notifications=True) as pilot:
        await started(app, pilot)
        await pilot.press(*"/d roll back", "enter")
        await app.writes_done()
        await pilot.press("f9")
        await wait_for(pilot, lambda: getattr(app, "last_export", None), what="export")
        path = app.last_export
        assert path.parent == tmp_path and path.name.startswith(f"incident-{inc.id}-")
        assert path.read_text().startswith(f"# Incident #{inc.id}: Checkout 500s")
        assert any(str(path) in n for n in app.notices)
        await pilot.press("f5")
        await pilot.pause()
        assert app.clipboard.startswith("[SEV-1 Critical] Incident #1: Checkout 500s")
        assert "decision: roll back" in app.clipboard


async def test_live_sync_from_the_cli_and_another_app(make_app, db_path, warroom_exe, cli_env):
    inc = await seed(db_path)
    screen = make_app(sync_interval=0.1)
    async with screen.run_test(size=(160, 48)) as pilot:
        await started(screen, pilot)
        # a third terminal: `warroom log …`
        proc = await asyncio.to_thread(subprocess.run, [warroom_exe, "log", "from the CLI"], env=cli_env,
                                       capture_output=True, text=True, timeout=60)
        assert proc.returncode == 0, proc.stderr
        await wait_for(pilot, lambda: "from the CLI" in table_texts(screen), timeout=1.0, what="CLI entry")
        # another process changes the incident: the header follows
        proc = await asyncio.to_thread(subprocess.run, [warroom_exe, "assign", "ic", "Zoe"], env=cli_env,
                                       capture_output=True, text=True, timeout=60)
        await wait_for(pilot, lambda: "Zoe" in pane_text(screen, "#header"), timeout=1.0, what="IC change")
        # and an edit made elsewhere replaces the row in place
        async with Store.open(db_path) as other:
            e = next(x for x in await other.entries(inc.id) if x.text == "from the CLI")
            await other.edit(e.id, by="other", now=T0, text="from the CLI (edited)")
        await wait_for(pilot, lambda: "from the CLI (edited)" in table_texts(screen), timeout=1.0,
                       what="edit elsewhere")
        assert "from the CLI" not in table_texts(screen)


async def test_an_incident_declared_elsewhere_is_announced_once(make_app, db_path):
    await seed(db_path)
    screen = make_app(sync_interval=0.05)
    async with screen.run_test(size=(120, 40), notifications=True) as pilot:
        await started(screen, pilot)
        await wait_for(pilot, lambda: screen.feeds["sync"].polls >= 2, what="the sync running")
        async with Store.open(db_path) as other:  # another terminal: `warroom declare …`
            new = await other.declare("Login fails for SSO users", SEV, "SEV-1", now=T0, author="zoe")
        await wait_for(pilot, lambda: any("declared elsewhere" in n for n in screen.notices), what="the notice")
        notice = next(n for n in screen.notices if "declared elsewhere" in n)
        assert f"{new.ref} declared elsewhere: Login fails for SSO users (SEV-1 Critical) — F3" in notice
        async with Store.open(db_path) as other:
            await other.append(new.id, "first line elsewhere", author="zoe", now=T0)
        polls = screen.feeds["sync"].polls
        await wait_for(pilot, lambda: screen.feeds["sync"].polls >= polls + 3, what="more syncs")
        assert sum("declared elsewhere" in n for n in screen.notices) == 1
        assert screen.incident.title != new.title  # the screen stays on its incident until F3
