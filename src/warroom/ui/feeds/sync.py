"""The sync feed: what other warroom processes wrote to the same database, shown within half a second.

A poll costs one ``PRAGMA data_version`` while nothing changed; when something did, only the
entries changed since the last sequence are read. A locked or unreachable database pauses the
sync (said under the line) and it resumes by itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from warroom.domain.incident import Incident
from warroom.domain.timeline import Entry
from warroom.store import StoreError
from warroom.ui.feeds import Feed

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

    def feed(self) -> Feed:
        return Feed("sync", self.poll, self.deliver, self._failed, interval=self.interval)

    async def poll(self) -> Synced | None:
        session = self._app.session
        store, room = session.store, session.room
        if store is None:
            return None
        try:
            if self._known is None:  # what exists now is not news
                self._known = {i.id for i in await store.incidents()}
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

    def deliver(self, synced: Synced | None) -> None:
        if synced is None:
            return
        session = self._app.session
        if synced.paused:
            session.hint(f"sync paused: {synced.paused}", error=True)
        else:
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

    def _failed(self, message: str) -> None:
        self._app.session.hint(f"sync stopped: {message}", error=True)
