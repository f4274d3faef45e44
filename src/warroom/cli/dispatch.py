"""``main``: parse, then run the chosen command under the one error policy. Anything the person
can fix is one line on stderr and status 1 (a damaged database included); ctrl+c is status 130.

Commands marked ``store`` run with the database open (``store.run_one_shot``: on SQLite without
an event loop); the others open what they need themselves. Everything a command does not need is
imported inside the function that needs it, so that ``warroom log`` costs little more than the
insert itself (``bench/bench_cli.py``; ``tests/cli/test_import_cost.py`` keeps asyncio out).
"""

from __future__ import annotations

import sqlite3
import sys
from datetime import datetime, timezone

from warroom.cli.args import visible_bytes
from warroom.cli.common import CliError
from warroom.cli.output import error
from warroom.cli.registry import BY_NAME, build_parser
from warroom.domain.incident import IncidentError
from warroom.domain.times import TimeParseError
from warroom.domain.timeline import EntryError
from warroom.paths import default_db_path

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Sequence

    from warroom.store.location import Location


def main(argv: Sequence[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    args = visible_bytes(build_parser(argv).parse_args(argv))
    db_path = args.db or default_db_path()
    try:
        if args.command is None:
            from warroom.cli.launch import run_tui

            return run_tui(args, db_path)
        command = BY_NAME[args.command]
        if command.store:
            return _in_store(command.handler, args, db_path)
        return command.handler(args, db_path)
    except CliError as exc:
        error(exc)
        return 1
    except KeyboardInterrupt:
        return 130


def _in_store(handler, args, db_path: Location) -> int:
    """Run ``handler`` with the database open; what the store, the domain or the disk refuse is a CliError."""
    from warroom.store.errors import NotFound, StoreError, explain
    from warroom.store.location import shown
    from warroom.store.opening import run_one_shot

    now = datetime.now(timezone.utc)
    try:
        return run_one_shot(db_path, lambda store: handler(store, args, now))
    except (StoreError, NotFound, IncidentError, TimeParseError, EntryError) as exc:
        raise CliError(str(exc)) from None
    except ValueError as exc:  # a policy refused: only if policies were loaded (``warroom log`` loads none)
        policy = sys.modules.get("warroom.domain.policy")
        if policy is None or not isinstance(exc, policy.PolicyError):
            raise
        raise CliError(str(exc)) from None
    except sqlite3.DatabaseError as exc:  # a damaged page met by a read
        raise CliError(explain(db_path, exc)) from None
    except OSError as exc:
        raise CliError(f"{exc.filename or shown(db_path)}: {exc.strerror or exc}") from None
