"""``warroom doctor``: check everything warroom depends on and say precisely what is wrong.

One :class:`Check` per line: the config file (parse and validation, naming file and key), the
database (path, opens, schema version, permissions; for a PostgreSQL URL: connects, TLS,
schema version, the role's privileges, LISTEN), Prometheus (reachable, version, then each
panel's query and the alerts endpoint), the health probes, and whether a kubeconfig and context
resolve (read from the files; no cluster is contacted).

Never prints a secret: tokens and passwords are only ever described ("bearer token"), and every
message goes through :func:`warroom.sources.probes.scrub` with the secrets the config holds.
Imports neither Textual nor the Kubernetes client (the kubeconfig is read as YAML).
"""

from __future__ import annotations

import os
import re
import sqlite3
import stat
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator, Literal, Mapping

from warroom.config import Config, ConfigError, PrometheusConfig, load_config
from warroom.domain.baseline import Reading
from warroom.domain.panels import Panel
from warroom.domain.units import format_ratio, format_value
from warroom.domain.text import one_line

Status = Literal["OK", "WARN", "FAIL"]

#: Error kinds after which no further query can succeed (the panels are not tried).
_UNREACHABLE = {"connection", "timeout", "tls", "auth"}
_ENV = ("WARROOM_CONFIG", "WARROOM_PROMETHEUS_URL", "WARROOM_PROMETHEUS_TOKEN", "WARROOM_KUBE_CONTEXT",
        "WARROOM_KUBE_NAMESPACES", "WARROOM_POLICY", "WARROOM_TIMEZONE", "WARROOM_DB")
#: Words of PromQL that look like metric names but are not.
_KEYWORDS = {"by", "without", "on", "ignoring", "group_left", "group_right", "offset", "bool", "and", "or",
             "unless", "atan2", "inf", "nan", "start", "end"}


@dataclass(frozen=True)
class Check:
    status: Status
    what: str  # config, database, prometheus, panel, alerts, probe, kubernetes
    message: str

    def line(self) -> str:
        """One line, whatever the message quotes (an alert name, a server's error text): made visible."""
        return f"{self.status:<4}  {self.what:<10}  {one_line(self.message)}"


def run(
    config_path: Path, *, explicit: bool, db_path: Path | str, env: Mapping[str, str] = os.environ,
    now: datetime | None = None,
) -> Iterator[Check]:
    """Every check, in order (a generator: print each as it comes)."""
    now = now or datetime.now(timezone.utc)
    config: Config | None = None
    try:
        config = load_config(config_path, env, explicit=explicit)
    except ConfigError as exc:
        yield Check("FAIL", "config", str(exc))
    else:
        yield _config_check(config, config_path, env)
    secrets = _secrets(config)

    def clean(check: Check) -> Check:
        from warroom.sources.probes import scrub

        return Check(check.status, check.what, scrub(check.message, secrets))

    yield clean(_database_check(db_path))
    if config is None:
        yield Check("WARN", "prometheus", "not checked: the config file has an error")
    elif config.prometheus is None:
        yield Check("WARN", "prometheus", "not configured: set WARROOM_PROMETHEUS_URL or [prometheus] url in "
                                          f"{config_path} (the metrics pane stays empty)")
    else:
        for check in _prometheus_checks(config.prometheus, now):
            yield clean(check)
    if config is not None and config.probes:
        for check in _probe_checks(config, now):
            yield clean(check)
    yield clean(_kube_check(config, env))
    if config is not None:
        for check in _alert_checks(config):
            yield clean(check)


def summary(checks: list[Check]) -> str:
    fails = sum(c.status == "FAIL" for c in checks)
    warns = sum(c.status == "WARN" for c in checks)
    if not fails and not warns:
        return f"all {len(checks)} checks passed"
    parts = [f"{fails} failed"] if fails else []
    parts += [f"{warns} warning{'s' if warns != 1 else ''}"] if warns else []
    return f"{len(checks)} checks: " + ", ".join(parts)


# -- config --------------------------------------------------------------------------------------


def _config_check(config: Config, path: Path, env: Mapping[str, str]) -> Check:
    parts = []
    if config.prometheus is not None:
        n = len(config.prometheus.panels)
        parts.append(f"{n} panel{'s' if n != 1 else ''}"
                     + (" (defaults: no [[prometheus.panels]])" if config.prometheus.default_panels else ""))
    parts.append(f"{len(config.probes)} probe{'s' if len(config.probes) != 1 else ''}")
    if config.kubernetes is not None:
        parts.append("kubernetes")
    overrides = [name for name in _ENV if env.get(name)]
    if overrides:
        parts.append("environment: " + ", ".join(overrides))  # names only: values may be secrets
    where = f"{path}: parsed" if config.path is not None else f"no file at {path}: defaults"
    return Check("OK", "config", f"{where}; " + ", ".join(parts))


