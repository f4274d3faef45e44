"""No line lost, none twice, on PostgreSQL: the scribe keeps typing while the answer to a commit is
lost, the connection is terminated, or the server is down; the lines wait in order, the hint
counts them, and they are committed once each, in typing order — or, on quit, kept in the
unsaved file. The server is the session's real one (stopped and started again here)."""

from __future__ import annotations

import os
import signal
import stat
from datetime import timezone

import psycopg
import pytest

from warroom.domain.presets import SEV
from warroom.room.writes import Backoff
from warroom.store import open_store
from warroom.store.pg_schema import WRITE_LOCK
from warroom.ui.factory import make_app

from fixtures.lossy_proxy import LossyProxy
from fixtures.support import T0, pane_text, raw_sql, wait_for
from fixtures.tui_process import TuiProcess

FAST = Backoff(first=0.05, limit=0.2)


async def seed(url: str) -> int:
    async with open_store(url) as store:
        return (await store.declare("Checkout 500s", SEV, "SEV-1", now=T0, author="ic")).id


def texts(url: str, incident_id: int) -> list[str]:
    """The incident's entries in commit order (ids are handed out at commit under the write lock)."""
    return [r[0] for r in raw_sql(url, "SELECT text FROM entries WHERE incident_id = ? ORDER BY id", (incident_id,))]


def app_on(url: str, tmp_path, clock):
    return make_app(url, clock=clock, local=timezone.utc, author="scribe", export_dir=tmp_path,
                    tick_interval=3600, sync_interval=3600, backoff=FAST)


def unsaved_lines(folder) -> list[str]:
    files = list(folder.glob("unsaved-*.txt"))
    assert len(files) <= 1
    if not files:
        return []
    assert stat.S_IMODE(files[0].stat().st_mode) == 0o600
    return [line.split("  ", 1)[1] for line in files[0].read_text().splitlines() if not line.startswith("#")]


@pytest.fixture
def server(pg_server):
    """The session's server, started again whatever the test left it in."""
    yield pg_server
    pg_server.start_if_stopped()


@pytest.mark.parametrize("kind", ["entries", "status"])
async def test_an_answer_lost_after_the_commit_is_retried_without_a_duplicate_line_or_a_bounce(server, pg_url,
                                                                                              tmp_path, clock, kind):
    """The commit happened, the network lost the answer: the retry used to write the line a second
    time, and a ``/status`` line came back refused ("status is already mitigating")."""
    proxy = LossyProxy(server.port)
    incident_id = await seed(pg_url)
    app = app_on(proxy.url(pg_url), tmp_path, clock)
    typed = ["pool at 95%", "rolled back"] if kind == "entries" else ["/status mitigating", "rolled back"]
    written = ["pool at 95%"] if kind == "entries" else ["Status investigating → mitigating"]
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await app.loaded.wait()
            await pilot.pause()
            proxy.lose_next_ack(b"INSERT 0 1" if kind == "entries" else b"COMMIT")  # the journal's; the writer's
            for line in typed:
                await pilot.press(*line, "enter")
            await wait_for(pilot, lambda: proxy.acks_lost == 1 and not app.writes.lines_waiting, timeout=10,
                           what="the lines written after the lost answer")
            await pilot.pause()
            assert "not logged" not in pane_text(app, "#scribe-hint")
            assert app.incident.status == ("mitigating" if kind == "status" else "investigating")
            assert [e.text for e in app.entries.values()][1:] == written + ["rolled back"]
    finally:
        proxy.close()
    assert texts(pg_url, incident_id)[1:] == written + ["rolled back"]


async def test_lines_typed_while_the_link_is_cut_are_counted_and_written_once_in_order_when_it_is_back(
        server, pg_url, tmp_path, clock):
    """A cut link fails nothing: the write hangs. The hint said nothing while the lines piled up."""
    proxy = LossyProxy(server.port)
    incident_id = await seed(pg_url)
    typed = ["pool at 95%", "/status mitigating", "rolled back to v41"]
    app = app_on(proxy.url(pg_url), tmp_path, clock)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await app.loaded.wait()
            await pilot.pause()
            proxy.cut()
            try:
                for line in typed:
                    await pilot.press(*line, "enter")
                await wait_for(pilot, lambda: "3 lines not saved yet" in pane_text(app, "#scribe-hint"),
                               what="the hint to count the lines waiting")
            finally:
                proxy.restore()  # else closing the app waits for the answer for ever
            await wait_for(pilot, lambda: not app.writes.lines_waiting, timeout=10, what="the lines written")
            await pilot.pause()
            assert "not saved" not in pane_text(app, "#scribe-hint")
    finally:
        proxy.close()
    assert texts(pg_url, incident_id)[1:] == ["pool at 95%", "Status investigating → mitigating",
                                              "rolled back to v41"]


async def test_lines_queued_while_the_connection_is_terminated_are_written_once_in_order(server, pg_url,
                                                                                        tmp_path, clock):
    incident_id = await seed(pg_url)
    typed = ["first", "second", "third"]
    locker = psycopg.connect(pg_url, autocommit=True)
    app = app_on(pg_url, tmp_path, clock)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await app.loaded.wait()
            await pilot.pause()
            locker.execute("SELECT pg_advisory_lock(%s)", (WRITE_LOCK,))  # every write waits behind it
            for line in typed:
                await pilot.press(*line, "enter")
            dbname = pg_url.rsplit("/", 1)[1]
            waiting = f"SELECT count(*) FROM pg_stat_activity WHERE datname = '{dbname}' AND wait_event_type = 'Lock'"
            await wait_for(pilot, lambda: raw_sql(pg_url, waiting) == [(1,)], what="the first line waiting")
            server.admin(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{dbname}'"
                         f" AND pid <> {locker.info.backend_pid}")
            await wait_for(pilot, lambda: "3 lines not saved yet" in pane_text(app, "#scribe-hint"),
                           what="the hint to count the lines waiting")
            locker.execute("SELECT pg_advisory_unlock(%s)", (WRITE_LOCK,))
            await wait_for(pilot, lambda: not app.writes.lines_waiting, timeout=10, what="the lines written")
            await pilot.pause()
            assert "not saved" not in pane_text(app, "#scribe-hint")
    finally:
        locker.close()
    assert texts(pg_url, incident_id)[1:] == typed


