"""A metric panel opened as a chart, mid-drill, at the sizes users have: its series against its
baseline, the thresholds, the incident's moments at their places, stepping through them, and Esc
back with the focus where it was. The texts are read from what the widgets paint."""

from __future__ import annotations

from datetime import timedelta

import pytest

from fixtures.drill_support import drill_app
from fixtures.support import T0, FakeClock, wait_for
from warroom.domain.chart_window import column
from warroom.ui.widgets.metrics import PanelList

SIZES = [(80, 24), (160, 48)]
IDS = [f"{w}x{h}" for w, h in SIZES]


def painted(widget) -> list[str]:
    return [widget.render_line(y).text for y in range(widget.size.height)]


async def chart_open(app, pilot, reads: int = 1):
    await wait_for(pilot, lambda: app.screen.id == "chart" and app.screen.reads >= reads and app.screen.read
                   and app.screen.settled, what="the chart read and drawn")
    await pilot.pause()
    return app.screen


def plot_frame(screen) -> tuple[list[str], int, int]:
    """The plot's painted lines, and the first and last columns of its drawing area (inside the frame)."""
    from warroom.ui.chart_plot import ChartPlot

    lines = painted(screen.query_one(ChartPlot))
    top = next(line for line in lines if "┌" in line)
    return lines, top.index("┌") + 1, top.index("┐") - 1


@pytest.mark.parametrize("size", SIZES, ids=IDS)
async def test_enter_on_a_panel_opens_its_chart_and_esc_gives_the_focus_back(db_path, tmp_path, size):
    from fixtures.drill_support import Drive

    clock = FakeClock(T0)
    app = drill_app(db_path, "bad-deploy", clock, tmp_path)
    async with app.run_test(size=size) as pilot:
        drive = Drive(app, pilot, clock)
        await drive.start()
        await drive.to(timedelta(minutes=7))
        panels = app.query_one(PanelList)
        panels.focus()
        panels.highlighted = 0
        await pilot.pause()
        await pilot.press("enter")
        screen = await chart_open(app, pilot)
        assert screen.panel.title == "Checkout error ratio"
        roles = {line.role: line for line in screen.lines}
        assert {"current", "baseline", "warn", "crit"} <= roles.keys()
        assert len(roles["current"].xs) >= 20 and len(roles["baseline"].xs) >= 20
        legend = "\n".join(painted(screen.query_one("#chart-legend")))
        assert "██ now" in legend and "·· baseline offset" in legend
        assert "-- warn ≥ 2.0x baseline" in legend and "== crit ≥ 5.0 %" in legend
        lines, left, right = plot_frame(screen)
        drawing = "\n".join(line[left:right + 1] for line in lines)
        assert any(ch in "▖▗▘▝▚▞▙▟▛▜▄▀▌▐█" for ch in drawing)  # the series, a solid line of blocks
        assert "·" in drawing and "=" in drawing  # the baseline's dots, crit's line (5 %)
        assert any(label.endswith("%") for label in (line[:left].strip(" ┤├│┌└") for line in lines))  # y in the unit
        title = "\n".join(painted(screen.query_one("#chart-title")))
        assert "Checkout error ratio" in title and "last 1h" in title
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen.id != "chart" and app.focused is panels
        # from the scribe's line: ctrl+g opens the highlighted panel's chart; Esc back to the line
        app.query_one("#scribe-input").focus()
        await pilot.pause()
        await pilot.press("ctrl+g")
        screen = await chart_open(app, pilot)
        assert screen.panel.title == "Checkout error ratio"
        await pilot.press("escape")
        await pilot.pause()
        assert app.focused is app.query_one("#scribe-input")


