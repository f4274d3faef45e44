"""Taking the incident out of the room: the markdown review draft (F9) and the status summary (F5)."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from warroom.ui.app import WarRoomApp


def copy_summary(app: WarRoomApp) -> None:
    session = app.session
    if not session.need_incident():
        return
    from warroom.domain.report import status_summary

    summary = status_summary(session.room.incident, session.room.entries.values(), app.now())
    app.copy_to_clipboard(summary)
    app.last_copied = summary
    app.notify("Status summary copied to the clipboard.", title="Copied")


async def export(app: WarRoomApp, template: str = "full") -> None:
    """The review draft from ``template`` (full by default: ``warroom export --template`` chooses)."""
    from warroom.domain.templating import TemplateError
    from warroom.domain.text import one_line
    from warroom.drill.library import report_time
    from warroom.export_file import ExportError, default_name, write_private
    from warroom.review import review_document

    session = app.session
    if not session.need_incident():
        return
    now, incident, store = app.now(), session.room.incident, session.store
    entries = await store.entries(incident.id)
    if incident.drill:
        now = report_time(entries, now)
    try:
        text = await review_document(store, incident, entries, now, template=template)
    except TemplateError as exc:
        app.notify(f"Export failed: {one_line(str(exc))}", severity="error", timeout=15, markup=False)
        return
    path = app.export_dir / default_name(incident, now)
    try:
        await asyncio.to_thread(write_private, path, text)
    except ExportError as exc:
        app.notify(f"Export failed: {one_line(str(exc))}", severity="error", timeout=15, markup=False)
        return
    app.last_export = path
    if app.is_web:  # a visitor of warroom serve: the file is on the server; the browser gets a copy
        import io

        app.deliver_text(io.StringIO(text), save_filename=path.name, mime_type="text/markdown")
        app.notify(f"Exported {one_line(path.name)}: your browser downloads a copy; on the server it is in "
                   f"{one_line(str(path.parent))}", title="Export", timeout=30, markup=False)
        return
    app.notify(f"Exported to {one_line(str(path))}", title="Export", timeout=15, markup=False)
