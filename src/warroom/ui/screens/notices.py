"""The last notices, read again (ctrl+l): the strip shows only the latest, cut to one line."""

from __future__ import annotations

from datetime import tzinfo
from typing import Iterable

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Label, Static

from warroom.ui.screens.dialog import Dialog
from warroom.ui.widgets.notice_strip import LABELS, Notice

SEVERITY_STYLE = {"warning": "bold yellow", "error": "bold red"}


def notices_text(notices: Iterable[Notice], local: tzinfo) -> Text:
    """Newest first: the time, the severity in words, then the title and text whole (wrapped)."""
    out = Text()
    for notice in reversed(list(notices)):
        if out:
            out.append("\n")
        out.append(f"{notice.at.astimezone(local):%H:%M:%S}  ")
        out.append(f"{LABELS.get(notice.severity) or 'info':<5} ", style=SEVERITY_STYLE.get(notice.severity, "dim"))
        out.append(notice.heading())  # Text.append never parses markup
    return out or Text("No notices yet.", style="dim")


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
                yield Static(notices_text(self._notices, self._local), id="notices-text")

    def action_close(self) -> None:
        self.dismiss(None)
