"""Who is calling /api/v1, and whether they are within their budget.

A request carries either `Authorization: Bearer <api key>` or the browser's session cookie.
When an Authorization header is present it alone decides (a bad key is a 401 even beside a
valid cookie). Each caller gets FLUXKIT_API_RATE_LIMIT requests (600 a minute by default):
per key for keys, per user for the session, per address for the anonymous. The verdict rides
in the request state so every answer, refusals included, carries the rate-limit headers: the
IETF draft's RateLimit-Limit / -Remaining / -Reset (seconds) / -Policy, and the older
X-RateLimit-* (Reset as a unix time); a 429 adds Retry-After.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from fastapi import Depends, Request
from fastapi.security import APIKeyCookie, HTTPAuthorizationCredentials, HTTPBearer
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from fluxkit.api.deps import current_identity, request_meta
from fluxkit.api.errors import RateLimited
from fluxkit.db import session_scope
from fluxkit.services import api_keys, ratelimit
from fluxkit.services.errors import NotAuthenticated
from fluxkit.settings import SESSION_COOKIE

STATE_KEY = "fluxkit_rate"

# Declared for the OpenAPI spec (and the docs page); the lookups below do the real work.
bearer_scheme = HTTPBearer(
    auto_error=False,
    scheme_name="apiKey",
    bearerFormat="fk_...",
    description="A personal API key, created in Settings or with `POST /api-keys`.",
)
cookie_scheme = APIKeyCookie(
    name=SESSION_COOKIE,
    auto_error=False,
    scheme_name="session",
    description="The browser's session cookie (`__Secure-` prefixed under https), set at sign-in.",
)


@dataclass(frozen=True)
class Caller:
    user_id: int
    key_id: int | None = None  # None: signed in with the session cookie

    @property
    def with_session(self) -> bool:
        return self.key_id is None


def _bearer_key(header: str) -> str:
    scheme, _, credentials = header.strip().partition(" ")
    return credentials.strip() if scheme.lower() == "bearer" else ""


def _identify(request: Request) -> Caller | None:
    header = request.headers.get("authorization")
    with session_scope() as db:
        if header is not None:
            found = api_keys.authenticate(db, _bearer_key(header))
            return Caller(found.user.id, found.key_id) if found else None
        identity = current_identity(request, db)
        return Caller(identity.user.id) if identity else None


CALLER_KEY = "fluxkit_caller"


def current_caller(
    request: Request,
    _key: HTTPAuthorizationCredentials | None = Depends(bearer_scheme),
    _cookie: str | None = Depends(cookie_scheme),
) -> Caller:
    """The authenticated caller, counted against their budget; else 401 (or 429)."""
    return authenticate(request)


def authenticate(request: Request) -> Caller:
    """`current_caller`'s work, done (and counted) once per request, whoever asks first."""
    known = getattr(request.state, CALLER_KEY, None)
    if known is not None:
        return known
    caller = _identify(request)
    if caller is None:
        budget = ("ip", request_meta(request).ip)
    elif caller.key_id is not None:
        budget = ("key", str(caller.key_id))
    else:
        budget = ("user", str(caller.user_id))
    rate = api_keys.api_rate()
    verdict = ratelimit.hit(rate, "api-v1", *budget)
    request.state.fluxkit_window = rate.get_expiry()
    request.state.fluxkit_rate = verdict
    if not verdict.allowed:
        raise RateLimited(verdict)
    if caller is None:
        raise NotAuthenticated("Sign in, or send an API key as `Authorization: Bearer <key>`.")
    setattr(request.state, CALLER_KEY, caller)
    return caller


class RateHeaders:
    """Adds the caller's X-RateLimit-* headers to whatever answer the request got."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        state = scope.setdefault("state", {})

        async def send_with_headers(message: Message) -> None:
            verdict = state.get(STATE_KEY)
            if message["type"] == "http.response.start" and verdict is not None:
                headers = MutableHeaders(scope=message)
                headers["RateLimit-Limit"] = str(verdict.limit)
                headers["RateLimit-Remaining"] = str(verdict.remaining)
                headers["RateLimit-Reset"] = str(max(0, verdict.reset_at - int(time.time())))
                headers["RateLimit-Policy"] = f"{verdict.limit};w={state.get('fluxkit_window', 60)}"
                headers["X-RateLimit-Limit"] = str(verdict.limit)
                headers["X-RateLimit-Remaining"] = str(verdict.remaining)
                headers["X-RateLimit-Reset"] = str(verdict.reset_at)
            await send(message)

        await self.app(scope, receive, send_with_headers)
