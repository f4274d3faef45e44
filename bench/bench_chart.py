"""Chart view benchmark: redrawing a metric's chart at 1 s refresh, two series of 1 hour at 15 s steps.

Run: python bench/bench_chart.py [--frames N] [--seconds S]
The chart (``ui/screens/chart.py``) of one panel with two series of 241 points (the panel and its
baseline), its two ratio thresholds (which follow the baseline: 241 points each too) and six
markers, in a headless app at 80x24 and 160x48. For each size:

- redraw: from new numbers delivered to the new frame on screen (the lines built on the UI thread,
  the frame drawn by plotext in a worker thread, then shown) — median and p95;
- floor, in the same run: the same app painting a full-screen text of the same size per frame;
- UI lag while the chart redraws every second for S seconds: a probe task asks to wake every 10 ms
  and records how late it wakes (p99, max) — what a keypress would wait.
"""

from __future__ import annotations

import asyncio
import math
import statistics
import sys
import time
from datetime import datetime, timedelta, timezone

from rich.text import Text
from textual.app import App
from textual.widgets import Static

from warroom.domain.baseline import Series, Sparkline
from warroom.domain.chart_markers import Marker
from warroom.domain.chart_window import Window
from warroom.domain.panels import Panel

END = datetime(2026, 11, 23, 11, 0, tzinfo=timezone.utc)
STEP = timedelta(seconds=15)
PANEL = Panel("Checkout error ratio", "sum(rate(errors[5m])) / sum(rate(requests[5m]))", unit="ratio",
              warn_ratio=2.0, crit_ratio=5.0)


def series(level: float, jump: float, phase: float) -> Series:
    return Series(tuple((END - timedelta(hours=1) + i * STEP,
                         level * (1 + 0.2 * math.sin(i / 9 + phase)) + (jump if i > 120 else 0.0))
                        for i in range(241)))


class Data:
    """A ChartData with fixed numbers: the bench times drawing, not reading."""

    recorded = False
    refresh = None
    panels = (PANEL,)

    def end(self) -> datetime:
        return END

    def series(self, panel: Panel, window: Window) -> Sparkline:
        return Sparkline(panel, series(0.01, 0.14, 0.0), series(0.01, 0.0, 1.0))

    def markers(self) -> list[Marker]:
        labels = ("rollout", "detected", "declared", "acknowledged", "decision", "rollout")
        return [Marker(END - timedelta(minutes=40 - 6 * i), "milestone", label, label) for i, label in enumerate(labels)]


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


class Bench(App):
    def __init__(self, frames: int, size: tuple[int, int]) -> None:
        super().__init__()
        self.frames, self.size_ = frames, size

    def compose(self):
        yield Static("bench")


async def measure(frames: int, seconds: float, size: tuple[int, int]) -> dict[str, list[float]]:
    from warroom.ui.screens.chart import ChartRead, ChartScreen

    app = Bench(frames, size)
    data = Data()
    lines = [Text("x" * size[0]) for _ in range(size[1])]
    out: dict[str, list[float]] = {"floor": [], "redraw": [], "lag": []}

    async def floor_frames(pilot, n: int) -> None:
        static = app.query_one(Static)
        for i in range(n):
            t0 = time.perf_counter()
            static.update(Text("\n").join(lines[: size[1] - (i % 2)]))  # a change each frame
            await pilot.pause()
            out["floor"].append(time.perf_counter() - t0)

    async with app.run_test(size=size) as pilot:
        await floor_frames(pilot, frames // 2)
        screen = ChartScreen(data, PANEL, timezone.utc)
        await app.push_screen(screen)
        while screen.read is None or not screen.settled:
            await pilot.pause()
        window = screen.read.window
        read = ChartRead(window, data.series(PANEL, window))
        for _ in range(frames):
            t0 = time.perf_counter()
            screen.deliver(read)
            while not screen.settled:
                await asyncio.sleep(0.001)
            await pilot.pause()
            out["redraw"].append(time.perf_counter() - t0)
        assert len(screen.lines) == 4 and all(len(line.xs) == 241 for line in screen.lines)
        # the UI loop while the chart redraws every second
        timer = app.set_interval(1.0, lambda: screen.deliver(read))
        loop = asyncio.get_running_loop()
        end = loop.time() + seconds
        while loop.time() < end:
            t0 = loop.time()
            await asyncio.sleep(0.01)
            out["lag"].append(loop.time() - t0 - 0.01)
        timer.stop()
        await app.pop_screen()
        await pilot.pause()
        await floor_frames(pilot, frames - frames // 2)
    return out


def main(argv: list[str]) -> int:
    frames = int(argv[argv.index("--frames") + 1]) if "--frames" in argv else 40
    seconds = float(argv[argv.index("--seconds") + 1]) if "--seconds" in argv else 10.0
    for size in ((80, 24), (160, 48)):
        r = asyncio.run(measure(frames, seconds, size))
        med, p95, floor = statistics.median(r["redraw"]), pct(r["redraw"], 95), statistics.median(r["floor"])
        print(f"{size[0]}x{size[1]}: redraw median {med * 1000:.0f} ms (p95 {p95 * 1000:.0f}); floor (a full-screen "
              f"text frame) {floor * 1000:.0f} ms; ratio {med / floor:.1f}x · UI lag at 1 s refresh p99 "
              f"{pct(r['lag'], 99) * 1000:.0f} ms, max {max(r['lag']) * 1000:.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
