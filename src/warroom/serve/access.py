"""Who may look, and who may write: the access tokens of ``warroom serve``.

A random token is made at start (or read from a file or the environment) and printed once, as a
link. The first visit brings it in the query string; the answer puts it in an HttpOnly,
SameSite=Strict cookie and sends the browser on to the same address without it (a page that
refreshes to it, not a 303: a link followed from chat is a cross-site navigation, and a
redirect within it would not carry a Strict cookie). Anything else, a wrong token included, is
401. Tokens are compared in constant time and never logged (``web.AccessLog`` logs paths only).
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from html import escape
from typing import Awaitable, Callable, Literal
from urllib.parse import urlencode

from aiohttp import web

Access = Literal["read", "write"]
COOKIE = "warroom_access"
QUERY = "token"
#: the request key the middleware leaves the visitor's access under
ACCESS_KEY = "warroom.access"


def new_token() -> str:
    return secrets.token_urlsafe(24)


@dataclass(frozen=True)
class Tokens:
    read: str
    write: str | None = None  # None: nobody may write (the default)

    def access(self, presented: str | None) -> Access | None:
        if not presented:
            return None
        if self.write is not None and hmac.compare_digest(presented.encode(), self.write.encode()):
            return "write"
        if hmac.compare_digest(presented.encode(), self.read.encode()):
            return "read"
        return None


SECURITY_HEADERS = {
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}


def _page(status: int, title: str, body: str) -> web.Response:
    html = (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1"><title>{escape(title)}</title>'
            f"</head><body><main><h1>{escape(title)}</h1>{body}</main></body></html>")
    return web.Response(status=status, text=html, content_type="text/html", headers=SECURITY_HEADERS)


def unauthorized() -> web.Response:
    return _page(401, "Access token needed",
                 "<p>This war room is shared by link only. Open the link that <code>warroom serve</code> "
                 "printed (it carries the access token), or ask the person running it for it.</p>")


def _without_token(request: web.Request) -> str:
    query = [(k, v) for k, v in request.query.items() if k != QUERY]
    return request.path + (f"?{urlencode(query)}" if query else "")


def _secure(request: web.Request) -> bool:
    return request.secure or request.headers.get("X-Forwarded-Proto", "").lower() == "https"


def middleware(tokens: Tokens) -> Callable:
    """The aiohttp middleware: every route is behind it."""

    @web.middleware
    async def check(request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]):
        presented = request.query.get(QUERY)
        if presented is not None:
            access = tokens.access(presented)
            if access is None:
                return unauthorized()
            target = _without_token(request)
            response = _page(200, "Opening…",
                             f'<p><a href="{escape(target, quote=True)}">Continue</a></p>')
            response.text = response.text.replace(
                "</title>", f'</title><meta http-equiv="refresh" content="0;url={escape(target, quote=True)}">', 1)
            response.set_cookie(COOKIE, presented, httponly=True, samesite="Strict", secure=_secure(request),
                                path="/")
            return response
        access = tokens.access(request.cookies.get(COOKIE))
        if access is None:
            return unauthorized()
        request[ACCESS_KEY] = access
        response = await handler(request)
        if not response.prepared:
            for name, value in SECURITY_HEADERS.items():
                response.headers.setdefault(name, value)
        return response

    return check


def full_page(limit: int) -> web.Response:
    return _page(503, "The war room is full",
                 f"<p>{limit} people are watching the war room already, the most this server lets in at once. "
                 "Try again in a few minutes, or follow the incident on the "
                 '<a href="/status">status page</a>, which has room for everyone.</p>')
