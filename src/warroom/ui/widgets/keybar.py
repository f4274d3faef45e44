"""The footer: the keys that work right now, as one line of text.

Textual's ``Footer`` builds a widget per key and rebuilds them all whenever the bindings change
(every focus move), which made up a third of warroom's time to first frame. This bar renders the
same ``screen.active_bindings`` into a single ``Text`` instead. Clicking a key runs its action.

Help (F1) always shows first, the palette and quit always at the right end: at 80 columns the
keys between give way (spaces first, then the last ones, with ``…`` saying more are in F1 and the
palette) — a cut line used to lose exactly those three. Keys that do nothing in this mode (F3 in a
drill) are left out; pressed, they say why (``ui.modes``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rich.cells import cell_len
from rich.text import Text
from textual import events
from textual.widget import Widget

PINNED_FIRST = ("help",)
PALETTE_ACTION = "command_palette"
PINNED_LAST = (PALETTE_ACTION, "quit")
MORE = "…"


@dataclass(frozen=True)
class Key:
    key: str  # as shown: F1, ^n
    label: str
    enabled: bool = True
    action: str = ""
    node: object = None


def fit(first: list[Key], middle: list[Key], last: list[Key], width: int) -> tuple[list[Key], list[Key], bool]:
    """Which keys show in ``width`` columns, and whether they show spaced (``True``) or packed:
    ``first`` and ``last`` always; of ``middle``, in order, as many as fit (a ``…`` then stands
    for the others)."""
    for spaced in (True, False):
        if _width(first + middle + last, spaced, more=False) <= width:
            return middle, last, spaced
    kept = list(middle)
    while kept and _width(first + kept + last, False, more=True) > width:
        kept.pop()
    return kept, last, False


def _item(key: Key, spaced: bool) -> str:
    return f" {key.key} {key.label} " if spaced else f"{key.key} {key.label} "


def _width(keys: list[Key], spaced: bool, *, more: bool) -> int:
    return sum(cell_len(_item(k, spaced)) for k in keys) + (cell_len(MORE) + 1 if more else 0) + (0 if spaced else 1)


def key_display(shown: str) -> str:
    """``f1`` reads as the key cap does: ``F1``."""
    return shown.upper() if re.fullmatch(r"f\d+", shown) else shown


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
        self._keys: tuple[list[Key], list[Key], list[Key]] = ([], [], [])
        self._spans: list[tuple[int, int, str, object]] = []  # (start, end, action, node) for clicks

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)
        self._build()

    def _bindings_changed(self, screen) -> None:
        if self.is_attached and screen is self.screen:
            self._build()

    def _build(self) -> None:
        first: list[Key] = []
        middle: list[Key] = []
        last: dict[str, Key] = {}
        seen: set[str] = set()
        for node, binding, enabled, _tooltip in self.screen.active_bindings.values():
            if binding.action in seen:
                continue
            key = Key(key_display(self.app.get_key_display(binding)), binding.description, enabled,
                      binding.action, node)
            if binding.action in PINNED_LAST:
                last[binding.action] = Key(key.key, key.label or binding.action.title(), enabled, binding.action, node)
            elif not binding.show or not enabled:
                continue
            elif binding.action in PINNED_FIRST:
                first.append(key)
            else:
                middle.append(key)
            seen.add(binding.action)
        palette = self.app.COMMAND_PALETTE_BINDING
        if self.app.ENABLE_COMMAND_PALETTE and palette in self.screen.active_bindings:
            last[PALETTE_ACTION] = Key("^p", "Palette", True, PALETTE_ACTION, self.app)
        keys = (first, middle, [last[a] for a in PINNED_LAST if a in last])
        if keys != self._keys:
            self._keys = keys
            self.refresh()

    @property
    def text(self) -> str:
        """The bar as it reads now (for tests)."""
        return self.render().plain

    def render(self) -> Text:
        width = self.size.width or 80
        first, middle, last = self._keys
        shown, last, spaced = fit(first, middle, last, width)
        accent = self.app.current_theme.accent if self.app.current_theme else None
        key_style = f"bold {accent or 'yellow'}"
        text = Text(no_wrap=True, overflow="ellipsis")
        spans = []

        def add(key: Key) -> None:
            start = len(text)
            lead = " " if spaced else ""
            text.append(f"{lead}{key.key}", style=key_style if key.enabled else "dim")
            text.append(f" {key.label} ", style="" if key.enabled else "dim")
            spans.append((start, len(text), key.action, key.node))

        if not spaced:
            text.append(" ")
        for key in first + shown:
            add(key)
        if len(shown) < len(middle):
            text.append(f"{MORE} ", style="dim")
        tail = sum(cell_len(_item(k, spaced)) for k in last)
        text.append(" " * max(width - cell_len(text.plain) - tail, 0))
        for key in last:
            add(key)
        self._spans = spans
        return text

    async def on_click(self, event: events.Click) -> None:
        for start, end, action, node in self._spans:
            if start <= event.x < end:
                await self.app.run_action(action, node)
                break
