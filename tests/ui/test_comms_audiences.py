"""Another audience in the comms flow: its reminder by its own cadence, its draft in the composer,
sent to its own webhook in its kind's JSON, logged as sent to it — and the responders' clock untouched."""

from __future__ import annotations

import json
import threading
from datetime import timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from warroom.config import AudienceConfig, CommsConfig, Config, Webhook
from warroom.domain.audiences import Audience
from warroom.domain.policy import parse_span
from warroom.domain.presets import SEV
from warroom.store import Store
from warroom.ui.factory import make_app

from fixtures.support import T0, FakeClock, wait_for


class _Teams(BaseHTTPRequestHandler):
    received: list[dict] = []

    def do_POST(self):  # noqa: N802
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        ok = body.get("type") == "message" and body["attachments"][0]["content"]["type"] == "AdaptiveCard"
        type(self).received.append(body)
        self.send_response(202 if ok else 400)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def teams():
    _Teams.received = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Teams)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/workflows/secret", _Teams
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("size", [(80, 24), (120, 40), (200, 60)])
async def test_the_executive_audience_is_reminded_offered_sent_and_logged_apart(db_path, tmp_path, teams, size):
    url, handler = teams
    async with Store.open(db_path) as store:
        inc = await store.declare("Checkout 500s", SEV, "SEV-1", now=T0, author="ic", impact="EU card payments fail")
    executive = AudienceConfig(Audience("executive", "executive", {"SEV-1": parse_span("30m")}),
                               (Webhook(url, "teams"),))
    clock = FakeClock(T0 + timedelta(minutes=28, seconds=30))
    app = make_app(db_path, clock=clock, local=timezone.utc, tick_interval=3600, sync_interval=3600,
                   config=Config(comms=CommsConfig(bell=False, templates_dir=tmp_path / "none",
                                                   audiences=(executive,))))
    async with app.run_test(size=size, notifications=True) as pilot:
        await app.loaded.wait()
        app.tick()
        await pilot.pause()
        assert any("Update for executive due at 10:30" in n for n in app.notices)
        await pilot.press("ctrl+n")
        await wait_for(pilot, lambda: app.screen.query("#composer-text"), what="composer")
        options = app.screen.query_one("#composer-templates")
        ids = [options.get_option_at_index(i).id for i in range(options.option_count)]
        assert "→ executive" in ids
        options.highlighted = ids.index("→ executive")
        await wait_for(pilot, lambda: "EXECUTIVE UPDATE" in app.screen.query_one("#composer-text").text,
                       what="the executive draft")
        assert "Next executive update*: 10:30 UTC (every 30 min)" in app.screen.query_one("#composer-text").text
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.last_posted, timeout=15, what="the post")
        await app.writes_done()
        await pilot.pause()
        assert [r.ok for r in app.last_posted] == [True]
        [card] = handler.received
        blocks = [b["text"] for b in card["attachments"][0]["content"]["body"]]
        assert blocks[0].startswith("EXECUTIVE UPDATE: Checkout 500s")
        async with Store.open(db_path) as store:
            sent = [e for e in await store.entries(inc.id) if e.kind == "comms"]
        assert len(sent) == 1 and sent[0].text.startswith("[to executive] EXECUTIVE UPDATE")
        report = app.session.report
        assert report.update.updates_sent == 0 and report.update.next_due == T0 + timedelta(minutes=15)
