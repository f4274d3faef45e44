"""``warroom watch``: the headless watcher (``warroom.watch``) as a service — one line per event on
stderr (no secrets, nothing from outside obeyed), stopped cleanly by SIGTERM, SIGHUP or ctrl+c.
Imports nothing heavy until it runs, and never Textual.

``--listen [HOST:PORT]`` also hosts the Alertmanager receiver (as ``warroom receive`` builds it)
over the watcher's own store: one process to run per machine instead of two."""

from __future__ import annotations

import argparse
from pathlib import Path

from warroom.cli.common import CliError, load_config
from warroom.cli.receive import configured_receiver


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
    if config.alertmanager is not None:
        out.append(config.alertmanager.receiver.token or "")
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
        alone = "; warroom receive runs the receiver alone" if args.listen is not None else ""
        raise CliError(f"nothing to watch: no Prometheus, probes or Kubernetes in {path} (see warroom doctor{alone})")
    logger = logging.getLogger("warroom.watch")
    logger.addHandler(service_handler(secrets_of(config) + [str(db_path)] * (shown(db_path) != str(db_path))))
    logger.setLevel(logging.INFO)
    logger.propagate = False
    plan = configured_receiver(config, args.listen) if args.listen is not None else None

    async def main() -> int:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
            loop.add_signal_handler(sig, lambda s=sig: (logger.info("%s received", signal.Signals(s).name),
                                                        stop.set()))
        window = args.window if args.window is not None else timedelta(minutes=60)
        watcher = Watcher(db_path, config, incident_id=args.incident, window=window, beat=args.beat)
        if plan is not None:
            watcher.services.append(HostedReceiver(plan, watcher, logger))
        return await watcher.run(stop)

    return asyncio.run(main())


class HostedReceiver:
    """The receiver as one of the watcher's services: built when the watcher starts it (its store is
    open then), one log line per request on the watcher's log (the token scrubbed, never sent)."""

    def __init__(self, plan, watcher, logger) -> None:
        self.plan, self.watcher, self.logger = plan, watcher, logger
        self.server = None

    async def start(self) -> None:
        self.server = self.plan.build(self.watcher.store, lambda line: self.logger.info("receiver: %s", line))
        await self.server.start()
        self.logger.info("receiver listening on %s", self.server.url)

    async def stop(self) -> None:
        if self.server is not None:
            await self.server.stop()
