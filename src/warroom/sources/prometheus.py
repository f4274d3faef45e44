"""Prometheus adapter: panel readings, sparkline series and alerts from the HTTP API.

**Blocking façade, one HTTP stack.** Every call (queries, ranges, alerts, build info) goes
through one ``httpx.AsyncClient`` running on the source's own event loop, in a daemon thread;
the public methods block until their request is done, so call them from a worker thread
(Textual ``@work(thread=True)``), never from the event loop. One instance may be shared by
several worker threads (one connection pool of ``pool_size``).

**Timeouts are total deadlines.** ``timeout`` bounds a whole request — connecting, the headers
and every byte of the body — with ``asyncio.timeout``: a server trickling a byte a second fails
at ``timeout`` like one that never answers (a per-read timeout would wait forever). It is also
sent as Prometheus's own ``timeout`` parameter, so the server stops evaluating a query nobody
waits for.

**Bounded responses.** A body is read while streaming and refused once past ``max_bytes``
(counted after decompression, which is done here in bounded steps), and a query result of more
than ``max_series`` series is refused: a runaway query or a hostile server costs an error
message, not the process's memory.

**TLS.** ``ca_file`` is loaded into the client's own SSL context, so it wins over
``SSL_CERT_FILE``/``SSL_CERT_DIR`` (and ``REQUESTS_CA_BUNDLE``, which httpx never reads) for
every endpoint alike.

**Decoding** of the answers' JSON is :mod:`warroom.sources.prometheus_wire`.

**Failures** become :class:`SourceError`, whose message is short enough for a pane's status
line: ``connection refused``, ``HTTP 500``, ``bad PromQL: <Prometheus's text>``, ``timeout after
5 s``, ``malformed JSON``, ``response too large``… and whose ``kind`` lets the UI decide (all are
worth retrying except ``promql`` and ``auth``, which need a config change).

**No retries**: the pane backs off itself, at its own pace.

**Baselines** are the same query evaluated ``offset`` earlier through the ``time`` parameter
(see :mod:`warroom.domain.panels`), and for sparklines a query_range window shifted likewise
whose points are moved back onto the current time axis.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import json
import re
import socket
import ssl
import threading
import zlib
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from typing import Any, Callable, Coroutine, Literal, Mapping, TypeVar

import httpx

from warroom.domain.baseline import Alert, Reading, Series, Sparkline, compare, constant_series
from warroom.domain.panels import Panel, baseline_query
from warroom.sources.errors import exception_chain
from warroom.sources.prometheus_wire import Reduced, ResultError, parse_alerts, reduce_matrix, reduce_vector

ErrorKind = Literal["connection", "timeout", "http", "auth", "tls", "promql", "malformed", "too_large"]
T = TypeVar("T")

#: Longest Prometheus error text carried into a message.
_MAX_ERROR = 200
#: Largest body read from one response (after decompression). Panels ask for aggregated values
#: and 60-point sparklines: kilobytes; this leaves room for a few thousand series.
MAX_BYTES = 8 * 1024 * 1024
#: Most series one query may return (a panel shows one value and its top series).
MAX_SERIES = 2000
#: How much of an error response (status ≥ 400) is read for its message.
_ERROR_BODY = 64 * 1024
USER_AGENT = "warroom"


class SourceError(Exception):
    """A source could not be read; ``str()`` is a short message for the UI, ``kind`` its class."""

    def __init__(self, message: str, kind: ErrorKind) -> None:
        super().__init__(message)
        self.message = message
        self.kind = kind

    @property
    def retryable(self) -> bool:
        """False when only a configuration change can help (bad PromQL, wrong credentials)."""
        return self.kind not in ("promql", "auth")


class _HTTPStatus(Exception):
    """A response with status ≥ 400, with Prometheus's error fields when its body had them."""

    def __init__(self, status: int, error_type: str, error: str) -> None:
        super().__init__(status, error_type, error)
        self.status, self.error_type, self.error = status, error_type, error


def _short(text: str) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= _MAX_ERROR else text[: _MAX_ERROR - 1] + "…"


def _timestamp(dt: datetime) -> str:
    if dt.tzinfo is None:
        raise ValueError("naive datetime")
    return f"{dt.timestamp():.3f}"


def _size(n: int) -> str:
    return f"{n / 1024 / 1024:g} MiB" if n >= 1024 * 1024 else f"{n / 1024:g} KiB"


