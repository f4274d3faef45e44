"""The aiohttp application of ``warroom serve``: the access check in front of everything, the
stakeholder page and its event stream, and the war room's routes (``serve.room``).

The access log names the method, the path (never the query string: the first visit carries the
token there) and the status.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from aiohttp import web
from aiohttp.abc import AbstractAccessLogger

from warroom.domain.status_page import SCRIPT, STYLESHEET, page_html
from warroom.serve.access import Tokens, middleware
from warroom.serve.room import RoomServer
from warroom.serve.status_feed import StatusFeed

log = logging.getLogger("warroom.serve")

#: Scripts only from this server; no frames; the event stream and the war room's websocket only here.
STATUS_CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; "
              "base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
#: An open page without news for this long gets a comment line, so a dead connection is noticed.
KEEPALIVE_S = 15.0

FEED_KEY = web.AppKey("feed", StatusFeed)


class AccessLog(AbstractAccessLogger):
    """``GET /status 200 0.003s``: the path only — the query string may hold the token."""

    def log(self, request, response, time: float) -> None:
        self.logger.info("%s %s %s %.3fs", request.method, request.path, response.status, time)


async def status_page(request: web.Request) -> web.Response:
    feed = request.app[FEED_KEY]
    await feed.ready.wait()
    return web.Response(text=page_html(feed.state), content_type="text/html",
                        headers={"Content-Security-Policy": STATUS_CSP})


async def status_events(request: web.Request) -> web.StreamResponse:
    """Server-Sent Events: the live part as it is now, then each new rendering."""
    feed = request.app[FEED_KEY]
    response = web.StreamResponse(headers={"Content-Type": "text/event-stream", "Cache-Control": "no-store",
                                           "X-Accel-Buffering": "no"})
    await response.prepare(request)
    await feed.ready.wait()
    version, state = feed.version, feed.state
    try:
        while True:
            await response.write(_event(state))
            try:
                version, state = await asyncio.wait_for(feed.next(version), KEEPALIVE_S)
            except asyncio.TimeoutError:
                await response.write(b": keep-alive\n\n")
                continue
    except (ConnectionResetError, asyncio.CancelledError):
        pass
    return response


def _event(state: str) -> bytes:
    data = "".join(f"data: {line}\n" for line in state.split("\n"))
    return f"event: state\n{data}\n".encode()


async def status_script(request: web.Request) -> web.Response:
    return web.Response(text=SCRIPT, content_type="text/javascript")


async def status_style(request: web.Request) -> web.Response:
    return web.Response(text=STYLESHEET, content_type="text/css")


def make_app(tokens: Tokens, feed: StatusFeed, room: RoomServer | None) -> web.Application:
    app = web.Application(middlewares=[middleware(tokens)])
    app[FEED_KEY] = feed
    app.add_routes([
        web.get("/status", status_page),
        web.get("/status/events", status_events),
        web.get("/status.js", status_script),
        web.get("/status.css", status_style),
    ])
    if room is not None:
        room.add_routes(app)
    else:
        app.router.add_get("/", lambda request: web.HTTPFound("/status"))

    async def follow(app: web.Application):
        task = asyncio.create_task(feed.run())
        yield
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    app.cleanup_ctx.append(follow)
    return app


async def start(app: web.Application, host: str, port: int) -> tuple[web.AppRunner, int]:
    """Bind and serve; (the runner, the port bound — ``port`` 0 picks a free one)."""
    runner = web.AppRunner(app, access_log_class=AccessLog, access_log=logging.getLogger("warroom.serve.access"),
                           handle_signals=False, shutdown_timeout=2.0)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    await site.start()
    return runner, site.port
