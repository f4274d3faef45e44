"""The tech lead's pane: each panel's value against its baseline, with sparklines; firing alerts;
health probes. Renders a ``MetricsView``; the app polls and feeds it. ``p`` pins a reading."""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from warroom.domain.metrics_view import MetricsView
from warroom.domain.times import format_duration
from warroom.ui import render
from warroom.ui.messages import PinReading


class PanelList(OptionList):
    BINDINGS = [Binding("p", "pin", "Pin reading"), Binding("escape", "back", "Type")]

    def action_pin(self) -> None:
        if self.highlighted is not None:
            self.post_message(PinReading(self.get_option_at_index(self.highlighted).id))

    def action_back(self) -> None:
        self.screen.query_one("#scribe-input").focus()


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
        width = max(30, (panels.scrollable_content_region.width or 62) - 2)
        narrow = self.screen.has_class("-narrow")
        highlighted = panels.highlighted
        options = [Option(render.metric_panel(p, now, width, with_baseline=not narrow, stale_limit=self.stale_limit),
                          id=p.panel.title) for p in view.panels]
        panels.set_options(options)
        if highlighted is not None and options:
            panels.highlighted = min(highlighted, len(options) - 1)
        self.query_one("#metrics-alerts", Static).update(self._alerts_and_probes(view, now, local))
        worst = [p.reading.verdict for p in view.panels if p.reading and p.stale_for(now, self.stale_limit) is None]
        crit = worst.count("CRIT")
        self.border_title = "Metrics vs baseline" + (f" · {crit} CRIT" if crit else "")
        self.set_class(bool(crit), "-crit")

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
            self._alerts_and_probes(self.view, self._now, self._local) if self.view is not None else self._probe_lines())

    def show_probes(self, results: list, now: datetime, local: tzinfo) -> None:
        self.probes = results
        self.probe_error = ""
        if self.view is not None:
            self.query_one("#metrics-alerts", Static).update(self._alerts_and_probes(self.view, now, local))
        else:
            self.query_one("#metrics-alerts", Static).update(self._probe_lines())

    def _alerts_and_probes(self, view: MetricsView, now: datetime, local: tzinfo) -> Text:
        out = render.alerts_lines(view, now, local, self.stale_limit) if view.panels else Text()
        probes = self._probe_lines()
        if probes.plain:
            if out.plain:
                out.append("\n")
            out.append_text(probes)
        return out

    def _probe_lines(self) -> Text:
        out = Text(no_wrap=True, overflow="ellipsis")
        if self.probe_error:
            out.append(" PROBES ", style="bold white on red")
            out.append(" ")
            out.append_text(render.user(self.probe_error, "italic"))
            if self.probes:
                out.append("\n")
        for i, r in enumerate(self.probes):
            if i:
                out.append("\n")
            out.append(" UP " if r.ok else " DOWN ", style="bold black on green" if r.ok else "bold white on red")
            out.append(" ")
            out.append_text(render.user(r.name, "bold"))
            detail = f" {r.status}" if r.status else ""
            if r.latency_s is not None:
                detail += f" {r.latency_s * 1000:.0f} ms"
            out.append(detail, style="dim")
            if r.error:
                out.append("  ")
                out.append_text(render.user(r.error, "italic"))
        return out
