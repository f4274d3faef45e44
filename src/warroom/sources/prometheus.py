"""Prometheus adapter: panel readings, sparkline series and alerts from the HTTP API.

**Blocking.** Built on prometheus-api-client's ``PrometheusConnect`` (requests): call it from a
worker thread (Textual ``@work(thread=True)``), never from the event loop. One instance may be
shared by several worker threads (one ``requests.Session``, a connection pool of ``pool_size``).

**Failures** become :class:`SourceError`, whose message is short enough for a pane's status
line: ``connection refused``, ``HTTP 500``, ``bad PromQL: <Prometheus's text>``, ``timeout after
5 s``, ``malformed JSON``… and whose ``kind`` lets the UI decide (all are worth retrying except
``promql`` and ``auth``, which need a config change).

**No retries.** The client library's default retries 5xx three times with backoff (seconds
holding a worker); warroom turns that off and backs off itself, at the pane's pace.

**Timeouts.** ``timeout`` is requests' connect and per-read timeout (not a total deadline: a
server trickling bytes could exceed it) and is also sent as Prometheus's own ``timeout``
parameter, so the server stops evaluating a query nobody waits for.

**Baselines** are the same query evaluated ``offset`` earlier through the ``time`` parameter
(see :mod:`warroom.domain.baseline`), and for sparklines a query_range window shifted likewise
whose points are moved back onto the current time axis.

The alerts endpoint has no method in prometheus-api-client; it is read with the same session
(same auth, TLS and timeout settings).
"""

from __future__ import annotations

import http.client
import re
import socket
import ssl
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from typing import Any, Callable, Literal, Mapping, TypeVar

import requests
import urllib3.exceptions
from prometheus_api_client import PrometheusApiClientException, PrometheusConnect
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from warroom.domain.baseline import (
    Alert,
    Panel,
    Reading,
    Reduced,
    ResultError,
    Series,
    Sparkline,
    baseline_query,
    compare,
    constant_series,
    parse_alerts,
    reduce_matrix,
    reduce_vector,
)
from warroom.sources.errors import exception_chain

ErrorKind = Literal["connection", "timeout", "http", "auth", "tls", "promql", "malformed"]
T = TypeVar("T")

#: Longest Prometheus error text carried into a message.
_MAX_ERROR = 200


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
    """Raised by the response hook for status ≥ 400, before the client reads the body."""

    def __init__(self, status: int, error_type: str, error: str) -> None:
        super().__init__(status, error_type, error)
        self.status, self.error_type, self.error = status, error_type, error


def _raise_for_status(response: requests.Response, *args: Any, **kwargs: Any) -> None:
    if response.status_code < 400:
        return
    error_type = error = ""
    try:
        body = response.json()
        if isinstance(body, Mapping):
            error_type = str(body.get("errorType") or "")
            error = str(body.get("error") or "")
    except ValueError:
        pass
    finally:
        response.close()
    raise _HTTPStatus(response.status_code, error_type, error)


def _short(text: str) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= _MAX_ERROR else text[: _MAX_ERROR - 1] + "…"


