"""A yes-or-no question before something that cannot be undone (quitting with lines unsaved)."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Label, Static

from warroom.ui.screens.dialog import Dialog


class ConfirmScreen(Dialog[bool]):
    """Enter or ``y`` confirms (``True``); Escape or ``n`` keeps things as they are (``False``)."""

    BINDINGS = [Binding("enter,y", "answer(True)", "Yes"), Binding("escape,n", "answer(False)", "No")]

    def __init__(self, title: str, question: str, keys: str = "Enter or y: yes · Esc or n: no", *,
                 id: str | None = None) -> None:
        super().__init__(id=id)
        self._title, self._question, self._keys = title, question, keys

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="confirm"):
            yield Label(Text(self._title, style="bold"))
            yield Static(Text(self._question), id="confirm-question")  # Text: never markup
            yield Static(Text(self._keys, style="dim"))

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)
