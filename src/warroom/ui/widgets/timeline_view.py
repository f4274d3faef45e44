"""A virtual list of timeline entries: only the rows on screen are ever rendered.

A DataTable builds per-row state for every row (about 60 µs each), so an incident of 10,000
entries took over a second to open; this view keeps a plain list of entries and turns the few
visible ones into strips on demand (cached by entry revision), so opening and scrolling cost
the same at 10 entries or 100,000.

Where the entries cross midnight a separator line (``── Tue 24 Nov ──``) goes before the first
entry of the new day, so the time column stays ``HH:MM:SS`` wide; the separators are lines, not
rows: the cursor, ``row_count`` and ``entries`` count entries only. Columns are one space apart
(the text column takes all the rest of the width).
"""

from __future__ import annotations

from bisect import bisect_right
from datetime import date, datetime, timezone, tzinfo
from typing import Callable, Sequence

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.message import Message
from textual.strip import Strip

from warroom.domain.day_breaks import day_breaks
from warroom.domain.pod_columns import row_width
from warroom.domain.timeline import Entry
from warroom.ui import render
from warroom.ui.widgets.virtual_rows import VirtualRows


#: cells wide a row of these columns is: each shown column with one space before it (the pods
#: table's rule, written once in ``domain/pod_columns``)
tight_width = row_width

CellMaker = Callable[[Entry], Sequence[Text]]


class TimelineView(VirtualRows):
    COMPONENT_CLASSES = {"timeline--cursor", "timeline--zebra"}
    CURSOR, ZEBRA = "timeline--cursor", "timeline--zebra"
    DEFAULT_CSS = """
    TimelineView {
        height: 1fr;
        overflow-x: hidden;
        overflow-y: auto;
        scrollbar-size-vertical: 1;
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
        self._tz: tzinfo = timezone.utc
        self._start_day: date | None = None
        self._breaks: list[tuple[int, date]] = []
        self._break_rows: list[int] = []  # the entries a separator goes before
        self._break_lines: list[int] = []  # the lines the separators are drawn on

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

    def set_days(self, tz: tzinfo, start: datetime) -> None:
        """Days are read in ``tz``; entries on ``start``'s day need no separator before them."""
        start_day = start.astimezone(tz).date()
        if (tz, start_day) != (self._tz, self._start_day):
            self._tz, self._start_day = tz, start_day
            self._find_breaks()
            self._resize_virtual()
            self.refresh()

    @property
    def separators(self) -> list[tuple[int, date]]:
        """``(row, day)``: a separator naming ``day`` is drawn just above entry ``row``."""
        return list(self._breaks)

    def _find_breaks(self) -> None:
        start_day = self._start_day
        if start_day is None:
            self._breaks = []
        else:
            self._breaks = day_breaks(self._entries, _at, self._tz, start_day)
        self._break_rows = [row for row, _ in self._breaks]
        self._break_lines = [row + k for k, (row, _) in enumerate(self._breaks)]

    def set_entries(self, entries: list[Entry], *, cursor: int | None = None) -> None:
        """Replace the rows (already filtered and in timeline order)."""
        self._entries = entries
        self._find_breaks()
        self._resize_virtual()
        if cursor is not None:
            self.move_cursor(row=cursor)
        else:
            self.move_cursor(row=min(self.cursor_row, max(len(entries) - 1, 0)))
        self.refresh()

    def row_cells(self, row: int) -> Sequence[Text]:
        return self._make_cells(self._entries[row])

    @property
    def line_count(self) -> int:
        return len(self._entries) + len(self._breaks)

    def line_of(self, row: int) -> int:
        return row + bisect_right(self._break_rows, row)

    def row_on(self, line: int) -> int | None:
        k = bisect_right(self._break_lines, line)
        if k and self._break_lines[k - 1] == line:
            return None
        return line - k

    def render_gap(self, line: int, width: int) -> Strip:
        k = bisect_right(self._break_lines, line) - 1
        day = self._breaks[k][1]
        key = ("day", day, width, self._start_day)
        strip = self._cache.get(key)
        if strip is None:
            years = self._start_day is not None and day.year != self._start_day.year
            text = render.day_separator(day, width, with_year=years)
            strip = self._cache[key] = Strip(text.render(self.app.console), width).apply_style(self._base_style)
        return strip

    def _resize_virtual(self) -> None:
        self._set_virtual_size(tight_width(self._widths))

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
        key = (entry.id, entry.revision, entry.starred, entry.redacted_at, entry.at, entry.owner, entry.due,
               entry.done_at, width, widths[-1])
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
        return [*fixed, max(last, width - tight_width(self._widths) + last)]

    def cells_strip(self, cells: Sequence[Text], widths: Sequence[int], width: int, style: Style | None) -> Strip:
        """Cells cut (with an ellipsis: there is more) or padded to their column widths, one space
        before each; a column of width 0 is left out."""
        console = self.app.console
        segments: list[Segment] = []
        for cell, cell_width in zip(cells, widths):
            if not cell_width:
                continue
            text = cell.copy()
            text.truncate(cell_width, overflow="ellipsis", pad=True)
            rendered = text.render(console)
            segments.append(Segment(" "))
            segments.extend(Segment.apply_style(rendered, console.get_style(cell.style)) if cell.style else rendered)
        strip = Strip(segments).crop_extend(0, max(width, tight_width(widths)), None)
        return strip.apply_style(style) if style is not None else strip


def _at(entry: Entry) -> datetime:
    return entry.at