def _secrets(config: Config | None) -> list[str]:
    from warroom.sources.probes import url_secrets

    if config is None:
        return []
    found: list[str] = []
    prom = config.prometheus
    if prom is not None:
        found += [prom.bearer_token or "", *(prom.basic_auth[1:] if prom.basic_auth else ()), *url_secrets(prom.url)]
    for probe in config.probes:
        found += url_secrets(probe.url)
    am = config.alertmanager
    if am is not None:
        found += [am.bearer_token or "", am.receiver.token or "", *url_secrets(am.url or "")]
    return [s for s in found if s]


# -- alerts in (the receiver) and out (Alertmanager's API) -----------------------------------------
def _alert_checks(config: Config) -> Iterator[Check]:
    """The receiver's address and token (and whether one answers there with that token), then
    Alertmanager's URL (its API v2 status)."""
    am = config.alertmanager
    if am is None:  # not configured: nothing to say (the other checks' lines stay as they were)
        return
    import httpx

    from warroom.sources.alert_receiver import ListenError, parse_listen

    receiver = am.receiver
    try:
        host, port = parse_listen(receiver.listen)
    except ListenError as exc:
        yield Check("FAIL", "receiver", str(exc))
        host = ""
    if host and not receiver.token:
        yield Check("WARN", "receiver", f"{receiver.listen}: no token ([alertmanager.receiver] token_file or "
                                        "token_env, or $WARROOM_RECEIVER_TOKEN): warroom receive "
                                        "(or watch --listen) will not start")
    elif host:
        exposed = "" if host in ("127.0.0.1", "::1", "localhost") else \
            f"; {host} is reachable from other machines (put TLS in front)"
        weak = "; the token is short (use 32 random characters)" if len(receiver.token or "") < 16 else ""
        base = f"http://{'[' + host + ']' if ':' in host else host}:{port}"
        try:
            with httpx.Client(timeout=2.0) as client:
                answer = client.get(f"{base}/alerts", headers={"Authorization": f"Bearer {receiver.token}"})
            running = ("a warroom receiver answers and accepts the token" if answer.status_code == 200 else
                       "a receiver answers but refuses this token (another config?)" if answer.status_code == 401
                       else f"something else answers there (HTTP {answer.status_code})")
            status: Status = "OK" if answer.status_code == 200 else "FAIL"
        except httpx.HTTPError:
            running, status = "nothing listens there yet (warroom receive or watch --listen starts it)", "OK"
        if status == "OK" and (exposed or weak):
            status = "WARN"
        yield Check(status, "receiver", f"{receiver.listen}: {running}{exposed}{weak}")
    if not am.url:
        yield Check("OK", "alertmanager", "no url ([alertmanager] url or $WARROOM_ALERTMANAGER_URL): the alerts "
                                          "view shows the timeline's alerts only, silences are off")
        return
    from warroom.sources.alertmanager import AlertmanagerClient, AlertmanagerError

    client = AlertmanagerClient(am.url, token=am.bearer_token, timeout=am.timeout)
    started = time.monotonic()
    try:
        version = client.version()
        yield Check("OK", "alertmanager", f"{am.url}: Alertmanager {version}, answered in "
                                          f"{(time.monotonic() - started) * 1000:.0f} ms")
    except AlertmanagerError as exc:
        yield Check("FAIL", "alertmanager", f"{exc} (the alerts view cannot read silences, nor make them)")
    finally:
        client.close()


# -- database ------------------------------------------------------------------------------------


