"""The commands that open the war room full-screen: the TUI itself, a drill, a replay.

Textual is imported only here and only once the arguments, the scenario or the incident have
been checked, so a mistake is one clear line and every other command starts fast.
"""

from __future__ import annotations

import argparse
from datetime import datetime, timezone
from pathlib import Path

from warroom.cli.common import CliError, config_location, export_directory
from warroom.cli.output import cell, out
from warroom.domain.times import TimeParseError, format_duration, parse_when
from warroom.localtime import local_timezone


def run_tui(args: argparse.Namespace, db_path: Path) -> int:
    from warroom.ui.factory import run  # noqa: PLC0415 — Textual is only imported for the TUI

    config_path, explicit = config_location(args)
    export_dir = export_directory(args.export_dir) if args.export_dir is not None else None
    return run(db_path, config_path, explicit_config=explicit, read_only=getattr(args, "read_only", False),
               export_dir=export_dir)


def cmd_replay(args: argparse.Namespace, db_path: Path) -> int:
    from warroom.store import NotFound, StoreError, open_store

    async def pick() -> tuple[int, datetime | None]:
        async with open_store(db_path) as store:
            incident_id = args.incident or await store.active_incident_id()
            if incident_id is None:
                latest = await store.incidents()
                if not latest:
                    raise CliError("no incident to replay")
                incident_id = latest[0].id
            await store.incident(incident_id)
            at = parse_when(args.at, datetime.now(timezone.utc), local_timezone(), allow_future=True) if args.at else None
            return incident_id, at

    try:
        import asyncio  # the replay opens the TUI's store: aiosqlite

        incident_id, at = asyncio.run(pick())
    except (StoreError, NotFound, TimeParseError) as exc:
        raise CliError(str(exc)) from None
    from warroom.ui.factory import make_replay_app  # noqa: PLC0415 — Textual only for the TUI

    from warroom.ui.crash import exit_code

    app = make_replay_app(db_path, incident_id, start=at)
    return exit_code(app, app.run())


def cmd_drill(args: argparse.Namespace, db_path: Path) -> int:
    """The scenario is read and checked before Textual loads: a mistake in it is one clear line."""
    from warroom.drill.library import DEFAULT, bundled_names, load
    from warroom.drill.scenario import ScenarioError

    if args.list:
        for name in bundled_names():
            scenario, _ = load(name)
            out(f"{name:<20} {cell(scenario.severity or '-'):<6} {format_duration(scenario.duration):>6}  "
                f"{cell(scenario.title)}")
        return 0
    try:
        scenario, source = load(args.scenario or DEFAULT)
    except ScenarioError as exc:
        raise CliError(str(exc)) from None
    from warroom.ui.factory import run_drill  # noqa: PLC0415 — Textual only for the TUI

    config_path, explicit = config_location(args)
    return run_drill(db_path, scenario, source, speed=args.speed, config_path=config_path, explicit_config=explicit)
