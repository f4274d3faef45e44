"""HTTP health probes: the runbooks' ``curl -f …/health`` triage step, async with httpx.

A probe is one GET. It is **up** when the answer is 2xx or 3xx (like ``curl -f``, redirects are
not followed: a 302 to a login page is an answer) or, when the probe sets ``expect_status``,
exactly that status. Anything else is **down** with a short reason for a pane or a terminal:
``HTTP 503``, ``HTTP 200, expected 204``, ``timeout after 3 s``, ``connection refused``,
``cannot resolve host api.internal``, ``TLS error: …``.

**Never raises**: :func:`probe` turns every failure into a down :class:`ProbeResult` (only
cancellation propagates), so one broken URL cannot take the others with it in :func:`probe_all`.

**Deadline.** ``timeout`` bounds the whole probe (connect, headers and the first 64 KiB of the
body), not each network operation as httpx's own timeout does: a server trickling bytes is a
timeout too (``timeout after 3 s reading the body (HTTP 200)``). ``latency_s`` is the time to the response headers.

**Credentials.** A URL may carry them (``https://user:secret@host/health`` is sent as basic
auth by httpx). Results and messages only ever hold :func:`redact_url`'s form of the URL: no
userinfo, and secret-looking query parameters (``?token=…``) replaced by ``***``.

Pure of Textual: the UI runs :func:`probe_all` in an async worker, the CLI with ``asyncio.run``.
"""

from __future__ import annotations

import asyncio
import re
import socket
import ssl
import time
import urllib.parse
from dataclasses import dataclass
from datetime import datetime
from typing import Iterable

import httpx

from warroom.sources.errors import exception_chain
from warroom.config import ProbeConfig
from warroom.domain.units import format_value

#: How much of a body is read before the probe stops listening (health bodies are small).
BODY_LIMIT = 64 * 1024
USER_AGENT = "warroom-probe"
_MAX_ERROR = 160
_SECRET_PARAM = re.compile(
    r"(^|&)([^=&]*(?:token|key|secret|pass|pwd|sig|auth|cred|session)[^=&]*)=([^&]*)", re.IGNORECASE)


@dataclass(frozen=True)
class ProbeResult:
    """One probe's outcome. ``url`` is redacted; ``error`` is empty when ``ok``."""

    name: str
    url: str
    ok: bool
    status: int | None  # the HTTP status, None when no response came
    latency_s: float | None  # time to the response headers, None when no response came
    error: str
    at: datetime

    @property
    def summary(self) -> str:
        """``up, HTTP 200 in 12 ms`` / ``down: HTTP 503 in 4 ms`` / ``down: timeout after 3 s``."""
        took = f" in {format_value(self.latency_s, 'seconds')}" if self.latency_s is not None else ""
        if self.ok:
            return f"up, HTTP {self.status}{took}"
        return f"down: {self.error}{took}"


def redact_url(url: str) -> str:
    """``url`` without credentials: userinfo dropped, secret-looking query values as ``***``."""
    try:
        parts = urllib.parse.urlsplit(url)
    except ValueError:
        return "<invalid URL>"
    netloc = parts.netloc.rpartition("@")[2]
    query = _SECRET_PARAM.sub(lambda m: f"{m[1]}{m[2]}=***", parts.query)
    return urllib.parse.urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def url_secrets(url: str) -> list[str]:
    """The parts of ``url`` that must never be shown: password, userinfo, secret query values."""
    try:
        parts = urllib.parse.urlsplit(url)
    except ValueError:
        return [url]
    found = []
    userinfo = parts.netloc.rpartition("@")[0]
    if userinfo:
        found.append(userinfo)
        for password in userinfo.split(":", 1)[1:]:
            found += [password, urllib.parse.unquote(password)]
    found += [m[3] for m in _SECRET_PARAM.finditer(parts.query) if m[3]]
    return sorted({f for f in found if f}, key=len, reverse=True)


def scrub(text: str, secrets: Iterable[str]) -> str:
    """``text`` with every secret replaced by ``***`` (longest first, so overlaps go too)."""
    for secret in sorted({s for s in secrets if s}, key=len, reverse=True):
        text = text.replace(secret, "***")
    return text


