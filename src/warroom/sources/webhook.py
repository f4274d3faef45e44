"""Posting a status update to a Slack-compatible incoming webhook, async with httpx.

``post_update(url, text)`` POSTs ``{"text": text}`` as JSON. The text is sent exactly as given:
make it Slack-safe first with :func:`warroom.domain.comms.slack_text`.

**Retries.** A 5xx answer, a 429 (rate limited; its ``Retry-After`` is honoured up to
``MAX_RETRY_AFTER``), a timeout or a connection failure is retried ``retries`` times after a
short backoff (``backoff``, doubled each time); the ``sleep`` used for it is injectable, so tests
never wait. Any other answer (4xx, 3xx — redirects are not followed) is final. A timed-out
attempt may still have been delivered, so a retry can post twice: a duplicate update is better
than a lost one.

**Never raises** (only cancellation propagates): every failure is a :class:`WebhookResult` with
``ok=False`` and a short reason — ``HTTP 500 after 3 attempts``, ``timeout after 5 s (3
attempts)``, ``HTTP 404: no_service``, ``connection refused (3 attempts)``.

**The URL is a secret** (whoever has a Slack webhook URL can post to the channel). It never
appears in a result, an error or a log record: error texts are built from fixed phrases and
scrubbed of the URL and its parts (an answer's excerpt is scrubbed *before* it is cut to length,
so a quoted URL cannot survive as a fragment; see :func:`scrub_answer`), and httpx's own ``HTTP Request: POST <url>`` log line is
rewritten by a filter on the ``httpx`` logger while a post is in flight.
"""

from __future__ import annotations

import asyncio
import logging
import re
import socket
import ssl
import threading
import urllib.parse
from dataclasses import dataclass
from typing import Awaitable, Callable, Iterable

import httpx

from warroom.sources.errors import exception_chain

log = logging.getLogger(__name__)

USER_AGENT = "warroom-webhook"
#: The longest ``Retry-After`` honoured; longer waits are cut to this (the comms lead is waiting).
MAX_RETRY_AFTER = 10.0
_MAX_BODY = 80
#: How much of an error answer is read (its reason is at the start; the rest is never needed).
_READ_LIMIT = 4096
REDACTED = "<webhook URL>"

Sleep = Callable[[float], Awaitable[object]]


@dataclass(frozen=True)
class WebhookResult:
    """The outcome of one :func:`post_update`. ``error`` is "" when ``ok``; never holds the URL."""

    ok: bool
    status: int | None  # the last HTTP status, None when no answer came
    attempts: int  # requests made (0: the URL was unusable, nothing was sent)
    error: str = ""


class _Attempt(Exception):
    """One failed attempt: its reason, the status, whether it is worth retrying and when."""

    def __init__(self, reason: str, status: int | None = None, retry: bool = True, wait: float | None = None):
        super().__init__(reason)
        self.reason = reason
        self.status = status
        self.retry = retry
        self.wait = wait


async def post_update(
    url: str,
    text: str,
    *,
    body: dict | None = None,
    timeout: float = 5,
    retries: int = 2,
    client: httpx.AsyncClient | None = None,
    backoff: float = 0.5,
    sleep: Sleep = asyncio.sleep,
) -> WebhookResult:
    """POST ``{"text": text}`` (or ``body``, the JSON of another kind of webhook: see
    :mod:`warroom.domain.webhook_body`) to ``url``; retry transient failures; never raise.

    ``timeout`` bounds each attempt as a whole (connect, send, answer). Without ``client``, one is
    made for the call and closed after it.
    """
    url = (url or "").strip()
    if not url:
        return WebhookResult(False, None, 0, "no webhook URL configured")
    try:
        parts = urllib.parse.urlsplit(url)
    except ValueError:
        parts = None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        return WebhookResult(False, None, 0, "invalid webhook URL (expected http:// or https://…)")
    secrets = url_parts(url)
    payload = {"text": text} if body is None else body
    with _redacting(secrets):
        if client is not None:
            return await _post(client, url, payload, timeout, retries, backoff, sleep, secrets)
        try:
            async with httpx.AsyncClient(follow_redirects=False, headers={"User-Agent": USER_AGENT}) as own:
                return await _post(own, url, payload, timeout, retries, backoff, sleep, secrets)
        except Exception as exc:  # noqa: BLE001 — closing the client must not raise either
            return WebhookResult(False, None, 0, _scrub(f"webhook failed: {type(exc).__name__}", secrets))


