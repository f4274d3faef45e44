"""Health probes against a local HTTP server on 127.0.0.1 (up, down, slow, refused…).

Nothing here waits for time to pass: the slow handler blocks on an event (released when the
module's server stops) while the probe's own short timeout expires; concurrency is proven with a
barrier that only opens when every probe is in flight at once.
"""

from __future__ import annotations

import base64
import socket
import threading
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Iterator

import httpx
import pytest

from fixtures.prom_fixture import free_port
from warroom.config import ProbeConfig
from warroom.sources.probes import ProbeResult, probe, probe_all, redact_url, scrub, url_secrets

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=timezone.utc)
CONCURRENT = 3


class Server:
    def __init__(self) -> None:
        self.release = threading.Event()  # set at teardown: frees the slow handlers
        self.barrier = threading.Barrier(CONCURRENT, timeout=10)
        self.auth_seen: list[str] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:  # quiet
                pass

            def _send(self, status: int, body: bytes = b"ok\n", headers: dict[str, str] | None = None) -> None:
                self.send_response(status)
                self.send_header("Content-Length", str(len(body)))
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self) -> None:  # noqa: N802
                path = self.path.split("?")[0]
                if path == "/up":
                    self._send(200)
                elif path == "/down":
                    self._send(503, b"overloaded\n")
                elif path == "/no-content":
                    self._send(204, b"")
                elif path == "/redirect":
                    self._send(302, b"", {"Location": "/down"})
                elif path == "/slow":
                    server.release.wait(30)
                    self._send(200)
                elif path == "/slow-body":  # headers at once, then the body never comes
                    self.send_response(200)
                    self.send_header("Content-Length", "100")
                    self.end_headers()
                    self.wfile.flush()
                    server.release.wait(30)
                elif path == "/barrier":
                    try:
                        server.barrier.wait()
                        self._send(200)
                    except threading.BrokenBarrierError:
                        self._send(500, b"not concurrent\n")
                elif path == "/auth":
                    server.auth_seen.append(self.headers.get("Authorization", ""))
                    self._send(200)
                elif path == "/reset":  # close without an answer
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                else:
                    self._send(404)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True)

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


@pytest.fixture
async def client() -> Iterator[httpx.AsyncClient]:
    async with httpx.AsyncClient() as c:
        yield c


def cfg(url: str, name: str = "api", timeout: float = 3.0, expect_status: int | None = None) -> ProbeConfig:
    return ProbeConfig(name=name, url=url, timeout=timeout, expect_status=expect_status)


async def test_up(server: Server, client: httpx.AsyncClient) -> None:
    r = await probe(client, cfg(f"{server.url}/up"), NOW)
    assert r == ProbeResult("api", f"{server.url}/up", True, 200, r.latency_s, "", NOW)
    assert r.latency_s is not None and 0 < r.latency_s < 3
    assert r.summary.startswith("up, HTTP 200 in ")


async def test_down_503(server: Server, client: httpx.AsyncClient) -> None:
    r = await probe(client, cfg(f"{server.url}/down"), NOW)
    assert (r.ok, r.status, r.error) == (False, 503, "HTTP 503")
    assert r.latency_s is not None
    assert r.summary.startswith("down: HTTP 503 in ")


async def test_redirect_is_up_and_not_followed(server: Server, client: httpx.AsyncClient) -> None:
    # like curl -f: a 3xx is an answer; following it would have reached /down (503)
    r = await probe(client, cfg(f"{server.url}/redirect"), NOW)
    assert (r.ok, r.status, r.error) == (True, 302, "")


@pytest.mark.parametrize(("path", "expect", "ok", "error"), [
    ("/no-content", 204, True, ""),
    ("/up", 204, False, "HTTP 200, expected 204"),
    ("/down", 503, True, ""),  # a maintenance endpoint that must answer 503
])
async def test_expect_status(server: Server, client: httpx.AsyncClient, path, expect, ok, error) -> None:
    r = await probe(client, cfg(f"{server.url}{path}", expect_status=expect), NOW)
    assert (r.ok, r.error) == (ok, error)


async def test_slow_past_the_timeout(server: Server, client: httpx.AsyncClient) -> None:
    r = await probe(client, cfg(f"{server.url}/slow", timeout=0.2), NOW)
    assert (r.ok, r.status, r.latency_s, r.error) == (False, None, None, "timeout after 0.2 s")


