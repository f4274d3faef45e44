"""Opening the store a location names: a ``postgresql://`` URL opens the PostgreSQL engine, any
other location the SQLite file — the one place that chooses (``--db``, ``$WARROOM_DB``, the TUI,
the replay, the one-shot commands). Each engine is imported only when used: a SQLite user never
loads psycopg, and a one-shot command on SQLite never loads asyncio or aiosqlite (``oneshot``).
"""

from __future__ import annotations

from contextlib import asynccontextmanager
from pathlib import Path

from warroom.store.location import db_location

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import AsyncIterator, Awaitable, Callable, TypeVar

    from warroom.store.interface import IncidentStore

    T = TypeVar("T")


async def connect_store(location: str | Path) -> IncidentStore:
    """The open store at ``location``; ``StoreError`` (one line, no password) if it cannot be used."""
    where = db_location(location)
    if isinstance(where, str):
        from warroom.store.postgres import PgStore

        return await PgStore.connect(where)
    from warroom.store.sqlite import Store

    return await Store.connect(where)


@asynccontextmanager
async def open_store(location: str | Path) -> AsyncIterator[IncidentStore]:
    store = await connect_store(location)
    try:
        yield store
    finally:
        await store.close()


def run_one_shot(location: str | Path, work: Callable[[IncidentStore], Awaitable[T]]) -> T:
    """``await work(store)`` with the store at ``location`` open, for a command that does one thing
    and exits. On SQLite without an event loop (``oneshot.run_sync``: the same rules over the
    stdlib connection); on PostgreSQL in one ``asyncio.run`` (psycopg imports asyncio anyway, and
    its connection is the async one the rules are written for)."""
    where = db_location(location)
    if isinstance(where, str):
        import asyncio

        return asyncio.run(_opened(open_store(where), work))
    from warroom.store.oneshot import OneShotStore, run_sync

    return run_sync(_opened(OneShotStore.open(where), work))


async def _opened(opening, work):
    async with opening as store:
        return await work(store)
