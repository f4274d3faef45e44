"""The journal: the scribe's lines committed from the key handler, on a thread of their own.

``Store.append_soon`` starts a line's commit before it returns, on a dedicated thread and
connection, so Enter-to-durable waits for the disk only, never for the event loop to finish a
frame and schedule a coroutine (that wait was the whole p99). One thread: lines commit in the
order typed; ``LineGate`` keeps that order across a failure, ``settle_lines`` says at quit which
lines are written.
"""

from __future__ import annotations

import sqlite3
from _thread import allocate_lock
from contextlib import AbstractContextManager
from datetime import datetime
from pathlib import Path

from warroom.domain.timeline import Entry, EntryError, parse_kind
from warroom.store.errors import StoreError, entry_errors, explain
from warroom.store.rows import ENTRY_COLUMNS, INSERT_ENTRY, entry_params, new_entry, to_entry

TYPE_CHECKING = False
if TYPE_CHECKING:  # asyncio and concurrent.futures load on first use: a one-shot CLI command never journals
    import asyncio
    from typing import Any, Callable
    from concurrent.futures import Future, ThreadPoolExecutor

#: The scribe's lines wait less for a lock: the writer retries them, and quitting waits for the
#: attempt under way before it can say which lines are written.
LINE_BUSY_TIMEOUT_MS = 2000


class NotAttempted(StoreError):
    """A line's write was not tried (nothing written): an earlier line is still waiting, and
    lines are written in the order typed. Retry it once the earlier ones are in."""


class LineGate:
    """Keeps the scribe's lines in order across a failure. A line handed to the journal at Enter
    (``append_soon(gate=…)``) runs only while the gate is open; the first failed write closes it
    (from the journal's thread, before the event loop hears of it), so the lines already handed
    over behind it are ``NotAttempted``. The writer retries them in order without the gate, and
    opens it again once no line waits."""

    def __init__(self) -> None:
        import threading  # a gate is the TUI's: a one-shot command never makes one

        self._open = threading.Event()
        self._open.set()

    @property
    def is_open(self) -> bool:
        return self._open.is_set()

    def open(self) -> None:
        self._open.set()

    def close(self) -> None:
        self._open.clear()


class Journal:
    """A thread of its own with a connection of its own, for the writes that must not wait for the
    event loop (``Store.append_soon``). One thread: the writes commit in the order handed over.
    The connection opens on first use, so a store that never journals costs no thread."""

    def __init__(self, path: Path, busy_timeout_ms: int) -> None:
        self.path = path
        self.busy_timeout_ms = busy_timeout_ms
        self._executor: ThreadPoolExecutor | None = None  # made on first use
        self._con: Any = None  # the engine's connection (sqlite3's; psycopg's in PgJournal)
        self._closed = self._used = False
        self._closing: Future | None = None
        self._queued: set[Future] = set()
        self._lock = allocate_lock()  # threading.Lock, without importing threading

    def submit(self, write: Callable[[Any], Any]) -> Future:
        with self._lock:
            if self._closed:
                raise StoreError(f"database {self.path} is closed")
            if self._executor is None:
                from concurrent.futures import ThreadPoolExecutor

                self._executor = ThreadPoolExecutor(1, thread_name_prefix="warroom-journal")
            self._used = True
            future = self._executor.submit(self._run, write)
            self._queued.add(future)
        future.add_done_callback(self._queued.discard)
        return future

    def _run(self, write: Callable[[Any], Any]) -> Any:
        try:
            if self._con is not None and not self._usable(self._con):
                self._close()  # the server went away: the next write connects again
            if self._con is None:
                self._con = self._connect()
            return write(self._con)
        except Exception as exc:
            failure = self._failure(exc)
            if failure is None:
                raise
            raise failure from None

    # -- the engine's part (SQLite here; PostgreSQL overrides) -----------------------------------
    def _connect(self) -> Any:
        con = sqlite3.connect(self.path, isolation_level=None, timeout=self.busy_timeout_ms / 1000)
        con.execute("PRAGMA synchronous = FULL")  # WAL is the file's, set by the store
        con.execute("PRAGMA foreign_keys = ON")
        return con

    def _usable(self, con: Any) -> bool:
        return True

    def _failure(self, exc: Exception) -> StoreError | None:
        """The one-line error an engine's exception becomes (None: raise it as it is)."""
        return StoreError(explain(self.path, exc)) if isinstance(exc, sqlite3.Error) else None

    def set_busy_timeout(self, ms: int) -> Future:
        """For tests: give up on a locked file sooner than the default 5 s."""
        self.busy_timeout_ms = ms
        return self.submit(lambda con: con.execute(f"PRAGMA busy_timeout = {int(ms)}"))

    def close(self, *, abandon: bool = False) -> Future:
        """Close after the writes already handed over; the future is done when the connection is.
        ``abandon``: drop the writes not yet started (their lines are kept elsewhere); the one
        being written is still waited for, so that nothing commits after the future is done."""
        with self._lock:
            if self._closing is not None:
                return self._closing
            self._closed = True
            if abandon:
                for future in list(self._queued):
                    future.cancel()  # refused by the one already running: that one is waited for
            if self._executor is not None:
                self._closing = self._executor.submit(self._close)
                self._executor.shutdown(wait=False)
            else:
                from concurrent.futures import Future

                self._closing = Future()
                self._closing.set_result(None)
        return self._closing

    def close_unused(self) -> bool:
        """Close at once if nothing was ever handed over (True); else False, and ``close`` it."""
        with self._lock:
            if self._used:
                return False
            self._closed = True
            return True

    def _close(self) -> None:
        if self._con is not None:
            try:
                self._con.close()
            finally:
                self._con = None


