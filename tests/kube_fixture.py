"""A small Kubernetes API server emulator over real HTTP on 127.0.0.1, for the kube source tests.

Importable as ``kube_fixture`` (``tests`` is on ``pythonpath``); the benchmark uses it too.

Why not ``kmock.KubernetesEmulator``: kmock 0.8 answers every list with the constant
``resourceVersion: '...'``, ignores ``resourceVersion`` on a watch (each watch replays every
stored object as ADDED) and keeps no history, so it can never answer 410 Gone. Those are the
very paths the watcher must get right (list, then watch *from the list's resourceVersion*;
re-list on 410), so this emulator implements them the way kube-apiserver does:

* one global resourceVersion counter; every add/modify/delete bumps it and stamps the object;
* ``GET`` list (cluster-wide or per namespace) with ``labelSelector`` (equality, ``!=``,
  existence), ``fieldSelector`` (``type=``, ``metadata.name=``, ``metadata.namespace=``),
  ``limit``/``continue`` pagination (consistent pages, as the real server serves them) and
  ``metadata.resourceVersion`` on the list;
* ``GET ?watch=true&resourceVersion=R``: every change after R from the history, then live
  changes; ``timeoutSeconds`` closes the stream cleanly; a resourceVersion older than the
  compaction point gets a 200 stream with one ``ERROR`` event of code 410 (what the real server
  sends), :meth:`KubeEmulator.expire_watches` sends that same 410 on the open streams;
* ``GET`` of one object;
* bearer-token authentication (401 ``Unauthorized`` Status) and per resource/namespace RBAC
  denials (403 with the real server's message: ``pods is forbidden: User "…" cannot list
  resource "pods" in API group "" in the namespace "shop"``);
* fault injection: :meth:`drop_watches` cuts open watch connections mid-stream;
  :meth:`stop` / :meth:`start` take the listener down and back up on the same port;
* every request is recorded (method, path, query) in :attr:`KubeEmulator.requests`; any method
  other than GET is answered 405 (and still recorded).

Mutations (:meth:`add`, :meth:`modify`, :meth:`delete`) are synchronous and must be called from
the event loop the server runs on (tests run it on their own loop; ``bench/bench_kube.py`` runs
it in a child process and sends it commands).
"""

from __future__ import annotations

import asyncio
import copy
import itertools
import json
import socket
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiohttp import web

Obj = dict[str, Any]

#: plural -> (API prefix, kind, apiVersion)
RESOURCES: dict[str, tuple[str, str, str]] = {
    "pods": ("/api/v1", "Pod", "v1"),
    "events": ("/api/v1", "Event", "v1"),
    "deployments": ("/apis/apps/v1", "Deployment", "apps/v1"),
    "replicasets": ("/apis/apps/v1", "ReplicaSet", "apps/v1"),
    "statefulsets": ("/apis/apps/v1", "StatefulSet", "apps/v1"),
    "daemonsets": ("/apis/apps/v1", "DaemonSet", "apps/v1"),
}
PLURAL_OF_KIND = {kind: plural for plural, (_, kind, _) in RESOURCES.items()}
API_GROUP = {"/api/v1": "", "/apis/apps/v1": "apps"}

DEFAULT_TOKEN = "warroom-test-token"
DEFAULT_USER = "system:serviceaccount:warroom:viewer"


@dataclass(frozen=True)
class Recorded:
    method: str
    path: str
    query: dict[str, str]

    @property
    def watch(self) -> bool:
        return self.query.get("watch") in ("true", "1")

    @property
    def verb(self) -> str:
        """``list``, ``watch`` or ``get`` (the RBAC verb), or the HTTP method for anything else."""
        if self.method != "GET":
            return self.method
        if self.watch:
            return "watch"
        parts = self.path.strip("/").split("/")
        return "list" if parts[-1] in RESOURCES else "get"

    @property
    def plural(self) -> str | None:
        parts = self.path.strip("/").split("/")
        for p in reversed(parts):
            if p in RESOURCES:
                return p
        return None

    def __str__(self) -> str:
        q = "&".join(f"{k}={v}" for k, v in self.query.items())
        return f"{self.method} {self.path}{'?' + q if q else ''}"


