"""The action items across incidents: ``warroom actions`` lists them for a weekly review (open
only, one owner, as markdown, JSON or CSV); ``warroom action done|open ID`` marks one done or open
again. The listing's rules and escaping are the domain's (``domain.action_list``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from warroom.author import author_name
from warroom.cli.output import cell, out, write, write_json

if TYPE_CHECKING:
    from warroom.store import IncidentStore


async def cmd_actions(store: IncidentStore, args, now) -> int:
    from warroom.domain.action_list import collect, render

    incidents = {i.id: i for i in await store.incidents()}
    items = collect(await store.action_entries(), incidents, open_only=args.open, owner=args.owner or "",
                    drills=args.drills)
    document = render(items, now, args.format, drills=args.drills)
    (write_json if args.format == "json" else write)(document)
    return 0


async def cmd_action(store: IncidentStore, args, now) -> int:
    """``action 12 done: #4 Checkout 500s: roll back the deploy`` (or ``open again``)."""
    from warroom.domain.actions import fields

    done = args.state == "done"
    entry = await store.set_action_done(args.entry, done, by=author_name(args.author), now=now)
    incident = await store.incident(entry.incident_id)
    out(f"action {entry.id} {'done' if done else 'open again'}: {incident.ref} {cell(incident.title)}: "
        f"{cell(fields(entry.text).body)}")
    return 0
