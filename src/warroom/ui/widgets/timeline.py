"""The scribe's pane: the timeline table, the selected entry in full, and the always-ready input line.

The input has focus by default; Enter hands the line to the pane's ``on_line`` callback directly
(the session parses it and clears the line at once so typing goes on, or keeps a refused line,
selected) — not as a bubbling message, whose hops through four message queues could each wait
behind a frame render: the write is queued within the keystroke.
Bound keys run in the widget's own key handler (``KeysInOrder``), so a line typed right after Enter
never joins the one being logged. ↑ moves into the table, where single keys act on the selected
entry (star, edit, redact, filter, search); any other printable key goes back to the input, so no
keystroke is lost. A paste of several lines is kept whole, on one line.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from typing import Callable
from datetime import datetime, timezone, tzinfo

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Static

from warroom.domain.scribe import HELP
from warroom.domain.timeline import Entry, sort_key
from warroom.ui import render
from warroom.ui.widgets.line_input import KeysInOrder, LineInput, RejectableInput
from warroom.ui.widgets.timeline_view import TimelineView, tight_width

MARKS_W, KIND_W, AUTHOR_W = 3, 8, 10
MIN_TEXT_W = 20
WIDE_TEXT_W = 48  # the author column is shown only where the entries still get this much beside it


LineHandler = Callable[[str], None]  # the line as typed, on Enter


class EntryCommand(Message):
    """star / edit / redact / view (whole) on one entry, or filter / search on the view."""

    def __init__(self, action: str, entry_id: int | None) -> None:
        super().__init__()
        self.action = action
        self.entry_id = entry_id


class ScribeInput(RejectableInput):
    """Hands the line to the pane's ``on_line`` on Enter, inside the key handler: keys typed right
    after Enter land in the emptied line, never in the one being logged. The session decides (a
    line refused stays, selected — ``RejectableInput.hold``); ↑ recalls lines not logged first."""

    BINDINGS = [Binding("up", "to_table", "Select entries", show=False)]

    async def action_submit(self) -> None:
        if self.value.strip():
            self.screen.query_one(TimelinePane).on_line(self.value)

    def action_to_table(self) -> None:
        if self.recall_older():
            return
        table = self.screen.query_one(TimelineTable)
        if table.row_count:
            self.hand_focus(table)
            table.move_cursor(row=table.row_count - 1)


class TimelineTable(KeysInOrder, TimelineView):
    """The entries, with single-key actions on the selected one."""

    BINDINGS = [
        Binding("s", "entry('star')", "Star"),
        Binding("e", "entry('edit')", "Edit"),
        Binding("x", "entry('redact')", "Redact"),
        Binding("d", "entry('done')", "Action done/open"),
        Binding("f", "entry('filter')", "Filter kind"),
        Binding("slash", "entry('search')", "Search"),
        Binding("enter,v", "entry('view')", "View entry"),
        Binding("escape,i", "back", "Type"),
    ]

    def action_entry(self, action: str) -> None:
        entry_id = self.entries[self.cursor_row].id if self.row_count else None
        self.post_message(EntryCommand(action, entry_id))

    def action_back(self) -> None:
        self.hand_focus(self.screen.query_one(ScribeInput))

    async def on_key(self, event: events.Key) -> None:
        handled = {"s", "e", "x", "d", "f", "/", "i", "v"}
        if self.key_owner() is not self:
            return  # KeysInOrder passes it on
        if event.is_printable and event.character and event.character not in handled:
            event.stop()
            event.prevent_default()
            box = self.screen.query_one(ScribeInput)
            self.hand_focus(box)
            box.post_message(events.Key(event.key, event.character))  # behind any key passed on before it

    def on_paste(self, event: events.Paste) -> None:
        """A paste goes to the line being typed, as any printable key does."""
        event.stop()
        box = self.screen.query_one(ScribeInput)
        self.hand_focus(box)
        box.post_message(events.Paste(event.text))


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

    def __init__(self, local: tzinfo, on_line: LineHandler, **kw) -> None:
        super().__init__(**kw)
        self.local = local
        self.on_line = on_line
        self.show_utc = False
        self.filter = ViewFilter()
        self.entries: dict[int, Entry] = {}
        self._today = datetime.now().astimezone()
        self._text_width = 40
        self._pending: list[str] = []
        self.replay_at: datetime | None = None  # set by the replay: entries logged later are not shown yet
        self._replay_written = -1

    def compose(self) -> ComposeResult:
        yield Static(id="timeline-header")
        yield TimelineTable(self._cells, id="timeline-table")
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
        self._rebuild(follow=True, restyle=True)

    def upsert(self, entries: list[Entry]) -> None:
        """New entries at the end and edits that keep an entry's place (a pod event's count going
        up) are applied to the shown rows as they are; anything else sorts them all again."""
        table = self.query_one(TimelineTable)
        following = not table.row_count or table.cursor_row >= table.row_count - 1 or not table.has_focus
        shown = table.entries
        appended: list[Entry] = []
        in_place: list[tuple[Entry, Entry]] = []
        simple = True
        for e in entries:
            old = self.entries.get(e.id)
            self.entries[e.id] = e
            if old is None:
                if not self.filter.accepts(e):
                    continue
                if shown and sort_key(e) < sort_key(shown[-1]):
                    simple = False
                appended.append(e)
            elif sort_key(old) != sort_key(e) or self.filter.accepts(old) != self.filter.accepts(e):
                simple = False
            elif self.filter.accepts(e):
                in_place.append((old, e))
        if simple and in_place:
            rows = list(shown)
            for old, e in in_place:
                i = bisect_left(rows, sort_key(old), key=sort_key)
                if i < len(rows) and rows[i].id == e.id:
                    rows[i] = e
                else:
                    simple = False  # not where it should be: sort them all
            shown = rows
        if simple:
            new = sorted(appended, key=sort_key)
            table.set_entries(shown + new, cursor=len(shown) + len(new) - 1 if following else None)
            self._after_change()
        else:
            self._rebuild(follow=following)

    def _cells(self, e: Entry) -> tuple[Text, ...]:
        tz = None if self.show_utc else self.local
        cells = (
            render.time_cell(e, tz),
            render.marks_cell(e),
            render.kind_cell(e),
            render.user(e.author[:AUTHOR_W * 2], "dim"),
            render.text_cell(e, tz),
        )
        return cells

    def replay_to(self, at: datetime) -> None:
        """Replay: the timeline as it was at ``at`` — the entries written by then, the cursor on the
        last of them; the later ones are not there yet (the rows change only when that set does)."""
        self.replay_at = at
        logged = sorted(e.logged_at for e in self.entries.values())
        written = bisect_right(logged, at)
        if written != self._replay_written:
            self._replay_written = written
            self._rebuild(follow=True)
        self._show_detail()

    def _setup_columns(self) -> None:
        """The time column fits ``HH:MM:SS`` (the day is on separator lines), kind and author are
        compact, and the entry's text takes all the rest: a pane N wide gives it N - 23 (N - 34
        with the author, shown only where the text keeps ``WIDE_TEXT_W`` beside it)."""
        table = self.query_one(TimelineTable)
        time_w = 9 if self.show_utc else 8
        table.set_days(timezone.utc if self.show_utc else self.local, self._today)
        width = table.scrollable_content_region.width or table.size.width or self.size.width or 80
        # the author gives way where the entries would be cut short (the detail line still names it)
        author_w = AUTHOR_W if width - tight_width([time_w, MARKS_W, KIND_W, AUTHOR_W, 0]) >= WIDE_TEXT_W else 0
        widths = [time_w, MARKS_W, KIND_W, author_w, MIN_TEXT_W]  # the text column stretches
        self._text_width = max(MIN_TEXT_W, width - tight_width(widths) + MIN_TEXT_W)
        table.set_columns(widths)
        header = Text(no_wrap=True, style="bold")
        for label, w in zip(("time", "", "kind", "author", "entry"), (*widths[:-1], self._text_width)):
            if w:
                header.append(" " + label.ljust(w))
        self.query_one("#timeline-header", Static).update(header, layout=False)

    def _rebuild(self, follow: bool = False, *, restyle: bool = False) -> None:
        """Filter and sort every entry again; ``restyle`` when the cells themselves change (the
        time zone, a new day): rows are cached by what the entry holds, so otherwise they stay."""
        table = self.query_one(TimelineTable)
        selected = self.selected_id()
        self._setup_columns()
        until = self.replay_at
        ordered = sorted((e for e in self.entries.values()
                          if self.filter.accepts(e) and (until is None or e.logged_at <= until)), key=sort_key)
        cursor = len(ordered) - 1
        if not follow and selected is not None:
            cursor = next((i for i, e in enumerate(ordered) if e.id == selected), cursor)
        table.set_entries(ordered, cursor=max(cursor, 0))
        if restyle:
            table.invalidate()
        self._after_change()

    def _after_change(self) -> None:
        self._update_title()
        self._show_detail()

    def selected_id(self) -> int | None:
        table = self.query_one(TimelineTable)
        if not table.row_count:
            return None
        return table.entries[min(table.cursor_row, table.row_count - 1)].id

    # -- view options ----------------------------------------------------------------------------
    def set_filter(self, kind: str | None = None, search: str | None = None) -> None:
        if kind is not None:
            self.filter.kind = kind or None
        if search is not None:
            self.filter.search = search
        self._rebuild()

    def toggle_utc(self) -> None:
        self.show_utc = not self.show_utc
        self._rebuild(restyle=True)

    def on_resize(self, event: events.Resize) -> None:
        if self.is_mounted:
            self.call_after_refresh(self._resized)

    def _resized(self) -> None:
        self._setup_columns()
        self._show_detail()

    def _update_title(self) -> None:
        shown, total = self.query_one(TimelineTable).row_count, len(self.entries)
        title = f"Timeline · {total} entries"
        if self.filter.describe():
            title += f" · {shown} shown · {self.filter.describe()}"
        title += " · UTC" if self.show_utc else " · local time"
        self.border_title = title

    @on(TimelineView.Highlighted)
    def _highlighted(self, event: TimelineView.Highlighted) -> None:
        self._show_detail()

    @on(LineInput.PastedLines)
    def _pasted_lines(self, event: LineInput.PastedLines) -> None:
        self.hint(f"{event.count} pasted lines joined with ⏎ into this one entry · Enter logs it")

    def _show_detail(self) -> None:
        entry_id = self.selected_id()
        detail = self.query_one("#entry-detail", Static)
        # fixed height: no layout pass for each entry the scribe logs
        if entry_id is None:
            detail.update(Text("No entries yet. Type below and press Enter.", style="dim"), layout=False)
        else:
            region = detail.content_region
            detail.update(render.detail(self.entries[entry_id], self.local, region.width, region.height),
                          layout=False)

    # -- input -----------------------------------------------------------------------------------
    def hint(self, message: str = "", error: bool = False) -> None:
        hint = self.query_one("#scribe-hint", Static)
        if message:
            hint.update(Text(message, style="bold red" if error else "dim"), layout=False)
            hint.set_class(error, "-error")
        else:
            hint.update(Text(HELP, style="dim"), layout=False)
            hint.remove_class("-error")