@dataclass
class _Watch:
    plural: str
    namespace: str | None
    selector: Callable[[Obj], bool]
    queue: asyncio.Queue
    response: web.StreamResponse | None = None
    request: web.BaseRequest | None = None


def _labels_match(selector: str | None) -> Callable[[Obj], bool]:
    if not selector:
        return lambda obj: True
    terms = []
    for raw in selector.split(","):
        raw = raw.strip()
        if not raw:
            continue
        if "!=" in raw:
            k, v = raw.split("!=", 1)
            terms.append(("ne", k.strip(), v.strip()))
        elif "==" in raw:
            k, v = raw.split("==", 1)
            terms.append(("eq", k.strip(), v.strip()))
        elif "=" in raw:
            k, v = raw.split("=", 1)
            terms.append(("eq", k.strip(), v.strip()))
        elif raw.startswith("!"):
            terms.append(("absent", raw[1:].strip(), ""))
        else:
            terms.append(("exists", raw, ""))

    def match(obj: Obj) -> bool:
        labels = (obj.get("metadata") or {}).get("labels") or {}
        for op, k, v in terms:
            if op == "eq" and labels.get(k) != v:
                return False
            if op == "ne" and labels.get(k) == v:
                return False
            if op == "exists" and k not in labels:
                return False
            if op == "absent" and k in labels:
                return False
        return True

    return match


def _fields_match(selector: str | None) -> Callable[[Obj], bool]:
    if not selector:
        return lambda obj: True
    terms = []
    for raw in selector.split(","):
        neg = "!=" in raw
        k, v = raw.split("!=" if neg else "=", 1)
        terms.append((neg, k.strip().lstrip("="), v.strip().lstrip("=")))

    def value(obj: Obj, path: str) -> Any:
        cur: Any = obj
        for part in path.split("."):
            cur = cur.get(part) if isinstance(cur, dict) else None
        return cur if cur is not None else ""

    def match(obj: Obj) -> bool:
        return all((value(obj, k) == v) != neg for neg, k, v in terms)

    return match


def _status(code: int, reason: str, message: str, details: Obj | None = None) -> Obj:
    st: Obj = {
        "apiVersion": "v1",
        "code": code,
        "kind": "Status",
        "message": message,
        "metadata": {},
        "reason": reason,
        "status": "Failure",
    }
    if details:
        st["details"] = details
    return st


