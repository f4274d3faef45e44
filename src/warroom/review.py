"""The review draft as ``warroom export`` and the TUI's export key make it: the incident's entries,
its drill report and recorded readings, rendered from the chosen review template
(``review_templates``: full, light, or a file)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from warroom.store import IncidentStore


async def extra_sections(store: IncidentStore, incident, entries, now: datetime) -> list[str]:
    """The sections that come from more than the timeline: the drill report ([] for a real incident)."""
    from warroom.drill.library import drill_sections

    return await drill_sections(store, incident, entries, now)


async def review_document(store: IncidentStore, incident, entries, now: datetime, *, template: str = "full",
                          with_extras: bool = True, more: list[str] | tuple[str, ...] = ()) -> str:
    """The review of ``incident`` from ``template``; ``with_extras`` False leaves out what is read
    beside the timeline (the drill report, the readings): a salvage from a damaged file. ``more``:
    sections made beside it (the charts of ``export --charts``)."""
    from warroom.review_templates import review_markdown, user_review_dir

    sections, readings = [], None
    if with_extras:
        sections = await extra_sections(store, incident, entries, now)
        readings = await store.readings(incident.id)
    return review_markdown(incident, entries, now, template=template, user_dir=user_review_dir(),
                           extra_sections=[*sections, *more], readings=readings)