@pytest.mark.parametrize("size", SIZES, ids=IDS)
async def test_markers_at_their_times_and_stepped_through(db_path, tmp_path, size):
    from fixtures.drill_support import Drive

    clock = FakeClock(T0)
    app = drill_app(db_path, "bad-deploy", clock, tmp_path)
    async with app.run_test(size=size) as pilot:
        drive = Drive(app, pilot, clock)
        await drive.start()
        await drive.to(timedelta(minutes=3))
        await drive.type("/d roll back checkout to 2.4.0")
        await drive.to(timedelta(minutes=7))
        app.action_chart("Checkout p95 latency")
        screen = await chart_open(app, pilot)
        await pilot.press("1")  # 15 minutes: the rollout (-8m), detection (-4m), declaration, the decision
        screen = await chart_open(app, pilot, reads=2)
        window = screen.read.window
        assert window.span == timedelta(minutes=15) and window.end == app.drill.start + timedelta(minutes=7)
        labels = [m.label for m in screen.shown]
        # the bad deploy's rollout (seen in the pods pane at the drill's start, since replaced there),
        # detection, declaration, the decision, and the rollback it set off
        assert labels == ["rollout", "detected", "declared", "decision", "rollout"]
        detected = next(m for m in screen.shown if m.label == "detected")
        assert detected.at == app.incident.milestones["detected"]
        # the detected marker is drawn where the pure window arithmetic puts it
        lines, left, right = plot_frame(screen)
        top = next(line for line in lines if "┌" in line)
        drawn = [i - left for i, ch in enumerate(top) if ch == "┬" and left <= i <= right]
        expected = column(detected.at, window, right - left + 1)
        assert expected in drawn or expected - 1 in drawn or expected + 1 in drawn, (expected, drawn, top)
        assert len(drawn) >= len(screen.shown) - 1  # one line per marker (two at the same instant share one)
        # stepping: n, n, … shows each marker's text below the chart
        await pilot.press("n")
        await pilot.pause()
        text = "\n".join(painted(screen.query_one("#chart-marker")))
        assert screen.selected == 0 and "rollout: shop/checkout revision 2" in text
        assert screen.shown[0].text.endswith("checkout:2.4.0 → registry.example.com/shop/checkout:2.4.1")
        assert screen.shown[-1].text.endswith("checkout:2.4.1 → registry.example.com/shop/checkout:2.4.0")
        seen = [screen.shown[0].label]
        for _ in range(len(screen.shown) - 1):
            await pilot.press("n")
            await pilot.pause()
            seen.append(screen.shown[screen.selected].label)
        assert seen == labels
        text = "\n".join(painted(screen.query_one("#chart-marker")))
        decision = next(i for i, m in enumerate(screen.shown) if m.label == "decision")
        while screen.selected != decision:
            await pilot.press("p")
            await pilot.pause()
        text = "\n".join(painted(screen.query_one("#chart-marker")))
        assert "decision: roll back checkout to 2.4.0" in text
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen.id != "chart"


async def test_against_real_prometheus_the_series_are_query_range_of_the_panel_and_its_baseline(
        prometheus, prometheus_scenario, db_path):
    """The chart's lines are what Prometheus's own /api/v1/query_range answers (read here over plain
    HTTP, not through warroom's client) for the panel's query over the window, and for the same query a
    day earlier (``offset 1d``), moved onto the window."""
    import json
    import urllib.parse
    import urllib.request
    from datetime import timezone

    from warroom.domain.panels import default_panels
    from warroom.ui.factory import make_app

    from ui.test_metrics_pane import declare, prom_config

    sc = prometheus_scenario
    await declare(db_path, sc.end_dt - timedelta(minutes=20))
    app = make_app(db_path, clock=FakeClock(sc.end_dt), local=timezone.utc, tick_interval=3600,
                   sync_interval=3600, config=prom_config(prometheus))
    panel = default_panels()[0]

    def query_range(query, start, end, step):
        params = urllib.parse.urlencode({"query": query, "start": f"{start.timestamp():.0f}",
                                         "end": f"{end.timestamp():.0f}", "step": f"{step.total_seconds():g}"})
        with urllib.request.urlopen(f"{prometheus}/api/v1/query_range?{params}", timeout=10) as answer:
            result = json.load(answer)["data"]["result"]
        assert len(result) == 1
        return [(float(t), float(v)) for t, v in result[0]["values"]]

    async with app.run_test(size=(160, 48)) as pilot:
        await app.loaded.wait()
        app.action_chart(panel.title)
        screen = await chart_open(app, pilot)
        window = screen.read.window
        assert window.end == sc.end_dt and window.span == timedelta(hours=1)
        lines = {line.role: line for line in screen.lines}
        current = query_range(panel.query, window.start, window.end, window.step)
        day = timedelta(days=1)
        baseline = query_range(panel.query, window.start - day, window.end - day, window.step)
        assert len(current) == 241 and len(baseline) == 241  # an hour at 15 s, both ends
        start = window.start.timestamp()
        assert list(lines["current"].xs) == [t - start for t, _ in current]
        assert list(lines["current"].ys) == pytest.approx([v for _, v in current], rel=1e-12)
        assert list(lines["baseline"].xs) == [t + day.total_seconds() - start for t, _ in baseline]
        assert list(lines["baseline"].ys) == pytest.approx([v for _, v in baseline], rel=1e-12)
        assert lines["current"].ys[-1] == pytest.approx(0.15) and lines["baseline"].ys[-1] == pytest.approx(0.01)
        # the 1 % → 15 % step of the incident's onset, 30 minutes before the end, is on the chart
        assert max(lines["current"].ys[:100]) < 0.02


