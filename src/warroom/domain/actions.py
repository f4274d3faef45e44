"""Action items: what an ``action`` entry asks of whom, by when, how urgently, and whether it is done.

An action is typed ``/a @alice [prevent] [P2] add a pool alert by fri #JIRA-123``. The owner and
the due time are stored in the entry's own columns (as before); the type, the priority and the
tracker reference stay in its text, in one canonical order — ``[prevent] [P2] add a pool alert
#JIRA-123`` — so an edit of the text edits them too, a copy or an export carries them as typed,
and every reader (the timeline, the review, ``warroom actions``) reads them back with
:func:`fields`. Whether it is done (and when, by whom) is stored beside the entry (``done_at``).

Pure: no clock, no I/O. ``fields`` never refuses (a text written by hand, or by an older
warroom, is read leniently); the scribe's grammar (``scribe``) is strict with what is typed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from typing import Iterable

from warroom.domain.timeline import Entry

TYPES = ("mitigate", "prevent", "process")
PRIORITIES = ("P0", "P1", "P2", "P3")
#: A due date without a time of day means that day at this local time (the end of a working day).
DUE_HOUR = 17
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")

_TAG = re.compile(r"^\[([^\[\]\s]{1,24})\]\s*")
_TRACKER = re.compile(r"(?:^|\s)#([A-Za-z0-9][A-Za-z0-9_.:/\-]*)$")


class ActionError(ValueError):
    """A typed action cannot be understood; the message says how to fix it (one line)."""


@dataclass(frozen=True)
class Tags:
    """What an action's text says besides what to do."""

    type: str = ""  # one of TYPES, or "" (not said)
    priority: str = ""  # one of PRIORITIES, or ""
    body: str = ""
    tracker: str = ""  # without its "#"


def tag_of(word: str) -> tuple[str, str] | None:
    """``("type", "prevent")`` or ``("priority", "P2")`` for a bracketed word, None if it is neither.
    A type may be shortened to a unique prefix of three letters or more (``[prev]``)."""
    low = word.lower()
    if re.fullmatch(r"p\d", low):
        return ("priority", low.upper()) if low.upper() in PRIORITIES else None
    matches = [t for t in TYPES if len(low) >= 3 and t.startswith(low)]
    return ("type", matches[0]) if len(matches) == 1 else None


def fields(text: str) -> Tags:
    """The tags of a stored action text: leading ``[type]``/``[Pn]`` and a trailing ``#REF``."""
    body, kind, prio = text.strip(), "", ""
    while m := _TAG.match(body):
        tag = tag_of(m[1])
        if tag is None or (tag[0] == "type" and kind) or (tag[0] == "priority" and prio):
            break
        if tag[0] == "type":
            kind = tag[1]
        else:
            prio = tag[1]
        body = body[m.end():]
    tracker = ""
    t = _TRACKER.search(body)
    if t and body[: t.start()].strip():
        tracker, body = t[1], body[: t.start()].rstrip()
    return Tags(kind, prio, body.strip(), tracker)


def canonical(tags: Tags) -> str:
    """The stored text of an action: ``[type] [Pn] body #REF`` (what is not said is left out)."""
    parts = [f"[{tags.type}]"] if tags.type else []
    parts += [f"[{tags.priority}]"] if tags.priority else []
    parts.append(tags.body)
    if tags.tracker:
        parts.append(f"#{tags.tracker}")
    return " ".join(parts)


def typed_tags(text: str) -> Tags:
    """The leading tags of a typed action, strictly: an unknown or repeated tag is refused."""
    body, kind, prio = text.strip(), "", ""
    while m := _TAG.match(body):
        tag = tag_of(m[1])
        if tag is None:
            raise ActionError(f"unknown tag [{m[1]}] (types: {', '.join(TYPES)}; priorities: P0–P3; "
                              "to start the text with brackets, put a word first)")
        if (tag[0] == "type" and kind) or (tag[0] == "priority" and prio):
            what = "types" if tag[0] == "type" else "priorities"
            raise ActionError(f"two {what}: [{m[1]}] (an action has one type and one priority)")
        if tag[0] == "type":
            kind = tag[1]
        else:
            prio = tag[1]
        body = body[m.end():]
    return Tags(kind, prio, body.strip())


def due_day(text: str, now: datetime, local: tzinfo) -> datetime | None:
    """``fri``/``friday``, ``today``, ``tomorrow`` or ``2026-12-01``: that day at ``DUE_HOUR`` local
    (a weekday is its next one; today's if ``DUE_HOUR`` is still ahead). None if it is none of them."""
    from warroom.domain.times import parse_when

    low = text.lower()
    today = now.astimezone(local).date()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", low):
        return parse_when(f"{low}T{DUE_HOUR:02d}:00", now, local, allow_future=True)
    if low in ("today", "tomorrow"):
        day = today + timedelta(days=0 if low == "today" else 1)
    else:
        names = [i for i, name in enumerate(WEEKDAYS) if len(low) >= 3 and name.startswith(low)]
        if len(names) != 1:
            return None
        day = today + timedelta(days=(names[0] - today.weekday()) % 7)
    due = parse_when(f"{day.isoformat()}T{DUE_HOUR:02d}:00", now, local, allow_future=True)
    if low not in ("today",) and due <= now:
        due = parse_when(f"{(day + timedelta(days=7)).isoformat()}T{DUE_HOUR:02d}:00", now, local,
                         allow_future=True)
    return due


@dataclass(frozen=True)
class ActionItem:
    """One action entry as a review or a weekly chase reads it."""

    entry: Entry
    tags: Tags
    incident_ref: str = ""
    incident_title: str = ""
    drill: bool = False

    @property
    def done(self) -> bool:
        return self.entry.done_at is not None

    @property
    def status(self) -> str:
        return "done" if self.done else "open"

    def overdue(self, now: datetime) -> bool:
        return not self.done and self.entry.due is not None and self.entry.due < now


def action_items(entries: Iterable[Entry], *, include_checklist: bool = False) -> list[ActionItem]:
    """The incident's live action items in timeline order (redacted ones left out; checklist
    ticks, which are action entries too, only with ``include_checklist``)."""
    return [ActionItem(e, fields(e.text)) for e in entries
            if e.kind == "action" and not e.redacted and (include_checklist or not is_checklist(e))]


def is_checklist(entry: Entry) -> bool:
    return bool(entry.key and entry.key.startswith("check:"))


def sort_key(item: ActionItem) -> tuple:
    """Open first, then by priority (unset last), due time (none last), incident and entry."""
    prio = PRIORITIES.index(item.tags.priority) if item.tags.priority else len(PRIORITIES)
    due = item.entry.due.timestamp() if item.entry.due else float("inf")
    return (item.done, prio, due, item.entry.incident_id, item.entry.id)
