"""The sync feed: what other warroom processes wrote to the same database, shown within half a
second on SQLite, at once on PostgreSQL.

On SQLite a poll costs one ``PRAGMA data_version`` while nothing changed; on PostgreSQL (a
``live`` store) the poll waits for the server's signal instead (``wait_for_change``) and the next
starts as soon as one ends: still one worker at a time, and no polling. When something changed,
only the entries changed since the last sequence are read. A locked or unreachable database
pauses the sync (said under the line) and it resumes by itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from warroom.domain.incident import Incident
from warroom.domain.timeline import Entry
from warroom.store import StoreError
from warroom.ui.feeds import Feed

#: How long a live poll waits for a change before it starts again (and says so if the server's
#: signal is still lost then).
LIVE_WAIT_S = 2.0
#: After a live poll the next starts at once (Textual's timers cannot be armed at 0 s); a change
#: committed in between is not missed: the next wait returns at once.
LIVE_AGAIN_S = 0.005

if TYPE_CHECKING:
    from warroom.ui.app import WarRoomApp


@dataclass(frozen=True)
class Synced:
    """What changed: the incident's new state, entries changed, an incident declared elsewhere."""

    incident: Incident | None = None
    entries: list[Entry] = field(default_factory=list)
    elsewhere: Incident | None = None
    paused: str = ""  # why the database could not be read


class SyncFeed:
    def __init__(self, app: WarRoomApp, interval: float) -> None:
        self._app = app
        self.interval = interval
        self._known: set[int] | None = None  # incidents this screen has heard of (None: not read yet)
        self._again: float | None = None  # when the next poll starts (None: after the interval)

    def feed(self) -> Feed:
        return Feed("sync", self.poll, self.deliver, self._failed, interval=self.interval)

    async def poll(self) -> Synced | None:
        session = self._app.session
        store, room = session.store, session.room
        self._again = None
        if store is None:
            return None
        try:
            if self._known is None:  # what exists now is not news
                self._known = {i.id for i in await store.incidents()}
            if store.live:
                version = await store.wait_for_change(room.data_version, LIVE_WAIT_S)
                self._again = LIVE_AGAIN_S  # the wait was the interval
            else:
                version = await store.data_version()
            if version == room.data_version:
                return None
            room.data_version = version
            if room.incident is None:  # one was declared elsewhere: open it
                active = await store.active_incident_id()
                if active is not None:
                    await session.load(active)
                return None
            incident_id = room.incident.id
            seq, entry_ids, incident_changed = await store.changes_since(room.seq, incident_id)
            room.seq = seq
            incident = await store.incident(incident_id) if incident_changed else None
            # this process's own journal counts as another connection: what it wrote is shown already
            entries = room.changed(await store.entries(incident_id, ids=entry_ids)) if entry_ids else []
            return Synced(incident=incident, entries=entries, elsewhere=await self._declared_elsewhere(incident_id))
        except StoreError as exc:
            self._again = None
            return Synced(paused=str(exc))

    async def _declared_elsewhere(self, shown: int) -> Incident | None:
        """A new incident another process declared (it became the active one) while this screen
        shows another: the IC hears of it once."""
        store = self._app.session.store
        active = await store.active_incident_id()
        if active is None or active == shown or active in self._known:
            return None
        self._known.add(active)
        return await store.incident(active)

    def deliver(self, synced: Synced | None) -> float | None:
        if synced is None:
            return self._again
        session = self._app.session
        if synced.paused:
            session.sync_trouble(f"sync paused: {synced.paused}")
        else:
            session.sync_trouble("")
            if synced.incident is not None and session.room.incident_id == synced.incident.id:
                session.room.incident = synced.incident
            if synced.entries:
                session.apply(synced.entries, clock=synced.incident is not None)
            elif synced.incident is not None:
                session.render_clock()
            if synced.elsewhere is not None:
                new = synced.elsewhere
                self._app.notify(f"{new.ref} declared elsewhere: {new.title} ({new.level.label}) — F3 switches to it",
                                 title="New incident", severity="warning", timeout=30)
        return self._again

    def _failed(self, message: str) -> None:
        self._app.session.sync_trouble(f"sync stopped: {message}")
