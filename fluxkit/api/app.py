"""The FastAPI app Reflex mounts in front of its own routes."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable

from fastapi import FastAPI
from starlette.types import ASGIApp

from fluxkit.api import auth, auth_passkeys, auth_social, avatars, billing, calendar_feed, errors, health, two_factor
from fluxkit.api.gates import EdgeGate, OriginGuard
from fluxkit.api.hardening import BodyLimit, SecurityHeaders
from fluxkit.api.request_log import RequestLog
from fluxkit.api.v1 import PREFIX as V1_PREFIX
from fluxkit.api.v1 import create_v1


def outer_layers(signed_in_routes: Iterable[str]) -> tuple[Callable[[ASGIApp], ASGIApp], ...]:
    """The ASGI layers around the API and Reflex's own app, innermost first (Reflex's
    `api_transformer` order): the request id and access log wrap everything; the edge
    gate protects `signed_in_routes` (the registered signed-in pages' routes); the security
    headers go on every answer, the gates' own included; an oversized body is refused before
    anything reads it."""
    return (
        functools.partial(EdgeGate, signed_in_routes=tuple(signed_in_routes)),
        OriginGuard,
        BodyLimit,
        SecurityHeaders,
        RequestLog,
    )


def create_api() -> FastAPI:
    api = FastAPI(title="FluxKit", docs_url=None, redoc_url=None, openapi_url=None)
    errors.install_limits_unavailable(api)  # sign-in, the forms and feeds: 503 + Retry-After
    api.include_router(auth.router)
    api.include_router(auth_social.router)
    api.include_router(two_factor.router)
    api.include_router(auth_passkeys.router)
    api.include_router(billing.router)
    api.include_router(health.router)
    api.include_router(calendar_feed.router)
    api.include_router(avatars.router)
    api.mount(V1_PREFIX, create_v1())
    return api