async def test_compare_overlays_a_second_panel_on_its_own_scale(db_path, tmp_path):
    from fixtures.drill_support import Drive

    clock = FakeClock(T0)
    app = drill_app(db_path, "bad-deploy", clock, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        drive = Drive(app, pilot, clock)
        await drive.start()
        await drive.to(timedelta(minutes=7))
        app.action_chart("Checkout error ratio")
        screen = await chart_open(app, pilot)
        await pilot.press("c")
        screen = await chart_open(app, pilot, reads=2)
        assert screen.other.title == "Checkout p95 latency"
        right = [line for line in screen.lines if line.right]
        assert [line.role for line in right] == ["compare"] and len(right[0].xs) >= 20
        assert max(right[0].ys) > 0.5  # seconds, on its own axis (the error ratio's is a few %)
        lines, left, right_edge = plot_frame(screen)
        left_labels = {line[:left].strip(" ┤├│┌└") for line in lines} - {""}
        right_labels = {line[right_edge + 1:].strip(" ┤├│┐┘") for line in lines} - {""}
        assert left_labels and all(label.endswith("%") for label in left_labels)
        assert right_labels and all(label.endswith("s") for label in right_labels), right_labels
        assert "Checkout error ratio vs Checkout p95 latency" in painted(screen.query_one("#chart-title"))[0]
        legend = "\n".join(painted(screen.query_one("#chart-legend")))
        assert "++ Checkout p95 latency (right axis)" in legend.replace("\n", " ")
        await pilot.press("c", "c")  # the third panel, then none
        await wait_for(pilot, lambda: screen.reads >= 4 and screen.other is None, what="compare off")
        assert not any(line.right for line in screen.lines)


async def test_in_a_replay_the_chart_draws_the_recorded_readings_at_the_cursor(db_path, tmp_path):
    from datetime import timezone

    from warroom.domain.recording import Timeline
    from warroom.store import Store
    from warroom.ui.factory import make_replay_app

    from drill.test_replay import record_bad_deploy

    M = timedelta(minutes=1)
    incident_id = await record_bad_deploy(db_path, tmp_path)
    async with Store.open(db_path) as store:
        recorded = Timeline(await store.readings(incident_id))
    app = make_replay_app(db_path, incident_id, local=timezone.utc)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: app.cursor is not None, what="the recording loaded")
        app.move_to(T0 + 9 * M)
        await pilot.pause()
        await pilot.press("ctrl+g")
        screen = await chart_open(app, pilot)
        assert screen.panel.title == "Checkout error ratio" and screen.read.window.end == T0 + 9 * M
        lines = {line.role: line for line in screen.lines}
        assert set(lines) == {"current", "baseline"}  # thresholds are not recorded
        history = [v["v"] for _, v in recorded.history("panel", "Checkout error ratio", T0 - M, T0 + 9 * M)]
        assert lines["current"].ys[-1] == history[-1]  # the value held at the cursor
        assert set(history) <= set(lines["current"].ys)
        assert "recorded readings: no thresholds" in " ".join(painted(screen.query_one("#chart-legend")))
        labels = [m.label for m in screen.shown]
        assert {"detected", "declared", "acknowledged", "decision"} <= set(labels)
        # the chart follows the cursor: a minute on, the window ends a minute later
        await pilot.press("shift+right")
        await wait_for(pilot, lambda: screen.read.window.end == T0 + 10 * M, what="the chart at the new cursor")
        await pilot.press("escape")  # closes the chart, does not quit the replay
        await pilot.pause()
        assert app.screen.id != "chart" and app.is_running


