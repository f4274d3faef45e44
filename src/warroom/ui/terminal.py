"""The terminal driver: Textual's, with bracketed pastes cleaned before its parser reads them.

Textual's parser ends a bracketed paste at the first ESC inside it: the rest of the paste
arrives as typed keys (each ESC as ``^``), ahead of a paste event holding only the text before
that ESC — ``kubectl says: ␛[32mRunning␛[0m ok`` became ``^[32mRunning^[0m okkubectl says: ``
in any input, Textual's own as well. ``PasteStream`` (pure, in ``domain/text``) takes the escape
sequences out of each paste as it is read, so the parser sees one clean paste in its order. The
input loop is Textual 8.2.8's ``LinuxDriver.run_input_thread`` with that one step added (the
parser is made inside the loop, so there is no smaller place to add it).
"""

from __future__ import annotations

import selectors
from codecs import getincrementaldecoder
from os import read

from textual._loop import loop_last
from textual._parser import ParseError
from textual._xterm_parser import XTermParser
from textual.driver import Driver
from textual.drivers.linux_driver import LinuxDriver

from warroom.domain.text import PasteStream


class PasteSafeDriver(LinuxDriver):
    """``LinuxDriver`` whose input goes through ``PasteStream`` first."""

    def run_input_thread(self) -> None:
        selector = selectors.SelectSelector()
        selector.register(self.fileno, selectors.EVENT_READ)
        fileno = self.fileno
        parser = XTermParser(self._debug)
        clean = PasteStream().feed
        decode = getincrementaldecoder("utf-8")().decode

        def process_selector_events(selector_events, final: bool = False) -> None:
            for last, (_key, mask) in loop_last(selector_events):
                if mask & selectors.EVENT_READ:
                    data = decode(read(fileno, 1024 * 4), final=final and last)
                    if not data:
                        break  # stdin piped and closed
                    for event in parser.feed(clean(data)):
                        self.process_message(event)
            for event in parser.tick():
                self.process_message(event)

        try:
            while not self.exit_event.is_set():
                process_selector_events(selector.select(0.1))
            selector.unregister(self.fileno)
            process_selector_events(selector.select(0.1), final=True)
        finally:
            selector.close()
            try:
                for _event in parser.feed(""):
                    pass
            except (EOFError, ParseError):
                pass


def driver_class(default: type[Driver]) -> type[Driver]:
    """The driver to run with: the paste-safe one where Textual would pick its Linux (POSIX)
    driver; any other (Windows, ``TEXTUAL_DRIVER``, headless tests) as Textual chose."""
    return PasteSafeDriver if default is LinuxDriver else default
