"""Kubernetes source: list + watch of pods, workloads and Warning events, one watcher per context.

**Async, on the official client's ``kubernetes.aio``.** v37 ships a real asyncio client
(``kubernetes.aio``: an openapi-generator build over aiohttp, not the separate
``kubernetes_asyncio`` package). It is used rather than the sync client in threads because a
watcher holds many long-lived streams at once (6 kinds × namespaces × contexts): as asyncio
tasks they cost nothing while idle, stop at once when cancelled (a sync watch blocked in a
socket read can only be abandoned, or woken by a timeout), share one connection pool per
context, and run on the same loop as the Textual app (or on a private loop in a thread, see
:meth:`KubeWatcher.start_thread`), so callbacks need no locking.

What is used from it, and what is not:

* used: ``kubernetes.aio.config`` (kubeconfig merging, contexts, tokens, exec plugins, client
  certificates, in-cluster service account) and ``ApiClient`` (``param_serialize`` adds the
  auth header and builds the URL; ``call_api`` sends through its aiohttp session with the TLS
  settings of the context). Every request goes through :meth:`_Client.get`, whose method is
  the literal ``"GET"``: read-only by construction (list, watch; nothing else is ever sent).
* not used: the generated ``CoreV1Api``/``AppsV1Api`` and ``kubernetes.aio.watch.Watch``.
  Both build pydantic models: ~440 µs to deserialize one pod against ~15 µs for ``json.loads``
  (measured), i.e. ~2 s of event-loop time for a 5,000-pod list and ~1 s for a 2,000-event
  storm; importing the generated API modules alone costs ~1.2 s (``ApiClient`` + config:
  ~0.4 s). ``Watch`` also deserializes every event into a model (``return_type`` only changes
  which one, at the price of a JSON round trip), and in its "watch forever" mode reconnects by
  itself on end of stream and retries a 410 once with the same stale resourceVersion, hiding
  both from the caller's backoff and re-list logic. The stream is therefore read here: raw
  JSON lines (what ``_preload_content=False`` returns), ``ERROR`` events mapped to statuses.

Objects are kept as the API server's JSON (camelCase dicts, what
:mod:`warroom.domain.pod_status` reads): raw JSON rather than
``ApiClient.sanitize_for_serialization`` of models, for the cost above and because no model
round trip can drop or rename a field. Two changes on ingest: items of a list response get the
``kind``/``apiVersion`` a watch event's object carries (so both look alike), and
``metadata.managedFields`` is dropped (often half of an object's size; nothing reads it).

**Protocol** (client-go's reflector): per kind and namespace (or cluster-wide when no
namespace is configured) one paginated list (``limit=500``: a page of 500 pods, ~1.6 MB,
parses in ~10 ms, so the loop never waits on one 16 MB body; the full GC passes CPython makes
while the heap grows during a first list of thousands of pods still stall it up to ~0.1 s —
see ``bench/bench_kube.py``), then one watch from the list's resourceVersion
(``allowWatchBookmarks``, server-side ``timeoutSeconds``; reopened from the last seen
resourceVersion when the server ends it). 410 Gone (on the watch, or an expired ``continue``)
→ re-list. A dropped connection → reconnect from the last resourceVersion after an exponential,
jittered, capped backoff; any other failure → the same backoff, the error reported. ``resync``
> 0 also re-lists every ``resync`` seconds (repairs a cache that missed an event; unchanged
objects are not reported as changed). Never any polling per pod.

**Snapshots** (:class:`KubeSnapshot`) are immutable views published through ``on_change``,
coalesced (``batch_interval``), with ``changed`` — the keys changed since the previous one — so
``view(previous=…)`` recomputes only the changed pods' rows instead of 5,000 of them (~0.3 s).

**Lazy import.** Nothing here imports ``kubernetes`` (or aiohttp) at module level: the import
(~0.4 s) runs in a worker thread when a watcher starts (:func:`_kube`), so neither the first
frame nor the event loop waits on it.

**Errors** are short messages for a pane (:class:`KubeError`): ``unauthorized: credentials
expired or invalid for context prod``; ``forbidden: needs get/list/watch on pods, events in
namespace shop — RBAC (user alice)``; ``cannot reach https://10.0.0.1:6443: connection
refused``; ``context 'foo' not found in ~/.kube/config (contexts: a, b)``; ``no kubeconfig:
~/.kube/config not found and not running in a cluster``. A watcher never raises for them: it
reports, backs off and retries (a 401 reloads the kubeconfig first, picking up refreshed
tokens). Each watcher has its own client, session and tasks: one failing context never
affects another.
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
import os
import random
import re
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from types import MappingProxyType, SimpleNamespace
from typing import Any, Literal, NamedTuple
from urllib.parse import quote

from warroom.domain.pod_index import EMPTY_INDEX, PodIndex, index_pods, replaced_keys, update_index
from warroom.domain.pod_status import PodRow
from warroom.domain.rollouts import Rollout, aged_rollouts, rollouts
from warroom.domain.warning_events import WarningEvent, aged_events, warning_events
from warroom.domain.workloads import WorkloadSummary, summarize

__all__ = [
    "KINDS",
    "Kind",
    "KubeError",
    "KubeSnapshot",
    "KubeTarget",
    "KubeView",
    "KubeWatcher",
    "fetch_snapshot",
    "snapshot_once",
]

log = logging.getLogger(__name__)

Obj = dict[str, Any]
Key = tuple[str, str]  # (namespace, name)
ErrorKind = Literal["config", "auth", "forbidden", "unreachable", "tls", "timeout", "http", "malformed"]

#: Objects per list page.
PAGE_SIZE = 500
#: Connect timeout and total timeout of one list page, seconds.
CONNECT_TIMEOUT = 10.0
LIST_TIMEOUT = 60.0
#: Server-side watch timeout (seconds, jittered ×1–1.2); the client gives up 30 s later.
WATCH_TIMEOUT = 300.0
DEFAULT_ROLLOUTS_WITHIN = timedelta(hours=6)
DEFAULT_EVENTS_WITHIN = timedelta(hours=1)
IN_CLUSTER = "in-cluster"
SERVICE_TOKEN = Path("/var/run/secrets/kubernetes.io/serviceaccount/token")


@dataclass(frozen=True)
class Kind:
    """One watched resource."""

    plural: str
    kind: str
    api_version: str
    #: the label selector of the target applies (not to events: they carry no such labels)
    labelled: bool = True
    #: a fixed field selector (Warning events only)
    field_selector: str | None = None

    @property
    def prefix(self) -> str:
        return "/api/v1" if self.api_version == "v1" else f"/apis/{self.api_version}"

    def path(self, namespace: str | None) -> str:
        if namespace:
            return f"{self.prefix}/namespaces/{quote(namespace, safe='')}/{self.plural}"
        return f"{self.prefix}/{self.plural}"


KINDS: tuple[Kind, ...] = (
    Kind("pods", "Pod", "v1"),
    Kind("deployments", "Deployment", "apps/v1"),
    Kind("replicasets", "ReplicaSet", "apps/v1"),
    Kind("statefulsets", "StatefulSet", "apps/v1"),
    Kind("daemonsets", "DaemonSet", "apps/v1"),
    Kind("events", "Event", "v1", labelled=False, field_selector="type=Warning"),
)


# --------------------------------------------------------------------------- config


@dataclass(frozen=True)
class KubeTarget:
    """What one watcher watches.

    ``kubeconfig``: a path (or ``os.pathsep``-separated paths); None: ``$KUBECONFIG``, else
    ``~/.kube/config``, else the in-cluster service account. ``context``: None = the
    kubeconfig's current context. ``namespaces``: empty = all (cluster-wide watches), else one
    watch per kind and namespace. ``label_selector`` (``app=web,tier!=db``) applies to pods
    and workloads, not to events. ``resync``: seconds between full re-lists, 0 = never.
    """

    kubeconfig: str | Path | None = None
    context: str | None = None
    namespaces: Sequence[str] = ()
    label_selector: str | None = None
    resync: float = 600.0

    def __post_init__(self) -> None:
        namespaces = (self.namespaces,) if isinstance(self.namespaces, str) else tuple(self.namespaces)
        object.__setattr__(self, "namespaces", tuple(dict.fromkeys(n for n in namespaces if n)))
        if self.resync < 0 or math.isnan(self.resync):
            raise ValueError(f"resync must be ≥ 0 seconds, not {self.resync!r}")

    @property
    def label(self) -> str:
        """The context as the user named it (``current`` when left to the kubeconfig)."""
        return self.context or "current"


class KubeError(Exception):
    """A cluster could not be read; ``str()`` is a short message for a pane, ``kind`` its class."""

    def __init__(self, message: str, kind: ErrorKind, *, status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.kind = kind
        self.status = status


class _Gone(Exception):
    """410: the resourceVersion (or continue token) is too old — re-list."""


class _Dropped(Exception):
    """The connection broke after the watch was established — reconnect, no report."""


def _home(path: str | Path) -> str:
    text = str(path)
    home = str(Path.home())
    if home not in ("", "/") and (text == home or text.startswith(home + os.sep)):
        return "~" + text[len(home) :]
    return text


# --------------------------------------------------------------------------- lazy import


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


async def _load_kube() -> SimpleNamespace:
    """:func:`_kube` without blocking the event loop (the import runs in a worker thread)."""
    if _KUBE is not None:
        return _KUBE

    def load() -> SimpleNamespace:
        with _KUBE_LOCK:
            return _kube()

    return await asyncio.to_thread(load)


# --------------------------------------------------------------------------- connecting


@dataclass
class ResolvedContext:
    """Where a target's configuration comes from."""

    context: str  # the context name, or IN_CLUSTER
    config_file: str | None  # the kubeconfig path(s) as given to the loader; None in-cluster
    shown: str  # the kubeconfig as messages show it