def ssl_context(ca_file: str | None, verify: bool) -> ssl.SSLContext | bool:
    """What the client verifies servers with: ``ca_file`` alone when given (environment variables
    naming other bundles are not consulted), the default trust otherwise; raises ``ValueError``
    for a CA file that cannot be loaded."""
    if not verify:
        return False
    if not ca_file:
        return True
    try:
        return ssl.create_default_context(cafile=ca_file)
    except FileNotFoundError:
        raise ValueError(f"ca_file {ca_file}: no such file") from None
    except (OSError, ssl.SSLError) as exc:
        reason = getattr(exc, "strerror", None) or getattr(exc, "reason", None) or str(exc)
        raise ValueError(f"ca_file {ca_file}: cannot load it as PEM certificates ({reason})") from None


class _Body:
    """Collects a body up to ``limit`` bytes, decompressing gzip/deflate in bounded steps."""

    def __init__(self, encoding: str, limit: int) -> None:
        self.limit = limit
        self.data = bytearray()
        encoding = encoding.strip().lower()
        if encoding in ("", "identity"):
            self._inflate = None
        elif encoding in ("gzip", "x-gzip", "deflate"):
            self._inflate = zlib.decompressobj(wbits=47)  # gzip or zlib header, detected
        else:
            raise SourceError(f"malformed response: unsupported Content-Encoding {_short(encoding)!r}", "malformed")

    @property
    def compressed(self) -> bool:
        return self._inflate is not None

    def add(self, chunk: bytes) -> bool:
        """Append one raw chunk; False once past the limit (what was read is kept up to it)."""
        room = self.limit - len(self.data)
        if self._inflate is not None:
            try:
                # decompress at most one byte past the limit, whatever the compression ratio
                chunk = self._inflate.decompress(chunk, room + 1)
            except zlib.error as exc:
                raise SourceError("malformed response: bad compressed body", "malformed") from exc
        if len(chunk) > room:
            self.data += chunk[:room]
            return False
        self.data += chunk
        return True


