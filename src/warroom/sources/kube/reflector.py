"""The reflector: list, then watch from the resourceVersion; resume after a drop, re-list on 410 Gone.

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
objects are not reported as changed). Never any polling per pod. A 401 reloads the kubeconfig
before the retry, picking up refreshed tokens.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
from dataclasses import dataclass

from warroom.sources.kube.client import Client, http_error, transport_error
from warroom.sources.kube.context import KubeTarget
from warroom.sources.kube.errors import Dropped, Gone, KubeError
from warroom.sources.kube.resources import Kind, Obj, resource_version

__all__ = [
    "LIST_TIMEOUT",
    "PAGE_SIZE",
    "WATCH_TIMEOUT",
    "Reflector",
    "Stream",
]


log = logging.getLogger(__name__)

#: Objects per list page.
PAGE_SIZE = 500
#: Total timeout of one list page, seconds.
LIST_TIMEOUT = 60.0
#: Server-side watch timeout (seconds, jittered ×1–1.2); the client gives up 30 s later.
WATCH_TIMEOUT = 300.0


@dataclass(eq=False)
class Stream:
    """One list+watch: a kind in one namespace (or cluster-wide), and where it stands."""

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


class Reflector:
    """The list-then-watch loop of every stream of one watcher (client-go's reflector).

    A base class: :class:`~warroom.sources.kube.watcher.KubeWatcher` sets the attributes below
    in its ``__init__`` and keeps the objects (the hooks at the end). The loop's methods are
    the watcher's own, so the hot path (one watch event: parse, :meth:`_apply`) pays no extra
    call for the split.
    """

    target: KubeTarget
    backoff: tuple[float, float]
    watch_timeout: float
    page_size: int
    #: counters for tests and the benchmark
    stats: dict[str, int]
    _client: Client | None
    _reload_lock: asyncio.Lock | None
    _reloaded_at: float

    def _delay(self, attempt: int) -> float:
        base, cap = self.backoff
        return min(cap, base * (2 ** min(attempt, 30))) * random.uniform(0.8, 1.2)

    async def _reflect(self, s: Stream) -> None:
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
            except Gone:
                s.rv = None
                self.stats["relists_410"] += 1
                if loop.time() - s.listed_at >= 1.0:
                    attempt = 0
                    continue  # re-list at once (but back off if lists keep expiring at once)
            except Dropped:
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

    async def _reload(self, client: Client) -> None:
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

    def _query(self, s: Stream) -> list[tuple[str, str]]:
        q: list[tuple[str, str]] = []
        if s.kind.labelled and self.target.label_selector:
            q.append(("labelSelector", self.target.label_selector))
        if s.kind.field_selector:
            q.append(("fieldSelector", s.kind.field_selector))
        return q

    async def _get_json(self, client: Client, s: Stream, query: list[tuple[str, str]]) -> Obj:
        response = await client.get(s.kind.path(s.namespace), query, total=LIST_TIMEOUT)
        try:
            try:
                body = await response.read()
            except Exception as e:
                raise transport_error(client.kube, e, client.server) from e
            if response.status != 200:
                raise http_error(response.status, body, client=client, kind=s.kind, namespace=s.namespace)
        finally:
            response.release()
        try:
            data = json.loads(body)
        except ValueError as e:
            raise KubeError(f"malformed JSON from {client.server}", "malformed") from e
        if not isinstance(data, dict):
            raise KubeError(f"malformed list from {client.server}", "malformed")
        return data

    async def _list(self, client: Client, s: Stream) -> None:
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

    async def _watch(self, client: Client, s: Stream) -> bool:
        """One watch request from ``s.rv`` until the server ends it; True if events came.

        Raises Gone (410), Dropped (connection lost once the watch was up) or KubeError.
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
                    raise transport_error(client.kube, e, client.server) from e
                raise http_error(response.status, body, client=client, kind=s.kind, namespace=s.namespace)
            self._clear_error(s)
            while True:
                try:
                    line = await response.content.readline()
                except (aiohttp.ClientError, ConnectionError, TimeoutError) as e:
                    raise Dropped(str(e)) from e
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
                        raise Gone(obj.get("message", ""))
                    body = json.dumps(obj).encode()
                    raise http_error(int(code or 500), body, client=client, kind=s.kind, namespace=s.namespace)
                rv = resource_version(obj) if isinstance(obj, dict) else None
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

    # ------------------------------------------------------------------ what the store provides

    def _apply(self, kind: Kind, type_: str, obj: Obj) -> None:
        """A watch event: ``obj`` was ADDED, MODIFIED or DELETED."""
        raise NotImplementedError

    def _replace(self, s: Stream, items: list[Obj]) -> None:
        """A fresh list: ``items`` are all the objects of the stream's scope."""
        raise NotImplementedError

    def _set_error(self, s: Stream, e: KubeError) -> None:
        """The stream has a problem to report."""
        raise NotImplementedError

    def _clear_error(self, s: Stream) -> None:
        """The stream's problem, if any, is over."""
        raise NotImplementedError

    def _check_initial(self) -> None:
        """A stream's first list was attempted."""
        raise NotImplementedError