def _kubeconfig_paths(target: KubeTarget) -> tuple[str, list[str], bool]:
    """(the path text, the paths, explicit?) by the standard resolution."""
    if target.kubeconfig is not None:
        text, explicit = str(target.kubeconfig), True
    else:
        text, explicit = os.environ.get("KUBECONFIG") or str(Path.home() / ".kube" / "config"), False
    paths = [os.path.expanduser(p) for p in text.split(os.pathsep) if p]
    return text, paths, explicit


def _in_cluster() -> bool:
    return bool(os.environ.get("KUBERNETES_SERVICE_HOST")) and SERVICE_TOKEN.is_file()


def resolve_context(target: KubeTarget) -> ResolvedContext:
    """Check the kubeconfig and the context before the client loads them (blocking file reads; no
    cluster is contacted). Raises :class:`KubeError` saying what is missing."""
    text, paths, explicit = _kubeconfig_paths(target)
    existing = [p for p in paths if os.path.isfile(p)]
    shown = ", ".join(_home(p) for p in paths) or text
    if not existing:
        if not explicit and target.context is None and _in_cluster():
            return ResolvedContext(IN_CLUSTER, None, "in-cluster service account")
        if explicit:
            raise KubeError(f"kubeconfig {shown} not found", "config")
        raise KubeError(
            f"no kubeconfig: {shown} not found and not running in a cluster "
            "(set KUBECONFIG or pass a kubeconfig path)",
            "config",
        )

    import yaml  # PyYAML: a dependency of the kubernetes client

    contexts: list[str] = []
    current: str | None = None
    for path in existing:
        try:
            with open(path, encoding="utf-8") as fh:
                doc = yaml.safe_load(fh) or {}
        except (OSError, yaml.YAMLError, UnicodeDecodeError) as e:
            reason = getattr(e, "strerror", None) or str(e).splitlines()[0]
            raise KubeError(f"kubeconfig {_home(path)} unreadable: {reason}", "config") from e
        if not isinstance(doc, dict):
            raise KubeError(f"kubeconfig {_home(path)} is not a kubeconfig (not a mapping)", "config")
        for ctx in doc.get("contexts") or []:
            name = ctx.get("name") if isinstance(ctx, dict) else None
            if isinstance(name, str) and name not in contexts:
                contexts.append(name)
        if doc.get("current-context"):
            current = str(doc["current-context"])  # the kubernetes client's merge: the last one wins
    shown = ", ".join(_home(p) for p in existing)
    listed = ", ".join(contexts) if contexts else "none"
    name = target.context if target.context is not None else current
    if name is None:
        raise KubeError(f"no current context in {shown} (contexts: {listed}); choose one", "config")
    if name not in contexts:
        which = "context" if target.context is not None else "current context"
        raise KubeError(f"{which} '{name}' not found in {shown} (contexts: {listed})", "config")
    return ResolvedContext(name, os.pathsep.join(existing), shown)


