"""The SQLite store: one file shared by every warroom process on the machine.

WAL lets the shared screen read while the scribe writes; ``busy_timeout`` and
``BEGIN IMMEDIATE`` serialise writers without errors; ``synchronous=FULL`` makes every
acknowledged write survive a crash or power cut. Each write appends to the ``changes``
table (by trigger), so another process learns cheaply that something changed:
``PRAGMA data_version`` says *whether*, ``changes_since`` says *what*.

Here: the connection, its transactions and the queries. Beside it: ``rows`` (rows ↔ domain
values), ``journal`` (the scribe's lines on their own thread), ``errors`` (the one-line
explanations), ``damage`` (quick_check and salvage). Import from ``warroom.store``.
"""

from __future__ import annotations

import asyncio
import json
import os
import sqlite3
from contextlib import asynccontextmanager
from datetime import datetime
from pathlib import Path
from typing import Any, AsyncIterator, Iterable

import aiosqlite

from warroom.domain.incident import Incident, IncidentError
from warroom.domain.policy import Policy
from warroom.domain.recording import Record
from warroom.domain.timeline import Entry, EntryError, Revision, in_order, parse_kind
from warroom.domain.times import iso_utc, short_utc
from warroom.store.damage import quick_check, salvage
from warroom.store.errors import Damaged, NotFound, StoreError, damaged, entry_errors, explain
from warroom.store.interface import Change, DrillScenario
from warroom.store.journal import LINE_BUSY_TIMEOUT_MS, Journal, ScribeLines
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
from warroom.store.schema import MIGRATIONS, SCHEMA_VERSION, statements

__all__ = [  # the UI still imports these from here
    "Damaged", "DrillScenario", "NotFound", "Store", "StoreError", "explain",
]

BUSY_TIMEOUT_MS = 5000


