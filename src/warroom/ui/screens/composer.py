"""The comms lead's composer: pick a template, edit the pre-filled text, send or copy.

Drafts are kept per template while the screen is open, and returned to the app on close, so
nothing typed is lost by switching templates or pressing Escape.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Label, OptionList, Static, TextArea
from textual.widgets.option_list import Option

from warroom.ui.screens.dialog import Dialog
from warroom.ui.widgets.line_input import OrderedTextArea

TITLES = {
    "declared": "Incident declared",
    "update": "Status update",
    "resolved": "Resolved",
    "statuspage": "Status page",
    "customer_email": "Customer e-mail",
}


@dataclass(frozen=True)
class Composed:
    action: str  # "send" | "copy" | "close"
    template: str
    text: str
    drafts: dict


class ComposerScreen(Dialog[Composed]):
    BINDINGS = [
        Binding("ctrl+s", "finish('send')", "Send"),
        Binding("ctrl+y", "finish('copy')", "Copy only"),
        Binding("escape", "finish('close')", "Close (keeps the draft)"),
    ]

    def __init__(self, drafts: dict[str, str], chosen: str, destination: str) -> None:
        super().__init__()
        self.drafts = dict(drafts)
        self.chosen = chosen
        self.destination = destination

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="composer"):
            yield Label(Text("Compose a status update", style="bold"))
            yield OptionList(*[Option(TITLES.get(name, name), id=name) for name in self.drafts],
                             id="composer-templates")
            yield OrderedTextArea(self.drafts[self.chosen], id="composer-text", soft_wrap=True, show_line_numbers=False)
            yield Static(Text(f"ctrl+s sends ({self.destination}) · ctrl+y copies only · Esc closes, the draft is kept",
                              style="dim"), id="composer-help")

    def on_mount(self) -> None:
        templates = self.query_one(OptionList)
        templates.highlighted = list(self.drafts).index(self.chosen)
        self.query_one(TextArea).focus()

    @on(OptionList.OptionHighlighted, "#composer-templates")
    def _switch(self, event: OptionList.OptionHighlighted) -> None:
        name = event.option.id
        if name == self.chosen:
            return
        area = self.query_one(TextArea)
        self.drafts[self.chosen] = area.text
        self.chosen = name
        area.load_text(self.drafts[name])

    @on(OptionList.OptionSelected, "#composer-templates")
    def _picked(self, event: OptionList.OptionSelected) -> None:
        self.query_one(TextArea).focus()

    def action_finish(self, action: str) -> None:
        self.drafts[self.chosen] = self.query_one(TextArea).text
        self.dismiss(Composed(action, self.chosen, self.drafts[self.chosen], self.drafts))
