"""Running ``warroom serve`` until ctrl+c or SIGTERM: bind, announce the links once, stop cleanly
(each visitor's app process is told to quit)."""

from __future__ import annotations

import asyncio
import logging
import signal
import sys
from pathlib import Path
from typing import Callable

from warroom.serve.access import Tokens
from warroom.serve.room import RoomServer
from warroom.serve.status_feed import StatusFeed
from warroom.serve.web import make_app, start


async def serve(tokens: Tokens, db_path: Path | str, *, host: str, port: int, max_visitors: int, max_streams: int,
                incident_id: int | None, timeline: bool, read_command: str | None, write_command: str | None,
                public_url: str | None, access_log: bool, announce: Callable[[int], None]) -> int:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("warroom serve: %(message)s"))
    logger = logging.getLogger("warroom.serve")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO if access_log else logging.WARNING)
    logger.propagate = False

    feed = StatusFeed(db_path, incident_id=incident_id, timeline=timeline)
    room = (RoomServer(read_command, write_command, max_visitors=max_visitors, public_url=public_url)
            if read_command is not None else None)
    app = make_app(tokens, feed, room, max_streams=max_streams)
    runner, bound = await start(app, host, port)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    announce(bound)
    try:
        await stop.wait()
    finally:
        await runner.cleanup()
    return 0
