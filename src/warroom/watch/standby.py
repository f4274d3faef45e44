"""What this watcher leaves to another: watchers run for redundancy feed each incident (and record
the rolling window) once. Each decides on its own, from the heartbeats, with ``heartbeat.ahead_of``
(the first started feeds); the beats aged on this watcher's clock (``LocalAges``), so hosts whose
clocks differ still agree. Each change is said once in the log.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime
from typing import Any, Awaitable, Callable, Iterable

from warroom.domain.heartbeat import Heartbeat, LocalAges, ahead_of
from warroom.store import StoreError

log = logging.getLogger("warroom.watch")

#: while standing by, the others' beats are read this many times per period of the one ahead, so
#: a silent feeder is taken over soon after ``TAKEOVER_PERIODS`` (not up to a whole period later)
LOOKS_PER_PERIOD = 4

Scope = int | None  # an incident, or None: the rolling window


class Standby:
    def __init__(self, me_id: str, started_at: datetime) -> None:
        self.me_id, self.started_at = me_id, started_at
        self.leaving: dict[Scope, Heartbeat] = {}  # what is left to another, and to whom
        self._ages = LocalAges()
        self._seen: dict[int, datetime] = {}  # when each wanted incident was first seen open

    def look(self, beats: Iterable[Heartbeat], wanted: Iterable[int], window: bool, now: datetime) -> dict[Scope, Heartbeat]:
        """What to leave to another now, among the ``wanted`` incidents (and the window if this
        watcher would record it)."""
        wanted = list(wanted)
        self._seen = {i: self._seen.get(i, now) for i in wanted}
        aged = self._ages.observe(beats, now)
        leaving = {}
        for scope in [*wanted, *([None] if window else [])]:
            beat = ahead_of(self.started_at, self.me_id, aged, scope, now, seen_since=self._seen.get(scope))
            if beat is not None:
                leaving[scope] = beat
        self._say(leaving, wanted)
        self.leaving = leaving
        return leaving

    def due(self, beats: Iterable[Heartbeat], now: datetime) -> bool:
        """Something left to another is no longer: look again now (take it over)."""
        aged = self._ages.observe(beats, now)
        return any(ahead_of(self.started_at, self.me_id, aged, scope, now, seen_since=self._seen.get(scope)) is None
                   for scope in self.leaving)

    async def wait(self, until: float, store: Any, sleep: Callable[[float], Awaitable[None]],
                   clock: Callable[[], datetime]) -> None:
        """Until the loop's time ``until`` (the next beat); standing by, the others' beats are read
        meanwhile and the wait ends as soon as a feeder falls silent: the next beat takes over."""
        loop = asyncio.get_running_loop()
        while (left := until - loop.time()) > 0:
            every = self.look_every()
            await sleep(min(left, every) if every else left)
            try:
                if every and self.due(await store.watchers(), clock()):
                    return
            except StoreError:
                pass  # the next beat says so

    def look_every(self) -> float | None:
        """Seconds between two looks at the others' beats while standing by (None: not standing by)."""
        periods = [b.period for b in self.leaving.values()]
        return min(periods) / LOOKS_PER_PERIOD if periods else None

    def _say(self, leaving: dict[Scope, Heartbeat], wanted: list[int]) -> None:
        for scope, beat in leaving.items():
            was = self.leaving.get(scope)
            if was is None or was.id != beat.id:
                log.info("%s; standing by", _what(scope, beat, "fed by", "left to"))
        for scope, beat in self.leaving.items():
            if scope not in leaving and (scope is None or scope in wanted):
                log.info("%s; taking over", _what(scope, beat, "no longer fed by", "not fed by"))


def _what(scope: Scope, beat: Heartbeat, fed: str, left: str) -> str:
    by = f"the watcher on {beat.host} (pid {beat.pid})"
    if scope is None:
        return f"the rolling window: {fed.replace('fed', 'recorded')} {by}"
    return f"incident #{scope}: {fed} {by}" if beat.feeds(scope) else f"incident #{scope}: {left} {by}, which feeds every open incident"
