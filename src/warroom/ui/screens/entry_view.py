"""One timeline entry, whole: Enter (or ``v``) on a selected entry opens it, Esc comes back.

A timeline row cuts long text and the detail under the list shows a few lines; here the text is
wrapped in full (scrolled when longer than the screen), with its times, kind, author, owner and due
time, star, and earlier versions. What is already loaded shows at once; earlier versions the
timeline does not hold are read from the store in a worker (the screen never waits on the disk).
Nothing here changes the timeline: its selection and the line being typed are as they were. An
entry changed meanwhile (an edit just saved, a star from another scribe) is shown as it is now.
"""

from __future__ import annotations

from datetime import tzinfo
from typing import Awaitable, Callable, Sequence

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Static

from warroom.domain.timeline import Entry, Revision
from warroom.room.writes import reason
from warroom.ui.entry_text import entry_view
from warroom.ui.screens.dialog import Dialog

#: Reads an entry's earlier versions from the store (awaited in the view's worker).
HistoryReader = Callable[[Entry], Awaitable[Sequence[Revision]]]

HINT = "↑ ↓ PgUp PgDn scroll · Esc back"
FOLLOW_SECONDS = 0.5  # how often the view looks whether the timeline holds a newer version of it


class EntryView(Dialog[None]):
    BINDINGS = [Binding("escape,q", "close", "Back")]

    def __init__(self, entry: Entry, local: tzinfo, history: HistoryReader | None = None,
                 latest: Callable[[], Entry | None] | None = None) -> None:
        """``history`` reads earlier versions the entry does not hold; ``latest``: the entry as
        the timeline holds it now (read, never awaited)."""
        super().__init__()
        self.local = local
        self._reader = history
        self._latest = latest
        self._show(entry)

    def _show(self, entry: Entry) -> None:
        self.entry = entry
        kept = entry.history if len(entry.history) >= entry.revision - 1 else None
        self.history: Sequence[Revision] | None = kept if entry.edited else ()
        self._note = "" if self.history is not None else (
            "reading…" if self._reader is not None and not entry.redacted else "not available here")

    @property
    def text(self) -> Text:
        """What the view shows (its plain text is what a reader sees, wrapped by the screen)."""
        return entry_view(self.entry, self.local, self.history, history_note=self._note)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="entry-view"):
            with VerticalScroll(id="entry-view-scroll"):
                yield Static(self.text, id="entry-view-text")
            yield Static(Text(HINT, style="dim"), id="entry-view-hint")

    def on_mount(self) -> None:
        self.query_one("#entry-view-scroll").focus()
        self._read_if_needed()
        if self._latest is not None:
            self.set_interval(FOLLOW_SECONDS, self._follow)

    def _read_if_needed(self) -> None:
        if self.history is None and self._reader is not None and not self.entry.redacted:
            self.run_worker(self._read_history(self.entry), group="entry-history", exclusive=True,
                            exit_on_error=False)

    async def _read_history(self, entry: Entry) -> None:
        try:
            found = tuple(await self._reader(entry))
        except Exception as exc:  # a database error is said in the view, never raised
            found, self._note = None, f"could not be read: {reason(exc)}"
        if entry is not self.entry:
            return  # a newer version is shown meanwhile (its own read is under way)
        self.history = found
        self._refresh_text()

    def _follow(self) -> None:
        entry = self._latest()
        if entry is not None and entry is not self.entry and entry != self.entry:
            history = self.history if entry.revision == self.entry.revision else None
            self._show(entry)
            if history is not None and self.history is None:
                self.history = history  # the same revision (a star): the versions read still hold
            self._refresh_text()
            self._read_if_needed()

    def _refresh_text(self) -> None:
        if self.is_attached:
            self.query_one("#entry-view-text", Static).update(self.text)

    def action_close(self) -> None:
        self.dismiss(None)
