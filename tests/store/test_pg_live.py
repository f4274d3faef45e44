"""Live between hosts on PostgreSQL: a change on one store reaches another through LISTEN/NOTIFY at
once (no polling), and keeps doing so after the server restarts or the listener's connection is
killed — catching up on what was committed while nobody listened."""

from __future__ import annotations

import asyncio
import time

import pytest

from warroom.domain.presets import SEV
from warroom.store import StoreError, open_store
from warroom.ui.feeds.sync import LIVE_WAIT_S
from warroom.ui.factory import make_app

from fixtures.pg_fixture import PASSWORD
from fixtures.support import T0, FakeClock, table_texts, wait_for


async def seen_within(store, seen: int, seconds: float) -> int:
    """``store``'s version once it moved from ``seen``; fails if that took longer than ``seconds``."""
    start = time.monotonic()
    version = await store.wait_for_change(seen, timeout=seconds + 5)
    took = time.monotonic() - start
    assert version != seen, f"no change seen in {took:.1f} s"
    assert took < seconds, f"the change took {took:.2f} s to be seen"
    return version


async def texts_since(store, seq: int, incident_id: int) -> tuple[int, list[str]]:
    seq, ids, _ = await store.changes_since(seq, incident_id)
    return seq, [e.text for e in await store.entries(incident_id, ids=ids)] if ids else []


async def test_a_write_on_one_store_is_seen_by_the_other_within_a_second(pg_url):
    async with open_store(pg_url) as a, open_store(pg_url) as b:
        i = await a.declare("Checkout 500s", SEV, "SEV-1", now=T0, author="ic")
        v0, seq0 = await b.data_version(), await b.change_seq()
        assert await b.data_version() == v0  # nothing new: the same answer, from memory
        await a.append(i.id, "from host A", author="s", now=T0)
        v1 = await seen_within(b, v0, 1.0)
        assert await b.data_version() == v1
        assert await texts_since(b, seq0, i.id) == (await b.change_seq(), ["from host A"])


async def test_waiting_without_a_change_returns_after_the_timeout(pg_url):
    async with open_store(pg_url) as store:
        v0 = await store.data_version()
        start = time.monotonic()
        assert await store.wait_for_change(v0, timeout=0.3) == v0
        assert 0.25 < time.monotonic() - start < 2


def listener_pids(pg_server, pg_url: str) -> list[int]:
    import psycopg

    dbname = pg_url.rsplit("/", 1)[1]
    with psycopg.connect(host=str(pg_server.root), port=pg_server.port, user="pgadmin", dbname="postgres") as con:
        return [r[0] for r in con.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s AND query LIKE 'LISTEN%%'",
                                          (dbname,))]


async def test_the_listener_killed_reconnects_and_catches_up_on_what_it_missed(pg_url, pg_server):
    async with open_store(pg_url) as a, open_store(pg_url) as b:
        i = await a.declare("Checkout 500s", SEV, "SEV-1", now=T0, author="ic")
        v0, seq = await b.data_version(), await b.change_seq()
        [pid] = listener_pids(pg_server, pg_url)
        pg_server.admin(f"SELECT pg_terminate_backend({pid})")
        await a.append(i.id, "while nobody listened", author="s", now=T0)  # before the first retry (0.1 s)
        v1 = await seen_within(b, v0, 3.0)
        seq, texts = await texts_since(b, seq, i.id)
        assert texts == ["while nobody listened"]
        await wait_for_listener(b)
        assert b.listener.reconnects == 1 and listener_pids(pg_server, pg_url) != [pid]
        await a.append(i.id, "after", author="s", now=T0)
        await seen_within(b, v1, 1.0)
        assert (await texts_since(b, seq, i.id))[1] == ["after"]


async def wait_for_listener(store, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not store.listener.listening:
        assert time.monotonic() < deadline, f"still not listening: {store.listener.trouble}"
        await asyncio.sleep(0.02)


async def test_the_server_restarted_the_listener_says_so_in_one_line_then_catches_up(pg_url, pg_server):
    async with open_store(pg_url) as a, open_store(pg_url) as b:
        i = await a.declare("Checkout 500s", SEV, "SEV-1", now=T0, author="ic")
        v0, seq = await b.data_version(), await b.change_seq()
        pg_server.stop()
        try:
            assert await b.data_version() == v0  # from memory: no round trip to a server that is gone
            with pytest.raises(StoreError) as caught:
                await b.wait_for_change(v0, timeout=0.5)
            message = str(caught.value)
            assert message.startswith("live updates stopped, reconnecting: ") and "postgresql://warroom:***@" in message
            assert "\n" not in message and PASSWORD not in message
        finally:
            pg_server.start()
        for _ in range(2):  # a's connection was dropped too: the first call says so, the retry goes through
            try:
                await a.append(i.id, "written after the restart", author="s", now=T0)
                break
            except StoreError:
                pass
        v1 = await seen_within(b, v0, 10.0)
        seq, texts = await texts_since(b, seq, i.id)
        assert texts == ["written after the restart"]
        await wait_for_listener(b)
        await a.append(i.id, "and the next", author="s", now=T0)
        await seen_within(b, v1, 1.0)
        assert (await texts_since(b, seq, i.id))[1] == ["and the next"]


async def test_the_screen_shows_another_hosts_entry_at_once_without_polling(pg_url):
    """The sync feed waits for the server's signal, and starts waiting again as soon as a wait
    ends: with a polling interval of an hour, another host's entry is on screen within a second."""
    from datetime import timezone

    async with open_store(pg_url) as other:
        i = await other.declare("Checkout 500s", SEV, "SEV-1", now=T0, author="ic")
        app = make_app(pg_url, clock=FakeClock(T0), local=timezone.utc, tick_interval=3600, sync_interval=3600)
        async with app.run_test(size=(120, 40)) as pilot:
            await app.loaded.wait()
            app.feeds.poll_now("sync")
            await wait_for(pilot, lambda: app.feeds["sync"].polls >= 1, timeout=LIVE_WAIT_S + 5,
                           what="a first sync (a wait that timed out)")
            await other.append(i.id, "from another host", author="cli", now=T0)
            start = time.monotonic()
            await wait_for(pilot, lambda: "from another host" in table_texts(app), timeout=LIVE_WAIT_S + 3,
                           what="the other host's entry")
            assert time.monotonic() - start < 1.0
