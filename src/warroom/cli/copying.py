"""Moving incidents between stores: ``warroom copy`` (between any two stores, a SQLite file or a
PostgreSQL URL, either way) and ``warroom import`` (a JSON export back into a store).

Each incident is written in one transaction (``IncidentStore.write_whole``), with the
destination's ids and everything else as stored; a copy keeps the origin key it came with
(``store.whole``), so copying the same incident again, or back to where it came from, writes
nothing and says so. After a failure half-way through several incidents, running the same
command again copies the rest.
"""

from __future__ import annotations

import sqlite3
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from warroom.cli.common import CliError
from warroom.cli.output import cell, out

if TYPE_CHECKING:
    from warroom.store import IncidentStore
    from warroom.store.location import Location
    from warroom.store.whole import WholeIncident

#: An export larger than this is not one warroom wrote (entries only: no readings).
MAX_IMPORT_BYTES = 256 * 1024 * 1024


def cmd_copy(args, db_path: Location) -> int:
    source = args.source if args.source is not None else db_path
    _check_pair(source, args.to)
    import asyncio  # here: the other commands never load it (tests/cli/test_import_cost.py)

    return asyncio.run(_copy(source, args.to, args.ids or []))


async def _copy(source_at: Location, dest_at: Location, ids: list[int]) -> int:
    from warroom.store.location import shown

    async with _opened(source_at) as source:
        wanted = list(dict.fromkeys(ids)) or sorted(i.id for i in await source.incidents())
        for incident_id in wanted:
            await source.incident(incident_id)  # NotFound before anything is written
        if not wanted:
            out(f"no incidents in {shown(source_at)}: nothing to copy")
            return 0
        async with _opened(dest_at) as dest:
            written = []
            for incident_id in wanted:
                whole = await source.read_whole(incident_id)
                new_id, fresh = await dest.write_whole(whole)
                out(_copied(whole, new_id, fresh, dest_at))
                if fresh:
                    written.append(new_id)
            await _maybe_activate(dest, written)
    return 0


async def cmd_import(store: IncidentStore, args, now) -> int:
    from warroom.store.export_reader import BadExport, read_export

    raw = _read(args.file)
    try:
        whole = read_export(raw)
    except BadExport as exc:
        raise CliError(f"{args.file}: {exc}; nothing was written") from None
    new_id, fresh = await store.write_whole(whole)
    out(_copied(whole, new_id, fresh, store.path, readings=False))
    await _maybe_activate(store, [new_id] if fresh else [])
    return 0


def _copied(whole: WholeIncident, new_id: int, fresh: bool, dest_at: Location, *, readings: bool = True) -> str:
    """``#3 → #7 Checkout is down: 42 entries, 3 revisions, 1,204 readings``, or that it was there."""
    from warroom.store.location import shown

    title = cell(whole.title)
    if not fresh:
        return f"#{whole.id} {title}: already in {shown(dest_at)} as #{new_id}; nothing written"
    counts = [_count(len(whole.entries), "entry", "entries"), _count(len(whole.revisions), "revision", "revisions")]
    if readings:
        counts.append(_count(len(whole.readings), "reading", "readings"))
    return f"#{whole.id} → #{new_id} {title}: {', '.join(counts)}"


def _count(n: int, one: str, many: str) -> str:
    return f"{n:,} {one if n == 1 else many}"


async def _maybe_activate(dest: IncidentStore, written: list[int]) -> None:
    """A destination with no active incident (a new team database) gets the last open, real
    incident written as its active one, so that ``warroom log`` there writes into it."""
    if not written or await dest.active_incident_id() is not None:
        return
    for incident_id in reversed(written):
        incident = await dest.incident(incident_id)
        if not incident.is_resolved and not incident.drill:
            await dest.set_active(incident_id)
            return


def _check_pair(source: Location, dest: Location) -> None:
    """The two ends: a source file that is not there is not created empty; one store is not both."""
    if isinstance(source, Path) and not source.exists():
        raise CliError(f"no database at {source} (--from)")
    same = source == dest
    if isinstance(source, Path) and isinstance(dest, Path) and dest.exists():
        try:
            same = source.samefile(dest)
        except OSError:
            pass
    if same:
        raise CliError("--from and --to are the same database: nothing to copy")


def _read(path: Path) -> bytes:
    """The file's bytes (``-``: standard input), refused when larger than any export."""
    import sys

    try:
        if str(path) == "-":
            raw = sys.stdin.buffer.read(MAX_IMPORT_BYTES + 1)
        else:
            with open(path, "rb") as f:
                raw = f.read(MAX_IMPORT_BYTES + 1)
    except OSError as exc:
        raise CliError(f"{path}: {exc.strerror or exc}") from None
    if len(raw) > MAX_IMPORT_BYTES:
        raise CliError(f"{path}: larger than any export ({MAX_IMPORT_BYTES // 2**20} MiB); nothing was written")
    return raw


@asynccontextmanager
async def _opened(location: Location):
    """The store at ``location``; what it refuses is one line (a CliError), never its password."""
    from warroom.domain.incident import IncidentError
    from warroom.store import NotFound, StoreError, explain, open_store, shown

    try:
        async with open_store(location) as store:
            yield store
    except (StoreError, NotFound, IncidentError) as exc:
        raise CliError(str(exc)) from None
    except sqlite3.DatabaseError as exc:  # a damaged page met by a read
        raise CliError(explain(location, exc)) from None
    except OSError as exc:
        raise CliError(f"{exc.filename or shown(location)}: {exc.strerror or exc}") from None