async def probe(client: httpx.AsyncClient, config: ProbeConfig, now: datetime) -> ProbeResult:
    """GET ``config.url`` once within ``config.timeout``; never raises (see the module doc)."""
    url = redact_url(config.url)
    started = time.perf_counter()
    latency: float | None = None
    status: int | None = None
    try:
        async with asyncio.timeout(config.timeout):
            async with client.stream("GET", config.url, timeout=config.timeout, follow_redirects=False) as response:
                latency = time.perf_counter() - started
                status = response.status_code
                read = 0
                async for chunk in response.aiter_raw():
                    read += len(chunk)
                    if read >= BODY_LIMIT:
                        break
    except (TimeoutError, httpx.TimeoutException):
        return _down(config, url, now, f"timeout after {config.timeout:g} s", status, latency)
    except Exception as exc:  # noqa: BLE001 — never raises: every failure is a down result
        reason = scrub(_reason(exc, config.url), url_secrets(config.url))
        return _down(config, url, now, reason, status, latency)
    if config.expect_status is not None:
        ok = status == config.expect_status
        error = "" if ok else f"HTTP {status}, expected {config.expect_status}"
    else:
        ok = 200 <= status < 400
        error = "" if ok else f"HTTP {status}"
    return ProbeResult(config.name, url, ok, status, latency, error, now)


async def probe_all(
    configs: Iterable[ProbeConfig], now: datetime, *, client: httpx.AsyncClient | None = None
) -> list[ProbeResult]:
    """Every probe at once (concurrently), results in the order of ``configs``.

    Without ``client``, one is made for the call (and closed after it).
    """
    configs = list(configs)
    if not configs:
        return []
    if client is not None:
        return list(await asyncio.gather(*(probe(client, c, now) for c in configs)))
    async with make_client() as own:
        return list(await asyncio.gather(*(probe(own, c, now) for c in configs)))


class ConfiguredProbes:
    """The configured probes as a live source (``warroom.sources.interfaces.ProbeSource``): every
    probe at the shortest configured interval, over one client kept open between rounds."""

    def __init__(self, configs: Iterable[ProbeConfig]) -> None:
        self.configs = tuple(configs)
        self.interval = min((c.interval for c in self.configs), default=10.0)
        self._client: httpx.AsyncClient | None = None

    async def probe_all(self, now: datetime) -> list[ProbeResult]:
        if self._client is None:
            self._client = make_client()
        return await probe_all(self.configs, now, client=self._client)

    async def aclose(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            await client.aclose()


def make_client(**kwargs) -> httpx.AsyncClient:
    """The client probes share: no redirects followed, a recognisable User-Agent."""
    kwargs.setdefault("headers", {"User-Agent": USER_AGENT})
    kwargs.setdefault("follow_redirects", False)
    return httpx.AsyncClient(**kwargs)


def _down(config: ProbeConfig, url: str, now: datetime, error: str,
          status: int | None = None, latency: float | None = None) -> ProbeResult:
    if status is not None:  # the headers came, the body did not
        error = f"{error} reading the body (HTTP {status})"
    return ProbeResult(config.name, url, False, status, latency, error, now)


def _reason(exc: BaseException, raw_url: str) -> str:
    chain = exception_chain(exc)

    def first(*types: type[BaseException]) -> BaseException | None:
        return next((e for e in chain if isinstance(e, types)), None)

    if first(ConnectionRefusedError):
        return "connection refused"
    if first(socket.gaierror):
        host = urllib.parse.urlsplit(raw_url).hostname or "?"
        return f"cannot resolve host {host}"
    tls = first(ssl.SSLError)
    if tls is not None:
        detail = getattr(tls, "verify_message", None) or getattr(tls, "reason", None) or str(tls)
        return f"TLS error: {_short(str(detail))}"
    if first(httpx.UnsupportedProtocol, httpx.InvalidURL):
        return f"invalid URL: {_short(str(exc))}"
    if first(httpx.RemoteProtocolError):
        return "connection closed by the server"
    if first(ConnectionResetError, httpx.ReadError):
        return "connection reset"
    if first(httpx.ConnectError):
        return f"cannot connect: {_short(str(exc))}"
    return f"probe failed: {_short(f'{type(exc).__name__}: {exc}')}"


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _MAX_ERROR else text[: _MAX_ERROR - 1] + "…"
