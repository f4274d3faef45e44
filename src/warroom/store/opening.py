"""Opening the store a location names: a ``postgresql://`` URL opens the PostgreSQL engine, any
other location the SQLite file — the one place that chooses (``--db``, ``$WARROOM_DB``, the TUI,
the replay). Each engine is imported only when used: a SQLite user never loads psycopg.
"""

from __future__ import annotations

from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING, AsyncIterator

from warroom.store.location import db_location

if TYPE_CHECKING:
    from warroom.store.interface import IncidentStore


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
