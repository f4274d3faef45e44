"""``warroom receive``: the Alertmanager webhook receiver, in the foreground until ctrl+c or SIGTERM.

Reads ``[alertmanager.receiver]`` (listen address, token, routing) from the config, opens the
database, and serves ``room.alert_intake.AlertIntake`` through ``sources.alert_receiver``. One
line per request on stderr (never the token). Prints ``listening on http://HOST:PORT/alerts``
once it is bound, so a script (or a test) knows it is up.

``warroom watch --listen`` hosts the same receiver inside the watcher: both build it with
:func:`configured_receiver`, so the token, routing and limits cannot differ between them.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable

from warroom.cli.common import CliError, load_config

if TYPE_CHECKING:
    from warroom.sources.alert_receiver import AlertReceiver


@dataclass(frozen=True)
class ReceiverPlan:
    """The receiver as configured, checked before anything starts; ``build`` makes it over a store."""

    listen: str
    receiver: Any = field(repr=False)  # config.ReceiverConfig: holds the token
    policy: Any

    def build(self, store, log: Callable[[str], None]) -> AlertReceiver:
        """An unstarted receiver writing into ``store``; ``log`` gets one line per request."""
        from warroom.domain.alert_routing import Routing
        from warroom.room.alert_intake import AlertIntake
        from warroom.sources.alert_receiver import AlertReceiver

        receiver = self.receiver
        intake = AlertIntake(store, receiver.routing or Routing(), self.policy, author=receiver.author)
        return AlertReceiver(self.listen, receiver.token or "", intake.deliver, max_body=receiver.max_body, log=log)


def configured_receiver(config, listen: str | None) -> ReceiverPlan:
    """``[alertmanager.receiver]`` with ``listen`` (None or empty: the configured address); every
    mistake — no token, a bad address, a severity the policy lacks — is a one-line CliError."""
    from warroom.config import ReceiverConfig
    from warroom.sources.alert_receiver import ListenError, parse_listen

    am = config.alertmanager
    receiver = am.receiver if am is not None else ReceiverConfig()
    listen = listen or receiver.listen
    if not receiver.token:
        raise CliError("the receiver needs a token: [alertmanager.receiver] token_file or token_env, or "
                       "$WARROOM_RECEIVER_TOKEN (Alertmanager sends it: http_config.authorization.credentials)")
    try:
        parse_listen(listen)
    except ListenError as exc:
        raise CliError(str(exc)) from None
    return ReceiverPlan(listen, receiver, _policy(config.policy, receiver))


def cmd_receive(args: argparse.Namespace, db_path) -> int:
    import asyncio
    import signal
    import sys

    config, _ = load_config(args)
    plan = configured_receiver(config, args.listen)

    def log(line: str) -> None:
        print(line, file=sys.stderr, flush=True)

    async def serve() -> None:
        from warroom.sources.alert_receiver import ListenError
        from warroom.store.opening import open_store

        async with open_store(db_path) as store:
            server = plan.build(store, log)
            try:
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
