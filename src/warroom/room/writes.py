"""The write queue of a war room screen: every store write, one at a time, in the order made.

A failed write is never dropped and never kills the queue: it stays first in line, is counted
in the hint with the reason ("2 lines not saved yet … disk full"), and is retried with a
bounded back-off, whatever failed — a locked file, a full disk, an I/O error, even a bug. Only
a write the store refuses as wrong (``rejects``: no such incident, an empty line) is dropped,
and said so. The scribe's lines are counted apart: when the screen quits with some still
waiting, ``unsaved`` names exactly those not committed, for the file kept beside the database.

Each line carries a client id (``new_client_id``), made once when it is typed and sent with every
attempt: the store writes a given id once, so a retry after a lost acknowledgement (the commit
happened, the answer never came back) finds the entry already there instead of writing it twice.

No Textual here: the screen gives callbacks (``changed``, ``rejected``, ``failed``), the tests
give plain coroutines.
"""

from __future__ import annotations

import asyncio
import inspect
import uuid
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Awaitable, Callable

from warroom.store import LineGate, NotAttempted


@dataclass(frozen=True)
class Backoff:
    """Seconds to wait before retry ``n`` (1, 2, …): doubling from ``first`` up to ``limit``."""

    first: float = 0.5
    limit: float = 8.0

    def delay(self, failures: int) -> float:
        return min(self.first * 2 ** max(failures - 1, 0), self.limit)


def new_client_id() -> str:
    """A write's own id, unique across hosts and restarts (the store keeps it unique)."""
    return uuid.uuid4().hex


@dataclass
class PendingLine:
    """A line as the scribe typed it (``raw``), at ``at``, until it is committed; ``client_id``
    is sent with every attempt to write it."""

    at: datetime
    raw: str
    written: bool = False
    client_id: str = field(default_factory=new_client_id)


@dataclass
class _Write:
    what: str
    write: Callable[[], Awaitable[Any]]
    done: Callable[[Any], Any] | None = None
    line: PendingLine | None = None
    first: asyncio.Future | None = None  # an attempt started before the queue reached it
    started: asyncio.Future | None = field(default=None, repr=False)  # the same, kept to ask at quit

    def committed(self) -> bool:
        if self.line is None:
            return False
        if self.line.written:
            return True
        f = self.started
        return f is not None and f.done() and not f.cancelled() and f.exception() is None


def reason(exc: BaseException) -> str:
    """Why a write failed, on one line and never empty (a bare exception has no message)."""
    return " ".join(str(exc).split()) or type(exc).__name__


def waiting_hint(lines: int, changes: int, why: str, retry_in: float | None) -> str:
    """``retry_in`` None: the attempt is under way, still without an answer."""
    parts = [f"{n} {word}{'s' if n != 1 else ''}" for n, word in ((lines, "line"), (changes, "change")) if n]
    what = " and ".join(parts) or "nothing"
    then = "waiting" if retry_in is None else f"retrying in {retry_in:g} s"
    return f"⚠ {what} not saved yet — kept, {then}: {why}"


#: Seconds an attempt may go without an answer before the hint says the writes wait (a network
#: cut does not fail a write: it hangs until the link is back or the connection times out).
SLOW_AFTER = 1.0


