"""The metrics feed: Prometheus (or a drill's scripted metrics) polled into the metrics pane.

One poll reads every panel, its sparkline and the alerts in a worker thread; the pane shows it,
verdict changes become automatic entries, and the view is recorded. An unreachable source is
data, not a crash: the last values stay on screen marked, and polls back off to two minutes.
"""

from __future__ import annotations

import threading
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Callable

from warroom.domain import metrics_view as mv
from warroom.domain.baseline import Panel
from warroom.room.live import MetricsTrack
from warroom.ui.feeds import Feed

if TYPE_CHECKING:
    from warroom.sources.interfaces import MetricsSource
    from warroom.ui.app import WarRoomApp

class MetricsFeed:
    def __init__(self, app: WarRoomApp, panels: tuple[Panel, ...], refresh: float, *, spark_minutes: int = 60,
                 source: MetricsSource | None = None, connect: Callable[[], MetricsSource] | None = None,
                 stale_limit: timedelta | None = None) -> None:
        """``source``: ready (a drill's); else ``connect()`` builds one in the worker thread (the
        Prometheus client's import is kept off the start path)."""
        self._app = app
        self.panels = panels
        self.refresh = refresh
        self.spark_minutes = spark_minutes
        self.source = source
        self._connect = connect
        self.stale_limit = stale_limit
        self.track = MetricsTrack(panels, refresh)  # the rules, shared with ``warroom watch``
        self._connecting = threading.Lock()

    @property
    def view(self) -> mv.MetricsView:
        """What the pane shows (a follower's recorded view too: comms and F2 read it)."""
        return self.track.view

    @view.setter
    def view(self, view: mv.MetricsView) -> None:
        self.track.view = view

    @property
    def delay(self) -> float:
        return self.track.delay

    def feed(self) -> Feed:
        return Feed("metrics", self.poll, self.deliver, self._failed, interval=self.refresh, thread=True)

    def poll(self) -> mv.Poll:
        """In the worker thread: one poll of every panel; never raises for the source's failures."""
        from warroom.sources.metrics_poll import poll

        now = self._app.now()
        try:
            source = self.connected()
        except Exception as exc:  # noqa: BLE001 — a bad URL or TLS file: shown, retried
            return mv.Poll(now, source_error=str(exc))
        return poll(source, self.panels, now, spark_minutes=self.spark_minutes)

    def connected(self) -> MetricsSource:
        """In a worker thread: the source, built on first use (the poll's and a chart's workers share it)."""
        with self._connecting:
            if self.source is None:
                self.source = self._connect()
            return self.source

    def ranged(self, panel: Panel, start: datetime, end: datetime, step: timedelta):
        """In a worker thread: the panel and its baseline over a window (the chart view); raises the
        source's errors."""
        return self.connected().range(panel, start, end, step)

    def deliver(self, result: mv.Poll) -> float | None:
        pane = self._pane()
        if pane is None:  # a poll that finished while the app shuts down
            return None
        view = self.track.after(result)
        now = self._app.now()
        pane.show(view, now, self._app.local)
        state = self.track.keep(view)  # kept once shown: a poll that cannot be drawn does not poison the next ones
        self.write_events()
        self._app.session.record("metrics", state)
        return self.delay

    def write_events(self) -> None:
        """Verdict transitions become entries; with no open incident yet, nothing is remembered, so
        the first incident loaded still gets them (a poll may finish before the store has loaded)."""
        session = self._app.session
        if not session.room.live or not self.panels or not self._app.feeds.active("metrics"):
            return
        now = self._app.now()
        for key, text in self.track.entries(now):
            session.write_keyed(key, text, now)

    def forget_verdicts(self) -> None:
        """A newly opened incident hears about the current state."""
        self.track.forget_verdicts()

    def tick(self) -> None:
        """Stale ages count up between polls."""
        now = self._app.now()
        if self.panels and self._app.feeds.active("metrics") and self.view.any_stale(now, self.stale_limit):
            pane = self._pane()
            if pane is not None:
                pane.show(self.view, now, self._app.local)

    def close(self) -> None:
        if self.source is not None:
            self.source.close()

    def _failed(self, message: str) -> None:
        pane = self._pane()
        if pane is not None:
            pane.show_failure(message)

    def _pane(self):
        from warroom.ui.widgets.metrics import MetricsPane  # composed (so imported) when configured

        panes = self._app.query(MetricsPane)
        return panes.first() if panes else None
