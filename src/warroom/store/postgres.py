"""The PostgreSQL store: one database shared by a team on several machines.

The rules are ``SqlStore``'s (the same SQL as SQLite's, ``?`` written as ``%s``); here are the
connection (psycopg 3, async), its transactions, the migrations and change detection. libpq reads
the URL and the usual environment — ``PGPASSWORD``, ``PGPASSFILE``/``~/.pgpass``, ``PGSERVICE``,
``sslmode`` — so none of that is reimplemented; ``connect_timeout`` defaults to 10 s so that an
unreachable host is an error, not a hang.

Writers are serialised as on SQLite (``pg_schema.WRITE_LOCK``, taken first in every write
transaction and by the change-log triggers), so the ``changes`` log is in commit order.
Change detection is live: the trigger announces each change (``NOTIFY warroom``) and a listener
on a connection of its own (``pg_listen``, opened the first time anyone asks what changed: a
one-shot CLI command never pays for it) counts them, so ``data_version`` costs no round trip and
``wait_for_change`` returns as soon as another host commits.

A connection the server dropped (a restart, a network cut) is replaced on the next call; the
call that met the drop fails with a ``StoreError`` and the caller's retry goes through. A silent
network (a cut link, a peer gone) is found by TCP keepalives and a user timeout
(``connect_options``), so a write waits seconds, not minutes, before it fails and is retried.
"""

from __future__ import annotations

import asyncio
import functools
import os
from contextlib import asynccontextmanager
from typing import Any, AsyncIterator, Iterable

import psycopg
from psycopg import errors as pg

from warroom.domain.timeline import Entry
from warroom.store.errors import StoreError
from warroom.store.journal import Journal
from warroom.store.location import shown
from warroom.store.pg_errors import cannot_connect, entry_errors, explain
from warroom.store.pg_listen import Listener
from warroom.store.pg_schema import MIGRATIONS, SCHEMA_VERSION, VERSION_TABLE, WRITE_LOCK
from warroom.store.sql_store import SqlStore

CONNECT_TIMEOUT_S = 10
#: libpq's TCP options unless the URL says otherwise: a connection whose peer went silent (a cut
#: link) fails after about 5 s instead of the kernel's 15 minutes of retransmissions, so a write
#: under way is retried (its client id keeps it once) and quitting never waits on a dead link.
TCP_OPTIONS = {"keepalives": 1, "keepalives_idle": 5, "keepalives_interval": 2, "keepalives_count": 3,
               "tcp_user_timeout": 5000}


@functools.lru_cache(maxsize=256)
def q(sql: str) -> str:
    """The shared SQL's ``?`` placeholders as psycopg's ``%s``."""
    return sql.replace("?", "%s")


def named_rows(cursor: Any) -> Any:
    """A psycopg row factory giving tuples that are also read by column name (as ``sqlite3.Row``)."""
    if cursor.description is None:
        return tuple
    index = {c.name: i for i, c in enumerate(cursor.description)}

    class NamedRow(tuple):
        __slots__ = ()

        def __getitem__(self, key):
            return tuple.__getitem__(self, index[key] if isinstance(key, str) else key)

    return NamedRow


def connect_options(url: str) -> dict[str, Any]:
    """What warroom adds to the URL: a connect timeout unless the URL or PGCONNECT_TIMEOUT says
    one, and ``TCP_OPTIONS`` each unless the URL says it."""
    options: dict[str, Any] = {k: v for k, v in TCP_OPTIONS.items() if f"{k}=" not in url}
    if "connect_timeout=" not in url and not os.environ.get("PGCONNECT_TIMEOUT"):
        options["connect_timeout"] = CONNECT_TIMEOUT_S
    return options


class _Tx:
    """The shared rules' view of the connection (``sql_store.Tx``)."""

    __slots__ = ("con",)

    def __init__(self, con: psycopg.AsyncConnection) -> None:
        self.con = con

    async def fetch(self, sql: str, params: Iterable[Any] = ()) -> list:
        cur = await self.con.execute(q(sql), tuple(params))
        return await cur.fetchall() if cur.description is not None else []

    async def run(self, sql: str, params: Iterable[Any] = ()) -> int:
        return (await self.con.execute(q(sql), tuple(params))).rowcount

    async def run_many(self, sql: str, rows: list[tuple]) -> None:
        async with self.con.cursor() as cur:
            await cur.executemany(q(sql), rows)


class PgJournal(Journal):
    """The scribe's lines on a thread of their own, over a synchronous psycopg connection."""

    def __init__(self, url: str) -> None:
        super().__init__(shown(url), 0)  # type: ignore[arg-type]  # path: only ever shown
        self.url = url

    def _connect(self) -> psycopg.Connection:
        try:
            return psycopg.connect(self.url, autocommit=True, **connect_options(self.url))
        except psycopg.Error as exc:
            raise StoreError(cannot_connect(self.url, exc)) from None

    def _usable(self, con: psycopg.Connection) -> bool:
        return not (con.closed or con.broken)

    def _failure(self, exc: Exception) -> StoreError | None:
        return StoreError(explain(self.url, exc)) if isinstance(exc, psycopg.Error) else None

    def set_busy_timeout(self, ms: int):
        return self.submit(lambda con: None)


