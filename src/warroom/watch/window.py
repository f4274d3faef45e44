"""The rolling window: what the panes showed while no incident was declared yet, kept for a while.

An incident declared later copies it (``store.adopt_window``), so its replay shows the minutes
before the declaration (dolphie's always-on recorder is the model). Readings are changes only,
so a window cut at an arbitrary instant would start with half a state: every quarter of the
window the whole state is recorded again (a keyframe), and pruning only ever cuts at a keyframe.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from warroom.domain import recording as rec

#: keyframes per window length
KEYFRAMES = 4


class Window:
    def __init__(self, length: timedelta) -> None:
        self.length = length
        self._recorder = rec.Recorder()
        self._last: dict[str, rec.State] = {}  # the last state of each scope (a keyframe repeats them)
        self._keyframes: list[datetime] = []
        self.pending: list[rec.Record] = []  # observed, not yet written
        self.recording = False  # until this watcher knows no other one records it

    def record(self, on: bool, now: datetime) -> None:
        """Record from now (a keyframe first), or stand by (what is pending is still written)."""
        if on and not self.recording and self.length > timedelta(0):
            self._keyframes = []
            if self._last:
                self.keyframe(now)
        self.recording = on

    def observe(self, scope: str, state: rec.State, now: datetime) -> None:
        if self.length <= timedelta(0):
            return
        self._last[scope] = state
        if not self.recording:
            return
        if not self._keyframes:
            self._keyframes.append(now)
        self.pending += self._recorder.observe(scope, state, now)

    def keyframe_due(self, now: datetime) -> bool:
        return self.recording and bool(self._keyframes) and now - self._keyframes[-1] >= self.length / KEYFRAMES

    def keyframe(self, now: datetime) -> None:
        """Record every scope's whole state again."""
        self._recorder = rec.Recorder()
        self._keyframes.append(now)
        for scope, state in self._last.items():
            self.pending += self._recorder.observe(scope, state, now)

    def cut(self, now: datetime) -> datetime | None:
        """Where the window may be pruned now: the last keyframe at least ``length`` old (None: nowhere)."""
        if not self.recording:
            return None
        old = [k for k in self._keyframes if k <= now - self.length]
        if not old:
            return None
        self._keyframes = [k for k in self._keyframes if k >= old[-1]]
        return old[-1]

    def take(self) -> list[rec.Record]:
        batch, self.pending = self.pending, []
        return batch
