"""How a warroom app dies of a bug: a traceback without the local variables.

Textual's own crash report prints every frame's locals — the lines typed, the incident, a
bearer token in a config — to the terminal (often the big shared screen). Ours shows the
frames only, and the app exits non-zero.
"""

from __future__ import annotations



class NoLocalsOnCrash:
    """Mixed into every warroom ``App`` before ``App`` itself."""

    def _fatal_error(self) -> None:  # Textual's one place that renders an unhandled exception
        import rich
        from rich.segment import Segments
        from rich.traceback import Traceback  # only when it crashes: its import costs start-up ~40 ms

        self.bell()
        traceback = Traceback(show_locals=False, width=None, suppress=[rich])
        self._exit_renderables.append(Segments(self.console.render(traceback, self.console.options)))
        self._close_messages_no_wait()


def exit_code(app, result: int | None) -> int:
    """What the process returns: the app's own code when it failed (a crash sets 1), else its result."""
    return app.return_code or result or 0
