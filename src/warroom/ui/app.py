"""The war room app: the panes, the keys, and who handles what.

A switchboard (harlequin's model): the live session (``ui.session``: store, room core, panes) does
the work of the incident; the feeds (``ui.feeds``) bring the sources in, one pattern and one
failure handler for all; the flows (``ui.flows``) run the dialogs. The App keeps the bindings, the
layout, mounting, message routing, ``check_action`` and the command palette.
"""

from __future__ import annotations

from collections import deque
from datetime import datetime, timezone, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Sequence

from textual import events, on
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.signal import Signal
from textual.worker import Worker, WorkerState

from warroom.config import Config
from warroom.localtime import local_timezone
from warroom.room.writes import Backoff, reason
from warroom.store.location import db_location
from warroom.ui.crash import NoLocalsOnCrash
from warroom.ui.feeds import FEED_BACKOFF, Feeds
from warroom.ui.feeds.build import build_feeds
from warroom.ui.feeds.pods import PodsChanged
from warroom.ui.flows import drill as drill_flows
from warroom.ui.flows import entries as entry_flows
from warroom.ui.flows import incident as incident_flows
from warroom.ui.flows.quit import confirm_quit, install_signal_handlers, quit_when_written, remove_signal_handlers
from warroom.ui.messages import OpenChart, PinPod, PinReading
from warroom.ui.modes import unavailable
from warroom.ui.palette import harmless, war_room_commands
from warroom.ui.runtime import CollectsWhenIdle
from warroom.ui.session import Session
from warroom.ui.theme import DEFAULT_THEME, HIGH_CONTRAST, NARROW_WIDTH, SHORT_HEIGHT, styles_path
from warroom.ui.widgets.header import IncidentHeader
from warroom.ui.widgets.keybar import KeyBar
from warroom.ui.widgets.line_input import RejectableInput
from warroom.ui.widgets.notice_strip import Notice, NoticePosted, NoticeStrip
from warroom.ui.widgets.placeholder import METRICS_HINT, PODS_HINT, NotConfigured
from warroom.ui.widgets.sla import ChecklistToggled, SlaPane
from warroom.ui.widgets.timeline import EntryCommand, TimelinePane

# Imported where first used, not here: the dialogs, the report, comms, and the metrics and pods
# feeds and panes (only when configured) — the first frame needs none of them, and their imports
# were a fifth of the start-up time.
if TYPE_CHECKING:
    from warroom.domain.incident import Incident
    from warroom.domain.metrics_view import MetricsView
    from warroom.domain.timeline import Entry
    from warroom.drill.sources import DrillRun
    from warroom.sources.interfaces import DrillControls, PanelSource, PodsWatcher, ProbeSource
    from warroom.ui.feeds.follow import FollowFeed
    from warroom.ui.feeds.metrics import MetricsFeed
    from warroom.ui.feeds.pods import PodsFeed
    from warroom.ui.feeds.probes import ProbesFeed

Clock = Callable[[], datetime]
RECORD_FLUSH_SECONDS = 2.0
NOTICES_KEPT = 50


def system_clock() -> datetime:
    return datetime.now(timezone.utc)


