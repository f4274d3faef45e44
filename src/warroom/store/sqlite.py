"""The SQLite store: one file shared by every warroom process on the machine.

WAL lets the shared screen read while the scribe writes; ``busy_timeout`` and
``BEGIN IMMEDIATE`` serialise writers without errors; ``synchronous=FULL`` makes every
acknowledged write survive a crash or power cut. Each write appends to the ``changes``
table (by trigger), so another process learns cheaply that something changed:
``PRAGMA data_version`` says *whether*, ``changes_since`` says *what*.
"""

from __future__ import annotations

import asyncio
import json
import os
import sqlite3
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path
from typing import Any, AsyncIterator, Callable, Iterable, Iterator

import aiosqlite

from warroom.domain.incident import Incident, IncidentError
from warroom.domain.policy import Policy, policy_from_snapshot
from warroom.domain.recording import Record
from warroom.domain.timeline import Entry, EntryError, Revision, in_order, parse_kind
from warroom.domain.times import EARLIEST, iso_utc, parse_instant, short_utc
from warroom.store.schema import MIGRATIONS, SCHEMA_VERSION

BUSY_TIMEOUT_MS = 5000
#: The scribe's lines wait less for a lock: the writer retries them, and quitting waits for the
#: attempt under way before it can say which lines are written.
LINE_BUSY_TIMEOUT_MS = 2000

Change = Callable[[Incident], tuple[Incident, list[str]]]


@dataclass(frozen=True)
class DrillScenario:
    """What the store keeps of a drill: the scenario's name and whole text, and how it was run."""

    name: str
    source: str
    speed: float = 1.0
    started_at: datetime | None = None


class StoreError(RuntimeError):
    """The database cannot be used; the message says which file and why."""


class NotFound(LookupError):
    pass


class Damaged(StoreError):
    """The file fails ``PRAGMA quick_check``: some pages cannot be read."""


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
        self._open = threading.Event()
        self._open.set()

    @property
    def is_open(self) -> bool:
        return self._open.is_set()

    def open(self) -> None:
        self._open.set()

    def close(self) -> None:
        self._open.clear()


def _opt(text: str | None) -> datetime | None:
    return _stored_time(text) if text else None


def _stored_time(text: Any) -> datetime | None:
    """A stored instant, or None when the row holds one no reader understands (an older warroom
    wrote ``999-06-01…``; another tool wrote garbage): a bad row is shown, never fatal."""
    try:
        return parse_instant(text)
    except (ValueError, TypeError, OverflowError):
        return None


def _unreadable(what: str, raw: Any) -> str:
    """The note an entry's text starts with when one of its times cannot be read (shown literally)."""
    shown = repr(raw if not isinstance(raw, str) else raw[:40])
    return f"[unreadable {what} {shown}] "


@lru_cache(maxsize=64)
def _policy(snapshot: str) -> Policy:
    return policy_from_snapshot(json.loads(snapshot))


def _incident(row: sqlite3.Row) -> Incident:
    return Incident(
        id=row["id"],
        title=row["title"],
        severity=row["severity"],
        status=row["status"],
        policy=_policy(row["policy"]),
        milestones=_milestones(row),
        roles=json.loads(row["roles"]),
        services=tuple(json.loads(row["services"])),
        impact=row["impact"],
        summary=row["summary"],
        drill=bool(row["drill"]),
    )


_ENTRY_COLUMNS = (
    "id, incident_id, at, logged_at, author, kind, text, starred, revision, "
    "redacted_at, redacted_by, redaction_reason, owner, due, key"
)


def _milestones(row: sqlite3.Row) -> dict[str, datetime]:
    """The readable milestones; an unreadable ``declared`` falls back to when the row was created
    (every incident has one), any other unreadable one is left out (its timeline entry shows it)."""
    milestones = {k: t for k, v in json.loads(row["milestones"]).items() if (t := _stored_time(v)) is not None}
    if "declared" not in milestones:
        milestones["declared"] = _stored_time(row["created_at"]) or EARLIEST
    return milestones


