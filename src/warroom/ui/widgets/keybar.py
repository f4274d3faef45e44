"""The footer: the keys that work right now, as one line of text.

Textual's ``Footer`` builds a widget per key and rebuilds them all whenever the bindings change
(every focus move), which made up a third of warroom's time to first frame. This bar renders the
same ``screen.active_bindings`` into a single ``Text`` instead. Clicking a key runs its action.
"""

from __future__ import annotations

from rich.text import Text
from textual import events
from textual.widget import Widget


class KeyBar(Widget):
    DEFAULT_CSS = """
    KeyBar {
        height: 1;
        dock: bottom;
        background: $footer-background;
        color: $footer-foreground;
    }
    """

    def __init__(self, **kw) -> None:
        super().__init__(**kw)
        self._text = Text()
        self._spans: list[tuple[int, int, str, object]] = []  # (start, end, action, node) for clicks

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)
        self._build()

    def _bindings_changed(self, screen) -> None:
        if self.is_attached and screen is self.screen:
            self._build()

    def _build(self) -> None:
        text = Text(no_wrap=True, overflow="ellipsis")
        spans = []
        seen: set[str] = set()
        key_style = "bold " + str(self.app.current_theme.accent or "yellow") if self.app.current_theme else "bold"
        for node, binding, enabled, _tooltip in self.screen.active_bindings.values():
            if not binding.show or binding.action in seen:
                continue
            seen.add(binding.action)
            start = len(text)
            text.append(f" {self.app.get_key_display(binding)} ", style=key_style if enabled else "dim")
            text.append(f"{binding.description} ", style="" if enabled else "dim")
            spans.append((start, len(text), binding.action, node))
        palette = self.app.COMMAND_PALETTE_BINDING
        if self.app.ENABLE_COMMAND_PALETTE and palette in self.screen.active_bindings:
            text.append(" ^p palette", style="dim")
        if text.plain != self._text.plain:
            self._text, self._spans = text, spans
            self.refresh()

    def render(self) -> Text:
        return self._text

    async def on_click(self, event: events.Click) -> None:
        for start, end, action, node in self._spans:
            if start <= event.x < end:
                await self.app.run_action(action, node)
                break
