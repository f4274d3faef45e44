"""What the rest of warroom asks of a store, as a typed interface (``IncidentStore``), implemented by
SQLite (``sqlite.Store``) and PostgreSQL (``postgres.PgStore``); ``warroom.store.connect`` opens
the one a location names.

The CLI, the war room screen, the review draft and the replay depend on these methods only, so
that a second engine (PostgreSQL, for a team sharing one database) can stand in for the SQLite
``Store`` without touching them. Opening one is the engine's own affair (``Store.open``), and so
are its test hooks (``limit_pages``, ``set_busy_timeout``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable, Protocol

from warroom.domain.heartbeat import Heartbeat
from warroom.domain.incident import Incident
from warroom.domain.policy import Policy
from warroom.domain.recording import Record
from warroom.domain.timeline import Entry
from warroom.store.journal import LineGate
from warroom.store.whole import WholeIncident

if TYPE_CHECKING:  # a type only: the one-shot CLI never loads asyncio
    import asyncio

#: A pure change to an incident: the incident after, and the texts of the system entries it writes.
Change = Callable[[Incident], tuple[Incident, list[str]]]


@dataclass(frozen=True)
class DrillScenario:
    """What the store keeps of a drill: the scenario's name and whole text, and how it was run."""

    name: str
    source: str
    speed: float = 1.0
    started_at: datetime | None = None


class IncidentStore(Protocol):
    """Incidents, their timelines and their readings, shared by every warroom process that uses
    the same database. ``client_id`` (``append``, ``append_soon``, ``change``): made by the writer,
    unique; a retry with the same one writes nothing and gives back the entry already written
    (``change``: the incident and its entries as the first attempt left them). Errors:
    ``StoreError`` (one line: which database, what is wrong, what to do), ``NotFound``; ``Damaged``
    from ``check_sound``; ``IncidentError``/``EntryError`` for input the domain refuses."""

    #: Where the data lives, as said in messages (``damaged(store.path, …)``): the file's path, or
    #: the PostgreSQL URL without its password (``location.shown``).
    path: Path | str

    async def close(self, *, abandon_lines: bool = False) -> None: ...

    # -- change detection: another process wrote ---------------------------------------------
    #: True: ``wait_for_change`` returns as soon as another process commits (PostgreSQL's
    #: ``LISTEN``); False: it can only poll (SQLite), so a screen polls ``data_version`` itself.
    live: bool

    async def data_version(self) -> int: ...

    async def wait_for_change(self, seen: int, timeout: float) -> int: ...

    async def change_seq(self) -> int: ...

    async def changes_since(self, seq: int, incident_id: int | None = None) -> tuple[int, set[int], bool]: ...

    # -- incidents ------------------------------------------------------------------------------
    async def declare(
        self,
        title: str,
        policy: Policy,
        severity: str,
        *,
        now: datetime,
        author: str,
        detected_at: datetime | None = None,
        declared_at: datetime | None = None,
        services: Iterable[str] = (),
        impact: str = "",
        drill: bool = False,
        make_active: bool = True,
        scenario: DrillScenario | None = None,
    ) -> Incident: ...

    async def drill_scenario(self, incident_id: int) -> DrillScenario | None: ...

    async def incident(self, incident_id: int) -> Incident: ...

    async def incidents(self, *, include_resolved: bool = True) -> list[Incident]: ...

    async def active_incident_id(self) -> int | None: ...

    async def set_active(self, incident_id: int) -> None: ...

    async def change(self, incident_id: int, change: Change, *, author: str, at: datetime, now: datetime,
                     kind: str = "system", client_id: str | None = None) -> tuple[Incident, list[Entry]]: ...

    # -- entries ----------------------------------------------------------------------------------
    async def append(
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
        key: str | None = None,
        client_id: str | None = None,
    ) -> Entry | None: ...

    def open_journal(self) -> None: ...

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
    ) -> asyncio.Future[Entry]: ...

    async def settle_lines(self) -> None: ...

    async def append_keyed(self, incident_id: int, rows: Iterable[tuple[str, str, datetime, str]], *, author: str,
                           now: datetime) -> list[Entry]: ...

    async def entries(self, incident_id: int, *, with_history: bool = False,
                      ids: Iterable[int] | None = None) -> list[Entry]: ...

    async def edit(self, entry_id: int, *, by: str, now: datetime, text: str | None = None,
                   kind: str | None = None, at: datetime | None = None,
                   owner_due: tuple[str, datetime | None] | None = None) -> Entry: ...

    async def redact(self, entry_id: int, *, reason: str, by: str, now: datetime) -> Entry: ...

    async def star(self, entry_id: int, starred: bool = True) -> Entry: ...

    async def set_action_done(self, entry_id: int, done: bool = True, *, by: str, now: datetime) -> Entry: ...

    async def action_entries(self) -> list[Entry]: ...

    # -- readings -----------------------------------------------------------------------------------
    async def record(self, incident_id: int, records: Iterable[Record]) -> int: ...

    async def readings(self, incident_id: int) -> list[Record]: ...

    async def prune_readings(self, resolved_before: datetime) -> tuple[list[int], int]: ...

    async def readings_since(self, incident_id: int, after: int = 0) -> tuple[int, list[Record]]: ...

    # -- the headless watcher (``warroom watch``): heartbeat, rolling window -------------------------
    async def beat(self, beat: Heartbeat) -> None: ...

    async def watchers(self) -> list[Heartbeat]: ...

    async def end_watcher(self, watcher_id: str, *, gone_before: datetime | None = None) -> None: ...

    async def record_window(self, records: Iterable[Record]) -> int: ...

    async def window(self) -> list[Record]: ...

    async def prune_window(self, before: datetime) -> int: ...

    async def adopt_window(self, incident_id: int, since: datetime, until: datetime) -> int: ...

    # -- an incident whole, between stores (``store.whole``) ---------------------------------------
    async def read_whole(self, incident_id: int) -> WholeIncident: ...

    async def write_whole(self, incident: WholeIncident) -> tuple[int, bool]: ...

    # -- damage -------------------------------------------------------------------------------------
    async def damage(self) -> list[str]: ...

    async def salvage_entries(self, incident_id: int) -> tuple[list[Entry], int]: ...

    async def check_sound(self) -> None: ...
