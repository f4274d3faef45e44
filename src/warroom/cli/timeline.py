"""The timeline commands: ``log`` adds an entry, backdated with ``--at`` if need be.

Kept apart from the incident commands because entries are their own concept (kinds, authors,
backdating); commands that edit, redact or star entries belong here too.
"""

from __future__ import annotations

from warroom.author import author_name
from warroom.cli.common import write_target
from warroom.cli.output import cell, out
from warroom.localtime import on_local_clock

TYPE_CHECKING = False
if TYPE_CHECKING:
    from warroom.store import IncidentStore


async def cmd_log(store: IncidentStore, args, now) -> int:
    """Echo where the line went (``#4 Checkout 500s: entry 75 (14:02:11)``), not just a number."""
    incident, at = await write_target(store, args, now)
    text = " ".join(args.text)
    owner, due = "", None
    from warroom.domain.timeline import parse_kind

    if parse_kind(args.kind) == "action":  # ``@alice [prevent] [P2] … by fri #JIRA-1``, as /a
        from warroom.cli.common import CliError
        from warroom.domain.scribe import ScribeError, parse_action
        from warroom.localtime import local_timezone

        try:
            line = parse_action(text, at, now, local_timezone())
        except ScribeError as exc:
            raise CliError(str(exc)) from None
        text, owner, due, args.kind = line.text, line.owner, line.due, "action"
    entry = await store.append(incident.id, text, author=author_name(args.author), now=now, at=at, kind=args.kind,
                               owner=owner, due=due)
    shown = on_local_clock(entry.at)
    out(f"{incident.ref} {cell(incident.title)}: entry {entry.id} ({shown:%H:%M:%S})")
    return 0
