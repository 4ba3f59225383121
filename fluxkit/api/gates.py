"""ASGI gates around the whole app: the foreign-Origin refusal and the edge redirect.

The edge gate is the seed's `src/proxy.ts`, stronger: it checks that the session is
*valid* (not merely that a cookie exists) before any protected page's HTML is served.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import quote, urlsplit

import anyio
from starlette.datastructures import Headers, MutableHeaders, QueryParams
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from fluxkit.api.deps import set_hints_cookie, set_session_cookie
from fluxkit.db import session_scope
from fluxkit.routes import AUTH_PAGES, PAGE_ALIASES, SIGN_IN, is_protected, protected_prefixes
from fluxkit.services import sessions, ui_hints
from fluxkit.services.accounts import safe_redirect
from fluxkit.settings import get_settings

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# The production build serves each page also as /page.html, /page/index.html and .gz etc.
_STATIC_SPELLING = re.compile(r"(/index)?\.html(\.[A-Za-z0-9]+)?$")


def _page_path(path: str) -> str:
    """The page a request path names, however it is spelled (`/dashboard.html`, `//dashboard`)."""
    return _STATIC_SPELLING.sub("", re.sub(r"/{2,}", "/", path)) or "/"


def _request_origin(headers: Headers) -> str | None:
    if origin := headers.get("origin"):
        return origin.rstrip("/")
    if referer := headers.get("referer"):
        parts = urlsplit(referer)
        if parts.scheme and parts.netloc:
            return f"{parts.scheme}://{parts.netloc}"
    return None


class OriginGuard:
    """Cookie-carrying unsafe requests from an untrusted Origin get 403 (CSRF)."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] not in SAFE_METHODS:
            headers = Headers(scope=scope)
            origin = _request_origin(headers)
            if headers.get("cookie") and origin is not None and origin not in get_settings().trusted_origins:
                response = JSONResponse(
                    {"error": "forbidden_origin", "message": "This request came from another site."},
                    status_code=403,
                )
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


def _resolve(cookie_header: str | None, with_hints: bool = False):
    """(token, identity, first-paint hints); the hints only for a signed-in page's request."""
    token = sessions.token_from_cookie_header(cookie_header)
    if not token:
        return None, None, None
    with session_scope() as db:
        identity = sessions.resolve(db, token)
        hints = ui_hints.for_identity(db, identity) if with_hints and identity is not None else None
        return token, identity, hints


class EdgeGate:
    """Redirects page requests by session before the frontend's HTML is served.

    `signed_in_routes` are the routes of the pages registered as signed-in (fluxkit.py):
    each, and every path below it, needs a valid session.
    """

    def __init__(self, app: ASGIApp, *, signed_in_routes: Iterable[str]):
        self.app = app
        self.protected = protected_prefixes(signed_in_routes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD"):
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        query = scope.get("query_string", b"").decode("latin-1")
        if alias := PAGE_ALIASES.get(path.rstrip("/")):
            await RedirectResponse(alias + (f"?{query}" if query else ""), 308)(scope, receive, send)
            return
        page = _page_path(path)
        protected = is_protected(page, self.protected)
        auth_page = page.rstrip("/") in AUTH_PAGES
        if not protected and not auth_page:
            await self.app(scope, receive, send)
            return
        token, identity, hints = await anyio.to_thread.run_sync(_resolve, Headers(scope=scope).get("cookie"), protected)
        if protected and identity is None:
            target = path + (f"?{query}" if query else "")
            await RedirectResponse(f"{SIGN_IN}?redirect={quote(target, safe='/')}", 307)(scope, receive, send)
            return
        if auth_page and identity is not None:
            redirect = safe_redirect(QueryParams(query).get("redirect"))
            await RedirectResponse(redirect, 307)(scope, receive, send)
            return
        carrier = Response()
        if identity is not None and identity.refreshed:
            set_session_cookie(carrier, token)  # a fresh max-age after a sliding refresh
        if hints is not None and (value := ui_hints.encode(hints)) != _cookie(scope, ui_hints.COOKIE_NAME):
            set_hints_cookie(carrier, value)  # read before the first paint; sent again when changed
        cookies = carrier.headers.getlist("set-cookie")
        await self.app(scope, receive, _with_cookies(send, cookies) if cookies else send)


def _cookie(scope: Scope, name: str) -> str | None:
    for part in (Headers(scope=scope).get("cookie") or "").split(";"):
        key, _, value = part.strip().partition("=")
        if key == name:
            return value
    return None


def _with_cookies(send: Send, cookies: list[str]) -> Send:
    """Add these Set-Cookie headers to the page's answer."""

    async def send_with_cookie(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = MutableHeaders(scope=message)
            for cookie in cookies:
                headers.append("set-cookie", cookie)
        await send(message)

    return send_with_cookie
