"""The store's rules in SQL, once for both engines: declaring, changing an incident, entries with
revisions and redaction, once-only keyed entries, client ids, readings and pruning, and an incident
read and written whole (``store.whole``: ``warroom copy`` between engines, ``warroom import``).

An engine (``sqlite.Store``, ``postgres.PgStore``) provides the connection and its transactions
through four primitives — ``_fetch`` (a read), ``_transaction`` (a write transaction that holds
the database's one write lock, as SQLite's ``BEGIN IMMEDIATE``), ``_single`` (one statement under
the same lock), ``_entry_errors`` (a missing incident is ``NotFound``, anything else the engine
says a ``StoreError``) — and the engine-specific parts: opening, migrations, change detection
and damage. The SQL is written with ``?`` placeholders; an engine with another paramstyle
rewrites them (``Tx``). The stored representation is the same on both (times as ISO 8601 text,
flags as 0/1, JSON as text), so ``rows`` reads both and exports are identical.
"""

from __future__ import annotations

import json
from contextlib import AbstractAsyncContextManager, AbstractContextManager
from datetime import datetime

from warroom.domain.incident import Incident, IncidentError
from warroom.domain.timeline import Entry, EntryError, Revision, in_order, parse_kind
from warroom.domain.times import iso_utc, short_utc
from warroom.store.errors import NotFound, StoreError
from warroom.store.journal import ScribeLines
from warroom.store.rows import (
    ENTRY_COLUMNS,
    INSERT_ENTRY,
    entry_params,
    milestones_json,
    new_entry,
    reading_rows,
    stored_time,
    to_entry,
    to_incident,
    to_records,
    to_revision,
)

TYPE_CHECKING = False
if TYPE_CHECKING:  # types only: a one-shot command loads neither typing, the interface nor the readings
    from typing import Any, Callable, Iterable, Protocol, TypeVar

    from warroom.domain.heartbeat import Heartbeat
    from warroom.domain.policy import Policy
    from warroom.domain.recording import Record
    from warroom.store.interface import Change, DrillScenario
    from warroom.store.whole import WholeIncident

    T = TypeVar("T")

    class Tx(Protocol):
        """What the shared rules need of a connection inside a transaction (or one statement)."""

        async def fetch(self, sql: str, params: Iterable[Any] = ()) -> list: ...

        async def run(self, sql: str, params: Iterable[Any] = ()) -> int: ...  # the row count

        async def run_many(self, sql: str, rows: list[tuple]) -> None: ...

REVISION_COLUMNS = "entry_id, revision, at, kind, text, author, replaced_at, replaced_by"


