"""The war room app: wires the store to the panes, ticks the SLA clock, syncs with other processes.

Data flow: widgets post messages (a parsed line, a checklist tick, an entry command); the app turns
them into store writes, which run one at a time, in order, on a single writer task (so a slow or
locked database never stalls the UI and a scribe's lines are committed in the order typed). Reads
that another process's writes make necessary are done by a polling worker that costs one
``PRAGMA data_version`` per half-second when nothing changed.
"""

from __future__ import annotations

import asyncio
import gc
import os
import threading
import time
from datetime import datetime, timedelta, timezone, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Awaitable, Callable

from rich.text import Text
from textual import events, on, work
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding
from textual.message import Message
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Input

from warroom.config import Config
from warroom.domain import incident as inc
from warroom.domain import metrics_view as mv
from warroom.domain import recording as rec
from warroom.domain.incident import ROLE_LABELS, ROLES, STATUSES, Incident, IncidentError
from warroom.domain.policy import PolicyError
from warroom.domain.scribe import Line
from warroom.domain.sla import SlaReport, evaluate
from warroom.domain.timeline import KINDS, Entry, EntryError, checklist_history, checklist_ticks
from warroom.domain.times import TimeParseError, parse_when
from warroom.localtime import local_timezone
from warroom.store.sqlite import NotFound, Store, StoreError
from warroom.ui.runtime import IdleCollections, freeze_heap, runtime_tuned, tune_runtime
from warroom.ui.theme import DEFAULT_THEME, HIGH_CONTRAST
from warroom.ui.widgets.header import IncidentHeader
from warroom.ui.messages import PinPod, PinReading
from warroom.ui.widgets.keybar import KeyBar
from warroom.ui.widgets.placeholder import METRICS_HINT, PODS_HINT, NotConfigured
from warroom.ui.widgets.sla import ChecklistToggled, SlaPane
from warroom.ui.widgets.timeline import EntryCommand, TimelinePane

# Imported where first used, not here: the dialogs, the report, comms, and the metrics and pods
# panes (only composed when configured) — the first frame needs none of them, and their imports
# were a fifth of the start-up time.
if TYPE_CHECKING:
    from warroom.drill.sources import DrillRun
    from warroom.ui.screens.modals import Declaration
    from warroom.domain.pod_view import ContextView

Clock = Callable[[], datetime]
MAX_BACKOFF = 120.0


class PodsChanged(Message):
    """A watcher published a snapshot (posted from the watcher's thread)."""

    def __init__(self, snapshot) -> None:
        super().__init__()
        self.snapshot = snapshot


class PodsViewReady(Message):
    def __init__(self, view) -> None:
        super().__init__()
        self.view = view


class MetricsPolled(Message):
    """Posted from the polling thread (``post_message`` is thread-safe)."""

    def __init__(self, poll: mv.Poll) -> None:
        super().__init__()
        self.poll = poll

USER_ERRORS = (IncidentError, PolicyError, EntryError, TimeParseError, NotFound)
NARROW_WIDTH = 120
#: Entry kinds the SLA evaluation looks at (responses, status updates); notes only wait for the tick.
SLA_KINDS = frozenset({"action", "decision", "status", "comms", "system", "escalation"})
#: entries that report what the panes saw: they cannot move the SLA clock (a storm writes hundreds)
OBSERVATION_KEYS = ("metric:", "pod:", "workload:", "rollout:")


def _moves_clock(entry: Entry) -> bool:
    """Whether the SLA pane must be drawn again for this entry (a plain note cannot move it)."""
    if entry.key:
        return not entry.key.startswith(OBSERVATION_KEYS)
    return entry.kind in SLA_KINDS
RETRY_SECONDS = 2.0
QUIT_WAIT = 1.5  # seconds quit waits for lines still being written
RECORD_FLUSH_SECONDS = 2.0
PAINT_WAIT = 1.0  # seconds a pods view waits at most for the last one to be painted
#: How long start-up waits for the database before painting without the incident (see ``on_load``).
FIRST_READ_WAIT = 0.5


def styles_path() -> Path:
    """``warroom/styles`` in an installed wheel; the checkout's top-level ``styles/`` otherwise."""
    here = Path(__file__).resolve().parent.parent
    installed = here / "styles" / "warroom.tcss"
    return installed if installed.exists() else here.parent.parent / "styles" / "warroom.tcss"


def system_clock() -> datetime:
    return datetime.now(timezone.utc)


