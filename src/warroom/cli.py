"""The ``warroom`` command: the TUI with no sub-command, scriptable sub-commands otherwise.

Sub-commands never import Textual or the Kubernetes client, so they start fast enough to
be typed in a second terminal mid-incident.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Sequence

from warroom.author import author_name
from warroom.cli_output import cell, error, out, table, write, write_json
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
config: --config, else $WARROOM_CONFIG, else config.toml in the user config dir (optional);
  $WARROOM_PROMETHEUS_URL and the other WARROOM_* variables override it (`warroom doctor` checks it all).
"""


class CliError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    """An argument mistake is one line, like every other error (the usage is one ``--help`` away);
    the arguments argparse echoes are made visible like everything else printed."""

    def error(self, message: str):  # type: ignore[override]
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")

    def exit(self, status: int = 0, message: str | None = None):
        from warroom.domain.text import visible

        super().exit(status, visible(message) if message else message)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="warroom",
        description="A terminal war room for live incidents. With no command, opens the TUI.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--db", type=Path, help="database file (default: $WARROOM_DB or the user data dir)")
    parser.add_argument("--config", type=Path, metavar="FILE",
                        help="config file (default: $WARROOM_CONFIG or config.toml in the user config dir)")
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
    p.add_argument("-o", "--output", type=Path, metavar="FILE|DIR",
                   help="write the file (0600); a directory gets the default name inside it")
    p.add_argument("--format", "-f", choices=("markdown", "json"), default="markdown")

    sub.add_parser("where", help="print where the database lives")

    p = sub.add_parser("metrics", help="every panel against its baseline, firing alerts and probes, from the config")
    _config_arg(p)
    p.add_argument("--json", action="store_true", help="JSON: numbers as numbers, plus the formatted text")
    p.add_argument("--at", metavar="T", help="read the panels as of T (default: now); alerts and probes are current")

    p = sub.add_parser("doctor", help="check the config, database, Prometheus and every panel, probes, kubeconfig")
    _config_arg(p)

    p = sub.add_parser("drill", help="run a scripted incident through the whole war room, scored at the end")
    _config_arg(p)
    p.add_argument("scenario", nargs="?", default=None, metavar="SCENARIO",
                   help="a bundled scenario (see --list) or a scenario .toml file (default: bad-deploy)")
    p.add_argument("--speed", type=_speed, default=1.0, metavar="N",
                   help="compress time N times (default 1: real time); F11 pauses, F12 changes it")
    p.add_argument("--list", action="store_true", help="list the bundled scenarios")

    p = sub.add_parser("replay", help="the war room as it was at any moment of an incident (read-only)")
    p.add_argument("incident", nargs="?", type=_incident_id, metavar="ID",
                   help="incident id (default: the active one, else the latest)")
    p.add_argument("--at", metavar="T", help="start the cursor at T (default: the first reading)")

    p = sub.add_parser("prune", help="delete the recorded readings of incidents resolved long ago (timelines stay)")
    p.add_argument("--older-than", required=True, type=_age, metavar="AGE",
                   help="resolved more than AGE ago, e.g. 90d, 12w, 36h")

    p = sub.add_parser("pods", help="pod health like the pane: unhealthy first, workloads, rollouts, Warning events")
    _config_arg(p)
    p.add_argument("--json", action="store_true")
    p.add_argument("--context", action="append", metavar="CTX", help="kube context (repeatable; default: config)")
    p.add_argument("-n", "--namespace", action="append", metavar="NS", help="namespace (repeatable; default: all)")
    return parser


def _config_arg(p: argparse.ArgumentParser) -> None:
    """``--config`` after the sub-command too (``warroom metrics --config x.toml``)."""
    p.add_argument("--config", type=Path, metavar="FILE", default=argparse.SUPPRESS,
                   help="config file (as the global option)")


def _incident_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("-i", "--incident", type=_incident_id, metavar="ID", help="incident id (default: the active one)")


