"""The read-only API client: one context's connection on the official ``kubernetes.aio``; GET only.

**Async, on ``kubernetes.aio``.** v37 ships a real asyncio client (``kubernetes.aio``: an
openapi-generator build over aiohttp, not the separate ``kubernetes_asyncio`` package). It is
used rather than the sync client in threads because a watcher holds many long-lived streams at
once (6 kinds × namespaces × contexts): as asyncio tasks they cost nothing while idle, stop at
once when cancelled (a sync watch blocked in a socket read can only be abandoned, or woken by a
timeout), share one connection pool per context, and run on the same loop as the Textual app (or
on a private loop in a thread, see :meth:`~warroom.sources.kube.watcher.KubeWatcher.start_thread`),
so callbacks need no locking.

What is used from it, and what is not:

* used: ``kubernetes.aio.config`` (kubeconfig merging, contexts, tokens, exec plugins, client
  certificates, in-cluster service account) and ``ApiClient`` (``param_serialize`` adds the
  auth header and builds the URL; ``call_api`` sends through its aiohttp session with the TLS
  settings of the context). Every request goes through :meth:`Client.get`, whose method is
  the literal ``"GET"``: read-only by construction (list, watch; nothing else is ever sent).
* not used: the generated ``CoreV1Api``/``AppsV1Api`` and ``kubernetes.aio.watch.Watch``.
  Both build pydantic models: ~440 µs to deserialize one pod against ~15 µs for ``json.loads``
  (measured), i.e. ~2 s of event-loop time for a 5,000-pod list and ~1 s for a 2,000-event
  storm; importing the generated API modules alone costs ~1.2 s (``ApiClient`` + config:
  ~0.4 s). ``Watch`` also deserializes every event into a model (``return_type`` only changes
  which one, at the price of a JSON round trip), and in its "watch forever" mode reconnects by
  itself on end of stream and retries a 410 once with the same stale resourceVersion, hiding
  both from the caller's backoff and re-list logic. The stream is therefore read by
  :mod:`warroom.sources.kube.reflector`: raw JSON lines (what ``_preload_content=False``
  returns), ``ERROR`` events mapped to statuses by :func:`http_error`.

**Lazy import.** Nothing in :mod:`warroom.sources.kube` imports ``kubernetes`` (or aiohttp) at
module level: the import (~0.4 s) runs in a worker thread when a watcher starts
(:func:`load_kube`), so neither the first frame nor the event loop waits on it.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
from collections.abc import Sequence
from types import SimpleNamespace
from typing import Any

from warroom.sources.kube.context import KubeTarget, ResolvedContext, resolve_context
from warroom.sources.kube.errors import Dropped, Forbidden, Gone, KubeError
from warroom.sources.kube.resources import Kind, Obj

__all__ = [
    "CONNECT_TIMEOUT",
    "Client",
    "connect",
    "http_error",
    "load_kube",
    "transport_error",
]


log = logging.getLogger(__name__)

#: Connect timeout of a request, seconds.
CONNECT_TIMEOUT = 10.0


_KUBE: SimpleNamespace | None = None
_KUBE_LOCK = threading.Lock()


def _kube() -> SimpleNamespace:
    """The parts of ``kubernetes.aio`` and aiohttp in use (imported on first call, ~0.4 s)."""
    global _KUBE
    if _KUBE is None:
        import aiohttp
        from kubernetes.aio.client.api_client import ApiClient
        from kubernetes.aio.client.configuration import Configuration
        from kubernetes.aio.config import ConfigException, load_incluster_config, load_kube_config

        _KUBE = SimpleNamespace(
            aiohttp=aiohttp,
            ApiClient=ApiClient,
            Configuration=Configuration,
            ConfigException=ConfigException,
            load_kube_config=load_kube_config,
            load_incluster_config=load_incluster_config,
        )
    return _KUBE


async def load_kube() -> SimpleNamespace:
    """:func:`_kube` without blocking the event loop (the import runs in a worker thread)."""
    if _KUBE is not None:
        return _KUBE

    def load() -> SimpleNamespace:
        with _KUBE_LOCK:
            return _kube()

    return await asyncio.to_thread(load)


class Client:
    """One context's connection: a ``kubernetes.aio`` ApiClient that only ever sends GET."""

    def __init__(self, kube: SimpleNamespace, api: Any, resolved: ResolvedContext) -> None:
        self.kube = kube
        self.api = api
        self.resolved = resolved

    @property
    def context(self) -> str:
        return self.resolved.context

    @property
    def server(self) -> str:
        return str(self.api.configuration.host or "")

    async def get(self, path: str, query: Sequence[tuple[str, str]], *, total: float) -> Any:
        """GET ``path?query``: the aiohttp response, unread (the caller releases it).

        The only request this module ever makes.
        """
        aiohttp = self.kube.aiohttp
        method, url, headers, _body, _post = await self.api.param_serialize(
            method="GET",
            resource_path=path,
            query_params=list(query),
            header_params={"Accept": "application/json"},
            auth_settings=["BearerToken"],
        )
        timeout = aiohttp.ClientTimeout(total=total, sock_connect=CONNECT_TIMEOUT)
        try:
            response = await self.api.call_api(method, url, header_params=headers, _request_timeout=timeout)
        except Exception as e:
            raise transport_error(self.kube, e, self.server) from e
        return response.response

    async def reload(self) -> None:
        """Re-read the kubeconfig into this client's configuration (a refreshed token)."""
        await _load_config(self.kube, self.resolved, self.api.configuration)

    async def close(self) -> None:
        try:
            await self.api.close()
        except Exception:  # pragma: no cover - closing a broken session
            log.debug("closing the kubernetes client failed", exc_info=True)


