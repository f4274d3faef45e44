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
for the scribe to read before Enter logs it.
"""

from __future__ import annotations

import os
from typing import Callable

from textual import events
from textual.message import Message
from textual.widgets import Input, TextArea

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
    """The pasted text on one line, and how many lines it had (blank lines dropped). Spaces are
    kept except around the line breaks, so a paste into the middle of a line reads as typed."""
    lines = [line for line in text.splitlines() if line.strip()]
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


class OrderedTextArea(KeysInOrder, TextArea):
    """The status-update composer's text: Backspace, arrows and the rest in typing order too."""

    def on_mount(self) -> None:
        self.cursor_blink = cursor_blinks()


def cursor_blinks() -> bool:
    """``WARROOM_CURSOR_BLINK=0``: a steady cursor in every input (some readers find blinking hard
    to follow; screenshots and snapshot tests need it still)."""
    return os.environ.get("WARROOM_CURSOR_BLINK", "1") != "0"
