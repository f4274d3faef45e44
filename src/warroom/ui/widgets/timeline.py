"""The scribe's pane: the timeline table, the selected entry in full, and the always-ready input line.

The input has focus by default; Enter posts ``LineSubmitted`` and clears it at once so typing goes
on. ↑ moves into the table, where single keys act on the selected entry (star, edit, redact,
filter, search); any other printable key goes back to the input, so no keystroke is lost.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import DataTable, Input, Static

from warroom.domain.scribe import HELP, Line, ScribeError, parse_line
from warroom.domain.timeline import Entry, sort_key
from warroom.ui import render

MARKS_W, KIND_W, AUTHOR_W = 3, 8, 10


class LineSubmitted(Message):
    """A line the scribe committed, already parsed (the input is cleared before this is posted)."""

    def __init__(self, line: Line, raw: str) -> None:
        super().__init__()
        self.line = line
        self.raw = raw


class EntryCommand(Message):
    """star / edit / redact on one entry, or filter / search on the view."""

    def __init__(self, action: str, entry_id: int | None) -> None:
        super().__init__()
        self.action = action
        self.entry_id = entry_id


class ScribeInput(Input):
    """Parses on Enter and clears at once, inside the key handler: keys typed right after Enter
    land in the empty line, never in the one being logged. A line that does not parse stays."""

    BINDINGS = [Binding("up", "to_table", "Select entries", show=False)]

    async def action_submit(self) -> None:
        raw = self.value
        if not raw.strip():
            return
        pane = self.screen.query_one(TimelinePane)
        try:
            line = parse_line(raw, self.app.now(), self.app.local)
        except ScribeError as exc:
            pane.hint(str(exc), error=True)
            return
        self.value = ""
        pane.hint()
        self.post_message(LineSubmitted(line, raw))

    def action_to_table(self) -> None:
        table = self.screen.query_one(TimelineTable)
        if table.row_count:
            table.focus()
            table.move_cursor(row=table.row_count - 1)


class TimelineTable(DataTable):
    BINDINGS = [
        Binding("s", "entry('star')", "Star"),
        Binding("e", "entry('edit')", "Edit"),
        Binding("x", "entry('redact')", "Redact"),
        Binding("f", "entry('filter')", "Filter kind"),
        Binding("slash", "entry('search')", "Search"),
        Binding("escape,i", "back", "Type"),
    ]

    def action_entry(self, action: str) -> None:
        entry_id = None
        if self.row_count:
            key = self.coordinate_to_cell_key((self.cursor_row, 0)).row_key.value
            entry_id = int(key) if key and key.isdigit() else None
        self.post_message(EntryCommand(action, entry_id))

    def action_back(self) -> None:
        self.screen.query_one(ScribeInput).focus()

    async def on_key(self, event: events.Key) -> None:
        handled = {"s", "e", "x", "f", "/", "i"}
        if event.is_printable and event.character and event.character not in handled:
            event.stop()
            event.prevent_default()
            box = self.screen.query_one(ScribeInput)
            box.focus()
            box.insert_text_at_cursor(event.character)


@dataclass
class ViewFilter:
    kind: str | None = None
    search: str = ""

    def accepts(self, entry: Entry) -> bool:
        if self.kind and entry.kind != self.kind:
            return False
        if self.search:
            hay = (entry.redaction_reason if entry.redacted else entry.text) + " " + entry.author
            return self.search.lower() in hay.lower()
        return True

    def describe(self) -> str:
        parts = []
        if self.kind:
            parts.append(f"kind: {self.kind}")
        if self.search:
            parts.append(f"search: {self.search!r}")
        return " · ".join(parts)


class TimelinePane(Vertical):
    """Owns the displayed entries; the app feeds it with ``load`` and ``upsert``."""

    def __init__(self, local: tzinfo, **kw) -> None:
        super().__init__(**kw)
        self.local = local
        self.show_utc = False
        self.filter = ViewFilter()
        self.entries: dict[int, Entry] = {}
        self._order: list[int] = []  # displayed ids, timeline order
        self._today = datetime.now().astimezone()
        self._text_width = 40
        self._pending: list[str] = []

    def compose(self) -> ComposeResult:
        table = TimelineTable(id="timeline-table", cursor_type="row", zebra_stripes=True, show_header=True)
        table.can_focus = True
        yield table
        yield Static(id="entry-detail")
        yield Static(id="scribe-hint")
        yield ScribeInput(placeholder="Type an entry, Enter to log · @10:15 backdates · /d /a /s /ack /sev /ic · ↑ select",
                          id="scribe-input", select_on_focus=False)

    def on_mount(self) -> None:
        self.border_title = "Timeline"
        self._setup_columns()
        self.query_one(ScribeInput).focus()

    # -- data ------------------------------------------------------------------------------------
    def load(self, entries: list[Entry], today: datetime) -> None:
        self.entries = {e.id: e for e in entries}
        self._today = today
        self._rebuild()

    def upsert(self, entries: list[Entry]) -> None:
        table = self.query_one(TimelineTable)
        rebuild = False
        appended = False
        for e in entries:
            old = self.entries.get(e.id)
            self.entries[e.id] = e
            shown = old is not None and old.id in self._row_keys()
            if old is not None and shown and old.at == e.at and self.filter.accepts(e):
                for col, value in zip(("time", "marks", "kind", "author", "text"), self._cells(e)):
                    table.update_cell(str(e.id), col, value)
            elif old is not None and (shown or self.filter.accepts(e)):
                rebuild = True
            elif old is None and self.filter.accepts(e):
                if self._order and sort_key(e) < sort_key(self.entries[self._order[-1]]):
                    rebuild = True
                else:
                    table.add_row(*self._cells(e), key=str(e.id))
                    self._order.append(e.id)
                    appended = True
        if rebuild:
            self._rebuild()
        elif appended and (table.cursor_row >= table.row_count - 2 or not table.has_focus):
            table.move_cursor(row=table.row_count - 1)
        self._update_title()
        self._show_detail()

    def _row_keys(self) -> set[int]:
        return set(self._order)

    def _cells(self, e: Entry) -> tuple[Text, ...]:
        return (
            render.time_cell(e, None if self.show_utc else self.local, self._today),
            render.marks_cell(e),
            render.kind_cell(e),
            render.user(e.author, "dim")[:AUTHOR_W],
            render.text_cell(e),
        )

    def _setup_columns(self) -> None:
        table = self.query_one(TimelineTable)
        table.clear(columns=True)
        multi_day = any(
            (e.at if self.show_utc else e.at.astimezone(self.local)).date()
            != (self._today if self.show_utc else self._today.astimezone(self.local)).date()
            for e in self.entries.values()
        )
        time_w = (9 if self.show_utc else 8) + (6 if multi_day else 0)
        fixed = time_w + MARKS_W + KIND_W + AUTHOR_W + 2 * 5 + 2
        self._text_width = max(20, (table.size.width or self.size.width or 80) - fixed)
        table.add_column("time", key="time", width=time_w)
        table.add_column("", key="marks", width=MARKS_W)
        table.add_column("kind", key="kind", width=KIND_W)
        table.add_column("author", key="author", width=AUTHOR_W)
        table.add_column("entry", key="text", width=self._text_width)

    def _rebuild(self) -> None:
        table = self.query_one(TimelineTable)
        at_end = table.cursor_row >= table.row_count - 1
        selected = self.selected_id()
        self._setup_columns()
        ordered = sorted((e for e in self.entries.values() if self.filter.accepts(e)), key=sort_key)
        self._order = [e.id for e in ordered]
        table.add_rows([self._cells(e) for e in ordered])
        # add_rows assigns generated keys; re-key by entry id for updates
        table.clear()
        for e in ordered:
            table.add_row(*self._cells(e), key=str(e.id))
        if selected is not None and selected in self._order and not at_end:
            table.move_cursor(row=self._order.index(selected))
        elif table.row_count:
            table.move_cursor(row=table.row_count - 1)
        self._update_title()
        self._show_detail()

    def selected_id(self) -> int | None:
        table = self.query_one(TimelineTable)
        if not table.row_count or not self._order:
            return None
        row = min(table.cursor_row, len(self._order) - 1)
        return self._order[row]

    # -- view options ----------------------------------------------------------------------------
    def set_filter(self, kind: str | None = None, search: str | None = None) -> None:
        if kind is not None:
            self.filter.kind = kind or None
        if search is not None:
            self.filter.search = search
        self._rebuild()

    def toggle_utc(self) -> None:
        self.show_utc = not self.show_utc
        self._rebuild()

    def on_resize(self, event: events.Resize) -> None:
        if self.is_mounted:
            self.call_after_refresh(self._rebuild)

    def _update_title(self) -> None:
        shown, total = len(self._order), len(self.entries)
        title = f"Timeline · {total} entries"
        if self.filter.describe():
            title += f" · {shown} shown · {self.filter.describe()}"
        title += " · UTC" if self.show_utc else " · local time"
        self.border_title = title

    @on(DataTable.RowHighlighted)
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_detail()

    def _show_detail(self) -> None:
        entry_id = self.selected_id()
        detail = self.query_one("#entry-detail", Static)
        if entry_id is None:
            detail.update(Text("No entries yet. Type below and press Enter.", style="dim"))
        else:
            detail.update(render.detail(self.entries[entry_id], self.local))

    # -- input -----------------------------------------------------------------------------------
    def hint(self, message: str = "", error: bool = False) -> None:
        hint = self.query_one("#scribe-hint", Static)
        if message:
            hint.update(Text(message, style="bold red" if error else "dim"))
            hint.set_class(error, "-error")
        else:
            hint.update(Text(HELP, style="dim"))
            hint.remove_class("-error")
