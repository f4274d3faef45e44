"""Drawing a chart with plotext, off the UI thread, and the widget that shows the drawing.

plotext builds a 160x40 frame in tens of milliseconds, and turning its ANSI output into styled text
costs as much again: at every refresh of a live chart that would hold the UI thread. So a
:class:`Frame` — everything a drawing needs, immutable, gathered on the UI thread — is drawn by
:func:`draw` in a thread worker (a plotext figure of its own each time: nothing shared), and the
:class:`ChartPlot` widget only shows the finished :class:`~textual.content.Content`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import tzinfo

from rich.text import Text
from textual.content import Content
from textual.widget import Widget

from warroom.domain import chart_lines, chart_markers
from warroom.domain.chart_window import Window, time_ticks
from warroom.domain.text import one_line

#: how each line is drawn: plotext's marker, the legend's sample
STYLE = {"current": ("hd", "██"), "baseline": ("·", "··"), "warn": ("-", "--"), "crit": ("=", "=="),
         "compare": ("+", "++")}
#: the series last: on top
ORDER = ("warn", "crit", "compare", "baseline", "current")

RGB = tuple[int, int, int]


@dataclass(frozen=True)
class Axis:
    lo: float
    hi: float
    ticks: tuple[tuple[float, str], ...]

    @property
    def label_width(self) -> int:
        return max((len(label) for _, label in self.ticks), default=0)


@dataclass(frozen=True)
class Frame:
    lines: tuple[chart_lines.ChartLine, ...]
    shown: tuple[chart_markers.Marker, ...]
    selected: int | None
    window: Window
    left: Axis
    right: Axis | None
    width: int
    height: int
    colours: dict
    surface: RGB
    foreground: RGB
    local: tzinfo

    @property
    def canvas_width(self) -> int:
        """Columns of the drawing area: the widget less the y axes' labels and the frame."""
        right = self.right.label_width + 1 if self.right is not None else 1
        return max(1, self.width - (self.left.label_width + 1) - right)


def draw(frame: Frame) -> Content:
    """The chart as styled text (any thread)."""
    from plotext._figure import _figure_class as Figure

    plt = Figure()
    # plotext's ``limit_size(False, False)`` for this figure: its size is the widget's, not the
    # terminal's that plotext would read (a test's or a headless app's has none)
    plt._limit_size(False, False)
    plt.plotsize(frame.width, frame.height)
    plt.canvas_color(frame.surface)
    plt.axes_color(frame.surface)
    plt.ticks_color(frame.foreground)
    window, colours = frame.window, frame.colours
    span = window.span.total_seconds()
    ticks = time_ticks(window, frame.local)
    plt.xlim(0, span)
    plt.xticks([x for x, _ in ticks], [label for _, label in ticks])
    plt.ylim(frame.left.lo, frame.left.hi)
    # every text goes through plotext's ANSI output: a unit from the config ("<anything>/s") is shown
    # literally, its escapes made visible, never obeyed
    plt.yticks([v for v, _ in frame.left.ticks], [one_line(label) for _, label in frame.left.ticks])
    if frame.right is not None:
        plt.ylim(frame.right.lo, frame.right.hi, yside="right")
        plt.yticks([v for v, _ in frame.right.ticks], [one_line(label) for _, label in frame.right.ticks],
                   yside="right")
    for line in sorted(frame.lines, key=lambda line: ORDER.index(line.role)):
        if line.xs:
            plt.plot(list(line.xs), list(line.ys), marker=STYLE[line.role][0], color=colours[line.role],
                     yside="right" if line.right else "left")
    width = frame.canvas_width
    for col, label in chart_markers.labels(frame.shown, window, width):
        chosen = frame.selected is not None and str(frame.selected + 1) in label.split(" ")[0].split(",")
        x = col / max(1, width - 1) * span
        colour = colours["selected" if chosen else "marker"]
        plt.vertical_line(x, color=colour)
        plt.text(one_line(label), x, frame.left.hi, color=colour, background=frame.surface, alignment="left",
                 style="bold underline" if chosen else None)
    return Content.from_rich_text(Text.from_ansi(plt.build()))


class ChartPlot(Widget):
    """Shows the last frame drawn; says when it needs a new one (its size changed)."""

    DEFAULT_CSS = "ChartPlot { width: 1fr; height: 1fr; }"

    def __init__(self, **kw) -> None:
        super().__init__(**kw)
        self.content: Content = Content("")

    def show(self, content: Content) -> None:
        self.content = content
        self.refresh()

    def render(self) -> Content:
        return self.content

    def on_resize(self) -> None:
        """A frame is drawn for one size: the screen draws a new one (``ChartScreen.redraw``)."""
        redraw = getattr(self.screen, "redraw", None)
        if redraw is not None:
            self.call_after_refresh(redraw)
