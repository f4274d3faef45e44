"""A virtual list of timeline entries: only the rows on screen are ever rendered.

A DataTable builds per-row state for every row (about 60 µs each), so an incident of 10,000
entries took over a second to open; this view keeps a plain list of entries and turns the few
visible ones into strips on demand (cached by entry revision), so opening and scrolling cost
the same at 10 entries or 100,000.
"""

from __future__ import annotations

from typing import Callable, Sequence

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.cache import LRUCache
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from warroom.domain.timeline import Entry

CellMaker = Callable[[Entry], Sequence[Text]]


class TimelineView(ScrollView, can_focus=True):
    COMPONENT_CLASSES = {"timeline--cursor", "timeline--zebra"}
    DEFAULT_CSS = """
    TimelineView {
        height: 1fr;
        overflow-x: hidden;
        overflow-y: auto;
    }
    TimelineView > .timeline--cursor {
        background: $block-cursor-blurred-background;
        text-style: $block-cursor-blurred-text-style;
    }
    TimelineView:focus > .timeline--cursor {
        background: $block-cursor-background;
        color: $block-cursor-foreground;
        text-style: $block-cursor-text-style;
    }
    TimelineView > .timeline--zebra {
        background: $surface-lighten-1 30%;
    }
    """
    BINDINGS = [
        Binding("up", "cursor(-1)", "Up", show=False),
        Binding("down", "cursor(1)", "Down", show=False),
        Binding("pageup", "page(-1)", "Page up", show=False),
        Binding("pagedown", "page(1)", "Page down", show=False),
        Binding("home", "jump(0)", "First", show=False),
        Binding("end", "jump(-1)", "Last", show=False),
    ]

    cursor_row: reactive[int] = reactive(0, always_update=True, repaint=False)

    class Highlighted(Message):
        def __init__(self, entry: Entry | None) -> None:
            super().__init__()
            self.entry = entry

    def __init__(self, cells: CellMaker, **kw) -> None:
        super().__init__(**kw)
        self._make_cells = cells
        self._entries: list[Entry] = []
        self._widths: list[int] = []
        self._cache: LRUCache[tuple, Strip] = LRUCache(1024)

    # -- data ---------------------------------------------------------------------------------------
    @property
    def row_count(self) -> int:
        return len(self._entries)

    @property
    def entries(self) -> list[Entry]:
        return self._entries

    def set_columns(self, widths: list[int]) -> None:
        """Column widths; the last one is a minimum: that column takes the rest of the width, which
        is found when painting — so the first frame, painted before any Resize handler runs, already
        has the right columns, and no repaint of every row follows it."""
        if widths != self._widths:
            self._widths = widths
            self._cache.clear()
            self._resize_virtual()
            self.refresh()

    def set_entries(self, entries: list[Entry], *, cursor: int | None = None) -> None:
        """Replace the rows (already filtered and in timeline order)."""
        self._entries = entries
        self._resize_virtual()
        if cursor is not None:
            self.move_cursor(row=cursor)
        else:
            self.move_cursor(row=min(self.cursor_row, max(len(entries) - 1, 0)))
        self.refresh()

    def row_cells(self, row: int) -> Sequence[Text]:
        return self._make_cells(self._entries[row])

    def _resize_virtual(self) -> None:
        self.virtual_size = Size(sum(self._widths) + 2 * len(self._widths), len(self._entries))

    def invalidate(self) -> None:
        """Cells depend on view options (time zone …): drop what was rendered."""
        self._cache.clear()
        self.refresh()

    # -- cursor -------------------------------------------------------------------------------------
    def move_cursor(self, *, row: int) -> None:
        if not self._entries:
            self.cursor_row = 0
            self.post_message(self.Highlighted(None))
            return
        self.cursor_row = max(0, min(row, len(self._entries) - 1))

    def watch_cursor_row(self, old: int, new: int) -> None:
        self._scroll_cursor_into_view()
        self.refresh()
        self.post_message(self.Highlighted(self._entries[new] if self._entries else None))

    def _scroll_cursor_into_view(self) -> None:
        height = self.scrollable_content_region.height or self.size.height or 1
        top = self.scroll_offset.y
        if self.cursor_row < top:
            self.scroll_to(y=self.cursor_row, animate=False, immediate=True)
        elif self.cursor_row >= top + height:
            self.scroll_to(y=self.cursor_row - height + 1, animate=False, immediate=True)

    def action_cursor(self, delta: int) -> None:
        self.move_cursor(row=self.cursor_row + delta)

    def action_page(self, direction: int) -> None:
        height = max(1, self.scrollable_content_region.height - 1)
        self.move_cursor(row=self.cursor_row + direction * height)

    def action_jump(self, row: int) -> None:
        self.move_cursor(row=row if row >= 0 else len(self._entries) - 1)

    def on_click(self, event: events.Click) -> None:
        self.move_cursor(row=self.scroll_offset.y + event.y)

    def on_resize(self, event: events.Resize) -> None:
        self._scroll_cursor_into_view()

    def _size_updated(self, size: Size, virtual_size: Size, container_size: Size, layout: bool = True) -> bool:
        """Textual's layout pass sets the size here, just before painting: bring the cursor into
        view now, so that the first frame shows the latest entries (the cursor was scrolled to
        with no height known yet) instead of being repainted once the Resize event arrives.
        A private Textual hook (ScrollView._size_updated): fine while Textual is pinned."""
        changed = super()._size_updated(size, virtual_size, container_size, layout)
        if changed:
            self._scroll_cursor_into_view()
        return changed

    # -- rendering ----------------------------------------------------------------------------------
    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        row = scroll_y + y
        width = self.size.width
        base = self.rich_style
        if row >= len(self._entries) or not self._widths:
            return Strip.blank(width, base)
        entry = self._entries[row]
        is_cursor = row == self.cursor_row
        widths = self._stretched(self.scrollable_content_region.width or width)
        key = (entry.id, entry.revision, entry.starred, entry.redacted_at, entry.at, row % 2, is_cursor,
               self.has_focus and is_cursor, width, widths[-1])
        strip = self._cache.get(key)
        if strip is None:
            strip = self._render_row(entry, row, is_cursor, base, width, widths)
            self._cache[key] = strip
        return strip.crop_extend(scroll_x, scroll_x + width, base).apply_offsets(scroll_x, row)

    def _stretched(self, width: int) -> list[int]:
        *fixed, last = self._widths
        return [*fixed, max(last, width - sum(fixed) - 2 * len(self._widths))]

    def _render_row(self, entry: Entry, row: int, is_cursor: bool, base: Style, width: int,
                    widths: list[int]) -> Strip:
        console = self.app.console
        segments: list[Segment] = []
        for cell, cell_width in zip(self._make_cells(entry), widths):
            text = cell.copy()
            text.truncate(cell_width, overflow="ellipsis", pad=True)
            rendered = text.render(console)  # spans only: the Text's own style is applied below
            segments.append(Segment(" "))
            segments.extend(Segment.apply_style(rendered, console.get_style(cell.style)) if cell.style else rendered)
            segments.append(Segment(" "))
        strip = Strip(segments).crop_extend(0, width, None)
        if is_cursor:
            strip = strip.apply_style(self.get_component_rich_style("timeline--cursor"))
        elif row % 2:
            strip = strip.apply_style(self.get_component_rich_style("timeline--zebra"))
        return strip.apply_style(base)

    def _on_focus(self, event: events.Focus) -> None:
        self.refresh()

    def _on_blur(self, event: events.Blur) -> None:
        self.refresh()
