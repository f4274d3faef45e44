"""The commands that read the outside world with the config: metrics (Prometheus panels, alerts,
probes), pods (Kubernetes, listed once), doctor (every check, one line each).

No database and no event loop of their own (the probes run one briefly); Prometheus, the
Kubernetes client, httpx, asyncio and json are imported inside the command that needs them.
"""

from __future__ import annotations

import argparse
from datetime import datetime, timedelta, timezone
from pathlib import Path

from warroom.cli.common import CliError, config_location, load_config, when
from warroom.cli.output import cell, error, out, table, write, write_json
from warroom.domain.times import TimeParseError


def cmd_metrics(args: argparse.Namespace, db_path: Path) -> int:
    """Read every panel (concurrently, in threads), the alerts and the probes; print them."""
    import asyncio
    import json
    from concurrent.futures import ThreadPoolExecutor

    from warroom.cli.metrics_report import metrics_json, metrics_text
    from warroom.domain.baseline import worst
    from warroom.sources.probes import probe_all, redact_url, scrub, url_secrets
    from warroom.sources.prometheus import PrometheusSource

    config, path = load_config(args)
    prom = config.prometheus
    if prom is None:
        raise CliError(f"no Prometheus configured: set WARROOM_PROMETHEUS_URL or [prometheus] url in {path}")
    now = datetime.now(timezone.utc)
    try:
        at = when(args.at, now)
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
        data = metrics_json(shown, at, now, verdict, prom.default_panels, outcomes, alerts, alerts_error, probes)
        write_json(scrub(json.dumps(data, indent=2, ensure_ascii=False) + "\n", secrets))
    else:
        text = metrics_text(shown, at, now, verdict, prom.default_panels, outcomes, alerts, alerts_error, probes)
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


def cmd_doctor(args: argparse.Namespace, db_path: Path) -> int:
    """One line per check (printed as it completes); exit 1 if any check failed."""
    from warroom import doctor

    path, explicit = config_location(args)
    checks = []
    for check in doctor.run(path, explicit=explicit, db_path=db_path):
        checks.append(check)
        out(check.line())
    out(doctor.summary(checks))
    return 1 if any(c.status == "FAIL" for c in checks) else 0


def cmd_pods(args: argparse.Namespace, db_path: Path) -> int:
    """List once per context (no watch) and print what the pane shows. Exit 1 if a context failed."""
    import json

    from warroom.config import KubeConfig
    from warroom.domain.times import format_kube_duration
    from warroom.sources.kube.context import KubeTarget
    from warroom.sources.kube.errors import KubeError
    from warroom.sources.kube.watcher import snapshot_once

    config, _path = load_config(args)
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
        where = f"[{cell(context)}] " if multi else ""
        for w in view.summary.workloads:
            if not w.healthy:
                desired = w.desired if w.desired is not None else "?"
                out(f"{where}workload {cell(w.namespace)}/{cell(w.name)} ({cell(w.kind)}): "
                    f"{w.ready}/{desired} ready")
        for r in view.rollouts:
            out(f"{where}rollout {cell(r.namespace)}/{cell(r.deployment)} revision {cell(str(r.revision))} "
                f"{format_kube_duration(r.age)} ago: {cell(r.images_text)}")
        for e in view.events:
            out(f"{where}warning {cell(e.reason)} {cell(e.namespace)}/{cell(e.object)} x{e.count} "
                f"{format_kube_duration(e.age)} ago: {cell(e.message)}")
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