class KubeEmulator:
    """The emulated API server (see the module docstring)."""

    def __init__(
        self,
        *,
        token: str = DEFAULT_TOKEN,
        user: str = DEFAULT_USER,
        host: str = "127.0.0.1",
        port: int = 0,
        tls: tuple[Path, Path] | None = None,
    ) -> None:
        self.tls = tls  # (certificate, key): serve HTTPS
        self.tokens: set[str] = {token}
        self.user = user
        self.host = host
        self.port = port
        self.objects: dict[str, dict[tuple[str, str], Obj]] = {p: {} for p in RESOURCES}
        self.history: list[tuple[int, str, str, Obj]] = []  # (rv, plural, type, object)
        self.rv = 1000
        self.compacted_rv = 0
        self.requests: list[Recorded] = []
        #: (plural, namespace or None for cluster scope), or (plural, "*") for every scope
        self.forbidden: set[tuple[str, str | None]] = set()
        self.watches: list[_Watch] = []
        #: plurals whose list requests hang until the plural is removed (a slow list)
        self.stalled: set[str] = set()
        self._continues: dict[str, tuple[int, list[Obj], int]] = {}
        self._tokens = itertools.count(1)
        self._runner: web.ServerRunner | None = None
        self._site: web.TCPSite | None = None

    # ------------------------------------------------------------------ lifecycle

    @property
    def url(self) -> str:
        return f"{'https' if self.tls else 'http'}://{self.host}:{self.port}"

    async def start(self) -> KubeEmulator:
        """Listen (again) on ``port`` (a free one the first time if 0)."""
        server = web.Server(self._handle)
        self._runner = web.ServerRunner(server, handle_signals=False, shutdown_timeout=0.2)
        await self._runner.setup()
        if self.port == 0:
            sock = socket.socket()
            sock.bind((self.host, 0))
            self.port = sock.getsockname()[1]
            sock.close()
        ssl_context = None
        if self.tls is not None:
            import ssl

            ssl_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            ssl_context.load_cert_chain(*self.tls)
        self._site = web.TCPSite(self._runner, self.host, self.port, reuse_address=True, ssl_context=ssl_context)
        await self._site.start()
        return self

    async def stop(self) -> None:
        """Stop listening and cut every open connection (an API server going down)."""
        self.drop_watches()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
            self._site = None

    async def __aenter__(self) -> KubeEmulator:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # ------------------------------------------------------------------ state

    def _bump(self, obj: Obj) -> int:
        self.rv += 1
        obj.setdefault("metadata", {})["resourceVersion"] = str(self.rv)
        return self.rv

    def _key(self, obj: Obj) -> tuple[str, str]:
        meta = obj.get("metadata") or {}
        return (meta.get("namespace") or "", meta["name"])

    def _plural(self, obj: Obj, plural: str | None) -> str:
        return plural or PLURAL_OF_KIND[obj["kind"]]

    def _emit(self, plural: str, type_: str, obj: Obj, notify: bool) -> None:
        rv = int(obj["metadata"]["resourceVersion"])
        snapshot = copy.deepcopy(obj)
        self.history.append((rv, plural, type_, snapshot))
        if not notify:
            return
        for w in self.watches:
            if w.plural == plural and self._in_scope(w.namespace, snapshot) and w.selector(snapshot):
                w.queue.put_nowait({"type": type_, "object": snapshot})

    @staticmethod
    def _in_scope(namespace: str | None, obj: Obj) -> bool:
        return namespace is None or (obj.get("metadata") or {}).get("namespace") == namespace

    def add(self, obj: Obj, *, plural: str | None = None, notify: bool = True) -> Obj:
        """Store a new object (ADDED). ``notify=False``: no watch sees it (only a re-list does)."""
        obj = copy.deepcopy(obj)
        plural = self._plural(obj, plural)
        self._bump(obj)
        self.objects[plural][self._key(obj)] = obj
        self._emit(plural, "ADDED", obj, notify)
        return obj

    def add_all(self, objs: Iterable[Obj]) -> None:
        for obj in objs:
            self.add(obj)

    def modify(self, obj: Obj, *, plural: str | None = None, notify: bool = True) -> Obj:
        """Replace a stored object (MODIFIED)."""
        obj = copy.deepcopy(obj)
        plural = self._plural(obj, plural)
        key = self._key(obj)
        if key not in self.objects[plural]:
            raise KeyError(f"{plural} {key} not stored")
        self._bump(obj)
        self.objects[plural][key] = obj
        self._emit(plural, "MODIFIED", obj, notify)
        return obj

    def delete(self, plural: str, namespace: str, name: str, *, notify: bool = True) -> Obj:
        """Remove a stored object (DELETED carries its last state with a new resourceVersion)."""
        obj = self.objects[plural].pop((namespace, name))
        obj = copy.deepcopy(obj)
        self._bump(obj)
        self._emit(plural, "DELETED", obj, notify)
        return obj

    def get(self, plural: str, namespace: str, name: str) -> Obj:
        return self.objects[plural][(namespace, name)]

    def compact(self) -> None:
        """Forget the history: a watch from any resourceVersion before now gets 410 Gone."""
        self.compacted_rv = self.rv
        self.history.clear()

    def forbid(self, plural: str, namespace: str | None = "*") -> None:
        """Deny list/watch/get of ``plural`` in ``namespace`` (None: cluster scope, "*": anywhere)."""
        self.forbidden.add((plural, namespace))

    def allow(self, plural: str, namespace: str | None = "*") -> None:
        self.forbidden.discard((plural, namespace))

    def drop_watches(self) -> int:
        """Cut every open watch connection without ending the chunked stream (a network drop)."""
        n = 0
        for w in list(self.watches):
            if w.request is not None and w.request.transport is not None:
                w.request.transport.abort()
                n += 1
            w.queue.put_nowait(None)
        return n

    def expire_watches(self) -> int:
        """Compact, then send every open watch a 410 ``Expired`` ERROR event and end it."""
        self.compact()
        n = 0
        for w in list(self.watches):
            w.queue.put_nowait(
                {
                    "type": "ERROR",
                    "object": _status(
                        410,
                        "Expired",
                        "The resourceVersion for the provided watch is too old.",
                    ),
                }
            )
            w.queue.put_nowait(None)
            n += 1
        return n

    def open_watches(self, plural: str | None = None) -> int:
        return sum(1 for w in self.watches if plural is None or w.plural == plural)

    def recorded(self, *, verb: str | None = None, plural: str | None = None) -> list[Recorded]:
        return [
            r
            for r in self.requests
            if (verb is None or r.verb == verb) and (plural is None or r.plural == plural)
        ]

    # ------------------------------------------------------------------ HTTP

    async def _handle(self, request: web.BaseRequest) -> web.StreamResponse:
        query = dict(request.query)
        rec = Recorded(request.method, request.path, query)
        self.requests.append(rec)
        if request.method != "GET":
            return self._json(_status(405, "MethodNotAllowed", f"{request.method} is not allowed here"), 405)

        auth = request.headers.get("Authorization", "")
        token = auth[7:].strip() if auth[:7].lower() == "bearer " else None
        if token not in self.tokens:
            return self._json(_status(401, "Unauthorized", "Unauthorized"), 401)

        route = self._route(request.path)
        if route is None:
            return self._json(_status(404, "NotFound", "the server could not find the requested resource"), 404)
        prefix, namespace, plural, name = route

        for scope in (namespace, "*"):
            if (plural, scope) in self.forbidden:
                verb = rec.verb
                where = f'in the namespace "{namespace}"' if namespace else "at the cluster scope"
                group = API_GROUP[prefix]
                msg = (
                    f'{plural} is forbidden: User "{self.user}" cannot {verb} resource "{plural}" '
                    f'in API group "{group}" {where}'
                )
                details = {"kind": plural, **({"group": group} if group else {})}
                return self._json(_status(403, "Forbidden", msg, details), 403)

        if name is not None:
            obj = self.objects[plural].get((namespace or "", name))
            if obj is None:
                return self._json(_status(404, "NotFound", f'{plural} "{name}" not found'), 404)
            return self._json(obj, 200)

        labels = _labels_match(query.get("labelSelector"))
        fields = _fields_match(query.get("fieldSelector"))

        def selected(obj: Obj) -> bool:
            return labels(obj) and fields(obj)

        if rec.watch:
            return await self._watch(request, plural, namespace, selected, query)
        while plural in self.stalled:
            await asyncio.sleep(0.01)
        return self._list(plural, namespace, selected, query)

    @staticmethod
    def _route(path: str) -> tuple[str, str | None, str, str | None] | None:
        for prefix in ("/api/v1", "/apis/apps/v1"):
            if not path.startswith(prefix + "/"):
                continue
            parts = path[len(prefix) + 1 :].strip("/").split("/")
            namespace = None
            if len(parts) >= 3 and parts[0] == "namespaces":
                namespace = parts[1]
                parts = parts[2:]
            if not parts or parts[0] not in RESOURCES or RESOURCES[parts[0]][0] != prefix:
                return None
            if len(parts) == 1:
                return prefix, namespace, parts[0], None
            if len(parts) == 2 and namespace is not None:
                return prefix, namespace, parts[0], parts[1]
            return None
        return None

    @staticmethod
    def _json(body: Obj, status: int) -> web.Response:
        return web.Response(body=json.dumps(body).encode(), status=status, content_type="application/json")

    def _list(self, plural: str, namespace: str | None, selected: Callable[[Obj], bool], query: dict) -> web.Response:
        token = query.get("continue")
        limit = int(query.get("limit") or 0)
        if token:
            if token not in self._continues:
                return self._json(
                    _status(410, "Expired", "The provided continue parameter is too old to display a consistent list result."),
                    410,
                )
            list_rv, items, offset = self._continues.pop(token)
        else:
            list_rv = self.rv
            items = [
                copy.deepcopy(obj)
                for (ns, _), obj in sorted(self.objects[plural].items())
                if (namespace is None or ns == namespace) and selected(obj)
            ]
            offset = 0
        page = items[offset : offset + limit] if limit else items[offset:]
        end = offset + len(page)
        meta: Obj = {"resourceVersion": str(list_rv)}
        if end < len(items):
            nxt = f"c{next(self._tokens)}"
            self._continues[nxt] = (list_rv, items, end)
            meta["continue"] = nxt
            meta["remainingItemCount"] = len(items) - end
        _, kind, api_version = RESOURCES[plural]
        for item in page:  # items of a list response carry no kind/apiVersion
            item.pop("kind", None)
            item.pop("apiVersion", None)
        return self._json({"apiVersion": api_version, "items": page, "kind": kind + "List", "metadata": meta}, 200)

    async def _watch(
        self,
        request: web.BaseRequest,
        plural: str,
        namespace: str | None,
        selected: Callable[[Obj], bool],
        query: dict,
    ) -> web.StreamResponse:
        resp = web.StreamResponse(status=200)
        resp.content_type = "application/json"
        resp.enable_chunked_encoding()
        await resp.prepare(request)

        w = _Watch(plural, namespace, selected, asyncio.Queue(), resp, request)
        rv_text = query.get("resourceVersion") or "0"
        try:
            start = int(rv_text)
        except ValueError:
            start = 0
        backlog: list[Obj] = []
        if start == 0:
            backlog = [
                {"type": "ADDED", "object": obj}
                for (ns, _), obj in sorted(self.objects[plural].items())
                if (namespace is None or ns == namespace) and selected(obj)
            ]
        elif start < self.compacted_rv:
            gone = _status(410, "Expired", f"too old resource version: {start} ({self.compacted_rv})")
            await resp.write(json.dumps({"type": "ERROR", "object": gone}).encode() + b"\n")
            await resp.write_eof()
            return resp
        else:
            backlog = [
                {"type": t, "object": o}
                for rv, p, t, o in self.history
                if rv > start and p == plural and self._in_scope(namespace, o) and selected(o)
            ]
        self.watches.append(w)
        timeout = query.get("timeoutSeconds")
        try:
            for ev in backlog:
                await resp.write(json.dumps(ev).encode() + b"\n")
            deadline = asyncio.get_running_loop().time() + float(timeout) if timeout else None
            while True:
                remaining = None if deadline is None else deadline - asyncio.get_running_loop().time()
                if remaining is not None and remaining <= 0:
                    break
                try:
                    ev = await asyncio.wait_for(w.queue.get(), remaining)
                except TimeoutError:
                    break
                if ev is None:
                    break
                await resp.write(json.dumps(ev).encode() + b"\n")
            if request.transport is not None and not request.transport.is_closing():
                await resp.write_eof()
        except (ConnectionResetError, ConnectionError, asyncio.CancelledError):
            pass
        finally:
            if w in self.watches:
                self.watches.remove(w)
        return resp


