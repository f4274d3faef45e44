"""Posting updates to a Slack-compatible webhook on a local HTTP server (127.0.0.1).

The server follows a script per path (``/hook/<script>/...``): each POST takes the next answer,
the last one repeating. Backoff sleeps are injected (recorded, never waited); the only real wait
is the short per-attempt timeout of the timeout test, where a handler blocks on an event.
"""

from __future__ import annotations

import json
import logging
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Iterator

import httpx
import pytest

from fixtures.prom_fixture import free_port
from warroom.sources.webhook import WebhookResult, post_update, scrub_answer, url_parts

TEXT = ('🔄 UPDATE: Checkout <!channel> & "quotes" \\ back\\slash\n'
        "*Impact*: ~15% of `5xx` [bold]x[/] <@U123>\n\t→ ünïcode ✖ ▲ ✔")
SECRET = "XXsecretTOKEN42abcXX"
SCRIPTS = {
    "ok": [(200, b"ok")],
    "flaky": [(500, b"oops"), (200, b"ok")],
    "down": [(500, b"internal error")],
    "bad": [(503, b""), (502, b"")],
    "gone": [(404, b"no_service")],
    "invalid": [(400, b"invalid_payload")],
    "echo": [(400, None)],  # the body repeats the request path: the secret must be scrubbed
    "echo404": [(404, None)],  # the same, padded so that an 80-character cut falls inside the secret
    "limited": [(429, b"rate_limited"), (200, b"ok")],
    "redirect": [(302, b"")],
    "created": [(204, b"")],
}


class Server:
    def __init__(self) -> None:
        self.release = threading.Event()
        self.received: list[tuple[str, dict[str, str], bytes]] = []
        self.calls: dict[str, int] = {}
        self.lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:
                pass

            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                with server.lock:
                    server.received.append((self.path, dict(self.headers), body))
                    parts = self.path.split("/")
                    script = parts[2] if len(parts) > 2 else ""
                    n = server.calls.get(self.path, 0)
                    server.calls[self.path] = n + 1
                if script == "slow":
                    server.release.wait(30)
                    return
                answers = SCRIPTS.get(script, [(404, b"no such script")])
                status, payload = answers[min(n, len(answers) - 1)]
                if payload is None and script == "echo404":
                    payload = (f"no webhook here ({'.' * 17}): POST {self.path} is unknown to this server; "
                               "check the URL").encode()
                elif payload is None:
                    payload = f"bad request to {self.path}".encode()
                self.send_response(status)
                self.send_header("Content-Length", str(len(payload)))
                if status == 429:
                    self.send_header("Retry-After", "3")
                if status == 302:
                    self.send_header("Location", "/hook/ok/")
                self.end_headers()
                self.wfile.write(payload)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True)

    def url(self, script: str, tag: str = "") -> str:
        return f"{self.base}/hook/{script}/T000/B000/{SECRET}{tag}"

    def bodies(self, url: str) -> list[bytes]:
        path = url[len(self.base):]
        return [body for p, _, body in self.received if p == path]

    def __enter__(self) -> "Server":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    with Server() as s:
        yield s


