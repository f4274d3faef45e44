"""Live between hosts: PostgreSQL says when anything changed, so no screen polls the server.

The change trigger announces every change on the ``warroom`` channel (``pg_schema`` migration
5; ``NOTIFY`` is delivered at commit, never ahead of the data). A ``Listener`` holds a connection
of its own that ``LISTEN``s, and counts: ``version`` moves on each notification, so a store's
``data_version`` is answered from memory, without a round trip, and ``wait`` wakes a screen's
sync at once. A notification only says *that* something changed; what changed is read from the
change log (``changes_since``), in commit order.

A connection lost — the server restarted, the network dropped (TCP keepalives and a user timeout
find a silent peer: ``postgres.connect_options``), the backend terminated — is replaced with a
back-off (0.1 s doubling to 5 s); ``trouble`` says why in one line meanwhile. Once listening
again the version moves once: what was committed while nobody listened is read from the log.
"""

from __future__ import annotations

import asyncio
from typing import Any, Awaitable, Callable

import psycopg

from warroom.store.errors import StoreError
from warroom.store.pg_errors import cannot_connect, explain
from warroom.store.pg_schema import CHANNEL

FIRST_RETRY_S = 0.1
RETRY_LIMIT_S = 5.0


def retry_delay(failures: int) -> float:
    """Seconds before reconnection attempt ``failures`` + 1: 0.1, 0.2, 0.4 … 5 s."""
    return min(FIRST_RETRY_S * 2 ** max(failures - 1, 0), RETRY_LIMIT_S)


class Listener:
    """``LISTEN warroom`` on a connection of its own, reconnecting until ``close``.
    ``connect(url)`` opens a connection (``postgres`` gives its own, with its options)."""

    def __init__(self, url: str, connect: Callable[[str], Awaitable[psycopg.AsyncConnection]]) -> None:
        self.url = url
        self._connect = connect
        self.version = 0  # moves whenever anything may have changed
        self.trouble = ""  # why nobody listens now (one line), "" while listening
        self.reconnects = 0  # for tests and benches
        self._moved = asyncio.Event()  # replaced on each move: a waiter keeps the one it waits on
        self._task: asyncio.Task | None = None
        self._con: psycopg.AsyncConnection | None = None
        self._starting = asyncio.Lock()  # two first callers at once start one listener

    @property
    def listening(self) -> bool:
        return self._task is not None and not self.trouble

    async def start(self) -> None:
        """Listen before returning (a change committed afterwards is never missed), then keep
        listening in a task. ``StoreError`` if the server cannot be reached now."""
        async with self._starting:
            if self._task is None:
                con = await self._listen()
                self._task = asyncio.create_task(self._run(con), name="warroom-listener")

    async def _listen(self) -> psycopg.AsyncConnection:
        con = await self._connect(self.url)
        try:
            await con.execute(f"LISTEN {CHANNEL}")
        except psycopg.Error as exc:
            await con.close()
            raise StoreError(explain(self.url, exc)) from None
        self._con = con
        return con

    async def _run(self, con: psycopg.AsyncConnection) -> None:
        while True:
            try:
                async for _ in con.notifies():
                    self._move()
                lost = "the connection closed"
            except psycopg.Error as exc:
                lost = explain(self.url, exc)
            await _quietly(con.close())
            self.trouble = lost
            con = await self._reconnect()
            self.trouble = ""
            self.reconnects += 1
            self._move()  # catch up: what was committed meanwhile is in the change log

    async def _reconnect(self) -> psycopg.AsyncConnection:
        failures = 0
        while True:
            failures += 1
            await asyncio.sleep(retry_delay(failures))
            try:
                return await self._listen()
            except StoreError as exc:
                self.trouble = str(exc)
            except psycopg.Error as exc:  # noqa: PERF203 — a connect that failed half-way
                self.trouble = cannot_connect(self.url, exc)

    def _move(self) -> None:
        self.version += 1
        moved, self._moved = self._moved, asyncio.Event()
        moved.set()

    async def wait(self, seen: int, timeout: float) -> int:
        """The version as soon as it is not ``seen``, or after ``timeout`` seconds; then, while
        nobody listens, ``StoreError`` (one line: why, and that it reconnects)."""
        if self.version == seen:
            moved = self._moved
            try:
                await asyncio.wait_for(moved.wait(), timeout)
            except TimeoutError:
                pass
        if self._task is not None and self._task.done():
            self._task.result()  # the listener itself failed (a bug): the caller's failure handler says so
        if self.version == seen and self.trouble:
            raise StoreError(f"live updates stopped, reconnecting: {self.trouble}")
        return self.version

    async def close(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            try:
                await task
            except (asyncio.CancelledError, Exception):  # noqa: BLE001 — closing: a failure was said by ``wait``
                pass
        con, self._con = self._con, None
        if con is not None:
            await _quietly(con.close())


async def _quietly(closing: Awaitable[Any]) -> None:
    try:
        await closing
    except psycopg.Error:
        pass
