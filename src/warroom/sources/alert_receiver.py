"""The webhook receiver's HTTP side: Alertmanager (and Grafana) POST notifications here.

A small HTTP/1.1 server on asyncio streams (the stdlib: nothing heavy to import, and a start/stop
API any asyncio host can run — ``warroom receive`` today, the headless watcher later). What it
guarantees, whatever arrives:

- ``Authorization: Bearer <token>`` is required on every request but ``GET /healthz``; compared
  in constant time; the token is never logged or echoed.
- A body over ``max_body`` bytes is refused (413) before it is read; malformed JSON (400), an
  unknown version or shape (422), a missing length (411) are refused too — each with a one-line
  reason and nothing handed on. Only a parsed :class:`Notification` reaches ``deliver``.
- ``deliver`` raising an error answers 503 (Alertmanager retries; the once-only keys make the
  retry harmless); the server keeps serving after any bad request, and reads each request with a
  timeout so a stalled client holds nothing.

Endpoints: ``POST /alerts`` (also ``/`` and ``/api/alerts``), ``GET /alerts`` (a token check for
``warroom doctor``), ``GET /healthz``.
"""

from __future__ import annotations

import asyncio
import hmac
import json
from dataclasses import dataclass
from typing import Awaitable, Callable

from warroom.domain.alert_payload import Notification, PayloadError, parse_notification
from warroom.domain.text import one_line

DEFAULT_LISTEN = "127.0.0.1:9095"
DEFAULT_MAX_BODY = 1024 * 1024
MAX_HEAD = 16 * 1024
READ_TIMEOUT = 10.0
#: A refused body up to this size is read and dropped, so the sender hears the answer (a larger
#: one: the answer, then the connection closed).
DRAIN_LIMIT = 16 * 1024 * 1024
POST_PATHS = ("/alerts", "/", "/api/alerts")
_REASONS = {200: "OK", 400: "Bad Request", 401: "Unauthorized", 404: "Not Found", 405: "Method Not Allowed",
            411: "Length Required", 413: "Content Too Large", 415: "Unsupported Media Type",
            422: "Unprocessable Content", 431: "Request Header Fields Too Large", 503: "Service Unavailable"}

#: ``deliver(notification) -> a one-line summary of what was written`` (for the answer and the log).
Deliver = Callable[[Notification], Awaitable[str]]


class ListenError(ValueError):
    """A listen address that cannot be used (one line)."""


def parse_listen(text: str) -> tuple[str, int]:
    """``127.0.0.1:9095``, ``[::1]:9095``, ``:9095`` (loopback) → host and port."""
    host, sep, port = text.strip().rpartition(":")
    if not sep or not port.isdigit() or not 0 <= int(port) <= 65535:
        raise ListenError(f"listen address {text!r}: expected HOST:PORT, e.g. {DEFAULT_LISTEN}")
    host = host.strip("[]") or "127.0.0.1"
    return host, int(port)


@dataclass
class _Answer:
    status: int
    text: str
    close: bool = False