class _Client:
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
            raise _transport_error(self.kube, e, self.server) from e
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


async def _connect(target: KubeTarget, kube: SimpleNamespace, *, connections: int) -> _Client:
    resolved = await asyncio.to_thread(resolve_context, target)
    configuration = kube.Configuration()
    await _load_config(kube, resolved, configuration)
    if not configuration.host:
        raise KubeError(f"context '{resolved.context}' in {resolved.shown} has no server", "config")
    # one connection per open watch, plus room for lists
    configuration.connection_pool_maxsize = max(configuration.connection_pool_maxsize or 0, connections + 8)
    api = kube.ApiClient(configuration=configuration)
    api.user_agent = "warroom (kubernetes-python aio)"
    return _Client(kube, api, resolved)


# --------------------------------------------------------------------------- errors


def _transport_error(kube: SimpleNamespace, e: BaseException, server: str) -> KubeError | _Dropped:
    aiohttp = kube.aiohttp
    where = server or "the API server"
    if isinstance(e, KubeError | _Dropped):
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


def _http_error(status: int, body: bytes, *, client: _Client, kind: Kind, namespace: str | None) -> Exception:
    message, _ = _status_message(body)
    if status == 410:
        return _Gone(message)
    if status == 401:
        return KubeError(
            f"unauthorized: credentials expired or invalid for context {client.context}", "auth", status=401
        )
    if status == 403:
        return _Forbidden(kind, namespace, message)
    where = client.server or "the API server"
    detail = f": {message}" if message else ""
    return KubeError(f"HTTP {status} from {where}{detail}", "http", status=status)


class _Forbidden(KubeError):
    """403 on one kind in one namespace (or cluster-wide); messages are merged per scope."""

    def __init__(self, kind: Kind, namespace: str | None, server_message: str) -> None:
        self.resource = kind
        self.namespace = namespace
        m = re.search(r'User "([^"]+)"', server_message)
        self.user = m.group(1) if m else None
        super().__init__(_forbidden_message([kind.plural], namespace, self.user), "forbidden", status=403)


