"""Hostile input at the HTTP edge: bodies too large or too deep, and the security headers.

Every answer (a page, a static file, the API, a redirect, an error) carries the headers that
stop framing and sniffing; a body over its route's limit is refused (413) before anything
parses it; JSON nested too deep is bad input (400/422), never a 500.
"""

from __future__ import annotations

import json

import pytest
import stripe

from fluxkit.api import hardening
from tests.support.http import V1, make_account
from tests.support.settings_env import settings_env
from tests.support.stripe_double import WEBHOOK_SECRET

DEEP = b"[" * 1000 + b"]" * 1000
DEEP_OBJECT = b'{"a":' * 1000 + b"1" + b"}" * 1000


# ---- security headers -------------------------------------------------------------------------------


def _assert_protected(response, https: bool = False) -> None:
    headers = response.headers
    csp = headers.get("content-security-policy", "")
    assert "frame-ancestors 'self'" in csp, (response.url, csp)
    assert "object-src 'none'" in csp
    assert "script-src 'self'" in csp
    assert headers.get("x-frame-options") == "SAMEORIGIN"
    assert headers.get("x-content-type-options") == "nosniff"
    assert headers.get("referrer-policy") == "strict-origin-when-cross-origin"
    assert "camera=()" in headers.get("permissions-policy", "")
    if https:
        assert headers.get("strict-transport-security", "").startswith("max-age=31536000")
    else:
        assert "strict-transport-security" not in headers


def test_every_kind_of_answer_carries_the_security_headers(client, db):
    key = make_account(db, "ada@example.com", "Ada").key
    for response in (
        client.get("/"),  # a page
        client.get("/sign-in"),
        client.get("/_next/static/app.js"),  # what the frontend serves (here a stand-in)
        client.get("/dashboard"),  # the edge gate's redirect
        client.get("/api/health"),
        client.get("/api/auth/get-session"),
        client.get(f"{V1}/tasks"),  # 401
        client.get(f"{V1}/tasks", headers={"Authorization": f"Bearer {key}"}),
        client.get(f"{V1}/nowhere"),
        client.post("/api/auth/sign-in/email", content=b"x" * 100_000),  # 413
    ):
        _assert_protected(response)


def test_hsts_when_the_base_url_is_https(new_client, engine):
    with settings_env(FLUXKIT_BASE_URL="https://app.example.com"):
        client = new_client(base_url="https://app.example.com")
        _assert_protected(client.get("/"), https=True)
        _assert_protected(client.get("/api/health"), https=True)


# ---- body size limits ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "limit"),
    [
        ("/api/auth/sign-in/email", hardening.AUTH_MAX_BYTES),
        ("/api/auth/sign-up/email", hardening.AUTH_MAX_BYTES),
        (f"{V1}/tasks", hardening.API_MAX_BYTES),
        ("/api/billing/webhook", hardening.WEBHOOK_MAX_BYTES),
    ],
)
def test_a_body_over_the_limit_is_refused_before_it_is_read(client, engine, path, limit):
    # A JSON body just over the limit: refused by its Content-Length.
    big = json.dumps({"email": "ada@example.com", "password": "x" * limit}).encode()
    response = client.post(path, content=big, headers={"Content-Type": "application/json"})
    assert response.status_code == 413, response.text
    assert response.json()["error"] == "too_large"


@pytest.mark.parametrize("path", ["/api/auth/sign-in/email", f"{V1}/tasks", "/api/billing/webhook"])
def test_a_body_without_a_length_is_cut_off_at_the_limit(client, engine, path):
    """Sent in chunks with no Content-Length: the reading stops once the limit is passed."""
    read = 0

    def chunks():
        nonlocal read
        for _ in range(60):  # 60 x 64 KB, ~3.9 MB
            read += 1
            yield b" " * 65536

    response = client.post(path, content=chunks(), headers={"Content-Type": "application/json"})
    assert response.status_code == 413, response.text
    assert response.json()["error"] == "too_large"


def test_a_body_under_the_limit_still_works(client, engine):
    body = {"name": "Ada", "email": "ada@example.com", "password": "a long enough passphrase 42"}
    assert client.post("/api/auth/sign-up/email", json=body).status_code == 200


# ---- JSON nested too deep ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/api/auth/sign-up/email",
        "/api/auth/sign-in/email",
        "/api/auth/forget-password",
        "/api/auth/reset-password",
        "/api/auth/verify-email",
    ],
)
@pytest.mark.parametrize("body", [DEEP, DEEP_OBJECT], ids=["list", "object"])
def test_json_nested_too_deep_is_bad_input_on_auth_routes(client, engine, path, body):
    response = client.post(path, content=body, headers={"Content-Type": "application/json"})
    # As a body with no fields: "fill these in" (422, 400 for a token) or, to sign in, "wrong" (401).
    assert response.status_code in (400, 401, 422), response.text


@pytest.mark.parametrize("body", [DEEP, DEEP_OBJECT], ids=["list", "object"])
def test_json_nested_too_deep_is_bad_input_on_the_api(new_client, db, body):
    account = make_account(db, "ada@example.com", "Ada")
    client = new_client(headers={**account.headers, "Content-Type": "application/json"})
    for method, path in (("POST", "/tasks"), ("PATCH", "/tasks/1"), ("POST", "/api-keys"), ("PATCH", "/me")):
        response = client.request(method, V1 + path, content=body)
        assert response.status_code in (400, 404, 422), (method, path, response.text)


@pytest.mark.parametrize("body", [DEEP, DEEP_OBJECT], ids=["list", "object"])
def test_a_correctly_signed_webhook_nested_too_deep_is_a_400(client, billing_on, body):
    header = stripe.WebhookSignature.generate_signature_header(body.decode(), WEBHOOK_SECRET)
    response = client.post(
        "/api/billing/webhook", content=body, headers={"Stripe-Signature": header, "Content-Type": "application/json"}
    )
    assert response.status_code == 400, response.text