def _entry(row: sqlite3.Row | tuple, history: tuple[Revision, ...] = ()) -> Entry:
    """An entry row; a time that cannot be read becomes a note at the start of its text, and the
    entry sorts where it was logged (or, failing that, first) — shown, never fatal, never hidden."""
    (id_, incident_id, at, logged_at, author, kind, text, starred, revision,
     redacted_at, redacted_by, reason, owner, due, key) = tuple(row)
    when, logged = _stored_time(at), _stored_time(logged_at)
    notes = ""
    if when is None:
        notes += _unreadable("time", at)
    if logged is None:
        notes += _unreadable("logged time", logged_at)
    when = when or logged or EARLIEST
    logged = logged or when
    due_at = _opt(due)
    if due and due_at is None:
        notes += _unreadable("due time", due)
    redacted = _opt(redacted_at)
    if redacted_at and redacted is None:  # still redacted: the text stays hidden
        redacted = logged
    return Entry(
        id=id_, incident_id=incident_id, at=when, logged_at=logged, author=author,
        kind=kind, text=notes + text, starred=bool(starred), revision=revision, redacted_at=redacted,
        redacted_by=redacted_by, redaction_reason=reason, owner=owner, due=due_at, key=key,
        history=history,
    )


def prepare_file(path: Path) -> None:
    """Create the database file (and its folder) readable by its owner only, before SQLite does."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        os.close(os.open(path, os.O_CREAT | os.O_RDWR | os.O_EXCL, 0o600))
    except FileExistsError:
        pass  # an existing database keeps its permissions


class Store:
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
                for statement in _statements(sql):
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
        services: Iterable[str] = (),
        impact: str = "",
        drill: bool = False,
        make_active: bool = True,
        scenario: DrillScenario | None = None,
    ) -> Incident:
        """A new incident. With ``scenario`` it is a drill: marked so everywhere, the scenario's text
        kept beside it, and never made the active incident (``warroom log`` cannot land in a drill)."""
        title = title.strip()
        if not title:
            raise IncidentError("an incident needs a title")
        drill = drill or scenario is not None
        make_active = make_active and scenario is None
        level = policy.level(severity)
        milestones = {"declared": now}
        if detected_at is not None:
            if detected_at > now:
                raise IncidentError(
                    f"detected at {short_utc(detected_at)} would be after declared at {short_utc(now)}"
                )
            milestones["detected"] = detected_at
        snapshot = json.dumps(policy.to_dict(), sort_keys=True)
        async with self._transaction() as db:
            rows = await db.execute_fetchall(
                "INSERT INTO incidents (title, severity, status, policy, milestones, services, impact, drill,"
                " created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?) RETURNING id",
                (title, level.key, "investigating", snapshot, _milestones_json(milestones),
                 json.dumps(list(dict.fromkeys(s.strip() for s in services if s.strip()))), impact,
                 int(drill), iso_utc(now), iso_utc(now)),
            )
            incident_id = rows[0][0]
            text = f"{'DRILL ' if drill else ''}Incident declared: {level.label} — {title}"
            await self._insert_entry(db, incident_id, text, "system", author, now, now)
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
        return DrillScenario(r["scenario"], r["source"], r["speed"], _stored_time(r["started_at"]))

    async def incident(self, incident_id: int) -> Incident:
        rows = await self._db.execute_fetchall("SELECT * FROM incidents WHERE id = ?", (incident_id,))
        if not rows:
            raise NotFound(f"no incident #{incident_id}")
        return _incident(rows[0])

    async def incidents(self, *, include_resolved: bool = True) -> list[Incident]:
        sql = "SELECT * FROM incidents"
        if not include_resolved:
            sql += " WHERE status != 'resolved'"
        rows = await self._db.execute_fetchall(sql + " ORDER BY id DESC")
        return [_incident(r) for r in rows]

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
            before = _incident(rows[0])
            after, texts = change(before)
            await db.execute(
                "UPDATE incidents SET title=?, severity=?, status=?, milestones=?, roles=?, services=?, impact=?,"
                " summary=?, updated_at=? WHERE id=?",
                (after.title, after.severity, after.status, _milestones_json(after.milestones),
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
        with self._entry_errors(incident_id):
            async with self._write_lock:
                return await self._insert_entry(self._db, incident_id, text, kind, author, at or now, now,
                                                owner=owner, due=due, key=key)

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
        params = _entry_params(incident_id, text, kind, author, at or now, now, owner, due, None)

        def insert(con: sqlite3.Connection) -> Entry:
            if gate is not None and not gate.is_open:
                raise NotAttempted("waiting for an earlier line")
            try:
                with self._entry_errors(incident_id):
                    entry_id = con.execute(_INSERT_ENTRY.format(verb="INSERT"), params).fetchone()[0]
            except BaseException:
                if gate is not None:
                    gate.close()
                raise
            return _new_entry(entry_id, params)

        return asyncio.wrap_future(self._journal.submit(insert))

    async def settle_lines(self) -> None:
        """Stop the journal: the lines handed over but not started are dropped (the caller keeps
        them), and the one being written, if any, is waited for — so that afterwards every line
        is known to be written or not, none still on its way."""
        await asyncio.wrap_future(self._journal.close(abandon=True))

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
        with self._entry_errors(incident_id):
            async with self._transaction() as db:
                written = [await self._insert_entry(db, incident_id, text, kind, author, at, now, key=key)
                           for key, text, at, kind in rows]
        return [e for e in written if e is not None]

    @contextmanager
    def _entry_errors(self, incident_id: int) -> Iterator[None]:
        """An entry for an incident that does not exist is NotFound; a locked or broken file a StoreError."""
        try:
            yield
        except sqlite3.IntegrityError as exc:
            if "FOREIGN KEY" in str(exc):
                raise NotFound(f"no incident #{incident_id}") from None
            raise
        except sqlite3.DatabaseError as exc:  # locked, disk full, a damaged page
            raise StoreError(explain(self.path, exc)) from None

    async def _insert_entry(self, db, incident_id, text, kind, author, at, now, *, owner="", due=None,
                            key=None) -> Entry | None:
        params = _entry_params(incident_id, text, kind, author, at, now, owner, due, key)
        rows = await db.execute_fetchall(_INSERT_ENTRY.format(verb="INSERT OR IGNORE" if key else "INSERT"), params)
        return _new_entry(rows[0][0], params) if rows else None

    async def entry(self, entry_id: int, *, with_history: bool = False) -> Entry:
        rows = await self._db.execute_fetchall(f"SELECT {_ENTRY_COLUMNS} FROM entries WHERE id = ?", (entry_id,))
        if not rows:
            raise NotFound(f"no entry {entry_id}")
        history = await self._history(entry_id) if with_history else ()
        return _entry(rows[0], history)

    async def entries(self, incident_id: int, *, with_history: bool = False,
                      ids: Iterable[int] | None = None) -> list[Entry]:
        """The incident's entries in timeline order (``at``, then ``logged_at``, then id)."""
        sql = f"SELECT {_ENTRY_COLUMNS} FROM entries WHERE incident_id = ?"
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
                histories.setdefault(r[0], []).append(_revision(r))
        # sorted again: an entry whose stored time is unreadable sorts where it was logged, not as text
        return in_order(_entry(r, tuple(histories.get(r[0], ()))) for r in rows)

    async def _history(self, entry_id: int) -> tuple[Revision, ...]:
        rows = await self._db.execute_fetchall(
            "SELECT entry_id, revision, at, kind, text, author, replaced_at, replaced_by FROM revisions"
            " WHERE entry_id = ? ORDER BY revision", (entry_id,),
        )
        return tuple(_revision(r) for r in rows)

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
        rows = await db.execute_fetchall(f"SELECT {_ENTRY_COLUMNS} FROM entries WHERE id = ?", (entry_id,))
        if not rows:
            raise NotFound(f"no entry {entry_id}")
        return _entry(rows[0])

    # -- misc ------------------------------------------------------------------------------------------
    async def _set_meta(self, db, key: str, value: str) -> None:
        await db.execute(
            "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (key, value),
        )

    # -- readings: what the panes showed (recorded as changes) ------------------------------------
    async def record(self, incident_id: int, records: Iterable[Record]) -> int:
        """Append a batch of readings in one transaction; returns how many."""
        rows = [(incident_id, r.at.timestamp(), r.stream, r.key,
                 None if r.value is None else json.dumps(r.value, separators=(",", ":"), ensure_ascii=False))
                for r in records]
        if not rows:
            return 0
        async with self._transaction() as db:
            await db.executemany("INSERT INTO readings (incident_id, at, stream, key, value) VALUES (?,?,?,?,?)",
                                 rows)
        return len(rows)

    async def readings(self, incident_id: int) -> list[Record]:
        rows = await self._db.execute_fetchall(
            "SELECT at, stream, key, value FROM readings WHERE incident_id = ? ORDER BY at, rowid", (incident_id,))
        return await asyncio.to_thread(_records, rows)  # hours of readings: decoded off the event loop

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
        return await asyncio.to_thread(_quick_check, self.path)  # its own connection: reads go on meanwhile

    async def salvage_entries(self, incident_id: int) -> tuple[list[Entry], int]:
        """From a damaged file: the incident's entries that can still be read, each on its own
        (a scan stops at the first bad page; a lookup by id goes around it), in timeline order,
        and how many entry ids (of any incident) could not be read."""
        return await asyncio.to_thread(_salvage, self.path, incident_id)

    async def check_sound(self) -> None:
        """Raise ``Damaged`` (one line: what is damaged, how to recover) unless ``quick_check`` passes."""
        problems = await self.damage()
        if problems:
            raise Damaged(damaged(self.path, problems))