# ---------------------------------------------------------------------- TLS and kubeconfig


def self_signed(directory: Path, host: str = "127.0.0.1") -> tuple[Path, Path]:
    """A self-signed certificate for ``host`` (its own CA) and its key, made with openssl."""
    import subprocess

    cert, key = directory / "apiserver.crt", directory / "apiserver.key"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
         "-keyout", str(key), "-out", str(cert), "-days", "2", "-subj", f"/CN={host}",
         "-addext", f"subjectAltName=IP:{host}", "-addext", "basicConstraints=critical,CA:TRUE"],
        check=True,
        capture_output=True,
    )
    return cert, key


def write_kubeconfig(
    path: Path,
    clusters: dict[str, tuple[str, str]],
    *,
    current: str | None = None,
) -> Path:
    """A kubeconfig with one context, cluster and user per entry: ``{context: (server URL, token)}``."""
    import yaml  # PyYAML, a dependency of the kubernetes client

    doc = {
        "apiVersion": "v1",
        "kind": "Config",
        "preferences": {},
        "clusters": [{"name": f"{ctx}-cluster", "cluster": {"server": url}} for ctx, (url, _) in clusters.items()],
        "users": [{"name": f"{ctx}-user", "user": {"token": token}} for ctx, (_, token) in clusters.items()],
        "contexts": [
            {"name": ctx, "context": {"cluster": f"{ctx}-cluster", "user": f"{ctx}-user", "namespace": "default"}}
            for ctx in clusters
        ],
    }
    if current is not None or clusters:
        doc["current-context"] = current if current is not None else next(iter(clusters))
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    return path