class WriteQueue:
    def __init__(
        self,
        *,
        rejects: tuple[type[BaseException], ...] = (),
        backoff: Backoff = Backoff(),
        slow_after: float = SLOW_AFTER,
        changed: Callable[[], None] = lambda: None,
        rejected: Callable[[str, BaseException], None] = lambda what, exc: None,
        failed: Callable[[str, BaseException], None] = lambda what, exc: None,
    ) -> None:
        self.gate = LineGate()
        self.trouble = ""  # why the write first in line failed, while it waits
        self.retry_in: float | None = 0.0  # None: waiting for the answer to the attempt under way
        self._slow_after = slow_after
        self._rejects = rejects
        self._backoff = backoff
        self._changed = changed
        self._rejected = rejected
        self._failed = failed
        self._items: deque[_Write] = deque()
        self._more = asyncio.Event()
        self._idle = asyncio.Event()
        self._idle.set()
        self._stop = asyncio.Event()
        self._stopped = asyncio.Event()
        self._running = False

    # -- handing writes over --------------------------------------------------------------------
    def change(self, what: str, write: Callable[[], Awaitable[Any]], done: Callable[[Any], Any] | None = None) -> None:
        """Queue ``write`` (retried until it succeeds or is rejected); then ``done(result)``, once
        (what it does is not retried: the write is in)."""
        self._put(_Write(what, write, done))

    def line(self, at: datetime, raw: str, write: Callable[[], Awaitable[Any]],
             done: Callable[[Any], Any] | None = None, *, first: asyncio.Future | None = None,
             client_id: str | None = None) -> None:
        """Queue the scribe's line ``raw``; ``first``: an attempt already started (its outcome is
        the first attempt's); ``client_id``: the id every attempt sends (made when the line was
        typed). Counted in ``lines_waiting`` until committed."""
        if first is not None:
            first.add_done_callback(lambda f: f.cancelled() or f.exception())  # read by the queue, or at quit
        else:
            self.gate.close()  # written by the writer: a line typed after it must not commit first
        pending = PendingLine(at, raw) if client_id is None else PendingLine(at, raw, client_id=client_id)
        self._put(_Write(raw, write, done, pending, first, first))

    def _put(self, item: _Write) -> None:
        self._items.append(item)
        self._idle.clear()
        self._more.set()
        if self.trouble:
            self._changed()  # the count in the hint goes up

    # -- what waits -------------------------------------------------------------------------------
    @property
    def lines_waiting(self) -> int:
        return sum(1 for i in self._items if i.line is not None and not i.committed())

    @property
    def changes_waiting(self) -> int:
        return sum(1 for i in self._items if i.line is None)

    def hint(self) -> str:
        """The warning under the input line while writes wait after a failure ("" otherwise)."""
        if not self.trouble or not self._items:
            return ""
        return waiting_hint(self.lines_waiting, self.changes_waiting, self.trouble, self.retry_in)

    def unsaved(self) -> tuple[list[PendingLine], list[str]]:
        """The lines not committed, and what the other writes still queued were. Exact once
        ``stop`` has returned and no attempt started elsewhere can still commit."""
        lines = [i.line for i in self._items if i.line is not None and not i.committed()]
        return lines, [i.what for i in self._items if i.line is None]

    @property
    def stopping(self) -> bool:
        """``stop`` was called: no attempt starts any more."""
        return self._stop.is_set()

    async def join(self) -> None:
        """Until every write queued is committed or rejected (and its ``done`` has run)."""
        await self._idle.wait()

    # -- the writer --------------------------------------------------------------------------------
    async def run(self) -> None:
        """Write until ``stop``. Never raises (but cancellation)."""
        self._running = True
        failures = 0
        try:
            while not self._stop.is_set():
                if not self._items:
                    self._idle.set()
                    self._more.clear()
                    await _first_of(self._more, self._stop)
                    continue
                item = self._items[0]
                try:
                    value = await self._answered(self._attempt(item))
                except NotAttempted:
                    continue  # an earlier line failed after this one was handed over: try it now
                except self._rejects as exc:
                    self._finish(item)
                    self._rejected(item.what, exc)
                    continue
                except Exception as exc:  # noqa: BLE001 — whatever failed, the write waits and is retried
                    failures += 1
                    self.trouble, self.retry_in = reason(exc), self._backoff.delay(failures)
                    self._changed()
                    await _first_of(self._stop, timeout=self.retry_in)
                    continue
                failures, self.trouble = 0, ""
                if item.line is not None:
                    item.line.written = True
                if item.done is not None:
                    try:
                        result = item.done(value)
                        if inspect.isawaitable(result):
                            await result
                    except Exception as exc:  # noqa: BLE001 — written; showing it failed: say so, go on
                        self._failed(item.what, exc)
                self._finish(item)
        finally:
            self._running = False
            self._stopped.set()

    async def _answered(self, attempt: Awaitable[Any]) -> Any:
        """The attempt's outcome; should it take longer than ``slow_after``, the hint says the
        writes wait (and counts them) until it ends."""
        task = asyncio.ensure_future(attempt)
        try:
            done, _ = await asyncio.wait([task], timeout=self._slow_after)
            if not done:
                self.trouble, self.retry_in = f"no answer from the database for {self._slow_after:g} s", None
                self._changed()
            return await task
        except asyncio.CancelledError:
            task.cancel()
            raise

    async def _attempt(self, item: _Write) -> Any:
        if item.first is not None:
            first, item.first = item.first, None
            return await first
        return await item.write()

    def _finish(self, item: _Write) -> None:
        self._items.popleft()
        if not any(i.line is not None for i in self._items):
            self.gate.open()  # no line waits: the next one typed may be written at once
        if not self._items:
            self._idle.set()
        self._changed()

    async def stop(self) -> None:
        """Start no more attempts: the one under way ends (committed or not), then the writer
        stops. Lines handed to the store's journal behind the gate are not attempted any more."""
        self.gate.close()
        self._stop.set()
        if self._running:
            await self._stopped.wait()


async def _first_of(*events: asyncio.Event, timeout: float | None = None) -> None:
    """Wait until one of ``events`` is set, or ``timeout`` passes."""
    waiters = [asyncio.ensure_future(e.wait()) for e in events]
    try:
        await asyncio.wait(waiters, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for w in waiters:
            w.cancel()
