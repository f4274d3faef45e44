"""The drill's clock: scenario time that runs ``speed`` times faster than the wall clock, and pauses.

Every part of the app already takes its ``now`` from one injected clock, so compressing time is
only this: the SLA targets, the update cadence, the scripted sources and the entries' times all
move together. The monotonic source is injected, so tests step it by hand.
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from typing import Callable

SPEEDS = (1.0, 2.0, 5.0, 10.0, 30.0, 60.0)


class DrillClock:
    def __init__(self, start: datetime, speed: float = 1.0, monotonic: Callable[[], float] = time.monotonic) -> None:
        if speed <= 0:
            raise ValueError("speed must be positive")
        self._mono = monotonic
        self._base = start
        self._m0 = monotonic()
        self.speed = speed
        self.paused = False

    def __call__(self) -> datetime:
        if self.paused:
            return self._base
        return self._base + timedelta(seconds=(self._mono() - self._m0) * self.speed)

    def _rebase(self) -> None:
        self._base, self._m0 = self(), self._mono()

    def pause(self) -> None:
        self._rebase()
        self.paused = True

    def resume(self) -> None:
        self._m0 = self._mono()
        self.paused = False

    def toggle(self) -> bool:
        """Pause or resume; True when now paused."""
        self.resume() if self.paused else self.pause()
        return self.paused

    def set_speed(self, speed: float) -> None:
        if speed <= 0:
            raise ValueError("speed must be positive")
        self._rebase()
        self.speed = speed

    def faster(self) -> float:
        """The next speed of SPEEDS (wrapping to the first)."""
        bigger = [s for s in SPEEDS if s > self.speed]
        self.set_speed(bigger[0] if bigger else SPEEDS[0])
        return self.speed

    @property
    def label(self) -> str:
        return "PAUSED" if self.paused else f"{self.speed:g}×"