async def _post(client: httpx.AsyncClient, url: str, payload: dict, timeout: float, retries: int, backoff: float,
                sleep: Sleep, secrets: list[str]) -> WebhookResult:
    attempts = 0
    failure: _Attempt | None = None
    total = 1 + max(0, int(retries))
    for n in range(total):
        attempts += 1
        try:
            status = await _attempt(client, url, payload, timeout)
        except _Attempt as exc:
            failure = exc
        else:
            return WebhookResult(True, status, attempts, "")
        log.info("webhook attempt %d of %d failed: %s", attempts, total, _scrub(failure.reason, secrets))
        if not failure.retry or n == total - 1:
            break
        delay = backoff * (2**n)
        if failure.wait is not None:
            delay = max(delay, min(failure.wait, MAX_RETRY_AFTER))
        await sleep(delay)
    assert failure is not None
    return WebhookResult(False, failure.status, attempts, _scrub(_final(failure, attempts), secrets))


async def post_message(url: str, kind: str, text: str, template_text: str = "", *, template: str = "",
                       audience: str = "", **options) -> WebhookResult:
    """Post ``text`` to a webhook of ``kind``: its body (or bodies, in order, when the service takes
    less in one message) built by :func:`warroom.domain.webhook_body.bodies`; stops at the first
    message that fails, saying which. ``options`` are :func:`post_update`'s."""
    from warroom.domain.webhook_body import bodies

    messages = bodies(kind, text, template_text, template=template, audience=audience)
    attempts = 0
    result = WebhookResult(True, None, 0, "")
    for n, body in enumerate(messages, 1):
        result = await post_update(url, "", body=body, **options)
        attempts += result.attempts
        if not result.ok:
            which = f"message {n} of {len(messages)}: " if len(messages) > 1 else ""
            return WebhookResult(False, result.status, attempts, which + result.error)
    return WebhookResult(True, result.status, attempts, "")


def _final(failure: _Attempt, attempts: int) -> str:
    if attempts == 1:
        return failure.reason
    if failure.reason.startswith("HTTP ") and ":" not in failure.reason:
        return f"{failure.reason} after {attempts} attempts"
    return f"{failure.reason} ({attempts} attempts)"


async def _attempt(client: httpx.AsyncClient, url: str, payload: dict, timeout: float) -> int:
    try:
        async with asyncio.timeout(timeout):
            async with client.stream("POST", url, json=payload, timeout=timeout,
                                     follow_redirects=False) as response:
                status = response.status_code
                raw = b"" if 200 <= status < 300 else await _read_some(response)
    except (TimeoutError, httpx.TimeoutException):
        raise _Attempt(f"timeout after {timeout:g} s") from None
    except Exception as exc:  # noqa: BLE001 — every failure is a result
        reason, retry = _reason(exc)
        raise _Attempt(reason, retry=retry) from None
    if 200 <= status < 300:
        return status
    if status >= 500:
        raise _Attempt(f"HTTP {status}", status)
    if status == 429:
        raise _Attempt("HTTP 429 (rate limited)", status, wait=_retry_after(response))
    if 300 <= status < 400:
        raise _Attempt(f"HTTP {status}: redirect not followed", status, retry=False)
    body = _excerpt(raw, response.encoding or "utf-8", url)
    raise _Attempt(f"HTTP {status}" + (f": {body}" if body else ""), status, retry=False)


async def _read_some(response: httpx.Response) -> bytes:
    """The first ``_READ_LIMIT`` bytes of an error answer (its message is at the start)."""
    data = b""
    async for chunk in response.aiter_bytes():
        data += chunk
        if len(data) >= _READ_LIMIT:
            break
    return data[:_READ_LIMIT]


def _excerpt(raw: bytes, encoding: str, url: str) -> str:
    """A short, one-line, printable excerpt of an error answer (Slack says ``no_service``…).

    Scrubbed *before* it is cut: cutting first could split a secret the answer quotes, leaving a
    fragment that no longer matches it (and so survives the scrub).
    """
    try:
        text = raw.decode(encoding, errors="replace")
    except LookupError:
        text = raw.decode("utf-8", errors="replace")
    text = scrub_answer(text, url)
    text = " ".join("".join(ch if ch.isprintable() else " " for ch in text).split())
    return text if len(text) <= _MAX_BODY else text[: _MAX_BODY - 1] + "…"


def _retry_after(response: httpx.Response) -> float | None:
    try:
        value = float(response.headers.get("Retry-After", ""))
    except ValueError:
        return None
    return value if value >= 0 else None


