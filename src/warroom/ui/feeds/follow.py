"""Following a watcher: when a ``warroom watch`` feeds this screen's incident, the metrics, probes,
alerts and pods panes are drawn from its readings — live is replay at "now" (``domain.replay``) —
and this screen polls no source itself.

Every ``FOLLOW_INTERVAL`` the feed reads the heartbeats and, when the database moved
(``data_version``: SQLite's pragma, PostgreSQL's NOTIFY), only the readings written since. Each
pane says who feeds it (``via watcher on db-1, 0.4 s ago``). A heartbeat older than two of its
periods is STALE: the panes say so and, with ``[watch] takeover`` (the default), the screen's own
feeds start; when a watcher beats again they stop and the screen follows it once more. With no
watcher at all the screen reads the sources itself, as it always did.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from rich.text import Text

from warroom.domain import metrics_view as mv
from warroom.domain.heartbeat import STALE_PERIODS, Heartbeat, LocalAges, coming, feeder, said
from warroom.domain.replay import LiveReadings, metrics_at, pods_at, probes_at
from warroom.domain.text import one_line
from warroom.ui.feeds import Feed

if TYPE_CHECKING:
    from warroom.ui.app import WarRoomApp

#: seconds between two looks at the heartbeats and the readings (a change is on screen within it)
FOLLOW_INTERVAL = 0.2
#: seconds between two looks while no watcher has ever fed the incident (one arriving is seen within it)
LOOK_FOR_WATCHER = 1.0
#: the screen's own source feeds, paused while a watcher feeds its panes
SOURCE_FEEDS = ("metrics", "probes", "kube", "pods")
METRICS_STREAMS = {"panel", "alerts"}
PODS_STREAMS = {"pods", "pod", "workload", "rollout", "event"}


@dataclass(frozen=True)
class Followed:
    """One look: the incident, its feeder (fresh or stale) or a watcher about to feed it, and the
    panes recomputed from new readings (None: unchanged)."""

    incident_id: int | None
    beat: Heartbeat | None
    coming: Heartbeat | None
    now: datetime
    metrics: mv.MetricsView | None = None
    probes: list | None = None
    pods: list | None = None

    @property
    def fresh(self) -> bool:
        return self.beat is not None and self.beat.fresh(self.now)


class FollowFeed:
    def __init__(self, app: WarRoomApp, *, takeover: bool = True, interval: float = FOLLOW_INTERVAL) -> None:
        self._app = app
        self.takeover = takeover
        self.interval = interval
        self.mode = "starting"  # following · own (the screen reads the sources) · waiting (for a watcher)
        self.said = ""  # what the panes say of their feeder
        self.readings = LiveReadings()
        self._rows: dict = {}  # the pod rows drawn last (``pods_at`` makes only the changed ones again)
        self._incident: int | None = None
        self._cursor = 0
        self._version: int | None = None
        self._hold_until: datetime | None = None
        self._said_at: datetime | None = None
        self._ages = LocalAges()  # heartbeats aged on this screen's clock
        self._mounting = False  # panes of the watcher's being composed on this screen

    def feed(self) -> Feed:
        return Feed("follow", self.poll, self.deliver, self._failed, interval=self.interval)

    def start(self) -> None:
        """At mount: the sources wait for the first look (a watcher may feed the panes already)."""
        for name in SOURCE_FEEDS:
            self._app.feeds.pause(name)
        self._app.feeds.poll_now("follow")

    @property
    def following(self) -> bool:
        return self.mode == "following"

    # -- in the worker -----------------------------------------------------------------------------
    async def poll(self) -> Followed:
        session = self._app.session
        await session.loaded.wait()
        store = session.store
        now = self._app.now()
        if store is None:  # no database: nothing to follow, the screen reads the sources itself
            return Followed(None, None, None, now)
        incident_id = session.room.incident_id
        if incident_id != self._incident:
            self._incident, self._cursor, self._version = incident_id, 0, None
            self.readings, self._rows = LiveReadings(), {}
        beats = self._ages.observe(await store.watchers(), now)
        beat = feeder(beats, incident_id, now)
        if incident_id is None or beat is None or not beat.fresh(now):
            return Followed(incident_id, beat, coming(beats, now) if incident_id is not None else None, now)
        version = await store.data_version()
        if version == self._version:
            return Followed(incident_id, beat, None, now)
        self._version = version
        first = self._cursor == 0
        self._cursor, records = await store.readings_since(incident_id, self._cursor)
        if not records and not first:
            return Followed(incident_id, beat, None, now)
        metrics, probes, pods = await asyncio.to_thread(self._panes, records, now, first)
        return Followed(incident_id, beat, None, now, metrics, probes, pods)

    def _panes(self, records: list, now: datetime, everything: bool) -> tuple:
        """In a thread: the panes the new readings changed, drawn as the replay draws them."""
        streams = self.readings.add(records)
        self.readings.trim(now)
        state = self.readings.state
        metrics = metrics_at(self.readings, now, state) if everything or streams & METRICS_STREAMS else None
        probes = probes_at(state) if everything or "probe" in streams else None
        pods = pods_at(state, now, self._rows) if everything or streams & PODS_STREAMS else None
        return metrics, probes, pods

    # -- on the UI thread --------------------------------------------------------------------------
    def deliver(self, followed: Followed) -> float | None:
        """Show what the look found; the next look comes sooner while a watcher is (or was) about."""
        self._deliver(followed)
        return None if followed.beat is not None or followed.coming is not None else LOOK_FOR_WATCHER

    def _deliver(self, followed: Followed) -> None:
        if followed.incident_id != self._incident:
            return  # another incident opened meanwhile: the next look is about it
        if followed.fresh:
            self._hold_until = None
            if not self.following:
                self._hand_back()
            self._draw(followed)
            self._say(said(followed.beat, followed.now))
            return
        if followed.coming is not None and self.mode in ("starting", "waiting", "following"):
            # a watcher feeds every open incident: a new one is fed within its period
            if self._hold_until is None:
                self._hold_until = followed.now + timedelta(seconds=STALE_PERIODS * followed.coming.period)
            if followed.now < self._hold_until:
                self.mode = "waiting"
                self._say(f"waiting for the watcher on {one_line(followed.coming.host)}")
                return
        if followed.beat is not None:
            self._say(said(followed.beat, followed.now) + self._taking_over())
        elif self.mode in ("starting", "waiting") and not self.takeover:
            self._say("no watcher feeds this incident (takeover is off)")
        else:
            self._say("")
        if self.takeover and self.mode != "own":
            self._take_over()
        elif not self.takeover:
            self.mode = "waiting"

    def _taking_over(self) -> str:
        """What a stale watcher leaves: this screen's own sources, or none (nothing configured here)."""
        if not self.takeover:
            return ""
        app = self._app
        if app.metrics_feed is None and app.probes_feed is None and app.pods_feed is None:
            return " — no source configured here: the panes show its last readings"
        return " — reading the sources here"

    def _hand_back(self) -> None:
        """A watcher feeds the panes: the screen's own feeds stop (its cluster watchers too)."""
        app = self._app
        for name in SOURCE_FEEDS:
            app.feeds.pause(name)
        if app.pods_feed is not None:
            app.pods_feed.reset()
        self.mode = "following"
        app.log.info("following a watcher")

    def _take_over(self) -> None:
        """No live watcher: the screen reads the sources itself."""
        app = self._app
        if app.metrics_feed is not None:
            app.metrics_feed.view = mv.initial(app.metrics_feed.panels)  # not the recorded panels
        if app.pods_feed is not None:
            app.pods_feed.reset()  # the views the watcher's readings drew go: the screen's own come
        for name in ("metrics", "probes", "kube"):
            app.feeds.resume(name)
        app.feeds.resume("pods", poll=False)  # kicked by the cluster watchers' snapshots
        self.mode = "own"

    def _draw(self, followed: Followed) -> None:
        app, now = self._app, followed.now
        metrics_pane, pods_pane = self._panes_shown()
        if self._unshown(followed, metrics_pane, pods_pane) and not self._mounting:
            self._mounting = True
            app.call_later(self._mount_panes, followed)
        if followed.metrics is not None:
            if app.metrics_feed is not None:
                app.metrics_feed.view = followed.metrics  # comms and F2 read what is shown
            if metrics_pane is not None:
                metrics_pane.show(followed.metrics, now, app.local)
        if followed.probes is not None and metrics_pane is not None:
            metrics_pane.show_probes(followed.probes, now, app.local)
        if followed.pods is not None:
            for view in followed.pods:
                if app.pods_feed is not None:
                    app.pods_feed.views[view.context] = view
                if pods_pane is not None:
                    pods_pane.show(view, now, app.local)

    @staticmethod
    def _feeds_metrics(followed: Followed) -> bool:
        """The look has panels or probes for the metrics pane."""
        return bool(followed.metrics is not None and followed.metrics.panels) or bool(followed.probes)

    def _unshown(self, followed: Followed, metrics_pane, pods_pane) -> bool:
        """The watcher feeds a pane this screen did not compose (no source of its own configured)."""
        return (self._feeds_metrics(followed) and metrics_pane is None) or (bool(followed.pods) and pods_pane is None)

    async def _mount_panes(self, followed: Followed) -> None:
        """A screen with no Prometheus, probes or cluster of its own configured follows a watcher all
        the same (a participant's laptop needs only the database): the placeholder of each pane the
        watcher feeds gives way to the pane, and the next look draws it from every reading."""
        from warroom.ui.widgets.metrics import MetricsPane
        from warroom.ui.widgets.pods import PodsPane

        metrics_pane, pods_pane = self._panes_shown()
        try:
            if metrics_pane is None and self._feeds_metrics(followed):
                await self._replace("#metrics-pane", MetricsPane("via watcher", None, id="metrics-pane",
                                                                 classes="pane"))
            if pods_pane is None and followed.pods:
                contexts = [view.context for view in followed.pods]
                await self._replace("#pods-pane", PodsPane(", ".join(c or "current context" for c in contexts),
                                                           len(contexts) > 1, id="pods-pane", classes="pane"))
        finally:
            self._mounting = False
        self._incident, self.said = None, ""  # the next look reads every reading again, for the new panes
        self._app.feeds.poll_now("follow")

    async def _replace(self, selector: str, pane) -> None:
        old = self._app.query_one(selector)
        parent = old.parent
        place = parent.children.index(old)
        await old.remove()
        if place < len(parent.children):
            await parent.mount(pane, before=place)
        else:
            await parent.mount(pane)

    def _say(self, text: str) -> None:
        """The panes' subtitle; the age in it is redrawn once a second, not on every look."""
        now = self._app.now()
        same_kind = text.split(",")[0] == self.said.split(",")[0]
        if text == self.said or (same_kind and self._said_at is not None
                                 and (now - self._said_at).total_seconds() < 1.0):
            return
        self.said, self._said_at = text, now
        for pane in self._panes_shown():
            if pane is not None:
                pane.border_subtitle = Text(text)  # literal: a host name is never markup

    def _panes_shown(self) -> tuple:
        from warroom.ui.widgets.metrics import MetricsPane
        from warroom.ui.widgets.pods import PodsPane

        metrics = self._app.query(MetricsPane)
        pods = self._app.query(PodsPane)
        return (metrics.first() if metrics else None, pods.first() if pods else None)

    def _failed(self, message: str) -> None:
        """Said where the feeder is said (the panes' subtitle), never over the scribe's hint: that line
        keeps the lines waiting and the sync's trouble, which a database gone also brings."""
        self._say(f"watcher not looked up: {one_line(message)}")