def _forbidden_message(plurals: Iterable[str], namespace: str | None, user: str | None) -> str:
    where = f"in namespace {namespace}" if namespace else "cluster-wide (all namespaces)"
    who = f" (user {user})" if user else ""
    return f"forbidden: needs get/list/watch on {', '.join(plurals)} {where} — RBAC{who}"


def _merge_errors(errors: Iterable[KubeError]) -> list[KubeError]:
    """One message per distinct problem, forbidden kinds merged per namespace, in a stable order."""
    out: list[KubeError] = []
    seen: set[str] = set()
    forbidden: dict[str | None, list[_Forbidden]] = {}
    for e in errors:
        if isinstance(e, _Forbidden):
            forbidden.setdefault(e.namespace, []).append(e)
            continue
        if e.message not in seen:
            seen.add(e.message)
            out.append(e)
    order = {k.plural: i for i, k in enumerate(KINDS)}
    for namespace, group in forbidden.items():
        plurals = sorted({e.resource.plural for e in group}, key=order.__getitem__)
        user = next((e.user for e in group if e.user), None)
        out.append(KubeError(_forbidden_message(plurals, namespace, user), "forbidden", status=403))
    return out


# --------------------------------------------------------------------------- snapshot


class KubeView(NamedTuple):
    """What the pane and ``warroom pods`` show, at one instant."""

    rows: tuple[PodRow, ...]
    summary: WorkloadSummary
    rollouts: list[Rollout]
    events: list[WarningEvent]
    #: the rows by key, for the next snapshot's view (``view(previous=…)``)
    pods: PodIndex = EMPTY_INDEX
    #: the version of the snapshot it was computed from
    version: int = 0


def _empty() -> Mapping[Key, Obj]:
    return MappingProxyType({})


@dataclass(frozen=True)
class KubeSnapshot:
    """The watched objects of one context, as plain API dicts keyed by ``(namespace, name)``.

    Read-only: the mappings are proxies and the objects are shared with the watcher, which
    replaces (never mutates) an object when it changes.
    """

    context: str
    server: str = ""
    pods: Mapping[Key, Obj] = field(default_factory=_empty, repr=False)
    deployments: Mapping[Key, Obj] = field(default_factory=_empty, repr=False)
    replicasets: Mapping[Key, Obj] = field(default_factory=_empty, repr=False)
    statefulsets: Mapping[Key, Obj] = field(default_factory=_empty, repr=False)
    daemonsets: Mapping[Key, Obj] = field(default_factory=_empty, repr=False)
    events: Mapping[Key, Obj] = field(default_factory=_empty, repr=False)
    #: every kind has been listed at least once (in every namespace)
    synced: bool = False
    #: the current problems, one message each (empty when all is well)
    errors: tuple[str, ...] = ()
    #: ``(plural, namespace, name)`` of what changed since the previous snapshot
    changed: frozenset[tuple[str, str, str]] = frozenset()
    #: 1 for the first snapshot a watcher publishes, +1 for each next one
    version: int = 0

    def objects(self, plural: str) -> Mapping[Key, Obj]:
        return getattr(self, plural)

    @property
    def workloads(self) -> list[Obj]:
        """Deployments, StatefulSets and DaemonSets (what :func:`workload_summary` takes)."""
        return [*self.deployments.values(), *self.statefulsets.values(), *self.daemonsets.values()]

    def view(
        self,
        now: datetime,
        *,
        rollouts_within: timedelta = DEFAULT_ROLLOUTS_WITHIN,
        events_within: timedelta = DEFAULT_EVENTS_WITHIN,
        previous: KubeView | None = None,
    ) -> KubeView:
        """Rows (unhealthy first), workload summary, recent rollouts and Warning events at ``now``.

        ``previous``: the view of an earlier snapshot of the same watcher. Then only the pods
        changed since are recomputed (5,000 rows cost ~0.3 s, a few changed ones ~0.1 ms): those
        in ``changed`` when it is the snapshot just before this one, else those whose object was
        replaced (the watcher never mutates an object it published).
        """
        pods = self.pod_index(previous)
        # with the view just before, what no change touched is carried over (with ``previous``
        # from a view() with the same windows): a pod storm does not find the rollouts again
        touched = ({plural for plural, _, _ in self.changed} if previous is not None
                   and previous.version == self.version - 1 else None)
        if touched is not None and not touched & {"deployments", "replicasets"}:
            found_rollouts = aged_rollouts(previous.rollouts, now, rollouts_within)
        else:
            found_rollouts = rollouts(self.deployments.values(), self.replicasets.values(), now, rollouts_within)
        if touched is not None and "events" not in touched:
            found_events = aged_events(previous.events, now, events_within)
        else:
            found_events = warning_events(self.events.values(), now, events_within)
        return KubeView(
            rows=pods.rows,
            summary=summarize(pods.tally, self.workloads),
            rollouts=found_rollouts,
            events=found_events,
            pods=pods,
            version=self.version,
        )

    def pod_index(self, previous: KubeView | None = None) -> PodIndex:
        if previous is None:
            return index_pods(self.pods)
        if previous.version == self.version - 1:
            changed = [(ns, name) for plural, ns, name in self.changed if plural == "pods"]
        else:
            changed = replaced_keys(previous.pods, self.pods)
        return update_index(previous.pods, self.pods, changed)


