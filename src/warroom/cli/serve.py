"""``warroom serve``: the war room in browsers and the stakeholder page, behind an access token.

Everything heavy (aiohttp, textual-serve) is imported once the arguments are checked. Safe by
default: bound to 127.0.0.1, a random token printed once as a link, the scribe's (write) link
only with ``--write``, and a loud warning when bound to a non-loopback address without TLS.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from warroom.cli.common import CliError, config_location, export_directory
from warroom.cli.output import out

TOKEN_ENV = "WARROOM_SERVE_TOKEN"
WRITE_TOKEN_ENV = "WARROOM_SERVE_WRITE_TOKEN"
MIN_TOKEN = 16


def _token(path: Path | None, env: str) -> str | None:
    """A token from ``path`` (its first line) or ``$env`` (taken out of the environment: the
    visitors' processes inherit it), else None."""
    value = os.environ.pop(env, None)
    if path is not None:
        try:
            value = path.read_text(encoding="utf-8").splitlines()[0].strip() if path.stat().st_size else ""
        except (OSError, UnicodeDecodeError) as exc:
            raise CliError(f"{path}: cannot read the token ({getattr(exc, 'strerror', None) or exc})") from None
    if value is None:
        return None
    if len(value) < MIN_TOKEN or not value.isascii() or not value.isprintable() or " " in value:
        raise CliError(f"the token from {path or '$' + env} must be at least {MIN_TOKEN} printable ASCII "
                       "characters without spaces")
    return value


def loopback(host: str) -> bool:
    import ipaddress

    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _url(host: str, port: int, scheme: str = "http") -> str:
    if host in ("0.0.0.0", "::", ""):
        import socket

        host = socket.gethostname()
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"{scheme}://{host}:{port}"


def cmd_serve(args: argparse.Namespace, db_path) -> int:
    from warroom.serve.access import Tokens, new_token

    if args.max_visitors < 1:
        raise CliError("--max-visitors must be at least 1")
    if args.max_status_streams < 1:
        raise CliError("--max-status-streams must be at least 1")
    from warroom.paths import default_export_dir

    # A scribe's F9 writes here, not in whichever directory the server was started from.
    export_dir = None if args.status_only else export_directory(args.export_dir or default_export_dir(), create=True)
    read = _token(args.token_file, TOKEN_ENV) or new_token()
    write = (_token(args.write_token_file, WRITE_TOKEN_ENV) or new_token()) if args.write else None
    if write is not None and write == read:
        raise CliError("the write token must differ from the read token")
    tokens = Tokens(read, write)
    tls = args.public_url is not None and args.public_url.startswith("https://")
    if not loopback(args.host) and not tls:
        print(f"warroom serve: WARNING: listening on {args.host} without TLS — the access token and the incident "
              "cross the network in clear text. Run it behind a TLS reverse proxy (README: Sharing the war room) "
              "and pass --public-url https://…, or keep the default 127.0.0.1 and use ssh -L.",
              file=sys.stderr, flush=True)

    # The visitors' processes: the database and config come through the environment (a
    # PostgreSQL URL with a password stays out of the process list).
    os.environ["WARROOM_DB"] = str(db_path)
    config_path, explicit = config_location(args)
    if explicit and config_path is not None:
        os.environ["WARROOM_CONFIG"] = str(config_path)
    import shlex

    base = [sys.executable, "-m", "warroom"]
    if export_dir is not None:
        base += ["--export-dir", str(export_dir)]
    read_command = shlex.join([*base, "--read-only"])
    write_command = shlex.join(base) if write is not None else None

    import asyncio

    from warroom.serve.run import serve

    def announce(port: int) -> None:
        root = (args.public_url or _url(args.host, port)).rstrip("/")
        out(f"warroom serve: {'the war room (read-only)' if not args.status_only else 'the status page'} — "
            f"share this link (it carries the access token; anyone with it can look):")
        if not args.status_only:
            out(f"  war room:    {root}/?token={read}")
        out(f"  status page: {root}/status?token={read}")
        if write is not None:
            out(f"  scribe (CAN WRITE, keep it to the scribe): {root}/?token={write}")
        if write is not None and export_dir is not None:
            out(f"  the scribe's exports (F9) go to {export_dir} on this machine")
        out("ctrl+c stops it.")

    try:
        return asyncio.run(serve(tokens, db_path, host=args.host, port=args.port, max_visitors=args.max_visitors,
                                 max_streams=args.max_status_streams,
                                 incident_id=args.incident, timeline=args.show_timeline,
                                 read_command=None if args.status_only else read_command,
                                 write_command=None if args.status_only else write_command,
                                 public_url=args.public_url, access_log=args.access_log, announce=announce))
    except OSError as exc:
        raise CliError(f"cannot listen on {args.host}:{args.port}: {exc.strerror or exc}") from None
