"""Every sub-command, registered once: its name, help, arguments and handler, in one table
from which the parser is built and by which ``main`` dispatches.

The table's order is the order ``warroom --help`` lists the commands in. A handler is named
(``"timeline:cmd_log"``) and imported when its command runs: ``warroom log`` loads none of the
other families (``tests/cli/test_import_cost.py``).
"""

from __future__ import annotations

import argparse
import os
import sys
from importlib import import_module
from pathlib import Path

from warroom.cli.args import AT, CONFIG, INCIDENT, age, arg, entry_id, incident_id, seconds, speed
from warroom.domain.incident import STATUSES
from warroom.domain.timeline import KINDS
from warroom.store.location import db_location

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Callable, Sequence

    from warroom.cli.args import Arg

EPILOG = """\
times (T): HH:MM (local: the most recent such time), or ISO 8601 such as 2026-11-23T10:15 (local) or
  2026-11-23T10:15Z; an HH:MM before the incident began is refused (give the date).
-i defaults to the active incident (the one declared or opened last).
database: --db, else $WARROOM_DB, else the user data dir (run `warroom where`); a file, or a
  postgresql://user@host/db URL for a team on several machines (password from PGPASSWORD or ~/.pgpass).
config: --config, else $WARROOM_CONFIG, else config.toml in the user config dir (optional);
  $WARROOM_PROMETHEUS_URL and the other WARROOM_* variables override it (`warroom doctor` checks it all).
"""


class Command:
    """One row of the table: ``handler`` names ``module:function`` in ``warroom.cli``, imported on
    first use: ``(args, db_path) -> int``; with ``store``, ``async (store, args, now) -> int`` run
    in the open database."""

    __slots__ = ("name", "help", "args", "_handler", "store")

    def __init__(self, name: str, help: str, args: tuple[Arg, ...], handler: str, store: bool = False) -> None:
        self.name, self.help, self.args, self._handler, self.store = name, help, args, handler, store

    @property
    def handler(self) -> Callable:
        module, _, function = self._handler.partition(":")
        return getattr(import_module(f"warroom.cli.{module}"), function)


