"""The probes feed: the HTTP health probes (or a drill's scripted ones), shown under the metrics.

Every probe runs concurrently on the event loop (httpx), at the shortest configured interval;
a probe never raises (a failure is a DOWN result with its reason), so a crash here is a bug,
which the feed shows and retries.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from warroom.domain import recording as rec
from warroom.ui.feeds import Feed

if TYPE_CHECKING:
    from warroom.sources.interfaces import ProbeSource
    from warroom.ui.app import WarRoomApp


class ProbesFeed:
    def __init__(self, app: WarRoomApp, source: ProbeSource) -> None:
        self._app = app
        self.source = source
        self.results: list = []

    def feed(self) -> Feed:
        return Feed("probes", self.poll, self.deliver, self._failed, interval=self.source.interval)

    async def poll(self) -> list:
        return await self.source.probe_all(self._app.now())

    def deliver(self, results: list) -> None:
        self.results = results
        self._app.session.record("probes", rec.probes_state(results))
        pane = self._pane()
        if pane is not None:
            pane.show_probes(results, self._app.now(), self._app.local)

    async def close(self) -> None:
        await self.source.aclose()

    def _failed(self, message: str) -> None:
        pane = self._pane()
        if pane is not None:
            pane.show_probe_failure(message)

    def _pane(self):
        from warroom.ui.widgets.metrics import MetricsPane

        panes = self._app.query(MetricsPane)
        return panes.first() if panes else None
