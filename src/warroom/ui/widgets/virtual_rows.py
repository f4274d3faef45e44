"""Rows of which only those on screen are ever rendered: the base of the timeline and pods tables.

A DataTable keeps per-row state for every row and measures every cell it is handed (~60 µs a
row), and an update of a cell repaints through a layout pass: 10,000 entries took over a second to
open, and a watch storm over 400 pod rows held the event loop for 100-460 ms a redraw. Here a
subclass holds plain rows, says how many there are and turns one into a ``Strip`` on demand (and
caches it); opening, scrolling and updating cost the same at 10 rows or 100,000.
"""

from __future__ import annotations

from typing import Sequence

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.cache import LRUCache
from textual.geometry import Region, Size
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip


class VirtualRows(ScrollView, can_focus=True):
    """A cursor over ``row_count`` rows below ``HEADER`` fixed lines, with the keys, the mouse and
    scrolling of a table. Subclasses implement ``row_count``, ``render_row`` (and ``render_header``)."""

    HEADER = 0  # lines fixed at the top (a header row), not scrolled away
    BINDINGS = [
        Binding("up", "cursor(-1)", "Up", show=False),
        Binding("down", "cursor(1)", "Down", show=False),
        Binding("pageup", "page(-1)", "Page up", show=False),
        Binding("pagedown", "page(1)", "Page down", show=False),
        Binding("home", "jump(0)", "First", show=False),
        Binding("end", "jump(-1)", "Last", show=False),
    ]

    cursor_row: reactive[int] = reactive(0, always_update=True, repaint=False)
    CACHE_SIZE = 1024  # rendered rows kept (a few screens' worth)

    def __init__(self, **kw) -> None:
        super().__init__(**kw)
        #: rendered rows by whatever decides their look: subclasses key them
        self._cache: LRUCache[tuple, Strip] = LRUCache(self.CACHE_SIZE)
        self._look_styles: dict[str, Style] = {}

    def notify_style_update(self) -> None:
        """The theme or the CSS changed (ctrl+t): rows rendered in the old colours must go."""
        super().notify_style_update()
        self._cache.clear()

    @property
    def row_count(self) -> int:
        raise NotImplementedError

    def render_row(self, row: int, width: int) -> Strip:
        """Row ``row`` as a strip of ``width`` cells (at least), before horizontal scrolling."""
        raise NotImplementedError

    def render_header(self, y: int, width: int) -> Strip:
        return Strip.blank(width, self._base_style)

    def _cursor_moved(self, row: int | None) -> None:
        """The cursor is on ``row`` now (None: there are no rows)."""

    # -- lines that are not rows (the timeline's day separators); by default there are none ----------
    @property
    def line_count(self) -> int:
        """Lines below the header: the rows and any lines between them."""
        return self.row_count

    def line_of(self, row: int) -> int:
        """The line row ``row`` is drawn on."""
        return row

    def row_on(self, line: int) -> int | None:
        """The row drawn on ``line`` (None: a line between rows)."""
        return line

    def render_gap(self, line: int, width: int) -> Strip:
        """A line between rows (see ``row_on``)."""
        return Strip.blank(width, self._base_style)

    # -- cursor ------------------------------------------------------------------------------------
    def move_cursor(self, *, row: int) -> None:
        self.cursor_row = max(0, min(row, self.row_count - 1)) if self.row_count else 0

    def watch_cursor_row(self, old: int, new: int) -> None:
        self._scroll_cursor_into_view()
        self.refresh()
        self._cursor_moved(new if self.row_count else None)

    @property
    def _page_height(self) -> int:
        return max(1, (self.scrollable_content_region.height or self.size.height or 1) - self.HEADER)

    def _scroll_cursor_into_view(self) -> None:
        height = self._page_height
        top = self.scroll_offset.y
        line = self.line_of(self.cursor_row) if self.row_count else 0
        # a line just above the cursor's row that is not a row (a day's separator) belongs with it
        first = line - 1 if line and self.row_on(line - 1) is None else line
        if first < top:
            self.scroll_to(y=first, animate=False, immediate=True)
        elif line >= top + height:
            self.scroll_to(y=line - height + 1, animate=False, immediate=True)

    def action_cursor(self, delta: int) -> None:
        self.move_cursor(row=self.cursor_row + delta)

    def action_page(self, direction: int) -> None:
        self.move_cursor(row=self.cursor_row + direction * max(1, self._page_height - 1))

    def action_jump(self, row: int) -> None:
        self.move_cursor(row=row if row >= 0 else self.row_count - 1)

    def on_click(self, event: events.Click) -> None:
        if event.y >= self.HEADER:
            row = self.row_on(self.scroll_offset.y + event.y - self.HEADER)
            if row is not None:
                self.move_cursor(row=row)

    def on_resize(self, event: events.Resize) -> None:
        self._scroll_cursor_into_view()

    def _size_updated(self, size: Size, virtual_size: Size, container_size: Size, layout: bool = True) -> bool:
        """Textual's layout pass sets the size here, just before painting: bring the cursor into
        view now, so that the first frame shows it (it was scrolled to with no height known yet)
        instead of being repainted once the Resize event arrives.
        A private Textual hook (ScrollView._size_updated): fine while Textual is pinned."""
        changed = super()._size_updated(size, virtual_size, container_size, layout)
        if changed:
            self._scroll_cursor_into_view()
        return changed

    def _set_virtual_size(self, width: int) -> None:
        """Set the scrollable size without a layout pass of the whole screen: ``virtual_size`` is a
        layout reactive, and with rows coming and going in a watch storm those passes held the
        event loop for 50-150 ms each. The widget's own size never depends on it (its height is
        set in CSS), so the scrollbars are updated in place; one that appears or goes still lays
        the screen out again (``show_vertical_scrollbar`` is a layout reactive itself).
        Private Textual API (``_scroll_update``): fine while Textual is pinned."""
        size = Size(width, self.line_count + self.HEADER)
        if size == self.virtual_size:
            return
        if not self.is_mounted or not self.container_size:
            self.virtual_size = size  # before the first layout: the usual way
            return
        self.set_reactive(VirtualRows.virtual_size, size)
        self._scroll_update(size)
        self.refresh()

    def _on_focus(self, event: events.Focus) -> None:
        self.refresh()

    def _on_blur(self, event: events.Blur) -> None:
        self.refresh()

    # -- rendering ---------------------------------------------------------------------------------
    _base_style = Style()

    def read_styles(self) -> None:
        """The widget's style, once a paint: ``rich_style`` walks the ancestors (~0.15 ms a call),
        and so does a component's style (the cursor's, the stripe's; read when first needed)."""
        self._base_style = self.rich_style
        self._look_styles = {}

    def render_lines(self, crop: Region) -> list[Strip]:
        self.read_styles()
        return super().render_lines(crop)

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        width = self.size.width
        base = self._base_style
        if y < self.HEADER:
            return self.render_header(y, width).crop_extend(scroll_x, scroll_x + width, base)
        line = scroll_y + y - self.HEADER
        if line >= self.line_count:
            return Strip.blank(width, base)
        row = self.row_on(line)
        if row is None:
            return self.render_gap(line, width).crop_extend(scroll_x, scroll_x + width, base)
        return self.render_row(row, width).crop_extend(scroll_x, scroll_x + width, base).apply_offsets(scroll_x, row)

    CURSOR = ZEBRA = ""  # the component classes of the cursor row and of every other row

    def row_look(self, row: int) -> str:
        """What is laid over row ``row``: the cursor (focused or not), the stripe, or nothing; part
        of the key rendered rows are cached by."""
        if row == self.cursor_row:
            return "cursor-focus" if self.has_focus else "cursor"
        return "zebra" if row % 2 else ""

    def look_style(self, look: str) -> Style:
        """The widget's style with the cursor's or the stripe's over it."""
        if not look:
            return self._base_style
        style = self._look_styles.get(look)
        if style is None:
            component = self.get_component_rich_style(self.CURSOR if look.startswith("cursor") else self.ZEBRA)
            style = self._look_styles[look] = self._base_style + component
        return style

    def cells_strip(self, cells: Sequence[Text], widths: Sequence[int], width: int, style: Style | None) -> Strip:
        """Cells cut or padded to their column widths, a space either side, then ``style`` over the
        whole row; a column of width 0 is left out (hidden where the screen is too narrow)."""
        console = self.app.console
        segments: list[Segment] = []
        for cell, cell_width in zip(cells, widths):
            if not cell_width:
                continue
            text = cell.copy()
            text.truncate(cell_width, overflow="ellipsis", pad=True)
            rendered = text.render(console)  # spans only: the Text's own style is applied below
            segments.append(Segment(" "))
            segments.extend(Segment.apply_style(rendered, console.get_style(cell.style)) if cell.style else rendered)
            segments.append(Segment(" "))
        strip = Strip(segments).crop_extend(0, max(width, row_width(widths)), None)
        return strip.apply_style(style) if style is not None else strip


def row_width(widths: Sequence[int]) -> int:
    """Cells wide a row of these columns is: each shown column with a space either side."""
    return sum(widths) + 2 * sum(1 for w in widths if w)