def _age(text: str):
    from warroom.domain.baseline import parse_duration

    try:
        return parse_duration(text.strip())
    except ValueError as exc:
        too_long = "too long" in str(exc)
        raise argparse.ArgumentTypeError(str(exc) if too_long else f"not an age: {text!r} (e.g. 90d, 12w, 36h)") from None


def _speed(text: str) -> float:
    try:
        value = float(text.rstrip("xX×"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a speed: {text!r} (e.g. 10)") from None
    if not 0 < value <= 600:
        raise argparse.ArgumentTypeError(f"speed must be above 0 and at most 600, got {text!r}")
    return value


#: The largest id SQLite can hold (a signed 64-bit integer).
MAX_ID = 2**63 - 1


def _incident_id(text: str) -> int:
    digits = text.lstrip("#")
    if not (digits.isascii() and digits.isdigit()) or len(digits) > 19 or not 0 < int(digits) <= MAX_ID:
        raise argparse.ArgumentTypeError(f"not an incident id: {text!r}")
    return int(digits)


#: Arguments that name files: their bytes are kept as the operating system gave them.
_RAW_ARGS = frozenset({"scenario"})


def _visible_bytes(args: argparse.Namespace) -> argparse.Namespace:
    """Text arguments with each byte that is not UTF-8 made visible (``<0xFF>``): such a line is
    logged as typed, visibly, instead of failing to encode on its way to the database or terminal."""
    from warroom.domain.text import decodable

    for name, value in vars(args).items():
        if name in _RAW_ARGS:
            continue
        if isinstance(value, str):
            setattr(args, name, decodable(value))
        elif isinstance(value, list) and all(isinstance(v, str) for v in value):
            setattr(args, name, [decodable(v) for v in value])
    return args


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = _visible_bytes(parser.parse_args(argv))
    db_path = args.db or default_db_path()
    if args.command is None:
        return _run_tui(db_path, *_config_location(args))
    if args.command == "where":
        out(str(db_path))
        return 0
    if args.command in SYNC_COMMANDS:
        try:
            return SYNC_COMMANDS[args.command](args, db_path)
        except CliError as exc:
            error(exc)
            return 1
        except KeyboardInterrupt:
            return 130
    try:
        return asyncio.run(_dispatch(args, db_path))
    except CliError as exc:
        error(exc)
        return 1
    except KeyboardInterrupt:
        return 130


def _run_tui(db_path: Path, config_path: Path, explicit: bool) -> int:
    from warroom.ui.factory import run  # noqa: PLC0415 — Textual is only imported for the TUI

    return run(db_path, config_path, explicit_config=explicit)


def _run_replay(args: argparse.Namespace, db_path: Path) -> int:
    from warroom.store.sqlite import NotFound, Store, StoreError

    async def pick() -> tuple[int, datetime | None]:
        async with Store.open(db_path) as store:
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
        incident_id, at = asyncio.run(pick())
    except (StoreError, NotFound, TimeParseError) as exc:
        raise CliError(str(exc)) from None
    from warroom.ui.factory import make_replay_app  # noqa: PLC0415 — Textual only for the TUI

    return make_replay_app(db_path, incident_id, start=at).run() or 0


def _run_drill(args: argparse.Namespace, db_path: Path) -> int:
    """The scenario is read and checked before Textual loads: a mistake in it is one clear line."""
    from warroom.drill.library import DEFAULT, bundled_names, load
    from warroom.drill.scenario import ScenarioError

    if args.list:
        for name in bundled_names():
            scenario, _ = load(name)
            out(f"{name:<20} {_one_line(scenario.severity or '-'):<6} {format_duration(scenario.duration):>6}  "
                f"{_one_line(scenario.title)}")
        return 0
    try:
        scenario, source = load(args.scenario or DEFAULT)
    except ScenarioError as exc:
        raise CliError(str(exc)) from None
    from warroom.ui.factory import run_drill  # noqa: PLC0415 — Textual only for the TUI

    config_path, explicit = _config_location(args)
    return run_drill(db_path, scenario, source, speed=args.speed, config_path=config_path, explicit_config=explicit)


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
                     format_duration(end - i.start), title))
    for line in table(rows):
        out(line)
    return 0