class AlertReceiver:
    """``await start()`` binds and serves; ``await stop()`` closes. ``log(line)`` gets one line per
    request (never a header, never the token)."""

    def __init__(self, listen: str, token: str, deliver: Deliver, *, max_body: int = DEFAULT_MAX_BODY,
                 log: Callable[[str], None] = lambda line: None, read_timeout: float = READ_TIMEOUT) -> None:
        if not token:
            raise ListenError("the receiver needs a token (Alertmanager sends it as a bearer token)")
        self.host, self.port = parse_listen(listen)
        self._token = token.encode()
        self._deliver = deliver
        self.max_body = max_body
        self._log = log
        self._timeout = read_timeout
        self._server: asyncio.Server | None = None
        self._lock = asyncio.Lock()  # one notification at a time: routing sees what the last one wrote
        self.requests = 0

    def __repr__(self) -> str:  # the token stays out of every repr
        return f"AlertReceiver({self.address!r})"

    @property
    def address(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}"

    @property
    def url(self) -> str:
        return f"http://{self.address}/alerts"

    async def start(self) -> None:
        try:
            self._server = await asyncio.start_server(self._connection, self.host, self.port, limit=MAX_HEAD)
        except OSError as exc:
            raise ListenError(f"cannot listen on {self.host}:{self.port}: {exc.strerror or exc}") from None
        sockets = self._server.sockets or ()
        if sockets and self.port == 0:
            self.port = sockets[0].getsockname()[1]

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None

    async def __aenter__(self) -> AlertReceiver:
        await self.start()
        return self

    async def __aexit__(self, *exc) -> None:
        await self.stop()

    # -- one connection: requests until the client closes or a request cannot be trusted --------
    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        peer = writer.get_extra_info("peername")
        who = peer[0] if isinstance(peer, tuple) else "?"
        try:
            while True:
                try:
                    answer, method, path = await self._request(reader)
                except (asyncio.TimeoutError, asyncio.IncompleteReadError, ConnectionError):
                    return
                if answer is None:
                    return  # the client closed between requests
                self.requests += 1
                self._log(f"{who} {method} {path} → {answer.status} {one_line(answer.text)}")
                await self._send(writer, answer)
                if answer.close:
                    return
        except (ConnectionError, asyncio.CancelledError):
            pass
        finally:
            writer.close()
            try:
                await writer.wait_closed()
            except (ConnectionError, asyncio.CancelledError):
                pass

    async def _request(self, reader: asyncio.StreamReader) -> tuple[_Answer | None, str, str]:
        try:
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), self._timeout)
        except asyncio.LimitOverrunError:
            return _Answer(431, "request head too large", close=True), "?", "?"
        except asyncio.IncompleteReadError as exc:
            if not exc.partial:
                return None, "", ""
            raise
        lines = head.decode("latin-1").split("\r\n")
        parts = lines[0].split(" ")
        if len(parts) != 3 or not parts[2].startswith("HTTP/1."):
            return _Answer(400, "not an HTTP/1.1 request", close=True), "?", "?"
        method, target, version = parts
        path = target.split("?", 1)[0]
        headers: dict[str, str] = {}
        for line in lines[1:]:
            if line:
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
        keep = version == "HTTP/1.1" and headers.get("connection", "").lower() != "close"
        shown = one_line(path)[:80]
        answer, length = self._refusal(method, path, headers, keep)
        if answer is not None:
            if length and length <= DRAIN_LIMIT:  # read what was sent, so the client hears the answer
                await asyncio.wait_for(self._discard(reader, length), self._timeout)
            elif length:
                answer.close = True
            return answer, method, shown
        body = await asyncio.wait_for(reader.readexactly(length or 0), self._timeout)
        return await self._notify(body, keep), method, shown

    def _refusal(self, method: str, path: str, headers: dict[str, str], keep: bool) -> tuple[_Answer | None, int]:
        """The answer to a request refused before its body is read (None: read it), and its length."""
        try:
            length = int(headers.get("content-length", "0"))
        except ValueError:
            return _Answer(400, "Content-Length is not a number", close=True), 0
        if length < 0 or "chunked" in headers.get("transfer-encoding", "").lower():
            if length < 0:
                return _Answer(400, "Content-Length is negative", close=True), 0
            return _Answer(411, "chunked bodies are not accepted: send a Content-Length", close=True), 0
        if method == "GET" and path == "/healthz":
            return _Answer(200, "ok", not keep), length
        if path not in POST_PATHS:
            return _Answer(404, "not found (POST notifications to /alerts)", not keep), length
        if not self._authorised(headers.get("authorization", "")):
            return _Answer(401, "a valid bearer token is required", not keep), length
        if method == "GET":
            return _Answer(200, "warroom receiver: token accepted", not keep), length
        if method != "POST":
            return _Answer(405, "POST notifications to /alerts", not keep), length
        if "content-length" not in headers:
            return _Answer(411, "a Content-Length is required", close=True), 0
        if length > self.max_body:
            return _Answer(413, f"body of {length} bytes is over the {self.max_body}-byte limit", close=True), length
        return None, length

    @staticmethod
    async def _discard(reader: asyncio.StreamReader, length: int) -> None:
        while length > 0:
            chunk = await reader.read(min(length, 65536))
            if not chunk:
                raise asyncio.IncompleteReadError(b"", length)
            length -= len(chunk)

    def _authorised(self, header: str) -> bool:
        scheme, _, credentials = header.partition(" ")
        if scheme.lower() != "bearer":
            return False
        return hmac.compare_digest(credentials.strip().encode(), self._token)

    async def _notify(self, body: bytes, keep: bool) -> _Answer:
        try:
            data = json.loads(body)
        except (ValueError, UnicodeDecodeError) as exc:
            return _Answer(400, f"malformed JSON: {exc}"[:200], not keep)
        try:
            notification = parse_notification(data)
        except PayloadError as exc:
            return _Answer(422, str(exc), not keep)
        async with self._lock:
            try:
                done = await self._deliver(notification)
            except Exception as exc:  # the store said no: Alertmanager retries, the keys make it harmless
                return _Answer(503, f"not written: {one_line(str(exc))[:200]}", not keep)
        return _Answer(200, done, not keep)

    @staticmethod
    async def _send(writer: asyncio.StreamWriter, answer: _Answer) -> None:
        body = (json.dumps({"status": "ok" if answer.status == 200 else "error", "message": answer.text})
                + "\n").encode()
        head = (f"HTTP/1.1 {answer.status} {_REASONS.get(answer.status, 'Error')}\r\n"
                "Content-Type: application/json\r\n"
                f"Content-Length: {len(body)}\r\n"
                + ('WWW-Authenticate: Bearer realm="warroom"\r\n' if answer.status == 401 else "")
                + ("Connection: close\r\n" if answer.close else "")
                + "\r\n")
        writer.write(head.encode() + body)
        await writer.drain()