def _clean(obj: Obj, kind: Kind) -> Obj:
    meta = obj.get("metadata")
    if isinstance(meta, dict):
        meta.pop("managedFields", None)
    if "kind" not in obj:
        obj["kind"] = kind.kind
        obj["apiVersion"] = kind.api_version
    return obj


def _meta(obj: Obj) -> Obj:
    meta = obj.get("metadata")
    return meta if isinstance(meta, dict) else {}


def _part(value: Any) -> str:
    """A key part from whatever a malformed object holds there (its row says what is wrong)."""
    return value if isinstance(value, str) else "" if value is None else repr(value)


def _key(obj: Obj) -> Key:
    meta = _meta(obj)
    return (_part(meta.get("namespace")), _part(meta.get("name")) or _part(meta.get("uid")))


def _rv(obj: Obj) -> str | None:
    rv = _meta(obj).get("resourceVersion")
    return rv if isinstance(rv, str) else None


# --------------------------------------------------------------------------- the watcher


@dataclass(eq=False)
class _Stream:
    kind: Kind
    namespace: str | None  # None: cluster-wide
    rv: str | None = None
    listed: bool = False  # one list succeeded
    tried: bool = False  # the first list was attempted (success or failure)
    listed_at: float = 0.0
    watch_started: float = 0.0
    progressed: bool = False  # the current watch delivered events
    error: KubeError | None = None

    @property
    def name(self) -> str:
        return f"{self.kind.plural}@{self.namespace or '*'}"


OnChange = Callable[[KubeSnapshot], None]
OnError = Callable[[str], None]


def _ignore(*_: object) -> None:
    pass