def _one_line(text: str) -> str:
    return cell(text)


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
        out(f"{incident.ref}: {_one_line(entry.text)}")


async def cmd_export(store, args, now) -> int:
    from warroom.domain.report import to_json_data, to_markdown
    from warroom.domain.text import json_visible, visible
    from warroom.drill.library import report_time
    from warroom.export_file import ExportError, default_name, target_path, write_private
    from warroom.review import extra_sections

    incident_id = await _target(store, args)
    incident = await store.incident(incident_id)
    entries = await store.entries(incident_id, with_history=args.format == "json")
    if incident.drill:
        now = report_time(entries, now)
    if args.format == "json":
        text = json_visible(json.dumps(to_json_data(incident, entries, now), indent=2, ensure_ascii=False) + "\n")
    else:
        text = visible(to_markdown(incident, entries, now,
                                   extra_sections=await extra_sections(store, incident, entries, now)))
    if args.output is None:
        sys.stdout.write(text)
        return 0
    path = target_path(args.output, default_name(incident, now, args.format))
    try:
        await asyncio.to_thread(write_private, path, text)
    except ExportError as exc:
        raise CliError(str(exc)) from None
    out(str(path), file=sys.stderr)
    return 0


async def cmd_prune(store, args, now) -> int:
    pruned, deleted = await store.prune_readings(now - args.older_than)
    out(f"deleted {deleted} readings of {len(pruned)} incident{'s' if len(pruned) != 1 else ''}"
        + (f" ({', '.join(f'#{i}' for i in pruned)}); their timelines are kept" if pruned else ""))
    return 0


COMMANDS = {
    "declare": cmd_declare,
    "list": cmd_list,
    "log": cmd_log,
    "ack": cmd_ack,
    "status": cmd_status,
    "severity": cmd_severity,
    "assign": cmd_assign,
    "export": cmd_export,
    "prune": cmd_prune,
}


# -- metrics and doctor: no database, no event loop of their own (probes run one briefly) ---------


def _config_location(args: argparse.Namespace) -> tuple[Path, bool]:
    """The config file to read, and whether it was asked for (then it must exist)."""
    from warroom.paths import default_config_path

    if args.config is not None:
        return args.config.expanduser(), True
    return default_config_path(), bool(os.environ.get("WARROOM_CONFIG"))


def _load_config(args: argparse.Namespace):
    from warroom.config import ConfigError, load_config

    path, explicit = _config_location(args)
    try:
        return load_config(path, explicit=explicit), path
    except ConfigError as exc:
        raise CliError(str(exc)) from None