_INSERT_ENTRY = ("{verb} INTO entries (incident_id, at, logged_at, author, kind, text, owner, due, key)"
                 " VALUES (?,?,?,?,?,?,?,?,?) RETURNING id")


def _entry_params(incident_id, text, kind, author, at, now, owner, due, key) -> tuple:
    return (incident_id, iso_utc(at), iso_utc(now), author, kind, text, owner, iso_utc(due) if due else None, key)


def _new_entry(entry_id: int, params: tuple) -> Entry:
    """The entry just inserted with ``params``, as ``entries`` would read it back."""
    incident_id, at, logged_at, author, kind, text, owner, due, key = params
    return Entry(id=entry_id, incident_id=incident_id, at=parse_instant(at), logged_at=parse_instant(logged_at),
                 author=author, kind=kind, text=text, owner=owner, due=_opt(due), key=key)


class Journal:
    """A thread of its own with a connection of its own, for the writes that must not wait for the
    event loop (``Store.append_soon``). One thread: the writes commit in the order handed over.
    The connection opens on first use, so a store that never journals costs no thread."""

    def __init__(self, path: Path, busy_timeout_ms: int = BUSY_TIMEOUT_MS) -> None:
        self.path = path
        self.busy_timeout_ms = busy_timeout_ms
        self._executor = ThreadPoolExecutor(1, thread_name_prefix="warroom-journal")
        self._con: sqlite3.Connection | None = None
        self._closed = self._used = False
        self._closing: Future | None = None
        self._queued: set[Future] = set()
        self._lock = threading.Lock()

    def submit(self, write: Callable[[sqlite3.Connection], Any]) -> Future:
        with self._lock:
            if self._closed:
                raise StoreError(f"database {self.path} is closed")
            self._used = True
            future = self._executor.submit(self._run, write)
            self._queued.add(future)
        future.add_done_callback(self._queued.discard)
        return future

    def _run(self, write: Callable[[sqlite3.Connection], Any]) -> Any:
        try:
            if self._con is None:
                con = sqlite3.connect(self.path, isolation_level=None, timeout=self.busy_timeout_ms / 1000)
                con.execute("PRAGMA synchronous = FULL")  # WAL is the file's, set by the store
                con.execute("PRAGMA foreign_keys = ON")
                self._con = con
            return write(self._con)
        except sqlite3.Error as exc:
            raise StoreError(explain(self.path, exc)) from None

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
            if self._used:
                self._closing = self._executor.submit(self._close)
            else:
                self._closing = Future()
                self._closing.set_result(None)
        self._executor.shutdown(wait=False)
        return self._closing

    def _close(self) -> None:
        if self._con is not None:
            self._con.close()
            self._con = None


