"""The FastAPI app Reflex mounts in front of its own routes."""

from __future__ import annotations

from fastapi import FastAPI

from fluxkit.api import auth, billing
from fluxkit.api.v1 import PREFIX as V1_PREFIX, create_v1


def create_api() -> FastAPI:
    api = FastAPI(title="FluxKit", docs_url=None, redoc_url=None, openapi_url=None)
    api.include_router(auth.router)
    api.include_router(billing.router)
    api.mount(V1_PREFIX, create_v1())
    return api
