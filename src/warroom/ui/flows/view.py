"""Reading one entry whole: Enter (or ``v``) on the selected timeline entry.

The entry as the timeline holds it shows at once; its earlier versions, when the timeline does
not hold them, are read by the view's worker through ``Session.history``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from warroom.ui.widgets.timeline import TimelinePane

if TYPE_CHECKING:
    from warroom.ui.app import WarRoomApp


def view_entry(app: WarRoomApp, entry_id: int | None) -> None:
    from warroom.ui.screens.entry_view import EntryView

    pane = app.query_one(TimelinePane)
    entry = pane.entries.get(entry_id) if entry_id is not None else None
    if entry is not None:
        app.push_screen(EntryView(entry, app.local, app.session.history, lambda: pane.entries.get(entry.id)))