def cmd_metrics(args: argparse.Namespace, db_path: Path) -> int:
    """Read every panel (concurrently, in threads), the alerts and the probes; print them."""
    from concurrent.futures import ThreadPoolExecutor

    from warroom.domain.baseline import worst
    from warroom.sources.probes import probe_all, redact_url, scrub, url_secrets
    from warroom.sources.prometheus import PrometheusSource

    config, path = _load_config(args)
    prom = config.prometheus
    if prom is None:
        raise CliError(f"no Prometheus configured: set WARROOM_PROMETHEUS_URL or [prometheus] url in {path}")
    now = datetime.now(timezone.utc)
    try:
        at = _when(args.at, now)
    except TimeParseError as exc:
        raise CliError(str(exc)) from None
    secrets = [prom.bearer_token or "", *(prom.basic_auth[1:] if prom.basic_auth else ()), *url_secrets(prom.url)]
    for probe_config in config.probes:
        secrets += url_secrets(probe_config.url)
    shown = redact_url(prom.url)
    try:
        source = PrometheusSource(prom.url, timeout=prom.timeout, bearer_token=prom.bearer_token,
                                  basic_auth=prom.basic_auth, ca_file=prom.ca_file, verify=prom.verify,
                                  pool_size=min(16, len(prom.panels) + 1))
    except ValueError as exc:  # e.g. a bearer token and basic auth at once
        raise CliError(f"{path}: prometheus: {exc}") from None
    with source, ThreadPoolExecutor(max_workers=min(16, len(prom.panels) + 1), thread_name_prefix="metrics") as pool:
        readings = [pool.submit(_read_panel, source, panel, at) for panel in prom.panels]
        alerts_future = pool.submit(_read_alerts, source)
        probes = asyncio.run(probe_all(config.probes, now)) if config.probes else []  # meanwhile
        outcomes = [f.result() for f in readings]
        alerts, alerts_error = alerts_future.result()

    errors = [e for _, _, e in outcomes if e is not None] + ([alerts_error] if alerts_error else [])
    answered = any(r is not None for _, r, _ in outcomes) or alerts_error is None
    if not answered and not any(e.kind == "promql" for e in errors):  # nothing got through
        from collections import Counter

        message = Counter(str(e) for e in errors).most_common(1)[0][0]
        raise CliError(scrub(f"prometheus {shown}: {message}", secrets))

    verdict = worst(r.verdict for _, r, _ in outcomes if r is not None)
    if args.json:
        data = _metrics_json(shown, at, now, verdict, prom.default_panels, outcomes, alerts, alerts_error, probes)
        write_json(scrub(json.dumps(data, indent=2, ensure_ascii=False) + "\n", secrets))
    else:
        text = _metrics_text(shown, at, now, verdict, prom.default_panels, outcomes, alerts, alerts_error, probes)
        write(scrub(text, secrets))
    return 0


def _read_panel(source, panel, at: datetime):
    from warroom.sources.prometheus import SourceError

    try:
        return panel, source.read_panel(panel, at), None
    except SourceError as exc:
        return panel, None, exc


def _read_alerts(source):
    from warroom.sources.prometheus import SourceError

    try:
        return source.alerts(), None
    except SourceError as exc:
        return None, exc


def _finite(x: float | None) -> float | None:
    """A number JSON can carry: NaN and ±Inf become null (the text fields still say what they were)."""
    import math

    return x if x is not None and math.isfinite(x) else None


