"""Audiences: who an update is for, and when each is due its next one.

The responders get the tactical update at the policy's cadence (``Level.update_every``), as
always. Other audiences (an executive summary, customer success…) are configured with their own
template, webhooks and a cadence per severity level; an update sent to one is a ``comms`` entry
whose text starts with ``[to NAME] `` (``audience_mark``), so the timeline says who it went to and
each clock counts only its own updates.

Each audience's clock is :func:`warroom.domain.sla.evaluate`'s own update clock — severity
changes, late windows and all — run over the incident with that audience's cadence per level and
that audience's updates only (:func:`audience_clock`). Pure: ``now`` is passed in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Iterable, Mapping

from warroom.domain.audience_mark import MARK, RESPONDERS, audience_of
from warroom.domain.frozen import replace
from warroom.domain.policy import Span
from warroom.domain.sla import UpdateClock, evaluate
from warroom.domain.timeline import Entry

if TYPE_CHECKING:
    from warroom.domain.incident import Incident

@dataclass(frozen=True)
class Audience:
    name: str  # lowercase letters, digits, - and _
    template: str = "update"
    every: Mapping[str, Span] = field(default_factory=dict)  # level key → cadence; a level not listed: none


def _norm(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def cadence_for(audience: Audience, level_key: str) -> Span | None:
    """The audience's cadence at a level (keys compared as policies compare them: ``sev1`` = ``SEV-1``)."""
    wanted = _norm(level_key)
    return next((span for key, span in audience.every.items() if _norm(key) == wanted), None)


def audience_clock(incident: Incident, entries: Iterable[Entry], audience: Audience,
                   now: datetime) -> UpdateClock | None:
    """When ``audience``'s next update is due (None: no level it went through sets it a cadence)."""
    levels = tuple(replace(lvl, update_every=cadence_for(audience, lvl.key)) for lvl in incident.policy.levels)
    own = replace(incident, policy=replace(incident.policy, levels=levels))
    mine: list[Entry] = []
    for e in entries:
        if e.kind != "comms":
            mine.append(e)
        elif audience_of(e) == audience.name:
            mine.append(e if audience.name == RESPONDERS else replace(e, text=e.text[MARK.match(e.text).end():]))
    return evaluate(own, mine, now).update