class _Loop:
    """An event loop in a daemon thread, running the coroutines that blocking callers submit."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, name="prometheus-http", daemon=True)
        self._thread.start()
        self.closed = False

    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        if self.closed:
            coro.close()
            raise SourceError("source closed", "connection")
        future = asyncio.run_coroutine_threadsafe(coro, self.loop)
        try:
            return future.result()
        except concurrent.futures.CancelledError:
            raise SourceError("source closed", "connection") from None

    def close(self, last: Callable[[], Coroutine[Any, Any, None]]) -> None:
        """Cancel what is in flight (its callers get "source closed"), run ``last``, stop the loop."""
        if self.closed:
            return
        self.closed = True

        async def finish() -> None:
            tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for t in tasks:
                t.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            await last()

        try:
            asyncio.run_coroutine_threadsafe(finish(), self.loop).result(timeout=10)
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self._thread.join(timeout=10)
            if not self._thread.is_alive():
                self.loop.close()


class PrometheusSource:
    """Reads panels, sparklines and alerts from one Prometheus server (blocking; worker threads)."""

    def __init__(
        self,
        url: str,
        *,
        timeout: float = 5.0,
        bearer_token: str | None = None,
        basic_auth: tuple[str, str] | None = None,
        ca_file: str | None = None,
        verify: bool = True,
        headers: Mapping[str, str] | None = None,
        pool_size: int = 16,
        max_bytes: int = MAX_BYTES,
        max_series: int = MAX_SERIES,
    ) -> None:
        if not url.startswith(("http://", "https://")):
            raise ValueError(f"Prometheus URL must start with http:// or https://, got {url!r}")
        if bearer_token and basic_auth:
            raise ValueError("use a bearer token or basic auth, not both")
        if timeout <= 0:
            raise ValueError(f"timeout must be positive, got {timeout!r}")
        self.url = url.rstrip("/")
        self.timeout = float(timeout)
        self.max_bytes = max_bytes
        self.max_series = max_series
        tls = ssl_context(ca_file, verify)
        all_headers = {"User-Agent": USER_AGENT, "Accept": "application/json", "Accept-Encoding": "gzip"}
        all_headers.update(headers or {})
        if bearer_token:
            all_headers["Authorization"] = f"Bearer {bearer_token}"
        # httpx's own timeouts only back up the deadline (``asyncio.timeout`` in ``_get``)
        options = dict(verify=tls, headers=all_headers, auth=basic_auth, timeout=self.timeout + 1,
                       follow_redirects=False, limits=httpx.Limits(max_connections=pool_size))
        self._loop = _Loop()

        async def make() -> httpx.AsyncClient:
            return httpx.AsyncClient(**options)

        self._client: httpx.AsyncClient = self._loop.run(make())

    # -- public API ---------------------------------------------------------------------------

    def query(self, promql: str, at: datetime | None = None) -> Reduced:
        """One instant query, reduced to one value (several series are summed; see ``note``)."""
        params = {"query": promql, "timeout": f"{self.timeout:g}"}
        if at is not None:
            params["time"] = _timestamp(at)
        return self._reduce(reduce_vector, self._result("/api/v1/query", params))

    def read_panel(self, panel: Panel, now: datetime | None = None) -> Reading:
        """The panel's value at ``now`` (default: the local clock) against its baseline, judged.

        Two queries, current then baseline; either failing raises :class:`SourceError`.
        """
        now = (now or datetime.now(timezone.utc)).astimezone(timezone.utc)
        current = self.query(panel.query, now)
        plan = baseline_query(panel)
        notes = [current.note]
        if plan is None:
            base_value = panel.baseline_fixed
        else:
            base = self.query(plan.query, plan.at(now))
            base_value = base.value
            if base.value is not None and base.note:
                notes.append(f"baseline: {base.note}")
        reading = compare(current.value, base_value, panel, notes=notes)
        return replace(reading, at=now, series=current.series, top=current.top)

    def range(self, panel: Panel, start: datetime, end: datetime, step: timedelta | float) -> Sparkline:
        """The panel over ``start..end`` every ``step`` and its baseline on the same time axis."""
        step_td = step if isinstance(step, timedelta) else timedelta(seconds=step)
        if step_td <= timedelta(0):
            raise ValueError("step must be positive")
        if end < start:
            raise ValueError("end must not be before start")
        current = self._range(panel.query, start, end, step_td)
        plan = baseline_query(panel)
        if plan is None:
            fixed = panel.baseline_fixed
            assert fixed is not None
            baseline = constant_series(fixed, start, end, step_td)
        else:
            baseline = self._range(plan.query, plan.at(start), plan.at(end), step_td).shifted(plan.shift)
        return Sparkline(panel, current, baseline)

    def alerts(self) -> list[Alert]:
        """Pending and firing alerts (``/api/v1/alerts``): firing first, oldest first."""
        data = self._call(lambda body: body["data"], "/api/v1/alerts", {})
        return self._reduce(parse_alerts, data)

    def version(self) -> str:
        """The server's version (``/api/v1/status/buildinfo``): a cheap connection check."""
        data = self._call(lambda body: body["data"], "/api/v1/status/buildinfo", {})
        if not isinstance(data, Mapping) or not isinstance(data.get("version"), str):
            raise SourceError("malformed response: no data.version", "malformed")
        return data["version"]

    def close(self) -> None:
        self._loop.close(self._client.aclose)

    def __enter__(self) -> PrometheusSource:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:  # never the credentials
        return f"PrometheusSource({self.url!r}, timeout={self.timeout:g})"

    # -- internals ----------------------------------------------------------------------------

    def _range(self, promql: str, start: datetime, end: datetime, step: timedelta) -> Series:
        _timestamp(start), _timestamp(end)  # refuse naive datetimes
        params = {"query": promql, "start": str(round(start.timestamp())), "end": str(round(end.timestamp())),
                  "step": f"{step.total_seconds():g}", "timeout": f"{self.timeout:g}"}
        return self._reduce(reduce_matrix, self._result("/api/v1/query_range", params))

    def _result(self, path: str, params: dict[str, str]) -> Any:
        """``data.result`` of a query, refused when it holds more than ``max_series`` series."""
        result = self._call(lambda body: body["data"]["result"], path, params)
        if isinstance(result, list) and len(result) > self.max_series:
            raise SourceError(f"too many series: {len(result)} (limit {self.max_series}); "
                              "aggregate the query (sum by …)", "promql")
        return result

    @staticmethod
    def _reduce(fn: Callable[[Any], T], result: Any) -> T:
        try:
            return fn(result)
        except ResultError as exc:
            raise SourceError(_short(str(exc)), "promql") from exc

    def _call(self, pick: Callable[[Any], T], path: str, params: dict[str, str]) -> T:
        try:
            body = self._loop.run(self._get(path, params))
        except _HTTPStatus as exc:
            raise self._http_error(exc) from exc
        except SourceError:
            raise
        except Exception as exc:  # noqa: BLE001 — whatever the transport raised becomes one message
            raise self._transport_error(exc) from exc
        try:
            return pick(body)
        except (KeyError, IndexError, TypeError) as exc:
            what = f"no {exc.args[0]!r}" if isinstance(exc, KeyError) and exc.args else "unexpected structure"
            raise SourceError(f"malformed response: {what}", "malformed") from exc

    async def _get(self, path: str, params: dict[str, str]) -> Any:
        """GET ``path`` and parse its JSON body, all within the deadline and the size limit."""
        try:
            async with asyncio.timeout(self.timeout):
                async with self._client.stream("GET", self.url + path, params=params) as response:
                    status = response.status_code
                    limit = self.max_bytes if status < 400 else _ERROR_BODY
                    body = _Body(response.headers.get("content-encoding", ""), limit)
                    declared = response.headers.get("content-length", "")
                    if status < 400 and not body.compressed and declared.isdigit() and int(declared) > limit:
                        raise self._too_large()
                    async for chunk in response.aiter_raw():
                        if not body.add(chunk):
                            if status < 400:
                                raise self._too_large()
                            break  # an error's message is in its first kilobytes
        except TimeoutError:
            raise SourceError(f"timeout after {self.timeout:g} s", "timeout") from None
        if status >= 400:
            raise _status_error(status, bytes(body.data))
        try:
            return json.loads(body.data)
        except ValueError as exc:
            raise SourceError("malformed JSON", "malformed") from exc

    def _too_large(self) -> SourceError:
        return SourceError(f"response too large: over {_size(self.max_bytes)} (the limit for one request)",
                           "too_large")

    def _http_error(self, exc: _HTTPStatus) -> SourceError:
        error = _short(exc.error)
        if exc.error_type == "bad_data":
            # /query says 'invalid parameter "query": 1:5: parse error: …', /query_range just '1:5: parse error: …'
            m = re.match(r'invalid parameter "query": (.*)', error, re.S)
            if m or re.match(r"\d+:\d+: parse error", error):
                return SourceError(f"bad PromQL: {m[1] if m else error}", "promql")
            return SourceError(f"bad request: {error}", "promql")
        if exc.error_type == "execution":
            return SourceError(f"query failed: {error}", "promql")
        if exc.error_type == "timeout":
            return SourceError(f"timeout after {self.timeout:g} s (in Prometheus: {error})", "timeout")
        if exc.status == 401:
            return SourceError("HTTP 401 (unauthorized: check the token or password)", "auth")
        if exc.status == 403:
            return SourceError("HTTP 403 (forbidden: check the token or password)", "auth")
        if exc.status == 404:
            return SourceError("HTTP 404 (no Prometheus API at this URL?)", "http")
        return SourceError(f"HTTP {exc.status}" + (f": {error}" if error else ""), "http")

    def _transport_error(self, exc: BaseException) -> SourceError:
        chain = exception_chain(exc, wrapped=True)

        def has(*types: type[BaseException]) -> bool:
            return any(isinstance(e, types) for e in chain)

        if has(ssl.SSLError):
            return SourceError(f"TLS error: {_short(_tls_reason(exc))}", "tls")
        if has(ConnectionRefusedError):
            return SourceError("connection refused", "connection")
        if has(socket.gaierror):
            host = re.sub(r"^https?://(?:[^@/]*@)?([^/:]+).*$", r"\1", self.url)
            return SourceError(f"cannot resolve host {host}", "connection")
        if has(httpx.TimeoutException, TimeoutError):
            return SourceError(f"timeout after {self.timeout:g} s", "timeout")
        if has(httpx.RemoteProtocolError):
            return SourceError("connection closed by the server", "connection")
        if has(ConnectionResetError, httpx.ReadError):
            return SourceError("connection reset", "connection")
        if has(httpx.UnsupportedProtocol, httpx.InvalidURL):
            return SourceError(f"invalid URL: {_short(str(exc))}", "connection")
        return SourceError(f"cannot connect: {_short(str(exc) or type(exc).__name__)}", "connection")


def _status_error(status: int, body: bytes) -> _HTTPStatus:
    error_type = error = ""
    try:
        parsed = json.loads(body)
        if isinstance(parsed, Mapping):
            error_type = str(parsed.get("errorType") or "")
            error = str(parsed.get("error") or "")
    except ValueError:
        pass
    return _HTTPStatus(status, error_type, error)


def _tls_reason(exc: BaseException) -> str:
    for e in exception_chain(exc, wrapped=True):
        if isinstance(e, ssl.SSLCertVerificationError):
            return e.verify_message or str(e)
        if isinstance(e, ssl.SSLError):
            return e.reason or str(e)
    return str(exc)
