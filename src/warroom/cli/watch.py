"""``warroom watch``: the headless watcher (``warroom.watch``) as a service — one line per event on
stderr (no secrets, nothing from outside obeyed), stopped cleanly by SIGTERM, SIGHUP or ctrl+c.
Imports nothing heavy until it runs, and never Textual."""

from __future__ import annotations

import argparse
from pathlib import Path

from warroom.cli.common import CliError, load_config


def service_handler(secrets: list[str]):
    """A stderr handler: ``<time> warroom watch: <message>`` on one line, escapes made visible,
    secrets as ``***`` (logging is imported here: the one-shot commands never load it)."""
    import logging
    import sys

    from warroom.domain.text import one_line
    from warroom.sources.probes import scrub

    class ServiceFormatter(logging.Formatter):
        def format(self, record: logging.LogRecord) -> str:
            return one_line(scrub(super().format(record), secrets))

    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(ServiceFormatter("%(asctime)s warroom watch: %(message)s", "%Y-%m-%dT%H:%M:%S%z"))
    return handler


def secrets_of(config) -> list[str]:
    from warroom.sources.probes import url_secrets

    out: list[str] = []
    if config.prometheus is not None:
        prom = config.prometheus
        out += [prom.bearer_token or "", *(prom.basic_auth[1:] if prom.basic_auth else ()), *url_secrets(prom.url)]
    for probe in config.probes:
        out += url_secrets(probe.url)
    return [s for s in out if s]


def cmd_watch(args: argparse.Namespace, db_path: Path) -> int:
    import asyncio
    import logging
    import signal
    from datetime import timedelta

    from warroom.store.location import shown
    from warroom.watch.watcher import Watcher

    config, path = load_config(args)
    if config.prometheus is None and not config.probes and config.kubernetes is None:
        raise CliError(f"nothing to watch: no Prometheus, probes or Kubernetes in {path} (see warroom doctor)")
    logger = logging.getLogger("warroom.watch")
    logger.addHandler(service_handler(secrets_of(config) + [str(db_path)] * (shown(db_path) != str(db_path))))
    logger.setLevel(logging.INFO)
    logger.propagate = False

    async def main() -> int:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
            loop.add_signal_handler(sig, lambda s=sig: (logger.info("%s received", signal.Signals(s).name),
                                                        stop.set()))
        watcher = Watcher(db_path, config, incident_id=args.incident, window=args.window if args.window is not None else timedelta(minutes=60), beat=args.beat)
        return await watcher.run(stop)

    return asyncio.run(main())
