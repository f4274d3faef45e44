"""The alerts of the open incident, full screen (ctrl+r): firing and resolved, their age, the
labels that matter and whether a silence holds them; ``s`` silences the selected alert for a
duration with a comment, ``x`` expires its silences — each a timeline entry. The list comes from
the timeline (the receiver's entries); Alertmanager's API v2, when configured, adds labels and
silences, read in a worker (``r`` reads again)."""

from __future__ import annotations

import asyncio
from datetime import datetime

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Label

from warroom.domain.alert_view import (
    AlertRow, AlertState, default_comment, expired_text, incident_alerts, silence_body, silence_duration,
    silenced_text,
)
from warroom.domain.text import one_line
from warroom.domain.times import TimeParseError, format_kube_duration

_NO_URL = "no Alertmanager URL ([alertmanager] url or $WARROOM_ALERTMANAGER_URL)"
_IN_A_DRILL = "not in a drill — its alerts are scripted"


def _cut(text: str, width: int) -> str:
    text = one_line(text)
    return text if len(text) <= width else text[: width - 1] + "…"


class AlertsScreen(Screen[None]):
    DEFAULT_CSS = """
    AlertsScreen { layout: vertical; }
    #alerts-head { height: auto; padding: 0 1; text-style: bold; }
    #alerts-status { height: auto; padding: 0 1; color: $text-muted; }
    #alerts-table { height: 1fr; }
    """
    BINDINGS = [
        Binding("escape,q", "close", "Back"),
        Binding("s", "silence", "Silence"),
        Binding("x", "expire", "Expire silence"),
        Binding("r", "refresh", "Refresh"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[AlertRow] = []
        self.states: list[AlertState] | None = None  # None: not read (or not configured)
        self.status = ""
        self.client = None

    def compose(self) -> ComposeResult:
        incident = self.app.incident
        title = f"Alerts of {incident.ref} {one_line(incident.title)}" if incident else "Alerts"
        yield Label(Text(title), id="alerts-head")
        yield Label(Text(""), id="alerts-status")
        table = DataTable(id="alerts-table", cursor_type="row", zebra_stripes=False)
        table.add_columns("STATE", "ALERT", "AGE", "SILENCED", "LABELS", "SUMMARY")
        yield table
        from warroom.ui.widgets.notice_strip import NoticeStrip

        yield NoticeStrip()
        yield Footer()

    def on_mount(self) -> None:
        am = self.app.config.alertmanager
        if am is not None and am.url:
            from warroom.sources.alertmanager import AlertmanagerClient

            self.client = AlertmanagerClient(am.url, token=am.bearer_token, timeout=am.timeout)
        self.show()
        self.action_refresh()

    def on_unmount(self) -> None:
        if self.client is not None:
            self.client.close()

    # -- what it shows ---------------------------------------------------------------------------------
    def show(self) -> None:
        now = self.app.now()
        self.rows = incident_alerts(self.app.entries.values(), self.states)
        table = self.query_one(DataTable)
        selected = table.cursor_row
        table.clear()
        for row in self.rows:
            table.add_row(*self._cells(row, now), key=row.fingerprint)
        if self.rows:
            table.move_cursor(row=min(selected, len(self.rows) - 1))
        status = self.status or (f"{len(self.rows)} alert{'s' if len(self.rows) != 1 else ''}"
                                 + ("" if self.client else f" · silences off: {_NO_URL}"))
        if not self.rows:
            status = "No alerts in this incident yet (warroom receive writes them as Alertmanager sends them). " \
                     + status
        self.query_one("#alerts-status", Label).update(Text(status))

    @staticmethod
    def _cells(row: AlertRow, now: datetime) -> tuple[Text, ...]:
        firing = row.status == "firing"
        state = Text("FIRING", style="bold red") if firing else Text("resolved", style="green")
        age = format_kube_duration(max(now - row.since, now - now))
        silenced = Text(", ".join(s[:8] for s in row.silenced_by), style="yellow") if row.silenced_by else \
            Text("no" if row.known else "?", style="dim")
        return (state, Text(_cut(row.name, 28)), Text(age), silenced, Text(_cut(row.shown_labels(), 48)),
                Text(_cut(row.summary, 80)))

    def selected(self) -> AlertRow | None:
        table = self.query_one(DataTable)
        if not self.rows or table.cursor_row < 0:
            return None
        return self.rows[min(table.cursor_row, len(self.rows) - 1)]

    def why_not(self, action: str) -> str:
        """Why ``action`` cannot run now ("" when it can): said when the key is pressed."""
        if getattr(self.app, "drill", None) is not None:
            return f"{action}: {_IN_A_DRILL}"
        if self.client is None:
            return f"{action}: {_NO_URL}"
        row = self.selected()
        if row is None:
            return f"{action}: no alert selected"
        if not row.known:
            return f"{action}: Alertmanager does not list {row.name} now (resolved long ago, or not read yet: r)"
        if action == "expire" and not row.silenced_by:
            return f"expire: no silence holds {row.name}"
        return ""

    # -- actions ---------------------------------------------------------------------------------------
    def action_close(self) -> None:
        self.app.pop_screen()

    def action_refresh(self) -> None:
        if self.client is not None:
            self.run_worker(self._read(), group="alerts-read", exclusive=True, exit_on_error=False)

    async def _read(self) -> None:
        from warroom.sources.alertmanager import AlertmanagerError

        try:
            self.states = await asyncio.to_thread(self.client.alerts)
            self.status = ""
        except AlertmanagerError as exc:
            self.status = f"Alertmanager: {exc}"
        self.show()

    def action_silence(self) -> None:
        why = self.why_not("silence")
        if why:
            self.app.notify(why, severity="warning")
            return
        self.run_worker(self._silence(self.selected()), group="alerts-write", exit_on_error=False)

    def action_expire(self) -> None:
        why = self.why_not("expire")
        if why:
            self.app.notify(why, severity="warning")
            return
        self.run_worker(self._expire(self.selected()), group="alerts-write", exit_on_error=False)

    async def _silence(self, row: AlertRow) -> None:
        from warroom.sources.alertmanager import AlertmanagerError
        from warroom.ui.screens.modals import PromptScreen

        app = self.app
        text = await app.push_screen_wait(PromptScreen(
            f"Silence {_cut(row.name, 40)} for", value="1h", help="30m, 2h, 1d (at most 7d) · Enter · Esc cancels"))
        if text is None:
            return
        try:
            duration = silence_duration(text)
        except TimeParseError as exc:
            app.notify(f"silence: {exc}", severity="warning")
            return
        incident = app.incident
        comment = await app.push_screen_wait(PromptScreen(
            "Comment (Alertmanager shows it with the silence)", value=default_comment(incident.ref, incident.title),
            help="Enter silences · Esc cancels"))
        if comment is None:
            return
        body = silence_body(row.labels, now=app.now(), duration=duration, created_by=app.author, comment=comment)
        try:
            silence_id = await asyncio.to_thread(self.client.create_silence, body)
        except AlertmanagerError as exc:
            app.notify(f"silence not created: {exc}", severity="error")
            return
        app.session.append_note(silenced_text(row, silence_id, duration, body["comment"]), "system")
        app.notify(f"Silenced {one_line(row.name)} for {text.strip()} (silence {silence_id})")
        await self._read()

    async def _expire(self, row: AlertRow) -> None:
        from warroom.sources.alertmanager import AlertmanagerError

        for silence_id in row.silenced_by:
            try:
                await asyncio.to_thread(self.client.expire_silence, silence_id)
            except AlertmanagerError as exc:
                self.app.notify(f"silence {silence_id} not expired: {exc}", severity="error")
                continue
            self.app.session.append_note(expired_text(row, silence_id), "system")
            self.app.notify(f"Expired silence {silence_id}")
        await self._read()
