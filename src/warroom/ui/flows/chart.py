"""Opening a metric's chart (``ui/screens/chart.py``): Enter on a metric panel, ctrl+g, the palette.

The chart screen and its plotting library are imported here, when a chart opens: never at start-up.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from warroom.ui.app import WarRoomApp


def chosen_panel(app, title: str | None) -> str | None:
    """The panel named, else the one highlighted in the metrics pane, else the first."""
    panels = app.metrics_feed.panels if getattr(app, "metrics_feed", None) else ()
    titles = [p.title for p in panels]
    if title in titles:
        return title
    from warroom.ui.widgets.metrics import PanelList

    lists = app.query(PanelList)
    if lists and lists.first().highlighted is not None and lists.first().option_count:
        highlighted = lists.first().get_option_at_index(lists.first().highlighted).id
        if highlighted in titles:
            return highlighted
    return titles[0] if titles else None


def open_chart(app: WarRoomApp, title: str | None = None) -> None:
    """The war room's (or a drill's) chart of one panel, read live from the metrics source."""
    from warroom.ui.chart_data import LiveChartData
    from warroom.ui.screens.chart import ChartScreen

    if app.metrics_feed is None or app.screen.id == "chart":
        return
    title = chosen_panel(app, title)
    panel = next((p for p in app.metrics_feed.panels if p.title == title), None)
    if panel is not None:
        app.push_screen(ChartScreen(LiveChartData(app), panel, app.local))
