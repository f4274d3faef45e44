"""What a chart view reads: a panel's series over a window and the incident's markers, live or recorded.

The chart screen (``ui/screens/chart.py``) is the same in the war room, in a drill and in a replay;
only where its numbers come from differs:

* :class:`LiveChartData` — the metrics feed's source (Prometheus, or a drill's scripted metrics),
  ``range`` over the window in the chart's worker thread; the window ends now, and is read again
  at the feed's refresh interval.
* :class:`RecordedChartData` — the recorded readings at the replay's cursor
  (:meth:`warroom.domain.recording.Timeline.history`); the window ends at the cursor, and is read
  again when the cursor moves.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from warroom.domain import chart_markers
from warroom.domain.baseline import Series, Sparkline
from warroom.domain.chart_lines import recorded_series
from warroom.domain.chart_window import Window
from warroom.domain.panels import Panel

if TYPE_CHECKING:
    from warroom.ui.app import WarRoomApp
    from warroom.ui.replay_app import ReplayApp


class ChartData(Protocol):
    recorded: bool  # values read back from the recorded readings (no thresholds, no query)
    refresh: float | None  # seconds between two reads; None: read again when told (``ChartScreen.reload``)

    @property
    def panels(self) -> tuple[Panel, ...]: ...

    def end(self) -> datetime: ...

    def series(self, panel: Panel, window: Window) -> Sparkline:
        """Blocking (a worker thread): the panel and its baseline over ``window``; raises on failure."""
        ...

    def markers(self) -> list[chart_markers.Marker]: ...


class LiveChartData:
    recorded = False

    def __init__(self, app: WarRoomApp) -> None:
        self._app = app
        self._feed = app.metrics_feed
        self.refresh = self._feed.refresh

    @property
    def panels(self) -> tuple[Panel, ...]:
        return tuple(self._feed.panels)

    def end(self) -> datetime:
        return self._app.now()

    def series(self, panel: Panel, window: Window) -> Sparkline:
        return self._feed.ranged(panel, window.start, window.end, window.step)

    def markers(self) -> list[chart_markers.Marker]:
        incident = self._app.incident
        pods = self._app.pods_feed
        rollouts = list(pods.rollouts_seen.values()) if pods is not None else []
        return chart_markers.markers(incident.milestones if incident else {}, self._app.entries.values(), rollouts)


class RecordedChartData:
    recorded = True
    refresh = None

    def __init__(self, app: ReplayApp) -> None:
        self._app = app

    @property
    def panels(self) -> tuple[Panel, ...]:
        from warroom.domain.replay import metrics_at

        return tuple(p.panel for p in metrics_at(self._app.timeline, self.end()).panels)

    def end(self) -> datetime:
        return self._app.cursor

    def series(self, panel: Panel, window: Window) -> Sparkline:
        current, baseline = recorded_series(self._app.timeline, panel.title, window)
        return Sparkline(panel, Series(tuple(current)), Series(tuple(baseline)))

    def markers(self) -> list[chart_markers.Marker]:
        from warroom.domain import replay

        app, at = self._app, self.end()
        incident = replay.incident_at(app.incident, app.entries, at)
        rollouts = chart_markers.recorded_rollouts(app.timeline.records, at)
        return chart_markers.markers(incident.milestones, replay.entries_until(app.entries, at), rollouts)
