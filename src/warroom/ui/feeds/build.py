"""Which feeds a war room screen runs: only what is configured (or scripted by a drill or a test).
Each feed imports its source's client itself, off the start path. A screen reading configured
sources may follow a ``warroom watch`` instead (``follow``); a drill's scripted sources are its own."""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable, Sequence

if TYPE_CHECKING:
    from warroom.sources.interfaces import PanelSource, PodsWatcher, ProbeSource
    from warroom.ui.app import WarRoomApp


def build_feeds(app: WarRoomApp, metrics_source: PanelSource | None, probe_source: ProbeSource | None,
                kube_watchers: Sequence[PodsWatcher] | None, sync_interval: float) -> None:
    """Only what is configured (or scripted) is built: each feed imports its source's client."""
    from warroom.ui.feeds.sync import SyncFeed

    scripted = metrics_source is not None or probe_source is not None or kube_watchers is not None
    prom = app.config.prometheus
    panels = tuple(prom.panels) if prom else tuple(metrics_source.panels) if metrics_source else ()
    if panels:
        from warroom.domain.metrics_view import stale_limit
        from warroom.ui.feeds.metrics import MetricsFeed

        app.metrics_feed = MetricsFeed(
            app, panels, prom.refresh if prom else metrics_source.refresh,
            spark_minutes=prom.sparkline_minutes if prom else 60, source=metrics_source,
            connect=_prometheus(prom) if prom else None,
            # no age rule in a drill: its clock runs faster than the polls, and it never hangs
            stale_limit=stale_limit(prom.refresh, prom.timeout) if prom and app.drill is None else None)
        app.feeds.add(app.metrics_feed.feed())
    if probe_source is None and app.config.probes:
        from warroom.sources.probes import ConfiguredProbes

        probe_source = ConfiguredProbes(app.config.probes)
    if probe_source is not None:
        from warroom.ui.feeds.probes import ProbesFeed

        app.probes_feed = ProbesFeed(app, probe_source)
        app.feeds.add(app.probes_feed.feed())
    if app.config.kubernetes is not None or kube_watchers:
        from warroom.ui.feeds.pods import PodsFeed

        app.pods_feed = PodsFeed(app, app.config.kubernetes, kube_watchers)
        for feed in app.pods_feed.feeds():
            app.feeds.add(feed)
    app.sync_feed = SyncFeed(app, sync_interval)
    app.feeds.add(app.sync_feed.feed())
    # a screen with no source of its own follows too: a watcher's panes are composed when it feeds them
    if app.config.watch.follow and app.drill is None and not scripted:
        from warroom.ui.feeds.follow import FollowFeed

        app.follow_feed = FollowFeed(app, takeover=app.config.watch.takeover)
        app.feeds.add(app.follow_feed.feed())


def _prometheus(prom) -> Callable:
    """Builds the Prometheus source in the metrics worker thread (its import is kept off the start path)."""
    def connect():
        from warroom.sources.configured import prometheus_source

        return prometheus_source(prom)
    return connect