def _database_check(path: Path | str) -> Check:
    from warroom.store.location import is_url
    from warroom.store.schema import SCHEMA_VERSION

    if is_url(path):
        from warroom.store.pg_check import check  # psycopg only for a PostgreSQL URL

        status, message = check(str(path))
        return Check(status, "database", message)
    path = path.expanduser()
    if not path.exists():
        parent = next((p for p in path.parents if p.exists()), None)
        if parent is not None and not os.access(parent, os.W_OK | os.X_OK):
            return Check("FAIL", "database", f"{path} does not exist and {parent} is not writable")
        return Check("WARN", "database", f"{path} does not exist yet (created on first use)")
    if not path.is_file():
        return Check("FAIL", "database", f"{path} is not a file")
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
        con = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=5)
        try:
            version = con.execute("PRAGMA user_version").fetchone()[0]
            con.execute("SELECT count(*) FROM sqlite_master").fetchone()
            check = con.execute("PRAGMA quick_check").fetchone()[0]
        finally:
            con.close()
    except sqlite3.DatabaseError as exc:
        from warroom.store import explain

        return Check("FAIL", "database", explain(path, exc))
    except OSError as exc:
        return Check("FAIL", "database", f"{path}: {exc.strerror or exc}")
    if check != "ok":
        return Check("FAIL", "database", f"{path}: integrity check failed: {check}")
    if version > SCHEMA_VERSION:
        return Check("FAIL", "database", f"{path}: schema version {version} is newer than this warroom "
                                         f"understands ({SCHEMA_VERSION}); upgrade warroom")
    if version == 0:
        return Check("WARN", "database", f"{path}: empty, not a warroom database yet (set up on first use)")
    if not os.access(path, os.R_OK | os.W_OK):
        return Check("FAIL", "database", f"{path}: not writable by this user (mode {mode:04o})")
    described = f"{path}: schema version {version}, mode {mode:04o}"
    if version < SCHEMA_VERSION:
        return Check("WARN", "database", f"{described}; will be upgraded to version {SCHEMA_VERSION} on next use")
    if mode & 0o077:
        return Check("WARN", "database", f"{described}: readable by others (the timeline may hold sensitive "
                                         f"notes): chmod 600 {path}")
    return Check("OK", "database", described)


# -- Prometheus ----------------------------------------------------------------------------------


def _auth_text(prom: PrometheusConfig) -> str:
    if prom.bearer_token:
        return "bearer token"
    if prom.basic_auth:
        return "basic auth"
    if "@" in prom.url.split("://", 1)[-1].split("/", 1)[0]:
        return "basic auth from the URL"
    return "no auth"


def _prometheus_checks(prom: PrometheusConfig, now: datetime) -> Iterator[Check]:
    from warroom.sources.probes import redact_url
    from warroom.sources.prometheus import PrometheusSource, SourceError

    shown = redact_url(prom.url)
    try:
        source = PrometheusSource(prom.url, timeout=prom.timeout, bearer_token=prom.bearer_token,
                                  basic_auth=prom.basic_auth, ca_file=prom.ca_file, verify=prom.verify,
                                  pool_size=16)
    except ValueError as exc:
        yield Check("FAIL", "prometheus", f"{shown}: {exc}")
        return
    with source:
        started = time.perf_counter()
        try:
            version = source.version()
        except SourceError as exc:
            if exc.kind in _UNREACHABLE:
                yield Check("FAIL", "prometheus", f"{shown}: {exc} ({_auth_text(prom)}); panels not checked")
                return
            yield Check("WARN", "prometheus", f"{shown}: answers, but no version from "
                                              f"/api/v1/status/buildinfo: {exc}")
        else:
            took = format_value(time.perf_counter() - started, "seconds")
            yield Check("OK", "prometheus", f"{shown}: Prometheus {version}, answered in {took} "
                                            f"({_auth_text(prom)}, timeout {prom.timeout:g} s)")
        with ThreadPoolExecutor(max_workers=min(16, len(prom.panels) + 1), thread_name_prefix="doctor") as pool:
            futures = [pool.submit(_panel_check, source, p, now, prom) for p in prom.panels]
            alerts = pool.submit(_alerts_check, source)
            for future in futures:
                yield future.result()
            yield alerts.result()


def _panel_check(source, panel: Panel, now: datetime, prom: PrometheusConfig) -> Check:
    from warroom.sources.prometheus import SourceError

    started = time.perf_counter()
    try:
        reading: Reading = source.read_panel(panel, now)
    except SourceError as exc:
        return Check("FAIL", "panel", f"{panel.title}: {exc}")
    elapsed = time.perf_counter() - started
    took = format_value(elapsed, "seconds")
    if reading.current is None:
        hint = _why_no_data(source, panel.query, now)
        default = "; a default panel: configure [[prometheus.panels]]" if prom.default_panels else ""
        return Check("WARN", "panel", f"{panel.title}: no data ({hint}){default}")
    value = format_value(reading.current, panel.unit)
    if reading.baseline is None and panel.baseline_shift is not None:
        return Check("WARN", "panel", f"{panel.title}: ok {value}, but no baseline data {panel.baseline} "
                                      f"(less history than that?), in {took}")
    base = format_value(reading.baseline, panel.unit)
    text = f"{panel.title}: ok {value} (baseline {base}, {format_ratio(reading.ratio)}, {reading.verdict}) in {took}"
    if elapsed > prom.timeout / 2:
        return Check("WARN", "panel", f"{text}: slow for a {prom.timeout:g} s timeout")
    return Check("OK", "panel", text)


