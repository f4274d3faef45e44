"""The one-shot engine's own part (the rules are tested on it with every other store test): driving a
coroutine without an event loop, and opening, upgrading and closing a file like the TUI's store."""

from __future__ import annotations

import asyncio
import sqlite3
import threading

import pytest

from warroom.domain.presets import SEV
from warroom.store import StoreError
from warroom.store.oneshot import OneShotStore, Suspended, run_sync
from warroom.store.schema import MIGRATIONS, SCHEMA_VERSION, statements

from fixtures.support import T0


def test_run_sync_gives_the_value_or_the_exception_of_a_coroutine_that_never_waits() -> None:
    async def inner(x):
        return x * 2

    async def outer():
        return await inner(21)

    async def fails():
        await inner(1)
        raise ValueError("bad input")

    assert run_sync(outer()) == 42
    with pytest.raises(ValueError, match="bad input"):
        run_sync(fails())


def test_run_sync_refuses_a_coroutine_that_waits_and_unwinds_it() -> None:
    unwound = []

    async def waits():
        try:
            await asyncio.sleep(0)
        finally:
            unwound.append(True)

    with pytest.raises(Suspended, match="needs an event loop"):
        run_sync(waits())
    assert unwound == [True]  # its ``finally`` ran: nothing is left half-open


def test_an_older_file_is_upgraded_by_the_one_shot_store(db_path) -> None:
    con = sqlite3.connect(db_path)
    for statement in statements(MIGRATIONS[0]):
        con.execute(statement)
    con.execute("PRAGMA user_version = 1")
    con.commit()
    con.close()

    async def use():
        async with OneShotStore.open(db_path) as store:
            incident = await store.declare("Checkout 500s", SEV, "SEV-2", now=T0, author="ic")
            return await store.append(incident.id, "rolled back", author="s", now=T0, client_id="a:1")

    assert run_sync(use()).text == "rolled back"
    con = sqlite3.connect(db_path)
    assert con.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    con.close()


async def test_a_one_shot_store_closes_without_a_thread_and_refuses_lines_after(db_path) -> None:
    before = {t for t in threading.enumerate() if t.name.startswith("warroom-journal")}
    store = run_sync(OneShotStore.connect(db_path))
    incident = run_sync(store.declare("Checkout 500s", SEV, "SEV-2", now=T0, author="ic"))
    run_sync(store.close())
    assert {t for t in threading.enumerate() if t.name.startswith("warroom-journal")} <= before
    with pytest.raises(StoreError, match="closed"):
        store.append_soon(incident.id, "after close", author="s", now=T0)


async def test_settling_the_lines_at_quit_works_on_every_engine(store) -> None:
    """Settling imports asyncio itself (the module no longer does, for the one-shot CLI)."""
    incident = await store.declare("Checkout 500s", SEV, "SEV-2", now=T0, author="ic")
    line = store.append_soon(incident.id, "pool at 95%", author="s", now=T0)
    await store.settle_lines()
    assert (await line).text == "pool at 95%"
    with pytest.raises(StoreError, match="closed"):
        store.append_soon(incident.id, "after settling", author="s", now=T0)