async def _load_config(kube: SimpleNamespace, resolved: ResolvedContext, configuration: Any) -> None:
    try:
        if resolved.config_file is None:
            kube.load_incluster_config(client_configuration=configuration)
        else:
            await kube.load_kube_config(
                config_file=resolved.config_file,
                context=resolved.context,
                client_configuration=configuration,
                persist_config=False,  # read-only, the kubeconfig too
            )
    except KubeError:
        raise
    except (kube.ConfigException, OSError, ValueError, KeyError, TypeError) as e:
        raise KubeError(f"kubeconfig {resolved.shown}, context '{resolved.context}': {e}", "config") from e


async def connect(target: KubeTarget, kube: SimpleNamespace, *, connections: int) -> Client:
    resolved = await asyncio.to_thread(resolve_context, target)
    configuration = kube.Configuration()
    await _load_config(kube, resolved, configuration)
    if not configuration.host:
        raise KubeError(f"context '{resolved.context}' in {resolved.shown} has no server", "config")
    # one connection per open watch, plus room for lists
    configuration.connection_pool_maxsize = max(configuration.connection_pool_maxsize or 0, connections + 8)
    api = kube.ApiClient(configuration=configuration)
    api.user_agent = "warroom (kubernetes-python aio)"
    return Client(kube, api, resolved)


def transport_error(kube: SimpleNamespace, e: BaseException, server: str) -> KubeError | Dropped:
    aiohttp = kube.aiohttp
    where = server or "the API server"
    if isinstance(e, KubeError | Dropped):
        return e
    if isinstance(e, aiohttp.ClientConnectorCertificateError):
        cause = e.certificate_error
        detail = getattr(cause, "verify_message", None)
        reason = f"certificate verify failed: {detail}" if detail else str(cause)
        return KubeError(f"cannot reach {where}: TLS certificate rejected ({reason})", "tls")
    if isinstance(e, aiohttp.ClientConnectorSSLError | aiohttp.ClientSSLError):
        return KubeError(f"cannot reach {where}: TLS error ({e})", "tls")
    if isinstance(e, aiohttp.ClientConnectorError):
        os_error = e.os_error
        if isinstance(os_error, ConnectionRefusedError):
            reason = "connection refused"
        elif isinstance(os_error, OSError) and type(os_error).__name__ == "gaierror":
            reason = f"unknown host {e.host}"
        elif isinstance(os_error, TimeoutError):
            reason = "connection timed out"
        else:
            reason = (getattr(os_error, "strerror", None) or str(os_error) or type(os_error).__name__).lower()
        return KubeError(f"cannot reach {where}: {reason}", "unreachable")
    if isinstance(e, TimeoutError):
        return KubeError(f"cannot reach {where}: timed out", "timeout")
    if isinstance(e, aiohttp.ServerDisconnectedError | aiohttp.ClientPayloadError | aiohttp.ClientOSError):
        return KubeError(f"cannot reach {where}: connection lost ({e.__class__.__name__})", "unreachable")
    if isinstance(e, aiohttp.ClientError):
        return KubeError(f"cannot reach {where}: {e}", "unreachable")
    if isinstance(e, ValueError):  # a malformed server URL in the kubeconfig
        return KubeError(f"bad API server URL {where!r}: {e}", "config")
    raise e


def _status_message(body: bytes) -> tuple[str, Obj]:
    try:
        status = json.loads(body)
    except ValueError:
        return body.decode("utf-8", "replace").strip()[:200], {}
    if not isinstance(status, dict):
        return "", {}
    return str(status.get("message") or status.get("reason") or "").strip()[:300], status


def http_error(status: int, body: bytes, *, client: Client, kind: Kind, namespace: str | None) -> Exception:
    message, _ = _status_message(body)
    if status == 410:
        return Gone(message)
    if status == 401:
        return KubeError(
            f"unauthorized: credentials expired or invalid for context {client.context}", "auth", status=401
        )
    if status == 403:
        return Forbidden(kind, namespace, message)
    where = client.server or "the API server"
    detail = f": {message}" if message else ""
    return KubeError(f"HTTP {status} from {where}{detail}", "http", status=status)
