"""The stakeholder page's live state: one reader for every visitor.

One task follows the store (``wait_for_change``: PostgreSQL's notifications, SQLite's
``data_version``), reads the incident again when another process wrote, and renders the page's
live part each second (the clocks tick) off the event loop; every open page (a Server-Sent
Events stream) gets each new rendering as it comes. Fifty visitors cost one read, not fifty.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

from warroom.domain.incident import Incident
from warroom.domain.status_page import state_html
from warroom.domain.timeline import Entry
from warroom.store import NotFound, StoreError, connect_store

log = logging.getLogger("warroom.serve")

#: Longest a change waits before the page shows it (SQLite is polled by ``wait_for_change``
#: every 50 ms within this); also how often the clocks on the page move.
TICK_S = 1.0
RETRY_S = 2.0


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


class StatusFeed:
    def __init__(self, location: Path | str, *, incident_id: int | None = None, timeline: bool = False,
                 clock: Callable[[], datetime] = utc_now, tick: float = TICK_S) -> None:
        self.location = location
        self.incident_id = incident_id
        self.timeline = timeline
        self.clock = clock
        self.tick = tick
        self.state = ""  # the latest rendering of the live part
        self.version = 0  # bumped with each new rendering
        self._changed = asyncio.Condition()
        self._incident: Incident | None = None
        self._entries: list[Entry] = []
        self._problem = ""
        self.ready = asyncio.Event()

    async def run(self) -> None:
        """Until cancelled: read, render, wait for a change or the next second. The store is
        closed on the way out (its connection thread would keep the process alive)."""
        store = None
        seen = -1
        try:
            while True:
                try:
                    if store is None:
                        store = await connect_store(self.location)
                        seen = -1
                    version = await store.wait_for_change(seen, self.tick) if seen >= 0 else await store.data_version()
                    if version != seen:
                        seen = version
                        await self._read(store)
                    self._problem = ""
                except (StoreError, NotFound, OSError) as exc:
                    self._problem = f"the database could not be read ({exc}); retrying"
                    log.warning("status page: %s", self._problem)
                    if store is not None:
                        await _close(store)
                        store = None
                    await self._publish()
                    await asyncio.sleep(RETRY_S)
                    continue
                await self._publish()
        finally:
            if store is not None:
                await asyncio.shield(_close(store))

    async def _read(self, store) -> None:
        incident_id = self.incident_id or await store.active_incident_id()
        if incident_id is None:
            self._incident, self._entries = None, []
            return
        self._incident = await store.incident(incident_id)
        self._entries = await store.entries(incident_id)

    async def _publish(self) -> None:
        incident, entries, problem, now = self._incident, self._entries, self._problem, self.clock()
        rendered = await asyncio.to_thread(state_html, incident, entries, now, timeline=self.timeline,
                                           problem=problem)
        if rendered != self.state:
            async with self._changed:
                self.state = rendered
                self.version += 1
                self._changed.notify_all()
        self.ready.set()

    async def next(self, after: int) -> tuple[int, str]:
        """The first rendering newer than version ``after``: (its version, the HTML)."""
        async with self._changed:
            await self._changed.wait_for(lambda: self.version > after)
            return self.version, self.state


async def _close(store) -> None:
    try:
        await store.close()
    except Exception:  # noqa: BLE001 — closing a broken connection: nothing more to say
        pass