def _quick_check(path: Path) -> list[str]:
    con = sqlite3.connect(path)
    try:
        problems = [r[0] for r in con.execute("PRAGMA quick_check(20)")]
    except sqlite3.DatabaseError as exc:
        return [str(exc)]
    finally:
        con.close()
    return [] if problems == ["ok"] else problems


def _salvage(path: Path, incident_id: int) -> tuple[list[Entry], int]:
    con = sqlite3.connect(path)
    try:
        try:
            top = con.execute("SELECT seq FROM sqlite_sequence WHERE name = 'entries'").fetchone()
            top = top[0] if top else con.execute("SELECT max(id) FROM entries").fetchone()[0] or 0
        except sqlite3.DatabaseError as exc:
            raise Damaged(damaged(path, [f"the entries cannot even be counted: {exc}"])) from None
        found, lost = [], 0
        for entry_id in range(1, top + 1):
            try:
                row = con.execute(f"SELECT {_ENTRY_COLUMNS} FROM entries WHERE id = ?", (entry_id,)).fetchone()
                if row is not None and row[1] == incident_id:
                    found.append(_entry(row))
            except (sqlite3.DatabaseError, ValueError):  # a bad page, or a row whose text is garbage
                lost += 1
        return sorted(found, key=lambda e: (e.at, e.logged_at, e.id)), lost
    finally:
        con.close()