class ScribeLines:
    """The store's side of the journal (mixed into each engine's store, which sets ``path`` and
    ``_journal``, and says how its connection writes: ``_q``, ``_line_errors``)."""

    path: Path | str
    _journal: Journal

    @staticmethod
    def _q(sql: str) -> str:
        """``sql`` (written with ``?``) in the engine's paramstyle."""
        return sql

    def _line_errors(self, incident_id: int) -> AbstractContextManager[None]:
        return entry_errors(self.path, incident_id)

    async def _journal_done(self, future: Future) -> Any:
        """The result of something handed to the journal's thread, the event loop going on meanwhile
        (``oneshot.OneShotStore``, which has none, waits for it in place)."""
        import asyncio

        return await asyncio.wrap_future(future)

    def open_journal(self) -> None:
        """Open the journal's thread and connection now, in the background, so the scribe's first
        line does not pay for them (~200 ms on a slow machine)."""
        self._journal.submit(lambda con: None)

    def append_soon(
        self,
        incident_id: int,
        text: str,
        *,
        author: str,
        now: datetime,
        at: datetime | None = None,
        kind: str = "note",
        owner: str = "",
        due: datetime | None = None,
        gate: LineGate | None = None,
        client_id: str | None = None,
    ) -> asyncio.Future[Entry]:
        """Start appending the scribe's line before returning, on the journal's own thread and
        connection: the commit then waits for the disk only, never for the event loop to finish a
        frame and schedule a coroutine (that wait was the whole Enter-to-durable p99). Lines handed
        over are committed in order, and ``close`` waits for them. The future fails with
        ``StoreError``/``NotFound`` as ``append`` would; nothing is written then, so a retry through
        ``append`` cannot write the line twice. With ``gate`` (see ``LineGate``) the line is not
        attempted while the gate is closed, and a failure closes it."""
        kind = parse_kind(kind)
        if not text.strip():
            raise EntryError("an entry needs some text")
        params = entry_params(incident_id, text, kind, author, at or now, now, owner, due, None, client_id)
        sql = self._q(INSERT_ENTRY.format(conflict=" ON CONFLICT DO NOTHING" if client_id else ""))
        again = self._q(f"SELECT {ENTRY_COLUMNS} FROM entries WHERE client_id = ?")
        errors = self._line_errors

        def insert(con) -> Entry:
            if gate is not None and not gate.is_open:
                raise NotAttempted("waiting for an earlier line")
            try:
                with errors(incident_id):
                    row = con.execute(sql, params).fetchone()
                    if row is None:  # written by an earlier attempt whose acknowledgement was lost
                        return to_entry(con.execute(again, (client_id,)).fetchone())
            except BaseException:
                if gate is not None:
                    gate.close()
                raise
            return new_entry(row[0], params)

        import asyncio

        return asyncio.wrap_future(self._journal.submit(insert))

    async def settle_lines(self) -> None:
        """Stop the journal: the lines handed over but not started are dropped (the caller keeps
        them), and the one being written, if any, is waited for — so that afterwards every line
        is known to be written or not, none still on its way."""
        await self._journal_done(self._journal.close(abandon=True))
