"""The timeline commands: ``log`` adds an entry, backdated with ``--at`` if need be.

Kept apart from the incident commands because entries are their own concept (kinds, authors,
backdating); commands that edit, redact or star entries belong here too.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from warroom.author import author_name
from warroom.cli.common import target, when
from warroom.cli.output import out

if TYPE_CHECKING:
    from warroom.store import IncidentStore


async def cmd_log(store: IncidentStore, args, now) -> int:
    incident_id = await target(store, args)
    text = " ".join(args.text)
    entry = await store.append(incident_id, text, author=author_name(args.author), now=now,
                               at=when(args.at, now), kind=args.kind)
    out(str(entry.id))
    return 0
