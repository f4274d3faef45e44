"""The header strip: incident, severity badge, status, IC, elapsed, and the local and UTC clocks."""

from __future__ import annotations

from datetime import datetime, tzinfo

from textual.widgets import Static

from warroom.domain.incident import Incident
from warroom.ui import render


class IncidentHeader(Static):
    def show(self, incident: Incident | None, now: datetime, local: tzinfo, drill: str = "") -> None:
        width = self.size.width or self.app.size.width  # not laid out yet (first frame): as wide as the screen
        self.update(render.header_line(incident, now, local, compact=width < 110, drill=drill), layout=False)
        self.set_class(incident is not None and incident.drill, "-drill")
