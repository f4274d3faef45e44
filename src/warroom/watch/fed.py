"""One incident a watcher feeds, and its writes: readings and entries each in one transaction,
kept for the next write if the database refuses now (locked, unreachable) — never dropped, never
written twice. An incident let go (resolved, handed back to another watcher) is written the same
way until nothing of it is left.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from warroom.domain import metrics_view as mv
from warroom.room.session import Room
from warroom.store import StoreError

log = logging.getLogger("warroom.watch")


@dataclass
class Fed:
    """Its room (keys written, recorder, readings to write), the verdicts it has heard, and
    automatic entries not yet written."""

    room: Room
    verdicts: mv.VerdictMemory = field(default_factory=mv.VerdictMemory)
    pending: list[tuple[str, str, datetime, str]] = field(default_factory=list)

    @property
    def id(self) -> int:
        return self.room.incident.id

    @property
    def unwritten(self) -> bool:
        return bool(self.pending or self.room.readings)

    async def write(self, store: Any, stats: dict[str, int], now: datetime) -> bool:
        """What changed since the last write; False if the database refused (kept for the next)."""
        readings = self.room.take_readings()
        entries, self.pending = self.pending, []
        try:
            if readings:
                stats["readings"] += await store.record(self.id, readings)
                readings = []
            if entries:
                written = await store.append_keyed(self.id, entries, author="warroom", now=now)
                stats["entries"] += len(written)
                for e in written:
                    log.info("incident #%d: entry %s", self.id, e.key)
                entries = []
        except StoreError as exc:
            log.warning("database: %s (kept for the next write)", exc)
            self.room.readings[:0] = readings
            self.pending[:0] = entries
            return False
        return True