class WarRoomApp(App[int]):
    CSS_PATH = styles_path()
    TITLE = "warroom"
    ENABLE_COMMAND_PALETTE = True
    BINDINGS = [
        Binding("f1", "help", "Help"),
        Binding("f2", "declare", "Declare"),
        Binding("f3", "switch", "Switch"),
        Binding("f4", "assign", "Roles"),
        Binding("f5", "copy_summary", "Copy status"),
        Binding("f6", "ack", "Ack"),
        Binding("f7", "status", "Status"),
        Binding("f8", "severity", "Severity"),
        Binding("f9", "export", "Export"),
        Binding("f10", "toggle_utc", "UTC"),
        Binding("ctrl+n", "compose", "Update"),
        Binding("ctrl+o", "next_pane", "Other pane", show=False),
        Binding("ctrl+t", "toggle_contrast", "Contrast", show=False),
        Binding("f11", "drill_pause", "Pause drill"),
        Binding("f12", "drill_speed", "Drill speed"),
    ]

    def __init__(
        self,
        db_path: Path | str,
        *,
        clock: Clock = system_clock,
        local: tzinfo | None = None,
        author: str | None = None,
        incident_id: int | None = None,
        sync_interval: float = 0.5,
        tick_interval: float = 1.0,
        export_dir: Path | None = None,
        cursor_blink: bool = True,
        config: Config | None = None,
        config_error: str = "",
        metrics_source: object | None = None,
        kube_watchers: list | None = None,
        probe_source: object | None = None,
        drill: DrillRun | None = None,
        first_run: bool = False,
    ) -> None:
        super().__init__()
        self.db_path = Path(db_path)
        self.clock = clock
        self.local = local or local_timezone()
        self.author = author or _default_author()
        self.export_dir = export_dir or Path.cwd()
        self.store: Store | None = None
        self.incident: Incident | None = None
        self.entries: dict[int, Entry] = {}
        self.report: SlaReport | None = None
        self._wanted_incident = incident_id
        self._seq = 0
        self._data_version = -1
        self._sync_interval = sync_interval
        self._tick_interval = tick_interval
        self._writes: asyncio.Queue[tuple[str, Callable[[], Awaitable[object]]]] = asyncio.Queue()
        self._idle_gc: IdleCollections | None = None  # only where the runtime is tuned (``warroom`` itself)
        self._lines_pending: list[tuple[datetime, str]] = []  # the scribe's lines not yet committed, as typed
        self._write_trouble = ""  # why the last write failed, while lines wait
        self._lines_saved_aside = False  # quit wrote them to a file: the store need not wait for them
        self._events_written: set[str] = set()
        self._syncing = False
        self._left_panes = ("sla-pane", "metrics-pane", "pods-pane")
        self._current_left = 0
        self.loaded = asyncio.Event()
        self._cursor_blink = cursor_blink
        self.config = config or Config()
        self._config_error = config_error
        self._metrics_source = metrics_source
        prom = self.config.prometheus
        self._panels = tuple(prom.panels) if prom else tuple(getattr(metrics_source, "panels", ()))
        self.metrics = mv.initial(self._panels)
        self._verdicts = mv.VerdictMemory()
        self._metrics_refresh = prom.refresh if prom else getattr(metrics_source, "refresh", 5.0)
        self._metrics_delay = self._metrics_refresh
        self._metrics_polls = 0
        self.probe_results: list = []
        self.comms_drafts: dict[int, dict[str, str]] = {}  # per incident, kept until sent
        self._reminded: set[str] = set()
        self.last_posted: list = []
        self._kube_watchers = kube_watchers
        self._pods_versions: dict[str, int] = {}
        self.pod_views: dict[str, ContextView] = {}
        self._probe_source = probe_source
        #: the scripted drill this app runs (its sources are the ones above), or None
        self.drill = drill
        self.drill_report = None
        #: set by the first-run welcome: the scenario to start once this app has exited
        self.start_drill: str | None = None
        self._first_run_offer = first_run
        self._recorder = rec.Recorder()
        self._pending_readings: list[rec.Record] = []
        self._first_read: asyncio.Future | None = None  # started in on_load
        #: per context: the newest snapshot version posted, and the last view computed (the next one's start)
        self._pods_latest: dict[str, int] = {}
        self._kube_views: dict = {}
        self._pods_lock = threading.Lock()
        #: set once the last pods view posted is painted (or dropped): the next is computed after it
        self._pods_painted = threading.Event()
        self._pods_painted.set()

    def now(self) -> datetime:
        return self.clock()

    def notify(self, message: str, *, title: str = "", severity="information", timeout: float | None = None,
               markup: bool = False) -> None:
        """Notifications carry user and cluster text: never interpret it as markup."""
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=markup)

    # -- layout ------------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield IncidentHeader(id="header")
        with Horizontal(id="body"):
            with Vertical(id="left"):
                yield SlaPane(id="sla-pane", classes="pane -current")
                if self._panels or self.config.probes or self._probe_source:
                    label = (self.config.prometheus.url if self.config.prometheus
                             else "drill · scripted metrics" if self.drill
                             else "scripted source" if self._panels else "health probes")
                    from warroom.ui.widgets.metrics import MetricsPane

                    yield MetricsPane(label, self._stale_limit(), id="metrics-pane", classes="pane")
                else:
                    yield NotConfigured("Metrics vs baseline", METRICS_HINT, id="metrics-pane", classes="pane")
                kube = self.config.kubernetes
                if kube is not None or self._kube_watchers:
                    contexts = kube.contexts if kube else tuple(w.target.context for w in self._kube_watchers)
                    label = ", ".join(c or "current context" for c in contexts)
                    from warroom.ui.widgets.pods import PodsPane

                    yield PodsPane(label, len(contexts) > 1, id="pods-pane", classes="pane")
                else:
                    yield NotConfigured("Pods", PODS_HINT, id="pods-pane", classes="pane")
            yield TimelinePane(self.local, self.log_line, id="timeline-pane", classes="pane")
        yield KeyBar(id="keys")

    def on_mount(self) -> None:
        self.register_theme(HIGH_CONTRAST)
        self.theme = DEFAULT_THEME
        self._apply_width(self.size.width)
        self._render_clock()
        self.query_one(TimelinePane).hint()
        self.query_one("#scribe-input", Input).cursor_blink = self._cursor_blink
        self._open_now_or_later()
        self._writer()
        self.set_interval(self._tick_interval, self._tick)
        self.set_interval(self._sync_interval, self._sync_tick)
        self.set_interval(RECORD_FLUSH_SECONDS, self._flush_readings)
        if runtime_tuned():
            self._idle_gc = IdleCollections(last_full=time.monotonic())
            self.set_interval(self._idle_gc.interval, self._collect_if_idle)
        if self._config_error:
            self.notify(f"{self._config_error}\nThe timeline works; metrics and pods are off until it is fixed.",
                        title="Config", severity="error", timeout=30)
        if self._panels:
            self._poll_metrics()
        if self.config.probes or self._probe_source:
            self._probe_loop()
        if self.config.kubernetes is not None or self._kube_watchers:
            self._start_kube()

    def _metrics_pane(self):
        from warroom.ui.widgets.metrics import MetricsPane  # composed (so imported) when configured

        return self.query_one(MetricsPane)

    def _pods_pane(self):
        from warroom.ui.widgets.pods import PodsPane  # composed (so imported) when configured

        return self.query_one(PodsPane)

    def on_resize(self, event) -> None:
        self._apply_width(event.size.width)

    def _apply_width(self, width: int) -> None:
        self.screen.set_class(width < NARROW_WIDTH, "-narrow")

    # -- loading -----------------------------------------------------------------------------------
    async def on_load(self) -> None:
        """Open the database and read the incident before anything is composed (it takes ~10 ms),
        so that the first frame painted is the loaded one — not empty panes painted, then painted
        again a moment later, a whole extra frame at start-up. A slow or locked database holds
        this back by FIRST_READ_WAIT at most; the read then finishes in the ``_open`` worker."""
        self._first_read = asyncio.ensure_future(self._read_first())
        await asyncio.wait([self._first_read], timeout=FIRST_READ_WAIT)

    async def _read_first(self) -> tuple[tuple[Incident, list[Entry], int] | None, int, list | None]:
        """(the incident to show with its entries and change sequence, or None; the data version;
        the scenarios to offer on a first run, or None). A drill declares its incident here."""
        self.store = await Store.connect(self.db_path)
        self.store.open_journal()
        if self.drill is not None and self.drill.incident_id is None:
            self.drill.incident_id = self._wanted_incident = await self._declare_drill()
        incident_id = self._wanted_incident or await self.store.active_incident_id()
        loaded = await self._fetch(incident_id) if incident_id is not None else None
        welcome = None
        configured = self._panels or self.config.probes or self.config.kubernetes
        if loaded is None and self._first_run_offer and not configured and not await self.store.incidents():
            from warroom.drill.library import bundled_names, load

            welcome = await asyncio.to_thread(lambda: [(n, load(n)[0].title) for n in bundled_names()])
        return loaded, await self.store.data_version(), welcome

    def _open_now_or_later(self) -> None:
        if self._first_read.done():
            self._opened(self._first_read)  # in the first frame
        else:
            self._open()

    @work(exclusive=True, group="open", exit_on_error=False)
    async def _open(self) -> None:
        await asyncio.wait([self._first_read])
        self._opened(self._first_read)

    def _opened(self, read: asyncio.Future) -> None:
        try:
            loaded, version, welcome = read.result()
            if loaded is not None:
                self._show_loaded(*loaded)
            self._data_version = version
            if self.drill is not None and self.drill.scenario.briefing:
                self.notify(self.drill.scenario.briefing, title=f"DRILL: {self.drill.scenario.title}", timeout=30)
            if welcome:
                self._offer_drill(welcome)
        except StoreError as exc:
            self.query_one(TimelinePane).hint(f"database unusable: {exc}", error=True)
            self.notify(str(exc), title="Database", severity="error", timeout=30)
        except NotFound as exc:
            self.notify(f"{exc}; press F3 to pick one", severity="warning")
        finally:
            self.loaded.set()
            self._render_clock()

    async def _load(self, incident_id: int) -> None:
        self._show_loaded(*await self._fetch(incident_id))

    async def _fetch(self, incident_id: int) -> tuple[Incident, list[Entry], int]:
        assert self.store is not None
        incident = await self.store.incident(incident_id)
        entries = await self.store.entries(incident_id)
        return incident, entries, await self.store.change_seq()

    def _show_loaded(self, incident: Incident, entries: list[Entry], seq: int) -> None:
        self._seq = seq
        if self.incident is not None and self.incident.id != incident.id:
            self._flush_readings()
        self._recorder = rec.Recorder()  # a newly opened incident records the whole current state first
        self.incident = incident
        self.entries = {e.id: e for e in entries}
        self._events_written = {e.key for e in entries if e.key}
        self.query_one(TimelinePane).load(entries, incident.start)
        self._render_clock()
        now = self.now()
        self._verdicts = mv.VerdictMemory()  # a newly opened incident hears about the current state
        self._metric_events(now)
        for view in self.pod_views.values():
            self._pod_events(view, now)
            self._record(rec.pods_scope(view.context), rec.pods_state(view))  # not only at the next snapshot

    # -- the clock -----------------------------------------------------------------------------------
    def _tick(self) -> None:
        self._render_clock()
        self._write_sla_events()
        self._update_reminder()
        if self.drill is not None:
            self._drill_tick()
        if self._panels and self.metrics.any_stale(now := self.now(), self._stale_limit()):
            self._metrics_pane().show(self.metrics, now, self.local)  # stale ages tick

    def _render_clock(self) -> None:
        now = self.now()
        self.query_one(IncidentHeader).show(self.incident, now, self.local, self._drill_label(now))
        pane = self.query_one(SlaPane)
        if self.incident is None:
            self.report = None
            pane.show(None, None, self.local)
            return
        self.report = evaluate(self.incident, self.entries.values(), now)
        pane.show(self.incident, self.report, self.local)
        pane.show_checklist(self.incident.level.checklist, self._ticked())

    def _write_sla_events(self) -> None:
        """Breaches and due escalations get one system entry each — once across all processes
        (the entry's key is unique in the database), and only while the incident is open."""
        if self.incident is None or self.report is None or self.incident.is_resolved:
            return
        for event in self.report.events():
            self._write_keyed(event.key, event.text, event.at, event.kind, alarm=True)

    def _update_reminder(self) -> None:
        """Two minutes before a status update is due, and when it is overdue: a notice (once each)."""
        if self.incident is None or self.report is None or self.report.update is None:
            return
        due = self.report.update.next_due
        if due is None:
            return
        left = (due - self.report.now).total_seconds()
        key = f"{self.incident.id}:{due.isoformat()}"
        if left < 0 and f"overdue:{key}" not in self._reminded:
            self._reminded.add(f"overdue:{key}")
            self.notify(f"Status update OVERDUE since {due.astimezone(self.local):%H:%M} — ctrl+n to compose",
                        title="Comms", severity="error", timeout=60)
            if self.config.comms.bell:
                self.bell()
        elif 0 <= left <= 120 and f"soon:{key}" not in self._reminded:
            self._reminded.add(f"soon:{key}")
            self.notify(f"Status update due at {due.astimezone(self.local):%H:%M} (in {int(left // 60)}m"
                        f"{int(left % 60):02d}s) — ctrl+n to compose", title="Comms", severity="warning", timeout=30)
            if self.config.comms.bell:
                self.bell()

    # -- checklist --------------------------------------------------------------------------------------
    def _check_entries(self, index: int) -> list[Entry]:
        return checklist_history(self.entries.values(), self.incident.level.key, index)

    def _ticked(self) -> frozenset[int]:
        if self.incident is None:
            return frozenset()
        return checklist_ticks(self.entries.values(), self.incident.level.key, len(self.incident.level.checklist))

    @on(ChecklistToggled)
    def _toggle_check(self, event: ChecklistToggled) -> None:
        if not self._need_incident():
            return
        incident = self.incident
        item = incident.level.checklist[event.index]
        history = self._check_entries(event.index)
        if history and not history[-1].redacted:
            last = history[-1]

            async def untick() -> None:
                self._apply([await self.store.redact(last.id, reason="checklist item unticked", by=self.author,
                                                     now=self.now())])
            self._enqueue(f"untick {item}", untick)
        else:
            key = f"check:{incident.level.key}:{event.index}:{len(history)}"

            async def tick() -> None:
                entry = await self.store.append(incident.id, f"Checklist ✓ {item}", author=self.author,
                                                now=self.now(), kind="action", key=key)
                if entry is not None:
                    self._apply([entry])
            self._enqueue(f"tick {item}", tick)

    # -- full garbage collections while nobody types (see warroom.ui.runtime) -------------------
    async def on_event(self, event: events.Event) -> None:
        if self._idle_gc is not None and isinstance(event, (events.Key, events.MouseDown, events.Paste)):
            self._idle_gc.input(time.monotonic())
        await super().on_event(event)

    def _collect_if_idle(self) -> None:
        if self._idle_gc.tick(time.monotonic(), gc.get_count()[2]):
            gc.collect()
            self._idle_gc.collected(time.monotonic())

    # -- the scribe's line --------------------------------------------------------------------------------
    def log_line(self, line: Line, raw: str) -> None:
        """The scribe pressed Enter on a line that parsed: queue its write now, in order."""
        if not self._need_incident():
            self.query_one(TimelinePane).hint("no incident open: F2 declares one — your line is kept", error=True)
            box = self.query_one("#scribe-input", Input)
            if not box.value:
                box.value = raw
            return
        incident_id = self.incident.id
        if line.action == "entry":
            self._enqueue(raw, self._log_entry(incident_id, line), keep_on_failure=True)
        else:
            self._enqueue(raw, lambda: self._execute(incident_id, line))

    def _log_entry(self, incident_id: int, line: Line) -> Callable[[], Awaitable[None]]:
        """Hand the entry to the store's journal now, inside the key handler, so its commit never
        waits behind a frame; the queued job shows it once committed. Should that first attempt
        fail (a locked file), it wrote nothing, and the writer's retries go through ``append``."""
        now, who = self.now(), self.author
        write = dict(author=who, now=now, at=line.at, kind=line.kind, owner=line.owner, due=line.due)
        first: asyncio.Future | None = None
        if self.store is not None:
            try:
                first = self.store.append_soon(incident_id, line.text, **write)
                # its failure is the job's to handle; unawaited only when quit put the line in a file
                first.add_done_callback(lambda f: f.cancelled() or f.exception())
            except (EntryError, StoreError):
                pass  # the job's append meets the same error, and the writer reports it

        async def job() -> None:
            nonlocal first
            if first is not None:
                attempt, first = first, None
                entry = await attempt
            else:
                entry = await self.store.append(incident_id, line.text, **write)
            self._apply([entry])

        return job

    async def _execute(self, incident_id: int, line: Line) -> None:
        who = self.author
        if line.action == "status":
            await self._change(incident_id, lambda i: inc.change_status(i, line.status, line.at), line.at, "status")
        elif line.action == "ack":
            await self._change(incident_id, lambda i: inc.acknowledge(i, line.at, who), line.at)
        elif line.action == "severity":
            await self._change(incident_id, lambda i: inc.change_severity(i, line.level), line.at)
        elif line.action == "role":
            await self._change(incident_id, lambda i: inc.assign_role(i, line.role, line.name), line.at)

    async def _change(self, incident_id: int, change, at: datetime, kind: str = "system") -> None:
        incident, entries = await self.store.change(incident_id, change, author=self.author, at=at, now=self.now(),
                                                    kind=kind)
        if self.incident is not None and incident.id == self.incident.id:
            self.incident = incident
        self._apply(entries, clock=True)

    def _apply(self, entries: list[Entry], *, clock: bool = False) -> None:
        """Show a batch of entries: one timeline update and at most one SLA evaluation (``clock``:
        the incident itself changed, so the clock is redrawn even with no entry)."""
        entries = [e for e in entries if e is not None and self.incident is not None
                   and e.incident_id == self.incident.id]
        for e in entries:
            self.entries[e.id] = e
            if e.key:
                self._events_written.add(e.key)
        if entries:
            self.query_one(TimelinePane).upsert(entries)
        if clock or any(_moves_clock(e) for e in entries):
            self._render_clock()

    # -- the writer: one write at a time, in order; failures are shown and retried, never dropped ----------
    def _enqueue(self, what: str, job: Callable[[], Awaitable[object]], *, keep_on_failure: bool = False) -> None:
        if keep_on_failure:
            self._lines_pending.append((self.now(), what))
        self._writes.put_nowait((what, job, keep_on_failure))

    async def writes_done(self) -> None:
        """Wait until every queued write has been committed (or reported). For tests and shutdown."""
        await self._writes.join()

    @work(group="writer", exit_on_error=False)
    async def _writer(self) -> None:
        await self.loaded.wait()
        while True:
            what, job, keep = await self._writes.get()
            try:
                while True:
                    try:
                        if self.store is None:
                            raise StoreError("the database is not open")
                        await job()
                        if keep:
                            self._line_done()
                        break
                    except USER_ERRORS as exc:
                        if keep:
                            self._line_done()
                        self.query_one(TimelinePane).hint(f"{exc}", error=True)
                        self.notify(str(exc), severity="warning")
                        break
                    except StoreError as exc:
                        if not keep:
                            self.notify(f"not saved: {what} — {exc}", severity="error", timeout=15)
                            break
                        self._write_trouble = str(exc)
                        self._show_unsaved()
                        await asyncio.sleep(RETRY_SECONDS)
            finally:
                self._writes.task_done()

    def _line_done(self) -> None:
        """The oldest pending line is written (lines are written in the order typed)."""
        self._lines_pending.pop(0)
        if self._write_trouble:
            if not self._lines_pending:
                self._write_trouble = ""
            self._show_unsaved()

    def _show_unsaved(self) -> None:
        pane = self.query_one(TimelinePane)
        if not self._write_trouble:
            pane.hint()
            return
        n = len(self._lines_pending)
        pane.hint(f"⚠ {n} line{'s' if n != 1 else ''} not saved yet, kept and retrying every "
                  f"{RETRY_SECONDS:.0f} s: {self._write_trouble}", error=True)

    async def action_quit(self) -> None:
        """Quit once the lines typed are written. If the database cannot take them (locked, broken),
        they go to a text file beside it, named at exit, rather than be lost with the process."""
        if self._lines_pending:
            try:
                await asyncio.wait_for(asyncio.shield(self.writes_done()), QUIT_WAIT)
            except asyncio.TimeoutError:
                pass
        if not self._lines_pending:
            self.exit()
            return
        lines, self._lines_pending = self._lines_pending, []
        self._lines_saved_aside = True
        try:
            path = await asyncio.to_thread(save_unsaved, self.db_path, lines)
        except OSError as exc:
            text = "\n".join(raw for _, raw in lines)
            self.exit(message=Text(f"warroom: {len(lines)} line(s) could not be saved ({exc}); here they are:\n{text}"))
            return
        self.exit(message=Text(f"warroom: {len(lines)} line(s) could not be written to the database "
                               f"({self._write_trouble}); they are kept in {path}"))

    # -- live sync with other processes ----------------------------------------------------------------------
    def _sync_tick(self) -> None:
        if self.store is not None and not self._syncing:
            self._syncing = True
            self._sync()

    @work(group="sync", exit_on_error=False)
    async def _sync(self) -> None:
        try:
            version = await self.store.data_version()
            if version == self._data_version:
                return
            self._data_version = version
            if self.incident is None:
                active = await self.store.active_incident_id()
                if active is not None:
                    await self._load(active)
                return
            seq, entry_ids, incident_changed = await self.store.changes_since(self._seq, self.incident.id)
            self._seq = seq
            if incident_changed:
                self.incident = await self.store.incident(self.incident.id)
            if entry_ids:
                # this process's own journal counts as another connection: what it wrote is shown already
                changed = [e for e in await self.store.entries(self.incident.id, ids=entry_ids)
                           if self.entries.get(e.id) != e]
                if changed:
                    self._apply(changed)
                elif incident_changed:
                    self._render_clock()
            elif incident_changed:
                self._render_clock()
        except StoreError as exc:
            self.query_one(TimelinePane).hint(f"sync paused: {exc}", error=True)
        finally:
            self._syncing = False

    # -- metrics: one poll at a time, re-armed when it finishes (never overlapping) -------------------------
    @work(thread=True, exclusive=True, group="metrics", exit_on_error=False)
    def _poll_metrics(self) -> None:
        from warroom.sources.metrics_poll import poll

        try:
            source = self._metrics_source or self._prometheus()
        except Exception as exc:  # noqa: BLE001 — a bad URL or TLS file: shown, retried
            self.post_message(MetricsPolled(mv.Poll(self.now(), source_error=str(exc))))
            return
        spark_minutes = self.config.prometheus.sparkline_minutes if self.config.prometheus else 60
        self.post_message(MetricsPolled(poll(source, self._panels, self.now(), spark_minutes=spark_minutes)))

    def _stale_limit(self):
        """How old a reading may get before the pane calls it stale; no age rule in a drill (its
        clock runs faster than the polls, and its scripted source never hangs)."""
        prom = self.config.prometheus
        if self.drill is not None or prom is None:
            return None
        return mv.stale_limit(prom.refresh, prom.timeout)

    def _prometheus(self):
        from warroom.sources.prometheus import PrometheusSource  # imported in the worker thread, not at start

        prom = self.config.prometheus
        self._metrics_source = PrometheusSource(prom.url, timeout=prom.timeout, bearer_token=prom.bearer_token,
                                                basic_auth=prom.basic_auth, ca_file=prom.ca_file, verify=prom.verify)
        return self._metrics_source

    @on(MetricsPolled)
    def _metrics_polled(self, event: MetricsPolled) -> None:
        from warroom.ui.widgets.metrics import MetricsPane

        panes = self.query(MetricsPane)
        if not panes:  # a poll that finished while the app shuts down
            return
        pane = panes.first()
        self._metrics_polls += 1
        self.metrics = mv.apply_poll(self.metrics, event.poll)
        now = self.now()
        pane.show(self.metrics, now, self.local)
        refresh = self._metrics_refresh
        if event.poll.source_error:
            self._metrics_delay = min(max(self._metrics_delay * 2, refresh), MAX_BACKOFF)
        else:
            self._metrics_delay = refresh
            self._metric_events(now)
        self._record("metrics", rec.metrics_state(self.metrics))
        self.set_timer(self._metrics_delay, self._poll_metrics)

    def _metric_events(self, now: datetime) -> None:
        """Verdict transitions become entries; with no open incident yet, nothing is remembered, so
        the first incident loaded still gets them (a poll may finish before the store has loaded)."""
        if self.incident is None or self.incident.is_resolved or not self._panels:
            return
        self._verdicts, events = mv.verdict_events(self._verdicts, self.metrics, now)
        for e in events:
            self._write_keyed(e.key, e.text, now)

    def _pod_events(self, view, now: datetime, events=None) -> None:
        """Write the view's pod events (``events``: found already, off the UI thread)."""
        if self.incident is None or self.incident.is_resolved or not view.synced:
            return
        if events is None:
            events = self._find_pod_events(view, now)
        self._write_keyed_batch([(e.key, e.text) for e in events], now)

    def _find_pod_events(self, view, now: datetime) -> list:
        from warroom.domain.pod_events import pod_events

        multi = len(self._kube_views) > 1 or bool(self.config.kubernetes and len(self.config.kubernetes.contexts) > 1)
        return pod_events(view.unhealthy_rows, view.workloads, view.rollouts, now, view.context if multi else "")

    def _write_keyed_batch(self, events: list[tuple[str, str]], at: datetime, kind: str = "system") -> None:
        """Automatic ``(key, text)`` entries, each written once (as ``_write_keyed``), but as one
        queued write, one transaction and one redraw: a watch storm brings hundreds at once, and
        one by one they kept the UI busy for seconds. A line the scribe types while they are queued
        waits for one transaction at most."""
        if self.incident is None:
            return
        new: dict[str, str] = {}
        for key, text in events:
            if key not in self._events_written and key not in new:
                new[key] = text
        if not new:
            return
        self._events_written.update(new)
        incident_id = self.incident.id

        async def write() -> None:
            self._apply(await self.store.append_keyed(
                incident_id, [(key, text, at, kind) for key, text in new.items()], author="warroom", now=self.now()))
        self._enqueue(next(iter(new.values())) if len(new) == 1 else f"{len(new)} system entries", write)

    def _write_keyed(self, key: str, text: str, at: datetime, kind: str = "system", alarm: bool = False) -> None:
        """An automatic entry, written once: the key is unique per incident in the database, so a
        second process (or a second tick) that tries again is ignored."""
        if key in self._events_written or self.incident is None:
            return
        self._events_written.add(key)
        incident_id = self.incident.id

        async def write() -> None:
            entry = await self.store.append(incident_id, text, author="warroom", now=self.now(), at=at, kind=kind,
                                            key=key)
            if entry is not None:
                self._apply([entry])
                if alarm:
                    self.query_one(SlaPane).flash()
                    self.notify(text, title="SLA", severity="error", timeout=10)
                    self.bell()
        self._enqueue(text, write)

    @work(group="probes", exit_on_error=False)
    async def _probe_loop(self) -> None:
        """Probe every configured URL, concurrently, at the shortest configured interval."""
        from warroom.sources.probes import make_client, probe_all  # httpx: imported off the start path

        if self._probe_source is not None:
            interval, run = self._probe_source.interval, self._probe_source.probe_all
        else:
            interval = min(p.interval for p in self.config.probes)
        async with make_client() as client:
            while True:
                if self._probe_source is not None:
                    results = await run(self.now())
                else:
                    results = await probe_all(self.config.probes, self.now(), client=client)
                self.probe_results = results
                self._record("probes", rec.probes_state(results))
                self._metrics_pane().show_probes(results, self.now(), self.local)
                await asyncio.sleep(interval)

    # -- pods: one watcher per context, each on its own thread and event loop ------------------------------
    @work(thread=True, group="kube-start", exit_on_error=False)
    def _start_kube(self) -> None:
        """Build and start the watchers off the UI thread (the client import takes ~0.4 s)."""
        if self._kube_watchers is None:
            from warroom.sources.kube.context import KubeTarget
            from warroom.sources.kube.watcher import KubeWatcher

            kube = self.config.kubernetes
            self._kube_watchers = [
                KubeWatcher(KubeTarget(kubeconfig=kube.kubeconfig, context=context, namespaces=kube.namespaces,
                                       label_selector=kube.selector or None, resync=kube.resync))
                for context in kube.contexts
            ]
        for watcher in self._kube_watchers:
            watcher.on_change = lambda snapshot: self.post_message(PodsChanged(snapshot))
            watcher.start_thread()

    @on(PodsChanged)
    def _pods_changed(self, event: PodsChanged) -> None:
        self._pods_latest[event.snapshot.context] = event.snapshot.version
        self._pods_view(event.snapshot)

    @work(thread=True, group="pods-view", exit_on_error=False)
    def _pods_view(self, snapshot) -> None:
        """Turning pods into rows runs off the UI thread, one snapshot at a time: each view starts
        from the last one, so only the pods changed since are recomputed. A snapshot overtaken by a
        newer one while it waited is skipped (the newer one carries its changes)."""
        from datetime import timedelta

        hours = self.config.kubernetes.rollout_hours if self.config.kubernetes else 6.0
        from warroom.domain.pod_view import ContextView

        # One view at a time on screen: the next is computed once the last is painted, not during
        # the frame. Computing (~60 ms of Python for a storm's snapshot) while the UI thread painted
        # made the two share the GIL, and stretched the frame to 2-3 times its length.
        self._pods_painted.wait(PAINT_WAIT)
        with self._pods_lock:
            previous = self._kube_views.get(snapshot.context)
            if snapshot.version < self._pods_latest.get(snapshot.context, 0) or (
                    previous is not None and previous.version >= snapshot.version):
                return
            now = self.now()
            v = snapshot.view(now, rollouts_within=timedelta(hours=hours), previous=previous)
            self._kube_views[snapshot.context] = v
        view = ContextView(snapshot.context, v.rows, v.summary.workloads, v.summary.namespaces, tuple(v.rollouts),
                           tuple(v.events), tuple(snapshot.errors), snapshot.synced)
        # what the UI thread would otherwise walk 5,000 pods for, found here too (~30 ms each): the
        # pod events, and the recorder's changes (it keeps each scope apart, and this worker alone
        # records pods, in snapshot order)
        incident = self.incident  # events only for an open incident (as ``_pod_events`` writes them)
        events = (self._find_pod_events(view, now) if view.synced and incident is not None
                  and not incident.is_resolved else [])
        recorder = self._recorder
        readings = (recorder.observe(rec.pods_scope(view.context), rec.pods_state(view), now)
                    if self._recording() else [])
        self._pods_painted.clear()
        self.post_message(PodsViewReady((snapshot.version, view, events, (recorder, readings))))

    @on(PodsViewReady)
    def _pods_view_ready(self, event: PodsViewReady) -> None:
        version, view, events, (recorder, readings) = event.view
        self.call_after_refresh(self._pods_painted.set)
        if recorder is self._recorder and self._recording():  # not one of an incident since closed
            self._pending_readings += readings
        if version < self._pods_versions.get(view.context, -1):
            return  # a newer snapshot's view is already shown
        self._pods_versions[view.context] = version
        if view.synced and not (view.context in self.pod_views and self.pod_views[view.context].synced):
            freeze_heap()  # the first full list of this context is in
        self.pod_views[view.context] = view
        now = self.now()
        self._pods_pane().show(view, now, self.local)
        self._pod_events(view, now, events)

    @on(PinPod)
    def _pin_pod(self, event: PinPod) -> None:
        from warroom.domain.pod_events import describe_pod

        if not self._need_incident():
            return
        multi = len(self.pod_views) > 1
        incident_id, now = self.incident.id, self.now()
        text = describe_pod(event.row, now, event.context if multi else "")
        self._enqueue(text, lambda: self._apply_async(
            self.store.append(incident_id, text, author=self.author, now=now, kind="note")))
        self.notify(f"Pinned: {text}", title="Timeline")

    @on(PinReading)
    def _pin(self, event: PinReading) -> None:
        from warroom.domain.baseline import describe
        from warroom.domain.times import format_duration

        view = self.metrics.panel(event.title)
        if view is None or view.reading is None or not self._need_incident():
            self.notify("No reading to pin yet.", severity="warning")
            return
        text = describe(view.reading)
        age = view.stale_for(self.now(), self._stale_limit())
        if view.error:
            text += f" [stale: {view.error}]"
        elif age is not None:
            text += f" [stale: no answer for {format_duration(age)}]"
        incident_id, now = self.incident.id, self.now()
        self._enqueue(text, lambda: self._apply_async(
            self.store.append(incident_id, text, author=self.author, now=now, kind="note")))
        self.notify(f"Pinned: {text}", title="Timeline")

    def action_detected_from_alerts(self) -> None:
        from warroom.domain.baseline import earliest_firing

        if not self._need_incident():
            return
        start = earliest_firing(self.metrics.alerts)
        if start is None:
            self.notify("No firing alert to take the time from.", severity="warning")
            return
        incident_id = self.incident.id
        self._enqueue("detected from alerts", lambda: self._change(
            incident_id, lambda i: inc.set_milestone(i, "detected", start), start))

    # -- recording: what the panes show, as changes, for the replay and the review's evidence ------------
    def _recording(self) -> bool:
        return self.incident is not None and not self.incident.is_resolved and self.drill_report is None

    def _record(self, scope: str, state: rec.State) -> None:
        if self._recording():
            self._pending_readings += self._recorder.observe(scope, state, self.now())

    def _flush_readings(self) -> None:
        """Every few seconds, the readings gathered since go to disk in one transaction (through the
        writer, after any entry typed before): a crash loses at most these seconds, and never an entry."""
        if not self._pending_readings or self.incident is None:
            return
        batch, self._pending_readings = self._pending_readings, []
        incident_id = self.incident.id
        self._enqueue("readings", lambda: self.store.record(incident_id, batch))

    # -- drills: the scripted incident's injects, the mitigation, the end and its report -------------------
    async def _declare_drill(self) -> int:
        from warroom.domain.presets import preset
        from warroom.store.sqlite import DrillScenario

        run, sc = self.drill, self.drill.scenario
        policy = preset(sc.policy)
        incident = await self.store.declare(
            sc.title, policy, sc.severity or policy.default_level.key, now=run.start, author=self.author,
            detected_at=run.start + sc.detected, services=sc.services, impact=sc.impact,
            scenario=DrillScenario(sc.name, run.source, getattr(self.clock, "speed", 1.0)))
        if sc.briefing:
            await self.store.append(incident.id, f"Drill briefing: {sc.briefing}", author="warroom", now=run.start,
                                    kind="system", key="drill:briefing")
        return incident.id

    def _drill_label(self, now: datetime) -> str:
        if self.drill is None:
            return ""
        from warroom.domain.times import format_clock

        speed = getattr(self.clock, "label", "")
        return (f"{speed} {format_clock(max(now - self.drill.start, timedelta(0)))}"
                f"/{format_clock(self.drill.scenario.duration)}").strip()

    def _drill_tick(self) -> None:
        """Injects come due, the recovery follows the mitigation once it is logged, and the end is scored."""
        from warroom.drill.scoring import find_mitigation

        run = self.drill
        if self.incident is None or self.incident.id != run.incident_id or self.drill_report is not None:
            return
        now = self.now()
        found = find_mitigation(run.scenario, self.entries.values())
        run.mitigated_at = found.logged_at if found else None  # the scripted recovery starts when it was typed
        for e in run.state.happened(now):
            key = f"drill:inject:{e.line}"
            if e.do == "inject" and key not in self._events_written:
                self._write_keyed(key, f"INJECT: {e.text}", run.start + e.at)
                self.notify(e.text, title="Drill inject", severity="warning", timeout=30)
        if now >= run.state.ends_at or self.incident.is_resolved:
            self._end_drill(now)

    def _end_drill(self, now: datetime) -> None:
        from warroom.drill.scoring import drill_report
        from warroom.ui.screens.drill import DrillReportScreen

        report = drill_report(self.drill.scenario, self.incident, self.entries.values(), now)
        self.drill_report = report
        if hasattr(self.clock, "pause"):
            self.clock.pause()
        self._write_keyed("drill:end", f"Drill ended: {report.score} checks passed", now)
        self.push_screen(DrillReportScreen(report))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("drill_pause", "drill_speed"):
            return self.drill is not None and hasattr(self.clock, "toggle")
        if action in ("declare", "switch"):
            return self.drill is None  # a drill's scripted sources must never write into a real incident
        return True

    def _in_drill(self) -> bool:
        if self.drill is not None:
            self.notify("This is a drill: it runs its own incident only. Quit it (ctrl+q) to open real ones.",
                        title="Drill", severity="warning")
            return True
        return False

    def action_drill_pause(self) -> None:
        if self.drill is None or not hasattr(self.clock, "toggle"):
            return
        paused = self.clock.toggle()
        self.notify("Drill paused: every clock stops. F11 resumes." if paused else "Drill resumed.", title="Drill")
        self._render_clock()

    def action_drill_speed(self) -> None:
        if self.drill is None or not hasattr(self.clock, "faster"):
            return
        self.notify(f"Drill at {self.clock.faster():g}× speed.", title="Drill")
        self._render_clock()

    def _offer_drill(self, scenarios: list[tuple[str, str]]) -> None:
        """Nothing configured and no incident yet: offer a drill (and say how to connect the real thing)."""
        from warroom.ui.screens.drill import WelcomeScreen

        def chosen(choice: str | None) -> None:
            if choice and choice.startswith("drill:"):
                self.start_drill = choice.split(":", 1)[1]
                self.exit(0)
            elif choice == "declare":
                self.action_declare()
        self.push_screen(WelcomeScreen(scenarios), chosen)

    # -- actions -------------------------------------------------------------------------------------------
    def _need_incident(self) -> bool:
        if self.incident is None or self.store is None:
            self.notify("No incident open: F2 declares one, F3 opens one.", severity="warning")
            return False
        return True

    def action_help(self) -> None:
        from warroom.ui.screens.modals import HelpScreen

        self.push_screen(HelpScreen())

    def action_declare(self) -> None:
        if self._in_drill():
            return
        if self.store is None:
            self.notify("The database is not open.", severity="error")
            return
        from warroom.domain.presets import DEFAULT_PRESET, preset
        from warroom.ui.screens.modals import DeclareScreen

        policy = self.incident.policy if self.incident else preset(DEFAULT_PRESET)
        levels = [(lvl.key, lvl.name) for lvl in policy.levels]

        def declared(result: Declaration | None, policy=policy) -> None:
            if result is None:
                return
            try:
                detected = parse_when(result.detected, self.now(), self.local) if result.detected else None
            except TimeParseError as exc:
                self.push_screen(DeclareScreen(levels, result.severity, str(exc), result.title, result.detected),
                                 declared)
                return

            async def declare() -> None:
                incident = await self.store.declare(result.title, policy, result.severity, now=self.now(),
                                                    author=self.author, detected_at=detected)
                await self._load(incident.id)
                self.notify(f"Declared {incident.ref}: {incident.level.label}", title="Incident")
            self._enqueue(f"declare {result.title}", declare)

        self.push_screen(DeclareScreen(levels, policy.default_level.key), declared)

    @work(group="pick", exit_on_error=False)
    async def action_switch(self) -> None:
        from warroom.ui.screens.modals import PickerScreen

        if self._in_drill() or self.store is None:
            return
        incidents = await self.store.incidents()
        if not incidents:
            self.notify("No incidents yet: F2 declares one.")
            return
        ordered = sorted(incidents, key=lambda i: (i.is_resolved, -i.id))
        options = [(str(i.id), f"{i.ref}  {i.severity:<6} {i.status:<13} {'[DRILL] ' if i.drill else ''}{i.title}")
                   for i in ordered]
        choice = await self.push_screen_wait(
            PickerScreen("Switch incident", options, selected=str(self.incident.id) if self.incident else None))
        if choice is None:
            return

        async def switch() -> None:
            await self.store.set_active(int(choice))
            await self._load(int(choice))
        self._enqueue(f"open #{choice}", switch)

    def action_ack(self) -> None:
        if self._need_incident():
            incident_id, at, who = self.incident.id, self.now(), self.author
            self._enqueue("acknowledge", lambda: self._change(incident_id, lambda i: inc.acknowledge(i, at, who), at))

    @work(group="pick", exit_on_error=False)
    async def action_status(self) -> None:
        from warroom.ui.screens.modals import PickerScreen

        if not self._need_incident():
            return
        options = [(s, s) for s in STATUSES if s != self.incident.status]
        status = await self.push_screen_wait(PickerScreen(f"Status (now {self.incident.status})", options))
        if status:
            incident_id, at = self.incident.id, self.now()
            self._enqueue(f"status {status}", lambda: self._change(
                incident_id, lambda i: inc.change_status(i, status, at), at, "status"))

    @work(group="pick", exit_on_error=False)
    async def action_severity(self) -> None:
        from warroom.ui.screens.modals import PickerScreen

        if not self._need_incident():
            return
        options = [(lvl.key, f"{lvl.label} — {lvl.description}") for lvl in self.incident.policy.levels]
        level = await self.push_screen_wait(
            PickerScreen(f"Severity (now {self.incident.level.label})", options, selected=self.incident.severity))
        if level and level != self.incident.severity:
            incident_id, at = self.incident.id, self.now()
            self._enqueue(f"severity {level}", lambda: self._change(
                incident_id, lambda i: inc.change_severity(i, level), at))

    @work(group="pick", exit_on_error=False)
    async def action_assign(self) -> None:
        from warroom.ui.screens.modals import PickerScreen, PromptScreen

        if not self._need_incident():
            return
        options = [(r, f"{ROLE_LABELS[r]}: {self.incident.roles.get(r, '—')}") for r in ROLES]
        role = await self.push_screen_wait(PickerScreen("Assign a role", options))
        if not role:
            return
        name = await self.push_screen_wait(
            PromptScreen(f"{ROLE_LABELS[role]}:", value=self.incident.roles.get(role, ""),
                         help="Enter assigns · empty unassigns · Esc cancels"))
        if name is None:
            return
        incident_id, at = self.incident.id, self.now()
        self._enqueue(f"assign {role}", lambda: self._change(
            incident_id, lambda i: inc.assign_role(i, role, name), at))

    @on(EntryCommand)
    async def _entry_command(self, event: EntryCommand) -> None:
        pane = self.query_one(TimelinePane)
        if event.action == "filter":
            self._pick_filter()
            return
        if event.action == "search":
            self._search()
            return
        if event.entry_id is None or not self._need_incident():
            return
        entry = self.entries[event.entry_id]
        if event.action == "star":
            self._enqueue("star", lambda: self._apply_async(self.store.star(entry.id, not entry.starred)))
        elif event.action == "edit":
            self._edit(entry)
        elif event.action == "redact":
            self._redact(entry)
        pane.focus()

    async def _apply_async(self, awaitable) -> None:
        self._apply([await awaitable])

    @work(group="pick", exit_on_error=False)
    async def _edit(self, entry: Entry) -> None:
        from warroom.ui.screens.modals import PromptScreen

        if entry.redacted:
            self.notify("A redacted entry cannot be edited.", severity="warning")
            return
        text = await self.push_screen_wait(
            PromptScreen(f"Edit entry ({entry.kind}, {entry.at.astimezone(self.local):%H:%M:%S})", value=entry.text,
                         help="Enter saves (the previous text is kept as a revision) · Esc cancels"))
        if text is None or text == entry.text:
            return
        self._enqueue("edit", lambda: self._apply_async(
            self.store.edit(entry.id, by=self.author, now=self.now(), text=text)))

    @work(group="pick", exit_on_error=False)
    async def _redact(self, entry: Entry) -> None:
        from warroom.ui.screens.modals import PromptScreen

        if entry.redacted:
            self.notify("Already redacted.", severity="warning")
            return
        reason = await self.push_screen_wait(
            PromptScreen("Redact entry — why?", placeholder="e.g. secret pasted, wrong incident",
                         help="The text disappears from views and exports; the reason is shown instead."))
        if not reason or not reason.strip():
            return
        self._enqueue("redact", lambda: self._apply_async(
            self.store.redact(entry.id, reason=reason, by=self.author, now=self.now())))

    @work(group="pick", exit_on_error=False)
    async def _pick_filter(self) -> None:
        from warroom.ui.screens.modals import PickerScreen

        pane = self.query_one(TimelinePane)
        options = [("", "all kinds")] + [(k, k) for k in KINDS]
        kind = await self.push_screen_wait(PickerScreen("Show only", options, selected=pane.filter.kind or ""))
        if kind is not None:
            pane.set_filter(kind=kind)

    @work(group="pick", exit_on_error=False)
    async def _search(self) -> None:
        from warroom.ui.screens.modals import PromptScreen

        pane = self.query_one(TimelinePane)
        text = await self.push_screen_wait(PromptScreen("Search the timeline", value=pane.filter.search,
                                                        help="Enter filters · empty shows everything"))
        if text is not None:
            pane.set_filter(search=text.strip())

    def action_toggle_utc(self) -> None:
        self.query_one(TimelinePane).toggle_utc()

    def action_toggle_contrast(self) -> None:
        self.theme = DEFAULT_THEME if self.theme == HIGH_CONTRAST.name else HIGH_CONTRAST.name

    def action_next_pane(self) -> None:
        panes = [self.query_one(f"#{p}") for p in self._left_panes]
        panes[self._current_left].remove_class("-current")
        self._current_left = (self._current_left + 1) % len(panes)
        panes[self._current_left].add_class("-current")

    def copy_to_clipboard(self, text: str) -> None:
        """Every copy leaves through OSC 52 in the terminal's input: nothing in it may act as a code."""
        from warroom.domain.text import visible

        super().copy_to_clipboard(visible(text))

    def action_copy_summary(self) -> None:
        if not self._need_incident():
            return
        from warroom.domain.report import status_summary

        summary = status_summary(self.incident, self.entries.values(), self.now())
        self.copy_to_clipboard(summary)
        self.last_copied = summary
        self.notify("Status summary copied to the clipboard.", title="Copied")

    @work(group="export", exit_on_error=False)
    async def action_export(self) -> None:
        from warroom.domain.report import to_markdown
        from warroom.domain.text import one_line
        from warroom.drill.library import report_time
        from warroom.export_file import ExportError, default_name, write_private
        from warroom.review import extra_sections

        if not self._need_incident():
            return
        now = self.now()
        incident = self.incident
        entries = await self.store.entries(incident.id)
        if incident.drill:
            now = report_time(entries, now)
        text = to_markdown(incident, entries, now,
                           extra_sections=await extra_sections(self.store, incident, entries, now))
        path = self.export_dir / default_name(incident, now)
        try:
            await asyncio.to_thread(write_private, path, text)
        except ExportError as exc:
            self.notify(f"Export failed: {one_line(str(exc))}", severity="error", timeout=15, markup=False)
            return
        self.last_export = path
        self.notify(f"Exported to {one_line(str(path))}", title="Export", timeout=15, markup=False)

    # -- comms: compose, copy, post; the text is never lost -----------------------------------------------
    @work(group="compose", exit_on_error=False)
    async def action_compose(self) -> None:
        from warroom.comms_templates import TEMPLATES, load_template
        from warroom.domain.comms import comms_context
        from warroom.domain.templating import render_template
        from warroom.ui.screens.composer import ComposerScreen

        if not self._need_incident():
            return
        incident, now = self.incident, self.now()
        user_dir = self.config.comms.templates_dir or _default_templates_dir()
        try:
            sources = await asyncio.to_thread(lambda: {n: load_template(n, user_dir) for n in TEMPLATES})
            context = comms_context(incident, self.entries.values(), now, self.metrics if self._panels else None,
                                    self.probe_results, self.local)
            rendered = {n: render_template(sources[n], context) for n in TEMPLATES}
        except Exception as exc:  # noqa: BLE001 — a broken user template: say which, keep the app
            self.notify(f"Template problem: {exc}", title="Comms", severity="error", timeout=20)
            return
        drafts = {**rendered, **self.comms_drafts.get(incident.id, {})}
        sent = any(e.kind == "comms" and not e.redacted for e in self.entries.values())
        chosen = "resolved" if incident.is_resolved else "update" if sent else "declared"
        hooks = len(self.config.comms.webhook_urls)
        destination = f"{hooks} webhook{'s' if hooks != 1 else ''} + clipboard" if hooks else "clipboard"
        result = await self.push_screen_wait(ComposerScreen(drafts, chosen, destination))
        edited = {n: t for n, t in result.drafts.items() if t != rendered.get(n)}
        self.comms_drafts[incident.id] = edited
        if result.action == "close":
            return
        self.copy_to_clipboard(result.text)
        self.last_copied = result.text
        if result.action == "copy":
            self.notify("Copied to the clipboard (not logged as sent).", title="Comms")
            return
        await self._send_update(incident.id, result.template, result.text, sources[result.template])

    async def _send_update(self, incident_id: int, template: str, text: str, template_text: str) -> None:
        from warroom.domain.templating import slack_text
        from warroom.sources.webhook import post_update

        urls = self.config.comms.webhook_urls
        results = [await post_update(url, slack_text(text, template_text)) for url in urls]
        self.last_posted = results
        failed = [r for r in results if not r.ok]
        now = self.now()
        if failed:
            reasons = "; ".join(r.error for r in failed)
            note = f"UNSENT {template} update (webhook: {reasons}) — draft kept:\n{text}"
            self._enqueue("unsent update", lambda: self._apply_async(
                self.store.append(incident_id, note, author=self.author, now=now, kind="note")))
            self.comms_drafts.setdefault(incident_id, {})[template] = text
            self.notify(f"Update NOT posted: {reasons}. It is copied, kept as a draft and in the timeline.",
                        title="Comms", severity="error", timeout=30)
            return
        self._enqueue("comms", lambda: self._apply_async(
            self.store.append(incident_id, text, author=self.author, now=now, kind="comms")))
        self.comms_drafts.pop(incident_id, None)
        where = f"posted to {len(urls)} webhook{'s' if len(urls) != 1 else ''} and copied" if urls else "copied"
        self.notify(f"Update {where}; the cadence clock restarts.", title="Comms")

    # -- command palette -------------------------------------------------------------------------------------
    def get_system_commands(self, screen: Screen):
        yield from super().get_system_commands(screen)
        yield SystemCommand("Declare an incident", "Title, severity and detection time", self.action_declare)
        yield SystemCommand("Switch incident", "Open another incident", self.action_switch)
        yield SystemCommand("Acknowledge", "Record the acknowledged milestone", self.action_ack)
        yield SystemCommand("Change status", "investigating … resolved", self.action_status)
        yield SystemCommand("Change severity", "Raise or lower the severity", self.action_severity)
        yield SystemCommand("Assign a role", "IC, tech lead, comms lead, scribe", self.action_assign)
        yield SystemCommand("Export markdown", "Write the post-incident review draft", self.action_export)
        yield SystemCommand("Copy status summary", "For Slack or the status page", self.action_copy_summary)
        yield SystemCommand("Compose a status update", "Templates, webhooks, cadence", self.action_compose)
        yield SystemCommand("Toggle UTC / local time", "Timeline times", self.action_toggle_utc)
        yield SystemCommand("Toggle high-contrast theme", "For projectors", self.action_toggle_contrast)
        yield SystemCommand("Filter timeline by kind", "note, action, decision …", self._pick_filter)
        yield SystemCommand("Search timeline", "Show matching entries", self._search)
        yield SystemCommand("Next pane (small screens)", "SLA clock, metrics, pods", self.action_next_pane)
        yield SystemCommand("Keys and timeline grammar", "Help", self.action_help)
        if self.drill is not None:
            yield SystemCommand("Pause / resume the drill", "Every clock stops", self.action_drill_pause)
            yield SystemCommand("Drill speed", "1×, 2×, 5×, 10×, 30×, 60×", self.action_drill_speed)
        if self._panels:
            yield SystemCommand("Detected = earliest firing alert", "Set the detected milestone from Prometheus alerts",
                                self.action_detected_from_alerts)
            for p in self._panels:
                yield SystemCommand(f"Pin reading: {p.title}", "Log the panel's current value vs baseline",
                                    lambda title=p.title: self.post_message(PinReading(title)))

    async def on_unmount(self) -> None:
        if self._first_read is not None:
            self._first_read.cancel()  # still reading at exit: the store must not open after close
        if self.store is not None:
            if self._pending_readings and self.incident is not None and not self._lines_saved_aside:
                try:
                    await self.store.record(self.incident.id, self._pending_readings)
                except StoreError:
                    pass  # readings are evidence, not entries: a locked database at exit loses a few seconds
            await self.store.close(abandon_lines=self._lines_saved_aside)
        for watcher in self._kube_watchers or ():
            watcher.stop()
        close = getattr(self._metrics_source, "close", None)
        if close is not None:
            await asyncio.to_thread(close)


def save_unsaved(db_path: Path, lines: list[tuple[datetime, str]]) -> Path:
    """Write lines the database would not take to ``unsaved-<time>.txt`` beside it, readable by
    its owner only (as the database is): the time each was typed, then the line as typed."""
    from warroom.domain.times import iso_utc

    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    path = Path(db_path).expanduser().parent / f"unsaved-{stamp}.txt"
    body = "".join(f"{iso_utc(at)}  {raw}\n" for at, raw in lines)
    header = ("# Lines typed in warroom that the database did not take: the time typed (UTC), then the line.\n"
              "# Type them again in warroom's line with @TIME first to keep their time (@2026-12-02T10:15:00Z text).\n")
    fd = os.open(path, os.O_CREAT | os.O_WRONLY | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(header + body)
    return path


def _default_templates_dir() -> Path:
    from warroom.paths import default_config_path

    return default_config_path().parent / "templates"


def _default_author() -> str:
    from warroom.author import author_name

    return author_name()
