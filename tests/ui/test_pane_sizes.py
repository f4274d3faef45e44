"""The panes mid-drill at the sizes users have: what an IC reads on a projector must be on screen.

Pods: READY, STATUS and RESTARTS whole (NAME gives way), five pods at 120x40. Metrics: titles that
tell the panels apart, every panel's value on screen. Timeline: wide enough for its text at 120.
The texts are read from what the widgets paint, not from their data."""

from __future__ import annotations

from datetime import timedelta

import pytest

from fixtures.drill_support import Drive, drill_app, pods_of
from fixtures.support import T0, FakeClock, wait_for
from warroom.domain.units import format_value
from warroom.ui.widgets.metrics import MetricsPane, PanelList
from warroom.ui.widgets.pods import PodsPane, PodTable

SIZES = [(80, 24), (120, 40), (200, 60)]


def painted(widget) -> list[str]:
    """The lines ``widget`` paints, those the pane around it leaves on screen only."""
    pane = widget.parent
    while pane is not None and "pane" not in pane.classes:
        pane = pane.parent
    bottom = min(widget.region.bottom, pane.region.bottom - 1)  # the pane's bottom border
    return [widget.render_line(y).text for y in range(max(0, bottom - widget.region.y))]


async def mid_drill(app, pilot, clock) -> None:
    drive = Drive(app, pilot, clock)
    await drive.start()
    await drive.to(timedelta(minutes=7))
    if app.drill.scenario.name == "bad-deploy":
        await wait_for(pilot, lambda: pods_of(app, "checkout") == ["CrashLoopBackOff"] * 4,
                       what="every checkout pod crash-looping")
    app.clear_notifications()
    await pilot.pause()


async def show_pane(app, pilot, pane_type) -> None:
    """Small screens show one left pane at a time: ctrl+o until this one is shown."""
    for _ in range(3):
        if app.query_one(pane_type).display and app.query_one(pane_type).region.height:
            break
        await pilot.press("ctrl+o")
        await pilot.pause()
    await pilot.pause()


@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
async def test_pods_status_ready_restarts_whole_and_five_pods_at_120x40(db_path, tmp_path, size):
    clock = FakeClock(T0)
    app = drill_app(db_path, "bad-deploy", clock, tmp_path)
    async with app.run_test(size=size) as pilot:
        await mid_drill(app, pilot, clock)
        await show_pane(app, pilot, PodsPane)
        table = app.query_one(PodTable)
        lines = painted(table)
        header, rows = lines[0], lines[1:]
        for label in ("NAME", "READY", "STATUS", "RESTARTS"):
            assert f" {label} " in f"{header} ", header
        rows = rows[: table.row_count]
        assert table.virtual_size.width <= table.scrollable_content_region.width  # no sideways scrolling
        assert len(rows) >= (5 if size[1] >= 40 else 4), lines
        for i, line in enumerate(rows):
            namespace, name, ready, status, restarts, *_ = [c.plain for c in table.get_row_at(i)]
            assert f" {ready} " in line and f" {status} " in f"{line} " and f" {restarts}" in line, (line, status)
            assert restarts.startswith("0") or "ago)" in line  # "7 (3m45s ago)": never "7 (3m45s a"
            shown_name = line.split()[1] if "NAMESPACE" in header else line.split()[0]
            head, _, tail = shown_name.partition("…")
            assert shown_name == name or (name.startswith(head) and name.endswith(tail) and len(tail) >= 4), line
        assert any("CrashLoopBackOff" in line and "ago)" in line for line in rows)


METRIC_CASES = [("bad-deploy", size) for size in SIZES] + [("payment-processor", (120, 40)), ("db-pool", (120, 40))]


