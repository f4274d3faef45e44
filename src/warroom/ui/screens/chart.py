"""One metric as a real chart, full screen: its series against its baseline, the thresholds, and the
incident's moments as numbered vertical markers (Enter on a metric panel, ctrl+g, or the palette).

Drawn by plotext (``ui/chart_plot.py``) — imported only when a chart opens, so start-up never pays
for it. The numbers come from a :class:`ChartData` (``ui/chart_data.py``: live or recorded), read in
a thread worker; the frame is drawn in another (plotext takes tens of milliseconds a frame): the UI
thread only shows it. The window, the axes and the markers' places are ``domain/chart_window``,
``chart_lines`` and ``chart_markers``. Each line is told apart by its style and its legend, never by colour alone
(a solid line of blocks for the series, dots for the baseline, ``-`` and ``=`` for warn and crit, ``+`` for
a compared panel), and the colours follow the theme (high contrast on ctrl+t).

Keys: 1-4 the window (15m, 1h, 6h, 24h), n/p the next/previous marker (its entry's text below the
chart), c a second panel on the right axis, Esc back (the focus where it was).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import tzinfo

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.color import Color
from textual.screen import Screen
from textual.widgets import Static
from textual.worker import Worker, WorkerState

from warroom.domain import chart_lines, chart_markers
from warroom.domain.baseline import Sparkline
from warroom.domain.chart_window import WINDOW_NAMES, WINDOWS, Window, value_range, value_ticks
from warroom.domain.panels import Panel
from warroom.domain.text import one_line
from warroom.ui import render
from warroom.ui.chart_data import ChartData
from warroom.ui.chart_plot import STYLE, Axis, ChartPlot, Frame, draw
from warroom.ui.theme import HIGH_CONTRAST

#: colours (RGB) by role, for the default and the high-contrast theme
COLOURS = {
    False: {"current": (90, 200, 255), "baseline": (175, 175, 175), "warn": (255, 200, 0), "crit": (255, 90, 90),
            "compare": (230, 130, 255), "marker": (120, 220, 120), "selected": (255, 255, 255)},
    True: {"current": (255, 255, 255), "baseline": (0, 255, 255), "warn": (255, 255, 0), "crit": (255, 48, 48),
           "compare": (255, 0, 255), "marker": (0, 255, 0), "selected": (255, 255, 0)},
}
DEFAULT_WINDOW = 1  # 1 hour


def _rgb(colour: tuple[int, int, int]) -> str:
    return "rgb({},{},{})".format(*colour)


@dataclass(frozen=True)
class ChartRead:
    """One read of the chart's numbers (in the worker): the window, the panel's and the compared one's."""

    window: Window
    main: Sparkline | None
    other: Sparkline | None = None
    error: str = ""