def _timestamp(dt: datetime) -> str:
    if dt.tzinfo is None:
        raise ValueError("naive datetime")
    return f"{dt.timestamp():.3f}"


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
    ) -> None:
        if not url.startswith(("http://", "https://")):
            raise ValueError(f"Prometheus URL must start with http:// or https://, got {url!r}")
        if bearer_token and basic_auth:
            raise ValueError("use a bearer token or basic auth, not both")
        if timeout <= 0:
            raise ValueError(f"timeout must be positive, got {timeout!r}")
        self.url = url.rstrip("/")
        self.timeout = float(timeout)
        session = requests.Session()
        session.hooks["response"].append(_raise_for_status)
        session.verify = ca_file if (verify and ca_file) else verify
        if headers:
            session.headers.update(headers)
        if bearer_token:
            session.headers["Authorization"] = f"Bearer {bearer_token}"
        if basic_auth:
            session.auth = basic_auth
        no_retry = Retry(total=0, read=False)
        self._session = session
        self._client = PrometheusConnect(self.url, session=session, retry=no_retry, timeout=self.timeout)
        # the client mounted its own adapter; replace it to size the pool for concurrent panels
        session.mount(self.url, HTTPAdapter(max_retries=no_retry, pool_maxsize=pool_size))

    # -- public API ---------------------------------------------------------------------------

    def query(self, promql: str, at: datetime | None = None) -> Reduced:
        """One instant query, reduced to one value (several series are summed; see ``note``)."""
        params = {"timeout": f"{self.timeout:g}"}
        if at is not None:
            params["time"] = _timestamp(at)
        result = self._call(lambda: self._client.custom_query(promql, params=params))
        return self._reduce(reduce_vector, result)

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

        def fetch() -> Any:
            return self._session.get(f"{self.url}/api/v1/alerts", timeout=self.timeout).json()["data"]

        data = self._call(fetch)
        return self._reduce(parse_alerts, data)

    def version(self) -> str:
        """The server's version (``/api/v1/status/buildinfo``): a cheap connection check."""

        def fetch() -> Any:
            return self._session.get(f"{self.url}/api/v1/status/buildinfo", timeout=self.timeout).json()["data"]

        data = self._call(fetch)
        if not isinstance(data, Mapping) or not isinstance(data.get("version"), str):
            raise SourceError("malformed response: no data.version", "malformed")
        return data["version"]

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> PrometheusSource:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:  # never the credentials
        return f"PrometheusSource({self.url!r}, timeout={self.timeout:g})"

    # -- internals ----------------------------------------------------------------------------

    def _range(self, promql: str, start: datetime, end: datetime, step: timedelta) -> Series:
        _timestamp(start), _timestamp(end)  # refuse naive datetimes
        params = {"timeout": f"{self.timeout:g}"}
        result = self._call(lambda: self._client.custom_query_range(
            promql, start_time=start, end_time=end, step=f"{step.total_seconds():g}", params=params))
        return self._reduce(reduce_matrix, result)

    @staticmethod
    def _reduce(fn: Callable[[Any], T], result: Any) -> T:
        try:
            return fn(result)
        except ResultError as exc:
            raise SourceError(_short(str(exc)), "promql") from exc

    def _call(self, fn: Callable[[], T]) -> T:
        try:
            return fn()
        except _HTTPStatus as exc:
            raise self._http_error(exc) from exc
        except requests.exceptions.Timeout as exc:
            raise SourceError(f"timeout after {self.timeout:g} s", "timeout") from exc
        except requests.exceptions.SSLError as exc:
            raise SourceError(f"TLS error: {_short(_tls_reason(exc))}", "tls") from exc
        except requests.exceptions.JSONDecodeError as exc:
            raise SourceError("malformed JSON", "malformed") from exc
        except requests.exceptions.ConnectionError as exc:
            raise self._connection_error(exc) from exc
        except requests.exceptions.RequestException as exc:
            raise SourceError(f"request failed: {_short(str(exc))}", "connection") from exc
        except (KeyError, IndexError, TypeError) as exc:
            what = f"no {exc.args[0]!r}" if isinstance(exc, KeyError) and exc.args else "unexpected structure"
            raise SourceError(f"malformed response: {what}", "malformed") from exc
        except PrometheusApiClientException as exc:  # the hook should have caught every status ≥ 400
            raise SourceError(_short(f"unexpected response: {exc}"), "http") from exc

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

    def _connection_error(self, exc: BaseException) -> SourceError:
        chain = exception_chain(exc, wrapped=True)

        def has(*types: type[BaseException]) -> bool:
            return any(isinstance(e, types) for e in chain)

        if has(ConnectionRefusedError):
            return SourceError("connection refused", "connection")
        if has(socket.gaierror, urllib3.exceptions.NameResolutionError):
            host = re.sub(r"^https?://([^/:]+).*$", r"\1", self.url)
            return SourceError(f"cannot resolve host {host}", "connection")
        if has(urllib3.exceptions.ReadTimeoutError, urllib3.exceptions.ConnectTimeoutError, TimeoutError):
            return SourceError(f"timeout after {self.timeout:g} s", "timeout")
        if has(http.client.RemoteDisconnected):  # a ConnectionResetError subclass: test it first
            return SourceError("connection closed by the server", "connection")
        if has(ConnectionResetError):
            return SourceError("connection reset", "connection")
        if has(urllib3.exceptions.ProtocolError):
            return SourceError("connection broken", "connection")
        return SourceError(f"cannot connect: {_short(str(exc))}", "connection")


def _tls_reason(exc: BaseException) -> str:
    for e in exception_chain(exc, wrapped=True):
        if isinstance(e, ssl.SSLCertVerificationError):
            return e.verify_message or str(e)
        if isinstance(e, ssl.SSLError):
            return e.reason or str(e)
    return str(exc)
