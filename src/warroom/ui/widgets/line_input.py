"""Text inputs that lose nothing the scribe types or pastes.

Bound keys act in the order they were typed. Textual inserts a printable key in the focused
widget's own key handler, but runs a bound key (Enter, Backspace, ←, ↑) only after the event has
bubbled up to the app, one message queue per ancestor. Keys that arrive together (a fast typist,
a busy frame) overtake it: ``alpha⏎bravo⏎`` logged one entry, "alphabravo" (Textual issue #6605).
``KeysInOrder`` runs the binding inside the focused widget's key handler instead — the same
binding and action the app would have picked (the widget's own, or its screen's, or the app's), so
each key acts before the next one is read. A key that moves the focus moves it at once
(``hand_focus``), and keys already queued behind it are passed on to where it went: ↑ then ``s``
stars the entry rather than typing an "s".

A paste of several lines is kept whole. Textual's ``Input`` keeps the first line and drops the
rest; here the lines are joined with `` ⏎ `` (how multi-line text shows everywhere in warroom),
for the scribe to read before Enter logs it. Colour and cursor codes in a paste (kubectl's, a
log's) are taken out and any other control character is made visible (``domain.text.pasted``);
in a real terminal the driver (``ui/terminal.py``) has already kept the paste in one piece.

A line the room refuses (``RejectableInput.hold``) stays once, selected: the next key typed
replaces it, Esc clears it, and it is kept, with every line cleared unlogged, for ↑ to recall.
"""

from __future__ import annotations

import os
from typing import Callable

from textual import events
from textual.binding import Binding
from textual.message import Message
from textual.widgets import Input, TextArea
from textual.widgets.input import Selection

from warroom.domain.line_history import LineHistory
from warroom.domain.text import pasted

LINE_BREAK = " ⏎ "


class KeysInOrder:
    """Mixin for a focusable widget (list it before the widget class)."""

    def hand_focus(self, widget) -> None:
        """Move the focus now, not after the app's queue: the keys behind this one then go where
        the user sent them."""
        self.screen.set_focus(widget)  # type: ignore[attr-defined]

    def key_owner(self):
        """Where a key this widget is handed belongs: itself, unless an earlier key of the same
        burst moved the focus or opened or closed a dialog (then the widget focused now)."""
        screen, app = self.screen, self.app  # type: ignore[attr-defined]
        focused = screen.focused if screen is app.screen else app.focused
        return self if focused is None else focused

    async def _on_key(self, event: events.Key) -> None:
        focused = self.key_owner()
        if focused is not self:
            # forwarded here before an earlier key of the same burst moved the focus: pass it on
            event.stop()
            event.prevent_default()
            focused.post_message(events.Key(event.key, event.character))
            return
        active = self.screen.active_bindings.get(event.key)  # type: ignore[attr-defined]  # as the app would
        if active is None or active.binding.priority or not active.enabled:
            return  # not bound (or run before it got here): the widget's own handler, as before
        if await self.app.run_action(active.binding.action, active.node):  # type: ignore[attr-defined]
            event.stop()
            event.prevent_default()


def paste_as_line(text: str) -> tuple[str, int]:
    """The pasted text on one line, in its order, and how many lines it had (blank lines
    dropped); escape sequences taken out, other control characters shown (``␇``). Spaces are
    kept except around the line breaks, so a paste into the middle of a line reads as typed."""
    lines = [line.replace("\t", "    ") for line in pasted(text).split("\n") if line.strip()]
    if len(lines) < 2:
        return (lines[0] if lines else ""), len(lines)
    first, *middle, last = lines
    return LINE_BREAK.join([first.rstrip(), *(line.strip() for line in middle), last.lstrip()]), len(lines)