COMMANDS: tuple[Command, ...] = (
    Command("declare", "declare a new incident (prints its id; it becomes active)", (
        arg("title", metavar="TITLE"),
        arg("--severity", "-s", metavar="LEVEL", help="e.g. SEV-1, sev2, P1 (default: the policy's second level)"),
        arg("--policy", "-p", default="sev", metavar="sev|p1|p0|FILE", help="severity policy (default: sev)"),
        arg("--detected-at", metavar="T", help="when the problem was detected (default: unknown)"),
        arg("--declared-at", metavar="T", help="when it was declared, for an incident written up afterwards "
                                               "(default: now)"),
        arg("--service", action="append", default=[], metavar="NAME", help="affected service (repeatable)"),
        arg("--impact", default="", help="customer impact, in a sentence"),
    ), "incidents:cmd_declare", store=True),
    Command("list", "list open incidents (--all: resolved too)", (
        arg("--all", "-a", action="store_true"),
    ), "incidents:cmd_list", store=True),
    Command("log", "add a timeline entry", (
        INCIDENT,
        arg("--at", metavar="T", help="when it happened (backdating)"),
        arg("--kind", "-k", default="note", metavar="KIND", help=f"one of {', '.join(KINDS)} (default: note)"),
        arg("--author", metavar="NAME", help="default: $WARROOM_AUTHOR or your login name"),
        arg("text", nargs="+", metavar="TEXT"),
    ), "timeline:cmd_log", store=True),
    Command("actions", "action items across incidents, open first, for a weekly review", (
        arg("--open", action="store_true", help="only the open ones"),
        arg("--owner", metavar="NAME", help="only this owner's (with or without @)"),
        arg("--drills", action="store_true", help="drill incidents' action items too"),
        arg("--format", "-f", choices=("markdown", "json", "csv"), default="markdown"),
    ), "actions:cmd_actions", store=True),
    Command("action", "mark an action item done, or open again (its entry id: warroom actions shows it)", (
        arg("state", choices=("done", "open"), metavar="done|open"),
        arg("entry", type=entry_id, metavar="ID"),
        arg("--author", metavar="NAME", help="who marks it (default: $WARROOM_AUTHOR or your login name)"),
    ), "actions:cmd_action", store=True),
    Command("ack", "acknowledge the incident", (INCIDENT, AT), "incidents:cmd_ack", store=True),
    Command("status", f"change status ({', '.join(STATUSES)})", (
        INCIDENT, arg("status", metavar="STATUS"), AT,
    ), "incidents:cmd_status", store=True),
    Command("severity", "change severity", (
        INCIDENT, arg("level", metavar="LEVEL"), AT,
    ), "incidents:cmd_severity", store=True),
    Command("assign", "assign a role: ic, tech-lead, comms-lead, scribe", (
        INCIDENT, arg("role", metavar="ROLE"), arg("name", metavar="NAME"),
    ), "incidents:cmd_assign", store=True),
    Command("export", "export the post-incident review draft (stdout unless -o)", (
        INCIDENT,
        arg("-o", "--output", type=Path, metavar="FILE|DIR",
            help="write the file (0600); a directory gets the default name inside it"),
        arg("--format", "-f", choices=("markdown", "json"), default="markdown"),
        arg("--template", "-t", default="full", metavar="full|light|FILE",
            help="the review template: full (default), light, or a Mustache file; a full.mustache or "
                 "light.mustache in <config dir>/warroom/templates/review/ replaces the bundled one"),
        arg("--salvage", action="store_true",
            help="from a damaged database: export the entries that can still be read"),
        arg("--charts", choices=("svg", "png"), default=None,
            help="with -o FILE.md: each panel's chart around the incident beside it, linked from it "
                 "(needs warroom[charts])"),
    ), "records:cmd_export", store=True),
    Command("where", "print where the database lives", (), "records:cmd_where"),
    Command("copy", "copy incidents whole to another database (SQLite file or PostgreSQL URL, either way)", (
        arg("--from", dest="source", type=db_location, metavar="FILE|URL", help="where from (default: the database)"),
        arg("--to", required=True, type=db_location, metavar="FILE|URL",
            help="where to: each incident gets a new id there, everything else as stored (revisions, redactions, "
                 "readings…); an incident already there (copied before, or copied from there) is skipped, known by "
                 "its origin key: the instant its first database created it and its id there"),
        arg("-i", "--incident", dest="ids", type=incident_id, nargs="+", action="extend", metavar="ID",
            help="the incidents to copy (default: all)"),
    ), "copying:cmd_copy"),
    Command("import", "restore a JSON export (warroom export --format json) into the database, as a new incident", (
        arg("file", type=Path, metavar="FILE.json", help="the export (- for standard input); an incident already "
                                                        "there (the same export, or a copy) is skipped"),
    ), "copying:cmd_import", store=True),
    Command("metrics", "every panel against its baseline, firing alerts and probes, from the config", (
        CONFIG,
        arg("--json", action="store_true", help="JSON: numbers as numbers, plus the formatted text"),
        arg("--at", metavar="T", help="read the panels as of T (default: now); alerts and probes are current"),
    ), "sources:cmd_metrics"),
    Command("doctor", "check the config, database, Prometheus and every panel, probes, kubeconfig", (
        CONFIG,
    ), "sources:cmd_doctor"),
    Command("receive", "receive Alertmanager (or Grafana) webhooks: alerts become timeline entries", (
        CONFIG,
        arg("--listen", metavar="HOST:PORT",
            help="address to listen on (default: [alertmanager.receiver] listen, else 127.0.0.1:9095)"),
    ), "receive:cmd_receive"),
    Command("drill", "run a scripted incident through the whole war room, scored at the end", (
        CONFIG,
        arg("scenario", nargs="?", default=None, metavar="SCENARIO",
            help="a bundled scenario (see --list) or a scenario .toml file (default: bad-deploy)"),
        arg("--speed", type=speed, default=1.0, metavar="N",
            help="compress time N times (default 1: real time); F11 pauses, F12 changes it"),
        arg("--list", action="store_true", help="list the bundled scenarios"),
    ), "launch:cmd_drill"),
    Command("replay", "the war room as it was at any moment of an incident (read-only)", (
        arg("incident", nargs="?", type=incident_id, metavar="ID",
            help="incident id (default: the active one, else the latest)"),
        arg("--at", metavar="T", help="start the cursor at T (default: the first reading)"),
    ), "launch:cmd_replay"),
    Command("prune", "delete the recorded readings of incidents resolved long ago (timelines stay)", (
        arg("--older-than", required=True, type=age, metavar="AGE",
            help="resolved more than AGE ago, e.g. 90d, 12w, 36h"),
    ), "records:cmd_prune", store=True),
    Command("pods", "pod health like the pane: unhealthy first, workloads, rollouts, Warning events", (
        CONFIG,
        arg("--json", action="store_true"),
        arg("--context", action="append", metavar="CTX", help="kube context (repeatable; default: config)"),
        arg("-n", "--namespace", action="append", metavar="NS", help="namespace (repeatable; default: all)"),
    ), "sources:cmd_pods"),
    Command("stats", "numbers across incidents: MTTx, SLA compliance, update cadence, drills, runbook objectives", (
        arg("--since", type=age, default="90d", metavar="AGE",
            help="incidents declared in the last AGE, e.g. 90d, 12w (default: 90d)"),
        arg("--severity", "-s", action="append", metavar="LEVEL",
            help="only these levels, e.g. SEV-1 (repeatable, or comma-separated)"),
        arg("--format", "-f", choices=("markdown", "json", "csv"), default="markdown"),
    ), "stats:cmd_stats", store=True),
    Command("serve", "the war room in browsers (read-only) and a live status page for stakeholders, by link", (
        CONFIG,
        arg("--host", default="127.0.0.1", metavar="ADDR",
            help="address to listen on (default 127.0.0.1: this machine only; share with ssh -L or a proxy)"),
        arg("--port", type=int, default=8765, metavar="N", help="port (default 8765; 0: any free one)"),
        arg("--max-visitors", type=int, default=8, metavar="N",
            help="war room screens at once (each is a process, ~45 MB; default 8)"),
        arg("--max-status-streams", type=int, default=200, metavar="N",
            help="status pages kept live at once (each an open connection; default 200); past it a page reloads "
                 "every 30 s instead"),
        arg("-i", "--incident", type=incident_id, metavar="ID",
            help="the incident the status page shows (default: the active one, as it changes)"),
        arg("--token-file", type=Path, metavar="FILE",
            help="read the access token from FILE (default: $WARROOM_SERVE_TOKEN, else a random one)"),
        arg("--write", action="store_true",
            help="also print a scribe link (a second token) whose visitor can write; default: nobody can"),
        arg("--write-token-file", type=Path, metavar="FILE",
            help="with --write: its token from FILE (default: $WARROOM_SERVE_WRITE_TOKEN, else a random one)"),
        arg("--show-timeline", action="store_true",
            help="the status page also lists the latest timeline entries (default: status updates only)"),
        arg("--status-only", action="store_true", help="serve the status page only, no war room screens"),
        arg("--public-url", metavar="URL",
            help="the address browsers use, behind a reverse proxy (https://… : TLS is the proxy's)"),
        arg("--access-log", action="store_true", help="log each request (method, path, status; never the token)"),
        arg("--export-dir", type=Path, metavar="DIR",
            help="where a scribe's F9 writes the review, on this machine (default: the user data dir's exports, "
                 "e.g. ~/.local/share/warroom/exports; made owner-only)"),
    ), "serve:cmd_serve"),
    Command("watch", "read the sources once for every screen: a headless watcher that records the panes (a service)", (
        CONFIG,
        arg("-i", "--incident", type=incident_id, metavar="ID", help="feed this incident only (default: every open one)"),
        arg("--window", type=age, metavar="AGE",
            help="keep the readings of the last AGE while no incident is open, for the next one's replay (default: 60m)"),
        arg("--beat", type=seconds, default=1.0, metavar="S",
            help="seconds between heartbeats; a screen calls the watcher stale after two missed (default: 1)"),
        arg("--listen", nargs="?", const="", metavar="HOST:PORT",
            help="also receive Alertmanager webhooks here, as warroom receive does (no value: "
                 "[alertmanager.receiver] listen, else 127.0.0.1:9095)"),
    ), "watch:cmd_watch"),
)

