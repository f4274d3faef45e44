"""``warroom replay``: the war room as it was at any moment of an incident, read-only.

A time cursor moves with keys (←/→ 10 s, shift 1 min, PgUp/PgDn 10 min, [ ] the previous/next
entry or milestone, Home/End, space plays at N×, +/− change N). At the cursor every pane shows what
it showed then: the header and SLA clock from the timeline up to the cursor, the metrics (values,
baselines, sparklines, alerts, probes) and pods from the recorded readings, and the timeline with
the entries written by then highlighted (later ones dim). Nothing is ever written.

A metric's chart (Enter on a panel, ctrl+g) draws the recorded readings up to the cursor, and follows
it as it moves; Esc (or q) closes the chart before it quits.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, tzinfo
from pathlib import Path

from rich.text import Text
from textual import on, work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Static

from warroom.domain import replay
from warroom.domain.incident import Incident
from warroom.domain.recording import Timeline
from warroom.domain.sla import evaluate
from warroom.domain.timeline import Entry, checklist_ticks
from warroom.domain.times import format_duration, short_utc
from warroom.localtime import local_timezone
from warroom.store import StoreError, db_location, open_store
from warroom.ui.crash import NoLocalsOnCrash
from warroom.ui.messages import OpenChart
from warroom.ui.theme import DEFAULT_THEME, HIGH_CONTRAST, NARROW_WIDTH, styles_path
from warroom.ui.widgets.header import IncidentHeader
from warroom.ui.widgets.keybar import KeyBar
from warroom.ui.widgets.placeholder import NotConfigured
from warroom.ui.widgets.sla import SlaPane
from warroom.ui.widgets.timeline import TimelinePane

PLAY_SPEEDS = (1.0, 2.0, 5.0, 10.0, 30.0, 60.0, 300.0)
PLAY_TICK = 0.25  # wall seconds between two frames while playing


class ReplayApp(NoLocalsOnCrash, App[int]):
    CSS_PATH = styles_path()
    CSS = "#replay-bar { height: 1; }"
    TITLE = "warroom replay"
    BINDINGS = [
        Binding("left", "step(-10)", "−10s", priority=True),
        Binding("right", "step(10)", "+10s", priority=True),
        Binding("shift+left", "step(-60)", "−1m", show=False, priority=True),
        Binding("shift+right", "step(60)", "+1m", show=False, priority=True),
        Binding("pageup", "step(-600)", "−10m", show=False, priority=True),
        Binding("pagedown", "step(600)", "+10m", show=False, priority=True),
        Binding("left_square_bracket", "moment(-1)", "Prev moment", priority=True),
        Binding("right_square_bracket", "moment(1)", "Next moment", priority=True),
        Binding("home", "edge(0)", "Start", show=False, priority=True),
        Binding("end", "edge(1)", "End", show=False, priority=True),
        Binding("space", "play", "Play/pause", priority=True),
        Binding("plus,equals_sign", "speed(1)", "Faster", show=False, priority=True),
        Binding("minus", "speed(-1)", "Slower", show=False, priority=True),
        Binding("ctrl+t", "toggle_contrast", "Contrast", show=False),
        Binding("ctrl+o", "next_pane", "Other pane", show=False),
        Binding("ctrl+g", "chart", "Chart", show=False),
        Binding("q,escape", "quit", "Quit", priority=True),
    ]

    def __init__(self, db_path: Path | str, incident_id: int, *, local: tzinfo | None = None,
                 start: datetime | None = None) -> None:
        super().__init__()
        self.db_path = db_location(db_path)
        self.incident_id = incident_id
        self.local = local or local_timezone()
        self.incident: Incident | None = None
        self.entries: list[Entry] = []
        self.timeline = Timeline([])
        self.cursor: datetime | None = start
        self.playing = False
        self.speed = 10.0
        self._shown_entries = -1
        self._player = None
        self.loaded_error = ""

    def compose(self) -> ComposeResult:
        yield IncidentHeader(id="header")
        yield Static(id="replay-bar")
        with Horizontal(id="body"):
            with Vertical(id="left"):
                yield SlaPane(id="sla-pane", classes="pane -current")
            yield TimelinePane(self.local, lambda raw: None, id="timeline-pane", classes="pane")
        yield KeyBar(id="keys")

    def on_mount(self) -> None:
        self.register_theme(HIGH_CONTRAST)
        self.theme = DEFAULT_THEME
        self.screen.set_class(self.size.width < NARROW_WIDTH, "-narrow")
        box = self.query_one("#scribe-input")
        box.disabled = True  # read-only: a replay never writes
        box.placeholder = "replay: read-only"
        self.query_one(TimelinePane).hint("replay: read-only · ←/→ move the cursor · [ ] jump between moments")
        self._load()

    @work(exclusive=True, group="load", exit_on_error=False)
    async def _load(self) -> None:
        try:
            async with open_store(self.db_path) as store:
                self.incident = await store.incident(self.incident_id)
                self.entries = await store.entries(self.incident_id)
                records = await store.readings(self.incident_id)
            self.timeline = await asyncio.to_thread(Timeline, records)  # hours of readings: off the UI thread
        except (StoreError, LookupError) as exc:
            self.loaded_error = str(exc)
            self.notify(str(exc), title="Replay", severity="error", timeout=30)
            return
        await self._mount_panes()
        if self.cursor is None:
            span = self.timeline.span
            self.cursor = span[0] if span else self.incident.start
        self.show_cursor()

    async def _mount_panes(self) -> None:
        """Only the panes that recorded anything: the others say so."""
        from warroom.ui.widgets.metrics import MetricsPane
        from warroom.ui.widgets.pods import PodsPane

        streams = {r.stream for r in self.timeline.records}
        metrics = (MetricsPane("recorded readings", id="metrics-pane", classes="pane")
                   if streams & {"panel", "probe"} else
                   NotConfigured("Metrics vs baseline", "Nothing was recorded.", id="metrics-pane", classes="pane"))
        contexts = sorted({r.key for r in self.timeline.records if r.stream == "pods"})
        pods = (PodsPane(", ".join(contexts), len(contexts) > 1, id="pods-pane", classes="pane") if contexts else
                NotConfigured("Pods", "Nothing was recorded.", id="pods-pane", classes="pane"))
        await self.query_one("#left").mount(metrics, pods)

    def on_resize(self, event) -> None:
        self.screen.set_class(event.size.width < NARROW_WIDTH, "-narrow")

    # -- the cursor ----------------------------------------------------------------------------------
    @property
    def bounds(self) -> tuple[datetime, datetime]:
        assert self.incident is not None
        starts = [self.incident.start] + ([self.timeline.span[0]] if self.timeline.span else [])
        ends = [e.logged_at for e in self.entries] + ([self.timeline.span[1]] if self.timeline.span else [])
        ends += list(self.incident.milestones.values())
        return min(starts), max(ends)

    def move_to(self, at: datetime) -> None:
        if self.incident is None:
            return
        low, high = self.bounds
        self.cursor = min(max(at, low), high)
        self.show_cursor()

    def action_step(self, seconds: int) -> None:
        if self.cursor is not None:
            self.move_to(self.cursor + timedelta(seconds=seconds))

    def action_moment(self, direction: int) -> None:
        if self.cursor is None or self.incident is None:
            return
        times = sorted({t for t, _ in replay.moments(self.incident, self.entries)})
        later = [t for t in times if t > self.cursor] if direction > 0 else [t for t in times if t < self.cursor]
        if later:
            self.move_to(later[0] if direction > 0 else later[-1])

    def action_edge(self, which: int) -> None:
        if self.incident is not None:
            self.move_to(self.bounds[which])

    def action_play(self) -> None:
        self.playing = not self.playing
        if self.playing and self._player is None:
            self._player = self.set_interval(PLAY_TICK, self._advance)
        self._render_bar()

    def action_speed(self, direction: int) -> None:
        i = PLAY_SPEEDS.index(self.speed) if self.speed in PLAY_SPEEDS else 3
        self.speed = PLAY_SPEEDS[min(max(i + direction, 0), len(PLAY_SPEEDS) - 1)]
        self._render_bar()

    def action_next_pane(self) -> None:
        """Small screens show one left pane at a time (as in the war room)."""
        panes = [self.query_one(f"#{p}") for p in ("sla-pane", "metrics-pane", "pods-pane") if self.query(f"#{p}")]
        current = next((i for i, p in enumerate(panes) if p.has_class("-current")), 0)
        panes[current].remove_class("-current")
        panes[(current + 1) % len(panes)].add_class("-current")

    def action_toggle_contrast(self) -> None:
        self.theme = DEFAULT_THEME if self.theme == HIGH_CONTRAST.name else HIGH_CONTRAST.name

    async def action_quit(self) -> None:
        """Esc and q close a chart first (they are the replay's keys for quitting, above every screen's)."""
        if self.screen.id == "chart":
            self.pop_screen()
        else:
            await super().action_quit()

    @on(OpenChart)
    def _open_chart(self, event: OpenChart) -> None:
        self.action_chart(event.title)

    def action_chart(self, title: str | None = None) -> None:
        """The chart of a recorded panel (the one named, the highlighted one, or the first) at the cursor."""
        if self.cursor is None or self.screen.id == "chart":
            return
        from warroom.ui.chart_data import RecordedChartData
        from warroom.ui.screens.chart import ChartScreen
        from warroom.ui.widgets.metrics import PanelList

        data = RecordedChartData(self)
        panels = {p.title: p for p in data.panels}
        lists = self.query(PanelList)
        if title not in panels and lists and lists.first().highlighted is not None:
            title = lists.first().get_option_at_index(lists.first().highlighted).id
        panel = panels.get(title) or next(iter(panels.values()), None)
        if panel is not None:
            self.push_screen(ChartScreen(data, panel, self.local))

    def _advance(self) -> None:
        if not self.playing or self.cursor is None or self.incident is None:
            return
        self.move_to(self.cursor + timedelta(seconds=PLAY_TICK * self.speed))
        if self.cursor >= self.bounds[1]:
            self.playing = False
            self._render_bar()

    # -- rendering ---------------------------------------------------------------------------------------
    def show_cursor(self) -> None:
        """Every pane at the cursor."""
        if self.incident is None or self.cursor is None:
            return
        at = self.cursor
        shown = replay.entries_until(self.entries, at)
        incident = replay.incident_at(self.incident, self.entries, at)
        self.query_one(IncidentHeader).show(incident, at, self.local)
        report = evaluate(incident, shown, at)
        sla = self.query_one(SlaPane)
        sla.show(incident, report, self.local)
        sla.show_checklist(incident.level.checklist,
                           checklist_ticks(shown, incident.level.key, len(incident.level.checklist)))
        state = self.timeline.state_at(at)
        from warroom.ui.widgets.metrics import MetricsPane
        from warroom.ui.widgets.pods import PodsPane

        for pane in self.query(MetricsPane):
            pane.show(replay.metrics_at(self.timeline, at, state), at, self.local)
            pane.show_probes(replay.probes_at(state), at, self.local)
        for pane in self.query(PodsPane):
            for view in replay.pods_at(state, at):
                pane.show(view, at, self.local)
        timeline = self.query_one(TimelinePane)
        if self._shown_entries < 0:
            self._shown_entries = len(self.entries)
            timeline.load(self.entries, at)
        timeline.replay_to(at)
        self._render_bar()
        if self.screen.id == "chart":
            self.screen.reload()  # the chart follows the cursor

    def _render_bar(self) -> None:
        if self.incident is None or self.cursor is None:
            return
        low, high = self.bounds
        span = max((high - low).total_seconds(), 1.0)
        width = 30
        filled = int(width * (self.cursor - low).total_seconds() / span)
        out = Text(no_wrap=True, overflow="ellipsis")
        out.append(" REPLAY ", style="bold black on cyan")
        out.append(f" {self.cursor.astimezone(self.local):%H:%M:%S} local · {short_utc(self.cursor)} ", style="bold")
        out.append(f"+{format_duration(self.cursor - self.incident.start)} ", style="dim")
        out.append(f"{'▶' if self.playing else '❚❚'} {self.speed:g}× ", style="bold")
        out.append("█" * filled + "░" * (width - filled), style="cyan")
        out.append("  ←/→ 10s · [ ] moments · space play · +/− speed · ctrl+o pane · q quit", style="dim")
        self.query_one("#replay-bar", Static).update(out)