def prepare_file(path: Path) -> None:
    """Create the database file (and its folder) readable by its owner only, before SQLite does."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        os.close(os.open(path, os.O_CREAT | os.O_RDWR | os.O_EXCL, 0o600))
    except FileExistsError:
        pass  # an existing database keeps its permissions


class Store(ScribeLines):
    """Async access to one warroom database file. Use ``async with Store.open(path) as store``."""

    def __init__(self, db: aiosqlite.Connection, path: Path) -> None:
        self._db = db
        self.path = path
        self._write_lock = asyncio.Lock()
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
            db = await aiosqlite.connect(path, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000)
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

    async def close(self, *, abandon_lines: bool = False) -> None:
        """Close once every line already handed to ``append_soon`` is committed (or has failed);
        ``abandon_lines``: the caller kept them elsewhere, so only the one being written is waited for."""
        await asyncio.wrap_future(self._journal.close(abandon=abandon_lines))
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

    @asynccontextmanager
    async def _transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """A write transaction that takes the write lock up front (no deadlock on upgrade)."""
        async with self._write_lock:
            try:
                await self._db.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as exc:
                raise StoreError(explain(self.path, exc)) from None
            try:
                yield self._db
            except BaseException as exc:
                await self._rollback()
                if isinstance(exc, sqlite3.DatabaseError) and not isinstance(exc, sqlite3.IntegrityError):
                    raise StoreError(explain(self.path, exc)) from None  # disk full, I/O error, damaged page
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
        await asyncio.wrap_future(self._journal.submit(lambda con: con.execute(f"PRAGMA max_page_count = {int(pages)}")))

    async def set_busy_timeout(self, ms: int) -> None:
        """How long a write waits for another process's lock before failing (tests shorten the 5 s)."""
        await self._db.execute(f"PRAGMA busy_timeout = {int(ms)}")
        await asyncio.wrap_future(self._journal.set_busy_timeout(ms))

    # -- change detection ----------------------------------------------------------------------
    async def data_version(self) -> int:
        """Changes whenever *another* connection commits; costs no disk read."""
        return (await self._db.execute_fetchall("PRAGMA data_version"))[0][0]

    async def change_seq(self) -> int:
        rows = await self._db.execute_fetchall("SELECT coalesce(max(seq), 0) FROM changes")
        return rows[0][0]

    async def changes_since(self, seq: int, incident_id: int | None = None) -> tuple[int, set[int], bool]:
        """(latest seq, ids of entries changed since ``seq``, whether an incident row changed)."""
        sql = "SELECT seq, incident_id, entry_id FROM changes WHERE seq > ?"
        params: list[Any] = [seq]
        if incident_id is not None:
            sql += " AND incident_id = ?"
            params.append(incident_id)
        rows = await self._db.execute_fetchall(sql, params)
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
        async with self._transaction() as db:
            rows = await db.execute_fetchall(
                "INSERT INTO incidents (title, severity, status, policy, milestones, services, impact, drill,"
                " created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?) RETURNING id",
                (title, level.key, "investigating", snapshot, milestones_json(milestones),
                 json.dumps(list(dict.fromkeys(s.strip() for s in services if s.strip()))), impact,
                 int(drill), iso_utc(now), iso_utc(now)),
            )
            incident_id = rows[0][0]
            text = f"{'DRILL ' if drill else ''}Incident declared: {level.label} — {title}"
            await self._insert_entry(db, incident_id, text, "system", author, declared, now)
            if detected_at is not None:
                await self._insert_entry(db, incident_id, "Detected", "system", author, detected_at, now)
            if scenario is not None:
                await db.execute("INSERT INTO drills (incident_id, scenario, source, speed, started_at)"
                                 " VALUES (?,?,?,?,?)",
                                 (incident_id, scenario.name, scenario.source, scenario.speed, iso_utc(now)))
            if make_active:
                await self._set_meta(db, "active_incident", str(incident_id))
        return await self.incident(incident_id)

    async def drill_scenario(self, incident_id: int) -> DrillScenario | None:
        """The scenario a drill incident ran (None for a real incident)."""
        rows = await self._db.execute_fetchall(
            "SELECT scenario, source, speed, started_at FROM drills WHERE incident_id = ?", (incident_id,))
        if not rows:
            return None
        r = rows[0]
        return DrillScenario(r["scenario"], r["source"], r["speed"], stored_time(r["started_at"]))

    async def incident(self, incident_id: int) -> Incident:
        rows = await self._db.execute_fetchall("SELECT * FROM incidents WHERE id = ?", (incident_id,))
        if not rows:
            raise NotFound(f"no incident #{incident_id}")
        return to_incident(rows[0])

    async def incidents(self, *, include_resolved: bool = True) -> list[Incident]:
        sql = "SELECT * FROM incidents"
        if not include_resolved:
            sql += " WHERE status != 'resolved'"
        rows = await self._db.execute_fetchall(sql + " ORDER BY id DESC")
        return [to_incident(r) for r in rows]

    async def active_incident_id(self) -> int | None:
        rows = await self._db.execute_fetchall("SELECT value FROM meta WHERE key = 'active_incident'")
        return int(rows[0][0]) if rows else None

    async def set_active(self, incident_id: int) -> None:
        await self.incident(incident_id)
        async with self._transaction() as db:
            await self._set_meta(db, "active_incident", str(incident_id))

    async def change(self, incident_id: int, change: Change, *, author: str, at: datetime, now: datetime,
                     kind: str = "system") -> tuple[Incident, list[Entry]]:
        """Apply a pure incident change and write its system entries, atomically."""
        async with self._transaction() as db:
            rows = await db.execute_fetchall("SELECT * FROM incidents WHERE id = ?", (incident_id,))
            if not rows:
                raise NotFound(f"no incident #{incident_id}")
            before = to_incident(rows[0])
            after, texts = change(before)
            await db.execute(
                "UPDATE incidents SET title=?, severity=?, status=?, milestones=?, roles=?, services=?, impact=?,"
                " summary=?, updated_at=? WHERE id=?",
                (after.title, after.severity, after.status, milestones_json(after.milestones),
                 json.dumps(dict(after.roles), sort_keys=True), json.dumps(list(after.services)),
                 after.impact, after.summary, iso_utc(now), incident_id),
            )
            entries = [await self._insert_entry(db, incident_id, t, kind, author, at, now) for t in texts]
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
    ) -> Entry | None:
        """Append an entry; durable when this returns. With ``key``, a second append is ignored (→ None)."""
        kind = parse_kind(kind)
        if not text.strip():
            raise EntryError("an entry needs some text")
        with entry_errors(self.path, incident_id):
            async with self._write_lock:
                return await self._insert_entry(self._db, incident_id, text, kind, author, at or now, now,
                                                owner=owner, due=due, key=key)

    async def append_many(self, incident_id: int, rows: Iterable[tuple[datetime, str, str, str]], *,
                          now: datetime) -> int:
        """Bulk import ``(at, kind, author, text)`` rows in one transaction (drills, benchmarks)."""
        stamp = iso_utc(now)
        params = [(incident_id, iso_utc(at), stamp, author, parse_kind(kind), text) for at, kind, author, text in rows]
        async with self._transaction() as db:
            await db.executemany(
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
        with entry_errors(self.path, incident_id):
            async with self._transaction() as db:
                written = [await self._insert_entry(db, incident_id, text, kind, author, at, now, key=key)
                           for key, text, at, kind in rows]
        return [e for e in written if e is not None]

    async def _insert_entry(self, db, incident_id, text, kind, author, at, now, *, owner="", due=None,
                            key=None) -> Entry | None:
        params = entry_params(incident_id, text, kind, author, at, now, owner, due, key)
        rows = await db.execute_fetchall(INSERT_ENTRY.format(verb="INSERT OR IGNORE" if key else "INSERT"), params)
        return new_entry(rows[0][0], params) if rows else None

    async def entry(self, entry_id: int, *, with_history: bool = False) -> Entry:
        rows = await self._db.execute_fetchall(f"SELECT {ENTRY_COLUMNS} FROM entries WHERE id = ?", (entry_id,))
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
            sql += f" AND id IN ({','.join('?' * len(ids))})"
            params += ids
        rows = await self._db.execute_fetchall(sql + " ORDER BY at, logged_at, id", params)
        histories: dict[int, list[Revision]] = {}
        if with_history:
            for r in await self._db.execute_fetchall(
                "SELECT r.entry_id, r.revision, r.at, r.kind, r.text, r.author, r.replaced_at, r.replaced_by"
                " FROM revisions r JOIN entries e ON e.id = r.entry_id WHERE e.incident_id = ?"
                " ORDER BY r.entry_id, r.revision", (incident_id,),
            ):
                histories.setdefault(r[0], []).append(to_revision(r))
        # sorted again: an entry whose stored time is unreadable sorts where it was logged, not as text
        return in_order(to_entry(r, tuple(histories.get(r[0], ()))) for r in rows)

    async def _history(self, entry_id: int) -> tuple[Revision, ...]:
        rows = await self._db.execute_fetchall(
            "SELECT entry_id, revision, at, kind, text, author, replaced_at, replaced_by FROM revisions"
            " WHERE entry_id = ? ORDER BY revision", (entry_id,),
        )
        return tuple(to_revision(r) for r in rows)

    async def edit(self, entry_id: int, *, by: str, now: datetime, text: str | None = None,
                   kind: str | None = None, at: datetime | None = None) -> Entry:
        """Change an entry's text/kind/time; the previous version is kept as a revision."""
        if text is not None and not text.strip():
            raise EntryError("an entry needs some text (to remove it, redact it)")
        if kind is not None:
            kind = parse_kind(kind)
        async with self._transaction() as db:
            current = await self._locked_entry(db, entry_id)
            if current.redacted:
                raise EntryError(f"entry {entry_id} is redacted; it cannot be edited")
            new_text = current.text if text is None else text
            new_kind = current.kind if kind is None else kind
            new_at = current.at if at is None else at
            if (new_text, new_kind, new_at) == (current.text, current.kind, current.at):
                return current
            await db.execute(
                "INSERT INTO revisions (entry_id, revision, at, kind, text, author, replaced_at, replaced_by)"
                " VALUES (?,?,?,?,?,?,?,?)",
                (entry_id, current.revision, iso_utc(current.at), current.kind, current.text, current.author,
                 iso_utc(now), by),
            )
            await db.execute(
                "UPDATE entries SET text=?, kind=?, at=?, revision=revision+1 WHERE id=?",
                (new_text, new_kind, iso_utc(new_at), entry_id),
            )
        return await self.entry(entry_id, with_history=True)

    async def redact(self, entry_id: int, *, reason: str, by: str, now: datetime) -> Entry:
        """Hide an entry's text from views and exports; the text stays in the revision history."""
        if not reason.strip():
            raise EntryError("a redaction needs a reason")
        async with self._transaction() as db:
            current = await self._locked_entry(db, entry_id)
            if current.redacted:
                raise EntryError(f"entry {entry_id} is already redacted")
            await db.execute(
                "UPDATE entries SET redacted_at=?, redacted_by=?, redaction_reason=? WHERE id=?",
                (iso_utc(now), by, reason.strip(), entry_id),
            )
        return await self.entry(entry_id, with_history=True)

    async def star(self, entry_id: int, starred: bool = True) -> Entry:
        async with self._transaction() as db:
            await self._locked_entry(db, entry_id)
            await db.execute("UPDATE entries SET starred=? WHERE id=?", (int(starred), entry_id))
        return await self.entry(entry_id)

    async def _locked_entry(self, db, entry_id: int) -> Entry:
        rows = await db.execute_fetchall(f"SELECT {ENTRY_COLUMNS} FROM entries WHERE id = ?", (entry_id,))
        if not rows:
            raise NotFound(f"no entry {entry_id}")
        return to_entry(rows[0])

    # -- misc ------------------------------------------------------------------------------------------
    async def _set_meta(self, db, key: str, value: str) -> None:
        await db.execute(
            "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (key, value),
        )

    # -- readings: what the panes showed (recorded as changes) ------------------------------------
    async def record(self, incident_id: int, records: Iterable[Record]) -> int:
        """Append a batch of readings in one transaction; returns how many."""
        rows = reading_rows(incident_id, records)
        if not rows:
            return 0
        async with self._transaction() as db:
            await db.executemany("INSERT INTO readings (incident_id, at, stream, key, value) VALUES (?,?,?,?,?)",
                                 rows)
        return len(rows)

    async def readings(self, incident_id: int) -> list[Record]:
        rows = await self._db.execute_fetchall(
            "SELECT at, stream, key, value FROM readings WHERE incident_id = ? ORDER BY at, rowid", (incident_id,))
        return await asyncio.to_thread(to_records, rows)  # hours of readings: decoded off the event loop

    async def prune_readings(self, resolved_before: datetime) -> tuple[list[int], int]:
        """Delete the readings of incidents resolved before ``resolved_before`` (their timelines stay).

        Returns the incidents pruned and the number of readings deleted.
        """
        incidents = [i for i in await self.incidents()
                     if i.is_resolved and i.milestones.get("resolved") and i.milestones["resolved"] < resolved_before]
        pruned, deleted = [], 0
        async with self._transaction() as db:
            for i in incidents:
                cursor = await db.execute("DELETE FROM readings WHERE incident_id = ?", (i.id,))
                if cursor.rowcount:
                    pruned.append(i.id)
                    deleted += cursor.rowcount
        return pruned, deleted

    async def integrity_check(self) -> str:
        return (await self._db.execute_fetchall("PRAGMA integrity_check"))[0][0]

    async def damage(self) -> list[str]:
        """``PRAGMA quick_check``'s findings (empty for a sound file): a damaged page mid-file
        otherwise shows only when a read reaches it, as a traceback mid-export."""
        return await asyncio.to_thread(quick_check, self.path)  # its own connection: reads go on meanwhile

    async def salvage_entries(self, incident_id: int) -> tuple[list[Entry], int]:
        """From a damaged file: the incident's entries that can still be read, each on its own
        (a scan stops at the first bad page; a lookup by id goes around it), in timeline order,
        and how many entry ids (of any incident) could not be read."""
        return await asyncio.to_thread(salvage, self.path, incident_id)

    async def check_sound(self) -> None:
        """Raise ``Damaged`` (one line: what is damaged, how to recover) unless ``quick_check`` passes."""
        problems = await self.damage()
        if problems:
            raise Damaged(damaged(self.path, problems))
