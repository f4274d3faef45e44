"""The headless watcher's main loop: the sources read once, for every open incident (or one).

Tasks on one event loop: the metrics poll (in a thread: the Prometheus client blocks), the probes,
one cluster watcher per context (each on its own thread, as in the screen), the heartbeat (which
also follows the incidents: new ones are fed, resolved ones left, and those another watcher feeds
first left to it: ``watch.standby``), and the writer, which writes what changed — readings, the
window, automatic entries (``watch.fed``) — at most ``flush`` seconds after the change, in one
transaction each. Views, entries and recorded states come from ``room.live``, the
functions the screen's own feeds use: a followed screen and a standalone one cannot differ.

Extra services (the Alertmanager receiver of ``warroom watch --listen``) start and stop with it:
anything with ``async start()`` and ``async stop()`` in ``services``; they may use ``store``, open
by the time they start.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from datetime import datetime, timedelta, timezone
from typing import Any, Callable, Protocol, Sequence

from warroom.config import Config
from warroom.domain import metrics_view as mv
from warroom.domain import recording as rec
from warroom.domain.heartbeat import TAKEOVER_PERIODS, Heartbeat
from warroom.domain.incident import Incident
from warroom.room import live
from warroom.room.session import Room
from warroom.store import StoreError, connect_store
from warroom.store.location import shown
from warroom.watch.fed import Fed
from warroom.watch.standby import Standby
from warroom.watch.window import Window

log = logging.getLogger("warroom.watch")

#: seconds between two heartbeats (a screen calls a watcher stale after two missed)
BEAT = 1.0
#: at most this long after a change, its readings and entries are written
FLUSH = 0.1
#: a watcher silent this long is gone: its row is cleared by the next watcher
GONE = timedelta(days=1)


class Service(Protocol):
    """Something that runs beside the watcher (started after it, stopped before it closes)."""

    async def start(self) -> None: ...

    async def stop(self) -> None: ...


def system_clock() -> datetime:
    return datetime.now(timezone.utc)


class Watcher:
    def __init__(self, db: Any, config: Config, *, incident_id: int | None = None,
                 window: timedelta = timedelta(minutes=60), beat: float = BEAT, flush: float = FLUSH,
                 clock: Callable[[], datetime] = system_clock, host: str | None = None,
                 services: Sequence[Service] = (), metrics_source: Any = None,
                 kube_watchers: Sequence[Any] | None = None, probe_source: Any = None) -> None:
        self.db = db
        self.config = config
        self.incident_id = incident_id
        self.beat_every = beat
        self.flush_after = flush
        self.clock = clock
        self.host = host or socket.gethostname()
        self.services = list(services)
        self.started_at = clock()
        self.id = f"{self.host}/{os.getpid()}/{self.started_at:%Y%m%dT%H%M%S.%f}"
        self.window = Window(window)
        self.standby = Standby(self.id, self.started_at)
        self.fed: dict[int, Fed] = {}
        self._left: list[Fed] = []  # incidents no longer fed, with something the database refused
        self.store = None
        self.stats = {"polls": 0, "snapshots": 0, "readings": 0, "entries": 0, "beats": 0}
        prom = config.prometheus
        self.panels = tuple(prom.panels) if prom else tuple(metrics_source.panels) if metrics_source else ()
        self.metrics = live.MetricsTrack(self.panels, prom.refresh if prom else getattr(metrics_source, "refresh", 15.0))
        self._metrics_source = metrics_source
        self._probe_source = probe_source
        self._kube_watchers = list(kube_watchers) if kube_watchers is not None else None
        self._snapshots: dict[str, Any] = {}  # the newest snapshot per context, not yet viewed
        self._computed: dict[str, Any] = {}  # the last view per context (the next one starts from it)
        self.views: dict[str, Any] = {}  # ContextView per context
        self._kicked = asyncio.Event()
        self._dirty = asyncio.Event()
        self._stopping = asyncio.Event()
        self._source_down = ""

    # -- running ------------------------------------------------------------------------------------
    async def run(self, stop: asyncio.Event) -> int:
        """Until ``stop`` is set; 1 if the store cannot be opened or a service cannot start (said in
        one line: a watcher whose receiver is not listening must not look healthy)."""
        try:
            self.store = await connect_store(self.db)
        except StoreError as exc:
            log.error("cannot start: %s", exc)
            return 1
        log.info("watching for %s on %s (database %s, window %s, beat %.1f s)",
                 f"incident #{self.incident_id}" if self.incident_id else "every open incident", self.host,
                 shown(self.db), self.window.length, self.beat_every)
        tasks = [asyncio.create_task(self._heartbeat(), name="watch-beat"),
                 asyncio.create_task(self._writer(), name="watch-writer")]
        if self.panels:
            tasks.append(asyncio.create_task(self._poll_metrics(), name="watch-metrics"))
        probes = self._probes()
        if probes is not None:
            tasks.append(asyncio.create_task(self._poll_probes(probes), name="watch-probes"))
        if self.config.kubernetes is not None or self._kube_watchers:
            tasks.append(asyncio.create_task(self._watch_pods(), name="watch-pods"))
        started: list[Service] = []
        code = 0
        try:
            for service in self.services:
                try:
                    await service.start()
                except Exception as exc:  # noqa: BLE001 — a port taken, say: one line, and the watcher stops
                    log.error("cannot start: %s", exc)
                    code = 1
                    break
                started.append(service)
            if not code:
                await stop.wait()
        finally:
            log.info("stopping")
            self._stopping.set()
            for service in reversed(started):
                await _quietly(service.stop(), "a service")
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            for w in self._kube_watchers or ():
                w.stop()
            await self._flush()  # what was seen last is written
            await _quietly(self.store.end_watcher(self.id), "clearing the heartbeat")
            if probes is not None:
                await _quietly(probes.aclose(), "closing the probes")
            if self._metrics_source is not None:
                await asyncio.to_thread(self._metrics_source.close)
            await self.store.close()
            log.info("wrote %d readings and %d entries", self.stats["readings"], self.stats["entries"])
            log.info("stopped")
        return code

    # -- incidents ----------------------------------------------------------------------------------
    async def follow_incidents(self) -> None:
        """Feed the open incidents (or the one asked for); leave those resolved; take in entries
        written by others (an acknowledgement moves the SLA clock)."""
        store, now = self.store, self.clock()
        wanted: dict[int, Incident] = {}
        for i in await store.incidents(include_resolved=False):
            if not i.drill and (self.incident_id is None or i.id == self.incident_id):
                wanted[i.id] = i
        leaving = self.standby.look(await store.watchers(), wanted, self.incident_id is None, now)
        for gone in [i for i in self.fed if i not in wanted or i in leaving]:
            if gone not in leaving:
                log.info("incident #%d resolved or gone: no longer fed", gone)
            await self._let_go(gone)
        self.window.record(self.incident_id is None and None not in leaving, now)
        for incident_id, incident in wanted.items():
            if incident_id in leaving:
                continue
            fed = self.fed.get(incident_id)
            if fed is None:
                await self._open(incident, now)
                continue
            seq, ids, changed = await store.changes_since(fed.room.seq, incident_id)
            fed.room.seq = seq
            if changed:
                fed.room.incident = await store.incident(incident_id)
            if ids:
                fed.room.accept(await store.entries(incident_id, ids=ids))

    async def _open(self, incident: Incident, now: datetime) -> None:
        store = self.store
        seq = await store.change_seq()
        room = Room()
        room.open(incident, await store.entries(incident.id), seq)
        fed = self.fed[incident.id] = Fed(room)
        copied = await store.adopt_window(incident.id, incident.start - self.window.length, now)
        log.info("feeding incident #%d (%d readings from before it copied from the window)", incident.id, copied)
        # the incident hears the current state: the whole of it recorded, its entries found
        if self.metrics.view.polled_at is not None:
            room.observe("metrics", rec.metrics_state(self.metrics.view), now)
            self._metric_entries(fed, now)
        for view in self.views.values():
            room.observe(*live.pods_recorded(view), now)
            self._pod_entries(fed, view, now)
        self._dirty.set()

    # -- what the sources said ----------------------------------------------------------------------
    def observe(self, scope: str, state: rec.State, now: datetime) -> None:
        """A pane's new state: recorded for every fed incident and the window."""
        for fed in self.fed.values():
            fed.room.observe(scope, state, now)
        self.window.observe(scope, state, now)
        self._dirty.set()

    def _metric_entries(self, fed: Fed, now: datetime) -> None:
        if not fed.room.live:
            return
        fed.verdicts, events = live.metric_entries(fed.verdicts, self.metrics.view, now)
        self._claim(fed, events, now)

    def _pod_entries(self, fed: Fed, view: Any, now: datetime) -> None:
        if fed.room.live:
            self._claim(fed, live.pod_entries(view, now, self._multi_context), now)

    def _claim(self, fed: Fed, events: list[tuple[str, str]], at: datetime, kind: str = "system") -> None:
        for key, text in fed.room.claim_all(events).items():
            fed.pending.append((key, text, at, kind))
        if fed.pending:
            self._dirty.set()

    @property
    def _multi_context(self) -> bool:
        contexts = self.config.kubernetes.contexts if self.config.kubernetes else ()
        return len(self._computed) > 1 or len(contexts) > 1

    async def _poll_metrics(self) -> None:
        from warroom.sources.metrics_poll import poll

        prom = self.config.prometheus
        spark = prom.sparkline_minutes if prom else 60
        while True:
            now = self.clock()
            try:
                if self._metrics_source is None:
                    from warroom.sources.configured import prometheus_source

                    self._metrics_source = await asyncio.to_thread(prometheus_source, prom)
                result = await asyncio.to_thread(poll, self._metrics_source, self.panels, now, spark_minutes=spark)
            except Exception as exc:  # noqa: BLE001 — a bad URL or TLS file: said, retried
                result = mv.Poll(now, source_error=str(exc))
            self.stats["polls"] += 1
            view = self.metrics.after(result)
            self.observe("metrics", self.metrics.keep(view), now)
            if result.source_error != self._source_down:
                if result.source_error:
                    log.warning("metrics source down: %s (retrying in %g s)", result.source_error, self.metrics.delay)
                else:
                    log.info("metrics source answers again")
                self._source_down = result.source_error
            for fed in self.fed.values():
                self._metric_entries(fed, now)
            await self._sleep(self.metrics.delay)

    def _probes(self):
        if self._probe_source is None and self.config.probes:
            from warroom.sources.probes import ConfiguredProbes

            self._probe_source = ConfiguredProbes(self.config.probes)
        return self._probe_source

    async def _poll_probes(self, source) -> None:
        while True:
            now = self.clock()
            try:
                results = await source.probe_all(now)
                self.observe("probes", rec.probes_state(results), now)
            except Exception as exc:  # noqa: BLE001 — a probe never raises: this is a bug, said and retried
                log.error("probes failed: %s", exc)
            await self._sleep(source.interval)

    async def _watch_pods(self) -> None:
        loop = asyncio.get_running_loop()
        if self._kube_watchers is None:
            from warroom.sources.configured import kube_watchers

            self._kube_watchers = await asyncio.to_thread(kube_watchers, self.config.kubernetes)

        def changed(snapshot) -> None:  # on a watcher's thread
            loop.call_soon_threadsafe(self._snapshot_in, snapshot)

        for w in self._kube_watchers:
            w.on_change = changed
            w.start_thread()
        rollout_hours = self.config.kubernetes.rollout_hours if self.config.kubernetes else 6.0
        errors: dict[str, tuple] = {}
        while True:
            await self._kicked.wait()
            self._kicked.clear()
            snapshots, self._snapshots = self._snapshots, {}
            for context, snapshot in snapshots.items():
                now = self.clock()
                previous = self._computed.get(context)
                computed, view, recorded = await asyncio.to_thread(_pods_work, snapshot, previous, now, rollout_hours)
                self._computed[context] = computed
                self.views[context] = view
                self.stats["snapshots"] += 1
                if tuple(view.errors) != errors.get(context, ()):
                    errors[context] = tuple(view.errors)
                    log.warning("cluster %s: %s", context or "current context", "; ".join(view.errors)) \
                        if view.errors else log.info("cluster %s: watching", context or "current context")
                self.observe(*recorded, now)
                for fed in self.fed.values():
                    self._pod_entries(fed, view, now)

    def _snapshot_in(self, snapshot) -> None:
        self._snapshots[snapshot.context] = snapshot  # a newer one replaces one not viewed yet
        self._kicked.set()

    # -- the heartbeat and the writer ---------------------------------------------------------------
    async def _heartbeat(self) -> None:
        await _quietly(self.store.end_watcher("", gone_before=self.clock() - GONE), "clearing old heartbeats")
        loop = asyncio.get_running_loop()
        last_beat = loop.time()
        while True:
            now, started = self.clock(), loop.time()
            try:
                if started - last_beat > TAKEOVER_PERIODS * self.beat_every:
                    await self._silent_for(started - last_beat)
                    last_beat = started  # once per silence
                await self.follow_incidents()
                for fed in self.fed.values():
                    if fed.room.live:
                        self._claim_sla(fed, now)
                await self.store.beat(Heartbeat(self.id, self.host, os.getpid(), self.started_at, self.clock(),
                                                self.beat_every, tuple(self.fed), self.incident_id is None))
                self.stats["beats"] += 1
                last_beat = started
                if self.window.keyframe_due(now):
                    self.window.keyframe(now)
                cut = self.window.cut(now)
                if cut is not None:
                    await self.store.prune_window(cut)
            except StoreError as exc:
                log.warning("database: %s (trying again)", exc)
            await self.standby.wait(started + self.beat_every, self.store, self._sleep, self.clock)

    async def _silent_for(self, seconds: float) -> None:
        """No beat for longer than a standby waits (stopped, cut off): another watcher may have fed
        meanwhile, so this one's recordings start again from the whole state (re-opened, a keyframe)."""
        log.warning("no heartbeat for %.1f s: recording the whole state again", seconds)
        for incident_id in list(self.fed):
            await self._let_go(incident_id)
        self.window.record(False, self.clock())

    def _claim_sla(self, fed: Fed, now: datetime) -> None:
        for event in live.sla_entries(fed.room.report(now)):
            if fed.room.claim(event.key):
                fed.pending.append((event.key, event.text, event.at, event.kind))
                log.info("incident #%d: %s", fed.id, event.text)
                self._dirty.set()

    async def _writer(self) -> None:
        while True:
            await self._dirty.wait()
            await asyncio.sleep(self.flush_after)  # what else changes meanwhile goes in the same write
            self._dirty.clear()
            await self._flush()

    async def _flush(self) -> None:
        for fed in [*self._left, *self.fed.values()]:
            await self._write_fed(fed)
        self._left = [fed for fed in self._left if fed.unwritten]
        batch = self.window.take()
        if batch:
            try:
                await self.store.record_window(batch)
            except StoreError as exc:
                self.window.pending[:0] = batch
                log.warning("database: %s (the window's readings are kept for the next write)", exc)
                self._dirty.set()

    async def _let_go(self, incident_id: int) -> None:
        """Resolved, or handed back: what it had is written first (or by the next writes)."""
        fed = self.fed.pop(incident_id)
        await self._write_fed(fed)
        if fed.unwritten:
            self._left.append(fed)

    async def _write_fed(self, fed: Fed) -> None:
        if not await fed.write(self.store, self.stats, self.clock()):
            self._dirty.set()

    async def _sleep(self, seconds: float) -> None:
        """``seconds``, or less if the watcher stops meanwhile (then the loop ends: ``running``)."""
        if self._stopping.is_set():
            raise asyncio.CancelledError  # a loop that got here after the stop began ends now
        stopping = asyncio.ensure_future(self._stopping.wait())
        try:
            await asyncio.wait([stopping], timeout=seconds)
        finally:
            stopping.cancel()


def _pods_work(snapshot, previous, now: datetime, rollout_hours: float) -> tuple:
    """In a thread: a snapshot's view and its recorded state (5,000 pods: kept off the loop)."""
    computed, view = live.context_view(snapshot, previous, now, rollout_hours)
    return computed, view, live.pods_recorded(view)


async def _quietly(work, what: str) -> None:
    try:
        await work
    except Exception as exc:  # noqa: BLE001 — stopping: said, and the rest of the stop goes on
        log.warning("%s failed: %s", what, exc)
