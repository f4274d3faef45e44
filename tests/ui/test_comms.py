"""The comms lead's loop: reminder → compose → send → comms entry → the cadence restarts."""

from __future__ import annotations

import json
import re
import threading
from datetime import timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from warroom.config import CommsConfig, Config
from warroom.domain.presets import SEV
from warroom.store import Store
from warroom.ui.factory import make_app

from fixtures.support import T0, FakeClock, burst, pane_text, wait_for


async def seed(db_path):
    async with Store.open(db_path) as store:
        return await store.declare("Checkout 500s", SEV, "SEV-1", now=T0, author="ic", impact="EU card payments fail")


def notices(app) -> list[str]:
    return list(app.notices)


async def compose_and(pilot, app, key: str) -> None:
    await pilot.press("ctrl+n")
    await wait_for(pilot, lambda: app.screen.query("#composer-text"), what="composer")
    await pilot.press(key)
    await wait_for(pilot, lambda: not app.screen.query("#composer-text"), what="composer closed")
    await wait_for(pilot, lambda: not [w for w in app.workers if w.group == "compose" and w.is_running],
                   timeout=15, what="the send")
    await app.writes_done()
    await pilot.pause()


async def test_reminder_compose_send_and_the_cadence_restarts(db_path, tmp_path):
    inc = await seed(db_path)
    clock = FakeClock(T0 + timedelta(minutes=13, seconds=30))  # SEV-1: an update every 15 min
    app = make_app(db_path, clock=clock, local=timezone.utc, tick_interval=3600, sync_interval=3600,
                     config=Config(comms=CommsConfig(bell=False, templates_dir=tmp_path / "none")))
    async with app.run_test(size=(160, 48), notifications=True) as pilot:
        await app.loaded.wait()
        app.tick()
        await pilot.pause()
        assert any("Status update due at 10:15 (in 1m30s)" in n for n in notices(app))
        app.tick()  # once, not every tick
        await pilot.pause()
        assert sum("Status update due" in n for n in notices(app)) == 1
        await compose_and(pilot, app, "ctrl+s")
        entries = await _entries(db_path, inc.id)
        sent = [e for e in entries if e.kind == "comms"]
        assert len(sent) == 1 and "DECLARED" in sent[0].text
        assert "EU card payments fail" in sent[0].text
        assert app.clipboard == sent[0].text
        app.session.render_clock()
        assert re.search(r"Next update 15 min +by 10:28 +OK 15m left", pane_text(app, "#sla-clock"))
        # overdue later: a second, louder notice
        clock.advance(minutes=16)
        app.tick()
        await pilot.pause()
        assert any("Status update OVERDUE since 10:28" in n for n in notices(app))


class _Hook(BaseHTTPRequestHandler):
    statuses: list[int] = []
    received: list[dict] = []

    def do_POST(self):  # noqa: N802
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        type(self).received.append(body)
        status = type(self).statuses.pop(0) if type(self).statuses else 200
        self.send_response(status)
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args):
        pass


@pytest.fixture
def hook():
    _Hook.statuses, _Hook.received = [], []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Hook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/services/T000/B000/secret", _Hook
    server.shutdown()


async def _entries(db_path, incident_id):
    async with Store.open(db_path) as store:
        return await store.entries(incident_id)


async def test_webhook_post_success_logs_comms(db_path, hook, tmp_path):
    url, handler = hook
    inc = await seed(db_path)
    app = make_app(db_path, clock=FakeClock(T0 + timedelta(minutes=3)), local=timezone.utc, tick_interval=3600,
                     sync_interval=3600, config=Config(comms=CommsConfig((url,), False, tmp_path / "none")))
    async with app.run_test(size=(160, 48), notifications=True) as pilot:
        await app.loaded.wait()
        await compose_and(pilot, app, "ctrl+s")
        assert [r.ok for r in app.last_posted] == [True]
        assert len(handler.received) == 1 and "Checkout 500s" in handler.received[0]["text"]
        assert [e.kind for e in await _entries(db_path, inc.id)].count("comms") == 1
        assert not any("secret" in n for n in notices(app))


async def test_webhook_failure_keeps_the_text_as_draft_and_unsent_entry(db_path, hook, tmp_path):
    url, handler = hook
    handler.statuses = [500, 500, 500]
    inc = await seed(db_path)
    app = make_app(db_path, clock=FakeClock(T0 + timedelta(minutes=3)), local=timezone.utc, tick_interval=3600,
                     sync_interval=3600, config=Config(comms=CommsConfig((url,), False, tmp_path / "none")))
    async with app.run_test(size=(160, 48), notifications=True) as pilot:
        await app.loaded.wait()
        await pilot.press("ctrl+n")
        await wait_for(pilot, lambda: app.screen.query("#composer-text"), what="composer")
        app.screen.query_one("#composer-text").text = "Our own words: checkout is degraded."
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.last_posted, timeout=15, what="post attempts")
        await app.writes_done()
        await pilot.pause()
        assert app.last_posted[0].error == "HTTP 500 after 3 attempts"
        entries = await _entries(db_path, inc.id)
        assert not [e for e in entries if e.kind == "comms"]  # not sent: the cadence does not restart
        unsent = [e for e in entries if e.text.startswith("UNSENT declared update")]
        assert len(unsent) == 1 and "Our own words: checkout is degraded." in unsent[0].text
        assert "secret" not in unsent[0].text and not any("secret" in n for n in notices(app))
        assert app.clipboard == "Our own words: checkout is degraded."
        # the draft comes back when the composer opens again
        await pilot.press("ctrl+n")
        await wait_for(pilot, lambda: app.screen.query("#composer-text"), what="composer")
        assert app.screen.query_one("#composer-text").text == "Our own words: checkout is degraded."


