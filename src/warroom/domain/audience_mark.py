"""Whom a logged update went to: a ``comms`` entry for an audience other than the responders
starts with ``[to NAME] ``. The responders' cadence (the SLA clock, the cadence report, the
composer's "since the last update") counts only unmarked updates; see ``domain.audiences``."""

from __future__ import annotations

import re

from warroom.domain.timeline import Entry

NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,31}$")
MARK = re.compile(r"^\[to ([a-z0-9][a-z0-9_-]{0,31})\] ")
RESPONDERS = "responders"


def mark(name: str, text: str) -> str:
    """The text logged for an update sent to audience ``name`` (the responders' is unmarked)."""
    return text if name == RESPONDERS else f"[to {name}] {text}"


def audience_of(entry: Entry) -> str:
    """Whom a comms entry went to: the marked audience, else the responders."""
    m = MARK.match(entry.text)
    return m[1] if m else RESPONDERS


def is_responders(entry: Entry) -> bool:
    """Not a comms entry marked for another audience."""
    return entry.kind != "comms" or MARK.match(entry.text) is None
