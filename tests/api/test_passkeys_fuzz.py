"""OpenAPI-driven fuzzing of /api/auth/passkey/* with Schemathesis, in process.

/api/auth publishes no OpenAPI document (the API docs are /api/v1's), but the passkey routes
describe their bodies and answers (`openapi_extra` in fluxkit/api/auth_passkeys.py). That
document is served here beside the whole HTTP stack as the app assembles it, and Schemathesis
sends valid and invalid requests to every passkey route, as a signed-in browser whose account
has passkeys: never a 5xx, and every answer's status, content type and body as documented.
Ids in bodies are often swapped for the caller's real passkey ids (and someone else's), so the
fuzzing reaches past the 404s, to renames, removals and the last-way-in refusal.
"""

from __future__ import annotations

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, settings
from limits import parse
from schemathesis.specs.openapi.checks import negative_data_rejection, positive_data_acceptance, unsupported_method
from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Mount, Route

from fluxkit.api import auth_passkeys
from fluxkit.db import session_scope
from fluxkit.models import User
from fluxkit.services import passkeys, sessions
from fluxkit.services.audit import RequestMeta
from fluxkit.settings import get_settings
from tests.support.factories import make_user
from tests.support.http import build_app
from tests.support.passkeys import SoftAuthenticator

SPEC = "/passkeys-openapi.json"
MAX_EXAMPLES = 25


def _spec() -> dict:
    api = FastAPI(title="FluxKit passkeys", version="1")
    api.include_router(auth_passkeys.router)
    return api.openapi()


def _fuzzed_app():
    async def spec(_request):
        return JSONResponse(_spec())

    return Starlette(routes=[Route(SPEC, spec), Mount("", build_app())])


schema = schemathesis.openapi.from_asgi(SPEC, _fuzzed_app())


@pytest.fixture
def account(db, engine, monkeypatch):
    """A signed-in user with two passkeys, and another user's passkey; limits out of the way."""
    monkeypatch.setattr(auth_passkeys, "SIGN_IN_PER_IP", parse("100000/minute"))
    monkeypatch.setattr(auth_passkeys, "CHANGES_PER_ACCOUNT", parse("100000/minute"))
    ids = []
    for address in ("fuzz@example.com", "other@example.com"):
        make_user(db, address, address.split("@")[0].title())
    with session_scope() as db:
        users = {u.email: u for u in db.exec(User.__table__.select()).all()}
    cookies = {}
    for address, count in (("fuzz@example.com", 2), ("other@example.com", 1)):
        with session_scope() as db:
            user = db.get(User, users[address].id)
            token, _ = sessions.create_session(db, user, RequestMeta(ip="127.0.0.1", user_agent="fuzz"))
            identity = sessions.resolve(db, token)
        cookies[address] = {get_settings().session_cookie_name: token}
        for n in range(count):
            with session_scope() as db:
                options = passkeys.registration_options(db, identity.user.id)
            with session_scope() as db:
                row, _ = passkeys.verify_registration(
                    db, identity, SoftAuthenticator().create(options), name=f"Key {n}", meta=RequestMeta()
                )
            ids.append(row.id)
    return cookies["fuzz@example.com"], ids


@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck))
def test_every_passkey_answer_matches_its_documentation_and_none_is_a_5xx(case, account):
    cookie, pool = account
    body = case.body if isinstance(case.body, dict) else None
    positive = case.meta is not None and case.meta.generation.mode.is_positive
    if positive and body is not None and isinstance(body.get("id"), int) and body["id"] % 3 != 0:
        body["id"] = pool[body["id"] % len(pool)]  # one of the caller's, or someone else's
    # Which WebAuthn answers and names are good cannot be said in a schema (422/401/404/409), and
    # /api/auth reads any body it cannot use as empty (a cross-site form must not count): the
    # checks that expect the schema alone to decide acceptance do not apply. A wrong method falls
    # through to the pages, as everywhere under /api/auth.
    case.call_and_validate(
        cookies=cookie, excluded_checks=[positive_data_acceptance, negative_data_rejection, unsupported_method]
    )
