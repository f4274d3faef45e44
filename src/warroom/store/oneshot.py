"""The SQLite store for a command that opens the file, does one thing and exits (``warroom log``):
the same class, rules, SQL and errors as the TUI's, over the stdlib ``sqlite3`` connection instead
of aiosqlite's thread — and no event loop at all.

The rules (``sql_store``) are coroutines over four primitives. Over a connection whose calls are
synchronous underneath they never suspend, so ``run_sync`` drives one to its end with
``coro.send(None)``: no asyncio to import (with what it pulls in, a quarter of what ``warroom log``
cost), no loop to start, no thread. A coroutine that does suspend — something awaited a real
future — is a bug, said at once rather than hung. The file is prepared, locked, migrated and
explained exactly as by ``sqlite.Store``, which this subclasses: only the connection differs.
"""

from __future__ import annotations

import sqlite3
from contextlib import nullcontext
from pathlib import Path

from warroom.store.sqlite import BUSY_TIMEOUT_MS, Store

TYPE_CHECKING = False
if TYPE_CHECKING:  # neither typing nor concurrent.futures is imported by a one-shot command
    from concurrent.futures import Future
    from typing import Any, Callable, Coroutine, Iterable, TypeVar

    T = TypeVar("T")


class Suspended(RuntimeError):
    """A coroutine given to ``run_sync`` waited for something: it needs an event loop."""


def run_sync(coro: Coroutine[Any, Any, T]) -> T:
    """The value of a coroutine that never suspends, run to its end without an event loop."""
    try:
        waited = coro.send(None)
    except StopIteration as done:
        return done.value
    coro.close()
    raise Suspended(f"{coro!r} waited for {waited!r}: it needs an event loop (run it with asyncio)")


class Connection:
    """A stdlib ``sqlite3`` connection behind the coroutine methods ``sqlite.Store`` calls on
    aiosqlite's: each runs at once, on the caller's thread, and returns without suspending."""

    __slots__ = ("_con",)

    def __init__(self, con: sqlite3.Connection) -> None:
        self._con = con

    @property
    def row_factory(self) -> Any:
        return self._con.row_factory

    @row_factory.setter
    def row_factory(self, factory: Any) -> None:
        self._con.row_factory = factory

    @property
    def in_transaction(self) -> bool:
        return self._con.in_transaction

    async def execute(self, sql: str, params: Iterable[Any] = ()) -> sqlite3.Cursor:
        return self._con.execute(sql, tuple(params))

    async def execute_fetchall(self, sql: str, params: Iterable[Any] = ()) -> list:
        return self._con.execute(sql, tuple(params)).fetchall()

    async def executemany(self, sql: str, rows: Iterable[Iterable[Any]]) -> sqlite3.Cursor:
        return self._con.executemany(sql, rows)

    async def close(self) -> None:
        self._con.close()


class OneShotStore(Store):
    """``sqlite.Store`` over a synchronous connection: every method a coroutine that never suspends
    (``run_sync``), or that an event loop runs like any other (the store tests run it so). Work
    that the TUI's store hands to a thread is done in place: nothing else waits for it."""

    @staticmethod
    async def _open_connection(path: Path) -> Connection:  # type: ignore[override]
        return Connection(sqlite3.connect(path, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000))

    def _new_lock(self) -> nullcontext[None]:  # type: ignore[override]
        # No lock needed: a transaction's body never suspends, so nothing can run inside it.
        return nullcontext()

    async def _in_thread(self, work: Callable[..., T], *args: Any) -> T:
        return work(*args)

    async def _journal_done(self, future: Future[T]) -> T:
        return future.result()

    async def close(self, *, abandon_lines: bool = False) -> None:
        if not self._journal.close_unused():  # else no thread to wait for (nor concurrent.futures to import)
            await self._journal_done(self._journal.close(abandon=abandon_lines))
        await self._db.close()
