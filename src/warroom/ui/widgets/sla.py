"""The SLA clock pane: targets, next update, escalation ladder — and the level's checklist."""

from __future__ import annotations

from datetime import tzinfo

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from warroom.domain.incident import Incident
from warroom.domain.sla import SlaReport
from warroom.ui import render


class ChecklistToggled(Message):
    def __init__(self, index: int) -> None:
        super().__init__()
        self.index = index


class Checklist(OptionList):
    BINDINGS = [Binding("space", "select", "Tick", show=True), Binding("escape", "back", "Type", show=True)]

    def action_back(self) -> None:
        self.screen.query_one("#scribe-input").focus()


class SlaPane(Vertical):
    def compose(self) -> ComposeResult:
        yield Static(id="sla-clock")
        yield Checklist(id="checklist")

    def on_mount(self) -> None:
        self.border_title = "SLA clock"
        self._items: tuple[str, ...] = ()
        self._ticked: frozenset[int] = frozenset()
        self._lines = -1

    def show(self, incident: Incident | None, report: SlaReport | None, local: tzinfo) -> None:
        clock = self.query_one("#sla-clock", Static)
        if incident is None or report is None:
            clock.update(Text("No incident open.\nF2 declares one, F3 opens an existing one.", style="dim"))
            self._lines = -1
            self.show_checklist((), frozenset())
            return
        text = render.sla_lines(incident, report, local)
        width = clock.content_size.width
        # the height as painted, wrapping included: a step falling due reads longer and wraps,
        # and the lines below it must not drop off the pane (a layout pass only then)
        lines = len(text.wrap(self.app.console, width)) if width else -2
        clock.update(text, layout=lines != self._lines)
        self._lines = lines

    def show_checklist(self, items: tuple[str, ...], ticked: frozenset[int]) -> None:
        if items == self._items and ticked == self._ticked:
            return
        self._items, self._ticked = items, ticked
        checklist = self.query_one(Checklist)
        highlighted = checklist.highlighted
        checklist.clear_options()
        for i, item in enumerate(items):
            mark = Text("[x] " if i in ticked else "[ ] ", style="bold green" if i in ticked else "bold")
            checklist.add_option(Option(Text.assemble(mark, render.user(item, "dim" if i in ticked else "")),
                                        id=str(i)))
        checklist.border_title = f"Checklist {len(ticked)}/{len(items)}" if items else ""
        checklist.set_class(not items, "-empty")
        if highlighted is not None and items:
            checklist.highlighted = min(highlighted, len(items) - 1)

    def flash(self) -> None:
        self.add_class("-flash")
        self.set_timer(3, lambda: self.remove_class("-flash"))

    @on(OptionList.OptionSelected, "#checklist")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.post_message(ChecklistToggled(int(event.option.id)))
