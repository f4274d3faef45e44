"""``main``: parse, then run the chosen command under the one error policy. Anything the person
can fix is one line on stderr and status 1 (a damaged database included); ctrl+c is status 130.

Commands marked ``store`` run in an event loop with the database open; the others open what
they need themselves.
"""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import datetime, timezone
from pathlib import Path
from typing import Sequence

from warroom.cli.args import visible_bytes
from warroom.cli.common import CliError
from warroom.cli.launch import run_tui
from warroom.cli.output import error
from warroom.cli.registry import BY_NAME, build_parser
from warroom.domain.incident import IncidentError
from warroom.domain.policy import PolicyError
from warroom.domain.times import TimeParseError
from warroom.domain.timeline import EntryError
from warroom.paths import default_db_path
from warroom.store.location import Location


def main(argv: Sequence[str] | None = None) -> int:
    args = visible_bytes(build_parser().parse_args(argv))
    db_path = args.db or default_db_path()
    if args.command is None:
        return run_tui(args, db_path)
    command = BY_NAME[args.command]
    try:
        if command.store:
            return asyncio.run(_in_store(command.handler, args, db_path))
        return command.handler(args, db_path)
    except CliError as exc:
        error(exc)
        return 1
    except KeyboardInterrupt:
        return 130


async def _in_store(handler, args, db_path: Location) -> int:
    """Run ``handler`` with the database open; what the store, the domain or the disk refuse is a CliError."""
    from warroom.store import NotFound, StoreError, explain, open_store, shown

    now = datetime.now(timezone.utc)
    try:
        async with open_store(db_path) as store:
            return await handler(store, args, now)
    except (StoreError, NotFound, IncidentError, PolicyError, TimeParseError, EntryError) as exc:
        raise CliError(str(exc)) from None
    except sqlite3.DatabaseError as exc:  # a damaged page met by a read
        raise CliError(explain(db_path, exc)) from None
    except OSError as exc:
        raise CliError(f"{exc.filename or shown(db_path)}: {exc.strerror or exc}") from None
