"""The war room for browsers: textual-serve's handlers (its page, its websocket, its static
files), one app process per visitor, composed into warroom's own aiohttp app.

What changes from ``textual_serve.server.Server``: the command run depends on the visitor's
access (read-only unless they came with the write token); the websocket address is taken from
the request (behind a port-forward or a proxy the bound address is not the one the browser
sees); a cap on processes at once, with a page that says so; a websocket from another site's
page is refused (the cookie would not come with it anyway: SameSite=Strict); the page is our own
template (``templates/app_index.html``), which loads nothing from outside this server, and its
Content-Security-Policy keeps it so (textual.js fetches any ``?ping=`` URL it is given).
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import aiohttp_jinja2
from aiohttp import web
from textual_serve.app_service import AppService
from textual_serve.server import Server, to_int

from warroom.serve.access import ACCESS_KEY, full_page

log = logging.getLogger("warroom.serve")

#: Our page (textual-serve's asks Google Fonts for its font).
TEMPLATES = Path(__file__).with_name("templates")


def room_csp(websocket_url: str) -> str:
    """Everything from this server only; inline styles because xterm.js adds its own."""
    socket_origin = "/".join(websocket_url.split("/", 3)[:3])
    return ("default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self'; "
            f"font-src 'self'; connect-src 'self' {socket_origin}; base-uri 'none'; form-action 'none'; "
            "frame-ancestors 'none'")


class RoomServer(Server):
    def __init__(self, read_command: str, write_command: str | None, *, max_visitors: int,
                 public_url: str | None = None) -> None:
        super().__init__(read_command, title="warroom", public_url=public_url or "http://localhost",
                         templates_path=TEMPLATES)
        self.read_command = read_command
        self.write_command = write_command
        self.max_visitors = max_visitors
        self.explicit_url = public_url
        self.visitors = 0  # app processes running now

    def command_for(self, request: web.Request) -> str:
        if request.get(ACCESS_KEY) == "write" and self.write_command is not None:
            return self.write_command
        return self.read_command

    @property
    def full(self) -> bool:
        return self.visitors >= self.max_visitors

    def _base(self, request: web.Request) -> str:
        if self.explicit_url:
            return self.explicit_url.rstrip("/")
        scheme = "https" if request.secure or request.headers.get("X-Forwarded-Proto") == "https" else "http"
        return f"{scheme}://{request.host}"

    async def handle_index(self, request: web.Request) -> web.StreamResponse:  # type: ignore[override]
        """The page, its addresses made from the request."""
        if self.full:
            return full_page(self.max_visitors)
        base = self._base(request)
        router = request.app.router
        ws = base + str(router["websocket"].url_for())
        context: dict[str, Any] = {
            "font_size": to_int(request.query.get("fontsize", "16"), 16),
            "app_websocket_url": ("wss:" if ws.startswith("https:") else "ws:") + ws.split(":", 1)[1],
            "config": {"static": {"url": base + str(router["static"].url_for(filename="/")).rstrip("/") + "/"}},
            "application": {"name": "warroom (read-only)" if self.command_for(request) == self.read_command
                            else "warroom"},
            "restart_url": request.path + "?" + urlencode([(k, v) for k, v in request.query.items() if k != "delay"]),
        }
        response = aiohttp_jinja2.render_template("app_index.html", request, context)
        response.headers["Content-Security-Policy"] = room_csp(context["app_websocket_url"])
        return response

    async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:  # type: ignore[override]
        origin = request.headers.get("Origin")
        if origin is not None and origin.split("://", 1)[-1] != request.host and not self.explicit_url:
            raise web.HTTPForbidden(text="a websocket from another site's page")
        websocket = web.WebSocketResponse(heartbeat=15)
        await websocket.prepare(request)
        if self.full:
            await websocket.close(message=b"full")
            return websocket
        self.visitors += 1
        service: AppService | None = None
        try:
            service = AppService(self.command_for(request), write_bytes=websocket.send_bytes,
                                 write_str=websocket.send_str, close=websocket.close,
                                 download_manager=self.download_manager, debug=False)
            await service.start(to_int(request.query.get("width", "80"), 80),
                                to_int(request.query.get("height", "24"), 24))
            await self._process_messages(websocket, service)
        except asyncio.CancelledError:
            await websocket.close()
        except Exception as error:  # noqa: BLE001 — one visitor's failure is logged, the server goes on
            log.warning("war room visitor: %s", error)
        finally:
            self.visitors -= 1
            if service is not None:
                await service.stop()
        return websocket

    def add_routes(self, app: web.Application) -> None:
        """The war room's routes on ``app`` (textual-serve's names: its page looks them up)."""
        aiohttp_jinja2.setup(app, loader=__import__("jinja2").FileSystemLoader(self.templates_path))
        app.add_routes([
            web.get("/", self.handle_index, name="index"),
            web.get("/ws", self.handle_websocket, name="websocket"),
            web.get("/download/{key}", self.handle_download, name="download"),
            web.static("/static", self.statics_path, name="static"),
        ])
