"""What a source's answer becomes — the view, the automatic entries, the recorded state — once for
the screen's own feeds (``ui/feeds``) and the headless watcher (``warroom watch``), so a drill, a
standalone screen and a watcher fed team cannot diverge. No Textual, no I/O: the callers poll,
write and draw.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Iterable

from warroom.domain import metrics_view as mv
from warroom.domain import recording as rec

if TYPE_CHECKING:
    from warroom.domain.panels import Panel
    from warroom.domain.pod_view import ContextView
    from warroom.domain.sla import SlaReport

#: the longest wait between two polls of an unreachable metrics source
MAX_BACKOFF = 120.0

Events = list[tuple[str, str]]  # (key, text): automatic entries, each written once per incident


@dataclass
class MetricsTrack:
    """The metrics pane's state across polls: the view, the next poll's delay (an unreachable
    source backs off to two minutes), and the verdicts an incident has heard of."""

    panels: tuple[Panel, ...]
    refresh: float
    view: mv.MetricsView = field(init=False)
    verdicts: mv.VerdictMemory = field(default_factory=mv.VerdictMemory)
    delay: float = field(init=False)

    def __post_init__(self) -> None:
        self.view = mv.initial(self.panels)
        self.delay = self.refresh

    def after(self, poll: mv.Poll) -> mv.MetricsView:
        """The view after ``poll`` (not kept yet: ``keep`` once shown); the delay adjusts."""
        if poll.source_error:
            self.delay = min(max(self.delay * 2, self.refresh), MAX_BACKOFF)
        else:
            self.delay = self.refresh
        return mv.apply_poll(self.view, poll)

    def keep(self, view: mv.MetricsView) -> rec.State:
        """``view`` is the pane's now; its recorded state."""
        self.view = view
        return rec.metrics_state(view)

    def entries(self, now: datetime) -> Events:
        """Verdict changes since last asked (CRIT, back to OK), when the source answered."""
        self.verdicts, events = metric_entries(self.verdicts, self.view, now)
        return events

    def forget_verdicts(self) -> None:
        """A newly opened incident hears about the current state."""
        self.verdicts = mv.VerdictMemory()


def metric_entries(verdicts: mv.VerdictMemory, view: mv.MetricsView,
                   now: datetime) -> tuple[mv.VerdictMemory, Events]:
    """The verdict changes an incident has not heard of (``verdicts``: what it heard), when the
    source answered; a watcher keeps one memory per incident it feeds."""
    if not view.panels or view.source_error:
        return verdicts, []
    verdicts, events = mv.verdict_events(verdicts, view, now)
    return verdicts, [(e.key, e.text) for e in events]


def context_view(snapshot: Any, previous: Any, now: datetime, rollout_hours: float) -> tuple[Any, ContextView]:
    """A watcher's snapshot as (the view to start the next from, the pane's ``ContextView``)."""
    from warroom.domain.pod_view import ContextView

    v = snapshot.view(now, rollouts_within=timedelta(hours=rollout_hours), previous=previous)
    return v, ContextView(snapshot.context, v.rows, v.summary.workloads, v.summary.namespaces, tuple(v.rollouts),
                          tuple(v.events), tuple(snapshot.errors), snapshot.synced)


def pod_entries(view: ContextView, now: datetime, multi_context: bool) -> Events:
    """A synced context's pod, workload and rollout entries (the context named when there are several)."""
    if not view.synced:
        return []
    from warroom.domain.pod_events import pod_events

    context = view.context if multi_context else ""
    return [(e.key, e.text) for e in pod_events(view.unhealthy_rows, view.workloads, view.rollouts, now, context)]


def pods_recorded(view: ContextView) -> tuple[str, rec.State]:
    """(the recorder's scope, the state) of one context's pane."""
    return rec.pods_scope(view.context), rec.pods_state(view)


def sla_entries(report: SlaReport | None) -> Iterable:
    """Breaches and escalations due (``SlaEvent``: key, text, at, kind), each written once."""
    return report.events() if report is not None else ()