async def test_body_that_never_comes_is_a_timeout(server: Server, client: httpx.AsyncClient) -> None:
    r = await probe(client, cfg(f"{server.url}/slow-body", timeout=0.2), NOW)
    assert not r.ok and r.status == 200
    assert r.error == "timeout after 0.2 s reading the body (HTTP 200)"


async def test_connection_refused(client: httpx.AsyncClient) -> None:
    r = await probe(client, cfg(f"http://127.0.0.1:{free_port()}/health"), NOW)
    assert (r.ok, r.status, r.latency_s, r.error) == (False, None, None, "connection refused")


async def test_connection_closed_without_answer(server: Server, client: httpx.AsyncClient) -> None:
    r = await probe(client, cfg(f"{server.url}/reset"), NOW)
    assert not r.ok and r.status is None
    assert r.error in ("connection closed by the server", "connection reset")


async def test_dns_failure() -> None:
    def resolve_fails(request: httpx.Request) -> httpx.Response:
        # what httpcore raises when getaddrinfo fails (seen with a real .invalid host)
        try:
            raise socket.gaierror(-2, "Name or service not known")
        except socket.gaierror as exc:
            raise httpx.ConnectError("[Errno -2] Name or service not known", request=request) from exc

    async with httpx.AsyncClient(transport=httpx.MockTransport(resolve_fails)) as c:
        r = await probe(c, cfg("https://api.no-such-host.invalid/health"), NOW)
    assert (r.ok, r.error) == (False, "cannot resolve host api.no-such-host.invalid")


@pytest.mark.parametrize("url", ["ftp://example.com/health", "http://"])
async def test_invalid_url_never_raises(client: httpx.AsyncClient, url: str) -> None:
    r = await probe(client, cfg(url), NOW)
    assert not r.ok and r.error.startswith("invalid URL")


async def test_unexpected_exception_never_raises() -> None:
    def boom(request: httpx.Request) -> httpx.Response:
        raise RuntimeError("transport bug")

    async with httpx.AsyncClient(transport=httpx.MockTransport(boom)) as c:
        r = await probe(c, cfg("http://127.0.0.1/health"), NOW)
    assert (r.ok, r.error) == (False, "probe failed: RuntimeError: transport bug")


async def test_credentials_are_used_but_never_shown(server: Server, client: httpx.AsyncClient) -> None:
    base = server.url.replace("http://", "http://ops:s3cret-pw@")
    r = await probe(client, cfg(f"{base}/auth?token=tok-123&x=1"), NOW)
    assert r.ok
    assert server.auth_seen[-1] == "Basic " + base64.b64encode(b"ops:s3cret-pw").decode()
    assert r.url == f"{server.url}/auth?token=***&x=1"
    # and on failure, neither the URL nor the message leaks them
    closed = f"http://ops:s3cret-pw@127.0.0.1:{free_port()}/health?api_key=k-456"
    down = await probe(client, cfg(closed), NOW)
    assert "s3cret" not in repr(down) and "k-456" not in repr(down) and "ops:" not in repr(down)


async def test_probe_all_runs_concurrently_in_order(server: Server) -> None:
    # the /barrier handler answers 200 only when all CONCURRENT requests are in flight together
    configs = [cfg(f"{server.url}/barrier", name=f"b{i}", timeout=5) for i in range(CONCURRENT)]
    configs.insert(1, cfg(f"{server.url}/down", name="down"))
    results = await probe_all(configs, NOW)
    assert [r.name for r in results] == ["b0", "down", "b1", "b2"]
    assert [r.status for r in results] == [200, 503, 200, 200]
    assert all(r.at == NOW for r in results)


async def test_probe_all_with_nothing() -> None:
    assert await probe_all([], NOW) == []


@pytest.mark.parametrize(("url", "shown"), [
    ("https://u:p@api.example.com:8443/health?x=1", "https://api.example.com:8443/health?x=1"),
    ("https://api.example.com/h?access_token=abc&Signature=zz&v=2", "https://api.example.com/h?access_token=***&Signature=***&v=2"),
    ("http://api/health", "http://api/health"),
])
def test_redact_url(url: str, shown: str) -> None:
    assert redact_url(url) == shown


def test_scrub_removes_every_secret_of_a_url() -> None:
    url = "https://ops:pa%2Fss@h/x?token=t0k"
    secrets = url_secrets(url)
    assert set(secrets) == {"ops:pa%2Fss", "pa/ss", "pa%2Fss", "t0k"}
    assert scrub(f"failed {url} with pa/ss", secrets) == "failed https://***@h/x?token=*** with ***"
