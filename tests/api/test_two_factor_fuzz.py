"""OpenAPI-driven fuzzing of /api/auth/two-factor/* with Schemathesis, in process.

The routes' contract (bodies and answers) is in their OpenAPI description; /api/auth has no
public spec, so the router is served here on an app of its own, with FluxKit's error handlers.
Every generated request is sent three ways: signed in, in the middle of a sign-in (a pending
challenge cookie) and with neither. Never a 5xx, never an undeclared status, always the
`{error, message}` shape when refused.
"""

from __future__ import annotations

import pyotp
import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from fluxkit.api import errors
from fluxkit.api import two_factor as two_factor_api
from fluxkit.db import session_scope
from fluxkit.models import User
from fluxkit.services import accounts, sessions
from fluxkit.services import two_factor as tf
from fluxkit.settings import get_settings
from tests.support.factories import META, PASSWORD, make_user

MAX_EXAMPLES = 25


def _app() -> FastAPI:
    app = FastAPI(title="FluxKit two-factor", openapi_url="/openapi.json", docs_url=None, redoc_url=None)
    errors.install(app)
    app.include_router(two_factor_api.router)
    return app


schema = schemathesis.openapi.from_asgi("/openapi.json", _app())


@pytest.fixture
def cookies(db, engine):
    """Ada with two-factor on: her session cookie, and a pending challenge of another sign-in."""
    make_user(db, "fuzz@example.com", "Fuzz")
    with session_scope() as db:
        user = db.get(User, accounts.user_by_email(db, "fuzz@example.com").id)
        token, _ = sessions.create_session(db, user, META)
        identity = sessions.resolve(db, token)
        setup = tf.begin_enable(db, identity, PASSWORD, META)
        tf.confirm(db, identity, pyotp.TOTP(setup.secret).now(), META)
        challenge = tf.start_challenge(db, user, method="password", callback="/", meta=META)
    return {
        "signed in": {get_settings().session_cookie_name: token},
        "mid sign-in": {tf.CHALLENGE_COOKIE: challenge.token},
        "neither": {},
    }


@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck))
def test_two_factor_answers_match_the_spec_and_none_is_a_5xx(case, cookies):
    for jar in cookies.values():
        case.cookies = dict(jar)
        # A schema-valid body can still be refused (a wrong password or code: 422).
        response = case.call_and_validate(excluded_checks=[positive_data_acceptance])
        if response.status_code >= 400:
            body = response.json()
            assert isinstance(body.get("error"), str) and isinstance(body.get("message"), str)