@pytest.mark.parametrize(("scenario", "size"), METRIC_CASES, ids=[f"{n}-{w}x{h}" for n, (w, h) in METRIC_CASES])
async def test_metric_titles_differ_and_every_value_is_on_screen(db_path, tmp_path, scenario, size):
    """Four panels at 120x40 too: the firing alerts then go on one line, by name (as many as fit)."""
    clock = FakeClock(T0)
    app = drill_app(db_path, scenario, clock, tmp_path)
    async with app.run_test(size=size) as pilot:
        await mid_drill(app, pilot, clock)
        await show_pane(app, pilot, MetricsPane)
        pane, panels = app.query_one(MetricsPane), app.query_one(PanelList)
        shown = "\n".join(painted(panels))
        titles = []
        for p in pane.view.panels:
            value = format_value(p.reading.current, p.panel.unit)
            line = next((line for line in shown.splitlines() if f" {value} " in f" {line} "), None)
            assert line is not None, (value, shown)  # every panel's value is painted, none scrolled away
            assert p.reading.verdict in line
            titles.append(line.split(value)[0].strip())
        assert len(set(titles)) == len(titles), titles
        assert all(len(t.rstrip("…")) >= 6 for t in titles), titles
        assert panels.region.bottom <= pane.region.bottom - 1 and panels.region.bottom <= size[1]
        if size == (200, 60):
            assert not pane.one_line and "now" in shown  # room for the sparklines
        else:
            assert pane.one_line
        alerts = "\n".join(painted(app.query_one("#metrics-alerts")))
        firing = [a.name for a in pane.view.alerts if a.firing]
        assert f"{len(firing)} alert" in alerts and firing[0] in alerts, alerts  # the count, the first by name


@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
async def test_the_timeline_gets_the_larger_share_of_the_width(db_path, tmp_path, size):
    clock = FakeClock(T0)
    app = drill_app(db_path, "bad-deploy", clock, tmp_path)
    async with app.run_test(size=size) as pilot:
        await mid_drill(app, pilot, clock)
        timeline, left = app.query_one("#timeline-pane").region, app.query_one("#left").region
        if size[0] < 120:
            assert timeline.width == size[0]  # panes stacked: the full width
        else:
            assert timeline.width >= 62, timeline  # its text column ~40 at 120
            assert timeline.width > left.width and left.width >= 50
            assert left.width <= 84  # wider screens widen the timeline: 116 of 200


@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
async def test_the_emulated_cluster_s_crash_loop_reads_whole(db_path, tmp_path, size):
    """The kube emulator's pods over real HTTP: `7 (45s ago)` whole at 80x24, every pod at 120x40."""
    from datetime import timezone

    from fixtures import podfixtures as pf
    from fixtures.kube_fixture import DEFAULT_TOKEN, KubeEmulator, scenario, write_kubeconfig
    from warroom.config import Config, KubeConfig
    from warroom.domain.presets import SEV
    from warroom.store import Store
    from warroom.ui.factory import make_app

    async with KubeEmulator() as emu:
        emu.add_all(scenario())
        write_kubeconfig(tmp_path / "kubeconfig", {"a": (emu.url, DEFAULT_TOKEN)})
        async with Store.open(db_path) as store:
            await store.declare("Shop is down", SEV, "SEV-1", now=pf.NOW, author="ic")
        config = Config(kubernetes=KubeConfig(contexts=(None,), kubeconfig=str(tmp_path / "kubeconfig")))
        app = make_app(db_path, clock=FakeClock(pf.NOW), local=timezone.utc, tick_interval=3600,
                       sync_interval=3600, config=config)
        async with app.run_test(size=size) as pilot:
            await app.loaded.wait()
            await wait_for(pilot, lambda: app.pod_views and next(iter(app.pod_views.values())).synced, timeout=15,
                           what="the pods")
            await show_pane(app, pilot, PodsPane)
            table = app.query_one(PodTable)
            rows = painted(table)[1:][: table.row_count]
            assert len(rows) >= (4 if size[1] < 40 else min(5, table.row_count)), rows
            assert any(" CrashLoopBackOff " in row and " 7 (45s ago)" in row for row in rows), rows
            assert any(" Completed " in row for row in rows) or size[1] < 40, rows