class Sleeps:
    """The injected backoff sleep: records the delays, waits for nothing."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, delay: float) -> None:
        self.delays.append(delay)


def _no_secret(result: WebhookResult, url: str) -> None:
    text = repr(result)
    for part in (url, SECRET, url.split("//", 1)[1]):
        assert part not in text


async def test_success_posts_the_text_as_slack_json(server: Server) -> None:
    url = server.url("ok", "-1")
    sleeps = Sleeps()
    result = await post_update(url, TEXT, sleep=sleeps)
    assert result == WebhookResult(True, 200, 1, "")
    assert sleeps.delays == []
    [body] = server.bodies(url)
    assert json.loads(body.decode("utf-8")) == {"text": TEXT}
    headers = next(h for p, h, _ in server.received if url.endswith(p))
    assert headers["Content-Type"] == "application/json"


async def test_any_2xx_is_success(server: Server) -> None:
    assert await post_update(server.url("created", "-2"), "hi") == WebhookResult(True, 204, 1, "")


async def test_500_then_success_is_retried(server: Server) -> None:
    url = server.url("flaky", "-3")
    sleeps = Sleeps()
    result = await post_update(url, TEXT, sleep=sleeps)
    assert result == WebhookResult(True, 200, 2, "")
    assert sleeps.delays == [0.5]
    assert [json.loads(b)["text"] for b in server.bodies(url)] == [TEXT, TEXT]


async def test_500_forever_gives_up_after_all_attempts(server: Server) -> None:
    url = server.url("down", "-4")
    sleeps = Sleeps()
    result = await post_update(url, TEXT, retries=2, sleep=sleeps)
    assert result == WebhookResult(False, 500, 3, "HTTP 500 after 3 attempts")
    assert sleeps.delays == [0.5, 1.0]
    assert len(server.bodies(url)) == 3
    _no_secret(result, url)


async def test_retries_and_backoff_are_configurable(server: Server) -> None:
    url = server.url("bad", "-5")
    sleeps = Sleeps()
    result = await post_update(url, "x", retries=3, backoff=0.25, sleep=sleeps)
    assert result == WebhookResult(False, 502, 4, "HTTP 502 after 4 attempts")
    assert sleeps.delays == [0.25, 0.5, 1.0]
    once = await post_update(server.url("bad", "-6"), "x", retries=0, sleep=sleeps)
    assert once == WebhookResult(False, 503, 1, "HTTP 503")


async def test_timeout_is_retried_then_reported(server: Server) -> None:
    url = server.url("slow", "-7")
    sleeps = Sleeps()
    result = await post_update(url, TEXT, timeout=0.2, retries=1, sleep=sleeps)
    assert result == WebhookResult(False, None, 2, "timeout after 0.2 s (2 attempts)")
    assert sleeps.delays == [0.5]
    assert [json.loads(b)["text"] for b in server.bodies(url)] == [TEXT, TEXT]
    _no_secret(result, url)


@pytest.mark.parametrize(("script", "error"), [
    ("gone", "HTTP 404: no_service"),
    ("invalid", "HTTP 400: invalid_payload"),
    ("redirect", "HTTP 302: redirect not followed"),
])
async def test_client_errors_are_not_retried(server: Server, script: str, error: str) -> None:
    url = server.url(script, "-8")
    sleeps = Sleeps()
    result = await post_update(url, TEXT, sleep=sleeps)
    assert (result.ok, result.attempts, result.error) == (False, 1, error)
    assert sleeps.delays == [] and len(server.bodies(url)) == 1


async def test_an_answer_quoting_the_url_is_scrubbed(server: Server) -> None:
    url = server.url("echo", "-9")
    result = await post_update(url, TEXT)
    assert result.error.startswith("HTTP 400: bad request to ")
    assert "***" in result.error
    _no_secret(result, url)


def fragments(secret: str, size: int = 4) -> list[str]:
    return [secret[i:i + size] for i in range(len(secret) - size + 1)]


@pytest.mark.parametrize("token", ["Zq7Lm2Xv9Kp4Rt8Wn3Y", "abcdefghijklmnopqrs"], ids=["mixed", "lowercase"])
async def test_an_answer_quoting_the_url_loses_every_piece_before_it_is_cut(server: Server, token: str) -> None:
    """The answer is cut to 80 characters; cutting before scrubbing left 13 of these 19 in the error."""
    url = f"{server.base}/hook/echo404/T000/B000/{token}"
    result = await post_update(url, TEXT)
    assert result.error.startswith("HTTP 404: no webhook here") and result.error.endswith("…")
    for piece in [*fragments(token), "T000", "B000"]:
        assert piece not in result.error, (piece, result.error)


def test_scrub_answer_takes_whole_words_only_for_plain_pieces() -> None:
    url = "https://hooks.example/hook/invalid/T000/abcdefghijkl?sig=zzz"
    assert scrub_answer("invalid_payload at /hook/invalid/T000/abcdefghijkl", url) == "invalid_payload at ***"
    assert scrub_answer("token abcdefghijkl, team T000 (invalid); sig zzz", url) == \
        "token ***, team *** (***); sig ***"


async def test_rate_limit_honours_retry_after(server: Server) -> None:
    sleeps = Sleeps()
    result = await post_update(server.url("limited", "-10"), TEXT, sleep=sleeps)
    assert result == WebhookResult(True, 200, 2, "")
    assert sleeps.delays == [3.0]


async def test_connection_refused(server: Server) -> None:
    url = f"http://127.0.0.1:{free_port()}/services/T000/B000/{SECRET}"
    sleeps = Sleeps()
    result = await post_update(url, TEXT, sleep=sleeps)
    assert result == WebhookResult(False, None, 3, "connection refused (3 attempts)")
    assert sleeps.delays == [0.5, 1.0]
    _no_secret(result, url)


@pytest.mark.parametrize(("url", "error"), [
    ("", "no webhook URL configured"),
    ("   ", "no webhook URL configured"),
    (f"hooks.example/{SECRET}", "invalid webhook URL (expected http:// or https://…)"),
    (f"ftp://hooks.example/{SECRET}", "invalid webhook URL (expected http:// or https://…)"),
    (f"http:///{SECRET}", "invalid webhook URL (expected http:// or https://…)"),
])
async def test_unusable_urls_send_nothing(url: str, error: str) -> None:
    sleeps = Sleeps()
    result = await post_update(url, TEXT, sleep=sleeps)
    assert result == WebhookResult(False, None, 0, error)
    assert SECRET not in repr(result)


async def test_never_raises_on_an_unexpected_failure() -> None:
    def boom(request: httpx.Request) -> httpx.Response:
        raise RuntimeError(f"exploded while posting to {request.url}")

    url = f"https://hooks.example/services/{SECRET}"
    async with httpx.AsyncClient(transport=httpx.MockTransport(boom)) as client:
        result = await post_update(url, TEXT, client=client, sleep=Sleeps())
        assert not client.is_closed  # a client passed in is the caller's to close
    assert result == WebhookResult(False, None, 1, "webhook failed (RuntimeError)")


async def test_given_client_is_used(server: Server) -> None:
    seen: list[dict] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(json.loads(request.content))
        return httpx.Response(200, text="ok")

    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as client:
        result = await post_update(f"https://hooks.example/services/{SECRET}", TEXT, client=client)
    assert result.ok and seen == [{"text": TEXT}]


async def test_the_url_never_reaches_the_logs(server: Server, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    urls = [server.url("ok", "-11"), server.url("down", "-12"), server.url("echo", "-13")]
    results = [await post_update(u, TEXT, sleep=Sleeps()) for u in urls]
    assert [r.ok for r in results] == [True, False, False]
    logged = caplog.text
    assert "HTTP Request: POST <webhook URL>" in logged  # httpx's own request log line, rewritten
    assert "webhook attempt 1 of 3 failed: HTTP 500" in logged
    assert SECRET not in logged and "/hook/" not in logged
    for r, u in zip(results, urls):
        _no_secret(r, u)
    # outside a post, other httpx log lines are left alone
    caplog.clear()
    logging.getLogger("httpx").info("HTTP Request: POST %s", f"http://elsewhere/{SECRET}")
    assert SECRET in caplog.text


def test_url_parts_cover_the_secret() -> None:
    parts = url_parts(f"https://user:pw@hooks.example/services/T1/B2/{SECRET}?token=abcdef123")
    for needle in (SECRET, "/services/T1/B2/" + SECRET, "abcdef123", "user:pw"):
        assert needle in parts
    assert "services" not in parts  # words stay: error texts may use them
    assert parts == sorted(parts, key=len, reverse=True)
