"""Rows ↔ domain values: incidents, entries, revisions and readings as both engines store them.

Pure mapping, no connection: the store, the journal and the salvage all read rows the same
way. A stored time no reader understands (an older warroom wrote ``999-06-01…``; another tool
wrote garbage) is shown as a note at the start of the text, never fatal, never hidden.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from functools import lru_cache, partial

from warroom.domain.frozen import Later
from warroom.domain.incident import Incident
from warroom.domain.timeline import Entry, Revision
from warroom.domain.times import EARLIEST, iso_utc, parse_instant

TYPE_CHECKING = False
if TYPE_CHECKING:  # readings and policies load when read: ``warroom log`` reads neither
    from typing import Any

    from warroom.domain.policy import Policy
    from warroom.domain.recording import Record

ENTRY_COLUMNS = (
    "id, incident_id, at, logged_at, author, kind, text, starred, revision, "
    "redacted_at, redacted_by, redaction_reason, owner, due, key, done_at, done_by"
)

#: ``{conflict}``: empty, or `` ON CONFLICT DO NOTHING`` for an entry written once (a key, a client id).
INSERT_ENTRY = ("INSERT INTO entries (incident_id, at, logged_at, author, kind, text, owner, due, key, client_id)"
                " VALUES (?,?,?,?,?,?,?,?,?,?){conflict} RETURNING id")


def optional_time(text: str | None) -> datetime | None:
    return stored_time(text) if text else None


def stored_time(text: Any) -> datetime | None:
    """A stored instant, or None when the row holds one no reader understands (an older warroom
    wrote ``999-06-01…``; another tool wrote garbage): a bad row is shown, never fatal."""
    try:
        return parse_instant(text)
    except (ValueError, TypeError, OverflowError):
        return None


def _unreadable(what: str, raw: Any) -> str:
    """The note an entry's text starts with when one of its times cannot be read (shown literally)."""
    shown = repr(raw if not isinstance(raw, str) else raw[:40])
    return f"[unreadable {what} {shown}] "


@lru_cache(maxsize=64)
def _policy(snapshot: str) -> Policy:
    from warroom.domain.policy import policy_from_snapshot

    return policy_from_snapshot(json.loads(snapshot))


def to_incident(row) -> Incident:
    """A row read by name (``sqlite3.Row``, or the PostgreSQL engine's ``NamedRow``)."""
    return Incident(
        id=row["id"],
        title=row["title"],
        severity=row["severity"],
        status=row["status"],
        policy=Later(partial(_policy, row["policy"])),  # made when read (``warroom log`` never does)
        milestones=_milestones(row),
        roles=json.loads(row["roles"]),
        services=tuple(json.loads(row["services"])),
        impact=row["impact"],
        summary=row["summary"],
        drill=bool(row["drill"]),
    )


def _milestones(row) -> dict[str, datetime]:
    """The readable milestones; an unreadable ``declared`` falls back to when the row was created
    (every incident has one), any other unreadable one is left out (its timeline entry shows it)."""
    milestones = {k: t for k, v in json.loads(row["milestones"]).items() if (t := stored_time(v)) is not None}
    if "declared" not in milestones:
        milestones["declared"] = stored_time(row["created_at"]) or EARLIEST
    return milestones


def milestones_json(milestones) -> str:
    return json.dumps({k: iso_utc(v) for k, v in milestones.items()}, sort_keys=True)


def to_entry(row, history: tuple[Revision, ...] = ()) -> Entry:
    """An entry row; a time that cannot be read becomes a note at the start of its text, and the
    entry sorts where it was logged (or, failing that, first) — shown, never fatal, never hidden."""
    (id_, incident_id, at, logged_at, author, kind, text, starred, revision,
     redacted_at, redacted_by, reason, owner, due, key, done_at, done_by) = tuple(row)
    when, logged = stored_time(at), stored_time(logged_at)
    notes = ""
    if when is None:
        notes += _unreadable("time", at)
    if logged is None:
        notes += _unreadable("logged time", logged_at)
    when = when or logged or EARLIEST
    logged = logged or when
    due_at = optional_time(due)
    if due and due_at is None:
        notes += _unreadable("due time", due)
    redacted = optional_time(redacted_at)
    if redacted_at and redacted is None:  # still redacted: the text stays hidden
        redacted = logged
    return Entry(
        id=id_, incident_id=incident_id, at=when, logged_at=logged, author=author,
        kind=kind, text=notes + text, starred=bool(starred), revision=revision, redacted_at=redacted,
        redacted_by=redacted_by, redaction_reason=reason, owner=owner, due=due_at, key=key,
        done_at=_done(done_at, logged), done_by=done_by, history=history,
    )


def _done(text, logged: datetime) -> datetime | None:
    """When an action was marked done; one no reader understands still means done (when logged)."""
    return None if text is None else (stored_time(text) or logged)


def to_revision(r) -> Revision:
    at, replaced_at = stored_time(r[2]), stored_time(r[6])
    notes = (_unreadable("time", r[2]) if at is None else "") + (
        _unreadable("replaced time", r[6]) if replaced_at is None else "")
    at = at or replaced_at or EARLIEST
    return Revision(revision=r[1], at=at, kind=r[3], text=notes + r[4], author=r[5],
                    replaced_at=replaced_at or at, replaced_by=r[7])


def entry_params(incident_id, text, kind, author, at, now, owner, due, key, client_id=None) -> tuple:
    """The ``INSERT_ENTRY`` parameters of a new entry."""
    return (incident_id, iso_utc(at), iso_utc(now), author, kind, text, owner, iso_utc(due) if due else None, key,
            client_id)


def new_entry(entry_id: int, params: tuple) -> Entry:
    """The entry just inserted with ``params``, as ``entries`` would read it back."""
    incident_id, at, logged_at, author, kind, text, owner, due, key, _client_id = params
    return Entry(id=entry_id, incident_id=incident_id, at=parse_instant(at), logged_at=parse_instant(logged_at),
                 author=author, kind=kind, text=text, owner=owner, due=optional_time(due), key=key)


def to_records(rows) -> list[Record]:
    from warroom.domain.recording import Record

    return [Record(datetime.fromtimestamp(r[0], timezone.utc), r[1], r[2], None if r[3] is None else json.loads(r[3]))
            for r in rows]


def reading_rows(incident_id: int, records) -> list[tuple]:
    """Readings as the ``readings`` table keeps them: the value as compact JSON."""
    return [(incident_id, r.at.timestamp(), r.stream, r.key,
             None if r.value is None else json.dumps(r.value, separators=(",", ":"), ensure_ascii=False))
            for r in records]