class SqlStore(ScribeLines):
    """Every ``IncidentStore`` method that is the same SQL on both engines."""

    #: Ties readings at the same instant in the order written (SQLite's rowid, PostgreSQL's column).
    READING_ORDER = "at, rowid"
    #: A reading's place in the order written (commit order: writers hold the one write lock).
    READING_ID = "rowid"
    #: Where the readings written after a known one are found: SQLite walks its rowid b-tree from
    #: there (the index by incident would walk the incident's whole history); PostgreSQL's index on seq.
    READINGS_AFTER = "readings NOT INDEXED"

    # -- the engine's primitives ---------------------------------------------------------------------
    async def _fetch(self, sql: str, params: Iterable[Any] = ()) -> list:
        raise NotImplementedError

    def _transaction(self) -> AbstractAsyncContextManager[Tx]:
        raise NotImplementedError

    def _single(self) -> AbstractAsyncContextManager[Tx]:
        raise NotImplementedError

    def _entry_errors(self, incident_id: int) -> AbstractContextManager[None]:
        raise NotImplementedError

    # -- waiting for a thread: the event loop goes on meanwhile (the one-shot engine has none) ------
    async def _in_thread(self, work: Callable[..., T], *args: Any) -> T:
        """``work(*args)`` on a worker thread (asyncio is imported here, not by the one-shot CLI)."""
        import asyncio

        return await asyncio.to_thread(work, *args)

    # -- change detection (``data_version``, the cheap "whether", is the engine's) ------------------
    async def change_seq(self) -> int:
        rows = await self._fetch("SELECT coalesce(max(seq), 0) FROM changes")
        return rows[0][0]

    async def changes_since(self, seq: int, incident_id: int | None = None) -> tuple[int, set[int], bool]:
        """(latest seq, ids of entries changed since ``seq``, whether an incident row changed)."""
        sql = "SELECT seq, incident_id, entry_id FROM changes WHERE seq > ?"
        params: list[Any] = [seq]
        if incident_id is not None:
            sql += " AND incident_id = ?"
            params.append(incident_id)
        rows = await self._fetch(sql, params)
        latest = max((r[0] for r in rows), default=seq)
        entry_ids = {r[2] for r in rows if r[2] is not None}
        return latest, entry_ids, any(r[2] is None for r in rows)

    # -- incidents -------------------------------------------------------------------------------
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
    ) -> Incident:
        """A new incident. With ``scenario`` it is a drill: marked so everywhere, the scenario's text
        kept beside it, and never made the active incident (``warroom log`` cannot land in a drill).
        ``declared_at`` (default ``now``) is for an incident written up afterwards."""
        title = title.strip()
        if not title:
            raise IncidentError("an incident needs a title")
        drill = drill or scenario is not None
        make_active = make_active and scenario is None
        level = policy.level(severity)
        declared = now if declared_at is None else declared_at
        if declared > now:
            raise IncidentError(f"declared at {short_utc(declared)} would be in the future")
        milestones = {"declared": declared}
        if detected_at is not None:
            if detected_at > declared:
                raise IncidentError(
                    f"detected at {short_utc(detected_at)} would be after declared at {short_utc(declared)}"
                )
            milestones["detected"] = detected_at
        snapshot = json.dumps(policy.to_dict(), sort_keys=True)
        async with self._transaction() as tx:
            rows = await tx.fetch(
                "INSERT INTO incidents (title, severity, status, policy, milestones, services, impact, drill,"
                " created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?) RETURNING id",
                (title, level.key, "investigating", snapshot, milestones_json(milestones),
                 json.dumps(list(dict.fromkeys(s.strip() for s in services if s.strip()))), impact,
                 int(drill), iso_utc(now), iso_utc(now)),
            )
            incident_id = rows[0][0]
            text = f"{'DRILL ' if drill else ''}Incident declared: {level.label} — {title}"
            await self._insert_entry(tx, incident_id, text, "system", author, declared, now)
            if detected_at is not None:
                await self._insert_entry(tx, incident_id, "Detected", "system", author, detected_at, now)
            if scenario is not None:
                await tx.run("INSERT INTO drills (incident_id, scenario, source, speed, started_at)"
                             " VALUES (?,?,?,?,?)",
                             (incident_id, scenario.name, scenario.source, scenario.speed, iso_utc(now)))
            if make_active:
                await self._set_meta(tx, "active_incident", str(incident_id))
        return await self.incident(incident_id)

    async def drill_scenario(self, incident_id: int) -> DrillScenario | None:
        """The scenario a drill incident ran (None for a real incident)."""
        from warroom.store.interface import DrillScenario

        rows = await self._fetch(
            "SELECT scenario, source, speed, started_at FROM drills WHERE incident_id = ?", (incident_id,))
        if not rows:
            return None
        r = rows[0]
        return DrillScenario(r["scenario"], r["source"], r["speed"], stored_time(r["started_at"]))

    async def incident(self, incident_id: int) -> Incident:
        rows = await self._fetch("SELECT * FROM incidents WHERE id = ?", (incident_id,))
        if not rows:
            raise NotFound(f"no incident #{incident_id}")
        return to_incident(rows[0])

    async def incidents(self, *, include_resolved: bool = True) -> list[Incident]:
        sql = "SELECT * FROM incidents"
        if not include_resolved:
            sql += " WHERE status != 'resolved'"
        rows = await self._fetch(sql + " ORDER BY id DESC")
        return [to_incident(r) for r in rows]

    async def active_incident_id(self) -> int | None:
        rows = await self._fetch("SELECT value FROM meta WHERE key = 'active_incident'")
        return int(rows[0][0]) if rows else None

    async def set_active(self, incident_id: int) -> None:
        await self.incident(incident_id)
        async with self._transaction() as tx:
            await self._set_meta(tx, "active_incident", str(incident_id))

    async def change(self, incident_id: int, change: Change, *, author: str, at: datetime, now: datetime,
                     kind: str = "system", client_id: str | None = None) -> tuple[Incident, list[Entry]]:
        """Apply a pure incident change and write its system entries, atomically. With
        ``client_id`` (made by the writer, unique) the entries carry it (``id``, ``id/2``, …) and a
        retry after a lost acknowledgement changes nothing: it returns the incident and the
        entries the first attempt wrote."""
        async with self._transaction() as tx:
            rows = await tx.fetch("SELECT * FROM incidents WHERE id = ?", (incident_id,))
            if not rows:
                raise NotFound(f"no incident #{incident_id}")
            before = to_incident(rows[0])
            if client_id is not None and await tx.fetch("SELECT 1 FROM entries WHERE client_id = ?", (client_id,)):
                done = await tx.fetch(f"SELECT {ENTRY_COLUMNS} FROM entries WHERE client_id = ? OR client_id LIKE ?"
                                      " ORDER BY id", (client_id, client_id + "/%"))
                return before, [to_entry(r) for r in done]
            after, texts = change(before)
            await tx.run(
                "UPDATE incidents SET title=?, severity=?, status=?, milestones=?, roles=?, services=?, impact=?,"
                " summary=?, updated_at=? WHERE id=?",
                (after.title, after.severity, after.status, milestones_json(after.milestones),
                 json.dumps(dict(after.roles), sort_keys=True), json.dumps(list(after.services)),
                 after.impact, after.summary, iso_utc(now), incident_id),
            )
            entries = [await self._insert_entry(tx, incident_id, t, kind, author, at, now,
                                                client_id=client_id and (client_id if n == 1 else f"{client_id}/{n}"))
                       for n, t in enumerate(texts, start=1)]
        return after, [e for e in entries if e is not None]

    # -- entries -----------------------------------------------------------------------------------
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
    ) -> Entry | None:
        """Append an entry; durable when this returns. With ``key``, a second append is ignored (→ None).
        With ``client_id`` (made by the writer, unique), a retry after a lost acknowledgement writes
        nothing and returns the entry the first attempt wrote."""
        kind = parse_kind(kind)
        if not text.strip():
            raise EntryError("an entry needs some text")
        with self._entry_errors(incident_id):
            async with self._single() as tx:
                entry = await self._insert_entry(tx, incident_id, text, kind, author, at or now, now,
                                                 owner=owner, due=due, key=key, client_id=client_id)
        if entry is None and client_id is not None:
            return await self.entry_by_client_id(client_id)
        return entry

    async def entry_by_client_id(self, client_id: str) -> Entry | None:
        rows = await self._fetch(f"SELECT {ENTRY_COLUMNS} FROM entries WHERE client_id = ?", (client_id,))
        return to_entry(rows[0]) if rows else None

    async def append_many(self, incident_id: int, rows: Iterable[tuple[datetime, str, str, str]], *,
                          now: datetime) -> int:
        """Bulk import ``(at, kind, author, text)`` rows in one transaction (drills, benchmarks)."""
        stamp = iso_utc(now)
        params = [(incident_id, iso_utc(at), stamp, author, parse_kind(kind), text) for at, kind, author, text in rows]
        with self._entry_errors(incident_id):
            async with self._transaction() as tx:
                await tx.run_many(
                    "INSERT INTO entries (incident_id, at, logged_at, author, kind, text) VALUES (?,?,?,?,?,?)", params)
        return len(params)

    async def append_keyed(self, incident_id: int, rows: Iterable[tuple[str, str, datetime, str]], *, author: str,
                           now: datetime) -> list[Entry]:
        """Append automatic ``(key, text, at, kind)`` entries in one transaction (one fsync for a
        whole pods view, not one per entry); a key already written — by this process or another —
        is skipped, as with ``append(key=…)``. Returns the entries written, in ``rows`` order."""
        rows = [(key, text, at, parse_kind(kind)) for key, text, at, kind in rows]
        if any(not text.strip() for _, text, _, _ in rows):
            raise EntryError("an entry needs some text")
        if not rows:
            return []
        with self._entry_errors(incident_id):
            async with self._transaction() as tx:
                written = [await self._insert_entry(tx, incident_id, text, kind, author, at, now, key=key)
                           for key, text, at, kind in rows]
        return [e for e in written if e is not None]

    async def _insert_entry(self, tx: Tx, incident_id, text, kind, author, at, now, *, owner="", due=None,
                            key=None, client_id=None) -> Entry | None:
        """The entry written, or None when its key or client id is already there (written once)."""
        params = entry_params(incident_id, text, kind, author, at, now, owner, due, key, client_id)
        once = key is not None or client_id is not None
        rows = await tx.fetch(INSERT_ENTRY.format(conflict=" ON CONFLICT DO NOTHING" if once else ""), params)
        return new_entry(rows[0][0], params) if rows else None

    async def entry(self, entry_id: int, *, with_history: bool = False) -> Entry:
        rows = await self._fetch(f"SELECT {ENTRY_COLUMNS} FROM entries WHERE id = ?", (entry_id,))
        if not rows:
            raise NotFound(f"no entry {entry_id}")
        history = await self._history(entry_id) if with_history else ()
        return to_entry(rows[0], history)

    async def entries(self, incident_id: int, *, with_history: bool = False,
                      ids: Iterable[int] | None = None) -> list[Entry]:
        """The incident's entries in timeline order (``at``, then ``logged_at``, then id)."""
        sql = f"SELECT {ENTRY_COLUMNS} FROM entries WHERE incident_id = ?"
        params: list[Any] = [incident_id]
        if ids is not None:
            ids = list(ids)
            if not ids:
                return []
            sql += f" AND id IN ({','.join('?' * len(ids))})"
            params += ids
        rows = await self._fetch(sql + " ORDER BY at, logged_at, id", params)
        histories: dict[int, list[Revision]] = {}
        if with_history:
            for r in await self._fetch(
                f"SELECT {', '.join('r.' + c for c in REVISION_COLUMNS.split(', '))}"
                " FROM revisions r JOIN entries e ON e.id = r.entry_id WHERE e.incident_id = ?"
                " ORDER BY r.entry_id, r.revision", (incident_id,),
            ):
                histories.setdefault(r[0], []).append(to_revision(r))
        # sorted again: an entry whose stored time is unreadable sorts where it was logged, not as text
        return in_order(to_entry(r, tuple(histories.get(r[0], ()))) for r in rows)

    async def _history(self, entry_id: int) -> tuple[Revision, ...]:
        rows = await self._fetch(
            f"SELECT {REVISION_COLUMNS} FROM revisions WHERE entry_id = ? ORDER BY revision", (entry_id,))
        return tuple(to_revision(r) for r in rows)

    async def edit(self, entry_id: int, *, by: str, now: datetime, text: str | None = None,
                   kind: str | None = None, at: datetime | None = None,
                   owner_due: tuple[str, datetime | None] | None = None) -> Entry:
        """Change an entry's text/kind/time (the previous version is kept as a revision) and, for
        an action item, its owner and due time together (``owner_due``; a due of None clears it)."""
        if text is not None and not text.strip():
            raise EntryError("an entry needs some text (to remove it, redact it)")
        if kind is not None:
            kind = parse_kind(kind)
        async with self._transaction() as tx:
            current = await self._locked_entry(tx, entry_id)
            if current.redacted:
                raise EntryError(f"entry {entry_id} is redacted; it cannot be edited")
            new_text = current.text if text is None else text
            new_kind = current.kind if kind is None else kind
            new_at = current.at if at is None else at
            owner, due = (current.owner, current.due) if owner_due is None else owner_due
            if owner_due is not None and new_kind != "action":
                raise EntryError(f"entry {entry_id} is a {new_kind}: only an action item has an owner and a due time")
            revised = (new_text, new_kind, new_at) != (current.text, current.kind, current.at)
            if not revised and (owner, due) == (current.owner, current.due):
                return current
            if revised:  # the text, kind or time: the previous version is kept (owner and due are not)
                await tx.run(
                    f"INSERT INTO revisions ({REVISION_COLUMNS}) VALUES (?,?,?,?,?,?,?,?)",
                    (entry_id, current.revision, iso_utc(current.at), current.kind, current.text, current.author,
                     iso_utc(now), by),
                )
            await tx.run(
                "UPDATE entries SET text=?, kind=?, at=?, owner=?, due=?, revision=revision+? WHERE id=?",
                (new_text, new_kind, iso_utc(new_at), owner, iso_utc(due) if due is not None else None,
                 int(revised), entry_id),
            )
        return await self.entry(entry_id, with_history=True)

    async def redact(self, entry_id: int, *, reason: str, by: str, now: datetime) -> Entry:
        """Hide an entry's text from views and exports; the text stays in the revision history."""
        if not reason.strip():
            raise EntryError("a redaction needs a reason")
        async with self._transaction() as tx:
            current = await self._locked_entry(tx, entry_id)
            if current.redacted:
                raise EntryError(f"entry {entry_id} is already redacted")
            await tx.run(
                "UPDATE entries SET redacted_at=?, redacted_by=?, redaction_reason=? WHERE id=?",
                (iso_utc(now), by, reason.strip(), entry_id),
            )
        return await self.entry(entry_id, with_history=True)

    async def set_action_done(self, entry_id: int, done: bool = True, *, by: str, now: datetime) -> Entry:
        """Mark an action item done (when, by whom) or open again; refused for any other entry,
        a redacted one, or one already in that state (one line that says so)."""
        async with self._transaction() as tx:
            current = await self._locked_entry(tx, entry_id)
            if current.kind != "action":
                raise EntryError(f"entry {entry_id} is a {current.kind}, not an action item")
            if current.redacted:
                raise EntryError(f"entry {entry_id} is redacted")
            if done and current.done_at is not None:
                raise EntryError(f"action {entry_id} is already done ({short_utc(current.done_at)}"
                                 f"{' by ' + current.done_by if current.done_by else ''})")
            if not done and current.done_at is None:
                raise EntryError(f"action {entry_id} is open already")
            await tx.run("UPDATE entries SET done_at=?, done_by=? WHERE id=?",
                         (iso_utc(now), by, entry_id) if done else (None, "", entry_id))
        return await self.entry(entry_id)

    async def action_entries(self) -> list[Entry]:
        """Every action item of every incident (redacted ones left out), by incident then time."""
        rows = await self._fetch(f"SELECT {ENTRY_COLUMNS} FROM entries WHERE kind = 'action' AND redacted_at IS NULL"
                                 " ORDER BY incident_id, at, logged_at, id")
        return [to_entry(r) for r in rows]

    async def star(self, entry_id: int, starred: bool = True) -> Entry:
        async with self._transaction() as tx:
            await self._locked_entry(tx, entry_id)
            await tx.run("UPDATE entries SET starred=? WHERE id=?", (int(starred), entry_id))
        return await self.entry(entry_id)

    async def _locked_entry(self, tx: Tx, entry_id: int) -> Entry:
        rows = await tx.fetch(f"SELECT {ENTRY_COLUMNS} FROM entries WHERE id = ?", (entry_id,))
        if not rows:
            raise NotFound(f"no entry {entry_id}")
        return to_entry(rows[0])

    async def _set_meta(self, tx: Tx, key: str, value: str) -> None:
        await tx.run(
            "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (key, value),
        )

    # -- readings: what the panes showed (recorded as changes) ------------------------------------
    async def record(self, incident_id: int, records: Iterable[Record]) -> int:
        """Append a batch of readings in one transaction; returns how many."""
        rows = reading_rows(incident_id, records)
        if not rows:
            return 0
        with self._entry_errors(incident_id):  # an incident that is not there: NotFound, not the driver's error
            async with self._transaction() as tx:
                await tx.run_many("INSERT INTO readings (incident_id, at, stream, key, value) VALUES (?,?,?,?,?)",
                                  rows)
        return len(rows)

    async def readings(self, incident_id: int) -> list[Record]:
        rows = await self._fetch(
            f"SELECT at, stream, key, value FROM readings WHERE incident_id = ? ORDER BY {self.READING_ORDER}",
            (incident_id,))
        return await self._in_thread(to_records, rows)  # hours of readings: decoded off the event loop

    async def prune_readings(self, resolved_before: datetime) -> tuple[list[int], int]:
        """Delete the readings of incidents resolved before ``resolved_before`` (their timelines stay).

        Returns the incidents pruned and the number of readings deleted.
        """
        incidents = [i for i in await self.incidents()
                     if i.is_resolved and i.milestones.get("resolved") and i.milestones["resolved"] < resolved_before]
        pruned, deleted = [], 0
        async with self._transaction() as tx:
            for i in incidents:
                count = await tx.run("DELETE FROM readings WHERE incident_id = ?", (i.id,))
                if count:
                    pruned.append(i.id)
                    deleted += count
        return pruned, deleted

    async def readings_since(self, incident_id: int, after: int = 0) -> tuple[int, list[Record]]:
        """The incident's readings written after the one numbered ``after`` (0: all of them), in
        the order written, and the number of the last one (a screen that follows a watcher reads
        only what is new)."""
        if after <= 0:
            sql = (f"SELECT {self.READING_ID}, at, stream, key, value FROM readings WHERE incident_id = ?"
                   f" ORDER BY {self.READING_ID}")
            params: tuple = (incident_id,)
        else:
            sql = (f"SELECT {self.READING_ID}, at, stream, key, value FROM {self.READINGS_AFTER}"
                   f" WHERE {self.READING_ID} > ? AND incident_id = ? ORDER BY {self.READING_ID}")
            params = (after, incident_id)
        rows = await self._fetch(sql, params)
        if not rows:
            return after, []
        return rows[-1][0], await self._in_thread(to_records, [tuple(r)[1:] for r in rows])

    # -- the watcher: its heartbeat, and the readings kept while no incident is open ---------------
    async def beat(self, beat: Heartbeat) -> None:
        """Say that watcher ``beat.id`` is alive and which incidents it feeds."""
        async with self._transaction() as tx:
            await tx.run(
                "INSERT INTO watchers (id, host, pid, started_at, beat_at, period, incidents, all_open)"
                " VALUES (?,?,?,?,?,?,?,?) ON CONFLICT (id) DO UPDATE SET beat_at = excluded.beat_at,"
                " period = excluded.period, incidents = excluded.incidents, all_open = excluded.all_open",
                (beat.id, beat.host, beat.pid, iso_utc(beat.started_at), iso_utc(beat.beat_at), beat.period,
                 json.dumps(sorted(beat.incidents)), int(beat.all_open)))

    async def watchers(self) -> list[Heartbeat]:
        from warroom.domain.heartbeat import Heartbeat

        rows = await self._fetch("SELECT id, host, pid, started_at, beat_at, period, incidents, all_open"
                                 " FROM watchers")
        out = []
        for r in rows:
            started, beat_at = stored_time(r[3]), stored_time(r[4])
            try:
                incidents = tuple(int(i) for i in json.loads(r[6]))
            except (ValueError, TypeError):
                incidents = ()
            if started is not None and beat_at is not None:  # a row no reader understands is no watcher
                out.append(Heartbeat(r[0], r[1], r[2], started, beat_at, r[5], incidents, bool(r[7])))
        return out

    async def end_watcher(self, watcher_id: str, *, gone_before: datetime | None = None) -> None:
        """A watcher stopped: its row goes (and those silent since ``gone_before``: killed ones)."""
        async with self._transaction() as tx:
            await tx.run("DELETE FROM watchers WHERE id = ?", (watcher_id,))
            if gone_before is not None:
                await tx.run("DELETE FROM watchers WHERE beat_at < ?", (iso_utc(gone_before),))

    async def record_window(self, records: Iterable[Record]) -> int:
        """Readings of no incident (the rolling window), in one transaction."""
        rows = [r[1:] for r in reading_rows(0, records)]
        if not rows:
            return 0
        async with self._transaction() as tx:
            await tx.run_many("INSERT INTO window_readings (at, stream, key, value) VALUES (?,?,?,?)", rows)
        return len(rows)

    async def window(self) -> list[Record]:
        rows = await self._fetch(f"SELECT at, stream, key, value FROM window_readings ORDER BY {self.READING_ORDER}")
        return await self._in_thread(to_records, rows)

    async def prune_window(self, before: datetime) -> int:
        async with self._transaction() as tx:
            return await tx.run("DELETE FROM window_readings WHERE at < ?", (before.timestamp(),))

    async def adopt_window(self, incident_id: int, since: datetime, until: datetime) -> int:
        """Copy the window's readings from ``since`` until before ``until`` (when the incident's own
        recording starts) into the incident, once per incident (a watcher restarted does not copy
        them again); returns how many."""
        mark = f"window:{incident_id}"
        async with self._transaction() as tx:
            if await tx.fetch("SELECT 1 FROM meta WHERE key = ?", (mark,)):
                return 0
            count = await tx.run(
                "INSERT INTO readings (incident_id, at, stream, key, value) SELECT ?, at, stream, key, value"
                f" FROM window_readings WHERE at >= ? AND at < ? ORDER BY {self.READING_ORDER}",
                (incident_id, since.timestamp(), until.timestamp()))
            await self._set_meta(tx, mark, iso_utc(since))
        return count

    # -- an incident whole, from one store to another (warroom copy, warroom import) ---------------
    async def read_whole(self, incident_id: int) -> WholeIncident:
        """Everything the store holds of one incident, as stored, read in one transaction (a line
        written meanwhile is in it whole or not at all)."""
        from warroom.store import whole as w
        from warroom.store.whole import WholeIncident

        async with self._transaction() as tx:
            rows = await tx.fetch(f"SELECT {w.columns(w.INCIDENT_COLUMNS)} FROM incidents WHERE id = ?",
                                  (incident_id,))
            if not rows:
                raise NotFound(f"no incident #{incident_id}")
            incident = tuple(rows[0])
            entries = await tx.fetch(
                f"SELECT {w.columns(w.ENTRY_COLUMNS)} FROM entries WHERE incident_id = ? ORDER BY id", (incident_id,))
            revisions = await tx.fetch(
                f"SELECT {', '.join('r.' + c for c in w.REVISION_COLUMNS)} FROM revisions r"
                " JOIN entries e ON e.id = r.entry_id WHERE e.incident_id = ? ORDER BY r.entry_id, r.revision",
                (incident_id,))
            readings = await tx.fetch(f"SELECT {w.columns(w.READING_COLUMNS)} FROM readings WHERE incident_id = ?"
                                      f" ORDER BY {self.READING_ORDER}", (incident_id,))
            drill = await tx.fetch(f"SELECT {w.columns(w.DRILL_COLUMNS)} FROM drills WHERE incident_id = ?",
                                   (incident_id,))
            origin = await tx.fetch("SELECT value FROM meta WHERE key = ?", (w.origin_meta_key(incident_id),))
        created_at = incident[w.INCIDENT_COLUMNS.index("created_at")]
        return WholeIncident(
            id=incident_id, origin=origin[0][0] if origin else w.origin_key(created_at, incident_id),
            incident=incident, entries=tuple(map(tuple, entries)), revisions=tuple(map(tuple, revisions)),
            readings=tuple(map(tuple, readings)), drill=tuple(drill[0]) if drill else None)

    async def write_whole(self, incident: WholeIncident) -> tuple[int, bool]:
        """Write an incident read by ``read_whole`` (or from an export) as a new incident here, in one
        transaction, with new ids; every stored value else as given. If an incident with the same
        origin key is already here, nothing is written. Returns (its id here, whether written).
        An entry's client id already here (on another incident) is a StoreError: nothing is written."""
        from warroom.store import whole as w

        async with self._transaction() as tx:
            found = await self._by_origin(tx, incident.origin)
            if found is not None:
                return found, False
            await self._check_client_ids(tx, incident)
            rows = await tx.fetch(
                f"INSERT INTO incidents ({w.columns(w.INCIDENT_COLUMNS)})"
                f" VALUES ({w.placeholders(len(w.INCIDENT_COLUMNS))}) RETURNING id", incident.incident)
            new_id = rows[0][0]
            entry_ids: dict[int, int] = {}
            insert = (f"INSERT INTO entries (incident_id, {w.columns(w.ENTRY_COLUMNS[1:])})"
                      f" VALUES ({w.placeholders(len(w.ENTRY_COLUMNS))}) RETURNING id")
            for entry in sorted(incident.entries, key=lambda e: e[0]):
                entry_ids[entry[0]] = (await tx.fetch(insert, (new_id, *entry[1:])))[0][0]
            if incident.revisions:
                await tx.run_many(
                    f"INSERT INTO revisions ({w.columns(w.REVISION_COLUMNS)})"
                    f" VALUES ({w.placeholders(len(w.REVISION_COLUMNS))})",
                    [(entry_ids[r[0]], *r[1:]) for r in incident.revisions])
            if incident.readings:
                await tx.run_many(
                    f"INSERT INTO readings (incident_id, {w.columns(w.READING_COLUMNS)})"
                    f" VALUES ({w.placeholders(len(w.READING_COLUMNS) + 1)})",
                    [(new_id, *r) for r in incident.readings])
            if incident.drill is not None:
                await tx.run(f"INSERT INTO drills (incident_id, {w.columns(w.DRILL_COLUMNS)})"
                             f" VALUES ({w.placeholders(len(w.DRILL_COLUMNS) + 1)})", (new_id, *incident.drill))
            await self._set_meta(tx, w.origin_meta_key(new_id), incident.origin)
        return new_id, True

    async def _by_origin(self, tx: Tx, origin: str) -> int | None:
        from warroom.store import whole as w

        rows = await tx.fetch("SELECT key FROM meta WHERE key LIKE ? AND value = ?", (w.ORIGIN_PREFIX + "%", origin))
        if rows:
            return int(rows[0][0].removeprefix(w.ORIGIN_PREFIX))
        created_at, _, number = origin.rpartition("#")
        if not (number.isascii() and number.isdigit() and len(number) <= 18):
            return None
        rows = await tx.fetch("SELECT id FROM incidents WHERE id = ? AND created_at = ?", (int(number), created_at))
        if not rows:
            return None
        recorded = await tx.fetch("SELECT value FROM meta WHERE key = ?", (w.origin_meta_key(rows[0][0]),))
        return None if recorded else rows[0][0]  # a copy is known by the origin it came with

    async def _check_client_ids(self, tx: Tx, incident: WholeIncident) -> None:
        from warroom.store import whole as w

        at = w.ENTRY_COLUMNS.index("client_id")
        ids = [e[at] for e in incident.entries if e[at] is not None]
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            rows = await tx.fetch(f"SELECT client_id, incident_id FROM entries WHERE client_id IN"
                                  f" ({w.placeholders(len(chunk))})", chunk)
            if rows:
                raise StoreError(f"database {self.path}: an entry of #{incident.id} is already here, on incident "
                                 f"#{rows[0][1]} (client id {rows[0][0]!r}); nothing was written")