async def test_lines_typed_while_the_server_is_down_wait_in_order_and_are_written_once_when_it_is_back(
        server, pg_url, tmp_path, clock):
    incident_id = await seed(pg_url)
    typed = ["pool at 95%", "/status mitigating", "rolled back to v41", "errors falling"]
    app = app_on(pg_url, tmp_path, clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await app.loaded.wait()
        await pilot.pause()
        server.stop()
        for n, line in enumerate(typed, start=1):
            await pilot.press(*line, "enter")
            await wait_for(pilot, lambda: f"{n} line{'s' if n > 1 else ''} not saved yet"
                           in pane_text(app, "#scribe-hint"), what=f"the hint to count {n}")
        server.start()
        await wait_for(pilot, lambda: not app.writes.lines_waiting, timeout=15, what="the lines written")
        await pilot.pause()
        assert "not saved" not in pane_text(app, "#scribe-hint")
    assert texts(pg_url, incident_id)[1:] == ["pool at 95%", "Status investigating → mitigating",
                                              "rolled back to v41", "errors falling"]


async def test_quitting_while_the_server_is_down_keeps_exactly_the_lines_in_the_unsaved_file(
        server, pg_url, tmp_path, clock, monkeypatch):
    import warroom.ui.flows.quit as quit_flow

    monkeypatch.setattr(quit_flow, "QUIT_WAIT", 0.2)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    incident_id = await seed(pg_url)
    typed = ["pool at 95%", "rolled back to v41"]
    app = app_on(pg_url, tmp_path, clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await app.loaded.wait()
        await pilot.pause()
        server.stop()
        for line in typed:
            await pilot.press(*line, "enter")
        await wait_for(pilot, lambda: "2 lines not saved yet" in pane_text(app, "#scribe-hint"), what="the hint")
        await pilot.press("ctrl+q")
        await wait_for(pilot, lambda: app.screen.id == "quit-confirm", what="the question")
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.return_code is not None, timeout=10, what="exit")
    server.start()
    assert unsaved_lines(tmp_path / "data" / "warroom") == typed
    assert texts(pg_url, incident_id)[1:] == []


@pytest.mark.slow
def test_sighup_while_the_server_is_down_keeps_the_lines_in_the_unsaved_file(server, pg_url, warroom_exe,
                                                                            cli_env, tmp_path):
    """A dropped ssh session (SIGHUP) with PostgreSQL unreachable: the lines typed are in the file
    beside the user's data, exactly, and not in the database."""
    import asyncio

    incident_id = asyncio.run(seed(pg_url))
    env = dict(cli_env, WARROOM_DB=pg_url)
    typed = ["pool at 95% while down", "second while down", "third while down"]
    tui = TuiProcess(warroom_exe, env)
    try:
        tui.wait_for(lambda out: "Checkout 500s" in out, what="the incident on screen")
        server.stop()
        for line in typed:
            tui.type(line + "\r")
        tui.wait_for(lambda out: "3 lines not saved yet" in out, timeout=30,
                     what="the hint counting three lines")
        os.kill(tui.proc.pid, signal.SIGHUP)
        code = tui.wait(30)
    finally:
        tui.close()
        server.start_if_stopped()
    out = tui.text()
    assert code == 0 and "Traceback" not in out
    assert unsaved_lines(tmp_path / "data" / "warroom") == typed
    assert texts(pg_url, incident_id)[1:] == []


async def test_the_sync_pausing_does_not_hide_the_lines_waiting(server, pg_url, tmp_path, clock):
    """The server down: the lines wait and the hint counts them; the sync, finding the database
    unreachable, said "sync paused: …" instead of the count. Both now, short enough for 80 columns."""
    await seed(pg_url)
    app = app_on(pg_url, tmp_path, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await app.loaded.wait()
        await pilot.pause()
        server.stop()
        for line in ("pool at 95%", "rolled back to v41"):
            await pilot.press(*line, "enter")
        await wait_for(pilot, lambda: "2 lines not saved yet" in pane_text(app, "#scribe-hint"), what="the count")
        app.feeds.poll_now("sync")
        await wait_for(pilot, lambda: "sync paused" in pane_text(app, "#scribe-hint"), what="the sync paused")
        app.feeds.poll_now("follow")  # the watcher's heartbeats cannot be read either: said elsewhere
        await wait_for(pilot, lambda: app.feeds["follow"].failures >= 1, what="the follow feed failing")
        for _ in range(3):  # the writer retrying meanwhile keeps both
            await pilot.pause(0.1)
            hint = pane_text(app, "#scribe-hint")
            assert "sync paused" in hint[:40] and "2 lines not saved yet" in hint[:40], hint  # both at the start
        server.start()
        await wait_for(pilot, lambda: not app.writes.lines_waiting, timeout=15, what="the lines written")
        app.feeds.poll_now("sync")
        app.feeds.poll_now("follow")
        await wait_for(pilot, lambda: "sync paused" not in pane_text(app, "#scribe-hint")
                       and "not saved" not in pane_text(app, "#scribe-hint"), what="the hint clear again")