async def open_empty_composer(app, pilot):
    """The composer open on an empty text, for keys typed into it."""
    await app.loaded.wait()
    await pilot.press("ctrl+n")
    await wait_for(pilot, lambda: app.screen.query("#composer-text"), what="composer")
    area = app.screen.query_one("#composer-text")
    area.text = ""
    return area


async def test_keys_typed_in_a_burst_edit_the_update_in_the_order_typed(db_path):
    await seed(db_path)
    app = make_app(db_path, clock=FakeClock(T0 + timedelta(minutes=3)), local=timezone.utc, tick_interval=3600,
                     sync_interval=3600)
    async with app.run_test(size=(160, 48)) as pilot:
        area = await open_empty_composer(app, pilot)
        burst(app, *"ETA 30", "backspace", "backspace", *"15", "left", "left", "~", "end", "enter", *"next")
        expected = "ETA ~15\nnext"
        await pilot.pause()
        await wait_for(pilot, lambda: len(area.text) == len(expected), what="every key")
        assert area.text == expected


async def test_keys_typed_ahead_of_send_stay_out_of_the_update_and_reach_the_timeline(db_path):
    inc = await seed(db_path)
    app = make_app(db_path, clock=FakeClock(T0 + timedelta(minutes=3)), local=timezone.utc, tick_interval=3600,
                     sync_interval=3600)
    async with app.run_test(size=(160, 48)) as pilot:
        await open_empty_composer(app, pilot)
        burst(app, *"Checkout degraded", "ctrl+s", *"sent it", "enter")
        await pilot.pause()
        await wait_for(pilot, lambda: app.clipboard and len(app.screen_stack) == 1, what="the update sent")
        await wait_for(pilot, lambda: not [w for w in app.workers if w.group == "compose" and w.is_running],
                       timeout=15, what="the send")
        await app.writes_done()
        assert app.clipboard == "Checkout degraded"
        texts = [e.text for e in await _entries(db_path, inc.id)]
        assert "sent it" in texts


HOOK_TOKEN = "Zq7Lm2Xv9Kp4Rt8Wn3Y"  # 19 characters, none of its 4-character pieces an ordinary word


class _EchoHook(BaseHTTPRequestHandler):
    """A webhook endpoint that answers 404 quoting the URL it was sent to (as some proxies do)."""

    def do_POST(self):  # noqa: N802
        self.rfile.read(int(self.headers["Content-Length"]))
        body = f"no webhook here ({'.' * 17}): POST {self.path} is unknown to this server; check the URL".encode()
        self.send_response(404)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


async def test_a_404_quoting_the_webhook_url_leaves_no_piece_of_it_anywhere(db_path, tmp_path):
    from warroom.domain.report import to_json_data
    from warroom.review_templates import review_markdown as to_markdown

    server = ThreadingHTTPServer(("127.0.0.1", 0), _EchoHook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}/services/T000/B000/{HOOK_TOKEN}"
    inc = await seed(db_path)
    app = make_app(db_path, clock=FakeClock(T0 + timedelta(minutes=3)), local=timezone.utc, tick_interval=3600,
                     sync_interval=3600, config=Config(comms=CommsConfig((url,), False, tmp_path / "none")))
    try:
        async with app.run_test(size=(160, 48), notifications=True) as pilot:
            await app.loaded.wait()
            await compose_and(pilot, app, "ctrl+s")
            shown = notices(app) + [app.last_posted[0].error]
    finally:
        server.shutdown()
    async with Store.open(db_path) as store:
        incident, entries = await store.incident(inc.id), await store.entries(inc.id, with_history=True)
    unsent = [e.text for e in entries if e.text.startswith("UNSENT")]
    assert len(unsent) == 1 and "webhook: HTTP 404: no webhook here" in unsent[0], unsent
    now = T0 + timedelta(minutes=5)
    places = {
        "notices": "\n".join(shown),
        "timeline": "\n".join(e.text for e in entries),
        "markdown export": to_markdown(incident, entries, now),
        "json export": json.dumps(to_json_data(incident, entries, now), ensure_ascii=False),
        "database": b"".join(p.read_bytes() for p in tmp_path.glob(db_path.name + "*")).decode("utf-8", "replace"),
    }
    for i in range(len(HOOK_TOKEN) - 3):
        piece = HOOK_TOKEN[i:i + 4]
        assert not [where for where, text in places.items() if piece in text], piece
