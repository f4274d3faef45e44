"""The pod health pane: per context, the namespace and workload summary, pods unhealthy first,
and what changed (rollouts, Warning events). Type in the filter to narrow; ``p`` pins a pod.

The table is updated by key, never cleared and refilled on a snapshot: changed cells are updated,
the row of a pod that left is handed to one that came (only the surplus is removed or added), and
the order re-sorted only when it changed, so the cursor stays on the selected pod and the scroll
position holds while a watch storm goes on.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Mapping
from datetime import datetime, tzinfo
from itertools import islice, repeat
from typing import NamedTuple

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import DataTable, Input, Static

from warroom.domain.pods import ContextView, PodRow, human_duration
from warroom.domain.text import one_line
from warroom.ui import render
from warroom.ui.messages import PinPod

MAX_ROWS = 400  # a war room needs the unhealthy pods; the healthy thousands are one filter away
MORE_KEY = "__more__"
COLUMNS = ("NAMESPACE", "NAME", "READY", "STATUS", "RESTARTS", "AGE", "NODE")
#: Beyond this many stale rows the table is rebuilt: Textual's ``remove_row`` renumbers every row.
REBUILD_AFTER = 64


class Cell(NamedTuple):
    """One cell as text and style: compared with what is shown before any ``Text`` is built."""

    text: str
    style: str = ""
    #: cluster text: folded onto one line, never markup, cut with an ellipsis (``render.user``)
    literal: bool = False

    def render(self) -> Text:
        return render.user(self.text, self.style) if self.literal else Text(self.text, style=self.style)


Cells = tuple[Cell, ...]


def row_key(context: str, row: PodRow) -> str:
    return f"{context}/{row.namespace}/{row.name}"


def pod_cells(context: str | None, row: PodRow, now: datetime) -> Cells:
    """A pod's cells at ``now`` (AGE and "(5m ago)" are the only texts that change with time)."""
    cells = (
        Cell(one_line(row.namespace), "", True),
        Cell(one_line(row.name), "" if row.healthy else "bold", True),
        Cell(row.ready),
        Cell(row.status, "" if row.healthy else "bold red"),
        Cell(row.restarts_text_at(now), "yellow" if row.restarts else ""),
        Cell(row.age_text_at(now)),
        Cell(one_line(row.node), "", True),
    )
    return cells if context is None else (Cell(one_line(context), "", True), *cells)


def more_cells(columns: int, hidden: int) -> Cells:
    return (*([Cell("")] * (columns - 1)), Cell(f"… {hidden} more healthy pods: type in the filter", "dim"))


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


