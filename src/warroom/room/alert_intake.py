"""Alerts in: a parsed notification becomes timeline entries (and perhaps a new incident), once.

:class:`AlertIntake` is what the receiver hands each notification to (``deliver``); the routing
rules are pure (``domain.alert_routing``), this is the shell around them: read the open
incidents, write each incident's entries in one transaction (``store.append_keyed``: a key
already there — a duplicate or retried delivery — is skipped), declare an incident for an
unrouted firing alert when configured to.

Which incidents hold an alert (its firing entry) is remembered from the open incidents' entries
when the intake starts, and from what it writes: a resolution goes where the firing went, and a
retried delivery of an alert that declared an incident does not declare a second one.

To host the receiver (``warroom receive`` does; the headless watcher can)::

    intake = AlertIntake(store, routing, policy, author="alertmanager")
    server = AlertReceiver(listen, token, intake.deliver, max_body=…, log=print)
    await server.start()   # … serve …   await server.stop()
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Callable

from warroom.domain.alert_payload import Alert, Notification
from warroom.domain.alert_routing import (
    Routing, decide, entry_at, entry_key, entry_text, firing_key, incident_title, notice_key, parse_key,
    severity_for,
)
from warroom.domain.policy import Policy

if TYPE_CHECKING:
    from warroom.store import IncidentStore


def _utcnow() -> datetime:
    return datetime.now(timezone.utc)


@dataclass
class Outcome:
    """What one notification did (for the answer to the sender and the log line)."""

    alerts: int = 0
    written: int = 0
    incidents: set[int] = field(default_factory=set)
    declared: list[int] = field(default_factory=list)

    def line(self) -> str:
        where = ", ".join(f"#{i}" for i in sorted(self.incidents))
        text = f"{self.alerts} alert{'s' if self.alerts != 1 else ''}: {self.written} entr" \
               f"{'ies' if self.written != 1 else 'y'} written" + (f" in {where}" if where else "")
        if self.declared:
            text += "; declared " + ", ".join(f"#{i}" for i in self.declared)
        return text


class AlertIntake:
    def __init__(self, store: IncidentStore, routing: Routing, policy: Policy, *, author: str = "alertmanager",
                 clock: Callable[[], datetime] = _utcnow) -> None:
        self.store = store
        self.routing = routing
        self.policy = policy
        self.author = author
        self._clock = clock
        self._held: dict[str, set[int]] | None = None  # firing key → incidents holding it
        self._groups: dict[str, int] = {}  # group key → the incident declared for it (this process)

    async def _holders(self) -> dict[str, set[int]]:
        if self._held is None:
            held: dict[str, set[int]] = defaultdict(set)
            for incident in await self.store.incidents(include_resolved=False):
                for entry in await self.store.entries(incident.id):
                    parts = parse_key(entry.key)
                    if parts is not None and parts.status == "firing":
                        held[entry.key].add(incident.id)  # type: ignore[index]
            self._held = held
        return self._held

    async def deliver(self, notification: Notification) -> str:
        """Write what ``notification`` means; a one-line account of it."""
        now = self._clock()
        held = await self._holders()
        open_incidents = [i for i in await self.store.incidents(include_resolved=False)]
        active = await self.store.active_incident_id()
        outcome = Outcome(alerts=len(notification.alerts))
        rows: dict[int, list[tuple[str, str, datetime, str]]] = defaultdict(list)
        for alert in notification.alerts:
            decision = decide(alert, self.routing, open_incidents, active, held.get(firing_key(alert), ()))
            if decision.action == "declare":
                # one incident per Alertmanager group: the group's other alerts join the first's
                incident_id = self._groups.get(notification.group_key, 0)
                if not any(i.id == incident_id for i in open_incidents):
                    incident_id = await self._declare(alert, now, any(not i.drill for i in open_incidents))
                    outcome.declared.append(incident_id)
                    if notification.group_key:
                        self._groups[notification.group_key] = incident_id
                    open_incidents = await self.store.incidents(include_resolved=False)
                targets: tuple[int, ...] = (incident_id,)
            elif decision.action == "notice":
                for incident_id in decision.incidents:
                    rows[incident_id].append((notice_key(alert), entry_text(alert, notice=True),
                                              entry_at(alert, now), "system"))
                continue
            else:
                targets = decision.incidents
            for incident_id in targets:
                rows[incident_id].append((entry_key(alert), entry_text(alert), entry_at(alert, now), "system"))
                if alert.status == "firing":
                    held.setdefault(firing_key(alert), set()).add(incident_id)
        for incident_id, batch in rows.items():
            written = await self.store.append_keyed(incident_id, batch, author=self.author, now=now)
            outcome.written += len(written)
            if written:
                outcome.incidents.add(incident_id)
        return outcome.line()

    async def _declare(self, alert: Alert, now: datetime, others_open: bool) -> int:
        """A new incident for ``alert``: severity from its label, detected at its start; made the
        active incident only when no other is open (a person mid-incident keeps their target)."""
        service = alert.label("service")
        incident = await self.store.declare(
            incident_title(alert), self.policy, severity_for(alert, self.routing, self.policy), now=now,
            author=self.author, detected_at=min(alert.starts_at, now), services=[service] if service else (),
            make_active=not others_open,
        )
        return incident.id
