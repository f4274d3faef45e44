"""How a ``warroom`` process uses the interpreter: the GIL hand-over, a frozen heap, and full
garbage collections moved to moments when nobody is typing.

Only ``warroom`` itself tunes the runtime (and the benches, which measure it as it runs). Tests
leave the interpreter alone: many apps share their process, and a freeze would keep the cycles of
the apps before for good.
"""

from __future__ import annotations

import gc
import sys
import time
from dataclasses import dataclass

from textual import events

GIL_SWITCH_INTERVAL = 0.001
# Python's automatic full collection, off: ``get_count()[2]`` never reaches this.
NO_AUTOMATIC_FULL = 1 << 30

_tuned = False


def tune_runtime() -> None:
    """Hand the GIL over every 1 ms instead of 5: the store's and the sources' worker threads then
    get it promptly while the UI thread renders.

    Freeze what the imports built (modules, classes, Textual's and Rich's tables): it lives as long
    as the process, and the collector no longer walks it — the full collection start-up would
    otherwise trigger cost ~65 ms, and every later one is cheaper too.

    Then leave the full collections to ``IdleCollections``. Textual's strips hold themselves in
    their own crop caches, so every frame leaves cyclic garbage, and Python ran a full collection
    every few seconds of typing: 30-100 ms with the GIL held (a heap of 40-80k objects on a 2-CPU
    machine), during which no thread can commit — one in ten of the scribe's Enters waited for one
    (bench/bench_tui.py: Enter-to-durable p99 16-36 ms with them, ~10 ms without). The young
    generations stay automatic: their passes take 0.1-8 ms."""
    global _tuned
    sys.setswitchinterval(GIL_SWITCH_INTERVAL)
    gc.freeze()
    young, middle, _ = gc.get_threshold()
    gc.set_threshold(young, middle, NO_AUTOMATIC_FULL)
    _tuned = True


def runtime_tuned() -> bool:
    return _tuned


def freeze_heap() -> None:
    """Freeze again once a context's first full pod list is in (only after ``tune_runtime``).

    The pods, their JSON and rows are long-lived; with 5,000 of them every full collection walked
    them all and stopped every thread for 450-650 ms (bench/bench_kube.py). Frozen, a full pass
    walks only what came after. What the freeze keeps is freed by reference counts all the same
    when the pods are replaced (pod JSON and rows hold no cycles)."""
    if _tuned:
        gc.freeze()


@dataclass
class IdleCollections:
    """When to run the full collection Python no longer runs by itself: once the middle generation
    has been collected as often as Python's own threshold asks (there is garbage worth it), and
    either the person at the keyboard has paused and the event loop is not busy (a storm of pod
    events redrawing the pane is not a pause), or it has been put off for too long (memory stays
    bounded through an hour of non-stop typing). Times are ``time.monotonic()`` seconds."""

    quiet_for: float = 1.5  # seconds without a key or a click
    busy_lag: float = 0.05  # a timer this late means the loop is working
    min_gap: float = 10.0  # between two collections at the quietest
    max_gap: float = 300.0  # a collection is forced once this long has passed
    passes: int = 10  # Python's default third threshold
    interval: float = 1.0  # how often ``tick`` is called
    last_input: float = float("-inf")
    last_full: float = 0.0
    last_tick: float | None = None

    def input(self, now: float) -> None:
        self.last_input = now

    def tick(self, now: float, middle_passes: int) -> bool:
        """Called every ``interval`` by a timer on the event loop; how late it runs is how busy the loop is."""
        lag = 0.0 if self.last_tick is None else max(0.0, now - self.last_tick - self.interval)
        self.last_tick = now
        return self.due(now, middle_passes, lag)

    def due(self, now: float, middle_passes: int, loop_lag: float) -> bool:
        if middle_passes < self.passes:
            return False
        since = now - self.last_full
        if since >= self.max_gap:
            return True
        quiet = now - self.last_input >= self.quiet_for and loop_lag < self.busy_lag
        return quiet and since >= self.min_gap

    def collected(self, now: float) -> None:
        self.last_full = now


class CollectsWhenIdle:
    """Mixed into an ``App`` (before ``App``): runs ``IdleCollections`` where the runtime is tuned."""

    idle_gc: IdleCollections | None = None

    def start_idle_collections(self) -> None:
        if runtime_tuned():
            self.idle_gc = IdleCollections(last_full=time.monotonic())
            self.set_interval(self.idle_gc.interval, self.collect_if_idle)

    async def on_event(self, event: events.Event) -> None:
        if self.idle_gc is not None and isinstance(event, (events.Key, events.MouseDown, events.Paste)):
            self.idle_gc.input(time.monotonic())
        await super().on_event(event)

    def collect_if_idle(self) -> None:
        if self.idle_gc.tick(time.monotonic(), gc.get_count()[2]):
            gc.collect()
            self.idle_gc.collected(time.monotonic())
