"""Timeline entries: what happened, when, who said so — and every earlier version of it.

Nothing is ever dropped: an edit keeps the previous text as a revision, a deletion is a
redaction with a reason (the text stays in the revision history, exports show the reason).
"""

from __future__ import annotations

from warroom.domain.frozen import Frozen

TYPE_CHECKING = False
if TYPE_CHECKING:
    from datetime import datetime

KINDS = ("note", "action", "decision", "status", "escalation", "comms", "system")
#: Kinds that count as a human response for the ``respond`` SLA target.
RESPONSE_KINDS = frozenset({"action", "decision", "status", "comms"})


class EntryError(ValueError):
    """An entry change that cannot be applied."""


def parse_kind(text: str) -> str:
    wanted = text.strip().lower()
    if wanted in KINDS:
        return wanted
    matches = [k for k in KINDS if k.startswith(wanted)] if wanted else []
    if len(matches) == 1:
        return matches[0]
    raise EntryError(f"unknown kind {text!r} (kinds: {', '.join(KINDS)})")


class Revision(Frozen):
    """A superseded version of an entry, kept for the record."""

    revision: int
    at: datetime
    kind: str
    text: str
    author: str
    replaced_at: datetime
    replaced_by: str


class Entry(Frozen):
    """A frozen value (``domain.frozen``): equal whatever history was read with it."""

    UNCOMPARED = ("history",)

    id: int
    incident_id: int
    at: datetime  # when it happened (backdatable)
    logged_at: datetime  # when it was typed
    author: str
    kind: str
    text: str
    starred: bool = False
    revision: int = 1
    redacted_at: datetime | None = None
    redacted_by: str = ""
    redaction_reason: str = ""
    owner: str = ""  # action items
    due: datetime | None = None  # action items
    key: str | None = None  # de-duplication key of automatic entries (SLA breach …)
    done_at: datetime | None = None  # action items: when marked done (None: open)
    done_by: str = ""
    history: tuple[Revision, ...] = ()

    @property
    def redacted(self) -> bool:
        return self.redacted_at is not None

    @property
    def edited(self) -> bool:
        return self.revision > 1

    @property
    def backdated(self) -> bool:
        return (self.logged_at - self.at).total_seconds() > 60


def sort_key(entry: Entry) -> tuple[datetime, datetime, int]:
    """Timeline order: when it happened, then when it was logged, then id."""
    return (entry.at, entry.logged_at, entry.id)


def in_order(entries) -> list[Entry]:
    return sorted(entries, key=sort_key)


def checklist_history(entries, level_key: str, index: int) -> list[Entry]:
    """The tick/untick entries of one checklist item of a level, oldest first (keyed ``check:…``)."""
    prefix = f"check:{level_key}:{index}:"
    return sorted((e for e in entries if e.key and e.key.startswith(prefix)), key=lambda e: e.id)


def checklist_ticks(entries, level_key: str, items: int) -> frozenset[int]:
    """The items whose last tick entry is not redacted (unticking redacts the tick)."""
    entries = list(entries)
    out = set()
    for i in range(items):
        history = checklist_history(entries, level_key, i)
        if history and not history[-1].redacted:
            out.add(i)
    return frozenset(out)
