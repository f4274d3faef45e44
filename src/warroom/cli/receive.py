"""``warroom receive``: the Alertmanager webhook receiver, in the foreground until ctrl+c or SIGTERM.

Reads ``[alertmanager.receiver]`` (listen address, token, routing) from the config, opens the
database, and serves ``room.alert_intake.AlertIntake`` through ``sources.alert_receiver``. One
line per request on stderr (never the token). Prints ``listening on http://HOST:PORT/alerts``
once it is bound, so a script (or a test) knows it is up.
"""

from __future__ import annotations

import argparse

from warroom.cli.common import CliError, load_config


def cmd_receive(args: argparse.Namespace, db_path) -> int:
    import asyncio
    import signal
    import sys

    from warroom.config import ReceiverConfig

    config, _ = load_config(args)
    am = config.alertmanager
    receiver = am.receiver if am is not None else ReceiverConfig()
    listen = args.listen or receiver.listen
    if not receiver.token:
        raise CliError("the receiver needs a token: [alertmanager.receiver] token_file or token_env, or "
                       "$WARROOM_RECEIVER_TOKEN (Alertmanager sends it: http_config.authorization.credentials)")
    policy = _policy(config.policy, receiver)

    def log(line: str) -> None:
        print(line, file=sys.stderr, flush=True)

    async def serve() -> None:
        from warroom.domain.alert_routing import Routing
        from warroom.room.alert_intake import AlertIntake
        from warroom.sources.alert_receiver import AlertReceiver, ListenError
        from warroom.store.opening import open_store

        async with open_store(db_path) as store:
            intake = AlertIntake(store, receiver.routing or Routing(), policy, author=receiver.author)
            try:
                server = AlertReceiver(listen, receiver.token or "", intake.deliver, max_body=receiver.max_body,
                                       log=log)
                await server.start()
            except ListenError as exc:
                raise CliError(str(exc)) from None
            stop = asyncio.Event()
            loop = asyncio.get_running_loop()
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(sig, stop.set)
            print(f"listening on {server.url}", flush=True)
            try:
                await stop.wait()
            finally:
                await server.stop()

    from warroom.store.errors import StoreError

    try:
        asyncio.run(serve())
    except StoreError as exc:
        raise CliError(str(exc)) from None
    return 0


def _policy(spec: str, receiver):
    """The policy incidents are declared under; every ``severity_map`` level must be one of its levels."""
    from warroom.domain.policy import PolicyError
    from warroom.policies import load_policy

    try:
        policy = load_policy(spec)
        for value, level in (receiver.routing.severity_map if receiver.routing else ()):
            policy.level(level)
    except PolicyError as exc:
        raise CliError(f"[alertmanager.receiver] severity_map: {exc}") from None
    return policy