def metric_names(query: str) -> list[str]:
    """The metric names a PromQL expression selects (a best effort, for hints)."""
    q = re.sub(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'|`[^`]*`', '""', query)  # string literals
    q = re.sub(r"\{[^}]*\}", " ", q)  # label matchers
    q = re.sub(r"\[[^\]]*\]", " ", q)  # ranges, subqueries
    q = re.sub(r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", " ", q)
    q = re.sub(r"\b(?:offset|@)\s*-?[\w.]+", " ", q)
    names: list[str] = []
    for m in re.finditer(r"(?<![\w:.])([a-zA-Z_:][\w:]*)(?![\w:])(?!\s*\()", q):
        name = m[1]
        if name.lower() not in _KEYWORDS and name not in names:
            names.append(name)
    return names


def _why_no_data(source, query: str, now: datetime) -> str:
    from warroom.sources.prometheus import SourceError

    names = metric_names(query)
    try:
        for name in names:
            if source.query(f'count({{__name__="{name}"}})', now).value is None:
                if source.query(f'count(last_over_time({{__name__="{name}"}}[1d]))', now).value is None:
                    return f"series {name} does not exist?"
                return f"series {name} has no samples in the last 5 m: stopped?"
    except SourceError as exc:
        return f"and checking its series failed: {exc}"
    if names:
        return f"{', '.join(names)} exist{'s' if len(names) == 1 else ''}, but the query matches nothing now"
    return "the query matches nothing now"


def _alerts_check(source) -> Check:
    from warroom.sources.prometheus import SourceError

    try:
        alerts = source.alerts()
    except SourceError as exc:
        return Check("WARN", "alerts", f"/api/v1/alerts: {exc} (the pane shows alerts as unknown)")
    firing = [a for a in alerts if a.firing]
    pending = len(alerts) - len(firing)
    names = ", ".join(dict.fromkeys(a.name for a in firing))
    return Check("OK", "alerts", f"{len(firing)} firing" + (f" ({names})" if names else "") + f", {pending} pending")


# -- probes --------------------------------------------------------------------------------------


def _probe_checks(config: Config, now: datetime) -> Iterator[Check]:
    import asyncio

    from warroom.sources.probes import probe_all

    for result in asyncio.run(probe_all(config.probes, now)):
        text = f"{result.name} {result.url}: {result.summary}"
        if result.ok:
            yield Check("OK", "probe", text)
        elif result.error.startswith(("cannot resolve", "invalid URL", "TLS error")):
            yield Check("FAIL", "probe", f"{text} (check the url)")
        else:  # the service answers badly or not at all: its state, not warroom's config
            yield Check("WARN", "probe", text)


# -- kubernetes ----------------------------------------------------------------------------------


def _kube_check(config: Config | None, env: Mapping[str, str]) -> Check:
    """Whether the kubeconfig and each configured context resolve (files only: no cluster contacted)."""
    from warroom.sources.kube.context import KubeTarget, resolve_context
    from warroom.sources.kube.errors import KubeError

    kube = config.kubernetes if config is not None else None
    if kube is None:
        try:
            resolved = resolve_context(KubeTarget())
        except KubeError as exc:
            return Check("OK", "kubernetes", f"not configured (no [kubernetes]): pod health is off; {exc}")
        return Check("OK", "kubernetes", f"not configured (no [kubernetes]): pod health is off; "
                                         f"{resolved.shown} has context {resolved.context}")
    found, failed = [], []
    for context in kube.contexts:
        try:
            resolved = resolve_context(KubeTarget(kubeconfig=kube.kubeconfig, context=context))
        except KubeError as exc:
            failed.append(str(exc))
        else:
            found.append(resolved)
    if failed:
        return Check("FAIL", "kubernetes", "; ".join(dict.fromkeys(failed)))
    where = ", ".join(dict.fromkeys(r.shown for r in found))
    contexts = ", ".join(r.context for r in found)
    return Check("OK", "kubernetes", f"{where}: context{'s' if len(found) > 1 else ''} {contexts} "
                                     "(resolved from the files; the cluster was not contacted)")
