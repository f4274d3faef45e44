"""Small modal screens, keyboard first: Enter confirms, Escape cancels (returns ``None``)."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from warroom.domain.text import one_line
from warroom.ui.screens.dialog import Dialog
from warroom.ui.widgets.line_input import LineInput


class PromptScreen(Dialog[str | None]):
    """Ask for one line of text."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, title: str, *, value: str = "", placeholder: str = "", help: str = "") -> None:
        super().__init__()
        self._title, self._value, self._placeholder, self._help = title, value, placeholder, help

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(Text(self._title, style="bold"))
            yield LineInput(value=self._value, placeholder=self._placeholder, id="prompt-input",
                            on_submit=self.dismiss)
            if self._help:
                yield Static(Text(self._help, style="dim"))

    def action_cancel(self) -> None:
        self.dismiss(None)


class PickerScreen(Dialog[str | None]):
    """Pick one of several options (returns its id)."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, title: str, options: list[tuple[str, Text | str]], *, selected: str | None = None) -> None:
        super().__init__()
        self._title, self._options, self._selected = title, options, selected

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(Text(self._title, style="bold"))
            yield OptionList(
                *[Option(label if isinstance(label, Text) else Text(one_line(label)), id=oid)
                  for oid, label in self._options],
                id="picker",
            )

    def on_mount(self) -> None:
        picker = self.query_one(OptionList)
        ids = [oid for oid, _ in self._options]
        if self._selected in ids:
            picker.highlighted = ids.index(self._selected)
        picker.focus()

    @on(OptionList.OptionSelected)
    def _done(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)


@dataclass(frozen=True)
class Declaration:
    title: str
    severity: str
    detected: str  # as typed; parsed by the app (it knows the clock and timezone)
    declared: str = ""  # as typed; empty: now (an incident written up afterwards gives its real time)


class DeclareScreen(Dialog[Declaration | None]):
    """Declare an incident: title, severity, when it was detected and declared. Tab moves, Enter declares."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, levels: list[tuple[str, str]], default: str, error: str = "", title: str = "",
                 detected: str = "", declared: str = "") -> None:
        super().__init__()
        self._levels, self._default, self._error = levels, default, error
        self._title_value, self._detected_value, self._declared_value = title, detected, declared

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="declare"):
            yield Label(Text("Declare an incident", style="bold"))
            yield LineInput(value=self._title_value, placeholder="What is broken? e.g. Checkout returns 500s",
                            id="declare-title", on_submit=self._submit)
            yield OptionList(*[Option(Text(f"{key}  {name}"), id=key) for key, name in self._levels],
                             id="declare-severity")
            with Horizontal(id="declare-times"):  # side by side: the dialog fits 24 rows
                yield LineInput(value=self._detected_value, placeholder="Detected at HH:MM",
                                id="declare-detected", on_submit=self._submit)
                yield LineInput(value=self._declared_value, placeholder="Declared HH:MM (or now)",
                                id="declare-declared", on_submit=self._submit)
            yield Static(Text(self._error, style="bold red") if self._error else
                         Text("Tab moves between fields · Enter declares · Esc cancels", style="dim"),
                         id="declare-error")

    def on_mount(self) -> None:
        severity = self.query_one("#declare-severity", OptionList)
        keys = [k for k, _ in self._levels]
        severity.highlighted = keys.index(self._default) if self._default in keys else 0
        self.query_one("#declare-title", Input).focus()

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self._submit()

    def _submit(self, _value: str = "") -> None:
        title = self.query_one("#declare-title", Input).value.strip()
        if not title:
            self.query_one("#declare-error", Static).update(Text("A title is needed.", style="bold red"))
            self.query_one("#declare-title", Input).focus()
            return
        severity = self.query_one("#declare-severity", OptionList)
        level = self._levels[severity.highlighted or 0][0]
        self.dismiss(Declaration(title, level, self.query_one("#declare-detected", Input).value.strip(),
                                 self.query_one("#declare-declared", Input).value.strip()))

    def action_cancel(self) -> None:
        self.dismiss(None)


HELP_TEXT = """\
warroom — keys (they work while you type)

  F1  this help              F6  acknowledge
  F2  declare an incident     F7  change status
  F3  switch incident         F8  change severity
  F4  assign a role           F9  export markdown (post-incident review draft)
  F5  copy status summary     F10 local time / UTC
  F11 pause a drill           F12 drill speed (warroom drill: a scripted incident)
  ctrl+n  compose a status update (templates; ctrl+s sends to the webhooks and logs it)
  ctrl+t  high-contrast theme   ctrl+p  command palette   ctrl+q  quit
  ctrl+l  the last notices (also above the keys)   ctrl+r  alerts, silences
  ctrl+g  a metric's chart (Enter on a panel too): 1-4 window, n/p moments, c compare
  Tab  move between panes (the checklist: space ticks an item)

The timeline input (always ready; Enter logs the line at once, durably)
  text                      a note
  @10:15 text               backdated (HH:MM local, or ISO 8601)
  /d text                   decision            /c text   comms (a status update sent)
  /a @alice text by 14:00   action item with owner and due time
  /e text                   escalation          /n text   note
  /s mitigating             status change       /ack      acknowledge
  /sev 1                    severity change     /ic Alice  /tl Bob  /cl Carol  /scribe Sam
  //text                    a note starting with "/"

In the timeline (↑ from the input)
  ↑ ↓  select     Enter or v  read it whole     s  star     x  redact (with a reason)
  e  edit (revision kept)     f  filter by kind     /  search
  d  an action item done, or open again (e edits it as its /a line)
  Esc or i  back to typing (any other key types too)
"""


class HelpScreen(Dialog[None]):
    """Scrolls (↑ ↓, PgUp PgDn) where it does not fit: at 80x24 half of it used to be cut off."""

    BINDINGS = [Binding("escape,f1,q", "close", "Close")]

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog", id="help"):
            yield Static(Text(HELP_TEXT), id="help-text")

    def action_close(self) -> None:
        self.dismiss(None)