def _records(rows) -> list[Record]:
    return [Record(datetime.fromtimestamp(r[0], timezone.utc), r[1], r[2], None if r[3] is None else json.loads(r[3]))
            for r in rows]


def _revision(r) -> Revision:
    at, replaced_at = _stored_time(r[2]), _stored_time(r[6])
    notes = (_unreadable("time", r[2]) if at is None else "") + (
        _unreadable("replaced time", r[6]) if replaced_at is None else "")
    at = at or replaced_at or EARLIEST
    return Revision(revision=r[1], at=at, kind=r[3], text=notes + r[4], author=r[5],
                    replaced_at=replaced_at or at, replaced_by=r[7])


def _milestones_json(milestones) -> str:
    return json.dumps({k: iso_utc(v) for k, v in milestones.items()}, sort_keys=True)


def _statements(sql: str) -> list[str]:
    """Split a migration into statements (triggers contain ``;`` inside BEGIN … END)."""
    out, buf = [], ""
    for line in sql.splitlines(keepends=True):
        buf += line
        if sqlite3.complete_statement(buf):
            if buf.strip():
                out.append(buf.strip())
            buf = ""
    if buf.strip():
        out.append(buf.strip())
    return out


def explain(path: Path, exc: sqlite3.Error) -> str:
    """One line that says which file, what is wrong with it, and what to do."""
    message = str(exc)
    if "malformed" in message:
        return damaged(path, [message])
    if "not a database" in message:
        return f"database {path} is corrupt or not a warroom database ({message}); move it aside or use --db"
    if "full" in message:
        return f"database {path}: the disk is full ({message}); free some space"
    if "disk I/O error" in message:
        return f"database {path}: disk I/O error — is the disk full or failing? ({message})"
    if "locked" in message or "busy" in message:
        return f"database {path} is locked by another process ({message}); try again"
    if "readonly" in message or "read-only" in message:
        return f"database {path} is read-only ({message}); check its permissions"
    return f"database {path}: {message}"


def damaged(path: Path, problems: list[str]) -> str:
    """What ``PRAGMA quick_check`` found, in one line, with the ways to get back what can be read."""
    found = [line.strip() for p in problems for line in p.splitlines()
             if line.strip() and not line.startswith("*** in database")]
    first = "; ".join(found[:2]) or "unknown damage"
    more = f" (+{len(found) - 2} more)" if len(found) > 2 else ""
    return (f"database {path} is damaged: {first}{more}. Recover what can be read: "
            f"`warroom --db {path} export --salvage -i ID -o FILE` writes the readable entries; "
            f"`sqlite3 {path} .recover | sqlite3 recovered.db` rebuilds a copy (then use --db recovered.db); "
            f"keep the damaged file")
