"""OpenAPI-driven fuzzing (Schemathesis) of social sign-in's routes under /api/auth.

/api/auth publishes no OpenAPI document of its own (Better Auth's routes read their JSON
themselves); the social routes describe theirs (`openapi_extra`), and this test serves that
description beside the real HTTP stack (tests/support/http.py) so Schemathesis can generate
valid and invalid requests for each: never a 5xx, and only the statuses the routes promise.
The callback is fuzzed too: whatever code and state it gets, it answers a 303 to a page of
this site and signs nobody in.
"""

from __future__ import annotations

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance, unsupported_method
from starlette.responses import JSONResponse

from fluxkit.api import auth_social
from fluxkit.services import social_providers
from fluxkit.settings import get_settings
from tests.support.factories import make_signed_in
from tests.support.http import build_app
from tests.support.oidc_provider import running_provider
from tests.support.settings_env import settings_env

MAX_EXAMPLES = 25


def _spec() -> dict:
    api = FastAPI(title="FluxKit social sign-in", version="1")
    api.include_router(auth_social.router)
    return api.openapi()


SPEC = _spec()
STACK = build_app()


async def app(scope, receive, send):
    if scope["type"] == "http" and scope["path"] == "/openapi.json":
        await JSONResponse(SPEC)(scope, receive, send)
        return
    await STACK(scope, receive, send)


schema = schemathesis.openapi.from_asgi("/openapi.json", app)


@pytest.fixture(scope="module")
def provider_server():
    with running_provider() as provider:
        yield provider


@pytest.fixture
def configured(provider_server, db, engine):
    provider_server.reset()
    social_providers.forget_cached()
    with settings_env(**provider_server.env()):
        _, token, _ = make_signed_in(db, "fuzz@example.com", "Fuzz")
        yield {"Cookie": f"{get_settings().session_cookie_name}={token}"}


def test_every_social_route_is_described():
    paths = set(SPEC["paths"])
    assert paths == {
        "/api/auth/sign-in/social",
        "/api/auth/link-social",
        "/api/auth/callback/{provider}",
        "/api/auth/list-accounts",
        "/api/auth/unlink-account",
        "/api/auth/social-providers",
    }


@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck))
def test_no_answer_is_a_5xx_or_off_the_spec(case, configured):
    from fluxkit.services import ratelimit

    ratelimit.reset_all()  # the per-address limit is tested elsewhere; here it would only cut examples short
    # Excluded: a provider valid by the schema may not be configured (422, positive data), and
    # a method no route has falls through to Reflex's pages below /api/auth, as for every
    # Better Auth route (not a 405: the frontend answers it).
    response = case.call_and_validate(
        headers=configured, excluded_checks=[positive_data_acceptance, unsupported_method]
    )
    if case.path == "/api/auth/callback/{provider}" and response.status_code == 303:
        # (A path that is not one, e.g. with a newline, falls through to the pages: a 200.)
        [location] = response.headers["location"]
        assert location.startswith("/sign-in?error=social")
        assert get_settings().session_cookie_name not in str(response.headers.get("set-cookie"))
