"""Each webhook kind's body, posted to a real HTTP server on 127.0.0.1 that checks it as the
service would (content type, required fields, size limits), then read back as the service would
show it: the text exactly as typed, no mention, no link, no markup from user text.
"""

from __future__ import annotations

import html
import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Iterator

import pytest

from warroom.domain.webhook_body import (KINDS, LIMITS, WebhookKindError, ZWSP, bodies, check_kind, kind_for_url,
                                         split_spec)
from warroom.sources.webhook import post_message, post_update

HOSTILE = ("🔄 UPDATE: Checkout <!channel> <!here> @everyone @here @channel @all <@123456> <@&42> <#99>\n"
           "*Impact*: ~15% of `5xx` **bold** _it_ ~~gone~~ [click](https://evil.example) <https://x.example|y>\n"
           "# not a heading\n> not a quote\n- not a list\n1. not a list\n<users/all> <at>Bob</at> &amp; & \\ back\\slash\n"
           "\tünïcode ✖ ▲ ✔ ||spoiler||")
TEMPLATE = "🔄 UPDATE: {{title}}\n\n*Impact*: {{impact}}\n"


def _error(handler, status: int, message: str) -> None:
    payload = json.dumps({"message": message}).encode()
    handler.send_response(status)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", str(len(payload)))
    handler.end_headers()
    handler.wfile.write(payload)


def _check(kind: str, body) -> str | None:
    """What the service would refuse in ``body`` (None: accepted)."""
    if not isinstance(body, dict):
        return "body must be a JSON object"
    if kind in ("slack", "mattermost", "googlechat", "json"):
        text = body.get("text")
        if not isinstance(text, str) or not text:
            return "no_text"
        if len(text) > LIMITS[kind]:
            return "text too long"
        return None
    if kind == "discord":
        content = body.get("content")
        if not isinstance(content, str) or not content.strip():
            return "Cannot send an empty message"
        if len(content) > 2000:
            return "content: Must be 2000 or fewer in length."
        mentions = body.get("allowed_mentions")
        if mentions is not None and not isinstance(mentions.get("parse", []), list):
            return "allowed_mentions.parse must be a list"
        return None
    if kind == "teams":
        if body.get("type") != "message" or not isinstance(body.get("attachments"), list) or not body["attachments"]:
            return "a message with attachments is expected"
        for a in body["attachments"]:
            if a.get("contentType") != "application/vnd.microsoft.card.adaptive":
                return "contentType"
            card = a.get("content") or {}
            if card.get("type") != "AdaptiveCard" or not re.fullmatch(r"1\.\d", str(card.get("version"))):
                return "not an Adaptive Card"
            if card.get("$schema") != "http://adaptivecards.io/schemas/adaptive-card.json":
                return "$schema"
            blocks = card.get("body")
            if not isinstance(blocks, list) or not blocks:
                return "empty card"
            for b in blocks:
                if b.get("type") != "TextBlock" or not isinstance(b.get("text"), str) or not b["text"]:
                    return "a TextBlock needs text"
        if len(json.dumps(body).encode()) > 28 * 1024:
            return "card payload over 28 KB"
        return None
    return f"unknown kind {kind}"


