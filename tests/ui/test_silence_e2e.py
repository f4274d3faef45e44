"""Silences out, on real servers: an alert Alertmanager delivered to ``warroom receive`` is silenced from
the alerts view; the silence is in Alertmanager's API (createdBy the author, the incident in the
comment), the alert is suppressed and its next firing is never delivered (while an unsilenced alert of
the same group is); expiring it from the view ends it. Each is a timeline entry."""

from __future__ import annotations

import asyncio
from datetime import datetime, timezone

import pytest
from textual.widgets import DataTable

from warroom.config import AlertmanagerConfig, Config
from warroom.domain.alert_routing import parse_key
from warroom.domain.presets import SEV
from warroom.store import Store
from warroom.ui.screens.alerts import AlertsScreen
from warroom.ui.screens.modals import PromptScreen

from fixtures.alertmanager_fixture import start_receiver

pytestmark = pytest.mark.slow
SERVICE = "silence-e2e"


async def until(pilot, predicate, what: str, timeout: float = 40.0):
    """Poll ``predicate`` (it may ask the servers) every 0.2 s while the app runs."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await pilot.pause(0.2)


def firing_fingerprints(app) -> list[str]:
    keys = [parse_key(e.key) for e in app.entries.values()]
    return [k.fingerprint for k in keys if k is not None and k.status == "firing"]


async def test_silence_from_the_view_quiets_the_alert_and_expires(alert_stack, make_app, db_path, warroom_exe,
                                                                   cli_env, tmp_path):
    stack, am = alert_stack, alert_stack.alertmanager
    async with Store.open(db_path) as store:
        incident = await store.declare("Silence test", SEV, "SEV-2", now=datetime.now(timezone.utc), author="ic",
                                       services=[SERVICE])
    config_file = tmp_path / "wt-i23-receive.toml"
    config_file.write_text(f'[alertmanager.receiver]\nlisten = "127.0.0.1:{stack.receiver_port}"\n'
                           f'token_file = "{stack.token_file}"\n')
    receiver = start_receiver(warroom_exe, cli_env, config_file, tmp_path / "recv.err")
    try:
        config = Config(alertmanager=AlertmanagerConfig(url=am.url))
        app = make_app(config=config, clock=lambda: datetime.now(timezone.utc), sync_interval=0.2)
        async with app.run_test(size=(120, 40)) as pilot:
            await app.loaded.wait()
            stack.exporter.set(SERVICE, 1, shard="a")
            stack.exporter.set(SERVICE, 1, shard="b")
            await until(pilot, lambda: len(firing_fingerprints(app)) == 2, "two firing entries in the room")
            listed = [a for a in am.alerts() if a["labels"].get("service") == SERVICE]
            by_shard = {a["labels"]["shard"]: a["fingerprint"] for a in listed}
            first_start = {a["labels"]["shard"]: a["startsAt"] for a in listed}
            await pilot.press("ctrl+r")
            await until(pilot, lambda: isinstance(app.screen, AlertsScreen) and app.screen.states is not None,
                        "the view read Alertmanager")
            view = app.screen
            row = [r.fingerprint for r in view.rows].index(by_shard["a"])
            view.query_one(DataTable).move_cursor(row=row)
            await pilot.press("s")
            prompts = []
            for offered in ("1h", f"#{incident.id} Silence test"):  # the duration, then the comment
                await until(pilot, lambda: isinstance(app.screen, PromptScreen) and app.screen not in prompts
                            and app.screen.query("#prompt-input"), f"the prompt offering {offered}")
                prompts.append(app.screen)
                assert app.screen.query_one("#prompt-input").value == offered
                await pilot.press("enter")
            silences = await until(pilot, lambda: [s for s in am.silences() if s["status"]["state"] == "active"
                                                    and any(m["value"] == SERVICE for m in s["matchers"])],
                                   "an active silence in Alertmanager")
            (silence,) = silences
            assert silence["createdBy"] == "scribe" and silence["comment"] == f"#{incident.id} Silence test"
            assert {m["name"]: m["value"] for m in silence["matchers"]}["shard"] == "a"
            await until(pilot, lambda: any(a["fingerprint"] == by_shard["a"] and a["status"]["state"] == "suppressed"
                                           for a in am.alerts()), "the alert suppressed")
            await until(pilot, lambda: any(e.text == f"Silenced alert ServiceBroken for 1h (silence {silence['id']}): "
                                           f"#{incident.id} Silence test" for e in app.entries.values()),
                        "the silence's entry")

            # both alerts fire again (new startsAt): only the unsilenced one is delivered
            for shard in ("a", "b"):
                stack.exporter.set(SERVICE, 0, shard=shard)
            await until(pilot, lambda: sum(1 for e in app.entries.values() if e.text.startswith("Alert resolved"))
                        >= 1, "b resolved")
            for shard in ("a", "b"):
                stack.exporter.set(SERVICE, 1, shard=shard)
            await until(pilot, lambda: firing_fingerprints(app).count(by_shard["b"]) == 2, "b firing again")
            await until(pilot, lambda: [a for a in am.alerts() if a["fingerprint"] == by_shard["a"]
                                        and a["startsAt"] != first_start["a"] and a["status"]["state"] == "suppressed"],
                        "a firing again, suppressed")
            # a notification of the group sent after that: b resolves (had a been unmuted, it would be in it)
            stack.exporter.set(SERVICE, 0, shard="b")
            resolved_b = lambda: [e for e in app.entries.values()  # noqa: E731
                                  if (k := parse_key(e.key)) and k.fingerprint == by_shard["b"] and k.status == "resolved"]
            await until(pilot, lambda: len(resolved_b()) == 2, "b resolved again")
            assert firing_fingerprints(app).count(by_shard["a"]) == 1  # its second firing never arrived

            # expire from the view
            await pilot.press("r")
            await until(pilot, lambda: any(r.silenced_by for r in view.rows), "the view sees the silence")
            view.query_one(DataTable).move_cursor(row=[r.fingerprint for r in view.rows].index(by_shard["a"]))
            await pilot.press("x")
            await until(pilot, lambda: [s for s in am.silences() if s["id"] == silence["id"]
                                        and s["status"]["state"] == "expired"], "the silence expired")
            await until(pilot, lambda: any(e.text == f"Expired silence {silence['id']} of alert ServiceBroken"
                                           for e in app.entries.values()), "the expiry entry")
    finally:
        for shard in ("a", "b"):
            stack.exporter.set(SERVICE, 0, shard=shard)
        assert receiver.stop() == 0