BY_NAME: dict[str, Command] = {c.name: c for c in COMMANDS}


class _Parser(argparse.ArgumentParser):
    """An argument mistake is one line, like every other error (the usage is one ``--help`` away);
    the arguments argparse echoes are made visible like everything else printed."""

    def error(self, message: str):  # type: ignore[override]
        self.exit(1, f"warroom: error: {message} (see {self.prog} --help)\n")

    def exit(self, status: int = 0, message: str | None = None):
        from warroom.domain.text import visible

        super().exit(status, visible(message) if message else message)


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The parser of every command; given the ``argv`` it will parse, only of the command that
    names (the result is the same for those arguments): a one-shot command does not build fifteen
    sub-parsers (~8 ms of ``warroom log``'s ~100)."""
    parser = _Parser(
        prog="warroom",
        description="A terminal war room for live incidents. With no command, opens the TUI.",
        epilog=EPILOG,
        formatter_class=_RawDescription,
    )
    parser.add_argument("--db", type=db_location, metavar="FILE|URL",
                        help="database file, or a postgresql:// URL for a team on several machines "
                             "(default: $WARROOM_DB or the user data dir)")
    parser.add_argument("--config", type=Path, metavar="FILE",
                        help="config file (default: $WARROOM_CONFIG or config.toml in the user config dir)")
    parser.add_argument("--read-only", action="store_true",
                        help="open the war room to watch: no input line, nothing written (warroom serve's visitors)")
    parser.add_argument("--export-dir", type=Path, metavar="DIR",
                        help="where F9 writes the review draft (default: the current directory)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    named = None if argv is None else named_command(argv)
    for command in COMMANDS if named is None else (named,):
        p = sub.add_parser(command.name, help=command.help, formatter_class=_Formatter)
        for flags, options in command.args:
            p.add_argument(*flags, **options)
    return parser


#: The options before the command, and which of them take a value.
_GLOBAL_VALUED = ("--db", "--config")


def named_command(argv: Sequence[str]) -> Command | None:
    """The command ``argv`` runs, when that is certain without parsing: before it only ``--db``
    and ``--config`` as spelt in full. Anything else (``--help``, an abbreviation, a mistake, no
    command) is None: the whole parser is built, to parse or to explain."""
    i = 0
    while i < len(argv):
        token = argv[i]
        if token in _GLOBAL_VALUED:
            i += 2
        elif token.startswith(tuple(f"{o}=" for o in _GLOBAL_VALUED)):
            i += 1
        else:
            return BY_NAME.get(token)
    return None


def _columns() -> int:
    """``shutil.get_terminal_size().columns``, without importing shutil (and with it zlib, bz2 and
    lzma): argparse makes a formatter for every argument added, and most never format anything."""
    try:
        columns = int(os.environ.get("COLUMNS", "0"))
    except ValueError:
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns
        except (AttributeError, ValueError, OSError):
            columns = 0
    return columns or 80


class _Formatter(argparse.HelpFormatter):
    def __init__(self, prog: str, indent_increment: int = 2, max_help_position: int = 24,
                 width: int | None = None) -> None:
        super().__init__(prog, indent_increment, max_help_position, _columns() - 2 if width is None else width)


class _RawDescription(_Formatter, argparse.RawDescriptionHelpFormatter):
    pass
