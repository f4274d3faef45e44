"""The aiohttp application of ``warroom serve``: the access check in front of everything, the
stakeholder page and its event stream, and the war room's routes (``serve.room``).

The access log names the method, the path (never the query string: the first visit carries the
token there) and the status. The event streams are capped (each holds a connection and a task):
past the cap a stream is refused with a 503, and the page served meanwhile reloads itself instead.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from aiohttp import web
from aiohttp.abc import AbstractAccessLogger

from warroom.domain.status_page import REFRESH_SECONDS, SCRIPT, STYLESHEET, page_html
from warroom.serve.access import Tokens, middleware
from warroom.serve.room import RoomServer
from warroom.serve.status_feed import StatusFeed

log = logging.getLogger("warroom.serve")

#: Scripts only from this server; no frames; the event stream and the war room's websocket only here.
STATUS_CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; "
              "base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
#: An open page without news for this long gets a comment line, so a dead connection is noticed.
KEEPALIVE_S = 15.0

#: Live status pages at once, by default: well under a default limit of 1,024 open files.
MAX_STREAMS = 200


class Streams:
    """The status pages' open event streams, against their cap; the operator is told once each time
    it is reached (not once per refused page)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.open = 0
        self._said = False

    @property
    def full(self) -> bool:
        return self.open >= self.limit

    def refused(self) -> None:
        if not self._said:
            self._said = True
            log.warning("status page: %d live pages, the most allowed (--max-status-streams); more pages "
                        "reload every %d s instead", self.limit, REFRESH_SECONDS)

    def closed(self) -> None:
        self.open -= 1
        if self.open < self.limit:
            self._said = False


FEED_KEY = web.AppKey("feed", StatusFeed)
STREAMS_KEY = web.AppKey("streams", Streams)


class AccessLog(AbstractAccessLogger):
    """``GET /status 200 0.003s``: the path only — the query string may hold the token."""

    def log(self, request, response, time: float) -> None:
        self.logger.info("%s %s %s %.3fs", request.method, request.path, response.status, time)


async def status_page(request: web.Request) -> web.Response:
    feed = request.app[FEED_KEY]
    await feed.ready.wait()
    live = not request.app[STREAMS_KEY].full  # else the page reloads itself, and says so
    return web.Response(text=page_html(feed.state, live=live), content_type="text/html",
                        headers={"Content-Security-Policy": STATUS_CSP})


async def status_events(request: web.Request) -> web.StreamResponse:
    """Server-Sent Events: the live part as it is now, then each new rendering; a 503 past the cap
    (the browser's EventSource gives up on it, and the page's script reloads it later)."""
    feed, streams = request.app[FEED_KEY], request.app[STREAMS_KEY]
    if streams.full:
        streams.refused()
        return web.Response(status=503, headers={"Retry-After": str(REFRESH_SECONDS)},
                            text=f"Live updates are full: {streams.limit} status pages are following this incident "
                                 f"already. The page reloads itself every {REFRESH_SECONDS} s instead.\n")
    streams.open += 1
    try:
        response = web.StreamResponse(headers={"Content-Type": "text/event-stream", "Cache-Control": "no-store",
                                               "X-Accel-Buffering": "no"})
        await response.prepare(request)
        await feed.ready.wait()
        version, state = feed.version, feed.state
        while True:
            await response.write(_event(state))  # each second at least (the clocks): a closed page is seen
            try:
                version, state = await asyncio.wait_for(feed.next(version), KEEPALIVE_S)
            except asyncio.TimeoutError:
                await response.write(b": keep-alive\n\n")
                continue
    except (ConnectionResetError, asyncio.CancelledError):
        pass
    finally:
        streams.closed()
    return response


def _event(state: str) -> bytes:
    data = "".join(f"data: {line}\n" for line in state.split("\n"))
    return f"event: state\n{data}\n".encode()


async def status_script(request: web.Request) -> web.Response:
    return web.Response(text=SCRIPT, content_type="text/javascript")


async def status_style(request: web.Request) -> web.Response:
    return web.Response(text=STYLESHEET, content_type="text/css")


def make_app(tokens: Tokens, feed: StatusFeed, room: RoomServer | None, *,
             max_streams: int = MAX_STREAMS) -> web.Application:
    app = web.Application(middlewares=[middleware(tokens)])
    app[FEED_KEY] = feed
    app[STREAMS_KEY] = Streams(max_streams)
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
