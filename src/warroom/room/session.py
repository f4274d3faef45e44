"""The live incident a screen shows, without Textual: what is open, its entries, and the rules of
what the room writes by itself.

A screen holds one ``Room``. It opens an incident (``open``), takes the entries the store gave
back or another process wrote (``accept``), and asks which automatic entries are new before
writing them (``claim``): an automatic entry has a key, unique per incident in the database, so a
breach, a metric turning CRIT or a pod crash-looping is written once however many screens
watch; the room remembers the keys already seen so that it does not even try twice. It also
gathers the readings the panes showed (``observe``) for the replay and the review's evidence.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Iterable

from warroom.domain import recording as rec
from warroom.domain.incident import Incident
from warroom.domain.sla import SlaReport, evaluate
from warroom.domain.timeline import Entry, checklist_history, checklist_ticks

#: Entry kinds the SLA evaluation looks at (responses, status updates); notes only wait for the tick.
SLA_KINDS = frozenset({"action", "decision", "status", "comms", "system", "escalation"})
#: entries that report what the panes saw: they cannot move the SLA clock (a storm writes hundreds)
OBSERVATION_KEYS = ("metric:", "pod:", "workload:", "rollout:")


def moves_clock(entry: Entry) -> bool:
    """Whether the SLA clock must be evaluated again for this entry (a plain note cannot move it)."""
    if entry.key:
        return not entry.key.startswith(OBSERVATION_KEYS)
    return entry.kind in SLA_KINDS


@dataclass(frozen=True)
class Reminder:
    """A status update is due soon (``soon``) or overdue: the comms lead hears it once each."""

    key: str
    overdue: bool
    due: datetime
    left_seconds: float


def update_reminder(incident: Incident | None, report: SlaReport | None, reminded: set[str]) -> Reminder | None:
    """Two minutes before a status update is due, and once it is overdue: one reminder each
    (``reminded`` keeps the keys of those given, and is updated)."""
    if incident is None or report is None or report.update is None or report.update.next_due is None:
        return None
    return due_reminder(f"{incident.id}:", report.update.next_due, report.now, reminded)


def due_reminder(scope: str, due: datetime, now: datetime, reminded: set[str]) -> Reminder | None:
    """:func:`update_reminder`'s rule for any clock; ``scope`` keeps audiences' reminders apart."""
    left = (due - now).total_seconds()
    key = f"{scope}{due.isoformat()}"
    if left < 0 and f"overdue:{key}" not in reminded:
        reminded.add(f"overdue:{key}")
        return Reminder(f"overdue:{key}", True, due, left)
    if 0 <= left <= 120 and f"soon:{key}" not in reminded:
        reminded.add(f"soon:{key}")
        return Reminder(f"soon:{key}", False, due, left)
    return None


def update_template(incident: Incident, entries: Iterable[Entry]) -> str:
    """The status-update template to offer first: ``declared`` before any update went out,
    ``update`` after, ``resolved`` once resolved."""
    if incident.is_resolved:
        return "resolved"
    return "update" if any(e.kind == "comms" and not e.redacted for e in entries) else "declared"


@dataclass
class Room:
    """The open incident (or none), its entries by id, and what has been written by itself."""

    incident: Incident | None = None
    entries: dict[int, Entry] = field(default_factory=dict)
    seq: int = 0  # the store's change sequence this room has seen
    data_version: int = -1  # the database's version when last read (another process's write changes it)
    written: set[str] = field(default_factory=set)  # keys of automatic entries known to be written
    recorder: rec.Recorder = field(default_factory=rec.Recorder)
    readings: list[rec.Record] = field(default_factory=list)  # observed, not yet on disk
    drill_ended: bool = False

    # -- the incident --------------------------------------------------------------------------
    def open(self, incident: Incident, entries: Iterable[Entry], seq: int) -> None:
        """Show ``incident`` from now on; a newly opened one records the whole current state first."""
        entries = list(entries)
        self.incident, self.seq = incident, seq
        self.entries = {e.id: e for e in entries}
        self.written = {e.key for e in entries if e.key}
        self.recorder = rec.Recorder()

    @property
    def incident_id(self) -> int | None:
        return self.incident.id if self.incident is not None else None

    @property
    def live(self) -> bool:
        """An incident is open and not resolved: automatic entries and readings are written."""
        return self.incident is not None and not self.incident.is_resolved

    def accept(self, entries: Iterable[Entry | None]) -> tuple[list[Entry], bool]:
        """Take entries the store returned: (those of this incident, to show; whether the SLA
        clock must be evaluated again)."""
        mine = [e for e in entries if e is not None and self.incident is not None
                and e.incident_id == self.incident.id]
        for e in mine:
            self.entries[e.id] = e
            if e.key:
                self.written.add(e.key)
        return mine, any(moves_clock(e) for e in mine)

    def changed(self, entries: Iterable[Entry]) -> list[Entry]:
        """Of entries read back from the store, those that differ from what is shown."""
        return [e for e in entries if self.entries.get(e.id) != e]

    def report(self, now: datetime) -> SlaReport | None:
        return evaluate(self.incident, self.entries.values(), now) if self.incident is not None else None

    # -- automatic entries ------------------------------------------------------------------------
    def claim(self, key: str) -> bool:
        """True once per key: the caller writes the entry (the database ignores a second one)."""
        if key in self.written or self.incident is None:
            return False
        self.written.add(key)
        return True

    def claim_all(self, events: Iterable[tuple[str, str]]) -> dict[str, str]:
        """Of ``(key, text)`` events, those not written yet (each key once), now claimed."""
        if self.incident is None:
            return {}
        new: dict[str, str] = {}
        for key, text in events:
            if key not in self.written and key not in new:
                new[key] = text
        self.written.update(new)
        return new

    # -- the checklist -----------------------------------------------------------------------------
    def ticked(self) -> frozenset[int]:
        if self.incident is None:
            return frozenset()
        return checklist_ticks(self.entries.values(), self.incident.level.key, len(self.incident.level.checklist))

    def check_history(self, index: int) -> list[Entry]:
        return checklist_history(self.entries.values(), self.incident.level.key, index)

    # -- recording -----------------------------------------------------------------------------------
    @property
    def recording(self) -> bool:
        return self.live and not self.drill_ended

    def observe(self, scope: str, state: rec.State, now: datetime) -> None:
        """What a pane shows now; only the changes since the last state of ``scope`` are kept."""
        if self.recording:
            self.readings += self.recorder.observe(scope, state, now)

    def take_readings(self) -> list[rec.Record]:
        batch, self.readings = self.readings, []
        return batch
