"""The pod health pane: per context, the namespace and workload summary, pods unhealthy first,
and what changed (rollouts, Warning events). Type in the filter to narrow; ``p`` pins a pod.

The table is virtual (``VirtualRows``): a snapshot hands it the rows' keys in order, and only the
rows on screen are turned into cells and strips, so a watch storm over thousands of pods costs a
redraw of the visible lines. The cursor follows the selected pod by key, so it stays on it while
the rows move around it.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime, tzinfo
from itertools import islice, repeat
from typing import NamedTuple

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.geometry import Region
from textual.strip import Strip
from textual.widgets import Input, Static

from warroom.domain.pod_columns import GAP, fit_widths, middle_cut, row_width
from warroom.domain.pod_status import PodRow
from warroom.domain.times import format_kube_duration
from warroom.domain.pod_view import ContextView
from warroom.domain.text import one_line
from warroom.ui import render
from warroom.ui.messages import PinPod
from warroom.ui.widgets.line_input import LineInput
from warroom.ui.widgets.virtual_rows import VirtualRows

MAX_ROWS = 1000  # a war room needs the unhealthy pods; the healthy thousands are one filter away
MORE_KEY = "__more__"
COLUMNS = ("NAMESPACE", "NAME", "READY", "STATUS", "RESTARTS", "AGE", "NODE")
SUMMARY_NAMESPACES = 3  # lines of namespaces in the summary (its pane is 4 lines at most)
MAX_COLUMN = 64  # a column never grows wider: a longer name is cut with an ellipsis


class Cell(NamedTuple):
    """One cell as text and style: hashable, so a rendered row is cached by its cells. The text
    is on one line and safe to show (cluster text goes through ``one_line``): a cell is painted
    as one segment, with no markup parsed and no escape sequence left."""

    text: str
    style: str = ""
    #: cluster text (folded onto one line by ``pod_cells``)
    literal: bool = False

    def render(self) -> Text:
        return render.user(self.text, self.style) if self.literal else Text(self.text, style=self.style)


def fit(text: str, width: int) -> str:
    """``text`` padded to ``width`` cells, or cut with an ellipsis (as a table cell is)."""
    length = cell_len(text)
    if length <= width:
        return text + " " * (width - length)
    return set_cell_size(text, width - 1) + "…" if width > 0 else ""


Cells = tuple[Cell, ...]


def row_key(context: str, row: PodRow) -> str:
    return f"{context}/{row.namespace}/{row.name}"


def pod_cells(context: str | None, row: PodRow, now: datetime) -> Cells:
    """A pod's cells at ``now`` (AGE and "(5m ago)" are the only texts that change with time)."""
    cells = (
        Cell(one_line(row.namespace), "", True),
        Cell(one_line(row.name), "" if row.healthy else "bold", True),
        Cell(row.ready),
        Cell(one_line(row.status), "" if row.healthy else "bold red"),  # a reason is cluster text too
        Cell(row.restarts_text_at(now), "yellow" if row.restarts else ""),
        Cell(row.age_text_at(now)),
        Cell(one_line(row.node), "", True),
    )
    return cells if context is None else (Cell(one_line(context), "", True), *cells)


def more_cells(hidden: int) -> Cells:
    """The last row when pods are left out: one cell across the table (see ``PodTable``)."""
    return (Cell(f"… {hidden} more healthy pods: type in the filter", "dim"),)


def _matches(wanted: str, context: str, r: PodRow) -> bool:
    return any(wanted in s.lower() for s in (r.name, r.namespace, r.status, r.node, context))


def shown_rows(views: Mapping[str, ContextView], wanted: str, limit: int) -> tuple[list[tuple[str, PodRow]], int]:
    """The first ``limit`` pods of every context matching ``wanted``, unhealthy first, and how many
    more there are. Each view's rows are already sorted, so they are merged, not sorted again."""
    streams: list[Iterable[tuple[str, PodRow]]] = []
    total = 0
    for context, view in sorted(views.items()):
        rows = tuple(r for r in view.rows if _matches(wanted, context, r)) if wanted else view.rows
        total += len(rows)
        streams.append(zip(repeat(context), rows))
    merged = heapq.merge(*streams, key=lambda cr: (cr[1].healthy, cr[1].namespace, cr[1].name, cr[0]))
    shown = list(islice(merged, limit))
    return shown, total - len(shown)