# ---------------------------------------------------------------------- a realistic cluster


class EmulatorThread:
    """Run a :class:`KubeEmulator` on its own event loop in a daemon thread (for tests whose app runs its own loop)."""

    def __init__(self, emulator: KubeEmulator) -> None:
        self.emulator = emulator
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, name="kube-emulator", daemon=True)

    def __enter__(self) -> EmulatorThread:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self.emulator.start(), self.loop).result(10)
        return self

    def __exit__(self, *exc: object) -> None:
        asyncio.run_coroutine_threadsafe(self.emulator.stop(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(10)

    def call(self, fn: Callable[..., Any], *args: Any, **kw: Any) -> Any:
        """Run ``fn`` on the emulator's loop and return its result."""

        async def run() -> Any:
            return fn(*args, **kw)

        return asyncio.run_coroutine_threadsafe(run(), self.loop).result(60)


def scenario() -> list[Obj]:
    """A small shop during an incident, built with ``podfixtures`` (times relative to ``NOW``).

    * Deployment ``web`` (3 desired, 2 ready) rolled out 20 minutes ago from 2.13.0 to 2.14.1:
      ReplicaSets ``web-7d4b9c6f5`` (revision 2) and ``web-5c8d7f9b6`` (revision 1, scaled to 0);
      pods ``…-x2x9k`` and ``…-q9z8n`` Running, ``…-b7k2m`` in CrashLoopBackOff (7 restarts, last
      one 45 s ago).
    * StatefulSet ``db`` with ``db-0`` Running; a finished migration Job pod (Completed).
    * DaemonSet ``node-exporter`` in ``monitoring`` with one pod Running.
    * Events: Warning BackOff and Unhealthy for the crash-looping pod, a Normal Pulled (which the
      Warning field selector must leave out).
    """
    import podfixtures as pf

    old_image = "ghcr.io/acme/shop-web:2.13.0"
    crash = pf.deployment_pod(
        suffix="b7k2m",
        phase="Running",
        statuses=[
            pf.waiting(
                "CrashLoopBackOff",
                message="back-off 5m0s restarting failed container=app pod=web-7d4b9c6f5-b7k2m_shop",
                restarts=7,
                last=pf.last_terminated(pf.ago(seconds=45), reason="Error", exit_code=1),
            )
        ],
    )
    return [
        pf.deployment("web", replicas=3, ready=2, revision=2),
        pf.replicaset("web", "7d4b9c6f5", revision=2, created=pf.ago(minutes=20)),
        pf.replicaset("web", "5c8d7f9b6", revision=1, image=old_image, created=pf.ago(days=60), replicas=0),
        pf.deployment_pod(suffix="x2x9k", statuses=[pf.running()]),
        pf.deployment_pod(suffix="q9z8n", statuses=[pf.running()]),
        crash,
        pf.statefulset("db", replicas=1),
        pf.statefulset_pod("db", 0, statuses=[pf.running("postgres", "docker.io/library/postgres:16.4")]),
        pf.job_pod(
            phase="Succeeded",
            statuses=[pf.terminated("Completed", "migrate", pf.APP_IMAGE, exit_code=0)],
        ),
        pf.daemonset("node-exporter", desired=1),
        pf.daemonset_pod(statuses=[pf.running("node-exporter", "quay.io/prometheus/node-exporter:v1.8.2")]),
        pf.event(
            "BackOff",
            "Back-off restarting failed container app in pod web-7d4b9c6f5-b7k2m_shop(…)",
            name="web-7d4b9c6f5-b7k2m",
            count=31,
            first=pf.ago(minutes=18),
            last=pf.ago(seconds=40),
            field_path="spec.containers{app}",
        ),
        pf.event(
            "Unhealthy",
            "Readiness probe failed: HTTP probe failed with statuscode: 503",
            name="web-7d4b9c6f5-b7k2m",
            count=12,
            first=pf.ago(minutes=19),
            last=pf.ago(minutes=2),
        ),
        pf.event(
            "Pulled",
            'Container image "ghcr.io/acme/shop-web:2.14.1" already present on machine',
            name="web-7d4b9c6f5-x2x9k",
            type_="Normal",
        ),
    ]
