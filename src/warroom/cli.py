"""The ``warroom`` command: the TUI with no sub-command, scriptable sub-commands otherwise.

Sub-commands never import Textual or the Kubernetes client, so they start fast enough to
be typed in a second terminal mid-incident.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import json
import os
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import Sequence

from warroom.domain import incident as inc
from warroom.domain.incident import IncidentError
from warroom.domain.policy import PolicyError
from warroom.domain.times import TimeParseError, format_duration, parse_when
from warroom.domain.timeline import KINDS, EntryError
from warroom.localtime import local_timezone
from warroom.paths import default_db_path

EPILOG = """\
times (T): HH:MM (today, local), or ISO 8601 such as 2026-11-23T10:15 (local) or 2026-11-23T10:15Z.
-i defaults to the active incident (the one declared or opened last).
database: --db, else $WARROOM_DB, else the user data dir (run `warroom where`).
"""


class CliError(Exception):
    pass


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="warroom",
        description="A terminal war room for live incidents. With no command, opens the TUI.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--db", type=Path, help="database file (default: $WARROOM_DB or the user data dir)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("declare", help="declare a new incident (prints its id; it becomes active)")
    p.add_argument("title", metavar="TITLE")
    p.add_argument("--severity", "-s", metavar="LEVEL", help="e.g. SEV-1, sev2, P1 (default: the policy's second level)")
    p.add_argument("--policy", "-p", default="sev", metavar="sev|p1|p0|FILE", help="severity policy (default: sev)")
    p.add_argument("--detected-at", metavar="T", help="when the problem was detected (default: unknown)")
    p.add_argument("--service", action="append", default=[], metavar="NAME", help="affected service (repeatable)")
    p.add_argument("--impact", default="", help="customer impact, in a sentence")

    p = sub.add_parser("list", help="list open incidents (--all: resolved too)")
    p.add_argument("--all", "-a", action="store_true")

    p = sub.add_parser("log", help="add a timeline entry")
    _incident_arg(p)
    p.add_argument("--at", metavar="T", help="when it happened (backdating)")
    p.add_argument("--kind", "-k", default="note", metavar="KIND", help=f"one of {', '.join(KINDS)} (default: note)")
    p.add_argument("--author", metavar="NAME", help="default: $WARROOM_AUTHOR or your login name")
    p.add_argument("text", nargs="+", metavar="TEXT")

    p = sub.add_parser("ack", help="acknowledge the incident")
    _incident_arg(p)
    p.add_argument("--at", metavar="T")

    p = sub.add_parser("status", help=f"change status ({', '.join(inc.STATUSES)})")
    _incident_arg(p)
    p.add_argument("status", metavar="STATUS")
    p.add_argument("--at", metavar="T")

    p = sub.add_parser("severity", help="change severity")
    _incident_arg(p)
    p.add_argument("level", metavar="LEVEL")
    p.add_argument("--at", metavar="T")

    p = sub.add_parser("assign", help="assign a role: ic, tech-lead, comms-lead, scribe")
    _incident_arg(p)
    p.add_argument("role", metavar="ROLE")
    p.add_argument("name", metavar="NAME")

    p = sub.add_parser("export", help="export the post-incident review draft (stdout unless -o)")
    _incident_arg(p)
    p.add_argument("-o", "--output", type=Path, metavar="FILE")
    p.add_argument("--format", "-f", choices=("markdown", "json"), default="markdown")

    sub.add_parser("where", help="print where the database lives")
    return parser


def _incident_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("-i", "--incident", type=_incident_id, metavar="ID", help="incident id (default: the active one)")


def _incident_id(text: str) -> int:
    try:
        value = int(text.lstrip("#"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an incident id: {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"not an incident id: {text!r}")
    return value


def author_name(explicit: str | None = None) -> str:
    if explicit:
        return explicit
    if os.environ.get("WARROOM_AUTHOR"):
        return os.environ["WARROOM_AUTHOR"]
    try:
        return getpass.getuser()
    except Exception:  # no login name in some containers
        return "unknown"


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    db_path = args.db or default_db_path()
    if args.command is None:
        return _run_tui(db_path)
    if args.command == "where":
        print(db_path)
        return 0
    try:
        return asyncio.run(_dispatch(args, db_path))
    except CliError as exc:
        print(f"warroom: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


def _run_tui(db_path: Path) -> int:
    try:
        from warroom.ui.app import run  # noqa: PLC0415 — Textual is only imported for the TUI
    except ImportError:
        print("warroom: the TUI is not built yet; use the sub-commands (warroom --help)", file=sys.stderr)
        return 2
    return run(db_path)


async def _dispatch(args: argparse.Namespace, db_path: Path) -> int:
    from warroom.store.sqlite import NotFound, Store, StoreError

    now = datetime.now(timezone.utc)
    try:
        async with Store.open(db_path) as store:
            return await COMMANDS[args.command](store, args, now)
    except (StoreError, NotFound, IncidentError, PolicyError, TimeParseError, EntryError) as exc:
        raise CliError(str(exc)) from None
    except OSError as exc:
        raise CliError(f"{exc.filename or db_path}: {exc.strerror or exc}") from None


def _when(text: str | None, now: datetime) -> datetime:
    return now if text is None else parse_when(text, now, local_timezone())


async def _target(store, args) -> int:
    if getattr(args, "incident", None):
        await store.incident(args.incident)  # raises NotFound with a clear message
        return args.incident
    active = await store.active_incident_id()
    if active is None:
        raise CliError("no active incident: declare one (warroom declare TITLE) or pass -i ID")
    return active


async def cmd_declare(store, args, now) -> int:
    from warroom.policies import load_policy

    policy = load_policy(args.policy)
    severity = args.severity or policy.default_level.key
    detected = parse_when(args.detected_at, now, local_timezone()) if args.detected_at else None
    incident = await store.declare(
        args.title, policy, severity, now=now, author=author_name(), detected_at=detected,
        services=args.service, impact=args.impact,
    )
    print(incident.id)
    return 0


async def cmd_list(store, args, now) -> int:
    incidents = await store.incidents(include_resolved=args.all)
    active = await store.active_incident_id()
    if not incidents:
        print("no incidents" if args.all else "no open incidents (--all lists resolved ones too)")
        return 0
    rows = [("", "ID", "SEVERITY", "STATUS", "AGE", "TITLE")]
    for i in incidents:
        end = i.milestones.get("resolved", now)
        title = ("[DRILL] " if i.drill else "") + i.title
        rows.append(("*" if i.id == active else "", f"#{i.id}", i.severity, i.status,
                     format_duration(end - i.start), _one_line(title)))
    widths = [max(len(r[c]) for r in rows) for c in range(5)]
    for r in rows:
        print("  ".join(r[c].ljust(widths[c]) for c in range(5)) + "  " + r[5])
    return 0


def _one_line(text: str) -> str:
    from warroom.domain.text import one_line

    return one_line(text)


async def cmd_log(store, args, now) -> int:
    incident_id = await _target(store, args)
    text = " ".join(args.text)
    entry = await store.append(incident_id, text, author=author_name(args.author), now=now,
                               at=_when(args.at, now), kind=args.kind)
    print(entry.id)
    return 0


async def cmd_ack(store, args, now) -> int:
    incident_id = await _target(store, args)
    at = _when(args.at, now)
    who = author_name()
    _report(await store.change(incident_id, lambda i: inc.acknowledge(i, at, who), author=who, at=at, now=now))
    return 0


async def cmd_status(store, args, now) -> int:
    incident_id = await _target(store, args)
    at = _when(args.at, now)
    _report(await store.change(incident_id, lambda i: inc.change_status(i, args.status, at),
                               author=author_name(), at=at, now=now, kind="status"))
    return 0


async def cmd_severity(store, args, now) -> int:
    incident_id = await _target(store, args)
    at = _when(args.at, now)
    _report(await store.change(incident_id, lambda i: inc.change_severity(i, args.level),
                               author=author_name(), at=at, now=now))
    return 0


async def cmd_assign(store, args, now) -> int:
    incident_id = await _target(store, args)
    _report(await store.change(incident_id, lambda i: inc.assign_role(i, args.role, args.name),
                               author=author_name(), at=now, now=now))
    return 0


def _report(result) -> None:
    """Echo what a change wrote to the timeline: the confirmation a person at a keyboard wants."""
    incident, entries = result
    for entry in entries:
        print(f"{incident.ref}: {_one_line(entry.text)}")


async def cmd_export(store, args, now) -> int:
    from warroom.domain.report import to_json_data, to_markdown

    incident_id = await _target(store, args)
    incident = await store.incident(incident_id)
    entries = await store.entries(incident_id, with_history=args.format == "json")
    if args.format == "json":
        text = json.dumps(to_json_data(incident, entries, now), indent=2, ensure_ascii=False) + "\n"
    else:
        text = to_markdown(incident, entries, now)
    if args.output is None:
        sys.stdout.write(text)
    else:
        _write_atomically(args.output, text)
        print(args.output, file=sys.stderr)
    return 0


def _write_atomically(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


COMMANDS = {
    "declare": cmd_declare,
    "list": cmd_list,
    "log": cmd_log,
    "ack": cmd_ack,
    "status": cmd_status,
    "severity": cmd_severity,
    "assign": cmd_assign,
    "export": cmd_export,
}
