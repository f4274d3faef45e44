"""What the pod pane shows of one context (:class:`ContextView`).

In the domain, not in the pane, because two producers build it: the app from a watcher's snapshot
(off the UI thread) and the replay from recorded readings.
"""

from __future__ import annotations

from dataclasses import dataclass

from warroom.domain.pod_status import PodRow

__all__ = [
    "ContextView",
]


@dataclass(frozen=True)
class ContextView:
    """What the pod pane shows of one context: computed off the UI thread from a snapshot, or
    rebuilt from recorded readings by the replay (then ``rows`` hold only the unhealthy pods)."""

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
