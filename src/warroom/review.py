"""The sections of the review draft that come from more than the timeline: the drill report and
the evidence recorded beside it. Shared by ``warroom export`` and the TUI's export key."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from warroom.store import IncidentStore


async def extra_sections(store: IncidentStore, incident, entries, now: datetime) -> list[str]:
    from warroom.domain.recording import Timeline
    from warroom.domain.replay import evidence_markdown
    from warroom.drill.library import drill_sections

    sections = await drill_sections(store, incident, entries, now)
    evidence = evidence_markdown(incident, entries, Timeline(await store.readings(incident.id)))
    return sections + ([evidence] if evidence else [])
