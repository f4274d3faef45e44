"""The SQLite store: one file shared by every warroom process on the machine.

WAL lets the shared screen read while the scribe writes; ``busy_timeout`` and
``BEGIN IMMEDIATE`` serialise writers without errors; ``synchronous=FULL`` makes every
acknowledged write survive a crash or power cut. Each write appends to the ``changes``
table (by trigger), so another process learns cheaply that something changed:
``PRAGMA data_version`` says *whether*, ``changes_since`` says *what*.

Here: the connection, its transactions, migrations, change detection and damage; the rules
and their queries are ``sql_store``'s, shared with PostgreSQL. Beside it: ``rows`` (rows ↔ domain
values), ``journal`` (the scribe's lines on their own thread), ``errors`` (the one-line
explanations), ``damage`` (quick_check and salvage). Import from ``warroom.store``.

The connection is aiosqlite's (its own thread: the event loop never waits for the disk); a
one-shot command uses the same class over the stdlib ``sqlite3`` connection (``oneshot``), so
this module imports neither aiosqlite nor asyncio until a store is opened with them.
"""

from __future__ import annotations

import os
import sqlite3
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path

from warroom.store.errors import Damaged, NotFound, StoreError, damaged, entry_errors, explain, missing_row
from warroom.store.journal import LINE_BUSY_TIMEOUT_MS, Journal
from warroom.store.schema import MIGRATIONS, SCHEMA_VERSION, statements
from warroom.store.sql_store import SqlStore

TYPE_CHECKING = False
if TYPE_CHECKING:  # a one-shot command loads neither typing nor aiosqlite
    from typing import Any, AsyncIterator, Iterable

    import aiosqlite

    from warroom.domain.timeline import Entry

__all__ = [  # the UI still imports these from here
    "Damaged", "NotFound", "Store", "StoreError", "explain",
]

BUSY_TIMEOUT_MS = 5000
WAIT_POLL_S = 0.05


def prepare_file(path: Path) -> None:
    """Create the database file (and its folder) readable by its owner only, before SQLite does."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        os.close(os.open(path, os.O_CREAT | os.O_RDWR | os.O_EXCL, 0o600))
    except FileExistsError:
        pass  # an existing database keeps its permissions


class _Tx:
    """The shared rules' view of the aiosqlite connection (``sql_store.Tx``)."""

    __slots__ = ("db",)

    def __init__(self, db: aiosqlite.Connection) -> None:
        self.db = db

    async def fetch(self, sql: str, params: Iterable[Any] = ()) -> list:
        return list(await self.db.execute_fetchall(sql, params))

    async def run(self, sql: str, params: Iterable[Any] = ()) -> int:
        return (await self.db.execute(sql, params)).rowcount

    async def run_many(self, sql: str, rows: list[tuple]) -> None:
        await self.db.executemany(sql, rows)