class WarRoomApp(NoLocalsOnCrash, CollectsWhenIdle, App[int]):
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
        Binding("ctrl+l", "notices", "Notices", show=False),
        Binding("ctrl+g", "chart", "Chart", show=False),
        Binding("ctrl+r", "alerts", "Alerts", show=False),
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
        config: Config | None = None,
        config_error: str = "",
        metrics_source: PanelSource | None = None,
        kube_watchers: Sequence[PodsWatcher] | None = None,
        probe_source: ProbeSource | None = None,
        drill: DrillRun | None = None,
        drill_clock: DrillControls | None = None,
        first_run: bool = False,
        backoff: Backoff | None = None,
        feed_backoff: Backoff | None = None,
        read_only: bool = False,
    ) -> None:
        """``metrics_source``, ``kube_watchers``, ``probe_source``: sources that replace the
        configured ones (a drill's scripted ones, a test's); ``drill_clock``: the drill's clock, when
        it can pause and change speed; ``backoff``, ``feed_backoff``: how long a failed write, a
        crashed feed wait before trying again (tests shorten them); ``read_only``: a screen that
        watches — no input line, no key that writes (``ui.modes``), no automatic entry or reading written."""
        super().__init__()
        self.read_only = read_only
        self.clock = clock
        self.local = local or local_timezone()
        self.author = author or _default_author()
        self.export_dir = export_dir or Path.cwd()
        self.config = config or Config()
        self.drill = drill  # the scripted drill this app runs (its sources are the ones above), or None
        self.drill_clock = drill_clock
        self.drill_report = None
        self.first_run = first_run
        self.start_drill: str | None = None  # set by the first-run welcome: the scenario to run after exit
        self.comms_drafts: dict[int, dict[str, str]] = {}  # per incident, kept until sent
        self.last_posted: list = []
        self.notices: deque[Notice] = deque(maxlen=NOTICES_KEPT)
        self.latest_notice: Notice | None = None  # what the notice strips show
        self.notice_fresh = False  # highlighted until its timeout has passed (``tick``)
        self.notice_signal: Signal[Notice] = Signal(self, "notice")
        self.session = Session(self, db_location(db_path), incident_id, backoff)
        self.feeds = Feeds(self, feed_backoff or FEED_BACKOFF)
        self._sync_interval = sync_interval
        self._tick_interval = tick_interval
        self._config_error = config_error
        self._quitting = False
        self._signals: list[int] = []
        self._left_panes = ("sla-pane", "metrics-pane", "pods-pane")
        self._current_left = 0
        self.metrics_feed: MetricsFeed | None = None
        self.probes_feed: ProbesFeed | None = None
        self.pods_feed: PodsFeed | None = None
        self.follow_feed: FollowFeed | None = None  # set when a watcher may feed the panes
        build_feeds(self, metrics_source, probe_source, kube_watchers, sync_interval)

    def get_driver_class(self):
        """Textual's driver, with pastes cleaned before its parser reads them (``ui/terminal.py``)."""
        from warroom.ui.terminal import driver_class

        return driver_class(super().get_driver_class())

    # -- what the screen shows (read by flows, tests and benches) -----------------------------------------
    def now(self) -> datetime:
        return self.clock()

    @property
    def store(self):
        return self.session.store

    @property
    def incident(self) -> Incident | None:
        return self.session.room.incident

    @property
    def entries(self) -> dict[int, Entry]:
        return self.session.room.entries

    @property
    def report(self):
        return self.session.report

    @property
    def loaded(self):
        return self.session.loaded

    @property
    def writes(self):
        return self.session.writes

    @property
    def metrics(self) -> MetricsView | None:
        return self.metrics_feed.view if self.metrics_feed is not None else None

    @property
    def probe_results(self) -> list:
        return self.probes_feed.results if self.probes_feed is not None else []

    @property
    def pod_views(self) -> dict:
        return self.pods_feed.views if self.pods_feed is not None else {}

    @property
    def sources_configured(self) -> bool:
        return bool(self.metrics_feed or self.config.probes or self.config.kubernetes)

    async def writes_done(self) -> None:
        """Wait until every queued write has been committed (or rejected). For tests and shutdown."""
        await self.session.writes.join()

    def notify(self, message: str, *, title: str = "", severity="information", timeout: float | None = None,
               markup: bool = False) -> None:
        """Every notice goes to the notice strip (``widgets.notice_strip``), never a toast over the
        room; the last ones are kept (``notices``, ctrl+l). Its text is shown literally, never as
        markup. Safe from a thread, as Textual's is."""
        notice = Notice(message, at=self.now(), severity=severity, title=title,
                        timeout=self.NOTIFICATION_TIMEOUT if timeout is None else timeout)
        self.notices.append(notice)
        self.post_message(NoticePosted(notice))

    @on(NoticePosted)
    def _notice_posted(self, event: NoticePosted) -> None:
        self.latest_notice, self.notice_fresh = event.notice, True
        self.notice_signal.publish(event.notice)

    def _age_notice(self, now: datetime) -> None:
        """The latest notice loses its highlight once its timeout has passed (on the app's clock:
        a drill's paused clock keeps it; the text stays until the next one)."""
        notice = self.latest_notice
        if self.notice_fresh and notice is not None and (now - notice.at).total_seconds() >= notice.timeout:
            self.notice_fresh = False
            self.notice_signal.publish(notice)

    def copy_to_clipboard(self, text: str) -> None:
        """Every copy leaves through OSC 52 in the terminal's input: nothing in it may act as a code."""
        from warroom.domain.text import visible

        super().copy_to_clipboard(visible(text))

    # -- layout ------------------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield IncidentHeader(id="header")
        with Horizontal(id="body"):
            with Vertical(id="left"):
                yield SlaPane(id="sla-pane", classes="pane -current")
                if self.metrics_feed is not None or self.probes_feed is not None:
                    label = (self.config.prometheus.url if self.config.prometheus
                             else "drill · scripted metrics" if self.drill
                             else "scripted source" if self.metrics_feed else "health probes")
                    from warroom.ui.widgets.metrics import MetricsPane

                    limit = self.metrics_feed.stale_limit if self.metrics_feed else None
                    yield MetricsPane(label, limit, id="metrics-pane", classes="pane")
                else:
                    yield NotConfigured("Metrics vs baseline", METRICS_HINT, id="metrics-pane", classes="pane")
                if self.pods_feed is not None:
                    contexts = self.pods_feed.contexts
                    label = ", ".join(c or "current context" for c in contexts)
                    from warroom.ui.widgets.pods import PodsPane

                    yield PodsPane(label, len(contexts) > 1, id="pods-pane", classes="pane")
                else:
                    yield NotConfigured("Pods", PODS_HINT, id="pods-pane", classes="pane")
            yield TimelinePane(self.local, self.session.log_line, id="timeline-pane", classes="pane")
        yield NoticeStrip(id="notice-strip")
        yield KeyBar(id="keys")

    async def on_load(self) -> None:
        await self.session.start()

    def on_mount(self) -> None:
        self.register_theme(HIGH_CONTRAST)
        self.theme = DEFAULT_THEME
        self._apply_width(self.size.width, self.size.height)
        if self.read_only:
            box = self.query_one("#scribe-input")
            box.disabled, box.display = True, False  # a watcher has no line to type in
            self.query_one(TimelinePane).query_one("#timeline-table").focus()
        self.session.render_clock()
        self.session.hint()
        self.session.mounted()
        self._signals = install_signal_handlers(self)
        self.set_interval(self._tick_interval, self.tick)
        self.set_interval(RECORD_FLUSH_SECONDS, self.session.flush_readings)
        self.start_idle_collections()
        if self._config_error:
            self.notify(f"{self._config_error}\nThe timeline works; metrics and pods are off until it is fixed.",
                        title="Config", severity="error", timeout=30)
        if self.follow_feed is not None:
            self.follow_feed.start()  # the first look says whether a watcher feeds the panes
        else:
            for name in ("metrics", "probes", "kube"):
                if name in self.feeds:
                    self.feeds.poll_now(name)
        self.set_timer(self._sync_interval, lambda: self.feeds.poll_now("sync"))

    def on_resize(self, event) -> None:
        self._apply_width(event.size.width, event.size.height)

    def _apply_width(self, width: int, height: int) -> None:
        self.screen.set_class(width < NARROW_WIDTH, "-narrow")
        self.screen.set_class(height < SHORT_HEIGHT, "-short")

    def tick(self) -> None:
        """Every second: the clock and what comes due with it, the drill's script, stale ages."""
        self.session.tick()
        self._age_notice(self.now())
        if self.drill is not None:
            drill_flows.drill_tick(self)
        if self.metrics_feed is not None:
            self.metrics_feed.tick()

    # -- message routing ---------------------------------------------------------------------------------
    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """The one place a worker's end is handled: a feed's goes to its feed (shown, retried); any
        other that raised is said and logged, never silently gone."""
        if self.feeds.state_changed(event) or event.state != WorkerState.ERROR:
            return
        error = event.worker.error
        self.log.error(f"worker {event.worker.name or event.worker.group} failed: {error!r}")
        self.notify(f"{event.worker.group} failed: {reason(error) if error else 'unknown error'}",
                    severity="error", timeout=15)

    @on(PodsChanged)
    def _pods_changed(self, event: PodsChanged) -> None:
        self.pods_feed.changed(event.snapshot)

    @on(ChecklistToggled)
    def _checklist_toggled(self, event: ChecklistToggled) -> None:
        entry_flows.toggle_check(self, event)

    @on(EntryCommand)
    def _entry_command(self, event: EntryCommand) -> None:
        entry_flows.entry_command(self, event)

    @on(RejectableInput.Released)
    def _line_released(self) -> None:
        self.session.line_released()

    @on(PinPod)
    def _pin_pod(self, event: PinPod) -> None:
        entry_flows.pin_pod(self, event)

    @on(PinReading)
    def _pin_reading(self, event: PinReading) -> None:
        entry_flows.pin_reading(self, event)

    @on(OpenChart)
    def _open_chart(self, event: OpenChart) -> None:
        self.action_chart(event.title)

    def run_flow(self, flow: Callable[..., Any], *args: Any) -> Worker:
        """A flow that waits on dialogs runs as a worker (``push_screen_wait`` needs one), in a
        group named after it (``compose``, ``export``…)."""
        return self.run_worker(flow(self, *args), group=flow.__name__, exit_on_error=False)

    # -- actions -----------------------------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """A key that does nothing in this mode is disabled (``None``: the footer leaves it out),
        and says why when pressed (``on_key``, ``ui.modes``)."""
        return None if unavailable(self, action) else True

    def on_key(self, event: events.Key) -> None:
        """A key left unhandled: if it is bound to an action this mode disables, say why."""
        active = self.screen.active_bindings.get(event.key)
        if active is not None and not active.enabled and active.node is self:
            why = unavailable(self, active.binding.action)
            if why:
                self.notify(f"{event.key.upper()} {why}", severity="warning")

    def action_notices(self) -> None:
        from warroom.ui.screens.notices import NoticesScreen

        self.push_screen(NoticesScreen(self.notices, self.local))

    def action_alerts(self) -> None:
        """ctrl+r: the incident's alerts, silences from there (``screens.alerts``)."""
        from warroom.ui.screens.alerts import AlertsScreen

        if self.session.need_incident():
            self.push_screen(AlertsScreen())

    def action_help_quit(self) -> None:
        """ctrl+c (Textual's hint has markup, which notices never interpret)."""
        self.notify("ctrl+q quits warroom (ctrl+c copies the selected text in a line).")

    def action_help(self) -> None:
        from warroom.ui.screens.modals import HelpScreen

        self.push_screen(HelpScreen())

    def action_declare(self) -> None:
        incident_flows.declare(self)

    def action_switch(self) -> Worker:
        return self.run_flow(incident_flows.switch)

    def action_ack(self) -> None:
        incident_flows.ack(self)

    def action_status(self) -> Worker:
        return self.run_flow(incident_flows.status)

    def action_severity(self) -> Worker:
        return self.run_flow(incident_flows.severity)

    def action_assign(self) -> Worker:
        return self.run_flow(incident_flows.assign)

    def action_detected_from_alerts(self) -> None:
        incident_flows.detected_from_alerts(self)

    def action_copy_summary(self) -> None:
        from warroom.ui.flows.export import copy_summary

        copy_summary(self)

    def action_export(self) -> Worker:
        from warroom.ui.flows.export import export

        return self.run_flow(export)

    def action_compose(self) -> Worker:
        from warroom.ui.flows.comms import compose

        return self.run_flow(compose)

    def action_drill_pause(self) -> None:
        drill_flows.pause(self)

    def action_drill_speed(self) -> None:
        drill_flows.speed(self)

    def action_chart(self, title: str | None = None) -> None:
        """A metric panel's chart, full screen (the highlighted panel's, else the first's)."""
        from warroom.ui.flows.chart import open_chart

        open_chart(self, title)

    def action_toggle_utc(self) -> None:
        self.query_one(TimelinePane).toggle_utc()

    def action_toggle_contrast(self) -> None:
        self.theme = DEFAULT_THEME if self.theme == HIGH_CONTRAST.name else HIGH_CONTRAST.name

    def action_next_pane(self) -> None:
        panes = [self.query_one(f"#{p}") for p in self._left_panes]
        panes[self._current_left].remove_class("-current")
        self._current_left = (self._current_left + 1) % len(panes)
        panes[self._current_left].add_class("-current")

    def action_quit(self) -> None:
        """ctrl+q: asks first when lines wait to be saved or a drill runs (``flows.quit``)."""
        if not self._quitting:
            confirm_quit(self)

    def quit_now(self) -> None:
        """Quit once the writes queued are done (``flows.quit``). In a worker: the screen keeps
        drawing meanwhile, and a second ctrl+q (or a signal) changes nothing."""
        if not self._quitting:
            self._quitting = True
            self.run_worker(quit_when_written(self), group="quit", exit_on_error=False)

    def get_system_commands(self, screen: Screen):
        yield from harmless(super().get_system_commands(screen))
        yield from war_room_commands(self)

    async def on_unmount(self) -> None:
        import asyncio

        remove_signal_handlers(self._signals)
        self.feeds.stop()
        await self.session.close()
        if self.pods_feed is not None:
            self.pods_feed.stop()
        if self.probes_feed is not None:
            await self.probes_feed.close()
        if self.metrics_feed is not None:
            await asyncio.to_thread(self.metrics_feed.close)


def _default_author() -> str:
    from warroom.author import author_name

    return author_name()
