"""One context's watcher: the objects in memory, the snapshots it publishes, and the one-shot list.

:class:`KubeWatcher` runs one :mod:`~warroom.sources.kube.reflector` stream per kind and
namespace, keeps their objects, and publishes a :class:`~warroom.sources.kube.snapshot.KubeSnapshot`
after changes. A watcher never raises for a cluster problem
(:class:`~warroom.sources.kube.errors.KubeError`): it reports, backs off and retries. Each
watcher has its own client, session and tasks: one failing context never affects another.
:func:`snapshot_once` lists every kind once for ``warroom pods``.
"""

from __future__ import annotations

import asyncio
import logging
import math
import threading
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from types import MappingProxyType

from warroom.sources.kube.client import Client, connect, load_kube
from warroom.sources.kube.context import KubeTarget
from warroom.sources.kube.errors import Gone, KubeError, merge_errors
from warroom.sources.kube.reflector import PAGE_SIZE, WATCH_TIMEOUT, Reflector, Stream
from warroom.sources.kube.resources import KINDS, Key, Kind, Obj, clean, object_key, resource_version
from warroom.sources.kube.snapshot import DEFAULT_EVENTS_WITHIN, DEFAULT_ROLLOUTS_WITHIN, KubeSnapshot, KubeView

__all__ = [
    "KubeWatcher",
    "OnChange",
    "OnError",
    "fetch_snapshot",
    "snapshot_once",
]


log = logging.getLogger(__name__)


OnChange = Callable[[KubeSnapshot], None]
OnError = Callable[[str], None]


def _ignore(*_: object) -> None:
    pass


class KubeWatcher(Reflector):
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
        self._streams = [Stream(kind, ns) for kind in KINDS for ns in scopes]
        self._store: dict[str, dict[Key, Obj]] = {k.plural: {} for k in KINDS}
        self._changed: set[tuple[str, str, str]] = set()
        self._client: Client | None = None
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
        kube = await load_kube()
        attempt = 0
        while self._client is None:
            try:
                self._client = await connect(self.target, kube, connections=len(self._streams))
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

    # ------------------------------------------------------------------ the store

    def _apply(self, kind: Kind, type_: str, obj: Obj) -> None:
        clean(obj, kind)
        key = object_key(obj)
        store = self._store[kind.plural]
        if type_ == "DELETED":
            store.pop(key, None)
        else:
            store[key] = obj
        self.stats["events"] += 1
        self._changed.add((kind.plural, *key))
        self._mark_dirty()

    def _replace(self, s: Stream, items: list[Obj]) -> None:
        """A fresh list replaces the objects of the stream's scope; only differences count as changes."""
        store = self._store[s.kind.plural]
        fresh: dict[Key, Obj] = {}
        for obj in items:
            clean(obj, s.kind)
            fresh[object_key(obj)] = obj
        gone = [k for k in store if (s.namespace is None or k[0] == s.namespace) and k not in fresh]
        for key in gone:
            del store[key]
            self._changed.add((s.kind.plural, *key))
        for key, obj in fresh.items():
            old = store.get(key)
            if old is None or resource_version(old) != resource_version(obj) or resource_version(obj) is None:
                self._changed.add((s.kind.plural, *key))
            store[key] = obj
        self._mark_dirty()

    # ------------------------------------------------------------------ errors and publishing

    def _set_error(self, s: Stream, e: KubeError) -> None:
        if s.error is None or s.error.message != e.message:
            s.error = e
            self._mark_dirty()

    def _clear_error(self, s: Stream) -> None:
        if s.error is not None:
            s.error = None
            self._mark_dirty()

    def errors(self) -> list[KubeError]:
        """The current problems, merged (forbidden kinds per namespace)."""
        if self._fatal is not None:
            return [self._fatal]
        return merge_errors(s.error for s in self._streams if s.error is not None)

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
        kube = await load_kube()
        self._loop = asyncio.get_running_loop()
        self._client = await connect(self.target, kube, connections=len(self._streams))
        try:

            client = self._client

            async def one(s: Stream) -> None:
                for _ in range(2):  # an expired continue token: list again, once
                    try:
                        await self._list(client, s)
                        return
                    except Gone as e:
                        s.error = KubeError(f"the {s.kind.plural} list kept expiring (410: {e})", "http", status=410)
                    except KubeError as e:
                        s.error = e
                        return

            await asyncio.gather(*(one(s) for s in self._streams))
            return self._snapshot_now()
        finally:
            await self._client.close()


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