class LineInput(KeysInOrder, Input):
    """An input line whose Enter, Backspace and arrows act in typing order and that keeps every
    pasted line. With ``on_submit``, Enter calls it inside the key handler rather than posting
    ``Submitted``: a dialog closed there is gone before the next key is read, so keys typed ahead
    go to the screen below instead of into the closing dialog."""

    def __init__(self, *args, on_submit: Callable[[str], object] | None = None, **kw) -> None:
        super().__init__(*args, **kw)
        self._on_submit = on_submit
        self.cursor_blink = cursor_blinks()

    async def action_submit(self) -> None:
        if self._on_submit is None:
            await super().action_submit()
        else:
            self._on_submit(self.value)

    def _on_paste(self, event: events.Paste) -> None:
        event.stop()
        event.prevent_default()  # not Input's handler, which keeps only the first line
        line, count = paste_as_line(event.text)
        if not line:
            return
        if self.selection.is_empty:
            self.insert_text_at_cursor(line)
        else:
            self.replace(line, *self.selection)
        if count > 1:
            self.post_message(self.PastedLines(self, count))

    class PastedLines(Message):
        """A paste of several lines was joined onto the input line."""

        def __init__(self, input: "LineInput", count: int) -> None:
            super().__init__()
            self.input = input
            self.count = count


class RejectableInput(LineInput):
    """The scribe's line: a line refused is ``hold``-en — kept once, all of it selected, so the
    next printable key replaces it and Esc clears it — and posts ``Released`` when the line
    changes (its error can go). Lines refused or cleared unlogged are kept for ↑ (``recall_older``)
    and ↓ to bring back."""

    BINDINGS = [
        Binding("down", "recall_newer", "Newer line", show=False),
        Binding("escape", "clear_line", "Clear the line", show=False),
    ]

    def __init__(self, *args, **kw) -> None:
        super().__init__(*args, **kw)
        self.history = LineHistory()
        self.held: str | None = None  # the refused line on the input, until it changes
        self._recalling = False

    def hold(self, text: str) -> None:
        """``text`` was refused: on the line once (whatever was there is kept for ↑), selected."""
        if self.value != text:
            self.history.add(self.value)
        self.history.add(text)
        self._show(text, selected=True)
        self.held = text

    def keep(self, text: str) -> None:
        """``text`` was refused after the line moved on: kept for ↑, the line left as it is."""
        self.history.add(text)

    def logged(self, text: str) -> None:
        """``text`` is in the timeline: the line is emptied and ``text`` no longer recalled."""
        self.history.forget(text)
        self.value = ""

    def recall_older(self) -> bool:
        line = self.history.older(self.value)
        if line is None:
            return False
        self._show(line)
        return True

    def action_recall_newer(self) -> None:
        line = self.history.newer()
        if line is not None:
            self._show(line)

    def action_clear_line(self) -> None:
        self.history.add(self.value)
        self.value = ""

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "clear_line":
            return bool(self.value)  # an empty line: Esc goes on to whoever else wants it
        return True

    def _show(self, text: str, selected: bool = False) -> None:
        """``text`` on the line: all of it selected (refused: the next key replaces it), or the
        cursor at its end (recalled: to be mended)."""
        self._recalling = True
        try:
            self.value = text
        finally:
            self._recalling = False
        self.selection = Selection(0, len(text)) if selected else Selection.cursor(len(text))

    def watch_value(self, value: str) -> None:
        if not self._recalling:
            self.history.stop()
        if self.held is not None and value != self.held:
            self.held = None
            self.post_message(self.Released(self))

    class Released(Message):
        """The refused line held on the input was changed or cleared."""

        def __init__(self, input: "RejectableInput") -> None:
            super().__init__()
            self.input = input


class OrderedTextArea(KeysInOrder, TextArea):
    """The status-update composer's text: Backspace, arrows and the rest in typing order too."""

    def on_mount(self) -> None:
        self.cursor_blink = cursor_blinks()


def cursor_blinks() -> bool:
    """``WARROOM_CURSOR_BLINK=0``: a steady cursor in every input (some readers find blinking hard
    to follow; screenshots and snapshot tests need it still)."""
    return os.environ.get("WARROOM_CURSOR_BLINK", "1") != "0"