class ChartScreen(Screen):
    DEFAULT_CSS = """
    ChartScreen { layout: vertical; }
    ChartScreen > Static { height: auto; max-height: 2; padding: 0 1; }
    ChartScreen #chart-markers, ChartScreen #chart-marker, ChartScreen #chart-title, ChartScreen #chart-keys {
        height: 1; text-wrap: nowrap; text-overflow: ellipsis;
    }
    ChartScreen #chart-title { text-style: bold; }
    ChartScreen #chart-plot { height: 1fr; min-height: 8; }
    ChartScreen #chart-keys { color: $text-muted; }
    """
    BINDINGS = [
        Binding("1", "window(0)", "15m"),
        Binding("2", "window(1)", "1h"),
        Binding("3", "window(2)", "6h"),
        Binding("4", "window(3)", "24h"),
        Binding("n", "marker(1)", "Next marker"),
        Binding("p", "marker(-1)", "Prev marker"),
        Binding("c", "compare", "Compare"),
        Binding("escape", "close", "Back"),
    ]

    def __init__(self, data: ChartData, panel: Panel, local: tzinfo, *, window: int = DEFAULT_WINDOW) -> None:
        super().__init__(id="chart")
        self.data = data
        self.panel = panel
        self.local = local
        self.span = WINDOWS[window]
        self.other: Panel | None = None  # the compared panel, on the right axis
        self.read: ChartRead | None = None  # the last good read
        self.error = ""  # the last read's failure, until one succeeds
        self.lines: list[chart_lines.ChartLine] = []
        self.shown: list[chart_markers.Marker] = []  # the markers inside the window, in time order
        self.selected: int | None = None
        self.reads = 0  # reads delivered (for tests and the bench)
        self.version = 0  # states to draw (each redraw), and the last one drawn
        self.drawn = 0
        self.frame_drawn: Frame | None = None
        self._timer = None

    def compose(self) -> ComposeResult:
        yield Static(id="chart-title")
        yield Static(id="chart-legend")
        yield ChartPlot(id="chart-plot")
        yield Static(id="chart-markers")
        yield Static(id="chart-marker")
        yield Static(Text("1 15m · 2 1h · 3 6h · 4 24h · n/p markers · c compare · Esc back",
                          no_wrap=True, overflow="ellipsis"), id="chart-keys")

    def on_mount(self) -> None:
        self.app.theme_changed_signal.subscribe(self, lambda _theme: self.redraw())
        self.query_one("#chart-title", Static).update(self._title())
        self.reload()

    # -- reading ------------------------------------------------------------------------------------
    def reload(self) -> Worker:
        """Read the numbers again (a thread worker; a read still under way is cancelled)."""
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        window = Window(self.data.end(), self.span)
        panel, other = self.panel, self.other
        return self.run_worker(lambda: self._read(window, panel, other), name="chart", group="chart",
                               thread=True, exclusive=True, exit_on_error=False)

    def _read(self, window: Window, panel: Panel, other: Panel | None) -> ChartRead:
        """In the worker thread; a source's failure is a result (said on screen), never a crash."""
        try:
            main = self.data.series(panel, window)
            second = self.data.series(other, window) if other is not None else None
        except Exception as exc:  # noqa: BLE001 — unreachable, bad PromQL…: shown, the last chart kept
            return ChartRead(window, None, error=str(exc) or type(exc).__name__)
        return ChartRead(window, main, second)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group == "chart-draw":
            event.stop()
            if event.state == WorkerState.SUCCESS:
                version, frame, content = event.worker.result
                self.plot.show(content)
                self.drawn = version
                self.frame_drawn = frame
            elif event.state == WorkerState.ERROR:
                self.error = f"drawing failed: {event.worker.error}"
                self.query_one("#chart-title", Static).update(self._title())
            return
        if event.worker.group != "chart":
            return
        event.stop()
        if event.state == WorkerState.SUCCESS:
            self.deliver(event.worker.result)
        elif event.state == WorkerState.ERROR:
            self.deliver(ChartRead(Window(self.data.end(), self.span), None, error=str(event.worker.error)))
        else:
            return
        if self.data.refresh is not None and self.is_attached:
            self._timer = self.set_timer(self.data.refresh, self.reload)

    def deliver(self, read: ChartRead) -> None:
        self.reads += 1
        if read.main is None:
            self.error = read.error
        else:
            self.error, self.read = "", read
            window = read.window
            self.lines = chart_lines.lines(self.panel, read.main.current.points, read.main.baseline.points, window,
                                           recorded=self.data.recorded)
            if read.other is not None and self.other is not None:
                self.lines.append(chart_lines.compared(self.other, read.other.current.points, window))
            before = self.shown[self.selected] if self.selected is not None and self.selected < len(self.shown) else None
            self.shown = chart_markers.within(self.data.markers(), window)
            self.selected = self.shown.index(before) if before in self.shown else None
        self.redraw()

    # -- keys ---------------------------------------------------------------------------------------
    def action_window(self, index: int) -> None:
        self.span = WINDOWS[index]
        self.reload()

    def action_marker(self, direction: int) -> None:
        self.selected = chart_markers.step(len(self.shown), self.selected, direction)
        self.redraw()

    def action_compare(self) -> None:
        """The next other panel on the right axis; after the last, none."""
        others = [p for p in self.data.panels if p.title != self.panel.title]
        titles = [p.title for p in others]
        i = titles.index(self.other.title) + 1 if self.other is not None and self.other.title in titles else 0
        self.other = others[i] if i < len(others) else None
        if not others:
            self.notify("compare: there is no other panel", severity="warning")
        self.query_one("#chart-title", Static).update(self._title())
        self.reload()

    def action_close(self) -> None:
        self.dismiss()

    # -- drawing ------------------------------------------------------------------------------------
    @property
    def high_contrast(self) -> bool:
        return self.app.theme == HIGH_CONTRAST.name

    @property
    def plot(self) -> ChartPlot:
        return self.query_one(ChartPlot)

    def _right_line(self) -> chart_lines.ChartLine | None:
        return next((line for line in self.lines if line.right and line.ys), None)

    def _axis(self, right: bool) -> Axis:
        ys = [y for line in self.lines if line.right == right for y in line.ys]
        lo, hi = value_range(ys)
        unit = self.other.unit if right and self.other is not None else self.panel.unit
        return Axis(lo, hi, tuple(value_ticks(lo, hi, unit)))

    def frame(self) -> Frame | None:
        """What the plot draws now (None: nothing read yet)."""
        if self.read is None:
            return None
        theme = self.app.theme_variables
        return Frame(tuple(self.lines), tuple(self.shown), self.selected, self.read.window, self._axis(False),
                     self._axis(True) if self._right_line() is not None else None,
                     max(10, self.plot.size.width), max(5, self.plot.size.height), COLOURS[self.high_contrast],
                     Color.parse(theme.get("surface", "#000000")).rgb,
                     Color.parse(theme.get("foreground", "#ffffff")).rgb, self.local)

    def redraw(self) -> None:
        """The texts around the plot at once; the plot drawn in a thread worker (plotext takes tens of
        milliseconds a frame), shown when done (``drawn`` counts the frames shown)."""
        self.query_one("#chart-title", Static).update(self._title())
        self.query_one("#chart-legend", Static).update(self._legend())
        self.query_one("#chart-markers", Static).update(self._marker_list())
        self.query_one("#chart-marker", Static).update(self._marker_text())
        frame = self.frame()
        self.version += 1
        if frame is None:
            return
        version = self.version
        self.run_worker(lambda: (version, frame, draw(frame)), name="chart-draw", group="chart-draw",
                        thread=True, exclusive=True, exit_on_error=False)

    @property
    def settled(self) -> bool:
        """The plot shows the last state drawn (tests and benches wait on it)."""
        return self.drawn == self.version

    def _title(self) -> Text:
        out = Text(no_wrap=True, overflow="ellipsis")
        out.append_text(render.user(self.panel.title, "bold"))
        if self.other is not None:
            out.append(" vs ")
            out.append_text(render.user(self.other.title, "bold"))
        out.append(f" · last {WINDOW_NAMES[WINDOWS.index(self.span)]}", style="bold")
        if self.read is not None:
            w = self.read.window
            out.append(f" · {w.start.astimezone(self.local):%H:%M}–{w.end.astimezone(self.local):%H:%M}", style="dim")
        if self.error:
            out.append(" ")
            out.append(" UNREACHABLE " if self.read is None else " STALE ", style="bold white on red")
            out.append(" ")
            out.append_text(render.user(self.error, "italic"))
        elif self.read is None:
            out.append(" · reading…", style="dim")
        return out

    def _legend(self) -> Text:
        colours = COLOURS[self.high_contrast]
        out = Text(overflow="ellipsis")
        for line in self.lines:
            if out.plain:
                out.append("  ")
            out.append(STYLE[line.role][1], style=f"bold {_rgb(colours[line.role])}")
            out.append(" ")
            out.append(one_line(line.label))
        if self.data.recorded:
            out.append("  (recorded readings: no thresholds)", style="dim")
        if self.shown:
            out.append("  ")
            out.append("│", style=f"bold {_rgb(colours['marker'])}")
            out.append(" moments (n/p)")
        return out

    def _marker_list(self) -> Text:
        out = Text(no_wrap=True, overflow="ellipsis")
        if not self.shown:
            out.append("no milestones, starred entries, decisions, actions or rollouts in this window", style="dim")
        for i, m in enumerate(self.shown):
            if i:
                out.append(" · ", style="dim")
            style = "bold reverse" if i == self.selected else ""
            out.append(f"{i + 1} {m.label} {m.at.astimezone(self.local):%H:%M}", style=style)
        return out

    def _marker_text(self) -> Text:
        if self.selected is None or self.selected >= len(self.shown):
            return Text("")
        m = self.shown[self.selected]
        out = Text(no_wrap=True, overflow="ellipsis")
        out.append(f"{self.selected + 1}/{len(self.shown)} ", style="bold")
        out.append(f"{m.at.astimezone(self.local):%H:%M:%S} ", style="bold")
        out.append(f"{m.label}: ", style="bold")
        out.append_text(render.user(m.text))
        return out
