"""The tech lead's pane: each panel's value against its baseline, with sparklines; firing alerts;
health probes. Renders a ``MetricsView``; the app polls and feeds it. ``p`` pins a reading, Enter
opens the panel's chart (``ui/screens/chart.py``).

Where the pane is too short for the sparklines (120x40, 80x24) it drops them: one line a panel,
every panel's value against its baseline seen at once, the probes on one line. Titles of panels
named alike keep what tells them apart (``error ratio``, ``p95 latency``), not a shared
``Checkout…``."""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from warroom.domain.metrics_view import MetricsView
from warroom.domain.panel_titles import short_titles
from warroom.domain.times import format_duration
from warroom.ui import render
from warroom.ui.messages import OpenChart, PinReading


#: the alerts and probes take at most this many lines (``#metrics-alerts`` in warroom.tcss)
ALERT_LINES = 10


def lines(text: Text) -> int:
    return text.plain.count("\n") + 1


def _least_height(pane) -> int:
    """Lines a neighbouring pane keeps: its height, or its minimum if it shares the rest (``1fr``)."""
    height, least = pane.styles.height, pane.styles.min_height
    if height is not None and height.is_fraction:
        return int(least.value) if least is not None else 0
    return pane.outer_size.height


def fits(panels: list[Text], alerts: Text, room: int, margin: int) -> bool:
    """Whether ``panels`` fit in ``room`` lines above the alerts (``margin`` lines between)."""
    if room <= 0:
        return True  # not laid out yet: decided again once it is
    needed = sum(lines(t) for t in panels)
    if alerts.plain:
        needed += margin + min(ALERT_LINES, lines(alerts))
    return needed <= room


class PanelList(OptionList):
    BINDINGS = [Binding("p", "pin", "Pin reading"), Binding("escape", "back", "Type")]

    def action_pin(self) -> None:
        if self.highlighted is not None:
            self.post_message(PinReading(self.get_option_at_index(self.highlighted).id))

    def action_back(self) -> None:
        self.screen.query_one("#scribe-input").focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        """Enter (or a click) on a panel opens its chart."""
        event.stop()
        if event.option.id is not None:
            self.post_message(OpenChart(event.option.id))


