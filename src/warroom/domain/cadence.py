"""Were the status updates sent on time? The cadence report for the export and the drill score."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Iterable

from warroom.domain import markdown as md
from warroom.domain.audience_mark import is_responders
from warroom.domain.incident import Incident
from warroom.domain.sla import UpdateGap, evaluate
from warroom.domain.text import clean_line as _line
from warroom.domain.text import visible
from warroom.domain.timeline import Entry, in_order
from warroom.domain.times import format_duration, short_utc

@dataclass(frozen=True)
class SentUpdate:
    """One comms entry: when it went out and whether it came within the cadence."""

    entry_id: int
    at: datetime
    author: str
    text: str
    counted: bool  # within declared..resolved: the cadence clock counts it
    after: datetime | None = None  # the previous update (or the declaration) it followed
    late_by: timedelta | None = None
    note: str = ""  # why it is not counted: "before declaration", "after resolution"

    @property
    def kept(self) -> bool | None:
        """True: on time; False: late; None: outside the cadence window or no cadence."""
        if not self.counted or self.after is None:
            return None
        return self.late_by is None


@dataclass(frozen=True)
class CadenceReport:
    every: str  # "15 min"; "" when the level sets no cadence
    updates: tuple[SentUpdate, ...]
    tail: UpdateGap | None  # the window after the last update, when it ran late (to resolution or now)
    next_due: datetime | None
    overdue: timedelta | None
    resolved: bool

    @property
    def late(self) -> int:
        return sum(1 for u in self.updates if u.kept is False) + (1 if self.tail is not None else 0)

    @property
    def kept(self) -> bool | None:
        return None if not self.every else self.late == 0

    @property
    def sent(self) -> int:
        return len(self.updates)

    def to_markdown(self, heading: str = "## Status updates") -> str:
        """A section for the export: every update with its time and whether the cadence was kept."""
        out = [heading, ""]
        if not self.every:
            out.append(f"This level sets no update cadence; {self.sent} update{'s' if self.sent != 1 else ''} sent.")
        else:
            verdict = "kept" if self.kept else f"missed {self.late} time{'s' if self.late != 1 else ''}"
            out.append(f"Cadence: every {md.inline(self.every)}; {self.sent} update{'s' if self.sent != 1 else ''} "
                       f"sent; cadence {verdict}.")
        out.append("")
        if self.updates:
            out.append("| Sent (UTC) | By | After | Cadence | Update |")
            out.append("|---|---|---|---|---|")
            for u in self.updates:
                after = format_duration(u.at - u.after) if u.after is not None else "—"
                out.append(f"| {short_utc(u.at)} | {md.cell(u.author)} | {after} | {_kept_text(u)} | "
                           f"{md.cell(_first_line(u.text))} |")
            out.append("")
        else:
            out.append("_No update was sent._")
            out.append("")
        if self.tail is not None:
            until = "resolution" if self.resolved else "now"
            out.append(f"- no update between {short_utc(self.tail.start)} and {until} ({short_utc(self.tail.end)}): "
                       f"late by {format_duration(self.tail.late_by)}")
            out.append("")
        return "\n".join(out)


def _kept_text(u: SentUpdate) -> str:
    if not u.counted:
        return f"not counted ({u.note})"
    if u.kept is None:
        return "—"
    return "kept" if u.kept else f"late by {format_duration(u.late_by)}"


def _first_line(text: str) -> str:
    first = text.strip().split("\n", 1)[0]
    more = "…" if "\n" in text.strip() or len(first) > 100 else ""
    return (first[:100] + more) if len(first) > 100 else first + more


def cadence_report(incident: Incident, entries: Iterable[Entry], now: datetime) -> CadenceReport:
    """Every update sent (comms entries) and whether each came within the cadence.

    Reuses :func:`warroom.domain.sla.evaluate`'s gaps: the n-th counted update closes the n-th
    gap (declaration → first update, first → second, …). Updates before the declaration or after
    the resolution are listed but not counted, as the SLA clock does.
    """
    entries = in_order(entries)
    sla = evaluate(incident, entries, now)
    update = sla.update
    declared = incident.milestones["declared"]
    resolved = incident.milestones.get("resolved")
    comms = sorted((e for e in entries if e.kind == "comms" and not e.redacted and is_responders(e)), key=lambda e: (e.at, e.logged_at, e.id))

    gaps = list(update.gaps) if update is not None else []
    out: list[SentUpdate] = []
    index = 0
    for e in comms:
        text = visible(e.text.replace("\r\n", "\n"))
        author = _line(e.author)
        if e.at < declared:
            out.append(SentUpdate(e.id, e.at, author, text, False, note="before declaration"))
            continue
        if resolved is not None and e.at > resolved:
            out.append(SentUpdate(e.id, e.at, author, text, False, note="after resolution"))
            continue
        gap = gaps[index] if index < len(gaps) else None
        index += 1
        if gap is not None and gap.end == e.at:
            out.append(SentUpdate(e.id, e.at, author, text, True, gap.start, gap.late_by))
        else:
            out.append(SentUpdate(e.id, e.at, author, text, True))
    tail = None
    if update is not None and len(gaps) > index:
        last = gaps[index]
        if last.late_by is not None:
            tail = last
    return CadenceReport(
        every=str(update.every) if update is not None else "",
        updates=tuple(out),
        tail=tail,
        next_due=update.next_due if update is not None else None,
        overdue=update.overdue if update is not None else None,
        resolved=resolved is not None,
    )
