"""An incident whole, as a store holds it — what ``warroom copy`` and ``warroom import`` move
between stores: the incident's row, every entry with its revisions, its readings and its drill
scenario, every value exactly as stored (times as ISO 8601 text, JSON as text, flags as 0/1).

Stored values, not domain values, so that a copy is exact: ids of the source aside (the
destination numbers its own), every time, author, revision, redaction, key and client id arrives
as it left. A redacted entry is copied as the store keeps it — still redacted, its text hidden
from every view and export of the destination as it was in the source.

The origin key says which incident this is, whatever store it is in: the instant its first store
created it (``created_at``, to the microsecond) and its id there, ``2026-11-23T10:00:00.123456Z#3``.
A copy records the origin key it came with, so a second copy of the same incident (or a copy
back to where it came from) finds it instead of writing it twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

INCIDENT_COLUMNS = ("title", "severity", "status", "policy", "milestones", "roles", "services", "impact",
                    "summary", "drill", "created_at", "updated_at")
#: ``id`` first: the entry's id in the store it was read from (revisions refer to it).
ENTRY_COLUMNS = ("id", "at", "logged_at", "author", "kind", "text", "starred", "revision", "redacted_at",
                 "redacted_by", "redaction_reason", "owner", "due", "key", "client_id", "done_at", "done_by")
REVISION_COLUMNS = ("entry_id", "revision", "at", "kind", "text", "author", "replaced_at", "replaced_by")
READING_COLUMNS = ("at", "stream", "key", "value")
DRILL_COLUMNS = ("scenario", "source", "speed", "started_at")

#: The ``meta`` key under which a store records the origin key of an incident it was given.
ORIGIN_PREFIX = "origin:"


@dataclass(frozen=True)
class WholeIncident:
    """One incident as stored, each row a tuple in the order of its ``*_COLUMNS``."""

    id: int  # in the store (or export) it came from
    origin: str
    incident: tuple[Any, ...]
    entries: tuple[tuple[Any, ...], ...]  # in id order: ties in the timeline keep their order
    revisions: tuple[tuple[Any, ...], ...]
    readings: tuple[tuple[Any, ...], ...]  # in the order written
    drill: tuple[Any, ...] | None = None

    @property
    def title(self) -> str:
        return self.incident[0]

    @property
    def created_at(self) -> str:
        return self.incident[INCIDENT_COLUMNS.index("created_at")]


def origin_key(created_at: str, incident_id: int) -> str:
    """The key of an incident in the store that created it (see the module's docstring)."""
    return f"{created_at}#{incident_id}"


def origin_meta_key(incident_id: int) -> str:
    return f"{ORIGIN_PREFIX}{incident_id}"


def columns(names: tuple[str, ...]) -> str:
    return ", ".join(names)


def placeholders(count: int) -> str:
    return ",".join("?" * count)
