"""A screen's live session: the store, the room core and the panes, wired together.

Data flow: widgets post messages (a parsed line, a checklist tick, an entry command); the session
turns them into store writes, queued on the room's write queue (one at a time, in order, retried,
never dropped), and shows what the store gave back. The rules — which entries to show, which
automatic entries are new, when the comms lead is reminded — are the room core's
(``warroom.room``); what is drawn where is the panes'. This module only connects them.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Awaitable, Callable

from rich.text import Text

from warroom.domain import incident as inc
from warroom.domain import recording as rec
from warroom.domain.alert_routing import KEY_PREFIX as ALERT_KEY
from warroom.domain.alert_routing import NOTICE_PREFIX as ALERT_NOTICE_KEY
from warroom.domain.incident import Incident, IncidentError
from warroom.domain.policy import PolicyError
from warroom.domain.scribe import Line, ScribeError, parse_line
from warroom.domain.sla import SlaReport
from warroom.domain.text import one_line
from warroom.domain.timeline import Entry, EntryError
from warroom.domain.times import TimeParseError
from warroom.room.live import sla_entries
from warroom.room.session import Room, update_reminder
from warroom.room.writes import Backoff, WriteQueue, new_client_id, reason
from warroom.store import Damaged, IncidentStore, NotFound, StoreError, connect_store, explain
from warroom.ui.widgets.header import IncidentHeader
from warroom.ui.widgets.line_input import RejectableInput
from warroom.ui.widgets.sla import SlaPane
from warroom.ui.widgets.timeline import TimelinePane

if TYPE_CHECKING:
    from warroom.ui.app import WarRoomApp

#: what the store refuses as wrong (said, and dropped): every other failure is retried
USER_ERRORS = (IncidentError, PolicyError, EntryError, TimeParseError, NotFound)
#: How long start-up waits for the database before painting without the incident (see ``start``).
FIRST_READ_WAIT = 0.5

Loaded = tuple[Incident, list[Entry], int]


class Session:
    def __init__(self, app: WarRoomApp, db_path: Path, incident_id: int | None, backoff: Backoff | None) -> None:
        self._app = app
        self.db_path = db_path
        self.store: IncidentStore | None = None
        self.room = Room()
        self.report: SlaReport | None = None
        self.loaded = asyncio.Event()
        self.writes = WriteQueue(rejects=USER_ERRORS, backoff=backoff or Backoff(), changed=self._show_unsaved,
                                 rejected=self._write_rejected, failed=self._write_shown_badly)
        self.lines_saved_aside = False  # quit wrote them to a file: the store need not wait for them
        self._wanted = incident_id
        self._first_read: asyncio.Future | None = None
        self._hint_warns = False  # the hint shows the writes waiting
        self._reminded: set[str] = set()
        self._refusal = ""  # why the line on the input was refused, while it stands
        self._sync_trouble = ""  # "sync paused: …" while the sync cannot read the database
        self._lines_out: Counter[str] = Counter()  # lines handed to the writer, not yet written
        self._offered: set[str] = set()  # detected times offered from an alert (once each)
        self._announced: set[str] = set()  # unrouted alerts' notice entries said on the notice line

    # -- opening -------------------------------------------------------------------------------------
    async def start(self) -> None:
        """Open the database and read the incident before anything is composed (it takes ~10 ms),
        so that the first frame painted is the loaded one — not empty panes painted, then painted
        again a moment later, a whole extra frame at start-up. A slow or locked database holds
        this back by FIRST_READ_WAIT at most; the read then finishes in a worker."""
        self._first_read = asyncio.ensure_future(self._read_first())
        await asyncio.wait([self._first_read], timeout=FIRST_READ_WAIT)

    async def _read_first(self) -> tuple[Loaded | None, int, list | None]:
        """(the incident to show with its entries and change sequence, or None; the data version;
        the scenarios to offer on a first run, or None). A drill declares its incident here."""
        app = self._app
        self.store = await connect_store(self.db_path)
        self.store.open_journal()
        if app.drill is not None and app.drill.incident_id is None:
            from warroom.ui.flows.drill import declare_drill

            app.drill.incident_id = self._wanted = await declare_drill(app, self.store)
        incident_id = self._wanted or await self.store.active_incident_id()
        loaded = await self._fetch(incident_id) if incident_id is not None else None
        welcome = None
        if loaded is None and app.first_run and not app.sources_configured and not await self.store.incidents():
            from warroom.drill.library import bundled_names, load

            welcome = await asyncio.to_thread(lambda: [(n, load(n)[0].title) for n in bundled_names()])
        return loaded, await self.store.data_version(), welcome

    def mounted(self) -> None:
        """The first frame: show what was read (or wait for it in a worker), check the file, write."""
        if self._first_read.done():
            self._opened(self._first_read)  # in the first frame
        else:
            self._app.run_worker(self._open_later(), group="open", exclusive=True, exit_on_error=False)
        self._app.run_worker(self._check_database(), group="check", exit_on_error=False)
        self._app.run_worker(self._write(), group="writer", exit_on_error=False)

    async def _open_later(self) -> None:
        await asyncio.wait([self._first_read])
        self._opened(self._first_read)

    async def _check_database(self) -> None:
        """``PRAGMA quick_check`` beside the first frame (a large file takes a while): a damaged
        page mid-file is said in one line and the app exits, rather than crash when a read meets it."""
        await asyncio.wait([self._first_read])
        if self.store is None:
            return  # it did not open: ``_opened`` says why
        try:
            await self.store.check_sound()
        except Damaged as exc:
            self._app.exit(return_code=1, message=Text(f"warroom: {exc}"))

    def _opened(self, read: asyncio.Future) -> None:
        app = self._app
        try:
            loaded, version, welcome = read.result()
            if loaded is not None:
                self._show_loaded(*loaded)
            self.room.data_version = version
            if app.drill is not None and app.drill.scenario.briefing:
                app.notify(app.drill.scenario.briefing, title=f"DRILL: {app.drill.scenario.title}", timeout=30)
            if welcome:
                from warroom.ui.flows.drill import offer_drill

                offer_drill(app, welcome)
        except (Damaged, sqlite3.DatabaseError) as exc:
            message = str(exc) if isinstance(exc, Damaged) else explain(self.db_path, exc)
            app.exit(return_code=1, message=Text(f"warroom: {message}"))
        except StoreError as exc:
            self.hint(f"database unusable: {exc}", error=True)
            app.notify(str(exc), title="Database", severity="error", timeout=30)
        except NotFound as exc:
            app.notify(f"{exc}; press F3 to pick one", severity="warning")
        finally:
            self.loaded.set()
            self.render_clock()

    async def load(self, incident_id: int) -> None:
        """Open another incident (switched to, declared, or declared by another process)."""
        self._show_loaded(*await self._fetch(incident_id))

    async def _fetch(self, incident_id: int) -> Loaded:
        assert self.store is not None
        incident = await self.store.incident(incident_id)
        entries = await self.store.entries(incident_id)
        return incident, entries, await self.store.change_seq()

    def _show_loaded(self, incident: Incident, entries: list[Entry], seq: int) -> None:
        app = self._app
        if self.room.incident is not None and self.room.incident.id != incident.id:
            self.flush_readings()
        self.room.open(incident, entries, seq)
        app.query_one(TimelinePane).load(entries, incident.start)
        self.render_clock()
        self._offer_detected()
        if app.metrics_feed is not None:
            app.metrics_feed.forget_verdicts()
            app.metrics_feed.write_events()
        if app.pods_feed is not None:
            app.pods_feed.reopened(app.now())

    # -- the clock -------------------------------------------------------------------------------------
    def render_clock(self) -> None:
        app, room = self._app, self.room
        now = app.now()
        from warroom.ui.flows.drill import drill_label

        app.query_one(IncidentHeader).show(room.incident, now, app.local, drill_label(app, now))
        pane = app.query_one(SlaPane)
        self.report = room.report(now)
        if room.incident is None:
            pane.show(None, None, app.local)
            return
        pane.show(room.incident, self.report, app.local)
        pane.show_checklist(room.incident.level.checklist, room.ticked())

    def tick(self) -> None:
        """Every second: the clock, breaches and escalations due, the status-update reminder."""
        self.render_clock()
        if self.room.live:
            # once each across all processes (the entry's key is unique in the database)
            for event in sla_entries(self.report):
                self.write_keyed(event.key, event.text, event.at, event.kind, alarm=True)
        self._remind()

    def _remind(self) -> None:
        app = self._app
        if self.room.incident is not None and app.config.comms.audiences:
            self._remind_audiences()
        reminder = update_reminder(self.room.incident, self.report, self._reminded)
        if reminder is None:
            return
        due = reminder.due.astimezone(app.local)
        if reminder.overdue:
            app.notify(f"Status update OVERDUE since {due:%H:%M} — ctrl+n to compose",
                       title="Comms", severity="error", timeout=60)
        else:
            left = reminder.left_seconds
            app.notify(f"Status update due at {due:%H:%M} (in {int(left // 60)}m{int(left % 60):02d}s) — "
                       "ctrl+n to compose", title="Comms", severity="warning", timeout=30)
        if app.config.comms.bell:
            app.bell()

    def _remind_audiences(self) -> None:
        """The same reminders for each configured audience, by its own cadence (``domain.audiences``)."""
        from warroom.domain.audiences import audience_clock
        from warroom.room.session import due_reminder

        app, incident = self._app, self.room.incident
        for item in app.config.comms.audiences:
            name = item.audience.name
            clock = audience_clock(incident, self.room.entries.values(), item.audience, app.now())
            if clock is None or clock.next_due is None:
                continue
            reminder = due_reminder(f"{incident.id}:{name}:", clock.next_due, app.now(), self._reminded)
            if reminder is None:
                continue
            due = reminder.due.astimezone(app.local)
            state = f"OVERDUE since {due:%H:%M}" if reminder.overdue else f"due at {due:%H:%M}"
            app.notify(f"Update for {name} {state} — ctrl+n, then → {name}", title="Comms",
                       severity="error" if reminder.overdue else "warning", timeout=30)

    # -- the scribe's line -----------------------------------------------------------------------------
    def log_line(self, raw: str) -> None:
        """The scribe pressed Enter on ``raw``: queue its write now, in order, and empty the line —
        or, if it cannot be logged as it stands, keep it (``refuse``). Every refusal is alike:
        the text stays once, selected, with the reason under it."""
        app = self._app
        if app.read_only:
            from warroom.ui.modes import READ_ONLY

            self.refuse(raw, READ_ONLY)
            return
        try:
            line = parse_line(raw, app.now(), app.local, self.room.incident)
        except ScribeError as exc:
            self.refuse(raw, str(exc))
            return
        if not self.need_incident():
            self.refuse(raw, "no incident open: F2 declares one, F3 opens one — your line is kept")
            return
        incident_id, now = self.room.incident.id, app.now()
        client_id = new_client_id()  # sent with every attempt: a retry after a lost answer writes nothing
        if line.action != "entry":
            change, at, kind = self._line_change(line)
            try:
                change(self.room.incident)  # as far as this screen knows: refused now, not later
            except USER_ERRORS as exc:
                self.refuse(raw, str(exc))
                return
            self._accepted(raw)
            self.writes.line(now, raw, lambda: self._write_change(incident_id, change, at, kind, client_id),
                             self._settled(raw, self._show_change), client_id=client_id)
            return
        write = dict(author=app.author, now=now, at=line.at, kind=line.kind, owner=line.owner, due=line.due,
                     client_id=client_id)
        first: asyncio.Future | None = None
        if self.store is not None:
            # Handed to the store's journal now, inside the key handler, so its commit never waits
            # behind a frame; should it fail, it wrote nothing, and the writer retries in order.
            try:
                first = self.store.append_soon(incident_id, line.text, gate=self.writes.gate, **write)
            except EntryError as exc:
                self.refuse(raw, str(exc))
                return
            except StoreError:
                pass  # the writer's attempt meets the same error and retries

        def again() -> Awaitable[Entry]:
            if self.store is None:
                raise StoreError("the database is not open")
            return self.store.append_soon(incident_id, line.text, **write)

        self._accepted(raw)
        self.writes.line(now, raw, again, self._settled(raw, self.apply_one), first=first, client_id=client_id)

    def refuse(self, raw: str, why: str) -> None:
        """``raw`` cannot be logged: it stays on the line once, selected (the next key typed
        replaces it, Esc clears it, ↑ brings it back), and ``why`` shows until the line changes."""
        self._refusal = why
        self._scribe_box().hold(raw)
        self.hint(why, error=True)

    @property
    def refused_line(self) -> tuple[str, str] | None:
        """The refused line still on the input, and why (quitting must not drop it unasked)."""
        held = self._scribe_box().held
        return (held, self._refusal) if held is not None and self._refusal else None

    def line_released(self) -> None:
        """The refused line was changed: its reason goes (a new refusal since keeps its own)."""
        if self._refusal and self._scribe_box().held is None:
            self._refusal = ""
            self._show_hint()

    def _accepted(self, raw: str) -> None:
        self._refusal = ""
        self._lines_out[raw] += 1
        self._scribe_box().logged(raw)
        self._show_hint()

    def _settled(self, raw: str, show: Callable[[object], object]) -> Callable[[object], object]:
        def done(result: object) -> object:
            self._lines_out[raw] -= 1
            return show(result)
        return done

    def _line_bounced(self, raw: str, exc: BaseException) -> None:
        """The store refused a line already handed over (the incident changed meanwhile): back on
        the line if the scribe has not typed on, else kept for ↑ — said either way."""
        self._lines_out[raw] -= 1
        box = self._scribe_box()
        if box.value:
            box.keep(raw)
            self.hint(f"{exc} — not logged: {one_line(raw)} (↑ brings it back)", error=True)
        else:
            self.refuse(raw, f"{exc} — not logged")

    def _scribe_box(self) -> RejectableInput:
        return self._app.query_one("#scribe-input", RejectableInput)

    def _line_change(self, line: Line) -> tuple[Callable[[Incident], tuple[Incident, list[str]]], datetime, str]:
        """The incident change a command line asks for: (change, when, entry kind)."""
        who = self._app.author
        if line.action == "status":
            return (lambda i: inc.change_status(i, line.status, line.at)), line.at, "status"
        if line.action == "ack":
            return (lambda i: inc.acknowledge(i, line.at, who)), line.at, "system"
        if line.action == "severity":
            return (lambda i: inc.change_severity(i, line.level)), line.at, "system"
        if line.action == "role":
            return (lambda i: inc.assign_role(i, line.role, line.name)), line.at, "system"
        raise ValueError(f"not a command line: {line.action}")

    # -- writes ------------------------------------------------------------------------------------------
    def enqueue(self, what: str, write: Callable[[], Awaitable[object]],
                done: Callable[[object], object] | None = None) -> None:
        """Queue a store write (retried until it succeeds); ``done`` shows its result, once. A
        read-only screen writes nothing (its keys say so first: ``ui.modes``)."""
        if self._app.read_only:
            from warroom.ui.modes import READ_ONLY

            self._app.notify(f"{what}: {READ_ONLY}", severity="warning")
            return
        self.writes.change(what, write, done)

    def enqueue_change(self, what: str, incident_id: int, change, at: datetime, kind: str = "system") -> None:
        """Queue a change of the incident itself (status, severity, a role, a milestone)."""
        client_id = new_client_id()
        self.enqueue(what, lambda: self._write_change(incident_id, change, at, kind, client_id), self._show_change)

    def append_note(self, text: str, kind: str = "note") -> None:
        """Queue an entry of the open incident's, written as by the author now."""
        incident_id, now, who, client_id = self.room.incident.id, self._app.now(), self._app.author, new_client_id()
        self.enqueue(text, lambda: self.store.append(incident_id, text, author=who, now=now, kind=kind,
                                                     client_id=client_id), self.apply_one)

    async def _write_change(self, incident_id: int, change, at: datetime, kind: str = "system",
                            client_id: str | None = None):
        if self.store is None:
            raise StoreError("the database is not open")
        return await self.store.change(incident_id, change, author=self._app.author, at=at, now=self._app.now(),
                                       kind=kind, client_id=client_id)

    def _show_change(self, result: tuple[Incident, list[Entry]]) -> None:
        incident, entries = result
        if self.room.incident_id == incident.id:
            self.room.incident = incident
        self.apply(entries, clock=True)

    def apply(self, entries: list[Entry | None], *, clock: bool = False) -> None:
        """Show a batch of entries: one timeline update and at most one SLA evaluation (``clock``:
        the incident itself changed, so the clock is redrawn even with no entry)."""
        shown, moved = self.room.accept(entries)
        if shown:
            self._app.query_one(TimelinePane).upsert(shown)
        if clock or moved:
            self.render_clock()
        if clock or any(e.key and e.key.startswith(ALERT_KEY) for e in shown):
            self._offer_detected()
        if any(e.key and e.key.startswith(ALERT_NOTICE_KEY) for e in shown):
            from warroom.ui.flows.incident import announce_alert_notices

            announce_alert_notices(self._app, shown, self._announced)

    def _offer_detected(self) -> None:
        from warroom.ui.flows.incident import offer_detected

        offer_detected(self._app, self._offered)

    def apply_one(self, entry: Entry | None) -> None:
        self.apply([entry])

    def write_keyed(self, key: str, text: str, at: datetime, kind: str = "system", alarm: bool = False) -> None:
        """An automatic entry, written once: the key is unique per incident in the database, so a
        second process (or a second tick) that tries again is ignored."""
        if self._app.read_only or not self.room.claim(key):
            return  # read-only: the scribe's screen (or the watcher) writes it
        app, incident_id = self._app, self.room.incident.id

        def shown(entry: Entry | None) -> None:
            if entry is not None:
                self.apply([entry])
                if alarm:
                    app.query_one(SlaPane).flash()
                    app.notify(text, title="SLA", severity="error", timeout=10)
                    app.bell()
        self.enqueue(text, lambda: self.store.append(incident_id, text, author="warroom", now=app.now(), at=at,
                                                     kind=kind, key=key), shown)

    def write_keyed_batch(self, events: list[tuple[str, str]], at: datetime, kind: str = "system") -> None:
        """Automatic ``(key, text)`` entries, each written once (as ``write_keyed``), but as one
        queued write, one transaction and one redraw: a watch storm brings hundreds at once, and
        one by one they kept the UI busy for seconds. A line the scribe types while they are queued
        waits for one transaction at most."""
        if self._app.read_only:
            return
        new = self.room.claim_all(events)
        if not new:
            return
        incident_id, app = self.room.incident.id, self._app
        self.enqueue(next(iter(new.values())) if len(new) == 1 else f"{len(new)} system entries",
                     lambda: self.store.append_keyed(incident_id, [(key, text, at, kind) for key, text in new.items()],
                                                     author="warroom", now=app.now()), self.apply)

    async def _write(self) -> None:
        await self.loaded.wait()
        await self.writes.run()

    def _write_rejected(self, what: str, exc: BaseException) -> None:
        if self._lines_out[what] > 0:
            self._line_bounced(what, exc)
        else:
            self.hint(f"{exc}", error=True)
        self._app.notify(str(exc), severity="warning")

    def _write_shown_badly(self, what: str, exc: BaseException) -> None:
        self._app.notify(f"saved, but not shown: {what} — {reason(exc)}", severity="error", timeout=15)

    def _show_unsaved(self) -> None:
        hint = self.writes.hint()
        if hint or self._hint_warns:
            self._show_hint()
        self._hint_warns = bool(hint)

    def sync_trouble(self, text: str) -> None:
        """The sync cannot read the database (``text``: "sync paused: …"), or can again (""): said
        beside the lines waiting, never instead of them (the count is what the scribe must see)."""
        if text != self._sync_trouble:
            self._sync_trouble = text
            self._show_hint()

    def _show_hint(self) -> None:
        """What the hint says when nothing new happened: writes waiting or a line refused, and the
        sync's trouble, or help. Both on its one line: the sync's in two words first ("sync paused ·
        2 lines not saved yet — …"; the reason is the database's, which the count goes on to give)."""
        said = self.writes.hint() or self._refusal
        if self._sync_trouble:
            said = f"{self._sync_trouble.split(':', 1)[0]} · {said}" if said else self._sync_trouble
        self.hint(said, error=bool(said))

    def hint(self, text: str = "", *, error: bool = False) -> None:
        """The line under the scribe's input: what to type, or what went wrong."""
        if not text and self._app.read_only:
            from warroom.ui.modes import READ_ONLY

            text = READ_ONLY
        self._app.query_one(TimelinePane).hint(text, error=error)

    # -- recording ---------------------------------------------------------------------------------------
    def record(self, scope: str, state: rec.State) -> None:
        self.room.observe(scope, state, self._app.now())

    def flush_readings(self) -> None:
        """Every few seconds, the readings gathered since go to disk in one transaction (through the
        writer, after any entry typed before): a crash loses at most these seconds, and never an entry."""
        if not self.room.readings or self.room.incident is None or self._app.read_only:
            return
        batch, incident_id = self.room.take_readings(), self.room.incident.id
        self.enqueue("readings", lambda: self.store.record(incident_id, batch))

    async def history(self, entry: Entry) -> tuple:
        """An entry's earlier versions, read when the full-entry view asks (in its worker)."""
        if self.store is None:
            raise StoreError("the database is not open")
        found = await self.store.entries(entry.incident_id, with_history=True, ids=[entry.id])
        return found[0].history if found else ()

    def need_incident(self) -> bool:
        if self.room.incident is None or self.store is None:
            self._app.notify("No incident open: F2 declares one, F3 opens one.", severity="warning")
            return False
        return True

    async def close(self) -> None:
        if self._first_read is not None:
            self._first_read.cancel()  # still reading at exit: the store must not open after close
        if self.store is None:
            return
        if self.room.readings and self.room.incident is not None and not self.lines_saved_aside \
                and not self._app.read_only:
            try:
                await self.store.record(self.room.incident.id, self.room.take_readings())
            except StoreError:
                pass  # readings are evidence, not entries: a locked database at exit loses a few seconds
        await self.store.close(abandon_lines=self.lines_saved_aside)
