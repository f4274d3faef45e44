"""What is kept once an incident is over: where the database lives, the post-incident review
export (``--salvage`` reads what it can from a damaged file), and pruning old readings.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import sqlite3
import sys
from pathlib import Path

from warroom.cli.common import CliError, target
from warroom.cli.output import out, write, write_json

if TYPE_CHECKING:
    from warroom.store import IncidentStore


def cmd_where(args, db_path: Path | str) -> int:
    from warroom.store.location import shown

    out(shown(db_path))  # a URL without its password
    return 0


async def cmd_export(store: IncidentStore, args, now) -> int:
    import json

    from warroom.domain.report import to_json_data
    from warroom.domain.text import json_visible, visible
    from warroom.drill.library import report_time
    from warroom.export_file import ExportError, default_name, target_path, write_private
    from warroom.store import damaged

    problems = await store.damage()  # a damaged page would otherwise stop the export half-way
    if problems and not args.salvage:
        raise CliError(damaged(store.path, problems))
    incident_id = await target(store, args)
    incident = await store.incident(incident_id)
    if args.salvage:
        entries, lost = await store.salvage_entries(incident_id)
        out(f"warroom: salvaged {len(entries)} entries of {incident.ref}"
            + (f"; {lost} entr{'ies' if lost != 1 else 'y'} (of any incident) could not be read" if lost else ""),
            file=sys.stderr)
    else:
        entries = await store.entries(incident_id, with_history=args.format == "json")
    if incident.drill:
        now = report_time(entries, now)
    as_json = args.format == "json"
    if as_json and getattr(args, "charts", None):
        raise CliError("--charts goes with the markdown review, not --format json")
    if as_json:
        document = json.dumps(to_json_data(incident, entries, now), indent=2, ensure_ascii=False) + "\n"
    else:
        charts = [await _charts(store, incident, entries, now, args)] if getattr(args, "charts", None) else []
        document = await _review(store, incident, entries, now, args, charts)
    if args.output is None:
        (write_json if as_json else write)(document)
        return 0
    path = target_path(args.output, default_name(incident, now, args.format))
    try:
        # in place: a one-shot command has no event loop to keep going (``dispatch``)
        write_private(path, json_visible(document) if as_json else visible(document))
    except ExportError as exc:
        raise CliError(str(exc)) from None
    out(str(path), file=sys.stderr)
    return 0


async def _charts(store: IncidentStore, incident, entries, now, args) -> str:
    """``--charts``: each panel's chart written beside the markdown; the section that links them."""
    from warroom.chart_export import ChartsUnavailable, write_charts
    from warroom.domain.recording import Timeline
    from warroom.export_file import ExportError, default_name, target_path

    if args.output is None:
        raise CliError("--charts writes files beside the review: give -o FILE.md (or a directory)")
    path = target_path(args.output, default_name(incident, now, "markdown"))
    try:
        return write_charts(path, incident, entries, Timeline(await store.readings(incident.id)), args.charts)
    except (ChartsUnavailable, ExportError) as exc:
        raise CliError(str(exc)) from None


async def _review(store: IncidentStore, incident, entries, now, args, charts: list[str]) -> str:
    from warroom.domain.templating import TemplateError
    from warroom.review import review_document
    from warroom.store import StoreError

    try:
        try:
            return await review_document(store, incident, entries, now, template=args.template, more=charts)
        except (StoreError, sqlite3.DatabaseError):
            if not args.salvage:
                raise
            # the readings are on damaged pages too: the timeline is what matters
            return await review_document(store, incident, entries, now, template=args.template, with_extras=False,
                                         more=charts)
    except TemplateError as exc:
        raise CliError(str(exc)) from None


async def cmd_prune(store: IncidentStore, args, now) -> int:
    pruned, deleted = await store.prune_readings(now - args.older_than)
    out(f"deleted {deleted} readings of {len(pruned)} incident{'s' if len(pruned) != 1 else ''}"
        + (f" ({', '.join(f'#{i}' for i in pruned)}); their timelines are kept" if pruned else ""))
    return 0