def _reason(exc: BaseException) -> tuple[str, bool]:
    """A fixed phrase for a failure (never the exception's text, which may quote the URL) and retry-or-not."""
    chain = exception_chain(exc)

    def has(*types: type[BaseException]) -> bool:
        return any(isinstance(e, types) for e in chain)

    if has(ConnectionRefusedError):
        return "connection refused", True
    if has(socket.gaierror):
        return "cannot resolve the webhook host", True
    if has(ssl.SSLError):
        return "TLS error", False
    if has(httpx.UnsupportedProtocol, httpx.InvalidURL):
        return "invalid webhook URL", False
    if has(httpx.RemoteProtocolError):
        return "connection closed by the server", True
    if has(ConnectionResetError, httpx.ReadError, httpx.WriteError):
        return "connection reset", True
    if has(httpx.ConnectError, OSError):
        return "cannot connect", True
    return f"webhook failed ({type(exc).__name__})", False


# -- keeping the URL secret ---------------------------------------------------------------------


def _secret_like(part: str) -> bool:
    """A path segment or value that looks like a token (``B0456``, ``xoxb-…``), not a word (``services``)."""
    return len(part) >= 5 and not re.fullmatch(r"[a-z_-]+", part)


def url_parts(url: str) -> list[str]:
    """The URL and every part of it that could give it away (longest first).

    The whole URL, host+path, path and query, userinfo, and token-like path segments and query
    values — not plain lowercase words like ``services`` or ``hooks``, which error texts may use.
    """
    found = {url, url.rstrip("/")}
    try:
        parts = urllib.parse.urlsplit(url)
    except ValueError:
        return sorted(found, key=len, reverse=True)
    found.add(parts.netloc + parts.path)
    if parts.path not in ("", "/"):
        found.add(parts.path)
        found.update(seg for seg in parts.path.split("/") if _secret_like(seg))
    if parts.query:
        found.add(parts.query)
        found.update(v for _, v in urllib.parse.parse_qsl(parts.query) if _secret_like(v))
    userinfo = parts.netloc.rpartition("@")[0]
    if userinfo:
        found.add(userinfo)
    found |= {urllib.parse.unquote(f) for f in found}
    return sorted((f for f in found if f), key=len, reverse=True)


def scrub_answer(text: str, url: str) -> str:
    """A server's answer with every piece of ``url`` it quotes replaced by ``***``.

    :func:`url_parts` go wherever they appear; every other path segment, query value and userinfo
    part of at least 3 characters (a lowercase token, ``T000``…) goes where it stands as a word
    of its own (``/hook/abcdefghij`` loses it, ``invalid_payload`` keeps ``invalid``).
    """
    parts = url_parts(url)
    text = _scrub(text, parts)
    try:
        split = urllib.parse.urlsplit(url)
    except ValueError:
        return text
    pieces = {*split.path.split("/"), *(v for _, v in urllib.parse.parse_qsl(split.query)),
              *re.split(r"[:@]", split.netloc.rpartition("@")[0])}
    pieces |= {urllib.parse.unquote(p) for p in pieces}
    for piece in sorted((p for p in pieces if len(p) >= 3 and p not in parts), key=len, reverse=True):
        text = re.sub(rf"(?<![A-Za-z0-9_]){re.escape(piece)}(?![A-Za-z0-9_])", "***", text)
    return text


def _scrub(text: str, secrets: Iterable[str]) -> str:
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return text


class _RedactFilter(logging.Filter):
    """Rewrites log records that mention a webhook URL in flight (httpx logs every request's URL)."""

    def __init__(self) -> None:
        super().__init__("")
        self._lock = threading.Lock()
        self._active: dict[str, int] = {}

    def add(self, secrets: list[str]) -> None:
        with self._lock:
            for s in secrets:
                self._active[s] = self._active.get(s, 0) + 1

    def remove(self, secrets: list[str]) -> None:
        with self._lock:
            for s in secrets:
                left = self._active.get(s, 0) - 1
                if left > 0:
                    self._active[s] = left
                else:
                    self._active.pop(s, None)

    def filter(self, record: logging.LogRecord) -> bool:
        with self._lock:
            secrets = sorted(self._active, key=len, reverse=True)
        if not secrets:
            return True
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001
            return True
        if any(s in message for s in secrets):
            for s in secrets:
                message = message.replace(s, REDACTED if s.startswith(("http://", "https://")) else "***")
            record.msg, record.args = message, None
        return True


_FILTER = _RedactFilter()
#: httpx logs ``HTTP Request: POST <url> "HTTP/1.1 200 OK"`` at INFO on this logger (httpcore only logs hosts).
_FILTERED_LOGGERS = ("httpx", __name__)


class _redacting:
    """Context manager: the URL's parts are redacted from log records while a post runs."""

    def __init__(self, secrets: list[str]) -> None:
        self.secrets = secrets

    def __enter__(self) -> None:
        for name in _FILTERED_LOGGERS:
            logger = logging.getLogger(name)
            if _FILTER not in logger.filters:
                logger.addFilter(_FILTER)
        _FILTER.add(self.secrets)

    def __exit__(self, *exc) -> None:
        _FILTER.remove(self.secrets)
