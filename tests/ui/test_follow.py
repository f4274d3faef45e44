"""A screen whose incident a watcher feeds draws the panes from its readings and polls nothing;
when the heartbeat goes stale the panes say so and the screen reads the sources itself; when the
watcher beats again it hands back. (The watcher here is its heartbeat and readings written to the
store, as ``warroom watch`` writes them; tests/watch run the real process.)"""

from __future__ import annotations

from datetime import timedelta

from warroom.config import Config, ProbeConfig, WatchConfig
from warroom.domain.heartbeat import Heartbeat
from warroom.domain.presets import SEV
from warroom.domain.recording import Record
from warroom.store import Store
from warroom.ui.factory import make_app
from warroom.ui.widgets.metrics import MetricsPane, PanelList

from fixtures.support import T0, FakeClock, wait_for

PROBES = (ProbeConfig("api", "http://127.0.0.1:9/health", interval=3600.0),)
PANEL = {"v": 0.2, "b": 0.01, "verdict": "CRIT", "unit": "ratio", "error": "", "i": 0}


def beat(incident_id: int, at) -> Heartbeat:
    return Heartbeat("db-1/7/t0", "db-1", 7, T0, at, 1.0, (incident_id,))


def panels_text(app) -> str:
    panels = app.query_one(PanelList)
    return "\n".join(str(panels.get_option_at_index(i).prompt) for i in range(panels.option_count))


def subtitle(app) -> str:
    return str(app.query_one(MetricsPane).border_subtitle or "")


async def test_a_screen_follows_a_live_watcher_goes_stale_takes_over_and_hands_back(db_path):
    clock = FakeClock(T0)
    async with Store.open(db_path) as store:
        i = await store.declare("Checkout 500s", SEV, "SEV-1", now=T0, author="ic")
        await store.beat(beat(i.id, T0))
        await store.record(i.id, [Record(T0, "panel", "Error ratio", PANEL),
                                  Record(T0, "probe", "api", {"ok": False, "status": 503, "ms": 12, "error": "HTTP 503"})])
        app = make_app(db_path, clock=clock, config=Config(probes=PROBES))
        async with app.run_test(size=(120, 40)) as pilot:
            await wait_for(pilot, lambda: app.follow_feed.following and "Error ratio" in panels_text(app),
                           timeout=10, what="the recorded panel drawn")
            assert "via watcher on db-1, 0.0 s ago" in subtitle(app)
            assert app.feeds["probes"].polls == 0 and not app.feeds.active("probes")  # no source polled here
            await store.record(i.id, [Record(T0 + timedelta(seconds=1), "panel", "Error ratio", None)])
            await wait_for(pilot, lambda: "Error ratio" not in panels_text(app), timeout=5, what="a new reading")

            clock.advance(seconds=2.5)  # two periods and a half without a beat
            await wait_for(pilot, lambda: app.follow_feed.mode == "own" and app.feeds["probes"].polls >= 1,
                           timeout=10, what="the screen reading the probes itself")
            assert "STALE: watcher on db-1 last seen 2.5 s ago — reading the sources here" in subtitle(app)

            await store.beat(beat(i.id, clock.now))  # a watcher is back
            await wait_for(pilot, lambda: app.follow_feed.following, timeout=10, what="handed back")
            assert not app.feeds.active("probes") and "via watcher on db-1" in subtitle(app)


async def test_with_no_watcher_the_screen_reads_the_sources_itself_as_ever(db_path):
    async with Store.open(db_path) as store:
        await store.declare("Checkout 500s", SEV, "SEV-1", now=T0, author="ic")
    app = make_app(db_path, clock=FakeClock(T0), config=Config(probes=PROBES))
    async with app.run_test() as pilot:
        await wait_for(pilot, lambda: app.feeds["probes"].polls >= 1, timeout=10, what="the probes polled")
        assert app.follow_feed.mode == "own" and subtitle(app) == ""


async def test_without_takeover_a_stale_watcher_leaves_the_panes_waiting(db_path):
    clock = FakeClock(T0)
    async with Store.open(db_path) as store:
        i = await store.declare("Checkout 500s", SEV, "SEV-1", now=T0, author="ic")
        await store.beat(beat(i.id, T0 - timedelta(seconds=30)))
    app = make_app(db_path, clock=clock, config=Config(probes=PROBES, watch=WatchConfig(takeover=False)))
    async with app.run_test() as pilot:
        await wait_for(pilot, lambda: subtitle(app).startswith("STALE"), timeout=10, what="STALE said")
        await pilot.pause(0.5)
        assert app.feeds["probes"].polls == 0 and app.follow_feed.mode == "waiting"


async def test_a_screen_with_no_source_of_its_own_composes_the_panes_a_watcher_feeds(db_path):
    """A participant's laptop has only the database: no Prometheus, probes or cluster configured.
    Its panes say "not configured" until a watcher feeds the incident; then they are composed and
    drawn from the watcher's readings, and say who feeds them."""
    from fixtures.drill_support import pod_rows
    from warroom.domain.recording import SEP
    from warroom.ui.widgets.pods import PodsPane, PodTable

    clock = FakeClock(T0)
    async with Store.open(db_path) as store:
        i = await store.declare("Checkout 500s", SEV, "SEV-1", now=T0, author="ic")
    app = make_app(db_path, clock=clock, config=Config())
    async with app.run_test(size=(120, 40)) as pilot:
        await app.loaded.wait()
        await pilot.pause()
        assert not app.query(MetricsPane) and not app.query(PodsPane)  # placeholders: nothing configured here
        async with Store.open(db_path) as store:
            await store.beat(beat(i.id, T0))
            await store.record(i.id, [
                Record(T0, "panel", "Error ratio", PANEL),
                Record(T0, "pods", "", {"namespaces": [["shop", 4, 1]], "errors": [], "synced": True}),
                Record(T0, "pod", SEP.join(("", "shop", "checkout-7f9")), {
                    "ready": "0/1", "status": "CrashLoopBackOff", "restarts": 7, "node": "n1", "created": None,
                    "last_restart": None, "owner": None})])
        await wait_for(pilot, lambda: app.query(MetricsPane) and "Error ratio" in panels_text(app),
                       timeout=10, what="the metrics pane composed and drawn")
        await wait_for(pilot, lambda: app.query(PodTable) and any(
            row[1:4] == ["checkout-7f9", "0/1", "CrashLoopBackOff"] for row in pod_rows(app)),
            timeout=10, what="the pods pane composed and drawn")
        assert "via watcher on db-1" in subtitle(app)
        assert len(app.query("#metrics-pane")) == 1 and len(app.query("#pods-pane")) == 1

        clock.advance(seconds=3)  # the watcher is gone: nothing here to read the sources with
        await wait_for(pilot, lambda: subtitle(app).startswith("STALE"), timeout=10, what="STALE said")
        assert subtitle(app) == ("STALE: watcher on db-1 last seen 3.0 s ago — no source configured here: "
                                 "the panes show its last readings")
        assert "Error ratio" in panels_text(app)
