"""What the metrics pane shows, kept honest across failures: last good values go stale, never vanish.

A poll returns, per panel, a fresh reading or an error; the view keeps the last good reading
and sparkline beside the error with its age ("stale 45s — connection refused"). A whole-source
failure (Prometheus down) marks every panel stale, and so does time: a reading older than its
refresh interval plus a grace is stale even before any poll reports an error (:func:`stale_age`). Verdict transitions to CRIT and back to OK
become timeline events, keyed so that two warroom processes polling the same Prometheus write one
entry, and a flapping panel writes at most one per verdict per five minutes.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Iterable, Mapping

if TYPE_CHECKING:  # types only: the view exists (empty) before any metric is configured or read
    from warroom.domain.baseline import Alert, Reading, Sparkline
    from warroom.domain.panels import Panel

EVENT_BUCKET = timedelta(minutes=5)


@dataclass(frozen=True)
class PanelPoll:
    """One panel's outcome in one poll: a reading (and maybe a sparkline) or an error."""

    panel: Panel
    reading: Reading | None = None
    sparkline: Sparkline | None = None
    error: str = ""


@dataclass(frozen=True)
class Poll:
    at: datetime
    panels: tuple[PanelPoll, ...] = ()
    alerts: tuple[Alert, ...] | None = None  # None: not read this time (or failed: see alerts_error)
    alerts_error: str = ""
    source_error: str = ""  # the whole source failed (unreachable…): nothing else is valid


@dataclass(frozen=True)
class PanelView:
    panel: Panel
    reading: Reading | None = None
    sparkline: Sparkline | None = None
    updated_at: datetime | None = None  # when ``reading`` was read
    error: str = ""  # the latest failure, if the latest poll failed

    def stale_for(self, now: datetime, limit: timedelta | None = None) -> timedelta | None:
        """How old the shown value is, when it must not pass for current: see :func:`stale_age`."""
        return stale_age(self.updated_at, now, limit, failed=bool(self.error))


@dataclass(frozen=True)
class MetricsView:
    panels: tuple[PanelView, ...] = ()
    alerts: tuple[Alert, ...] = ()
    alerts_error: str = ""
    source_error: str = ""
    polled_at: datetime | None = None
    ok_at: datetime | None = None  # the last poll that reached the source

    def panel(self, title: str) -> PanelView | None:
        return next((p for p in self.panels if p.panel.title == title), None)

    def stale_for(self, now: datetime, limit: timedelta | None = None) -> timedelta | None:
        """How old the pane's last answer from the source is, when too old to pass for current
        (the source is down, or a poll has been hanging for longer than ``limit``)."""
        return stale_age(self.ok_at, now, limit, failed=bool(self.source_error))

    def any_stale(self, now: datetime, limit: timedelta | None = None) -> bool:
        """Anything shown is stale (the ages on screen tick while this is true)."""
        return (self.stale_for(now, limit) is not None or bool(self.alerts_error)
                or any(p.stale_for(now, limit) is not None for p in self.panels))


#: What a poll may take on top of the refresh interval before its panels are called stale, at least.
MIN_GRACE = timedelta(seconds=2)


def stale_limit(refresh: float, timeout: float) -> timedelta:
    """How old a reading may get before it is stale: the refresh interval, plus one request's
    deadline (a poll that is slow but within its timeout is not yet a failure), at least ``MIN_GRACE``."""
    return timedelta(seconds=refresh) + max(MIN_GRACE, timedelta(seconds=timeout))


def stale_age(updated_at: datetime | None, now: datetime, limit: timedelta | None, *,
              failed: bool) -> timedelta | None:
    """The age to show as STALE, or None while the value may pass for current.

    Stale when the latest poll ``failed``, or — even with no error reported yet (a server trickling
    its answer keeps a poll running) — when the last successful read is older than ``limit``
    (:func:`stale_limit`; None: no age rule, as in a drill whose clock runs fast). Nothing read yet
    is not stale: there is no value to mistake for current.
    """
    if updated_at is None:
        return None
    age = now - updated_at
    if failed or (limit is not None and age > limit):
        return age
    return None


def initial(panels: Iterable[Panel]) -> MetricsView:
    return MetricsView(panels=tuple(PanelView(p) for p in panels))


def apply_poll(view: MetricsView, poll: Poll) -> MetricsView:
    """The new view after a poll: fresh values replace old ones; failures keep the old, marked."""
    if poll.source_error:
        return replace(
            view,
            panels=tuple(replace(p, error=poll.source_error) for p in view.panels),
            alerts_error=poll.source_error,
            source_error=poll.source_error,
            polled_at=poll.at,
        )
    outcomes = {p.panel.title: p for p in poll.panels}
    panels = []
    for old in view.panels:
        new = outcomes.get(old.panel.title)
        if new is None:
            panels.append(old)
        elif new.error:
            panels.append(replace(old, error=new.error))
        else:
            panels.append(PanelView(
                old.panel, new.reading, new.sparkline or old.sparkline, poll.at, "",
            ))
    return MetricsView(
        panels=tuple(panels),
        alerts=poll.alerts if poll.alerts is not None else view.alerts,
        alerts_error=poll.alerts_error,
        source_error="",
        polled_at=poll.at,
        ok_at=poll.at,
    )


@dataclass(frozen=True)
class MetricEvent:
    key: str
    text: str


@dataclass(frozen=True)
class VerdictMemory:
    """The verdict last seen per panel (only fresh readings count)."""

    seen: Mapping[str, str] = field(default_factory=dict)


def verdict_events(memory: VerdictMemory, view: MetricsView, now: datetime) -> tuple[VerdictMemory, list[MetricEvent]]:
    """Transitions to CRIT, and back to OK after a CRIT or WARN, as timeline events."""
    from warroom.domain.baseline import describe  # a reading exists, so baseline is imported already

    seen = dict(memory.seen)
    events = []
    bucket = int(now.timestamp() // EVENT_BUCKET.total_seconds())
    for p in view.panels:
        if p.reading is None or p.error:
            continue
        title, verdict = p.panel.title, p.reading.verdict
        before = seen.get(title)
        seen[title] = verdict
        if verdict == before or verdict == "NO DATA":
            continue
        if verdict == "CRIT":
            text = f"Metric CRIT: {describe(p.reading)}"
        elif verdict == "OK" and before in ("CRIT", "WARN"):
            text = f"Metric back to OK: {describe(p.reading)}"
        else:
            continue
        events.append(MetricEvent(key=f"metric:{title}:{verdict}:{bucket}", text=text))
    return VerdictMemory(seen), events
