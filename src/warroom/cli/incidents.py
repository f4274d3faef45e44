"""The incident commands: declare, list, ack, status, severity, assign.

Each runs in an open database (see ``dispatch``) and echoes what it wrote, so a person typing in a
second terminal mid-incident sees the change land.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from warroom.author import author_name
from warroom.cli.common import write_target
from warroom.cli.output import cell, out, table
from warroom.domain import incident as inc
from warroom.domain.times import format_duration, parse_when
from warroom.localtime import local_timezone

if TYPE_CHECKING:
    from warroom.store import IncidentStore


async def cmd_declare(store: IncidentStore, args, now) -> int:
    from warroom.policies import load_policy

    policy = load_policy(args.policy)
    severity = args.severity or policy.default_level.key
    local = local_timezone()
    detected = parse_when(args.detected_at, now, local) if args.detected_at else None
    # A minute of clock skew is accepted as typed, and declared as now.
    declared = min(parse_when(args.declared_at, now, local), now) if args.declared_at else None
    incident = await store.declare(
        args.title, policy, severity, now=now, author=author_name(), detected_at=detected,
        declared_at=declared, services=args.service, impact=args.impact,
    )
    out(str(incident.id))
    return 0


async def cmd_list(store: IncidentStore, args, now) -> int:
    incidents = await store.incidents(include_resolved=args.all)
    active = await store.active_incident_id()
    if not incidents:
        out("no incidents" if args.all else "no open incidents (--all lists resolved ones too)")
        return 0
    rows = [("", "ID", "SEVERITY", "STATUS", "AGE", "TITLE")]
    for i in incidents:
        end = i.milestones.get("resolved", now)
        title = ("[DRILL] " if i.drill else "") + i.title
        rows.append(("*" if i.id == active else "", f"#{i.id}", i.severity, i.status,
                     format_duration(end - i.start), title))
    for line in table(rows):
        out(line)
    shown = {i.id for i in incidents}
    if active is not None and active not in shown:
        # Resolved, so not listed: say so, for it is where a command without -i would have gone.
        out(f"active: #{active} (resolved; log, ack and status need -i while it is)")
    return 0


async def cmd_ack(store: IncidentStore, args, now) -> int:
    incident, at = await write_target(store, args, now)
    who = author_name()
    _report(await store.change(incident.id, lambda i: inc.acknowledge(i, at, who), author=who, at=at, now=now))
    return 0


async def cmd_status(store: IncidentStore, args, now) -> int:
    incident, at = await write_target(store, args, now)
    _report(await store.change(incident.id, lambda i: inc.change_status(i, args.status, at),
                               author=author_name(), at=at, now=now, kind="status"))
    return 0


async def cmd_severity(store: IncidentStore, args, now) -> int:
    incident, at = await write_target(store, args, now)
    _report(await store.change(incident.id, lambda i: inc.change_severity(i, args.level),
                               author=author_name(), at=at, now=now))
    return 0


async def cmd_assign(store: IncidentStore, args, now) -> int:
    incident, _ = await write_target(store, args, now)
    _report(await store.change(incident.id, lambda i: inc.assign_role(i, args.role, args.name),
                               author=author_name(), at=now, now=now))
    return 0


def _report(result) -> None:
    """Echo what a change wrote to the timeline: the confirmation a person at a keyboard wants."""
    incident, entries = result
    for entry in entries:
        out(f"{incident.ref}: {cell(entry.text)}")
