"""Which keys work in the current mode, and why not: a key that does nothing says so.

A drill runs its own incident only (its scripted sources must never write into a real one), so
declaring and switching are off; pausing and speeding the clock exist only in a drill.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from warroom.ui.app import WarRoomApp

#: What a read-only view (``warroom --read-only``, ``warroom serve``'s visitors) says of a key that writes.
READ_ONLY = "read-only view — the scribe's war room writes (warroom serve --write gives a scribe link)"
#: The actions that write to the incident, or to a file where the app runs.
WRITING = {"declare": "declare an incident", "switch": "switch incident", "ack": "acknowledge",
           "status": "change status", "severity": "change severity", "assign": "assign a role",
           "compose": "compose an update", "export": "export", "detected_from_alerts": "set detected",
           "star": "star", "edit": "edit", "done": "mark an action done", "redact": "redact",
           "tick": "tick the checklist", "pin": "pin"}

_IN_A_DRILL = "not in a drill — it runs its own incident only (ctrl+q ends it)"
_NO_DRILL = "only in a drill (warroom drill runs one)"


def unavailable(app: WarRoomApp, action: str) -> str:
    """Why ``action`` does nothing now, as ``"switch incident: not in a drill …"``; ``""`` when it works."""
    if action in WRITING and getattr(app, "read_only", False):
        return f"{WRITING[action]}: {READ_ONLY}"
    if action in ("declare", "switch") and app.drill is not None:
        return f"{'declare an incident' if action == 'declare' else 'switch incident'}: {_IN_A_DRILL}"
    if action == "chart" and app.metrics_feed is None:
        return "chart: no metric panels (configure [prometheus] and its panels, or run a drill)"
    if action in ("drill_pause", "drill_speed") and (app.drill is None or app.drill_clock is None):
        return f"{'pause the drill' if action == 'drill_pause' else 'drill speed'}: {_NO_DRILL}"
    return ""
