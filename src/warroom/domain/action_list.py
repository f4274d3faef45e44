"""The action items of every incident, as a weekly review chases them (``warroom actions``):
filtered (open only, one owner), ordered (open first, then priority and due time), and written
as markdown, JSON or CSV — each with its own escaping of the user's text.

Markdown: every field through ``markdown.inline`` (no heading, link, HTML or table break from a
text). CSV: a cell a spreadsheet would take for a formula (starting with ``=``, ``+``, ``-``,
``@``, a tab or a carriage return) is prefixed with ``'`` (CSV injection). JSON: strings as they
are (the JSON encoder escapes them). Pure: ``now`` is passed in.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime
from typing import Iterable, Mapping

from warroom.domain import markdown as md
from warroom.domain.actions import ActionItem, fields, is_checklist, sort_key
from warroom.domain.incident import Incident
from warroom.domain.timeline import Entry
from warroom.domain.times import iso_utc, short_utc

FORMATS = ("markdown", "json", "csv")
CSV_COLUMNS = ("incident", "incident_title", "drill", "entry", "status", "priority", "type", "owner", "due",
               "overdue", "tracker", "action", "logged_at", "author", "done_at", "done_by")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def collect(entries: Iterable[Entry], incidents: Mapping[int, Incident], *, open_only: bool = False,
            owner: str = "", drills: bool = False) -> list[ActionItem]:
    """The action items to list, in chasing order. ``owner`` matches with or without its ``@``,
    in any case; checklist ticks are not action items; drill incidents only with ``drills``."""
    wanted = owner.strip().lstrip("@").casefold()
    out = []
    for e in entries:
        incident = incidents.get(e.incident_id)
        if e.kind != "action" or e.redacted or is_checklist(e) or incident is None:
            continue
        if (incident.drill and not drills) or (open_only and e.done_at is not None):
            continue
        if wanted and e.owner.casefold() != wanted:
            continue
        out.append(ActionItem(e, fields(e.text), incident.ref, incident.title, incident.drill))
    return sorted(out, key=sort_key)


def _status(item: ActionItem, now: datetime) -> str:
    if item.done:
        return "done"
    return "open, overdue" if item.overdue(now) else "open"


def to_markdown(items: list[ActionItem], now: datetime, *, drills: bool = False) -> str:
    done = sum(1 for i in items if i.done)
    out = ["# Action items", "",
           f"{len(items) - done} open, {done} done, as of {short_utc(now)}."
           + ("" if drills else " Drill incidents are left out (--drills lists them)."), ""]
    if not items:
        return "\n".join(out + ["_None._", ""])
    out += ["| Status | Priority | Type | Owner | Due (UTC) | Action | Tracker | Incident | Entry |",
            "|---|---|---|---|---|---|---|---|---|"]
    for i in items:
        e, t = i.entry, i.tags
        status = _status(i, now)
        if i.done:
            status += f" {short_utc(e.done_at)}" + (f" by {md.inline(e.done_by)}" if e.done_by else "")
        incident = f"{i.incident_ref} {md.inline(i.incident_title)}" + (" (drill)" if i.drill else "")
        out.append(f"| {status} | {t.priority or '—'} | {t.type or '—'} | "
                   f"{'@' + md.inline(e.owner) if e.owner else '—'} | {short_utc(e.due) if e.due else '—'} | "
                   f"{md.inline(t.body)} | {md.inline(t.tracker) if t.tracker else '—'} | {incident} | {e.id} |")
    return "\n".join(out + [""])


def _record(i: ActionItem, now: datetime) -> dict:
    e, t = i.entry, i.tags
    return {
        "incident": {"id": e.incident_id, "ref": i.incident_ref, "title": i.incident_title, "drill": i.drill},
        "entry": e.id, "status": "done" if i.done else "open", "overdue": i.overdue(now),
        "priority": t.priority or None, "type": t.type or None, "owner": e.owner or None,
        "due": iso_utc(e.due) if e.due else None, "tracker": t.tracker or None, "action": t.body,
        "at": iso_utc(e.at), "logged_at": iso_utc(e.logged_at), "author": e.author,
        "done": None if e.done_at is None else {"at": iso_utc(e.done_at), "by": e.done_by},
    }


def to_json(items: list[ActionItem], now: datetime) -> str:
    document = {"format": "warroom-actions", "version": 1, "generated_at": iso_utc(now),
                "actions": [_record(i, now) for i in items]}
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def csv_cell(value: object) -> str:
    """A cell no spreadsheet runs: one that starts like a formula gets a leading ``'``."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def to_csv(items: list[ActionItem], now: datetime) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for i in items:
        r = _record(i, now)
        done = r["done"] or {}
        writer.writerow([csv_cell(v) for v in (
            i.incident_ref, i.incident_title, "yes" if i.drill else "no", r["entry"], r["status"], r["priority"],
            r["type"], r["owner"], r["due"], "yes" if r["overdue"] else "no", r["tracker"], r["action"],
            r["logged_at"], r["author"], done.get("at"), done.get("by"))])
    return buffer.getvalue()


def render(items: list[ActionItem], now: datetime, fmt: str, *, drills: bool = False) -> str:
    if fmt == "json":
        return to_json(items, now)
    if fmt == "csv":
        return to_csv(items, now)
    return to_markdown(items, now, drills=drills)