class PgStore(SqlStore):
    """Async access to a warroom database on a PostgreSQL server. ``async with PgStore.open(url)``."""

    READING_ORDER = "at, seq"
    READING_ID = "seq"
    READINGS_AFTER = "readings"
    live = True  # ``wait_for_change`` wakes when another host commits

    def __init__(self, con: psycopg.AsyncConnection, url: str) -> None:
        self._con = con
        self._url = url
        self.path = shown(url)
        self._lock = asyncio.Lock()  # one statement or transaction at a time on the connection
        self._journal = PgJournal(url)
        self._listener = Listener(url, self._new_connection)

    # -- lifecycle ---------------------------------------------------------------------------
    @classmethod
    @asynccontextmanager
    async def open(cls, url: str) -> AsyncIterator["PgStore"]:
        store = await cls.connect(url)
        try:
            yield store
        finally:
            await store.close()

    @classmethod
    async def connect(cls, url: str) -> "PgStore":
        store = cls(await cls._new_connection(url), url)
        try:
            await store._setup()
        except BaseException:
            await store._con.close()
            raise
        return store

    @staticmethod
    async def _new_connection(url: str) -> psycopg.AsyncConnection:
        try:
            return await psycopg.AsyncConnection.connect(url, autocommit=True, row_factory=named_rows,
                                                         **connect_options(url))
        except psycopg.Error as exc:
            raise StoreError(cannot_connect(url, exc)) from None

    async def close(self, *, abandon_lines: bool = False) -> None:
        """Close once every line already handed to ``append_soon`` is committed (or has failed)."""
        await asyncio.wrap_future(self._journal.close(abandon=abandon_lines))
        await self._listener.close()
        await self._con.close()

    async def _connection(self) -> psycopg.AsyncConnection:
        """The connection, replaced first if the server dropped it (called with ``_lock`` held)."""
        if self._con.closed or self._con.broken:
            self._con = await self._new_connection(self._url)
        return self._con

    async def _setup(self) -> None:
        version = await self.schema_version()
        if version > SCHEMA_VERSION:
            raise StoreError(f"database {self.path} has schema version {version}, newer than this warroom "
                             f"understands ({SCHEMA_VERSION}); upgrade warroom")
        if version < SCHEMA_VERSION:
            await self._migrate()

    async def schema_version(self) -> int:
        """The schema version (0: no warroom tables yet)."""
        try:
            rows = await self._fetch("SELECT version FROM warroom_schema")
        except StoreError:
            if await self._fetch("SELECT to_regclass('warroom_schema')") != [(None,)]:
                raise
            return 0
        return rows[0][0] if rows else 0

    async def _migrate(self) -> None:
        """Bring the schema up to date in one transaction; two processes starting at once wait
        for each other on the write lock, and the second finds nothing left to do."""
        async with self._transaction() as tx:
            await tx.con.execute(VERSION_TABLE)
            version = (await tx.fetch("SELECT version FROM warroom_schema"))[0][0]
            for number, sql in enumerate(MIGRATIONS[version:], start=version + 1):
                await tx.con.execute(sql)
                await tx.run("UPDATE warroom_schema SET version = ?", (number,))

    # -- the primitives of the shared rules (sql_store) ------------------------------------------
    @staticmethod
    def _q(sql: str) -> str:
        return q(sql)

    def _line_errors(self, incident_id: int):
        return entry_errors(self._url, incident_id)

    def _entry_errors(self, incident_id: int):
        return entry_errors(self._url, incident_id)

    async def _fetch(self, sql: str, params: Iterable[Any] = ()) -> list:
        """A read; one that met a connection the server had dropped (a restart) is tried once
        more on a new one — reading twice is harmless, so the catch-up after a restart goes through."""
        async with self._lock:
            for retry in (True, False):
                try:
                    return await _Tx(await self._connection()).fetch(sql, params)
                except psycopg.Error as exc:
                    if not (retry and self._con.broken):
                        raise StoreError(explain(self._url, exc)) from None
        raise AssertionError("unreachable")

    @asynccontextmanager
    async def _single(self) -> AsyncIterator[_Tx]:
        """One statement, committed on its own (the trigger takes the write lock)."""
        async with self._lock:
            try:
                yield _Tx(await self._connection())
            except pg.ForeignKeyViolation:
                raise  # a missing incident: ``_entry_errors`` says so; any other refusal is a StoreError
            except psycopg.Error as exc:
                raise StoreError(explain(self._url, exc)) from None

    @asynccontextmanager
    async def _transaction(self) -> AsyncIterator[_Tx]:
        """A write transaction that takes the database's write lock first (as ``BEGIN IMMEDIATE``)."""
        async with self._lock:
            try:
                con = await self._connection()
                async with con.transaction():
                    await con.execute("SELECT pg_advisory_xact_lock(%s)", (WRITE_LOCK,))
                    yield _Tx(con)
            except pg.ForeignKeyViolation:
                raise  # a missing incident: ``_entry_errors`` says so; any other refusal is a StoreError
            except psycopg.Error as exc:
                raise StoreError(explain(self._url, exc)) from None

    # -- change detection ----------------------------------------------------------------------
    async def data_version(self) -> int:
        """Moves whenever anyone commits a change (this process too; the sync feed skips what it
        already shows), or the listener came back after missing some. From memory: the first
        call starts listening (``StoreError`` if the server cannot be reached)."""
        await self._listener.start()
        return self._listener.version

    async def wait_for_change(self, seen: int, timeout: float) -> int:
        """``data_version`` as soon as it is not ``seen`` (a notification: no polling), or after
        ``timeout`` s; ``StoreError`` then if the listener is still reconnecting."""
        await self._listener.start()
        return await self._listener.wait(seen, timeout)

    @property
    def listener(self) -> Listener:
        """The listener (tests and benches read its ``reconnects`` and ``trouble``)."""
        return self._listener

    # -- damage: the server keeps its own pages sound -------------------------------------------
    async def damage(self) -> list[str]:
        """Nothing to find: a page the server cannot read is its error, said when a read meets it."""
        return []

    async def salvage_entries(self, incident_id: int) -> tuple[list[Entry], int]:
        return await self.entries(incident_id), 0

    async def check_sound(self) -> None:
        return None