class KubeWatcher:
    """Keeps an in-memory snapshot of one context's pods, workloads and Warning events.

    Callback contract (both called on the event loop running :meth:`run` — the app's loop, or
    the watcher's own thread with :meth:`start_thread`; they must not block, and an exception
    in them is logged, never raised into the watcher):

    * ``on_change(snapshot)``: first once every list has been attempted, or ``initial_wait``
      seconds after connecting if some list is still running (``snapshot.synced`` tells
      whether all lists succeeded), then after changes, coalesced — at most one call every
      ``batch_interval`` seconds (an isolated change is reported at once, a storm is batched).
      Errors appearing or clearing also produce a call (``snapshot.errors``).
    * ``on_error(message)``: once when a problem appears (a message not in the previous
      snapshot's ``errors``), just before the ``on_change`` that carries it. Not repeated
      while the problem lasts; once it cleared, a recurrence is reported again.

    The watcher retries forever (capped exponential backoff) until :meth:`stop`.
    """

    def __init__(
        self,
        target: KubeTarget,
        on_change: OnChange | None = None,
        on_error: OnError | None = None,
        *,
        batch_interval: float = 0.15,
        backoff: tuple[float, float] = (0.5, 30.0),
        watch_timeout: float = WATCH_TIMEOUT,
        page_size: int = PAGE_SIZE,
        initial_wait: float = 3.0,
    ) -> None:
        self.target = target
        self.on_change: OnChange = on_change or _ignore
        self.on_error: OnError = on_error or _ignore
        self.batch_interval = batch_interval
        self.backoff = backoff
        self.watch_timeout = watch_timeout
        self.page_size = page_size
        self.initial_wait = initial_wait
        scopes: Sequence[str | None] = target.namespaces or (None,)
        self._streams = [_Stream(kind, ns) for kind in KINDS for ns in scopes]
        self._store: dict[str, dict[Key, Obj]] = {k.plural: {} for k in KINDS}
        self._changed: set[tuple[str, str, str]] = set()
        self._client: _Client | None = None
        self._fatal: KubeError | None = None  # connecting failed
        self._snapshot = KubeSnapshot(context=target.label)
        self._reported: set[str] = set()
        self._version = 0
        self._initial_done = False
        self._dirty: asyncio.Event | None = None
        self._stopping: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop_requested = False
        self._reload_lock: asyncio.Lock | None = None
        self._reloaded_at = -math.inf
        #: counters for tests and the benchmark
        self.stats = {"lists": 0, "watches": 0, "events": 0, "relists_410": 0, "reconnects": 0, "published": 0}

    # ------------------------------------------------------------------ public

    @property
    def snapshot(self) -> KubeSnapshot:
        """The last snapshot published to ``on_change``."""
        return self._snapshot

    @property
    def context(self) -> str:
        return self._client.context if self._client is not None else self.target.label

    async def run(self) -> None:
        """Connect, list and watch until :meth:`stop` (or cancellation). Never raises on cluster errors."""
        self._loop = asyncio.get_running_loop()
        self._dirty = asyncio.Event()
        self._stopping = asyncio.Event()
        self._reload_lock = asyncio.Lock()
        if self._stop_requested:
            return
        flusher = asyncio.create_task(self._flusher(), name=f"kube-flush-{self.target.label}")
        main = asyncio.create_task(self._main(), name=f"kube-{self.target.label}")
        stopper = asyncio.create_task(self._stopping.wait())
        try:
            await asyncio.wait({main, stopper}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (main, stopper):
                task.cancel()
            await asyncio.gather(main, stopper, return_exceptions=True)
            flusher.cancel()
            await asyncio.gather(flusher, return_exceptions=True)
            if self._client is not None:
                await self._client.close()

    def stop(self) -> None:
        """Make :meth:`run` return soon. Thread-safe; may be called before ``run``."""
        self._stop_requested = True
        loop, stopping = self._loop, self._stopping
        if loop is None or stopping is None or loop.is_closed():
            return
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            stopping.set()
        else:
            try:
                loop.call_soon_threadsafe(stopping.set)
            except RuntimeError:  # the loop closed meanwhile: run() is over
                pass

    def start_thread(self) -> threading.Thread:
        """Run the watcher on a private event loop in a daemon thread; callbacks run in it.

        From there, reach a Textual app with ``app.call_from_thread`` or ``post_message``.
        """
        thread = threading.Thread(target=asyncio.run, args=(self.run(),), name=f"kube-{self.target.label}", daemon=True)
        thread.start()
        return thread

    # ------------------------------------------------------------------ main loop

    async def _main(self) -> None:
        kube = await _load_kube()
        attempt = 0
        while self._client is None:
            try:
                self._client = await _connect(self.target, kube, connections=len(self._streams))
            except Exception as e:
                if not isinstance(e, KubeError):
                    log.exception("connecting to %s failed", self.target.label)
                    e = KubeError(f"context {self.target.label}: unexpected {type(e).__name__}: {e}", "config")
                self._fatal = e
                self._initial_done = True
                self._mark_dirty()
                await asyncio.sleep(self._delay(attempt))
                attempt += 1
        self._fatal = None
        self._mark_dirty()
        # a slow kind (a huge event list) must not hold back the others for long
        timer = asyncio.get_running_loop().call_later(self.initial_wait, self._end_initial_wait)
        tasks = [asyncio.create_task(self._reflect(s), name=f"kube-{s.name}") for s in self._streams]
        try:
            await asyncio.gather(*tasks)
        finally:
            timer.cancel()
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

    def _delay(self, attempt: int) -> float:
        base, cap = self.backoff
        return min(cap, base * (2 ** min(attempt, 30))) * random.uniform(0.8, 1.2)

    async def _reflect(self, s: _Stream) -> None:
        """List, then watch from the list's resourceVersion; forever."""
        loop = asyncio.get_running_loop()
        attempt = 0
        while True:
            client = self._client
            assert client is not None
            try:
                resync = self.target.resync
                if s.rv is not None and resync > 0 and loop.time() - s.listed_at >= resync:
                    s.rv = None
                if s.rv is None:
                    await self._list(client, s)
                await self._watch(client, s)
                attempt = 0
                continue  # the server ended the watch: reopen from the last resourceVersion
            except _Gone:
                s.rv = None
                self.stats["relists_410"] += 1
                if loop.time() - s.listed_at >= 1.0:
                    attempt = 0
                    continue  # re-list at once (but back off if lists keep expiring at once)
            except _Dropped:
                # resume from the last resourceVersion; a watch that had been useful (events, or
                # up for a while) starts the backoff over, one that keeps dropping at once does not
                self.stats["reconnects"] += 1
                if s.progressed or loop.time() - s.watch_started >= 5.0:
                    attempt = 0
            except KubeError as e:
                self._set_error(s, e)
                if e.kind == "auth":
                    await self._reload(client)
            except Exception as e:  # a bug or a surprise: report it, keep the stream alive
                log.exception("kube stream %s failed", s.name)
                self._set_error(s, KubeError(f"{s.kind.plural}: unexpected {type(e).__name__}: {e}", "http"))
            finally:
                if not s.tried:
                    s.tried = True
                    self._check_initial()
            await asyncio.sleep(self._delay(attempt))
            attempt += 1

    async def _reload(self, client: _Client) -> None:
        """After a 401: re-read the kubeconfig (once for all the streams that got it)."""
        assert self._reload_lock is not None
        async with self._reload_lock:
            now = asyncio.get_running_loop().time()
            if now - self._reloaded_at < min(1.0, self.backoff[0]):
                return
            self._reloaded_at = now
            try:
                await client.reload()
            except KubeError as e:
                log.info("reloading the kubeconfig for %s failed: %s", client.context, e)

    def _query(self, s: _Stream) -> list[tuple[str, str]]:
        q: list[tuple[str, str]] = []
        if s.kind.labelled and self.target.label_selector:
            q.append(("labelSelector", self.target.label_selector))
        if s.kind.field_selector:
            q.append(("fieldSelector", s.kind.field_selector))
        return q

    async def _get_json(self, client: _Client, s: _Stream, query: list[tuple[str, str]]) -> Obj:
        response = await client.get(s.kind.path(s.namespace), query, total=LIST_TIMEOUT)
        try:
            try:
                body = await response.read()
            except Exception as e:
                raise _transport_error(client.kube, e, client.server) from e
            if response.status != 200:
                raise _http_error(response.status, body, client=client, kind=s.kind, namespace=s.namespace)
        finally:
            response.release()
        try:
            data = json.loads(body)
        except ValueError as e:
            raise KubeError(f"malformed JSON from {client.server}", "malformed") from e
        if not isinstance(data, dict):
            raise KubeError(f"malformed list from {client.server}", "malformed")
        return data

    async def _list(self, client: _Client, s: _Stream) -> None:
        items: list[Obj] = []
        token: str | None = None
        rv: str | None = None
        while True:
            q = self._query(s) + [("limit", str(self.page_size))]
            if token:
                q.append(("continue", token))
            page = await self._get_json(client, s, q)
            items.extend(i for i in page.get("items") or [] if isinstance(i, dict))
            meta = page.get("metadata") or {}
            rv = meta.get("resourceVersion") or rv
            token = meta.get("continue") or None
            if not token:
                break
            await asyncio.sleep(0)  # let the loop breathe between pages
        self.stats["lists"] += 1
        s.rv = rv
        s.listed = True
        s.listed_at = asyncio.get_running_loop().time()
        self._replace(s, items)
        self._clear_error(s)
        self._check_initial()

    async def _watch(self, client: _Client, s: _Stream) -> bool:
        """One watch request from ``s.rv`` until the server ends it; True if events came.

        Raises _Gone (410), _Dropped (connection lost once the watch was up) or KubeError.
        """
        aiohttp = client.kube.aiohttp
        loop = asyncio.get_running_loop()
        seconds = self.watch_timeout * random.uniform(1.0, 1.2)
        if self.target.resync > 0:
            seconds = min(seconds, max(1.0, s.listed_at + self.target.resync - loop.time()))
        seconds = max(1, int(seconds))
        q = self._query(s) + [
            ("watch", "true"),
            ("resourceVersion", s.rv or ""),
            ("allowWatchBookmarks", "true"),
            ("timeoutSeconds", str(seconds)),
        ]
        response = await client.get(s.kind.path(s.namespace), q, total=seconds + 30)
        self.stats["watches"] += 1
        s.watch_started = loop.time()
        s.progressed = False
        try:
            if response.status != 200:
                try:
                    body = await response.read()
                except Exception as e:
                    raise _transport_error(client.kube, e, client.server) from e
                raise _http_error(response.status, body, client=client, kind=s.kind, namespace=s.namespace)
            self._clear_error(s)
            while True:
                try:
                    line = await response.content.readline()
                except (aiohttp.ClientError, ConnectionError, TimeoutError) as e:
                    raise _Dropped(str(e)) from e
                if not line:
                    return s.progressed
                line = line.strip()
                if not line:
                    continue
                try:
                    event = json.loads(line)
                    type_ = event["type"]
                    obj = event["object"]
                except (ValueError, KeyError, TypeError) as e:
                    raise KubeError(f"malformed watch event from {client.server}", "malformed") from e
                if type_ == "ERROR":
                    code = obj.get("code") if isinstance(obj, dict) else None
                    if code == 410:
                        raise _Gone(obj.get("message", ""))
                    body = json.dumps(obj).encode()
                    raise _http_error(int(code or 500), body, client=client, kind=s.kind, namespace=s.namespace)
                rv = _rv(obj) if isinstance(obj, dict) else None
                if type_ == "BOOKMARK":
                    s.rv = rv or s.rv
                    continue
                if type_ not in ("ADDED", "MODIFIED", "DELETED") or not isinstance(obj, dict):
                    continue
                self._apply(s.kind, type_, obj)
                s.rv = rv or s.rv
                s.progressed = True
        finally:
            response.release()

    # ------------------------------------------------------------------ the store

    def _apply(self, kind: Kind, type_: str, obj: Obj) -> None:
        _clean(obj, kind)
        key = _key(obj)
        store = self._store[kind.plural]
        if type_ == "DELETED":
            store.pop(key, None)
        else:
            store[key] = obj
        self.stats["events"] += 1
        self._changed.add((kind.plural, *key))
        self._mark_dirty()

    def _replace(self, s: _Stream, items: list[Obj]) -> None:
        """A fresh list replaces the objects of the stream's scope; only differences count as changes."""
        store = self._store[s.kind.plural]
        fresh: dict[Key, Obj] = {}
        for obj in items:
            _clean(obj, s.kind)
            fresh[_key(obj)] = obj
        gone = [k for k in store if (s.namespace is None or k[0] == s.namespace) and k not in fresh]
        for key in gone:
            del store[key]
            self._changed.add((s.kind.plural, *key))
        for key, obj in fresh.items():
            old = store.get(key)
            if old is None or _rv(old) != _rv(obj) or _rv(obj) is None:
                self._changed.add((s.kind.plural, *key))
            store[key] = obj
        self._mark_dirty()

    # ------------------------------------------------------------------ errors and publishing

    def _set_error(self, s: _Stream, e: KubeError) -> None:
        if s.error is None or s.error.message != e.message:
            s.error = e
            self._mark_dirty()

    def _clear_error(self, s: _Stream) -> None:
        if s.error is not None:
            s.error = None
            self._mark_dirty()

    def errors(self) -> list[KubeError]:
        """The current problems, merged (forbidden kinds per namespace)."""
        if self._fatal is not None:
            return [self._fatal]
        return _merge_errors(s.error for s in self._streams if s.error is not None)

    def _check_initial(self) -> None:
        if not self._initial_done and all(s.tried or s.listed for s in self._streams):
            self._initial_done = True
            self._mark_dirty()

    def _end_initial_wait(self) -> None:
        if not self._initial_done:
            self._initial_done = True
            self._mark_dirty()

    def _mark_dirty(self) -> None:
        if self._initial_done and self._dirty is not None:
            self._dirty.set()

    async def _flusher(self) -> None:
        assert self._dirty is not None
        loop = asyncio.get_running_loop()
        last = -math.inf
        while True:
            await self._dirty.wait()
            wait = last + self.batch_interval - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
            self._dirty.clear()
            self._publish()
            last = loop.time()

    def _snapshot_now(self) -> KubeSnapshot:
        client = self._client
        stores = {plural: MappingProxyType(dict(objs)) for plural, objs in self._store.items()}
        self._version += 1
        changed, self._changed = frozenset(self._changed), set()
        return KubeSnapshot(
            context=client.context if client is not None else self.target.label,
            server=client.server if client is not None else "",
            synced=all(s.listed for s in self._streams),
            errors=tuple(e.message for e in self.errors()),
            changed=changed,
            version=self._version,
            **stores,
        )

    def _publish(self) -> None:
        if self._dirty is not None:
            self._dirty.clear()
        snapshot = self._snapshot_now()
        new = [m for m in snapshot.errors if m not in self._reported]
        self._reported = set(snapshot.errors)
        self._snapshot = snapshot
        self.stats["published"] += 1
        for message in new:
            try:
                self.on_error(message)
            except Exception:
                log.exception("kube on_error callback failed")
        try:
            self.on_change(snapshot)
        except Exception:
            log.exception("kube on_change callback failed")

    # ------------------------------------------------------------------ one-shot

    async def _list_once(self) -> KubeSnapshot:
        kube = await _load_kube()
        self._loop = asyncio.get_running_loop()
        self._client = await _connect(self.target, kube, connections=len(self._streams))
        try:

            client = self._client

            async def one(s: _Stream) -> None:
                for _ in range(2):  # an expired continue token: list again, once
                    try:
                        await self._list(client, s)
                        return
                    except _Gone as e:
                        s.error = KubeError(f"the {s.kind.plural} list kept expiring (410: {e})", "http", status=410)
                    except KubeError as e:
                        s.error = e
                        return

            await asyncio.gather(*(one(s) for s in self._streams))
            return self._snapshot_now()
        finally:
            await self._client.close()


# --------------------------------------------------------------------------- one-shot API


async def fetch_snapshot(target: KubeTarget) -> KubeSnapshot:
    """List every kind once (no watch). Raises :class:`KubeError` when the context cannot be used;
    a kind that fails (403…) is left empty and named in ``snapshot.errors``."""
    return await _fetch(KubeWatcher(target))


async def _fetch(watcher: KubeWatcher) -> KubeSnapshot:
    return await watcher._list_once()


def snapshot_once(
    target: KubeTarget,
    now: datetime,
    *,
    rollouts_within: timedelta = DEFAULT_ROLLOUTS_WITHIN,
    events_within: timedelta = DEFAULT_EVENTS_WITHIN,
) -> KubeView:
    """``(rows, summary, rollouts, events)`` of one context, listed once — for ``warroom pods``.

    Blocking (runs its own event loop; from async code use :func:`fetch_snapshot`). Raises
    :class:`KubeError` with the clear message on any failure, a partial one included (several
    problems are joined with "; ", ``kind`` is the first one's).
    """
    watcher = KubeWatcher(target)
    snapshot = asyncio.run(_fetch(watcher))
    problems = watcher.errors()
    if problems:
        first = problems[0]
        raise KubeError("; ".join(p.message for p in problems), first.kind, status=first.status)
    return snapshot.view(now, rollouts_within=rollouts_within, events_within=events_within)