def test_start_up_imports_no_chart_and_no_plotting_library(tmp_path):
    """The chart's modules and plotext are imported when a chart opens, never on the way to the first frame."""
    import subprocess
    import sys

    code = """
import sys
from warroom.ui.factory import make_app
async def ready(pilot):
    await pilot.app.loaded.wait()
    await pilot.pause()
    print(sorted(m for m in sys.modules if m.split('.')[0] in ('plotext', 'matplotlib', 'textual_plotext')
                 or m.startswith(('warroom.ui.screens.chart', 'warroom.ui.chart', 'warroom.domain.chart',
                                  'warroom.chart_export'))))
    pilot.app.exit()
make_app(sys.argv[1]).run(headless=True, size=(120, 40), auto_pilot=ready)
"""
    proc = subprocess.run([sys.executable, "-c", code, str(tmp_path / "db.sqlite")], capture_output=True, text=True,
                          timeout=60, env={**__import__("os").environ, "XDG_CONFIG_HOME": str(tmp_path)})
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip().splitlines()[-1] == "[]"


async def test_the_palette_opens_a_panel_s_chart_and_without_panels_ctrl_g_says_why(db_path, tmp_path, make_app):
    from warroom.ui.palette import war_room_commands

    clock = FakeClock(T0)
    app = drill_app(db_path, "bad-deploy", clock, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await app.loaded.wait()
        commands = {c.title: c for c in war_room_commands(app)}
        assert "Chart: Orders per second" in commands
        commands["Chart: Orders per second"].callback()
        screen = await chart_open(app, pilot)
        assert screen.panel.title == "Orders per second"
        await pilot.press("escape")
        await pilot.pause()

    plain = make_app()  # no Prometheus, no drill: no panels
    async with plain.run_test(size=(80, 24)) as pilot:
        await plain.loaded.wait()
        await pilot.press("ctrl+g")
        await pilot.pause()
        assert plain.screen.id != "chart"
        assert plain.latest_notice is not None and "chart: no metric panels" in plain.latest_notice


async def test_a_hostile_unit_and_title_are_shown_literally_on_the_chart(db_path, tmp_path):
    """A unit is any ``<thing>/s`` from the config, a title any text: through plotext's ANSI output
    their escapes are shown, never obeyed (no red, no cleared screen)."""
    from datetime import datetime, timezone

    from warroom.domain.baseline import Series, Sparkline
    from warroom.domain.panels import Panel
    from warroom.ui.chart_plot import ChartPlot
    from warroom.ui.screens.chart import ChartScreen

    panel = Panel("\x1b[2J[bold]pwn[/bold]", "x", unit="\x1b[31mevil/s", baseline=1.0)

    class Data:
        recorded, refresh, panels = False, None, (panel,)

        def end(self):
            return datetime(2026, 11, 23, 11, 0, tzinfo=timezone.utc)

        def series(self, p, window):
            points = tuple((window.start + i * window.step, 1.0 + i) for i in range(241))
            return Sparkline(p, Series(points), Series(points))

        def markers(self):
            return []

    app = drill_app(db_path, "bad-deploy", FakeClock(T0), tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await app.loaded.wait()
        await app.push_screen(ChartScreen(Data(), panel, timezone.utc))
        screen = await chart_open(app, pilot)
        text = "\n".join(painted(screen.query_one(ChartPlot)))
        assert "\x1b" not in text and "␛[31mevil/s" in text
        for strip in (screen.query_one(ChartPlot).render_line(y) for y in range(screen.query_one(ChartPlot).size.height)):
            assert not any(seg.style and seg.style.color and seg.style.color.name == "red" for seg in strip)
        title = painted(screen.query_one("#chart-title"))[0]
        assert "␛[2J[bold]pwn[/bold]" in title