class Store(SqlStore):
    """Async access to one warroom database file. Use ``async with Store.open(path) as store``.
    The rules (declare, entries, revisions, readings…) are ``SqlStore``'s, shared with PostgreSQL."""

    def __init__(self, db: aiosqlite.Connection, path: Path) -> None:
        self._db = db
        self.path = path
        self._write_lock = self._new_lock()
        self._journal = Journal(path, LINE_BUSY_TIMEOUT_MS)

    # -- lifecycle ---------------------------------------------------------------------------
    @classmethod
    @asynccontextmanager
    async def open(cls, path: str | Path) -> AsyncIterator["Store"]:
        store = await cls.connect(path)
        try:
            yield store
        finally:
            await store.close()

    @classmethod
    async def connect(cls, path: str | Path) -> "Store":
        path = Path(path).expanduser()
        try:
            prepare_file(path)
        except OSError as exc:
            raise StoreError(f"cannot create database {path}: {exc.strerror or exc}") from None
        try:
            db = await cls._open_connection(path)
        except sqlite3.Error as exc:
            raise StoreError(f"cannot open database {path}: {exc}") from None
        db.row_factory = sqlite3.Row
        store = cls(db, path)
        try:
            await store._setup()
        except BaseException:
            await db.close()
            raise
        return store

    @staticmethod
    async def _open_connection(path: Path) -> aiosqlite.Connection:
        """The connection the rules run on (``oneshot.OneShotStore``: the stdlib's, directly)."""
        import aiosqlite

        return await aiosqlite.connect(path, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000)

    def _new_lock(self) -> AbstractAsyncContextManager[Any]:
        """Writers of this process, one at a time (the transactions share one connection)."""
        import asyncio

        return asyncio.Lock()

    async def close(self, *, abandon_lines: bool = False) -> None:
        """Close once every line already handed to ``append_soon`` is committed (or has failed);
        ``abandon_lines``: the caller kept them elsewhere, so only the one being written is waited for."""
        await self._journal_done(self._journal.close(abandon=abandon_lines))
        await self._db.close()

    async def _setup(self) -> None:
        try:
            await self._db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            mode = (await self._db.execute_fetchall("PRAGMA journal_mode = WAL"))[0][0]
            if mode.lower() != "wal":
                raise StoreError(f"database {self.path}: cannot switch to WAL mode (got {mode})")
            await self._db.execute("PRAGMA synchronous = FULL")
            await self._db.execute("PRAGMA foreign_keys = ON")
            version = (await self._db.execute_fetchall("PRAGMA user_version"))[0][0]
            if version > SCHEMA_VERSION:
                raise StoreError(
                    f"database {self.path} has schema version {version}, newer than this warroom "
                    f"understands ({SCHEMA_VERSION}); upgrade warroom"
                )
            if version < SCHEMA_VERSION:
                await self._migrate()
        except sqlite3.DatabaseError as exc:
            raise StoreError(explain(self.path, exc)) from None

    async def _migrate(self) -> None:
        async with self._transaction():
            version = (await self._db.execute_fetchall("PRAGMA user_version"))[0][0]
            for number, sql in enumerate(MIGRATIONS[version:], start=version + 1):
                for statement in statements(sql):
                    await self._db.execute(statement)
                await self._db.execute(f"PRAGMA user_version = {number}")

    # -- the primitives of the shared rules (sql_store) ------------------------------------------
    async def _fetch(self, sql: str, params: Iterable[Any] = ()) -> list:
        return list(await self._db.execute_fetchall(sql, params))

    @asynccontextmanager
    async def _single(self) -> AsyncIterator[_Tx]:
        async with self._write_lock:
            yield _Tx(self._db)

    def _entry_errors(self, incident_id: int):
        return entry_errors(self.path, incident_id)

    @asynccontextmanager
    async def _transaction(self) -> AsyncIterator[_Tx]:
        """A write transaction that takes the write lock up front (no deadlock on upgrade)."""
        async with self._write_lock:
            try:
                await self._db.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as exc:
                raise StoreError(explain(self.path, exc)) from None
            try:
                yield _Tx(self._db)
            except BaseException as exc:
                await self._rollback()
                if isinstance(exc, sqlite3.DatabaseError) and not missing_row(exc):
                    raise StoreError(explain(self.path, exc)) from None  # disk full, I/O error, damaged page, a
                    # constraint; a missing incident is ``_entry_errors``' to say
                raise
            else:
                try:
                    await self._db.execute("COMMIT")
                except sqlite3.Error as exc:
                    await self._rollback()
                    raise StoreError(explain(self.path, exc)) from None

    async def _rollback(self) -> None:
        """Undo what is left of a failed transaction. After a full disk, an I/O error or a failed
        COMMIT, SQLite has often rolled it back itself, and a second ROLLBACK would fail with
        "no transaction is active" — hiding the reason that matters."""
        if self._db.in_transaction:
            try:
                await self._db.execute("ROLLBACK")
            except sqlite3.Error:
                pass  # the connection's own rollback already happened or will on close

    async def limit_pages(self, pages: int) -> None:
        """For tests where no small disk can be mounted: the file is full at ``pages`` pages,
        SQLite failing as on a full disk (SQLITE_FULL)."""
        await self._db.execute(f"PRAGMA max_page_count = {int(pages)}")
        await self._journal_done(self._journal.submit(lambda con: con.execute(f"PRAGMA max_page_count = {int(pages)}")))

    async def set_busy_timeout(self, ms: int) -> None:
        """How long a write waits for another process's lock before failing (tests shorten the 5 s)."""
        await self._db.execute(f"PRAGMA busy_timeout = {int(ms)}")
        await self._journal_done(self._journal.set_busy_timeout(ms))

    # -- change detection ----------------------------------------------------------------------
    live = False  # no signal from other processes: ``data_version`` is polled

    async def data_version(self) -> int:
        """Changes whenever *another* connection commits; costs no disk read."""
        return (await self._db.execute_fetchall("PRAGMA data_version"))[0][0]

    async def wait_for_change(self, seen: int, timeout: float) -> int:
        """``data_version`` once it is not ``seen``, or after ``timeout`` s: SQLite has no signal,
        so this polls (every 50 ms); the sync feed polls on its own schedule instead."""
        import asyncio  # here: a one-shot command never waits for a change, nor loads asyncio

        deadline = asyncio.get_running_loop().time() + timeout
        while (version := await self.data_version()) == seen and asyncio.get_running_loop().time() < deadline:
            await asyncio.sleep(WAIT_POLL_S)
        return version

    async def integrity_check(self) -> str:
        return (await self._db.execute_fetchall("PRAGMA integrity_check"))[0][0]

    async def damage(self) -> list[str]:
        """``PRAGMA quick_check``'s findings (empty for a sound file): a damaged page mid-file
        otherwise shows only when a read reaches it, as a traceback mid-export."""
        from warroom.store.damage import quick_check

        return await self._in_thread(quick_check, self.path)  # its own connection: reads go on meanwhile

    async def salvage_entries(self, incident_id: int) -> tuple[list[Entry], int]:
        """From a damaged file: the incident's entries that can still be read, each on its own
        (a scan stops at the first bad page; a lookup by id goes around it), in timeline order,
        and how many entry ids (of any incident) could not be read."""
        from warroom.store.damage import salvage

        return await self._in_thread(salvage, self.path, incident_id)

    async def check_sound(self) -> None:
        """Raise ``Damaged`` (one line: what is damaged, how to recover) unless ``quick_check`` passes."""
        problems = await self.damage()
        if problems:
            raise Damaged(damaged(self.path, problems))
