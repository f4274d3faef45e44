"""A virtual list of timeline entries: only the rows on screen are ever rendered.

A DataTable builds per-row state for every row (about 60 µs each), so an incident of 10,000
entries took over a second to open; this view keeps a plain list of entries and turns the few
visible ones into strips on demand (cached by entry revision), so opening and scrolling cost
the same at 10 entries or 100,000.
"""

from __future__ import annotations

from typing import Callable, Sequence

from rich.text import Text
from textual.message import Message
from textual.strip import Strip

from warroom.domain.timeline import Entry
from warroom.ui.widgets.virtual_rows import VirtualRows, row_width

CellMaker = Callable[[Entry], Sequence[Text]]


class TimelineView(VirtualRows):
    COMPONENT_CLASSES = {"timeline--cursor", "timeline--zebra"}
    CURSOR, ZEBRA = "timeline--cursor", "timeline--zebra"
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

    class Highlighted(Message):
        def __init__(self, entry: Entry | None) -> None:
            super().__init__()
            self.entry = entry

    def __init__(self, cells: CellMaker, **kw) -> None:
        super().__init__(**kw)
        self._make_cells = cells
        self._entries: list[Entry] = []
        self._widths: list[int] = []

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
        self._set_virtual_size(row_width(self._widths))

    def invalidate(self) -> None:
        """Cells depend on view options (time zone …): drop what was rendered."""
        self._cache.clear()
        self.refresh()

    def _cursor_moved(self, row: int | None) -> None:
        self.post_message(self.Highlighted(None if row is None else self._entries[row]))

    # -- rendering ----------------------------------------------------------------------------------
    def render_row(self, row: int, width: int) -> Strip:
        if not self._widths:
            return Strip.blank(width, self._base_style)
        entry = self._entries[row]
        widths = self._stretched(self.scrollable_content_region.width or width)
        # cached by what the entry shows, not by where: an entry appended moves every row down one,
        # and keyed by its place each visible row was rendered again; then with its look laid over
        # (an appended entry turns every stripe over, so both are kept)
        key = (entry.id, entry.revision, entry.starred, entry.redacted_at, entry.at, width, widths[-1])
        look = self.row_look(row)
        strip = self._cache.get((key, look))
        if strip is None:
            plain = self._cache.get(key)
            if plain is None:
                plain = self._cache[key] = self.cells_strip(self._make_cells(entry), widths, width, None)
            strip = self._cache[key, look] = plain.apply_style(self.look_style(look))
        return strip

    def _stretched(self, width: int) -> list[int]:
        *fixed, last = self._widths
        return [*fixed, max(last, width - row_width(self._widths) + last)]
