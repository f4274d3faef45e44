"""The pod health pane: per context, the namespace and workload summary, pods unhealthy first,
and what changed (rollouts, Warning events). Type in the filter to narrow; ``p`` pins a pod."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import DataTable, Input, Static

from warroom.domain.pods import PodRow, human_duration
from warroom.ui import render

MAX_ROWS = 400  # a war room needs the unhealthy pods; the healthy thousands are one filter away


@dataclass(frozen=True)
class ContextView:
    """What one context shows (computed off the UI thread)."""

    context: str
    rows: tuple[PodRow, ...]
    workloads: tuple
    namespaces: tuple
    rollouts: tuple
    events: tuple
    errors: tuple[str, ...]
    synced: bool

    @property
    def unhealthy(self) -> int:
        return sum(ns.unhealthy for ns in self.namespaces)

    @property
    def unhealthy_rows(self) -> tuple[PodRow, ...]:
        """The unhealthy pods (``rows`` are sorted unhealthy first)."""
        return self.rows[: self.unhealthy]


class PinPod(Message):
    def __init__(self, context: str, row: PodRow) -> None:
        super().__init__()
        self.context = context
        self.row = row


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
        for label in ("NAMESPACE", "NAME", "READY", "STATUS", "RESTARTS", "AGE", "NODE"):
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
        total = sum(len(v.rows) for v in self.views.values())
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
        table = self.query_one(PodTable)
        wanted = self._filter
        rows: list[tuple[str, PodRow]] = []
        for context, view in sorted(self.views.items()):
            for r in view.rows:
                if wanted and not any(wanted in s.lower() for s in (r.name, r.namespace, r.status, r.node, context)):
                    continue
                rows.append((context, r))
        rows.sort(key=lambda cr: (cr[1].healthy, cr[1].namespace, cr[1].name, cr[0]))
        hidden = max(0, len(rows) - MAX_ROWS)
        rows = rows[:MAX_ROWS]
        selected = self._shown[table.cursor_row] if table.row_count and table.cursor_row < len(self._shown) else None
        table.clear()
        for context, r in rows:
            status_style = "" if r.healthy else "bold red"
            cells = [render.user(r.namespace), render.user(r.name, "" if r.healthy else "bold"),
                     Text(r.ready), Text(r.status, style=status_style),
                     Text(r.restarts_text_at(self._now), style="yellow" if r.restarts else ""), Text(r.age_text_at(self._now)),
                     render.user(r.node)]
            if self.multi:
                cells.insert(0, render.user(context))
            table.add_row(*cells, key=f"{context}/{r.namespace}/{r.name}")
        self._shown = rows
        if selected is not None:
            keys = [(c, r.namespace, r.name) for c, r in rows]
            target = (selected[0], selected[1].namespace, selected[1].name)
            if target in keys:
                table.move_cursor(row=keys.index(target))
        if hidden:
            table.add_row(*([Text("")] * (len(table.columns) - 1)),
                          Text(f"… {hidden} more healthy pods: type in the filter", style="dim"), key="__more__")

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
