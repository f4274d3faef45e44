"""What a screen needs of each live source, as typed interfaces.

The real adapters (Prometheus, the HTTP probes, the Kubernetes watchers) and a drill's scripted
stand-ins (``warroom.drill.sources``) both satisfy these, so the screen cannot tell them apart and
never probes an object for what it can do. ``DrillControls`` is the drill clock's side: a clock
that can also pause and change speed.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Callable, Protocol, Sequence

from warroom.domain.baseline import Alert, Panel, Reading, Sparkline

if TYPE_CHECKING:
    from warroom.sources.probes import ProbeResult


class MetricsSource(Protocol):
    """Read from a worker thread: one call may block for up to the source's deadline."""

    def read_panel(self, panel: Panel, now: datetime | None = None) -> Reading: ...

    def range(self, panel: Panel, start: datetime, end: datetime, step: timedelta | float) -> Sparkline: ...

    def alerts(self) -> Sequence[Alert]: ...

    def close(self) -> None: ...


class PanelSource(MetricsSource, Protocol):
    """A metrics source that brings its own panels and pace (a drill's scripted one, a test's)."""

    panels: tuple[Panel, ...]
    refresh: float


class ProbeSource(Protocol):
    """Health probes, run on the event loop every ``interval`` seconds."""

    interval: float

    async def probe_all(self, now: datetime) -> list[ProbeResult]: ...

    async def aclose(self) -> None: ...


class PodsWatcher(Protocol):
    """One cluster context, list+watch on its own thread; ``on_change(snapshot)`` is called from it."""

    target: Any  # has ``.context`` (KubeTarget, or the drill's)
    on_change: Callable[[Any], None]

    def start_thread(self) -> Any: ...

    def stop(self) -> None: ...


class DrillControls(Protocol):
    """A clock that a drill can pause and speed up (``warroom.drill.clock.DrillClock``)."""

    speed: float

    def __call__(self) -> datetime: ...

    def pause(self) -> None: ...

    def toggle(self) -> bool: ...

    def faster(self) -> float: ...

    @property
    def label(self) -> str: ...
