"""The base of every warroom dialog: it closes once, and it has its own notice line.

Textual's ``dismiss`` pops whichever screen is on top. An Enter or Escape pressed twice before a
dialog has gone (a double press, keys typed ahead in a burst) dismissed it twice: the second
call handed its callback a second result and popped the war room itself, and the app crashed
("Can't pop screen"). Here only the first dismiss of the screen on top counts.

A notice that comes while a dialog is open (a drill inject during the severity dialog, the
export's path from the drill report) shows on the dialog's bottom line, never over it.
"""

from __future__ import annotations

from textual.await_complete import AwaitComplete
from textual.screen import ModalScreen, ScreenResultType


class Dialog(ModalScreen[ScreenResultType]):
    _dismissed = False

    def on_mount(self) -> None:
        if hasattr(self.app, "notice_signal"):  # the war room's (the replay app has no notices)
            from warroom.ui.widgets.notice_strip import NoticeStrip

            self.mount(NoticeStrip(classes="-dialog"))

    def dismiss(self, result: ScreenResultType | None = None) -> AwaitComplete:
        if self._dismissed or self.app.screen is not self:
            return AwaitComplete()  # closed already (or not on top): nothing to pop
        self._dismissed = True
        return super().dismiss(result)