class PodTable(VirtualRows):
    """The pods, a header row over them. ``show`` hands over the rows' keys and a function giving
    a row's cells; only the rows on screen are asked for theirs. Column widths fit what has been
    shown and only grow, so columns do not jump as the rows change under a storm; where the pane
    is too narrow for them, :func:`~warroom.domain.pod_columns.fit_widths` decides what gives way
    (NAME, cut in the middle, then the optional columns: never READY, STATUS or RESTARTS)."""

    HEADER = 1
    CACHE_SIZE = 512
    COMPONENT_CLASSES = {"pods--header", "pods--cursor", "pods--zebra"}
    CURSOR, ZEBRA = "pods--cursor", "pods--zebra"
    DEFAULT_CSS = """
    PodTable {
        background: $surface;
        overflow-x: auto;
        overflow-y: auto;
        scrollbar-size-vertical: 1;  /* a column more for the pods */
    }
    PodTable:focus {
        background-tint: $foreground 5%;
    }
    PodTable > .pods--header {
        text-style: bold;
        background: $panel;
        color: $foreground;
    }
    PodTable > .pods--cursor {
        background: $block-cursor-blurred-background;
        color: $block-cursor-blurred-foreground;
        text-style: $block-cursor-blurred-text-style;
    }
    PodTable:focus > .pods--cursor {
        background: $block-cursor-background;
        color: $block-cursor-foreground;
        text-style: $block-cursor-text-style;
    }
    PodTable > .pods--zebra {
        background: $surface-lighten-1 50%;
    }
    PodTable:dark > .pods--zebra {
        background: $surface-darken-1 40%;
    }
    """
    BINDINGS = [Binding("p", "pin", "Pin pod"), Binding("escape", "back", "Type"),
                Binding("slash", "filter", "Filter")]

    def __init__(self, labels: Sequence[str], **kw) -> None:
        super().__init__(**kw)
        self._labels = tuple(labels)
        self._keys: list[str] = []
        self._index: dict[str, int] = {}
        self._cells_of: Callable[[int], Cells] = lambda row: ()
        self._widths = [len(label) for label in labels]  # natural: what cuts nothing
        self._fitted = list(self._widths)  # what the pane's width allows (0: left out)
        self._name = self._labels.index("NAME") if "NAME" in self._labels else -1
        self._frame: dict[int, Cells] = {}  # the visible rows' cells, for one paint

    @property
    def row_count(self) -> int:
        return len(self._keys)

    @property
    def selected_key(self) -> str | None:
        return self._keys[self.cursor_row] if 0 <= self.cursor_row < len(self._keys) else None

    def show(self, keys: list[str], cells_of: Callable[[int], Cells]) -> None:
        """The rows, in order, by key; the cursor stays on the row it was on if that is still here."""
        selected = self.selected_key
        self._keys, self._cells_of = keys, cells_of
        self._index = {key: i for i, key in enumerate(keys)}
        self._set_virtual_size(self._total_width())
        self.move_cursor(row=self._index.get(selected, self.cursor_row))
        self.refresh()

    def get_row_at(self, row: int) -> list[Text]:
        """A row's cells, one per column (a note across the table is in the last one)."""
        cells = self._cells_of(row)
        return [Text("")] * (len(self._labels) - len(cells)) + [cell.render() for cell in cells]

    @property
    def column_widths(self) -> dict[str, int]:
        """The shown columns and their widths in the last paint (a column left out is not here)."""
        return {label: w for label, w in zip(self._labels, self._fitted) if w}

    def _total_width(self) -> int:
        return row_width(self._fitted)

    def _fit(self) -> bool:
        """Fit the columns to the pane's width; True when that changed them."""
        room = self.scrollable_content_region.width or self.size.width
        fitted = fit_widths(self._labels, self._widths, room) if room else list(self._widths)
        if fitted == self._fitted:
            return False
        self._fitted = fitted
        return True

    # -- rendering ---------------------------------------------------------------------------------
    def render_lines(self, crop: Region) -> list[Strip]:
        """Measure the rows about to be painted first: a column that must grow grows for all of them."""
        top = self.scroll_offset.y
        self._frame = {row: self._cells_of(row) for row in range(top, min(self.row_count, top + self._page_height))}
        grew = False
        for cells in self._frame.values():
            if len(cells) == 1:
                continue  # a note across the table: no column's width
            for column, cell in enumerate(cells):
                width = min(cell_len(cell.text), MAX_COLUMN)
                if width > self._widths[column]:
                    self._widths[column] = width
                    grew = True
        if self._fit() or grew:
            self._cache.clear()
            self._set_virtual_size(self._total_width())
        return super().render_lines(crop)

    def render_header(self, y: int, width: int) -> Strip:
        key = ("header", tuple(self._fitted), width)
        strip = self._cache.get(key)
        if strip is None:
            style = self._base_style + self.get_component_rich_style("pods--header")
            strip = self._cache[key] = self._row_strip([Cell(label) for label in self._labels], width, style)
        return strip

    def render_row(self, row: int, width: int) -> Strip:
        cells = self._frame.get(row) or self._cells_of(row)
        look = self.row_look(row)
        key = (cells, tuple(self._fitted), width, look)
        strip = self._cache.get(key)
        if strip is None:
            strip = self._cache[key] = self._row_strip(cells, width, self.look_style(look))
        return strip

    def _row_strip(self, cells: Sequence[Cell], width: int, style) -> Strip:
        """One segment a cell, in its final style (the widget's, the cursor's or the stripe's,
        the cell's own): a storm re-renders every visible row, and Rich's ``Text`` plus a strip
        for each style laid over took ~1 ms a row where this takes a tenth of that.
        NAME is cut in the middle (pods of a workload differ at the end), the others at the end."""
        get_style = self.app.console.get_style
        gap = " " * GAP
        if len(cells) == 1 < len(self._labels):  # a note across the table
            text = cells[0].text
            return Strip([Segment(gap + fit(text, max(width - GAP, 1)), style + get_style(cells[0].style))], width)
        segments = [Segment(gap + fit(middle_cut(cell.text, w) if i == self._name else cell.text, w),
                            style + get_style(cell.style) if cell.style else style)
                    for i, (cell, w) in enumerate(zip(cells, self._fitted)) if w]
        used = self._total_width()
        if used < width:
            segments.append(Segment(" " * (width - used), style))
        return Strip(segments, max(width, used))

    # -- keys --------------------------------------------------------------------------------------
    def action_pin(self) -> None:
        pane = self.screen.query_one(PodsPane)
        found = pane.row_at(self.cursor_row)
        if found is not None:
            self.post_message(PinPod(*found))

    def action_back(self) -> None:
        self.screen.query_one("#scribe-input").focus()

    def action_filter(self) -> None:
        self.screen.query_one("#pods-filter").focus()


