"""The header strip: incident, severity badge, status, IC, elapsed, and the local and UTC clocks."""

from __future__ import annotations

from datetime import datetime, tzinfo

from textual.widgets import Static

from warroom.domain.incident import Incident
from warroom.ui import render


class IncidentHeader(Static):
    def show(self, incident: Incident | None, now: datetime, local: tzinfo, drill: str = "") -> None:
        compact = self.size.width and self.size.width < 110
        self.update(render.header_line(incident, now, local, compact=bool(compact), drill=drill), layout=False)
        self.set_class(incident is not None and incident.drill, "-drill")
