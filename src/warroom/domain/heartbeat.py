"""Who feeds an incident's panes: the heartbeats of headless watchers (``warroom watch``).

Pure. A watcher says every ``period`` seconds that it is alive and which incidents it reads the
sources for; a screen follows the freshest one that feeds its incident. A beat older than
``STALE_PERIODS`` periods means the watcher is gone (killed, hung, its host cut off): the screen
says so and, if allowed, reads the sources itself until a watcher beats again.

Watchers run for redundancy agree, each on its own, which of them feeds an incident (and records
the rolling window): the first started (``ahead_of``). The others stand by and take over when its
beat is ``TAKEOVER_PERIODS`` old, before a screen calls it stale and reads the sources itself.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Iterable

#: A heartbeat older than this many of its periods is stale.
STALE_PERIODS = 2.0
#: a standby watcher takes over from one whose heartbeat is this many of its periods old
TAKEOVER_PERIODS = 1.5


@dataclass(frozen=True)
class Heartbeat:
    id: str  # host/pid/started: unique per watcher process
    host: str
    pid: int
    started_at: datetime
    beat_at: datetime
    period: float  # seconds between two beats
    incidents: tuple[int, ...] = ()  # the incidents it feeds now
    all_open: bool = True  # it feeds every open incident (a new one within a period), not one (``-i``)

    def age(self, now: datetime) -> float:
        return max((now - self.beat_at).total_seconds(), 0.0)

    def fresh(self, now: datetime) -> bool:
        return self.age(now) <= STALE_PERIODS * self.period

    def feeds(self, incident_id: int | None) -> bool:
        return incident_id is not None and incident_id in self.incidents


class LocalAges:
    """Heartbeats aged on this machine's clock, not the watcher's: a beat is as old as the time
    since this screen saw its ``beat_at`` change (the first time it is seen: its age by the wall
    clock). Across machines, a screen whose clock runs ahead would otherwise call a live watcher
    stale, and one that runs behind a dead one fresh, for as long as the clocks differ.

    A change happened between the last look and now: when exactly, its age by the wall clock says
    if the clocks agree, bounded by the two looks if not (a standby takes over on time)."""

    def __init__(self) -> None:
        self._changed: dict[str, tuple[datetime, datetime]] = {}  # id → (its beat_at, when seen change)
        self._looked: datetime | None = None

    def observe(self, beats: Iterable[Heartbeat], now: datetime) -> list[Heartbeat]:
        out = []
        for b in beats:
            seen = self._changed.get(b.id)
            if seen is None or seen[0] != b.beat_at:
                at = now - timedelta(seconds=b.age(now))
                if seen is not None and self._looked is not None:
                    at = min(max(at, self._looked), now)
                self._changed[b.id] = seen = (b.beat_at, at)
            out.append(replace(b, beat_at=seen[1]))
        self._looked = now
        return out


def feeder(beats: Iterable[Heartbeat], incident_id: int | None, now: datetime) -> Heartbeat | None:
    """The watcher that feeds ``incident_id``: the freshest fresh one, else the last one seen
    (stale: the screen says so), else None (no watcher ever fed it)."""
    mine = sorted((b for b in beats if b.feeds(incident_id)), key=lambda b: b.beat_at, reverse=True)
    fresh = [b for b in mine if b.fresh(now)]
    return fresh[0] if fresh else (mine[0] if mine else None)


def coming(beats: Iterable[Heartbeat], now: datetime) -> Heartbeat | None:
    """A fresh watcher that feeds every open incident: one just declared is fed within a period."""
    return next((b for b in beats if b.all_open and b.fresh(now)), None)


def ahead_of(me_started_at: datetime, me_id: str, beats: Iterable[Heartbeat], incident_id: int | None,
             now: datetime, *, seen_since: datetime | None = None) -> Heartbeat | None:
    """The watcher that this one (``me_…``) leaves ``incident_id`` to (None: the rolling window),
    or None: it feeds it itself. Ahead means alive (a beat within ``TAKEOVER_PERIODS``) and started
    earlier, ties to the smaller id: an order every watcher sees alike, whatever its clock.

    The window is left to one that feeds every open incident (``all_open``: those record it); an
    incident to one that feeds it — or, for ``TAKEOVER_PERIODS`` of its periods after the incident
    was left unfed (this watcher first saw it at ``seen_since``, or its feeder fell silent), to an
    ``all_open`` one, which feeds it within a period: two standbys do not both open it meanwhile."""
    others = [b for b in beats if b.id != me_id]
    ahead = sorted((b for b in others if (b.started_at, b.id) < (me_started_at, me_id) and _alive(b, now)),
                   key=lambda b: (b.started_at, b.id))
    if incident_id is None:
        return next((b for b in ahead if b.all_open), None)
    feeding = next((b for b in ahead if b.feeds(incident_id)), None)
    if feeding is not None:
        return feeding
    silent = [b.beat_at + timedelta(seconds=TAKEOVER_PERIODS * b.period) for b in others
              if b.feeds(incident_id) and not _alive(b, now)]
    unfed = max([*silent, *([seen_since] if seen_since else [])], default=None)
    if unfed is None:
        return None
    return next((b for b in ahead if b.all_open
                 and (now - unfed).total_seconds() <= TAKEOVER_PERIODS * b.period), None)


def _alive(beat: Heartbeat, now: datetime) -> bool:
    return beat.age(now) <= TAKEOVER_PERIODS * beat.period


def said(beat: Heartbeat, now: datetime) -> str:
    """What a pane says of its feeder: ``via watcher on db-1, 0.4 s ago`` or ``STALE: …``."""
    from warroom.domain.text import one_line

    age = beat.age(now)
    when = f"{age:.1f} s ago" if age < 60 else f"{int(age // 60)} min ago"
    host = one_line(beat.host)
    return f"via watcher on {host}, {when}" if beat.fresh(now) else f"STALE: watcher on {host} last seen {when}"