class PodsPane(Vertical):
    def __init__(self, label: str, multi_context: bool, **kw) -> None:
        super().__init__(**kw)
        self._label = label
        self.multi = multi_context
        self.views: dict[str, ContextView] = {}
        self._shown: list[tuple[str, PodRow]] = []
        self._filter = ""
        self._now: datetime | None = None
        self._hidden = 0
        self._lines: dict[str, int] = {}  # each text pane's line count: a layout pass only when it changes
        self._texts: dict[str, Text] = {}  # and what it shows
        self.failure = ""  # the pods feed's failure, until it recovers

    def compose(self) -> ComposeResult:
        yield Static(id="pods-status")
        yield Static(id="pods-summary")
        yield LineInput(placeholder="filter pods: name, namespace, status, node", id="pods-filter")
        yield PodTable((("CONTEXT",) if self.multi else ()) + COLUMNS, id="pods-table")
        yield Static(id="pods-changes")

    def on_mount(self) -> None:
        self.border_title = "Pods"
        self.query_one("#pods-status", Static).update(Text(f"{self._label} · connecting…", style="dim"))

    def row_at(self, index: int) -> tuple[str, PodRow] | None:
        return self._shown[index] if 0 <= index < len(self._shown) else None

    @on(Input.Changed, "#pods-filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self._filter = event.value.strip().lower()
        self._fill()

    @on(Input.Submitted, "#pods-filter")
    def _filter_done(self, event: Input.Submitted) -> None:
        self.query_one(PodTable).focus()

    def show(self, view: ContextView, now: datetime, local: tzinfo) -> None:
        self.views[view.context] = view
        self._now = now
        self._render_status()
        self._render_summary()
        self._fill()
        self._render_changes(now, local)

    def show_failure(self, message: str) -> None:
        """The pods feed failed (a bug, not the cluster): said on the status line until it recovers."""
        self.failure = message
        self._render_status()

    def _render_status(self) -> None:
        out = Text(no_wrap=True, overflow="ellipsis")
        if self.failure:
            out.append(" FEED ERROR ", style="bold white on red")
            out.append(" ")
            out.append_text(render.user(self.failure, "italic"))
            out.append(" · ")
        for i, (context, view) in enumerate(sorted(self.views.items())):
            if i:
                out.append(" · ")
            out.append("context ", style="dim")
            out.append_text(render.user(context or "current", "bold"))
            if view.errors:
                out.append(" ")
                out.append(" ERROR ", style="bold white on red")
                out.append(" ")
                out.append_text(render.user("; ".join(view.errors), "italic"))
            elif not view.synced:
                out.append(" listing…", style="dim")
        self.query_one("#pods-status", Static).update(out, layout=False)  # one line, always

    def _render_summary(self) -> None:
        out = Text(no_wrap=True, overflow="ellipsis")
        unhealthy = sum(v.unhealthy for v in self.views.values())
        total = sum(ns.total for v in self.views.values() for ns in v.namespaces)
        out.append(f"{total} pods, ", style="bold")
        out.append(f"{unhealthy} unhealthy" if unhealthy else "all healthy",
                   style="bold white on red" if unhealthy else "bold green")
        # the namespaces that fit (the pane shows a few lines), unhealthy first: twenty lines built
        # and wrapped for three seen cost a storm's redraw ~10 ms
        spaces = sorted(((-ns.unhealthy, i, v, ns) for i, v in enumerate(self.views.values()) for ns in v.namespaces),
                        key=lambda t: t[:2])
        shown, rest = spaces[:SUMMARY_NAMESPACES], spaces[SUMMARY_NAMESPACES:]
        if rest:
            bad = sum(1 for *_, ns in rest if ns.unhealthy)
            out.append(f"  +{len(rest)} more namespaces" + (f", {bad} with unhealthy pods" if bad else ", healthy"),
                       style="red" if bad else "dim")
        for _, _, v, ns in shown:
            out.append("\n")
            out.append_text(render.user(ns.namespace, "bold"))
            out.append(" ")
            out.append(f"{ns.total - ns.unhealthy}/{ns.total} healthy", style="red" if ns.unhealthy else "green")
            bad = [w for w in v.workloads if w.namespace == ns.namespace and not w.healthy]
            for w in bad[:4]:
                out.append("  ")
                out.append_text(render.user(f"{w.name} {w.ready}/{w.desired if w.desired is not None else '?'}",
                                            "bold red"))
            if len(bad) > 4:
                out.append(f"  +{len(bad) - 4} more", style="dim")
        self._update_text("#pods-summary", out)
        self.border_title = "Pods" + (f" · {unhealthy} unhealthy" if unhealthy else "")
        self.set_class(bool(unhealthy), "-unhealthy")

    def _fill(self) -> None:
        """Hand the table the wanted rows by key; it asks for the cells of those on screen only."""
        self._shown, self._hidden = shown_rows(self.views, self._filter, MAX_ROWS)
        keys = [row_key(context, r) for context, r in self._shown]
        if self._hidden:
            keys.append(MORE_KEY)
        self.query_one(PodTable).show(keys, self._cells_at)

    def _cells_at(self, index: int) -> Cells:
        if index < len(self._shown):
            context, row = self._shown[index]
            return pod_cells(context if self.multi else None, row, self._now)
        return more_cells(self._hidden)

    def _update_text(self, selector: str, text: Text) -> None:
        """Update a text pane; a layout pass (the whole screen measured again) only when its
        number of lines changed — during a storm the summary's counts change, its shape seldom."""
        if self._texts.get(selector) == text:
            return  # the same (the rollouts and events, mostly, while pods churn): no repaint
        self._texts[selector] = text
        lines = text.plain.count("\n") + 1
        self.query_one(selector, Static).update(text, layout=self._lines.get(selector) != lines)
        self._lines[selector] = lines

    def _render_changes(self, now: datetime, local: tzinfo) -> None:
        """The rollouts, then the Warning events, a line each; the first on the heading's line, so
        that a short pane (its pods come first) still shows the latest change."""
        out = Text(no_wrap=True, overflow="ellipsis")
        rollouts = [(c, r) for c, v in sorted(self.views.items()) for r in v.rollouts]
        events = [(c, e) for c, v in sorted(self.views.items()) for e in v.events]
        out.append("What changed", style="bold")
        if not rollouts and not events:
            out.append(": no rollouts or Warning events recently", style="dim")
        for i, (context, r) in enumerate(rollouts[:5]):
            out.append("\n ↻ " if i else "  ↻ ", style="cyan")
            out.append_text(render.user(f"{r.namespace}/{r.deployment}", "bold"))
            out.append(f" rev {r.revision} {r.at.astimezone(local):%H:%M} ({format_kube_duration(r.age)} ago) ", style="dim")
            out.append_text(render.user(r.images_text))
        for i, (context, e) in enumerate(events[:6]):
            out.append("\n ⚠ " if i or rollouts else "  ⚠ ", style="yellow")
            out.append_text(render.user(e.reason, "bold"))
            out.append(" ")
            out.append_text(render.user(f"{e.namespace}/{e.object}", ""))
            out.append(f" ×{e.count} {format_kube_duration(e.age)} ago ", style="dim")
            out.append_text(render.user(e.message, "italic"))
        self._update_text("#pods-changes", out)