class Service:
    """``/<kind>/<token>``: checks each POST as that service would; 400 with a reason otherwise."""

    def __init__(self) -> None:
        self.received: list[tuple[str, dict]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:
                pass

            def do_POST(self) -> None:  # noqa: N802
                raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                kind = self.path.split("/")[1]
                if self.headers.get("Content-Type", "").split(";")[0] != "application/json":
                    return _error(self, 415, "Content-Type must be application/json")
                try:
                    body = json.loads(raw.decode("utf-8"))
                except (UnicodeDecodeError, ValueError):
                    return _error(self, 400, "invalid JSON")
                problem = _check(kind, body)
                if problem:
                    return _error(self, 400, problem)
                server.received.append((kind, body))
                status = {"discord": 204, "teams": 202}.get(kind, 200)
                self.send_response(status)
                self.send_header("Content-Length", "0" if status == 204 else "2")
                self.end_headers()
                if status != 204:
                    self.wfile.write(b"ok")

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def url(self, kind: str) -> str:
        return f"http://127.0.0.1:{self.port}/{kind}/T000SECRET0TOKEN"

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def service() -> Iterator[Service]:
    s = Service()
    yield s
    s.close()


def shown(kind: str, body: dict) -> str:
    """The text as the service shows it: its escapes undone."""
    if kind == "slack":
        return html.unescape(body["text"])
    if kind == "json":
        return body["text"]
    if kind == "googlechat":
        return body["text"].replace(ZWSP, "")
    if kind == "teams":
        text = "\n".join(b["text"] for b in body["attachments"][0]["content"]["body"])
    else:
        text = body["text" if kind == "mattermost" else "content"]
    return re.sub(r"\\(.)", r"\1", text).replace(ZWSP, "")


def assert_inert(kind: str, body: dict) -> None:
    """Nothing in the body that the service would take as a mention, a link or markup from user text."""
    text = json.dumps(body, ensure_ascii=False)
    if kind == "slack":
        assert "<!" not in text and "<@" not in text and "<http" not in text
    elif kind in ("mattermost", "discord"):
        for word in ("@everyone", "@here", "@channel", "@all"):
            assert word not in text
        assert not re.search(r"(?<!\\\\)<[@#!]", text)  # <@id>, <#id>, <!x> only escaped
        assert not re.search(r"(?<!\\\\)\*\*bold", text) and not re.search(r"(?<!\\\\)\[click", text)
    elif kind == "googlechat":
        assert "<users/all>" not in text and "<https://x" not in text
        assert "*Impact*" in text  # the template's own bold is kept
        assert not re.search(r"\*\*bold", text) and "_it_" not in text and "`5xx`" not in text
    elif kind == "teams":
        assert "<at>" not in text and not re.search(r"(?<!\\\\)\[click", text)


@pytest.mark.parametrize("kind", KINDS)
async def test_each_kind_is_accepted_and_shows_the_text_as_typed(service, kind) -> None:
    result = await post_message(service.url(kind), kind, HOSTILE, TEMPLATE, template="update", audience="exec")
    assert result.ok, result.error
    [(got_kind, body)] = service.received
    assert got_kind == kind
    expected = HOSTILE if kind != "teams" else "\n".join(line for line in HOSTILE.split("\n") if line.strip())
    assert shown(kind, body) == expected
    assert_inert(kind, body)
    if kind == "discord":
        assert body["allowed_mentions"] == {"parse": []}
    if kind == "json":
        assert (body["template"], body["audience"]) == ("update", "exec")


@pytest.mark.parametrize("kind, size", [("discord", 4500), ("googlechat", 9000), ("mattermost", 20000)])
async def test_a_long_update_goes_out_in_messages_the_service_accepts(service, kind, size) -> None:
    lines = [f"line {n} <@{n}> *{n}*" for n in range(size // 18)]
    text = "\n".join(lines)
    result = await post_message(service.url(kind), kind, text)
    assert result.ok, result.error
    assert len(service.received) > 1
    parts = [shown(kind, body) for _, body in service.received]
    assert "\n".join(parts) == text  # cut at line ends, nothing lost, in order


async def test_a_line_longer_than_a_message_is_cut(service) -> None:
    text = "<@1>" * 1200  # 4800 characters, escaped to 6000
    assert (await post_message(service.url("discord"), "discord", text)).ok
    assert "".join(shown("discord", b) for _, b in service.received) == text


async def test_the_server_refuses_what_the_service_would(service) -> None:
    """The checks are real: Slack's body is no Discord message; an over-long message is refused."""
    refused = await post_update(service.url("discord"), "hi", retries=0)
    assert not refused.ok and refused.status == 400 and "empty message" in refused.error
    assert not (await post_update(service.url("teams"), "hi", retries=0)).ok
    too_long = await post_update(service.url("discord"), "", body={"content": "x" * 2001}, retries=0)
    assert not too_long.ok and "2000 or fewer" in too_long.error


def test_the_kind_from_the_url_or_named() -> None:
    assert kind_for_url("https://discord.com/api/webhooks/1/abc") == "discord"
    assert kind_for_url("https://chat.googleapis.com/v1/spaces/X/messages?key=k") == "googlechat"
    assert kind_for_url("https://prod-12.westeurope.logic.azure.com:443/workflows/abc") == "teams"
    assert kind_for_url("https://hooks.slack.com/services/T/B/X") == "slack"
    assert kind_for_url("https://mm.example.com/hooks/abc") == "slack"  # Mattermost takes Slack's JSON
    assert split_spec("mattermost+https://mm.example.com/hooks/abc") == ("mattermost", "https://mm.example.com/hooks/abc")
    assert split_spec("https://a+b.example/x") == (None, "https://a+b.example/x")
    assert check_kind("MS-Teams") == "teams" and check_kind("generic") == "json"
    with pytest.raises(WebhookKindError, match=r"unknown webhook kind 'irc' \(kinds: slack, mattermost"):
        check_kind("irc")
    with pytest.raises(WebhookKindError):
        split_spec("irc+https://x.example/")


def test_control_characters_are_visible_in_every_kind() -> None:
    for kind in KINDS:
        text = json.dumps(bodies(kind, "a\x1b]52;c;x\x07b\u202e"), ensure_ascii=False)
        assert "\x1b" not in text and "\u202e" not in text and "␛" in text