def _iso(dt: datetime | None) -> str | None:
    return None if dt is None else dt.astimezone(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


def _panel_texts(panel, reading) -> dict[str, str]:
    from warroom.domain.baseline import format_deviation, format_ratio, format_value

    return {
        "current": format_value(reading.current, panel.unit),
        "baseline": format_value(reading.baseline, panel.unit),
        "ratio": format_ratio(reading.ratio),
        "deviation": format_deviation(reading.deviation_pct),
    }


def _metrics_json(shown, at, now, verdict, default_panels, outcomes, alerts, alerts_error, probes) -> dict:
    from warroom.domain.baseline import describe, earliest_firing

    panels = []
    for panel, reading, error in outcomes:
        item = {
            "title": panel.title, "query": panel.query, "unit": panel.unit, "direction": panel.direction,
            "baseline_from": panel.baseline if isinstance(panel.baseline, str) else "fixed",
        }
        if reading is None:
            item.update(current=None, baseline=None, ratio=None, deviation_pct=None, verdict=None, reasons=[],
                        notes="", series=None, top=[], text=None, summary=None,
                        error={"message": str(error), "kind": error.kind})
        else:
            item.update(
                current=_finite(reading.current), baseline=_finite(reading.baseline), ratio=_finite(reading.ratio),
                deviation_pct=_finite(reading.deviation_pct), verdict=reading.verdict,
                reasons=list(reading.reasons), notes=reading.note, series=reading.series,
                top=[{"series": label, "value": _finite(v)} for label, v in reading.top],
                text=_panel_texts(panel, reading), summary=describe(reading), error=None,
            )
        panels.append(item)
    return {
        "prometheus": shown,
        "at": _iso(at),
        "read_at": _iso(now),
        "verdict": verdict,
        "default_panels": default_panels,
        "panels": panels,
        "alerts": {
            "error": None if alerts_error is None else {"message": str(alerts_error), "kind": alerts_error.kind},
            "firing": sum(a.firing for a in alerts or ()),
            "pending": sum(not a.firing for a in alerts or ()),
            "earliest_firing": _iso(earliest_firing(alerts or ())),
            "items": [
                {"name": a.name, "state": a.state, "severity": a.severity, "active_at": _iso(a.active_at),
                 "value": _finite(a.value), "summary": a.summary, "labels": dict(a.labels)}
                for a in alerts or ()
            ],
        },
        "probes": [
            {"name": p.name, "url": p.url, "ok": p.ok, "status": p.status, "latency_s": p.latency_s,
             "error": p.error or None, "at": _iso(p.at)}
            for p in probes
        ],
    }


def _metrics_text(shown, at, now, verdict, default_panels, outcomes, alerts, alerts_error, probes) -> str:
    from warroom.domain.baseline import earliest_firing, format_value
    from warroom.domain.times import short_utc

    when = short_utc(at) + ("" if abs((now - at).total_seconds()) < 1 else f" ({format_duration(now - at)} ago)")
    lines = [f"Prometheus {shown} at {when}: {verdict}"]
    if default_panels:
        lines.append("(default panels: no [[prometheus.panels]] configured)")
    rows = [("PANEL", "CURRENT", "BASELINE", "RATIO", "DEVIATION", "VERDICT", "NOTES")]
    for panel, reading, error in outcomes:
        if reading is None:
            rows.append((panel.title, "-", "-", "-", "-", "ERROR", str(error)))
            continue
        texts = _panel_texts(panel, reading)
        fixed = panel.baseline_fixed is not None
        base = texts["baseline"] + (" (fixed)" if fixed else f" ({panel.baseline.split()[1]} ago)")
        notes = "; ".join([*reading.reasons, *([reading.note] if reading.note else [])])
        rows.append((panel.title, texts["current"], base, texts["ratio"], texts["deviation"], reading.verdict,
                     notes))
    lines += table(rows)

    lines.append("")
    if alerts_error is not None:
        lines.append(f"ALERTS  cannot read /api/v1/alerts: {_one_line(str(alerts_error))}")
    else:
        firing = [a for a in alerts if a.firing]
        pending = len(alerts) - len(firing)
        first = earliest_firing(alerts)
        head = f"ALERTS  {len(firing)} firing, {pending} pending"
        lines.append(head + (f"; earliest firing since {short_utc(first)}" if first else ""))
        if firing:
            lines += table([
                (a.name, a.severity or "-",
                 f"since {short_utc(a.active_at)} ({format_duration(now - a.active_at)})" if a.active_at else "-",
                 a.summary)
                for a in firing], indent="  ")
    if probes:
        lines.append("")
        lines.append(f"PROBES  {sum(p.ok for p in probes)} up, {sum(not p.ok for p in probes)} down")
        lines += table([
            ("UP" if p.ok else "DOWN", p.name, p.url,
             f"HTTP {p.status}" if p.status is not None else "-",
             format_value(p.latency_s, "seconds") if p.latency_s is not None else "-",
             p.error)
            for p in probes], indent="  ")
    return "\n".join(lines) + "\n"


def cmd_doctor(args: argparse.Namespace, db_path: Path) -> int:
    """One line per check (printed as it completes); exit 1 if any check failed."""
    from warroom import doctor

    path, explicit = _config_location(args)
    checks = []
    for check in doctor.run(path, explicit=explicit, db_path=db_path):
        checks.append(check)
        out(check.line())
    out(doctor.summary(checks))
    return 1 if any(c.status == "FAIL" for c in checks) else 0


def cmd_pods(args: argparse.Namespace, db_path: Path) -> int:
    """List once per context (no watch) and print what the pane shows. Exit 1 if a context failed."""
    from warroom.config import KubeConfig
    from warroom.domain.pod_status import human_duration
    from warroom.sources.kube.context import KubeTarget
    from warroom.sources.kube.errors import KubeError
    from warroom.sources.kube.watcher import snapshot_once

    config, _path = _load_config(args)
    kube = config.kubernetes or KubeConfig()
    contexts = tuple(args.context) if args.context else kube.contexts
    namespaces = tuple(args.namespace) if args.namespace else kube.namespaces
    now = datetime.now(timezone.utc)
    results, failed = [], False
    for context in contexts:
        target = KubeTarget(kubeconfig=kube.kubeconfig, context=context, namespaces=namespaces,
                            label_selector=kube.selector or None, resync=0)
        try:
            results.append((context, snapshot_once(target, now,
                                                   rollouts_within=timedelta(hours=kube.rollout_hours)), None))
        except KubeError as exc:
            failed = True
            results.append((context, None, str(exc)))
            error(f"{context or 'current context'}: {exc}")
    if args.json:
        write_json(json.dumps([_pods_json(c, v, e, now) for c, v, e in results], indent=2) + "\n")
        return 1 if failed else 0
    multi = len(contexts) > 1
    header = (["CONTEXT"] if multi else []) + ["NAMESPACE", "NAME", "READY", "STATUS", "RESTARTS", "AGE", "NODE"]
    rows = [header]
    for context, view, _ in results:
        for r in view.rows if view else ():
            rows.append(([context or "current"] if multi else []) + [
                r.namespace, r.name, r.ready, r.status, r.restarts_text_at(now), r.age_text_at(now), r.node])
    for line in table(rows, gap="   "):
        out(line)
    for context, view, _ in results:
        if view is None:
            continue
        where = f"[{_one_line(context)}] " if multi else ""
        for w in view.summary.workloads:
            if not w.healthy:
                desired = w.desired if w.desired is not None else "?"
                out(f"{where}workload {_one_line(w.namespace)}/{_one_line(w.name)} ({_one_line(w.kind)}): "
                    f"{w.ready}/{desired} ready")
        for r in view.rollouts:
            out(f"{where}rollout {_one_line(r.namespace)}/{_one_line(r.deployment)} revision {_one_line(str(r.revision))} "
                f"{human_duration(r.age)} ago: {_one_line(r.images_text)}")
        for e in view.events:
            out(f"{where}warning {_one_line(e.reason)} {_one_line(e.namespace)}/{_one_line(e.object)} x{e.count} "
                f"{human_duration(e.age)} ago: {_one_line(e.message)}")
    return 1 if failed else 0


def _pods_json(context, view, error, now: datetime) -> dict:
    if view is None:
        return {"context": context, "error": error}
    return {
        "context": context,
        "error": None,
        "pods": [{"namespace": r.namespace, "name": r.name, "ready": r.ready, "status": r.status,
                  "restarts": r.restarts, "restarts_text": r.restarts_text_at(now), "age_seconds":
                  r.age_at(now).total_seconds() if r.age_at(now) else None, "node": r.node, "healthy": r.healthy,
                  "owner": {"kind": r.owner.kind, "name": r.owner.name} if r.owner else None,
                  "unreadable": r.problem or None} for r in view.rows],
        "workloads": [{"namespace": w.namespace, "kind": w.kind, "name": w.name, "ready": w.ready,
                       "desired": w.desired, "healthy": w.healthy} for w in view.summary.workloads],
        "namespaces": [{"namespace": n.namespace, "total": n.total, "unhealthy": n.unhealthy}
                       for n in view.summary.namespaces],
        "rollouts": [{"namespace": r.namespace, "deployment": r.deployment, "revision": r.revision,
                      "at": r.at.isoformat(), "images": r.images_text} for r in view.rollouts],
        "events": [{"namespace": e.namespace, "reason": e.reason, "object": e.object, "count": e.count,
                    "last_seen": e.last_seen.isoformat(), "message": e.message} for e in view.events],
    }


SYNC_COMMANDS = {
    "drill": _run_drill,
    "replay": _run_replay,
    "metrics": cmd_metrics,
    "doctor": cmd_doctor,
    "pods": cmd_pods,
}