class PodTable(DataTable):
    BINDINGS = [Binding("p", "pin", "Pin pod"), Binding("escape", "back", "Type"),
                Binding("slash", "filter", "Filter")]

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
        #: what the table shows: cells by row key, and the keys in display order
        self._cells: dict[str, Cells] = {}
        self._order: list[str] = []
        #: the table's row key of each pod shown (rows are reused: see ``_update``)
        self._rows: dict[str, str] = {}
        self._next_row = 0

    def compose(self) -> ComposeResult:
        yield Static(id="pods-status")
        yield Static(id="pods-summary")
        yield Input(placeholder="filter pods: name, namespace, status, node", id="pods-filter")
        yield PodTable(id="pods-table", cursor_type="row", zebra_stripes=True)
        yield Static(id="pods-changes")

    def on_mount(self) -> None:
        self.border_title = "Pods"
        table = self.query_one(PodTable)
        if self.multi:
            table.add_column("CONTEXT", key="context")
        for label in COLUMNS:
            table.add_column(label, key=label.lower())
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

    def _render_status(self) -> None:
        out = Text(no_wrap=True, overflow="ellipsis")
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
        self.query_one("#pods-status", Static).update(out)

    def _render_summary(self) -> None:
        out = Text(no_wrap=True, overflow="ellipsis")
        unhealthy = sum(v.unhealthy for v in self.views.values())
        total = sum(ns.total for v in self.views.values() for ns in v.namespaces)
        out.append(f"{total} pods, ", style="bold")
        out.append(f"{unhealthy} unhealthy" if unhealthy else "all healthy",
                   style="bold white on red" if unhealthy else "bold green")
        for v in self.views.values():
            for ns in v.namespaces:
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
        self.query_one("#pods-summary", Static).update(out)
        self.border_title = "Pods" + (f" · {unhealthy} unhealthy" if unhealthy else "")
        self.set_class(bool(unhealthy), "-unhealthy")

    def _fill(self) -> None:
        """Bring the table to the wanted rows by key (see the module docstring)."""
        rows, hidden = shown_rows(self.views, self._filter, MAX_ROWS)
        now = self._now
        wanted: dict[str, Cells] = {}
        for context, r in rows:
            wanted[row_key(context, r)] = pod_cells(context if self.multi else None, r, now)
        if hidden:
            wanted[MORE_KEY] = more_cells(len(COLUMNS) + self.multi, hidden)
        table = self.query_one(PodTable)
        order = list(wanted)
        selected = self._order[table.cursor_row] if 0 <= table.cursor_row < len(self._order) else None
        with self.app.batch_update():
            stale = [k for k in self._cells if k not in wanted]
            new = [k for k in wanted if k not in self._cells]
            if len(stale) - len(new) > REBUILD_AFTER:
                current = self._rebuild(table, wanted)
            else:
                current = self._update(table, wanted, stale, new)
            if current != order:
                rank = {self._sort_id(cells): i for i, cells in enumerate(wanted.values())}
                table.sort(*self._id_columns, key=lambda ids: rank.get(tuple(c.plain for c in ids), len(rank)))
            self._order = order
            self._shown = rows
            if selected in wanted:
                index = table.get_row_index(self._rows[selected])
                if index != table.cursor_row:
                    table.move_cursor(row=index)

    @property
    def _id_columns(self) -> tuple[str, ...]:
        return ("context", "namespace", "name") if self.multi else ("namespace", "name")

    def _sort_id(self, cells: Cells) -> tuple[str, ...]:
        """A row's identity as its CONTEXT, NAMESPACE and NAME texts (what ``DataTable.sort`` hands over)."""
        return tuple(c.text for c in cells[: len(self._id_columns)])

    def _update(self, table: PodTable, wanted: dict[str, Cells], stale: list[str], new: list[str]) -> list[str]:
        """Update the changed cells; a pod that left hands its table row to one that came (its
        cells rewritten), and only the surplus is removed or added. A storm that replaces most of
        the 400 rows then adds none: Textual measures every cell of an added row (~0.3 ms a row),
        an updated cell only when it outgrows its column. The keys in the table's order afterwards."""
        columns = [c.key for c in table.ordered_columns]
        handed = dict(zip(stale, new))
        for key in stale[len(new):]:
            table.remove_row(self._rows.pop(key))
            del self._cells[key]
        order: list[str] = []  # kept and handed-over rows keep their places; added ones go last
        for key in self._order:
            if key in handed:
                old, token = self._cells.pop(key), self._rows.pop(key)
                key = handed[key]
                self._rows[key] = token
            elif key in wanted:
                old, token = self._cells[key], self._rows[key]
            else:
                continue
            cells = wanted[key]
            if old != cells:
                self._set_cells(table, token, columns, old, cells)
            self._cells[key] = cells
            order.append(key)
        for key in new[len(stale):]:
            cells = wanted[key]
            self._rows[key] = self._add(table, cells)
            self._cells[key] = cells
            order.append(key)
        return order

    @staticmethod
    def _set_cells(table: PodTable, token: str, columns: list, old: Cells, cells: Cells) -> None:
        for column, before, after in zip(columns, old, cells):
            if before != after:
                text = after.render()
                # widths only grow (as a refill would); measuring at once only when a text outgrows its column
                grows = text.cell_len > table.columns[column].content_width
                table.update_cell(token, column, text, update_width=grows)

    def _add(self, table: PodTable, cells: Cells) -> str:
        """Add a row; its table key is a token of its own (rows are handed from pod to pod)."""
        self._next_row += 1
        token = str(self._next_row)
        table.add_row(*(c.render() for c in cells), key=token)
        return token

    def _rebuild(self, table: PodTable, wanted: dict[str, Cells]) -> list[str]:
        """Most rows left: one clear and refill is cheaper than removing them one by one
        (``remove_row`` renumbers every row); the cursor is put back on the selected pod after."""
        table.clear()
        self._rows = {key: self._add(table, cells) for key, cells in wanted.items()}
        self._cells = dict(wanted)
        return list(wanted)

    def _render_changes(self, now: datetime, local: tzinfo) -> None:
        out = Text(no_wrap=True, overflow="ellipsis")
        rollouts = [(c, r) for c, v in sorted(self.views.items()) for r in v.rollouts]
        events = [(c, e) for c, v in sorted(self.views.items()) for e in v.events]
        out.append("What changed", style="bold")
        if not rollouts and not events:
            out.append(": no rollouts or Warning events recently", style="dim")
        for context, r in rollouts[:5]:
            out.append("\n ↻ ", style="cyan")
            out.append_text(render.user(f"{r.namespace}/{r.deployment}", "bold"))
            out.append(f" rev {r.revision} {r.at.astimezone(local):%H:%M} ({human_duration(r.age)} ago) ", style="dim")
            out.append_text(render.user(r.images_text))
        for context, e in events[:6]:
            out.append("\n ⚠ ", style="yellow")
            out.append_text(render.user(e.reason, "bold"))
            out.append(" ")
            out.append_text(render.user(f"{e.namespace}/{e.object}", ""))
            out.append(f" ×{e.count} {human_duration(e.age)} ago ", style="dim")
            out.append_text(render.user(e.message, "italic"))
        self.query_one("#pods-changes", Static).update(out)