class MetricsPane(Vertical):
    def __init__(self, source_label: str, stale_limit: timedelta | None = None, **kw) -> None:
        """``stale_limit``: how old a reading may get before it shows STALE even with no error yet
        (:func:`warroom.domain.metrics_view.stale_limit`); None: no age rule."""
        super().__init__(**kw)
        self._source_label = source_label
        self.stale_limit = stale_limit
        self.view: MetricsView | None = None
        self.probes: list = []
        self.probe_error = ""  # the probes feed's failure, until it recovers

    def compose(self) -> ComposeResult:
        yield Static(id="metrics-status")
        yield PanelList(id="metrics-panels")
        yield Static(id="metrics-alerts")

    def on_mount(self) -> None:
        self._room = 0
        self._names_only = False
        self.screen.screen_layout_refresh_signal.subscribe(self, self._layout_refreshed)
        self.border_title = "Metrics vs baseline"
        self.query_one("#metrics-status", Static).update(Text(f"{self._source_label} · connecting…", style="dim"))

    def show(self, view: MetricsView, now: datetime, local: tzinfo) -> None:
        self.view, self._now, self._local = view, now, local
        status = Text(no_wrap=True, overflow="ellipsis")
        status.append_text(render.user(self._source_label, "dim"))
        if view.source_error:
            age = f" · last good {format_duration(now - view.ok_at)} ago" if view.ok_at else ""
            status.append(" · ")
            status.append(" UNREACHABLE ", style="bold white on red")
            status.append(" ")
            status.append_text(render.user(view.source_error + age, "italic"))
        elif (stale := view.stale_for(now, self.stale_limit)) is not None:
            status.append(" · ")
            status.append(f" STALE {format_duration(stale)} ", style="bold black on yellow")
            status.append(f" last good {view.ok_at.astimezone(local):%H:%M:%S}; no answer since", style="italic")
        elif view.polled_at:
            status.append(f" · updated {view.polled_at.astimezone(local):%H:%M:%S}", style="dim")
        self.query_one("#metrics-status", Static).update(status, layout=False)
        panels = self.query_one(PanelList)
        width = max(30, panels.scrollable_content_region.width or 62)
        narrow = self.screen.has_class("-narrow")
        highlighted = panels.highlighted
        columns = render.metric_columns(view.panels, width)
        titles = short_titles([p.panel for p in view.panels], columns.title)

        def rendered(sparklines: bool) -> list[Text]:
            return [render.metric_panel(p, now, width, with_baseline=not narrow, stale_limit=self.stale_limit,
                                        title=title, sparklines=sparklines, columns=columns)
                    for p, title in zip(view.panels, titles)]

        room = self._room = self.room()
        full = rendered(True)
        one_line = not fits(full, self._alerts_and_probes(view, now, local, False, False), room, margin=1)
        shown = rendered(False) if one_line else full
        alerts = self._alerts_and_probes(view, now, local, one_line, False)
        self._names_only = one_line and not fits(shown, alerts, room, margin=0)
        if self._names_only:  # the values first: the alerts by name
            alerts = self._alerts_and_probes(view, now, local, True, True)
        options = [Option(text, id=p.panel.title) for text, p in zip(shown, view.panels)]
        panels.set_options(options)
        if highlighted is not None and options:
            panels.highlighted = min(highlighted, len(options) - 1)
        self.set_class(one_line, "-one-line")
        self.query_one("#metrics-alerts", Static).update(alerts)
        # the panels scroll (highlight one to bring it in view) when even a line each is too much
        below = min(ALERT_LINES, lines(alerts)) + (0 if one_line else 1) if alerts.plain else 0
        limit = max(1, room - below) if room > 0 else None
        if panels.styles.max_height != limit:
            panels.styles.max_height = limit
        worst = [p.reading.verdict for p in view.panels if p.reading and p.stale_for(now, self.stale_limit) is None]
        crit = worst.count("CRIT")
        self.border_title = "Metrics vs baseline" + (f" · {crit} CRIT" if crit else "")
        self.set_class(bool(crit), "-crit")

    @property
    def one_line(self) -> bool:
        """The panels are shown one line each (no sparklines): the pane is too short for them."""
        return self.has_class("-one-line")

    def room(self) -> int:
        """Lines the panels and the alerts may take (0: not laid out yet).

        The pane is as tall as its content; what it may take is what the left column leaves:
        side by side, the column less the panes above and below it (a pane that shares the rest,
        like the pods, at its minimum height); in the narrow layout, where the panes take turns,
        half the body (``Screen.-narrow #left`` in warroom.tcss). Less the border and status line."""
        if self.screen.has_class("-narrow"):
            space = self.screen.query_one("#body").size.height // 2
        elif self.parent is None:
            space = 0
        else:
            space = self.parent.size.height - sum(_least_height(p) for p in self.parent.children
                                                  if p is not self and p.display)
        return max(1, space - 2 - 1) if space > 0 else 0

    def _layout_refreshed(self, _screen) -> None:
        """The panes around this one changed height: what fits here may have changed too."""
        if self.view is not None and self.room() != self._room:
            self.show(self.view, self._now, self._local)

    def on_resize(self) -> None:
        if self.view is not None:
            self.call_after_refresh(lambda: self.show(self.view, self._now, self._local))

    def show_failure(self, message: str) -> None:
        """The metrics feed itself failed (not the source: a bug, shown rather than a frozen pane)."""
        status = Text(no_wrap=True, overflow="ellipsis")
        status.append_text(render.user(self._source_label, "dim"))
        status.append(" · ")
        status.append(" FEED ERROR ", style="bold white on red")
        status.append(" ")
        status.append_text(render.user(message, "italic"))
        self.query_one("#metrics-status", Static).update(status, layout=False)

    def show_probe_failure(self, message: str) -> None:
        """The probes feed failed: said where the probes are listed, the last results kept below."""
        self.probe_error = message
        self.query_one("#metrics-alerts", Static).update(
            self._alerts_and_probes(self.view, self._now, self._local) if self.view is not None else self._probe_lines(self.one_line))

    def show_probes(self, results: list, now: datetime, local: tzinfo) -> None:
        self.probes = results
        self.probe_error = ""
        if self.view is not None:
            self.query_one("#metrics-alerts", Static).update(self._alerts_and_probes(self.view, now, local))
        else:
            self.query_one("#metrics-alerts", Static).update(self._probe_lines(self.one_line))

    def _alerts_and_probes(self, view: MetricsView, now: datetime, local: tzinfo, one_line: bool | None = None,
                           names_only: bool | None = None) -> Text:
        """The alerts, then the probes; ``one_line``: the probes on one line (the pane is short);
        ``names_only``: the alerts too, by name (shorter still). As last shown by default."""
        one_line = self.one_line if one_line is None else one_line
        names_only = self._names_only if names_only is None else names_only
        out = render.alerts_lines(view, now, local, self.stale_limit, one_line=names_only) if view.panels else Text()
        probes = self._probe_lines(one_line)
        if probes.plain:
            if out.plain:
                out.append("\n")
            out.append_text(probes)
        return out

    def _probe_lines(self, one_line: bool = False) -> Text:
        """A line a probe; all on one line (down first) where the pane is short."""
        out = Text(no_wrap=True, overflow="ellipsis")
        if self.probe_error:
            out.append(" PROBES ", style="bold white on red")
            out.append(" ")
            out.append_text(render.user(self.probe_error, "italic"))
            if self.probes:
                out.append("\n")
        probes = sorted(self.probes, key=lambda r: r.ok) if one_line else self.probes
        for i, r in enumerate(probes):
            if i:
                out.append(" · " if one_line else "\n", style="dim")
            out.append(" UP " if r.ok else " DOWN ", style="bold black on green" if r.ok else "bold white on red")
            out.append(" ")
            out.append_text(render.user(r.name, "bold"))
            detail = f" {r.status}" if r.status else ""
            if r.latency_s is not None:
                detail += f" {r.latency_s * 1000:.0f} ms"
            out.append(detail, style="dim")
            if r.error and not one_line:
                out.append("  ")
                out.append_text(render.user(r.error, "italic"))
        return out
