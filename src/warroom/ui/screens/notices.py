"""The last notices, read again (ctrl+l): the strip shows only the latest, cut to one line."""

from __future__ import annotations

from datetime import tzinfo
from typing import Iterable

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Label, Static

from warroom.ui.screens.dialog import Dialog
from warroom.ui.widgets.notice_strip import LABELS, Notice

SEVERITY_STYLE = {"warning": "bold yellow", "error": "bold red"}


def notices_table(notices: Iterable[Notice], local: tzinfo) -> Table | Text:
    """Newest first: the time, the severity in words, then the title and text whole, wrapped in
    their own column (a long inject stays readable under its time)."""
    shown = list(notices)
    if not shown:
        return Text("No notices yet.", style="dim")
    table = Table.grid(padding=(0, 1))
    table.add_column(no_wrap=True)
    table.add_column(no_wrap=True, width=5)
    table.add_column(ratio=1, overflow="fold")
    for notice in reversed(shown):
        table.add_row(f"{notice.at.astimezone(local):%H:%M:%S}",
                      Text(LABELS.get(notice.severity) or "info", style=SEVERITY_STYLE.get(notice.severity, "dim")),
                      Text(notice.heading()))  # a Text: never parsed as markup
    return table


class NoticesScreen(Dialog[None]):
    DEFAULT_CSS = """
    #notices-scroll {
        height: auto;
        max-height: 70vh;
    }
    """
    BINDINGS = [Binding("escape,ctrl+l,q,enter", "close", "Close")]

    def __init__(self, notices: Iterable[Notice], local: tzinfo) -> None:
        super().__init__()
        self._notices, self._local = list(notices), local

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="notices"):
            yield Label(Text(f"Last notices ({len(self._notices)}), newest first · Esc closes", style="bold"))
            with VerticalScroll(id="notices-scroll"):
                yield Static(notices_table(self._notices, self._local), id="notices-text")

    def action_close(self) -> None:
        self.dismiss(None)
