"""The store's side of ``warroom watch`` on every engine: the heartbeat, the readings a follower
reads incrementally, the rolling window copied into an incident once; and on PostgreSQL, that
readings written by one host wake another at once (NOTIFY), as entries do."""

from __future__ import annotations

import time
from datetime import timedelta

from warroom.domain.heartbeat import Heartbeat
from warroom.domain.presets import SEV
from warroom.domain.recording import Record
from warroom.store import open_store

from fixtures.support import T0


def beat(at, incidents=(), id_="db-1/42/t0", all_open=True) -> Heartbeat:
    return Heartbeat(id_, "db-1", 42, T0, at, 1.0, tuple(incidents), all_open)


async def test_a_heartbeat_is_written_updated_and_ended(store):
    await store.beat(beat(T0, [3]))
    await store.beat(beat(T0 + timedelta(seconds=1), [3, 5]))
    await store.beat(beat(T0, [7], id_="old/1/t", all_open=False))
    got = sorted(await store.watchers(), key=lambda b: b.id)
    assert got == [beat(T0 + timedelta(seconds=1), [3, 5]), beat(T0, [7], id_="old/1/t", all_open=False)]
    await store.end_watcher("db-1/42/t0", gone_before=T0 + timedelta(milliseconds=500))
    assert await store.watchers() == []


async def test_readings_since_gives_only_what_is_new_in_the_order_written(store):
    i = await store.declare("Checkout 500s", SEV, "SEV-1", now=T0, author="ic")
    other = await store.declare("Other", SEV, "SEV-2", now=T0, author="ic")
    first = [Record(T0, "panel", "errors", {"v": 1}), Record(T0, "probe", "api", {"ok": True})]
    await store.record(i.id, first)
    cursor, got = await store.readings_since(i.id)
    assert got == first and cursor > 0
    assert await store.readings_since(i.id, cursor) == (cursor, [])
    await store.record(other.id, [Record(T0, "panel", "x", {"v": 9})])
    later = [Record(T0 + timedelta(seconds=1), "panel", "errors", None)]
    await store.record(i.id, later)
    cursor2, got = await store.readings_since(i.id, cursor)
    assert got == later and cursor2 > cursor


async def test_the_window_is_copied_into_an_incident_once_from_its_start(store):
    old = Record(T0 - timedelta(minutes=90), "panel", "errors", {"v": 0.1})
    kept = [Record(T0 - timedelta(minutes=30), "panel", "errors", {"v": 0.2}),
            Record(T0 - timedelta(minutes=5), "pod", "ctx\x1fshop\x1fweb-1", {"status": "Error"})]
    assert await store.record_window([old, *kept]) == 3
    assert await store.prune_window(T0 - timedelta(minutes=60)) == 1
    assert await store.window() == kept
    i = await store.declare("Checkout 500s", SEV, "SEV-1", now=T0, author="ic")
    assert await store.record_window([Record(T0 + timedelta(seconds=1), "panel", "errors", {"v": 3})]) == 1
    assert await store.adopt_window(i.id, T0 - timedelta(minutes=60), T0) == 2  # its own recording: from T0
    assert await store.adopt_window(i.id, T0 - timedelta(minutes=60), T0) == 0  # a watcher restarted
    assert await store.readings(i.id) == kept


async def test_readings_written_on_one_host_wake_another_at_once(pg_url):
    async with open_store(pg_url) as a, open_store(pg_url) as b:
        i = await a.declare("Checkout 500s", SEV, "SEV-1", now=T0, author="ic")
        seen = await b.data_version()
        start = time.monotonic()
        await a.record(i.id, [Record(T0, "panel", "errors", {"v": 1})])
        assert await b.wait_for_change(seen, timeout=5) != seen
        assert time.monotonic() - start < 1.0
