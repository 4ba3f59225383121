"""The FastAPI app Reflex mounts in front of its own routes."""

from __future__ import annotations

from fastapi import FastAPI

from fluxkit.api import auth, billing


def create_api() -> FastAPI:
    api = FastAPI(title="FluxKit", docs_url=None, redoc_url=None, openapi_url=None)
    api.include_router(auth.router)
    api.include_router(billing.router)
    return api
