"""Alerts attached to an open incident that started before its detected time: the war room offers that
time once (a notice naming the palette command) and the command sets the milestone, a timeline entry
like every milestone change (issue #23)."""

from __future__ import annotations

from datetime import timedelta

from warroom.domain.alert_payload import parse_notification
from warroom.domain.alert_routing import Routing
from warroom.domain.detected_offer import COMMAND
from warroom.domain.presets import SEV
from warroom.room.alert_intake import AlertIntake
from warroom.store import Store

from fixtures.support import T0, wait_for

M = timedelta(minutes=1)
DETECTED = T0 - 5 * M  # 09:55


def notification(fingerprint: str, name: str, starts) -> object:
    return parse_notification({
        "version": "4", "status": "firing", "groupKey": "g", "truncatedAlerts": 0, "receiver": "warroom",
        "alerts": [{"status": "firing", "labels": {"alertname": name, "service": "checkout"},
                    "annotations": {"summary": f"{name} high"}, "startsAt": starts.isoformat(),
                    "fingerprint": fingerprint}]})


async def attach(db_path, *notifications) -> None:
    """The receiver of another process (``warroom receive`` or the watcher) attaches alerts."""
    async with Store.open(db_path) as store:
        intake = AlertIntake(store, Routing(), SEV, clock=lambda: T0)
        for n in notifications:
            await intake.deliver(n)


def offers(app) -> list[str]:
    return [str(n) for n in app.notices if n.title == "Detected"]


def offered_command(app) -> bool:
    return any(c.title == COMMAND for c in app.get_system_commands(app.screen))


async def test_an_earlier_alert_is_offered_once_and_the_palette_sets_detected(make_app, db_path):
    async with Store.open(db_path) as store:
        incident = await store.declare("Checkout 500s", SEV, "SEV-2", now=T0, author="ic", detected_at=DETECTED,
                                       services=["checkout"])
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await app.loaded.wait()
        assert offers(app) == [] and not offered_command(app)
        await attach(db_path, notification("fp-late", "Latency", T0 - 2 * M),  # after detected: no offer
                     notification("fp-first", "CheckoutErrors", T0 - 12 * M))  # 09:48, 7 minutes before
        app.feeds.poll_now("sync")
        await wait_for(pilot, lambda: offers(app), what="the offer")
        assert offers(app) == ["Alert CheckoutErrors started 09:48, 7m before detected — set detected to 09:48? "
                               f"(palette: '{COMMAND}')"]
        assert "Alert CheckoutErrors started 09:48" in str(app.latest_notice)  # on the line above the footer
        # refreshes, ticks and another alert (not earlier) say nothing again
        await attach(db_path, notification("fp-other", "DiskFull", T0 - 3 * M))
        app.feeds.poll_now("sync")
        await wait_for(pilot, lambda: any("DiskFull" in e.text for e in app.session.room.entries.values()),
                       what="the third alert shown")
        app.tick()
        await pilot.pause()
        assert len(offers(app)) == 1
        # the palette, as a person uses it
        await pilot.press("ctrl+p")
        await pilot.press(*COMMAND)
        await wait_for(pilot, lambda: _highlighted(app) == COMMAND, what="the command found")
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.session.room.incident.milestones.get("detected") == T0 - 12 * M,
                       what="detected set")
        await app.writes_done()
        assert any(e.text == "Milestone detected set to 2026-11-23 09:48:00Z (was 2026-11-23 09:55:00Z)"
                   for e in app.session.room.entries.values())  # on the timeline, as every milestone change
        assert not offered_command(app) and len(offers(app)) == 1
    async with Store.open(db_path) as store:
        assert (await store.incident(incident.id)).milestones["detected"] == T0 - 12 * M
        texts = [e.text for e in await store.entries(incident.id)]
        assert sum(t.startswith("Milestone detected set to") for t in texts) == 1


async def test_an_offer_waiting_when_the_screen_opens_is_made_and_a_read_only_screen_makes_none(make_app, db_path):
    async with Store.open(db_path) as store:
        await store.declare("Checkout 500s", SEV, "SEV-2", now=T0, author="ic", services=["checkout"])
    await attach(db_path, notification("fp-first", "CheckoutErrors", T0 - 12 * M))
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await app.loaded.wait()
        await wait_for(pilot, lambda: offers(app), what="the offer")
        assert offers(app)[0].startswith("Alert CheckoutErrors started 09:48 and no detected time is set")
        assert offered_command(app)
    watcher = make_app(read_only=True)
    async with watcher.run_test(size=(80, 24)) as pilot:
        await watcher.loaded.wait()
        await pilot.pause()
        assert offers(watcher) == [] and not offered_command(watcher)


def _highlighted(app) -> str | None:
    """The title of the command the palette has highlighted (None while it searches)."""
    from textual.command import CommandList

    lists = app.screen.query(CommandList)
    if not lists or lists.first().highlighted is None:
        return None
    option = lists.first().get_option_at_index(lists.first().highlighted)
    return str(option.prompt).split("\n")[0]


async def test_an_unrouted_alert_s_notice_is_said_on_the_notice_line_once(make_app, db_path):
    """``unmatched = "notice"``: an alert no route gives to the open incident becomes a notice entry
    in its timeline (written by the receiver's process) and, here, a notice on the line above the
    keys, once however often Alertmanager sends it again."""
    from dataclasses import replace

    async with Store.open(db_path) as store:
        await store.declare("Checkout 500s", SEV, "SEV-2", now=T0, author="ic", services=["checkout"])
    other = parse_notification({
        "version": "4", "status": "firing", "groupKey": "g2", "truncatedAlerts": 0, "receiver": "warroom",
        "alerts": [{"status": "firing", "labels": {"alertname": "SearchSlow", "service": "search"},
                    "annotations": {"summary": "search p95 [b]3 s[/b]"}, "startsAt": (T0 - M).isoformat(),
                    "fingerprint": "fp-search"}]})
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await app.loaded.wait()
        for _ in range(2):  # a retried delivery writes nothing and says nothing again
            async with Store.open(db_path) as store:
                await AlertIntake(store, replace(Routing(), unmatched="notice"), SEV, clock=lambda: T0).deliver(other)
            app.feeds.poll_now("sync")
            await wait_for(pilot, lambda: any(n.title == "Alert" for n in app.notices), what="the alert's notice")
        alerts = [str(n) for n in app.notices if n.title == "Alert"]
        assert len(alerts) == 1 and "SearchSlow" in alerts[0] and "[b]3 s[/b]" in alerts[0], alerts
        assert "[b]3 s[/b]" in str(app.latest_notice)  # literally: markup in an alert is never obeyed
