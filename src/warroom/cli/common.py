"""What several command families share: the one error a command raises, times typed on the
command line, the config file to read, the incident a command acts on, the export directory.

A command raises :class:`CliError` for anything the person can fix; ``main`` prints it as one line
and exits 1.
"""

from __future__ import annotations

import os

from warroom.domain.times import parse_when
from warroom.localtime import local_timezone

TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse
    from datetime import datetime
    from pathlib import Path

    from warroom.domain.incident import Incident
    from warroom.store import IncidentStore


class CliError(Exception):
    pass


def when(text: str | None, now: datetime) -> datetime:
    return now if text is None else parse_when(text, now, local_timezone())


async def write_target(store: IncidentStore, args, now: datetime) -> tuple[Incident, datetime]:
    """The incident a writing command acts on, and the time it writes at (``--at``, else now).

    Without ``-i`` a resolved active incident is refused, naming the open ones: a line typed in a
    second terminal must not land in yesterday's incident. A typed ``HH:MM`` that lands before the
    incident began is refused with the date it meant (``domain.backdate``).
    """
    explicit = bool(getattr(args, "incident", None))
    incident = await store.incident(await target(store, args))
    if not explicit and incident.is_resolved:
        from warroom.domain.text import one_line

        others = [i for i in await store.incidents(include_resolved=False) if not i.drill]
        listed = ", ".join(f"{i.ref} {one_line(i.title)}" for i in others[:5]) + (", …" if len(others) > 5 else "")
        raise CliError(
            f"the active incident {incident.ref} ({one_line(incident.title)}) is resolved: "
            f"pass -i {incident.id} to write into it anyway; "
            + (f"open: {listed} (pass -i ID)" if others else "no incident is open (warroom declare TITLE)")
        )
    text = getattr(args, "at", None)
    if text is None:
        return incident, now
    from warroom.domain.backdate import check_backdate

    local = local_timezone()
    at = parse_when(text, now, local)
    check_backdate(text, at, incident, local, flag="--at ")
    return incident, at


async def target(store: IncidentStore, args) -> int:
    """The incident of ``-i``, else the active one."""
    if getattr(args, "incident", None):
        await store.incident(args.incident)  # raises NotFound with a clear message
        return args.incident
    active = await store.active_incident_id()
    if active is None:
        raise CliError("no active incident: declare one (warroom declare TITLE) or pass -i ID")
    return active


def export_directory(path: Path, *, create: bool = False) -> Path:
    """``path`` (``--export-dir``) as an absolute directory that can be written into, made owner-only
    if ``create`` and missing; else a CliError (a typo found at start, not at the first F9)."""
    path = path.expanduser().absolute()
    if create and not path.exists():
        try:
            path.mkdir(parents=True, mode=0o700)
        except OSError as exc:
            raise CliError(f"--export-dir {path}: cannot make it ({exc.strerror or exc})") from None
    if not path.is_dir():
        raise CliError(f"--export-dir {path}: {'not a directory' if path.exists() else 'no such directory'}")
    if not os.access(path, os.W_OK | os.X_OK):
        raise CliError(f"--export-dir {path}: not writable by this user")
    return path


def config_location(args: argparse.Namespace) -> tuple[Path, bool]:
    """The config file to read, and whether it was asked for (then it must exist)."""
    from warroom.paths import default_config_path

    if args.config is not None:
        return args.config.expanduser(), True
    return default_config_path(), bool(os.environ.get("WARROOM_CONFIG"))


def load_config(args: argparse.Namespace):
    from warroom.config import ConfigError, load_config

    path, explicit = config_location(args)
    try:
        return load_config(path, explicit=explicit), path
    except ConfigError as exc:
        raise CliError(str(exc)) from None
