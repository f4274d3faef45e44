"""The pods feed: one read-only watcher per cluster context, each on its own thread, turned into
the pods pane's view off the UI thread.

Each watcher publishes snapshots (``PodsChanged``, posted from its thread); a snapshot kicks a
view worker, which starts from the context's last view so only the pods changed since are
recomputed, and finds there what the UI thread would otherwise walk 5,000 pods for: the pod
events to write and the recorder's changes. A snapshot overtaken while it waited is skipped (the
newer one carries its changes). Starting the watchers is a feed too: a cluster client that fails
to build is said in the pane and tried again.
"""

from __future__ import annotations

import threading
from datetime import datetime
from typing import TYPE_CHECKING, Any, Sequence

from textual.message import Message

from warroom.room import live
from warroom.ui.feeds import Feed
from warroom.ui.runtime import freeze_heap

if TYPE_CHECKING:
    from warroom.config import KubeConfig
    from warroom.domain.pod_view import ContextView
    from warroom.sources.interfaces import PodsWatcher
    from warroom.ui.app import WarRoomApp

#: seconds a pods view waits at most for the last one to be painted
PAINT_WAIT = 1.0


class PodsChanged(Message):
    """A watcher published a snapshot (posted from the watcher's thread)."""

    def __init__(self, snapshot: Any) -> None:
        super().__init__()
        self.snapshot = snapshot


class PodsFeed:
    def __init__(self, app: WarRoomApp, kube: KubeConfig | None, watchers: Sequence[PodsWatcher] | None) -> None:
        """``watchers``: ready (a drill's scripted cluster); else built from ``kube`` in a thread."""
        self._app = app
        self._kube = kube
        self.watchers: list[PodsWatcher] | None = list(watchers) if watchers is not None else None
        self.rollout_hours = kube.rollout_hours if kube else 6.0
        self.views: dict[str, ContextView] = {}  # what the pane shows, by context
        #: every rollout the pane has shown (a later one replaces it there): the chart's markers
        self.rollouts_seen: dict[tuple, Any] = {}
        self.versions: dict[str, int] = {}  # the snapshot version each context's shown view came from
        #: per context: the newest snapshot version posted, and the last view computed (the next one's start)
        self._latest: dict[str, int] = {}
        self.computed: dict[str, Any] = {}
        self._lock = threading.Lock()
        #: set once the last view posted is painted (or dropped): the next is computed after it
        self._painted = threading.Event()
        self._painted.set()

    @property
    def contexts(self) -> tuple[str, ...]:
        if self._kube is not None:
            return tuple(self._kube.contexts)
        return tuple(w.target.context for w in self.watchers or ())

    @property
    def multi_context(self) -> bool:
        return len(self.computed) > 1 or len(self.contexts) > 1

    def feeds(self) -> tuple[Feed, Feed]:
        return (Feed("kube", self.start, lambda _: None, self._failed, thread=True),
                Feed("pods", self.compute, self.deliver, self._failed, recovered=self._recovered, thread=True))

    def start(self) -> None:
        """In a thread: build and start the watchers (the client's import takes ~0.4 s)."""
        if self.watchers is None:
            from warroom.sources.configured import kube_watchers

            self.watchers = kube_watchers(self._kube)
        for watcher in self.watchers:
            watcher.on_change = lambda snapshot: self._app.post_message(PodsChanged(snapshot))
            watcher.start_thread()

    def changed(self, snapshot: Any) -> None:
        """On the UI thread: a newer snapshot of a context; its view is computed in a worker."""
        if not self._app.feeds.active("pods"):
            return  # a watcher feeds the pane: a stopped cluster watcher's last word is dropped
        self._latest[snapshot.context] = snapshot.version
        self._app.feeds.poll_now("pods", snapshot)

    def compute(self, snapshot: Any) -> tuple | None:
        """In a worker thread: the snapshot's view, pod events and readings (None: overtaken)."""
        # One view at a time on screen: the next is computed once the last is painted, not during
        # the frame. Computing (~60 ms of Python for a storm's snapshot) while the UI thread painted
        # made the two share the GIL, and stretched the frame to 2-3 times its length.
        self._painted.wait(PAINT_WAIT)
        with self._lock:
            previous = self.computed.get(snapshot.context)
            if snapshot.version < self._latest.get(snapshot.context, 0) or (
                    previous is not None and previous.version >= snapshot.version):
                return None
            now = self._app.now()
            v, view = live.context_view(snapshot, previous, now, self.rollout_hours)
            self.computed[snapshot.context] = v
        room = self._app.session.room
        events = self.find_events(view, now) if room.live else []
        recorder = room.recorder  # this worker alone records pods, in snapshot order
        readings = recorder.observe(*live.pods_recorded(view), now) if room.recording else []
        self._painted.clear()
        return snapshot.version, view, events, recorder, readings

    def deliver(self, result: tuple | None) -> None:
        if result is None:
            return
        version, view, events, recorder, readings = result
        self._app.call_after_refresh(self._painted.set)
        room = self._app.session.room
        if recorder is room.recorder and room.recording:  # not one of an incident since closed
            room.readings += readings
        if version < self.versions.get(view.context, -1):
            return  # a newer snapshot's view is already shown
        self.versions[view.context] = version
        if view.synced and not (view.context in self.views and self.views[view.context].synced):
            freeze_heap()  # the first full list of this context is in
        self.views[view.context] = view
        for r in view.rollouts:
            self.rollouts_seen.setdefault((view.context, r.namespace, r.deployment, r.revision), r)
        now = self._app.now()
        self._pane().show(view, now, self._app.local)
        self.write_events(view, now, events)

    def find_events(self, view: ContextView, now: datetime) -> list[tuple[str, str]]:
        return live.pod_entries(view, now, self.multi_context)

    def write_events(self, view: ContextView, now: datetime, events: list | None = None) -> None:
        """Write the view's pod events (``events``: found already, off the UI thread)."""
        if not self._app.session.room.live or not view.synced or not self._app.feeds.active("pods"):
            return
        if events is None:
            events = self.find_events(view, now)
        self._app.session.write_keyed_batch(events, now)

    def reopened(self, now: datetime) -> None:
        """A newly opened incident: its events, and the whole state recorded (not only at the next snapshot)."""
        session = self._app.session
        if not self._app.feeds.active("pods"):
            return  # a watcher feeds the pane (``follow``): it writes and records
        for view in self.views.values():
            self.write_events(view, now)
            session.record(*live.pods_recorded(view))

    def reset(self) -> None:
        """A watcher took the pane over: the cluster watchers stop, and what they had seen is
        forgotten, so that reading the cluster again (``start``) begins afresh."""
        self.stop()
        if self._kube is not None:
            self.watchers = None
        with self._lock:
            self.views.clear()
            self.versions.clear()
            self._latest.clear()
            self.computed.clear()
        self._painted.set()

    def stop(self) -> None:
        for watcher in self.watchers or ():
            watcher.stop()

    def _failed(self, message: str) -> None:
        self._painted.set()  # a view that failed will not be painted: the next must not wait for it
        self._pane().show_failure(message)

    def _recovered(self) -> None:
        self._pane().show_failure("")

    def _pane(self):
        from warroom.ui.widgets.pods import PodsPane  # composed (so imported) when configured

        return self._app.query_one(PodsPane)
