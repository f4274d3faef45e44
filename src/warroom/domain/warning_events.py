"""The cluster's recent Warning events, as ``kubectl get events`` prints them.

Reads core/v1 Events and events.k8s.io/v1 Events alike; a malformed Event is left out, the
others still show. Not to be confused with :mod:`warroom.domain.pod_events`, which decides
which pod-health changes become timeline entries.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from warroom.domain.pod_fields import Obj, Unreadable, as_int, as_text, get_in
from warroom.domain.pod_status import parse_time

__all__ = [
    "WarningEvent",
    "aged_events",
    "warning_events",
]


@dataclass(frozen=True)
class WarningEvent:
    namespace: str
    reason: str
    kind: str
    name: str
    count: int
    last_seen: datetime
    age: timedelta
    message: str

    @property
    def object(self) -> str:
        """``pod/web-7d4b9c6f5-x2x9k`` as ``kubectl get events`` prints the involved object."""
        kind = self.kind.lower()
        return f"{kind}/{self.name}" if self.name else kind


def _event_last_seen_and_count(ev: Obj) -> tuple[datetime | None, int]:
    """kubectl's printEvent: lastTimestamp, else firstTimestamp/eventTime; series wins."""
    first = parse_time(get_in(ev, "firstTimestamp") or get_in(ev, "deprecatedFirstTimestamp"))
    if first is None:
        first = parse_time(get_in(ev, "eventTime"))
    last = parse_time(get_in(ev, "lastTimestamp") or get_in(ev, "deprecatedLastTimestamp"))
    if last is None:
        last = first
    count = as_int(get_in(ev, "count")) or as_int(get_in(ev, "deprecatedCount"))
    series = get_in(ev, "series")
    if isinstance(series, Mapping):
        last = parse_time(get_in(series, "lastObservedTime")) or last
        count = as_int(get_in(series, "count")) or count
    if count == 0:
        count = 1  # singleton events carry no count in the new API
    if last is None:
        last = parse_time(get_in(ev, "metadata", "creationTimestamp"))
    return last, count


def warning_events(events: Iterable[Obj], now: datetime, within: timedelta) -> list[WarningEvent]:
    """Warning events last seen within ``within`` of ``now``, newest first.

    Reads core/v1 Events (``involvedObject``, ``message``) and events.k8s.io/v1 Events
    (``regarding``, ``note``).
    """
    found: list[WarningEvent] = []
    for ev in events:
        if get_in(ev, "type") != "Warning":
            continue
        try:
            event = _warning_event(ev, now)
        except Exception:  # noqa: BLE001 — a malformed Event is left out, the others still show
            continue
        if now - event.last_seen <= within:
            found.append(event)
    found.sort(key=lambda e: (-e.last_seen.timestamp(), e.namespace, e.object, e.reason))
    return found


def _warning_event(ev: Obj, now: datetime) -> WarningEvent:
    last_seen, count = _event_last_seen_and_count(ev)
    if last_seen is None:
        raise Unreadable("no time")
    obj = get_in(ev, "involvedObject") or get_in(ev, "regarding") or {}
    message = get_in(ev, "message")
    if message is None:
        message = get_in(ev, "note")
    return WarningEvent(
        namespace=as_text(get_in(ev, "metadata", "namespace") or get_in(obj, "namespace"), "namespace"),
        reason=as_text(get_in(ev, "reason"), "reason"),
        kind=as_text(get_in(obj, "kind"), "kind"),
        name=as_text(get_in(obj, "name"), "name"),
        count=count,
        last_seen=last_seen,
        age=now - last_seen,
        message=as_text(message, "message").strip(),
    )


def aged_events(found: Iterable[WarningEvent], now: datetime, within: timedelta) -> list[WarningEvent]:
    """``warning_events`` found earlier, at ``now``: equal to finding them again when no Event changed since."""
    return [replace(e, age=now - e.last_seen) for e in found if now - e.last_seen <= within]
